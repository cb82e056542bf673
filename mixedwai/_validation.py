"""The one place that checks columns, options and ids, and formats messages.

Row numbers in messages are spreadsheet row numbers: the header is row 1, so
the first data row is row 2 (``frame index + 2`` for a freshly read table).
The source name comes from ``frame.attrs["source"]`` (set by
:func:`mixedwai.io.read_table`) or defaults to ``"input table"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mixedwai import limits
from mixedwai.errors import ColumnError, MixedWAIError, OptionError

if TYPE_CHECKING:
    import pandas as pd

#: How many offending rows a message lists before it says "... and N more".
MAX_LISTED = 25


def source_name(frame: pd.DataFrame, default: str = "input table") -> str:
    """The name of the file a frame was read from, for messages."""
    return str(frame.attrs.get("source", default))


def row_number(position: int) -> int:
    """Spreadsheet row number of the ``position``-th data row (0-based)."""
    return int(position) + 2


def format_problems(problems: Sequence[str], *, cap: int = MAX_LISTED) -> str:
    """Join problem lines, listing at most ``cap`` and counting the rest.

    Examples
    --------
    >>> print(format_problems(["a", "b", "c"], cap=2))
      - a
      - b
      ... and 1 more
    """
    lines = [f"  - {p}" for p in problems[:cap]]
    if len(problems) > cap:
        lines.append(f"  ... and {len(problems) - cap} more")
    return "\n".join(lines)


def raise_problems(
    error: type[MixedWAIError], header: str, problems: Sequence[str], *, cap: int = MAX_LISTED
) -> None:
    """Raise ``error`` listing every problem (up to ``cap``) under ``header``."""
    if problems:
        raise error(f"{header} ({len(problems)} found):\n{format_problems(problems, cap=cap)}")


def require_columns(
    frame: pd.DataFrame, columns: Iterable[str], *, what: str = "column", hint: str = ""
) -> None:
    """Raise :class:`ColumnError` naming every required column that is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"case_id": []}), ["case_id", "session"])
    Traceback (most recent call last):
    ...
    mixedwai.errors.ColumnError: input table: missing column 'session'; found columns: 'case_id'
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "(none)"
        names = ", ".join(repr(c) for c in missing)
        plural = "s" if len(missing) > 1 else ""
        message = f"{source_name(frame)}: missing {what}{plural} {names}; found columns: {found}"
        if hint:
            message += f". {hint}"
        raise ColumnError(message)


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise :class:`OptionError`.

    Examples
    --------
    >>> check_choice("scores", "direct", ["direct", "deviation"])
    'direct'
    >>> check_choice("scores", "raw", ["direct", "deviation"])
    Traceback (most recent call last):
    ...
    mixedwai.errors.OptionError: scores = 'raw' is not allowed; expected one of 'direct', ...
    """
    options = list(choices)
    if value not in options:
        expected = ", ".join(repr(c) for c in options)
        raise OptionError(f"{name} = {value!r} is not allowed; expected one of {expected}")
    return value


def check_range(
    name: str,
    value: float,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    limit: str | None = None,
) -> float:
    """Check a numeric option lies in ``[low, high]`` (and is an integer if asked).

    ``limit`` names a constant of :mod:`mixedwai.limits` that is the upper bound (read
    when the check runs); the message then names the limit and how to raise it.

    Examples
    --------
    >>> check_range("min_share", 0.1, low=0, high=0.5)
    0.1
    >>> check_range("n_sessions", 1, low=2, integer=True)
    Traceback (most recent call last):
    ...
    mixedwai.errors.OptionError: n_sessions = 1 is not allowed; expected an integer >= 2
    >>> check_range("n_boot", 10**9, low=0, integer=True, limit="MAX_N_BOOT")
    Traceback (most recent call last):
    ...
    mixedwai.errors.OptionError: n_boot = 1000000000 is not allowed; ... <= 10000 (limit ...
    """
    if limit is not None:
        high = limits.limit(limit)
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and integer:
        ok = float(value).is_integer()
    if ok and low is not None:
        ok = value >= low
    if ok and high is not None:
        ok = value <= high
    if not ok:
        kind = "an integer" if integer else "a number"
        bounds = []
        if low is not None:
            bounds.append(f">= {low}")
        if high is not None:
            bounds.append(f"<= {high}")
        message = f"{name} = {value!r} is not allowed; expected {kind} {' and '.join(bounds)}"
        if limit is not None:
            message += f" ({limits.limit_hint(limit)})"
        raise OptionError(message.rstrip())
    return value


def check_scale(scale: Any, name: str = "scale") -> tuple[float, float]:
    """A measure's scale as ``(low, high)`` floats: two finite numbers, low below high.

    Examples
    --------
    >>> check_scale([0, 63])
    (0.0, 63.0)
    >>> check_scale((7, 1))
    Traceback (most recent call last):
    ...
    mixedwai.errors.OptionError: scale = (7, 1) is not allowed; expected low < high
    """
    import math

    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise OptionError(f"{name} = {scale!r} is not allowed; expected (low, high)") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise OptionError(f"{name} = {scale!r} is not allowed; expected low < high")
    return (low, high)
