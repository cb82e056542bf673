"""Excel workbooks: every table as real numbers, styled to be read and filtered.

Each table becomes a sheet: its title in the first row, a bold header row that
stays frozen and carries a filter, numbers stored as numbers with a number format
(text that is a number, such as ``"6.67"`` in a display table, is stored as the
number), text wrapped in columns sized to their content, and the table's notes
below it. Text that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) is stored as a string with Excel's quote prefix, so no spreadsheet
evaluates it as a formula. openpyxl writes the file; the bytes are reproducible
(fixed dates and ZIP timestamps).

Examples
--------
>>> import io, openpyxl, pandas as pd
>>> data = workbook_bytes([SheetTable("t", "A table", pd.DataFrame({"x": ["6.67", "=1+1"]}))])
>>> ws = openpyxl.load_workbook(io.BytesIO(data))["t"]
>>> ws["A3"].value, ws["A4"].value, ws["A4"].data_type
(6.67, '=1+1', 's')
"""

from __future__ import annotations

import datetime
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from mixedwai.joint.render.document import Document, Table, xml_safe
from mixedwai.joint.render.formats import _FIXED_DATE, _fix_zip_times, _is_trajectory

__all__ = ["SheetTable", "document_workbook", "frames_workbook", "workbook_bytes"]

_NUMBER = re.compile(r"-?\d+(?:\.(\d+))?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH = 60
_MAX_CELL = 32_767  # characters in one Excel cell


@dataclass(frozen=True)
class SheetTable:
    """One table for a sheet: its name, title, frame, number formats and notes."""

    name: str
    title: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def _cell_value(value: object) -> tuple[object, str | None]:
    """The value to store and its number format (None: general or text)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if value is pd.NA or value is pd.NaT:
        return None, None
    if _is_trajectory(value):
        return " → ".join(f"{x:.2f}" for x in value), None  # type: ignore[attr-defined]
    if isinstance(value, bool):
        return ("yes" if value else "no"), None
    if isinstance(value, int) or (hasattr(value, "dtype") and pd.api.types.is_integer(value)):
        return int(value), "0"  # type: ignore[call-overload]
    if isinstance(value, float) or pd.api.types.is_float(value):
        return float(value), "0.00"  # type: ignore[arg-type]
    text = str(value)
    match = _NUMBER.fullmatch(text.strip())
    if match is not None:
        decimals = len(match.group(1) or "")
        number = float(text) if decimals else int(text)
        return number, "0" if not decimals else "0." + "0" * decimals
    return text, None


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub("_", xml_safe(name).replace("\ufffd", "_")).strip("'") or "table"
    base = base[:31]
    candidate, i = base, 2
    while candidate.lower() in taken:
        suffix = f"_{i}"
        candidate, i = base[: 31 - len(suffix)] + suffix, i + 1
    taken.add(candidate.lower())
    return candidate


def _text_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max((len(line) for line in str(value).split("\n")), default=0)


def workbook_bytes(tables: Sequence[SheetTable], *, contents: bool = False) -> bytes:
    """Write tables to an Excel workbook, one sheet each.

    Parameters
    ----------
    tables : sequence of SheetTable
    contents : bool, default=False
        Start with a ``Contents`` sheet listing every table with a link to it.

    Returns
    -------
    bytes
        The ``.xlsx`` file.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = {"contents"} if contents else set()
    index = book.create_sheet("Contents") if contents else None
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for table in tables:
        ws = book.create_sheet(_sheet_name(table.name, taken))
        frame = table.frame
        if not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None):
            frame = frame.reset_index()
        title = ws.cell(row=1, column=1)
        _store(title, table.title)
        title.font = Font(bold=True, size=12)
        widths = [len(str(c)) for c in frame.columns]
        for j, column in enumerate(frame.columns, start=1):
            cell = ws.cell(row=2, column=j)
            _store(cell, str(column))
            cell.font = bold
            cell.alignment = wrap
        for i, row in enumerate(frame.itertuples(index=False), start=3):
            for j, raw in enumerate(row, start=1):
                value, fmt = _cell_value(raw)
                cell = ws.cell(row=i, column=j)
                if isinstance(value, str):
                    _store(cell, value)
                    cell.alignment = wrap
                else:
                    cell.value = value
                    column_format = table.formats.get(str(frame.columns[j - 1]))
                    if value is not None:
                        cell.number_format = column_format or fmt or "General"
                widths[j - 1] = max(widths[j - 1], _text_width(value))
        last_row = 2 + len(frame)
        if len(frame.columns):
            ws.auto_filter.ref = f"A2:{get_column_letter(len(frame.columns))}{max(last_row, 2)}"
        ws.freeze_panes = "A3"
        for j, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(_MAX_WIDTH, max(6, width + 2))
        for k, note in enumerate(table.notes):
            cell = ws.cell(row=last_row + 2 + k, column=1)
            _store(cell, note)
            cell.font = Font(italic=True)
        if index is not None:
            row = index.max_row + (1 if index.max_row > 1 or index["A1"].value else 0)
            link = index.cell(row=row, column=1)
            _store(link, table.title or ws.title)
            link.hyperlink = f"#'{ws.title}'!A1"
            index.cell(row=row, column=2, value=ws.title)
    if index is not None:
        index.column_dimensions["A"].width = _MAX_WIDTH
        index.column_dimensions["B"].width = 32
    fixed = datetime.datetime(*_FIXED_DATE)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = "mixedwai"
    buffer = io.BytesIO()
    book.save(buffer)
    return _fix_zip_times(buffer.getvalue())


def _store(cell: object, text: str) -> None:
    """Store ``text`` as a string cell; formula-like text gets the quote prefix.

    Characters a worksheet cannot hold are replaced (:func:`xml_safe`), and a text
    longer than Excel's 32,767 characters per cell is cut with a closing ``…``.
    """
    text = xml_safe(text)
    if len(text) > _MAX_CELL:
        text = text[: _MAX_CELL - 1] + "…"
    cell.value = text  # type: ignore[attr-defined]
    if text.startswith(_FORMULA_START):
        cell.data_type = "s"  # type: ignore[attr-defined]
        cell.quotePrefix = True  # type: ignore[attr-defined]


def document_workbook(document: Document) -> bytes:
    """Every table of a document as one workbook (with a contents sheet), numbers as numbers.

    Tables with a numeric ``sheet`` (publication tables) write it; the others
    write their frame, numbers kept as numbers.
    """
    tables = []
    n = 0
    for block in document.blocks:  # _store makes each text safe for the sheet
        if isinstance(block, Table):
            n += 1
            name = block.key or f"table_{n}"
            tables.append(SheetTable(name, block.title, block.numbers(), block.formats,
                                     block.notes))
    return workbook_bytes(tables, contents=True)


def frames_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """Several DataFrames as one workbook, one sheet each, named by their key."""
    return workbook_bytes([SheetTable(name, name, frame) for name, frame in sheets.items()])
