"""Ward clustering of alliance trajectories: the estimator and the everyday function.

:class:`WardClustering` is a scikit-learn estimator (fitted state in
trailing-underscore attributes); :func:`cluster_trajectories` is its twin for
everyday use: it takes the sessions' scores (or a ready case-by-time matrix),
clusters the cases, names the patterns and returns a :class:`ClusterResult`
holding every table the reference study reports.

Examples
--------
>>> import pandas as pd
>>> matrix = pd.DataFrame(
...     {"t1": [6.6, 6.5, 6.7, 5.1, 5.0, 5.2, 6.6, 6.4],
...      "t2": [6.6, 6.7, 6.6, 5.0, 5.2, 5.1, 6.0, 6.1],
...      "t3": [6.7, 6.6, 6.8, 5.1, 5.1, 5.0, 5.5, 5.6]},
...     index=pd.Index([f"ES1_C{i}" for i in range(1, 9)], name="case_id"))
>>> result = cluster_trajectories(matrix, n_boot=20)
>>> result.k
3
>>> result.labels
        cluster          pattern abbrev
case_id
ES1_C1        1      stable high    SHA
ES1_C2        1      stable high    SHA
ES1_C3        1      stable high    SHA
ES1_C4        3       stable low    SLA
ES1_C5        3       stable low    SLA
ES1_C6        3       stable low    SLA
ES1_C7        2  linear decrease    LDA
ES1_C8        2  linear decrease    LDA
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import ColumnError, InsufficientDataError, OptionError, TieSensitivityWarning
from mixedwai.quant.refine import refine_kmeans
from mixedwai.quant.schedule import agglomeration_schedule
from mixedwai.quant.selection import RULES, STABILITY_MAX_N, select_k, table_ks
from mixedwai.quant.ties import (
    TIE_ARI_WARNING,
    TIE_MAX_N,
    TieSensitivity,
    tie_message,
    tie_sensitivity,
)
from mixedwai.quant.ward import TIE_RTOL, WardTree, ward_tree

__all__ = ["DEVIATION_DECIMALS", "ClusterResult", "WardClustering", "cluster_trajectories"]

#: Deviation scores are rounded to this many decimals before clustering, so that
#: floating-point noise from subtracting the case mean does not split equal
#: trajectories (on a 1/12 grid, 13 393 "distinct" float rows are really 2 416).
DEVIATION_DECIMALS = 12

TIE_RULE = (
    "canonical: distinct rows in lexicographic order; among merge costs tied within a "
    f"relative {TIE_RTOL:g}, the nearest-neighbour chain keeps its previous element, else "
    "takes the cluster holding the lowest distinct row"
)


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
        :func:`mixedwai.quant.selection.select_k`.
    scores : {"direct", "deviation"}, default="direct"
        Cluster the rows as given (level and shape; de Roten et al. 2004) or
        each row minus its own mean (shape only; Kivlighan & Shaughnessy
        2000), rounded to :data:`DEVIATION_DECIMALS` decimals.
    k_rule : {"jump", "jump_all", "reduction"}, default="jump"
        How ``"auto"`` chooses k (``rule`` of :func:`~mixedwai.quant.selection.select_k`).
    min_share : float, default=0.10
        With ``"auto"``: every cluster must hold at least this share of the rows.
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
        centroids (:func:`mixedwai.quant.refine.refine_kmeans`). Off by
        default, as in the reference study.
    tie_seeds : int, default=20
        Runs of Ward with ties broken at random for the tie diagnostic
        (:func:`mixedwai.quant.ties.tie_sensitivity`); 0 skips it.
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
        :class:`mixedwai.quant.refine.Refinement` (R-squared before and
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
        Agglomeration schedule (:func:`mixedwai.quant.schedule.agglomeration_schedule`).
    k_selection_ : pandas.DataFrame
        k-selection table (:func:`mixedwai.quant.selection.select_k`).
    k_reason_ : str
        Why ``n_clusters_`` clusters, in words.
    cluster_centers_ : ndarray, shape (n_clusters_, n_features_in_)
        (Weighted) mean of each cluster's rows in the clustered scores.
    n_features_in_ : int
        Number of columns of ``X``.

    Notes
    -----
    The tree is :func:`mixedwai.quant.ward.ward_tree` on the clustered scores:
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
        check_range("max_k", self.max_k, low=2, integer=True)
        check_range("n_boot", self.n_boot, low=0, integer=True)
        check_range("silhouette_sample", self.silhouette_sample, low=10, integer=True)
        check_range("stability_max_n", self.stability_max_n, low=10, integer=True)
        check_choice("refine", self.refine, [None, "kmeans"])
        check_range("tie_seeds", self.tie_seeds, low=0, integer=True)
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
        k, table, reason = select_k(
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


# --------------------------------------------------------------------------- function twin


@dataclass(frozen=True, eq=False)
class ClusterResult:
    """Everything :func:`cluster_trajectories` found, as tables.

    Attributes
    ----------
    k : int
        Number of clusters.
    k_reason : str
        Why k, quotable.
    labels : pandas.DataFrame
        Index ``case_id`` (clustered cases), columns ``cluster`` (1-based,
        1 = highest mean level), ``pattern``, ``abbrev``.
    patterns : pandas.DataFrame
        :func:`mixedwai.quant.patterns.name_patterns` of the clusters' mean
        trajectories (index ``cluster``).
    schedule : pandas.DataFrame
        Agglomeration schedule, with ``case_1``/``case_2`` ids.
    k_selection : pandas.DataFrame
        k-selection table.
    profile : pandas.DataFrame
        :func:`mixedwai.quant.patterns.profile_table` (the paper's Table 2).
    matrix : pandas.DataFrame
        Direct scores of the clustered cases (index ``case_id``, ``t1..tN``).
    scores : pandas.DataFrame
        The scores actually clustered (direct, or deviation scores).
    excluded : pandas.DataFrame
        Cases left out, columns ``case_id``, ``reason``.
    params : dict
        Every parameter used, including the tie rule and the thresholds.
    tree : WardTree
        The tree.
    tie_sensitivity : dict or None
        The tie diagnostic at k (see ``WardClustering.tie_sensitivity_``):
        ``tied_merges``, ``ari_median``, ``ari_min``, ``identical``,
        ``n_seeds``, ``n_cases``, ``sampled`` (and ``refined_ari_median``,
        ``refined_ari_min`` after refinement); None with ``tie_seeds=0``.
    refinement : dict or None
        With ``refine="kmeans"``: ``method``, ``r2_ward`` and ``r2_refined``
        (R-squared, between-cluster share of the sum of squares), ``n_moved``,
        ``n_iter`` and ``moved`` (DataFrame ``case_id``, ``ward_cluster``,
        ``cluster``: the cases whose cluster changed, with the Ward cluster
        numbered as the Ward solution would be).
    """

    k: int
    k_reason: str
    labels: pd.DataFrame
    patterns: pd.DataFrame
    schedule: pd.DataFrame
    k_selection: pd.DataFrame
    profile: pd.DataFrame
    matrix: pd.DataFrame
    scores: pd.DataFrame
    excluded: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    tree: WardTree | None = None
    tie_sensitivity: dict[str, Any] | None = None
    refinement: dict[str, Any] | None = None

    def to_frame(self) -> pd.DataFrame:
        """The content of ``clusters.csv``: one row per clustered case.

        Returns
        -------
        pandas.DataFrame
            Columns ``case_id``, ``cluster``, ``pattern``, ``t1..tN`` (direct
            scores), ``mean`` (the case's mean score); sorted by cluster, then
            in the matrix's case order.
        """
        frame = self.matrix.copy()
        frame["mean"] = frame.mean(axis=1)
        frame.insert(0, "pattern", self.labels["pattern"])
        frame.insert(0, "cluster", self.labels["cluster"])
        frame = frame.sort_values("cluster", kind="stable")
        frame.index.name = "case_id"
        return frame.reset_index()

    def summary(self) -> str:
        """A few lines saying what was clustered, into which patterns, and why k."""
        n = len(self.labels)
        parts = [
            f"{row.pattern} ({row.abbrev}) {row.n} ({row.pct:.1f} %)"
            for row in self.profile.itertuples()
        ]
        excluded = len(self.excluded)
        method = "Ward's method"
        if self.refinement is not None:
            method += " refined by k-means"
        lines = [
            f"{n} cases clustered by {method} on {self.params.get('scores', 'direct')} "
            f"scores ({excluded} excluded), k = {self.k}: " + ", ".join(parts) + ".",
            self.k_reason,
        ]
        ties = self.tie_sensitivity
        if ties is not None:
            line = (
                f"Ties: {ties['tied_merges']} of the {ties['merges']} merges down to "
                f"k = {self.k} were decided "
                f"among equal costs; {ties['n_seeds']} re-runs with ties broken at random agree "
                f"with this partition at a median ARI of {ties['ari_median']:.2f} "
                f"(lowest {ties['ari_min']:.2f})"
            )
            if "refined_ari_median" in ties:
                line += (
                    f", {ties['refined_ari_median']:.2f} (lowest {ties['refined_ari_min']:.2f}) "
                    "after k-means refinement"
                )
            if ties.get("sampled"):
                line += f", on a sample of {ties['n_cases']} cases"
            lines.append(line + ".")
        if self.refinement is not None:
            ref = self.refinement
            lines.append(
                f"k-means refinement: {ref['n_moved']} cases moved; R-squared "
                f"{ref['r2_ward']:.3f} (Ward) -> {ref['r2_refined']:.3f} (refined)."
            )
        return "\n".join(lines)


def _wide_matrix(frame: pd.DataFrame, n_sessions: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Case-by-time matrix from a wide frame; cases with a missing score are excluded."""
    from mixedwai.quant.patterns import time_columns

    if "case_id" in frame.columns:
        frame = frame.set_index("case_id")
    columns = time_columns(frame, min_times=n_sessions)[:n_sessions]
    matrix = frame[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    missing = matrix.isna()
    rows = missing.any(axis=1)
    excluded = pd.DataFrame(
        {
            "case_id": [str(c) for c in matrix.index[rows]],
            "reason": [
                "missing score at " + ", ".join(c for c in columns if missing.at[case, c])
                for case in matrix.index[rows]
            ],
        },
        columns=["case_id", "reason"],
    )
    matrix = matrix.loc[~rows]
    matrix.index.name = "case_id"
    return matrix, excluded


def _resolve_data(data: Any, n_sessions: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(matrix, excluded) from a Trajectories, a long scores frame or a wide matrix."""
    if hasattr(data, "matrix") and hasattr(data, "excluded"):
        return data.matrix.astype(float), data.excluded
    if not isinstance(data, pd.DataFrame):
        raise OptionError(
            f"data must be a Trajectories, a long scores table (case_id, session, wai) or a "
            f"case-by-time matrix (index case_id, columns t1..tN); got {type(data).__name__}"
        )
    if "session" in data.columns:
        from mixedwai.quant.trajectories import build_trajectories

        trajectories = build_trajectories(data, n_sessions=n_sessions)
        return trajectories.matrix.astype(float), trajectories.excluded
    return _wide_matrix(data, n_sessions)


def cluster_trajectories(
    data: Any,
    *,
    k: int | str = "auto",
    scores: str = "direct",
    n_sessions: int = 3,
    k_rule: str = "jump",
    min_share: float = 0.10,
    max_k: int = 6,
    n_boot: int = 100,
    random_state: int | None = 0,
    slope_threshold: float = 0.15,
    curvature_threshold: float = 0.15,
    names: Mapping[int, str] | None = None,
    silhouette_sample: int = 2000,
    stability_max_n: int = STABILITY_MAX_N,
    refine: str | None = None,
    tie_seeds: int = 20,
    tie_max_n: int | None = TIE_MAX_N,
) -> ClusterResult:
    """Cluster the cases' alliance trajectories with Ward's method and name the patterns.

    Parameters
    ----------
    data : Trajectories or pandas.DataFrame
        A :class:`mixedwai.quant.trajectories.Trajectories`; or a long scores
        table (``case_id``, ``session``, ``wai``: then
        :func:`~mixedwai.quant.trajectories.build_trajectories` builds the
        matrix from the first ``n_sessions`` sessions); or a case-by-time
        matrix (index or column ``case_id``, columns ``t1..tN``: its first
        ``n_sessions`` time columns are used, and cases with a missing score
        there are excluded and listed).
    k : "auto" or int, default="auto"
        Number of clusters; ``"auto"`` follows the reference study (see
        :func:`mixedwai.quant.selection.select_k`).
    scores : {"direct", "deviation"}, default="direct"
        Cluster the direct scores (level and shape) or the deviation scores
        (each score minus the case's mean: shape only).
    n_sessions : int, default=3
        Number of times (sessions) per trajectory.
    k_rule : {"jump", "jump_all", "reduction"}, default="jump"
        How ``k="auto"`` chooses (``rule`` of :func:`~mixedwai.quant.selection.select_k`).
    min_share, max_k, n_boot, random_state, silhouette_sample, stability_max_n
        As in :func:`~mixedwai.quant.selection.select_k`.
    slope_threshold, curvature_threshold : float, default=0.15
        Shape thresholds of :func:`mixedwai.quant.patterns.name_patterns`.
    names : mapping of cluster number to str, optional
        Pattern names chosen by the researcher (by 1-based cluster number).
    refine : {None, "kmeans"}, default=None
        Refine the Ward clusters by k-means from their centroids (Hair et
        al.'s two-stage procedure); pattern names and tables are then those of
        the refined clusters. Off by default, as in the reference study.
    tie_seeds : int, default=20
        Re-runs of Ward with ties broken at random for the tie diagnostic
        (0: skip it).
    tie_max_n : int or None, default=10000
        Above this many cases the tie diagnostic uses a seeded sample.

    Returns
    -------
    ClusterResult

    Raises
    ------
    OptionError
        An option out of range or of the wrong kind.
    InsufficientDataError
        Fewer than 2 cases (or distinct trajectories) to cluster, or no
        admissible k with ``k="auto"``.
    ColumnError
        A wide matrix without ``n_sessions`` time columns.

    Warns
    -----
    TieSensitivityWarning
        When the partition depends on how tied merge costs were broken: the
        median adjusted Rand index between it and the partitions obtained with
        ties broken at random is below 0.9 (after refinement, if refined).

    Notes
    -----
    Cluster numbers are deterministic: 1 is the cluster with the highest
    mean level (mean of its cases' mean direct scores), then descending;
    equal levels keep the canonical order of the tree. The patterns are named
    from each cluster's mean direct trajectory, high/low relative to the
    grand mean (the mean of the clustered cases' mean scores), also when
    deviation scores were clustered. The clustering does not depend on the
    order of the cases.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix = pd.DataFrame(
    ...     {"t1": [6.6, 6.5, 5.1, 5.0, 5.2], "t2": [6.6, 6.7, 5.0, 5.2, 5.1],
    ...      "t3": [6.7, 6.6, 5.1, 5.1, 5.0]},
    ...     index=pd.Index(["A", "B", "C", "D", "E"], name="case_id"))
    >>> result = cluster_trajectories(matrix, k=2, n_boot=10)
    >>> result.to_frame()
      case_id  cluster      pattern   t1   t2   t3      mean
    0       A        1  stable high  6.6  6.6  6.7  6.633333
    1       B        1  stable high  6.5  6.7  6.6  6.600000
    2       C        2   stable low  5.1  5.0  5.1  5.066667
    3       D        2   stable low  5.0  5.2  5.1  5.100000
    4       E        2   stable low  5.2  5.1  5.0  5.100000
    """
    from mixedwai.quant.patterns import name_patterns, profile_table

    check_choice("scores", scores, ["direct", "deviation"])
    check_range("n_sessions", n_sessions, low=2, integer=True)
    check_range("slope_threshold", slope_threshold, low=0.0)
    check_range("curvature_threshold", curvature_threshold, low=0.0)
    matrix, excluded = _resolve_data(data, int(n_sessions))
    if matrix.shape[1] < 2:
        raise ColumnError(f"the trajectories have {matrix.shape[1]} time column(s); need >= 2")
    if len(matrix) < 2:
        raise InsufficientDataError(
            f"{len(matrix)} case(s) left to cluster after exclusions ({len(excluded)} excluded); "
            "Ward clustering needs at least 2"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = WardClustering(
            n_clusters=k,
            scores=scores,
            k_rule=k_rule,
            min_share=min_share,
            max_k=max_k,
            n_boot=n_boot,
            silhouette_sample=silhouette_sample,
            stability_max_n=stability_max_n,
            random_state=random_state,
            refine=refine,
            tie_seeds=tie_seeds,
            tie_max_n=tie_max_n,
        ).fit(matrix.to_numpy(dtype=float))
    for warning in caught:  # re-issued so that they point at the caller
        warnings.warn(warning.message, warning.category, stacklevel=2)
    clusters = pd.Series(model.labels_ + 1, index=matrix.index, name="cluster")
    means = matrix.groupby(clusters).mean()
    means.index.name = "cluster"
    grand_mean = float(matrix.mean(axis=1).mean())
    patterns = name_patterns(
        means,
        grand_mean=grand_mean,
        slope_threshold=slope_threshold,
        curvature_threshold=curvature_threshold,
        names=names,
    )
    labels = pd.DataFrame(
        {
            "cluster": clusters,
            "pattern": clusters.map(patterns["pattern"]),
            "abbrev": clusters.map(patterns["abbrev"]),
        }
    )
    profile = profile_table(matrix, clusters, patterns)
    scores_frame = pd.DataFrame(
        _scores(matrix.to_numpy(dtype=float), scores), index=matrix.index, columns=matrix.columns
    )
    schedule = agglomeration_schedule(model.tree_, case_ids=[str(c) for c in matrix.index])
    params = {
        "k": k,
        "k_rule": k_rule,
        "scores": scores,
        "n_sessions": int(matrix.shape[1]),
        "min_share": min_share,
        "max_k": max_k,
        "n_boot": n_boot,
        "random_state": random_state,
        "silhouette_sample": silhouette_sample,
        "stability_max_n": stability_max_n,
        "slope_threshold": slope_threshold,
        "curvature_threshold": curvature_threshold,
        "grand_mean": grand_mean,
        "level_rule": "grand_mean",
        "names": dict(names) if names else None,
        "method": "ward",
        "tie_rule": TIE_RULE,
        "tie_rtol": TIE_RTOL,
        "deviation_decimals": DEVIATION_DECIMALS if scores == "deviation" else None,
        "n_cases": int(len(matrix)),
        "n_distinct": model.tree_.n_distinct,
        "schedule_unit": "cases" if len(schedule) == len(matrix) - 1 else "distinct",
        "refine": refine,
        "tie_seeds": tie_seeds,
        "tie_max_n": tie_max_n,
    }
    refinement = None
    if model.refinement_ is not None:
        ward_clusters = pd.Series(model.ward_labels_ + 1, index=matrix.index)
        moved = ward_clusters.index[model.refinement_.ward_labels != model.refinement_.labels]
        refinement = {
            "method": model.refinement_.method,
            "r2_ward": model.refinement_.r2_before,
            "r2_refined": model.refinement_.r2_after,
            "n_moved": model.refinement_.n_moved,
            "n_iter": model.refinement_.n_iter,
            "moved": pd.DataFrame(
                {
                    "case_id": [str(c) for c in moved],
                    "ward_cluster": ward_clusters.loc[moved].to_numpy(),
                    "cluster": clusters.loc[moved].to_numpy(),
                },
                columns=["case_id", "ward_cluster", "cluster"],
            ),
        }
    return ClusterResult(
        k=model.n_clusters_,
        k_reason=model.k_reason_,
        labels=labels,
        patterns=patterns,
        schedule=schedule,
        k_selection=model.k_selection_,
        profile=profile,
        matrix=matrix,
        scores=scores_frame,
        excluded=excluded,
        params=params,
        tree=model.tree_,
        tie_sensitivity=model.tie_sensitivity_,
        refinement=refinement,
    )
