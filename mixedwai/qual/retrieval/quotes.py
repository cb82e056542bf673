"""Quotes: the most typical segments coded with a code, with their attribution.

Reads a codings table (see :mod:`mixedwai.qual.retrieval.matrices` for its conventions) and
returns the quotes with ``ES#11_C4 (Cluster SHA, obtained a job)`` attributions.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_range
from mixedwai.errors import CodebookError, ColumnError, OptionError, OutcomeValueError
from mixedwai.ids import canonical_case_id, display_case_id
from mixedwai.qual.retrieval.codings import _SPAN, _affirmed, _case_keys, _require

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["quotes"]

_TRUE = {"1", "true", "yes", "y", "oui", "o", "job", "employed", "obtained"}
_FALSE = {"0", "false", "no", "n", "non", "no job", "unemployed", "not obtained"}


def _outcome_flag(value: Any, case_id: str) -> bool | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        if value != value:
            return None
        if value in (0, 1):
            return bool(value)
    text = str(value).strip().lower()
    if not text or text == "nan":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OutcomeValueError(
        f"quotes: case {case_id}: outcome = {value!r} is not a yes/no value; expected "
        "True/False, 1/0 or yes/no"
    )


def _attributions(cases: Any, outcome_labels: Sequence[str]) -> dict[str, str]:
    """Text after the case id, per case: ``Cluster SHA, obtained a job``."""
    if cases is None:
        return {}
    if isinstance(cases, pd.Series):
        frame = cases.rename("pattern").to_frame()
    elif isinstance(cases, pd.DataFrame):
        frame = cases.set_index("case_id") if "case_id" in cases.columns else cases
    else:
        raise OptionError(
            f"quotes: cases must be a DataFrame (columns pattern, outcome; index case_id) "
            f"or a Series of patterns, got {type(cases).__name__}"
        )
    pattern_col = "pattern" if "pattern" in frame.columns else (
        "cluster" if "cluster" in frame.columns else None
    )
    if pattern_col is None and "outcome" not in frame.columns:
        raise ColumnError(
            "quotes: cases has neither a 'pattern' (or 'cluster') nor an 'outcome' column; "
            f"found: {', '.join(map(str, frame.columns))}"
        )
    texts: dict[str, str] = {}
    for case_id, row in frame.iterrows():
        key = canonical_case_id(case_id)
        parts = []
        if pattern_col is not None:
            pattern = row[pattern_col]
            if pattern is not None and pattern is not pd.NA and str(pattern) not in ("", "nan"):
                parts.append(f"Cluster {pattern}")
        if "outcome" in frame.columns:
            flag = _outcome_flag(row["outcome"], key)
            if flag is not None:
                parts.append(outcome_labels[0] if flag else outcome_labels[1])
        texts[key] = ", ".join(parts)
    return texts


def quotes(
    codings: pd.DataFrame,
    code_id: str,
    *,
    n: int = 3,
    cases: pd.DataFrame | pd.Series | None = None,
    outcome_labels: tuple[str, str] = ("obtained a job", "did not obtain a job"),
    min_words: int = 0,
    max_words: int | None = None,
    target_words: int = 30,
    codebook: Codebook | str | None = None,
) -> pd.DataFrame:
    """The ``n`` most typical segments coded with a code, with their attribution.

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings (with text and matched).
    code_id : str
        The code.
    n : int, default=3
        How many quotes.
    cases : DataFrame or Series, optional
        Per case (index, or a ``case_id`` column): ``pattern`` (or ``cluster``) and
        ``outcome`` (True/False, 1/0, yes/no); a Series gives the pattern only.
    outcome_labels : (str, str)
        Words for a positive and a negative outcome.
    min_words : int, default=0
        Only segments of at least this many words are quoted. The default keeps
        every segment; the joint displays ask for 8 words first (a sentence, not
        "Yes.") and fall back to shorter ones.
    max_words : int, optional
        Only segments of at most this many words are quoted (default: no limit).
    target_words : int, default=30
        Preferred length, used to break ties between segments with as many hits.
    codebook : Codebook or str, optional
        The codebook (or its name / path), to tell a code that exists but was never
        coded (empty result) from an unknown id (error). Without it, the code ids
        that :func:`~mixedwai.qual.coding.apply.code_corpus` records in
        ``codings.attrs["code_ids"]`` are used.

    Returns
    -------
    pandas.DataFrame
        Up to ``n`` rows, best first: quote (the text, white space collapsed),
        case_id, doc_id, segment_id, speaker, start, end, n_words, n_hits, attribution
        (``ES#11_C4 (Cluster SHA, obtained a job)``; just the case id when nothing
        is known about the case). ``attrs`` holds ``n_segments`` (segments coded
        with the code) and ``n_outside_length`` (those left out by ``min_words`` /
        ``max_words``), so a short list says why it is short.

    Raises
    ------
    CodebookError
        ``code_id`` has no coding in ``codings`` and is not a code of the codebook
        (``codebook``, or the codings' ``attrs``); the message suggests close ids.
        When neither says which codes exist (codings read back from a CSV file),
        an id without any coding is an error too, which ``codebook=`` avoids.
    ColumnError
        ``codings`` lacks a needed column, or ``cases`` lacks pattern and outcome.
    OptionError
        Bad ``n`` or word limits (``max_words`` below ``min_words``).
    OutcomeValueError
        An outcome that is not a yes/no value.

    Notes
    -----
    "Most typical" is this deterministic score: first the number of distinct rule
    hits for the code in the segment (each distinct matched text counts one, each
    manual coding of the segment counts one), higher first; then the distance of
    the segment's word count from ``target_words``, smaller first; then document
    and position. Segments are taken one per case first (each case's best, in
    score order), then second-best ones, and so on, so that quotes come from as
    many cases as possible.

    Examples
    --------
    >>> import pandas as pd
    >>> text = "I trusted her from the start and she trusted me back, we were a team."
    >>> codings = pd.DataFrame({"doc_id": ["d1"], "case_id": ["ES11_C4"],
    ...     "segment_id": ["d1:s1"], "speaker": ["ES"], "start": [0], "end": [len(text)],
    ...     "text": [text], "code_id": ["bond"], "matched": ["trusted"]})
    >>> cases = pd.DataFrame({"pattern": ["SHA"], "outcome": [True]}, index=["ES11_C4"])
    >>> quotes(codings, "bond", cases=cases)["attribution"].tolist()
    ['ES#11_C4 (Cluster SHA, obtained a job)']
    """
    _require(codings, ["doc_id", "start", "end", "text", "code_id"], "quotes")
    check_range("n", n, low=1, integer=True)
    check_range("min_words", min_words, low=0, integer=True)
    if max_words is not None:
        check_range("max_words", max_words, low=min_words, integer=True)
    check_range("target_words", target_words, low=0, integer=True)
    labels = _attributions(cases, outcome_labels)
    columns = ["quote", "case_id", "doc_id", "segment_id", "speaker", "start", "end",
               "n_words", "n_hits", "attribution"]
    rows = _affirmed(codings)
    rows = rows[rows["code_id"].astype(str) == str(code_id)]
    if not len(rows):
        _check_known(codings, str(code_id), codebook)
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    rows = rows.assign(
        _case=_case_keys(rows).astype(str),
        _hits=[_hit_count(m) for m in (
            rows["matched"] if "matched" in rows.columns else [None] * len(rows)
        )],
    )
    grouped = rows.groupby(_SPAN, sort=False, as_index=False).agg(
        _hits=("_hits", "sum"),
        text=("text", "first"),
        _case=("_case", "first"),
        case_id=("case_id", "first") if "case_id" in rows.columns else ("_case", "first"),
        segment_id=("segment_id", "first") if "segment_id" in rows.columns else ("doc_id",
                                                                                 "first"),
        speaker=("speaker", "first") if "speaker" in rows.columns else ("doc_id", "first"),
    )
    grouped["quote"] = [" ".join(str(t).split()) for t in grouped["text"]]
    grouped["n_words"] = [len(q.split()) for q in grouped["quote"]]
    n_segments = len(grouped)
    inside = grouped["n_words"] >= min_words
    if max_words is not None:
        inside &= grouped["n_words"] <= max_words
    grouped = grouped[inside]
    counts = {"n_segments": n_segments, "n_outside_length": n_segments - len(grouped)}
    if not len(grouped):
        empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
        empty.attrs.update(counts)
        return empty
    grouped = grouped.assign(
        _distance=(grouped["n_words"] - target_words).abs(),
        _neg_hits=-grouped["_hits"],
    )
    order = ["_neg_hits", "_distance", "doc_id", "start", "end"]
    grouped = grouped.sort_values(order, kind="mergesort")
    grouped["_rank"] = grouped.groupby("_case", sort=False).cumcount()
    grouped = grouped.sort_values(["_rank", *order], kind="mergesort").head(int(n))
    grouped["n_hits"] = grouped["_hits"].astype("int64")
    grouped["attribution"] = [
        _attribution(case, labels) for case in grouped["_case"]
    ]
    result = grouped.loc[:, columns].reset_index(drop=True)
    for column in ("start", "end", "n_words"):
        result[column] = result[column].astype("int64")
    result.attrs.update(counts)
    return result


def _check_known(codings: pd.DataFrame, code_id: str, codebook: Any) -> None:
    """Refuse a code id without any coding unless a codebook says the code exists."""
    known: list[str] = [str(c) for c in codings.attrs.get("code_ids") or []]
    if codebook is not None:
        from mixedwai.qual.codebook.loading import load_codebook

        book = load_codebook(codebook)
        known += [str(code.id) for code, *_ in book.iter_codes()]
    if code_id in known:
        return  # a code of the codebook that nothing was coded with
    present = sorted({str(c) for c in codings["code_id"].dropna()})
    candidates = sorted(set(known) | set(present))
    close = difflib.get_close_matches(code_id, candidates, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    listing = ", ".join(present[:30]) + (" ..." if len(present) > 30 else "") or "(none)"
    if known:
        raise CodebookError(
            f"quotes: unknown code {code_id!r}: it is not a code of the codebook and has no "
            f"coding{hint} (codes with codings: {listing})"
        )
    raise CodebookError(
        f"quotes: code {code_id!r} has no coding in this table, and no codebook says it "
        f"exists{hint} (codes with codings: {listing}). If it is a code that was never "
        "coded, pass codebook= to get an empty result."
    )


def _attribution(case: str, labels: dict[str, str]) -> str:
    detail = labels.get(canonical_case_id(case), "")
    shown = display_case_id(canonical_case_id(case))
    return f"{shown} ({detail})" if detail else shown


def _hit_count(matched: Any) -> int:
    if isinstance(matched, str) and matched.strip():
        return len({m.strip().casefold() for m in matched.split(";") if m.strip()})
    return 1  # a coding without matched text (manual, inductive) counts one
