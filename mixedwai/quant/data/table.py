"""Helpers shared by the readers of the quantitative tables (sessions and cases).

Read a file or copy a DataFrame, find columns ignoring case and separators, parse
cells (numbers with a decimal comma, blanks), bring case and ES ids to one
spelling, and raise one error listing every offending row.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import MAX_LISTED, row_number, source_name
from mixedwai.errors import ColumnError, DataValueError, EsIdMismatchWarning, MixedWAIError
from mixedwai.ids import canonical_case_id, es_id_of

_CANONICAL = r"ES(?:0|[1-9][0-9]*)_C(?:0|[1-9][0-9]*)"
_CANONICAL_RE = re.compile(r"ES(?:0|[1-9][0-9]*)_C(?:0|[1-9][0-9]*)")
_CANONICAL_ES = re.compile(r"(ES(?:0|[1-9][0-9]*))_C(?:0|[1-9][0-9]*)")
_ES_PATTERN = re.compile(r"^\s*ES\s*#?\s*[-_ ]?\s*0*(\d+)\s*$", re.IGNORECASE)


def _frame_of(
    source: str | os.PathLike[str] | pd.DataFrame, *, value_labels: bool = False,
    text_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The table itself, or read from a path (SPSS value labels applied when asked).

    ``text_columns``: names (matched as :func:`_find_column` does) of the columns
    that keep their text when a text file is read; the others may be read as
    numbers by the C parser (default: every column keeps its text).
    """
    from mixedwai.io import read_table

    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.attrs["source"] = source.attrs.get("source", "input table")
        return frame
    if isinstance(source, (str, os.PathLike)):
        keep = None
        if text_columns is not None:
            wanted = {_norm(name) for name in text_columns}
            keep = lambda name: _norm(name) in wanted  # noqa: E731
        return read_table(source, value_labels=value_labels, text_columns=keep)
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
    raise error(f"{header} ({total} found):\n" + _listed(problems, total))


class _Problems:
    """Every problem found in one table, grouped by kind, raised as one error.

    Each kind is added with its error class, a header and its problem lines
    (``add``); ``raise_if_any`` raises nothing when no problem was added, the
    kind's own error when there is one kind (the message is the one
    :func:`_raise_listed` gives), and otherwise one error listing every kind,
    of the most specific class all the kinds share (``DataValueError`` for a
    blank case id beside out-of-scale items).
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.groups: list[tuple[type[MixedWAIError], str, list[str], int]] = []

    def __bool__(self) -> bool:
        return bool(self.groups)

    def add(
        self, error: type[MixedWAIError], header: str, problems: Sequence[str],
        total: int | None = None,
    ) -> None:
        total = len(problems) if total is None else total
        if total:
            self.groups.append((error, header, list(problems), total))

    def raise_if_any(self) -> None:
        if not self.groups:
            return
        if len(self.groups) == 1:
            _raise_listed(*self.groups[0])
        error = _common_error([group[0] for group in self.groups])
        parts = [f"{self.source}: {len(self.groups)} kinds of problems, each listed below"]
        for _, header, problems, total in self.groups:
            parts.append(f"{header} ({total} found):\n" + _listed(problems, total))
        raise error("\n".join(parts))


def _common_error(errors: Sequence[type[MixedWAIError]]) -> type[MixedWAIError]:
    """The most specific MixedWAIError class every one of ``errors`` derives from."""
    for candidate in errors[0].__mro__:
        if (isinstance(candidate, type) and issubclass(candidate, MixedWAIError)
                and all(issubclass(e, candidate) for e in errors)):
            return candidate
    return MixedWAIError  # pragma: no cover - every error derives from it


def _listed(problems: Sequence[str], total: int) -> str:
    lines = [f"  - {p}" for p in problems[:MAX_LISTED]]
    if total > MAX_LISTED:
        lines.append(f"  ... and {total - MAX_LISTED} more")
    return "\n".join(lines)


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
    canonical = _CANONICAL_RE.fullmatch
    mapping: dict[Any, Any] = {}
    all_canonical = True
    for v in uniques.tolist():
        if isinstance(v, str) and canonical(v):
            mapping[v] = v
            continue
        all_canonical = False
        whole = isinstance(v, (float, np.floating)) and float(v).is_integer()
        mapping[v] = canonical_case_id(int(v) if whole else v)
    if all_canonical:  # every id canonical already: kept as is
        return values.astype(object).where(values.notna())
    codes, keys = pd.factorize(values.astype(object), use_na_sentinel=True)
    table = np.array([*(mapping[k] or None for k in keys.tolist()), None], dtype=object)
    out = pd.Series(table[np.where(codes < 0, len(keys), codes)], index=values.index,
                    dtype=object)
    return out.where(out.notna(), None).where(out.notna())


class IdSpellings(dict):  # type: ignore[type-arg]
    """Canonical case id -> the spelling the input gave it, kept in a table's ``attrs``.

    pandas deep-copies ``attrs`` into the result of every operation on a frame;
    a mapping of 100,000 ids copied at each step cost the command line most of
    its time. This mapping is written once and never changed, so a copy of it
    is itself.

    Examples
    --------
    >>> import copy
    >>> ids = IdSpellings({"ES3_C1": "ES#3_C1"})
    >>> copy.deepcopy(ids) is ids, ids["ES3_C1"]
    (True, 'ES#3_C1')
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> IdSpellings:
        return self

    def __copy__(self) -> IdSpellings:
        return self


