"""Agreement coefficients as plain functions returning a float.

:func:`cohen_kappa` (two raters, optionally weighted; scikit-learn's
``cohen_kappa_score``), :func:`fleiss_kappa` (any number of raters) and
:func:`krippendorff_alpha` (any number of observers, missing values, four levels of
measurement; the ``krippendorff`` package). Values may be numbers or labels;
``None``, NaN and ``pd.NA`` are missing. A coefficient that is undefined (no unit
rated twice, or no variation at all: every value the same) is NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice
from mixedwai.errors import DataValueError, OptionError

__all__ = ["LEVELS", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]

#: Levels of measurement of Krippendorff's alpha.
LEVELS = ("nominal", "ordinal", "interval", "ratio")
_WEIGHTS = (None, "linear", "quadratic")


def cohen_kappa(
    rater_a: Sequence[Any] | np.ndarray | pd.Series,
    rater_b: Sequence[Any] | np.ndarray | pd.Series,
    *,
    weights: str | None = None,
    labels: Sequence[Any] | None = None,
) -> float:
    """Cohen's kappa between two raters, optionally weighted.

    Parameters
    ----------
    rater_a, rater_b : sequence
        The two raters' values for the same units, in the same order (numbers or
        labels). A unit where either value is missing (None, NaN) is left out.
    weights : {None, "linear", "quadratic"}, default=None
        Unweighted kappa, or weighted kappa with disagreement weights ``|i - j|``
        or ``(i - j)**2`` between the positions ``i``, ``j`` of two values in the
        order of ``labels``.
    labels : sequence, optional
        The values in their order (needed for weighted kappa on labels; also
        allows values no rater used). Default: the values used, sorted.

    Returns
    -------
    float
        Kappa; NaN when no unit has both values or when chance agreement is 1
        (both raters always gave the same single value).

    Raises
    ------
    DataValueError
        The raters have different lengths, mix numbers and labels, or use a value
        that is not in ``labels``.
    OptionError
        ``weights`` is not one of the three.

    Notes
    -----
    ``kappa = (p_o - p_e) / (1 - p_e)`` (Cohen 1960); weighted: ``1 - sum(w * O) /
    sum(w * E)`` (Cohen 1968). Computed by :func:`sklearn.metrics.cohen_kappa_score`
    on the complete pairs.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20, 37-46.

    Examples
    --------
    >>> round(cohen_kappa(["a", "a", "b", "b", "a"], ["a", "b", "b", "b", "a"]), 4)
    0.6154
    >>> round(cohen_kappa([1, 2, 3, 3, None], [1, 3, 3, 2, 1], weights="linear"), 4)
    0.4286
    """
    check_choice("weights", weights, _WEIGHTS)
    a = _as_list(rater_a, "rater_a")
    b = _as_list(rater_b, "rater_b")
    if len(a) != len(b):
        raise DataValueError(
            f"cohen_kappa: rater_a has {len(a)} values and rater_b {len(b)}; expected the same "
            "units in the same order"
        )
    codes, domain = _encode(np.array([a, b], dtype=object), labels=labels, what="cohen_kappa")
    keep = (codes >= 0).all(axis=0)
    codes = codes[:, keep]
    if codes.shape[1] == 0 or len(np.unique(codes)) < 2:
        return float("nan")
    from sklearn.metrics import cohen_kappa_score

    return float(
        cohen_kappa_score(codes[0], codes[1], labels=np.arange(len(domain)), weights=weights)
    )


def fleiss_kappa(ratings: Any, *, counts: bool = False) -> float:
    """Fleiss' kappa for any number of raters.

    Parameters
    ----------
    ratings : 2-D array-like or DataFrame
        Subjects x raters: the category each rater gave each subject (numbers or
        labels; None/NaN = not rated). With ``counts=True``, subjects x categories:
        how many raters put each subject in each category (Fleiss' own layout).
    counts : bool, default=False
        Whether ``ratings`` already holds the counts.

    Returns
    -------
    float
        Kappa; NaN when no subject has two ratings or when every rating is in one
        category.

    Raises
    ------
    DataValueError
        Not two-dimensional, numbers mixed with labels, or (``counts=True``) counts
        that are not non-negative whole numbers.

    Notes
    -----
    ``P_i = sum_j n_ij (n_ij - 1) / (n_i (n_i - 1))``, ``P = mean_i P_i``,
    ``p_j = sum_i n_ij / sum_i n_i``, ``P_e = sum_j p_j**2``,
    ``kappa = (P - P_e) / (1 - P_e)`` (Fleiss 1971). Subjects rated fewer than
    twice are left out; when the number of ratings varies between subjects, the
    same formulas are used (each subject's ``P_i`` with its own ``n_i``), which is
    Fleiss' kappa whenever every subject has the same number of ratings (checked
    against ``statsmodels.stats.inter_rater.fleiss_kappa``). Written here because
    statsmodels would be a dependency for a few lines of arithmetic.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    *Psychological Bulletin*, 76(5), 378-382.

    Examples
    --------
    >>> ratings = [["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"], ["a", "a", None],
    ...            ["b", "b", "b"]]
    >>> round(fleiss_kappa(ratings), 4)
    0.7333
    """
    if counts:
        table = _as_counts(ratings)
    else:
        matrix = _as_matrix(ratings, "ratings")
        codes, domain = _encode(matrix, what="fleiss_kappa")
        table = _value_counts(codes, len(domain))
    return _fleiss_from_counts(table)


def krippendorff_alpha(
    data: Any, *, level: str = "nominal", values: Sequence[Any] | None = None
) -> float:
    """Krippendorff's alpha for any number of observers, with missing values.

    Parameters
    ----------
    data : 2-D array-like or DataFrame
        Observers x units (rows are coders, columns units): numbers or labels;
        None/NaN = the observer gave the unit no value.
    level : {"nominal", "ordinal", "interval", "ratio"}, default="nominal"
        Level of measurement (the distance between two values).
    values : sequence, optional
        The possible values in their order (for ordinal labels; also allows values
        no observer used). Default: the values used, sorted.

    Returns
    -------
    float
        Alpha; NaN when no unit has two values or when every pairable value is the
        same (alpha is then undefined).

    Raises
    ------
    DataValueError
        Not two-dimensional, numbers mixed with labels, labels with the interval or
        ratio level, or a value outside ``values``.
    OptionError
        Unknown ``level``.

    Notes
    -----
    ``alpha = 1 - D_o / D_e`` computed from the coincidence matrix of the pairable
    values (Krippendorff 2011) by the ``krippendorff`` package (its
    ``value_counts``/``value_domain`` interface). Checked against the worked
    examples of Krippendorff (2011): binary 0.095, nominal (two observers) 0.692,
    nominal with missing values 0.743, ordinal 0.815, interval 0.849, ratio 0.797.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg
    School for Communication, University of Pennsylvania.
    https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    >>> round(krippendorff_alpha(data), 3), round(krippendorff_alpha(data, level="interval"), 3)
    (0.743, 0.849)
    """
    check_choice("level", level, LEVELS)
    matrix = _as_matrix(data, "data")
    codes, domain = _encode(matrix, labels=values, what="krippendorff_alpha")
    numeric = _numeric_domain(domain, level)
    return _alpha_from_counts(_value_counts(codes.T, len(domain)), numeric, level)


# -- shared by the agreement table ---------------------------------------------------------


def _alpha_from_counts(counts: np.ndarray, domain: np.ndarray, level: str) -> float:
    """Alpha from units x values counts (``krippendorff.alpha``), NaN when undefined."""
    counts = np.asarray(counts)
    pairable = counts[counts.sum(axis=1) >= 2]
    if len(pairable) == 0 or np.count_nonzero(pairable.sum(axis=0)) < 2:
        return float("nan")
    import krippendorff

    return float(
        krippendorff.alpha(value_counts=pairable, value_domain=domain, level_of_measurement=level)
    )


def _fleiss_from_counts(table: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Fleiss' kappa from subjects x categories counts (subjects rated < 2 times left out).

    ``weights``: how many subjects each row stands for (default: one each).
    """
    table = np.asarray(table, dtype=float)
    w = np.ones(len(table)) if weights is None else np.asarray(weights, dtype=float)
    n = table.sum(axis=1)
    keep = n >= 2
    table, n, w = table[keep], n[keep], w[keep]
    if w.sum() == 0:
        return float("nan")
    p_i = ((table * (table - 1)).sum(axis=1)) / (n * (n - 1))
    p_j = (w @ table) / (w @ n)
    p_e = float((p_j**2).sum())
    if p_e >= 1 - 1e-15:
        return float("nan")
    return float(((w @ p_i) / w.sum() - p_e) / (1 - p_e))


def _pairwise_agreement(table: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Mean share of agreeing pairs of ratings per unit (units rated >= 2 times).

    With two raters: the share of units on which they agree. ``weights`` as in
    :func:`_fleiss_from_counts`.
    """
    table = np.asarray(table, dtype=float)
    w = np.ones(len(table)) if weights is None else np.asarray(weights, dtype=float)
    n = table.sum(axis=1)
    keep = n >= 2
    table, n, w = table[keep], n[keep], w[keep]
    if w.sum() == 0:
        return float("nan")
    return float((w @ (((table * (table - 1)).sum(axis=1)) / (n * (n - 1)))) / w.sum())


def _value_counts(codes: np.ndarray, n_values: int) -> np.ndarray:
    """Units x values counts from a units x raters array of value codes (-1 = missing)."""
    codes = np.asarray(codes)
    n_units = codes.shape[0]
    rows = np.repeat(np.arange(n_units), codes.shape[1])
    flat = codes.reshape(-1)
    keep = flat >= 0
    index = rows[keep] * n_values + flat[keep]
    return np.bincount(index, minlength=n_units * n_values).reshape(n_units, n_values)


# -- input handling ----------------------------------------------------------------------


def _as_list(values: Any, name: str) -> list[Any]:
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise DataValueError(f"{name}: expected a one-dimensional sequence of values, got "
                             f"{type(values).__name__}")
    return list(values)


def _as_matrix(data: Any, name: str) -> np.ndarray:
    if isinstance(data, pd.DataFrame):
        matrix = data.to_numpy(dtype=object)
    else:
        try:
            matrix = np.array(
                [list(row) for row in data] if not isinstance(data, np.ndarray) else data,
                dtype=object,
            )
        except (TypeError, ValueError) as exc:
            raise DataValueError(
                f"{name}: expected a two-dimensional table (a list of equally long rows, an "
                f"array or a DataFrame), got {type(data).__name__}"
            ) from exc
    if matrix.ndim != 2:
        raise DataValueError(
            f"{name}: expected a two-dimensional table, got {matrix.ndim} dimension(s) "
            f"(shape {matrix.shape})"
        )
    return matrix


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and np.isnan(value)


def _encode(
    matrix: np.ndarray, *, labels: Sequence[Any] | None = None, what: str
) -> tuple[np.ndarray, list[Any]]:
    """Value codes (index into the domain, -1 = missing) and the ordered domain."""
    flat = matrix.reshape(-1)
    missing = np.fromiter((_is_missing(v) for v in flat), dtype=bool, count=len(flat))
    present = [v.item() if isinstance(v, np.generic) else v for v in flat[~missing]]
    kinds = {_kind(v) for v in present}
    if labels is not None:
        kinds |= {_kind(v) for v in labels}
    if len(kinds) > 1:
        raise DataValueError(
            f"{what}: the values mix numbers and labels ({_examples(present)}); expected only "
            "numbers or only labels"
        )
    if labels is not None:
        domain = list(dict.fromkeys(labels))
        known = set(domain)
        unknown = sorted({repr(v) for v in present if v not in known})
        if unknown:
            raise DataValueError(
                f"{what}: value(s) {', '.join(unknown[:10])} are not among the given values "
                f"{domain!r}"
            )
    else:
        domain = sorted(set(present), key=lambda v: (v if kinds == {"number"} else str(v)))
    position = {v: i for i, v in enumerate(domain)}
    codes = np.full(len(flat), -1, dtype=np.int64)
    codes[~missing] = [position[v] for v in present]
    return codes.reshape(matrix.shape), domain


def _kind(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "label"
    return "number" if isinstance(value, (int, float, np.integer, np.floating)) else "label"


def _examples(values: list[Any]) -> str:
    numbers = [repr(v) for v in values if _kind(v) == "number"][:2]
    labels = [repr(v) for v in values if _kind(v) == "label"][:2]
    return ", ".join(numbers + labels)


def _numeric_domain(domain: list[Any], level: str) -> np.ndarray:
    """The domain as passed to ``krippendorff.alpha``: positions, or the numbers."""
    if level in ("interval", "ratio"):
        if any(_kind(v) != "number" for v in domain):
            raise DataValueError(
                f"krippendorff_alpha: level {level!r} needs numbers; got labels "
                f"{', '.join(repr(v) for v in domain[:5])}"
            )
        return np.asarray(domain, dtype=float)
    return np.arange(len(domain), dtype=float)


def _as_counts(table: Any) -> np.ndarray:
    matrix = _as_matrix(table, "ratings")
    try:
        counts = matrix.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataValueError(
            "fleiss_kappa(counts=True): expected subjects x categories counts (whole numbers "
            ">= 0)"
        ) from exc
    bad = ~np.isfinite(counts) | (counts < 0) | (counts != np.round(counts))
    if bad.any():
        rows, cols = np.nonzero(bad)
        where = ", ".join(f"subject {r} category {c}: {matrix[r, c]!r}"
                          for r, c in zip(rows[:10], cols[:10], strict=True))
        raise DataValueError(
            f"fleiss_kappa(counts=True): counts must be whole numbers >= 0; got {where}"
        )
    if counts.shape[1] < 1:
        raise OptionError("fleiss_kappa(counts=True): the table has no category column")
    return counts


def _cohen_from_codes(a: np.ndarray, b: np.ndarray, n_values: int) -> float:
    """Unweighted Cohen's kappa from two equally long arrays of value codes (no missing)."""
    if len(a) == 0:
        return float("nan")
    table = np.bincount(a * n_values + b, minlength=n_values * n_values).reshape(
        n_values, n_values
    ) / len(a)
    p_o = float(np.trace(table))
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    if p_e >= 1 - 1e-15:
        return float("nan")
    return (p_o - p_e) / (1 - p_e)
