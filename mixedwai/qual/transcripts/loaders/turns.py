"""Cut a text into speaker turns from its labelled lines (shared by .txt/.md and .docx).

A turn starts at an accepted label (:func:`~mixedwai.qual.transcripts.loaders.labels.accept_labels`)
and runs to the next one: continuation lines and paragraphs belong to the turn
above. Its span is the speech without the label, with surrounding white space
removed. Text before the first label (a title, a header) stays in the
transcript's text but is no turn. A label with no speech after it makes no turn
(this is noted).

Examples
--------
>>> from mixedwai.qual.transcripts.loaders.labels import parse_line
>>> text = "Title\\nMarie: Hello.\\nStill me.\\nPaul: Hi."
>>> lines = split_lines(text)
>>> turns, notes = assemble_turns(text, lines, declared={})
>>> [(t.speaker, text[t.start:t.end]) for t in turns]
[('Marie', 'Hello.\\nStill me.'), ('Paul', 'Hi.')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mixedwai.qual.transcripts.loaders.labels import LabelCandidate, accept_labels, parse_line
from mixedwai.qual.transcripts.loaders.raw import RawTurn

__all__ = ["Line", "assemble_turns", "split_lines"]


@dataclass(frozen=True, slots=True)
class Line:
    """A line (or a Word paragraph) of the text: ``text[start:end]``."""

    start: int
    end: int
    number: int
    candidate: LabelCandidate | None


def split_lines(text: str, *, first_number: int = 1) -> list[Line]:
    """Split ``text`` at ``\\n`` into :class:`Line` objects with label candidates."""
    lines: list[Line] = []
    start = 0
    number = first_number
    length = len(text)
    while start <= length:
        end = text.find("\n", start)
        if end == -1:
            end = length
        content = text[start:end]
        candidate = parse_line(content) if content.strip() else None
        lines.append(Line(start, end, number, candidate))
        start = end + 1
        number += 1
    return lines


def assemble_turns(
    text: str,
    lines: Sequence[Line],
    *,
    declared: Mapping[str, str],
    default_speaker: str | None = None,
    unit: str = "line",
) -> tuple[list[RawTurn], list[str]]:
    """Turns of ``text`` from its labelled ``lines``.

    Parameters
    ----------
    text : str
        The text the lines point into.
    lines : sequence of Line
        Its lines, in order, with their label candidates.
    declared : mapping
        Declared speakers, label -> role.
    default_speaker : str, optional
        When no line opens a turn, the whole text is one turn of this speaker.
    unit : str, default="line"
        What a line is called in notes (``"paragraph"`` for Word documents).

    Returns
    -------
    turns : list of RawTurn
    notes : list of str
        Labels refused because they occur once; labels with no speech.
    """
    accepted, refused, single = accept_labels([line.candidate for line in lines], declared)
    notes: list[str] = []
    seen: set[str] = set()
    for index in sorted(refused + single):
        candidate = lines[index].candidate
        if candidate is None or candidate.label in seen:
            continue
        seen.add(candidate.label)
        if index in refused:
            notes.append(
                f"{unit} {lines[index].number}: '{candidate.label}' looks like a speaker label "
                "but occurs once and is not among the declared speakers, so it is kept as "
                "speech of the turn above; add it under 'speakers:' if it is a speaker"
            )
        else:
            notes.append(
                f"{unit} {lines[index].number}: '{candidate.label}' speaks only once; it is "
                "taken as a speaker (declare 'speakers:' in the metadata to fix the list)"
            )
    starts = [i for i, ok in enumerate(accepted) if ok]
    turns: list[RawTurn] = []
    for position, index in enumerate(starts):
        line = lines[index]
        candidate = line.candidate
        assert candidate is not None  # accepted lines have a candidate
        region_start = line.start + candidate.speech
        region_end = lines[starts[position + 1]].start if position + 1 < len(starts) else len(text)
        start, end = _strip(text, region_start, region_end)
        if start == end:
            notes.append(
                f"{unit} {line.number}: speaker '{candidate.label}' has no speech; no turn made"
            )
            continue
        turns.append(
            RawTurn(candidate.label, start, end, candidate.timestamp, candidate.end_timestamp)
        )
    if not starts and default_speaker:
        start, end = _strip(text, 0, len(text))
        if end > start:
            turns.append(RawTurn(default_speaker, start, end))
    return turns, notes


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
