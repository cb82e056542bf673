"""Character positions in REFI-QDA plain texts: the counting conventions and their mapping.

A REFI selection gives ``startPosition`` and ``endPosition``: zero-based,
end-exclusive character positions in the source's plain text. The standard
counts Unicode code points, but programs differ: some (NVivo, ATLAS.ti on
Windows) count UTF-16 code units, so that an emoji counts twice; some count the
byte-order mark at the start of the file; some count a Windows line end
(CR LF) as one character. A :class:`Convention` names one way of counting and a
:class:`PositionMap` turns positions counted that way into offsets in the text as
mixedwai's loaders read it (byte-order mark removed, every line end a single
``"\\n"``).

:func:`detect_convention` tries each convention that can make a difference for
the text and keeps the one under which most selections start and end on word
boundaries (as a person selects), preferring the standard when several tie.

Examples
--------
>>> raw = "\\ufeffHi 😀 you\\r\\nthere"
>>> text = normalise_text(raw)
>>> text
'Hi 😀 you\\nthere'
>>> utf16 = PositionMap(raw, Convention("utf16", bom=False, crlf=True))
>>> start, end = utf16.to_offsets([6], [9])
>>> text[start[0]:end[0]]
'you'
>>> detect_convention(raw, [(0, 2), (6, 9), (11, 16)]).convention.describe()
'UTF-16 code units, byte-order mark not counted, CR LF counted as two'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

__all__ = [
    "STANDARD",
    "Convention",
    "Detection",
    "PositionMap",
    "detect_convention",
    "from_offsets",
    "normalise_text",
]

Counting = Literal["codepoint", "utf16"]


@dataclass(frozen=True)
class Convention:
    """A way of counting character positions in a plain text.

    Attributes
    ----------
    counting : {"codepoint", "utf16"}
        Unicode code points (the standard) or UTF-16 code units (a character
        outside the Basic Multilingual Plane, such as most emoji, counts twice).
    bom : bool
        A byte-order mark at the start of the file counts as one position.
    crlf : bool
        A CR LF line end counts as two positions (as in the file); False: as one.
    """

    counting: Counting = "codepoint"
    bom: bool = False
    crlf: bool = True

    def describe(self) -> str:
        """The convention in words, as reports print it."""
        unit = "code points" if self.counting == "codepoint" else "UTF-16 code units"
        bom = "byte-order mark counted" if self.bom else "byte-order mark not counted"
        crlf = "CR LF counted as two" if self.crlf else "CR LF counted as one"
        return f"{unit}, {bom}, {crlf}"


#: The standard's counting: code points of the file as written, no byte-order mark.
STANDARD = Convention()


def normalise_text(raw: str) -> str:
    """The text as mixedwai's loaders read it: no byte-order mark, ``\\n`` line ends."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _codepoints(raw: str) -> np.ndarray:
    return np.frombuffer(raw.encode("utf-32-le", "surrogatepass"), dtype="<u4")


