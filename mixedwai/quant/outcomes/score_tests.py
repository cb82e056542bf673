"""Scores of cases with and without the outcome compared at each time.

:func:`score_outcome_tests` gives, for each time and the cases' mean, the
Mann-Whitney U test (exact, exact permutation under ties, or asymptotic) and
the point-biserial correlation of the outcome with the score. Re-exported from
:mod:`mixedwai.quant.outcomes.crosstab`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from mixedwai.errors import DataValueError, ExclusionWarning, SmallSampleWarning
from mixedwai.quant.outcomes.levels import as_outcome
from mixedwai.quant.patterns.timepoints import show, time_columns

__all__ = ["score_outcome_tests"]

#: Exact permutation distributions of U are enumerated up to this many splits.
MAX_PERMUTATIONS = 200_000


def score_outcome_tests(matrix: pd.DataFrame, outcome: pd.Series) -> pd.DataFrame:
    """Compare the scores at each time of cases with and without the outcome.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Case-by-time scores (index ``case_id``, columns ``t1..tN``); missing
        scores are allowed (each time uses the cases scored at that time).
    outcome : pandas.Series
        Case id -> outcome (booleans or yes/no spellings; blank = unknown).

    Returns
    -------
    pandas.DataFrame
        Index ``t1 .. tN`` and ``mean`` (each case's mean over its available
        times), columns: ``n_yes``, ``n_no``, ``mean_yes``, ``mean_no``,
        ``median_yes``, ``median_no``, ``u`` (Mann-Whitney U of the "yes"
        group), ``p_value`` (two-sided), ``method``, ``r_pb`` (point-biserial
        r, positive when "yes" cases score higher), ``r_pb_p``.

    Raises
    ------
    DataValueError
        A score that is not a number, or a matrix with no case in common with
        ``outcome``.
    OutcomeValueError
        An outcome cell that is not a yes/no value.

    Warns
    -----
    ExclusionWarning
        Cases of the matrix whose outcome is unknown (they are named).
    SmallSampleWarning
        A group with fewer than 5 cases.

    Notes
    -----
    ``p_value`` comes from :func:`scipy.stats.mannwhitneyu`. ``method`` says
    which distribution was used: ``"exact"`` (no ties; the exact null
    distribution of U), ``"exact permutation (ties)"`` (ties present and at
    most 200,000 ways to split the cases: every split is enumerated), or
    ``"asymptotic"`` (normal approximation with tie and continuity
    corrections). ``r_pb`` and ``r_pb_p`` come from
    :func:`scipy.stats.pointbiserialr` (the Pearson r of the 0/1 outcome with
    the score). The reference study found no WAI score (times 1-3 or mean)
    related to getting a job.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix = pd.DataFrame({"t1": [6.1, 5.2, 6.5, 4.9, 5.8, 6.0]},
    ...                       index=["A", "B", "C", "D", "E", "F"])
    >>> job = pd.Series([True, False, True, False, True, False], index=matrix.index)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     table = score_outcome_tests(matrix, job)
    >>> table[["n_yes", "n_no", "u", "p_value", "method"]].round(3)
          n_yes  n_no    u  p_value method
    t1        3     3  8.0      0.2  exact
    mean      3     3  8.0      0.2  exact
    """
    from scipy import stats

    if not isinstance(matrix, pd.DataFrame):
        raise DataValueError(f"matrix must be a DataFrame; received {type(matrix).__name__}")
    columns = time_columns(matrix, min_times=1)
    scores = matrix[columns].apply(pd.to_numeric, errors="coerce")
    bad = [f"case {c}, column {t!r}: {show(matrix.loc[c, t])}"
           for t in columns for c in matrix.index[scores[t].isna() & matrix[t].notna()]]
    if bad:
        raise DataValueError("scores must be numbers; found " + "; ".join(bad[:25]))
    if not isinstance(outcome, pd.Series):
        raise DataValueError(f"outcome must be a Series; received {type(outcome).__name__}")
    name = str(outcome.name) if outcome.name is not None else "outcome"
    result = as_outcome(outcome, column=name)
    result = result[~result.index.duplicated()]
    aligned = result.reindex(scores.index)
    unknown = list(aligned.index[aligned.isna()])
    if unknown:
        warnings.warn(
            f"{len(unknown)} case(s) with no {name} left out: {', '.join(map(str, unknown))}",
            ExclusionWarning, stacklevel=2,
        )
    known = aligned.notna().to_numpy()
    if not known.any():
        raise DataValueError(f"no case of the matrix has a known {name}; check the case ids")
    scores = scores[known]
    yes = aligned[known].astype(bool).to_numpy()

    table = scores.copy()
    table["mean"] = scores.mean(axis=1)
    rows = {}
    small = False
    for column in table.columns:
        values = table[column]
        have = values.notna().to_numpy()
        x, y = values[have & yes].to_numpy(float), values[have & ~yes].to_numpy(float)
        small |= 0 < min(len(x), len(y)) < 5
        row = {"n_yes": len(x), "n_no": len(y),
               "mean_yes": x.mean() if len(x) else np.nan,
               "mean_no": y.mean() if len(y) else np.nan,
               "median_yes": np.median(x) if len(x) else np.nan,
               "median_no": np.median(y) if len(y) else np.nan,
               "u": np.nan, "p_value": np.nan, "method": None,
               "r_pb": np.nan, "r_pb_p": np.nan}
        if len(x) and len(y):
            row.update(_mann_whitney(x, y, stats))
            both = np.concatenate([x, y])
            if np.ptp(both) > 0:
                group = np.concatenate([np.ones(len(x)), np.zeros(len(y))])
                r, p = stats.pointbiserialr(group, both)
                row["r_pb"], row["r_pb_p"] = float(r), float(p)
        rows[column] = row
    if small:
        warnings.warn(
            f"a {name} group has fewer than 5 cases; the tests have very little power",
            SmallSampleWarning, stacklevel=2,
        )
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["method"] = out["method"].astype(object)
    return out


def _mann_whitney(x: np.ndarray, y: np.ndarray, stats) -> dict[str, object]:
    """U, two-sided p-value and the method used (see score_outcome_tests)."""
    pooled = np.concatenate([x, y])
    ties = len(np.unique(pooled)) < len(pooled)
    if not ties and len(pooled) <= 400:
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
        method = "exact"
    elif ties and _comb_at_most(len(pooled), min(len(x), len(y)), MAX_PERMUTATIONS):
        res = stats.mannwhitneyu(
            x, y, alternative="two-sided",
            method=stats.PermutationMethod(n_resamples=np.inf),
        )
        method = "exact permutation (ties)"
    else:
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
        method = "asymptotic"
    return {"u": float(res.statistic), "p_value": min(1.0, float(res.pvalue)), "method": method}


def _comb_at_most(n: int, k: int, limit: int) -> bool:
    """Whether C(n, k) <= limit, without computing C(n, k) when it is far larger.

    ``math.comb(1_000_000, 400_000)`` has some 290,000 digits and takes seconds; its
    logarithm (``lgamma``) settles the question at once, and the exact count is
    computed only near the limit.
    """
    log_comb = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    if log_comb > math.log(limit) + 1.0:
        return False
    return math.comb(n, k) <= limit
