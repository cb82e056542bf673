"""Negated clauses and speaker-limited codes in rule-based coding."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from mixedwai.errors import CodebookError
from mixedwai.qual.codebook.loading import codebook_from_yaml, load_codebook
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.coding.apply import code_corpus
from mixedwai.qual.coding.negation import negation_scope
from mixedwai.qual.coding.nlp import get_pipeline
from mixedwai.qual.transcripts.model import Transcript

SAMPLE = Path(__file__).resolve().parents[3] / "sample_corpus"


def _book(codes: str, extra: str = "", language: str = "en") -> Codebook:
    return codebook_from_yaml(
        f"name: Demo\nversion: '1'\nlanguage: {language}\n{extra}"
        "categories:\n  - id: alliance\n    label: Alliance\n    codes:\n" + codes
    )


BOND = "      - id: bond\n        label: Bond\n        match: {lemmas: [trust]}\n"


def _coded(text: str, book: Codebook, **kw) -> list[tuple[str, str, bool]]:
    t = Transcript.from_text(text, doc_id="ES1_C1")
    codings = code_corpus([t], book, **kw)
    return list(zip(codings["text"], codings["code_id"], codings["negated"], strict=True))


def test_sample_never_agreed_is_goal_disagreement_not_agreement() -> None:
    from mixedwai.qual.transcripts.loading import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus(SAMPLE / "transcripts")
    books = {"en": load_codebook("ross2008-en"), "fr": load_codebook("ross2008-fr")}
    codings = code_corpus(corpus, books, speakers=["ES"])
    sentence = codings[codings["text"] == "We never agreed on a clear goal."]
    assert len(sentence)  # the sentence is in the sample
    assert "goal_disagreement" in set(sentence["code_id"])
    assert "goal_agreement" not in set(sentence["code_id"])
    # the redirected coding says which clause it comes from
    assert codings.attrs["negated"]["goal_agreement"]["redirected"] >= 1


def test_a_negated_match_is_dropped_and_counted() -> None:
    book = _book(BOND)
    t = Transcript.from_text("ES: I don't think she trusted me. She trusted me later.",
                             doc_id="ES1_C1")
    codings = code_corpus([t], book)
    assert codings["text"].tolist() == ["She trusted me later."]
    assert codings.attrs["negated"] == {"bond": {"dropped": 1}}


def test_scope_ends_at_the_clause_boundary() -> None:
    book = _book(BOND)
    assert _coded("ES: He was never late, but he trusted me.", book) == [
        ("He was never late, but he trusted me.", "bond", False)]
    assert _coded("ES: No, he trusted me.", book) == [("No, he trusted me.", "bond", False)]
    assert _coded("ES: There was no trust and no respect.", book) == []


def test_a_rule_holding_the_negation_is_not_affected() -> None:
    codes = ("      - id: mistrust\n        label: Mistrust\n        match:\n"
             "          patterns: [[{LOWER: {IN: [\"n't\", not]}}, {LEMMA: trust}]]\n")
    assert _coded("ES: He didn't trust me.", _book(codes)) == [
        ("He didn't trust me.", "mistrust", False)]


def test_flag_keeps_the_row_marked_negated() -> None:
    book = _book(BOND.replace("        match", "        when_negated: flag\n        match"))
    assert _coded("ES: He never trusted me.", book) == [("He never trusted me.", "bond", True)]


def test_keep_and_negation_disabled_code_as_before() -> None:
    keep = _book(BOND.replace("        match", "        when_negated: keep\n        match"))
    off = _book(BOND, extra="negation: {enabled: false}\n")
    for book in (keep, off):
        assert _coded("ES: He never trusted me.", book) == [("He never trusted me.", "bond", False)]


def test_when_negated_sends_the_match_to_another_code() -> None:
    codes = (BOND.replace("        match", "        when_negated: distrust\n        match")
             + "      - id: distrust\n        label: Distrust\n")
    t = Transcript.from_text("ES: He never trusted me.", doc_id="ES1_C1")
    codings = code_corpus([t], _book(codes))
    assert codings[["code_id", "matched", "negated"]].values.tolist() == [
        ["distrust", "never trusted", False]]


def test_codebook_cues_and_boundaries_extend_the_language() -> None:
    book = _book(BOND, extra="negation: {cues: [seldom], boundaries: [then]}\n")
    assert _coded("ES: He seldom trusted anyone.", book) == []
    assert _coded("ES: He never called then trusted me.", book) == [
        ("He never called then trusted me.", "bond", False)]


def test_unknown_when_negated_target_is_an_error() -> None:
    with pytest.raises(CodebookError, match="when_negated = 'nope'"):
        _book(BOND.replace("        match", "        when_negated: nope\n        match"))


def test_french_negation_needs_no_parser() -> None:
    codes = "      - id: bond\n        label: Lien\n        match: {lemmas: [confiance]}\n"
    book = _book(codes, language="fr")
    assert _coded("ES: Il n'avait pas confiance. Il avait confiance en moi.", book) == [
        ("Il avait confiance en moi.", "bond", False)]
    assert _coded("ES: On avait jamais confiance, mais après oui.", book) == []


def test_cue_before_examples() -> None:
    scope = negation_scope("en")
    doc = get_pipeline("en")("He wasn't sure, but the goal was clear and not the tasks.")
    goal = [t.text for t in doc].index("goal")
    tasks = [t.text for t in doc].index("tasks")
    assert scope.cue_before(doc, goal, goal + 1) is None
    assert doc[scope.cue_before(doc, tasks, tasks + 1)].text == "not"


def test_a_code_limited_to_es_speech_never_codes_a_client_turn() -> None:
    codes = BOND.replace("        match", "        speakers: [ES]\n        match")
    book = _book(codes)  # the codebook itself codes everyone
    t = Transcript.from_text(
        "ES: She trusted me.\nClient: I trusted her.\nES: We trust each other.\n"
        "Client: Trust is everything.", doc_id="ES1_C1",
    )
    codings = code_corpus([t], book)
    assert set(codings["role"]) == {"ES"}
    assert codings["text"].tolist() == ["She trusted me.", "We trust each other."]
    assert codings.attrs["negated"] == {"bond": {"other_speaker": 2}}


def test_speakers_are_inherited_from_the_category_and_parent() -> None:
    book = codebook_from_yaml(
        "name: Demo\nversion: '1'\nlanguage: en\ncategories:\n"
        "  - id: alliance\n    label: Alliance\n    speakers: client\n    codes:\n"
        "      - id: bond\n        label: Bond\n        codes:\n"
        "          - id: sub\n            label: Sub\n"
        "      - id: goal\n        label: Goal\n        speakers: [ES, interviewer]\n"
    )
    assert book.speakers_of("sub") == ["client"]
    assert book.speakers_of("goal") == ["ES", "interviewer"]


def test_a_determiner_cue_stops_at_a_preposition() -> None:
    codes = "      - id: goal\n        label: Goal\n        match: {lemmas: [goal, tension]}\n"
    book = _book(codes)
    t = Transcript.from_text("ES: There was no tension on the goal.", doc_id="ES1_C1")
    codings = code_corpus([t], book)
    assert codings["matched"].tolist() == ["goal"]  # tension is negated, the goal is not
    assert _coded("ES: We never talked about the goal.", book) == []


def test_flagged_codings_are_kept_out_of_counts_and_quotes() -> None:
    from mixedwai.qual.retrieval.matrices import code_frequencies, code_matrix
    from mixedwai.qual.retrieval.quotes import quotes

    book = _book(BOND.replace("        match", "        when_negated: flag\n        match"))
    t = Transcript.from_text(
        "ES: He never trusted me with anything about his family or his past life. "
        "Later on he trusted me with everything about his family and his life.",
        doc_id="ES1_C1")
    codings = code_corpus([t], book)
    assert codings["negated"].tolist() == [True, False]
    assert int(code_matrix(codings).loc["bond", "ES1_C1"]) == 1
    frequencies = code_frequencies(codings, book)
    assert int(frequencies.loc[frequencies["code_id"] == "bond", "n_segments"].iloc[0]) == 1
    assert quotes(codings, "bond", n=5)["quote"].str.startswith("Later").tolist() == [True]
