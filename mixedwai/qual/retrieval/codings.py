"""The codings table as the summaries read it: its columns, segments and cases.

Helpers shared by :mod:`mixedwai.qual.retrieval.matrices` and :mod:`mixedwai.qual.retrieval.quotes`:
a **coded segment** is a distinct ``(doc_id, start, end)`` span, and the **case**
of a row is its ``case_id``, or its ``doc_id`` when the transcript has no case id.
Rows flagged ``negated`` (a match inside a negated clause of a code with
``when_negated: flag``) are kept in the table for review but left out of every
count and quote (:func:`_affirmed`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from mixedwai.errors import ColumnError, MixedCodersWarning, OptionError

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


#: What ``coders=`` accepts besides coder names.
CODER_CHOICES = ("any", "agree")


def _coder_names(codings: pd.DataFrame) -> list[str]:
    if "coder" not in codings.columns:
        return []
    return sorted({str(c) for c in codings["coder"].dropna()})


def _select_coders(codings: pd.DataFrame, coders: Any, where: str) -> pd.DataFrame:
    """The codings a summary counts, by the ``coders`` option (see ``code_matrix``)."""
    names = _coder_names(codings)
    if coders is None:
        if len(names) > 1:
            warnings.warn(
                f"{where}: the codings table merges {len(names)} coders ({', '.join(names)}) and "
                "nothing says how to treat them; a segment coded by any of them is counted. "
                "Say coders='any' to keep that, coders='agree' to count only what every coder "
                "of a document coded, or coders=NAME for one coder's codings",
                MixedCodersWarning, stacklevel=3,
            )  # fmt: skip
        return codings
    if isinstance(coders, str) and coders == "any":
        return codings
    if isinstance(coders, str) and coders == "agree":
        if len(names) < 2:
            return codings
        return _agreed(codings)
    wanted = [coders] if isinstance(coders, str) else [str(c) for c in coders]
    unknown = [c for c in wanted if c not in names]
    if unknown or not wanted:
        raise OptionError(
            f"{where}: coders = {coders!r}: expected 'any', 'agree' or coder names of the table "
            f"({', '.join(map(repr, names)) or 'no coder column'}); unknown: "
            f"{', '.join(map(repr, unknown)) or '(none given)'}"
        )
    return codings[codings["coder"].astype(str).isin(wanted)]


def _agreed(codings: pd.DataFrame) -> pd.DataFrame:
    """Codings whose (code, document, start, end) every coder of that document coded.

    The coders of a document are those with at least one coding in it. One row is kept
    per agreed span (the first coder's, in table order).
    """
    frame = codings.assign(_coder=codings["coder"].astype(str))
    coders_of_doc = frame.groupby("doc_id")["_coder"].nunique()
    keys = ["code_id", *_SPAN]
    per_span = frame.groupby(keys)["_coder"].nunique().rename("_n").reset_index()
    per_span = per_span[per_span["_n"] == per_span["doc_id"].map(coders_of_doc)]
    kept = frame.merge(per_span[keys], on=keys, how="inner").drop_duplicates(keys)
    kept = kept.drop(columns=["_coder"])
    kept.attrs = dict(codings.attrs)
    return kept


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
