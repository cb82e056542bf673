"""Summaries of codings: code x case matrices, frequencies, co-occurrence, quotes.

Every function takes a codings table (the schema of
:data:`mixedwai.qual.coding.CODING_COLUMNS`, from :func:`~mixedwai.qual.coding.code_corpus`,
:func:`~mixedwai.qual.coding.load_manual_codings` or
:func:`~mixedwai.qual.coding.merge_codings`) and returns a DataFrame.

Two conventions hold throughout:

* a **coded segment** is a distinct ``(doc_id, start, end)`` span: the same
  span coded twice with one code (by the rules and by a person, say) counts once;
* the **case** of a row is its ``case_id``, or its ``doc_id`` when the transcript
  has no case id, so that no coding is ever left out of a per-case summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import CodebookError, ColumnError, OptionError, OutcomeValueError
from mixedwai.ids import canonical_case_id, display_case_id

if TYPE_CHECKING:
    from mixedwai.qual.codebook import Codebook

__all__ = ["code_frequencies", "code_matrix", "cooccurrence", "quotes"]

_SPAN = ["doc_id", "start", "end"]
_TRUE = {"1", "true", "yes", "y", "oui", "o", "job", "employed", "obtained"}
_FALSE = {"0", "false", "no", "n", "non", "no job", "unemployed", "not obtained"}


def _require(codings: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in codings.columns]
    if missing:
        raise ColumnError(
            f"{where}: the codings table lacks column(s) {', '.join(map(repr, missing))}; "
            "expected the output of code_corpus() or load_manual_codings()"
        )


def _case_keys(codings: pd.DataFrame) -> pd.Series:
    """case_id, or doc_id where the transcript has no case id."""
    if "case_id" not in codings.columns:
        return codings["doc_id"].astype(object)
    case = codings["case_id"].astype(object)
    return case.where(case.notna() & (case.astype(str) != ""), codings["doc_id"].astype(object))


def _ancestors(codebook: Codebook) -> dict[str, list[str]]:
    parents = {str(code.id): parent for code, _cat, parent, _d in codebook.iter_codes()}
    chains: dict[str, list[str]] = {}
    for code_id in parents:
        chain, parent = [], parents[code_id]
        while parent is not None:
            chain.append(str(parent))
            parent = parents.get(str(parent))
        chains[code_id] = chain
    return chains


def _rolled_up(codings: pd.DataFrame, codebook: Codebook | None) -> pd.DataFrame:
    """Add a copy of each row for every ancestor code of its code."""
    if codebook is None:
        raise OptionError("rollup=True needs the codebook (codebook=...) to know the parents")
    chains = _ancestors(codebook)
    extra = []
    for ancestor_depth in range(1, 1 + max((len(c) for c in chains.values()), default=0)):
        mapping = {k: v[ancestor_depth - 1] for k, v in chains.items() if len(v) >= ancestor_depth}
        rows = codings[codings["code_id"].isin(list(mapping))]
        if len(rows):
            extra.append(rows.assign(code_id=rows["code_id"].map(mapping)))
    if not extra:
        return codings
    return pd.concat([codings, *extra], ignore_index=True)


def _unknown_codes(codings: pd.DataFrame, codebook: Codebook, where: str) -> None:
    known = set(_code_order(codebook))
    unknown = sorted(set(codings["code_id"].astype(str)) - known)
    if unknown:
        raise CodebookError(
            f"{where}: the codings use code(s) that are not in codebook "
            f"{getattr(codebook, 'name', '')!r}: {', '.join(map(repr, unknown))}"
        )


def _code_order(codebook: Codebook) -> list[str]:
    return [str(code.id) for code, *_ in codebook.iter_codes()]


def _default_codes(codings: pd.DataFrame, codebook: Codebook | None) -> list[str]:
    if codebook is not None:
        return _code_order(codebook)
    present = list(dict.fromkeys(codings["code_id"].astype(str)))
    ordered = [c for c in codings.attrs.get("code_ids", []) if c in set(present)]
    return ordered + sorted(set(present) - set(ordered))


def _case_list(cases: Any) -> list[str] | None:
    if cases is None:
        return None
    if isinstance(cases, (pd.DataFrame, pd.Series)):
        if isinstance(cases, pd.DataFrame) and "case_id" in cases.columns:
            values = cases["case_id"].tolist()
        else:
            values = cases.index.tolist()
    elif isinstance(cases, str):
        values = [cases]
    else:
        values = list(cases)
    return list(dict.fromkeys(canonical_case_id(v) for v in values))


def code_matrix(
    codings: pd.DataFrame,
    *,
    cases: Iterable[str] | pd.DataFrame | pd.Series | None = None,
    value: str = "count",
    rollup: bool = False,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Code x case table of coded segments (or of presence).

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings.
    cases : list of str, DataFrame or Series, optional
        The cases to show, as columns in this order (a DataFrame/Series gives them
        by its index or its ``case_id`` column). Cases without any coding appear as
        zero columns; codings of other cases are left out. Default: every case in
        ``codings.attrs["case_ids"]`` (set by ``code_corpus``, so uncoded
        interviews show), else every case in ``codings``.
    value : {"count", "presence"}, default="count"
        ``count``: number of coded segments; ``presence``: 1 if the case has the
        code at least once, else 0.
    rollup : bool, default=False
        Count a sub-code's segments for its parent (and grand-parent ...) codes too
        (a segment counts once per code). Needs ``codebook``.
    codebook : Codebook, optional
        Gives the row order (codebook order) and shows codes never coded as zero
        rows. Default: the codes found, in the codebook order recorded by
        ``code_corpus`` (others sorted after them).

    Returns
    -------
    pandas.DataFrame
        Index ``code_id``, one int64 column per case (columns named ``case_id``).

    Raises
    ------
    ColumnError
        ``codings`` lacks doc_id, start, end or code_id.
    OptionError
        Bad ``value``, or ``rollup`` without ``codebook``.
    CodebookError
        With a codebook: codings of codes it does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"doc_id": ["a", "a", "b"], "case_id": ["ES1_C1", "ES1_C1",
    ...     "ES1_C2"], "start": [0, 10, 0], "end": [9, 20, 9],
    ...     "code_id": ["bond", "bond", "goals"]})
    >>> code_matrix(codings, cases=["ES1_C1", "ES1_C2", "ES1_C3"])
    case_id  ES1_C1  ES1_C2  ES1_C3
    code_id
    bond          2       0       0
    goals         0       1       0
    """
    _require(codings, ["doc_id", "start", "end", "code_id"], "code_matrix")
    check_choice("value", value, ["count", "presence"])
    if codebook is not None:
        _unknown_codes(codings, codebook, "code_matrix")
    frame = codings.assign(_case=_case_keys(codings))
    if rollup:
        frame = _rolled_up(frame, codebook)
    case_order = _case_list(cases)
    if case_order is None:
        case_order = list(codings.attrs.get("case_ids", [])) or sorted(
            set(frame["_case"].astype(str))
        )
        extra = sorted(set(frame["_case"].astype(str)) - set(case_order))
        case_order = case_order + extra
    else:
        frame = frame[frame["_case"].astype(str).isin(case_order)]
    frame = frame.drop_duplicates(["code_id", *_SPAN])
    counts = frame.groupby([frame["code_id"].astype(str), frame["_case"].astype(str)]).size()
    table = counts.unstack(fill_value=0) if len(counts) else pd.DataFrame()
    codes = _default_codes(codings, codebook)
    codes += [c for c in table.index if c not in set(codes)]
    table = table.reindex(index=codes, columns=case_order, fill_value=0).fillna(0)
    table = table.astype("int64")
    if value == "presence":
        table = (table > 0).astype("int64")
    table.index = pd.Index(table.index.astype(object), name="code_id")
    table.columns = pd.Index(list(table.columns), dtype=object, name="case_id")
    return table


