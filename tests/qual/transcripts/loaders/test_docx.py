"""Reading Word transcripts: typed and bold labels, properties, front matter, corrupt files."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from mixedwai.errors import InputFileError, TranscriptError
from mixedwai.qual.transcripts.loading import load_transcript


def _save(document: docx.document.Document, tmp_path: Path, name: str = "es4_c2.docx") -> Path:
    path = tmp_path / name
    document.save(str(path))
    return path


def _bold_prefixed(rows: list[tuple[str, str]]) -> docx.document.Document:
    document = docx.Document()
    for label, speech in rows:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(speech)
    return document


def test_typed_labels_make_turns(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["Interviewer: How did it start?", "Marie: Slowly.", "Interviewer: And then?",
                 "Marie: Better."]:
        document.add_paragraph(line)
    transcript = load_transcript(_save(document, tmp_path))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Interviewer", "How did it start?"), ("Marie", "Slowly."),
        ("Interviewer", "And then?"), ("Marie", "Better."),
    ]
    assert transcript.text == (
        "Interviewer: How did it start?\nMarie: Slowly.\nInterviewer: And then?\nMarie: Better."
    )
    assert transcript.encoding == "docx"


def test_bold_run_followed_by_speech_is_a_label(tmp_path: Path) -> None:
    document = _bold_prefixed([("Julie:", " Ready?"), ("Marie", ": Yes."), ("Julie: ", "Go.")])
    transcript = load_transcript(_save(document, tmp_path))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Julie", "Ready?"), ("Marie", "Yes."), ("Julie", "Go."),
    ]


def test_bold_only_paragraph_labels_the_following_paragraphs(tmp_path: Path) -> None:
    document = docx.Document()
    for label, paragraphs in [("Interviewer", ["First question?"]),
                              ("Marie", ["First answer.", "Second paragraph."]),
                              ("Interviewer", ["Thanks."]), ("Marie", ["Welcome."])]:
        document.add_paragraph().add_run(label).bold = True
        for text in paragraphs:
            document.add_paragraph(text)
    transcript = load_transcript(_save(document, tmp_path))
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("Interviewer", "First question?"),
        ("Marie", "First answer.\nSecond paragraph."),
        ("Interviewer", "Thanks."),
        ("Marie", "Welcome."),
    ]
    assert [p.text for p in transcript.segments("paragraph") if p.turn == 1] == [
        "First answer.", "Second paragraph.",
    ]


def test_one_off_bold_only_paragraph_without_colon_is_speech(tmp_path: Path) -> None:
    document = _bold_prefixed([("Interviewer: ", "Title?"), ("Marie: ", "Yes."),
                               ("Interviewer: ", "OK."), ("Marie: ", "Sure.")])
    document.add_paragraph().add_run("Later On").bold = True
    document.add_paragraph("More text.")
    transcript = load_transcript(_save(document, tmp_path))
    assert transcript.turns[-1].text == "Sure.\nLater On\nMore text."


def test_bold_emphasis_inside_speech_is_not_a_label(tmp_path: Path) -> None:
    document = _bold_prefixed([("Interviewer: ", "Was it hard?"), ("Marie: ", "Yes.")])
    paragraph = document.add_paragraph()
    paragraph.add_run("Never").bold = True
    paragraph.add_run(" again, she said.")
    document.add_paragraph("Interviewer: I see.")
    transcript = load_transcript(_save(document, tmp_path))
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "Marie", "Interviewer"]
    assert transcript.turns[1].text == "Yes.\nNever again, she said."


def test_heading_paragraph_is_never_a_label(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Marie", level=1)
    document.add_paragraph("Interviewer: Hello.")
    document.add_paragraph("ES: Hi.")
    transcript = load_transcript(_save(document, tmp_path))
    assert [t.speaker for t in transcript.turns] == ["Interviewer", "ES"]
    assert transcript.preamble == "Marie\n"


def test_case_id_and_speakers_from_core_property_keywords(tmp_path: Path) -> None:
    document = _bold_prefixed([("Julie: ", "Bonjour."), ("Marie: ", "Bonjour.")])
    document.core_properties.keywords = "case_id: ES#7_C03; interview: 2; language: fr; " \
        "speakers: Julie=interviewer, Marie=ES"
    transcript = load_transcript(_save(document, tmp_path, "entretien.docx"))
    assert (transcript.case_id, transcript.es_id, transcript.interview, transcript.language) == (
        "ES7_C3", "ES7", 2, "fr",
    )
    assert transcript.speakers() == {"Julie": "interviewer", "Marie": "ES"}


def test_case_id_from_core_property_comments_and_subject(tmp_path: Path) -> None:
    document = _bold_prefixed([("I: ", "Hello."), ("ES: ", "Hi.")])
    document.core_properties.comments = "Transcribed in May.\ncase_id: ES2_C5"
    path = _save(document, tmp_path, "a.docx")
    assert load_transcript(path).case_id == "ES2_C5"
    document = _bold_prefixed([("I: ", "Hello."), ("ES: ", "Hi.")])
    document.core_properties.subject = "ES#9_C1"
    document.core_properties.title = "Interview"
    transcript = load_transcript(_save(document, tmp_path, "b.docx"))
    assert transcript.case_id == "ES9_C1"
    assert transcript.metadata["docx_title"] == "Interview"


def test_typed_front_matter_block_wins_over_properties(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["---", "case_id: ES3_C1", "interview: 1", "---", "I: Hi.", "ES: Hello."]:
        document.add_paragraph(line)
    document.core_properties.keywords = "case_id: ES8_C8"
    transcript = load_transcript(_save(document, tmp_path, "x.docx"))
    assert transcript.case_id == "ES3_C1"
    assert transcript.text == "I: Hi.\nES: Hello."


def test_case_id_from_file_name_when_no_metadata(tmp_path: Path) -> None:
    document = _bold_prefixed([("I: ", "Hello."), ("ES: ", "Hi.")])
    transcript = load_transcript(_save(document, tmp_path, "ES#12_C04 interview 3.docx"))
    assert (transcript.case_id, transcript.interview) == ("ES12_C4", 3)


def test_invalid_front_matter_in_docx_names_the_paragraph(tmp_path: Path) -> None:
    document = docx.Document()
    for line in ["---", "case_id: ES3_C1", "language: en: fr", "---", "I: Hi."]:
        document.add_paragraph(line)
    with pytest.raises(TranscriptError, match=r"x\.docx: front matter is not valid YAML at "
                                              r"paragraph 3"):
        load_transcript(_save(document, tmp_path, "x.docx"))


def test_corrupt_docx_is_a_transcript_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(TranscriptError, match=r"broken\.docx: cannot be read as a Word"):
        load_transcript(path)


def test_text_file_renamed_docx_is_a_transcript_error(tmp_path: Path) -> None:
    path = tmp_path / "renamed.docx"
    path.write_text("Interviewer: hello\n")
    with pytest.raises(TranscriptError, match=r"renamed\.docx: cannot be read as a Word"):
        load_transcript(path)


def test_empty_docx_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(b"")
    with pytest.raises(TranscriptError, match=r"empty\.docx: empty file"):
        load_transcript(path)


def test_docx_without_text_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TranscriptError, match=r"blank\.docx: the document holds no text"):
        load_transcript(_save(docx.Document(), tmp_path, "blank.docx"))


def test_docx_without_labels_is_an_error_unless_default_speaker(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("I like the course.")
    document.add_paragraph("It helped me.")
    path = _save(document, tmp_path, "answer.docx")
    with pytest.raises(TranscriptError, match=r"answer\.docx: no speaker turn found"):
        load_transcript(path)
    transcript = load_transcript(path, default_speaker="P1")
    assert [(t.speaker, t.text) for t in transcript.turns] == [
        ("P1", "I like the course.\nIt helped me."),
    ]


def test_tables_are_noted_as_not_read(tmp_path: Path) -> None:
    document = _bold_prefixed([("I: ", "Hello."), ("ES: ", "Hi.")])
    document.add_table(rows=1, cols=2).cell(0, 0).text = "Marie"
    transcript = load_transcript(_save(document, tmp_path))
    assert any("1 table(s)" in note for note in transcript.notes)


def test_missing_docx_is_an_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"nope\.docx: file not found"):
        load_transcript(tmp_path / "nope.docx")
