"""Control characters and rich markup in what the command line prints.

Repros of issue 15: file names with terminal escapes were printed raw, and rich markup in
a study name (``[bold]x[/``) crashed the summary of ``mixedwai run``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mixedwai.cli import main
from mixedwai.cli._common import terminal_safe
from tests.hostile.conftest import ROOT

ESCAPE = "\x1b]0;pwned\x07\x1b[2J"


def test_terminal_safe_escapes_every_control_character() -> None:
    text = "a\x00b\x01c\x1bd\x7fe\x9bf\u202eg\nh\ti"
    assert terminal_safe(text) == "a\\x00b\\x01c\\x1bd\\x7fe\\x9bf\\u202eg\nh\ti"


def test_file_names_with_terminal_escapes_are_printed_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    shutil.copy(ROOT / "sample_corpus" / "transcripts" / "ES03_C01.txt", folder / "ES03_C01.txt")
    (folder / f"ES3_C2{ESCAPE}.txt").write_text("", encoding="utf-8")  # unreadable: empty
    status = main(["code", str(folder), "--codebook", "ross2008-en", "--out",
                   str(tmp_path / "out")])
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert status == 2  # the empty file is an error, which names it
    assert "\x1b" not in printed and "\x07" not in printed
    assert "ES3_C2\\x1b]0;pwned\\x07\\x1b[2J.txt" in printed


def test_errors_naming_a_file_with_escapes_are_printed_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"book{ESCAPE}.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    assert main(["codebook", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "book\\x1b]0;pwned" in err


def test_rich_markup_in_the_study_name_is_printed_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = tmp_path / "study"
    shutil.copytree(ROOT / "sample_corpus", study,
                    ignore=shutil.ignore_patterns("transcript_sources", "*.py"))
    text = (study / "study.yaml").read_text(encoding="utf-8")
    # (control characters in a study name are the renderers' concern: Word refuses them)
    lines = ['name: "[bold]x[/ [link=javascript:alert(1)]y"' if line.startswith("name:")
             else line
             for line in text.splitlines()]
    (study / "study.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "[bold]x[/ [link=javascript:alert(1)]y" in out


def test_control_characters_and_markup_in_study_text_never_cost_the_report(
        tmp_path: Path) -> None:
    """\\x00, \\x01, \\x1b in quoted sentences and \\x0b in a statement used to crash the
    Word and Excel rendering; raw HTML and javascript: links went into report.md."""
    import io
    import zipfile

    import openpyxl

    study = tmp_path / "study"
    shutil.copytree(ROOT / "sample_corpus", study,
                    ignore=shutil.ignore_patterns("transcript_sources", "*.py", "qdpx_study"))
    for name in ("ES16_C1.vtt", "zoom_es8-c2.vtt", "ES#5_C1.vtt"):  # no second coder
        path = study / "transcripts" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(". ", ".\x00\x01\x1b ").replace(", ", ",\x0b "),
                        encoding="utf-8")
    meta = study / "meta_inferences.csv"
    lines = meta.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("High, stable", "=HYPERLINK(1)\x0b <script>alert(1)</script> "
                                "[click](javascript:alert(1)) High, stable")
    meta.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(study), "--out", str(out), "--quiet"]) == 0

    words = "".join(
        zipfile.ZipFile(out / "report.docx").read(n).decode("utf-8")
        for n in zipfile.ZipFile(out / "report.docx").namelist() if n.endswith(".xml"))
    assert "\ufffd" in words  # the characters are shown where they were, not dropped
    for bad in ("\x00", "\x01", "\x1b", "\x0b"):
        assert bad not in words
    for workbook in (out / "report.xlsx", out / "displays" / "joint_displays.xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(workbook.read_bytes()))
        cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
                 if isinstance(c.value, str)]
        assert not any(c.data_type == "f" for c in cells)  # no formula anywhere
    markdown = (out / "report.md").read_text(encoding="utf-8")
    import re

    assert not re.search(r"(?<!\\)<script>", markdown)  # every < of the text is escaped
    assert not re.search(r"(?<!\\)\]\(javascript:", markdown)
    assert "\\<script>alert(1)\\</script> \\[click\\](javascript:alert(1))" in markdown
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page
    assert "\x00" not in page and "\x1b" not in page
