"""The Ward hierarchy over all input rows, and the map between rows and distinct rows.

:class:`WardTree` holds what :func:`mixedwai.quant.ward.tree.ward_tree` computed;
:func:`_deduplicate` finds the distinct rows (canonical order) and
:func:`_expand` turns the tree over distinct rows into the tree over every input
row (duplicates merge first, at height 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mixedwai.errors import OptionError
from mixedwai.quant.ward.kernel import TIE_RTOL, _cut_roots

__all__ = ["WardTree"]


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

    Examples
    --------
    >>> import numpy as np
    >>> from mixedwai.quant.ward.tree import ward_tree
    >>> tree = ward_tree(np.array([[1.0], [1.0], [2.0], [5.0]]))
    >>> tree.n_rows, tree.n_distinct, tree.counts.tolist()
    (4, 3, [2, 1, 1])
    >>> tree.labels(2).tolist(), round(tree.within_ss(2), 4), round(tree.total_ss, 4)
    ([0, 0, 0, 1], 0.6667, 10.75)
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
