"""Tests of text search (keywords in context) and of search hits kept as codings."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import ColumnError, OptionError
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.coding.apply import code_corpus
from mixedwai.qual.coding.schema import CODING_COLUMNS
from mixedwai.qual.retrieval.matrices import code_matrix
from mixedwai.qual.retrieval.search import search, search_rule
from mixedwai.qual.transcripts.loading import load_corpus
from mixedwai.qual.transcripts.model import Transcript

SAMPLE = Path(__file__).resolve().parents[3] / "sample_corpus" / "transcripts"


@pytest.fixture(scope="module")
def corpus():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_corpus(SAMPLE)


def _regex_hits(corpus, pattern: str, *, roles=None, language=None) -> list[tuple[str, int, int]]:
    """Independent count: a regular expression over each turn's text."""
    found = []
    for t in corpus:
        if language is not None and (t.language or "en") != language:
            continue
        for turn in t.turns:
            if roles is not None and turn.role not in roles:
                continue
            for m in re.finditer(pattern, turn.text, flags=re.IGNORECASE):
                found.append((t.doc_id, turn.start + m.start(), turn.start + m.end()))
    return sorted(found)


def test_wildcard_confian_on_the_french_interview_gives_kwic_with_speaker_and_case(corpus):
    result = search(corpus, "confian*")
    expected = _regex_hits(corpus, r"(?<!\w)confian\w*")
    got = sorted(zip(result.hits["doc_id"], result.hits["start"], result.hits["end"],
                     strict=True))
    assert got == expected and len(got) >= 2
    french = corpus["ES5_C4_fr"]
    for row in result.hits.itertuples(index=False):
        assert row.case_id == "ES5_C4" and row.speaker == "Conseillère" and row.role == "ES"
        assert french.text[row.start : row.end] == row.hit
        assert row.hit.lower().startswith("confian")
        turn = next(t for t in french.turns if t.start <= row.start < t.end)
        assert " ".join(turn.text[: row.start - turn.start].split()).endswith(row.left)
        assert " ".join(turn.text[row.end - turn.start :].split()).startswith(row.right)
        assert len(row.left.split()) <= 8 and len(row.right.split()) <= 8


def test_trust_on_the_english_interviews_matches_a_whole_word_regex(corpus):
    result = search(corpus, "trust")
    expected = _regex_hits(corpus, r"(?<![\w'])trust(?![\w])")
    got = sorted(zip(result.hits["doc_id"], result.hits["start"], result.hits["end"],
                     strict=True))
    assert got == expected
    assert set(result.hits["case_id"]) >= {"ES3_C1", "ES5_C2", "ES8_C5"}
    assert result.hits["speaker"].notna().all() and result.hits["role"].notna().all()


def test_role_filter_keeps_only_the_professionals_turns(corpus):
    everyone = search(corpus, "trust")
    es = search(corpus, "trust", roles="ES")
    assert set(es.hits["role"]) == {"ES"}
    assert len(es.hits) == int((everyone.hits["role"] == "ES").sum())
    assert es.n_searched < es.n_turns


def test_case_and_pattern_filters(corpus):
    table = pd.DataFrame({"case_id": ["ES#3_C1", "ES5_C2", "ES8_C5"],
                          "pattern": ["SLA", "SHA", "SLA"]})
    by_pattern = search(corpus, "trust", patterns="SLA", case_table=table)
    assert set(by_pattern.hits["case_id"]) == {"ES3_C1", "ES8_C5"}
    assert set(by_pattern.hits["pattern"]) == {"SLA"}
    assert list(by_pattern.hits.columns[:3]) == ["doc_id", "case_id", "pattern"]
    by_case = search(corpus, "trust", cases=["es5-c2"])
    assert set(by_case.hits["case_id"]) == {"ES5_C2"}
    with pytest.raises(OptionError, match="needs a table"):
        search(corpus, "trust", patterns="SLA")
    with pytest.raises(OptionError, match="'LDA' belong to no case"):
        search(corpus, "trust", patterns="LDA", case_table=table)
    with pytest.raises(ColumnError, match="no 'pattern'"):
        search(corpus, "trust", patterns="SLA", case_table=table.drop(columns="pattern"))


