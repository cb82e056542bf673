"""Reading the case table (one row per case) and parsing yes/no outcomes.

See :mod:`mixedwai.quant.data.sessions` for the tables of the quantitative strand.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import MAX_LISTED, check_choice, row_number, source_name
from mixedwai.errors import (
    CellValueWarning,
    DataValueError,
    DuplicateRowError,
    OutcomeValueError,
)
from mixedwai.limits import limit, limit_hint
from mixedwai.quant.data.table import (
    _blank,
    _canonical_ids,
    _find_column,
    _frame_of,
    _Problems,
    _raise_listed,
    _require,
    _show,
    _to_numbers,
    _warn_es_mismatch,
    written_ids,
)

__all__ = ["CATEGORICAL_HINT", "OUTCOME_SPELLINGS", "parse_outcome", "read_cases"]

#: What the yes/no outcome error adds: how to read an outcome of other levels (callers
#: that cannot, such as a whole study, replace it with their own advice).
CATEGORICAL_HINT = (" (an outcome with other levels, such as a treatment arm, is read with "
                    "outcome_type='categorical')")

#: Accepted outcome spellings (compared case-insensitively, blanks removed).
OUTCOME_SPELLINGS: dict[str, bool] = {
    "1": True, "0": False, "1.0": True, "0.0": False,
    "yes": True, "no": False, "y": True, "n": False,
    "true": True, "false": False, "t": True, "f": False,
    "oui": True, "non": False, "o": True,
    "vrai": True, "faux": False,
}
_EXPECTED_OUTCOME = "1/0, yes/no, true/false, oui/non, y/n, o/n, vrai/faux (blank = missing)"


#: Texts that spreadsheets and programs write for a missing value (compared casefolded).
MISSING_SPELLINGS = frozenset({"nan", "na", "n/a", "#n/a", "null", "none", "missing"})


def _read_missing_spellings(values: pd.Series, bad: pd.Series, case_ids: pd.Series, src: str,
                            column: str) -> pd.Series:
    """In a column of numbers, texts that mean "missing" are missing; other text is reported.

    One ``nan`` cell would otherwise make a column of ages a column of categories,
    without a word. Returns the cells still not numbers. Warns (CellValueWarning)
    listing the cells read as missing, or, when real text is left among at least as
    many numbers, the text cells that keep the column as categories.
    """
    spelled = bad & values.map(
        lambda v: isinstance(v, str) and v.strip().casefold() in MISSING_SPELLINGS).astype(bool)
    left = bad & ~spelled
    if left.any():
        n_numbers = int((~bad & values.notna()).sum())
        if n_numbers >= int(left.sum()):
            cells = [f"row {row_number(p)} ({case_ids.iloc[p]}) {_show(values.iloc[p])}"
                     for p in np.flatnonzero(left.to_numpy())[:MAX_LISTED]]
            more = f" and {int(left.sum()) - len(cells)} more" if left.sum() > len(cells) else ""
            warnings.warn(
                f"{src}: column {column!r} holds {n_numbers} numbers but is read as categories "
                f"because of text in {', '.join(cells)}{more}; correct these cells (or blank "
                "them) to analyse it as numbers",
                CellValueWarning, stacklevel=4,
            )
        return bad
    cells = [f"row {row_number(p)} ({case_ids.iloc[p]})"
             for p in np.flatnonzero(spelled.to_numpy())[:MAX_LISTED]]
    more = f" and {int(spelled.sum()) - len(cells)} more" if spelled.sum() > len(cells) else ""
    spellings = sorted({str(v).strip() for v in values[spelled]})
    warnings.warn(
        f"{src}: column {column!r}: {', '.join(map(repr, spellings))} read as a missing value "
        f"in {', '.join(cells)}{more}",
        CellValueWarning, stacklevel=4,
    )
    return left


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
    series, problems = _parse_outcome(values, column=column, source=source, case_ids=case_ids)
    _raise_listed(OutcomeValueError, f"{source}: {column} must be a yes/no value", problems)
    return series


def _parse_outcome(
    values: Iterable[Any], *, column: str, source: str, case_ids: Sequence[Any] | None,
) -> tuple[pd.Series, list[str]]:
    """:func:`parse_outcome` without raising: the parsed Series and the problem lines."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if case_ids is None and isinstance(values, pd.Series) and not isinstance(
        values.index, pd.RangeIndex
    ):
        case_ids = list(values.index)
    # each distinct cell is read once (a million rows hold a handful of spellings)
    codes, uniques = pd.factorize(series.astype(object).reset_index(drop=True),
                                  use_na_sentinel=True)
    read: list[Any] = []
    wrong = np.zeros(len(uniques) + 1, dtype=bool)
    for i, value in enumerate(list(uniques)):
        if isinstance(value, (bool, np.bool_)):
            read.append(bool(value))
            continue
        if _blank(value):
            read.append(pd.NA)
            continue
        key = _show(value).strip().strip("'").lower() if not isinstance(value, str) else (
            value.strip().lower())
        read.append(OUTCOME_SPELLINGS.get(key, pd.NA))
        wrong[i] = key not in OUTCOME_SPELLINGS
    table = np.array([*read, pd.NA], dtype=object)  # code -1 (missing) -> the last entry
    parsed = table[np.where(codes < 0, len(uniques), codes)]
    problems: list[str] = []
    for pos in np.flatnonzero(wrong[np.where(codes < 0, len(uniques), codes)]):
        value = series.iloc[pos]
        known = case_ids is not None and not _blank(case_ids[pos])
        case = f" (case {case_ids[pos]})" if known else ""
        problems.append(
            f"{source} row {row_number(pos)}{case}: {column} = {_show(value)} is not one "
            f"of {_EXPECTED_OUTCOME}"
        )
    return pd.Series(parsed, index=series.index, dtype="boolean", name=series.name), problems


