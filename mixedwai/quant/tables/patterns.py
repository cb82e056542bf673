"""Table 2 (the alliance patterns) and its diagnostics for the technical appendix.

Examples
--------
>>> import mixedwai as mw
>>> from mixedwai.quant.study import analyse_quant
>>> q = analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
...                   mw.read_cases("sample_corpus/cases.csv"), n_boot=0)
>>> patterns_table(q.clusters).display.iloc[0].tolist()
['Stable high (SHA)', '5 (27.8)', '6.55 (0.13)', '6.63 (0.14)', '6.73 (0.18)', '6.64 (0.15)']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.quant.patterns.timepoints import time_columns
from mixedwai.quant.tables.model import PublicationTable
from mixedwai.quant.tables.text import m_sd, n_pct, number

if TYPE_CHECKING:
    from mixedwai.quant.ward.result import ClusterResult

__all__ = ["pattern_label", "pattern_diagnostics_table", "patterns_table"]


def pattern_label(name: object, abbrev: object) -> str:
    """A pattern as a table row shows it: ``Stable high (SHA)``.

    Examples
    --------
    >>> pattern_label("stable high", "SHA"), pattern_label("SHA", "SHA")
    ('Stable high (SHA)', 'SHA')
    """
    text = str(name)
    if text == str(abbrev):
        return text
    return f"{text[:1].upper()}{text[1:]} ({abbrev})"


def _times(profile: pd.DataFrame) -> list[str]:
    means = [c[: -len("_mean")] for c in profile.columns if str(c).endswith("_mean")]
    return time_columns(pd.DataFrame(columns=means))


def _abbreviations(profile: pd.DataFrame) -> str:
    pairs = [f"{a} = {p}" for p, a in zip(profile["pattern"], profile["abbrev"], strict=True)
             if str(p) != str(a)]
    return "; ".join(pairs)


def patterns_table(clusters: ClusterResult, *, measure: str = "WAI") -> PublicationTable:
    """Table 2: each pattern's size and mean score (SD) at each time and overall.

    Parameters
    ----------
    clusters : ClusterResult
    measure : str, default="WAI"
        The name of the clustered score, used in the title and the note.

    Returns
    -------
    PublicationTable
        ``display`` columns: Pattern, n (%), one ``M (SD)`` column per time
        (``Time 1`` ...), Overall. ``sheet``: pattern, abbrev, n, %, then
        ``T1 M``, ``T1 SD`` ... ``Overall M``, ``Overall SD`` as numbers.

    Examples
    --------
    >>> import mixedwai as mw
    >>> scores = mw.score_wai(mw.read_sessions("sample_corpus/sessions.csv"))
    >>> result = mw.cluster_trajectories(scores, k=3, n_boot=0, tie_seeds=0)
    >>> patterns_table(result).display["n (%)"].tolist()
    ['5 (27.8)', '3 (16.7)', '10 (55.6)']
    """
    profile = clusters.profile
    times = _times(profile)
    total = int(profile["n"].sum())
    display: dict[str, list[str]] = {"Pattern": [], "n (%)": []}
    sheet: dict[str, list[object]] = {"Pattern": [], "Abbreviation": [], "n": [], "%": []}
    formats = {"n": "0", "%": "0.0"}
    for t in [*times, "overall"]:
        head = "Overall" if t == "overall" else f"Time {t[1:]}"
        display[head] = []
        short = "Overall" if t == "overall" else t.upper()
        sheet[f"{short} M"], sheet[f"{short} SD"] = [], []
        formats[f"{short} M"] = formats[f"{short} SD"] = "0.00"
    for row in profile.itertuples(index=False):
        values = row._asdict()
        display["Pattern"].append(pattern_label(values["pattern"], values["abbrev"]))
        display["n (%)"].append(n_pct(values["n"], values["pct"]))
        sheet["Pattern"].append(str(values["pattern"]))
        sheet["Abbreviation"].append(str(values["abbrev"]))
        sheet["n"].append(int(values["n"]))
        sheet["%"].append(float(values["pct"]))
        for t in [*times, "overall"]:
            mean, sd = ((values["mean"], values["sd"]) if t == "overall"
                        else (values[f"{t}_mean"], values[f"{t}_sd"]))
            display["Overall" if t == "overall" else f"Time {t[1:]}"].append(m_sd(mean, sd))
            short = "Overall" if t == "overall" else t.upper()
            sheet[f"{short} M"].append(float(mean))
            sheet[f"{short} SD"].append(float(sd))
    notes = [
        f"Note. N = {total} cases clustered. Cells under Time 1..{len(times)} and Overall are "
        f"M (SD) of the {measure} score over the cases of each pattern; Overall is the mean of "
        f"each case's {len(times)} scores. Percentages are of the {total} cases."
    ]
    abbreviations = _abbreviations(profile)
    if abbreviations:
        notes.append(f"{abbreviations}.")
    return PublicationTable(
        "table_2", f"Alliance patterns: size and mean {measure} score (SD) at each time",
        pd.DataFrame(display), pd.DataFrame(sheet), formats, tuple(notes))


def pattern_diagnostics_table(clusters: ClusterResult) -> PublicationTable:
    """The patterns' diagnostics: share of cases, bootstrap stability, tie sensitivity.

    Returns
    -------
    PublicationTable
        ``display`` columns: Pattern, Share, Stability (mean Jaccard over the
        bootstrap resamples; a dash when none were drawn).

    Examples
    --------
    >>> import mixedwai as mw
    >>> scores = mw.score_wai(mw.read_sessions("sample_corpus/sessions.csv"))
    >>> result = mw.cluster_trajectories(scores, k=3, n_boot=0, tie_seeds=0)
    >>> pattern_diagnostics_table(result).display["Share"].tolist()
    ['0.28', '0.17', '0.56']
    """
    profile = clusters.profile
    stability = profile["stability"] if "stability" in profile else pd.Series(
        float("nan"), index=profile.index)
    display = pd.DataFrame({
        "Pattern": [pattern_label(p, a) for p, a in zip(profile["pattern"], profile["abbrev"],
                                                         strict=True)],
        "Share": [number(v, 2) for v in profile["share"]],
        "Stability": [number(v, 2) for v in stability],
    })
    sheet = pd.DataFrame({"Pattern": profile["pattern"].astype(str).to_numpy(),
                          "Abbreviation": profile["abbrev"].astype(str).to_numpy(),
                          "Share": profile["share"].astype(float).to_numpy(),
                          "Stability": stability.astype(float).to_numpy()})
    n_boot = clusters.params.get("n_boot")
    notes = [f"Note. Share = proportion of the clustered cases. Stability = mean Jaccard "
             f"similarity of the pattern with its best match over {n_boot} bootstrap resamples "
             "(Hennig 2007; above .75 is usually read as stable)."]
    ties = clusters.tie_sensitivity
    if ties is not None:
        notes.append(
            f"Tie sensitivity: {ties.get('tied_merges', 0)} of {ties.get('merges', '?')} merges "
            f"were tied; median ARI between the canonical partition and {ties.get('n_seeds')} "
            f"partitions with ties broken at random = {number(ties.get('ari_median'))} "
            f"(minimum {number(ties.get('ari_min'))}).")
    return PublicationTable("patterns_diagnostics", "Diagnostics of the patterns", display,
                            sheet, {"Share": "0.00", "Stability": "0.00"}, tuple(notes))
