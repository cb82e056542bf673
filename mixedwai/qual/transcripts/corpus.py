"""The :class:`Corpus`: an ordered collection of transcripts (sorted by ``doc_id``).

Corpora are read from files or a folder by :func:`mixedwai.qual.transcripts.loading.load_corpus`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from mixedwai._validation import check_choice, format_problems
from mixedwai.errors import TranscriptError
from mixedwai.qual.transcripts.model import UNITS, Segment, Transcript, Unit

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Corpus"]


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