def code_frequencies(
    codings: pd.DataFrame,
    codebook: Codebook,
    *,
    cases: Iterable[str] | pd.DataFrame | pd.Series | None = None,
    rollup: bool = False,
) -> pd.DataFrame:
    """How often each code, and each category, was coded.

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings.
    codebook : Codebook
        Row order and labels; every code of the codebook gets a row.
    cases : list of str, DataFrame or Series, optional
        The cases that make the denominator of ``share_of_cases``. Default:
        ``codings.attrs["case_ids"]`` (every transcript coded by ``code_corpus``),
        else the cases present in ``codings``.
    rollup : bool, default=False
        Count a sub-code's segments for its parent codes too.

    Returns
    -------
    pandas.DataFrame
        One row per category (its subtotal: the segments, documents and cases
        coded with any of its codes, each counted once) followed by one row per
        code, in codebook order. Columns: level (``"category"`` or ``"code"``),
        category_id, code_id (missing on category rows), parent_id, depth (0 for a
        category, 1 for its codes, 2 for sub-codes ...), label, n_segments, n_docs,
        n_cases, share_of_cases (n_cases / number of cases; NaN with no case).

    Raises
    ------
    ColumnError
        ``codings`` lacks doc_id, start, end or code_id.
    CodebookError
        Codings of codes that are not in ``codebook``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.codebook import Codebook
    >>> cb = Codebook.model_validate({"name": "demo", "version": "1", "language": "en",
    ...     "categories": [{"id": "alliance", "label": "Alliance", "codes": [
    ...         {"id": "bond", "label": "Bond"}, {"id": "goals", "label": "Goals"}]}]})
    >>> codings = pd.DataFrame({"doc_id": ["a", "a", "b"], "case_id": ["C1", "C1", "C2"],
    ...     "start": [0, 10, 0], "end": [9, 20, 9], "code_id": ["bond", "goals", "bond"]})
    >>> code_frequencies(codings, cb)[["level", "code_id", "n_segments", "n_cases",
    ...                                "share_of_cases"]]
          level code_id  n_segments  n_cases  share_of_cases
    0  category     NaN           3        2             1.0
    1      code    bond           2        2             1.0
    2      code   goals           1        1             0.5
    """
    _require(codings, ["doc_id", "start", "end", "code_id"], "code_frequencies")
    _unknown_codes(codings, codebook, "code_frequencies")
    frame = codings.assign(_case=_case_keys(codings).astype(str))
    category_of = {str(code.id): str(cat) for code, cat, *_ in codebook.iter_codes()}
    frame = frame.assign(_category=frame["code_id"].astype(str).map(category_of))
    coded = _rolled_up(frame, codebook) if rollup else frame
    case_order = _case_list(cases)
    if case_order is None:
        case_order = list(codings.attrs.get("case_ids", [])) or sorted(set(frame["_case"]))
    n_all_cases = len(set(case_order) | set(frame["_case"])) if cases is None else len(case_order)

    def stats(rows: pd.DataFrame) -> tuple[int, int, int]:
        if not len(rows):
            return 0, 0, 0
        spans = rows.drop_duplicates(_SPAN)
        return len(spans), rows["doc_id"].nunique(), rows["_case"].nunique()

    by_code = {key: group for key, group in coded.groupby(coded["code_id"].astype(str))}
    by_category = {key: group for key, group in frame.groupby("_category")}
    empty = frame.iloc[0:0]
    records: list[dict[str, Any]] = []
    codes_by_category: dict[str, list[tuple[Any, str | None, int]]] = {}
    for code, cat, parent, depth in codebook.iter_codes():
        codes_by_category.setdefault(str(cat), []).append((code, parent, depth))
    for category in codebook.categories:
        cid = str(category.id)
        n_seg, n_doc, n_case = stats(by_category.get(cid, empty))
        records.append(
            dict(level="category", category_id=cid, code_id=None, parent_id=None, depth=0,
                 label=str(category.label), n_segments=n_seg, n_docs=n_doc, n_cases=n_case)
        )
        for code, parent, depth in codes_by_category.get(cid, []):
            n_seg, n_doc, n_case = stats(by_code.get(str(code.id), empty))
            records.append(
                dict(level="code", category_id=cid, code_id=str(code.id),
                     parent_id=None if parent is None else str(parent), depth=int(depth),
                     label=str(code.label), n_segments=n_seg, n_docs=n_doc, n_cases=n_case)
            )
    table = pd.DataFrame.from_records(records)
    for column in ("depth", "n_segments", "n_docs", "n_cases"):
        table[column] = table[column].astype("int64")
    table["share_of_cases"] = (
        table["n_cases"] / n_all_cases if n_all_cases else np.full(len(table), np.nan)
    )
    return table


