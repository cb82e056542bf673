"""Deductive coding: apply a codebook's match rules to a corpus with spaCy.

:func:`code_corpus` tokenizes and lemmatizes the transcripts once per language
(:func:`mixedwai.qual.nlp.get_pipeline`), runs three spaCy matchers compiled from
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
source        ``"rule"`` (this module), ``"manual"``, or ``"inductive"`` (themes)
coder         ``"mixedwai"`` for rule codings, the coder's name for manual ones
============  ===============================================================
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai._validation import check_choice, raise_problems, require_columns, row_number
from mixedwai.errors import (
    CodebookError,
    ColumnError,
    DataValueError,
    ExclusionWarning,
    MixedWAIWarning,
    OptionError,
)

if TYPE_CHECKING:
    from spacy.language import Language

    from mixedwai.qual.codebook import Codebook
    from mixedwai.qual.transcripts import Corpus, Segment, Transcript

__all__ = ["CODING_COLUMNS", "UNITS", "code_corpus", "load_manual_codings", "merge_codings"]

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


# --------------------------------------------------------------------------- matchers


#: A necessary condition of a Matcher pattern: (column of LOWER/LEMMA, hashes one of
#: which some token of the document must have).
Requirement = tuple[int, frozenset[int]]


@dataclass
class CompiledCodebook:
    """A codebook's match rules compiled into spaCy matchers for one pipeline.

    Built by :func:`compile_codebook` and cached per codebook object; use it to run
    exactly the matchers :func:`code_corpus` runs (the benchmark does).

    Attributes
    ----------
    phrase_matcher, lemma_matcher : spacy.matcher.PhraseMatcher or None
        ``phrases`` (attr ``LOWER``) and ``lemmas`` (attr ``LEMMA``) of every code.
    token_matcher : spacy.matcher.Matcher or None
        Every ``patterns`` rule in one Matcher (reference; :meth:`matches` runs the
        equivalent ``pattern_matchers``).
    pattern_matchers : list of (int, Matcher, tuple of Requirement)
        One Matcher per pattern, with the code position and the words the pattern
        needs (see :meth:`matches`).
    """

    codebook: Any
    nlp: Language
    code_ids: list[str]
    category_ids: list[str]
    parent_ids: list[str | None]
    phrase_matcher: Any
    lemma_matcher: Any
    token_matcher: Any
    pattern_matchers: list[tuple[int, Any, tuple[Requirement, ...]]] = field(
        default_factory=list
    )
    #: spaCy match key (hash) -> position of the code in ``code_ids``.
    key_to_code: dict[int, int] = field(default_factory=dict)
    #: Number of codes that have at least one rule.
    n_ruled: int = 0

    def matches(self, doc: Any) -> list[tuple[int, int, int]]:
        """All rule hits in ``doc`` as ``(code position, start char, end char)``, each once.

        Notes
        -----
        spaCy's Matcher costs time per token *and per pattern* (every pattern
        starts a state at every token), so one Matcher holding a codebook's
        patterns is its slowest part. Each pattern therefore has its own Matcher,
        run only on documents that hold, for every token of the pattern that must
        be present (no ``OP`` or ``OP: "+"``), a token whose ``LOWER`` or ``LEMMA``
        is among the values the pattern allows there. This is a necessary
        condition, so the hits are exactly those of the single Matcher (a test
        checks it on the shipped codebooks); it is about three times faster on
        interview text.
        """
        hits: list[tuple[int, int, int]] = []
        key_to_code = self.key_to_code
        for matcher in (self.phrase_matcher, self.lemma_matcher):
            if matcher is None:
                continue
            for key, start, end in matcher(doc):
                last = doc[end - 1]
                hits.append((key_to_code[key], doc[start].idx, last.idx + len(last)))
        if self.pattern_matchers and len(doc):
            from spacy.attrs import LEMMA, LOWER

            values = doc.to_array([LOWER, LEMMA])
            present = (set(values[:, 0].tolist()), set(values[:, 1].tolist()))
            for code_pos, matcher, needs in self.pattern_matchers:
                if all(not wanted.isdisjoint(present[column]) for column, wanted in needs):
                    for _key, start, end in matcher(doc):
                        last = doc[end - 1]
                        hits.append((code_pos, doc[start].idx, last.idx + len(last)))
        return list(dict.fromkeys(hits))


_REQUIRED_OPS = re.compile(r"^(?:\+|1|\{[1-9]\d*(?:,\d*)?\})$")


def pattern_requirements(pattern: list[dict[str, Any]], strings: Any) -> tuple[Requirement, ...]:
    """The words a Matcher pattern needs in a document (see :meth:`CompiledCodebook.matches`).

    For each token of the pattern that must occur (no ``OP``, or ``+``, ``1``,
    ``{n}``, ``{n,m}`` with n >= 1) and that fixes ``LOWER``, ``LEMMA``, ``ORTH`` or
    ``TEXT`` (a string, or ``{"IN": [...]}`` of strings), the set of hashes one of
    which must appear in that column (``ORTH``/``TEXT`` are checked on ``LOWER``, a
    weaker but still necessary condition). Smallest sets first.

    Examples
    --------
    >>> from spacy.strings import StringStore
    >>> needs = pattern_requirements(
    ...     [{"LOWER": "i"}, {"LOWER": "so", "OP": "?"}, {"LEMMA": {"IN": ["feel", "be"]}}],
    ...     StringStore())
    >>> [(column, len(values)) for column, values in needs]
    [(0, 1), (1, 2)]
    """
    needs: list[Requirement] = []
    for spec in pattern:
        if not isinstance(spec, Mapping):
            continue
        op = spec.get("OP")
        if op is not None and not _REQUIRED_OPS.match(str(op)):
            continue
        for key, value in spec.items():
            name = str(key).upper()
            column = {"LOWER": 0, "LEMMA": 1, "ORTH": 0, "TEXT": 0}.get(name)
            if column is None:
                continue
            if isinstance(value, str):
                allowed = [value]
            elif (
                isinstance(value, Mapping)
                and isinstance(value.get("IN"), (list, tuple))
                and all(isinstance(v, str) for v in value["IN"])
            ):
                allowed = list(value["IN"])
            else:
                continue
            if name in ("ORTH", "TEXT"):
                allowed = [v.lower() for v in allowed]
            needs.append((column, frozenset(strings.add(v) for v in allowed)))
    return tuple(sorted(needs, key=lambda need: len(need[1])))


_COMPILED: dict[tuple[int, int], tuple[Any, CompiledCodebook]] = {}
_COMPILED_MAX = 16


def compile_codebook(codebook: Codebook, nlp: Language | None = None) -> CompiledCodebook:
    """Compile a codebook's ``lemmas``, ``phrases`` and ``patterns`` into matchers.

    Parameters
    ----------
    codebook : Codebook
    nlp : spacy.language.Language, optional
        Default: the pipeline of the codebook's language.

    Returns
    -------
    CompiledCodebook
        Cached by the identity of ``codebook`` (and of ``nlp``): compiling the
        same codebook object again returns the same matchers.

    Raises
    ------
    CodebookError
        A Matcher pattern spaCy refuses (named by code id).

    Notes
    -----
    ``phrases`` go to a ``PhraseMatcher(attr="LOWER")`` (exact, case-insensitive
    token sequences); ``lemmas`` to a ``PhraseMatcher(attr="LEMMA")`` whose patterns
    hold both the lemma as written (lower-cased) and the lemma the pipeline gives to
    that word (so ``lemmas: [trusted]`` still matches *trusts*); ``patterns`` to a
    ``Matcher``. Lemmas of the text are lower case (see :mod:`mixedwai.qual.nlp`).
    """
    from mixedwai.qual.nlp import get_pipeline

    if nlp is None:
        nlp = get_pipeline(_language_of(codebook))
    key = (id(codebook), id(nlp))
    cached = _COMPILED.get(key)
    if cached is not None and cached[0] is codebook:
        return cached[1]
    compiled = _compile(codebook, nlp)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = (codebook, compiled)
    return compiled


def _compile(codebook: Codebook, nlp: Language) -> CompiledCodebook:
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    vocab = nlp.vocab
    phrase_matcher = PhraseMatcher(vocab, attr="LOWER")
    lemma_matcher = PhraseMatcher(vocab, attr="LEMMA")
    token_matcher = Matcher(vocab, validate=True)
    pattern_matchers: list[tuple[int, Any, tuple[Requirement, ...]]] = []
    used = {"phrase": False, "lemma": False, "token": False}
    code_ids: list[str] = []
    category_ids: list[str] = []
    parent_ids: list[str | None] = []
    key_to_code: dict[int, int] = {}
    n_ruled = 0
    for position, (code, category_id, parent_id, _depth) in enumerate(codebook.iter_codes()):
        code_ids.append(str(code.id))
        category_ids.append(str(category_id))
        parent_ids.append(None if parent_id is None else str(parent_id))
        rules = getattr(code, "match", None)
        phrases = list(getattr(rules, "phrases", None) or [])
        lemmas = list(getattr(rules, "lemmas", None) or [])
        patterns = [_plain_pattern(p) for p in (getattr(rules, "patterns", None) or [])]
        if not (phrases or lemmas or patterns):
            continue
        n_ruled += 1
        match_key = f"mixedwai:{code.id}"
        key_to_code[vocab.strings.add(match_key)] = position
        if phrases:
            docs = [nlp.make_doc(str(p)) for p in phrases]
            phrase_matcher.add(match_key, [d for d in docs if len(d)])
            used["phrase"] = True
        if lemmas:
            lemma_docs = []
            for lemma in lemmas:
                words = [t.text for t in nlp.make_doc(str(lemma))]
                if not words:
                    continue
                lemma_docs.append(Doc(vocab, words=words, lemmas=[w.lower() for w in words]))
                derived = [t.lemma_.lower() for t in nlp(str(lemma))]
                if len(derived) == len(words) and derived != [w.lower() for w in words]:
                    lemma_docs.append(Doc(vocab, words=words, lemmas=derived))
            lemma_matcher.add(match_key, lemma_docs)
            used["lemma"] = True
        if patterns:
            try:
                token_matcher.add(match_key, patterns)
                for pattern in patterns:
                    single = Matcher(vocab)
                    single.add(match_key, [pattern])
                    pattern_matchers.append(
                        (position, single, pattern_requirements(pattern, vocab.strings))
                    )
            except (ValueError, KeyError, TypeError) as exc:
                raise CodebookError(
                    f"codebook {_name_of(codebook)!r}, code {code.id!r}: a match pattern is "
                    f"not a valid spaCy Matcher pattern ({exc})"
                ) from exc
            used["token"] = True
    return CompiledCodebook(
        codebook=codebook,
        nlp=nlp,
        code_ids=code_ids,
        category_ids=category_ids,
        parent_ids=parent_ids,
        phrase_matcher=phrase_matcher if used["phrase"] else None,
        lemma_matcher=lemma_matcher if used["lemma"] else None,
        token_matcher=token_matcher if used["token"] else None,
        pattern_matchers=pattern_matchers,
        key_to_code=key_to_code,
        n_ruled=n_ruled,
    )


def _plain_pattern(pattern: Any) -> list[dict[str, Any]]:
    """A Matcher pattern as plain lists and dicts (pydantic models are dumped)."""
    if hasattr(pattern, "model_dump"):
        pattern = pattern.model_dump()
    if isinstance(pattern, Mapping):
        return {str(k): _plain_pattern(v) for k, v in pattern.items()}  # type: ignore[return-value]
    if isinstance(pattern, (list, tuple)):
        return [_plain_pattern(p) for p in pattern]
    return pattern


def _language_of(codebook: Any) -> str:
    return str(getattr(codebook, "language", "en") or "en")


def _name_of(codebook: Any) -> str:
    return str(getattr(codebook, "name", "codebook"))


# --------------------------------------------------------------------------- coding


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


@dataclass
class _Plan:
    """What to run: the segments kept, grouped into blocks of contiguous text."""

    transcripts: list[Any]
    segments: list[list[Any]]  # kept segments per transcript
    #: (transcript position, block start, block end, first kept-segment position, count)
    blocks: list[tuple[int, int, int, int, int]]
    n_total: int = 0
    n_excluded: int = 0


def _plan(transcripts: list[Any], unit: str, wanted: set[str] | None) -> _Plan:
    plan = _Plan(transcripts=transcripts, segments=[], blocks=[])
    for position, transcript in enumerate(transcripts):
        kept: list[Any] = []
        for segment in transcript.segments(unit):
            plan.n_total += 1
            if wanted is not None:
                role = (segment.role or "").casefold()
                speaker = (segment.speaker or "").casefold()
                if role not in wanted and speaker not in wanted:
                    plan.n_excluded += 1
                    continue
            kept.append(segment)
        kept.sort(key=lambda s: (s.start, s.end))
        plan.segments.append(kept)
        # Contiguous segments of one turn form one spaCy document: tokenization splits
        # on white space first, so a turn's tokens are its sentences' tokens.
        first = 0
        while first < len(kept):
            last = first
            turn = kept[first].turn
            if unit != "turn" and turn is not None:
                while last + 1 < len(kept) and kept[last + 1].turn == turn:
                    last += 1
            plan.blocks.append(
                (position, kept[first].start, kept[last].end, first, last - first + 1)
            )
            first = last + 1
    return plan


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
        source (``"rule"``), coder (``"mixedwai"``). Sorted by doc_id, start, end
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
        :func:`mixedwai.qual.nlp.get_pipeline`).

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
    request (``rollup=True`` in :func:`mixedwai.qual.retrieval.code_matrix` and
    :func:`~mixedwai.qual.retrieval.code_frequencies`).

    The pipeline runs over whole turns (the kept segments of one turn form one
    spaCy document) and each hit goes to the segment holding it; a hit that
    straddles two segments is not counted, exactly as if every segment had been
    processed alone. Rules: ``phrases`` are exact, case-insensitive token
    sequences, ``lemmas`` compare lower-case lemmas, ``patterns`` are spaCy
    ``Matcher`` patterns (see :func:`compile_codebook`).

    Examples
    --------
    >>> from mixedwai.qual.transcripts import Transcript
    >>> from mixedwai.qual.codebook import Codebook
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


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a coding run.

    Coding allocates many small objects (segments, tuples) while a large corpus is
    alive, so the collector's full passes rescan that corpus again and again: about
    a tenth of the run time on a million words. Coding creates no reference cycles
    (checked: a collection afterwards finds nothing, and peak memory is the same),
    so reference counting frees everything anyway. The previous state is restored.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _code(
    by_language: dict[str, list[Any]],
    books: dict[str, Any],
    order: dict[Any, int],
    unit: str,
    wanted: set[str] | None,
    speaker_names: list[str] | None,
    batch_size: int,
    n_process: int,
    progress: bool | Callable[[int, int], None],
    n_transcripts: int,
) -> pd.DataFrame:
    """Run the coding (see :func:`code_corpus`); attrs hold the segment counts."""
    reporter, close = _progress(progress, n_transcripts)
    rows: list[tuple[tuple[Any, ...], tuple[Any, ...]]] = []
    n_total = n_excluded = n_with_codes = 0
    empty_docs: list[str] = []
    try:
        for language, group in by_language.items():
            compiled = compile_codebook(books[language])
            plan = _plan(group, unit, wanted)
            n_total += plan.n_total
            n_excluded += plan.n_excluded
            empty_docs.extend(
                str(t.doc_id)
                for t, kept in zip(plan.transcripts, plan.segments, strict=True)
                if not kept
            )
            hits = _run(compiled, plan, batch_size, n_process, reporter)
            n_with_codes += len({(d, s) for d, s, _ in hits})
            code_ids = compiled.code_ids
            category_ids = compiled.category_ids
            for (doc_pos, seg_pos, code_pos), matched in hits.items():
                transcript = plan.transcripts[doc_pos]
                segment = plan.segments[doc_pos][seg_pos]
                rows.append(
                    (
                        (order[transcript.doc_id], segment.start, segment.end, code_pos),
                        (
                            transcript.doc_id,
                            getattr(transcript, "case_id", None),
                            segment.id,
                            segment.speaker,
                            segment.role,
                            segment.start,
                            segment.end,
                            segment.text,
                            code_ids[code_pos],
                            category_ids[code_pos],
                            MATCH_SEPARATOR.join(matched),
                            "rule",
                            RULE_CODER,
                        ),
                    )
                )
    finally:
        close()
    if empty_docs and wanted is not None:
        warnings.warn(
            f"no segment spoken by {', '.join(speaker_names or [])} in "
            f"{len(empty_docs)} transcript(s): "
            f"{', '.join(sorted(empty_docs))}; they contribute no coding",
            ExclusionWarning,
            stacklevel=3,  # the caller of code_corpus
        )
    rows.sort(key=lambda r: r[0])
    frame = _frame([r[1] for r in rows])
    frame.attrs.update(
        {
            "segments_total": n_total,
            "segments_coded": n_total - n_excluded,
            "segments_excluded_by_speaker": n_excluded,
            "segments_with_codes": n_with_codes,
        }
    )
    return frame


def check_range_int(name: str, value: Any, low: int) -> None:
    """Raise :class:`OptionError` unless ``value`` is an integer >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise OptionError(f"{name} = {value!r} is not allowed; expected an integer >= {low}")


