"""Reading codebook YAML with the line of every key, and round-trip editing.

The codebook models live in :mod:`mixedwai.qual.codebook.loading`; this module only knows
YAML. It parses with ruamel.yaml's round-trip loader, which builds plain mappings,
sequences and scalars and never constructs Python objects from tags (a
``!!python/object`` tag yields a tagged mapping, not an object). Tagged values are
refused anyway, so a codebook is always plain YAML.

The round-trip document (:func:`load_codebook_document`) keeps comments, key order
and quoting, so a program can add codes to a researcher's file without rewriting it
(:func:`dump_codebook_document`).
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError

from mixedwai._validation import raise_problems
from mixedwai._yaml import check_yaml
from mixedwai.errors import CodebookError, InputFileError

__all__ = [
    "KeyPath",
    "YamlProblem",
    "dump_codebook_document",
    "duplicate_id_problems",
    "format_key_path",
    "line_of",
    "load_codebook_document",
    "parse_document",
    "raise_located",
    "raw_scalar_text",
    "to_plain",
    "translate_validation_error",
]

#: A location inside the YAML tree: keys (str) and list positions (int).
KeyPath = tuple[Hashable, ...]
#: One problem found while reading: (key path, 1-based line or None, message).
YamlProblem = tuple[KeyPath, "int | None", str]

_STR_TAG = "tag:yaml.org,2002:str"
#: Aliases listed one by one in messages; the rest are counted.
_MAX_ALIASES_SHOWN = 5


def _yaml():  # -> ruamel.yaml.YAML
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    # The shipped codebooks are written in this style; a round trip of them is byte-identical.
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap a long definition the user wrote on one line
    yaml.allow_duplicate_keys = False
    # write [{LOWER: a}] back as written, not as [LOWER: a]
    yaml.brace_single_entry_mapping_in_flow_sequence = True
    return yaml


def format_key_path(path: KeyPath) -> str:
    """Write a key path the way messages show it.

    Examples
    --------
    >>> format_key_path(("categories", 1, "codes", 2, "id"))
    'categories[1].codes[2].id'
    >>> format_key_path(())
    '(top level)'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def parse_document(text: str, *, source: str) -> Any:
    """Parse YAML text with the round-trip loader; syntax errors become CodebookError.

    Parameters
    ----------
    text : str
        The YAML source.
    source : str
        File name (or ``<string>``) used in messages.

    Returns
    -------
    ruamel.yaml.comments.CommentedMap or other node
        The round-trip document (``None`` for an empty document).

    Raises
    ------
    CodebookError
        A YAML syntax error or a duplicated key, with its line; a document beyond
        the YAML limits (:func:`mixedwai._yaml.check_yaml`).
    """
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    check_yaml(text, source=source, error=CodebookError, refuses_aliases=True)
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise CodebookError(f"{source}{where}: invalid YAML: {what}") from exc
    except YAMLError as exc:
        raise CodebookError(f"{source}: invalid YAML: {exc}") from exc


