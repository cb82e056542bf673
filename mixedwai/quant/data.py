"""Reading the quantitative tables: WAI ratings per session, and one row per case.

Two tables feed the quantitative strand. ``sessions`` is long: one row per (case,
session) with the item responses (or a ready global score). ``cases`` has one row per
case: the outcome (job obtained or not), the days to that outcome and any client
attributes (diagnosis, benefits, time out of work, age ...). Both may be CSV (any
delimiter, UTF-8 with or without BOM, or Windows-1252), XLSX or SPSS ``.sav`` files, or
DataFrames already in memory. Case ids are brought to one spelling
(:func:`mixedwai.ids.canonical_case_id`) so that both strands link.

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
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import MAX_LISTED, row_number, source_name
from mixedwai.errors import (
    ColumnError,
    DataValueError,
    DuplicateRowError,
    MixedWAIError,
    OutcomeValueError,
)
from mixedwai.ids import canonical_case_id, es_id_of
from mixedwai.quant.instruments import Instrument, load_instrument

__all__ = ["OUTCOME_SPELLINGS", "parse_outcome", "read_cases", "read_sessions"]

#: Accepted outcome spellings (compared case-insensitively, blanks removed).
OUTCOME_SPELLINGS: dict[str, bool] = {
    "1": True, "0": False, "1.0": True, "0.0": False,
    "yes": True, "no": False, "y": True, "n": False,
    "true": True, "false": False, "t": True, "f": False,
    "oui": True, "non": False, "o": True,
    "vrai": True, "faux": False,
}
_EXPECTED_OUTCOME = "1/0, yes/no, true/false, oui/non, y/n, o/n, vrai/faux (blank = missing)"
_CANONICAL = r"ES(?:0|[1-9][0-9]*)_C(?:0|[1-9][0-9]*)"
_ES_PATTERN = re.compile(r"^\s*ES\s*#?\s*[-_ ]?\s*0*(\d+)\s*$", re.IGNORECASE)


# -- shared helpers --------------------------------------------------------------------


def _frame_of(source: str | os.PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    from mixedwai.io import read_table

    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.attrs["source"] = source.attrs.get("source", "input table")
        return frame
    if isinstance(source, (str, os.PathLike)):
        return read_table(source)
    raise DataValueError(
        f"source = {type(source).__name__} is not allowed; expected a file path or a DataFrame"
    )


def _find_column(frame: pd.DataFrame, name: str) -> str | None:
    """``name`` itself, else the one column equal to it ignoring case and blanks."""
    if name in frame.columns:
        return name
    want = _norm(name)
    hits = [c for c in frame.columns if _norm(str(c)) == want]
    return hits[0] if len(hits) == 1 else None


def _norm(name: str) -> str:
    text = re.sub(r"[\s_\-.#]+", "", name.strip().lower())
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", text)  # wai_01 -> wai1


def _require(frame: pd.DataFrame, wanted: Mapping[str, str], *, hint: str = "") -> dict[str, str]:
    """Map each role to the column found for it, or raise ColumnError naming them all."""
    found: dict[str, str] = {}
    missing: list[str] = []
    for role, name in wanted.items():
        column = _find_column(frame, name)
        if column is None:
            missing.append(name)
        else:
            found[role] = column
    if missing:
        columns = ", ".join(repr(str(c)) for c in frame.columns) or "(none)"
        plural = "s" if len(missing) > 1 else ""
        names = ", ".join(repr(m) for m in missing)
        message = f"{source_name(frame)}: missing column{plural} {names}; found columns: {columns}"
        raise ColumnError(message + (f". {hint}" if hint else ""))
    return found


def _raise_listed(
    error: type[MixedWAIError], header: str, problems: Sequence[str], total: int | None = None
) -> None:
    total = len(problems) if total is None else total
    if not total:
        return
    lines = [f"  - {p}" for p in problems[:MAX_LISTED]]
    if total > MAX_LISTED:
        lines.append(f"  ... and {total - MAX_LISTED} more")
    raise error(f"{header} ({total} found):\n" + "\n".join(lines))


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _canonical_ids(values: pd.Series) -> pd.Series:
    """Canonical case ids (mapped once per distinct value); blanks stay missing."""
    present = values[values.notna()]
    uniques = pd.Series(pd.unique(present), dtype=object)
    # fast path: ids already canonical (ES<n>_C<m>, no padding) map to themselves
    done = uniques.map(lambda v: isinstance(v, str)).astype(bool)
    done &= uniques.where(done, "").astype(str).str.fullmatch(_CANONICAL).astype(bool)
    mapping = dict(zip(uniques[done], uniques[done], strict=True))
    for v in uniques[~done]:
        whole = isinstance(v, (float, np.floating)) and float(v).is_integer()
        mapping[v] = canonical_case_id(int(v) if whole else v)
    out = values.map(mapping)
    return out.where(out.fillna("").astype(str).str.len() > 0)


def _canonical_es(value: Any, case_id: Any) -> str | None:
    if not _blank(value):
        text = str(value).strip()
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            text = str(int(value))
        match = _ES_PATTERN.match(text)
        return f"ES{int(match.group(1))}" if match else text
    if isinstance(case_id, str):
        return es_id_of(case_id)
    return None


def _to_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as float (decimal comma accepted) and the mask of non-blank text left over."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(float), pd.Series(False, index=values.index)
    as_text = values.astype(object).where(values.notna())
    cleaned = as_text.map(lambda v: v.strip().replace(",", ".") if isinstance(v, str) else v)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype(float)
    blank = cleaned.map(_blank).astype(bool)
    bad = numbers.isna() & ~blank
    return numbers, bad


# -- sessions ----------------------------------------------------------------------------


def read_sessions(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    case_col: str = "case_id",
    session_col: str = "session",
    es_col: str = "es_id",
    item_columns: Mapping[int, str] | None = None,
    score_col: str = "wai",
    instrument: str | os.PathLike[str] | Instrument = "wai-s-es",
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
    score_col : str, default="wai"
        A ready global score, used when the item columns are absent.
    instrument : str, path or Instrument, default="wai-s-es"
        Gives the item numbers and default column names.

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
          numbers parsed (decimal comma accepted) and text that is not a number kept
          as text, not range-checked (:func:`~mixedwai.quant.scoring.score_wai`
          checks them); or ``wai``, the ready score.
        - every other column of the input, unchanged, after these.

        ``frame.attrs["source"]`` holds the file name.

    Raises
    ------
    ColumnError
        A required column (case, session, items or score) is missing; the message
        names the file and lists the columns found.
    DataValueError
        A case id is blank, or a session number is missing or not a whole number;
        every offending row is listed (spreadsheet row, case, value).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"case_id": ["ES3_C1"], "session": [1],
    ...                     **{f"WAI_{i:02d}": [6] for i in range(1, 13)}})
    >>> list(read_sessions(raw).columns)[:5]
    ['case_id', 'es_id', 'session', 'wai_1', 'wai_2']
    """
    inst = load_instrument(instrument)
    frame = _frame_of(source).reset_index(drop=True)
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

    problems: list[str] = []
    case_ids = _canonical_ids(frame[cols["case"]])
    for pos in np.flatnonzero(case_ids.isna().to_numpy()):
        problems.append(f"{src} row {row_number(pos)}: {cols['case']} is blank")
    _raise_listed(DataValueError, f"{src}: every row needs a case id", problems)

    sessions = _parse_sessions(frame[cols["session"]], case_ids, src, cols["session"])

    es_column = _find_column(frame, es_col)
    es_values = frame[es_column] if es_column is not None else pd.Series(None, index=frame.index)
    es_ids = [_canonical_es(v, c) for v, c in zip(es_values, case_ids, strict=True)]

    out = pd.DataFrame(
        {"case_id": case_ids.astype(object), "es_id": pd.Series(es_ids, dtype=object),
         "session": sessions}
    )
    used = {cols["case"], cols["session"]} | ({es_column} if es_column else set())
    if mode == "items":
        for item in inst.items:
            column = present[item]
            numbers, bad = _to_numbers(frame[column])
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
            out["wai"] = values
        else:
            out["wai"] = numbers
        used.add(score_column)
    for column in frame.columns:
        if column not in used and column not in out.columns:
            out[column] = frame[column].to_numpy()
    out.attrs["source"] = src
    return out


