"""Word (.docx) rendering in the style journals ask for (APA-like), with python-docx.

- Tables: horizontal rules only (above and below the table, under the header),
  columns sized to their content (a heading word is never broken), header rows
  repeated on every page, rows never split across pages, a real Word caption
  ("Table n", a SEQ field) kept with its table, notes under it.
- The document: a table of contents (a TOC field, filled with the headings so it
  reads even before Word updates it), page numbers in the footer, figures with
  alt text and a numbered caption kept with them.
- Orientation: decided once per top-level section (landscape when one of its
  tables needs it), so the page turns at most once per section.

Outputs are deterministic: the same document gives the same bytes.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Sequence

import pandas as pd

from mixedwai.joint.render.document import (
    Bullets,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
    xml_safe,
)
from mixedwai.joint.render.formats import (
    _FIXED_DATE,
    _fix_zip_times,
    _is_trajectory,
    _trajectory_bounds,
    is_numeric_text,
    sparkline_png,
)

__all__ = ["column_widths", "render_docx", "text_width_points"]

_FONT = "Arial"  # metric-compatible fonts everywhere (Liberation Sans, Arimo)
_TABLE_PT = 9.0
_MAX_PROPERTY = 255  # characters in a Word document property (title, author)
_CELL_PAD_PT = 14.0  # left + right cell margins (0.08 in each) and a little slack
_SPARK_PT = 62.0
_MAX_TEXT_PT = 230.0
_SHORT_PT = 95.0  # columns narrower than this are not squeezed while wider ones can give

# Helvetica/Arial advance widths (1/1000 em) of printable ASCII, from the Adobe AFM files.
_WIDTHS = dict(zip(
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~",
    (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
     556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015,
     667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778,
     722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333,
     556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556,
     333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584), strict=True))


def text_width_points(text: str, size: float = _TABLE_PT, *, bold: bool = False) -> float:
    """Width of ``text`` set in Arial at ``size`` points (bold counted 15 % wider, to be safe).

    Characters outside ASCII count as a wide letter, so widths err on the safe side.

    Examples
    --------
    >>> round(text_width_points("n (%)", 10), 1)
    24.4
    """
    units = sum(_WIDTHS.get(ch, 667 if not ch.isspace() else 278) for ch in text)
    return units * size / 1000 * (1.15 if bold else 1.02)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def column_widths(frame: pd.DataFrame, available: float, size: float = _TABLE_PT) -> list[float]:
    """Column widths in points: each column as wide as its content, within ``available``.

    A column is never narrower than its longest word (heading words in bold), so
    no word breaks; when the natural widths exceed ``available``, the columns
    holding long text give up width first (never below their longest word), and
    short columns (numbers, n (%), names) keep their width while they can.

    Examples
    --------
    >>> frame = pd.DataFrame({"Pattern": ["Stable high (SHA)"], "n (%)": ["5 (27.8)"]})
    >>> [round(w) for w in column_widths(frame, 450)]
    [97, 46]
    """
    return _fit_widths(*_width_bounds(frame, size), available)


def _fit_widths(natural: list[float], minimum: list[float], available: float) -> list[float]:
    """Widths within ``available`` from each column's natural and narrowest width."""
    total = sum(natural)
    if total <= available:
        return natural
    # first only the columns of long text give up width; short columns keep theirs
    wide = [n > _SHORT_PT for n in natural]
    floor = sum(m if w else n for m, n, w in zip(minimum, natural, wide, strict=True))
    if floor < available and any(wide):
        slack = [n - m if w else 0.0 for m, n, w in zip(minimum, natural, wide, strict=True)]
        share = (available - floor) / sum(slack)
        return [m + s * share if w else n
                for m, n, s, w in zip(minimum, natural, slack, wide, strict=True)]
    floor = sum(minimum)
    if floor >= available:  # even the longest words do not fit: keep them whole
        return minimum
    slack = [n - m for n, m in zip(natural, minimum, strict=True)]
    share = (available - floor) / sum(slack)
    return [m + s * share for m, s in zip(minimum, slack, strict=True)]


