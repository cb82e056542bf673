"""Alliance patterns and outcomes: crosstab with an exact test, score-outcome tests.

Hypothesis B of the reference study asks whether the alliance pattern is
related to getting a job. With 18 cases in three patterns the usual
chi-square test is not trustworthy, so :func:`outcome_crosstab` reports the
Freeman-Halton exact test, Cramér's V and plain words about the sample's
power. :func:`score_outcome_tests` compares the WAI scores at each time of
those who did and did not reach the outcome (Mann-Whitney U and point-biserial
correlation). The descriptive tables (Table 1, Table 3, days to job) live in
:mod:`mixedwai.quant.outcomes.descriptives`, the exact test in
:mod:`mixedwai.quant.outcomes.exact` and the score-outcome tests in
:mod:`mixedwai.quant.outcomes.score_tests`.

Examples
--------
>>> import pandas as pd, warnings
>>> cases = [f"ES1_C{i}" for i in range(1, 19)]
>>> labels = pd.Series(["SHA"] * 5 + ["SLA"] * 10 + ["LDA"] * 3, index=cases)
>>> job = pd.Series([1, 1, 1, 1, 0] + [1] * 7 + [0] * 3 + [1, 0, 0], index=cases).astype(bool)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     result = outcome_crosstab(labels, job, order=["SHA", "SLA", "LDA"])
>>> result.to_frame()
  pattern   n  n_outcome  pct_outcome
0     SHA   5          4    80.000000
1     SLA  10          7    70.000000
2     LDA   3          1    33.333333
3   total  18         12    66.666667
>>> round(result.test.p_value, 4), round(result.cramers_v, 3)
(0.5233, 0.329)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixedwai._validation import MAX_LISTED, check_range
from mixedwai.errors import DataValueError, ExclusionWarning, SmallSampleWarning
from mixedwai.quant.outcomes.exact import ExactTestResult, cramers_v, freeman_halton_test
from mixedwai.quant.outcomes.levels import TOTAL, _levels, as_outcome, pattern_order

__all__ = ["CrosstabResult", "outcome_crosstab"]

#: Expected cell count below which the chi-square approximation is doubtful.
SMALL_EXPECTED = 5


@dataclass(frozen=True)
class CrosstabResult:
    """Pattern x outcome crosstab with its exact test (from :func:`outcome_crosstab`).

    Attributes
    ----------
    counts : pandas.DataFrame
        Index: the patterns and ``"total"``; columns ``yes``, ``no``, ``total``.
    pct_within : pandas.DataFrame
        Row percentages (each pattern's ``yes`` and ``no`` add to 100).
    pct_overall : pandas.DataFrame
        Percentages of all cases in the table.
    expected : pandas.DataFrame
        Expected counts under independence (patterns x yes/no).
    test : ExactTestResult
        Freeman-Halton (Fisher) exact test.
    cramers_v : float
        Cramér's V (NaN when undefined, e.g. every case has the same outcome).
    min_expected : float
        Smallest expected count among non-empty rows and columns.
    n_small_expected : int
        Cells with an expected count below 5.
    n_cells : int
        Cells of the table (non-empty rows x non-empty columns).
    n : int
        Cases in the table.
    warning : str or None
        Plain-words caution about small expected counts and low power.
    excluded : pandas.DataFrame
        Index ``case_id``, column ``reason``: cases left out and why.
    outcome_name : str
        Name of the outcome (the Series name, e.g. ``"job"``).
    levels : tuple
        The outcome's columns in ``counts``: ``("yes", "no")`` for a yes/no
        outcome, else its levels in order.
    binary : bool
        Whether the outcome is yes/no.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> labels = pd.Series(["SHA", "SHA", "SLA", "SLA"], index=["A", "B", "C", "D"])
    >>> job = pd.Series([True, True, True, False], index=labels.index, name="job")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     result = outcome_crosstab(labels, job)
    >>> result.to_frame()
      pattern  n  n_outcome  pct_outcome
    0     SHA  2          2        100.0
    1     SLA  2          1         50.0
    2   total  4          3         75.0
    >>> print(result.summary())  # doctest: +ELLIPSIS
    3 of 4 cases (75.0 %) had job = yes: SHA 2/2 (100.0 %), SLA 1/2 (50.0 %). ...
    """

    counts: pd.DataFrame
    pct_within: pd.DataFrame
    pct_overall: pd.DataFrame
    expected: pd.DataFrame
    test: ExactTestResult
    cramers_v: float
    min_expected: float
    n_small_expected: int
    n_cells: int
    n: int
    warning: str | None
    excluded: pd.DataFrame
    outcome_name: str = "outcome"
    levels: tuple = ("yes", "no")
    binary: bool = True

    def to_frame(self) -> pd.DataFrame:
        """Tidy outcome rate per pattern.

        Returns
        -------
        pandas.DataFrame
            One row per pattern and a last row ``"total"``. For a yes/no
            outcome: columns ``pattern``, ``n``, ``n_outcome``, ``pct_outcome``
            (percent with outcome yes). For a categorical one: ``pattern``,
            ``n``, then ``n_<level>`` and ``pct_<level>`` for each level (the
            rate of each level within the pattern).
        """
        counts = self.counts
        if not self.binary:
            out = pd.DataFrame({"pattern": pd.Series(list(counts.index), dtype=object),
                                "n": counts["total"].astype(int).to_numpy()})
            for level in self.levels:
                out[f"n_{level}"] = counts[level].astype(int).to_numpy()
                out[f"pct_{level}"] = self.pct_within[level].astype(float).to_numpy()
            return out
        n = counts["total"].astype(int)
        yes = counts["yes"].astype(int)
        pct = (100 * yes / n.where(n > 0)).astype(float)
        return pd.DataFrame({
            "pattern": pd.Series(list(counts.index), dtype=object),
            "n": n.to_numpy(),
            "n_outcome": yes.to_numpy(),
            "pct_outcome": pct.to_numpy(),
        })

    def summary(self) -> str:
        """One paragraph reporting the rates, the exact test and its caveats."""
        text = self._binary_summary() if self.binary else self._categorical_summary()
        if self.warning:
            text += f" {self.warning}"
        if len(self.excluded):
            text += f" {len(self.excluded)} case(s) were left out (see `excluded`)."
        return text

    def _binary_summary(self) -> str:
        rates = self.to_frame()
        total = rates.iloc[-1]
        parts = [
            f"{_plain(r.pattern)} {r.n_outcome}/{r.n} ({_pct(r.pct_outcome)})"
            for r in rates.iloc[:-1].itertuples()
        ]
        v = "undefined" if math.isnan(self.cramers_v) else f"{self.cramers_v:.2f}"
        return (
            f"{total.n_outcome} of {total.n} cases ({_pct(total.pct_outcome)}) had "
            f"{self.outcome_name} = yes: {', '.join(parts)}. "
            f"Freeman-Halton exact test: p = {_p(self.test.p_value)} ({self.test.method}); "
            f"Cramér's V = {v}."
        )

    def _categorical_summary(self) -> str:
        counts, pct = self.counts, self.pct_within
        overall = ", ".join(f"{_plain(level)} {counts.loc[TOTAL, level]} "
                            f"({_pct(pct.loc[TOTAL, level])})" for level in self.levels)
        parts = []
        for pattern in counts.index[:-1]:
            cells = ", ".join(f"{_plain(level)} {counts.loc[pattern, level]}/"
                              f"{counts.loc[pattern, 'total']}" for level in self.levels)
            parts.append(f"{_plain(pattern)}: {cells}")
        v = "undefined" if math.isnan(self.cramers_v) else f"{self.cramers_v:.2f}"
        return (
            f"{self.outcome_name} of {self.n} cases: {overall}; by pattern, "
            f"{'; '.join(parts)}. Freeman-Halton exact test: p = {_p(self.test.p_value)} "
            f"({self.test.method}); Cramér's V = {v}."
        )


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _pct(value: float) -> str:
    return "–" if value != value else f"{value:.1f} %"


def _p(value: float) -> str:
    return "< .001" if value < 0.001 else f"{value:.3f}"


def outcome_crosstab(
    labels: pd.Series,
    outcome: pd.Series,
    *,
    order: Sequence[object] | None = None,
    levels: Sequence[object] | None = None,
    n_resamples: int = 100_000,
    random_state: int = 0,
) -> CrosstabResult:
    """Crosstab alliance patterns with an outcome and test their association.

    Parameters
    ----------
    labels : pandas.Series
        Case id -> pattern (or cluster number) of the clustered cases. Blank
        labels mean "not clustered".
    outcome : pandas.Series
        Case id -> outcome. Booleans, or yes/no spellings such as the ``job``
        column of the case table, make a yes/no outcome (columns ``yes``,
        ``no``); any other values are the levels of a categorical outcome (a
        three-level outcome, a treatment arm), one column each. Blank =
        unknown.
    order : list, optional
        Order of the patterns in the table (default: categorical order of
        ``labels``, else sorted).
    levels : list, optional
        The outcome's levels in the order wanted; makes the outcome
        categorical even when its values are yes/no spellings (a treatment
        arm coded 1/2). Without it, an outcome is yes/no when any of its
        values is a yes/no spelling (the others are then refused as typos),
        and categorical otherwise, its levels in their natural order
        (categories; numbers by value; else first appearance).
    n_resamples : int, default=100_000
        Monte Carlo draws, used only if the exact enumeration is too large.
    random_state : int, default=0
        Seed of those draws.

    Returns
    -------
    CrosstabResult

    Raises
    ------
    OutcomeValueError
        An outcome cell that is not a yes/no value.
    DataValueError
        ``labels`` or ``outcome`` is not a Series, holds a case twice, or
        ``order`` misses a pattern.
    InsufficientDataError
        No case has both a pattern and an outcome.

    Warns
    -----
    SmallSampleWarning
        When any expected count is below 5 (the warning text is also in
        ``result.warning``).
    ExclusionWarning
        When cases with a pattern have no outcome (they are listed in
        ``result.excluded``).

    Notes
    -----
    The test is the same for every outcome: the Freeman-Halton extension of
    Fisher's exact test to the r x c table, and Cramér's V.
    Cases are joined on the case id. A case with a pattern but no outcome, or
    with an outcome but no pattern (not clustered), is left out and listed in
    ``excluded`` with the reason. The exact test is
    :func:`~mixedwai.quant.outcomes.exact.freeman_halton_test`; Cramér's V is computed
    without continuity correction. The reference study reports job rates of
    SHA 80 %, SLA 70 % and LDA 33 % (12 of 18).

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> cases = [f"ES1_C{i}" for i in range(1, 7)]
    >>> labels = pd.Series(["SHA", "SHA", "SHA", "SLA", "SLA", "SLA"], index=cases)
    >>> job = pd.Series(["yes", "yes", "no", "no", "no", None], index=cases, name="job")
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # small expected counts; ES1_C6 left out
    ...     result = outcome_crosstab(labels, job)
    >>> result.counts
             yes  no  total
    pattern
    SHA        2   1      3
    SLA        0   2      2
    total      2   3      5
    >>> result.excluded
                   reason
    case_id
    ES1_C6   job is blank
    >>> round(result.test.p_value, 3), result.test.method
    (0.4, 'exact enumeration of 3 tables')
    """
    check_range("n_resamples", n_resamples, low=1, integer=True)
    for name, series in (("labels", labels), ("outcome", outcome)):
        if not isinstance(series, pd.Series):
            raise DataValueError(
                f"{name} must be a Series indexed by case id; received {type(series).__name__}"
            )
        if series.index.has_duplicates:
            dup = series.index[series.index.duplicated()].unique()
            raise DataValueError(
                f"{name} holds these cases more than once: {', '.join(map(str, dup))}"
            )
    outcome_name = str(outcome.name) if outcome.name is not None else "outcome"
    binary = levels is None and _yes_no(outcome)
    result = as_outcome(outcome, column=outcome_name) if binary else _categories(outcome)

    # every case left out, with why (vectorised: no loop over the cases)
    labelled = labels[labels.notna()]
    position = result.index.get_indexer(labelled.index)
    values = result.to_numpy(dtype=object)[np.maximum(position, 0)] if len(result) else \
        np.full(len(labelled), None, dtype=object)
    not_in = position < 0
    blank = ~not_in & pd.isna(values)
    no_outcome = labelled.index[not_in | blank]
    reasons = np.where(not_in[not_in | blank], f"not in the {outcome_name} table",
                       f"{outcome_name} is blank")
    unlabelled = ~result.index.isin(labelled.index)
    excluded_ids = [*no_outcome, *result.index[unlabelled]]
    excluded_why = [*reasons.tolist(), *["no pattern (not clustered)"] * int(unlabelled.sum())]
    if len(no_outcome):
        shown = ", ".join(map(str, no_outcome[:MAX_LISTED]))
        more = f" ... and {len(no_outcome) - MAX_LISTED} more" if len(no_outcome) > MAX_LISTED \
            else ""
        warnings.warn(
            f"{len(no_outcome)} case(s) with a pattern but no {outcome_name} left out of the "
            f"crosstab: {shown}{more}",
            ExclusionWarning,
            stacklevel=2,
        )

    keep = ~(not_in | blank)
    if not keep.any():
        from mixedwai.errors import InsufficientDataError

        raise InsufficientDataError(
            f"no case has both a pattern and a {outcome_name}; check that the case ids of "
            "labels and outcome match"
        )
    kept_labels = labelled[keep]
    kept_values = pd.Series(values[keep], index=kept_labels.index)
    patterns = pattern_order(kept_labels, order)
    if binary:
        columns: list[object] = ["yes", "no"]
        level_codes = np.where(kept_values.astype(bool).to_numpy(), 0, 1)
    else:
        columns = _levels(kept_values, levels, name=outcome_name)
        level_codes = pd.Index(columns).get_indexer(kept_values.to_numpy(dtype=object))
    pattern_codes = pd.Index(patterns).get_indexer(kept_labels.to_numpy(dtype=object))
    table = np.bincount(pattern_codes * len(columns) + level_codes,
                        minlength=len(patterns) * len(columns)).reshape(len(patterns),
                                                                        len(columns))
    table = table.astype(np.int64)
    index = pd.Index([_plain(p) for p in patterns], name="pattern", dtype=object)
    body = pd.DataFrame(table, index=index, columns=pd.Index(columns, dtype=object))
    counts = body.copy()
    counts["total"] = counts.sum(axis=1)
    counts.loc[TOTAL] = counts.sum(axis=0)
    counts = counts.astype(int)
    n = int(counts.loc[TOTAL, "total"])
    row_totals = counts["total"].replace(0, np.nan)
    pct_within = counts.div(row_totals, axis=0) * 100
    pct_overall = counts / n * 100

    expected = pd.DataFrame(
        np.outer(table.sum(axis=1), table.sum(axis=0)) / n, index=index,
        columns=pd.Index(columns, dtype=object),
    )
    live = expected.loc[table.sum(axis=1) > 0, table.sum(axis=0) > 0]
    n_cells = int(live.size)
    n_small = int((live.to_numpy() < SMALL_EXPECTED).sum())
    min_expected = float(live.to_numpy().min()) if n_cells else float("nan")

    test = freeman_halton_test(table, n_resamples=n_resamples, random_state=random_state)
    message = None
    if n_small:
        message = (
            f"{n_small} of {n_cells} cells have expected counts below {SMALL_EXPECTED} "
            f"(smallest {min_expected:.2f}); the exact p-value is reported, but with n = {n} "
            "the test has little power: a non-significant result does not show that the "
            f"patterns have the same {outcome_name} rate."
        )
        warnings.warn(message, SmallSampleWarning, stacklevel=2)

    excluded_frame = pd.DataFrame(
        {"reason": np.array(excluded_why, dtype=object)},
        index=pd.Index(excluded_ids, name="case_id", dtype=object),
    )
    return CrosstabResult(
        counts=counts,
        pct_within=pct_within,
        pct_overall=pct_overall,
        expected=expected,
        test=test,
        cramers_v=cramers_v(table),
        min_expected=min_expected,
        n_small_expected=n_small,
        n_cells=n_cells,
        n=n,
        warning=message,
        excluded=excluded_frame,
        outcome_name=outcome_name,
        levels=tuple(_plain(c) for c in columns),
        binary=binary,
    )


def _yes_no(values: pd.Series) -> bool:
    """Whether the outcome is read as yes/no: booleans, or any cell a yes/no spelling.

    A ``Categorical`` column (``read_cases(..., outcome_type="categorical")``)
    is categorical. A column where some cells are yes/no spellings and others are not is a
    yes/no outcome with typos (``"maybe"``), refused cell by cell by
    :func:`~mixedwai.quant.data.cases.parse_outcome`; a column where no cell is
    one (``"A"``/``"B"``, ``"employed"``/``"training"``/``"none"``) is categorical.
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return True
    if isinstance(values.dtype, pd.CategoricalDtype):  # read as categorical: so it is
        return False
    from mixedwai.quant.data.cases import OUTCOME_SPELLINGS

    distinct = pd.Series(pd.unique(values.dropna()), dtype=object)
    keys = distinct.map(lambda v: str(int(v)) if isinstance(v, (int, float, np.number))
                        and not isinstance(v, bool) and float(v).is_integer()
                        else str(v)).str.strip().str.lower()
    return bool(keys.isin(list(OUTCOME_SPELLINGS)).any())


def _categories(values: pd.Series) -> pd.Series:
    """Outcome cells as levels: text stripped, blanks missing, numbers kept."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values
    out = values.astype(object)
    text = out.map(lambda v: v.strip() if isinstance(v, str) else v) \
        if out.map(type).eq(str).any() else out
    return text.where(text.notna() & (text.astype(str) != ""))
