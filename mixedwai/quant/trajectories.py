"""Alliance trajectories: the case x time matrix that the clustering works on.

Each case contributes its first N rated sessions (N = 3 in the reference study), in
session order, as one row ``t1 .. tN``. Cases with fewer sessions, or with a missing
score at one of those sessions, are excluded and listed with the reason; nothing is
imputed. :func:`deviation_scores` removes each case's own level so that only the shape
of its trajectory remains (Kivlighan & Shaughnessy, 2000).

Examples
--------
>>> import pandas as pd
>>> scores = pd.DataFrame({"case_id": ["A", "A", "A", "B", "B", "B", "C"],
...                        "session": [1, 2, 3, 1, 2, 3, 1],
...                        "wai": [6.5, 6.6, 6.7, 5.0, 4.8, 5.1, 6.0]})
>>> traj = build_trajectories(scores)
>>> traj.matrix
          t1   t2   t3
case_id
A        6.5  6.6  6.7
B        5.0  4.8  5.1
>>> traj.excluded
  case_id                 reason
0       C  1 session; 3 needed
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_range, require_columns, source_name
from mixedwai.errors import ColumnError, DataValueError, InsufficientDataError
from mixedwai.ids import es_id_of
from mixedwai.quant.data.sessions import _blank_case_problems, _parse_sessions
from mixedwai.quant.data.table import _canonical_ids, _Problems, _raise_listed, _show, _to_numbers
from mixedwai.quant.instruments.scoring import _case_rank, _check_duplicates, _row_order, _where

__all__ = ["Trajectories", "build_trajectories", "deviation_scores"]


@dataclass(frozen=True, eq=False)
class Trajectories:
    """Case x time scores ready for clustering, with the cases left out and why.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Index ``case_id``; columns ``t1`` .. ``tN`` (float): the score at each
        case's 1st .. Nth session in session order.
    excluded : pandas.DataFrame
        Columns ``case_id`` and ``reason`` (e.g. ``"2 sessions; 3 needed"``,
        ``"wai missing at session 2 (goal: 2 of 4 items missing ...)"``).
    n_sessions : int
        N, the number of sessions per case.
    score : str
        Name of the score column used (``"wai"``, a subscale, or another
        measure's name such as ``"bdi"``).
    scale : (float, float) or None
        The scale of the scores (``(1, 7)`` for the WAI), when known.
    es : pandas.Series
        ``case_id`` -> ES id (``None`` when unknown), for the cases in ``matrix``.
    sessions : pandas.DataFrame
        Same shape as ``matrix``: the session number behind each ``t`` (a case
        rated at sessions 1, 2, 4 has ``t3`` from session 4).
    notes : pandas.Series
        ``case_id`` -> ``""``, or a note when the sessions used are not numbered
        1 .. N (``"sessions 1, 2, 4 used (no session 3)"``).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"t1": [6.0, 5.0], "t2": [6.5, 4.0]}, index=["A", "B"])
    >>> traj = Trajectories.from_matrix(m)
    >>> traj.case_means
    case_id
    A    6.25
    B    4.50
    Name: wai, dtype: float64
    """

    matrix: pd.DataFrame
    excluded: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"case_id": pd.Series(dtype=object),
                                              "reason": pd.Series(dtype=object)})
    )
    n_sessions: int | None = None
    score: str = "wai"
    es: pd.Series | None = None
    sessions: pd.DataFrame | None = None
    notes: pd.Series | None = None
    scale: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        index = self.matrix.index
        if self.n_sessions is None:
            object.__setattr__(self, "n_sessions", self.matrix.shape[1])
        if self.es is None:
            es = [es_id_of(c) if isinstance(c, str) else None for c in index]
            object.__setattr__(self, "es", pd.Series(es, index=index, name="es_id", dtype=object))
        if self.sessions is None:
            frame = pd.DataFrame(
                np.tile(np.arange(1, self.matrix.shape[1] + 1), (len(index), 1)),
                index=index, columns=self.matrix.columns,
            )
            object.__setattr__(self, "sessions", frame)
        if self.notes is None:
            object.__setattr__(self, "notes", pd.Series("", index=index, name="note",
                                                        dtype=object))

    @classmethod
    def from_matrix(cls, matrix: pd.DataFrame, *, score: str = "wai",
                    scale: tuple[float, float] | None = None) -> Trajectories:
        """Wrap a ready case x time matrix (no missing values) as :class:`Trajectories`.

        Parameters
        ----------
        matrix : pandas.DataFrame
            One row per case (the index holds the case ids), one numeric column per
            time point, in time order. Columns are renamed ``t1`` .. ``tN``.
        score : str, default="wai"
        scale : (float, float), optional
            The scale of the scores (for the pattern names and figure axes).

        Raises
        ------
        DataValueError
            Non-numeric or missing values (every offending cell listed).
        InsufficientDataError
            Fewer than 2 cases or 2 time points.
        """
        values = _checked_matrix(matrix)
        if values.shape[0] < 2 or values.shape[1] < 2:
            raise InsufficientDataError(
                f"{source_name(matrix)}: {values.shape[0]} case(s) x {values.shape[1]} time "
                "point(s); trajectories need at least 2 cases and 2 time points"
            )
        index = pd.Index([str(c) for c in matrix.index], name="case_id", dtype=object)
        columns = [f"t{i}" for i in range(1, values.shape[1] + 1)]
        wide = pd.DataFrame(values, index=index, columns=columns)
        return cls(matrix=wide, n_sessions=len(columns), score=score,
                   scale=None if scale is None else (scale[0], scale[1]))

    @property
    def case_ids(self) -> list[str]:
        """Ids of the cases in the matrix, in order."""
        return [str(c) for c in self.matrix.index]

    @property
    def n_cases(self) -> int:
        """Number of cases in the matrix."""
        return int(self.matrix.shape[0])

    @property
    def case_means(self) -> pd.Series:
        """Each case's mean over its N sessions (its alliance level)."""
        return self.matrix.mean(axis=1).rename(self.score)

    @property
    def time_means(self) -> pd.Series:
        """Mean over cases at each time point ``t1`` .. ``tN``."""
        return self.matrix.mean(axis=0).rename(self.score)

    def to_long(self) -> pd.DataFrame:
        """The matrix in long form.

        Returns
        -------
        pandas.DataFrame
            Columns ``case_id``, ``es_id``, ``time`` (1 .. N), ``session`` (the
            session number used) and the score column, sorted by case then time.
        """
        n, k = self.matrix.shape
        ids = np.repeat(np.asarray(self.case_ids, dtype=object), k)
        es = np.repeat(self.es.reindex(self.matrix.index).to_numpy(dtype=object), k)
        return pd.DataFrame({
            "case_id": ids,
            "es_id": es,
            "time": np.tile(np.arange(1, k + 1), n),
            "session": self.sessions.to_numpy().reshape(-1),
            self.score: self.matrix.to_numpy(dtype=float).reshape(-1),
        })

    def __repr__(self) -> str:
        return (f"Trajectories({self.n_cases} cases x {self.n_sessions} sessions of "
                f"{self.score!r}; {len(self.excluded)} excluded)")


