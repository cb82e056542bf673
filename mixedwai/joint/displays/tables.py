"""Joint displays (after Guetterman, Fetters & Creswell 2015).

Each display is a :class:`JointDisplay`: ``data`` holds the numbers (a tidy or
wide DataFrame a test or a reader can recompute), ``table`` the same content as
text cells ready to render (Markdown, HTML, DOCX, CSV — see
:mod:`mixedwai.joint.render.formats`). Displays are pure functions of a
:class:`~mixedwai.joint.study.LinkedStudy`.

References
----------
Guetterman, T. C., Fetters, M. D., & Creswell, J. W. (2015). Integrating
quantitative and qualitative results in health science mixed methods research
through joint displays. *Annals of Family Medicine*, 13(6), 554-561.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from mixedwai.ids import display_case_id
from mixedwai.joint.displays.exemplars import QUOTE_LANGUAGE, QuotePicker, quote_text
from mixedwai.joint.themes import theme_labels, theme_presence
from mixedwai.qual.retrieval.quotes import quotes as find_quotes

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy

__all__ = [
    "JointDisplay",
    "case_ordered_display",
    "statistics_by_themes",
    "themes_by_outcome",
]

_PLURAL = {"category": "categories", "code": "codes"}

#: How sub-codes are named in displays at the code level.
_SUBCODE_NOTE = (
    "A sub-code is shown after its parent as “Parent › Sub-code”; a parent counts the "
    "codings of its own rules, not those of its sub-codes."
)

#: Name of the column whose cells are trajectories (tuples of floats) drawn small.
SPARKLINE = "Trajectory"


@dataclass(frozen=True)
class JointDisplay:
    """One joint display.

    Attributes
    ----------
    key : str
        Short identifier, used as file stem (``statistics_by_themes``).
    title : str
    data : pandas.DataFrame
        The numbers behind the display.
    table : pandas.DataFrame
        Text cells for rendering; a column named ``Trajectory`` holds tuples of
        floats that renderers draw as sparklines.
    notes : list of str
        Sentences printed under the display (definitions, small-sample caveats).
    landscape : bool
        Whether the DOCX renderer should put it on a landscape page.
    row_key : str
        What identifies a row (``pattern``, ``code_id`` or ``case_id``): the key
        meta-inferences refer to.
    """

    key: str
    title: str
    data: pd.DataFrame
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    landscape: bool = False
    row_key: str = ""


def _pct(k: int | float, n: int | float) -> float:
    return float(100.0 * k / n) if n else float("nan")


def _fmt_pct(value: float) -> str:
    return "–" if np.isnan(value) else f"{value:.0f} %"


def _case_attributes(study: LinkedStudy) -> pd.DataFrame:
    table = study.case_table
    return pd.DataFrame(
        {"pattern": table["abbrev"], "outcome": table["outcome"]}, index=table.index
    )


def _theme_cell(
    study: LinkedStudy, presence: pd.DataFrame, theme: str, interviewed: list[str],
    picker: QuotePicker | None,
) -> tuple[dict[str, object], str]:
    """One theme among some interviewed cases: its numbers, and the cell text to show.

    The numbers are ``n`` (cases coded), ``of`` (cases), ``pct``, ``quote`` (an
    attributed exemplar, or ``""``) and ``quote_segment`` (its segment id); the
    text is ``"k/n (pct %)"`` with the quote on the next line.
    """
    k = int(presence.loc[interviewed, theme].sum()) if interviewed else 0
    pct = _pct(k, len(interviewed))
    quote = picker.pick(theme, interviewed) if picker is not None and k else None
    quote_cell = quote_text(quote)
    text = f"{k}/{len(interviewed)} ({_fmt_pct(pct)})" + (f"\n{quote_cell}" if quote_cell else "")
    numbers: dict[str, object] = {"n": k, "of": len(interviewed), "pct": pct,
                                  "quote": quote_cell,
                                  "quote_segment": "" if quote is None else quote["segment_id"]}
    return numbers, text


def statistics_by_themes(
    study: LinkedStudy,
    *,
    level: str = "code",
    themes: list[str] | None = None,
    quotes: bool = True,
    pinned: pd.DataFrame | None = None,
) -> JointDisplay:
    """Statistics-by-themes display: one row per pattern, one column per theme.

    Parameters
    ----------
    study : LinkedStudy
    level : {"code", "category"}, default="code"
        Whether themes are codes or codebook categories.
    themes : list of str, optional
        Theme ids to show, in order (default: every code, or category, coded in
        at least one interview, in codebook order).
    quotes : bool, default=True
        Add, under each count, an exemplar quote from a case of that pattern
        with its attribution (``ES#11_C4 (Cluster SHA, obtained a job)``); see
        :class:`~mixedwai.joint.displays.exemplars.QuotePicker`.
    pinned : pandas.DataFrame, optional
        The researcher's quotes (:func:`~mixedwai.joint.displays.exemplars.load_pinned_quotes`),
        used first.

    Returns
    -------
    JointDisplay
        ``data`` has one row per pattern (index ``pattern``, the abbreviation):
        ``name``, ``n``, ``pct`` (of clustered cases), ``wai_mean``, ``wai_sd``
        (SD of case means), ``n_outcome``, ``pct_outcome``, ``n_interviewed``,
        and per theme ``<theme>_n`` (interviewed cases of the pattern where it
        was coded), ``<theme>_pct`` (% of the pattern's interviewed cases) and
        ``<theme>_quote``. A theme whose percentage is the same in every pattern
        (coded in every interview, say) tells the patterns apart in nothing: it
        stays in ``data`` but its column is left out of ``table``, and a note
        names it. ``data.attrs["left_out"]`` lists those themes.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> d = statistics_by_themes(sample_linked_study(), quotes=False, level="category")
    >>> list(d.data.index)  # cluster order: highest mean level first
    ['SHA', 'LDA', 'SLA']
    >>> d.data.attrs["left_out"]  # every category is coded in every interview
    ['client', 'professional', 'context', 'alliance']
    """
    table = study.case_table
    presence = theme_presence(study, level=level)
    labels = theme_labels(study, level=level)
    if themes is None:
        themes = [t for t in presence.columns if presence[t].any()]
    picker = QuotePicker(study, level=level, pinned=pinned) if quotes else None
    n_total = len(table)
    rows = []
    shown = []
    groups = list(table.groupby("abbrev", sort=False))
    interviewed_of = {abbrev: [c for c in group.index if c in presence.index]
                      for abbrev, group in groups}
    left_out = [
        theme for theme in themes
        if len(groups) > 1 and len({round(_pct(int(presence.loc[ids, theme].sum()), len(ids)), 9)
                                    for ids in interviewed_of.values() if ids}) == 1
    ]
    for abbrev, group in groups:
        interviewed = interviewed_of[abbrev]
        row: dict[str, object] = {
            "pattern": abbrev,
            "name": group["pattern"].iloc[0],
            "n": len(group),
            "pct": _pct(len(group), n_total),
            "wai_mean": float(group["mean"].mean()),
            "wai_sd": float(group["mean"].std(ddof=1)) if len(group) > 1 else float("nan"),
            "n_outcome": int(group["outcome"].fillna(False).sum()),
            "pct_outcome": _pct(int(group["outcome"].fillna(False).sum()),
                                int(group["outcome"].notna().sum())),
            "n_interviewed": len(interviewed),
        }
        cells = {
            "Pattern": f"{group['pattern'].iloc[0]} ({abbrev})",
            "n (%)": f"{len(group)} ({row['pct']:.1f} %)",
            f"Mean {study.measure} (SD)": f"{row['wai_mean']:.2f} ({row['wai_sd']:.2f})",
            "Outcome": f"{row['n_outcome']}/{int(group['outcome'].notna().sum())} "
            f"({_fmt_pct(row['pct_outcome'])})",
            "Interviewed": str(len(interviewed)),
        }
        for theme in themes:
            dropped = theme in left_out
            numbers, text = _theme_cell(study, presence, theme, interviewed,
                                        None if dropped else picker)
            for name in ("n", "pct", "quote"):
                row[f"{theme}_{name}"] = numbers[name]
            if not dropped:
                cells[labels.get(theme, theme)] = text
        rows.append(row)
        shown.append(cells)
    data = pd.DataFrame(rows).set_index("pattern")
    data.attrs["left_out"] = list(left_out)
    display = pd.DataFrame(shown)
    notes = [
        "Counts are interviewed cases of the pattern in whose interview the theme was coded at "
        "least once, over the pattern's interviewed cases.",
        f"Outcome: {study.outcome_label}; its rate is over the pattern's cases with a known "
        "outcome.",
        f"Mean {study.measure} is the mean of the cases' mean scores over the first "
        f"{study.n_sessions} sessions; SD is the standard deviation of those case means.",
    ]
    if left_out:
        same = [f"{labels.get(t, t)} ({_fmt_pct(data[f'{t}_pct'].iloc[0])})" for t in left_out]
        notes.append(
            "Left out because they read the same in every pattern, so they tell the patterns "
            f"apart in nothing: {'; '.join(same)}."
        )
    if level == "code" and study.codebook is not None:
        notes.append(_SUBCODE_NOTE)
    return JointDisplay(
        key="statistics_by_themes",
        title=f"Statistics by themes ({_PLURAL[level]}) for each alliance pattern",
        data=data,
        table=display,
        notes=notes,
        landscape=len(themes) - len(left_out) > 3,
        row_key="pattern",
    )


def themes_by_outcome(study: LinkedStudy, *, level: str = "code") -> JointDisplay:
    """Themes-by-outcome display: for each theme, cases coded with and without the outcome.

    Parameters
    ----------
    study : LinkedStudy
    level : {"code", "category"}, default="code"

    Returns
    -------
    JointDisplay
        ``data`` is long: ``theme``, ``label``, ``pattern`` (an abbreviation or
        ``"All"``), ``outcome`` (True/False), ``n_cases`` (interviewed cases in
        that cell), ``n_coded``, ``pct``.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> d = themes_by_outcome(sample_linked_study())
    >>> sorted(d.data["pattern"].unique())
    ['All', 'LDA', 'SHA', 'SLA']
    """
    presence = theme_presence(study, level=level)
    labels = theme_labels(study, level=level)
    cases = study.interviewed
    patterns = list(dict.fromkeys(cases["abbrev"]))
    rows = []
    for theme in presence.columns:
        for pattern in [*patterns, "All"]:
            in_pattern = cases if pattern == "All" else cases[cases["abbrev"] == pattern]
            for outcome in (True, False):
                ids = in_pattern.index[in_pattern["outcome"].fillna(not outcome) == outcome]
                k = int(presence.loc[ids, theme].sum()) if len(ids) else 0
                rows.append({"theme": theme, "label": labels.get(theme, theme), "pattern": pattern,
                             "outcome": outcome, "n_cases": len(ids), "n_coded": k,
                             "pct": _pct(k, len(ids))})
    data = pd.DataFrame(
        rows, columns=["theme", "label", "pattern", "outcome", "n_cases", "n_coded", "pct"]
    )
    short_yes, short_no = "outcome", "no outcome"
    wide_rows = []
    for theme, group in data.groupby("theme", sort=False):
        cells = {"Theme": labels.get(theme, theme)}
        for _, r in group.iterrows():
            column = f"{r['pattern']}: {short_yes if r['outcome'] else short_no}"
            cells[column] = f"{r['n_coded']}/{r['n_cases']}" if r["n_cases"] else "–"
        wide_rows.append(cells)
    notes = [
        f"Each cell: interviewed cases where the theme was coded / interviewed cases; "
        f"“{short_yes}” = {study.outcome_label}, “{short_no}” = {study.no_outcome_label}.",
    ]
    return JointDisplay(
        key="themes_by_outcome",
        title=f"Themes by outcome, within each pattern and overall ({_PLURAL[level]})",
        data=data,
        table=pd.DataFrame(wide_rows),
        notes=notes,
        landscape=True,
        row_key="theme",
    )


def case_ordered_display(study: LinkedStudy, *, quotes: bool = True) -> JointDisplay:
    """Case-ordered display: one row per clustered case, by pattern then mean WAI.

    Parameters
    ----------
    study : LinkedStudy
    quotes : bool, default=True
        Add one key quote per interviewed case (its most typical coded segment).

    Returns
    -------
    JointDisplay
        ``data`` (index ``case_id``): ``es_id``, ``t1`` .. ``tN``, ``mean``,
        ``pattern``, ``abbrev``, ``outcome``, ``days``, ``interviewed``, ``codes``
        (labels of the codes present, ``; ``-joined), ``quote``.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> d = case_ordered_display(sample_linked_study(), quotes=False)
    >>> len(d.data)
    18
    """
    table = study.case_table
    labels = theme_labels(study, level="code")
    presence = study.presence
    rows = []
    shown = []
    for case_id, case in table.iterrows():
        codes = []
        if case_id in presence.index:
            codes = [c for c in presence.columns if presence.loc[case_id, c]]
        quote = ""
        if quotes and codes:
            found = find_quotes(
                study.codings[study.codings["case_id"] == case_id].assign(code_id="any"),
                "any",
                n=1,
                cases=_case_attributes(study),
                outcome_labels=(study.outcome_label, study.no_outcome_label),
                min_words=8,
                max_words=80,
            )
            if len(found):
                language = study.languages.get(str(found.iloc[0]["doc_id"]), "")
                marker = f" [{language}]" if language and language != QUOTE_LANGUAGE else ""
                quote = f"“{found.iloc[0]['quote']}”{marker}"
        trajectory = tuple(float(case[t]) for t in study.time_columns)
        row = {
            "case_id": case_id,
            "es_id": case["es_id"],
            **{t: float(case[t]) for t in study.time_columns},
            "mean": float(case["mean"]),
            "pattern": case["pattern"],
            "abbrev": case["abbrev"],
            "outcome": case["outcome"],
            "days": case["days"],
            "interviewed": bool(case["interviewed"]),
            "codes": "; ".join(labels.get(c, c) for c in codes),
            "quote": quote,
        }
        rows.append(row)
        days = "" if pd.isna(case["days"]) else f"{case['days']:.0f}"
        shown.append({
            "Case": display_case_id(str(case_id)),
            "ES": "" if case["es_id"] is None or pd.isna(case["es_id"]) else str(case["es_id"]),
            **{t: f"{case[t]:.2f}" for t in study.time_columns},
            SPARKLINE: trajectory,
            "Pattern": case["abbrev"],
            "Outcome": study.outcome_text(case["outcome"]),
            "Days": days,
            "Codes present": row["codes"] if case["interviewed"] else "(no interview)",
            "Key quote": quote,
        })
    data = pd.DataFrame(rows).set_index("case_id")
    notes = [
        f"Cases ordered by pattern, then by mean {study.measure} (highest first). Codes present: "
        "codes "
        "applied at least once in the case's interview.",
    ]
    return JointDisplay(
        key="case_ordered",
        title="Case-ordered display: trajectories, outcomes and themes",
        data=data,
        table=pd.DataFrame(shown),
        notes=notes,
        landscape=True,
        row_key="case_id",
    )
