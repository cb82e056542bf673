"""Transcript / Corpus models, load_transcript / load_corpus dispatch, ids, offset invariants."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mixedwai.errors import (
    EncodingFallbackWarning,
    ExclusionWarning,
    InputFileError,
    OptionError,
    TranscriptError,
)
from mixedwai.qual.transcripts.corpus import Corpus
from mixedwai.qual.transcripts.loading import load_corpus, load_transcript
from mixedwai.qual.transcripts.model import Segment, Transcript

INTERVIEW = (
    "Interviewer: How did the first meeting go?\n"
    "ES: It went well. Dr. Roy had referred him.\n"
    "He was quiet at first.\n"
    "\n"
    "Then he opened up! We agreed on goals.\n"
    "Interviewer: And the second?\n"
    "ES: Shorter.\n"
)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _check_offsets(transcript: Transcript) -> None:
    for unit in ("turn", "paragraph", "sentence"):
        previous_end = 0
        for segment in transcript.segments(unit):
            assert transcript.text[segment.start : segment.end] == segment.text
            assert segment.start >= previous_end
            assert segment.end > segment.start
            previous_end = segment.end


# -- the models ----------------------------------------------------------------------


def test_segments_by_unit_have_stable_ids_and_slice_the_text() -> None:
    transcript = Transcript.from_text(INTERVIEW, doc_id="ES1_C2")
    assert [s.id for s in transcript.segments("turn")] == ["t0", "t1", "t2", "t3"]
    assert [s.id for s in transcript.segments("paragraph")] == [
        "t0.p0", "t1.p0", "t1.p1", "t2.p0", "t3.p0",
    ]
    sentences = transcript.segments("sentence")
    assert [(s.id, s.text) for s in sentences if s.turn == 1] == [
        ("t1.s0", "It went well."),
        ("t1.s1", "Dr. Roy had referred him."),
        ("t1.s2", "He was quiet at first."),
        ("t1.s3", "Then he opened up!"),
        ("t1.s4", "We agreed on goals."),
    ]
    _check_offsets(transcript)


def test_segments_carry_speaker_role_turn_and_doc_id() -> None:
    transcript = Transcript.from_text(INTERVIEW, doc_id="ES1_C2")
    sentence = transcript.segments("sentence")[3]
    assert (sentence.doc_id, sentence.speaker, sentence.role, sentence.turn, sentence.unit) == (
        "ES1_C2", "ES", "ES", 1, "sentence",
    )


def test_default_unit_is_sentence_and_unknown_unit_is_an_option_error() -> None:
    transcript = Transcript.from_text(INTERVIEW)
    assert transcript.segments() == transcript.segments("sentence")
    with pytest.raises(OptionError, match="unit = 'word'"):
        transcript.segments("word")  # type: ignore[arg-type]


def test_word_count_counts_speech_only() -> None:
    transcript = Transcript.from_text("Title line here\nI: One two.\nES: Three, four-five it's.\n")
    assert transcript.word_count == 5


def test_speakers_in_order_of_appearance_with_roles() -> None:
    text = "Chercheuse: Bonjour.\nConseillère: Bonjour.\nClient: Oui.\nChercheuse: Merci.\n"
    assert Transcript.from_text(text).speakers() == {
        "Chercheuse": "interviewer", "Conseillère": "ES", "Client": "client",
    }


def test_transcript_rejects_turns_that_do_not_slice_its_text() -> None:
    bad = Segment("t0", "d", "turn", "ES", "ES", 0, 3, "xyz", 0)
    with pytest.raises(ValueError, match="text does not equal"):
        Transcript(doc_id="d", text="abc", turns=[bad])


def test_transcript_is_frozen() -> None:
    transcript = Transcript.from_text(INTERVIEW)
    with pytest.raises(ValueError, match="frozen"):
        transcript.text = "other"  # type: ignore[misc]


def test_model_copy_with_new_text_does_not_reuse_cached_segments() -> None:
    transcript = Transcript.from_text("ES: One. Two.")
    assert len(transcript.segments("sentence")) == 2
    copy = transcript.model_copy(update={"text": "ES: One! Two! Three!", "turns": []})
    assert copy.segments("sentence") == []


# -- ids from metadata and file names ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "case_id", "interview"),
    [
        ("ES#11_C4.txt", "ES11_C4", None),
        ("ES11_C04_i2.txt", "ES11_C4", 2),
        ("es11-c4 interview3.txt", "ES11_C4", 3),
        ("entretien_2_es3_c1.txt", "ES3_C1", 2),
        ("notes.txt", None, None),
    ],
)
def test_case_id_and_interview_from_file_name(
    tmp_path: Path, name: str, case_id: str | None, interview: int | None
) -> None:
    transcript = load_transcript(_write(tmp_path, name, "I: Hi.\nES: Hello.\n"))
    assert (transcript.case_id, transcript.interview) == (case_id, interview)
    assert transcript.es_id == (case_id.split("_")[0] if case_id else None)


def test_custom_case_pattern_finds_other_ids(tmp_path: Path) -> None:
    path = _write(tmp_path, "study_P-007_transcript.txt", "I: Hi.\nES: Hello.\n")
    transcript = load_transcript(path, case_pattern=r"(?P<case>P-\d+)")
    assert (transcript.case_id, transcript.es_id) == ("P-007", None)


def test_invalid_case_pattern_is_an_option_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.txt", "I: Hi.\nES: Hello.\n")
    with pytest.raises(OptionError, match=r"case_pattern = '\(\?P<case' is not a valid"):
        load_transcript(path, case_pattern="(?P<case")


def test_metadata_case_id_wins_over_file_name_and_es_id_is_normalised(tmp_path: Path) -> None:
    text = "---\ncase_id: es4-c09\nes_id: 'es#4'\ndoc_id: interview-A\n---\nI: Hi.\nES: Yo.\n"
    transcript = load_transcript(_write(tmp_path, "ES1_C1.txt", text))
    assert (transcript.doc_id, transcript.case_id, transcript.es_id) == (
        "interview-A", "ES4_C9", "ES4",
    )


def test_doc_id_is_the_file_stem_and_path_is_kept(tmp_path: Path) -> None:
    path = _write(tmp_path, "ES2_C1.md", "I: Hi.\nES: Hello.\n")
    transcript = load_transcript(path)
    assert (transcript.doc_id, transcript.path) == ("ES2_C1", str(path))


# -- dispatch and errors -------------------------------------------------------------------


def test_unknown_extension_is_a_transcript_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "codings.csv", "a,b\n")
    with pytest.raises(TranscriptError, match=r"codings\.csv: unknown transcript format '\.csv'"):
        load_transcript(path)


def test_missing_file_is_an_input_file_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"gone\.txt: file not found"):
        load_transcript(tmp_path / "gone.txt")


def test_extension_is_case_insensitive(tmp_path: Path) -> None:
    assert load_transcript(_write(tmp_path, "A.TXT", "I: Hi.\nES: Yo.\n")).doc_id == "A"


# -- corpora ----------------------------------------------------------------------------------


def _good_folder(folder: Path) -> Path:
    _write(folder, "ES1_C2.txt", "I: Hi.\nES: Hello.\n")
    _write(folder, "ES1_C1.md", "I: How?\nES: Well.\n")
    document = docx.Document()
    document.add_paragraph("Interviewer: Hello.")
    document.add_paragraph("Marie: Bonjour.")
    document.save(str(folder / "ES2_C1_i2.docx"))
    _write(folder, "ES3_C1.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Ana>Hi.</v>\n")
    _write(folder, "codebook.yaml", "name: x\n")
    _write(folder, "codings.csv", "a,b\n")
    _write(folder, ".hidden.txt", "nothing")
    (folder / "~$ES2_C1_i2.docx").write_bytes(b"lock")
    return folder


def test_load_corpus_reads_only_transcript_extensions_sorted_by_doc_id(tmp_path: Path) -> None:
    corpus = load_corpus(_good_folder(tmp_path))
    assert corpus.doc_ids == ["ES1_C1", "ES1_C2", "ES2_C1_i2", "ES3_C1"]
    assert corpus.errors == []
    assert len(corpus) == 4 and "ES3_C1" in corpus


def test_data_code_hidden_and_lock_files_of_a_folder_are_passed_over_silently(
    tmp_path: Path,
) -> None:
    folder = _good_folder(tmp_path)
    _write(folder, "analysis.py", "print(1)\n")
    _write(folder, "meta.json", "{}\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(folder)
    assert corpus.corpus_notes == []


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("ES03_C02.doc", "save it as .docx"),
        ("ES03_C03.odt", "save it as .docx"),
        ("ES03_C04.rtf", "save it as .docx"),
        ("ES03_C05.pdf", "export its text as .docx or .txt"),
    ],
)
def test_documents_in_an_unread_format_are_noted_and_warned(
    tmp_path: Path, name: str, advice: str
) -> None:
    folder = _good_folder(tmp_path)
    (folder / name).write_bytes(b"binary")
    suffix = Path(name).suffix
    expected = f"{name}: {suffix} files are not read; {advice}"
    with pytest.warns(ExclusionWarning) as record:
        corpus = load_corpus(folder)
    assert [str(w.message) for w in record] == [expected]
    assert corpus.corpus_notes == [expected]
    assert corpus.notes[0] == expected
    assert corpus.doc_ids == ["ES1_C1", "ES1_C2", "ES2_C1_i2", "ES3_C1"]


def test_other_files_of_a_folder_are_noted_without_a_warning(tmp_path: Path) -> None:
    folder = _good_folder(tmp_path)
    (folder / "ES1_C1.mp3").write_bytes(b"audio")
    _write(folder / "wave2", "README", "notes\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corpus = load_corpus(folder, recursive=True)
    assert corpus.corpus_notes == [
        "ES1_C1.mp3: not read; .mp3 files are not transcripts (read: .txt, .md, .docx, .vtt)",
        "wave2/README: not read; files without an extension are not transcripts "
        "(read: .txt, .md, .docx, .vtt)",
    ]


def test_folder_with_only_unread_documents_says_so(tmp_path: Path) -> None:
    (tmp_path / "ES1_C1.doc").write_bytes(b"binary")
    with pytest.warns(ExclusionWarning, match="ES1_C1.doc"), pytest.raises(
        TranscriptError, match="folder holds no transcript file .*1 other file"
    ):
        load_corpus(tmp_path)


def test_corpus_lookup_by_doc_id_and_position(tmp_path: Path) -> None:
    corpus = load_corpus(_good_folder(tmp_path))
    assert corpus["ES2_C1_i2"].interview == 2
    assert corpus[0].doc_id == "ES1_C1"
    with pytest.raises(KeyError, match="no transcript with doc_id 'ES9_C9'"):
        corpus["ES9_C9"]


def test_by_case_groups_transcripts(tmp_path: Path) -> None:
    corpus = load_corpus(_good_folder(tmp_path))
    _write(tmp_path / "more", "misc.txt", "I: Hi.\nES: Hello.\n")
    groups = corpus.by_case()
    assert {k: [t.doc_id for t in v] for k, v in groups.items()} == {
        "ES1_C1": ["ES1_C1"], "ES1_C2": ["ES1_C2"], "ES2_C1": ["ES2_C1_i2"], "ES3_C1": ["ES3_C1"],
    }
    recursive = load_corpus(tmp_path, recursive=True)
    assert list(recursive.by_case())[-1] is None


def test_to_frame_has_one_row_per_segment_with_the_contract_columns(tmp_path: Path) -> None:
    corpus = load_corpus(_good_folder(tmp_path))
    frame = corpus.to_frame()
    assert list(frame.columns) == [
        "doc_id", "case_id", "es_id", "segment_id", "unit", "speaker", "role", "start", "end",
        "text", "turn", "timestamp",
    ]
    assert len(frame) == sum(len(t.turns) for t in corpus)
    vtt = frame[frame["doc_id"] == "ES3_C1"].iloc[0]
    assert (vtt["speaker"], vtt["timestamp"], vtt["es_id"]) == ("Ana", 1.0, "ES3")
    assert frame["timestamp"].isna().sum() == len(frame) - 1
    assert len(corpus.to_frame("sentence")) == len(corpus.segments("sentence"))


def test_folder_with_two_bad_files_raises_one_error_listing_both(tmp_path: Path) -> None:
    _good_folder(tmp_path)
    _write(tmp_path, "empty.txt", "")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    with pytest.raises(TranscriptError, match=r"2 file\(s\) could not be read") as info:
        load_corpus(tmp_path)
    message = str(info.value)
    assert "empty.txt: empty file" in message
    assert "broken.docx: cannot be read as a Word" in message


def test_collect_keeps_good_files_and_lists_bad_ones(tmp_path: Path) -> None:
    _good_folder(tmp_path)
    _write(tmp_path, "empty.txt", "")
    _write(tmp_path, "prose.md", "Just some prose.\n")
    corpus = load_corpus(tmp_path, errors="collect")
    assert len(corpus) == 4
    assert sorted(Path(p).name for p, _ in corpus.errors) == ["empty.txt", "prose.md"]
    assert all(message for _, message in corpus.errors)


def test_explicit_file_with_other_extension_is_an_error_in_a_list(tmp_path: Path) -> None:
    good = _write(tmp_path, "ES1_C1.txt", "I: Hi.\nES: Hello.\n")
    other = _write(tmp_path, "notes.rtf", "I: Hi.\n")
    with pytest.raises(TranscriptError, match=r"notes\.rtf: unknown transcript format"):
        load_corpus([good, other])
    assert load_corpus([good, other], errors="collect").doc_ids == ["ES1_C1"]


def test_missing_path_in_a_list_is_reported(tmp_path: Path) -> None:
    good = _write(tmp_path, "ES1_C1.txt", "I: Hi.\nES: Hello.\n")
    corpus = load_corpus([good, tmp_path / "gone.txt"], errors="collect")
    gone = str(tmp_path / "gone.txt")
    assert corpus.errors == [(gone, f"{gone}: file not found")]


def test_duplicate_doc_ids_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "ES1_C1.txt", "I: Hi.\nES: Hello.\n")
    _write(tmp_path, "ES1_C1.md", "I: Hi.\nES: Hello.\n")
    with pytest.raises(TranscriptError, match="doc_id 'ES1_C1' is already used"):
        load_corpus(tmp_path)


def test_corpus_constructor_rejects_duplicate_doc_ids() -> None:
    one = Transcript.from_text("ES: A.", doc_id="x")
    with pytest.raises(TranscriptError, match="two transcripts share a doc_id"):
        Corpus([one, one])


def test_folder_without_transcripts_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "data.csv", "a\n")
    with pytest.raises(TranscriptError, match="folder holds no transcript file"):
        load_corpus(tmp_path)


def test_recursive_reads_subfolders_but_not_hidden_ones(tmp_path: Path) -> None:
    _write(tmp_path, "ES1_C1.txt", "I: Hi.\nES: Hello.\n")
    _write(tmp_path / "wave2", "ES1_C2.txt", "I: Hi.\nES: Hello.\n")
    _write(tmp_path / ".git", "ES1_C3.txt", "I: Hi.\nES: Hello.\n")
    assert load_corpus(tmp_path).doc_ids == ["ES1_C1"]
    assert load_corpus(tmp_path, recursive=True).doc_ids == ["ES1_C1", "ES1_C2"]


def test_invalid_errors_option(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="errors = 'ignore'"):
        load_corpus(tmp_path, errors="ignore")  # type: ignore[arg-type]


def test_cp1252_files_are_listed_in_corpus_notes(tmp_path: Path) -> None:
    text = "Intervieweuse: Ça va?\nES: Très bien.\n"
    (tmp_path / "ES1_C1.txt").write_bytes(text.encode("cp1252"))
    _write(tmp_path, "ES1_C2.txt", "I: Hi.\nES: Hello.\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EncodingFallbackWarning)
        corpus = load_corpus(tmp_path)
    assert [n for n in corpus.notes if "Windows-1252" in n] == [
        "ES1_C1: not valid UTF-8; decoded as Windows-1252 (check accented characters)",
    ]
    assert corpus.warnings == corpus.notes
    assert corpus["ES1_C1"].encoding == "cp1252"


def test_progress_callable_is_called_before_and_after_each_file(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    load_corpus(_good_folder(tmp_path), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_progress_bar_option_loads_the_same_corpus(tmp_path: Path) -> None:
    _good_folder(tmp_path)
    assert load_corpus(tmp_path, progress=True).doc_ids == load_corpus(tmp_path).doc_ids


# -- invariants (hypothesis) -------------------------------------------------------------------

SPEAKERS = ["Interviewer", "Marie", "ES", "Speaker 2", "Jean-Paul"]
_word = st.text(alphabet="abcdeéfghijklmnopqrstuvwxyzABCDE'-", min_size=1, max_size=8)
_sentence = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(_word, min_size=1, max_size=6),
    st.sampled_from([".", "?", "!", "...", "", " ?", ".)", ". "]),
)
_line = st.lists(_sentence, min_size=1, max_size=3).map(" ".join)
_paragraph = st.lists(_line, min_size=1, max_size=3).map("\n".join)
_turn = st.tuples(
    st.sampled_from(SPEAKERS),
    st.lists(_paragraph, min_size=1, max_size=3),
    st.sampled_from(["\n\n", "\n  \n", "\n\n\n"]),
)
_form = st.sampled_from(["{s}: ", "[{s}] ", "[00:01:02] {s}: ", "**{s}:** ", "{s} (00:00:05): "])


def _render(turns: list[tuple[str, list[str], str]], form: str, title: str) -> str:
    lines = [title] if title else []
    for speaker, paragraphs, separator in turns:
        lines.append(form.format(s=speaker) + separator.join(paragraphs))
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turns=st.lists(_turn, min_size=1, max_size=8),
    form=_form,
    title=st.sampled_from(["", "Interview 4", "# Transcript"]),
)
def test_generated_transcripts_keep_speakers_and_exact_offsets(
    turns: list[tuple[str, list[str], str]], form: str, title: str
) -> None:
    text = _render(turns, form, title)
    transcript = Transcript.from_text(text, speakers={s: "x" for s in SPEAKERS})
    assert [t.speaker for t in transcript.turns] == [s for s, _, _ in turns]
    _check_offsets(transcript)
    for turn in transcript.turns:
        covered = "".join(
            s.text for s in transcript.segments("sentence") if s.turn == turn.turn
        )
        assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", turn.text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab A:[]*\n.?!0123456789-_#", max_size=200))
def test_any_text_either_fails_cleanly_or_keeps_offsets(text: str) -> None:
    try:
        transcript = Transcript.from_text(text)
    except TranscriptError:
        return
    _check_offsets(transcript)