def written_ids(values: pd.Series, canonical: pd.Series) -> IdSpellings:
    """Each canonical case id with the spelling its input first gave it (``ES#3_C1``).

    Tables written one row per input row (clusters, scores, exclusions) use it to
    give the ids back as the user wrote them, so they join to the user's table.
    Each distinct id is looked at once.

    Examples
    --------
    >>> written_ids(pd.Series(["ES#3_C1", "ES#3_C1", 7.0]), pd.Series(["ES3_C1", "ES3_C1", "7"]))
    {'ES3_C1': 'ES#3_C1', '7': '7'}
    """
    canon = pd.Series(canonical.to_numpy(dtype=object), dtype=object)
    raw = pd.Series(values.to_numpy(dtype=object), dtype=object)
    first = ~canon.duplicated(keep="first").to_numpy()
    out = IdSpellings()
    for value, key in zip(raw[first].tolist(), canon[first].tolist(), strict=True):
        if key is None or _blank(key):
            continue
        whole = isinstance(value, (float, np.floating)) and float(value).is_integer()
        out[str(key)] = str(int(value) if whole else value).strip()
    return out


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


def _canonical_es_column(values: pd.Series | None, case_ids: pd.Series) -> np.ndarray:
    """:func:`_canonical_es` of every row, computed once per distinct ES id and case id."""
    # from the case id: once per distinct case (canonical ids read by one regex)
    case_codes, case_uniques = pd.factorize(case_ids.reset_index(drop=True).astype(object),
                                            use_na_sentinel=True)
    from_case = []
    for case in case_uniques.tolist():
        found = _CANONICAL_ES.fullmatch(case) if isinstance(case, str) else None
        from_case.append(found.group(1) if found else _canonical_es(None, case))
    by_case = np.array([*from_case, None], dtype=object)
    out = by_case[np.where(case_codes < 0, len(case_uniques), case_codes)]
    if values is None:
        return out
    # from the ES column where it is filled: once per distinct value
    es_codes, es_uniques = pd.factorize(pd.Series(values).reset_index(drop=True).astype(object),
                                        use_na_sentinel=True)
    given = [(_canonical_es(v, None), _blank(v)) for v in es_uniques.tolist()]
    by_value = np.array([g for g, _ in given] + [None], dtype=object)
    blank = np.array([b for _, b in given] + [True], dtype=bool)
    index = np.where(es_codes < 0, len(es_uniques), es_codes)
    return np.where(blank[index], out, by_value[index])


