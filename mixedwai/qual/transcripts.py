"""Transcripts and corpora: the models, and loading them from files.

A :class:`Transcript` holds the full text of an interview and its speaker turns
as :class:`Segment` objects; paragraphs and sentences are cut from the turns on
demand. Every segment's offsets slice the transcript's text:
``transcript.text[s.start:s.end] == s.text`` always holds. A :class:`Corpus` is
an ordered collection of transcripts loaded from files or a folder.

Files are read by extension: ``.txt``/``.md`` (:mod:`.loaders.text`), ``.docx``
(:mod:`.loaders.docx`) and ``.vtt`` (:mod:`.loaders.vtt`). The case id comes
from the metadata (front matter, Word properties, WebVTT NOTE) or from the file
name; see ``docs/qual-transcripts.md``.

Examples
--------
>>> t = Transcript.from_text(
...     "Interviewer: How did the first meeting go?\\n"
...     "Marie: Well. He trusted me quickly. We agreed on goals.\\n",
...     doc_id="ES11_C4_i1", speakers={"Marie": "ES"},
... )
>>> t.case_id, t.es_id, t.interview, t.speakers()
('ES11_C4', 'ES11', 1, {'Interviewer': 'interviewer', 'Marie': 'ES'})
>>> [s.id for s in t.segments("sentence")]
['t0.s0', 't1.s0', 't1.s1', 't1.s2']
>>> s = t.segments("sentence")[2]
>>> s.text, t.text[s.start:s.end]
('He trusted me quickly.', 'He trusted me quickly.')
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, model_validator

from mixedwai._validation import check_choice, format_problems
from mixedwai.errors import InputFileError, MixedWAIError, OptionError, TranscriptError
from mixedwai.ids import canonical_case_id, es_id_of, find_case_id
from mixedwai.qual.loaders.frontmatter import meta_get
from mixedwai.qual.loaders.labels import role_of
from mixedwai.qual.loaders.raw import RawTranscript
from mixedwai.qual.sentences import split_sentences

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SUFFIXES",
    "Corpus",
    "Segment",
    "Transcript",
    "load_corpus",
    "load_transcript",
]

Unit = Literal["turn", "paragraph", "sentence"]
UNITS = ("sentence", "turn", "paragraph")

#: File extensions read as transcripts.
SUFFIXES = (".txt", ".md", ".docx", ".vtt")

_WORD = re.compile(r"\w+(?:['’-]\w+)*")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_INTERVIEW = re.compile(
    r"(?<![A-Za-z0-9])(?:interview|entretien|entrevue|int|i)[-_ ]?0*(?P<n>\d+)(?![0-9])",
    re.IGNORECASE,
)
_ES_ID = re.compile(r"\s*ES\s*#?\s*0*(?P<n>\d+)\s*", re.IGNORECASE)
_LANGUAGES = {
    "en": "en", "eng": "en", "english": "en", "anglais": "en",
    "fr": "fr", "fra": "fr", "fre": "fr", "french": "fr", "français": "fr", "francais": "fr",
}


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
        :func:`mixedwai.qual.loaders.labels.role_of`).
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
        from mixedwai.qual.loaders.text import parse_text

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
            :func:`mixedwai.qual.sentences.split_sentences` run on each paragraph.

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


class Corpus:
    """An ordered collection of transcripts (sorted by ``doc_id``).

    Parameters
    ----------
    transcripts : iterable of Transcript
    errors : iterable of (str, str), optional
        Files that could not be loaded, with the reason (see :func:`load_corpus`).
    notes : iterable of str, optional
        Corpus-level notes; each transcript's notes are added, prefixed by its id.

    Raises
    ------
    TranscriptError
        Two transcripts have the same ``doc_id``.

    Examples
    --------
    >>> corpus = Corpus([Transcript.from_text("ES: Yes.", doc_id="es1-c2"),
    ...                  Transcript.from_text("ES: No.", doc_id="es1-c1")])
    >>> len(corpus), [t.doc_id for t in corpus], list(corpus.by_case())
    (2, ['es1-c1', 'es1-c2'], ['ES1_C1', 'ES1_C2'])
    >>> corpus.to_frame()[["doc_id", "case_id", "speaker", "role", "text"]]
       doc_id case_id speaker role  text
    0  es1-c1  ES1_C1      ES   ES   No.
    1  es1-c2  ES1_C2      ES   ES  Yes.
    """

    def __init__(
        self,
        transcripts: Iterable[Transcript] = (),
        *,
        errors: Iterable[tuple[str, str]] = (),
        notes: Iterable[str] = (),
    ) -> None:
        items = sorted(transcripts, key=lambda t: t.doc_id)
        index: dict[str, Transcript] = {}
        duplicates = []
        for transcript in items:
            if transcript.doc_id in index:
                other = index[transcript.doc_id]
                duplicates.append(
                    f"{transcript.doc_id!r}: {other.path or '(in memory)'} and "
                    f"{transcript.path or '(in memory)'}"
                )
            index[transcript.doc_id] = transcript
        if duplicates:
            listing = format_problems(duplicates, cap=len(duplicates))
            raise TranscriptError(
                f"two transcripts share a doc_id ({len(duplicates)} found); rename a file or "
                f"set 'doc_id:' in its metadata:\n{listing}"
            )
        self._transcripts: tuple[Transcript, ...] = tuple(items)
        self._index = index
        self.errors: list[tuple[str, str]] = list(errors)
        #: Notes that belong to no single transcript.
        self.corpus_notes: list[str] = list(notes)

    @property
    def notes(self) -> list[str]:
        """Corpus notes, then each transcript's notes prefixed by its ``doc_id``
        (e.g. ``"es1_c2: not valid UTF-8; decoded as Windows-1252 ..."``)."""
        return self.corpus_notes + [
            f"{t.doc_id}: {note}" for t in self._transcripts for note in t.notes
        ]

    @property
    def warnings(self) -> list[str]:
        """Same as :attr:`notes`."""
        return self.notes

    @property
    def transcripts(self) -> tuple[Transcript, ...]:
        """The transcripts, sorted by ``doc_id``."""
        return self._transcripts

    @property
    def doc_ids(self) -> list[str]:
        """Document ids, sorted."""
        return [t.doc_id for t in self._transcripts]

    def __iter__(self) -> Iterator[Transcript]:
        return iter(self._transcripts)

    def __len__(self) -> int:
        return len(self._transcripts)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._index

    def __getitem__(self, key: str | int) -> Transcript:
        """A transcript by ``doc_id`` (or by position when ``key`` is an int)."""
        if isinstance(key, int):
            return self._transcripts[key]
        try:
            return self._index[key]
        except KeyError:
            known = ", ".join(repr(d) for d in self.doc_ids[:20]) or "(none)"
            raise KeyError(f"no transcript with doc_id {key!r}; known: {known}") from None

    def __repr__(self) -> str:
        return f"Corpus({len(self)} transcripts, {len(self.errors)} errors)"

    @property
    def word_count(self) -> int:
        """Words spoken in all transcripts."""
        return sum(t.word_count for t in self._transcripts)

    def by_case(self) -> dict[str | None, list[Transcript]]:
        """Transcripts grouped by case id, cases sorted (``None``: no case id, last)."""
        groups: dict[str | None, list[Transcript]] = {}
        for transcript in self._transcripts:
            groups.setdefault(transcript.case_id, []).append(transcript)
        return dict(sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")))

    def segments(self, unit: Unit = "sentence") -> list[Segment]:
        """All segments of all transcripts, transcript by transcript."""
        return [s for t in self._transcripts for s in t.segments(unit)]

    def to_frame(self, unit: Unit = "turn") -> pd.DataFrame:
        """One row per segment.

        Parameters
        ----------
        unit : {"turn", "paragraph", "sentence"}, default="turn"

        Returns
        -------
        pandas.DataFrame
            Columns: ``doc_id``, ``case_id``, ``es_id``, ``segment_id``, ``unit``,
            ``speaker``, ``role``, ``start``, ``end``, ``text``, ``turn``,
            ``timestamp`` (seconds, NaN when unknown).
        """
        import pandas as pd

        check_choice("unit", unit, UNITS)
        rows = [
            (t.doc_id, t.case_id, t.es_id, s.id, s.unit, s.speaker, s.role, s.start, s.end,
             s.text, s.turn, s.timestamp)
            for t in self._transcripts
            for s in t.segments(unit)
        ]
        columns = ["doc_id", "case_id", "es_id", "segment_id", "unit", "speaker", "role",
                   "start", "end", "text", "turn", "timestamp"]
        frame = pd.DataFrame(rows, columns=columns)
        for column in ("start", "end", "turn"):
            frame[column] = frame[column].astype("int64")
        frame["timestamp"] = frame["timestamp"].astype("float64")
        return frame


# -- loading -----------------------------------------------------------------------


def load_transcript(
    path: str | os.PathLike[str],
    *,
    case_pattern: re.Pattern[str] | str | None = None,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> Transcript:
    """Read one transcript file, choosing the reader by its extension.

    Parameters
    ----------
    path : str or path
        A ``.txt``, ``.md``, ``.docx`` or ``.vtt`` file.
    case_pattern : str or re.Pattern, optional
        Regular expression that finds the case id in the file name when the
        metadata gives none: named groups ``es`` and ``client`` (canonical id
        ``ES<es>_C<client>``) or one group ``case`` (kept as written). Default
        :data:`mixedwai.ids.CASE_ID_PATTERN` (``ES#11_C4``, ``ES11_C04``, ``es11-c4``).
    speakers : mapping, optional
        Speaker labels -> roles (``{"Marie": "ES"}``); added to (and overriding)
        the file's own ``speakers`` metadata. Declared labels always open turns.
    default_speaker : str, optional
        For a document without any speaker label (a written answer, a
        monologue): the whole text becomes one turn of this speaker. Without
        it such a file is an error.

    Returns
    -------
    Transcript

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.
    TranscriptError
        Unknown extension, empty file, corrupt .docx, invalid front matter or
        WebVTT, or no speaker turn found (the message names the file and lists
        the label forms expected).
    OptionError
        ``case_pattern`` is not a valid regular expression.

    Warns
    -----
    EncodingFallbackWarning
        A text file was not UTF-8 and was read as Windows-1252 (also recorded
        in ``encoding`` and ``notes``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ES#11_C4_interview2.txt"
    >>> _ = p.write_text("[00:00:01] Interviewer: Hello.\\n[00:00:04] Marie: Hi!\\n")
    >>> t = load_transcript(p, speakers={"Marie": "ES"})
    >>> t.doc_id, t.case_id, t.interview, [(s.role, s.timestamp) for s in t.turns]
    ('ES#11_C4_interview2', 'ES11_C4', 2, [('interviewer', 1.0), ('ES', 4.0)])
    """
    return _load(Path(path), _compile(case_pattern), speakers, default_speaker)


def load_corpus(
    paths_or_folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    case_pattern: re.Pattern[str] | str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    recursive: bool = False,
    progress: bool = False,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> Corpus:
    """Read every transcript of a folder (or a list of files and folders).

    Parameters
    ----------
    paths_or_folder : path or iterable of paths
        A folder, a file, or several. In a folder only ``.txt``, ``.md``,
        ``.docx`` and ``.vtt`` files are read (hidden files and Word lock files
        ``~$...`` are skipped); a file named explicitly with another extension
        is an error.
    case_pattern : str or re.Pattern, optional
        As in :func:`load_transcript`.
    errors : {"raise", "collect"}, default="raise"
        ``"raise"``: if any file fails, raise one :class:`TranscriptError`
        listing every failing file with its reason. ``"collect"``: keep the
        good files and list the others in :attr:`Corpus.errors`.
    recursive : bool, default=False
        Also read sub-folders.
    progress : bool, default=False
        Show a progress bar (rich) while reading.
    speakers, default_speaker
        As in :func:`load_transcript`, for every file.

    Returns
    -------
    Corpus
        Sorted by ``doc_id``; ``notes`` lists the files decoded as Windows-1252
        and the loaders' notes.

    Raises
    ------
    TranscriptError
        A file failed (with ``errors="raise"``), two files share a ``doc_id``,
        or no transcript file was found at all.
    OptionError
        ``errors`` or ``case_pattern`` is invalid.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "es1_c1.txt").write_text("ES: We met twice.\\n")
    >>> _ = (folder / "es1_c2.md").write_text("Nothing to see here.\\n")
    >>> corpus = load_corpus(folder, errors="collect")
    >>> corpus.doc_ids, [e[0].endswith("es1_c2.md") for e in corpus.errors]
    (['es1_c1'], [True])
    """
    check_choice("errors", errors, ["raise", "collect"])
    pattern = _compile(case_pattern)
    problems: list[tuple[str, str]] = []
    files = _collect_files(paths_or_folder, recursive=recursive, problems=problems)
    if not files and not problems:
        raise TranscriptError(
            f"{_describe(paths_or_folder)}: no transcript file found; expected files ending in "
            f"{', '.join(SUFFIXES)}"
        )
    transcripts: list[Transcript] = []
    iterator: Iterable[Path] = files
    if progress:
        from rich.progress import track

        iterator = track(files, description="Reading transcripts", transient=True)
    for path in iterator:
        try:
            transcripts.append(_load(path, pattern, speakers, default_speaker))
        except MixedWAIError as exc:
            problems.append((str(path), str(exc)))
    seen: dict[str, str] = {}
    kept: list[Transcript] = []
    for transcript in transcripts:
        previous = seen.get(transcript.doc_id)
        if previous is not None:
            problems.append(
                (str(transcript.path), f"{transcript.path}: doc_id {transcript.doc_id!r} is "
                 f"already used by {previous}; rename the file or set 'doc_id:' in its metadata")
            )
            continue
        seen[transcript.doc_id] = str(transcript.path)
        kept.append(transcript)
    if problems and errors == "raise":
        lines = [_indent_message(path, message) for path, message in problems]
        raise TranscriptError(
            f"{len(problems)} file(s) could not be read as transcripts (of "
            f"{len(files)} found):\n{format_problems(lines, cap=len(lines))}"
        )
    return Corpus(kept, errors=problems)


def _indent_message(path: str, message: str) -> str:
    text = message if message.startswith(path) else f"{path}: {message}"
    return text.replace("\n", "\n    ")


def _describe(value: object) -> str:
    if isinstance(value, (str, os.PathLike)):
        return str(value)
    return "the paths given"


def _collect_files(
    value: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool,
    problems: list[tuple[str, str]],
) -> list[Path]:
    items = [value] if isinstance(value, (str, os.PathLike)) else list(value)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(
                p for p in (path.rglob("*") if recursive else path.iterdir())
                if p.is_file() and p.suffix.lower() in SUFFIXES
                and not p.name.startswith((".", "~$"))
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
            if not found:
                problems.append(
                    (str(path), f"{path}: folder holds no transcript file "
                     f"({', '.join(SUFFIXES)})")
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append((str(path), f"{path}: file not found"))
    return files


def _compile(pattern: re.Pattern[str] | str | None) -> re.Pattern[str] | None:
    if pattern is None or isinstance(pattern, re.Pattern):
        return pattern
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise OptionError(
            f"case_pattern = {pattern!r} is not a valid regular expression ({exc}); expected "
            "a pattern with named groups 'es' and 'client', or one group 'case'"
        ) from exc


def _load(
    path: Path,
    case_pattern: re.Pattern[str] | None,
    speakers: Mapping[str, str] | None,
    default_speaker: str | None,
) -> Transcript:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            f"{path}: unknown transcript format {suffix or '(no extension)'!r}; expected one "
            f"of {', '.join(SUFFIXES)}"
        )
    if path.is_dir():
        raise TranscriptError(f"{path}: is a folder; use load_corpus() to read a folder")
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    if suffix in (".txt", ".md"):
        from mixedwai.qual.loaders.text import load_text as reader
    elif suffix == ".docx":
        from mixedwai.qual.loaders.docx import load_docx as reader
    else:
        from mixedwai.qual.loaders.vtt import load_vtt as reader
    raw = reader(path, speakers=speakers, default_speaker=default_speaker)
    return _build(raw, stem=path.stem, path=str(path), case_pattern=case_pattern)


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


def _text_value(value: Any, key: str, source: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TranscriptError(f"{source}: metadata key {key!r} must be a text; got {value!r}")
    return str(value).strip() or None


def _interview(value: Any, stem: str, source: str) -> int | None:
    if value is None:
        match = _INTERVIEW.search(stem)
        return int(match["n"]) if match else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise TranscriptError(
        f"{source}: metadata key 'interview' must be a whole number (e.g. 'interview: 2'); "
        f"got {value!r}"
    )


def _language(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TranscriptError(
            f"{source}: metadata key 'language' must be a language code such as 'en' or 'fr'; "
            f"got {value!r}"
        )
    text = value.strip().casefold()
    base = re.split(r"[-_]", text)[0]
    return _LANGUAGES.get(text) or _LANGUAGES.get(base) or base


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
