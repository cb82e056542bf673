"""The transcript models: :class:`Segment` and :class:`Transcript`.

A :class:`Transcript` holds the full text of an interview and its speaker turns
as :class:`Segment` objects; paragraphs and sentences are cut from the turns on
demand. Every segment's offsets slice the transcript's text:
``transcript.text[s.start:s.end] == s.text`` always holds. ``_build`` makes the
model from a loader's :class:`~mixedwai.qual.transcripts.loaders.raw.RawTranscript`, resolving
ids and roles (see :mod:`mixedwai.qual.transcripts.metadata`). Reading files is
:mod:`mixedwai.qual.transcripts.loading`; collections of transcripts are
:mod:`mixedwai.qual.transcripts.corpus`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from mixedwai._validation import check_choice
from mixedwai.ids import canonical_case_id, es_id_of, find_case_id
from mixedwai.qual.transcripts.loaders.frontmatter import meta_get
from mixedwai.qual.transcripts.loaders.raw import RawTranscript
from mixedwai.qual.transcripts.loaders.speaker_roles import role_of
from mixedwai.qual.transcripts.metadata import (
    _ES_ID,
    _compile,
    _interview,
    _language,
    _text_value,
)
from mixedwai.qual.transcripts.sentences import split_sentences

__all__ = ["UNITS", "Segment", "Transcript", "Unit"]

Unit = Literal["turn", "paragraph", "sentence"]
UNITS = ("sentence", "turn", "paragraph")

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@dataclass(frozen=True, slots=True)
class Segment:
    """A turn, paragraph or sentence of a transcript.

    Attributes
    ----------
    id : str
        Stable id, unique within the transcript: ``"t3"`` (turn 3),
        ``"t3.p1"`` (its paragraph 1), ``"t3.s2"`` (its sentence 2). All
        counters start at 0; paragraph and sentence numbers restart in each turn.
    doc_id : str
        The transcript's id.
    unit : {"turn", "paragraph", "sentence"}
    speaker : str
        The label as written (``"Interviewer 1"``, ``"Marie"``).
    role : str
        ``"ES"``, ``"interviewer"``, ``"client"`` or the label itself (see
        :func:`mixedwai.qual.transcripts.loaders.labels.role_of`).
    start, end : int
        Character offsets into ``Transcript.text``; ``text == transcript.text[start:end]``.
    text : str
        The speech (labels and time stamps excluded).
    turn : int
        0-based index of the turn that holds the segment.
    timestamp, end_timestamp : float or None
        Seconds from the start of the recording, when the file gives them (the
        turn's, for paragraphs and sentences).
    """

    id: str
    doc_id: str
    unit: Unit
    speaker: str
    role: str
    start: int
    end: int
    text: str
    turn: int
    timestamp: float | None = None
    end_timestamp: float | None = None


class Transcript(BaseModel):
    """One interview: its text, ids, metadata and speaker turns.

    Attributes
    ----------
    doc_id : str
        Document id: the metadata's ``doc_id`` or the file name without extension.
    path : str or None
        The file it was read from.
    case_id : str or None
        Canonical case id (``ES11_C4``, see :mod:`mixedwai.ids`) or ``None``.
    es_id : str or None
        The professional's id (``ES11``).
    interview : int or None
        Interview number, from the metadata or the file name (``_i2``, ``interview2``).
    language : str or None
        ``"en"``, ``"fr"`` (or another code given in the metadata).
    metadata : dict
        Everything found in the front matter / document properties.
    text : str
        The full text: for .txt/.md the file without its front matter, line ends
        normalised; for .docx the paragraphs joined by ``"\\n"``; for .vtt one
        ``"Speaker: cue text"`` line per turn's first cue and one line per
        following cue of the same turn.
    turns : list of Segment
        The turns, in order.
    encoding : str
        ``"utf-8"``, ``"utf-8-sig"``, ``"cp1252"`` (decoded by fallback) or
        ``"docx"``.
    paragraph_break : {"blank_line", "line"}
        What separates paragraphs inside a turn (blank lines in text files, each
        line in Word documents).
    notes : list of str
        What the loader wants the reader to know (encoding fallback, labels
        kept as speech ...).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str
    path: str | None = None
    case_id: str | None = None
    es_id: str | None = None
    interview: int | None = None
    language: str | None = None
    metadata: dict[str, Any] = {}
    text: str
    turns: list[Segment] = []
    encoding: str = "utf-8"
    paragraph_break: Literal["blank_line", "line"] = "blank_line"
    notes: list[str] = []

    _cache: dict[str, tuple[Segment, ...]] = PrivateAttr(default_factory=dict)
    _words: int | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _check_turns(self) -> Transcript:
        problems = []
        previous_end = 0
        ids = set()
        for turn in self.turns:
            if turn.unit != "turn":
                problems.append(f"{turn.id}: unit is {turn.unit!r}, expected 'turn'")
            if not 0 <= turn.start <= turn.end <= len(self.text):
                problems.append(f"{turn.id}: offsets {turn.start}..{turn.end} outside the text")
            elif self.text[turn.start : turn.end] != turn.text:
                problems.append(f"{turn.id}: text does not equal text[{turn.start}:{turn.end}]")
            if turn.start < previous_end:
                problems.append(f"{turn.id}: starts before the previous turn ends")
            previous_end = turn.end
            if turn.id in ids:
                problems.append(f"{turn.id}: duplicate segment id")
            ids.add(turn.id)
        if problems:
            raise ValueError(f"transcript {self.doc_id!r}: " + "; ".join(problems))
        return self

    # -- construction -------------------------------------------------------------

    @classmethod
    def from_text(
        cls,
        text: str,
        *,
        doc_id: str = "transcript",
        speakers: Mapping[str, str] | None = None,
        default_speaker: str | None = None,
        case_pattern: re.Pattern[str] | str | None = None,
    ) -> Transcript:
        """Build a transcript from text written as a ``.txt`` file would be.

        Parameters
        ----------
        text : str
            Transcript text, optionally with YAML front matter.
        doc_id : str, default="transcript"
            Used, like a file name, to find the case id and interview number.
        speakers, default_speaker, case_pattern
            As in :func:`load_transcript`.

        Returns
        -------
        Transcript

        Examples
        --------
        >>> t = Transcript.from_text("[Q] Tell me.\\n[Marie] Well.\\n[Q] And?\\n[Marie] Fine.",
        ...                          doc_id="es3-c2")
        >>> t.case_id, [(s.speaker, s.role, s.text) for s in t.turns[:2]]
        ('ES3_C2', [('Q', 'interviewer', 'Tell me.'), ('Marie', 'Marie', 'Well.')])
        """
        from mixedwai.qual.transcripts.loaders.text import parse_text

        raw = parse_text(text, source=doc_id, speakers=speakers, default_speaker=default_speaker)
        return _build(raw, stem=doc_id, path=None, case_pattern=_compile(case_pattern))

    # -- views -----------------------------------------------------------------------

    def segments(self, unit: Unit = "sentence") -> list[Segment]:
        """The transcript's turns, paragraphs or sentences, in text order.

        Parameters
        ----------
        unit : {"sentence", "turn", "paragraph"}, default="sentence"
            Paragraphs are the blocks of a turn separated by blank lines (each
            line in a Word document); sentences come from
            :func:`mixedwai.qual.transcripts.sentences.split_sentences` run on each paragraph.

        Returns
        -------
        list of Segment
            Ordered and non-overlapping; each one's offsets slice ``text``.

        Raises
        ------
        OptionError
            ``unit`` is not one of the three.
        """
        check_choice("unit", unit, UNITS)
        if unit == "turn":
            return list(self.turns)
        cached = self._cache.get(unit)
        if cached is None:
            cached = tuple(self._paragraphs() if unit == "paragraph" else self._sentences())
            self._cache[unit] = cached
        return list(cached)

    def _paragraph_spans(self, turn: Segment) -> list[tuple[int, int]]:
        separator = _BLANK_LINE if self.paragraph_break == "blank_line" else re.compile(r"\n")
        spans = []
        start = turn.start
        for match in separator.finditer(self.text, turn.start, turn.end):
            spans.append(_strip(self.text, start, match.start()))
            start = match.end()
        spans.append(_strip(self.text, start, turn.end))
        return [(s, e) for s, e in spans if e > s]

    def _paragraphs(self) -> Iterator[Segment]:
        for turn in self.turns:
            for k, (start, end) in enumerate(self._paragraph_spans(turn)):
                yield self._child(turn, f"{turn.id}.p{k}", "paragraph", start, end)

    def _sentences(self) -> Iterator[Segment]:
        for turn in self.turns:
            k = 0
            for p_start, p_end in self._paragraph_spans(turn):
                for start, end in split_sentences(self.text[p_start:p_end], offset=p_start):
                    yield self._child(turn, f"{turn.id}.s{k}", "sentence", start, end)
                    k += 1

    def _child(self, turn: Segment, sid: str, unit: Unit, start: int, end: int) -> Segment:
        return Segment(
            sid, self.doc_id, unit, turn.speaker, turn.role, start, end, self.text[start:end],
            turn.turn, turn.timestamp, turn.end_timestamp,
        )

    def speakers(self) -> dict[str, str]:
        """Speaker labels, in order of first appearance, with their roles.

        Examples
        --------
        >>> Transcript.from_text("Int.: Hi.\\nConseillère: Bonjour.").speakers()
        {'Int.': 'interviewer', 'Conseillère': 'ES'}
        """
        result: dict[str, str] = {}
        for turn in self.turns:
            result.setdefault(turn.speaker, turn.role)
        return result

    @property
    def word_count(self) -> int:
        """Number of words spoken in the turns (labels, time stamps and preamble excluded)."""
        if self._words is None:
            self._words = sum(len(_WORD.findall(turn.text)) for turn in self.turns)
        return self._words

    @property
    def preamble(self) -> str:
        """Text before the line where the first turn starts (a title, a header).

        It is kept in ``text`` but belongs to no turn. (When a label stands alone on
        the line above its speech, that label line is part of the preamble.)
        """
        if not self.turns:
            return self.text
        return self.text[: self.text.rfind("\n", 0, self.turns[0].start) + 1]

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Transcript:
        """Copy (pydantic); cached segments are dropped, as ``update`` may change the text."""
        copy = super().model_copy(update=update, deep=deep)
        copy._cache = {}
        copy._words = None
        return copy

    def __repr__(self) -> str:
        return (
            f"Transcript(doc_id={self.doc_id!r}, case_id={self.case_id!r}, "
            f"turns={len(self.turns)}, words={self.word_count})"
        )

    __str__ = __repr__


def _build(
    raw: RawTranscript, *, stem: str, path: str | None, case_pattern: re.Pattern[str] | None
) -> Transcript:
    """Resolve ids and roles and make the public model from a loader's result."""
    source = path or stem
    metadata = raw.metadata
    doc_id = _text_value(meta_get(metadata, "doc_id", "document_id"), "doc_id", source) or stem
    case_value = _text_value(meta_get(metadata, "case_id", "case"), "case_id", source)
    if case_value is not None:
        case_id: str | None = canonical_case_id(case_value)
    else:
        case_id = find_case_id(stem, case_pattern)
    es_value = _text_value(meta_get(metadata, "es_id", "es"), "es_id", source)
    if es_value is not None:
        match = _ES_ID.fullmatch(es_value)
        es_id = f"ES{int(match['n'])}" if match else es_value
    else:
        es_id = es_id_of(case_id) if case_id else None
    interview = _interview(meta_get(metadata, "interview", "interview_number"), stem, source)
    language = _language(meta_get(metadata, "language", "lang"), source)
    notes = list(raw.notes)
    if raw.encoding == "cp1252":
        notes.insert(0, "not valid UTF-8; decoded as Windows-1252 (check accented characters)")
    roles = {label: role_of(label, raw.speakers) for label in {rt.speaker for rt in raw.turns}}
    turns = [
        Segment(
            f"t{i}", doc_id, "turn", rt.speaker, roles[rt.speaker],
            rt.start, rt.end, raw.text[rt.start : rt.end], i, rt.timestamp, rt.end_timestamp,
        )
        for i, rt in enumerate(raw.turns)
    ]
    return Transcript(
        doc_id=doc_id, path=path, case_id=case_id, es_id=es_id, interview=interview,
        language=language, metadata=dict(metadata), text=raw.text, turns=turns,
        encoding=raw.encoding, paragraph_break=raw.paragraph_break, notes=notes,
    )


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