def _code_ids(codebook: Any) -> list[str]:
    return [str(code.id) for code, *_ in codebook.iter_codes()]


def _run(
    compiled: CompiledCodebook,
    plan: _Plan,
    batch_size: int,
    n_process: int,
    step: Callable[[int], None],
) -> dict[tuple[int, int, int], list[str]]:
    """Run the pipeline and matchers; map hits to (transcript, segment, code)."""
    from bisect import bisect_right

    hits: dict[tuple[int, int, int], list[str]] = {}
    if compiled.n_ruled == 0 or not plan.blocks:
        step(len(plan.transcripts))
        return hits
    texts = (plan.transcripts[b[0]].text[b[1] : b[2]] for b in plan.blocks)
    docs = compiled.nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
    matcher = compiled.matches
    starts_cache: dict[int, list[int]] = {}
    reported = 0
    for block, doc in zip(plan.blocks, docs, strict=False):
        doc_pos, block_start, _block_end, first, count = block
        if doc_pos > reported:
            step(doc_pos - reported)
            reported = doc_pos
        found = matcher(doc)
        if not found:
            continue
        segments = plan.segments[doc_pos]
        text = plan.transcripts[doc_pos].text
        if count == 1:
            seg_starts = None
        else:
            seg_starts = starts_cache.get(doc_pos)
            if seg_starts is None:
                seg_starts = starts_cache[doc_pos] = [s.start for s in segments]
        found.sort(key=lambda h: (h[1], h[2], h[0]))
        for code_pos, start, end in found:
            absolute_start = block_start + start
            absolute_end = block_start + end
            if seg_starts is None:
                seg_pos = first
            else:
                seg_pos = bisect_right(seg_starts, absolute_start, first, first + count) - 1
                if seg_pos < first:
                    continue
            if absolute_end > segments[seg_pos].end:
                continue  # the hit straddles two segments
            matched = text[absolute_start:absolute_end]
            texts_found = hits.setdefault((doc_pos, seg_pos, code_pos), [])
            if all(m.casefold() != matched.casefold() for m in texts_found):
                texts_found.append(matched)
    step(len(plan.transcripts) - reported)
    return hits


