"""Bounds on everything a user controls: the one home of every limit.

A typo in a data file (a date typed as a session number), a hostile file (a YAML alias
bomb, a zip bomb renamed ``.docx``) or an option typed with one zero too many must end in
a clear error, not in hours of work or gigabytes of memory. Each limit below is a
constant; the functions that enforce it read it when they run, through :func:`limit`, so
a limit can be raised

* for one call, with the function's parameter where it has one (``read_sessions(...,
  max_session=50_000)``);
* for a Python session, by setting the constant: ``mixedwai.limits.MAX_SESSION = 50_000``;
* for a command, with an environment variable named ``MIXEDWAI_`` + the constant's name:
  ``MIXEDWAI_MAX_SESSION=50000 mixedwai run study``.

Every error a limit raises names the limit, its value and these ways to raise it
(:func:`limit_hint`). The limits and their defaults are listed in ``docs/safety.md``.

Examples
--------
>>> from mixedwai.limits import limit
>>> limit("MAX_SESSION")
10000
>>> print(limit_hint("MAX_SESSION"))  # doctest: +NORMALIZE_WHITESPACE
limit MAX_SESSION = 10000; raise it with mixedwai.limits.MAX_SESSION = ...
or the environment variable MIXEDWAI_MAX_SESSION
"""

from __future__ import annotations

import os

from mixedwai.errors import OptionError

__all__ = [
    "MAX_DAYS",
    "MAX_DOCX_PARAGRAPHS",
    "MAX_DOCX_RATIO",
    "MAX_DOCX_UNCOMPRESSED",
    "MAX_N_BOOT",
    "MAX_K",
    "MAX_REGEX_LENGTH",
    "MAX_SESSION",
    "MAX_THEMES",
    "MAX_TIE_SEEDS",
    "MAX_TRANSCRIPT_BYTES",
    "MAX_YAML_BYTES",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "limit",
    "limit_hint",
]

#: Largest session number (in absolute value). The case x time matrix spans the session
#: numbers, so a date typed as a session (20210504) would cost gigabytes.
MAX_SESSION = 10_000

#: Largest number of days to the outcome: 1e300 days would give means of inf.
MAX_DAYS = 36_525

#: Largest YAML file (study.yaml, codebook, instrument, meta-inferences, theme review,
#: transcript front matter), in bytes.
MAX_YAML_BYTES = 16 * 1024 * 1024
#: Deepest nesting of mappings and lists in a YAML document.
MAX_YAML_DEPTH = 64
#: Most values in a YAML document once its aliases (``*name``) are expanded: a few lines of
#: nested aliases (a "billion laughs") would otherwise expand to billions of values.
MAX_YAML_NODES = 1_000_000

#: Largest text transcript (``.txt``, ``.md``, ``.vtt``), in bytes: about 100 hours of speech.
MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024

#: Largest total uncompressed size of a ``.docx`` (all its zip members), in bytes, checked
#: from the zip's directory before anything is decompressed.
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
#: Largest ratio of uncompressed to compressed size of a ``.docx`` member larger than 1 MB
#: (Word's XML compresses about 5-20 times; a zip bomb thousands of times).
MAX_DOCX_RATIO = 200
#: Most paragraphs in a ``.docx`` transcript.
MAX_DOCX_PARAGRAPHS = 200_000

#: Longest regular expression (codebook ``REGEX`` patterns, ``--case-pattern``), in characters.
MAX_REGEX_LENGTH = 1_000

#: Most seeds of the tie-sensitivity analysis (``tie_seeds``, ``--tie-seeds``).
MAX_TIE_SEEDS = 1_000
#: Most bootstrap replicates of the stability analysis (``n_boot``, ``--n-boot``).
MAX_N_BOOT = 10_000
#: Largest number of clusters considered (``max_k``, ``--max-k``).
MAX_K = 50
#: Largest number of themes tried (``max_themes``, ``--max-themes``).
MAX_THEMES = 100

_PREFIX = "MIXEDWAI_"


def limit(name: str) -> int:
    """The value of the limit ``name`` now: its environment variable, else the constant.

    Parameters
    ----------
    name : str
        A constant of this module, such as ``"MAX_SESSION"``.

    Returns
    -------
    int

    Raises
    ------
    OptionError
        The environment variable ``MIXEDWAI_<name>`` is set but is not a positive
        whole number.

    Examples
    --------
    >>> limit("MAX_YAML_DEPTH")
    64
    """
    value = globals()[name]
    raw = os.environ.get(_PREFIX + name)
    if raw is None or not raw.strip():
        return int(value)
    text = raw.strip().replace("_", "")
    if not text.isdigit() or int(text) < 1:
        raise OptionError(
            f"environment variable {_PREFIX + name} = {raw!r} is not allowed; expected a "
            f"positive whole number (the default is {value})"
        )
    return int(text)


def limit_hint(name: str, *, parameter: str | None = None) -> str:
    """The words that name a limit and say how to raise it, for error messages.

    Parameters
    ----------
    name : str
        A constant of this module.
    parameter : str, optional
        The function parameter that raises it for one call (``"max_session="``).

    Examples
    --------
    >>> print(limit_hint("MAX_SESSION", parameter="max_session="))
    ... # doctest: +NORMALIZE_WHITESPACE
    limit MAX_SESSION = 10000; raise it with max_session=, mixedwai.limits.MAX_SESSION = ...
    or the environment variable MIXEDWAI_MAX_SESSION
    """
    via = f"{parameter}, " if parameter else ""
    return (
        f"limit {name} = {limit(name)}; raise it with {via}mixedwai.limits.{name} = ... "
        f"or the environment variable {_PREFIX + name}"
    )
