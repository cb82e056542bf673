"""Renderers: joint displays and documents to Markdown, HTML and CSV frames; sparklines.

- Markdown: pipe tables; line breaks inside cells become ``<br>``; trajectories
  become Unicode block sparklines.
- HTML: one self-contained file — inline CSS, figures embedded as base64 PNG,
  trajectories as inline SVG; nothing is fetched from elsewhere. A viewport for
  phones, a table of contents with anchors, tables that scroll in their own box,
  print styles (A4 or Letter), header cells with their scope, figures with alt text.
- CSV: the display's text table (``table``) and its numbers (``data``).

Word is written by :mod:`mixedwai.joint.render.word`, Excel by
:mod:`mixedwai.joint.render.workbook`; both use :func:`_fix_zip_times` so their
bytes are reproducible.
"""

from __future__ import annotations

import base64
import html
import io
import re
import zipfile
from collections.abc import Sequence

import pandas as pd

from mixedwai.joint.displays.exemplars import LANGUAGE_MARKER
from mixedwai.joint.displays.tables import SPARKLINE, JointDisplay
from mixedwai.joint.render.document import (
    Bullets,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
    xml_safe,
)

__all__ = [
    "display_to_markdown",
    "is_numeric_text",
    "markdown_text",
    "render_html",
    "render_markdown",
    "sparkline_png",
    "sparkline_svg",
    "sparkline_text",
]

_BLOCKS = "▁▂▃▄▅▆▇█"
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)
_FIXED_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _is_trajectory(value: object) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, float) for v in value)


def _scale(values: Sequence[float], lo: float, hi: float) -> list[float]:
    span = hi - lo
    return [0.5 if span <= 0 else (v - lo) / span for v in values]


def sparkline_text(values: Sequence[float], lo: float = 1.0, hi: float = 7.0) -> str:
    """Unicode block sparkline, e.g. for Markdown.

    Examples
    --------
    >>> sparkline_text((6.6, 6.0, 5.5), lo=5.0, hi=7.0)
    '▇▅▃'
    """
    return "".join(_BLOCKS[min(7, max(0, round(f * 7)))] for f in _scale(values, lo, hi))


def sparkline_svg(values: Sequence[float], lo: float = 1.0, hi: float = 7.0,
                  width: int = 60, height: int = 16) -> str:
    """Inline SVG sparkline (a polyline with a dot at each time).

    Examples
    --------
    >>> sparkline_svg((5.0, 6.0), lo=5.0, hi=6.0).startswith("<svg")
    True
    """
    fractions = _scale(values, lo, hi)
    n = len(fractions)
    xs = [2 + i * (width - 4) / max(1, n - 1) for i in range(n)]
    ys = [height - 2 - f * (height - 4) for f in fractions]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6"/>' for x, y in
                   zip(xs, ys, strict=True))
    label = _escape(" → ".join(f"{v:.2f}" for v in values))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'role="img" aria-label="{label}"><polyline fill="none" stroke="#1f5f8b" '
            f'stroke-width="1.5" points="{points}"/><g fill="#1f5f8b">{dots}</g></svg>')


def sparkline_png(values: Sequence[float], lo: float = 1.0, hi: float = 7.0,
                  width: int = 96, height: int = 26) -> bytes:
    """Small PNG sparkline for Word tables, drawn directly (no plotting library).

    A 2-pixel polyline with a 4-pixel dot at each time on a transparent
    background; written with zlib, so it is fast (hundreds of cases render in a
    blink) and the bytes depend only on the values.

    Examples
    --------
    >>> png = sparkline_png((6.6, 6.0, 5.5), lo=5.0, hi=7.0)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", png == sparkline_png((6.6, 6.0, 5.5), 5.0, 7.0)
    (True, True)
    """
    import struct
    import zlib

    pixels = bytearray(width * height)  # 0 = transparent, 1 = ink
    pad = 3
    fractions = _scale(values, lo, hi)
    n = len(fractions)
    xs = [pad + i * (width - 2 * pad - 1) / max(1, n - 1) for i in range(n)]
    ys = [pad + (1 - f) * (height - 2 * pad - 1) for f in fractions]

    def dot(x: float, y: float, r: int) -> None:
        cx, cy = round(x), round(y)
        for yy in range(max(0, cy - r), min(height, cy + r + 1)):
            for xx in range(max(0, cx - r), min(width, cx + r + 1)):
                pixels[yy * width + xx] = 1

    points = list(zip(xs, ys, strict=True))
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) * 2))
        for step in range(steps + 1):
            t = step / steps
            dot(x0 + t * (x1 - x0), y0 + t * (y1 - y0), 0)
            dot(x0 + t * (x1 - x0), y0 + t * (y1 - y0) + 0.5, 0)
    for x, y in zip(xs, ys, strict=True):
        dot(x, y, 2)

    ink = (0x1F, 0x5F, 0x8B, 0xFF)
    raw = bytearray()
    for row in range(height):
        raw.append(0)  # no filter
        for col in range(width):
            raw.extend(ink if pixels[row * width + col] else (0, 0, 0, 0))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def _trajectory_bounds(frame: pd.DataFrame) -> tuple[float, float]:
    if SPARKLINE not in frame.columns:
        return 1.0, 7.0
    values = [v for cell in frame[SPARKLINE] if _is_trajectory(cell) for v in cell]
    if not values:
        return 1.0, 7.0
    return min(values), max(values)


