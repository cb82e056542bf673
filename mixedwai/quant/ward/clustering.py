"""Ward clustering of alliance trajectories: the estimator and the everyday function.

:class:`WardClustering` is a scikit-learn estimator (fitted state in
trailing-underscore attributes); :func:`cluster_trajectories` is its twin for
everyday use: it takes the sessions' scores (or a ready case-by-time matrix),
clusters the cases, names the patterns and returns a :class:`ClusterResult`
holding every table the reference study reports.

The estimator lives in :mod:`mixedwai.quant.ward.estimator` and the result in
:mod:`mixedwai.quant.ward.result`.

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
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range, check_scale, source_name
from mixedwai.errors import ColumnError, InsufficientDataError, OptionError
from mixedwai.quant.selection.rules import MIN_CLUSTER_N
from mixedwai.quant.selection.stability import STABILITY_MAX_N
from mixedwai.quant.ward.estimator import (
    DEVIATION_DECIMALS,
    WardClustering,
    _scores,
)
from mixedwai.quant.ward.kernel import TIE_RTOL
from mixedwai.quant.ward.result import ClusterResult
from mixedwai.quant.ward.schedule import agglomeration_schedule
from mixedwai.quant.ward.ties import TIE_MAX_N

__all__ = ["cluster_trajectories"]

TIE_RULE = (
    "canonical: distinct rows in lexicographic order; among merge costs tied within a "
    f"relative {TIE_RTOL:g}, the nearest-neighbour chain keeps its previous element, else "
    "takes the cluster holding the lowest distinct row"
)


def _wide_matrix(frame: pd.DataFrame, n_sessions: int | None
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Case-by-time matrix from a wide frame, taken whole or refused.

    Every column is a time point: the columns ``t1..tN`` when the frame has
    them, else every column in its order. Other columns (text, a second id) are
    refused, by name. ``n_sessions`` keeps the first N time columns when given.
    Cases with a missing score are excluded and listed.
    """
    import re

    if "case_id" in frame.columns:
        frame = frame.set_index("case_id")
    src = source_name(frame)
    named = [c for c in frame.columns if isinstance(c, str) and re.fullmatch(r"t\d+", c)]
    if named:
        columns = sorted(named, key=lambda c: int(c[1:]))
        others = [c for c in frame.columns if c not in set(named)]
        if others:
            raise ColumnError(
                f"{src}: a wide table must hold only the time columns t1..tN (and case_id); "
                f"found other column(s) {', '.join(repr(str(c)) for c in others)}. Select the "
                "time columns, or set the case ids as the index"
            )
    else:
        columns = list(frame.columns)
        others = [c for c in columns if not _numeric_column(frame[c])]
        if others:
            raise ColumnError(
                f"{src}: every column of a wide table is a time point and must hold numbers; "
                f"column(s) {', '.join(repr(str(c)) for c in others)} hold text. Drop them, "
                "or set the case ids as the index"
            )
    if n_sessions is not None:
        if len(columns) < n_sessions:
            found = ", ".join(repr(str(c)) for c in frame.columns) or "(none)"
            raise ColumnError(f"{src}: n_sessions = {n_sessions} but the wide table has "
                              f"{len(columns)} time column(s): {found}")
        columns = columns[:n_sessions]
    matrix = frame[columns].apply(pd.to_numeric, errors="coerce").astype(float)
    matrix.columns = [f"t{i}" for i in range(1, len(columns) + 1)]
    missing = matrix.isna()
    rows = missing.any(axis=1).to_numpy()
    names = np.asarray([str(c) for c in columns], dtype=object)
    reasons = ["missing score at " + ", ".join(names[flags])
               for flags in missing.to_numpy()[rows]]
    excluded = pd.DataFrame({"case_id": [str(c) for c in matrix.index[rows]], "reason": reasons},
                            columns=["case_id", "reason"])
    matrix = matrix.loc[~rows]
    matrix.index.name = "case_id"
    return matrix, excluded


