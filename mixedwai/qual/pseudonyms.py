"""Replace names in transcripts before they are shared or quoted.

Interview transcripts name clients, colleagues and places. :func:`pseudonymise`
replaces each name of a mapping (``{"Marie Tremblay": "ES-A", "Marie": "ES-A"}``)
everywhere in the text, in the speaker labels (and in roles that were the label
itself), in string metadata and in the notes, and recomputes every offset so that
``transcript.text[s.start:s.end] == s.text`` still holds for every segment.

Matching is done with one regular expression: longer names first (so ``Marie
Tremblay`` wins over ``Marie``), whole words by default (``Marie`` does not touch
``Mariette``, nor ``Marie-Claire``: letters joined by a hyphen or an apostrophe are
one word, except after a French elision, ``d'Anne``, and before an English clitic,
``Marie's``), case-insensitive by default. It is a tool for names you know; it
does not find names by itself (no named-entity recognition), and it leaves
``doc_id`` and ``path`` alone (rename the files if they carry names).

Examples
--------
>>> from mixedwai.qual.transcripts.model import Transcript
>>> t = Transcript.from_text("Interviewer: How is Marc?\\nMarie: marc is fine. Mariette too.",
...                          speakers={"Marie": "ES"})
>>> p = pseudonymise(t, {"Marie": "ES-A", "Marc": "Client-1"})
>>> p.text
'Interviewer: How is Client-1?\\nES-A: Client-1 is fine. Mariette too.'
>>> [(s.speaker, s.role, s.text) for s in p.turns]  # doctest: +NORMALIZE_WHITESPACE
[('Interviewer', 'interviewer', 'How is Client-1?'),
 ('ES-A', 'ES', 'Client-1 is fine. Mariette too.')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from typing import Any, TypeVar

from mixedwai.errors import OptionError
from mixedwai.qual.transcripts.corpus import Corpus
from mixedwai.qual.transcripts.model import Segment, Transcript

__all__ = ["pseudonymise"]

T = TypeVar("T", Transcript, Corpus)

# Whole words: letters joined by a hyphen or an apostrophe are one word ("Marie-Claire",
# "O'Brien"), so "Marie" or "Brien" alone do not match inside them. Two exceptions
# keep the usual cases working: a French elision before the name ("d'Anne", "qu'Anne")
# and an English clitic after it ("Marie's", "Marie'll").
_HYPHENS = "\\-\u2010\u2011"
_APOSTROPHES = "'\u2019"
_ELISIONS = ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu")
_WORD_START = (
    rf"(?<!\w)(?<!\w[{_HYPHENS}])"
    rf"(?:(?<!\w[{_APOSTROPHES}])|"
    + "|".join(rf"(?<=\b(?i:{e})[{_APOSTROPHES}])" for e in _ELISIONS)
    + ")"
)
_WORD_END = (
    rf"(?!\w)(?![{_HYPHENS}]\w)(?![{_APOSTROPHES}](?!(?:s|d|ll|re|ve|m)\b)\w)"
)


def pseudonymise(
    data: T,
    mapping: Mapping[str, str],
    *,
    whole_words: bool = True,
    case_insensitive: bool = True,
) -> T:
    """Replace names in a transcript or a corpus, keeping offsets exact.

    Parameters
    ----------
    data : Transcript or Corpus
        What to pseudonymise (not modified: a new object is returned).
    mapping : mapping of str to str
        Name -> replacement. Longer names are matched first.
    whole_words : bool, default=True
        Match names only when not inside a longer word; letters joined by a hyphen
        or an apostrophe count as one word (``Marie`` leaves ``Marie-Claire`` and
        ``Brien`` leaves ``O'Brien`` alone), except after a French elision
        (``d'Anne``, ``qu'Anne``) and before an English clitic (``Marie's``,
        ``Marie'll``), where the name is replaced.
    case_insensitive : bool, default=True
        ``Marie`` also matches ``MARIE`` and ``marie``.

    Returns
    -------
    Transcript or Corpus
        Same type as ``data``, with replaced text, speaker labels, roles that
        were the label itself, string metadata and notes, and recomputed
        offsets. A corpus keeps its errors and order.

    Raises
    ------
    OptionError
        ``mapping`` is empty, has an empty name, a replacement that is not
        text, or two names that are equal when case is ignored but map to
        different replacements; or ``data`` is neither a Transcript nor a Corpus.

    Notes
    -----
    A match that would straddle a turn boundary is left alone (a name cannot
    sensibly span the end of one turn and the start of the next); each turn's new
    offsets are its old ones shifted by the length changes of the replacements
    before them. Paragraphs and sentences are recomputed from the new text.
    """
    replacer = _Replacer(mapping, whole_words=whole_words, case_insensitive=case_insensitive)
    if isinstance(data, Transcript):
        return replacer.transcript(data)
    if isinstance(data, Corpus):
        return Corpus(  # type: ignore[return-value]
            [replacer.transcript(t) for t in data],
            errors=list(data.errors),
            notes=[replacer.text(n) for n in data.corpus_notes],
        )
    raise OptionError(
        f"pseudonymise() takes a Transcript or a Corpus; got {type(data).__name__}"
    )


class _Replacer:
    def __init__(
        self, mapping: Mapping[str, str], *, whole_words: bool, case_insensitive: bool
    ) -> None:
        if not isinstance(mapping, Mapping) or not mapping:
            raise OptionError(
                "mapping must be a non-empty mapping of names to replacements, e.g. "
                "{'Marie': 'ES-A'}"
            )
        lookup: dict[str, str] = {}
        for name, replacement in mapping.items():
            if not isinstance(name, str) or not name.strip():
                raise OptionError(f"mapping: name {name!r} is not a non-empty text")
            if not isinstance(replacement, str):
                raise OptionError(
                    f"mapping: replacement of {name!r} must be a text; got {replacement!r}"
                )
            key = name.casefold() if case_insensitive else name
            if key in lookup and lookup[key] != replacement:
                raise OptionError(
                    f"mapping: {name!r} and another name are the same when case is ignored "
                    f"but map to {lookup[key]!r} and {replacement!r}"
                )
            lookup[key] = replacement
        names = sorted(mapping, key=lambda n: (-len(n), n))
        alternation = "|".join(re.escape(n) for n in names)
        pattern = (
            f"{_WORD_START}(?:{alternation}){_WORD_END}" if whole_words else f"(?:{alternation})"
        )
        self._regex = re.compile(pattern, re.IGNORECASE if case_insensitive else 0)
        self._lookup = lookup
        self._fold = case_insensitive

    def _replacement(self, match: re.Match[str]) -> str:
        found = match.group(0)
        return self._lookup[found.casefold() if self._fold else found]

    def text(self, value: str) -> str:
        return self._regex.sub(self._replacement, value)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.value(k): self.value(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        return value

    def transcript(self, transcript: Transcript) -> Transcript:
        text = transcript.text
        cuts = sorted({p for t in transcript.turns for p in (t.start, t.end)})
        pieces: list[str] = []
        old_ends: list[int] = []
        deltas: list[int] = []  # cumulative length change after each replacement
        delta = 0
        position = 0
        for match in self._regex.finditer(text):
            # a name never straddles a turn boundary (it would break the turns' offsets)
            k = bisect.bisect_right(cuts, match.start())
            if k < len(cuts) and cuts[k] < match.end():
                continue
            replacement = self._replacement(match)
            pieces.append(text[position : match.start()])
            pieces.append(replacement)
            position = match.end()
            delta += len(replacement) - (match.end() - match.start())
            old_ends.append(match.end())
            deltas.append(delta)
        pieces.append(text[position:])
        new_text = "".join(pieces)

        def shift(position: int) -> int:
            # replacements never straddle a cut, so a turn boundary is never inside one
            k = bisect.bisect_right(old_ends, position) - 1
            return position + (deltas[k] if k >= 0 else 0)

        turns = []
        for turn in transcript.turns:
            start, end = shift(turn.start), shift(turn.end)
            speaker = self.text(turn.speaker)
            role = speaker if turn.role == turn.speaker else turn.role
            turns.append(
                Segment(
                    turn.id, turn.doc_id, "turn", speaker, role, start, end,
                    new_text[start:end], turn.turn, turn.timestamp, turn.end_timestamp,
                )
            )
        return Transcript(
            doc_id=transcript.doc_id, path=transcript.path, case_id=transcript.case_id,
            es_id=transcript.es_id, interview=transcript.interview,
            language=transcript.language, metadata=self.value(transcript.metadata),
            text=new_text, turns=turns, encoding=transcript.encoding,
            paragraph_break=transcript.paragraph_break,
            notes=[self.text(n) for n in transcript.notes],
        )
