"""Deductive coding: apply a codebook's match rules to a corpus with spaCy.

:func:`code_corpus` tokenizes and lemmatizes the transcripts once per language
(:func:`mixedwai.qual.coding.nlp.get_pipeline`), runs three spaCy matchers compiled from
the codebook, and returns one row per (segment, code). :func:`load_manual_codings`
reads codings made by hand (e.g. exported from NVivo or QualCoder) and checks them
against the transcripts; :func:`merge_codings` puts both together.

The tidy codings schema shared by all three functions:

============  ===============================================================
doc_id        transcript id
case_id       canonical case id of the transcript (missing if it has none)
segment_id    id of the coded segment (sentence, turn or paragraph)
speaker       speaker label as written in the transcript
role          normalised role: ``ES``, ``interviewer``, ``client`` or the label
start, end    character offsets in the transcript text (``text[start:end]``)
text          the coded text
code_id       the code
category_id   the code's category
matched       the text(s) the rules matched, ``"; "``-separated (empty if manual)
source        ``"rule"`` (this module), ``"inductive"`` (this module, codes of
              promoted themes) or ``"manual"``
coder         ``"mixedwai"`` for rule codings, the coder's name for manual ones
============  ===============================================================

This module holds :func:`code_corpus` and :func:`merge_codings`; the rest lives
in modules of one idea each: the columns and shared helpers in
:mod:`mixedwai.qual.coding.schema`, the matchers in :mod:`mixedwai.qual.coding.matchers`,
the coding run (segments, pipeline, rows) in :mod:`mixedwai.qual.coding.execution`, and
:func:`load_manual_codings` in :mod:`mixedwai.qual.coding.manual`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai._validation import check_choice, raise_problems
from mixedwai.errors import ColumnError, MixedWAIWarning, OptionError
from mixedwai.qual.coding.execution import _code, _gc_paused
from mixedwai.qual.coding.schema import (
    _INT_COLUMNS,
    CODING_COLUMNS,
    UNITS,
    _as_transcripts,
    _code_ids,
    _frame,
    _language_of,
    _name_of,
    _speaker_list,
)

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.qual.transcripts.model import Transcript

__all__ = ["code_corpus", "merge_codings"]


def code_corpus(
    corpus: Corpus | Transcript | Iterable[Transcript],
    codebook: Codebook | Mapping[str, Codebook],
    *,
    unit: str | None = None,
    speakers: str | Sequence[str] | None = None,
    batch_size: int = 256,
    n_process: int = 1,
    progress: bool | Callable[[int, int], None] = False,
) -> pd.DataFrame:
    """Code every segment of a corpus with a codebook's match rules.

    Parameters
    ----------
    corpus : Corpus, Transcript or iterable of Transcript
        The transcripts to code.
    codebook : Codebook or mapping of language -> Codebook
        One codebook, or one per language (``{"en": cb_en, "fr": cb_fr}``): each
        transcript is then coded with the codebook of its ``language``, and a
        transcript that declares no language with the mapping's first codebook.
    unit : {"sentence", "turn", "paragraph"}, optional
        Coding unit. Default: the codebook's ``unit``.
    speakers : str or list of str, optional
        Whose speech is coded: roles (``"ES"``, ``"interviewer"``, ``"client"``) or
        speaker labels as written, compared case-insensitively; ``"all"`` codes
        everyone. Default: the codebook's ``speakers`` (everyone if it has none).
    batch_size : int, default=256
        Texts per ``nlp.pipe`` batch.
    n_process : int, default=1
        Processes for ``nlp.pipe`` (worth it only for the French pipeline).
    progress : bool or callable, default=False
        ``True`` shows a progress bar (rich, on standard error); a callable is
        called as ``progress(done, total)`` after each transcript.

    Returns
    -------
    pandas.DataFrame
        One row per (segment, code) with the columns of :data:`CODING_COLUMNS`:
        doc_id, case_id, segment_id, speaker, role, start, end (character offsets,
        ``transcript.text[start:end] == text``), text, code_id, category_id,
        matched (the distinct matched texts in text order, ``"; "``-separated),
        source (``"inductive"`` for the codes of promoted themes, see
        :func:`mixedwai.qual.themes.tags.inductive_code_ids`, else ``"rule"``),
        coder (``"mixedwai"``). Sorted by doc_id, start, end
        and the codes' order in the codebook. ``attrs`` holds ``unit``,
        ``speakers`` (list or None), ``codebook`` (name), ``segments_total``,
        ``segments_coded`` (segments the rules were run on),
        ``segments_excluded_by_speaker``, ``segments_with_codes``, ``doc_ids`` and
        ``case_ids`` (every transcript / case coded, including those without any
        coding) and ``code_ids`` (codebook order).

    Raises
    ------
    OptionError
        Unknown ``unit``, bad ``batch_size`` / ``n_process``, or a mapping of
        codebooks without one for a transcript's language.
    CodebookError
        A match pattern spaCy refuses.
    MixedWAIError
        The language's spaCy resources are missing (see
        :func:`mixedwai.qual.coding.nlp.get_pipeline`).

    Warns
    -----
    MixedWAIWarning
        A transcript whose ``language`` differs from its codebook's (it is coded
        with the codebook's pipeline).
    ExclusionWarning
        Transcripts in which no segment by the selected speakers was found.

    Notes
    -----
    Only the code whose rules matched gets a row: a hit on a sub-code does not
    add a row for its parent. Summaries roll sub-codes up to their parents on
    request (``rollup=True`` in :func:`mixedwai.qual.retrieval.matrices.code_matrix` and
    :func:`~mixedwai.qual.retrieval.matrices.code_frequencies`).

    The pipeline runs over whole turns (the kept segments of one turn form one
    spaCy document) and each hit goes to the segment holding it; a hit that
    straddles two segments is not counted, exactly as if every segment had been
    processed alone. Rules: ``phrases`` are exact, case-insensitive token
    sequences, ``lemmas`` compare lower-case lemmas, ``patterns`` are spaCy
    ``Matcher`` patterns (see :func:`compile_codebook`).

    Examples
    --------
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> from mixedwai.qual.codebook.model import Codebook
    >>> t = Transcript.from_text(
    ...     "Interviewer: Did she trust you?\\nES: She trusted me. We were on the same page.",
    ...     doc_id="ES1_C1")
    >>> cb = Codebook.model_validate({
    ...     "name": "demo", "version": "1", "language": "en", "unit": "sentence",
    ...     "speakers": ["ES"],
    ...     "categories": [{"id": "alliance", "label": "Alliance", "codes": [
    ...         {"id": "bond", "label": "Bond", "definition": "Trust.",
    ...          "match": {"lemmas": ["trust"], "phrases": ["on the same page"]}}]}]})
    >>> codings = code_corpus([t], cb)
    >>> codings["text"].tolist(), codings["matched"].tolist()
    (['She trusted me.', 'We were on the same page.'], ['trusted', 'on the same page'])
    >>> codings.attrs["segments_excluded_by_speaker"]
    1
    """

    transcripts = _as_transcripts(corpus)
    check_range_int("batch_size", batch_size, 1)
    check_range_int("n_process", n_process, 1)
    is_mapping = isinstance(codebook, Mapping)
    if is_mapping:
        books = {str(k).lower(): v for k, v in codebook.items()}
        if not books:
            raise OptionError("codebook: the mapping of languages to codebooks is empty")
    else:
        books = {_language_of(codebook): codebook}
    first_book = next(iter(books.values()))
    if unit is None:
        unit = str(getattr(first_book, "unit", None) or "sentence")
    check_choice("unit", unit, UNITS)
    if speakers is None:
        speakers = getattr(first_book, "speakers", None)
    speaker_names = _speaker_list(speakers)
    wanted = None if speaker_names is None else {n.casefold() for n in speaker_names}

    # Which codebook (language) codes which transcript.
    by_language: dict[str, list[Any]] = {}
    unmatched: list[str] = []
    for transcript in transcripts:
        language = getattr(transcript, "language", None)
        # No declared language: the mapping's first codebook (the study's main language).
        if not is_mapping or language is None:
            book_language = next(iter(books))
            if language and str(language).lower() != book_language:
                warnings.warn(
                    f"{transcript.doc_id}: the transcript is in {language!r} but codebook "
                    f"{_name_of(books[book_language])!r} is in {book_language!r}; it is coded "
                    f"with the {book_language!r} pipeline and rules. To code it in its own "
                    "language, give one codebook per language (a {language: codebook} "
                    "mapping; on the command line, one --codebook per language).",
                    MixedWAIWarning,
                    stacklevel=2,
                )
            by_language.setdefault(book_language, []).append(transcript)
        elif language and str(language).lower() in books:
            by_language.setdefault(str(language).lower(), []).append(transcript)
        else:
            unmatched.append(f"{transcript.doc_id} (language {language!r})")
    if unmatched:
        raise_problems(
            OptionError,
            f"no codebook for the language of these transcripts; codebooks were given for "
            f"{', '.join(repr(k) for k in books)}",
            unmatched,
        )

    order = {t.doc_id: i for i, t in enumerate(sorted(transcripts, key=lambda t: str(t.doc_id)))}
    with _gc_paused():
        frame = _code(by_language, books, order, unit, wanted, speaker_names,
                      batch_size, n_process, progress, len(transcripts))
    frame.attrs.update(
        {
            "unit": unit,
            "speakers": speaker_names,
            "codebook": ", ".join(_name_of(b) for b in books.values()),
            "doc_ids": sorted(str(t.doc_id) for t in transcripts),
            "case_ids": sorted(
                {str(t.case_id) if getattr(t, "case_id", None) else str(t.doc_id)
                 for t in transcripts}
            ),
            "code_ids": list(dict.fromkeys(c for b in books.values() for c in _code_ids(b))),
        }
    )
    return frame


def check_range_int(name: str, value: Any, low: int) -> None:
    """Raise :class:`OptionError` unless ``value`` is an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise OptionError(f"{name} = {value!r} is not allowed; expected an integer >= {low}")


