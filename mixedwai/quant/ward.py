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

from dataclasses import dataclass, field

import numba
import numpy as np

from mixedwai.errors import DataValueError, InsufficientDataError, OptionError

__all__ = ["TIE_RTOL", "WardTree", "ward_tree"]

#: Two merge costs ``a <= b`` are treated as tied when ``b <= a * (1 + TIE_RTOL)``.
#: Far above floating-point noise in the costs (about 1e-15 relative), far below
#: any difference that matters for a partition.
TIE_RTOL = 1e-10


# --------------------------------------------------------------------------- kernels


@numba.njit(cache=True, nogil=True)
def _nn_chain(points, weights, counts, rtol):
    """Weighted Ward by nearest-neighbour chain on ``points`` (d x m).

    Returns, in execution order: children node ids (leaves 0..m-1, the
    j-th merge creates node m + j), merge cost (increase of the weighted
    error sum of squares), effective height (monotone along the tree),
    tie flag, and the number of rows in the new cluster.
    """
    d, m = points.shape
    ac = points.copy()  # centroids of active clusters, compacted by position
    aw = weights.copy()  # their weights
    an = counts.copy()  # their row counts
    aslot = np.arange(m)  # slot (= lowest distinct row index) at each position
    where = np.arange(m)  # position of each slot, -1 once merged away
    node = np.arange(m)  # current node id of each slot
    heff = np.zeros(2 * m - 1)
    children = np.empty((m - 1, 2), dtype=np.int64)
    cost_out = np.empty(m - 1)
    height_out = np.empty(m - 1)
    tied_out = np.zeros(m - 1, dtype=np.bool_)
    size_out = np.empty(m - 1, dtype=np.int64)
    chain = np.empty(m, dtype=np.int64)
    chain_tied = np.zeros(m, dtype=np.bool_)
    buf = np.empty(m)
    n_act = m
    clen = 0
    start = 0
    for step in range(m - 1):
        while True:
            if clen == 0:
                while where[start] < 0:
                    start += 1
                chain[0] = start
                clen = 1
            a = chain[clen - 1]
            pa = where[a]
            prev = chain[clen - 2] if clen >= 2 else -1
            # squared distances from the tip's centroid to every active centroid
            row = ac[0]
            ct = row[pa]
            for p in range(n_act):
                diff = row[p] - ct
                buf[p] = diff * diff
            for t in range(1, d):
                row = ac[t]
                ct = row[pa]
                for p in range(n_act):
                    diff = row[p] - ct
                    buf[p] += diff * diff
            wa = aw[pa]
            for p in range(n_act):
                buf[p] *= wa * aw[p] / (wa + aw[p])
            buf[pa] = np.inf
            best = np.inf
            for p in range(n_act):
                best = min(best, buf[p])
            threshold = best + best * rtol
            count = 0
            best_slot = m
            prev_ok = False
            for p in range(n_act):
                if buf[p] <= threshold:
                    count += 1
                    s = aslot[p]
                    if s < best_slot:
                        best_slot = s
                    if s == prev:
                        prev_ok = True
            tied = count > 1
            if prev_ok:
                break
            chain_tied[clen - 1] = tied
            chain[clen] = best_slot
            clen += 1
        # merge the tip a with prev (reciprocal nearest neighbours)
        pb = where[prev]
        cost = buf[pb]
        wb = aw[pb]
        wn = wa + wb
        keep = min(a, prev)
        drop = max(a, prev)
        pk = where[keep]
        pd_ = where[drop]
        for t in range(d):
            ac[t, pk] = (wa * ac[t, pa] + wb * ac[t, pb]) / wn
        aw[pk] = wn
        an[pk] = an[pa] + an[pb]
        na = node[a]
        nb = node[prev]
        children[step, 0] = min(na, nb)
        children[step, 1] = max(na, nb)
        h = np.sqrt(2.0 * cost)
        he = max(h, heff[na], heff[nb])
        heff[m + step] = he
        cost_out[step] = cost
        height_out[step] = he
        tied_out[step] = tied or chain_tied[clen - 2]
        size_out[step] = an[pk]
        node[keep] = m + step
        last = n_act - 1
        if pd_ != last:
            for t in range(d):
                ac[t, pd_] = ac[t, last]
            aw[pd_] = aw[last]
            an[pd_] = an[last]
            aslot[pd_] = aslot[last]
            where[aslot[pd_]] = pd_
        where[drop] = -1
        n_act -= 1
        clen -= 2
    return children, cost_out, height_out, tied_out, size_out