def _progress(
    progress: bool | Callable[[int, int], None], total: int
) -> tuple[Callable[[int], None], Callable[[], None]]:
    """Return ``advance(k)`` and ``close()`` for the progress option."""
    if callable(progress):
        state = {"done": 0}

        def advance(k: int) -> None:
            if k:
                state["done"] += k
                progress(state["done"], total)

        return advance, lambda: None
    if not progress:
        return (lambda k: None), (lambda: None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("coding"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    task = bar.add_task("coding", total=total)
    bar.start()
    return (lambda k: bar.advance(task, k)), bar.stop


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
        elif values:
            data[name] = pd.Series(list(values))  # pandas infers its text dtype
        else:
            data[name] = pd.Series([], dtype=object)
    return pd.DataFrame(data, columns=list(CODING_COLUMNS))


# --------------------------------------------------------------------------- manual codings


def load_manual_codings(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    corpus: Corpus | Iterable[Transcript],
    codebook: Codebook,
    *,
    coder_col: str = "coder",
    unit: str = "turn",
) -> pd.DataFrame:
    """Read codings made by hand and check them against the transcripts.

    Parameters
    ----------
    path_or_frame : str, path or DataFrame
        A table (CSV, XLSX ... read with :func:`mixedwai.io.read_table`) with the
        columns ``doc_id``, ``start``, ``end``, ``code_id`` and the coder column.
        ``start``/``end`` are character offsets in the transcript text, end
        exclusive (Python slicing), as NVivo/QualCoder exports give them.
    corpus : Corpus or iterable of Transcript
        The transcripts the offsets refer to.
    codebook : Codebook
        Every ``code_id`` must be one of its codes.
    coder_col : str, default="coder"
        Column naming who coded each row.
    unit : {"turn", "paragraph", "sentence"}, default="turn"
        Segmentation used for ``segment_id``/``speaker``/``role``: those of the
        segment of this unit that holds ``start`` (or the next one when ``start``
        falls between segments, e.g. on a speaker label).

    Returns
    -------
    pandas.DataFrame
        Codings in the schema of :data:`CODING_COLUMNS`, in the file's row order:
        text is the transcript's ``text[start:end]``, matched is empty, source is
        ``"manual"``, coder comes from the file.

    Raises
    ------
    ColumnError
        A required column is missing.
    DataValueError
        Rows with an unknown doc_id, offsets that are not whole numbers or not
        within ``0 <= start < end <= len(text)``, or an empty coder (every bad
        row is listed with its spreadsheet row number; unknown codes are listed
        too).
    CodebookError
        The only problems are codes that are not in the codebook.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.transcripts import Transcript
    >>> from mixedwai.qual.codebook import Codebook
    >>> t = Transcript.from_text("Interviewer: How was it?\\nES: We trusted each other.",
    ...                          doc_id="ES1_C1")
    >>> cb = Codebook.model_validate({"name": "demo", "version": "1", "language": "en",
    ...     "unit": "turn", "categories": [{"id": "alliance", "label": "Alliance",
    ...     "codes": [{"id": "bond", "label": "Bond", "definition": "Trust."}]}]})
    >>> start = t.text.index("We")
    >>> manual = pd.DataFrame({"doc_id": ["ES1_C1"], "start": [start],
    ...     "end": [start + 10], "code_id": ["bond"], "coder": ["AL"]})
    >>> load_manual_codings(manual, [t], cb)[["text", "role", "source", "coder"]]
             text role  source coder
    0  We trusted   ES  manual    AL
    """
    from mixedwai.io import read_table

    check_choice("unit", unit, UNITS)
    if isinstance(path_or_frame, pd.DataFrame):
        table = path_or_frame
        source = str(table.attrs.get("source", "manual codings"))
    else:
        table = read_table(path_or_frame)
        source = str(table.attrs.get("source", os.fspath(path_or_frame)))
    table = table.reset_index(drop=True)
    table.attrs["source"] = source
    require_columns(table, ["doc_id", "start", "end", "code_id", coder_col])
    transcripts = {str(t.doc_id): t for t in _as_transcripts(corpus)}
    code_ids = _code_ids(codebook)
    category_of = {
        str(code.id): str(category) for code, category, *_ in codebook.iter_codes()
    }
    known_codes = set(code_ids)

    problems: list[str] = []
    code_problems: list[str] = []
    out: list[tuple[Any, ...]] = []
    segments_cache: dict[str, tuple[list[Any], list[int]]] = {}
    for position, row in enumerate(table.itertuples(index=False)):
        record = dict(zip(table.columns, row, strict=False))
        where = f"row {row_number(position)}"
        doc_id = _cell_text(record["doc_id"])
        code_id = _cell_text(record["code_id"])
        coder = _cell_text(record[coder_col])
        row_problems: list[str] = []
        transcript = transcripts.get(doc_id) if doc_id else None
        if not doc_id:
            row_problems.append(f"{where}: doc_id is empty")
        elif transcript is None:
            known = ", ".join(sorted(transcripts)[:10]) + (" ..." if len(transcripts) > 10 else "")
            row_problems.append(
                f"{where}: doc_id {doc_id!r} is not a transcript of the corpus (known: {known})"
            )
        start = _cell_int(record["start"])
        end = _cell_int(record["end"])
        for name, value, raw in (("start", start, record["start"]), ("end", end, record["end"])):
            if value is None:
                row_problems.append(
                    f"{where} (doc {doc_id}): {name} = {_show(raw)} is not a whole number"
                )
        if transcript is not None and start is not None and end is not None:
            length = len(transcript.text)
            if not 0 <= start < end <= length:
                row_problems.append(
                    f"{where} (doc {doc_id}): start = {start}, end = {end}; expected "
                    f"0 <= start < end <= {length} (the length of the transcript text)"
                )
        if not coder:
            row_problems.append(f"{where} (doc {doc_id}): {coder_col} is empty")
        if code_id not in known_codes:
            code_problems.append(
                f"{where} (doc {doc_id}): code_id {code_id!r} is not a code of codebook "
                f"{_name_of(codebook)!r}"
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        if code_id not in known_codes:
            continue
        if doc_id not in segments_cache:
            segments = sorted(transcript.segments(unit), key=lambda s: (s.start, s.end))
            segments_cache[doc_id] = (segments, [s.start for s in segments])
        segments, starts = segments_cache[doc_id]
        segment = _segment_at(segments, starts, start)
        out.append(
            (
                doc_id,
                getattr(transcript, "case_id", None),
                None if segment is None else segment.id,
                None if segment is None else segment.speaker,
                None if segment is None else segment.role,
                start,
                end,
                transcript.text[start:end],
                code_id,
                category_of[code_id],
                "",
                "manual",
                coder,
            )
        )
    if problems:
        known = ", ".join(code_ids[:30]) + (" ..." if len(code_ids) > 30 else "")
        extra = [f"{p} (codes: {known})" for p in code_problems]
        raise_problems(
            DataValueError,
            f"{source}: manual codings that do not fit the transcripts or the codebook",
            sorted([*problems, *extra], key=_row_key),
        )
    if code_problems:
        known = ", ".join(code_ids[:30]) + (" ..." if len(code_ids) > 30 else "")
        raise_problems(
            CodebookError,
            f"{source}: manual codings use codes that are not in codebook "
            f"{_name_of(codebook)!r} (its codes: {known})",
            code_problems,
        )
    frame = _frame(out)
    frame.attrs["source"] = source
    return frame


def _row_key(problem: str) -> tuple[int, str]:
    try:
        return int(problem.split()[1].rstrip(":")), problem
    except (IndexError, ValueError):
        return 0, problem


def _segment_at(segments: list[Any], starts: list[int], offset: int) -> Segment | None:
    from bisect import bisect_right

    if not segments:
        return None
    i = bisect_right(starts, offset) - 1
    if i >= 0 and segments[i].end > offset:
        return segments[i]
    if i + 1 < len(segments):
        return segments[i + 1]  # on a label or blank between segments: the next one
    return segments[i]


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NA:
        return ""
    return str(value).strip()


def _cell_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _cell_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _show(value: Any) -> str:
    text = _cell_text(value)
    return repr(text) if text else "(empty)"


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
        Either table lacks a column of the schema.

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
