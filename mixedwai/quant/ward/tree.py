"""Exact weighted Ward clustering on distinct rows, with an order-independent tie rule.

WAI global scores are means of Likert items, so trajectories repeat and many
Ward merge costs are exactly equal. :func:`ward_tree` therefore

1. deduplicates the rows (the distinct rows in lexicographic order are the
   *canonical order*; a row's weight is the number of input rows equal to it,
   or the sum of their ``sample_weight``),
2. runs Ward's minimum-variance method on the distinct rows, weighted, with the
   nearest-neighbour chain algorithm compiled by numba, breaking ties by a
   fixed rule that refers to the canonical order only, and
3. expands the tree to every input row: duplicates merge first, at height 0.

Because step 1 forgets the input order and steps 2-3 depend only on the sorted
distinct rows and their weights, the tree, its heights and every partition
depend only on the multiset of rows: permuting the input rows permutes the
labels with them and changes nothing else.

The numba kernels are in :mod:`mixedwai.quant.ward.kernel`, :class:`WardTree` and
the expansion to all rows in :mod:`mixedwai.quant.ward.hierarchy`.

Examples
--------
>>> import numpy as np
>>> X = np.array([[6.5, 6.5, 6.6], [5.0, 5.1, 5.0], [6.5, 6.5, 6.6], [5.1, 5.0, 5.2]])
>>> tree = ward_tree(X)
>>> tree.n_distinct, tree.counts.tolist()
(3, [1, 1, 2])
>>> tree.labels(2).tolist()  # cluster 0 holds the lowest row in sorted order
[1, 0, 1, 0]
>>> np.round(tree.heights, 4).tolist()
[0.0, 0.2449, 3.593]
"""

from __future__ import annotations

import numpy as np

from mixedwai.errors import DataValueError, InsufficientDataError
from mixedwai.quant.ward.hierarchy import WardTree, _deduplicate, _expand
from mixedwai.quant.ward.kernel import TIE_RTOL, _nn_chain

__all__ = ["ward_tree"]


def _as_matrix(X: object) -> np.ndarray:
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataValueError(f"ward_tree: X must hold numbers only ({exc})") from exc
    if arr.ndim != 2:
        raise DataValueError(f"ward_tree: X must be 2-D (rows x variables); got {arr.ndim}-D")
    if arr.shape[0] < 2:
        raise InsufficientDataError(
            f"ward_tree: at least 2 rows are needed to build a tree; got {arr.shape[0]}"
        )
    if arr.shape[1] < 1:
        raise DataValueError("ward_tree: X has no column")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows = np.flatnonzero(bad.any(axis=1))
        shown = ", ".join(str(r) for r in rows[:25]) + (" ..." if len(rows) > 25 else "")
        raise DataValueError(
            f"ward_tree: X holds missing or infinite values in {len(rows)} row(s) "
            f"(0-based positions: {shown}); Ward needs complete numeric rows"
        )
    return arr + 0.0  # turns -0.0 into 0.0 so that equal rows compare equal


def _check_weights(sample_weight: object, n: int) -> np.ndarray:
    try:
        w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise DataValueError(f"ward_tree: sample_weight must be numbers ({exc})") from exc
    if w.shape[0] != n:
        raise DataValueError(
            f"ward_tree: sample_weight has {w.shape[0]} values for {n} rows of X"
        )
    bad = np.flatnonzero(~(np.isfinite(w) & (w > 0)))
    if bad.size:
        shown = ", ".join(f"{i} ({float(w[i])!r})" for i in bad[:25])
        raise DataValueError(
            f"ward_tree: sample_weight must be finite and > 0; offending rows "
            f"(0-based position and value): {shown}"
        )
    return w


def _distinct_tree(
    distinct: np.ndarray, weights: np.ndarray, counts: np.ndarray, rtol: float = TIE_RTOL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ward tree of weighted distinct rows: (linkage (m-1, 4), costs, tied), sorted by height.

    Ties are broken toward the lowest index in the given row order; pass the
    rows in another order to break ties another way.
    """
    m = distinct.shape[0]
    if m == 1:
        return np.empty((0, 4)), np.empty(0), np.empty(0, dtype=bool)
    points = np.ascontiguousarray(distinct.T, dtype=np.float64)
    children, costs, heights, tied, sizes = _nn_chain(
        points,
        np.ascontiguousarray(weights, dtype=np.float64),
        np.ascontiguousarray(counts, dtype=np.int64),
        float(rtol),
    )
    # Stable sort by effective height: a topological order (children before parents),
    # keeping the chain's execution order among equal heights.
    order = np.argsort(heights, kind="stable")
    rank = np.empty(m - 1, dtype=np.int64)
    rank[order] = np.arange(m - 1)
    ch = children[order]
    internal = ch >= m
    ch[internal] = m + rank[ch[internal] - m]
    ch.sort(axis=1)
    Z = np.empty((m - 1, 4))
    Z[:, :2] = ch
    Z[:, 2] = heights[order]
    Z[:, 3] = sizes[order]
    return Z, costs[order], tied[order]


def _workers(n_jobs: int) -> int:
    """Threads for ``n_jobs`` independent trees: the cores this process may use (at most 8)."""
    import os

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8, n_jobs))


def _distinct_trees(
    jobs: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`_distinct_tree` of each ``(distinct, weights, counts)``, in job order.

    The trees of resamples and tie permutations are independent and the kernel
    releases the GIL, so they run on threads, one per core; each tree is what
    it would be alone, so the results do not depend on the number of cores.
    """
    workers = _workers(len(jobs))
    if workers == 1:
        return [_distinct_tree(*job) for job in jobs]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: _distinct_tree(*job), jobs))