def test_hits_saved_as_codings_are_counted_by_code_matrix(corpus):
    result = search(corpus, "trust", roles="ES")
    codings = result.to_codings("trust_search")
    assert set(codings["source"]) == {"search"}
    assert list(codings.columns) == list(CODING_COLUMNS)
    matrix = code_matrix(codings)
    expected = result.hits.drop_duplicates(["doc_id", "segment_id"]).groupby("case_id").size()
    for case, n in expected.items():
        assert matrix.loc["trust_search", case] == n
    assert matrix.loc["trust_search"].sum() == len(codings)
    # every case searched is a column, with or without hits
    assert set(matrix.columns) == set(result.case_ids)
    for row in codings.itertuples(index=False):
        assert corpus[row.doc_id].text[row.start : row.end] == row.text


def test_the_rule_of_a_search_codes_the_same_segments_as_the_search(corpus):
    for query in ("trust", "confian*", "/trust(ed|ing)?/"):
        result = search(corpus, query, unit="sentence")
        for language in ("en", "fr"):
            book = Codebook.model_validate({
                "name": "q", "version": "1", "language": language,
                "categories": [{"id": "c", "label": "C", "codes": [
                    {"id": "q", "label": "Q", "match": result.rule.model_dump(),
                     # a search does not read negation: "didn't trust" is a hit
                     "when_negated": "keep"}]}]})
            docs = [t for t in corpus if (t.language or "en") == language]
            coded = code_corpus(docs, book, unit="sentence", speakers="all")
            found = result.to_codings("q")
            found = found[found["doc_id"].isin([t.doc_id for t in docs])]
            assert sorted(zip(coded["doc_id"], coded["segment_id"], strict=True)) == sorted(
                zip(found["doc_id"], found["segment_id"], strict=True))


def test_lemma_search_finds_inflected_forms():
    t = Transcript.from_text("ES: She trusted me, and I trust her; trusting is hard.",
                             doc_id="es1-c1")
    hits = search(t, "trust", mode="lemmas").hits["hit"].tolist()
    assert hits == ["trusted", "trust", "trusting"]
    assert search(t, "trust").hits["hit"].tolist() == ["trust"]


def test_context_zero_and_phrases():
    t = Transcript.from_text("ES: We were on the same page, really on the Same Page.",
                             doc_id="es1-c1")
    result = search(t, "on the same page", context=0)
    assert result.hits["hit"].tolist() == ["on the same page", "on the Same Page"]
    assert set(result.hits["left"]) == {""} and set(result.hits["right"]) == {""}


def test_rules_for_each_mode():
    assert search_rule("felt heard", mode="lemmas").patterns == [
        [{"LEMMA": "felt"}, {"LEMMA": "heard"}]]
    assert search_rule("job s?arch*").patterns == [
        [{"LOWER": "job"}, {"LOWER": {"REGEX": "^s.arch.*$"}}]]
    assert search_rule("/a.c/", mode="auto").patterns == [[{"TEXT": {"REGEX": "(?i)^(?:a.c)$"}}]]
    with pytest.raises(OptionError, match="not a valid regular expression"):
        search_rule("/tr(ust/")
    with pytest.raises(OptionError, match="mode"):
        search_rule("trust", mode="fuzzy")
    with pytest.raises(OptionError, match="non-empty"):
        search_rule(" ")


def test_a_linked_study_gives_the_patterns(corpus):
    from dataclasses import dataclass

    @dataclass
    class Linked:  # what link_study returns, as far as search reads it
        case_table: pd.DataFrame

    linked = Linked(pd.DataFrame({"pattern": ["stable low", "stable high"]},
                                 index=pd.Index(["ES3_C1", "ES5_C2"], name="case_id")))
    found = search(corpus, "trust", patterns="stable low", case_table=linked)
    assert set(found.hits["case_id"]) == {"ES3_C1"}
