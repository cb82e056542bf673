"""Pseudonymisation: names replaced in text and labels, offsets recomputed exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixedwai.errors import OptionError
from mixedwai.qual import pseudonymise as lazy_pseudonymise
from mixedwai.qual.pseudonyms import pseudonymise
from mixedwai.qual.transcripts.corpus import Corpus
from mixedwai.qual.transcripts.loading import load_corpus
from mixedwai.qual.transcripts.model import Transcript

TEXT = (
    "---\ntitle: Interview with Marie Tremblay\n---\n"
    "Julie: How is Marc doing?\n"
    "Marie Tremblay: Marc found a job. MARC is happy.\n"
    "Mariette, his sister, helped.\n"
    "Julie: Good. Did Marie Tremblay's team help?\n"
    "Marie Tremblay: Yes.\n"
)
MAPPING = {"Marie Tremblay": "ES-A", "Marc": "Client-1", "Julie": "Interviewer-1"}


def _check_offsets(transcript: Transcript) -> None:
    for unit in ("turn", "paragraph", "sentence"):
        for segment in transcript.segments(unit):
            assert transcript.text[segment.start : segment.end] == segment.text


def test_names_are_replaced_in_text_speakers_and_metadata() -> None:
    transcript = Transcript.from_text(TEXT, speakers={"Marie Tremblay": "ES"})
    result = pseudonymise(transcript, MAPPING)
    assert "Marc" not in result.text and "MARC" not in result.text
    assert "Tremblay" not in result.text and "Julie" not in result.text
    assert [(t.speaker, t.role) for t in result.turns] == [
        ("Interviewer-1", "Interviewer-1"), ("ES-A", "ES"), ("Interviewer-1", "Interviewer-1"),
        ("ES-A", "ES"),
    ]
    assert result.turns[1].text == (
        "Client-1 found a job. Client-1 is happy.\nMariette, his sister, helped."
    )
    assert result.turns[2].text == "Good. Did ES-A's team help?"
    assert result.metadata == {"title": "Interview with ES-A"}
    _check_offsets(result)


def test_original_is_left_unchanged() -> None:
    transcript = Transcript.from_text(TEXT)
    before = transcript.text
    pseudonymise(transcript, MAPPING)
    assert transcript.text == before


def test_whole_words_false_replaces_inside_words() -> None:
    transcript = Transcript.from_text("A: Marie and Mariette.\nB: Ok.\n")
    result = pseudonymise(transcript, {"Marie": "X"}, whole_words=False)
    assert result.turns[0].text == "X and Xtte."


def test_case_sensitive_matching_when_asked() -> None:
    transcript = Transcript.from_text("A: Marc and MARC.\nB: Ok.\n")
    result = pseudonymise(transcript, {"Marc": "C1"}, case_insensitive=False)
    assert result.turns[0].text == "C1 and MARC."


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Marie-Claire came with Marie.", "Marie-Claire came with P."),
        ("Jean-Marie came.", "Jean-Marie came."),
        ("Anne\u2011Marie came.", "Anne\u2011Marie came."),  # non-breaking hyphen
        ("O'Brien and Brien.", "O'Brien and B."),
        ("Marie's job, Marie\u2019s job.", "P's job, P\u2019s job."),
        ("Le projet d'Anne, qu\u2019Anne aimait. D'Anne.", "Le projet d'A, qu\u2019A aimait. D'A."),
        ("Marie - she came.", "P - she came."),
    ],
)
def test_names_joined_by_hyphens_or_apostrophes_are_one_word(sentence, expected) -> None:
    transcript = Transcript.from_text(f"A: {sentence}\nB: Ok.\n")
    result = pseudonymise(transcript, {"Marie": "P", "Brien": "B", "Anne": "A"})
    assert result.turns[0].text == expected
    _check_offsets(result)


def test_elision_is_recognised_when_matching_is_case_sensitive() -> None:
    transcript = Transcript.from_text("A: D'Anne.\nB: Ok.\n")
    result = pseudonymise(transcript, {"Anne": "A"}, case_insensitive=False)
    assert result.turns[0].text == "D'A."


def test_longer_names_win_over_their_prefixes() -> None:
    transcript = Transcript.from_text("A: Marie Tremblay met Marie.\nB: Ok.\n")
    result = pseudonymise(transcript, {"Marie": "M", "Marie Tremblay": "MT"})
    assert result.turns[0].text == "MT met M."


def test_corpus_is_pseudonymised_transcript_by_transcript(tmp_path: Path) -> None:
    (tmp_path / "ES1_C1.txt").write_text("Julie: Hi Marc.\nES: Hi.\n")
    (tmp_path / "ES1_C2.txt").write_text("Julie: Bye Marc.\nES: Bye.\n")
    corpus = load_corpus(tmp_path)
    result = pseudonymise(corpus, {"Marc": "C", "Julie": "I"})
    assert isinstance(result, Corpus)
    assert result.doc_ids == corpus.doc_ids
    assert [t.turns[0].text for t in result] == ["Hi C.", "Bye C."]
    assert [t.turns[0].speaker for t in result] == ["I", "I"]


def test_exposed_lazily_from_mixedwai_qual_and_mixedwai() -> None:
    import mixedwai
    import mixedwai.qual

    assert lazy_pseudonymise is pseudonymise
    assert mixedwai.qual.pseudonymise is pseudonymise  # not shadowed by a submodule
    assert mixedwai.pseudonymise is pseudonymise


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({}, "non-empty mapping"),
        ({"": "x"}, "name '' is not a non-empty text"),
        ({"Marc": 3}, "replacement of 'Marc' must be a text"),
        ({"Marc": "A", "MARC": "B"}, "same when case is ignored"),
    ],
)
def test_bad_mappings_are_option_errors(mapping: dict, message: str) -> None:
    transcript = Transcript.from_text("A: Marc.\nB: Ok.\n")
    with pytest.raises(OptionError, match=message):
        pseudonymise(transcript, mapping)


def test_wrong_input_type_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="takes a Transcript or a Corpus; got str"):
        pseudonymise("text", {"a": "b"})  # type: ignore[type-var]


_names = st.sampled_from(["Ann", "Bob", "Ann Lee", "Zoé", "Al"])


@settings(max_examples=80, deadline=None)
@given(
    turns=st.lists(
        st.tuples(
            st.sampled_from(["Ann", "Bob", "Interviewer"]),
            st.lists(st.one_of(_names, st.sampled_from(["met", "and", ".", "said", "\n", "\n\n"])),
                     min_size=1, max_size=12),
        ),
        min_size=1, max_size=6,
    ),
    replacements=st.dictionaries(_names, st.text(alphabet="XYZ -", min_size=0, max_size=6),
                                 min_size=1),
)
def test_offsets_stay_exact_after_any_replacement(turns, replacements) -> None:
    text = "\n".join(f"{speaker}: {' '.join(words)} end." for speaker, words in turns)
    transcript = Transcript.from_text(text, speakers={"Ann": "ES", "Bob": "client"})
    result = pseudonymise(transcript, replacements)
    assert len(result.turns) == len(transcript.turns)
    _check_offsets(result)