# ----------------------------------------------------------------------------- Markdown
_MD_ACTIVE = re.compile(r"([\\<\[\]])")


def markdown_text(text: str) -> str:
    """``text`` with the characters that make links, images and raw HTML escaped.

    A backslash goes before every ``\\``, ``<``, ``[`` and ``]``: a quote holding
    ``<script>``, ``[x](javascript:...)`` or ``<https://...>`` is shown as written,
    never run or followed. Emphasis characters are left alone (harmless, and
    escaping them would clutter the file for plain-text readers).
    Characters XML cannot hold are replaced as in every other format
    (:func:`~mixedwai.joint.render.document.xml_safe`).

    Examples
    --------
    >>> print(markdown_text("[click](javascript:alert(1)) <b>bold</b>"))
    \\[click\\](javascript:alert(1)) \\<b>bold\\</b>
    """
    return _MD_ACTIVE.sub(r"\\\1", xml_safe(text))


def _md_cell(value: object, lo: float, hi: float) -> str:
    if _is_trajectory(value):
        return sparkline_text(value, lo, hi)  # type: ignore[arg-type]
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return markdown_text(text).replace("|", "\\|").replace("\n", "<br>")


def frame_to_markdown(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown pipe table (index dropped).

    Examples
    --------
    >>> print(frame_to_markdown(pd.DataFrame({"a": [1], "b": ["x|y"]})))
    | a | b |
    |---|---|
    | 1 | x\\|y |
    """
    lo, hi = _trajectory_bounds(frame)
    header = "| " + " | ".join(_md_cell(c, lo, hi) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(_md_cell(v, lo, hi) for v in row) + " |"
            for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def display_to_markdown(display: JointDisplay) -> str:
    """One display as Markdown: title, table, notes."""
    parts = [f"### {markdown_text(display.title)}", "", frame_to_markdown(display.table), ""]
    parts += [f"*{markdown_text(note)}*" for note in display.notes]
    return "\n".join(parts).rstrip() + "\n"


def render_markdown(document: Document) -> str:
    """A whole document as Markdown (figures are referenced by caption only).

    Text from the study (quotes, statements, names) is escaped (see
    :func:`markdown_text`): it can never become a link, an image or raw HTML in
    a Markdown viewer.
    """
    md = markdown_text
    out = [f"# {md(document.title)}", ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            out += ["#" * (block.level + 1) + " " + md(block.text), ""]
        elif isinstance(block, Paragraph):
            out += [f"*{md(block.text)}*" if block.italic else md(block.text), ""]
        elif isinstance(block, Bullets):
            out += [f"- {md(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            if block.title:
                out += [f"**{md(block.title)}**", ""]
            out += [frame_to_markdown(block.cells()), ""]
            out += [f"*{md(note)}*" for note in block.notes] + ([""] if block.notes else [])
        elif isinstance(block, Figure):
            out += [f"*Figure: {md(block.caption)}*", ""]
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- HTML
def _escape(text: str) -> str:
    """Text for HTML: markup escaped, characters XML cannot hold replaced."""
    return html.escape(xml_safe(text))

_CSS = """
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font-family:Georgia,'Times New Roman',serif;max-width:72rem;margin:0 auto;padding:1em;
color:#222;line-height:1.5;font-size:1rem;overflow-wrap:break-word}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif;color:#1f3b57;line-height:1.25}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2em}h3{font-size:1.1rem}
nav.toc{border:1px solid #ccd;padding:.5em 1em;margin:1em 0;background:#f7f9fb}
nav.toc h2{margin-top:.2em}
nav.toc ol{margin:.3em 0;padding-left:1.4em}nav.toc li{margin:.15em 0}
.table-wrap{overflow-x:auto;max-width:100%;margin:1em 0;-webkit-overflow-scrolling:touch}
.table-wrap:focus{outline:2px solid #1f5f8b}
table{border-collapse:collapse;font-size:.88em;font-family:Helvetica,Arial,sans-serif}
caption{text-align:left;padding:4px 0;caption-side:top}
caption .label{font-weight:bold;display:block}caption .title{font-style:italic}
thead th{border-top:2px solid #222;border-bottom:1px solid #222}
tbody tr:last-child td,tbody tr:last-child th{border-bottom:2px solid #222}
th,td{padding:4px 8px;vertical-align:top;text-align:left;overflow-wrap:normal}
td.text{min-width:16em}tbody th{min-width:7em}
td.num{text-align:center;white-space:nowrap}
tbody th{font-weight:normal}tr.group th{font-weight:bold;padding-top:.6em}
.note{font-size:.85em;color:#444}
.note em{font-style:italic}
.quote{font-style:italic}
figure{margin:1.5em 0}figure img{width:100%;max-width:44rem;height:auto}
figcaption{font-size:.95em;color:#333}figcaption .label{font-weight:bold}
@media (max-width:600px){body{padding:.6em}table{font-size:.8em}}
@page{size:auto;margin:15mm 12mm}
@media print{
body{max-width:none;padding:0;font-size:10pt}nav.toc{display:none}
.table-wrap{overflow:visible}
table{width:100%;font-size:7.5pt;table-layout:auto}
td,th{overflow-wrap:normal;word-break:normal;hyphens:manual;padding:2px 4px}
td.text{min-width:0}tbody th{min-width:0}
td.num{white-space:normal}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
caption{break-after:avoid}
h2,h3{break-after:avoid;page-break-after:avoid}
figure{break-inside:avoid;page-break-inside:avoid}
}
"""

_NUMERIC = re.compile(r"^[<>]?\s?[-−–—.\d(]")
#: A numeric cell is one short line ("5 (27.8)", "6.55 (0.13)", "p = .04"); a count
#: followed by a quote ("5/5 (100 %)" and a sentence below) is text, and wraps.
_NUMERIC_MAX_CHARS = 32


def is_numeric_text(text: str) -> bool:
    """Whether a cell's text is a number or statistic, set centred and unbroken.

    Examples
    --------
    >>> is_numeric_text("5 (27.8)"), is_numeric_text("5/5 (100 %)\\n“We agreed.”")
    (True, False)
    """
    return ("\n" not in text and len(text) <= _NUMERIC_MAX_CHARS
            and _NUMERIC.match(text) is not None)


def _html_cell(value: object, lo: float, hi: float) -> str:
    if _is_trajectory(value):
        return sparkline_svg(value, lo, hi)  # type: ignore[arg-type]
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    lines = []
    for line in text.split("\n"):
        if not line.startswith("“"):
            lines.append(_escape(line))
            continue
        # a quote in another language than the report's ends with a [fr] marker
        language = LANGUAGE_MARKER.search(line)
        lang = f' lang="{language.group(1)}"' if language else ""
        lines.append(f'<span class="quote"{lang}>{_escape(line)}</span>')
    return "<br>".join(lines)


def _numeric_columns(frame: pd.DataFrame) -> list[bool]:
    out = []
    for j in range(len(frame.columns)):
        texts = [str(v) for v in frame.iloc[:, j]
                 if not _is_trajectory(v) and v is not None and str(v) not in ("", "nan")]
        out.append(j > 0 and bool(texts) and all(is_numeric_text(t) for t in texts))
    return out


def frame_to_html(frame: pd.DataFrame, caption: str = "", *, label: str = "",
                  group_rows: Sequence[int] = ()) -> str:
    """A DataFrame as an HTML table with escaped cells (index dropped).

    Header cells carry ``scope="col"``; the first cell of each row is a row
    header (``scope="row"``); rows listed in ``group_rows`` head a group.

    Examples
    --------
    >>> page = frame_to_html(pd.DataFrame({"a": ["<b>"]}))
    >>> '<th scope="col">a</th>' in page, '<th scope="row">&lt;b&gt;</th>' in page
    (True, True)
    """
    lo, hi = _trajectory_bounds(frame)
    numeric = _numeric_columns(frame)
    long = [any(len(str(v)) > 40 for v in frame.iloc[:, j] if not _is_trajectory(v))
            for j in range(len(frame.columns))]
    head = "".join(f'<th scope="col">{_escape(str(c))}</th>' for c in frame.columns)
    groups = set(group_rows)
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for j, value in enumerate(row):
            content = _html_cell(value, lo, hi)
            if j == 0:
                cells.append(f'<th scope="row">{content}</th>')
            elif numeric[j]:
                cells.append(f'<td class="num">{content}</td>')
            else:
                cells.append(f'<td class="text">{content}</td>' if long[j]
                             else f"<td>{content}</td>")
        cls = ' class="group"' if i in groups else ""
        rows.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    cap = ""
    if caption or label:
        parts = (f'<span class="label">{_escape(label)}</span>' if label else "") + (
            f'<span class="title">{_escape(caption)}</span>' if caption else "")
        cap = f"<caption>{parts}</caption>"
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, i = base, 2
    while slug in taken:
        slug, i = f"{base}-{i}", i + 1
    taken.add(slug)
    return slug


def render_html(document: Document, *, lang: str = "en") -> str:
    """A whole document as one self-contained HTML page (no external reference).

    Examples
    --------
    >>> page = render_html(Document("Demo").heading("Method").paragraph("Ward."))
    >>> 'name="viewport"' in page, 'href="#method"' in page, 'id="method"' in page
    (True, True, True)
    """
    taken: set[str] = {"contents"}
    anchors = {id(b): _slug(b.text, taken) for b in document.blocks if isinstance(b, Heading)}
    toc: list[str] = []
    depth = 0
    for block in document.blocks:
        if isinstance(block, Heading) and block.level <= 2:
            while depth < block.level:
                toc.append("<ol>")
                depth += 1
            while depth > block.level:
                toc.append("</ol>")
                depth -= 1
            toc.append(f'<li><a href="#{anchors[id(block)]}">{_escape(block.text)}</a></li>')
    toc += ["</ol>"] * depth
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(document.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>{_escape(document.title)}</h1></header>",
    ]
    if toc:
        out.append('<nav class="toc" aria-label="Contents"><h2 id="contents">Contents</h2>'
                   + "".join(toc) + "</nav>")
    out.append("<main>")
    tables = figures = 0
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(6, block.level + 1)
            out.append(f'<h{level} id="{anchors[id(block)]}">{_escape(block.text)}'
                       f"</h{level}>")
        elif isinstance(block, Paragraph):
            cls = ' class="note"' if block.italic else ""
            out.append(f"<p{cls}>{_escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            out.append("<ul>" + "".join(f"<li>{_escape(i)}</li>" for i in block.items)
                       + "</ul>")
        elif isinstance(block, Table):
            tables += 1
            anchor = _slug(f"table-{tables}", taken)
            table = frame_to_html(block.cells(), block.title, label=f"Table {tables}",
                                  group_rows=block.group_rows)
            out.append(f'<div class="table-wrap" id="{anchor}" role="region" tabindex="0" '
                       f'aria-label="Table {tables}">{table}</div>')
            for note in block.notes:
                text = _escape(note)
                if text.startswith("Note. "):
                    text = "<em>Note.</em>" + text[len("Note."):]
                out.append(f'<p class="note">{text}</p>')
        elif isinstance(block, Figure):
            figures += 1
            data = base64.b64encode(block.png).decode("ascii")
            alt = _escape(block.alt or block.caption)
            out.append(f'<figure id="{_slug(f"figure-{figures}", taken)}"><img alt="{alt}" '
                       f'src="data:image/png;base64,{data}">'
                       f'<figcaption><span class="label">Figure {figures}.</span> '
                       f"{_escape(block.caption)}</figcaption></figure>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- ZIP
def _fix_zip_times(data: bytes) -> bytes:
    """Rewrite a ZIP (DOCX/XLSX) with fixed entry timestamps so bytes are reproducible."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # writers stamp the save time here
                content = _FIXED_W3CDTF.sub(rb"\g<1>2020-01-01T00:00:00Z\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


# ----------------------------------------------------------------------------- CSV
def display_csv_frames(display: JointDisplay) -> dict[str, pd.DataFrame]:
    """The display's text table (trajectories as ``a;b;c``) and its numbers."""
    table = display.table.map(
        lambda v: ";".join(f"{x:.4g}" for x in v) if _is_trajectory(v) else v
    )
    data = display.data
    if not (isinstance(data.index, pd.RangeIndex) and data.index.name is None):
        data = data.reset_index()
    return {display.key: table, f"{display.key}_data": data}
