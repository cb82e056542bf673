"""Reading the quantitative tables: WAI ratings per session, and one row per case.

Two tables feed the quantitative strand. ``sessions`` is long: one row per (case,
session) with the item responses (or a ready global score). ``cases`` has one row per
case: the outcome (job obtained or not), the days to that outcome and any client
attributes (diagnosis, benefits, time out of work, age ...). Both may be CSV (any
delimiter, UTF-8 with or without BOM, or Windows-1252), XLSX or SPSS ``.sav`` files, or
DataFrames already in memory. Case ids are brought to one spelling
(:func:`mixedwai.ids.canonical_case_id`) so that both strands link.

The case table is read by :mod:`mixedwai.quant.data.cases` and the shared helpers are in
:mod:`mixedwai.quant.data.table`; this module reads sessions.

Examples
--------
>>> import pandas as pd
>>> raw = pd.DataFrame({"Case": ["es5-c02", "ES#5_C2"], "session": ["1", "2"],
...                     "wai": [5.5, 6.0]})
>>> read_sessions(raw, case_col="Case")
  case_id es_id  session  wai
0  ES5_C2   ES5        1  5.5
1  ES5_C2   ES5        2  6.0
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from mixedwai._validation import MAX_LISTED, row_number, source_name
from mixedwai.errors import ColumnError, DataValueError
from mixedwai.limits import limit, limit_hint

# Also imported from here by scoring.py and trajectories.py.
from mixedwai.quant.data.table import (
    _blank,
    _canonical_es_column,
    _canonical_ids,
    _find_column,
    _frame_of,
    _plain_numbers,
    _Problems,
    _require,
    _show,
    _to_numbers,
    _warn_es_mismatch,
    written_ids,
)
from mixedwai.quant.instruments.loading import load_instrument
from mixedwai.quant.instruments.model import Instrument

__all__ = ["read_sessions"]


# -- sessions ----------------------------------------------------------------------------


def read_sessions(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    case_col: str = "case_id",
    session_col: str = "session",
    es_col: str = "es_id",
    item_columns: Mapping[int, str] | None = None,
    score_col: str | None = None,
    instrument: str | os.PathLike[str] | Instrument = "wai-s-es",
    max_session: int | None = None,
) -> pd.DataFrame:
    """Read WAI ratings, one row per (case, session), into the standard long form.

    Parameters
    ----------
    source : path or DataFrame
        A CSV/TSV (any delimiter, UTF-8 with or without BOM, Windows-1252), XLSX or
        SPSS ``.sav`` file, or a DataFrame.
    case_col, session_col, es_col : str
        Columns holding the case id, the session number and (optional) the ES id.
        Names are matched exactly, else ignoring case, blanks and ``_``.
    item_columns : mapping of int to str, optional
        Item number -> column in ``source`` (e.g. ``{1: "Q1", 2: "Q2", ...}``).
        By default the instrument's names (``wai_1`` ... ``wai_12``), matched
        ignoring case, separators and leading zeros (``WAI_01`` and ``wai1`` match).
    score_col : str, optional
        A ready global score, used when the item columns are absent (default:
        the instrument's ``score_name``, ``"wai"`` for the WAI forms).
    instrument : str, path or Instrument, default="wai-s-es"
        Gives the item numbers and default column names.
    max_session : int, optional
        Largest session number accepted (in absolute value); by default the limit
        :data:`mixedwai.limits.MAX_SESSION` (10000).

    Returns
    -------
    pandas.DataFrame
        One row per input row, in the input order (so row ``i`` is spreadsheet row
        ``i + 2`` in messages), with columns:

        - ``case_id`` : canonical case id (``"ES#5_C02"`` -> ``"ES5_C2"``).
        - ``es_id`` : the ES id; ``"ES<n>"`` when the given value looks like one
          (``"es 5"``, ``"ES#05"``), other given values as written, else derived
          from the case id, else missing.
        - ``session`` : session number (int).
        - either the item columns renamed to the instrument's names (``wai_1`` ...),
          numbers parsed, and text that is not a number, or that holds a comma
          (``"4,5"``: a decimal comma, or two answers), kept as text, not
          range-checked (:func:`~mixedwai.quant.instruments.scoring.score_wai` checks them); or
          ``wai`` (the instrument's ``score_name``), the ready score (decimal
          comma accepted).
        - every other column of the input, unchanged, after these.

        ``frame.attrs["source"]`` holds the file name, ``frame.attrs["case_ids"]``
        each canonical case id with its spelling in the file (first row seen).

    Warns
    -----
    EsIdMismatchWarning
        An ES id that contradicts the ES named in the case id (``ES#3_C1`` with
        ``es_id`` ES5); every such row is listed and the ES id is kept as given.

    Raises
    ------
    ColumnError
        A required column (case, session, items or score) is missing; the message
        names the file and lists the columns found.
    DataValueError
        A case id is blank, or a session number is missing, not a whole number or
        beyond ``max_session`` (a date typed as a session);
        every offending row is listed (spreadsheet row, case, value), both kinds
        in one message when both occur.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"case_id": ["ES3_C1"], "session": [1],
    ...                     **{f"WAI_{i:02d}": [6] for i in range(1, 13)}})
    >>> list(read_sessions(raw).columns)[:5]
    ['case_id', 'es_id', 'session', 'wai_1', 'wai_2']
    """
    return _read_sessions(source, case_col=case_col, session_col=session_col, es_col=es_col,
                          item_columns=item_columns, score_col=score_col, instrument=instrument,
                          max_session=max_session)


def _read_sessions(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    case_col: str = "case_id",
    session_col: str = "session",
    es_col: str = "es_id",
    item_columns: Mapping[int, str] | None = None,
    score_col: str | None = None,
    instrument: str | os.PathLike[str] | Instrument = "wai-s-es",
    problems: _Problems | None = None,
    max_session: int | None = None,
) -> pd.DataFrame:
    """:func:`read_sessions`; given ``problems``, the row problems are added to it, not raised.

    Then a blank case id stays missing and a bad session number is NaN (the
    ``session`` column is float) so that the caller can go on checking the
    other columns and raise every problem at once.
    """
    inst = load_instrument(instrument)
    # ids keep their text; the ratings may be read as numbers (a fraction of the memory)
    frame = _frame_of(source, text_columns=[case_col, es_col]).reset_index(drop=True)
    src = source_name(frame)
    cols = _require(frame, {"case": case_col, "session": session_col})

    # items, else a ready score
    wanted = dict(item_columns) if item_columns is not None else inst.columns
    unknown = [i for i in wanted if i not in set(inst.items)]
    if unknown:
        raise ColumnError(
            f"item_columns names item(s) {', '.join(map(str, unknown))} that instrument "
            f"{inst.id!r} does not have; its items are {', '.join(map(str, inst.items))}"
        )
    found = {item: _find_column(frame, name) for item, name in wanted.items()}
    present = {item: col for item, col in found.items() if col is not None}
    score_col = inst.score_name if score_col is None else score_col
    score_column = _find_column(frame, score_col)
    mode = "items"
    if len(present) < len(inst.items):
        if not present and item_columns is None and score_column is not None:
            mode = "score"
        else:
            missing_items = [i for i in inst.items if found.get(i) is None]
            names = ", ".join(repr(wanted.get(i, inst.columns[i])) for i in missing_items)
            columns = ", ".join(repr(str(c)) for c in frame.columns) or "(none)"
            raise ColumnError(
                f"{src}: missing item column(s) {names} of instrument {inst.id!r}; "
                f"found columns: {columns}. Pass item_columns={{item number: column}} "
                f"to name them, or give a ready {score_col!r} column instead of items"
            )

    found_problems = _Problems(src) if problems is None else problems
    case_ids = _canonical_ids(frame[cols["case"]])
    _blank_case_problems(case_ids, src, cols["case"], found_problems)
    sessions = _parse_sessions(frame[cols["session"]], case_ids, src, cols["session"],
                               problems=found_problems, max_session=max_session)
    if problems is None:
        found_problems.raise_if_any()

    es_column = _find_column(frame, es_col)
    es_ids = _canonical_es_column(frame[es_column] if es_column is not None else None,
                                  case_ids)
    if es_column is not None:
        _warn_es_mismatch(frame[es_column], case_ids, src, es_column, stacklevel=4)

    out = pd.DataFrame(
        {"case_id": case_ids.astype(object), "es_id": pd.Series(es_ids, dtype=object),
         "session": sessions}
    )
    used = {cols["case"], cols["session"]} | ({es_column} if es_column else set())
    if mode == "items":
        for item in inst.items:
            column = present[item]
            plain = _plain_numbers(frame[column])
            if plain is not None:  # a column of plain numbers: nothing to check cell by cell
                out[inst.columns[item]] = plain
                used.add(column)
                continue
            numbers, bad = _to_numbers(frame[column])
            bad = bad | _with_comma(frame[column])  # "4,5": score_wai decides what it is
            if bad.any():
                values = numbers.astype(object)
                values[bad] = frame[column][bad]
                out[inst.columns[item]] = values
            else:
                out[inst.columns[item]] = numbers
            used.add(column)
    else:
        numbers, bad = _to_numbers(frame[score_column])
        if bad.any():
            values = numbers.astype(object)
            values[bad] = frame[score_column][bad]
            out[inst.score_name] = values
        else:
            out[inst.score_name] = numbers
        used.add(score_column)
    for column in frame.columns:
        if column not in used and column not in out.columns:
            out[column] = frame[column].to_numpy()
    out.attrs["source"] = src
    out.attrs["case_ids"] = written_ids(frame[cols["case"]], case_ids)
    return out


def _with_comma(values: pd.Series) -> pd.Series:
    """Text cells holding a comma (``"4,5"``: a decimal comma, or two answers?)."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return pd.Series(False, index=values.index)
    try:  # vectorised when the cells are text (or missing)
        return values.str.contains(",", regex=False, na=False).astype(bool)
    except AttributeError:  # other objects mixed in
        return values.map(lambda v: isinstance(v, str) and "," in v).astype(bool)