def _numeric_column(values: pd.Series) -> bool:
    """Whether every non-blank cell of a column is a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype):
        return True
    present = values.dropna()
    return bool(pd.to_numeric(present, errors="coerce").notna().all())


def _resolve_data(data: Any, n_sessions: int | None
                  ) -> tuple[pd.DataFrame, pd.DataFrame, str, tuple[float, float] | None]:
    """(matrix, excluded, score name, scale) from a Trajectories, long scores or a wide matrix."""
    if hasattr(data, "matrix") and hasattr(data, "excluded"):
        return (data.matrix.astype(float), data.excluded, getattr(data, "score", "wai"),
                getattr(data, "scale", None))
    if not isinstance(data, pd.DataFrame):
        raise OptionError(
            f"data must be a Trajectories, a long scores table (case_id, session, wai) or a "
            f"case-by-time matrix (index case_id, columns t1..tN); got {type(data).__name__}"
        )
    if "session" in data.columns:
        from mixedwai.quant.trajectories import build_trajectories

        trajectories = build_trajectories(data, n_sessions=3 if n_sessions is None
                                          else n_sessions)
        return (trajectories.matrix.astype(float), trajectories.excluded, trajectories.score,
                trajectories.scale)
    matrix, excluded = _wide_matrix(data, n_sessions)
    return matrix, excluded, str(data.attrs.get("score", "score")), data.attrs.get("scale")


def cluster_trajectories(
    data: Any,
    *,
    k: int | str = "auto",
    scores: str = "direct",
    n_sessions: int | None = None,
    k_rule: str = "jump",
    min_share: float = 0.10,
    max_k: int = 6,
    n_boot: int = 100,
    random_state: int | None = 0,
    slope_threshold: float = 0.15,
    curvature_threshold: float = 0.15,
    level_rule: str = "grand_mean",
    names: Mapping[int, str] | None = None,
    silhouette_sample: int = 2000,
    stability_max_n: int = STABILITY_MAX_N,
    refine: str | None = None,
    tie_seeds: int = 20,
    tie_max_n: int | None = TIE_MAX_N,
    scale: tuple[float, float] | None = None,
    min_n: int = MIN_CLUSTER_N,
) -> ClusterResult:
    """Cluster the cases' alliance trajectories with Ward's method and name the patterns.

    Parameters
    ----------
    data : Trajectories or pandas.DataFrame
        A :class:`mixedwai.quant.trajectories.Trajectories`; or a long scores
        table (``case_id``, ``session``, ``wai``: then
        :func:`~mixedwai.quant.trajectories.build_trajectories` builds the
        matrix from the first ``n_sessions`` sessions); or a wide case-by-time
        matrix (index or column ``case_id``; columns ``t1..tN``, or else every
        column a time point in its order). A wide matrix is taken whole: every
        time column is used unless ``n_sessions`` says otherwise, any other
        column is refused by name, and cases with a missing score are
        excluded and listed.
    k : "auto" or int, default="auto"
        Number of clusters; ``"auto"`` follows the reference study (see
        :func:`mixedwai.quant.selection.rules.select_k`).
    scores : {"direct", "deviation"}, default="direct"
        Cluster the direct scores (level and shape) or the deviation scores
        (each score minus the case's mean: shape only).
    n_sessions : int, optional
        Number of times (sessions) per trajectory: the first N sessions of a
        long table (default 3), the first N time columns of a wide one
        (default: all).
    k_rule : {"jump", "jump_all", "reduction"}, default="jump"
        How ``k="auto"`` chooses (``rule`` of :func:`~mixedwai.quant.selection.rules.select_k`).
    min_share, min_n, max_k, n_boot, random_state, silhouette_sample, stability_max_n
        As in :func:`~mixedwai.quant.selection.rules.select_k` (``min_n``: the
        fewest cases a cluster may hold with ``k="auto"``, default 2).
    slope_threshold, curvature_threshold : float, default=0.15
        Shape thresholds of :func:`mixedwai.quant.patterns.shapes.name_patterns`,
        in points of the 1..7 scale, rescaled to ``scale``'s range.
    level_rule : {"grand_mean", "median"}, default="grand_mean"
        The high/low rule of :func:`mixedwai.quant.patterns.shapes.name_patterns`:
        a stable pattern is "high" when its level is at least the grand mean
        of the clustered cases' mean scores, or (``"median"``) at least the
        median of the clusters' levels. Reported in ``params``.
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
    scale : (float, float), optional
        The scale of the scores, for the pattern-naming thresholds; default:
        the scale the data carry (:class:`~mixedwai.quant.trajectories.Trajectories`
        built from :func:`~mixedwai.quant.instruments.scoring.score_wai`), else 1..7.

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
    SmallSampleWarning
        When the chosen solution has fewer than 10 cases per cluster on
        average (see :func:`~mixedwai.quant.selection.rules.select_k`).
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
    from mixedwai.quant.patterns.profile import profile_table
    from mixedwai.quant.patterns.shapes import name_patterns

    check_choice("scores", scores, ["direct", "deviation"])
    if n_sessions is not None:
        check_range("n_sessions", n_sessions, low=2, integer=True)
        n_sessions = int(n_sessions)
    check_range("slope_threshold", slope_threshold, low=0.0)
    check_range("curvature_threshold", curvature_threshold, low=0.0)
    check_choice("level_rule", level_rule, ["grand_mean", "median"])
    matrix, excluded, measure, data_scale = _resolve_data(data, n_sessions)
    scale = _checked_scale(data_scale if scale is None else scale)
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
            min_n=min_n,
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
        level_rule=level_rule,
        names=names,
        scale=scale,
    )
    labels = pd.DataFrame(
        {
            "cluster": clusters,
            "pattern": clusters.map(patterns["pattern"]),
            "abbrev": clusters.map(patterns["abbrev"]),
        }
    )
    profile = profile_table(matrix, clusters, patterns)
    stability = _stability_table(model, clusters, patterns)
    if stability is not None and refine is None:
        profile["stability"] = stability["jaccard_mean"].reindex(profile.index).to_numpy()
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
        "min_n": min_n,
        "max_k": max_k,
        "n_boot": n_boot,
        "random_state": random_state,
        "silhouette_sample": silhouette_sample,
        "stability_max_n": stability_max_n,
        "slope_threshold": slope_threshold,
        "curvature_threshold": curvature_threshold,
        "grand_mean": grand_mean,
        "level_rule": level_rule,
        "measure": measure,
        "scale": f"{scale[0]:g}..{scale[1]:g}",
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
        stability=stability,
    )


def _checked_scale(scale: Any) -> tuple[float, float]:
    """``(low, high)`` as floats, 1..7 when not known; refused unless low < high."""
    return (1.0, 7.0) if scale is None else check_scale(scale)


def _stability_table(
    model: WardClustering, clusters: pd.Series, patterns: pd.DataFrame
) -> pd.DataFrame | None:
    """The estimator's per-cluster stability, 1-based and named like the results."""
    if model.stability_ is None:
        return None
    frame = model.stability_.copy()
    frame.index = pd.Index(frame.index.to_numpy() + 1, name="cluster")
    if model.refinement_ is None:
        named = frame.index
    else:  # Ward clusters: name each by the refined cluster holding most of its cases
        ward = pd.Series(model.ward_labels_ + 1, index=clusters.index)
        named = pd.Index([int(clusters[ward == c].value_counts().idxmax()) for c in frame.index])
    frame.insert(0, "abbrev", patterns["abbrev"].reindex(named).to_numpy())
    frame.insert(0, "pattern", patterns["pattern"].reindex(named).to_numpy())
    return frame
