"""Reading .txt and .md transcripts: label forms, continuation lines, front matter, encodings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from mixedwai.errors import EncodingFallbackWarning, TranscriptError
from mixedwai.qual.transcripts.loading import load_transcript


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _turns(path: Path, **kwargs) -> list[tuple[str, str]]:
    transcript = load_transcript(path, **kwargs)
    return [(t.speaker, t.text) for t in transcript.turns]


def test_plain_labels_make_one_turn_per_label(tmp_path: Path) -> None:
    text = "Interviewer: How are you?\nMarie: Fine.\nInterviewer: Good.\n"
    path = _write(tmp_path, "a.txt", text)
    assert _turns(path) == [
        ("Interviewer", "How are you?"), ("Marie", "Fine."), ("Interviewer", "Good."),
    ]


def test_continuation_lines_and_paragraphs_belong_to_the_turn_above(tmp_path: Path) -> None:
    text = (
        "Interviewer: Tell me about him.\n"
        "ES: He was wary at first.\n"
        "He missed two meetings.\n"
        "\n"
        "Then things changed.\n"
        "Interviewer: Why?\n"
    )
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert [t.text for t in transcript.turns] == [
        "Tell me about him.",
        "He was wary at first.\nHe missed two meetings.\n\nThen things changed.",
        "Why?",
    ]
    paragraphs = [p.text for p in transcript.segments("paragraph") if p.turn == 1]
    assert paragraphs == ["He was wary at first.\nHe missed two meetings.", "Then things changed."]


def test_bracket_labels_are_speakers(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "[Q] First?\n[Ana] Yes.\n[Q] Second?\n[Ana] No.\n")
    assert [s for s, _ in _turns(path)] == ["Q", "Ana", "Q", "Ana"]


def test_bracketed_timestamps_are_kept_in_seconds(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "[00:00:05] Interviewer: Hi.\n[01:02:03.5] Marie: Hello.\n")
    transcript = load_transcript(path)
    assert [(t.speaker, t.text, t.timestamp) for t in transcript.turns] == [
        ("Interviewer", "Hi.", 5.0), ("Marie", "Hello.", 3723.5),
    ]


def test_parenthesised_timestamps_and_time_after_label(tmp_path: Path) -> None:
    text = "(00:01:00) Interviewer: One.\nSpeaker 1 (00:01:10): Two.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert [(t.speaker, t.text, t.timestamp) for t in transcript.turns] == [
        ("Interviewer", "One.", 60.0), ("Speaker 1", "Two.", 70.0),
    ]


def test_otter_style_label_and_time_on_their_own_line(tmp_path: Path) -> None:
    text = "Speaker 1  0:03\nHello there.\n\nSpeaker 2  0:09\nHi.\nHow are you?\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert [(t.speaker, t.text, t.timestamp) for t in transcript.turns] == [
        ("Speaker 1", "Hello there.", 3.0), ("Speaker 2", "Hi.\nHow are you?", 9.0),
    ]


def test_markdown_bold_labels_in_both_spellings(tmp_path: Path) -> None:
    text = "# Interview 3\n\n**Interviewer:** Ready?\n\n**Marie**: Yes.\n"
    transcript = load_transcript(_write(tmp_path, "a.md", text))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Interviewer", "Ready?"), ("Marie", "Yes."),
    ]
    assert transcript.preamble.strip() == "# Interview 3"


def test_capital_labels_and_numbered_interviewers(tmp_path: Path) -> None:
    text = "INTERVIEWER 1: Hi.\nMARIE: Hello.\nInterviewer 2: And you?\nMARIE: Fine.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert transcript.speakers() == {
        "INTERVIEWER 1": "interviewer", "MARIE": "MARIE", "Interviewer 2": "interviewer",
    }


def test_label_alone_on_a_line_takes_the_following_lines(tmp_path: Path) -> None:
    text = "Interviewer:\nWhat happened?\nMarie:\nShe called.\nInterviewer: OK.\n"
    assert _turns(_write(tmp_path, "a.txt", text)) == [
        ("Interviewer", "What happened?"), ("Marie", "She called."), ("Interviewer", "OK."),
    ]


def test_colon_inside_a_turn_is_not_a_new_speaker(tmp_path: Path) -> None:
    text = (
        "Interviewer: What did he say?\n"
        "Marie: I asked him.\n"
        "He said: fine, let's go.\n"
        "Note: he was late.\n"
        "Interviewer: Thanks.\n"
        "Marie: You're welcome.\n"
    )
    turns = _turns(_write(tmp_path, "a.txt", text))
    assert [s for s, _ in turns] == ["Interviewer", "Marie", "Interviewer", "Marie"]
    assert turns[1][1] == "I asked him.\nHe said: fine, let's go.\nNote: he was late."


def test_one_off_title_case_label_is_a_speaker_when_none_declared(tmp_path: Path) -> None:
    text = "Interviewer: Who came?\nMarie: My client.\nHis Mother: hello.\nMarie: Yes.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Marie", "His Mother", "Marie"]
    assert any("'His Mother' speaks only once" in note for note in transcript.notes)


def test_one_off_label_is_speech_when_speakers_are_declared(tmp_path: Path) -> None:
    text = "Interviewer: Who came?\nMarie: My client.\nHis Mother: hello.\nMarie: Yes.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text), speakers={"Marie": "ES"})
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Marie", "Marie"]
    assert transcript.turns[1].text == "My client.\nHis Mother: hello."
    assert any("'His Mother'" in n and "line 3" in n for n in transcript.notes)


def test_declared_speaker_opens_a_turn_even_once(tmp_path: Path) -> None:
    text = "Interviewer: Who came?\nMarie: My client.\nHis Mother: hello.\nMarie: Yes.\n"
    path = _write(tmp_path, "a.txt", text)
    transcript = load_transcript(path, speakers={"Marie": "ES", "His Mother": "family"})
    assert [(t.speaker, t.role) for t in transcript.turns][2] == ("His Mother", "family")


def test_bracketed_one_off_is_not_a_speaker(tmp_path: Path) -> None:
    text = "[Q] Who came?\n[Ann] My client.\n[Name] was there too.\n[Q] OK.\n[Ann] Yes.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert [t.speaker for t in transcript.turns] == ["Q", "Ann", "Q", "Ann"]
    assert transcript.turns[1].text == "My client.\n[Name] was there too."


def test_short_exchange_where_everyone_speaks_once_is_read(tmp_path: Path) -> None:
    assert _turns(_write(tmp_path, "a.txt", "Marie: Hello.\nJean: Hi.\n")) == [
        ("Marie", "Hello."), ("Jean", "Hi."),
    ]


def test_title_line_before_the_first_turn_is_kept_in_text_not_a_turn(tmp_path: Path) -> None:
    text = "Interview with ES 3, March 2021\n\nI: Hello.\nES: Hi.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert transcript.text == text
    assert transcript.turns[0].start == text.index("Hello.")
    assert transcript.preamble == "Interview with ES 3, March 2021\n\n"


def test_front_matter_gives_case_interview_language_and_roles(tmp_path: Path) -> None:
    text = (
        "---\n"
        "case_id: 'ES#11_C04'\n"
        "interview: 2\n"
        "language: fr-CA\n"
        "speakers:\n"
        "  Julie: interviewer\n"
        "  Marie: es\n"
        "---\n"
        "Julie: Bonjour.\nMarie: Bonjour.\n"
    )
    transcript = load_transcript(_write(tmp_path, "notes.txt", text))
    assert (transcript.case_id, transcript.es_id, transcript.interview, transcript.language) == (
        "ES11_C4", "ES11", 2, "fr",
    )
    assert transcript.speakers() == {"Julie": "interviewer", "Marie": "ES"}
    assert transcript.text == "Julie: Bonjour.\nMarie: Bonjour.\n"
    assert transcript.metadata["interview"] == 2


def test_speakers_argument_overrides_front_matter_roles(tmp_path: Path) -> None:
    text = "---\nspeakers: {Marie: es}\n---\nMarie: Hi.\nMarie: Again.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text), speakers={"Marie": "client"})
    assert transcript.speakers() == {"Marie": "client"}


def test_invalid_front_matter_yaml_names_file_and_line(tmp_path: Path) -> None:
    text = "---\ncase_id: ES1_C1\nspeakers: [Marie\n---\nMarie: hi\n"
    with pytest.raises(TranscriptError, match=r"bad\.txt: front matter is not valid YAML at line"):
        load_transcript(_write(tmp_path, "bad.txt", text))


def test_front_matter_yaml_error_gives_the_file_line(tmp_path: Path) -> None:
    text = "---\ncase_id: ES1_C1\nlanguage: en: fr\ninterview: 1\n---\nMarie: hi\n"
    with pytest.raises(TranscriptError, match=r"at line 3: mapping values are not allowed"):
        load_transcript(_write(tmp_path, "bad.txt", text))


def test_unclosed_front_matter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="not closed"):
        load_transcript(_write(tmp_path, "a.txt", "---\ncase_id: ES1_C1\nMarie: hi\n"))


def test_front_matter_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="must be 'key: value' lines; got a list"):
        load_transcript(_write(tmp_path, "a.txt", "---\n- a\n- b\n---\nMarie: hi\n"))


def test_non_integer_interview_in_front_matter_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="'interview' must be a whole number"):
        load_transcript(_write(tmp_path, "a.txt", "---\ninterview: second\n---\nES: hi\n"))


def test_utf8_bom_is_removed(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffIntervieweuse: Ça va?\nMarie: Très bien.\n".encode())
    transcript = load_transcript(path)
    assert transcript.encoding == "utf-8-sig"
    assert transcript.text.startswith("Intervieweuse")
    assert transcript.turns[0].role == "interviewer"


def test_cp1252_french_is_decoded_warned_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "es2_c3.txt"
    path.write_bytes("Intervieweuse: Ça va?\r\nConseillère: Très bien, merci.\r\n".encode("cp1252"))
    with pytest.warns(EncodingFallbackWarning, match="es2_c3.txt"):
        transcript = load_transcript(path)
    assert transcript.encoding == "cp1252"
    assert [(t.speaker, t.role, t.text) for t in transcript.turns] == [
        ("Intervieweuse", "interviewer", "Ça va?"), ("Conseillère", "ES", "Très bien, merci."),
    ]
    assert any("Windows-1252" in note for note in transcript.notes)


def test_crlf_line_ends_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"I: One?\r\nES: Two.\r\nThree.\r\n")
    transcript = load_transcript(path)
    assert "\r" not in transcript.text
    assert transcript.turns[1].text == "Two.\nThree."


def test_empty_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match=r"empty\.txt: empty file"):
        load_transcript(_write(tmp_path, "empty.txt", "  \n\n"))


def test_front_matter_without_text_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="front matter but no transcript text"):
        load_transcript(_write(tmp_path, "a.txt", "---\ncase_id: ES1_C1\n---\n\n"))


def test_text_without_any_label_is_an_error_listing_expected_forms(tmp_path: Path) -> None:
    path = _write(tmp_path, "prose.txt", "It was a sunny day.\nNothing else happened.\n")
    with pytest.raises(TranscriptError, match=r"prose\.txt: no speaker turn found; expected"):
        load_transcript(path)


def test_default_speaker_reads_a_text_without_labels(tmp_path: Path) -> None:
    path = _write(tmp_path, "answer.txt", "It was a sunny day.\n\nNothing else happened.\n")
    transcript = load_transcript(path, default_speaker="P7")
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("P7", "It was a sunny day.\n\nNothing else happened."),
    ]


def test_label_with_no_speech_makes_no_turn_and_is_noted(tmp_path: Path) -> None:
    text = "I: One?\nES:\nI: Two?\nES: Yes.\n"
    transcript = load_transcript(_write(tmp_path, "a.txt", text))
    assert [t.speaker for t in transcript.turns] == ["I", "I", "ES"]
    assert any("'ES' has no speech" in note for note in transcript.notes)


def test_no_warning_for_utf8(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_transcript(_write(tmp_path, "a.txt", "Intervieweuse: Ça va?\nES: Oui.\n"))
