"""A seeded bootstrap interval for Krippendorff's alpha (units resampled with replacement).

Every unit adds its own small matrix to alpha's coincidence matrix, so a bootstrap
resample is a weighted sum of the units' matrices. Units with the same matrix are
grouped first (with 10 coders and presence/absence data there are at most 66 kinds of
units), and each resample draws how many copies of each kind it holds (a multinomial
draw, which is exactly resampling units with replacement): thousands of resamples of
100,000 units take milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mixedwai._validation import check_choice, check_range
from mixedwai.qual.agreement.coefficients import (
    LEVELS,
    _as_matrix,
    _encode,
    _numeric_domain,
    _value_counts,
)

__all__ = ["alpha_interval"]


def alpha_interval(
    data: Any,
    *,
    level: str = "nominal",
    values: Sequence[Any] | None = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> tuple[float, float]:
    """Bootstrap percentile interval of Krippendorff's alpha.

    Parameters
    ----------
    data : 2-D array-like or DataFrame
        Observers x units, as for :func:`~mixedwai.qual.agreement.coefficients.krippendorff_alpha`.
    level : {"nominal", "ordinal", "interval", "ratio"}, default="nominal"
    values : sequence, optional
        The possible values in their order (ordinal labels).
    n_boot : int, default=1000
        Number of resamples.
    confidence : float, default=0.95
        Coverage of the interval.
    random_state : int, default=0
        Seed (:func:`numpy.random.default_rng`): same seed, same interval.

    Returns
    -------
    (float, float)
        The lower and upper percentiles of alpha over the resamples; NaN when
        alpha is undefined in every resample.

    Raises
    ------
    OptionError
        Unknown ``level``, ``n_boot < 1`` or ``confidence`` outside (0, 1).

    Notes
    -----
    The units that hold at least two values are resampled with replacement
    ``n_boot`` times and alpha is recomputed on each resample (with the ordinal
    distances recomputed from the resample's value frequencies); resamples where
    alpha is undefined are left out. This is the ordinary nonparametric bootstrap
    over units, not the algorithm of Hayes & Krippendorff (2007), which resamples
    pairs of values.

    Examples
    --------
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    >>> low, high = alpha_interval(data, n_boot=500, random_state=1)
    >>> bool(low < 0.743 < high)
    True
    """
    check_choice("level", level, LEVELS)
    check_range("n_boot", n_boot, low=1, integer=True)
    check_range("confidence", confidence, low=1e-9, high=1 - 1e-9)
    matrix = _as_matrix(data, "data")
    codes, domain = _encode(matrix, labels=values, what="alpha_interval")
    counts = _value_counts(codes.T, len(domain))
    alphas = _bootstrap_counts(counts, _numeric_domain(domain, level), level, n_boot,
                               random_state)
    return _percentiles(alphas, confidence)


def _unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Each pairable unit's contribution to the coincidence matrix, flattened (units x V*V)."""
    counts = np.asarray(counts, dtype=float)
    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    n_values = counts.shape[1]
    outer = counts[:, :, None] * counts[:, None, :]
    outer[:, np.arange(n_values), np.arange(n_values)] -= counts
    return (outer / (m - 1)[:, None, None]).reshape(len(counts), n_values * n_values)


def _bootstrap_counts(
    counts: np.ndarray, domain: np.ndarray, level: str, n_boot: int,
    random_state: int | Sequence[int],
) -> np.ndarray:
    """Alpha of ``n_boot`` resamples of the pairable units of a units x values count table."""
    counts = np.asarray(counts)
    patterns, frequency = _unique_rows(counts[counts.sum(axis=1) >= 2])
    return _bootstrap_alphas(_unit_coincidences(patterns), frequency, domain, level, n_boot,
                             random_state)


def _bootstrap_alphas(
    contributions: np.ndarray,
    frequency: np.ndarray,
    domain: np.ndarray,
    level: str,
    n_boot: int,
    random_state: int | Sequence[int],
) -> np.ndarray:
    """Alpha of ``n_boot`` resamples of units, ``frequency[i]`` of them contributing row ``i``."""
    n_units = int(np.sum(frequency))
    if n_units == 0:
        return np.full(n_boot, np.nan)
    rng = np.random.default_rng(random_state)
    draws = rng.multinomial(n_units, np.asarray(frequency) / n_units, size=n_boot)
    return _alphas_of(draws.astype(float) @ contributions, domain, level)


def _unique_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of a non-negative integer matrix and how often each occurs (row order)."""
    matrix = np.asarray(matrix, dtype=np.int64)
    if len(matrix) == 0:
        return matrix, np.zeros(0, dtype=np.int64)
    base = matrix.max(axis=0) + 1
    size = float(np.prod(base.astype(float)))
    if size > 2.0**62:
        return np.unique(matrix, axis=0, return_counts=True)
    # one integer key per row (mixed radix), counted with bincount or a sort
    weights = np.cumprod(np.concatenate([[1], base[:0:-1]]))[::-1].astype(np.int64)
    keys = matrix @ weights
    if size <= 4 * len(matrix) + 1024:
        frequency = np.bincount(keys, minlength=int(size))
        present = np.flatnonzero(frequency)
        frequency = frequency[present]
    else:
        keys = np.sort(keys)
        starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
        present = keys[starts]
        frequency = np.diff(np.append(starts, len(keys)))
    rows = np.empty((len(present), matrix.shape[1]), dtype=np.int64)
    rest = present
    for j in range(matrix.shape[1]):
        rows[:, j], rest = np.divmod(rest, weights[j])
    return rows, frequency


def _alphas_of(coincidences: np.ndarray, domain: np.ndarray, level: str) -> np.ndarray:
    """Alpha of each row of ``coincidences`` (flattened V x V matrices), NaN when undefined."""
    n_values = len(domain)
    o = coincidences.reshape(-1, n_values, n_values)
    n_v = o.sum(axis=1)
    n = n_v.sum(axis=1)
    d = _distances(domain, level, n_v)
    observed = (o * d).sum(axis=(1, 2))
    expected = (n_v[:, :, None] * n_v[:, None, :] * d).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1 - (n - 1) * observed / expected
    alpha[~(expected > 0)] = np.nan
    return alpha


def _distances(domain: np.ndarray, level: str, n_v: np.ndarray) -> np.ndarray:
    """Squared distances between values (batch x V x V), as in Krippendorff (2011)."""
    batch = n_v.shape[0]
    if level == "nominal":
        d = 1.0 - np.eye(len(domain))
    elif level == "interval":
        d = (domain[:, None] - domain[None, :]) ** 2
    elif level == "ratio":
        total = domain[:, None] + domain[None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(total != 0, ((domain[:, None] - domain[None, :]) / total) ** 2, 0.0)
    else:  # ordinal: depends on the frequencies of the values in between
        cumulative = np.cumsum(n_v, axis=1)
        index = np.arange(len(domain))
        low = np.minimum(index[:, None], index[None, :])
        high = np.maximum(index[:, None], index[None, :])
        between = cumulative[:, high] - cumulative[:, low] + n_v[:, low]
        return (between - (n_v[:, :, None] + n_v[:, None, :]) / 2) ** 2
    return np.broadcast_to(d, (batch, *d.shape))


def _percentiles(alphas: np.ndarray, confidence: float) -> tuple[float, float]:
    finite = alphas[np.isfinite(alphas)]
    if len(finite) == 0:
        return float("nan"), float("nan")
    tail = (1 - confidence) / 2
    low, high = np.quantile(finite, [tail, 1 - tail])
    return float(low), float(high)