def column_groups(frame: pd.DataFrame, available: float, size: float = _TABLE_PT
                  ) -> list[list[int]]:
    """The columns of a table too wide for the page, in groups that fit, the first repeated.

    A table whose columns cannot all fit ``available`` points even at their
    narrowest (their longest word) is printed in parts, each holding the first
    column (the row labels) and as many of the next columns as fit; a table that
    fits is one group of every column.

    Examples
    --------
    >>> frame = pd.DataFrame({"Pattern": ["SHA"], **{f"Theme {i}": ["x"] for i in range(3)}})
    >>> column_groups(frame, 500), column_groups(frame, 90)
    ([[0, 1, 2, 3]], [[0, 1], [0, 2], [0, 3]])
    """
    return _column_groups(_width_bounds(frame, size)[1], available)


def _column_groups(minimum: list[float], available: float) -> list[list[int]]:
    """Groups of column positions whose narrowest widths fit ``available``, 0 in each."""
    if sum(minimum) <= available or len(minimum) < 2:
        return [list(range(len(minimum)))]
    groups: list[list[int]] = [[0]]
    used = minimum[0]
    for j in range(1, len(minimum)):
        if len(groups[-1]) > 1 and used + minimum[j] > available:
            groups.append([0])
            used = minimum[0]
        groups[-1].append(j)
        used += minimum[j]
    return groups


def _width_bounds(frame: pd.DataFrame, size: float) -> tuple[list[float], list[float]]:
    """Each column's natural width (its content on one line, within a cap) and its
    narrowest (its longest word), in points with the cell padding."""
    natural, minimum = [], []
    for column in frame.columns:
        head = str(column)
        words = [text_width_points(w, size, bold=True) for w in head.split()] or [0.0]
        line = text_width_points(head, size, bold=True)
        spark = any(_is_trajectory(v) for v in frame[column])
        lines = [ln for v in frame[column] if not _is_trajectory(v)
                 for ln in _cell_text(v).split("\n")]
        first = column == frame.columns[0]  # its group rows are set in bold
        longest = max((text_width_points(ln, size, bold=first) for ln in lines), default=0.0)
        word = max((text_width_points(w, size) for ln in lines for w in ln.split()), default=0.0)
        low = max(max(words), word, _SPARK_PT if spark else 0.0)
        # a heading may wrap between its words (on two lines or so): it widens its column
        # only as far as the cells, or half its own length
        cells = max(longest, _SPARK_PT if spark else 0.0)
        high = max(low, min(max(min(line, max(cells, 0.55 * line)), longest), _MAX_TEXT_PT))
        minimum.append(low + _CELL_PAD_PT)
        natural.append(high + _CELL_PAD_PT)
    return natural, minimum


# ----------------------------------------------------------------------------- XML helpers
def _element(tag: str, **attrs: str) -> object:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _field(paragraph: object, instruction: str, result: str) -> None:
    """A complex field (``PAGE``, ``SEQ Table``, ``TOC``) with a visible result."""
    run = paragraph.add_run()  # type: ignore[attr-defined]
    run._r.append(_element("w:fldChar", fldCharType="begin"))
    instr = paragraph.add_run()  # type: ignore[attr-defined]
    text = _element("w:instrText")
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")  # type: ignore[attr-defined]
    text.text = f" {instruction} "  # type: ignore[attr-defined]
    instr._r.append(text)
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="separate"))  # type: ignore[attr-defined]
    paragraph.add_run(result)  # type: ignore[attr-defined]
    paragraph.add_run()._r.append(_element("w:fldChar", fldCharType="end"))  # type: ignore[attr-defined]


