"""The rule-based sentence splitter."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixedwai.qual.transcripts.sentences import split_sentences


def _split(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two? Three!", ["One.", "Two?", "Three!"]),
        ("Dr. Roy and Mrs. Lee met e.g. twice.", ["Dr. Roy and Mrs. Lee met e.g. twice."]),
        ("J. Smith came. He left.", ["J. Smith came.", "He left."]),
        ("We went to the U.S. with him.", ["We went to the U.S. with him."]),
        ("It cost 3.50 dollars. Fine.", ["It cost 3.50 dollars.", "Fine."]),
        ("I was... you know... tired. Then?", ["I was... you know... tired.", "Then?"]),
        ("Wait... Then he left.", ["Wait...", "Then he left."]),
        ('He said "no." Then left.', ['He said "no."', "Then left."]),
        ("(It was hard.) She stayed.", ["(It was hard.)", "She stayed."]),
        ("No. I think so.", ["No.", "I think so."]),
    ],
)
def test_english_boundaries(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ça va ? Oui ! Très bien.", ["Ça va ?", "Oui !", "Très bien."]),
        ("M. Roy et Mme. Côté, p. ex. lundi. Ensuite.", ["M. Roy et Mme. Côté, p. ex. lundi.",
                                                          "Ensuite."]),
        ("Il a dit : « non. » Puis il est parti.", ["Il a dit : « non. »", "Puis il est parti."]),
        ("Il en avait sept. Puis huit.", ["Il en avait sept.", "Puis huit."]),
    ],
)
def test_french_boundaries(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_lower_case_after_a_period_continues_the_sentence() -> None:
    assert _split("He said ok. and then left.") == ["He said ok. and then left."]


def test_a_blank_line_ends_a_sentence_but_a_line_break_does_not() -> None:
    assert _split("no punctuation here\n\nnew block\nwrapped line") == [
        "no punctuation here", "new block\nwrapped line",
    ]


def test_offset_is_added_and_white_space_is_trimmed() -> None:
    assert split_sentences("  One. Two.  ", offset=10) == [(12, 16), (17, 21)]
    assert split_sentences(" \n\t ") == []


@given(st.text(alphabet="aB .?!…\n\"»)é", max_size=120))
def test_spans_are_ordered_trimmed_and_cover_every_visible_character(text: str) -> None:
    spans = split_sentences(text)
    previous = 0
    for start, end in spans:
        assert previous <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous = end
    covered = "".join(text[s:e] for s, e in spans)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)
