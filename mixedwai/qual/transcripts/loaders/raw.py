"""What a loader returns: the text, the turns' offsets and the metadata found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["RawTranscript", "RawTurn"]


@dataclass(frozen=True, slots=True)
class RawTurn:
    """A speaker turn found by a loader: ``text[start:end]`` is the speech."""

    speaker: str
    start: int
    end: int
    timestamp: float | None = None
    end_timestamp: float | None = None


@dataclass(frozen=True)
class RawTranscript:
    """A file as read by a loader, before ids and roles are resolved.

    Attributes
    ----------
    text : str
        The transcript text (front matter removed, line ends normalised).
    turns : list of RawTurn
        Turns in text order.
    metadata : dict
        Front matter, document properties or WebVTT header/NOTE keys.
    speakers : dict
        Declared speakers, label as written -> role (front matter merged with
        the caller's ``speakers``).
    notes : list of str
        Things the reader should know (labels not taken as speakers ...).
    paragraph_break : {"blank_line", "line"}
        What separates paragraphs inside a turn.
    encoding : str
        How the file was decoded.
    """

    text: str
    turns: list[RawTurn]
    metadata: dict[str, Any] = field(default_factory=dict)
    speakers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    paragraph_break: Literal["blank_line", "line"] = "blank_line"
    encoding: str = "utf-8"
