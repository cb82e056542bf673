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

from dataclasses import dataclass, field

import pandas as pd

from mixedwai.joint.displays.tables import JointDisplay

__all__ = ["Bullets", "Document", "Figure", "Heading", "Paragraph", "Table"]


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
    """A table: a joint display, or a plain DataFrame with a title."""

    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()
    landscape: bool = False

    @classmethod
    def from_display(cls, display: JointDisplay) -> Table:
        return cls(display.title, display.table, tuple(display.notes), display.landscape)


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes
    width_inches: float = 6.0


@dataclass
class Document:
    """An ordered list of blocks with a title; methods return ``self`` to chain."""

    title: str
    blocks: list[Heading | Paragraph | Bullets | Table | Figure] = field(default_factory=list)

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

    def table(self, table: JointDisplay | pd.DataFrame, title: str = "",
              notes: tuple[str, ...] = (), *, landscape: bool = False) -> Document:
        if isinstance(table, JointDisplay):
            self.blocks.append(Table.from_display(table))
        else:
            self.blocks.append(Table(title, table, tuple(notes), landscape))
        return self

    def figure(self, caption: str, png: bytes, width_inches: float = 6.0) -> Document:
        self.blocks.append(Figure(caption, png, width_inches))
        return self

    def __repr__(self) -> str:
        return f"Document(title={self.title!r}, blocks=[...])"
