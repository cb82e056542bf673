"""An edited codebook document as text: the original file with the new lines spliced in.

Helpers of :func:`mixedwai.qual.themes.promote.promote_themes`. ruamel.yaml dumps the
edited round-trip document in the indentation the file uses
(:func:`_guess_style`); the lines the edit adds are then inserted into the file's
own text (:func:`_splice`), so that everything else stays byte for byte as the
researcher wrote it (:func:`_render`), and Windows line ends and a byte order
mark are put back (:func:`_restore`).
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Any

from mixedwai.errors import CodebookError, MixedWAIWarning

#: (mapping, sequence, offset) indentations tried after the one read from the file.
_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 4, 0), (4, 6, 4), (4, 8, 4), (2, 4, 0), (3, 3, 0))

_KEY_ONLY = re.compile(r"^( *)[^\s#\-][^#]*:\s*(#.*)?$")
_DASH = re.compile(r"^( *)-( +)\S")
_KEY = re.compile(r"^( *)[^\s#\-][^:#]*:(\s|$)")


def _read_style(text: str) -> tuple[int, int, int] | None:
    """The (mapping, sequence, offset) indentation of the file, read from its first
    nested mapping and its first block sequence under a key."""
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    mapping = sequence = offset = None
    for above, line in zip(lines, lines[1:], strict=False):
        key = _KEY_ONLY.match(above)
        if key is None:
            continue
        parent = len(key.group(1))
        dash = _DASH.match(line)
        if dash and sequence is None and len(dash.group(1)) >= parent:
            offset = len(dash.group(1)) - parent
            sequence = offset + 1 + len(dash.group(2))
        nested = _KEY.match(line)
        if nested and mapping is None and len(nested.group(1)) > parent:
            mapping = len(nested.group(1)) - parent
        if mapping is not None and sequence is not None:
            break
    if sequence is None:
        return None
    return (mapping or 2, sequence, offset or 0)


def _yaml(style: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    mapping, sequence, offset = style
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.width = 4096  # never re-wrap a line the user wrote
    return yaml


def _dump(doc: Any, style: tuple[int, int, int]) -> str:
    buffer = io.StringIO()
    _yaml(style).dump(doc, buffer)
    return buffer.getvalue()


def _lead(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _same_layout(dumped: str, text: str) -> bool:
    a, b = dumped.split("\n"), _with_final_newline(text).split("\n")
    return len(a) == len(b) and all(_lead(x) == _lead(y) for x, y in zip(a, b, strict=True))


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _guess_style(doc: Any, text: str) -> tuple[tuple[int, int, int] | None, str | None]:
    """The indentation with which ruamel.yaml lays the document out as the file does.

    Returns the style ``(mapping, sequence, offset)`` and the dump of ``doc`` in it,
    or ``(None, None)`` when no style reproduces the file's line layout.
    """
    read = _read_style(text)
    candidates = [read, *_STYLES] if read is not None else list(_STYLES)
    for style in dict.fromkeys(candidates):
        if style[2] > style[1] - 2:
            continue  # ruamel needs room for "- " between the offset and the item
        try:
            dumped = _dump(doc, style)
        except Exception:  # an indentation ruamel refuses
            continue
        if _same_layout(dumped, text):
            return style, dumped
    # A file ruamel.yaml does not lay out line for line (a flow list written over
    # several lines, a long plain scalar wrapped by hand): the style whose dump shares
    # the most lines with the file. _splice aligns the two texts, and _render keeps a
    # spliced text only if it parses to the edited document.
    best: tuple[int, tuple[int, int, int] | None, str | None] = (0, None, None)
    original = _with_final_newline(text).split("\n")
    for style in dict.fromkeys(candidates):
        if style[2] > style[1] - 2:
            continue
        try:
            dumped = _dump(doc, style)
        except Exception:  # an indentation ruamel refuses
            continue
        shared = _shared_lines(dumped.split("\n"), original)
        if shared > best[0]:
            best = (shared, style, dumped)
    if best[1] is not None and best[0] * 2 >= len(original):
        return best[1], best[2]
    return None, None


def _shared_lines(a: list[str], b: list[str]) -> int:
    from difflib import SequenceMatcher

    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks)


def _line_in_file(base: list[str], original: list[str], position: int) -> int | None:
    """The line of the file that line ``position`` of the dump stands for (None: unsure).

    Identity when the dump has the file's lines; otherwise the two are aligned
    (difflib): a position in a run of equal lines, or in a changed run of the same
    length, maps line for line; the start of a run maps to the start of its
    counterpart (so an insertion after a list the file wrapped over several lines
    goes after all of them).
    """
    if len(base) == len(original):
        return position
    from difflib import SequenceMatcher

    opcodes = SequenceMatcher(None, base, original, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if position == i1:
            return j1
        if i1 < position < i2:
            if tag == "equal" or i2 - i1 == j2 - j1:
                return j1 + position - i1
            return None
    return len(original) if position == len(base) else None


def _render(
    doc: Any, text: str, style: tuple[int, int, int] | None, baseline: str | None, source: Path
) -> str:
    """The edited document as text: the original with the new lines spliced in.

    ``baseline`` is the dump of the document before the edit, in ``style``; the
    lines the edit adds to it are inserted into the original text at the same place
    (before the blank lines that end the block, when that means the same YAML). A
    spliced text is used only if it parses to exactly the edited document.
    """
    from mixedwai.qual.codebook.yaml_source import parse_document, to_plain

    wanted = to_plain(doc)[0]
    if style is not None and baseline is not None:
        for candidate in _splice(text, baseline, _dump(doc, style)):
            try:
                same = to_plain(parse_document(candidate, source=str(source)))[0] == wanted
            except CodebookError:
                same = False
            if same:
                return candidate
    warnings.warn(
        f"{source}: ruamel.yaml could not reproduce the file's layout exactly; it is "
        "rewritten in a normalised layout (comments and key order are kept)",
        MixedWAIWarning,
        stacklevel=3,
    )
    return _dump(doc, style or (2, 4, 2))


def _splice(text: str, baseline: str, new: str) -> list[str]:
    """``text`` with the lines ``new`` adds to ``baseline`` inserted (empty if not a pure insert).

    Two placements at most: above the blank lines that precede the insertion point
    in ``text`` (keeps a blank line between blocks where the file had one), then
    exactly where ruamel.yaml put the lines.
    """
    ended = text.endswith("\n")
    original = _with_final_newline(text).split("\n")
    base, after = baseline.split("\n"), new.split("\n")
    added = len(after) - len(base)
    if added <= 0:
        return []
    prefix = 0
    while prefix < len(base) and base[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < len(base) and base[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    position = max(len(base) - suffix, 0)
    if position > prefix:
        return []
    if after[:position] != base[:position] or after[position + added :] != base[position:]:
        return []
    block = after[position : position + added]
    in_file = _line_in_file(base, original, position)
    if in_file is None:
        return []
    raised = in_file
    while raised > 0 and not original[raised - 1].strip():
        raised -= 1
    out = []
    for at in dict.fromkeys([raised, in_file]):
        result = "\n".join(original[:at] + block + original[at:])
        if not ended and at < len(original) - 1:
            result = result[:-1]  # the file had no final newline; it still has none
        out.append(result)
    return out


def _restore(text: str, raw: bytes, encoding: str) -> str:
    """Put back the file's Windows line ends and byte order mark."""
    if b"\r\n" in raw:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if encoding == "utf-8-sig":
        text = "\ufeff" + text
    return text
