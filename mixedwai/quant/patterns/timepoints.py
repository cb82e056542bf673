"""The time columns of case- and cluster-by-time tables.

Helpers shared by the pattern, profile and outcome modules: find the ``t1..tN``
columns in time order, read them as finite numbers (listing every bad cell), and
show a label in a message without numpy's wrapper.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from mixedwai._validation import raise_problems
from mixedwai.errors import ColumnError, DataValueError

__all__ = ["show", "time_columns"]

_TIME_COLUMN = re.compile(r"t(\d+)")


def time_columns(frame: pd.DataFrame, *, min_times: int = 1) -> list[str]:
    """The time columns of a case- or cluster-by-time table, in time order.

    Columns named ``t<k>`` (``t1``, ``t2`` ...) are taken in the order of ``k``;
    other columns (``mean``, ``pattern`` ...) are ignored. A table with no
    ``t<k>`` column uses all its columns in their order.

    Raises
    ------
    ColumnError
        Fewer than ``min_times`` time columns.

    Examples
    --------
    >>> import pandas as pd
    >>> time_columns(pd.DataFrame(columns=["mean", "t10", "t2", "t1"]))
    ['t1', 't2', 't10']
    """
    named = [c for c in frame.columns if isinstance(c, str) and _TIME_COLUMN.fullmatch(c)]
    columns = sorted(named, key=lambda c: int(c[1:])) if named else list(frame.columns)
    if len(columns) < min_times:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "(none)"
        raise ColumnError(
            f"expected at least {min_times} time columns t1..tN; found columns: {found}"
        )
    return columns


def _numeric_times(frame: pd.DataFrame, columns: list[str], *, what: str) -> np.ndarray:
    """The time columns as a float array; raise listing every non-finite cell."""
    problems: list[str] = []
    values = np.empty((len(frame), len(columns)))
    for j, column in enumerate(columns):
        converted = pd.to_numeric(frame[column], errors="coerce")
        values[:, j] = converted.to_numpy(dtype=float, na_value=np.nan)
        for pos in np.flatnonzero(~np.isfinite(values[:, j])):  # only the bad cells
            problems.append(f"{what} {show(frame.index[pos])}, column {column!r}: "
                            f"{show(frame[column].iloc[pos])}")
    raise_problems(DataValueError, f"{what} means must be finite numbers", problems)
    return values


def show(value: object) -> str:
    """``repr`` of a label for messages, without numpy's ``np.int64(...)`` wrapper.

    Examples
    --------
    >>> import numpy as np
    >>> show(np.int64(3)), show("SHA")
    ('3', "'SHA'")
    """
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)
