"""The case-ordered display as a compact case × theme matrix, for printed reports.

One row per clustered case (ordered as :func:`~mixedwai.joint.displays.tables.case_ordered_display`
orders them), its trajectory drawn small, its pattern and outcome, then for each
category of the codebook how many of its codes the interview touched (``3/9``),
and one short key quote. The full display, with every code named, stays in
``displays/case_ordered.csv``.

Examples
--------
>>> from mixedwai.joint.sample import sample_linked_study
>>> d = case_matrix(sample_linked_study())
>>> list(d.table.columns)[:4], len(d.table)
(['Case', 'Pattern', 'Outcome', 'Trajectory'], 18)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.joint.displays.tables import SPARKLINE, JointDisplay, case_ordered_display
from mixedwai.joint.themes import theme_labels

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy

__all__ = ["case_matrix", "shorten"]


def shorten(text: str, limit: int = 110) -> str:
    """Cut a quote at a word boundary near ``limit`` characters, marking the cut with ….

    Examples
    --------
    >>> shorten("“one two three four”", 12)
    '“one two…”'
    """
    inner = text.strip("“”")
    if len(inner) <= limit:
        return text
    cut = inner[:limit].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"“{cut}…”"


def case_matrix(study: LinkedStudy, *, quote_chars: int = 110) -> JointDisplay:
    """The case-ordered display as a case × category matrix with short quotes.

    Parameters
    ----------
    study : LinkedStudy
    quote_chars : int, default=110
        Longest quote kept whole (longer ones are cut at a word, ``…``).

    Returns
    -------
    JointDisplay
        ``data`` (index ``case_id``): ``pattern``, ``outcome``, ``interviewed``,
        one column per category with the number of its codes present (missing
        for a case without interview), ``quote``.
    """
    full = case_ordered_display(study)
    categories = theme_labels(study, level="category")
    code_category: dict[str, str] = {}
    totals: dict[str, int] = {}
    if study.codebook is not None:
        for code, category, *_ in study.codebook.iter_codes():
            code_category[code.id] = category
            totals[category] = totals.get(category, 0) + 1
    presence = study.presence
    rows, shown = [], []
    for (case_id, case), (_, text) in zip(full.data.iterrows(), full.table.iterrows(),
                                          strict=True):
        counts: dict[str, int | None] = {}
        for category in categories:
            if bool(case["interviewed"]) and case_id in presence.index:
                present = [c for c in presence.columns
                           if code_category.get(c) == category and presence.loc[case_id, c]]
                counts[category] = len(present)
            else:
                counts[category] = None
        quote = shorten(str(case["quote"]), quote_chars) if case["quote"] else ""
        outcome = case["outcome"]
        outcome_text = "" if outcome is None or pd.isna(outcome) else (
            "yes" if bool(outcome) else "no")
        rows.append({"case_id": case_id, "pattern": case["abbrev"], "outcome": outcome,
                     "interviewed": bool(case["interviewed"]), **counts, "quote": quote})
        shown.append({
            "Case": text["Case"], "Pattern": case["abbrev"], "Outcome": outcome_text,
            "Trajectory": text[SPARKLINE],
            **{categories[c]: ("" if n is None else f"{n}/{totals.get(c, n)}")
               for c, n in counts.items()},
            "Key quote": quote if case["interviewed"] else "(no interview)",
        })
    table = pd.DataFrame(shown).rename(columns={"Trajectory": SPARKLINE})
    notes = [
        f"Note. Cases ordered by pattern, then by mean score (highest first). Outcome: "
        f"{study.outcome_label} (yes) or not (no). Category columns: codes of the category "
        "found in the case's interview / codes in the category; blank = no interview. "
        "Quotes shortened (…); the full display is displays/case_ordered.csv.",
    ]
    return JointDisplay(key="case_matrix", title="Cases by pattern: trajectories, outcomes and "
                        "themes", data=pd.DataFrame(rows).set_index("case_id"), table=table,
                        notes=notes, landscape=True, row_key="case_id")
