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
_ES_PATTERN = re.compile(r"^\s*ES\s*#?\s*[-_ ]?\s*0*(\d+)\s*$", re.IGNORECASE)


def _frame_of(
    source: str | os.PathLike[str] | pd.DataFrame, *, value_labels: bool = False
) -> pd.DataFrame:
    """The table itself, or read from a path (SPSS value labels applied when asked)."""
    from mixedwai.io import read_table

    if isinstance(source, pd.DataFrame):
        frame = source.copy()
        frame.attrs["source"] = source.attrs.get("source", "input table")
        return frame
    if isinstance(source, (str, os.PathLike)):
        return read_table(source, value_labels=value_labels)
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
    done = uniques.map(lambda v: isinstance(v, str)).astype(bool)
    done &= uniques.where(done, "").astype(str).str.fullmatch(_CANONICAL).astype(bool)
    mapping = dict(zip(uniques[done], uniques[done], strict=True))
    for v in uniques[~done]:
        whole = isinstance(v, (float, np.floating)) and float(v).is_integer()
        mapping[v] = canonical_case_id(int(v) if whole else v)
    out = values.map(mapping)
    return out.where(out.fillna("").astype(str).str.len() > 0)


def written_ids(values: pd.Series, canonical: pd.Series) -> dict[str, str]:
    """Each canonical case id with the spelling its input first gave it (``ES#3_C1``).

    Tables written one row per input row (clusters, scores, exclusions) use it to
    give the ids back as the user wrote them, so they join to the user's table.

    Examples
    --------
    >>> written_ids(pd.Series(["ES#3_C1", "ES#3_C1", 7.0]), pd.Series(["ES3_C1", "ES3_C1", "7"]))
    {'ES3_C1': 'ES#3_C1', '7': '7'}
    """
    out: dict[str, str] = {}
    for raw, canon in zip(values, canonical, strict=True):
        if canon is None or _blank(canon) or canon in out:
            continue
        whole = isinstance(raw, (float, np.floating)) and float(raw).is_integer()
        out[str(canon)] = str(int(raw) if whole else raw).strip()
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


def _warn_es_mismatch(
    given: pd.Series, case_ids: pd.Series, src: str, column: str, *, stacklevel: int = 3
) -> None:
    """Warn, listing every row, when a given ES id contradicts the ES in the case id.

    ``given`` holds the ES ids as written (blank = none given). Only ids that both
    name an ES (``ES5``, ``es 5``, ``ES#05``; ``ES3_C1``) are compared; the data
    are kept as given.
    """
    lines: list[str] = []
    for pos, (value, case) in enumerate(zip(given, case_ids, strict=True)):
        if _blank(value) or not isinstance(case, str):
            continue
        from_case = es_id_of(case)
        es = _canonical_es(value, case)
        if from_case is None or es is None or not _ES_PATTERN.match(es) or es == from_case:
            continue
        lines.append(f"{src} row {row_number(pos)} (case {case}): {column} = {_show(value)} "
                     f"but the case id names {from_case}")
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
    as_text = values.astype(object).where(values.notna())
    cleaned = as_text.map(lambda v: v.strip().replace(",", ".") if isinstance(v, str) else v)
    is_bool = cleaned.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool)
    numbers = pd.to_numeric(cleaned.mask(is_bool), errors="coerce").astype(float)
    numbers = numbers.mask(np.isinf(numbers.to_numpy()))
    blank = cleaned.map(_blank).astype(bool) & ~is_bool
    bad = numbers.isna() & ~blank
    return numbers, bad