@numba.njit(cache=True, nogil=True)
def _cut_roots(children, n_leaves, k):
    """Canonical cluster number (0..k-1, by lowest leaf) of each leaf at k clusters."""
    n_merge = n_leaves - k
    total = n_leaves + n_merge
    parent = np.full(total, -1, dtype=np.int64)
    for i in range(n_merge):
        parent[children[i, 0]] = n_leaves + i
        parent[children[i, 1]] = n_leaves + i
    root = np.empty(total, dtype=np.int64)
    for x in range(total - 1, -1, -1):
        root[x] = x if parent[x] < 0 else root[parent[x]]
    number = np.full(total, -1, dtype=np.int64)
    labels = np.empty(n_leaves, dtype=np.int64)
    nxt = 0
    for leaf in range(n_leaves):
        r = root[leaf]
        if number[r] < 0:
            number[r] = nxt
            nxt += 1
        labels[leaf] = number[r]
    return labels


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class WardTree:
    """A Ward hierarchy over ``n`` input rows, computed on their ``m`` distinct rows.

    Attributes
    ----------
    linkage : numpy.ndarray, shape (n - 1, 4)
        The tree over all input rows in scipy's format: children ids, height,
        number of rows. The first ``n - m`` merges join duplicate rows at
        height 0 (rows of one distinct value are joined in input order); the
        others are the distinct-row tree.
    heights : numpy.ndarray, shape (n - 1,)
        ``linkage[:, 2]``: scipy's Ward height ``sqrt(2 * cost)``.
    distinct : numpy.ndarray, shape (m, d)
        The distinct rows in lexicographic (canonical) order.
    counts : numpy.ndarray of int, shape (m,)
        Number of input rows equal to each distinct row.
    weights : numpy.ndarray of float, shape (m,)
        Weight of each distinct row (``counts``, or the summed ``sample_weight``).
    inverse : numpy.ndarray of int, shape (n,)
        Input row -> index of its distinct row.
    distinct_linkage : numpy.ndarray, shape (m - 1, 4)
        The tree over the distinct rows, scipy's format (4th column: rows).
    costs : numpy.ndarray, shape (m - 1,)
        Increase of the (weighted) within-cluster sum of squares at each
        distinct merge, in the order of ``distinct_linkage``.
    tied : numpy.ndarray of bool, shape (m - 1,)
        Whether each distinct merge was decided among tied costs (see Notes
        of :func:`ward_tree`).
    """

    linkage: np.ndarray
    distinct: np.ndarray
    counts: np.ndarray
    weights: np.ndarray
    inverse: np.ndarray
    distinct_linkage: np.ndarray
    costs: np.ndarray
    tied: np.ndarray
    tie_rtol: float = TIE_RTOL
    _cum_costs: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cum_costs", np.concatenate([[0.0], np.cumsum(self.costs)]))

    @property
    def heights(self) -> np.ndarray:
        """Merge heights of :attr:`linkage` (scipy's Ward distances)."""
        return self.linkage[:, 2]

    @property
    def n_rows(self) -> int:
        """Number of input rows ``n``."""
        return int(self.inverse.shape[0])

    @property
    def n_distinct(self) -> int:
        """Number of distinct rows ``m``."""
        return int(self.distinct.shape[0])

    @property
    def n_tied(self) -> int:
        """Number of distinct-row merges decided among tied costs (whole tree)."""
        return int(self.tied.sum())

    @property
    def total_ss(self) -> float:
        """Total (weighted) sum of squares about the grand centroid."""
        return float(self._cum_costs[-1])

    def _check_k(self, k: int, *, high: int) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= high:
            raise OptionError(f"k = {k!r} is not allowed; expected an integer from 1 to {high}")
        return int(k)

    def distinct_labels(self, k: int) -> np.ndarray:
        """Cluster (0..k-1) of each distinct row in the k-cluster partition.

        Clusters are numbered in the order of their first distinct row in the
        canonical order (cluster 0 holds distinct row 0).
        """
        k = self._check_k(k, high=self.n_distinct)
        children = self.distinct_linkage[:, :2].astype(np.int64)
        return _cut_roots(children, self.n_distinct, k)

    def labels(self, k: int) -> np.ndarray:
        """Cluster (0..k-1) of each input row in the k-cluster partition.

        For ``k <= n_distinct`` the partition is cut from the distinct-row tree
        and mapped to the rows (equal rows always share a cluster; numbering
        as :meth:`distinct_labels`). A larger ``k`` splits groups of equal rows
        along the height-0 merges, i.e. by input order.
        """
        k = self._check_k(k, high=self.n_rows)
        if k <= self.n_distinct:
            return self.distinct_labels(k)[self.inverse]
        return _cut_roots(self.linkage[:, :2].astype(np.int64), self.n_rows, k)

    def within_ss(self, k: int) -> float:
        """(Weighted) within-cluster sum of squares of the k-cluster partition.

        Equal to the agglomeration coefficient after ``n - k`` merges, i.e. the
        sum of the costs of the first ``m - k`` distinct merges (duplicates
        cost nothing). Zero for ``k >= n_distinct``.
        """
        k = self._check_k(k, high=self.n_rows)
        return float(self._cum_costs[max(self.n_distinct - k, 0)])

    def n_tied_merges(self, k: int) -> int:
        """Number of merges decided among tied costs on the way down to k clusters."""
        k = self._check_k(k, high=self.n_rows)
        return int(self.tied[: max(self.n_distinct - k, 0)].sum())


