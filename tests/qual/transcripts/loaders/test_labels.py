"""Speaker-label shapes, acceptance rules, roles, declared speakers and front matter."""

from __future__ import annotations

import pytest

from mixedwai.errors import TranscriptError
from mixedwai.qual.transcripts.loaders.frontmatter import meta_get, parse_pairs, split_front_matter
from mixedwai.qual.transcripts.loaders.labels import (
    accept_labels,
    is_label,
    parse_line,
    parse_timestamp,
)
from mixedwai.qual.transcripts.loaders.speaker_roles import (
    canonical_role,
    declared_speakers,
    role_of,
)


@pytest.mark.parametrize(
    ("line", "label", "form", "timestamp"),
    [
        ("Marie: Bonjour.", "Marie", "plain", None),
        ("Marie : Bonjour.", "Marie", "plain", None),
        ("Interviewer 1: Hello", "Interviewer 1", "plain", None),
        ("INTERVIEWER: Hello", "INTERVIEWER", "plain", None),
        ("[id1] hello", "id1", "bracket", None),
        ("[Marie]: hello", "Marie", "bracket", None),
        ("**Marie:** Yes", "Marie", "bold", None),
        ("**Marie**: Yes", "Marie", "bold", None),
        ("__Marie:__ Yes", "Marie", "bold", None),
        ("[00:01:02] Client: Yes", "Client", "plain", 62.0),
        ("(1:02:03) Client: Yes", "Client", "plain", 3723.0),
        ("00:00:09 Client: Yes", "Client", "plain", 9.0),
        ("[00:00:01 - 00:00:04] Client: Yes", "Client", "plain", 1.0),
        ("Speaker 1 (00:10): Yes", "Speaker 1", "plain", 10.0),
        ("Dr. Roy: Yes", "Dr. Roy", "plain", None),
        ("Int.: Yes", "Int.", "plain", None),
    ],
)
def test_label_forms(line: str, label: str, form: str, timestamp: float | None) -> None:
    candidate = parse_line(line)
    assert candidate is not None
    assert (candidate.label, candidate.form, candidate.timestamp) == (label, form, timestamp)
    assert line[candidate.speech :] in ("Bonjour.", "Hello", "hello", "Yes")


@pytest.mark.parametrize(
    "line",
    [
        "So, it went well: fine.",  # comma
        "Why not? Here: this.",  # question mark
        "One two three four five: words",  # too many words
        "It was fine. Then: more",  # sentence inside
        "See http://example.org",  # colon not followed by a space
        "At 10:30 we met",  # a time is not a label
        "[00:01:02]",  # a time alone
        "plain text line",
    ],
)
def test_lines_that_are_not_labels(line: str) -> None:
    assert parse_line(line) is None


def test_is_label_limits_length() -> None:
    assert is_label("A" * 40) and not is_label("A" * 41)


def test_timestamps_in_seconds() -> None:
    assert parse_timestamp("1:00:00") == 3600.0
    assert parse_timestamp("00:00:01,5") == 1.5


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Interviewer", "interviewer"), ("Interviewer 2", "interviewer"), ("int.", "interviewer"),
        ("I", "interviewer"), ("Q", "interviewer"), ("Intervieweuse", "interviewer"),
        ("Chercheuse", "interviewer"), ("Researcher", "interviewer"), ("ES", "ES"),
        ("Employment Specialist", "ES"), ("Conseillère", "ES"), ("CE", "ES"),
        ("Intervenante", "ES"), ("Professional", "ES"), ("Client", "client"),
        ("Marie", "Marie"), ("Therapist", "ES"), ("Counsellor", "ES"), ("Counselor", "ES"),
        ("Practitioner", "ES"), ("Clinician", "ES"), ("Thérapeute", "ES"),
        ("Clinicienne", "ES"),
    ],
)
def test_built_in_role_aliases(label: str, role: str) -> None:
    assert role_of(label, {}) == role


def test_declared_role_wins_over_alias() -> None:
    assert role_of("interviewer", {"Interviewer": "ES"}) == "ES"


def test_canonical_role_normalises_declared_roles() -> None:
    assert [canonical_role(r) for r in ["es", "Interviewer", "CLIENT", "observer"]] == [
        "ES", "interviewer", "client", "observer",
    ]


def test_declared_speakers_accepts_mapping_list_and_string() -> None:
    assert declared_speakers(["Marie", "Int"], source="a", where="w") == {
        "Marie": "Marie", "Int": "interviewer",
    }
    assert declared_speakers("Marie=ES, Paul = client", source="a", where="w") == {
        "Marie": "ES", "Paul": "client",
    }


def test_declared_speakers_of_wrong_shape_name_the_file() -> None:
    with pytest.raises(TranscriptError, match="a.txt: front matter .* got int 3"):
        declared_speakers(3, source="a.txt", where="front matter key 'speakers'")
    with pytest.raises(TranscriptError, match="role of speaker 'Marie' must be a text"):
        declared_speakers({"Marie": ["ES"]}, source="a.txt", where="w")


def test_acceptance_needs_recurrence_for_brackets_and_nothing_for_timestamps() -> None:
    lines = [parse_line(x) for x in
             ["[Ann] One.", "[Bob] Two.", "[Ann] Three.", "[00:00:04] Cy: Four.", "[Bob] Five."]]
    accepted, refused, single = accept_labels(lines, {})
    assert accepted == [True, True, True, True, True]
    lines.append(parse_line("[Redacted] was there."))
    accepted, refused, single = accept_labels(lines, {})
    assert accepted == [True, True, True, True, True, False]
    assert (refused, single) == ([5], [])


def test_note_words_are_never_speakers() -> None:
    lines = [parse_line(x) for x in ["Ann: One.", "Note: x", "Ann: Two.", "Note: y"]]
    assert accept_labels(lines, {})[0] == [True, False, True, False]


def test_front_matter_absent_returns_nothing() -> None:
    assert split_front_matter(["Marie: hi"], source="a") == ({}, 0)


def test_front_matter_after_blank_lines_and_closed_by_dots() -> None:
    meta, first = split_front_matter(["", "---", "a: 1", "...", "x"], source="a")
    assert (meta, first) == ({"a": 1}, 4)


def test_parse_pairs_and_meta_get_normalise_keys() -> None:
    pairs = parse_pairs("Case ID: ES1_C1\nfree text\nInterview=3")
    assert pairs == {"Case ID": "ES1_C1", "Interview": "3"}
    assert meta_get(pairs, "case_id") == "ES1_C1"
    assert meta_get(pairs, "interview") == "3"
