"""The publication table: what a reader sees, and the same numbers as tidy data.

A :class:`PublicationTable` holds two frames built once from the analysis: ``display``,
the text cells a journal shows (``5 (27.8)``, ``6.55 (0.13)``), and ``sheet``, the same
content as real numbers, one column per statistic, with an Excel number format per
column. Renderers print ``display`` (HTML, Word, Markdown) and write ``sheet`` to
spreadsheets, so every output shows the same table without formatting it again.

Examples
--------
>>> import pandas as pd
>>> t = PublicationTable("demo", "Demo", pd.DataFrame({"n (%)": ["5 (27.8)"]}),
...                      pd.DataFrame({"n": [5], "%": [27.78]}), {"%": "0.0"})
>>> t.sheet_formats()
{'n': '0', '%': '0.0'}
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["PublicationTable"]


@dataclass(frozen=True)
class PublicationTable:
    """One table of a report, as text for reading and as numbers for spreadsheets.

    Attributes
    ----------
    key : str
        Short name (file stem, sheet name): ``table_2``.
    title : str
        The caption, without its number (``Alliance patterns: size and mean WAI``).
    display : pandas.DataFrame
        The text cells, in reading order, with the column headings shown.
    sheet : pandas.DataFrame
        The same rows as numbers (counts, percentages, means, SDs, p-values), one
        column per statistic, labels as text.
    formats : dict of str to str
        Excel number format per ``sheet`` column (others: ``0`` for integers,
        ``0.00`` for floats).
    notes : tuple of str
        Lines printed under the table (``Note.`` abbreviations, tests).
    group_rows : tuple of int
        Positions of ``display`` rows that head a group of rows (a variable whose
        levels follow); renderers set them apart.
    landscape : bool
        Whether the table needs a landscape page.

    Examples
    --------
    >>> t = PublicationTable("t", "T", pd.DataFrame({"n": ["5"]}), pd.DataFrame({"n": [5]}))
    >>> t.key, t.sheet_formats()
    ('t', {'n': '0'})
    """

    key: str
    title: str
    display: pd.DataFrame
    sheet: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    group_rows: tuple[int, ...] = ()
    landscape: bool = False

    def sheet_formats(self) -> dict[str, str]:
        """The number format of each numeric ``sheet`` column."""
        out: dict[str, str] = {}
        for column in self.sheet.columns:
            if column in self.formats:
                out[str(column)] = self.formats[column]
            elif pd.api.types.is_bool_dtype(self.sheet[column]):
                continue
            elif pd.api.types.is_integer_dtype(self.sheet[column]):
                out[str(column)] = "0"
            elif pd.api.types.is_float_dtype(self.sheet[column]):
                out[str(column)] = "0.00"
        return out
