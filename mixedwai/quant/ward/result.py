"""The result of :func:`mixedwai.quant.ward.clustering.cluster_trajectories`, as tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mixedwai.quant.ward.hierarchy import WardTree

__all__ = ["ClusterResult"]


@dataclass(frozen=True, eq=False)
class ClusterResult:
    """Everything :func:`cluster_trajectories` found, as tables.

    A frozen record returned by
    :func:`mixedwai.quant.ward.clustering.cluster_trajectories`; it is not built by
    hand. Every table uses the same cluster numbers (1 = the highest mean
    level) and pattern names, so they can be joined on ``cluster`` or on
    ``case_id``.

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
        :func:`mixedwai.quant.patterns.shapes.name_patterns` of the clusters' mean
        trajectories (index ``cluster``).
    schedule : pandas.DataFrame
        Agglomeration schedule, with ``case_1``/``case_2`` ids.
    k_selection : pandas.DataFrame
        k-selection table.
    profile : pandas.DataFrame
        :func:`mixedwai.quant.patterns.shapes.profile_table` (the paper's Table 2).
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
    stability : pandas.DataFrame or None
        Bootstrap stability of each cluster of the chosen solution (Hennig
        2007, as ``fpc::clusterboot``; the replicates of the ``stability``
        column of ``k_selection``): index ``cluster`` (1-based, level-ordered,
        as ``labels``), columns ``pattern``, ``abbrev``, ``n``,
        ``jaccard_mean``, ``dissolved`` (replicates with Jaccard <= 0.5),
        ``recovered`` (>= 0.75), ``n_boot``. After ``refine="kmeans"`` these are
        the Ward clusters, numbered as ``refinement["moved"]["ward_cluster"]``,
        with the pattern of the refined cluster holding most of their cases.
        None with ``n_boot=0``.

    Methods
    -------
    to_frame()
        One row per clustered case (the content of ``clusters.csv``).
    summary()
        A few lines: what was clustered, into which patterns, and why k.

    See Also
    --------
    mixedwai.quant.ward.clustering.cluster_trajectories : builds it.
    mixedwai.quant.ward.clustering.WardClustering : the estimator behind it.
    mixedwai.quant.plots.plot_trajectories : draws ``profile`` (Figure 2).

    Notes
    -----
    The tables follow the reference study: ``profile`` is its Table 2,
    ``schedule`` the SPSS agglomeration schedule, ``k_selection`` the choice of
    the number of clusters (Hair & Black 2000's iterative reduction, with
    silhouette, Calinski-Harabasz and bootstrap stability beside it). Cases
    left out of the clustering are never dropped silently: they are in
    ``excluded`` with the reason.

    Examples
    --------
    >>> import pandas as pd, warnings
    >>> from mixedwai.quant.ward.clustering import cluster_trajectories
    >>> matrix = pd.DataFrame(
    ...     {"t1": [6.6, 6.5, 6.7, 5.1, 5.0, 5.2, 6.6, 6.4],
    ...      "t2": [6.6, 6.7, 6.6, 5.0, 5.2, 5.1, 6.0, 6.1],
    ...      "t3": [6.7, 6.6, 6.8, 5.1, 5.1, 5.0, 5.5, 5.6]},
    ...     index=pd.Index([f"ES1_C{i}" for i in range(1, 9)], name="case_id"))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 8 cases: a SmallSampleWarning
    ...     result = cluster_trajectories(matrix, n_boot=20, tie_seeds=0)
    >>> result.k
    3
    >>> result.profile[["pattern", "abbrev", "n", "mean"]].round(2)
                     pattern abbrev  n  mean
    cluster
    1            stable high    SHA  3  6.64
    2        linear decrease    LDA  2  6.03
    3             stable low    SLA  3  5.09
    >>> result.to_frame().head(2)
      case_id  cluster      pattern   t1   t2   t3      mean
    0  ES1_C1        1  stable high  6.6  6.6  6.7  6.633333
    1  ES1_C2        1  stable high  6.5  6.7  6.6  6.600000
    >>> print(result.summary().splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
    8 cases clustered by Ward's method on direct scores (0 excluded), k = 3: stable high
    (SHA) 3 (37.5 %), linear decrease (LDA) 2 (25.0 %), stable low (SLA) 3 (37.5 %).
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
    stability: pd.DataFrame | None = None

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
        measure = self.params.get("measure", "wai")
        what = f"{self.params.get('scores', 'direct')} scores"
        if measure not in ("wai", "score"):  # another measure: named, with its scale
            what = f"{self.params.get('scores', 'direct')} {measure} scores " \
                   f"(scale {self.params.get('scale', '?')})"
        lines = [
            f"{n} cases clustered by {method} on {what} ({excluded} excluded), "
            f"k = {self.k}: " + ", ".join(parts) + ".",
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