def _row_properties(row: object, *, header: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    tr_pr.append(_element("w:cantSplit", val="true"))
    if header:
        tr_pr.append(_element("w:tblHeader", val="true"))


def _rules(table: object, header_rows: int) -> None:
    """Horizontal rules only: above and below the table, and under the header."""
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = _element("w:tblBorders")
    for side in ("top", "bottom"):
        borders.append(_element(f"w:{side}", val="single", sz="8", space="0", color="000000"))  # type: ignore[attr-defined]
    for side in ("left", "right", "insideH", "insideV"):
        borders.append(_element(f"w:{side}", val="nil"))  # type: ignore[attr-defined]
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    tbl_pr.append(borders)
    for cell in table.rows[header_rows - 1].cells:  # type: ignore[attr-defined]
        tc_pr = cell._tc.get_or_add_tcPr()
        tc_borders = _element("w:tcBorders")
        tc_borders.append(_element("w:bottom", val="single", sz="6", space="0", color="000000"))  # type: ignore[attr-defined]
        tc_pr.append(tc_borders)


def _fixed_widths(table: object, widths: Sequence[float]) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    tbl_pr = table._tbl.tblPr  # type: ignore[attr-defined]
    tbl_pr.append(_element("w:tblLayout", type="fixed"))
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(_element("w:tblW", w=str(round(sum(widths) * 20)), type="dxa"))
    grid = table._tbl.tblGrid  # type: ignore[attr-defined]
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(round(width * 20)))
    for row in table.rows:  # type: ignore[attr-defined]
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Pt(width)


def _numeric_column(values: pd.Series) -> bool:
    texts = [_cell_text(v) for v in values if not _is_trajectory(v)]
    texts = [t for t in texts if t]
    return bool(texts) and all(is_numeric_text(t) for t in texts)


# ----------------------------------------------------------------------------- blocks
def _caption(word: object, kind: str, number: int, title: str) -> None:
    """An APA caption: the bold number ("Table 2", a SEQ field) and the italic title."""
    from docx.shared import Pt

    label = word.add_paragraph(style="Caption")  # type: ignore[attr-defined]
    label.add_run(f"{kind} ").bold = True
    start = len(label.runs)
    _field(label, f"SEQ {kind} \\* ARABIC", str(number))
    for run in label.runs[start:]:
        run.bold = True
    label.paragraph_format.keep_with_next = True
    label.paragraph_format.space_after = 0
    label.paragraph_format.space_before = Pt(12)
    if title:
        name = word.add_paragraph(style="Caption")  # type: ignore[attr-defined]
        name.add_run(title).italic = True
        name.paragraph_format.keep_with_next = True


def _fill_cell(cell: object, value: object, lo: float, hi: float, *, bold: bool = False,
               align: object = None) -> None:
    from docx.shared import Inches, Pt

    paragraph = cell.paragraphs[0]  # type: ignore[attr-defined]
    paragraph.paragraph_format.space_after = 0
    if align is not None:
        paragraph.alignment = align
    if _is_trajectory(value):
        paragraph.add_run().add_picture(
            io.BytesIO(sparkline_png(value, lo, hi)), width=Inches(0.8))  # type: ignore[arg-type]
        return
    for i, line in enumerate(_cell_text(value).split("\n")):
        if i:
            paragraph = cell.add_paragraph()  # type: ignore[attr-defined]
            paragraph.paragraph_format.space_after = 0
        run = paragraph.add_run(line)
        run.font.size = Pt(_TABLE_PT)
        run.font.name = _FONT
        run.bold = bold
        run.italic = line.startswith("“")


def _add_table(word: object, block: Table, number: int, available: float) -> None:
    from docx.shared import Pt

    _caption(word, "Table", number, block.title)
    whole = block.cells()
    lo, hi = _trajectory_bounds(whole)
    natural, minimum = _width_bounds(whole, _TABLE_PT)  # measured once for every part
    groups = _column_groups(minimum, available)
    for part, columns in enumerate(groups, start=1):
        if len(groups) > 1:
            _part_caption(word, number, part, len(groups))
        widths = _fit_widths([natural[j] for j in columns], [minimum[j] for j in columns],
                             available)
        _add_table_part(word, block, whole.iloc[:, columns], widths, lo, hi)
    for note in block.notes:
        paragraph = word.add_paragraph()  # type: ignore[attr-defined]
        paragraph.paragraph_format.space_after = Pt(2)
        text = note
        if text.startswith("Note. "):
            lead = paragraph.add_run("Note.")
            lead.italic = True
            lead.font.size = Pt(_TABLE_PT)
            text = text[len("Note."):]
        run = paragraph.add_run(text)
        run.font.size = Pt(_TABLE_PT)
    if not block.notes:
        word.add_paragraph().paragraph_format.space_after = Pt(2)  # type: ignore[attr-defined]


