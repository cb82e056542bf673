"""Descriptive tables of outcomes and client characteristics.

Table 1 of the reference study (outcome rate by client attribute), Table 3
(client characteristics by alliance pattern) and the time to the outcome
(days to job among those who got one). Every function takes the case table
(one row per case, indexed by ``case_id`` as returned by
:func:`mixedwai.quant.data.sessions.read_cases`) and returns a DataFrame.

The level order and the case-table helpers these tables share live in
:mod:`mixedwai.quant.outcomes.levels`.

Examples
--------
>>> import pandas as pd
>>> cases = pd.DataFrame(
...     {"job": [True, False, True, True], "benefits": ["none", "none", "social", "social"],
...      "days_to_job": [40.0, None, 60.0, 80.0]},
...     index=pd.Index(["ES1_C1", "ES1_C2", "ES2_C1", "ES2_C2"], name="case_id"))
>>> outcome_by_attribute(cases, "benefits")
    level  n  n_outcome  pct_outcome  n_missing
0    none  2          1         50.0          0
1  social  2          2        100.0          0
2   total  4          3         75.0          0
>>> time_to_outcome(cases)[["n", "mean", "sd", "median"]]
     n  mean    sd  median
all  3  60.0  20.0    60.0
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from mixedwai._validation import raise_problems, require_columns, source_name
from mixedwai.errors import DataValueError, ExclusionWarning
from mixedwai.limits import limit, limit_hint
from mixedwai.quant.data.table import _canonical_es_column
from mixedwai.quant.outcomes.levels import (
    MISSING_LEVEL,
    TOTAL,
    _check_level_order,
    _filled,
    _is_numeric,
    _levels,
    _plain,
    as_outcome,
    case_indexed,
    pattern_order,
)
from mixedwai.quant.patterns.timepoints import show

__all__ = ["characteristics_by_pattern", "outcome_by_attribute", "time_to_outcome"]


# -- Table 1 ---------------------------------------------------------------------------


def outcome_by_attribute(
    cases: pd.DataFrame,
    attribute: str | Sequence[str],
    *,
    outcome: str = "job",
    level_order: Mapping[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """Outcome rate for each level of a client attribute (the study's Table 1).

    Parameters
    ----------
    cases : pandas.DataFrame
        One row per case (index ``case_id`` or a ``case_id`` column), holding
        the attribute(s) and the outcome. Pass the cases to describe (e.g. the
        clustered ones).
    attribute : str or list of str
        Column(s) to break the outcome down by (diagnosis, benefits ...).
    outcome : str, default="job"
        Yes/no outcome column.
    level_order : mapping of str to list, optional
        Attribute -> its levels in the order wanted (e.g. ``{"benefits":
        ["none", "short-term", "social assistance"]}``); every level present
        must be listed. Other attributes get their natural order (Notes).

    Returns
    -------
    pandas.DataFrame
        One row per level (in their natural order; blank attribute cells form a
        level ``"missing"``, last) and a final ``"total"`` row, columns: ``attribute``
        (only when a list is given), ``level``, ``n`` (cases with a known
        outcome), ``n_outcome`` (those with outcome yes), ``pct_outcome``
        (percent), ``n_missing`` (cases at that level whose outcome is blank,
        left out of ``n``).

    Raises
    ------
    ColumnError
        An attribute or the outcome column is missing.
    OutcomeValueError
        An outcome cell that is not a yes/no value.
    OptionError
        ``level_order`` names an attribute that is not described.
    DataValueError
        ``level_order`` misses a level present in the data.

    Notes
    -----
    Levels come in their natural order: the categories of a pandas
    ``Categorical`` column; else, when every level holds a number, by that
    number (:func:`level_key`: ``< 1 year``, ``1-2 years``, ``2-5 years``,
    ``> 5 years``); else in the order they first appear in ``cases``.

    The reference study reports job rates of 83.3 % (anxiety, 5/6), 60 %
    (mood, 3/5) and 50 % (psychotic, 2/4) among its 18 clustered clients.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"case_id": ["A", "B", "C"], "job": ["yes", "no", None],
    ...                       "sex": ["f", "m", "f"], "dx": ["mood", "mood", None]})
    >>> outcome_by_attribute(cases, ["sex", "dx"])
      attribute    level  n  n_outcome  pct_outcome  n_missing
    0       sex        f  1          1        100.0          1
    1       sex        m  1          0          0.0          0
    2       sex    total  2          1         50.0          1
    3        dx     mood  2          1         50.0          0
    4        dx  missing  0          0          NaN          1
    5        dx    total  2          1         50.0          1
    """
    cases = case_indexed(cases)
    attributes = [attribute] if isinstance(attribute, str) else list(attribute)
    require_columns(cases, [*attributes, outcome])
    orders = _check_level_order(level_order, attributes)
    result = as_outcome(cases[outcome], column=outcome, source=source_name(cases))
    frames = []
    for name in attributes:
        values = cases[name]
        filled = _filled(values)
        rows = []
        for level in [*_levels(values, orders.get(name), name=name), TOTAL]:
            mask = (filled == level).to_numpy() if level != TOTAL else np.ones(len(cases), bool)
            known = result[mask].dropna()
            n = len(known)
            n_yes = int(known.sum())
            rows.append({
                "level": level,
                "n": n,
                "n_outcome": n_yes,
                "pct_outcome": 100 * n_yes / n if n else np.nan,
                "n_missing": int(result[mask].isna().sum()),
            })
        frame = pd.DataFrame(rows)
        if not isinstance(attribute, str):
            frame.insert(0, "attribute", name)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["level"] = out["level"].astype(object)
    return out


# -- Table 3 ---------------------------------------------------------------------------


def characteristics_by_pattern(
    cases: pd.DataFrame,
    labels: pd.Series,
    attributes: Sequence[str],
    *,
    include_es: bool = True,
    categorical: Sequence[str] = (),
    order: Sequence[object] | None = None,
    wide: bool = False,
    level_order: Mapping[str, Sequence[object]] | None = None,
) -> pd.DataFrame:
    """Client characteristics by alliance pattern (the study's Table 3).

    Parameters
    ----------
    cases : pandas.DataFrame
        One row per case (index ``case_id`` or a ``case_id`` column).
    labels : pandas.Series
        Case id -> pattern (or cluster) of the cases to describe; blank labels
        are not allowed.
    attributes : list of str
        Columns of ``cases`` to describe. Numeric columns (age ...) get their
        mean and SD; other columns (diagnosis, sex ...) the count and percent
        of each level.
    include_es : bool, default=True
        Add the distribution of employment specialists first: the ``es_id``
        column if present, else the ES encoded in the case ids (``ES11_C4`` ->
        ``ES11``); skipped when neither exists.
    categorical : list of str, default=()
        Numeric columns to describe by level instead (codes such as 1/2/3).
    order : list, optional
        Order of the patterns (default: categorical order of ``labels``, else
        sorted).
    wide : bool, default=False
        Return the display table instead of the long one.
    level_order : mapping of str to list, optional
        Attribute (or ``"es_id"``) -> its levels in the order wanted; every
        level present must be listed. Other attributes get the natural order
        of :func:`outcome_by_attribute` (categories; numeric-aware when every
        level holds a number; else first appearance in ``cases``).

    Returns
    -------
    pandas.DataFrame
        Long form (default), one row per attribute, level and pattern (plus
        the pattern ``"total"``), columns: ``attribute``, ``level`` (``"mean
        (SD)"`` for numeric attributes; ``"missing"`` for blank cells),
        ``pattern``, ``n`` (cases at that level, or with a value for numeric
        attributes), ``pct`` (percent of the pattern's cases; NaN for numeric
        rows), ``mean``, ``sd`` (ddof=1; NaN for levels).

        Wide form: index (``attribute``, ``level``), one text column per
        pattern and ``total``; a first row ``("n", "")`` with the pattern
        sizes; cells ``"3 (60.0 %)"`` or ``"38.2 (9.1)"``.

        ``attrs["excluded"]`` maps each labelled case left out (not in
        ``cases``) to the reason; it is empty when none was.

    Raises
    ------
    ColumnError
        An attribute is missing from ``cases``.
    DataValueError
        A blank label, or a ``level_order`` that misses a level.
    OptionError
        ``level_order`` names an attribute that is not described.

    Warns
    -----
    ExclusionWarning
        Labelled cases that are not in ``cases`` (left out, and named).

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"age": [30.0, 40.0, 50.0], "sex": ["f", "m", "f"]},
    ...                      index=pd.Index(["ES1_C1", "ES1_C2", "ES2_C1"], name="case_id"))
    >>> labels = pd.Series(["SHA", "SHA", "SLA"], index=cases.index)
    >>> characteristics_by_pattern(cases, labels, ["age", "sex"], wide=True)
                              SHA          SLA        total
    attribute level
    n                           2            1            3
    es_id     ES1     2 (100.0 %)      0 (0.0 %)   2 (66.7 %)
              ES2       0 (0.0 %)  1 (100.0 %)   1 (33.3 %)
    age       mean (SD) 35.0 (7.1)    50.0 (–)  40.0 (10.0)
    sex       f        1 (50.0 %)  1 (100.0 %)   2 (66.7 %)
              m        1 (50.0 %)    0 (0.0 %)   1 (33.3 %)
    """
    cases = case_indexed(cases)
    attributes = list(attributes)
    require_columns(cases, attributes)
    labels, excluded = _checked_labels(labels, cases)
    members = cases.loc[labels.index]
    patterns = pattern_order(labels, order)

    columns: list[tuple[str, pd.Series]] = []
    if include_es and "es_id" not in attributes:
        if "es_id" in members.columns:
            columns.append(("es_id", members["es_id"]))
        else:
            es = pd.Series(_canonical_es_column(None, pd.Series(members.index.astype(str))),
                           index=members.index, dtype=object)  # once per distinct case
            if es.notna().any():
                columns.append(("es_id", es))
    columns += [(name, members[name]) for name in attributes]
    orders = _check_level_order(level_order, [name for name, _ in columns])

    rows: list[dict[str, object]] = []
    groups = [(p, (labels == p).to_numpy()) for p in patterns]
    groups.append((TOTAL, np.ones(len(labels), dtype=bool)))
    sizes = [int(mask.sum()) for _, mask in groups]  # once, not once per level
    for name, values in columns:
        if _is_numeric(values) and name not in categorical:
            for pattern, mask in groups:
                numbers = values[mask].astype(float)
                rows.append({"attribute": name, "level": "mean (SD)", "pattern": pattern,
                             "n": int(numbers.notna().sum()), "pct": np.nan,
                             "mean": numbers.mean(), "sd": numbers.std(ddof=1)})
            if values.isna().any():
                for (pattern, mask), size in zip(groups, sizes, strict=True):
                    rows.append(_level_row(name, MISSING_LEVEL, pattern,
                                           int(values[mask].isna().sum()), size))
            continue
        filled = _filled(values)
        appearance = cases[name] if name in cases.columns else None
        levels = _levels(values, orders.get(name), appearance=appearance, name=name)
        # one count per (level, group), vectorised: no comparison per level and pattern
        level_codes = pd.Index(levels, dtype=object).get_indexer(filled.to_numpy(dtype=object))
        counts = np.stack([np.bincount(level_codes[mask], minlength=len(levels))
                           for _, mask in groups], axis=1)
        for i, level in enumerate(levels):
            for j, (pattern, _) in enumerate(groups):
                rows.append(_level_row(name, level, pattern, int(counts[i, j]), sizes[j]))
    long = pd.DataFrame(rows, columns=["attribute", "level", "pattern", "n", "pct", "mean", "sd"])
    for column in ("attribute", "level", "pattern"):
        long[column] = long[column].astype(object)
    if not wide:
        return _with_excluded(long, excluded)
    return _with_excluded(_widen(long, groups, labels), excluded)


def _level_row(name: str, level: object, pattern: object, n: int, size: int) -> dict[str, object]:
    return {"attribute": name, "level": level, "pattern": pattern, "n": n,
            "pct": 100 * n / size if size else np.nan, "mean": np.nan, "sd": np.nan}


def _widen(long: pd.DataFrame, groups: list[tuple[object, np.ndarray]], labels: pd.Series
           ) -> pd.DataFrame:
    def cell(row: pd.Series) -> str:
        if row["level"] == "mean (SD)":
            if row["n"] == 0:
                return "–"
            sd = "–" if np.isnan(row["sd"]) else f"{row['sd']:.1f}"
            return f"{row['mean']:.1f} ({sd})"
        pct = "–" if np.isnan(row["pct"]) else f"{row['pct']:.1f} %"
        return f"{row['n']} ({pct})"

    text = long.assign(cell=long.apply(cell, axis=1))
    keys = list(dict.fromkeys(zip(text["attribute"], text["level"], strict=True)))
    patterns = [p for p, _ in groups]
    table = pd.DataFrame(index=pd.MultiIndex.from_tuples(keys, names=["attribute", "level"]),
                         columns=patterns, dtype=object)
    for row in text.itertuples(index=False):
        table.loc[(row.attribute, row.level), row.pattern] = row.cell
    sizes = pd.DataFrame([[str(int(mask.sum())) for _, mask in groups]], columns=patterns,
                         index=pd.MultiIndex.from_tuples([("n", "")], names=["attribute", "level"]))
    out = pd.concat([sizes, table])
    out.columns = [str(_plain(c)) for c in out.columns]
    return out


def _checked_labels(labels: pd.Series, cases: pd.DataFrame) -> tuple[pd.Series, dict[str, str]]:
    """The labels of the cases in ``cases``, and the labelled cases left out, with why.

    A labelled case missing from the case table is left out with an
    :class:`~mixedwai.errors.ExclusionWarning` naming it (as a case with a blank
    outcome is left out of the crosstab); a blank label is an error.
    """
    if not isinstance(labels, pd.Series):
        raise DataValueError(
            f"labels must be a Series (case id -> pattern); received {type(labels).__name__}"
        )
    raise_problems(DataValueError, "labels do not match the case table",
                   [f"case {c}: blank pattern label" for c in labels.index[labels.isna()]])
    table = source_name(cases, "the case table")
    missing = ~labels.index.isin(cases.index)
    excluded = {str(c): f"not in {table}" for c in labels.index[missing]}
    if excluded:
        warnings.warn(
            f"{len(excluded)} labelled case(s) not in {table} left out: "
            + ", ".join(excluded),
            ExclusionWarning, stacklevel=3,
        )
    return labels[~missing], excluded


def _with_excluded(frame: pd.DataFrame, excluded: dict[str, str]) -> pd.DataFrame:
    """``frame`` with ``attrs["excluded"]`` (case id -> reason) set."""
    frame.attrs["excluded"] = dict(excluded)
    return frame


# -- time to outcome -------------------------------------------------------------------


def time_to_outcome(
    cases: pd.DataFrame,
    *,
    outcome: str = "job",
    days: str = "days_to_job",
    by: str | pd.Series | None = None,
    order: Sequence[object] | None = None,
) -> pd.DataFrame:
    """Days to the outcome among the cases that reached it.

    Parameters
    ----------
    cases : pandas.DataFrame
        One row per case (index ``case_id`` or a ``case_id`` column).
    outcome : str, default="job"
        Yes/no outcome column.
    days : str, default="days_to_job"
        Days from the first meeting to the outcome (read only for cases whose
        outcome is yes).
    by : str or pandas.Series, optional
        Group by a column of ``cases`` or by a Series case id -> pattern (then
        only the labelled cases are described).
    order : list, optional
        Order of the groups (default: categorical order, else sorted).

    Returns
    -------
    pandas.DataFrame
        One row per group (``"all"`` without ``by``; the groups and
        ``"total"`` with it), columns: ``n_cases`` (cases with a known
        outcome), ``n_outcome`` (outcome yes), ``n`` (of those, with a number
        of days), ``mean``, ``sd`` (ddof=1), ``median``, ``min``, ``max``,
        ``n_missing_days`` (outcome yes but days blank: not in ``n``).
        ``attrs["excluded"]`` maps each case of ``by`` left out (not in
        ``cases``) to the reason.

    Raises
    ------
    ColumnError
        A missing column.
    DataValueError
        Days that are not numbers or negative, or a blank label in ``by``.

    Warns
    -----
    ExclusionWarning
        Cases of ``by`` that are not in ``cases`` (left out, and named).

    Notes
    -----
    The reference study reports a mean of 59.25 days (SD 21.01) among the 12
    clients who obtained a job.

    Examples
    --------
    >>> import pandas as pd
    >>> cases = pd.DataFrame({"job": [True, True, False], "days_to_job": [30, 50, None]},
    ...                      index=["A", "B", "C"])
    >>> table = time_to_outcome(cases, by=pd.Series(["x", "y", "y"], index=["A", "B", "C"]))
    >>> table[["n_cases", "n_outcome", "n", "mean", "sd", "min", "max"]].round(2)
           n_cases  n_outcome  n  mean     sd   min   max
    x            1          1  1  30.0    NaN  30.0  30.0
    y            2          1  1  50.0    NaN  50.0  50.0
    total        3          2  2  40.0  14.14  30.0  50.0
    """
    cases = case_indexed(cases)
    require_columns(cases, [outcome, days])
    src = source_name(cases)
    result = as_outcome(cases[outcome], column=outcome, source=src)
    raw = cases[days]
    is_bool = raw.map(lambda v: isinstance(v, (bool, np.bool_))).astype(bool)
    values = pd.to_numeric(raw.mask(is_bool), errors="coerce").astype(float)
    most = limit("MAX_DAYS")
    bad = cases.index[(values.isna() & raw.notna()) | (values < 0) | (values > most)]
    raise_problems(DataValueError, f"{src}: {days} must be a number of days >= 0 and at most "
                   f"{most} ({limit_hint('MAX_DAYS')})",
                   [f"case {c}: {days} = {show(cases.loc[c, days])}" for c in bad])

    excluded: dict[str, str] = {}
    if by is None:
        groups = [("all", np.ones(len(cases), dtype=bool))]
        index = cases.index
    else:
        if isinstance(by, str):
            require_columns(cases, [by])
            group = cases[by]
        else:
            group, excluded = _checked_labels(by, cases)
        index = group.index
        result, values = result.loc[index], values.loc[index]
        filled = _filled(group)
        names = pattern_order(group.dropna(), order)
        if group.isna().any():
            names.append(MISSING_LEVEL)
        groups = [(g, (filled == g).to_numpy()) for g in names]
        groups.append((TOTAL, np.ones(len(index), dtype=bool)))

    rows = {}
    for name, mask in groups:
        reached = (result[mask] == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        d = values[mask][reached].dropna()
        rows[_plain(name)] = {
            "n_cases": int(result[mask].notna().sum()),
            "n_outcome": int(reached.sum()),
            "n": len(d),
            "mean": d.mean() if len(d) else np.nan,
            "sd": d.std(ddof=1) if len(d) > 1 else np.nan,
            "median": d.median() if len(d) else np.nan,
            "min": d.min() if len(d) else np.nan,
            "max": d.max() if len(d) else np.nan,
            "n_missing_days": int(reached.sum() - len(d)),
        }
    return _with_excluded(pd.DataFrame.from_dict(rows, orient="index"), excluded)