def cooccurrence(
    codings: pd.DataFrame, *, level: str = "segment", codebook: Codebook | None = None
) -> pd.DataFrame:
    """How often two codes are applied to the same segment (or the same case).

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings.
    level : {"segment", "case"}, default="segment"
        ``segment``: units are ``(doc_id, segment_id)`` (so manual codings, whose
        segment is the turn, co-occur within a turn); ``case``: units are cases.
    codebook : Codebook, optional
        Row/column order, with zero rows for codes never coded. Default: the codes
        found, in the codebook order recorded by ``code_corpus``.

    Returns
    -------
    pandas.DataFrame
        Symmetric code x code int64 table (index and columns named ``code_id``):
        cell (a, b) is the number of units holding both a and b; the diagonal is
        the number of units holding a.

    Raises
    ------
    ColumnError
        ``codings`` lacks doc_id, segment_id (segment level) or code_id.
    OptionError
        Bad ``level``.

    Notes
    -----
    With the unit x code presence matrix :math:`X` (0/1), the table is
    :math:`X^\\top X` (computed sparse with scipy). The tests compare it with a
    loop over every pair of codes.

    Examples
    --------
    >>> import pandas as pd
    >>> codings = pd.DataFrame({"doc_id": ["a"] * 3, "segment_id": ["s1", "s1", "s2"],
    ...     "code_id": ["bond", "goals", "bond"]})
    >>> cooccurrence(codings)
    code_id  bond  goals
    code_id
    bond        2      1
    goals       1      1
    """
    from scipy import sparse

    check_choice("level", level, ["segment", "case"])
    needed = ["doc_id", "code_id"] + (["segment_id"] if level == "segment" else [])
    _require(codings, needed, "cooccurrence")
    codes = _default_codes(codings, codebook)
    if level == "segment":
        units = codings["doc_id"].astype(str) + "\x1f" + codings["segment_id"].astype(str)
    else:
        units = _case_keys(codings).astype(str)
    code_index = {c: i for i, c in enumerate(codes)}
    extra = [c for c in dict.fromkeys(codings["code_id"].astype(str)) if c not in code_index]
    for c in extra:
        code_index[c] = len(codes)
        codes.append(c)
    unit_codes, _ = pd.factorize(units)
    columns = codings["code_id"].astype(str).map(code_index).to_numpy(dtype=np.int64)
    n_units = int(unit_codes.max()) + 1 if len(unit_codes) else 0
    presence = sparse.coo_matrix(
        (np.ones(len(columns), dtype=np.int64), (unit_codes, columns)),
        shape=(n_units, len(codes)),
    ).tocsr()
    presence.data[:] = 1  # duplicates were summed; presence is 0/1
    counts = (presence.T @ presence).toarray().astype(np.int64)
    index = pd.Index(codes, dtype=object, name="code_id")
    return pd.DataFrame(counts, index=index, columns=index.copy())


