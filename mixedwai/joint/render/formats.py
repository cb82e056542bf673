"""Renderers: joint displays and documents to Markdown, HTML, DOCX, CSV and XLSX.

- Markdown: pipe tables; line breaks inside cells become ``<br>``; trajectories
  become Unicode block sparklines.
- HTML: one self-contained file — inline CSS, figures embedded as base64 PNG,
  trajectories as inline SVG; nothing is fetched from elsewhere.
- DOCX (python-docx): real Word tables with a repeated header row, wide displays
  on landscape sections, quotes in italics, trajectories as small embedded
  pictures.
- CSV/XLSX: the display's text table (``table``) and its numbers (``data``).

Outputs are deterministic: the same document gives the same bytes (DOCX core
properties and ZIP timestamps are fixed).
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import re
import zipfile
from collections.abc import Sequence

import pandas as pd

from mixedwai.joint.displays.exemplars import LANGUAGE_MARKER
from mixedwai.joint.displays.tables import SPARKLINE, JointDisplay
from mixedwai.joint.render.document import Bullets, Document, Figure, Heading, Paragraph, Table

__all__ = [
    "display_to_markdown",
    "render_docx",
    "render_html",
    "render_markdown",
    "sparkline_png",
    "sparkline_svg",
    "sparkline_text",
    "to_xlsx_bytes",
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
    label = html.escape(" → ".join(f"{v:.2f}" for v in values))
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
def _md_cell(value: object, lo: float, hi: float) -> str:
    if _is_trajectory(value):
        return sparkline_text(value, lo, hi)  # type: ignore[arg-type]
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text.replace("|", "\\|").replace("\n", "<br>")


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
    parts = [f"### {display.title}", "", frame_to_markdown(display.table), ""]
    parts += [f"*{note}*" for note in display.notes]
    return "\n".join(parts).rstrip() + "\n"


def render_markdown(document: Document) -> str:
    """A whole document as Markdown (figures are referenced by caption only)."""
    out = [f"# {document.title}", ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            out += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [f"*{block.text}*" if block.italic else block.text, ""]
        elif isinstance(block, Bullets):
            out += [f"- {item}" for item in block.items] + [""]
        elif isinstance(block, Table):
            if block.title:
                out += [f"**{block.title}**", ""]
            out += [frame_to_markdown(block.frame), ""]
            out += [f"*{note}*" for note in block.notes] + ([""] if block.notes else [])
        elif isinstance(block, Figure):
            out += [f"*Figure: {block.caption}*", ""]
    return "\n".join(out).rstrip() + "\n"


# ----------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:Georgia,'Times New Roman',serif;max-width:1200px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}
h1,h2,h3{font-family:Helvetica,Arial,sans-serif;color:#1f3b57}
table{border-collapse:collapse;margin:1em 0;font-size:0.88em}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#e8eef4}
caption{font-weight:bold;text-align:left;padding:4px 0;font-family:Helvetica,Arial,sans-serif}
.note{font-size:0.85em;color:#555;font-style:italic}
.quote{font-style:italic}
figure{margin:1em 0}figcaption{font-size:0.9em;color:#444}
"""


def _html_cell(value: object, lo: float, hi: float) -> str:
    if _is_trajectory(value):
        return sparkline_svg(value, lo, hi)  # type: ignore[arg-type]
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    lines = []
    for line in text.split("\n"):
        if not line.startswith("“"):
            lines.append(html.escape(line))
            continue
        # a quote in another language than the report's ends with a [fr] marker
        language = LANGUAGE_MARKER.search(line)
        lang = f' lang="{language.group(1)}"' if language else ""
        lines.append(f'<span class="quote"{lang}>{html.escape(line)}</span>')
    return "<br>".join(lines)


