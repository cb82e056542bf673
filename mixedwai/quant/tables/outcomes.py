"""The outcome tables: outcome by pattern with its exact test, days to the outcome, score tests.

Examples
--------
>>> import mixedwai as mw
>>> from mixedwai.quant.study import analyse_quant
>>> q = analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
...                   mw.read_cases("sample_corpus/cases.csv"), n_boot=0)
>>> outcome_by_pattern_table(q.crosstab, outcome_label="obtained a job").display.iloc[0].tolist()
['SHA', '5', '4 (80.0)', '1 (20.0)']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.quant.tables.model import PublicationTable
from mixedwai.quant.tables.text import DASH, m_sd, n_pct, number, p_text

if TYPE_CHECKING:
    from mixedwai.quant.outcomes.crosstab import CrosstabResult

__all__ = ["days_table", "outcome_by_pattern_table", "score_tests_table"]

_TOTAL = "total"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _row_name(value: object) -> str:
    return "Total" if str(value) == _TOTAL else str(value)


def outcome_by_pattern_table(
    crosstab: CrosstabResult, *, outcome_label: str = "outcome",
    no_outcome_label: str = "no outcome",
) -> PublicationTable:
    """Pattern × outcome: n, and n (%) within the pattern for each outcome, with the test.

    Returns
    -------
    PublicationTable

    Examples
    --------
    >>> import mixedwai as mw
    >>> labels = pd.Series(["SHA", "SHA", "SLA", "SLA"], index=list("abcd"))
    >>> x = mw.outcome_crosstab(labels, pd.Series([True, False, True, True], index=list("abcd")))
    >>> outcome_by_pattern_table(x, outcome_label="job").display.iloc[0].tolist()
    ['SHA', '2', '1 (50.0)', '1 (50.0)']
    """
    counts, pct = crosstab.counts, crosstab.pct_within
    yes, no = counts.columns[0], counts.columns[1]
    display = pd.DataFrame({
        "Pattern": [_row_name(p) for p in counts.index],
        "n": counts["total"].astype(int).astype(str).to_numpy(),
        f"{_cap(outcome_label)}, n (%)": [n_pct(n, p) for n, p in
                                          zip(counts[yes], pct[yes], strict=True)],
        f"{_cap(no_outcome_label)}, n (%)": [n_pct(n, p) for n, p in
                                             zip(counts[no], pct[no], strict=True)],
    })
    sheet = pd.DataFrame({
        "Pattern": [_row_name(p) for p in counts.index],
        "n": counts["total"].astype(int).to_numpy(),
        f"n {outcome_label}": counts[yes].astype(int).to_numpy(),
        f"% {outcome_label}": pct[yes].astype(float).to_numpy(),
        f"n {no_outcome_label}": counts[no].astype(int).to_numpy(),
        f"% {no_outcome_label}": pct[no].astype(float).to_numpy(),
    })
    p = crosstab.test.p_value
    p_expr = "p < .001" if p < 0.001 else f"p = {p_text(p)}"
    notes = [f"Note. Percentages are within each pattern. Freeman-Halton exact test: {p_expr}"]
    notes[0] += f" ({crosstab.test.method}); Cramér's V = {number(crosstab.cramers_v)}."
    if crosstab.warning:
        notes.append(crosstab.warning)
    return PublicationTable(
        "outcome_by_pattern", f"Outcome ({outcome_label}) by pattern", display, sheet,
        {f"% {outcome_label}": "0.0", f"% {no_outcome_label}": "0.0"}, tuple(notes))


def days_table(times: pd.DataFrame, *, outcome_label: str = "outcome") -> PublicationTable:
    """Days to the outcome among the cases that reached it, by pattern.

    Parameters
    ----------
    times : pandas.DataFrame
        :func:`~mixedwai.quant.outcomes.descriptives.time_to_outcome` output
        (index pattern; n, mean, sd, median, min, max).

    Returns
    -------
    PublicationTable

    Examples
    --------
    >>> times = pd.DataFrame({"n": [4, 1], "mean": [65.25, 77.0], "sd": [25.14, float("nan")],
    ...                       "median": [60.0, 77.0], "min": [42.0, 77.0], "max": [99.0, 77.0]},
    ...                      index=["SHA", "LDA"])
    >>> days_table(times).display["M (SD)"].tolist()
    ['65.25 (25.14)', '77.00 (—)']
    """
    rng = [DASH if pd.isna(lo) else f"{lo:.0f}–{hi:.0f}"
           for lo, hi in zip(times["min"], times["max"], strict=True)]
    display = pd.DataFrame({
        "Pattern": [_row_name(p) for p in times.index],
        "n": times["n"].astype(int).astype(str).to_numpy(),
        "M (SD)": [m_sd(m, s) for m, s in zip(times["mean"], times["sd"], strict=True)],
        "Mdn": [number(v, 1) for v in times["median"]],
        "Range": rng,
    })
    sheet = pd.DataFrame({
        "Pattern": [_row_name(p) for p in times.index],
        "n": times["n"].astype(int).to_numpy(),
        "M": times["mean"].astype(float).to_numpy(),
        "SD": times["sd"].astype(float).to_numpy(),
        "Mdn": times["median"].astype(float).to_numpy(),
        "Min": times["min"].astype(float).to_numpy(),
        "Max": times["max"].astype(float).to_numpy(),
    })
    notes = (f"Note. n = cases that {outcome_label}; days from the first meeting. "
             f"Mdn = median. {DASH} = not defined (fewer than two cases).",)
    return PublicationTable(
        "days_to_outcome", f"Days to the outcome ({outcome_label}) by pattern", display, sheet,
        {"M": "0.00", "SD": "0.00", "Mdn": "0.0", "Min": "0", "Max": "0"}, notes)


def score_tests_table(tests: pd.DataFrame, *, outcome_label: str = "outcome",
                      measure: str = "WAI") -> PublicationTable:
    """Each time's score by outcome: means, Mann-Whitney U with its p, point-biserial r.

    Parameters
    ----------
    tests : pandas.DataFrame
        :func:`~mixedwai.quant.outcomes.score_tests.score_outcome_tests` output
        (index time: t1 ... mean).

    Returns
    -------
    PublicationTable

    Examples
    --------
    >>> tests = pd.DataFrame({"n_yes": [12], "n_no": [6], "mean_yes": [5.78], "mean_no": [5.75],
    ...                       "u": [37.0], "p_value": [0.947], "r_pb": [0.02], "r_pb_p": [0.94]},
    ...                      index=["t1"])
    >>> score_tests_table(tests).display.values.tolist()
    [['Time 1', '5.78', '5.75', '37.0', '.95', '0.02']]
    """
    def when(t: object) -> str:
        text = str(t)
        return "Overall" if text == "mean" else f"Time {text[1:]}" if text[1:].isdigit() else text

    display = pd.DataFrame({
        "Score": [when(t) for t in tests.index],
        f"M, {outcome_label}": [number(v) for v in tests["mean_yes"]],
        "M, others": [number(v) for v in tests["mean_no"]],
        "U": [number(v, 1) for v in tests["u"]],
        "p": [p_text(v) for v in tests["p_value"]],
        "r(pb)": [number(v) for v in tests["r_pb"]],
    })
    sheet = pd.DataFrame({
        "Score": [when(t) for t in tests.index],
        "n outcome": tests["n_yes"].astype(int).to_numpy(),
        "n others": tests["n_no"].astype(int).to_numpy(),
        "M outcome": tests["mean_yes"].astype(float).to_numpy(),
        "M others": tests["mean_no"].astype(float).to_numpy(),
        "U": tests["u"].astype(float).to_numpy(),
        "p": tests["p_value"].astype(float).to_numpy(),
        "r(pb)": tests["r_pb"].astype(float).to_numpy(),
        "p(r)": tests["r_pb_p"].astype(float).to_numpy(),
    })
    notes = (f"Note. {measure} score of the cases that {outcome_label} and of the others; "
             "Mann-Whitney U (exact p), r(pb) = point-biserial correlation with the outcome.",)
    return PublicationTable(
        "score_tests", f"{measure} scores and the outcome", display, sheet,
        {"M outcome": "0.00", "M others": "0.00", "U": "0.0", "p": "0.000", "r(pb)": "0.00",
         "p(r)": "0.000"}, notes)