def _part_caption(word: object, number: int, part: int, parts: int) -> None:
    """"Table 11, part 2 of 3": the columns of a table too wide for one page."""
    from docx.shared import Pt

    label = word.add_paragraph(style="Caption")  # type: ignore[attr-defined]
    label.add_run(f"Table {number}, part {part} of {parts}").italic = True
    label.paragraph_format.keep_with_next = True
    label.paragraph_format.space_after = 0
    label.paragraph_format.space_before = Pt(6 if part > 1 else 0)


def _add_table_part(word: object, block: Table, frame: pd.DataFrame, widths: list[float],
                    lo: float, hi: float) -> None:
    """One Word table: the rows of ``block`` in the columns of ``frame``, ``widths`` wide."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = word.add_table(rows=1, cols=len(frame.columns))  # type: ignore[attr-defined]
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    centred = [j > 0 and _numeric_column(frame.iloc[:, j]) for j in range(len(frame.columns))]
    header = table.rows[0]
    _row_properties(header, header=True)
    for j, (cell, name) in enumerate(zip(header.cells, frame.columns, strict=True)):
        _fill_cell(cell, str(name), lo, hi, bold=True,
                   align=WD_ALIGN_PARAGRAPH.CENTER if centred[j] else None)
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    groups = set(block.group_rows)
    for i, row in enumerate(frame.itertuples(index=False)):
        new = table.add_row()
        _row_properties(new, header=False)
        for j, (cell, value) in enumerate(zip(new.cells, row, strict=True)):
            _fill_cell(cell, value, lo, hi, bold=i in groups and j == 0,
                       align=WD_ALIGN_PARAGRAPH.CENTER if centred[j] else None)
            if i == 0 or i in groups:  # a group heading stays with its first level
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
    _rules(table, 1)
    _fixed_widths(table, widths)


def _add_figure(word: object, block: Figure, number: int, width_inches: float) -> None:
    from docx.shared import Inches

    _caption(word, "Figure", number, block.caption)
    paragraph = word.add_paragraph()  # type: ignore[attr-defined]
    run = paragraph.add_run()
    shape = run.add_picture(io.BytesIO(block.png), width=Inches(width_inches))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", block.alt or block.caption)
    doc_pr.set("title", block.caption)


def _add_quoted_runs(paragraph: object, text: str) -> None:
    """Add ``text`` to a paragraph with every “quoted” passage in italics."""
    for part in re.split(r"(“[^”]*”)", text):
        if part:
            paragraph.add_run(part).italic = part.startswith("“")  # type: ignore[attr-defined]


def _section_orientations(blocks: Sequence[object]) -> list[bool]:
    """Landscape or not for each block: one orientation per top-level section."""
    out = [False] * len(blocks)
    start = 0
    bounds = [i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 1]
    bounds = sorted(set([0, *bounds, len(blocks)]))
    for start, end in zip(bounds, bounds[1:], strict=False):
        wide = any(isinstance(b, Table) and b.landscape for b in blocks[start:end])
        out[start:end] = [wide] * (end - start)
    return out


def _set_orientation(word: object, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    section = word.sections[-1]  # type: ignore[attr-defined]
    if (section.orientation == WD_ORIENT.LANDSCAPE) == landscape:
        return
    if len(word.paragraphs) <= 2 and not word.tables:  # type: ignore[attr-defined]
        new = section  # nothing on the first page yet: turn it
    else:
        new = word.add_section(WD_SECTION.NEW_PAGE)  # type: ignore[attr-defined]
    width, height = new.page_width, new.page_height
    if landscape != (width > height):
        new.page_width, new.page_height = height, width
    new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def _available(word: object) -> float:
    section = word.sections[-1]  # type: ignore[attr-defined]
    return (section.page_width - section.left_margin - section.right_margin) / 12700


def _page_numbers(word: object) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = word.sections[0].footer  # type: ignore[attr-defined]
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(paragraph, "PAGE", "1")


def _contents(word: object, headings: Sequence[Heading]) -> None:
    """A TOC field whose shown result lists the headings (Word refreshes it on opening)."""
    word.add_heading("Contents", level=1)  # type: ignore[attr-defined]
    paragraph = word.add_paragraph()  # type: ignore[attr-defined]
    entries = [("\u2003" * (h.level - 1)) + h.text for h in headings if h.level <= 2]
    _field(paragraph, 'TOC \\o "1-2" \\h \\z \\u', entries[0] if entries else "")
    # the remaining entries are part of the field result, one line each
    end = paragraph.runs[-1]
    for entry in entries[1:]:
        run = paragraph.add_run()
        run._r.append(_element("w:br"))
        end._r.addprevious(run._r)
        text = paragraph.add_run(entry)
        end._r.addprevious(text._r)
    settings = word.settings.element  # type: ignore[attr-defined]
    settings.append(_element("w:updateFields", val="true"))


def render_docx(document: Document, *, author: str = "mixedwai", contents: bool | None = None
                ) -> bytes:
    """A whole document as Word (.docx) bytes; deterministic for a given document.

    Parameters
    ----------
    document : Document
    author : str, default="mixedwai"
    contents : bool, optional
        Add a table of contents (default: when the document has more than three
        top-level headings).

    Examples
    --------
    >>> doc = Document("Demo").heading("Method").paragraph("Ward on direct scores.")
    >>> render_docx(doc)[:2], render_docx(doc) == render_docx(doc)
    (b'PK', True)
    """
    import docx
    from docx.shared import Pt

    document = document.xml_safe()
    author = xml_safe(author)[:_MAX_PROPERTY]
    word = docx.Document()
    props = word.core_properties
    fixed = datetime.datetime(*_FIXED_DATE)
    # Word's document properties hold at most 255 characters (the page title is whole)
    title = document.title if len(document.title) <= _MAX_PROPERTY \
        else document.title[: _MAX_PROPERTY - 1] + "…"
    props.title, props.author, props.last_modified_by = title, author, author
    props.created = props.modified = props.last_printed = fixed
    props.revision = 1
    style = word.styles["Normal"]
    style.font.name = _FONT
    style.font.size = Pt(10.5)
    caption = word.styles["Caption"]
    caption.font.size = Pt(10.5)
    caption.font.color.rgb = None
    caption.font.italic = False
    blocks = document.blocks
    orientation = _section_orientations(blocks)
    _set_orientation(word, orientation[0] if blocks else False)
    word.add_heading(document.title, level=0)
    headings = [b for b in blocks if isinstance(b, Heading)]
    if contents if contents is not None else sum(h.level == 1 for h in headings) > 3:
        _contents(word, headings)
    _page_numbers(word)
    tables = figures = 0
    for i, block in enumerate(blocks):
        _set_orientation(word, orientation[i])
        if isinstance(block, Heading):
            word.add_heading(block.text, level=min(9, block.level)).paragraph_format \
                .keep_with_next = True
        elif isinstance(block, Paragraph):
            word.add_paragraph().add_run(block.text).italic = block.italic
        elif isinstance(block, Bullets):
            for item in block.items:
                _add_quoted_runs(word.add_paragraph(style="List Bullet"), item)
        elif isinstance(block, Table):
            tables += 1
            _add_table(word, block, tables, _available(word))
        elif isinstance(block, Figure):
            figures += 1
            _add_figure(word, block, figures, min(block.width_inches, _available(word) / 72))
    buffer = io.BytesIO()
    word.save(buffer)
    return _fix_zip_times(buffer.getvalue())