def _outcome_flag(value: Any, case_id: str) -> bool | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        if value != value:
            return None
        if value in (0, 1):
            return bool(value)
    text = str(value).strip().lower()
    if not text or text == "nan":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise OutcomeValueError(
        f"quotes: case {case_id}: outcome = {value!r} is not a yes/no value; expected "
        "True/False, 1/0 or yes/no"
    )


def _attributions(cases: Any, outcome_labels: Sequence[str]) -> dict[str, str]:
    """Text after the case id, per case: ``Cluster SHA, obtained a job``."""
    if cases is None:
        return {}
    if isinstance(cases, pd.Series):
        frame = cases.rename("pattern").to_frame()
    elif isinstance(cases, pd.DataFrame):
        frame = cases.set_index("case_id") if "case_id" in cases.columns else cases
    else:
        raise OptionError(
            f"quotes: cases must be a DataFrame (columns pattern, outcome; index case_id) "
            f"or a Series of patterns, got {type(cases).__name__}"
        )
    pattern_col = "pattern" if "pattern" in frame.columns else (
        "cluster" if "cluster" in frame.columns else None
    )
    if pattern_col is None and "outcome" not in frame.columns:
        raise ColumnError(
            "quotes: cases has neither a 'pattern' (or 'cluster') nor an 'outcome' column; "
            f"found: {', '.join(map(str, frame.columns))}"
        )
    texts: dict[str, str] = {}
    for case_id, row in frame.iterrows():
        key = canonical_case_id(case_id)
        parts = []
        if pattern_col is not None:
            pattern = row[pattern_col]
            if pattern is not None and pattern is not pd.NA and str(pattern) not in ("", "nan"):
                parts.append(f"Cluster {pattern}")
        if "outcome" in frame.columns:
            flag = _outcome_flag(row["outcome"], key)
            if flag is not None:
                parts.append(outcome_labels[0] if flag else outcome_labels[1])
        texts[key] = ", ".join(parts)
    return texts