def ward_tree(X: object, *, sample_weight: object | None = None) -> WardTree:
    """Ward's minimum-variance hierarchy, exact and independent of row order.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The rows to cluster (for trajectories: one row per case, one column
        per time). Numbers only, no missing value.
    sample_weight : array-like of shape (n,), optional
        Positive weights (default 1). Integer weights are equivalent to
        repeating rows.

    Returns
    -------
    WardTree
        The tree (scipy linkage format, for all ``n`` rows), the distinct
        rows with their counts and weights, the row -> distinct-row map, the
        tie flags, and ``labels(k)`` for any partition.

    Raises
    ------
    DataValueError
        ``X`` is not a 2-D numeric array, holds missing or infinite values,
        or ``sample_weight`` is not positive and finite, or of the wrong length.
    InsufficientDataError
        ``X`` has fewer than 2 rows.

    Notes
    -----
    **Method.** Ward (1963) merges, at each step, the two clusters whose union
    increases the within-cluster (error) sum of squares the least. For
    clusters A, B of weights :math:`w_A, w_B` and centroids
    :math:`c_A, c_B` the increase is

    .. math:: \\Delta(A, B) = \\frac{w_A w_B}{w_A + w_B} \\lVert c_A - c_B \\rVert^2 ,

    and the height reported (as scipy's ``linkage(method="ward")``) is
    :math:`\\sqrt{2\\Delta}`. Equal rows cost nothing to merge, so the tree on
    all rows is the tree on the distinct rows, each weighted by its count,
    preceded by height-0 merges of duplicates. Ward's criterion is reducible,
    so the nearest-neighbour chain (Benzecri 1982; Murtagh 1983; Muellner 2011)
    finds the same tree as the greedy algorithm with O(m) memory and O(m^2)
    time on ``m`` distinct rows; it is compiled with numba.

    **Tie rule.** Costs within a relative ``TIE_RTOL`` (1e-10) of the minimum
    are tied. When the chain looks for the nearest neighbour of its tip it
    keeps the previous chain element if it is among the tied candidates
    (needed for the chain to terminate); otherwise it takes the candidate
    holding the lowest distinct row in the canonical (lexicographic) order. A
    merged cluster is identified by its lowest distinct row, and a new chain
    starts from the lowest remaining one. Merges of equal height are listed in
    the order the chain made them. A merge is flagged as *tied* when either of
    the two nearest-neighbour searches that confirmed it found more than one
    candidate at the minimal cost.

    **Checked against** ``scipy.cluster.hierarchy.linkage(X, "ward")``: equal
    heights (to 1e-9) and equal ``fcluster(..., "maxclust")`` partitions on
    data without ties; identical distinct tree, heights and partitions under
    every permutation of tied (WAI-like) rows; brute-force enumeration of all
    tie orders on small data (see ``tests/quant/test_ward.py``).

    ``fastcluster.linkage_vector`` is not used as a fast path: it has no
    weights, needs all ``n`` rows (not the ``m`` distinct ones) and breaks ties
    by input order, which is what this function exists to avoid.

    References
    ----------
    Ward, J. H. (1963). Hierarchical grouping to optimize an objective function.
    JASA 58, 236-244. Muellner, D. (2011). Modern hierarchical, agglomerative
    clustering algorithms. arXiv:1109.2378.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.cluster.hierarchy import linkage
    >>> X = np.array([[0.0, 0.0], [0.0, 1.1], [3.0, 0.0], [3.2, 0.5], [0.0, 1.1]])
    >>> tree = ward_tree(X)
    >>> bool(np.allclose(tree.heights, linkage(X, "ward")[:, 2]))
    True
    >>> tree.labels(2).tolist()
    [0, 0, 1, 1, 0]
    """
    arr = _as_matrix(X)
    n = arr.shape[0]
    distinct, order, starts, inverse = _deduplicate(arr)
    counts = np.diff(np.append(starts, n)).astype(np.int64)
    if sample_weight is None:
        weights = counts.astype(np.float64)
    else:
        w = _check_weights(sample_weight, n)
        weights = np.add.reduceat(w[order], starts)
    Zd, costs, tied = _distinct_tree(distinct, weights, counts)
    Z = _expand(Zd, order, starts, counts)
    return WardTree(
        linkage=Z,
        distinct=distinct,
        counts=counts,
        weights=weights,
        inverse=inverse,
        distinct_linkage=Zd,
        costs=costs,
        tied=tied,
    )
