"""Real transcripts written by others (../shared/corpora): speakers and turns as in the files.

QualCoder's example files (transcript.txt, ID1.docx) were read by hand to write the
expected values below; AnnoMI's transcripts are checked against the utterance tables
published with them (``*_utterances.csv``: one row per utterance). Each labelled
line of a .txt file is one turn (consecutive utterances of the same speaker are not
merged), so the number of turns equals the number of utterances.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import TranscriptError
from mixedwai.qual.transcripts.loaders.labels import parse_timestamp
from mixedwai.qual.transcripts.loading import load_corpus, load_transcript


def _check_offsets(transcript) -> None:
    for unit in ("turn", "paragraph", "sentence"):
        for segment in transcript.segments(unit):
            assert transcript.text[segment.start : segment.end] == segment.text


def test_qualcoder_transcript_txt_bracket_labels(shared_corpora: Path) -> None:
    path = shared_corpora / "qualcoder_transcript.txt"
    transcript = load_transcript(path)
    # seven "[idN] ..." paragraphs separated by blank lines, three participants
    assert [t.speaker for t in transcript.turns] == [
        "id1", "id2", "id3", "id1", "id3", "id1", "id2",
    ]
    assert transcript.speakers() == {"id1": "id1", "id2": "id2", "id3": "id3"}
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [t.text for t in transcript.turns] == [line.split("] ", 1)[1] for line in lines]
    assert transcript.turns[2].text.startswith("No. I think the slides are OK")
    assert [s.text for s in transcript.segments("sentence") if s.turn == 2] == [
        "No.",
        "I think the slides are OK but I don't like all the assignments.",
        "I think there were too many for the short semester period.",
        "And they were too long.",
    ]
    assert transcript.notes == []
    _check_offsets(transcript)


def test_qualcoder_id1_docx_is_a_monologue_without_labels(shared_corpora: Path) -> None:
    path = shared_corpora / "qualcoder_ID1.docx"
    with pytest.raises(TranscriptError, match=r"qualcoder_ID1\.docx: no speaker turn found"):
        load_transcript(path)
    transcript = load_transcript(path, default_speaker="ID1")
    # three paragraphs of text (and an empty fourth), no speaker labels, no properties
    assert [(t.speaker, t.role) for t in transcript.turns] == [("ID1", "ID1")]
    paragraphs = transcript.segments("paragraph")
    assert len(paragraphs) == 3
    assert paragraphs[0].text.startswith("I really like learning new things.")
    assert paragraphs[0].text.endswith("web links have been really good.")
    assert paragraphs[1].text.endswith("no problem at all.")
    assert paragraphs[2].text.endswith("I'm happy to pay €200.")
    assert len(transcript.segments("sentence")) == 8
    assert transcript.case_id is None and transcript.metadata == {}
    _check_offsets(transcript)


@pytest.mark.parametrize("name", ["annomi_10_low", "annomi_27_low", "annomi_66_high"])
def test_annomi_turns_match_the_published_utterances(shared_corpora: Path, name: str) -> None:
    transcript = load_transcript(shared_corpora / f"{name}.txt")
    utterances = pd.read_csv(shared_corpora / f"{name}_utterances.csv")
    assert len(transcript.turns) == len(utterances)
    assert [t.speaker.lower() for t in transcript.turns] == list(utterances["interlocutor"])
    assert [t.text for t in transcript.turns] == list(utterances["utterance_text"])
    assert [t.timestamp for t in transcript.turns] == [
        parse_timestamp(ts) for ts in utterances["timestamp"]
    ]
    assert transcript.speakers() == {"Therapist": "ES", "Client": "client"}
    assert transcript.notes == []
    _check_offsets(transcript)


def test_annomi_66_keeps_two_consecutive_therapist_utterances_apart(shared_corpora: Path) -> None:
    transcript = load_transcript(shared_corpora / "annomi_66_high.txt")
    speakers = [t.speaker for t in transcript.turns]
    repeats = [i for i in range(1, len(speakers)) if speakers[i] == speakers[i - 1]]
    assert [(i, speakers[i], transcript.turns[i].timestamp) for i in repeats] == [
        (15, "Therapist", 159.0),
    ]


def test_all_shared_transcripts_load_as_one_corpus(shared_corpora: Path) -> None:
    files = sorted(shared_corpora.glob("*.txt")) + [shared_corpora / "qualcoder_ID1.docx"]
    corpus = load_corpus(files, default_speaker="ID1")
    assert corpus.doc_ids == [
        "annomi_10_low", "annomi_27_low", "annomi_66_high", "qualcoder_ID1",
        "qualcoder_transcript",
    ]
    frame = corpus.to_frame()
    assert frame.groupby("doc_id").size().to_dict() == {
        "annomi_10_low": 12, "annomi_27_low": 23, "annomi_66_high": 31, "qualcoder_ID1": 1,
        "qualcoder_transcript": 7,
    }