def quotes(
    codings: pd.DataFrame,
    code_id: str,
    *,
    n: int = 3,
    cases: pd.DataFrame | pd.Series | None = None,
    outcome_labels: tuple[str, str] = ("obtained a job", "did not obtain a job"),
    min_words: int = 8,
    max_words: int = 80,
    target_words: int = 30,
) -> pd.DataFrame:
    """The ``n`` most typical segments coded with a code, with their attribution.

    Parameters
    ----------
    codings : pandas.DataFrame
        Tidy codings (with text and matched).
    code_id : str
        The code.
    n : int, default=3
        How many quotes.
    cases : DataFrame or Series, optional
        Per case (index, or a ``case_id`` column): ``pattern`` (or ``cluster``) and
        ``outcome`` (True/False, 1/0, yes/no); a Series gives the pattern only.
    outcome_labels : (str, str)
        Words for a positive and a negative outcome.
    min_words, max_words : int, default=8, 80
        Only segments with this many words (inclusive) are quoted.
    target_words : int, default=30
        Preferred length, used to break ties.

    Returns
    -------
    pandas.DataFrame
        Up to ``n`` rows, best first: quote (the text, white space collapsed),
        case_id, doc_id, segment_id, speaker, start, end, n_words, n_hits, attribution
        (``ES#11_C4 (Cluster SHA, obtained a job)``; just the case id when nothing
        is known about the case).

    Raises
    ------
    ColumnError
        ``codings`` lacks a needed column, or ``cases`` lacks pattern and outcome.
    OptionError
        Bad ``n`` or word limits.
    OutcomeValueError
        An outcome that is not a yes/no value.

    Notes
    -----
    "Most typical" is this deterministic score: first the number of distinct rule
    hits for the code in the segment (each distinct matched text counts one, each
    manual coding of the segment counts one), higher first; then the distance of
    the segment's word count from ``target_words``, smaller first; then document
    and position. Segments are taken one per case first (each case's best, in
    score order), then second-best ones, and so on, so that quotes come from as
    many cases as possible.

    Examples
    --------
    >>> import pandas as pd
    >>> text = "I trusted her from the start and she trusted me back, we were a team."
    >>> codings = pd.DataFrame({"doc_id": ["d1"], "case_id": ["ES11_C4"],
    ...     "segment_id": ["d1:s1"], "speaker": ["ES"], "start": [0], "end": [len(text)],
    ...     "text": [text], "code_id": ["bond"], "matched": ["trusted"]})
    >>> cases = pd.DataFrame({"pattern": ["SHA"], "outcome": [True]}, index=["ES11_C4"])
    >>> quotes(codings, "bond", cases=cases)["attribution"].tolist()
    ['ES#11_C4 (Cluster SHA, obtained a job)']
    """
    _require(codings, ["doc_id", "start", "end", "text", "code_id"], "quotes")
    check_range("n", n, low=1, integer=True)
    check_range("min_words", min_words, low=0, integer=True)
    check_range("max_words", max_words, low=min_words, integer=True)
    check_range("target_words", target_words, low=0, integer=True)
    labels = _attributions(cases, outcome_labels)
    columns = ["quote", "case_id", "doc_id", "segment_id", "speaker", "start", "end",
               "n_words", "n_hits", "attribution"]
    rows = codings[codings["code_id"].astype(str) == str(code_id)]
    if not len(rows):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    rows = rows.assign(
        _case=_case_keys(rows).astype(str),
        _hits=[_hit_count(m) for m in (
            rows["matched"] if "matched" in rows.columns else [None] * len(rows)
        )],
    )
    grouped = rows.groupby(_SPAN, sort=False, as_index=False).agg(
        _hits=("_hits", "sum"),
        text=("text", "first"),
        _case=("_case", "first"),
        case_id=("case_id", "first") if "case_id" in rows.columns else ("_case", "first"),
        segment_id=("segment_id", "first") if "segment_id" in rows.columns else ("doc_id",
                                                                                 "first"),
        speaker=("speaker", "first") if "speaker" in rows.columns else ("doc_id", "first"),
    )
    grouped["quote"] = [" ".join(str(t).split()) for t in grouped["text"]]
    grouped["n_words"] = [len(q.split()) for q in grouped["quote"]]
    grouped = grouped[(grouped["n_words"] >= min_words) & (grouped["n_words"] <= max_words)]
    if not len(grouped):
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    grouped = grouped.assign(
        _distance=(grouped["n_words"] - target_words).abs(),
        _neg_hits=-grouped["_hits"],
    )
    order = ["_neg_hits", "_distance", "doc_id", "start", "end"]
    grouped = grouped.sort_values(order, kind="mergesort")
    grouped["_rank"] = grouped.groupby("_case", sort=False).cumcount()
    grouped = grouped.sort_values(["_rank", *order], kind="mergesort").head(int(n))
    grouped["n_hits"] = grouped["_hits"].astype("int64")
    grouped["attribution"] = [
        _attribution(case, labels) for case in grouped["_case"]
    ]
    result = grouped.loc[:, columns].reset_index(drop=True)
    for column in ("start", "end", "n_words"):
        result[column] = result[column].astype("int64")
    return result


def _attribution(case: str, labels: dict[str, str]) -> str:
    detail = labels.get(canonical_case_id(case), "")
    shown = display_case_id(canonical_case_id(case))
    return f"{shown} ({detail})" if detail else shown


def _hit_count(matched: Any) -> int:
    if isinstance(matched, str) and matched.strip():
        return len({m.strip().casefold() for m in matched.split(";") if m.strip()})
    return 1  # a coding without matched text (manual, inductive) counts one