def _warn_es_mismatch(
    given: pd.Series, case_ids: pd.Series, src: str, column: str, *, stacklevel: int = 3
) -> None:
    """Warn, listing every row, when a given ES id contradicts the ES in the case id.

    ``given`` holds the ES ids as written (blank = none given). Only ids that both
    name an ES (``ES5``, ``es 5``, ``ES#05``; ``ES3_C1``) are compared; the data
    are kept as given.
    """
    lines: list[str] = []
    given = given.reset_index(drop=True)
    case_ids = case_ids.reset_index(drop=True)
    frame = pd.DataFrame({"value": given.astype(object), "case": case_ids.astype(object)})
    distinct = frame.drop_duplicates()  # the check runs once per distinct (ES id, case) pair
    flagged = set()
    for value, case in zip(distinct["value"], distinct["case"], strict=True):
        if _blank(value) or not isinstance(case, str):
            continue
        from_case = es_id_of(case)
        es = _canonical_es(value, case)
        if from_case is None or es is None or not _ES_PATTERN.match(es) or es == from_case:
            continue
        flagged.add((value, case))
    if not flagged:
        return
    for pos in np.flatnonzero([(v, c) in flagged for v, c in zip(frame["value"], frame["case"],
                                                                 strict=True)]):
        value, case = frame["value"].iat[pos], frame["case"].iat[pos]
        lines.append(f"{src} row {row_number(pos)} (case {case}): {column} = {_show(value)} "
                     f"but the case id names {es_id_of(case)}")
    if not lines:
        return
    shown = [f"  - {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        shown.append(f"  ... and {len(lines) - MAX_LISTED} more")
    warnings.warn(
        f"{src}: {len(lines)} row(s) give an ES id that contradicts the ES of the case id; "
        f"{column} is kept as given (check which one is wrong):\n" + "\n".join(shown),
        EsIdMismatchWarning, stacklevel=stacklevel,
    )


def _to_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers as float (decimal comma accepted) and the mask of non-blank cells left over.

    Booleans (an Excel TRUE, a True in a DataFrame) are not numbers: counted as 1 they
    would score as a rating. Nor are infinities (``inf``, ``1e999``): they are left over,
    NaN in the numbers, so that every caller reports them with the cell.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        bad = values.notna().astype(bool)
        return pd.Series(np.nan, index=values.index, dtype=float), bad
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype(float)
        infinite = pd.Series(np.isinf(numbers.to_numpy()), index=values.index)
        return numbers.mask(infinite), infinite
    plain = _plain_numbers(values)
    if plain is not None:
        return pd.Series(plain, index=values.index), pd.Series(False, index=values.index)
    # each distinct cell read once (a text column of a million rows holds a few values)
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    distinct = pd.Series(uniques, dtype=object)
    is_bool = distinct.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool).to_numpy()
    if is_bool.any():  # True == 1 when hashing: read every cell, not the distinct ones
        codes = np.arange(len(values))
        codes[values.isna().to_numpy()] = -1
        distinct = pd.Series(values.to_numpy(dtype=object), dtype=object)
        is_bool = distinct.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool).to_numpy()
    cleaned = distinct.mask(is_bool).map(
        lambda v: v.strip().replace(",", ".") if isinstance(v, str) else v)
    parsed = pd.to_numeric(cleaned, errors="coerce").astype(float).to_numpy(copy=True)
    parsed[np.isinf(parsed)] = np.nan
    blank = cleaned.map(_blank).astype(bool).to_numpy() & ~is_bool
    wrong = np.isnan(parsed) & ~blank
    index = np.where(codes < 0, len(distinct), codes)
    numbers = np.append(parsed, np.nan)[index]
    bad = np.append(wrong, False)[index]
    return pd.Series(numbers, index=values.index), pd.Series(bad, index=values.index)


_PLAIN_KINDS = frozenset({"empty", "floating", "integer", "mixed-integer-float", "decimal"})


def _plain_numbers(values: pd.Series) -> np.ndarray | None:
    """The cells as floats when every one is a plain number or missing, else None.

    One numpy conversion in C (the common case of a whole column of numbers);
    text (``"4,5"``, ``"abc"``), booleans and infinities give None, and the
    caller reads the distinct cells one by one.
    """
    if pd.api.types.infer_dtype(values, skipna=True) not in _PLAIN_KINDS:
        return None
    try:
        numbers = values.to_numpy(dtype=object, na_value=np.nan).astype(float)
    except (TypeError, ValueError):
        return None
    return None if np.isinf(numbers).any() else numbers
