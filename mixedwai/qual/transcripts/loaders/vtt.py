"""WebVTT transcripts (``.vtt``), as Zoom and Microsoft Teams export them.

A WebVTT file (W3C WebVTT, https://www.w3.org/TR/webvtt1/) starts with
``WEBVTT``; blocks separated by blank lines are cues, ``NOTE`` comments,
``STYLE`` or ``REGION`` blocks. A cue has an optional identifier line, a timing
line ``00:01:02.500 --> 00:01:05.000`` (hours optional: ``01:02.500``; settings
after the end time are ignored) and its text. The speaker is given by

* a voice tag ``<v Marie Tremblay>text</v>`` (Teams), or
* a ``Name: text`` prefix (Zoom), accepted with the rules of
  :mod:`mixedwai.qual.transcripts.loaders.labels` (a name that recurs, a declared speaker or
  an alias).

A cue without a speaker continues the turn above. Consecutive cues of the same
speaker are merged into one turn, which keeps the first cue's start time
(``timestamp``) and the last cue's end time (``end_timestamp``). Other tags
(``<c.yellow>``, ``<i>``, ``<b>``, ``<00:01:02.000>`` timestamps inside a cue)
are removed and character references (``&amp;``) decoded.

The transcript's text is built as one ``Speaker: text`` line for each turn's
first cue and one line for each further cue of that turn (a cue's own line
breaks become spaces), so the text reads like a ``.txt`` transcript and every
turn's offsets slice it.

Metadata: ``Key: value`` lines of the header (after ``WEBVTT``) and of ``NOTE``
blocks before the first cue (``NOTE case_id: ES11_C4``), e.g. ``Language: fr``.

Examples
--------
>>> raw = parse_vtt(
...     "WEBVTT\\n\\n1\\n00:00:01.000 --> 00:00:03.500\\n<v Julie>Bonjour Marie.</v>\\n\\n"
...     "00:00:04.000 --> 00:00:06.000\\n<v Marie>Bonjour,\\n\\n00:00:06.000 --> 00:00:08.000\\n"
...     "<v Marie>ça va.</v>\\n", source="a.vtt")
>>> raw.text
'Julie: Bonjour Marie.\\nMarie: Bonjour,\\nça va.'
>>> [(t.speaker, raw.text[t.start:t.end], t.timestamp, t.end_timestamp) for t in raw.turns]
[('Julie', 'Bonjour Marie.', 1.0, 3.5), ('Marie', 'Bonjour,\\nça va.', 4.0, 8.0)]
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from mixedwai.errors import TranscriptError
from mixedwai.io import read_text
from mixedwai.qual.transcripts.loaders.frontmatter import meta_get, parse_pairs
from mixedwai.qual.transcripts.loaders.labels import (
    EXPECTED_FORMATS,
    LabelCandidate,
    accept_labels,
    parse_line,
)
from mixedwai.qual.transcripts.loaders.raw import RawTranscript, RawTurn
from mixedwai.qual.transcripts.loaders.speaker_roles import declared_speakers

__all__ = ["load_vtt", "parse_vtt"]

_VTT_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_VTT_TIME})\s*-->\s*(?P<end>{_VTT_TIME})(?:\s.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)*(?:[ \t]+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Part:
    """Text of one cue (or of one voice inside a cue)."""

    start: float
    end: float
    speaker: str | None  # from a voice tag
    text: str
    line: int


def load_vtt(
    path: str | os.PathLike[str],
    *,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> RawTranscript:
    """Read a ``.vtt`` transcript (see the module notes).

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.
    TranscriptError
        Empty file, no ``WEBVTT`` header, malformed cue timings (all listed), or no turn.
    """
    path = Path(path)
    raw, encoding = read_text(path)
    return parse_vtt(
        raw, source=str(path), speakers=speakers, default_speaker=default_speaker,
        encoding=encoding,
    )


def parse_vtt(
    raw: str,
    *,
    source: str = "<vtt>",
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
    encoding: str = "utf-8",
) -> RawTranscript:
    """Parse the decoded contents of a WebVTT file (see :func:`load_vtt`)."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    if not raw.strip():
        raise TranscriptError(f"{source}: empty file; expected a WebVTT file starting with WEBVTT")
    lines = raw.split("\n")
    first = lines[0].strip()
    if not (first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t"))):
        raise TranscriptError(
            f"{source}: not a WebVTT file: its first line must be 'WEBVTT'; found {first[:40]!r}"
        )
    metadata: dict[str, object] = {}
    parts, problems, seen_cue = [], [], False
    for number, block in _blocks(lines):
        head = block[0].strip()
        if number == 1:  # the header block: WEBVTT and optional "Key: value" lines
            metadata.update(parse_pairs("\n".join(block[1:])))
            continue
        if head == "NOTE" or head.startswith(("NOTE ", "NOTE\t")):
            if not seen_cue:
                metadata.update(parse_pairs("\n".join([head[4:], *block[1:]])))
            continue
        if head in ("STYLE", "REGION"):
            continue
        timing_index = 0 if "-->" in block[0] else 1
        if timing_index >= len(block) or "-->" not in block[timing_index]:
            problems.append(f"line {number}: a block with no cue timing ('{head[:40]}')")
            continue
        timing = _TIMING.match(block[timing_index])
        if timing is None:
            problems.append(
                f"line {number + timing_index}: cue timing {block[timing_index].strip()[:60]!r} "
                "is not 'hh:mm:ss.ttt --> hh:mm:ss.ttt'"
            )
            continue
        seen_cue = True
        start, end = _seconds(timing["start"]), _seconds(timing["end"])
        payload = " ".join(line.strip() for line in block[timing_index + 1 :] if line.strip())
        parts.extend(_voices(payload, start, end, number + timing_index + 1))
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise TranscriptError(f"{source}: malformed WebVTT ({len(problems)} found):\n{listing}")
    if not parts:
        raise TranscriptError(f"{source}: the WebVTT file holds no cue with text")
    declared = declared_speakers(
        meta_get(metadata, "speakers"), source=source, where="metadata key 'speakers'"
    )
    declared.update(declared_speakers(speakers, source=source, where="argument speakers"))
    if default_speaker is None:
        value = meta_get(metadata, "default_speaker")
        default_speaker = str(value).strip() if value is not None else None
    return _build(parts, metadata, declared, default_speaker, source, encoding)


def _build(
    parts: list[_Part],
    metadata: dict[str, object],
    declared: dict[str, str],
    default_speaker: str | None,
    source: str,
    encoding: str,
) -> RawTranscript:
    candidates: list[LabelCandidate | None] = [
        None if part.speaker is not None else _prefix(part.text) for part in parts
    ]
    accepted, refused, _single = accept_labels(candidates, declared)
    if not any(p.speaker for p in parts) and not any(accepted) and default_speaker:
        parts = [
            _Part(p.start, p.end, default_speaker if i == 0 else None, p.text, p.line)
            for i, p in enumerate(parts)
        ]
    notes = []
    for i in refused:
        candidate = candidates[i]
        if candidate is not None:
            notes.append(
                f"line {parts[i].line}: '{candidate.label}' looks like a speaker name but "
                "occurs once and is not declared, so it is kept as cue text"
            )
    text = _TextBuilder()
    turns: list[RawTurn] = []
    current: _OpenTurn | None = None
    for part, candidate, ok in zip(parts, candidates, accepted, strict=True):
        speaker, speech = part.speaker, part.text
        if speaker is None and ok and candidate is not None:
            speaker, speech = candidate.label, part.text[candidate.speech :].strip()
        if not speech:
            continue
        if speaker is None or (current is not None and speaker == current.speaker):
            text.line(speech)  # a continuation line (or a line before the first turn)
            if current is not None:
                current.end, current.end_timestamp = text.length, part.end
            continue
        if current is not None:
            turns.append(current.close())
        start = text.line(speech, prefix=f"{speaker}: ")
        current = _OpenTurn(speaker, start, text.length, part.start, part.end)
    if current is not None:
        turns.append(current.close())
    if not turns:
        raise TranscriptError(f"{source}: no speaker turn found; {EXPECTED_FORMATS}")
    return RawTranscript(
        text=text.value(), turns=turns, metadata=metadata, speakers=declared, notes=notes,
        paragraph_break="blank_line", encoding=encoding,
    )


class _TextBuilder:
    """Accumulates lines and knows the offset where each line's speech starts."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0

    def line(self, speech: str, *, prefix: str = "") -> int:
        if self.pieces:
            self._add("\n")
        self._add(prefix)
        start = self.length
        self._add(speech)
        return start

    def _add(self, piece: str) -> None:
        self.pieces.append(piece)
        self.length += len(piece)

    def value(self) -> str:
        return "".join(self.pieces)


@dataclass(slots=True)
class _OpenTurn:
    speaker: str
    start: int
    end: int
    timestamp: float
    end_timestamp: float

    def close(self) -> RawTurn:
        return RawTurn(self.speaker, self.start, self.end, self.timestamp, self.end_timestamp)


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines with the 1-based number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _seconds(value: str) -> float:
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _clean(text: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def _voices(payload: str, start: float, end: float, line: int) -> list[_Part]:
    """Split a cue's text at its voice tags."""
    matches = list(_VOICE.finditer(payload))
    if not matches:
        text = _clean(payload)
        return [_Part(start, end, None, text, line)] if text else []
    parts = []
    before = _clean(payload[: matches[0].start()])
    if before:
        parts.append(_Part(start, end, None, before, line))
    for i, match in enumerate(matches):
        stop = matches[i + 1].start() if i + 1 < len(matches) else len(payload)
        name = " ".join((match.group("name") or "").split()) or None
        text = _clean(payload[match.end() : stop])
        if text:
            parts.append(_Part(start, end, name, text, line))
    return parts


def _prefix(text: str) -> LabelCandidate | None:
    """A ``Name:`` prefix (Zoom); other label forms do not occur in cues."""
    candidate = parse_line(text)
    if candidate is None or candidate.form != "plain" or candidate.speech >= len(text):
        return None
    return candidate
