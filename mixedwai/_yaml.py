"""Safe YAML reading shared by every YAML reader of mixedwai.

Every YAML file mixedwai reads (``study.yaml``, codebooks, instruments, meta-inferences,
the theme review, transcript front matter) goes through :func:`check_yaml` before it is
parsed into objects, whichever parser then reads it (PyYAML's safe loader or ruamel.yaml's
round-trip loader; neither ever constructs Python objects from tags):

* the text is at most ``MAX_YAML_BYTES`` long;
* mappings and lists nest at most ``MAX_YAML_DEPTH`` deep (the parsers' composers recurse,
  so a few thousand ``[`` raise RecursionError);
* the document, with every alias (``*name``) expanded, holds at most ``MAX_YAML_NODES``
  values: a "billion laughs" of ten lines is refused in a moment instead of expanding to
  billions of values in whatever walks the tree afterwards.

The check reads the document as a stream of parser events (no tree is built), so it costs
time and memory in proportion to the text. :func:`read_yaml_text` reads a file as UTF-8 with
a clear error for other encodings; :func:`safe_load` = check + ``yaml.safe_load`` with
errors as mixedwai's own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mixedwai.errors import MixedWAIError
from mixedwai.limits import limit, limit_hint

__all__ = ["check_yaml", "read_yaml_text", "safe_load"]


def read_yaml_text(path: str | os.PathLike[str], *, error: type[MixedWAIError]) -> str:
    """Read a YAML file as UTF-8 (a byte-order mark is dropped), within the size limit.

    Parameters
    ----------
    path : str or path
        The file.
    error : MixedWAIError subclass
        Raised (with the file name) when the file is too large or not UTF-8.

    Returns
    -------
    str

    Examples
    --------
    >>> from mixedwai.errors import StudyConfigError
    >>> read_yaml_text("sample_corpus/study.yaml", error=StudyConfigError)[:5]
    '# The'
    """
    path = Path(path)
    largest = limit("MAX_YAML_BYTES")
    try:
        size = path.stat().st_size
        if size > largest:
            raise error(
                f"{path}: {size} bytes is larger than a YAML file may be ({largest} bytes); "
                f"{limit_hint('MAX_YAML_BYTES')}"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"{path} (line {line}): byte {data[exc.start:exc.start + 1]!r} at offset "
            f"{exc.start} is not UTF-8; expected a UTF-8 text file (save it as UTF-8 in "
            "your editor)"
        ) from exc


def check_yaml(
    text: str, *, source: str, error: type[MixedWAIError], refuses_aliases: bool = False,
    first_line: int = 1, unit: str = "line",
) -> None:
    """Refuse YAML text that is too large, too deep, or whose aliases expand too far.

    Parameters
    ----------
    text : str
        The YAML source.
    source : str
        File name (or ``<string>``) for messages.
    error : MixedWAIError subclass
        The error raised.
    refuses_aliases : bool, default=False
        True for a reader that refuses every alias itself, with the alias's key path,
        and never expands one (codebooks, instruments): aliases are then not counted
        here, so that its own message is the one the user sees.
    first_line : int, default=1
        Number of the text's first line in its file (a front-matter block starts
        below the file's first line), for messages.
    unit : str, default="line"
        What a line is called in messages (``"paragraph"`` in a Word document).

    Raises
    ------
    error
        The text is longer than ``MAX_YAML_BYTES``, nests deeper than
        ``MAX_YAML_DEPTH``, or holds more than ``MAX_YAML_NODES`` values once its
        aliases are expanded; the message gives the line and the limit. Syntax errors
        are left to the parser that reads the text next (it reports them its own way).

    Examples
    --------
    >>> from mixedwai.errors import CodebookError
    >>> check_yaml("a: [1, 2]", source="<string>", error=CodebookError)
    >>> bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\\n" + "".join(
    ...     f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\\n"
    ...     for i in range(8))
    >>> check_yaml(bomb, source="bomb.yaml", error=CodebookError)
    Traceback (most recent call last):
    ...
    mixedwai.errors.CodebookError: bomb.yaml (line 6): the YAML's aliases expand to more than ...
    """
    import yaml

    largest = limit("MAX_YAML_BYTES")
    if len(text) > largest:
        raise error(
            f"{source}: {len(text)} characters is longer than a YAML document may be "
            f"({largest}); {limit_hint('MAX_YAML_BYTES')}"
        )
    max_depth = limit("MAX_YAML_DEPTH")
    max_nodes = limit("MAX_YAML_NODES")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes: dict[str, int] = {}  # anchor -> values in its node, aliases expanded
    open_nodes: list[list[Any]] = []  # [anchor, values so far] per open collection
    total = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                if len(open_nodes) >= max_depth:
                    raise error(
                        f"{source} ({unit} {event.start_mark.line + first_line}): mappings "
                        f"and lists "
                        f"nest more than {max_depth} levels deep; "
                        f"{limit_hint('MAX_YAML_DEPTH')}"
                    )
                open_nodes.append([event.anchor, 1])
                count = 1
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_nodes.pop()
                if anchor is not None:
                    sizes[anchor] = size
                if open_nodes:
                    open_nodes[-1][1] += size
                continue
            elif isinstance(event, yaml.ScalarEvent):
                count = 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                count = 1 if refuses_aliases else sizes.get(event.anchor, 1)
            else:
                continue
            total += count
            if total > max_nodes:
                raise error(
                    f"{source} ({unit} {event.start_mark.line + first_line}): the YAML's "
                    f"aliases expand "
                    f"to more than {max_nodes} values (nested '*name' aliases, a 'billion "
                    f"laughs'?); {limit_hint('MAX_YAML_NODES')}"
                )
            if open_nodes and not isinstance(event, yaml.CollectionStartEvent):
                open_nodes[-1][1] += count
    except yaml.YAMLError:
        return  # a syntax error: the reader's own parser reports it with its line


def safe_load(text: str, *, source: str, error: type[MixedWAIError]) -> Any:
    """:func:`check_yaml`, then ``yaml.safe_load``; YAML errors become ``error``.

    Parameters
    ----------
    text : str
        The YAML source.
    source : str
        File name for messages.
    error : MixedWAIError subclass
        The error raised.

    Returns
    -------
    object
        Plain ``dict`` / ``list`` / scalars (``None`` for an empty document).

    Raises
    ------
    error
        A limit of :func:`check_yaml`, or invalid YAML (with its line and column).

    Examples
    --------
    >>> from mixedwai.errors import StudyConfigError
    >>> safe_load("name: x\\nk: 3", source="<string>", error=StudyConfigError)
    {'name': 'x', 'k': 3}
    >>> safe_load("a: [1", source="s.yaml", error=StudyConfigError)
    Traceback (most recent call last):
    ...
    mixedwai.errors.StudyConfigError: s.yaml (line 1, column 6): not valid YAML: ...
    """
    import yaml

    check_yaml(text, source=source, error=error)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        what = " ".join(
            str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p
        ) or str(exc)
        raise error(f"{source}{where}: not valid YAML: {what}") from exc
