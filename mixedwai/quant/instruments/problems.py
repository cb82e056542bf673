"""Problem lists of instrument validation: key paths, YAML line numbers, messages.

A problem is a ``(key path, message)`` pair; these helpers format a list of them
as one message, giving the line of each key when the parsed YAML document is
known. Shared by the model (:mod:`mixedwai.quant.instruments.model`) and the
loader (:mod:`mixedwai.quant.instruments.loading`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Loc = tuple[Any, ...]


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and out and not out.endswith("labels"):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(root: Any, loc: Loc) -> int | None:
    line = None
    node = root
    for part in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        if isinstance(node, Mapping):
            key = part if part in node else next((k for k in node if str(k) == str(part)), None)
            if key is None:
                break
            try:
                line = lc.key(key)[0] + 1
            except (KeyError, TypeError):  # pragma: no cover - ruamel bookkeeping
                break
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            try:
                line = lc.item(part)[0] + 1
            except (KeyError, TypeError):  # pragma: no cover
                break
            node = node[part]
        else:
            break
    return line


def _format_lines(problems: list[tuple[Loc, str]], root: Any = None) -> str:
    lines = []
    for loc, message in problems:
        where = _path(loc)
        line = _line_of(root, loc) if (root is not None and loc) else None
        prefix = where + (f" (line {line})" if line else "")
        lines.append(f"  - {prefix}: {message}" if prefix else f"  - {message}")
    return "\n".join(lines)


def _format_problems(label: str, problems: list[tuple[Loc, str]], *, root: Any = None) -> str:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    return f"{label}: {count} {noun}:\n{_format_lines(problems, root)}"
