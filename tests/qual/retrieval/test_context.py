"""Tests of codings in context and of the per-code documents; quotes without hidden limits."""

from __future__ import annotations

import io
import warnings

import pandas as pd
import pytest

from mixedwai.errors import CodebookError, DataValueError
from mixedwai.qual.codebook.loading import load_codebook
from mixedwai.qual.coding.apply import code_corpus
from mixedwai.qual.retrieval.context import code_document, codings_in_context
from mixedwai.qual.retrieval.quotes import quotes
from mixedwai.qual.retrieval.search import search
from mixedwai.qual.transcripts.loading import load_corpus
from mixedwai.qual.transcripts.model import Transcript

TEXT = "\n".join([
    "Interviewer: First question.",
    "ES: First answer.",
    "Interviewer: Second question about trust.",
    "ES: We trusted each other. It took time.",
    "Interviewer: Third question.",
    "ES: Third answer.",
])  # fmt: skip


@pytest.fixture(scope="module")
def sample():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus("sample_corpus/transcripts")
    books = {"en": load_codebook("ross2008-en"), "fr": load_codebook("ross2008-fr")}
    return corpus, books, code_corpus(corpus, books)


def test_context_turns_before_and_after_a_coding() -> None:
    t = Transcript.from_text(TEXT, doc_id="es1-c1")
    codings = search(t, "trusted").to_codings("bond")
    table = codings_in_context(codings, t, before=2, after=1)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["turn"] == 3 and row["text"] == "We trusted each other."
    assert row["before"] == "ES: First answer.\nInterviewer: Second question about trust."
    assert row["after"] == "Interviewer: Third question."
    assert (row["turn_start"], row["turn_end"]) == (t.turns[3].start, t.turns[3].end)
    wide = codings_in_context(codings, t, before=10, after=10).iloc[0]
    assert wide["before"].count("\n") == 2 and wide["after"].count("\n") == 1
    none = codings_in_context(codings, t, before=0, after=0).iloc[0]
    assert none["before"] == "" and none["after"] == ""


def test_every_coding_of_the_sample_is_placed_in_its_turn(sample) -> None:
    corpus, _, codings = sample
    table = codings_in_context(codings, corpus)
    assert len(table) == len(codings.drop_duplicates(["code_id", "doc_id", "start", "end",
                                                       "coder"]))
    for row in table.itertuples(index=False):
        transcript = corpus[row.doc_id]
        turn = transcript.turns[row.turn]
        assert turn.start <= row.start < row.end <= turn.end
        assert transcript.text[row.start : row.end] == row.text
        expected = [f"{t.speaker}: {' '.join(t.text.split())}"
                    for t in transcript.turns[max(0, row.turn - 1) : row.turn]]
        assert row.before == "\n".join(expected)


def test_codings_that_do_not_fit_the_corpus_are_listed() -> None:
    t = Transcript.from_text(TEXT, doc_id="es1-c1")
    codings = search(t, "trusted").to_codings("bond")
    moved = codings.assign(start=codings["start"] + 1)
    with pytest.raises(DataValueError, match="row 1 .*do not slice"):
        codings_in_context(moved, t)
    with pytest.raises(DataValueError, match=r"document es9-c9\): document not in the corpus"):
        codings_in_context(codings.assign(doc_id="es9-c9"), t)
    with pytest.raises(CodebookError, match="'goals'"):
        codings_in_context(codings, t, code_id="goals")


def test_documents_in_three_formats(sample) -> None:
    corpus, books, codings = sample
    table = codings_in_context(codings, corpus, code_id="bond_trust")
    markdown = code_document(table, corpus, "bond_trust", codebook=books["en"])
    assert markdown.startswith("# Code bond_trust: Bond and trust\n")
    assert markdown.count("\n## ") == len(table)
    first = table.iloc[0]
    assert f"**{' '.join(first['text'].split())}**" in markdown
    page = code_document(table, corpus, "bond_trust", format="html")
    assert page.count("<mark>") == len(table) and page.startswith("<!DOCTYPE html>")
    data = code_document(table, corpus, "bond_trust", format="docx")
    assert data == code_document(table, corpus, "bond_trust", format="docx")  # deterministic
    import docx

    document = docx.Document(io.BytesIO(data))
    bold = [r.text for p in document.paragraphs for r in p.runs
            if r.bold and r.font.highlight_color is not None]
    assert len(bold) == len(table)
    assert bold[0] == " ".join(first["text"].split())
    with pytest.raises(CodebookError, match="no coding of code 'nothing'"):
        code_document(table, corpus, "nothing")


def test_quotes_return_every_coded_segment_when_asked(sample) -> None:
    _, _, codings = sample
    for code_id in codings["code_id"].unique()[:5]:
        n_segments = len(codings[codings["code_id"] == code_id].drop_duplicates(
            ["doc_id", "start", "end"]))
        found = quotes(codings, code_id, n=1000)
        assert len(found) == n_segments == found.attrs["n_segments"]
        assert found.attrs["n_outside_length"] == 0


def test_quotes_word_limits_are_settable() -> None:
    codings = pd.DataFrame({"doc_id": ["d"] * 3, "case_id": ["C1", "C2", "C3"],
                            "start": [0, 10, 20], "end": [5, 15, 25],
                            "text": ["Yes.", "one two three four", " ".join(["w"] * 50)],
                            "code_id": ["bond"] * 3})
    assert len(quotes(codings, "bond", n=10)) == 3
    limited = quotes(codings, "bond", n=10, min_words=2, max_words=40)
    assert limited["n_words"].tolist() == [4]
    assert limited.attrs == {"n_segments": 3, "n_outside_length": 2}


def test_codings_read_back_from_csv_get_their_text_back(tmp_path) -> None:
    from mixedwai.io import read_table, write_csv
    from mixedwai.qual.retrieval.context import typed_codings

    t = Transcript.from_text("ES: - trusted, yes.\nInterviewer: =ok", doc_id="es1-c1")
    codings = search(t, "trusted", unit="turn").to_codings("bond")
    assert codings["text"].iloc[0] == "- trusted, yes."
    write_csv(codings, tmp_path / "codings.csv")  # neutralises the leading '-'
    back = typed_codings(read_table(tmp_path / "codings.csv"))
    assert back["text"].iloc[0] == "- trusted, yes."
    assert codings_in_context(back, t).iloc[0]["text"] == "- trusted, yes."
