"""Scoring the Working Alliance Inventory: keyed items, subscale means, global score.

:func:`score_wai` turns item responses (one row per case and session) into the global
alliance score and the subscale scores of an instrument (:mod:`mixedwai.quant.instruments.loading`),
applying its reverse keys and its rule for missing items. The work is vectorised with
numpy, so a million rows take a second or two.

Examples
--------
>>> import pandas as pd
>>> row = {f"wai_{i}": 6 for i in range(1, 13)} | {"wai_4": 1, "wai_10": 1}  # 4, 10 reversed
>>> sessions = pd.DataFrame([{"case_id": "ES1_C1", "session": 1, **row}])
>>> score_wai(sessions)[["case_id", "session", "wai", "goal", "task", "bond", "total"]]
  case_id  session       wai  goal  task  bond  total
0  ES1_C1        1  6.166667   6.5   6.0   6.0   74.0
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import MAX_LISTED, require_columns, row_number, source_name
from mixedwai.errors import (
    ColumnError,
    DataValueError,
    DuplicateRowError,
    MixedWAIWarning,
    ScaleError,
)
from mixedwai.quant.data.sessions import (
    _blank_case_problems,
    _parse_sessions,
    _read_sessions,
    _with_comma,
)
from mixedwai.quant.data.table import _canonical_ids, _frame_of, _Problems, _show, _to_numbers
from mixedwai.quant.instruments.loading import load_instrument
from mixedwai.quant.instruments.model import Instrument

__all__ = ["score_wai"]

_CANONICAL_ID = re.compile(r"ES(\d+)_C(\d+)")


def score_wai(
    sessions: pd.DataFrame | str | os.PathLike[str],
    *,
    instrument: str | os.PathLike[str] | Instrument = "wai-s-es",
    item_columns: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """Score WAI responses: global score, subscale means and total per (case, session).

    Parameters
    ----------
    sessions : DataFrame or path
        Long table with ``case_id``, ``session`` and either the item columns or a
        ready ``wai`` column, as returned by
        :func:`~mixedwai.quant.data.sessions.read_sessions` (a path is read with it).
    instrument : str, path or Instrument, default="wai-s-es"
        The scoring key (see :func:`~mixedwai.quant.instruments.loading.load_instrument`).
    item_columns : mapping of int to str, optional
        Item number -> column, when the columns do not carry the instrument's
        default names (``wai_1`` ... ``wai_12``).

    Returns
    -------
    pandas.DataFrame
        One row per (case, session), sorted by case id (natural order: ``ES3_C2``
        before ``ES11_C1``) then session, with columns:

        - ``case_id``, ``es_id`` (when the input has it), ``session``;
        - ``wai`` : global score, the mean of the answered keyed items (the
          column takes the instrument's ``score_name``: ``bdi`` for
          ``measure_instrument("bdi", ...)``);
        - one column per subscale of the instrument (``goal``, ``task``, ``bond``
          for the WAI forms): mean of its answered keyed items;
        - ``total`` : sum of the keyed items (when prorated: ``wai`` x number of
          items);
        - ``n_items`` : number of items answered (nullable integer; ``<NA>`` when
          a ready score was passed through);
        - ``note`` : ``""`` when every item was answered; otherwise why a score
          is prorated or missing, e.g. ``"goal: 2 of 4 items missing (items 4, 6;
          at most 1 allowed); global score missing"``.

        ``attrs["source"]``, ``attrs["instrument"]`` (its id), ``attrs["score"]``
        (the score column) and ``attrs["scale"]`` (``(min, max)``) are set.

    Raises
    ------
    ColumnError
        ``case_id``/``session`` missing, or only some of the item columns present
        (the missing ones are named), or neither items nor ``wai``.
    ScaleError
        Responses that are not numbers, lie outside the scale, or are not whole
        numbers (unless the instrument has ``integer_items: false``); every
        offending cell is listed: ``sessions.csv row 14 (case ES5_C2, session 2):
        wai_7 = 9 is outside the scale 1..7``.
    DuplicateRowError
        The same (case, session) on more than one row; every group is listed.
    DataValueError
        Blank case ids or session numbers that are not whole numbers. When a
        table has problems of several kinds (say a blank case id, a bad session
        number and an out-of-scale item), one ``DataValueError`` lists them all,
        grouped by kind; with one kind only, the error is that kind's class.

    Notes
    -----
    For each row, item responses :math:`x_i` are keyed: :math:`k_i = x_i` or, for a
    reverse-keyed item, :math:`k_i = \\min + \\max - x_i`. A subscale score is the
    mean of its answered keyed items when at most ``max_missing_per_subscale``
    (1 for the shipped forms) of them are missing (proration), otherwise it is
    missing. The global score is the mean of all answered keyed items when every
    subscale is scorable (``global_rule: all_subscales_scorable``), else missing.
    With no missing item the global score equals the mean of the 12 items and, as
    the three subscales have 4 items each, the mean of the three subscale means.
    ``total`` is the sum of the keyed items (12..84 on the 1..7 forms, the sum the
    reference study also quotes); when items are prorated it is ``wai`` times the
    number of items, i.e. the sum expected had the missing items been answered at
    the row's own mean. Responses must be whole numbers (Likert points) unless
    the instrument says ``integer_items: false``: 3.5, and text with a comma such
    as ``"4,5"`` (a decimal comma, or two answers?), are then listed in the
    ``ScaleError``. With ``integer_items: false``, 3.5 is accepted, and ``"4,5"``
    is read as 4.5 with a :class:`~mixedwai.errors.MixedWAIWarning` listing
    every such cell; it is never read as 45.

    When the input has a ready ``wai`` column and no items, the score is checked
    against the scale and passed through (subscales and ``n_items`` missing;
    ``total = wai`` x number of items).

    Checked against hand-computed worked examples and a plain-Python reference
    implementation (``tests/quant/test_scoring.py``).

    Examples
    --------
    >>> import pandas as pd
    >>> full = {f"wai_{i}": 5 for i in range(1, 13)} | {"wai_4": 3, "wai_10": 3}
    >>> rows = [{"case_id": "ES2_C1", "session": 1, **full},
    ...         {"case_id": "ES2_C1", "session": 2, **full, "wai_6": None},
    ...         {"case_id": "ES2_C1", "session": 3, **full, "wai_6": None, "wai_11": None}]
    >>> scores = score_wai(pd.DataFrame(rows))
    >>> scores[["session", "wai", "goal", "n_items"]]
       session  wai  goal  n_items
    0        1  5.0   5.0       12
    1        2  5.0   5.0       11
    2        3  NaN   NaN       10
    >>> print(scores.loc[2, "note"])
    goal: 2 of 4 items missing (items 6, 11; at most 1 allowed); global score missing
    """
    inst = load_instrument(instrument)
    read = isinstance(sessions, (str, os.PathLike))
    if read:
        raw = _frame_of(sessions)
        problems = _Problems(source_name(raw))
        sessions = _read_sessions(raw, instrument=inst, item_columns=item_columns,
                                  problems=problems)
        item_columns = None
    if not isinstance(sessions, pd.DataFrame):
        raise DataValueError(
            f"sessions = {type(sessions).__name__} is not allowed; expected a DataFrame or a path"
        )
    frame = sessions
    src = source_name(frame)
    if not read:
        problems = _Problems(src)
    require_columns(frame, ["case_id", "session"])

    columns = dict(item_columns) if item_columns is not None else inst.columns
    unknown = [i for i in columns if i not in set(inst.items)]
    if unknown:
        raise ColumnError(
            f"item_columns names item(s) {', '.join(map(str, unknown))} that instrument "
            f"{inst.id!r} does not have; its items are {', '.join(map(str, inst.items))}"
        )
    item_cols = [columns.get(i, inst.columns[i]) for i in inst.items]
    present = [c in frame.columns for c in item_cols]
    if all(present):
        mode = "items"
    elif not any(present) and inst.score_name in frame.columns:
        mode = "score"
    else:
        missing = [c for c, ok in zip(item_cols, present, strict=True) if not ok]
        found = ", ".join(repr(str(c)) for c in frame.columns) or "(none)"
        raise ColumnError(
            f"{src}: missing item column(s) {', '.join(map(repr, missing))} of instrument "
            f"{inst.id!r}; found columns: {found}. Pass item_columns={{item number: column}}, "
            f"or give a ready {inst.score_name!r} column instead of items"
        )

    case_ids = _canonical_ids(frame["case_id"].reset_index(drop=True))
    sessions_column = frame["session"].reset_index(drop=True)
    if read:  # checked (and any problem recorded) by the reader
        session_numbers = pd.to_numeric(sessions_column).to_numpy(dtype=float)
    else:
        _blank_case_problems(case_ids, src, "case_id", problems)
        session_numbers = _parse_sessions(
            sessions_column, case_ids, src, "session", problems=problems
        ).to_numpy(dtype=float)
    case_arr = case_ids.to_numpy(dtype=object)

    if mode == "items":
        result = _score_items(frame, item_cols, inst, src, case_arr, session_numbers, problems)
    else:
        result = _pass_score(frame, inst, src, case_arr, session_numbers, problems)
    _check_duplicates(case_arr, session_numbers, src, problems)
    problems.raise_if_any()
    session_numbers = session_numbers.astype(np.int64)

    out: dict[str, Any] = {"case_id": case_arr}
    if "es_id" in frame.columns:
        out["es_id"] = frame["es_id"].to_numpy(dtype=object)
    out["session"] = session_numbers
    out.update(result)
    scores = pd.DataFrame(out)
    order = _row_order(case_arr, session_numbers)
    scores = scores.take(order).reset_index(drop=True)
    scores["n_items"] = scores["n_items"].astype("Int64")
    scores.attrs["source"] = src
    scores.attrs["instrument"] = inst.id
    scores.attrs["score"] = inst.score_name
    scores.attrs["scale"] = (inst.scale.min, inst.scale.max)
    return scores


# -- the two modes --------------------------------------------------------------------


def _score_items(
    frame: pd.DataFrame,
    item_cols: Sequence[str],
    inst: Instrument,
    src: str,
    case_arr: np.ndarray,
    session_numbers: np.ndarray,
    problems: _Problems,
) -> dict[str, Any]:
    n, k = len(frame), len(item_cols)
    values = np.empty((n, k), dtype=float)
    not_number = np.zeros((n, k), dtype=bool)
    comma = np.zeros((n, k), dtype=bool)
    for j, column in enumerate(item_cols):
        cells = frame[column].reset_index(drop=True)
        numbers, bad = _to_numbers(cells)
        values[:, j] = numbers.to_numpy(dtype=float)
        not_number[:, j] = bad.to_numpy(dtype=bool)
        comma[:, j] = _with_comma(cells).to_numpy(dtype=bool)
    lo, hi = inst.scale.min, inst.scale.max
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(values) & ((values < lo) | (values > hi))
        fractional = ~np.isnan(values) & (np.mod(values, 1) != 0) & ~outside
    not_whole = fractional if inst.integer_items else np.zeros_like(fractional)
    wrong = not_number | outside | not_whole
    if wrong.any():
        rows, cols = np.nonzero(wrong)
        lines = []
        for r, c in zip(rows[:MAX_LISTED], cols[:MAX_LISTED], strict=True):
            where = _where(src, r, case_arr[r], session_numbers[r])
            raw = frame[item_cols[c]].iloc[r]
            if not_number[r, c]:
                lines.append(f"{where}: {item_cols[c]} = {_show(raw)} is not a number")
            elif outside[r, c]:
                lines.append(f"{where}: {item_cols[c]} = {_show(values[r, c])} is outside "
                             f"the scale {lo}..{hi}")
            else:
                why = " (a decimal comma, or two answers?)" if comma[r, c] else ""
                lines.append(f"{where}: {item_cols[c]} = {_show(raw)} is not a whole "
                             f"number{why}")
        kind = "whole numbers" if inst.integer_items else "numbers"
        header = f"{src}: item responses must be {kind} on the scale {lo}..{hi} of {inst.id!r}"
        if not_whole.any():
            header += (" (its items are Likert points: integer_items is true; set it to false "
                       "in the instrument to accept values between the points)")
        problems.add(ScaleError, header, lines, total=len(rows))
        values[wrong] = np.nan  # scored only if every problem is fixed; keep the maths quiet
    elif (comma & fractional).any():
        _warn_decimal_commas(frame, item_cols, comma & fractional, values, src, case_arr,
                             session_numbers)

    position = {item: j for j, item in enumerate(inst.items)}
    reverse = [position[i] for i in inst.reverse]
    if reverse:
        values[:, reverse] = lo + hi - values[:, reverse]
    missing = np.isnan(values)
    filled = np.where(missing, 0.0, values)
    answered = k - missing.sum(axis=1)

    result: dict[str, Any] = {}
    subscale_means: dict[str, np.ndarray] = {}
    scorable = np.ones(n, dtype=bool)
    for name, members in inst.subscales.items():
        idx = [position[i] for i in members]
        n_miss = missing[:, idx].sum(axis=1)
        ok = (n_miss <= inst.max_missing_per_subscale) & (n_miss < len(idx))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = filled[:, idx].sum(axis=1) / (len(idx) - n_miss)
        subscale_means[name] = np.where(ok, mean, np.nan)
        scorable &= ok
    if inst.global_rule == "complete":
        scorable = answered == k
    scorable &= answered > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        wai = np.where(scorable, filled.sum(axis=1) / answered, np.nan)
    total = np.where(answered == k, filled.sum(axis=1), wai * k)
    total = np.where(scorable, total, np.nan)

    result[inst.score_name] = wai
    result.update(subscale_means)
    result["total"] = total
    result["n_items"] = answered
    result["note"] = _notes(missing, inst)
    return result


def _pass_score(
    frame: pd.DataFrame, inst: Instrument, src: str, case_arr: np.ndarray,
    session_numbers: np.ndarray, problems: _Problems,
) -> dict[str, Any]:
    name = inst.score_name
    numbers, bad = _to_numbers(frame[name].reset_index(drop=True))
    wai = numbers.to_numpy(dtype=float)
    lo, hi = inst.scale.min, inst.scale.max
    with np.errstate(invalid="ignore"):
        outside = ~np.isnan(wai) & ((wai < lo) | (wai > hi))
    wrong = np.flatnonzero(bad.to_numpy(dtype=bool) | outside)
    if wrong.size:
        lines = []
        for r in wrong[:MAX_LISTED]:
            where = _where(src, r, case_arr[r], session_numbers[r])
            if bad.iloc[r]:
                lines.append(f"{where}: {name} = {_show(frame[name].iloc[r])} is not a number")
            else:
                lines.append(f"{where}: {name} = {_show(wai[r])} is outside the scale "
                             f"{inst.scale}")
        header = f"{src}: the ready {name} score must be a number on the scale {inst.scale}"
        valid = wai[~np.isnan(wai)]
        k = inst.n_items
        if valid.size and not bad.any() and valid.min() >= k * lo and valid.max() <= k * hi:
            header += (f" (these look like sums of the {k} items, {k * lo}..{k * hi}: divide "
                       f"by {k} to get the mean, or give the item columns)")
        problems.add(ScaleError, header, lines, total=wrong.size)
    result: dict[str, Any] = {name: wai}
    for subscale in inst.subscales:
        result[subscale] = np.full(len(wai), np.nan)
    result["total"] = wai * inst.n_items
    result["n_items"] = pd.array([pd.NA] * len(wai), dtype="Int64")
    result["note"] = np.where(np.isnan(wai), "no score given", "").astype(object)
    return result


# -- helpers -----------------------------------------------------------------------------


def _warn_decimal_commas(
    frame: pd.DataFrame, item_cols: Sequence[str], mask: np.ndarray, values: np.ndarray,
    src: str, case_arr: np.ndarray, session_numbers: np.ndarray,
) -> None:
    """Say which responses written with a comma were read as decimal numbers."""
    rows, cols = np.nonzero(mask)
    lines = [f"{_where(src, r, case_arr[r], session_numbers[r])}: {item_cols[c]} = "
             f"{_show(frame[item_cols[c]].iloc[r])} read as {values[r, c]:g}"
             for r, c in zip(rows[:MAX_LISTED], cols[:MAX_LISTED], strict=True)]
    more = f"\n  ... and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
    warnings.warn(
        f"{src}: {len(rows)} item response(s) written with a comma were read as decimal "
        "numbers (integer_items is false); check that none is two answers:\n"
        + "\n".join(f"  - {line}" for line in lines) + more,
        MixedWAIWarning, stacklevel=4,
    )


def _where(src: str, position: int, case: Any, session: float) -> str:
    """``sessions.csv row 14 (case ES5_C2, session 2)``, leaving out what is unknown."""
    known = [] if pd.isna(case) else [f"case {case}"]
    if not np.isnan(session):
        known.append(f"session {int(session)}")
    return f"{src} row {row_number(position)}" + (f" ({', '.join(known)})" if known else "")


def _check_duplicates(
    case_arr: np.ndarray, session_numbers: np.ndarray, src: str, problems: _Problems
) -> None:
    """Add every (case, session) found on more than one row (rows with a blank key skipped)."""
    keys = pd.DataFrame({"case": case_arr, "session": session_numbers})
    dup = keys.duplicated(keep=False).to_numpy() & keys["case"].notna().to_numpy()
    dup &= ~np.isnan(session_numbers)
    if not dup.any():
        return
    groups: dict[tuple[str, int], list[int]] = {}
    for pos in np.flatnonzero(dup):
        groups.setdefault((case_arr[pos], int(session_numbers[pos])), []).append(row_number(pos))
    lines = [
        f"{src} rows {', '.join(map(str, rows))} (case {case}, session {session})"
        for (case, session), rows in groups.items()
    ]
    problems.add(
        DuplicateRowError, f"{src}: each (case, session) must appear on one row only", lines
    )


def _notes(missing: np.ndarray, inst: Instrument) -> np.ndarray:
    """One note per row, computed once per distinct pattern of missing items."""
    n, k = missing.shape
    if not missing.any():
        return np.full(n, "", dtype=object)
    if k <= 62:
        codes = missing.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
        uniques, inverse = np.unique(codes, return_inverse=True)
        patterns = [[bool(code >> j & 1) for j in range(k)] for code in uniques]
    else:  # pragma: no cover - instruments of more than 62 items
        unique_rows, inverse = np.unique(missing, axis=0, return_inverse=True)
        patterns = [list(map(bool, row)) for row in unique_rows]
    texts = np.array([_note_for(p, inst) for p in patterns], dtype=object)
    return texts[np.asarray(inverse).reshape(-1)]


def _note_for(pattern: Sequence[bool], inst: Instrument) -> str:
    missing_items = {item for item, gone in zip(inst.items, pattern, strict=True) if gone}
    if not missing_items:
        return ""
    if inst.n_items == 1 and not inst.subscales:  # a ready score read as one item
        return f"{inst.score_name} missing"
    parts: list[str] = []
    all_ok = True
    allowed = inst.max_missing_per_subscale
    for name, members in inst.subscales.items():
        gone = [i for i in members if i in missing_items]
        if not gone:
            continue
        listed = f"item{'s' if len(gone) > 1 else ''} {', '.join(map(str, gone))}"
        if len(gone) <= allowed and len(gone) < len(members):
            parts.append(f"{name} prorated: {len(gone)} of {len(members)} items missing ({listed})")
        else:
            all_ok = False
            parts.append(f"{name}: {len(gone)} of {len(members)} items missing ({listed}; at most "
                         f"{allowed} allowed)")
    other = [i for i in inst.global_only if i in missing_items]
    if other:
        parts.append(f"item{'s' if len(other) > 1 else ''} {', '.join(map(str, other))} missing")
    answered = inst.n_items - len(missing_items)
    if inst.global_rule == "complete":
        parts.append("global score missing (the instrument's rule needs every item)")
    elif not all_ok or answered == 0:
        parts.append("global score missing")
    else:
        parts.append(f"global score prorated: mean of {answered} of {inst.n_items} items")
    return "; ".join(parts)


def _natural_key(text: str) -> list[Any]:
    """Sort key putting ``ES3_C2`` before ``ES11_C1`` (numbers compared as numbers)."""
    parts = re.split(r"(\d+)", text.lower())
    return [int(p) if i % 2 else p for i, p in enumerate(parts)]


def _case_rank(case_ids: Sequence[str] | np.ndarray) -> np.ndarray:
    """Rank of each case id in natural order (computed once per distinct id).

    Canonical ids ``ES<n>_C<m>`` are ordered by ES number then client number;
    any other ids follow them, in natural order.
    """
    codes, uniques = pd.factorize(pd.Series(case_ids, dtype=object), sort=False)
    texts = [str(u) for u in uniques]
    es = np.full(len(texts), -1, dtype=np.int64)
    client = np.full(len(texts), -1, dtype=np.int64)
    match = _CANONICAL_ID.fullmatch
    for i, text in enumerate(texts):
        found = match(text)
        if found is not None:
            es[i] = int(found[1])
            client[i] = int(found[2])
    canonical = es >= 0
    first = np.flatnonzero(canonical)
    rest = sorted(np.flatnonzero(~canonical), key=lambda i: (_natural_key(texts[i]), texts[i]))
    ordered = np.concatenate([first[np.lexsort((client[first], es[first]))],
                              np.asarray(rest, dtype=np.int64)])
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[ordered] = np.arange(len(uniques))
    return rank[codes]


def _row_order(case_arr: np.ndarray, session_numbers: np.ndarray) -> np.ndarray:
    return np.lexsort((session_numbers, _case_rank(case_arr)))
