"""Hostile sizes: zip bombs renamed .docx, slow .docx files, paragraphs, spaCy's max_length.

Repros of issue 15: a .docx of 441 KB ran for more than 4 minutes (python-docx looks up
every paragraph's style by scanning all styles), a 4 MB one expanded to 3.9 GB, and a
turn longer than spaCy's 1,000,000 characters raised E088.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mixedwai.errors import TranscriptError
from mixedwai.qual.transcripts.loaders.docx import load_docx
from tests.hostile.conftest import assert_clear_error, run_limited
from tests.hostile.docx_files import expanding_docx, many_styles_docx


def test_many_styles_docx_reads_each_style_once(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from docx.styles.styles import Styles

    path = many_styles_docx(tmp_path / "ES3_C1.docx", n_styles=500, n_paragraphs=600)
    calls = {"lookups": 0}
    original = Styles._get_by_id

    def counted(self, *args, **kwargs):
        calls["lookups"] += 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Styles, "_get_by_id", counted)
    raw = load_docx(path)
    # python-docx's paragraph.style would scan the 500 styles once per paragraph
    assert calls["lookups"] == 0
    assert len(raw.turns) == 600
    assert [t.speaker for t in raw.turns[:2]] == ["Interviewer", "Marie"]
    assert raw.text[raw.turns[1].start:raw.turns[1].end] == "It went well, I trusted her 1."


def test_docx_declaring_a_huge_expansion_is_refused_before_reading(tmp_path: Path) -> None:
    path = expanding_docx(tmp_path / "ES3_C1.docx", expanded=48 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    before = path.read_bytes()
    started = time.perf_counter()
    with pytest.raises(TranscriptError, match=r"word/document\.xml' would expand \d+ times.*"
                                              r"a zip bomb\? limit MAX_DOCX_RATIO = 200"):
        load_docx(path)
    assert time.perf_counter() - started < 10
    assert path.read_bytes() == before


def test_docx_total_size_limit_names_the_limit(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = many_styles_docx(tmp_path / "ES3_C1.docx", n_styles=2, n_paragraphs=4)
    monkeypatch.setenv("MIXEDWAI_MAX_DOCX_UNCOMPRESSED", "1000")
    with pytest.raises(TranscriptError, match=r"would expand to \d+ bytes, more than a "
                                              r"transcript may take \(1000\); limit "
                                              r"MAX_DOCX_UNCOMPRESSED"):
        load_docx(path)


def test_docx_paragraph_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = many_styles_docx(tmp_path / "ES3_C1.docx", n_styles=2, n_paragraphs=120)
    monkeypatch.setenv("MIXEDWAI_MAX_DOCX_PARAGRAPHS", "100")
    with pytest.raises(TranscriptError, match=r"120 paragraphs, more than a transcript may "
                                              r"hold \(100\); limit MAX_DOCX_PARAGRAPHS"):
        load_docx(path)
    monkeypatch.setenv("MIXEDWAI_MAX_DOCX_PARAGRAPHS", "200")
    assert len(load_docx(path).turns) == 120


def test_zip_bomb_docx_from_the_command_line_under_2_gib(tmp_path: Path) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    expanding_docx(folder / "ES3_C1.docx", expanded=240 * 1024 * 1024)
    result = run_limited(["-m", "mixedwai", "code", str(folder), "--codebook", "ross2008-en",
                          "--out", str(tmp_path / "out")], timeout=120)
    assert_clear_error(result, "ES3_C1.docx", "MAX_DOCX")


@pytest.mark.parametrize("unit", ["sentence", "turn"])
def test_turn_longer_than_spacy_max_length_is_coded_with_offsets(tmp_path: Path,
                                                                  unit: str) -> None:
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.coding.apply import code_corpus
    from mixedwai.qual.transcripts.loading import load_transcript

    # one sentence of 1.3 million characters (no full stop), then a short one
    speech = "I trusted her and she listened to me " * 36_000 + "end. She trusted me."
    path = tmp_path / "ES3_C1.txt"
    path.write_text(f"Interviewer: Hello.\nMarie: {speech}\n", encoding="utf-8")
    transcript = load_transcript(path, speakers={"Marie": "ES"})
    assert len(transcript.text) > 1_300_000
    codings = code_corpus([transcript], load_codebook("ross2008-en"), unit=unit, speakers=None)
    assert len(codings)
    for start, end, text in zip(codings["start"], codings["end"], codings["text"], strict=True):
        assert transcript.text[start:end] == text
    matched = " | ".join(codings["matched"]).casefold()
    assert "trust" in matched


def test_theme_terms_of_a_text_longer_than_spacy_max_length() -> None:
    from mixedwai.qual.themes.terms import theme_tokens

    text = "office " * 160_000  # 1.12 million characters
    terms = theme_tokens([text, "Offices were closed."])
    assert terms[0] == ["office"] * 160_000
    assert terms[1] == ["office", "close"]


@given(st.text(alphabet="ab \n", max_size=200), st.integers(1, 30))
def test_pieces_cover_the_text_in_order_within_the_length(text: str, max_chars: int) -> None:
    from mixedwai.qual.coding.nlp import pieces_within

    spans = pieces_within(text, 0, len(text), max_chars)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(0 < b - a <= max_chars for a, b in spans)
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))


def test_text_transcript_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mixedwai.qual.transcripts.loading import load_transcript

    path = tmp_path / "ES3_C1.txt"
    path.write_text("Interviewer: Hello.\nMarie: " + "fine " * 400 + "\n", encoding="utf-8")
    monkeypatch.setenv("MIXEDWAI_MAX_TRANSCRIPT_BYTES", "1000")
    with pytest.raises(TranscriptError, match=r"ES3_C1\.txt: \d+ bytes is larger than a "
                                              r"transcript may be \(1000\); limit "
                                              r"MAX_TRANSCRIPT_BYTES"):
        load_transcript(path)
    monkeypatch.setenv("MIXEDWAI_MAX_TRANSCRIPT_BYTES", "100000")
    assert load_transcript(path).text.startswith("Interviewer")
