"""Tests of mixedwai.qual.retrieval.matrices: matrices, frequencies, co-occurrence, quotes."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixedwai.errors import CodebookError, ColumnError, OptionError, OutcomeValueError
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.retrieval.matrices import code_frequencies, code_matrix, cooccurrence
from mixedwai.qual.retrieval.quotes import quotes


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return Codebook.model_validate(
        {
            "name": "tiny",
            "version": "1",
            "language": "en",
            "categories": [
                {
                    "id": "alliance",
                    "label": "Alliance",
                    "codes": [
                        {
                            "id": "bond",
                            "label": "Bond",
                            "codes": [{"id": "trust", "label": "Trust"}],
                        },
                        {"id": "goals", "label": "Goals"},
                    ],
                },
                {"id": "context", "label": "Context", "codes": [{"id": "phone", "label": "Phone"}]},
            ],
        }
    )


def _codings(rows: list[tuple[str, str, str, int, int, str]]) -> pd.DataFrame:
    """Rows of (doc_id, case_id, segment_id, start, end, code_id)."""
    frame = pd.DataFrame(rows, columns=["doc_id", "case_id", "segment_id", "start", "end",
                                        "code_id"])
    frame["text"] = [f"segment {s} " * 5 for s in frame["segment_id"]]
    frame["matched"] = "x"
    frame["source"] = "rule"
    return frame


@pytest.fixture
def codings() -> pd.DataFrame:
    return _codings(
        [
            ("d1", "ES1_C1", "s1", 0, 10, "bond"),
            ("d1", "ES1_C1", "s1", 0, 10, "goals"),
            ("d1", "ES1_C1", "s2", 11, 20, "trust"),
            ("d1", "ES1_C1", "s3", 21, 30, "bond"),
            ("d2", "ES1_C2", "s1", 0, 10, "goals"),
            ("d2", "ES1_C2", "s1", 0, 10, "phone"),
        ]
    )


def test_code_matrix_counts_coded_segments_per_case(codings):
    matrix = code_matrix(codings)
    assert matrix.loc["bond", "ES1_C1"] == 2
    assert matrix.loc["goals"].tolist() == [1, 1]
    assert matrix.loc["phone", "ES1_C1"] == 0
    assert matrix.index.name == "code_id" and matrix.columns.name == "case_id"


def test_code_matrix_shows_requested_cases_without_codings_as_zero_columns(codings):
    matrix = code_matrix(codings, cases=["ES1_C2", "ES1_C9"])
    assert list(matrix.columns) == ["ES1_C2", "ES1_C9"]
    assert matrix["ES1_C9"].sum() == 0
    assert matrix["ES1_C2"].sum() == 2


def test_code_matrix_counts_a_span_coded_twice_once(codings):
    manual = codings.iloc[[0]].assign(source="manual", matched="")
    doubled = pd.concat([codings, manual], ignore_index=True)
    assert code_matrix(doubled).loc["bond", "ES1_C1"] == 2


def test_code_matrix_presence_is_zero_or_one(codings):
    matrix = code_matrix(codings, value="presence")
    assert matrix.loc["bond", "ES1_C1"] == 1
    assert set(matrix.to_numpy().ravel()) <= {0, 1}


def test_code_matrix_rows_follow_codebook_and_include_uncoded_codes(codings, codebook):
    matrix = code_matrix(codings, codebook=codebook)
    assert list(matrix.index) == ["bond", "trust", "goals", "phone"]


def test_code_matrix_rollup_counts_subcode_segments_for_parent(codings, codebook):
    plain = code_matrix(codings, codebook=codebook)
    rolled = code_matrix(codings, codebook=codebook, rollup=True)
    assert plain.loc["bond", "ES1_C1"] == 2
    assert rolled.loc["bond", "ES1_C1"] == 3
    assert rolled.loc["trust", "ES1_C1"] == 1


def test_code_matrix_rollup_without_codebook_is_an_option_error(codings):
    with pytest.raises(OptionError, match="rollup=True needs the codebook"):
        code_matrix(codings, rollup=True)


def test_code_matrix_bad_value_is_an_option_error(codings):
    with pytest.raises(OptionError, match="value = 'sum'"):
        code_matrix(codings, value="sum")


def test_code_matrix_missing_column_is_a_column_error(codings):
    with pytest.raises(ColumnError, match="'code_id'"):
        code_matrix(codings.drop(columns="code_id"))


def test_code_matrix_uses_doc_id_when_case_id_is_missing(codings):
    codings.loc[codings["doc_id"] == "d2", "case_id"] = None
    assert "d2" in code_matrix(codings).columns


def test_code_frequencies_rows_in_codebook_order_with_category_subtotals(codings, codebook):
    table = code_frequencies(codings, codebook)
    assert table["level"].tolist() == ["category", "code", "code", "code", "category", "code"]
    assert table["code_id"].tolist()[1:4] == ["bond", "trust", "goals"]
    alliance = table.iloc[0]
    # distinct segments of d1 (3) and d2 (1) coded with any alliance code
    assert (alliance["n_segments"], alliance["n_docs"], alliance["n_cases"]) == (4, 2, 2)
    goals = table.set_index("code_id").loc["goals"]
    assert (goals["n_segments"], goals["n_cases"], goals["share_of_cases"]) == (2, 2, 1.0)
    assert table.set_index("code_id").loc["trust", "parent_id"] == "bond"


def test_code_frequencies_share_uses_given_cases_as_denominator(codings, codebook):
    table = code_frequencies(codings, codebook, cases=["ES1_C1", "ES1_C2", "ES1_C3", "ES1_C4"])
    assert table.set_index("code_id").loc["phone", "share_of_cases"] == 0.25


def test_code_frequencies_rollup_adds_subcode_segments_to_parent(codings, codebook):
    table = code_frequencies(codings, codebook, rollup=True).set_index("code_id")
    assert table.loc["bond", "n_segments"] == 3


def test_code_frequencies_unknown_code_is_a_codebook_error(codings, codebook):
    codings.loc[0, "code_id"] = "rapport"
    with pytest.raises(CodebookError, match="'rapport'"):
        code_frequencies(codings, codebook)


def _brute_force(codings: pd.DataFrame, level: str) -> dict[tuple[str, str], int]:
    units: dict[object, set[str]] = {}
    for row in codings.itertuples(index=False):
        key = (row.doc_id, row.segment_id) if level == "segment" else row.case_id
        units.setdefault(key, set()).add(row.code_id)
    codes = sorted(set(codings["code_id"]))
    return {
        (a, b): sum(1 for held in units.values() if a in held and b in held)
        for a, b in itertools.product(codes, codes)
    }


@pytest.mark.parametrize("level", ["segment", "case"])
def test_cooccurrence_matches_a_loop_over_units(codings, level):
    table = cooccurrence(codings, level=level)
    expected = _brute_force(codings, level)
    assert {(a, b): int(table.loc[a, b]) for a, b in expected} == expected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["d1", "d2", "d3"]), st.sampled_from(["s1", "s2", "s3"]),
                  st.sampled_from(["a", "b", "c", "d"])),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["segment", "case"]),
)
def test_cooccurrence_equals_brute_force_for_any_codings(rows, level):
    codings = pd.DataFrame(rows, columns=["doc_id", "segment_id", "code_id"])
    codings["case_id"] = codings["doc_id"].map({"d1": "C1", "d2": "C1", "d3": "C2"})
    table = cooccurrence(codings, level=level)
    assert (table.to_numpy() == table.to_numpy().T).all()
    expected = _brute_force(codings, level)
    assert {(a, b): int(table.loc[a, b]) for a, b in expected} == expected


def test_cooccurrence_bad_level_is_an_option_error(codings):
    with pytest.raises(OptionError, match="level = 'turn'"):
        cooccurrence(codings, level="turn")


def _quote_codings() -> pd.DataFrame:
    words = [f"w{i}" for i in range(12)]
    rows = [
        # doc, case, segment, start, n_words, matched
        ("d1", "ES11_C4", "d1:s1", 0, 12, "trust"),
        ("d1", "ES11_C4", "d1:s2", 100, 10, "trust; on the same page"),
        ("d2", "ES5_C2", "d2:s1", 0, 12, "trust"),
        ("d3", "ES8_C1", "d3:s1", 0, 5, "trust; confide; team"),
    ]
    return pd.DataFrame(
        {
            "doc_id": [r[0] for r in rows],
            "case_id": [r[1] for r in rows],
            "segment_id": [r[2] for r in rows],
            "speaker": "ES",
            "start": [r[3] for r in rows],
            "end": [r[3] + 60 for r in rows],
            "text": [" ".join(words[: r[4]]) for r in rows],
            "code_id": "bond",
            "matched": [r[5] for r in rows],
            "source": "rule",
        }
    )


def test_quotes_take_one_segment_per_case_before_a_second_one():
    found = quotes(_quote_codings(), "bond", n=3, min_words=8)  # d3:s1 (5 words) left out
    # d1:s2 has two hits, so it is ES11_C4's best; ES5_C2 comes before ES11_C4's second
    assert found["segment_id"].tolist() == ["d1:s2", "d2:s1", "d1:s1"]
    assert found["n_hits"].tolist() == [2, 1, 1]


def test_quotes_keep_every_segment_by_default_and_skip_short_ones_when_asked():
    everything = quotes(_quote_codings(), "bond", n=10)
    assert "d3:s1" in everything["segment_id"].tolist()
    assert everything.attrs["n_outside_length"] == 0
    assert len(everything) == everything.attrs["n_segments"]
    short = quotes(_quote_codings(), "bond", n=10, min_words=8)
    assert "d3:s1" not in short["segment_id"].tolist()
    assert short.attrs["n_outside_length"] >= 1
    assert len(short) + short.attrs["n_outside_length"] == short.attrs["n_segments"]


def test_quotes_attribution_in_the_papers_form():
    cases = pd.DataFrame(
        {"pattern": ["SHA", "SLA"], "outcome": [True, "no"]}, index=["ES#11_C4", "ES05_C02"]
    )
    found = quotes(_quote_codings(), "bond", n=2, cases=cases, min_words=8)
    assert found["attribution"].tolist() == [
        "ES#11_C4 (Cluster SHA, obtained a job)",
        "ES#5_C2 (Cluster SLA, did not obtain a job)",
    ]


def test_quotes_attribution_with_patterns_only_and_without_cases():
    patterns = pd.Series({"ES11_C4": "LDA"})
    assert quotes(_quote_codings(), "bond", n=1, cases=patterns, min_words=8)[
        "attribution"].iloc[0] == (
        "ES#11_C4 (Cluster LDA)"
    )
    assert quotes(_quote_codings(), "bond", n=1, min_words=8)["attribution"].iloc[0] == "ES#11_C4"


def test_quotes_unknown_outcome_value_is_an_outcome_value_error():
    cases = pd.DataFrame({"pattern": ["SHA"], "outcome": ["maybe"]}, index=["ES11_C4"])
    with pytest.raises(OutcomeValueError, match="case ES11_C4: outcome = 'maybe'"):
        quotes(_quote_codings(), "bond", cases=cases)


def _goals_book() -> Codebook:
    return Codebook.model_validate({"name": "d", "version": "1", "language": "en", "categories": [
        {"id": "alliance", "label": "A", "codes": [
            {"id": "bond", "label": "Bond"}, {"id": "goals", "label": "Goals"}]}]})


def test_quotes_of_a_code_of_the_codebook_never_coded_is_empty():
    assert quotes(_quote_codings(), "goals", codebook=_goals_book()).empty


def test_quotes_of_a_code_listed_in_the_codings_attrs_never_coded_is_empty():
    codings = _quote_codings()
    codings.attrs["code_ids"] = ["bond", "goals"]
    assert quotes(codings, "goals").empty


def test_quotes_of_an_unknown_code_is_a_codebook_error_with_a_suggestion():
    with pytest.raises(CodebookError, match=r"unknown code 'gaols'.*did you mean 'goals'\?"):
        quotes(_quote_codings(), "gaols", codebook=_goals_book())


def test_quotes_of_a_code_without_codings_nor_codebook_says_so():
    with pytest.raises(
        CodebookError,
        match=r"code 'bnod' has no coding in this table, and no codebook says it exists; "
        r"did you mean 'bond'\?.*pass codebook=",
    ):
        quotes(_quote_codings(), "bnod")
