"""Which turns a search or a word count reads: speaker roles, cases, patterns.

Shared by :mod:`mixedwai.qual.retrieval.search` and
:mod:`mixedwai.qual.retrieval.frequencies`. A turn is kept when its role *or* its
speaker label is one of ``roles`` (compared without case, as
:func:`~mixedwai.qual.coding.apply.code_corpus` compares ``speakers``), its
transcript's case is one of ``cases``, and that case's pattern is one of
``patterns`` (which needs a table giving each case's pattern).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mixedwai.errors import ColumnError, OptionError
from mixedwai.ids import canonical_case_id
from mixedwai.qual.coding.schema import _as_transcripts, _speaker_list

__all__ = ["TurnSelection", "case_patterns", "select_turns"]


def case_patterns(cases: pd.DataFrame | pd.Series | None, *, where: str) -> dict[str, str]:
    """Case id (canonical) -> pattern, from a Series or a table with a pattern column.

    Parameters
    ----------
    cases : DataFrame, Series or LinkedStudy, optional
        A Series of patterns indexed by case id (``result.labels["abbrev"]``), a
        table with a ``pattern`` (or ``cluster``) column and the case id as index or
        in a ``case_id`` column (``clusters.csv`` of ``mixedwai cluster``), or a
        linked study (:func:`mixedwai.link_study`), whose ``case_table`` is used.
    where : str
        The function or option named in error messages.

    Returns
    -------
    dict of str to str
        Cases without a pattern (missing cell) are left out.

    Raises
    ------
    ColumnError
        A table without a ``pattern`` or ``cluster`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> case_patterns(pd.Series({"ES#11_C4": "SHA", "ES3_C1": "SLA"}), where="search")
    {'ES11_C4': 'SHA', 'ES3_C1': 'SLA'}
    """
    if cases is None:
        return {}
    linked = getattr(cases, "case_table", None)  # a LinkedStudy (mw.link_study)
    if isinstance(linked, pd.DataFrame) and not isinstance(cases, (pd.Series, pd.DataFrame)):
        cases = linked
    if isinstance(cases, pd.Series):
        series = cases
    elif isinstance(cases, pd.DataFrame):
        frame = cases.set_index("case_id") if "case_id" in cases.columns else cases
        column = next((c for c in ("pattern", "cluster") if c in frame.columns), None)
        if column is None:
            found = ", ".join(map(repr, map(str, frame.columns))) or "(none)"
            raise ColumnError(
                f"{where}: the cases table has no 'pattern' (or 'cluster') column; "
                f"found columns: {found}"
            )
        series = frame[column]
    else:
        raise OptionError(
            f"{where}: cases must be a Series of patterns, a table with a pattern column or a "
            f"linked study; got {type(cases).__name__}"
        )
    return {
        canonical_case_id(case): str(value)
        for case, value in series.items()
        if value is not None and value is not pd.NA and str(value) not in ("", "nan")
    }


def _names(values: str | Iterable[Any] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = values.split(",")
    names = [str(v).strip() for v in values if str(v).strip()]
    return names or None


@dataclass(frozen=True)
class TurnSelection:
    """The turns kept, per transcript, and what the filters were.

    Attributes
    ----------
    transcripts : list of Transcript
        Transcripts with at least one kept turn, in corpus order.
    turns : list of list of Segment
        The kept turns of each transcript.
    patterns : dict of str to str
        Case -> pattern (empty without a cases table).
    n_turns, n_kept : int
        Turns read, turns kept.
    """

    transcripts: list[Any]
    turns: list[list[Any]]
    patterns: dict[str, str]
    n_turns: int
    n_kept: int


def select_turns(
    corpus: Any,
    *,
    roles: str | Iterable[str] | None = None,
    cases: str | Iterable[str] | None = None,
    patterns: str | Iterable[str] | None = None,
    case_table: pd.DataFrame | pd.Series | None = None,
    where: str = "search",
) -> TurnSelection:
    """Keep the turns of the roles, cases and patterns asked for.

    Parameters
    ----------
    corpus : Corpus, Transcript or list of Transcript
    roles : str or list of str, optional
        Roles (``ES``, ``interviewer``, ``client``) or speaker labels; ``"all"`` or
        None keeps everyone.
    cases : str or list of str, optional
        Case ids (any spelling: ``ES#11_C4``, ``es11-c4``).
    patterns : str or list of str, optional
        Patterns (``SHA``); needs ``case_table``.
    case_table : DataFrame or Series, optional
        Each case's pattern (see :func:`case_patterns`).
    where : str, default="search"
        Named in error messages.

    Returns
    -------
    TurnSelection

    Raises
    ------
    OptionError
        ``patterns`` without ``case_table``, or a pattern no case has.

    Examples
    --------
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> t = Transcript.from_text("Interviewer: Hi.\\nES: Hello.", doc_id="es1-c1")
    >>> kept = select_turns([t], roles="ES")
    >>> [turn.text for turn in kept.turns[0]], kept.n_turns, kept.n_kept
    (['Hello.'], 2, 1)
    """
    transcripts = _as_transcripts(corpus)
    wanted_roles = _speaker_list(roles)
    folded = None if wanted_roles is None else {r.casefold() for r in wanted_roles}
    case_list = _names(cases)
    wanted_cases = None if case_list is None else {canonical_case_id(c) for c in case_list}
    pattern_of = case_patterns(case_table, where=where)
    pattern_list = _names(patterns)
    if pattern_list is not None:
        if not pattern_of:
            raise OptionError(
                f"{where}: patterns = {', '.join(pattern_list)} needs a table giving each "
                "case's pattern (case_table=..., or --cases FILE with a pattern column)"
            )
        known = sorted(set(pattern_of.values()))
        unknown = [p for p in pattern_list if p not in known]
        if unknown:
            raise OptionError(
                f"{where}: pattern(s) {', '.join(map(repr, unknown))} belong to no case; "
                f"the cases table has {', '.join(map(repr, known))}"
            )
    kept_transcripts: list[Any] = []
    kept_turns: list[list[Any]] = []
    n_turns = n_kept = 0
    for transcript in transcripts:
        case = transcript.case_id
        n_turns += len(transcript.turns)
        if wanted_cases is not None and case not in wanted_cases:
            continue
        if pattern_list is not None and pattern_of.get(case or "") not in pattern_list:
            continue
        turns = [
            turn for turn in transcript.turns
            if folded is None
            or (turn.role or "").casefold() in folded
            or (turn.speaker or "").casefold() in folded
        ]  # fmt: skip
        if turns:
            kept_transcripts.append(transcript)
            kept_turns.append(turns)
            n_kept += len(turns)
    return TurnSelection(kept_transcripts, kept_turns, pattern_of, n_turns, n_kept)
