"""Quantitized themes: each code's presence per case tested against pattern and outcome.

Presence (coded at least once in the case's interview) is a binary case
attribute; crossing it with the alliance pattern gives an r × 2 table and with
the outcome a 2 × 2 table. Both get exact tests (Freeman-Halton, which is
Fisher's exact test for 2 × 2), reported with their counts, because with a
handful of interviews an asymptotic test would mislead — and a small p-value
from 17 interviews and dozens of codes is not a finding: the display says how
many tests were run and gives Holm-adjusted p-values beside the raw ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mixedwai.joint.displays.tables import _PLURAL, JointDisplay
from mixedwai.joint.themes import theme_labels, theme_presence
from mixedwai.quant.outcomes.exact import freeman_halton_test

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy

__all__ = ["quantitized_themes"]


def _holm(p_values: pd.Series) -> pd.Series:
    """Holm step-down adjusted p-values (NaN kept)."""
    valid = p_values.dropna().sort_values(kind="mergesort")
    m = len(valid)
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * valid.to_numpy()))
    out = pd.Series(np.nan, index=p_values.index)
    out.loc[valid.index] = adjusted
    return out


def quantitized_themes(
    study: LinkedStudy,
    *,
    level: str = "code",
    random_state: int = 0,
    n_resamples: int = 100_000,
) -> JointDisplay:
    """Test each theme's presence against the pattern and against the outcome.

    Parameters
    ----------
    study : LinkedStudy
    level : {"code", "category"}, default="code"
    random_state : int, default=0
        Seed of the Monte Carlo fallback of the exact test (used only when full
        enumeration is not feasible; the method is reported).
    n_resamples : int, default=100000

    Returns
    -------
    JointDisplay
        ``data`` (index ``theme``): ``label``, ``n_cases`` (interviewed
        clustered cases), ``n_coded``, per pattern ``<abbrev>_coded`` and
        ``<abbrev>_n``, ``p_pattern`` (Freeman-Halton exact test, pattern ×
        presence), ``coded_outcome``, ``n_outcome``, ``coded_no_outcome``,
        ``n_no_outcome``, ``p_outcome`` (Fisher's exact test, presence ×
        outcome), ``p_pattern_holm``, ``p_outcome_holm`` (Holm adjustment over the
        themes tested), ``note``. A theme coded in every case or in none is not
        tested (p-values missing, note says why).

    Notes
    -----
    The exact tests are :func:`mixedwai.quant.outcomes.crosstab.freeman_halton_test`,
    checked against ``scipy.stats.fisher_exact`` for 2 × 2 tables.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> d = quantitized_themes(sample_linked_study(), level="category")
    >>> bool((d.data["n_coded"] <= d.data["n_cases"]).all())
    True
    """
    presence = theme_presence(study, level=level)
    labels = theme_labels(study, level=level)
    cases = study.interviewed
    patterns = list(dict.fromkeys(cases["abbrev"]))
    outcome = cases["outcome"]
    rows = []
    for theme in presence.columns:
        coded = presence.loc[cases.index, theme].astype(bool)
        row: dict[str, object] = {
            "theme": theme,
            "label": labels.get(theme, theme),
            "n_cases": len(cases),
            "n_coded": int(coded.sum()),
        }
        for pattern in patterns:
            in_pattern = cases["abbrev"] == pattern
            row[f"{pattern}_coded"] = int((coded & in_pattern).sum())
            row[f"{pattern}_n"] = int(in_pattern.sum())
        known = outcome.notna()
        row["coded_outcome"] = int((coded & known & outcome.fillna(False).astype(bool)).sum())
        row["n_outcome"] = int((known & outcome.fillna(False).astype(bool)).sum())
        row["coded_no_outcome"] = int((coded & known & ~outcome.fillna(True).astype(bool)).sum())
        row["n_no_outcome"] = int((known & ~outcome.fillna(True).astype(bool)).sum())
        if coded.all() or not coded.any():
            row["p_pattern"] = np.nan
            row["p_outcome"] = np.nan
            row["note"] = "coded in every case" if coded.all() else "coded in no case"
        else:
            by_pattern = pd.crosstab(cases["abbrev"], coded).reindex(
                index=patterns, columns=[True, False], fill_value=0
            )
            row["p_pattern"] = (
                freeman_halton_test(by_pattern.to_numpy(), n_resamples=n_resamples,
                                    random_state=random_state).p_value
                if len(patterns) > 1 else np.nan
            )
            by_outcome = pd.crosstab(coded[known], outcome[known].astype(bool)).reindex(
                index=[True, False], columns=[True, False], fill_value=0
            )
            row["p_outcome"] = (
                freeman_halton_test(by_outcome.to_numpy(), n_resamples=n_resamples,
                                    random_state=random_state).p_value
                if row["n_outcome"] and row["n_no_outcome"] else np.nan
            )
            row["note"] = ""
        rows.append(row)
    data = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["theme", "label", "n_cases",
                                                                     "n_coded", "p_pattern",
                                                                     "p_outcome", "note"])
    data = data.set_index("theme")
    if len(data):
        data["p_pattern_holm"] = _holm(data["p_pattern"])
        data["p_outcome_holm"] = _holm(data["p_outcome"])
    n_tested = int(data["p_pattern"].notna().sum()) if len(data) else 0

    def fmt_p(value: float) -> str:
        return "–" if pd.isna(value) else ("< .001" if value < 0.001 else f"{value:.3f}")

    shown = []
    for theme, r in data.iterrows():
        cells = {"Theme": r["label"]}
        for pattern in patterns:
            cells[pattern] = f"{r[f'{pattern}_coded']}/{r[f'{pattern}_n']}"
        cells["p (pattern)"] = fmt_p(r["p_pattern"])
        cells["Outcome"] = f"{r['coded_outcome']}/{r['n_outcome']}"
        cells["No outcome"] = f"{r['coded_no_outcome']}/{r['n_no_outcome']}"
        cells["p (outcome)"] = fmt_p(r["p_outcome"])
        cells["Holm p (pattern; outcome)"] = (
            f"{fmt_p(r['p_pattern_holm'])}; {fmt_p(r['p_outcome_holm'])}"
        )
        cells["Note"] = r["note"]
        shown.append(cells)
        del theme
    notes = [
        f"Exact tests on {len(cases)} interviewed cases; {n_tested} themes tested, so "
        "Holm-adjusted p-values are given beside the raw ones. With samples this small these "
        "tests have little power and none of them licenses a claim of association; read them "
        "as descriptions of where themes concentrate.",
        f"Outcome: {study.outcome_label}.",
    ]
    return JointDisplay(
        key="quantitized_themes",
        title=f"Quantitized themes ({_PLURAL[level]}): presence against pattern and outcome",
        data=data,
        table=pd.DataFrame(shown),
        notes=notes,
        landscape=True,
        row_key="theme",
    )
