"""YAML front matter and ``key: value`` metadata.

A transcript may open with a block of YAML between two ``---`` lines (the block
may also close with ``...``), as Markdown tools write it::

    ---
    case_id: ES#11_C4
    interview: 2
    language: fr
    speakers: {Marie: ES, Intervieweuse: interviewer}
    ---
    Intervieweuse: Bonjour ...

The block is read with ``yaml.safe_load`` (no arbitrary tags). In a Word
document the same block can be typed as the first paragraphs.

Examples
--------
>>> meta, first = split_front_matter(["---", "case_id: ES11_C4", "---", "ES: hi"], source="a.txt")
>>> meta, first
({'case_id': 'ES11_C4'}, 3)
>>> parse_pairs("case_id: ES11_C4; interview=2")
{'case_id': 'ES11_C4', 'interview': '2'}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from mixedwai._yaml import check_yaml
from mixedwai.errors import TranscriptError

__all__ = ["meta_get", "normalise_key", "parse_pairs", "split_front_matter"]

_PAIR = re.compile(r"^\s*(?P<key>[A-Za-z_][\w .-]{0,40}?)\s*[:=]\s*(?P<value>.*?)\s*$")


def split_front_matter(
    lines: Sequence[str], *, source: str, unit: str = "line"
) -> tuple[dict[str, Any], int]:
    """Read a leading ``---`` YAML block from ``lines``.

    Parameters
    ----------
    lines : sequence of str
        The file's lines (or a document's paragraphs).
    source : str
        File name for messages.
    unit : str, default="line"
        What an element of ``lines`` is called in messages (``"paragraph"``).

    Returns
    -------
    metadata : dict
        The block's mapping (empty without a block).
    first : int
        Index of the first element after the block (0 without a block).

    Raises
    ------
    TranscriptError
        The block is not closed, is not valid YAML (the message gives the
        file's line) or is not a mapping.
    """
    opening = 0
    while opening < len(lines) and not lines[opening].strip():
        opening += 1
    if opening >= len(lines) or lines[opening].strip() != "---":
        return {}, 0
    closing = next(
        (i for i in range(opening + 1, len(lines)) if lines[i].strip() in ("---", "...")), None
    )
    if closing is None:
        raise TranscriptError(
            f"{source}: the front matter opened by '---' on {unit} {opening + 1} is not closed; "
            "expected a second '---' line after the metadata"
        )
    block = "\n".join(lines[opening + 1 : closing])
    check_yaml(block, source=f"{source}: front matter", error=TranscriptError,
               first_line=opening + 2, unit=unit)
    try:
        data = yaml.safe_load(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{unit} {opening + 2 + mark.line}" if mark is not None else f"{unit} {opening + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise TranscriptError(
            f"{source}: front matter is not valid YAML at {where}: {problem}; expected "
            "'key: value' lines such as 'case_id: ES11_C4'"
        ) from exc
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise TranscriptError(
            f"{source}: front matter ({unit}s {opening + 1}-{closing + 1}) must be 'key: value' "
            f"lines; got a {type(data).__name__}"
        )
    return {str(k): v for k, v in data.items()}, closing + 1


def parse_pairs(text: str) -> dict[str, str]:
    """Read ``key: value`` or ``key=value`` pairs separated by new lines or ``;``.

    Used for Word document properties (comments, keywords), where a YAML block
    would be awkward to type. Parts that are not pairs are ignored.
    """
    result: dict[str, str] = {}
    for part in re.split(r"[;\n]", text):
        match = _PAIR.match(part)
        if match is not None and match.group("value"):
            result[match.group("key").strip()] = match.group("value")
    return result


def normalise_key(key: str) -> str:
    """``"Case ID"`` -> ``"case_id"``: lower case, blanks and hyphens as underscores."""
    return re.sub(r"[\s-]+", "_", str(key).strip()).casefold()


def meta_get(metadata: Mapping[str, Any], *names: str) -> Any:
    """The first value of ``metadata`` whose normalised key is one of ``names``."""
    keyed = {normalise_key(k): v for k, v in metadata.items()}
    for name in names:
        value = keyed.get(name)
        if value is not None and value != "":
            return value
    return None
