"""Summaries of codings: code x case matrices, frequencies, co-occurrence, quotes.

Every function takes a codings table (the schema of
:data:`mixedwai.qual.coding.schema.CODING_COLUMNS`, from
:func:`~mixedwai.qual.coding.apply.code_corpus`,
:func:`~mixedwai.qual.coding.apply.load_manual_codings` or
:func:`~mixedwai.qual.coding.apply.merge_codings`) and returns a DataFrame.

Two conventions hold throughout:

* a **coded segment** is a distinct ``(doc_id, start, end)`` span: the same
  span coded twice with one code (by the rules and by a person, say) counts once;
* the **case** of a row is its ``case_id``, or its ``doc_id`` when the transcript
  has no case id, so that no coding is ever left out of a per-case summary.

The helpers shared with :mod:`mixedwai.qual.retrieval.quotes` (where :func:`quotes` lives)
are in :mod:`mixedwai.qual.retrieval.codings`; this module makes the matrices,
frequencies and co-occurrences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice
from mixedwai.errors import CodebookError, OptionError
from mixedwai.ids import canonical_case_id
from mixedwai.qual.retrieval.codings import (
    _SPAN,
    _affirmed,
    _case_keys,
    _require,
    _select_coders,
)

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["code_frequencies", "code_matrix", "cooccurrence"]


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
    coders: str | Sequence[str] | None = None,
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
    coders : {"any", "agree"}, str or list of str, optional
        How to read a table that holds several coders (its ``coder`` column):
        ``"any"`` counts a segment coded by any of them; ``"agree"`` only the
        (code, document, start, end) spans that every coder of the document (every
        coder with a coding in it) coded; a coder's name (or a list of names)
        counts only their codings, e.g. one table per coder. Default: as ``"any"``,
        with a :class:`~mixedwai.errors.MixedCodersWarning` when the table holds
        more than one coder.

    Returns
    -------
    pandas.DataFrame
        Index ``code_id``, one int64 column per case (columns named ``case_id``).

    Raises
    ------
    ColumnError
        ``codings`` lacks doc_id, start, end or code_id.
    OptionError
        Bad ``value``, or ``rollup`` without ``codebook``; ``coders`` naming no
        coder of the table.
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
    codings = _select_coders(codings, coders, "code_matrix")
    check_choice("value", value, ["count", "presence"])
    codings = _affirmed(codings)
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
    coders: str | Sequence[str] | None = None,
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
    coders : {"any", "agree"}, str or list of str, optional
        How to read a table that holds several coders (its ``coder`` column):
        ``"any"`` counts a segment coded by any of them; ``"agree"`` only the
        (code, document, start, end) spans that every coder of the document (every
        coder with a coding in it) coded; a coder's name (or a list of names)
        counts only their codings, e.g. one table per coder. Default: as ``"any"``,
        with a :class:`~mixedwai.errors.MixedCodersWarning` when the table holds
        more than one coder.

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
    >>> from mixedwai.qual.codebook.model import Codebook
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
    codings = _select_coders(codings, coders, "code_frequencies")
    _unknown_codes(codings, codebook, "code_frequencies")
    codings = _affirmed(codings)
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
    codings: pd.DataFrame,
    *,
    level: str = "segment",
    codebook: Codebook | None = None,
    coders: str | Sequence[str] | None = None,
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
    coders : {"any", "agree"}, str or list of str, optional
        How to read a table that holds several coders (its ``coder`` column):
        ``"any"`` counts a segment coded by any of them; ``"agree"`` only the
        (code, document, start, end) spans that every coder of the document (every
        coder with a coding in it) coded; a coder's name (or a list of names)
        counts only their codings, e.g. one table per coder. Default: as ``"any"``,
        with a :class:`~mixedwai.errors.MixedCodersWarning` when the table holds
        more than one coder.

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
        Bad ``level``; ``coders`` naming no coder of the table.

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
    codings = _select_coders(codings, coders, "cooccurrence")
    codings = _affirmed(codings)
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
