"""report.html in a real browser (headless Chromium): no sideways page scroll, TOC links land.

The page is opened at a phone width (400 px) and a desktop width (1400 px). A copy
of the page with a small script appended records, into the DOM, whether the page
scrolls sideways and where each table-of-contents link lands; Chromium's
``--dump-dom`` prints the DOM after the script ran. Screenshots of both widths are
saved under ``tests/artifacts/`` (git-ignored) for a person to look at.
Skipped, saying why, when no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WIDTHS = (400, 1400)

# Headless Chromium will not make a window narrower than 500 px, so the report is
# laid out in an iframe of the width under test, inside a page that checks it.
_FRAME = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe id="report" src="report.html" title="report"
 style="border:0;display:block;width:{width}px;height:{height}px"></iframe>
<script>
document.getElementById('report').addEventListener('load', function () {{
  var win = this.contentWindow, doc = this.contentDocument, root = doc.documentElement;
  var out = {{width: win.innerWidth, scrollWidth: root.scrollWidth,
              clientWidth: root.clientWidth, links: []}};
  var links = doc.querySelectorAll('nav.toc a[href^="#"]');
  for (var i = 0; i < links.length; i++) {{
    var id = decodeURIComponent(links[i].getAttribute('href').slice(1));
    var target = doc.getElementById(id);
    var entry = {{href: id, found: !!target, tag: target ? target.tagName : null}};
    if (target) {{
      links[i].click();
      var top = target.getBoundingClientRect().top;
      var atBottom = win.scrollY + win.innerHeight >= root.scrollHeight - 2;
      entry.top = top;
      entry.lands = Math.abs(top) < 2 || (atBottom && top >= 0 && top < win.innerHeight);
    }}
    out.links.push(entry);
  }}
  win.scrollTo(0, 0);
  var pre = document.createElement('pre');
  pre.id = 'browser-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
}});
</script></body></html>
"""


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _run(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--no-first-run", "--hide-scrollbars", "--allow-file-access-from-files",
               f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report_html(sample_run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mixedwai.joint.render.formats import render_html

    out = tmp_path_factory.mktemp("browser") / "report.html"
    out.write_text(render_html(sample_run.report), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser() -> str:
    found = _chromium()
    if found is None:
        pytest.skip("no Chromium installed (apt-get install chromium; .ci/run installs it)")
    return found


def _frame(report: Path, folder: Path, width: int, height: int) -> Path:
    shutil.copy(report, folder / "report.html")
    page = folder / f"frame_{width}.html"
    page.write_text(_FRAME.format(width=width, height=height), encoding="utf-8")
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_report_in_chromium_never_scrolls_sideways_and_toc_links_land(
        report_html: Path, browser: str, width: int, tmp_path: Path) -> None:
    page = _frame(report_html, tmp_path, width, 900)
    result = _run(browser, tmp_path / "profile", f"--window-size={max(width, 500)},900",
                  "--virtual-time-budget=5000", "--dump-dom", page.as_uri())
    found = re.search(r'<pre id="browser-check">(.*?)</pre>', result.stdout, re.S)
    assert found is not None, f"no result from Chromium: {result.stderr[-2000:]}"
    state = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert state["width"] == width
    assert state["scrollWidth"] <= state["clientWidth"], state
    assert state["links"], "the page has no table of contents"
    for link in state["links"]:
        assert link["found"] and re.fullmatch(r"H[1-6]", link["tag"] or ""), link
        assert link["lands"], link

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"report_{width}px.png"
    page = _frame(report_html, tmp_path, width, 2400)
    taken = _run(browser, tmp_path / "profile", f"--window-size={max(width, 500)},2400",
                 "--virtual-time-budget=5000", f"--screenshot={shot}", page.as_uri())
    assert shot.is_file() and shot.stat().st_size > 10_000, taken.stderr[-2000:]