def build_trajectories(
    scores: pd.DataFrame, *, n_sessions: int = 3, score: str | None = None
) -> Trajectories:
    """Build the case x time matrix from session scores, excluding incomplete cases.

    Parameters
    ----------
    scores : pandas.DataFrame
        Long table with ``case_id``, ``session`` and the score column, such as the
        output of :func:`~mixedwai.quant.instruments.scoring.score_wai`. Optional ``es_id`` and
        ``note`` columns are used when present.
    n_sessions : int, default=3
        N: how many sessions per case (the first N in session order).
    score : str, optional
        Score column (``"wai"``, a subscale such as ``"bond"``, or a measure's
        name). Default: ``scores.attrs["score"]`` (set by
        :func:`~mixedwai.quant.instruments.scoring.score_wai`), else ``"wai"``.
        The scale in ``scores.attrs["scale"]`` is passed on (the global score
        and subscales are means of items, on the items' scale; ``total`` is not).

    Returns
    -------
    Trajectories
        ``matrix`` (cases in natural id order), ``excluded`` (case, reason),
        ``sessions`` (session numbers used), ``notes``, ``es``.

    Raises
    ------
    ColumnError
        A required column is missing.
    DataValueError
        Session numbers that are not whole numbers, or scores that are not numbers.
    DuplicateRowError
        The same (case, session) twice.
    InsufficientDataError
        Fewer than 2 cases remain; the message counts the exclusions by reason.

    Notes
    -----
    ``t1`` is a case's lowest session number, ``t2`` the next one, and so on; gaps
    in the numbering (sessions 1, 2, 4) are allowed, and such cases are kept with a
    note in ``notes`` and their session numbers in ``sessions``. A case is excluded,
    never imputed, when it has fewer than N sessions (``"2 sessions; 3 needed"``) or
    when its score is missing at one of its first N sessions (``"wai missing at
    session 2 (goal: 2 of 4 items missing ...)"``, the scoring note quoted); later
    sessions do not replace a missing one. Exclusions are data, returned in
    ``excluded``; no warning is issued. The reference study used the first three
    sessions of the 18 clients met at least three times.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({
    ...     "case_id": ["ES1_C1"] * 3 + ["ES1_C2"] * 3 + ["ES2_C1"] * 3,
    ...     "session": [1, 2, 4, 1, 2, 3, 1, 2, 3],
    ...     "wai": [6.0, 6.2, 6.1, 5.0, None, 5.5, 4.0, 4.5, 5.0],
    ...     "note": ["", "", "", "", "bond: 2 of 4 items missing", "", "", "", ""]})
    >>> traj = build_trajectories(scores)
    >>> traj.matrix
              t1   t2   t3
    case_id
    ES1_C1   6.0  6.2  6.1
    ES2_C1   4.0  4.5  5.0
    >>> traj.notes["ES1_C1"]
    'sessions 1, 2, 4 used (no session 3)'
    >>> traj.excluded.loc[0, "reason"]
    'wai missing at session 2 (bond: 2 of 4 items missing)'
    """
    if not isinstance(scores, pd.DataFrame):
        raise DataValueError(
            f"scores = {type(scores).__name__} is not allowed; expected a DataFrame"
        )
    if isinstance(n_sessions, np.integer):
        n_sessions = int(n_sessions)
    check_range("n_sessions", n_sessions, low=2, integer=True)
    n_sessions = int(n_sessions)
    src = source_name(scores)
    default_score = scores.attrs.get("score", "wai")
    score = default_score if score is None else score
    scale = scores.attrs.get("scale") if score != "total" else None  # means keep the scale
    require_columns(scores, ["case_id", "session"])
    if score not in scores.columns:
        found = ", ".join(repr(str(c)) for c in scores.columns)
        raise ColumnError(f"{src}: no score column {score!r}; found columns: {found}")

    frame = scores.reset_index(drop=True)
    problems = _Problems(src)  # every kind of problem, raised together
    case_ids = _canonical_ids(frame["case_id"])
    _blank_case_problems(case_ids, src, "case_id", problems)
    case_arr = case_ids.to_numpy(dtype=object)
    session_numbers = _parse_sessions(frame["session"], case_ids, src, "session",
                                      problems=problems).to_numpy(dtype=float)
    values, bad = _to_numbers(frame[score])
    bad_rows = np.flatnonzero(bad.to_numpy(dtype=bool))
    problems.add(
        DataValueError,
        f"{src}: {score} must be a number or blank",
        [f"{_where(src, p, case_arr[p], session_numbers[p])}: "
         f"{score} = {_show(frame[score].iloc[p])} is not a number" for p in bad_rows[:25]],
        total=len(bad_rows),
    )
    _check_duplicates(case_arr, session_numbers, src, problems)
    problems.raise_if_any()
    session_numbers = session_numbers.astype(np.int64)

    order = _row_order(case_arr, session_numbers)
    long = pd.DataFrame({
        "case_id": case_arr[order],
        "session": session_numbers[order],
        "value": values.to_numpy(dtype=float)[order],
        "note": (frame["note"].to_numpy(dtype=object)[order] if "note" in frame.columns
                 else np.full(len(order), "", dtype=object)),
        "es_id": (frame["es_id"].to_numpy(dtype=object)[order] if "es_id" in frame.columns
                  else np.full(len(order), None, dtype=object)),
    })
    grouped = long.groupby("case_id", sort=False)
    long["pos"] = grouped.cumcount().to_numpy()
    long["available"] = grouped["session"].transform("size").to_numpy()
    first = long[long["pos"] < n_sessions]

    excluded: list[tuple[str, str]] = []
    too_few = first[first["available"] < n_sessions].drop_duplicates("case_id")
    for case, available in zip(too_few["case_id"], too_few["available"], strict=True):
        noun = "session" if available == 1 else "sessions"
        excluded.append((case, f"{available} {noun}; {n_sessions} needed"))
    enough = first[first["available"] >= n_sessions]
    gaps = enough[np.isnan(enough["value"].to_numpy(dtype=float))]
    for case, rows in gaps.groupby("case_id", sort=False):
        reasons = []
        for session, note in zip(rows["session"], rows["note"], strict=True):
            text = f"{score} missing at session {session}"
            if isinstance(note, str) and note.strip():
                text += f" ({note.strip()})"
            reasons.append(text)
        excluded.append((str(case), "; ".join(reasons)))
    dropped = {case for case, _ in excluded}
    kept = enough[~enough["case_id"].isin(dropped)]

    excluded_frame = pd.DataFrame(excluded, columns=["case_id", "reason"], dtype=object)
    if len(excluded_frame):
        rank = _case_rank(excluded_frame["case_id"].to_numpy(dtype=object))
        excluded_frame = excluded_frame.take(np.argsort(rank, kind="stable"))
    excluded_frame = excluded_frame.reset_index(drop=True)

    n_kept = kept["case_id"].nunique()
    if n_kept < 2:
        raise InsufficientDataError(_insufficient_message(src, n_kept, n_sessions, score,
                                                          excluded_frame))

    case_index = pd.Index(pd.unique(kept["case_id"]), name="case_id", dtype=object)
    shape = (len(case_index), n_sessions)
    matrix = pd.DataFrame(
        kept["value"].to_numpy(dtype=float).reshape(shape), index=case_index,
        columns=[f"t{i}" for i in range(1, n_sessions + 1)],
    )
    used = kept["session"].to_numpy(dtype=np.int64).reshape(shape)
    sessions_frame = pd.DataFrame(used, index=case_index, columns=matrix.columns)
    # a note only where the sessions used are not 1..N (computed for those rows alone)
    note_values = np.full(len(case_index), "", dtype=object)
    irregular = np.flatnonzero((used != np.arange(1, n_sessions + 1)).any(axis=1))
    for pos in irregular:
        note_values[pos] = _session_note(used[pos], n_sessions)
    notes = pd.Series(note_values, index=case_index, name="note", dtype=object)
    es_values = kept["es_id"].to_numpy(dtype=object).reshape(shape)
    first = es_values[:, 0].copy()  # the common case: the first session names the ES
    codes, uniques = pd.factorize(pd.Series(first, dtype=object), use_na_sentinel=True)
    fine = np.array([isinstance(v, str) and v != "" and v == v.strip()
                     for v in uniques.tolist()] + [False], dtype=bool)  # once per ES id
    plain = fine[np.where(codes < 0, len(uniques), codes)]
    for pos in np.flatnonzero(~plain):
        first[pos] = _first_es(es_values[pos], case_index[pos])
    es = pd.Series(first, index=case_index, name="es_id", dtype=object)
    return Trajectories(matrix=matrix, excluded=excluded_frame, n_sessions=n_sessions,
                        score=score, es=es, sessions=sessions_frame, notes=notes,
                        scale=None if scale is None else (scale[0], scale[1]))


