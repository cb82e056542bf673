"""How much a Ward solution depends on the way tied merge costs were broken.

On discrete scores (WAI means of 12 Likert items) many Ward merge costs are
exactly equal. mixedwai breaks ties by a fixed rule (see
:func:`mixedwai.quant.ward.tree.ward_tree`), so the same data always give the same
tree; but another program, or the same program with the rows in another
order, breaks them otherwise and may return other clusters. The diagnostic
here re-runs Ward with the ties broken at random (``n_seeds`` seeded runs) and
measures how far the resulting k-partitions are from the canonical one.

Examples
--------
>>> import numpy as np
>>> from mixedwai.quant.ward.tree import ward_tree
>>> continuous = np.random.default_rng(0).normal(size=(40, 3))
>>> tie_sensitivity(ward_tree(continuous), [2, 3], n_seeds=5).table
   tied_merges  ari_median  ari_min  identical  n_seeds  n_cases
k
2            0         1.0      1.0        1.0        5       40
3            0         1.0      1.0        1.0        5       40
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mixedwai._validation import check_range
from mixedwai.quant.ward.hierarchy import WardTree
from mixedwai.quant.ward.kernel import _cut_roots
from mixedwai.quant.ward.tree import _distinct_tree, _distinct_trees

__all__ = [
    "TIE_ARI_WARNING",
    "TIE_MAX_N",
    "TieSensitivity",
    "tie_message",
    "tie_sensitivity",
    "weighted_ari",
]

#: Below this median adjusted Rand index a TieSensitivityWarning is issued.
TIE_ARI_WARNING = 0.9
#: Above this many cases the diagnostic runs on a seeded sample of this many.
TIE_MAX_N = 10_000


def weighted_ari(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> float:
    """Adjusted Rand index of two labelings of weighted items (integer weights = repeated items).

    Equals ``sklearn.metrics.adjusted_rand_score(np.repeat(a, w), np.repeat(b, w))``
    for integer weights ``w`` (checked in the tests), without expanding.

    Parameters
    ----------
    a, b : numpy.ndarray
        Two labelings of the same items.
    weights : numpy.ndarray
        Weight (number of cases) of each item.

    Returns
    -------
    float
        The adjusted Rand index (1 = the same partition; about 0 = chance).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import adjusted_rand_score
    >>> a, b, w = np.array([0, 0, 1, 1]), np.array([0, 0, 1, 2]), np.array([2, 1, 1, 2])
    >>> round(weighted_ari(a, b, w), 4)
    0.7059
    >>> round(adjusted_rand_score(np.repeat(a, w), np.repeat(b, w)), 4)
    0.7059
    """
    a = np.asarray(a)
    b = np.asarray(b)
    _, ia = np.unique(a, return_inverse=True)
    _, ib = np.unique(b, return_inverse=True)
    ka, kb = int(ia.max()) + 1, int(ib.max()) + 1
    table = np.bincount(ia * kb + ib, weights=weights, minlength=ka * kb).reshape(ka, kb)
    n = table.sum()

    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    sum_ij = pairs(table)
    sum_a = pairs(table.sum(axis=1))
    sum_b = pairs(table.sum(axis=0))
    total = n * (n - 1) / 2
    expected = sum_a * sum_b / total if total > 0 else 0.0
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:  # both trivial (one cluster, or all singletons)
        return 1.0
    return float((sum_ij - expected) / (maximum - expected))


@dataclass(frozen=True, eq=False)
class TieSensitivity:
    """The tie diagnostic: a table per k and the partitions behind it.

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``k``, columns:

        - ``tied_merges``: merges of the canonical tree (all cases) decided
          among equal costs on the way down to k clusters;
        - ``ari_median``, ``ari_min``: median and lowest adjusted Rand index
          between the canonical k-partition and the k-partitions of the runs
          with random tie-breaks (1 = the same partition);
        - ``identical``: share of runs giving exactly the canonical partition;
        - ``n_seeds``: runs; ``n_cases``: cases used (all, or a sample).
    rows : numpy.ndarray
        Distinct rows (indices into ``tree.distinct``) the runs used.
    points : numpy.ndarray
        Those distinct rows' values.
    weights : numpy.ndarray
        Their weights in the runs.
    counts : numpy.ndarray
        Their number of cases in the runs.
    canonical : dict
        k -> canonical labels of ``rows``.
    runs : dict
        k -> array (n_seeds, len(rows)) of labels under random tie-breaks.
    sampled : bool
        Whether the runs used a sample of the cases.

    Examples
    --------
    >>> import numpy as np
    >>> from mixedwai.quant.ward.tree import ward_tree
    >>> ties = tie_sensitivity(ward_tree(np.arange(6.0)[:, None]), [2], n_seeds=10)
    >>> ties.canonical[2].tolist(), ties.runs[2].shape, ties.sampled
    ([0, 0, 0, 0, 1, 1], (10, 6), False)
    """

    table: pd.DataFrame
    rows: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    counts: np.ndarray
    canonical: dict[int, np.ndarray]
    runs: dict[int, np.ndarray]
    sampled: bool

    def refined(self, k: int, *, random_state: int | None = 0) -> tuple[float, float]:
        """Median and lowest ARI once every partition at k is refined by k-means.

        Each partition (canonical and random tie-breaks) is refined with
        :func:`mixedwai.quant.ward.refine.refine_kmeans`'s procedure (weighted
        k-means from its own centroids) before they are compared.
        """
        from mixedwai.quant.ward.refine import _kmeans_distinct

        if k not in self.runs:
            raise KeyError(f"k = {k} was not in the diagnostic (k = {sorted(self.runs)})")
        X = self.points
        base, _, _ = _kmeans_distinct(X, self.weights, self.canonical[k], k, random_state)
        aris = []
        for labels in self.runs[k]:
            refined, _, _ = _kmeans_distinct(X, self.weights, labels, k, random_state)
            aris.append(weighted_ari(base, refined, self.counts))
        values = np.asarray(aris)
        return float(np.median(values)), float(values.min())



def tie_sensitivity(
    tree: WardTree,
    ks: Sequence[int],
    *,
    n_seeds: int = 20,
    random_state: int | None = 0,
    max_n: int | None = TIE_MAX_N,
) -> TieSensitivity:
    """Re-run Ward with ties broken at random and compare the k-partitions with the canonical one.

    Parameters
    ----------
    tree : WardTree
        The canonical tree (:func:`mixedwai.quant.ward.tree.ward_tree`).
    ks : sequence of int
        Numbers of clusters to compare.
    n_seeds : int, default=20
        Runs with random tie-breaks (``R``).
    random_state : int or None, default=0
        Seed of the tie-breaks (and of the sample of cases).
    max_n : int or None, default=10000
        With more cases than this, the runs (and the canonical tree they are
        compared with) use a seeded sample of ``max_n`` cases: each run costs a
        whole Ward tree, so this keeps the diagnostic to seconds at a million
        cases. ``None``: always all cases.

    Returns
    -------
    TieSensitivity
        ``.table`` holds the numbers; ``.refined(k)`` the same comparison
        after k-means refinement.

    Raises
    ------
    OptionError
        ``n_seeds`` < 1, ``max_n`` < 10, or a k outside 1..number of distinct rows.

    Notes
    -----
    A run with random tie-breaks is the same algorithm on the distinct rows
    put in a random order: mixedwai's rule breaks ties toward the lowest row
    in the order it is given, so a random order breaks them at random, as
    another program (or scipy on shuffled rows) would. Without ties every run
    returns the canonical tree, so the ARIs are all 1 and ``tied_merges`` is 0.
    The adjusted Rand index (Hubert & Arabie 1985) is computed on the cases
    (distinct rows weighted by their counts). A median below 0.9 means that the
    patterns depend on arbitrary tie-breaking; k-means refinement
    (:func:`mixedwai.quant.ward.refine.refine_kmeans`) often removes most of that
    dependence, which :meth:`TieSensitivity.refined` measures.

    References
    ----------
    Hubert, L., & Arabie, P. (1985). Comparing partitions. Journal of
    Classification 2, 193-218.

    Examples
    --------
    Six equally spaced scores: every merge of neighbours costs the same, so
    the 2-cluster partition is decided by the tie rule alone.

    >>> import numpy as np
    >>> from mixedwai.quant.ward.tree import ward_tree
    >>> ties = tie_sensitivity(ward_tree(np.arange(6.0)[:, None]), [2, 3], n_seeds=10)
    >>> ties.table[["tied_merges", "ari_median", "identical"]].round(2)
       tied_merges  ari_median  identical
    k
    2            3        0.13        0.3
    3            2        1.00        0.8
    """
    check_range("n_seeds", n_seeds, low=1, integer=True, limit="MAX_TIE_SEEDS")
    if max_n is not None:
        check_range("max_n", max_n, low=10, integer=True)
    ks = [int(check_range("k", k, low=1, high=tree.n_distinct, integer=True)) for k in ks]
    rng = np.random.default_rng(random_state)
    sampled = max_n is not None and tree.n_rows > max_n
    if sampled:
        rows_all = np.repeat(np.arange(tree.n_distinct), tree.counts)
        pick = np.sort(rng.choice(tree.n_rows, size=int(max_n), replace=False))
        rows, counts = np.unique(rows_all[pick], return_counts=True)
        weights = tree.weights[rows] / tree.counts[rows] * counts
        Zc, _, _ = _distinct_tree(tree.distinct[rows], weights, counts.astype(np.int64))
        n_cases = int(max_n)
    else:
        rows = np.arange(tree.n_distinct)
        counts = tree.counts
        weights = tree.weights
        Zc = tree.distinct_linkage
        n_cases = tree.n_rows
    m = rows.shape[0]
    points = tree.distinct[rows]
    children = Zc[:, :2].astype(np.int64)
    usable = [k for k in ks if k <= m]
    canonical = {k: _cut_roots(children, m, k) for k in usable}
    runs = {k: np.empty((int(n_seeds), m), dtype=np.int64) for k in usable}
    perms = [rng.permutation(m) for _ in range(int(n_seeds))]  # drawn in order: same seeds
    trees = _distinct_trees([(points[perm], weights[perm], counts[perm].astype(np.int64))
                             for perm in perms])
    for r, (perm, (Zr, _, _)) in enumerate(zip(perms, trees, strict=True)):
        ch = Zr[:, :2].astype(np.int64)
        for k in usable:
            labels = np.empty(m, dtype=np.int64)
            labels[perm] = _cut_roots(ch, m, k)
            runs[k][r] = labels
    records = []
    for k in ks:
        if k in canonical:
            aris = np.array([weighted_ari(canonical[k], lab, counts) for lab in runs[k]])
            identical = float(np.mean([_same_partition(canonical[k], lab) for lab in runs[k]]))
            median, low = float(np.median(aris)), float(aris.min())
        else:
            median = low = identical = float("nan")
        records.append(
            {
                "k": k,
                "tied_merges": tree.n_tied_merges(k),
                "ari_median": median,
                "ari_min": low,
                "identical": identical,
                "n_seeds": int(n_seeds),
                "n_cases": n_cases,
            }
        )
    table = pd.DataFrame(records).set_index("k")
    return TieSensitivity(
        table=table,
        rows=rows,
        points=points,
        weights=weights,
        counts=counts,
        canonical=canonical,
        runs=runs,
        sampled=bool(sampled),
    )


def _same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = np.unique(a * (int(b.max()) + 1) + b).shape[0]
    return pairs == np.unique(a).shape[0] == np.unique(b).shape[0]


def tie_message(
    k: int,
    row: pd.Series,
    *,
    total_merges: int,
    sampled: bool = False,
    refined: tuple[float, float] | None = None,
) -> str:
    """Plain words for the TieSensitivityWarning (``row``: a row of ``TieSensitivity.table``).

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"tied_merges": 3, "n_seeds": 10, "ari_median": 0.13,
    ...                  "ari_min": -0.07, "n_cases": 6})
    >>> print(tie_message(2, row, total_merges=4))  # doctest: +ELLIPSIS
    these patterns depend on arbitrary tie-breaking: with k = 2, 3 of the 4 merges were ...
    """
    sample = f" (on a sample of {int(row['n_cases'])} cases)" if sampled else ""
    return (
        f"these patterns depend on arbitrary tie-breaking: with k = {k}, "
        f"{int(row['tied_merges'])} of the {total_merges} merges were decided among equal "
        f"costs, and {int(row['n_seeds'])} re-runs of Ward with ties broken at random gave "
        f"partitions that agree with this one at a median adjusted Rand index of "
        f"{row['ari_median']:.2f} (lowest {row['ari_min']:.2f}){sample}"
    ) + (
        f"; after k-means refinement they agree at a median of {refined[0]:.2f} "
        f"(lowest {refined[1]:.2f}). Another program, or the same data in another order, "
        "may give other clusters: report this."
        if refined is not None
        else ". Another program, or the same data in another order, may give other "
        "clusters: report this, or consider refine='kmeans'."
    )