def merge_codings(auto: pd.DataFrame, manual: pd.DataFrame) -> pd.DataFrame:
    """Put rule-based and manual codings in one table, keeping who coded what.

    Parameters
    ----------
    auto, manual : pandas.DataFrame
        Codings in the schema of :data:`CODING_COLUMNS` (from :func:`code_corpus`
        and :func:`load_manual_codings`; any two codings tables work).

    Returns
    -------
    pandas.DataFrame
        Rows of both, sorted by doc_id and start (rows of ``auto`` first on ties,
        each frame's own order kept otherwise); ``source`` and ``coder`` unchanged.
        Rows identical in every column appear once. ``attrs`` are those of
        ``auto`` plus ``manual_source`` (the manual file's name).

    Raises
    ------
    ColumnError
        Either table lacks a column of the schema (a missing ``negated`` column,
        from a table written before it existed, is read as all False).

    Examples
    --------
    >>> import pandas as pd
    >>> row = dict(doc_id="d", case_id="ES1_C1", segment_id="d:t1", speaker="ES", role="ES",
    ...            start=0, end=5, text="trust", code_id="bond", category_id="alliance",
    ...            matched="trust", source="rule", coder="mixedwai")
    >>> auto = pd.DataFrame([row])
    >>> manual = pd.DataFrame([{**row, "matched": "", "source": "manual", "coder": "AL"}])
    >>> merge_codings(auto, manual)[["source", "coder"]]
       source     coder
    0    rule  mixedwai
    1  manual        AL
    """
    # tables written before the negated column existed: nothing in them was flagged
    auto, manual = (f if "negated" in f.columns else f.assign(negated=False)
                    for f in (auto, manual))
    for name, frame in (("auto", auto), ("manual", manual)):
        missing = [c for c in CODING_COLUMNS if c not in frame.columns]
        if missing:
            raise ColumnError(
                f"merge_codings: {name} codings lack column(s) {', '.join(map(repr, missing))}; "
                f"expected the columns of code_corpus(): {', '.join(CODING_COLUMNS)}"
            )
    parts = [auto.loc[:, list(CODING_COLUMNS)], manual.loc[:, list(CODING_COLUMNS)]]
    parts = [p for p in parts if len(p)]
    if not parts:
        merged = _frame([])
    else:
        merged = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()
    merged = merged.drop_duplicates(ignore_index=True)
    merged = merged.sort_values(["doc_id", "start"], kind="mergesort", ignore_index=True)
    for column in _INT_COLUMNS:
        merged[column] = merged[column].astype("int64")
    merged.attrs = {**dict(auto.attrs)}
    if "source" in manual.attrs:
        merged.attrs["manual_source"] = manual.attrs["source"]
    return merged