def frame_to_html(frame: pd.DataFrame, caption: str = "") -> str:
    """A DataFrame as an HTML table with escaped cells (index dropped).

    Examples
    --------
    >>> frame_to_html(pd.DataFrame({"a": ["<b>"]}))
    '<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>&lt;b&gt;</td></tr></tbody></table>'
    """
    lo, hi = _trajectory_bounds(frame)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_html_cell(v, lo, hi)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(document: Document) -> str:
    """A whole document as one self-contained HTML page (no external reference)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(document.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(document.title)}</h1>",
    ]
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(6, block.level + 1)
            out.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            cls = ' class="note"' if block.italic else ""
            out.append(f"<p{cls}>{html.escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            out.append("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in block.items)
                       + "</ul>")
        elif isinstance(block, Table):
            out.append(frame_to_html(block.frame, block.title))
            out += [f'<p class="note">{html.escape(n)}</p>' for n in block.notes]
        elif isinstance(block, Figure):
            data = base64.b64encode(block.png).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(block.caption)}" '
                       f'src="data:image/png;base64,{data}" style="max-width:100%">'
                       f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- DOCX
def _set_repeat_header(row: object) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    tr_pr.append(element)


def _is_landscape(document: object) -> bool:
    from docx.enum.section import WD_ORIENT

    return document.sections[-1].orientation == WD_ORIENT.LANDSCAPE  # type: ignore[attr-defined]


def _landscape_for(blocks: Sequence[object], i: int, current: bool) -> bool:
    """Page orientation for block ``i``: wide tables landscape, and no page left empty.

    A heading goes with the table right after it; a paragraph stays where it is
    (a table's notes, a section's text); figures and lists are portrait.
    """
    block = blocks[i]
    if isinstance(block, Table):
        return block.landscape
    if isinstance(block, Heading):
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        return following.landscape if isinstance(following, Table) else False
    if isinstance(block, Paragraph):
        return current
    return False


def _add_quoted_runs(paragraph: object, text: str) -> None:
    """Add ``text`` to a paragraph with every “quoted” passage in italics."""
    for part in re.split(r"(“[^”]*”)", text):
        if part:
            paragraph.add_run(part).italic = part.startswith("“")  # type: ignore[attr-defined]


def _new_section(document: object, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    section = document.sections[-1]  # type: ignore[attr-defined]
    is_landscape = section.orientation == WD_ORIENT.LANDSCAPE
    if is_landscape == landscape:
        return
    new = document.add_section(WD_SECTION.NEW_PAGE)  # type: ignore[attr-defined]
    width, height = new.page_width, new.page_height
    if landscape != (width > height):
        new.page_width, new.page_height = height, width
    new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def _docx_cell(cell: object, value: object, lo: float, hi: float, header: bool = False) -> None:
    from docx.shared import Inches, Pt

    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    if _is_trajectory(value):
        run = paragraph.add_run()
        run.add_picture(io.BytesIO(sparkline_png(value, lo, hi)),  # type: ignore[arg-type]
                        width=Inches(0.8))
        return
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    for i, line in enumerate(text.split("\n")):
        if i:
            paragraph = cell.add_paragraph()  # type: ignore[attr-defined]
        run = paragraph.add_run(line)
        run.font.size = Pt(8)
        run.bold = header
        run.italic = line.startswith("“")


def _add_docx_table(document: object, block: Table) -> None:
    from docx.shared import Pt

    if block.title:
        title = document.add_paragraph()  # type: ignore[attr-defined]
        title.add_run(block.title).bold = True
    frame = block.frame
    lo, hi = _trajectory_bounds(frame)
    table = document.add_table(rows=1, cols=len(frame.columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    header = table.rows[0]
    _set_repeat_header(header)
    for cell, name in zip(header.cells, frame.columns, strict=True):
        _docx_cell(cell, str(name), lo, hi, header=True)
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _docx_cell(cell, value, lo, hi)
    for note in block.notes:
        paragraph = document.add_paragraph()  # type: ignore[attr-defined]
        run = paragraph.add_run(note)
        run.italic = True
        run.font.size = Pt(8)


def render_docx(document: Document, *, author: str = "mixedwai") -> bytes:
    """A whole document as Word (.docx) bytes; deterministic for a given document."""
    import docx
    from docx.shared import Inches

    word = docx.Document()
    props = word.core_properties
    fixed = datetime.datetime(*_FIXED_DATE)
    props.title, props.author, props.last_modified_by = document.title, author, author
    props.created = props.modified = props.last_printed = fixed
    props.revision = 1
    word.add_heading(document.title, level=0)
    blocks = document.blocks
    for i, block in enumerate(blocks):
        _new_section(word, _landscape_for(blocks, i, _is_landscape(word)))
        if isinstance(block, Heading):
            word.add_heading(block.text, level=min(9, block.level))
        elif isinstance(block, Paragraph):
            word.add_paragraph().add_run(block.text).italic = block.italic
        elif isinstance(block, Bullets):
            for item in block.items:
                _add_quoted_runs(word.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            _add_docx_table(word, block)
        elif isinstance(block, Figure):
            word.add_picture(io.BytesIO(block.png), width=Inches(block.width_inches))
            word.add_paragraph().add_run(block.caption).italic = True
    buffer = io.BytesIO()
    word.save(buffer)
    return _fix_zip_times(buffer.getvalue())


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


# ----------------------------------------------------------------------------- XLSX
def to_xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Several DataFrames as one Excel workbook (sheet names cut to 31 characters)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            clean = frame.map(lambda v: " → ".join(f"{x:.2f}" for x in v)
                              if _is_trajectory(v) else v)
            clean.to_excel(writer, sheet_name=name[:31], index=False)
        fixed = datetime.datetime(*_FIXED_DATE)
        writer.book.properties.created = writer.book.properties.modified = fixed
    return _fix_zip_times(buffer.getvalue())


def display_csv_frames(display: JointDisplay) -> dict[str, pd.DataFrame]:
    """The display's text table (trajectories as ``a;b;c``) and its numbers."""
    table = display.table.map(
        lambda v: ";".join(f"{x:.4g}" for x in v) if _is_trajectory(v) else v
    )
    data = display.data
    if not (isinstance(data.index, pd.RangeIndex) and data.index.name is None):
        data = data.reset_index()
    return {display.key: table, f"{display.key}_data": data}
