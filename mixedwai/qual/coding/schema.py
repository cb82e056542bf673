"""The codings table's columns, and the helpers the coding modules share.

A codings table (from :func:`mixedwai.qual.coding.apply.code_corpus`,
:func:`mixedwai.qual.coding.manual.load_manual_codings` or
:func:`mixedwai.qual.coding.apply.merge_codings`) has the columns of
:data:`CODING_COLUMNS`; its schema is described in :mod:`mixedwai.qual.coding.apply`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mixedwai.errors import OptionError

__all__ = ["CODING_COLUMNS", "MATCH_SEPARATOR", "RULE_CODER", "UNITS"]

#: Columns of a codings table, in order.
CODING_COLUMNS = (
    "doc_id",
    "case_id",
    "segment_id",
    "speaker",
    "role",
    "start",
    "end",
    "text",
    "code_id",
    "category_id",
    "matched",
    "negated",
    "source",
    "coder",
)
#: Coding units a transcript can be segmented into.
UNITS = ("sentence", "turn", "paragraph")
#: Separator between the matched texts of one coding.
MATCH_SEPARATOR = "; "
#: The coder name of rule-based codings.
RULE_CODER = "mixedwai"

_INT_COLUMNS = ("start", "end")
_BOOL_COLUMNS = ("negated",)


def _as_transcripts(corpus: Any) -> list[Any]:
    if hasattr(corpus, "segments") and hasattr(corpus, "text"):
        return [corpus]
    try:
        transcripts = list(corpus)
    except TypeError as exc:
        raise OptionError(
            f"corpus: expected a Corpus, a Transcript or a list of transcripts, "
            f"got {type(corpus).__name__}"
        ) from exc
    seen: dict[str, int] = {}
    for t in transcripts:
        seen[str(t.doc_id)] = seen.get(str(t.doc_id), 0) + 1
    duplicated = sorted(d for d, n in seen.items() if n > 1)
    if duplicated:
        raise OptionError(
            f"corpus: doc_id must be unique; found more than once: {', '.join(duplicated)}"
        )
    return transcripts


def _frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """Build a codings table from row tuples (columns of :data:`CODING_COLUMNS`)."""
    columns = list(zip(*rows, strict=False)) if rows else [()] * len(CODING_COLUMNS)
    data: dict[str, Any] = {}
    for name, values in zip(CODING_COLUMNS, columns, strict=False):
        if name in _INT_COLUMNS:
            data[name] = pd.Series(list(values), dtype="int64")
        elif name in _BOOL_COLUMNS:
            data[name] = pd.Series(list(values), dtype="bool")
        elif values:
            data[name] = pd.Series(list(values))  # pandas infers its text dtype
        else:
            data[name] = pd.Series([], dtype=object)
    return pd.DataFrame(data, columns=list(CODING_COLUMNS))


def _code_ids(codebook: Any) -> list[str]:
    return [str(code.id) for code, *_ in codebook.iter_codes()]


def _language_of(codebook: Any) -> str:
    return str(getattr(codebook, "language", "en") or "en")


def _name_of(codebook: Any) -> str:
    return str(getattr(codebook, "name", "codebook"))


def _speaker_list(speakers: Any) -> list[str] | None:
    """Normalise a speaker selection to a list of names (None = everyone)."""
    if speakers is None:
        return None
    if isinstance(speakers, str):
        speakers = speakers.split(",")
    names = list(dict.fromkeys(str(s).strip() for s in speakers if str(s).strip()))
    if not names or any(n.casefold() == "all" for n in names):
        return None
    return names