def _blank_case_problems(case_ids: pd.Series, src: str, column: str,
                         problems: _Problems) -> None:
    """Add a problem for every blank case id."""
    blank = np.flatnonzero(case_ids.isna().to_numpy())
    problems.add(DataValueError, f"{src}: every row needs a case id",
                 [f"{src} row {row_number(p)}: {column} is blank" for p in blank[:MAX_LISTED]],
                 total=len(blank))


def _parse_sessions(
    values: pd.Series, case_ids: pd.Series, src: str, column: str,
    problems: _Problems | None = None, max_session: int | None = None,
) -> pd.Series:
    """Session numbers as int64; bad ones raise, or with ``problems`` are added and left NaN.

    A session number must be whole and at most ``max_session`` (default: the limit
    ``MAX_SESSION``) in absolute value. The bound is checked before any cast:
    99999999999999999999 would wrap around int64, and the case x time matrix spans the
    session numbers, so a date typed as a session (20210504) would take gigabytes.
    """
    numbers, bad_text = _to_numbers(values)
    arr = numbers.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.isnan(arr) | (np.mod(arr, 1) != 0)
    largest = limit("MAX_SESSION") if max_session is None else int(max_session)
    with np.errstate(invalid="ignore"):
        too_large = ~bad & (np.abs(arr) > largest)
    found = _Problems(src) if problems is None else problems
    if bad.any():
        positions = np.flatnonzero(bad)
        lines = []
        for pos in positions[:MAX_LISTED]:
            raw = values.iloc[pos]
            shown = "blank" if _blank(raw) else f"{_show(raw)} is not a whole number"
            case = case_ids.iloc[pos]
            where = "" if _blank(case) else f" (case {case})"
            lines.append(f"{src} row {row_number(pos)}{where}: "
                         f"{column} {'is ' if _blank(raw) else '= '}{shown}")
        found.add(DataValueError, f"{src}: session numbers must be whole numbers such as 1, 2, 3",
                  lines, total=len(positions))
    if too_large.any():
        positions = np.flatnonzero(too_large)
        lines = []
        for pos in positions[:MAX_LISTED]:
            case = case_ids.iloc[pos]
            where = "" if _blank(case) else f" (case {case})"
            lines.append(f"{src} row {row_number(pos)}{where}: "
                         f"{column} = {_show(values.iloc[pos])} is beyond {largest}")
        found.add(DataValueError,
                  f"{src}: session numbers must lie between -{largest} and {largest} "
                  f"(a date or an id typed as a session?); "
                  f"{limit_hint('MAX_SESSION', parameter='max_session=')}",
                  lines, total=len(positions))
    if problems is None:
        found.raise_if_any()
    if bad.any() or too_large.any():
        arr = arr.copy()
        arr[bad | too_large] = np.nan
        return pd.Series(arr, index=values.index)
    return pd.Series(arr.astype(np.int64), index=values.index)
