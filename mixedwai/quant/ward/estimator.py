"""The Ward clustering estimator (scikit-learn API) with the reference study's k rule.

:class:`WardClustering` builds the exact Ward tree
(:func:`mixedwai.quant.ward.tree.ward_tree`), chooses k
(:func:`mixedwai.quant.selection.rules.select_k`), runs the tie diagnostic and the
optional k-means refinement, and numbers the clusters by level.
:func:`mixedwai.quant.ward.clustering.cluster_trajectories` is its twin for everyday use.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import InsufficientDataError, OptionError, TieSensitivityWarning
from mixedwai.quant.selection.criteria import table_ks
from mixedwai.quant.selection.rules import MIN_CLUSTER_N, RULES, _select_k
from mixedwai.quant.selection.stability import STABILITY_MAX_N, _stability_frame
from mixedwai.quant.ward.hierarchy import WardTree
from mixedwai.quant.ward.refine import refine_kmeans
from mixedwai.quant.ward.schedule import agglomeration_schedule
from mixedwai.quant.ward.ties import (
    TIE_ARI_WARNING,
    TIE_MAX_N,
    TieSensitivity,
    tie_message,
    tie_sensitivity,
)
from mixedwai.quant.ward.tree import ward_tree

__all__ = ["DEVIATION_DECIMALS", "WardClustering"]

#: Deviation scores are rounded to this many decimals before clustering, so that
#: floating-point noise from subtracting the case mean does not split equal
#: trajectories (on a 1/12 grid, 13 393 "distinct" float rows are really 2 416).
DEVIATION_DECIMALS = 12


def _scores(X: np.ndarray, scores: str) -> np.ndarray:
    """The matrix that is clustered: direct scores, or deviations from the case mean."""
    if scores == "direct":
        return X
    return np.round(X - X.mean(axis=1, keepdims=True), DEVIATION_DECIMALS) + 0.0


def _order_by_level(
    raw_labels: np.ndarray, X: np.ndarray, weights: np.ndarray, k: int
) -> np.ndarray:
    """Relabel so that cluster 0 has the highest mean level (ties: canonical order)."""
    level = X.mean(axis=1)
    total = np.bincount(raw_labels, weights=weights, minlength=k)
    mean_level = np.bincount(raw_labels, weights=weights * level, minlength=k) / total
    # round so that float noise in equal means does not decide the order
    order = np.lexsort((np.arange(k), -np.round(mean_level, 10)))
    new = np.empty(k, dtype=np.int64)
    new[order] = np.arange(k)
    return new[raw_labels]


class WardClustering(ClusterMixin, BaseEstimator):
    """Ward's minimum-variance hierarchical clustering with the reference study's k rule.

    Parameters
    ----------
    n_clusters : "auto" or int, default="auto"
        Number of clusters, or ``"auto"``: the reference study's rule, see
        :func:`mixedwai.quant.selection.rules.select_k`.
    scores : {"direct", "deviation"}, default="direct"
        Cluster the rows as given (level and shape; de Roten et al. 2004) or
        each row minus its own mean (shape only; Kivlighan & Shaughnessy
        2000), rounded to :data:`DEVIATION_DECIMALS` decimals.
    k_rule : {"jump", "jump_all", "reduction"}, default="jump"
        How ``"auto"`` chooses k (``rule`` of :func:`~mixedwai.quant.selection.rules.select_k`).
    min_share : float, default=0.10
        With ``"auto"``: every cluster must hold at least this share of the rows.
    min_n : int, default=2
        With ``"auto"``: every cluster must also hold at least this many rows
        (``min_n`` of :func:`~mixedwai.quant.selection.rules.select_k`).
    max_k : int, default=6
        Largest k in the k-selection table.
    n_boot : int, default=100
        Bootstrap replicates for the stability column (0: skip).
    silhouette_sample : int, default=2000
        Silhouette on a seeded sample of this many rows when there are more.
    stability_max_n : int, default=2000
        Rows drawn per bootstrap replicate when there are more.
    random_state : int or None, default=0
        Seed of the silhouette sample, the bootstrap, the random tie-breaks of
        the tie diagnostic and k-means (the tree itself involves no randomness).
    refine : {None, "kmeans"}, default=None
        ``"kmeans"``: refine the Ward partition by k-means started from its
        centroids (:func:`mixedwai.quant.ward.refine.refine_kmeans`). Off by
        default, as in the reference study.
    tie_seeds : int, default=20
        Runs of Ward with ties broken at random for the tie diagnostic
        (:func:`mixedwai.quant.ward.ties.tie_sensitivity`); 0 skips it.
    tie_max_n : int or None, default=10000
        Above this many rows the tie diagnostic uses a seeded sample.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n_samples,)
        Cluster of each row, 0-based; cluster 0 has the highest mean level
        (mean over its rows of the row means of ``X``), then descending.
        After ``refine="kmeans"``, the refined clusters.
    ward_labels_ : ndarray of int, shape (n_tree,)
        The Ward clusters of the rows in the tree (numbered the same way),
        before any refinement.
    refinement_ : Refinement or None
        :class:`mixedwai.quant.ward.refine.Refinement` (R-squared before and
        after, cases moved) when ``refine="kmeans"``.
    tie_sensitivity_ : dict or None
        The tie diagnostic at ``n_clusters_``: ``tied_merges`` (of ``merges``,
        the distinct-row merges down to k), ``ari_median``,
        ``ari_min``, ``identical``, ``n_seeds``, ``n_cases``, ``sampled`` and,
        after refinement, ``refined_ari_median``, ``refined_ari_min``. A
        :class:`~mixedwai.errors.TieSensitivityWarning` is issued when the
        median ARI (of the refined partitions, if refined) is below 0.9.
    n_clusters_ : int
        Number of clusters used.
    children_ : ndarray of int, shape (n_tree - 1, 2)
        The merges, as scikit-learn's ``AgglomerativeClustering.children_``
        (node ``n_tree + i`` is formed at step ``i``).
    distances_ : ndarray, shape (n_tree - 1,)
        Merge heights (scipy's Ward distances).
    linkage_ : ndarray, shape (n_tree - 1, 4)
        scipy linkage matrix (``scipy.cluster.hierarchy.dendrogram`` accepts it).
    tree_ : WardTree
        The tree, with distinct rows, counts and tie flags.
    schedule_ : pandas.DataFrame
        Agglomeration schedule (:func:`mixedwai.quant.ward.schedule.agglomeration_schedule`).
    k_selection_ : pandas.DataFrame
        k-selection table (:func:`mixedwai.quant.selection.rules.select_k`).
    k_reason_ : str
        Why ``n_clusters_`` clusters, in words.
    stability_ : pandas.DataFrame or None
        Bootstrap stability of each Ward cluster of the chosen solution
        (:func:`mixedwai.quant.selection.rules.bootstrap_stability`, on the
        replicates of the k-selection table): index ``cluster`` (0-based,
        numbered as ``ward_labels_``), columns ``n``, ``jaccard_mean``,
        ``dissolved``, ``recovered``, ``n_boot``. None with ``n_boot=0``.
    cluster_centers_ : ndarray, shape (n_clusters_, n_features_in_)
        (Weighted) mean of each cluster's rows in the clustered scores.
    n_features_in_ : int
        Number of columns of ``X``.

    Notes
    -----
    The tree is :func:`mixedwai.quant.ward.tree.ward_tree` on the clustered scores:
    exact Ward, computed on the distinct rows weighted by their counts, with
    an order-independent tie rule, so ``labels_`` do not depend on the order
    of the rows. ``n_tree`` is the number of rows with a positive weight:
    rows with ``sample_weight == 0`` take no part in the tree (integer weights
    are equivalent to repeating rows, 0 to removing them) and are assigned to
    the nearest cluster centre.

    ``sklearn.utils.estimator_checks.check_estimator`` passes in full (see
    ``tests/quant/test_clustering.py``). Two differences from scikit-learn's
    own estimators are deliberate: options are validated when ``fit`` runs
    and bad ones raise :class:`mixedwai.errors.OptionError` (a ``ValueError``),
    and ``n_clusters="auto"`` raises :class:`~mixedwai.errors.InsufficientDataError`
    when no k in 2..max_k meets ``min_share``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[5.0, 5.1, 5.0], [5.1, 5.0, 5.2], [6.6, 6.7, 6.6],
    ...               [6.5, 6.6, 6.7], [5.0, 5.1, 5.0]])
    >>> model = WardClustering(n_clusters=2, n_boot=10).fit(X)
    >>> model.labels_.tolist()
    [1, 1, 0, 0, 1]
    >>> model.cluster_centers_.round(2).tolist()
    [[6.55, 6.65, 6.65], [5.03, 5.07, 5.07]]
    """

    def __init__(
        self,
        n_clusters: int | str = "auto",
        *,
        scores: str = "direct",
        k_rule: str = "jump",
        min_share: float = 0.10,
        max_k: int = 6,
        n_boot: int = 100,
        silhouette_sample: int = 2000,
        stability_max_n: int = STABILITY_MAX_N,
        random_state: int | None = 0,
        refine: str | None = None,
        tie_seeds: int = 20,
        tie_max_n: int | None = TIE_MAX_N,
        min_n: int = MIN_CLUSTER_N,
    ) -> None:
        self.n_clusters = n_clusters
        self.scores = scores
        self.k_rule = k_rule
        self.min_share = min_share
        self.max_k = max_k
        self.n_boot = n_boot
        self.silhouette_sample = silhouette_sample
        self.stability_max_n = stability_max_n
        self.random_state = random_state
        self.refine = refine
        self.tie_seeds = tie_seeds
        self.tie_max_n = tie_max_n
        self.min_n = min_n

    def _check_params(self) -> None:
        check_choice("scores", self.scores, ["direct", "deviation"])
        check_choice("k_rule", self.k_rule, RULES)
        if isinstance(self.n_clusters, str):
            if self.n_clusters != "auto":
                raise OptionError(
                    f"n_clusters = {self.n_clusters!r} is not allowed; "
                    "expected 'auto' or an integer >= 1"
                )
        else:
            check_range("n_clusters", self.n_clusters, low=1, integer=True)
        check_range("min_share", self.min_share, low=0.0, high=0.5)
        check_range("max_k", self.max_k, low=2, integer=True, limit="MAX_K")
        check_range("min_n", self.min_n, low=1, integer=True)
        check_range("n_boot", self.n_boot, low=0, integer=True, limit="MAX_N_BOOT")
        check_range("silhouette_sample", self.silhouette_sample, low=10, integer=True)
        check_range("stability_max_n", self.stability_max_n, low=10, integer=True)
        check_choice("refine", self.refine, [None, "kmeans"])
        check_range("tie_seeds", self.tie_seeds, low=0, integer=True, limit="MAX_TIE_SEEDS")
        if self.tie_max_n is not None:
            check_range("tie_max_n", self.tie_max_n, low=10, integer=True)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> WardClustering:
        """Build the tree, choose k and set the fitted attributes.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to cluster (e.g. cases by times).
        y : ignored
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; integers act as repeated rows.

        Returns
        -------
        self

        Raises
        ------
        OptionError
            A parameter out of range.
        InsufficientDataError
            Fewer than 2 distinct rows, or ``"auto"`` and no admissible k.
        ValueError
            ``X`` not numeric, with missing values, or fewer than 2 rows
            (scikit-learn's input validation).
        """
        from sklearn.utils.validation import _check_sample_weight, validate_data

        self._check_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        if self.scores == "deviation" and X.shape[1] < 2:
            raise OptionError(
                f"scores = 'deviation' needs at least 2 columns (times); got n_features = "
                f"{X.shape[1]}, whose deviations from the row mean are all 0"
            )
        if sample_weight is None:
            weights = np.ones(X.shape[0])
        else:
            weights = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
        Xs = _scores(X, self.scores)
        used = weights > 0
        if used.sum() < 2:
            raise InsufficientDataError(
                f"at least 2 rows with a positive weight are needed; got {int(used.sum())}"
            )
        all_used = bool(used.all())
        Xt = Xs if all_used else Xs[used]
        tree = ward_tree(Xt, sample_weight=None if sample_weight is None else weights[used])
        ties = None
        if self.tie_seeds > 0 and tree.n_distinct >= 2:
            ties = tie_sensitivity(
                tree,
                table_ks(tree, self.n_clusters, self.max_k),
                n_seeds=self.tie_seeds,
                random_state=self.random_state,
                max_n=self.tie_max_n,
            )
        k, table, reason, runs = _select_k(
            Xt,
            tree,
            k=self.n_clusters,
            rule=self.k_rule,
            min_share=self.min_share,
            max_k=self.max_k,
            n_boot=self.n_boot,
            silhouette_sample=self.silhouette_sample,
            stability_max_n=self.stability_max_n,
            random_state=self.random_state,
            tie_seeds=0,
            ties=ties,
            min_n=self.min_n,
        )
        w = weights[used]
        ward_raw = tree.labels(k)
        refinement = None
        if self.refine == "kmeans" and 2 <= k <= tree.n_distinct:
            refinement = refine_kmeans(tree, k, random_state=self.random_state)
            final_raw = refinement.labels
        else:
            final_raw = ward_raw
        tree_labels = _order_by_level(final_raw, X[used], w, k)
        ward_labels = _order_by_level(ward_raw, X[used], w, k)
        centers = np.vstack(
            [np.average(Xt[tree_labels == c], axis=0, weights=w[tree_labels == c])
             for c in range(k)]
        )
        labels = np.empty(X.shape[0], dtype=np.int64)
        labels[used] = tree_labels
        if not all_used:
            rest = Xs[~used]
            d2 = ((rest[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
            labels[~used] = d2.argmin(axis=1)
        self.tie_sensitivity_ = self._tie_report(ties, tree, k, refinement)

        self.tree_ = tree
        self.labels_ = labels
        self.n_clusters_ = int(k)
        self.linkage_ = tree.linkage
        self.children_ = tree.linkage[:, :2].astype(np.intp)
        self.distances_ = tree.heights.copy()
        self.cluster_centers_ = centers
        self.schedule_ = agglomeration_schedule(tree)
        self.k_selection_ = table
        self.k_reason_ = reason
        self.ward_labels_ = ward_labels
        self.refinement_ = refinement
        self.stability_ = None
        if runs is not None and k in runs:
            frame = _stability_frame(runs[k], tree, k)
            relabel = np.empty(k, dtype=np.int64)  # tree numbering -> level order
            relabel[ward_raw] = ward_labels
            frame.index = pd.Index(relabel, name="cluster")
            self.stability_ = frame.sort_index()
        return self

    def _tie_report(
        self, ties: TieSensitivity | None, tree: WardTree, k: int, refinement: Any
    ) -> dict[str, Any] | None:
        """The tie diagnostic at the chosen k, and the warning when it is needed."""
        if ties is None or k not in ties.table.index or k not in ties.runs:
            return None
        row = ties.table.loc[k]
        report: dict[str, Any] = {"k": int(k), **row.to_dict(), "sampled": ties.sampled}
        for key in ("tied_merges", "n_seeds", "n_cases"):
            report[key] = int(report[key])
        report["merges"] = max(tree.n_distinct - k, 0)
        refined = None
        if refinement is not None:
            refined = ties.refined(k, random_state=self.random_state)
            report["refined_ari_median"], report["refined_ari_min"] = refined
        median = refined[0] if refined is not None else row["ari_median"]
        if median < TIE_ARI_WARNING:
            warnings.warn(
                TieSensitivityWarning(
                    tie_message(
                        k,
                        row,
                        total_merges=max(tree.n_distinct - k, 0),
                        sampled=ties.sampled,
                        refined=refined,
                    )
                ),
                stacklevel=3,
            )
        return report

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return ``labels_``."""
        return self.fit(X, sample_weight=sample_weight).labels_