def read_cases(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    case_col: str = "case_id",
    outcome: str | None = "job",
    days_col: str | None = "days_to_job",
    outcome_type: str = "binary",
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
    outcome_type : {"binary", "categorical"}, default="binary"
        ``"binary"``: the outcome is yes/no, parsed by :func:`parse_outcome`.
        ``"categorical"``: any levels (a treatment arm, a three-level
        outcome): a pandas ``Categorical`` of the cells as text, blanks
        missing, its categories in order of value when every level is a
        number, else of first appearance.

    Returns
    -------
    pandas.DataFrame
        Indexed by canonical ``case_id`` (input order kept): the ``outcome``
        column as nullable booleans, ``days_col`` as float, every other column
        (diagnosis, benefits, age ...) as read, except that a text column whose
        every non-blank cell is a number (``age`` in a CSV) becomes a float
        column; in such a column, texts meaning "missing" (:data:`MISSING_SPELLINGS`:
        ``nan``, ``NA``, ``#N/A`` ...) are read as missing. ``attrs["source"]`` is
        the file name, ``attrs["outcome"]`` the outcome column and ``attrs["case_ids"]``
        each canonical id with its spelling in the file.

    Warns
    -----
    EsIdMismatchWarning
        An ``es_id`` column whose ES contradicts the case id (every row listed;
        the column is kept as read).
    CellValueWarning
        Cells of a column of numbers read as missing (``nan``), or text cells that
        keep a column of mostly numbers as categories (every cell listed).

    Raises
    ------
    ColumnError
        The case or outcome column is missing (the columns found are listed).
    DataValueError
        Blank case ids, or days that are text, negative, infinite or more than
        the limit ``MAX_DAYS`` (all rows listed).
        When the table has problems of several kinds, one ``DataValueError``
        lists them all, grouped by kind.
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
    check_choice("outcome_type", outcome_type, ["binary", "categorical"])
    # client attributes coded in SPSS (1 = anxiety ...) read as their labels
    frame = _frame_of(source, value_labels=True).reset_index(drop=True)
    src = source_name(frame)
    wanted = {"case": case_col} | ({"outcome": outcome} if outcome is not None else {})
    cols = _require(frame, wanted)

    problems = _Problems(src)  # every kind of problem, raised together
    case_ids = _canonical_ids(frame[cols["case"]])
    blank = np.flatnonzero(case_ids.isna().to_numpy())
    problems.add(
        DataValueError,
        f"{src}: every row needs a case id",
        [f"{src} row {row_number(p)}: {cols['case']} is blank" for p in blank],
    )
    dup_mask = case_ids.duplicated(keep=False).to_numpy() & case_ids.notna().to_numpy()
    if dup_mask.any():
        groups: dict[str, list[int]] = {}
        for pos in np.flatnonzero(dup_mask):
            groups.setdefault(case_ids.iloc[pos], []).append(row_number(pos))
        problems.add(DuplicateRowError, f"{src}: each case must appear on one row only",
                     [f"{src} rows {', '.join(map(str, rows))}: case {case}"
                      for case, rows in groups.items()])

    out = frame.drop(columns=[cols["case"]])
    if outcome is not None and outcome_type == "categorical":
        levels = frame[cols["outcome"]].astype(object)
        levels = levels.where(levels.notna(), None).map(
            lambda v: v.strip() if isinstance(v, str) else _show(v) if v is not None else v)
        levels = levels.where(levels.notna() & (levels != ""))
        out[cols["outcome"]] = pd.Categorical(levels, categories=_level_order(levels))
    elif outcome is not None:
        parsed, lines = _parse_outcome(
            frame[cols["outcome"]], column=cols["outcome"], source=src,
            case_ids=list(case_ids),
        )
        problems.add(OutcomeValueError,
                     f"{src}: {cols['outcome']} must be a yes/no value{CATEGORICAL_HINT}", lines)
        out[cols["outcome"]] = parsed.to_numpy()
        out[cols["outcome"]] = out[cols["outcome"]].astype("boolean")
    days_column = _find_column(frame, days_col) if days_col is not None else None
    if days_column is not None:
        numbers, bad = _to_numbers(frame[days_column])
        negative = (numbers < 0).to_numpy()
        most = limit("MAX_DAYS")
        too_many = (numbers > most).to_numpy()
        lines = []
        for pos in np.flatnonzero(bad.to_numpy() | negative | too_many):
            value = frame[days_column].iloc[pos]
            what = ("is not a number" if bad.iloc[pos] else "is negative" if negative[pos]
                    else f"is more than {most} days ({limit_hint('MAX_DAYS')})")
            case = case_ids.iloc[pos]
            where = "" if _blank(case) else f" (case {case})"
            lines.append(f"{src} row {row_number(pos)}{where}: "
                         f"{days_column} = {_show(value)} {what}")
        problems.add(DataValueError,
                     f"{src}: {days_column} must be a number of days >= 0 or blank "
                     "(a finite number: inf or 1e300 would turn every mean into inf)", lines)
        out[days_column] = numbers.to_numpy()
    problems.raise_if_any()
    es_column = _find_column(frame, "es_id")
    if es_column is not None:
        _warn_es_mismatch(frame[es_column], case_ids, src, es_column)
    skip = {cols.get("outcome"), days_column}
    for column in out.columns:
        if column in skip or pd.api.types.is_numeric_dtype(out[column].dtype):
            continue
        numbers, bad = _to_numbers(out[column])
        if bad.any() and numbers.notna().any():
            bad = _read_missing_spellings(out[column], bad, case_ids, src, column)
        if not bad.any() and numbers.notna().any():
            out[column] = numbers.to_numpy()
    out.index = pd.Index(case_ids.astype(object).to_list(), name="case_id", dtype=object)
    out.attrs["source"] = src
    out.attrs["case_ids"] = written_ids(frame[cols["case"]], case_ids)
    if outcome is not None:
        out.attrs["outcome"] = cols["outcome"]
    return out


def _level_order(levels: pd.Series) -> list[str]:
    """Distinct levels: by value when every one is a number, else by first appearance."""
    distinct = [v for v in pd.unique(levels.dropna())]
    numbers = pd.to_numeric(pd.Series(distinct, dtype=object), errors="coerce")
    if len(distinct) and numbers.notna().all():
        return [distinct[i] for i in np.argsort(numbers.to_numpy(), kind="stable")]
    return distinct
