"""The choice of the number of clusters as a publication table, and its full criteria.

Examples
--------
>>> import mixedwai as mw
>>> from mixedwai.quant.study import analyse_quant
>>> q = analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
...                   mw.read_cases("sample_corpus/cases.csv"), n_boot=0)
>>> k_table(q.clusters).display[["k", "Admissible", "Chosen"]].iloc[1].tolist()
['3', 'yes', 'yes']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.quant.tables.model import PublicationTable
from mixedwai.quant.tables.text import DASH, n_pct, number

if TYPE_CHECKING:
    from mixedwai.quant.ward.result import ClusterResult

__all__ = ["k_criteria_table", "k_table"]


def _yes(value: object) -> str:
    return "yes" if bool(value) else "no"


def _why(row: pd.Series, min_share: float) -> str:
    reasons = []
    if not bool(row["admissible"]):
        reasons.append(f"a cluster holds fewer than {min_share:.0%} of the cases")
    preferred = str(row.get("preferred_by") or "")
    if preferred and preferred != "nan":
        reasons.append("preferred by " + preferred.replace("_", "-"))
    return "; ".join(reasons) or DASH


def k_table(clusters: ClusterResult) -> PublicationTable:
    """The k-selection table: coefficient, increase, smallest cluster, admissible, chosen, why.

    Returns
    -------
    PublicationTable
        ``display`` columns: k, Coefficient, Increase (%), Smallest cluster n (%),
        Admissible, Chosen, Why.

    Examples
    --------
    >>> import mixedwai as mw
    >>> scores = mw.score_wai(mw.read_sessions("sample_corpus/sessions.csv"))
    >>> result = mw.cluster_trajectories(scores, k=3, n_boot=0, tie_seeds=0)
    >>> k_table(result).display["Admissible"].tolist()
    ['yes', 'yes', 'no', 'no', 'no']
    """
    sel = clusters.k_selection
    min_share = float(clusters.params.get("min_share", 0.10))
    display = pd.DataFrame({
        "k": sel["k"].astype(int).astype(str),
        "Coefficient": [number(v, 2) for v in sel["coefficient"]],
        "Increase (%)": [number(v, 1) for v in sel["increase_pct"]],
        "Smallest cluster, n (%)": [n_pct(n, 100 * s) for n, s in
                                    zip(sel["smallest_n"], sel["smallest_share"], strict=True)],
        "Admissible": [_yes(v) for v in sel["admissible"]],
        "Chosen": ["yes" if bool(v) else "" for v in sel["chosen"]],
        "Why": [_why(row, min_share) for _, row in sel.iterrows()],
    })
    sheet = pd.DataFrame({
        "k": sel["k"].astype(int).to_numpy(),
        "Coefficient": sel["coefficient"].astype(float).to_numpy(),
        "Increase %": sel["increase_pct"].astype(float).to_numpy(),
        "Smallest n": sel["smallest_n"].astype(int).to_numpy(),
        "Smallest %": (100 * sel["smallest_share"].astype(float)).to_numpy(),
        "Admissible": [_yes(v) for v in sel["admissible"]],
        "Chosen": ["yes" if bool(v) else "no" for v in sel["chosen"]],
        "Why": display["Why"].to_numpy(),
    })
    notes = (
        "Note. Coefficient = Ward's agglomeration coefficient (within-cluster error) with k "
        "clusters; Increase = how much the merge to k - 1 clusters adds, in percent. "
        f"Admissible = every cluster holds at least {min_share:.0%} of the cases (Hair & Black "
        "2000).",
        clusters.k_reason,
    )
    return PublicationTable("k_selection", "Choice of the number of clusters", display, sheet,
                            {"Coefficient": "0.00", "Increase %": "0.0", "Smallest %": "0.0"},
                            notes)


def k_criteria_table(clusters: ClusterResult) -> PublicationTable:
    """Every criterion computed for each k (silhouette, Calinski-Harabasz, stability, ties).

    Returns
    -------
    PublicationTable
        For the technical appendix.

    Examples
    --------
    >>> import mixedwai as mw
    >>> scores = mw.score_wai(mw.read_sessions("sample_corpus/sessions.csv"))
    >>> result = mw.cluster_trajectories(scores, k=3, n_boot=0, tie_seeds=0)
    >>> list(k_criteria_table(result).display.columns)[:3]
    ['k', 'Silhouette', 'Calinski-Harabasz']
    """
    sel = clusters.k_selection
    columns = [("silhouette", "Silhouette", 2), ("calinski_harabasz", "Calinski-Harabasz", 1),
               ("stability", "Stability", 2), ("tied_merges", "Tied merges", 0),
               ("tie_ari_median", "Tie ARI (median)", 2), ("tie_ari_min", "Tie ARI (min)", 2)]
    present = [(c, h, d) for c, h, d in columns if c in sel.columns]
    display = pd.DataFrame({"k": sel["k"].astype(int).astype(str)})
    sheet = pd.DataFrame({"k": sel["k"].astype(int).to_numpy()})
    formats = {}
    for column, head, digits in present:
        values = pd.to_numeric(sel[column], errors="coerce")
        display[head] = [number(v, digits) if digits else
                         (DASH if pd.isna(v) else str(int(v))) for v in values]
        sheet[head] = values.astype(float).to_numpy()
        formats[head] = "0" if digits == 0 else "0." + "0" * digits
    notes = ("Note. Silhouette and Calinski-Harabasz on the clustered scores; Stability = mean "
             "cluster-wise Jaccard over the bootstrap resamples; Tie ARI = adjusted Rand index "
             "between the canonical partition and partitions with ties broken at random.",)
    return PublicationTable("k_criteria", "Criteria for each number of clusters", display, sheet,
                            formats, notes)