class PositionMap:
    """Maps positions counted under a :class:`Convention` to offsets in the loader's text.

    Parameters
    ----------
    raw : str
        The plain text as decoded from the file (byte-order mark and CR LF kept).
    convention : Convention
    """

    def __init__(self, raw: str, convention: Convention) -> None:
        self.convention = convention
        cps = _codepoints(raw)
        n = len(cps)
        width = np.ones(n, dtype=np.int64)
        kept = np.ones(n, dtype=np.int64)  # 1 when the character stays in the loader's text
        if n and cps[0] == 0xFEFF:
            kept[0] = 0
            width[0] = 1 if convention.bom else 0
        if n > 1:
            crlf = np.flatnonzero((cps[:-1] == 0x0D) & (cps[1:] == 0x0A))
            kept[crlf] = 0
            if not convention.crlf:
                width[crlf] = 0
        if convention.counting == "utf16":
            width[cps > 0xFFFF] = 2
        self.units = np.concatenate([[0], np.cumsum(width)])  # units before each boundary
        self.offsets = np.concatenate([[0], np.cumsum(kept)])  # text offset of each boundary
        #: The length of the text in this convention's units.
        self.length = int(self.units[-1])

    def to_offsets(
        self, starts: Sequence[int] | np.ndarray, ends: Sequence[int] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Offsets in the loader's text of selections given in this convention.

        Returns
        -------
        start, end : numpy.ndarray of int64
            ``-1`` where a position is outside the text or falls inside a
            character (between the two UTF-16 units of an emoji).
        """
        return self._map(np.asarray(starts, dtype=np.int64)), self._map(
            np.asarray(ends, dtype=np.int64)
        )

    def _map(self, positions: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.units, positions, side="left")
        inside = index < len(self.units)
        safe = np.where(inside, index, 0)
        valid = inside & (self.units[safe] == positions) & (positions >= 0)
        return np.where(valid, self.offsets[safe], -1)


def from_offsets(
    text: str, offsets: Sequence[int] | np.ndarray, *, counting: Counting = "codepoint"
) -> np.ndarray:
    """Positions to write for offsets of ``text`` (a text with ``\\n`` line ends, no BOM).

    ``"codepoint"`` returns the offsets; ``"utf16"`` adds one for every character
    outside the Basic Multilingual Plane before each offset.

    Examples
    --------
    >>> from_offsets("😀 ok", [2, 4], counting="utf16").tolist()
    [3, 5]
    """
    offsets = np.asarray(offsets, dtype=np.int64)
    if counting == "codepoint":
        return offsets
    cps = _codepoints(text)
    extra = np.concatenate([[0], np.cumsum(cps > 0xFFFF)])
    return offsets + extra[offsets]


@dataclass(frozen=True)
class Detection:
    """What :func:`detect_convention` found for one text.

    Attributes
    ----------
    convention : Convention
        The convention kept.
    starts, ends : numpy.ndarray
        The selections' offsets in the loader's text under it (-1: does not map).
    on_boundaries : numpy.ndarray of bool
        Whether each mapped selection starts and ends on word boundaries.
    scores : dict
        Convention -> number of selections on word boundaries (all conventions tried).
    """

    convention: Convention
    starts: np.ndarray
    ends: np.ndarray
    on_boundaries: np.ndarray
    scores: dict[Convention, int] = field(default_factory=dict)


def _candidates(raw: str) -> list[Convention]:
    countings: list[Counting] = ["codepoint"]
    if any(ord(ch) > 0xFFFF for ch in raw):
        countings.append("utf16")
    boms = [False, True] if raw.startswith("\ufeff") else [False]
    crlfs = [True, False] if "\r\n" in raw else [True]
    return [Convention(c, b, r) for c in countings for b in boms for r in crlfs]


def _on_boundaries(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """True where ``text[start:end]`` is non-empty and cuts no word in two."""
    n = len(text)
    result = np.zeros(len(starts), dtype=bool)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        if s < 0 or e < 0 or not s < e <= n:
            continue
        if 0 < s < n and text[s - 1].isalnum() and text[s].isalnum():
            continue
        if 0 < e < n and text[e - 1].isalnum() and text[e].isalnum():
            continue
        result[i] = True
    return result


def detect_convention(
    raw: str, selections: Sequence[tuple[int, int]], *, prefer: Convention = STANDARD
) -> Detection:
    """Find how a text's selections were counted.

    Parameters
    ----------
    raw : str
        The plain text as decoded from the file (byte-order mark and CR LF kept).
    selections : sequence of (int, int)
        The selections' ``startPosition`` and ``endPosition``.
    prefer : Convention, default=STANDARD
        Kept when it does as well as any other (the standard, unless the caller
        knows better).

    Returns
    -------
    Detection
        The convention under which most selections map onto the text and start
        and end on word boundaries; ties go to ``prefer``, then to the order code
        points before UTF-16, BOM not counted before counted, CR LF as two before one.
    """
    text = normalise_text(raw)
    starts = np.asarray([s for s, _ in selections], dtype=np.int64)
    ends = np.asarray([e for _, e in selections], dtype=np.int64)
    candidates = _candidates(raw)
    if prefer in candidates:
        candidates.remove(prefer)
    candidates.insert(0, prefer)
    best: Detection | None = None
    scores: dict[Convention, int] = {}
    for convention in candidates:
        mapped_starts, mapped_ends = PositionMap(raw, convention).to_offsets(starts, ends)
        good = _on_boundaries(text, mapped_starts, mapped_ends)
        scores[convention] = int(good.sum())
        if best is None or scores[convention] > int(best.on_boundaries.sum()):
            best = Detection(convention, mapped_starts, mapped_ends, good)
        if len(selections) == 0:
            break
    assert best is not None  # at least one candidate
    return Detection(best.convention, best.starts, best.ends, best.on_boundaries, scores)
