"""Which transcripts and segments inductive theme suggestion analyses.

Helpers of :func:`mixedwai.qual.themes.suggest.suggest_themes`: the corpus as a sorted
list with unique ids, the speakers selected, the language analysed (transcripts
in another one are left out, with the reason), and which characters of each
transcript are already coded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import require_columns
from mixedwai.errors import InsufficientDataError, OptionError


def _transcripts(corpus: Any) -> list[Any]:
    if hasattr(corpus, "segments") and hasattr(corpus, "text"):
        items = [corpus]
    else:
        try:
            items = list(corpus)
        except TypeError as exc:
            raise OptionError(
                f"corpus: expected a Corpus, a Transcript or a list of transcripts, got "
                f"{type(corpus).__name__}"
            ) from exc
    if not items:
        raise InsufficientDataError("the corpus is empty: no transcript to analyse")
    ids = [str(t.doc_id) for t in items]
    duplicated = sorted({d for d in ids if ids.count(d) > 1})
    if duplicated:
        raise OptionError(
            f"corpus: doc_id must be unique; found more than once: {', '.join(duplicated)}"
        )
    return sorted(items, key=lambda t: str(t.doc_id))


def _majority_language(transcripts: list[Any]) -> str:
    counts: dict[str, int] = {}
    for t in transcripts:
        lang = str(getattr(t, "language", None) or "en").lower()  # undeclared: English
        counts[lang] = counts.get(lang, 0) + 1
    return max(sorted(counts), key=lambda k: (counts[k], k == "en"))


def _split_by_language(
    transcripts: list[Any], language: str
) -> tuple[list[Any], dict[str, str]]:
    kept: list[Any] = []
    excluded: dict[str, str] = {}
    for t in transcripts:
        lang = str(getattr(t, "language", None) or "").lower()
        if lang and lang != language:
            excluded[str(t.doc_id)] = f"language {lang!r}, not {language!r}"
        else:
            kept.append(t)
    if not kept:
        raise InsufficientDataError(
            f"no transcript in {language!r}: all {len(transcripts)} declare another language; "
            "pass language= to analyse them"
        )
    return kept, excluded


def _coded_masks(codings: pd.DataFrame, transcripts: list[Any]) -> dict[str, np.ndarray]:
    """Per document, the running count of coded characters (prefix sums)."""
    if not isinstance(codings, pd.DataFrame):
        raise OptionError(
            f"codings: expected a DataFrame (from code_corpus), got {type(codings).__name__}"
        )
    require_columns(codings, ["doc_id", "start", "end"], hint="codings come from code_corpus()")
    texts = {str(t.doc_id): t.text for t in transcripts}
    doc_ids = codings["doc_id"].astype(str)
    unknown = sorted(set(doc_ids) - set(texts))
    if unknown:
        raise OptionError(
            f"codings refer to {len(unknown)} document(s) that are not in the corpus: "
            f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}; pass the codings "
            "of this corpus"
        )
    masks: dict[str, np.ndarray] = {}
    starts = pd.to_numeric(codings["start"], errors="coerce")
    ends = pd.to_numeric(codings["end"], errors="coerce")
    frame = pd.DataFrame({"doc_id": doc_ids, "start": starts, "end": ends}).dropna()
    for doc_id, group in frame.groupby("doc_id", sort=True):
        length = len(texts[str(doc_id)])
        delta = np.zeros(length + 1, dtype=np.int64)
        lo = np.clip(group["start"].to_numpy(dtype=np.int64), 0, length)
        hi = np.clip(group["end"].to_numpy(dtype=np.int64), 0, length)
        keep = hi > lo
        np.add.at(delta, lo[keep], 1)
        np.add.at(delta, hi[keep], -1)
        covered = (np.cumsum(delta)[:length] > 0).astype(np.int64)
        masks[str(doc_id)] = np.concatenate([[0], np.cumsum(covered)])
    return masks