def _tag_of(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    return value if isinstance(value, str) else None


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def to_plain(
    doc: Any,
) -> tuple[Any, dict[KeyPath, int], list[YamlProblem]]:
    """Convert a round-trip document to plain Python, recording every key's line.

    Parameters
    ----------
    doc : object
        A node returned by :func:`parse_document`.

    Returns
    -------
    data : object
        Plain ``dict`` / ``list`` / ``str`` / ``int`` / ``float`` / ``bool`` / ``None``.
    lines : dict
        Key path -> 1-based line of that key (mapping entries) or item (list entries).
    problems : list of (path, line, message)
        Values that are not plain YAML: explicit tags (``!!python/...``, ``!custom``),
        binary data, and anchors (``&name``) and aliases (``*name``). ``!!str`` is
        accepted and gives a string.

    Notes
    -----
    Aliases are refused rather than expanded: a few lines of nested aliases (the
    "billion laughs" shape) would otherwise expand to billions of values. The
    loader shares aliased nodes without copying them, and this walk never enters
    an alias, so such a document costs time in proportion to its length.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

    lines: dict[KeyPath, int] = {(): 1}
    problems: list[YamlProblem] = []
    anchored: set[int] = set()
    aliases: list[KeyPath] = []

    def alias_line(path: KeyPath) -> int | None:
        # ruamel gives an alias list item the line of its anchor; the line of the
        # list's key is nearer the truth when it comes later
        return max(filter(None, (lines.get(path), lines.get(path[:-1]))), default=None)

    def refuse(path: KeyPath, tag: str) -> None:
        problems.append(
            (
                path,
                lines.get(path),
                f"the YAML tag {_short_tag(tag)!r} is not allowed: a codebook is plain YAML "
                "(mappings, lists, strings, numbers)",
            )
        )

    def walk(node: Any, path: KeyPath) -> Any:
        anchor = getattr(getattr(node, "anchor", None), "value", None)
        if anchor is not None:
            if id(node) in anchored:
                aliases.append(path)
                if len(aliases) <= _MAX_ALIASES_SHOWN:
                    problems.append(
                        (path, alias_line(path), f"the YAML alias '*{anchor}' is not allowed: "
                         "anchors and aliases are refused; write the value out in full")
                    )
                return None  # never expanded
            anchored.add(id(node))
            problems.append(
                (path, lines.get(path), f"the YAML anchor '&{anchor}' is not allowed: "
                 "anchors and aliases are refused; write the value out in full")
            )
        if isinstance(node, TaggedScalar):
            tag = _tag_of(node)
            if tag == _STR_TAG:
                return str(node.value)
            refuse(path, tag or "?")
            return None
        if isinstance(node, CommentedMap):
            tag = _tag_of(node)
            if tag is not None and tag != "tag:yaml.org,2002:map":
                refuse(path, tag)
                return None
        if isinstance(node, Mapping):
            out: dict[Any, Any] = {}
            for key in node:
                name = str(key) if isinstance(key, (str, int, float, bool)) else key
                position = _position(node, "key", key)
                if position is not None:
                    lines[(*path, name)] = position
                out[name] = walk(node[key], (*path, name))
            return out
        if isinstance(node, CommentedSeq):
            tag = _tag_of(node)
            if tag is not None and tag != "tag:yaml.org,2002:seq":
                refuse(path, tag)
                return None
        if isinstance(node, (list, tuple)):
            items = []
            for i, item in enumerate(node):
                position = _position(node, "item", i)
                if position is not None:
                    lines[(*path, i)] = position
                items.append(walk(item, (*path, i)))
            return items
        if isinstance(node, bool) or node is None:
            return node
        if isinstance(node, str):
            return str(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, (bytes, bytearray)):
            refuse(path, "tag:yaml.org,2002:binary")
            return None
        return node  # dates and the like: the models report them as wrong types

    data = walk(doc, ())
    if len(aliases) > _MAX_ALIASES_SHOWN:
        first = aliases[_MAX_ALIASES_SHOWN]
        problems.append(
            (first, alias_line(first), f"... and {len(aliases) - _MAX_ALIASES_SHOWN} more YAML "
             "alias(es), from here on")
        )
    return data, lines, problems


def _position(node: Any, kind: str, key: Any) -> int | None:
    """1-based line of a key or item, or None for nodes added by a program."""
    lc = getattr(node, "lc", None)
    try:
        line, _col = getattr(lc, kind)(key)
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    return int(line) + 1


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return line
    return None


def raw_scalar_text(doc: Any, key: str, text: str) -> str | None:
    """The source text of the scalar value of top-level ``key`` (e.g. ``1.10`` as written).

    Used so that ``version: 1.10`` (a float to YAML) keeps its trailing zero.

    Examples
    --------
    >>> doc = parse_document("version: 1.10  # note\\n", source="x")
    >>> raw_scalar_text(doc, "version", "version: 1.10  # note\\n")
    '1.10'
    """
    try:
        line, col = doc.lc.value(key)
        row = text.splitlines()[line]
    except (AttributeError, KeyError, IndexError, TypeError):
        return None
    token = row[col:].split("#", 1)[0].strip()
    return token or None


def load_codebook_document(path: str | os.PathLike[str]) -> Any:
    """Load a codebook file as a round-trip YAML document (comments and order kept).

    For programs that edit a researcher's codebook (e.g. promoting inductive themes):
    change the returned mapping in place, then :func:`dump_codebook_document`. The
    document is not validated here; validate it with
    :func:`mixedwai.qual.codebook.loading.codebook_from_document`.

    Parameters
    ----------
    path : str or path-like
        The YAML file.

    Returns
    -------
    ruamel.yaml.comments.CommentedMap
        The document.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    CodebookError
        The YAML is invalid or the top level is not a mapping.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.yaml"
    >>> _ = p.write_text("# mine\\nname: Demo  # keep\\nversion: '1'\\n", encoding="utf-8")
    >>> doc = load_codebook_document(p)
    >>> doc["version"] = "2"
    >>> dump_codebook_document(doc, p)
    >>> print(p.read_text(encoding="utf-8"), end="")
    # mine
    name: Demo  # keep
    version: '2'
    """
    from mixedwai.io import read_text

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: codebook file not found")
    text, _encoding = read_text(path)
    doc = parse_document(text, source=str(path))
    if not isinstance(doc, Mapping):
        raise CodebookError(
            f"{path}: expected a mapping at the top level (name, version, language, "
            f"categories ...), got {type(doc).__name__}"
        )
    return doc


def dump_codebook_document(doc: Any, path: str | os.PathLike[str]) -> None:
    """Write a round-trip document back to ``path`` atomically, in the shipped style.

    Parameters
    ----------
    doc : ruamel.yaml.comments.CommentedMap
        A document from :func:`load_codebook_document` (possibly edited).
    path : str or path-like
        Target file; replaced only once the whole text has been written.
    """
    from mixedwai.io import write_text

    buffer = io.StringIO()
    _yaml().dump(doc, buffer)
    write_text(buffer.getvalue(), path)


# --------------------------------------------------------------------------- problems


def raise_located(where: str, problems: list[YamlProblem]) -> None:
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: (p[1] if p[1] is not None else 0))
    lines = []
    for path, line, message in ordered:
        at = f" (line {line})" if line is not None else ""
        lines.append(f"{format_key_path(path)}{at}: {message}")
    raise_problems(CodebookError, f"{where}: invalid codebook", lines)


def duplicate_id_problems(data: dict[str, Any], lines: dict[KeyPath, int]) -> list[YamlProblem]:
    seen: dict[str, KeyPath] = {}
    problems: list[YamlProblem] = []

    def check(value: Any, path: KeyPath) -> None:
        if not isinstance(value, str):
            return
        if value in seen:
            first = seen[value]
            problems.append(
                (
                    path,
                    lines.get(path),
                    f"{value!r} duplicates {format_key_path(first)} (line {lines.get(first)}); "
                    "code and category ids must be unique in the whole codebook",
                )
            )
        else:
            seen[value] = path

    def visit(codes: Any, path: KeyPath) -> None:
        if not isinstance(codes, list):
            return
        for i, code in enumerate(codes):
            if isinstance(code, dict):
                check(code.get("id"), (*path, i, "id"))
                visit(code.get("codes"), (*path, i, "codes"))

    categories = data.get("categories")
    if isinstance(categories, list):
        for i, cat in enumerate(categories):
            if isinstance(cat, dict):
                check(cat.get("id"), ("categories", i, "id"))
                visit(cat.get("codes"), ("categories", i, "codes"))
    return problems


_MESSAGES = {
    "string_type": "expected a string",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
}


def translate_validation_error(
    exc: ValidationError,
    data: Any,
    lines: dict[KeyPath, int],
    earlier: list[YamlProblem],
    *,
    allowed_keys: Mapping[str, list[str]],
    skip_duplicates: bool,
) -> list[YamlProblem]:
    """pydantic errors -> (key path, line, message), with the loc mapped onto the YAML."""
    refused = [p for p, _line, m in earlier if "YAML tag" in m or "YAML alias" in m]
    out: list[YamlProblem] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        msg = str(err.get("msg", ""))
        if skip_duplicates and kind == "value_error" and "duplicate ids" in msg:
            continue
        path, container = _resolve(err["loc"], data, kind)
        if any(path[: len(r)] == r for r in refused):
            continue  # already reported as a refused tag
        line = line_of(lines, path)
        if kind == "missing":
            parent, key = path[:-1], path[-1]
            out.append((parent, line_of(lines, parent), f"missing required key {key!r}"))
            continue
        if kind == "extra_forbidden":
            key = path[-1]
            allowed = allowed_keys.get(container, [])
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            out.append(
                (path, line, f"unknown key {key!r}{hint} (allowed keys: {', '.join(allowed)})")
            )
            continue
        value = err.get("input")
        if kind in _MESSAGES:
            text = _MESSAGES[kind]
        elif kind == "value_error":
            text = msg.removeprefix("Value error, ")
        else:
            text = msg.replace("Input should be", "expected")
            text = text[:1].lower() + text[1:]
        if kind != "value_error" or "must not be empty" in text:
            text += f", got {_short_repr(value)}"
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "string_type" and number:
            text += f' (write it in quotes: "{value}")'
        out.append((path, line, text))
    return out


def _resolve(loc: tuple[Any, ...], data: Any, kind: str) -> tuple[KeyPath, str]:
    """Keep the parts of a pydantic loc that exist in the data (drops union tags)."""
    path: list[Any] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
        elif last and kind == "missing" and isinstance(current, dict):
            path.append(part)
        # anything else is a union member name pydantic adds to the loc: skip it
    # the container of the last key decides which model's keys are allowed
    names = [p for p in path[:-1] if isinstance(p, str)]
    container = names[-1] if names else ""
    return tuple(path), container


def _short_repr(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
