"""The agglomeration schedule of a Ward tree, laid out as SPSS prints it.

Examples
--------
>>> import numpy as np
>>> from mixedwai.quant.ward.tree import ward_tree
>>> X = np.array([[6.5, 6.6, 6.7], [5.0, 5.1, 5.0], [6.4, 6.6, 6.8], [5.2, 4.9, 5.1]])
>>> schedule = agglomeration_schedule(ward_tree(X))
>>> schedule[["stage", "cluster_1", "cluster_2", "coefficient", "next_stage"]].round(3)
   stage  cluster_1  cluster_2  coefficient  next_stage
0      1          1          3        0.010           3
1      2          2          4        0.055           3
2      3          1          2        7.328           0
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice
from mixedwai.quant.ward.hierarchy import WardTree

__all__ = ["CASES_SCHEDULE_MAX", "agglomeration_schedule"]

#: With ``unit="auto"``, trees over more rows than this get the distinct-row schedule.
CASES_SCHEDULE_MAX = 5000


def _spss_columns(children: np.ndarray, n_leaves: int) -> dict[str, np.ndarray]:
    """SPSS naming (lowest member, 1-based), first-appearance and next stages."""
    n_merge = children.shape[0]
    low = np.empty(n_leaves + n_merge, dtype=np.int64)
    low[:n_leaves] = np.arange(n_leaves)
    born = np.zeros(n_leaves + n_merge, dtype=np.int64)  # stage (1-based) a node was formed
    next_stage = np.zeros(n_merge, dtype=np.int64)
    cluster_1 = np.empty(n_merge, dtype=np.int64)
    cluster_2 = np.empty(n_merge, dtype=np.int64)
    first_1 = np.empty(n_merge, dtype=np.int64)
    first_2 = np.empty(n_merge, dtype=np.int64)
    a_list = children[:, 0].tolist()
    b_list = children[:, 1].tolist()
    for s in range(n_merge):
        a, b = a_list[s], b_list[s]
        if low[a] > low[b]:
            a, b = b, a
        cluster_1[s] = low[a]
        cluster_2[s] = low[b]
        first_1[s] = born[a]
        first_2[s] = born[b]
        for child in (a, b):
            if child >= n_leaves:
                next_stage[child - n_leaves] = s + 1
        node = n_leaves + s
        low[node] = low[a]
        born[node] = s + 1
    return {
        "cluster_1": cluster_1 + 1,
        "cluster_2": cluster_2 + 1,
        "first_stage_1": first_1,
        "first_stage_2": first_2,
        "next_stage": next_stage,
    }


def agglomeration_schedule(
    tree: WardTree,
    *,
    unit: str = "auto",
    case_ids: Sequence[object] | None = None,
) -> pd.DataFrame:
    """One row per merge: which clusters were combined, at what cost, and what followed.

    Parameters
    ----------
    tree : WardTree
        From :func:`mixedwai.quant.ward.tree.ward_tree`.
    unit : {"auto", "cases", "distinct"}, default="auto"
        ``"cases"``: the schedule over all ``n`` input rows (``n - 1`` stages,
        the duplicate rows' height-0 merges first), clusters numbered by
        input row as SPSS numbers cases. ``"distinct"``: the schedule over the
        ``m`` distinct rows (``m - 1`` stages), clusters numbered by distinct
        row in canonical (sorted) order; the duplicate merges, which add
        nothing to the coefficient, are left out. ``"auto"`` uses ``"cases"``
        up to :data:`CASES_SCHEDULE_MAX` (5000) rows, ``"distinct"`` above.
    case_ids : sequence, optional
        Labels of the input rows (e.g. case ids), ``n`` of them; adds
        ``case_1`` and ``case_2``, the label of the lowest-numbered member of
        each combined cluster (with ``unit="distinct"``, of the first input
        row equal to that distinct row).

    Returns
    -------
    pandas.DataFrame
        One row per stage, columns:

        - ``stage``: 1 .. number of merges;
        - ``cluster_1``, ``cluster_2``: the clusters combined, each named by
          its lowest-numbered member (1-based row, or distinct row, number),
          ``cluster_1 < cluster_2``; the new cluster keeps the name
          ``cluster_1``, as in SPSS;
        - ``case_1``, ``case_2``: only with ``case_ids``;
        - ``coefficient``: within-cluster (error) sum of squares after the
          merge, cumulated over the stages;
        - ``height``: the merge height as scipy reports it, ``sqrt(2 * cost)``;
        - ``change``: the coefficient's increase over the previous stage
          (the merge's own cost);
        - ``change_pct``: that increase in percent of the previous
          coefficient (missing while the previous coefficient is 0);
        - ``first_stage_1``, ``first_stage_2``: the stage at which each
          combined cluster was formed (0: a single row) — SPSS's "Stage
          Cluster First Appears";
        - ``next_stage``: the stage at which the new cluster is next combined
          (0 after the last stage);
        - ``size``: number of rows in the new cluster.

    Raises
    ------
    OptionError
        ``unit`` is not one of the three choices, or ``case_ids`` does not
        have one label per input row.

    Notes
    -----
    The coefficient after stage ``s`` equals the sum of the merge costs so
    far, :math:`\\sum_{j \\le s} h_j^2 / 2`, and equals the within-cluster sum of
    squares of the partition in ``n - s`` clusters; the tests recompute it by
    brute force from the partitions (sum over clusters of the squared
    distances to the cluster's centroid). SPSS names a merged cluster by its
    lowest case number, as here. Whether SPSS prints these coefficients or a
    constant multiple of them (it runs Ward on squared Euclidean distances)
    has not been checked against an SPSS run; percentage changes and
    partitions do not depend on such a factor. With weights
    (``sample_weight``), sums of squares are weighted.

    Examples
    --------
    >>> import numpy as np
    >>> from mixedwai.quant.ward.tree import ward_tree
    >>> tree = ward_tree(np.array([[1.0], [1.0], [2.0], [4.0]]))
    >>> agglomeration_schedule(tree, unit="distinct")[["cluster_1", "cluster_2", "size"]]
       cluster_1  cluster_2  size
    0          1          2     3
    1          1          3     4
    """
    from mixedwai.errors import OptionError

    check_choice("unit", unit, ["auto", "cases", "distinct"])
    if unit == "auto":
        unit = "cases" if tree.n_rows <= CASES_SCHEDULE_MAX else "distinct"
    if case_ids is not None and len(case_ids) != tree.n_rows:
        raise OptionError(
            f"case_ids has {len(case_ids)} labels for a tree over {tree.n_rows} rows; "
            "expected one label per input row"
        )
    m = tree.n_distinct
    if unit == "cases":
        Z = tree.linkage
        n_leaves = tree.n_rows
        costs = np.concatenate([np.zeros(tree.n_rows - m), tree.costs])
    else:
        Z = tree.distinct_linkage
        n_leaves = m
        costs = tree.costs
    children = Z[:, :2].astype(np.int64)
    spss = _spss_columns(children, n_leaves)
    coefficient = np.cumsum(costs)
    previous = np.concatenate([[0.0], coefficient[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        change_pct = np.where(previous > 0, costs / previous * 100.0, np.nan)
    columns: dict[str, object] = {
        "stage": np.arange(1, len(costs) + 1),
        "cluster_1": spss["cluster_1"],
        "cluster_2": spss["cluster_2"],
    }
    if case_ids is not None:
        ids = np.asarray(list(case_ids), dtype=object)
        if unit == "distinct":
            # the first input row equal to each distinct row
            first_row = np.full(m, tree.n_rows, dtype=np.int64)
            np.minimum.at(first_row, tree.inverse, np.arange(tree.n_rows))
            ids = ids[first_row]
        columns["case_1"] = ids[spss["cluster_1"] - 1]
        columns["case_2"] = ids[spss["cluster_2"] - 1]
    columns.update(
        {
            "coefficient": coefficient,
            "height": Z[:, 2],
            "change": costs,
            "change_pct": change_pct,
            "first_stage_1": spss["first_stage_1"],
            "first_stage_2": spss["first_stage_2"],
            "next_stage": spss["next_stage"],
            "size": Z[:, 3].astype(np.int64),
        }
    )
    return pd.DataFrame(columns)
