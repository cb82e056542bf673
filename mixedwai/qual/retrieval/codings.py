"""The codings table as the summaries read it: its columns, segments and cases.

Helpers shared by :mod:`mixedwai.qual.retrieval.matrices` and :mod:`mixedwai.qual.retrieval.quotes`:
a **coded segment** is a distinct ``(doc_id, start, end)`` span, and the **case**
of a row is its ``case_id``, or its ``doc_id`` when the transcript has no case id.
Rows flagged ``negated`` (a match inside a negated clause of a code with
``when_negated: flag``) are kept in the table for review but left out of every
count and quote (:func:`_affirmed`).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from mixedwai.errors import ColumnError

_SPAN = ["doc_id", "start", "end"]


def _require(codings: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in codings.columns]
    if missing:
        raise ColumnError(
            f"{where}: the codings table lacks column(s) {', '.join(map(repr, missing))}; "
            "expected the output of code_corpus() or load_manual_codings()"
        )


def _case_keys(codings: pd.DataFrame) -> pd.Series:
    """case_id, or doc_id where the transcript has no case id."""
    if "case_id" not in codings.columns:
        return codings["doc_id"].astype(object)
    case = codings["case_id"].astype(object)
    return case.where(case.notna() & (case.astype(str) != ""), codings["doc_id"].astype(object))


def _affirmed(codings: pd.DataFrame) -> pd.DataFrame:
    """The codings without the rows flagged ``negated`` (all rows if there is no such column)."""
    if "negated" not in codings.columns or not len(codings):
        return codings
    flags = codings["negated"]
    if flags.dtype != bool:  # read back from a CSV file: "True"/"False" or 1/0
        flags = flags.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])
    if not flags.any():
        return codings
    kept = codings[~flags.to_numpy()]
    kept.attrs = dict(codings.attrs)
    return kept
