"""A small document model that every renderer understands.

A report is a list of blocks — headings, paragraphs, bullet lists, tables
(joint displays or plain DataFrames) and figures (PNG bytes) — so that the same
content becomes Markdown, self-contained HTML and Word without each renderer
knowing about the analyses.

Examples
--------
>>> doc = Document("Demo")
>>> doc.heading("Method").paragraph("Ward on direct scores.")
Document(title='Demo', blocks=[...])
>>> [type(b).__name__ for b in doc.blocks]
['Heading', 'Paragraph']
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import pandas as pd

from mixedwai.joint.displays.tables import JointDisplay
from mixedwai.quant.tables.model import PublicationTable

__all__ = ["Bullets", "Document", "Figure", "Heading", "Paragraph", "REPLACEMENT", "Table",
           "xml_safe"]

#: Characters XML 1.0 cannot hold (C0 controls but tab, line feed and carriage return;
#: lone surrogates; U+FFFE and U+FFFF): Word, Excel and the HTML parser refuse them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What replaces them: the Unicode replacement character, visible where it stands.
REPLACEMENT = "\ufffd"


def xml_safe(text: str) -> str:
    """``text`` with every character XML cannot hold replaced by U+FFFD.

    A NUL or an escape character pasted into a transcript, a vertical tab from a
    spreadsheet cell, half of a surrogate pair: Word and Excel refuse the whole
    file for one of them. The report keeps the text and shows where the
    character was.

    Examples
    --------
    >>> xml_safe("a\\x00b\\x0bc\\td")
    'a\ufffdb\ufffdc\\td'
    """
    return _XML_INVALID.sub(REPLACEMENT, text) if _XML_INVALID.search(text) else text


def _safe_value(value: object) -> object:
    return xml_safe(value) if isinstance(value, str) else value


def _safe_frame(frame: pd.DataFrame | None) -> pd.DataFrame | None:
    if frame is None:
        return None
    out = frame.copy()
    out.columns = [_safe_value(c) for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out.isetitem(position, column.map(_safe_value))
    if out.index.dtype == object:
        out.index = out.index.map(_safe_value)
    return out


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    italic: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table: a joint display, a publication table, or a plain DataFrame with a title.

    ``frame`` is what readers see; floats in it are printed with ``digits``
    decimals. ``sheet`` holds the same content as numbers for spreadsheets
    (default: ``frame`` itself), with Excel number ``formats`` by column.
    ``group_rows`` are positions of rows that head a group (a variable whose
    levels follow). ``key`` names the table's sheet.
    """

    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    landscape: bool = False
    key: str = ""
    sheet: pd.DataFrame | None = None
    formats: dict[str, str] = field(default_factory=dict)
    group_rows: tuple[int, ...] = ()
    digits: int = 2

    @classmethod
    def from_display(cls, display: JointDisplay) -> Table:
        return cls(display.title, display.table, tuple(display.notes), display.landscape,
                   key=display.key)

    @classmethod
    def from_publication(cls, table: PublicationTable) -> Table:
        return cls(table.title, table.display, table.notes, table.landscape, key=table.key,
                   sheet=table.sheet, formats=table.sheet_formats(),
                   group_rows=table.group_rows)

    def cells(self) -> pd.DataFrame:
        """The frame as readers see it: floats with ``digits`` decimals, booleans as yes/no,
        missing values blank (trajectories and text kept)."""
        out = self.frame.copy()
        for column in out.columns:
            values = out[column]
            if pd.api.types.is_bool_dtype(values):
                out[column] = values.map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
            elif pd.api.types.is_float_dtype(values):
                out[column] = values.map(
                    lambda v, d=self.digits: "" if pd.isna(v) else f"{v:.{d}f}")
        return out

    def numbers(self) -> pd.DataFrame:
        """The table for a spreadsheet: ``sheet`` when given, else ``frame``."""
        return self.frame if self.sheet is None else self.sheet


@dataclass(frozen=True)
class Figure:
    """A figure: PNG bytes, its caption, and ``alt`` text saying what it shows."""

    caption: str
    png: bytes
    width_inches: float = 6.0
    alt: str = ""


@dataclass
class Document:
    """An ordered list of blocks with a title; methods return ``self`` to chain."""

    title: str
    blocks: list[Heading | Paragraph | Bullets | Table | Figure] = field(default_factory=list)

    def xml_safe(self) -> Document:
        """A copy whose every text (title, blocks, table cells and headings, notes)
        holds only characters XML can hold (see :func:`xml_safe`). The Word renderer
        calls it (its texts reach python-docx in many places); the HTML, Markdown and
        Excel renderers make each text safe where they write it."""
        blocks: list[Heading | Paragraph | Bullets | Table | Figure] = []
        for block in self.blocks:
            if isinstance(block, (Heading, Paragraph)):
                blocks.append(dataclasses.replace(block, text=xml_safe(block.text)))
            elif isinstance(block, Bullets):
                blocks.append(Bullets(tuple(xml_safe(i) for i in block.items)))
            elif isinstance(block, Table):
                blocks.append(dataclasses.replace(
                    block, title=xml_safe(block.title), frame=_safe_frame(block.frame),
                    sheet=_safe_frame(block.sheet), notes=tuple(map(xml_safe, block.notes)),
                    formats={xml_safe(k): v for k, v in block.formats.items()}))
            elif isinstance(block, Figure):
                blocks.append(dataclasses.replace(block, caption=xml_safe(block.caption),
                                                  alt=xml_safe(block.alt)))
            else:
                blocks.append(block)
        return Document(xml_safe(self.title), blocks)

    def heading(self, text: str, level: int = 1) -> Document:
        self.blocks.append(Heading(text, level))
        return self

    def paragraph(self, text: str, *, italic: bool = False) -> Document:
        self.blocks.append(Paragraph(text, italic))
        return self

    def bullets(self, items: list[str]) -> Document:
        if items:
            self.blocks.append(Bullets(tuple(items)))
        return self

    def table(self, table: JointDisplay | PublicationTable | pd.DataFrame, title: str = "",
              notes: tuple[str, ...] = (), *, landscape: bool = False, key: str = "",
              digits: int = 2) -> Document:
        if isinstance(table, JointDisplay):
            self.blocks.append(Table.from_display(table))
        elif isinstance(table, PublicationTable):
            self.blocks.append(Table.from_publication(table))
        else:
            self.blocks.append(Table(title, table, tuple(notes), landscape, key=key,
                                     digits=digits))
        return self

    def figure(self, caption: str, png: bytes, width_inches: float = 6.0, *,
               alt: str = "") -> Document:
        self.blocks.append(Figure(caption, png, width_inches, alt or caption))
        return self

    def __repr__(self) -> str:
        return f"Document(title={self.title!r}, blocks=[...])"
