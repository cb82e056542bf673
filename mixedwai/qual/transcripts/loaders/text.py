"""Plain-text and Markdown transcripts (``.txt``, ``.md``).

The file is decoded with :func:`mixedwai.io.read_text` (UTF-8 with or without
BOM, else Windows-1252 with an :class:`~mixedwai.errors.EncodingFallbackWarning`),
an optional YAML front matter block is read and removed, and the rest is cut
into turns at speaker labels (forms and rules in
:mod:`mixedwai.qual.transcripts.loaders.labels`). Paragraphs inside a turn are separated by
blank lines.

Examples
--------
>>> raw = parse_text("---\\ncase_id: ES2_C1\\n---\\nI: How are you?\\nES: Fine.\\n", source="x.txt")
>>> raw.metadata, [(t.speaker, raw.text[t.start:t.end]) for t in raw.turns]
({'case_id': 'ES2_C1'}, [('I', 'How are you?'), ('ES', 'Fine.')])
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mixedwai.errors import TranscriptError
from mixedwai.io import read_text
from mixedwai.qual.transcripts.loaders.frontmatter import meta_get, split_front_matter
from mixedwai.qual.transcripts.loaders.labels import EXPECTED_FORMATS
from mixedwai.qual.transcripts.loaders.raw import RawTranscript
from mixedwai.qual.transcripts.loaders.speaker_roles import declared_speakers
from mixedwai.qual.transcripts.loaders.turns import assemble_turns, split_lines

__all__ = ["load_text", "parse_text"]


def load_text(
    path: str | os.PathLike[str],
    *,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> RawTranscript:
    """Read a ``.txt`` or ``.md`` transcript.

    Parameters
    ----------
    path : str or path
        The file.
    speakers : mapping, optional
        Declared speakers, label -> role (added to the front matter's).
    default_speaker : str, optional
        Speaker of the whole text when no line carries a label.

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.
    TranscriptError
        The file is empty, its front matter is invalid, or it holds no turn.
    """
    path = Path(path)
    raw, encoding = read_text(path)
    return parse_text(
        raw, source=str(path), speakers=speakers, default_speaker=default_speaker,
        encoding=encoding,
    )


def parse_text(
    raw: str,
    *,
    source: str = "<text>",
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
    encoding: str = "utf-8",
) -> RawTranscript:
    """Cut the decoded contents of a text transcript into turns.

    Parameters
    ----------
    raw : str
        The file's text (line ends are normalised to ``\\n`` here too).
    source : str, default="<text>"
        File name for messages.
    speakers, default_speaker
        As in :func:`load_text`.
    encoding : str, default="utf-8"
        Recorded on the result.

    Returns
    -------
    RawTranscript
        ``text`` is ``raw`` without its front matter.
    """
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    if not raw.strip():
        raise TranscriptError(f"{source}: empty file; expected a transcript with speaker turns")
    file_lines = raw.split("\n")
    metadata, first = split_front_matter(file_lines, source=source)
    text = "\n".join(file_lines[first:])
    if not text.strip():
        raise TranscriptError(
            f"{source}: the file holds front matter but no transcript text after it"
        )
    declared = _declared(metadata, speakers, source)
    default_speaker = default_speaker or _default_speaker(metadata, source)
    lines = split_lines(text, first_number=first + 1)
    turns, notes = assemble_turns(text, lines, declared=declared, default_speaker=default_speaker)
    if not turns:
        raise TranscriptError(f"{source}: no speaker turn found; {EXPECTED_FORMATS}")
    return RawTranscript(
        text=text, turns=turns, metadata=metadata, speakers=declared, notes=notes,
        paragraph_break="blank_line", encoding=encoding,
    )


def _declared(
    metadata: Mapping[str, Any], speakers: Mapping[str, str] | None, source: str
) -> dict[str, str]:
    """Front-matter speakers, updated with the caller's (the caller wins)."""
    declared = declared_speakers(
        meta_get(metadata, "speakers"), source=source, where="metadata key 'speakers'"
    )
    declared.update(declared_speakers(speakers, source=source, where="argument speakers"))
    return declared


def _default_speaker(metadata: Mapping[str, Any], source: str) -> str | None:
    value = meta_get(metadata, "default_speaker")
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise TranscriptError(
            f"{source}: metadata key 'default_speaker' must be a speaker label; got {value!r}"
        )
    return str(value).strip() or None