def _parse_sessions(values: pd.Series, case_ids: pd.Series, src: str, column: str) -> pd.Series:
    numbers, bad_text = _to_numbers(values)
    arr = numbers.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.isnan(arr) | (np.mod(arr, 1) != 0)
    if bad.any():
        positions = np.flatnonzero(bad)
        problems = []
        for pos in positions[:MAX_LISTED]:
            raw = values.iloc[pos]
            shown = "blank" if _blank(raw) else f"{_show(raw)} is not a whole number"
            problems.append(f"{src} row {row_number(pos)} (case {case_ids.iloc[pos]}): "
                            f"{column} {'is ' if _blank(raw) else '= '}{shown}")
        _raise_listed(
            DataValueError,
            f"{src}: session numbers must be whole numbers such as 1, 2, 3",
            problems,
            total=len(positions),
        )
    return pd.Series(arr.astype(np.int64), index=values.index)


# -- cases -------------------------------------------------------------------------------


def parse_outcome(
    values: Iterable[Any],
    *,
    column: str = "outcome",
    source: str = "input table",
    case_ids: Sequence[Any] | None = None,
) -> pd.Series:
    """Parse yes/no outcome cells into a nullable boolean Series.

    Parameters
    ----------
    values : iterable
        Cells such as ``1``/``0``, ``"yes"``/``"no"``, ``"true"``/``"false"``,
        ``"oui"``/``"non"``, ``"y"``/``"n"``, ``"o"``/``"n"``, ``"vrai"``/``"faux"``
        (any case, surrounding blanks ignored) or Python booleans.
    column : str, default="outcome"
        Column name, for messages.
    source : str, default="input table"
        File name, for messages.
    case_ids : sequence, optional
        Case id of each value, for messages (default: the Series index when
        ``values`` is a Series with a non-default index).

    Returns
    -------
    pandas.Series
        dtype ``boolean``; blank cells are ``<NA>``. Keeps the index of a Series.

    Raises
    ------
    OutcomeValueError
        Any other value; every offending row is listed with its spreadsheet row
        (position + 2), case, column and value.

    Examples
    --------
    >>> parse_outcome(["Oui", "no", "", 1, "TRUE"], column="job").tolist()
    [True, False, <NA>, True, True]
    >>> parse_outcome(["yes", "maybe"], column="job", source="cases.csv",
    ...               case_ids=["ES3_C1", "ES3_C2"])
    Traceback (most recent call last):
    ...
    mixedwai.errors.OutcomeValueError: cases.csv: job must be a yes/no value (1 found):
      - cases.csv row 3 (case ES3_C2): job = 'maybe' is not one of 1/0, yes/no, ...
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if case_ids is None and isinstance(values, pd.Series) and not isinstance(
        values.index, pd.RangeIndex
    ):
        case_ids = list(values.index)
    parsed: list[Any] = []
    problems: list[str] = []
    for pos, value in enumerate(series.tolist()):
        if isinstance(value, (bool, np.bool_)):
            parsed.append(bool(value))
            continue
        if _blank(value):
            parsed.append(pd.NA)
            continue
        key = _show(value).strip().strip("'").lower() if not isinstance(value, str) else (
            value.strip().lower())
        if key in OUTCOME_SPELLINGS:
            parsed.append(OUTCOME_SPELLINGS[key])
        else:
            parsed.append(pd.NA)
            case = f" (case {case_ids[pos]})" if case_ids is not None else ""
            problems.append(
                f"{source} row {row_number(pos)}{case}: {column} = {_show(value)} is not one "
                f"of {_EXPECTED_OUTCOME}"
            )
    _raise_listed(OutcomeValueError, f"{source}: {column} must be a yes/no value", problems)
    return pd.Series(parsed, index=series.index, dtype="boolean", name=series.name)


def read_cases(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    case_col: str = "case_id",
    outcome: str | None = "job",
    days_col: str | None = "days_to_job",
) -> pd.DataFrame:
    """Read the case table: one row per case, outcome and client attributes.

    Parameters
    ----------
    source : path or DataFrame
        CSV/TSV, XLSX, SPSS ``.sav`` file or DataFrame.
    case_col : str, default="case_id"
        Column of case ids (matched exactly, else ignoring case and separators).
    outcome : str or None, default="job"
        The yes/no outcome column (required unless ``None``), parsed by
        :func:`parse_outcome`.
    days_col : str or None, default="days_to_job"
        Days from the first meeting to the outcome; optional column; blanks
        allowed; must be numbers >= 0 when given.

    Returns
    -------
    pandas.DataFrame
        Indexed by canonical ``case_id`` (input order kept): the ``outcome``
        column as nullable booleans, ``days_col`` as float, every other column
        (diagnosis, benefits, age ...) as read, except that a text column whose
        every non-blank cell is a number (``age`` in a CSV) becomes a float
        column. ``attrs["source"]`` is the file name and ``attrs["outcome"]``
        the outcome column.

    Raises
    ------
    ColumnError
        The case or outcome column is missing (the columns found are listed).
    DataValueError
        Blank case ids, or days that are text or negative (all rows listed).
    OutcomeValueError
        Outcome cells that are not a yes/no spelling (all rows listed).
    DuplicateRowError
        A case id appears on more than one row (all rows listed).

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"case_id": ["ES#3_C1", "es3-c02"], "job": ["oui", "non"],
    ...                     "days_to_job": ["45", ""], "diagnosis": ["anxiety", "mood"]})
    >>> read_cases(raw)
               job  days_to_job diagnosis
    case_id
    ES3_C1    True         45.0   anxiety
    ES3_C2   False          NaN      mood
    """
    frame = _frame_of(source).reset_index(drop=True)
    src = source_name(frame)
    wanted = {"case": case_col} | ({"outcome": outcome} if outcome is not None else {})
    cols = _require(frame, wanted)

    case_ids = _canonical_ids(frame[cols["case"]])
    blank = np.flatnonzero(case_ids.isna().to_numpy())
    _raise_listed(
        DataValueError,
        f"{src}: every row needs a case id",
        [f"{src} row {row_number(p)}: {cols['case']} is blank" for p in blank],
    )
    dup_mask = case_ids.duplicated(keep=False).to_numpy()
    if dup_mask.any():
        groups: dict[str, list[int]] = {}
        for pos in np.flatnonzero(dup_mask):
            groups.setdefault(case_ids.iloc[pos], []).append(row_number(pos))
        problems = [f"{src} rows {', '.join(map(str, rows))}: case {case}"
                    for case, rows in groups.items()]
        _raise_listed(DuplicateRowError, f"{src}: each case must appear on one row only",
                      problems)

    out = frame.drop(columns=[cols["case"]])
    if outcome is not None:
        out[cols["outcome"]] = parse_outcome(
            frame[cols["outcome"]], column=cols["outcome"], source=src,
            case_ids=list(case_ids),
        ).to_numpy()
        out[cols["outcome"]] = out[cols["outcome"]].astype("boolean")
    days_column = _find_column(frame, days_col) if days_col is not None else None
    if days_column is not None:
        numbers, bad = _to_numbers(frame[days_column])
        negative = (numbers < 0).to_numpy()
        problems = []
        for pos in np.flatnonzero(bad.to_numpy() | negative):
            value = frame[days_column].iloc[pos]
            what = "is not a number" if bad.iloc[pos] else "is negative"
            problems.append(f"{src} row {row_number(pos)} (case {case_ids.iloc[pos]}): "
                            f"{days_column} = {_show(value)} {what}")
        _raise_listed(DataValueError,
                      f"{src}: {days_column} must be a number of days >= 0 or blank", problems)
        out[days_column] = numbers.to_numpy()
    skip = {cols.get("outcome"), days_column}
    for column in out.columns:
        if column in skip or pd.api.types.is_numeric_dtype(out[column].dtype):
            continue
        numbers, bad = _to_numbers(out[column])
        if not bad.any() and numbers.notna().any():
            out[column] = numbers.to_numpy()
    out.index = pd.Index(case_ids.astype(object).to_list(), name="case_id", dtype=object)
    out.attrs["source"] = src
    if outcome is not None:
        out.attrs["outcome"] = cols["outcome"]
    return out