def deviation_scores(matrix: pd.DataFrame | Trajectories) -> pd.DataFrame:
    """Each score minus the case's own mean: the shape of a trajectory without its level.

    Parameters
    ----------
    matrix : pandas.DataFrame or Trajectories
        Case x time scores (``Trajectories.matrix``), no missing values.

    Returns
    -------
    pandas.DataFrame
        Same index and columns; every row sums to 0.

    Raises
    ------
    DataValueError
        Non-numeric or missing values (every offending cell listed).

    Notes
    -----
    :math:`d_{ct} = x_{ct} - \\bar{x}_{c}`, with :math:`\\bar{x}_c` the mean of case
    :math:`c` over its time points. Kivlighan and Shaughnessy (2000) clustered such
    deviation scores to group alliance trajectories by shape alone; the reference
    study instead clustered the direct scores (level and shape, de Roten et al.,
    2004), mixedwai's default.

    References
    ----------
    Kivlighan, D. M., Jr., & Shaughnessy, P. (2000). Patterns of working alliance
    development: A typology of client's working alliance ratings. Journal of
    Counseling Psychology, 47(3), 362-371.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"t1": [7.0, 5.0], "t2": [6.0, 5.0], "t3": [5.0, 5.0]},
    ...                  index=pd.Index(["A", "B"], name="case_id"))
    >>> deviation_scores(m)
              t1   t2   t3
    case_id
    A        1.0  0.0 -1.0
    B        0.0  0.0  0.0
    """
    frame = matrix.matrix if isinstance(matrix, Trajectories) else matrix
    values = _checked_matrix(frame)
    centred = values - values.mean(axis=1, keepdims=True)
    return pd.DataFrame(centred, index=frame.index, columns=frame.columns)