# --------------------------------------------------------------------------- building


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


def _deduplicate(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct rows (lexicographic), row order grouped by distinct row, group starts, inverse."""
    order = np.lexsort(X.T[::-1])  # first column is the primary key; stable
    sorted_rows = X[order]
    new = np.empty(X.shape[0], dtype=bool)
    new[0] = True
    np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1, out=new[1:])
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    inverse = np.empty(X.shape[0], dtype=np.int64)
    inverse[order] = group
    return sorted_rows[starts], order, starts, inverse


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


def _expand(
    Zd: np.ndarray, order: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """The tree over all n rows: duplicates merge first at height 0, then the distinct tree."""
    n = order.shape[0]
    m = starts.shape[0]
    n_dup = n - m
    Z = np.empty((n - 1, 4))
    # position of each sorted row inside its group
    group_of = np.repeat(np.arange(m), counts)
    pos_in_group = np.arange(n) - starts[group_of]
    dup = pos_in_group > 0
    stage = np.cumsum(dup) - 1  # stage (0-based) of each non-first row's merge
    right = order[dup]
    prev_is_first = pos_in_group[dup] == 1
    left = np.where(prev_is_first, order[np.flatnonzero(dup) - 1], n + stage[dup] - 1)
    Z[:n_dup, 0] = np.minimum(left, right)
    Z[:n_dup, 1] = np.maximum(left, right)
    Z[:n_dup, 2] = 0.0
    Z[:n_dup, 3] = pos_in_group[dup] + 1
    # node representing each distinct row: its single row, or its last duplicate merge
    last_stage = np.cumsum(counts - 1) - 1
    rep = np.where(counts == 1, order[starts], n + last_stage)
    ch = Zd[:, :2].astype(np.int64)
    mapped = np.where(ch < m, rep[np.minimum(ch, m - 1)], ch - m + n + n_dup)
    mapped.sort(axis=1)
    Z[n_dup:, :2] = mapped
    Z[n_dup:, 2:] = Zd[:, 2:]
    return Z


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
