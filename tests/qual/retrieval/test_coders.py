"""Matrices and co-occurrence that know coders: by coder, where coders agree, and a warning."""

from __future__ import annotations

import itertools
import warnings

import pandas as pd
import pytest

from mixedwai.errors import MixedCodersWarning, OptionError
from mixedwai.qual.retrieval.matrices import code_frequencies, code_matrix, cooccurrence


def _codings() -> pd.DataFrame:
    rows = [  # doc, case, segment, start, end, code, coder
        ("d1", "C1", "s1", 0, 10, "bond", "ann"), ("d1", "C1", "s1", 0, 10, "bond", "bob"),
        ("d1", "C1", "s1", 0, 10, "goals", "ann"),
        ("d1", "C1", "s2", 11, 20, "goals", "ann"), ("d1", "C1", "s2", 11, 20, "goals", "bob"),
        ("d2", "C2", "s1", 0, 10, "bond", "bob"),  # only bob coded d2
        ("d2", "C2", "s1", 0, 10, "tasks", "bob"),
        ("d3", "C3", "s1", 0, 10, "tasks", "ann"), ("d3", "C3", "s2", 11, 20, "tasks", "bob"),
    ]
    return pd.DataFrame(rows, columns=["doc_id", "case_id", "segment_id", "start", "end",
                                       "code_id", "coder"])


def _expected_agreed(codings: pd.DataFrame) -> set[tuple]:
    """Independently: spans coded by every coder who coded something in that document."""
    kept = set()
    for doc, rows in codings.groupby("doc_id"):
        coders = set(rows["coder"])
        by_span: dict[tuple, set] = {}
        for r in rows.itertuples(index=False):
            by_span.setdefault((r.code_id, doc, r.start, r.end), set()).add(r.coder)
        kept |= {span for span, who in by_span.items() if who == coders}
    return kept


def test_merging_several_coders_without_saying_how_warns() -> None:
    with pytest.warns(MixedCodersWarning, match="2 coders \\(ann, bob\\)"):
        merged = code_matrix(_codings())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert code_matrix(_codings(), coders="any").equals(merged)
        single = _codings()[_codings()["coder"] == "ann"]
        code_matrix(single)  # one coder: nothing to say
    with pytest.warns(MixedCodersWarning):
        cooccurrence(_codings())
    with pytest.warns(MixedCodersWarning):
        code_frequencies(_codings(), _book())


def test_agree_keeps_only_what_every_coder_of_the_document_coded() -> None:
    codings = _codings()
    agreed = code_matrix(codings, coders="agree", cases=["C1", "C2", "C3"])
    expected = _expected_agreed(codings)
    # d1: bond s1 and goals s2 agreed (goals s1 only ann); d2: bob alone agrees with
    # himself; d3: ann and bob coded different spans, nothing agreed
    assert expected == {("bond", "d1", 0, 10), ("goals", "d1", 11, 20),
                        ("bond", "d2", 0, 10), ("tasks", "d2", 0, 10)}
    counts = pd.Series([1 for _ in expected], index=pd.MultiIndex.from_tuples(
        [(c, {"d1": "C1", "d2": "C2", "d3": "C3"}[d]) for c, d, _s, _e in expected]))
    for (code, case), n in counts.groupby(level=[0, 1]).sum().items():
        assert agreed.loc[code, case] == n
    assert agreed.to_numpy().sum() == len(expected)
    assert agreed["C3"].sum() == 0


def test_one_coder_at_a_time() -> None:
    codings = _codings()
    for coder in ("ann", "bob"):
        alone = codings[codings["coder"] == coder]
        assert code_matrix(codings, coders=coder).equals(code_matrix(alone))
        assert cooccurrence(codings, coders=[coder]).equals(cooccurrence(alone))
    with pytest.raises(OptionError, match="unknown: 'carl'"):
        code_matrix(codings, coders="carl")


def test_cooccurrence_where_coders_agree_matches_a_loop() -> None:
    codings = _codings()
    table = cooccurrence(codings, coders="agree")
    agreed = _expected_agreed(codings)
    segment = {(r.doc_id, r.start, r.end): r.segment_id for r in codings.itertuples()}
    units: dict[tuple, set] = {}
    for code, doc, start, end in agreed:
        units.setdefault((doc, segment[(doc, start, end)]), set()).add(code)
    for a, b in itertools.product(table.index, table.columns):
        assert table.loc[a, b] == sum(1 for codes in units.values() if {a, b} <= codes)


def _book():
    from mixedwai.qual.codebook.model import Codebook

    return Codebook.model_validate({"name": "d", "version": "1", "language": "en",
                                    "categories": [{"id": "alliance", "label": "A", "codes": [
                                        {"id": "bond", "label": "Bond"},
                                        {"id": "goals", "label": "Goals"},
                                        {"id": "tasks", "label": "Tasks"}]}]})