# -- helpers -----------------------------------------------------------------------------


def _checked_matrix(frame: Any) -> np.ndarray:
    if not isinstance(frame, pd.DataFrame):
        raise DataValueError(
            f"matrix = {type(frame).__name__} is not allowed; expected a DataFrame "
            "(cases x time points) or Trajectories"
        )
    src = source_name(frame, "matrix")
    values = np.empty(frame.shape, dtype=float)
    problems: list[str] = []
    for j, column in enumerate(frame.columns):
        numbers, bad = _to_numbers(frame[column])
        values[:, j] = numbers.to_numpy(dtype=float)
        for pos in np.flatnonzero(bad.to_numpy(dtype=bool) | numbers.isna().to_numpy()):
            raw = frame[column].iloc[pos]
            what = "is missing" if numbers.isna().iloc[pos] and not bad.iloc[pos] else (
                f"= {_show(raw)} is not a number")
            problems.append(f"{src}: case {frame.index[pos]}, {column} {what}")
    _raise_listed(DataValueError, f"{src}: trajectory scores must be numbers with no gap",
                  problems)
    return values


def _session_note(used: np.ndarray, n_sessions: int) -> str:
    expected = np.arange(1, n_sessions + 1)
    if np.array_equal(used, expected):
        return ""
    reasons = []
    if used[0] != 1:
        reasons.append(f"first session is numbered {used[0]}")
    # The first five skipped numbers and how many there are, never the whole gap: sessions
    # 1 and 9000 would otherwise list 8998 numbers.
    skipped: list[int] = []
    n_skipped = 0
    for a, b in zip(used[:-1], used[1:], strict=True):
        gap = max(int(b) - int(a) - 1, 0)
        skipped.extend(range(int(a) + 1, int(a) + 1 + min(gap, 6 - len(skipped))))
        n_skipped += gap
    if n_skipped:
        shown = ", ".join(map(str, skipped[:5])) + (", ..." if n_skipped > 5 else "")
        reasons.append(f"no session{'s' if n_skipped > 1 else ''} {shown}")
    listed = ", ".join(map(str, used))
    return f"sessions {listed} used" + (f" ({'; '.join(reasons)})" if reasons else "")


def _first_es(row: np.ndarray, case: str) -> str | None:
    for value in row:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return es_id_of(case)


def _insufficient_message(
    src: str, n_kept: int, n_sessions: int, score: str, excluded: pd.DataFrame
) -> str:
    kinds: dict[str, int] = {}
    for reason in excluded["reason"]:
        kind = (f"fewer than {n_sessions} sessions" if reason.endswith(f"{n_sessions} needed")
                else f"{score} missing at one of the first {n_sessions} sessions")
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = "; ".join(f"{count} with {kind}" for kind, count in kinds.items()) or "none"
    examples = ", ".join(f"{c} ({r})" for c, r in
                         zip(excluded["case_id"][:5], excluded["reason"][:5], strict=True))
    more = f", and {len(excluded) - 5} more" if len(excluded) > 5 else ""
    return (
        f"{src}: only {n_kept} case{'s' if n_kept != 1 else ''} with {n_sessions} scored "
        f"sessions remain{'s' if n_kept == 1 else ''}; at least 2 are needed. "
        f"{len(excluded)} excluded: {summary}"
        + (f" (e.g. {examples}{more})" if examples else "")
        + ". Lower n_sessions or complete the data"
    )
