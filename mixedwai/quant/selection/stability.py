"""Bootstrap stability of Ward clusters (mean Jaccard, as R's ``fpc::clusterboot``).

:func:`bootstrap_stability` resamples the cases, clusters each replicate with the
same Ward tie rule and reports, per cluster, how well it is recovered (Hennig
2007); :func:`mixedwai.quant.selection.rules.select_k` reports the mean over clusters
for each k. The checks and the canonical row order shared with the k table are
here too (:func:`_check_tree`, :func:`_canonical_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mixedwai._validation import check_range
from mixedwai.errors import DataValueError, OptionError
from mixedwai.quant.ward.hierarchy import WardTree
from mixedwai.quant.ward.kernel import _cut_roots
from mixedwai.quant.ward.tree import _distinct_trees, ward_tree

__all__ = ["STABILITY_MAX_N", "bootstrap_stability"]

#: Above this many cases, each bootstrap replicate draws this many cases (with
#: replacement) instead of ``n``: an m-out-of-n bootstrap that keeps the cost flat.
STABILITY_MAX_N = 2000

#: Jaccard at or below this: the cluster "dissolved" in a replicate (Hennig 2007).
DISSOLVED = 0.5
#: Jaccard at or above this: the cluster was "recovered" (Hennig 2007).
RECOVERED = 0.75


def _canonical_rows(tree: WardTree) -> np.ndarray:
    """Distinct-row index of each case, cases listed in canonical (sorted) order."""
    return np.repeat(np.arange(tree.n_distinct), tree.counts)


def _check_tree(X: object, tree: WardTree) -> None:
    if not isinstance(tree, WardTree):
        raise OptionError(f"tree must be a WardTree from ward_tree(); got {type(tree).__name__}")
    shape = np.shape(X)
    if len(shape) != 2 or shape[0] != tree.n_rows or shape[1] != tree.distinct.shape[1]:
        raise DataValueError(
            f"X has shape {shape} but the tree was built on {tree.n_rows} rows of "
            f"{tree.distinct.shape[1]} columns; pass the X the tree was built from"
        )


def _stability_runs(
    tree: WardTree,
    ks: Sequence[int],
    *,
    n_boot: int,
    random_state: int | None,
    max_n: int,
) -> dict[int, np.ndarray]:
    """Jaccard of each original cluster in each replicate: {k: array (n_boot, k)}."""
    rng = np.random.default_rng(random_state)
    n = tree.n_rows
    size = min(n, max_n)
    rows = _canonical_rows(tree)
    original = {k: tree.distinct_labels(k) for k in ks}
    out = {k: np.full((n_boot, k), np.nan) for k in ks}
    resamples = []  # drawn in order, so the replicates are those of one seed
    for b in range(n_boot):
        draw = rows[rng.integers(0, n, size=size)]
        uniq, inverse, counts = np.unique(draw, return_inverse=True, return_counts=True)
        if uniq.shape[0] >= 2:
            resamples.append((b, draw, uniq, inverse, counts))
    # sub-rows keep the canonical order, so the tie rule is the same
    trees = _distinct_trees([
        (tree.distinct[uniq], tree.weights[uniq] / tree.counts[uniq] * counts,
         counts.astype(np.int64))
        for _, _, uniq, _, counts in resamples
    ])
    for (b, draw, uniq, inverse, _), (Zd, _, _) in zip(resamples, trees, strict=True):
        children = Zd[:, :2].astype(np.int64)
        for k in ks:
            if k > uniq.shape[0]:
                continue
            new = _cut_roots(children, uniq.shape[0], k)[inverse]
            old = original[k][draw]
            inter = np.bincount(old * k + new, minlength=k * k).reshape(k, k).astype(float)
            size_old = inter.sum(axis=1)
            size_new = inter.sum(axis=0)
            union = size_old[:, None] + size_new[None, :] - inter
            with np.errstate(divide="ignore", invalid="ignore"):
                jac = np.where(union > 0, inter / union, 0.0).max(axis=1)
            jac[size_old == 0] = np.nan
            out[k][b] = jac
    return out


def _stability_frame(jac: np.ndarray, tree: WardTree, k: int) -> pd.DataFrame:
    labels = tree.distinct_labels(k)
    sizes = np.bincount(labels, weights=tree.counts, minlength=k).astype(np.int64)
    valid = np.isfinite(jac)
    mean = np.array(
        [np.nan if not valid[:, c].any() else jac[valid[:, c], c].mean() for c in range(k)]
    )
    return pd.DataFrame(
        {
            "n": sizes,
            "jaccard_mean": mean,
            "dissolved": (valid & (jac <= DISSOLVED)).sum(axis=0),
            "recovered": (valid & (jac >= RECOVERED)).sum(axis=0),
            "n_boot": valid.sum(axis=0),
        },
        index=pd.RangeIndex(k, name="cluster"),
    )


def bootstrap_stability(
    X: object,
    k: int,
    *,
    n_boot: int = 100,
    random_state: int | None = 0,
    max_n: int = STABILITY_MAX_N,
    tree: WardTree | None = None,
) -> pd.DataFrame:
    """Cluster-wise stability of the Ward k-partition under bootstrap resampling.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The rows that were clustered.
    k : int
        Number of clusters (2 .. number of distinct rows).
    n_boot : int, default=100
        Number of bootstrap replicates (``B`` in ``fpc::clusterboot``).
    random_state : int or None, default=0
        Seed of the resampling.
    max_n : int, default=2000
        Cases drawn per replicate when ``n`` is larger (m-out-of-n
        bootstrap); with ``n <= max_n`` every replicate draws ``n`` cases, as
        ``clusterboot`` does.
    tree : WardTree, optional
        The tree of ``X``, if already built (saves building it again).

    Returns
    -------
    pandas.DataFrame
        Index ``cluster`` (0-based, numbered as ``WardTree.labels``), columns:

        - ``n``: cases in the cluster;
        - ``jaccard_mean``: mean over replicates of the cluster's Jaccard
          similarity with its most similar cluster in the replicate;
        - ``dissolved``: replicates in which that Jaccard was <= 0.5;
        - ``recovered``: replicates in which it was >= 0.75;
        - ``n_boot``: replicates in which the cluster was represented.

    Raises
    ------
    OptionError
        ``k``, ``n_boot`` or ``max_n`` out of range.
    DataValueError, InsufficientDataError
        As :func:`mixedwai.quant.ward.tree.ward_tree`.

    Notes
    -----
    Follows Hennig (2007) and ``fpc::clusterboot(bootmethod="boot")``: each
    replicate draws cases with replacement, clusters them with the same method
    (Ward, same tie rule) into ``k`` clusters, and for each original cluster
    ``C`` computes, on the drawn cases (counted with multiplicity),
    :math:`\\max_{C'} |C \\cap C'| / |C \\cup C'|` over the replicate's clusters
    ``C'``. A mean Jaccard below 0.6 marks an unstable cluster, 0.6-0.75 a
    pattern, above 0.85 a highly stable one (Hennig 2007). Cases are drawn
    from the canonical (sorted) order, so the result does not depend on the
    order of the rows of ``X``. Replicates where a cluster drew no case, or
    that hold fewer than ``k`` distinct rows, are left out for that cluster.

    References
    ----------
    Hennig, C. (2007). Cluster-wise assessment of cluster stability.
    Computational Statistics & Data Analysis 52, 258-271.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 1.1], [1.2, 0.9], [1.1, 1.0], [5.0, 5.1], [5.2, 4.9], [4.9, 5.0]])
    >>> bootstrap_stability(X, 2, n_boot=20).round(3)
             n  jaccard_mean  dissolved  recovered  n_boot
    cluster
    0        3         0.974          1         18      19
    1        3         0.991          0         19      19
    """
    if tree is None:
        tree = ward_tree(X)
    else:
        _check_tree(X, tree)
    check_range("n_boot", n_boot, low=1, integer=True, limit="MAX_N_BOOT")
    check_range("max_n", max_n, low=2, integer=True)
    check_range("k", k, low=2, high=tree.n_distinct, integer=True)
    runs = _stability_runs(
        tree, [int(k)], n_boot=int(n_boot), random_state=random_state, max_n=int(max_n)
    )
    return _stability_frame(runs[int(k)], tree, int(k))
