"""Themes by pattern: the statistics-by-themes display turned on its side for many themes.

With a few categories, one row per pattern and one column per theme reads well
(:func:`~mixedwai.joint.displays.tables.statistics_by_themes`). With thirty codes it
does not: a page cannot hold thirty quote columns. This display keeps the same
numbers with one row per theme and one column per pattern, so it grows down the
page instead of across it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.joint.displays.exemplars import QuotePicker
from mixedwai.joint.displays.tables import (
    _PLURAL,
    _SUBCODE_NOTE,
    JointDisplay,
    _fmt_pct,
    _pct,
    _theme_cell,
)
from mixedwai.joint.themes import theme_labels, theme_presence

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy

__all__ = ["themes_by_pattern"]


def themes_by_pattern(
    study: LinkedStudy,
    *,
    level: str = "code",
    themes: list[str] | None = None,
    quotes: bool = True,
    pinned: pd.DataFrame | None = None,
) -> JointDisplay:
    """One row per theme, one column per pattern: cases coded and an exemplar quote.

    Parameters
    ----------
    study : LinkedStudy
    level : {"code", "category"}, default="code"
    themes : list of str, optional
        Theme ids in order (default: every theme coded in at least one case).
    quotes : bool, default=True
        Under each count, an exemplar quote from a case of that pattern with its
        attribution (``ES#11_C4 (Cluster SHA, obtained a job)``): never a coding
        flagged negated, never shorter than
        :data:`~mixedwai.joint.displays.exemplars.MIN_QUOTE_WORDS` words, never
        twice in the display (see :class:`~mixedwai.joint.displays.exemplars.QuotePicker`).
    pinned : pandas.DataFrame, optional
        The researcher's quotes (:func:`~mixedwai.joint.displays.exemplars.load_pinned_quotes`),
        used first.

    Returns
    -------
    JointDisplay
        ``data`` (index ``theme``): ``label``, ``n_coded`` and ``n_interviewed``
        over all patterns, and per pattern ``<abbrev>_n`` (interviewed cases of
        the pattern where the theme was coded), ``<abbrev>_of`` (the pattern's
        interviewed cases), ``<abbrev>_pct`` and ``<abbrev>_quote``.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> d = themes_by_pattern(sample_linked_study(), quotes=False)
    >>> d.data.loc["transparency", ["SHA_n", "SHA_of", "SLA_n", "SLA_of"]].tolist()
    [4, 5, 3, 9]
    """
    presence = theme_presence(study, level=level)
    labels = theme_labels(study, level=level)
    if themes is None:
        themes = [t for t in presence.columns if presence[t].any()]
    cases = study.interviewed
    picker = QuotePicker(study, level=level, pinned=pinned) if quotes else None
    patterns = {
        abbrev: (group["pattern"].iloc[0], list(group.index))
        for abbrev, group in study.case_table.groupby("abbrev", sort=False)
    }
    rows, shown = [], []
    for theme in themes:
        coded_all = int(presence.loc[cases.index, theme].sum()) if len(cases) else 0
        row: dict[str, object] = {"theme": theme, "label": labels.get(theme, theme),
                                  "n_coded": coded_all, "n_interviewed": len(cases)}
        overall = _fmt_pct(_pct(coded_all, len(cases)))
        cells = {"Theme": labels.get(theme, theme),
                 "All patterns": f"{coded_all}/{len(cases)} ({overall})"}
        for abbrev, (name, members) in patterns.items():
            interviewed = [c for c in members if c in presence.index]
            numbers, text = _theme_cell(study, presence, theme, interviewed, picker)
            for key, value in numbers.items():
                row[f"{abbrev}_{key}"] = value
            cells[f"{name} ({abbrev})"] = text
        rows.append(row)
        shown.append(cells)
    data = pd.DataFrame(rows).set_index("theme") if rows else pd.DataFrame(
        columns=["label", "n_coded", "n_interviewed"]).rename_axis("theme")
    notes = [
        "Each cell: interviewed cases of the pattern in whose interview the theme was coded at "
        "least once / the pattern's interviewed cases, then an exemplar quote.",
        "Themes coded in no interview are not shown.",
    ]
    if level == "code" and study.codebook is not None:
        notes.append(_SUBCODE_NOTE)
    return JointDisplay(
        key="themes_by_pattern",
        title=f"Themes ({_PLURAL[level]}) by alliance pattern, with exemplar quotes",
        data=data,
        table=pd.DataFrame(shown),
        notes=notes,
        landscape=True,
        row_key="theme",
    )
