"""Reading WebVTT transcripts: Teams voice tags, Zoom prefixes, merging, tags, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixedwai.errors import TranscriptError
from mixedwai.qual.transcripts.loading import load_transcript

TEAMS = """WEBVTT

a1b2c3/15-0
00:00:01.000 --> 00:00:04.000
<v Julie Roy>Thanks for joining. How were the</v>

a1b2c3/15-1
00:00:04.000 --> 00:00:06.500
<v Julie Roy>first meetings?</v>

a1b2c3/16-0
00:00:07.000 --> 00:00:10.000
<v Marie Tremblay>He was <i>very</i> anxious &amp; quiet.</v>

a1b2c3/17-0
00:00:10.500 --> 00:00:12.000
<v Julie Roy>I see.</v>
"""

ZOOM = """WEBVTT

1
00:00:01.350 --> 00:00:04.860
Julie Roy: Can you tell me about the client?

2
00:00:05.100 --> 00:00:09.000
Marie Tremblay: Yes. He said: I can do it.

3
00:00:09.000 --> 00:00:12.250
Marie Tremblay: And he did.

4
00:00:13.000 --> 00:00:15.000
Julie Roy: Great.
"""


def _write(tmp_path: Path, text: str, name: str = "es3_c1_i1.vtt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_voice_tags_give_speakers_and_merged_turns(tmp_path: Path) -> None:
    transcript = load_transcript(_write(tmp_path, TEAMS))
    assert [(t.speaker, t.text, t.timestamp, t.end_timestamp) for t in transcript.turns] == [
        ("Julie Roy", "Thanks for joining. How were the\nfirst meetings?", 1.0, 6.5),
        ("Marie Tremblay", "He was very anxious & quiet.", 7.0, 10.0),
        ("Julie Roy", "I see.", 10.5, 12.0),
    ]
    assert transcript.text.splitlines()[0] == "Julie Roy: Thanks for joining. How were the"
    assert (transcript.case_id, transcript.interview) == ("ES3_C1", 1)


def test_zoom_name_prefixes_give_speakers_and_merged_turns(tmp_path: Path) -> None:
    transcript = load_transcript(_write(tmp_path, ZOOM))
    assert [(t.speaker, t.text, t.timestamp, t.end_timestamp) for t in transcript.turns] == [
        ("Julie Roy", "Can you tell me about the client?", 1.35, 4.86),
        ("Marie Tremblay", "Yes. He said: I can do it.\nAnd he did.", 5.1, 12.25),
        ("Julie Roy", "Great.", 13.0, 15.0),
    ]


def test_sentences_run_across_cue_lines(tmp_path: Path) -> None:
    transcript = load_transcript(_write(tmp_path, TEAMS))
    sentences = [s.text for s in transcript.segments("sentence") if s.turn == 0]
    assert sentences == ["Thanks for joining.", "How were the\nfirst meetings?"]


def test_timings_without_hours_and_cue_settings(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n01:02.500 --> 01:05.000 align:start position:10%\n<v A>One.</v>\n\n"
        "01:06.000 --> 01:07.000\n<v B>Two.</v>\n"
    )
    transcript = load_transcript(_write(tmp_path, text))
    assert [(t.speaker, t.timestamp, t.end_timestamp) for t in transcript.turns] == [
        ("A", 62.5, 65.0), ("B", 66.0, 67.0),
    ]


def test_note_and_style_blocks_are_skipped_and_notes_give_metadata(tmp_path: Path) -> None:
    text = (
        "WEBVTT - exported\nLanguage: fr\n\nNOTE\ncase_id: ES#5_C2\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "00:00:01.000 --> 00:00:02.000\n<v Ana>Bonjour.</v>\n\n"
        "NOTE this comment is not text\n\n"
        "00:00:03.000 --> 00:00:04.000\n<v Léa>Salut.</v>\n"
    )
    transcript = load_transcript(_write(tmp_path, text, "meeting.vtt"))
    assert (transcript.case_id, transcript.language) == ("ES5_C2", "fr")
    assert transcript.text == "Ana: Bonjour.\nLéa: Salut."


def test_class_tags_and_inline_timestamps_are_removed(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
        "<v Ana><c.yellow>Well</c> <00:00:02.000>I <b>think</b>\nso.</v>\n"
    )
    transcript = load_transcript(_write(tmp_path, text))
    assert transcript.turns[0].text == "Well I think so."


def test_two_voices_in_one_cue_make_two_turns(tmp_path: Path) -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Ana>Ready?</v>\n<v Bob>Yes.</v>\n"
    transcript = load_transcript(_write(tmp_path, text))
    assert [(t.speaker, t.text) for t in transcript.turns] == [("Ana", "Ready?"), ("Bob", "Yes.")]


def test_cue_without_speaker_continues_the_turn_above(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAna: One.\n\n"
        "00:00:02.000 --> 00:00:03.000\ntwo.\n\n00:00:04.000 --> 00:00:05.000\nBob: Three.\n\n"
        "00:00:05.000 --> 00:00:06.000\nAna: Four.\n"
    )
    transcript = load_transcript(_write(tmp_path, text))
    assert [(t.speaker, t.text, t.end_timestamp) for t in transcript.turns] == [
        ("Ana", "One.\ntwo.", 3.0), ("Bob", "Three.", 5.0), ("Ana", "Four.", 6.0),
    ]


def test_missing_header_is_an_error(tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\nHello\n"
    with pytest.raises(TranscriptError, match=r"a\.vtt: not a WebVTT file.*'1'"):
        load_transcript(_write(tmp_path, text, "a.vtt"))


def test_malformed_timings_are_all_listed(tmp_path: Path) -> None:
    text = (
        "WEBVTT\n\n00:00:01.000 --> soon\n<v A>One.</v>\n\n"
        "00:00:02.000 --> 00:00:03.000\n<v B>Two.</v>\n\n"
        "later --> 00:00:05.000\n<v A>Three.</v>\n"
    )
    with pytest.raises(TranscriptError, match=r"malformed WebVTT \(2 found\)") as info:
        load_transcript(_write(tmp_path, text, "bad.vtt"))
    assert "line 3" in str(info.value) and "line 9" in str(info.value)


def test_empty_vtt_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match=r"e\.vtt: empty file"):
        load_transcript(_write(tmp_path, "", "e.vtt"))


def test_vtt_with_no_cue_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match="holds no cue with text"):
        load_transcript(_write(tmp_path, "WEBVTT\n\nNOTE nothing here\n", "n.vtt"))


def test_vtt_without_speakers_needs_default_speaker(tmp_path: Path) -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello there\n\n" \
           "00:00:02.000 --> 00:00:03.000\nand more\n"
    path = _write(tmp_path, text, "auto.vtt")
    with pytest.raises(TranscriptError, match="no speaker turn found"):
        load_transcript(path)
    transcript = load_transcript(path, default_speaker="ES")
    assert [(t.speaker, t.text, t.timestamp, t.end_timestamp) for t in transcript.turns] == [
        ("ES", "hello there\nand more", 1.0, 3.0),
    ]
