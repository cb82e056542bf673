"""``mixedwai qdpx import`` / ``export``: files the loaders read back, hostile archives refused."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

import mixedwai as mw
from mixedwai.cli import main


@pytest.fixture()
def exported(tmp_path: Path) -> Path:
    corpus = mw.Corpus([
        mw.Transcript.from_text("Interviewer: How was it?\nES: We trust each other. 😀 Good.",
                                doc_id="ES1_C1"),
        mw.Transcript.from_text("The client came late; she seemed tired.", doc_id="field notes",
                                default_speaker="observer"),
    ])
    text = corpus["ES1_C1"].text
    start = text.index("We trust")
    codings = pd.DataFrame({"doc_id": ["ES1_C1", "field notes"], "start": [start, 4],
                            "end": [start + 8, 10], "code_id": ["bond_trust", "passivity"],
                            "coder": ["AL", "Jo"]})
    cases = pd.DataFrame({"pattern": ["SHA"], "job": [True]},
                         index=pd.Index(["ES1_C1"], name="case_id"))
    notes = pd.DataFrame([{"target": "source", "doc_id": "ES1_C1", "text": "Noisy."}])
    path = tmp_path / "study.qdpx"
    mw.write_qdpx(path, corpus, codings=codings, codebook=mw.load_codebook("ross2008-en"),
                  cases=cases, notes=notes)
    return path


def test_import_writes_files_that_the_loaders_read_back_identically(exported, tmp_path, capsys):
    out = tmp_path / "imported"
    assert main(["qdpx", "import", str(exported), "--out", str(out)]) == 0
    assert "2 coding(s) by 2 coder(s)" in capsys.readouterr().out
    project = mw.read_qdpx(exported)
    corpus = mw.load_corpus(out / "transcripts")
    assert corpus.doc_ids == project.corpus.doc_ids
    for ours, theirs in zip(corpus, project.corpus, strict=True):
        assert ours.model_dump(exclude={"path"}) == theirs.model_dump(exclude={"path"})
    assert mw.load_codebook(out / "codebook.yaml").categories == project.codebook.categories
    codings = pd.read_csv(out / "codings.csv")
    assert codings[["doc_id", "start", "end", "code_id", "coder", "text"]].values.tolist() == \
        project.codings[["doc_id", "start", "end", "code_id", "coder", "text"]].values.tolist()
    assert pd.read_csv(out / "cases.csv").to_dict("records") == [
        {"case_id": "ES1_C1", "pattern": "SHA", "job": True}]
    assert pd.read_csv(out / "notes.csv")["text"].tolist() == ["Noisy."]
    assert [t.speaker for t in corpus["field notes"].turns] == ["speaker"]  # no label: one turn


def test_export_of_an_imported_folder_gives_the_same_project(exported, tmp_path):
    out = tmp_path / "imported"
    assert main(["qdpx", "import", str(exported), "--out", str(out)]) == 0
    again = tmp_path / "again.qdpx"
    assert main(["qdpx", "export", str(out), "--out", str(again)]) == 0
    first, second = mw.read_qdpx(exported), mw.read_qdpx(again)
    key = ["doc_id", "start", "end", "code_id", "coder"]
    assert first.codings[key].values.tolist() == second.codings[key].values.tolist()
    assert first.codebook.categories == second.codebook.categories
    assert first.cases.index.tolist() == second.cases.index.tolist()


def test_export_from_transcripts_and_tables(tmp_path, capsys):
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "es2_c1.txt").write_text("Interviewer: Hi.\nES: I trust her.\n")
    codings = tmp_path / "codings.csv"
    codings.write_text("doc_id,start,end,code_id,coder\nes2_c1,23,28,bond_trust,AL\n")
    out = tmp_path / "p.qdpx"
    assert main(["qdpx", "export", str(folder), "--codebook", "ross2008-en", "--codings",
                 str(codings), "--out", str(out), "--positions", "utf16"]) == 0
    assert "1 coding(s)" in capsys.readouterr().out
    assert mw.read_qdpx(out).codings["text"].tolist() == ["trust"]


def test_hostile_archive_is_refused_and_nothing_is_written(tmp_path, capsys):
    path = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>')
        archive.writestr("../../escaped.txt", "gotcha")
    out = tmp_path / "out"
    assert main(["qdpx", "import", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "unsafe archive" in err and "'../../escaped.txt'" in err
    assert not out.exists()
    assert not any(p.name == "escaped.txt" for p in tmp_path.parent.rglob("escaped.txt"))


def test_code_reads_documents_without_speaker_labels_with_default_speaker(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "es1_c1.txt").write_text("The client said she trusts her counsellor now.\n")
    out = tmp_path / "out"
    assert main(["code", str(folder), "--codebook", "ross2008-en", "--out", str(out),
                 "--speakers", "all"]) == 2
    assert "no speaker turn found" in capsys.readouterr().err
    assert main(["code", str(folder), "--codebook", "ross2008-en", "--out", str(out),
                 "--speakers", "all", "--default-speaker", "observer"]) == 0
    codings = pd.read_csv(out / "codings.csv")
    assert set(codings["speaker"]) == {"observer"}
