"""Regular expressions written by users, checked for catastrophic backtracking.

Codebook ``REGEX`` token patterns and the ``--case-pattern`` option are regular
expressions typed by users. Python's ``re`` backtracks: ``^(a+)+$`` takes exponential time
on a token of thirty ``a`` followed by ``!``, and a coding run would never end. Before such
a pattern is used, :func:`regex_problem` parses it (with ``re``'s own parser, so it sees
exactly what ``re`` will run) and refuses the shapes that backtrack exponentially:

* a repeated group that holds another quantifier: ``(a+)+``, ``(a*)*``, ``(\\w+\\s?)*``;
* a repeated alternation whose branches can start with the same character, or match
  nothing: ``(a|a)*``, ``(a|ab)+``, ``(x|)*``.

The check is conservative (a few harmless patterns, such as ``(?:ab+c)+``, are refused
too; a group repeated at most ten times, ``(?:a{1,3}){2}``, may hold bounded
quantifiers); the message says how to rewrite the pattern: without the nesting, or with a
possessive quantifier or an atomic group (``(?>...)``, Python 3.11+), which never
backtrack. Patterns longer than ``MAX_REGEX_LENGTH`` are refused as well.
"""

from __future__ import annotations

import re
from typing import Any

from mixedwai.limits import limit, limit_hint

try:  # Python 3.11+: re's own parser, the one re.compile uses
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

__all__ = ["regex_problem"]

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_NO_BACKTRACK = {getattr(sre_constants, name) for name in ("POSSESSIVE_REPEAT", "ATOMIC_GROUP")
                 if hasattr(sre_constants, name)}
_ANY = None  # a first-character set that may hold any character
_NESTED = ("a repeated group holds another quantifier, like (a+)+ or (a*)*, which "
           "backtracks exponentially on a near miss")
_OVERLAP = ("a repeated alternation has branches that can match the same text, like (a|a)* "
            "or (a|ab)+, which backtracks exponentially on a near miss")
_ADVICE = ("; rewrite it without a quantifier inside a repeated group (e.g. '^a+$' for "
           "'^(a+)+$'), or make the inner part possessive ('a++') or atomic ('(?>a+)')")


def regex_problem(pattern: str, *, flags: int = 0) -> str | None:
    """Why ``pattern`` may not be used (too long, invalid, or backtracking), else None.

    Parameters
    ----------
    pattern : str
        The regular expression.
    flags : int, default=0
        ``re`` flags it will be compiled with (``re.IGNORECASE`` matters for overlaps).

    Returns
    -------
    str or None
        A sentence naming the problem and how to fix it, without the pattern itself
        (the caller says where the pattern comes from).

    Examples
    --------
    >>> regex_problem(r"^(a+)+$")[:60]
    'a repeated group holds another quantifier, like (a+)+ or (a*'
    >>> regex_problem(r"(a|a)*")[:40]
    'a repeated alternation has branches that'
    >>> regex_problem(r"^([0-9]+|dix|onze)(-.*)?$") is None
    True
    >>> regex_problem(r"ES(?P<es>\\d+)_C(?P<client>\\d+)") is None
    True
    """
    longest = limit("MAX_REGEX_LENGTH")
    if len(pattern) > longest:
        return (f"{len(pattern)} characters is longer than a regular expression may be "
                f"({longest}); {limit_hint('MAX_REGEX_LENGTH')}")
    try:
        parsed = sre_parse.parse(pattern, flags)
    except re.error as exc:
        return f"not a valid regular expression ({exc})"
    fold = bool((flags | parsed.state.flags) & re.IGNORECASE)
    found = _danger(list(parsed), fold)
    return found + _ADVICE if found else None


def _repeated(av: Any) -> bool:
    return av[1] == sre_constants.MAXREPEAT or av[1] > 1


def _children(op: Any, av: Any) -> list[list[Any]]:
    """The sub-pattern lists directly inside one node."""
    if op in _REPEATS:
        return [list(av[2])]
    if op is sre_constants.SUBPATTERN:
        return [list(av[-1])]
    if op is sre_constants.BRANCH:
        return [list(b) for b in av[1]]
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [list(av[1])]
    if op is sre_constants.GROUPREF_EXISTS:
        return [list(b) for b in av[1:] if b is not None]
    return []


def _danger(items: list[Any], fold: bool) -> str | None:
    for op, av in items:
        if op in _NO_BACKTRACK:
            continue
        if op in _REPEATS and _repeated(av):
            body = list(av[2])
            # a few repetitions of bounded parts ((?:a{1,3}){2}) cannot explode
            few = av[1] != sre_constants.MAXREPEAT and av[1] <= 10
            if _has_repeat(body, unbounded_only=few):
                return _NESTED
            if _has_overlap(body, fold):
                return _OVERLAP
        for child in _children(op, av):
            found = _danger(child, fold)
            if found:
                return found
    return None


def _has_repeat(items: list[Any], *, unbounded_only: bool = False) -> bool:
    for op, av in items:
        if op in _NO_BACKTRACK:
            continue
        if op in _REPEATS and _repeated(av) and (
                not unbounded_only or av[1] == sre_constants.MAXREPEAT):
            return True
        if any(_has_repeat(child, unbounded_only=unbounded_only)
               for child in _children(op, av)):
            return True
    return False


def _has_overlap(items: list[Any], fold: bool) -> bool:
    for op, av in items:
        if op in _NO_BACKTRACK:
            continue
        if op is sre_constants.BRANCH:
            firsts = [_first(list(branch), fold) for branch in av[1]]
            for i, a in enumerate(firsts):
                for b in firsts[i + 1:]:
                    if a is _ANY or b is _ANY or a & b or not a or not b:
                        return True
        if any(_has_overlap(child, fold) for child in _children(op, av)):
            return True
    return False


def _first(items: list[Any], fold: bool) -> set[str] | None:
    """Characters a match of ``items`` can start with (None: any; empty set: matches '')."""
    if not items:
        return set()
    op, av = items[0]
    if op is sre_constants.LITERAL:
        char = chr(av)
        return {char.casefold()} if fold else {char}
    if op is sre_constants.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre_constants.LITERAL:
                chars.add(chr(value).casefold() if fold else chr(value))
            elif kind is sre_constants.RANGE and value[1] - value[0] <= 256:
                chars.update(chr(c).casefold() if fold else chr(c)
                             for c in range(value[0], value[1] + 1))
            else:
                return _ANY
        return chars
    if op is sre_constants.SUBPATTERN:
        inner = _first(list(av[-1]), fold)
        if inner is not _ANY and not inner:  # an empty group: look past it
            return _first(items[1:], fold)
        return inner
    if op in _REPEATS and av[0] >= 1:
        return _first(list(av[2]), fold)
    if op is sre_constants.AT:
        return _first(items[1:], fold)
    return _ANY
