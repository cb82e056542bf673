"""The codings table as the summaries read it: its columns, segments and cases.

Helpers shared by :mod:`mixedwai.qual.retrieval.matrices` and :mod:`mixedwai.qual.retrieval.quotes`:
a **coded segment** is a distinct ``(doc_id, start, end)`` span, and the **case**
of a row is its ``case_id``, or its ``doc_id`` when the transcript has no case id.
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
