"""Levels of client attributes and the case-table helpers the descriptive tables share.

The order of an attribute's levels (numbers understood: ``< 1 year`` before
``1-2 years``), the case table indexed by case id, outcome cells read as
booleans and the order of patterns. Used by :mod:`mixedwai.quant.outcomes.descriptives`
and :mod:`mixedwai.quant.outcomes.crosstab`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mixedwai._validation import raise_problems, source_name
from mixedwai.errors import DataValueError, OptionError

__all__ = ["level_key"]

#: Level shown for cases whose attribute is blank.
MISSING_LEVEL = "missing"
#: Label of the row or column that covers all cases.
TOTAL = "total"



def case_indexed(cases: pd.DataFrame) -> pd.DataFrame:
    """The case table indexed by case id (a ``case_id`` column becomes the index)."""
    if not isinstance(cases, pd.DataFrame):
        raise DataValueError(
            f"cases must be a DataFrame (one row per case); received {type(cases).__name__}"
        )
    if "case_id" in cases.columns:
        cases = cases.set_index("case_id")
    if cases.index.has_duplicates:
        dup = cases.index[cases.index.duplicated()].unique()
        raise_problems(DataValueError, f"{source_name(cases)}: a case appears more than once",
                       [f"case {c}" for c in dup])
    return cases


def as_outcome(values: pd.Series, *, column: str = "outcome", source: str = "input table"
               ) -> pd.Series:
    """Outcome cells as a nullable boolean Series (yes/no spellings parsed)."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    from mixedwai.quant.data.cases import parse_outcome

    return parse_outcome(values, column=column, source=source)


def pattern_order(labels: pd.Series, order: Sequence[object] | None = None) -> list[object]:
    """The order of patterns: ``order``, else categorical order, else sorted."""
    present = pd.unique(labels.dropna())
    if order is not None:
        order = list(order)
        missing = [p for p in present if p not in order]
        if missing:
            raise DataValueError(
                "order does not list the patterns "
                + ", ".join(repr(_plain(p)) for p in missing)
                + f"; order = {[_plain(p) for p in order]!r}"
            )
        return order
    if isinstance(labels.dtype, pd.CategoricalDtype):
        return [c for c in labels.cat.categories if c in set(present)]
    return _sorted(present)


def natural_key(value: object) -> tuple:
    """Sort key putting ``ES3`` before ``ES11`` (digit runs compared as numbers)."""
    if isinstance(value, str):
        parts = re.split(r"(\d+)", value)
        return (1, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p))
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return (0, ((0, float(value), ""),))
    return (2, ((1, 0, str(value)),))


def _sorted(values: Sequence[object]) -> list[object]:
    return sorted(values, key=natural_key)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_BELOW = re.compile(r"^\s*(?:<|≤|less than|fewer than|under|below|up to|moins de)", re.IGNORECASE)
_ABOVE = re.compile(r"^\s*(?:>|≥|more than|over|above|plus de)|\d\s*\+", re.IGNORECASE)


def level_key(level: object) -> tuple | None:
    """Numeric-aware sort key of an attribute level, or ``None`` when it holds no number.

    The key is the first number in the label, then ``-1`` for a label that
    starts with ``<`` (or "less than", "under" ...), ``+1`` for one that starts
    with ``>`` (or "more than", "over" ...) or puts a ``+`` after a number, else
    ``0``; then the label's other numbers. So ``< 1 year``, ``1-2 years``,
    ``2-5 years``, ``> 5 years`` and ``5+ years`` sort in that order.

    Examples
    --------
    >>> labels = ["2-5 years", "> 5 years", "< 1 year", "1-2 years"]
    >>> sorted(labels, key=level_key)
    ['< 1 year', '1-2 years', '2-5 years', '> 5 years']
    >>> level_key("anxiety") is None
    True
    """
    if isinstance(level, (int, float, np.integer, np.floating)) and not isinstance(
        level, (bool, np.bool_)
    ):
        return (float(level), 0, ())
    if not isinstance(level, str):
        return None
    numbers = [float(n.replace(",", ".")) for n in _NUMBER.findall(level)]
    if not numbers:
        return None
    side = -1 if _BELOW.search(level) else 1 if _ABOVE.search(level) else 0
    return (numbers[0], side, tuple(numbers[1:]))


def _levels(
    values: pd.Series,
    order: Sequence[object] | None = None,
    *,
    appearance: pd.Series | None = None,
    name: str = "attribute",
) -> list[object]:
    """Levels of a categorical attribute in their natural order, missing last.

    ``order`` when given (every level present must be in it); else the
    categories of a categorical column; else numeric-aware (:func:`level_key`)
    when every level holds a number; else the order of first appearance in
    ``appearance`` (default: ``values``).
    """
    present = [_plain(v) for v in pd.unique(values.dropna())]
    if order is not None:
        levels = [_plain(v) for v in order]
        unlisted = [v for v in present if v not in levels]
        if unlisted:
            raise DataValueError(
                f"level_order[{name!r}] does not list the level(s) "
                + ", ".join(repr(v) for v in unlisted)
                + f"; it lists {levels!r}"
            )
    elif isinstance(values.dtype, pd.CategoricalDtype):
        levels = [_plain(v) for v in values.cat.categories]
    else:
        keys = [level_key(v) for v in present]
        if all(k is not None for k in keys):
            levels = [v for _, v in sorted(zip(keys, present, strict=True),
                                           key=lambda kv: (kv[0], str(kv[1])))]
        else:
            seen = [_plain(v) for v in pd.unique((appearance if appearance is not None
                                                  else values).dropna())]
            present_set = set(present)  # built once: thousands of levels (ES ids) at scale
            levels = [v for v in seen if v in present_set]
            listed = set(levels)
            levels += [v for v in present if v not in listed]
    if values.isna().any():
        levels.append(MISSING_LEVEL)
    return levels


def _check_level_order(level_order: Mapping[str, Sequence[object]] | None,
                       attributes: Sequence[str]) -> dict[str, Sequence[object]]:
    if level_order is None:
        return {}
    if not isinstance(level_order, Mapping):
        raise OptionError(
            f"level_order must be a mapping attribute -> list of levels; received "
            f"{type(level_order).__name__}"
        )
    unknown = [k for k in level_order if k not in attributes]
    if unknown:
        raise OptionError(
            "level_order names attribute(s) "
            + ", ".join(repr(k) for k in unknown)
            + " that are not described; described: "
            + ", ".join(repr(a) for a in attributes)
        )
    return dict(level_order)


def _filled(values: pd.Series) -> pd.Series:
    """Values with blanks replaced by the missing level (as objects)."""
    filled = values.astype(object).where(values.notna(), MISSING_LEVEL)
    if values.dtype != object:  # numbers and categories come out as Python objects already
        return filled
    codes, uniques = pd.factorize(filled, use_na_sentinel=True)  # _plain once per value
    plain = np.array([_plain(u) for u in uniques.tolist()] + [MISSING_LEVEL], dtype=object)
    return pd.Series(plain[np.where(codes < 0, len(uniques), codes)], index=values.index,
                     name=values.name, dtype=object)


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )
