"""The words of the k-selection reason: rules and criteria named, numbers formatted.

Used by :func:`mixedwai.quant.selection.rules.select_k` to write its quotable reason.
"""

from __future__ import annotations

from collections.abc import Sequence

_RULE_WORDS = {
    "jump": "the largest percent jump of the within-cluster sum of squares before the final "
    "merge, among solutions whose clusters each hold at least min_share of the cases",
    "jump_all": "the largest percent jump of the within-cluster sum of squares among "
    "solutions whose clusters each hold at least min_share of the cases",
    "reduction": "the largest k whose clusters each hold at least min_share of the cases",
}

_CRITERION_WORDS = {
    "silhouette": "silhouette",
    "calinski_harabasz": "Calinski-Harabasz",
    "stability": "stability",
    "coefficient": "the coefficient",
}


def _format_ks(ks: Sequence[int]) -> str:
    ks = sorted(int(k) for k in ks)
    if len(ks) >= 3 and ks == list(range(ks[0], ks[-1] + 1)):
        return f"{ks[0]}..{ks[-1]}"
    return ", ".join(str(k) for k in ks)


def _pct(share: float) -> str:
    value = share * 100
    return f"{value:.0f} %" if float(value).is_integer() else f"{value:g} %"


def _count(value: float) -> str:
    return f"{int(value)}" if float(value).is_integer() else f"{value:g}"
