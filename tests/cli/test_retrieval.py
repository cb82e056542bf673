"""Tests of the workbench commands: search, words, context, pseudonymise."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mixedwai.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "sample_corpus"


def test_search_command_writes_hits_rule_and_codings(tmp_path: Path, capsys) -> None:
    out = tmp_path / "found"
    status = main(["search", str(SAMPLE / "transcripts"), "confian*", "trust", "--out", str(out),
                   "--roles", "ES", "--code", "trust"])
    assert status == 0
    hits = pd.read_csv(out / "hits.csv")
    assert set(hits["role"]) == {"ES"}
    assert {"confiance", "trust"} <= set(hits["hit"].str.lower())
    assert "REGEX: ^confian.*$" in (out / "rule.yaml").read_text()
    matrix = pd.read_csv(out / "code_matrix.csv", index_col=0)
    codings = pd.read_csv(out / "codings.csv")
    assert set(codings["source"]) == {"search"}
    assert matrix.loc["trust"].sum() == len(codings)
    assert "hit(s) for confian* | trust" in capsys.readouterr().out


def test_search_command_pattern_without_cases_is_a_clear_error(tmp_path: Path, capsys) -> None:
    status = main(["search", str(SAMPLE / "transcripts"), "trust", "--out", str(tmp_path / "o"),
                   "--pattern", "SHA"])
    assert status == 2
    assert "needs a table" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_words_command_by_pattern_writes_frequencies_and_keywords(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    for name, word in (("es1-c1.txt", "garden"), ("es1-c2.txt", "garden"),
                       ("es2-c1.txt", "deadline"), ("es2-c2.txt", "deadline")):
        (folder / name).write_text(f"Interviewer: So?\nES: We met weekly. {word} " * 4 + "\n",
                                   encoding="utf-8")
    pd.DataFrame({"case_id": ["ES1_C1", "ES1_C2", "ES2_C1", "ES2_C2"],
                  "pattern": ["SHA", "SHA", "LDA", "LDA"]}).to_csv(tmp_path / "cases.csv",
                                                                    index=False)
    out = tmp_path / "words"
    status = main(["words", str(folder), "--by", "pattern", "--cases", str(tmp_path / "cases.csv"),
                   "--roles", "ES", "--out", str(out), "--top", "1"])
    assert status == 0
    keys = pd.read_csv(out / "keywords.csv")
    assert dict(zip(keys["pattern"], keys["word"], strict=True)) == {
        "SHA": "garden", "LDA": "deadline"}
    freq = pd.read_csv(out / "word_frequencies.csv")
    assert set(freq["pattern"]) == {"SHA", "LDA"}


def test_context_command_writes_the_table_and_one_document_per_code(tmp_path: Path) -> None:
    found = tmp_path / "found"
    assert main(["search", str(SAMPLE / "transcripts"), "trust", "--out", str(found),
                 "--code", "trust"]) == 0
    out = tmp_path / "context"
    status = main(["context", str(SAMPLE / "transcripts"), "--codings",
                   str(found / "codings.csv"), "--out", str(out), "--format", "markdown,docx",
                   "--before", "2"])
    assert status == 0
    table = pd.read_csv(out / "context.csv")
    assert len(table) == len(pd.read_csv(found / "codings.csv"))
    assert (out / "codes" / "trust.md").read_text().startswith("# Code trust")
    assert (out / "codes" / "trust.docx").stat().st_size > 0


def test_context_command_refuses_bad_offsets(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "codings.csv"
    bad.write_text("doc_id,start,end,code_id\nES03_C01,x,4,bond\n", encoding="utf-8")
    status = main(["context", str(SAMPLE / "transcripts"), "--codings", str(bad),
                   "--out", str(tmp_path / "o")])
    assert status == 2
    assert "row 2: start = 'x' is not a whole number" in capsys.readouterr().err
