"""The k-selection table: one row of criteria per number of clusters.

Used by :func:`mixedwai.quant.selection.rules.select_k`, which applies its rules to this
table and writes the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mixedwai.quant.selection.stability import _canonical_rows, _stability_frame, _stability_runs
from mixedwai.quant.ward.hierarchy import WardTree
from mixedwai.quant.ward.ties import TieSensitivity, tie_sensitivity

#: Internal to k selection (table_ks is used by the WardClustering estimator too).
__all__: list[str] = []


def _silhouettes(
    tree: WardTree, ks: Sequence[int], *, sample: int, random_state: int | None
) -> dict[int, float]:
    from sklearn.metrics import silhouette_score

    rows = _canonical_rows(tree)
    if rows.shape[0] > sample:
        rng = np.random.default_rng(random_state)
        rows = np.sort(rng.choice(rows.shape[0], size=sample, replace=False))
        rows = _canonical_rows(tree)[rows]
    X = tree.distinct[rows]
    out = {}
    for k in ks:
        labels = tree.distinct_labels(k)[rows]
        n_labels = np.unique(labels).shape[0]
        if 2 <= n_labels <= X.shape[0] - 1:
            out[k] = float(silhouette_score(X, labels))
        else:
            out[k] = float("nan")
    return out


def table_ks(tree: WardTree, k: int | str, max_k: int) -> list[int]:
    """The k listed in the k-selection table: 2..max_k (capped at the distinct rows), and k."""
    top = min(int(max_k), tree.n_distinct)
    if not isinstance(k, str):
        top = max(top, min(int(k), tree.n_distinct))
    return list(range(2, max(top, 2) + 1))


def _criteria_table(
    tree: WardTree, ks: np.ndarray, *, min_share: float, min_n: int, silhouette_sample: int,
    random_state: int | None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Sums of squares, sizes, admissibility, silhouette and Calinski-Harabasz of each k.

    The columns are those of :func:`mixedwai.quant.selection.rules.select_k`'s table up to
    ``calinski_harabasz``; the second item says, per row, whether every cluster holds
    ``min_share`` of the cases (``min_n`` aside).
    """
    n_total = float(tree.weights.sum())
    total = tree.total_ss
    rows = []
    for kk in ks:
        labels = tree.distinct_labels(int(kk))
        sizes = np.bincount(labels, weights=tree.weights, minlength=int(kk))
        n_cases = np.bincount(labels, weights=tree.counts, minlength=int(kk))
        w_k = tree.within_ss(int(kk))
        w_prev = tree.within_ss(int(kk) - 1)
        increase = w_prev - w_k
        ch = (
            ((total - w_k) / (kk - 1)) / (w_k / (n_total - kk))
            if w_k > 0 and n_total > kk
            else np.nan
        )
        rows.append(
            {
                "k": int(kk),
                "coefficient": w_k,
                "increase": increase,
                "increase_pct": increase / w_k * 100.0 if w_k > 0 else np.nan,
                "smallest_n": sizes.min(),
                "smallest_share": sizes.min() / n_total,
                "admissible": bool(sizes.min() >= min_share * n_total * (1 - 1e-12)
                                   and n_cases.min() >= min_n),
                "_share_ok": bool(sizes.min() >= min_share * n_total * (1 - 1e-12)),
                "calinski_harabasz": ch,
            }
        )
    table = pd.DataFrame(rows)
    share_ok = table.pop("_share_ok").to_numpy(dtype=bool)
    if (table["smallest_n"] == table["smallest_n"].round()).all():
        table["smallest_n"] = table["smallest_n"].astype(np.int64)
    sil = _silhouettes(tree, ks.tolist(), sample=int(silhouette_sample), random_state=random_state)
    table.insert(table.columns.get_loc("calinski_harabasz"), "silhouette", [sil[kk] for kk in ks])
    return table, share_ok


def _add_stability(
    table: pd.DataFrame, tree: WardTree, ks: np.ndarray, *, n_boot: int,
    random_state: int | None, stability_max_n: int,
) -> dict[int, np.ndarray] | None:
    """Add the ``stability`` column; return the bootstrap Jaccards ``{k: (n_boot, k)}`` or None."""
    runs = None
    if n_boot > 0:
        runs = _stability_runs(
            tree,
            ks.tolist(),
            n_boot=int(n_boot),
            random_state=random_state,
            max_n=int(stability_max_n),
        )
        table["stability"] = [
            _mean_finite(_stability_frame(runs[kk], tree, kk)["jaccard_mean"].to_numpy())
            for kk in ks.tolist()
        ]
    else:
        table["stability"] = np.nan
    return runs


def _add_ties(
    table: pd.DataFrame, tree: WardTree, ks: np.ndarray, *, ties: TieSensitivity | None,
    tie_seeds: int, random_state: int | None, tie_max_n: int | None,
) -> None:
    """Add ``tied_merges`` and the tie-break agreement columns (run unless ``ties`` is given)."""
    table["tied_merges"] = [tree.n_tied_merges(int(kk)) for kk in ks]
    if ties is None and tie_seeds > 0:
        ties = tie_sensitivity(
            tree, ks.tolist(), n_seeds=int(tie_seeds), random_state=random_state,
            max_n=tie_max_n,
        )
    tie_table = ties.table.reindex(ks) if ties is not None else None
    for column in ("ari_median", "ari_min"):
        table[f"tie_{column}"] = (
            tie_table[column].to_numpy() if tie_table is not None else np.nan
        )


def _mean_finite(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")
