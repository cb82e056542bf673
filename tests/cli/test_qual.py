"""Tests of the qualitative commands: ``mixedwai code`` and ``mixedwai codebook check``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixedwai.cli import main

CODEBOOK = """\
name: Tiny alliance codebook
version: "1"
language: en
unit: sentence
speakers: [ES]
categories:
  - id: alliance
    label: Alliance
    codes:
      - id: bond
        label: Bond and trust
        match:
          lemmas: [trust]
          phrases: ["on the same page"]
      - id: goals
        label: Agreement on goals
        match:
          phrases: ["job goal"]
"""

INTERVIEWS = {
    "es1-c1.txt": "Interviewer: Did you trust each other?\n"
    "ES: She trusted me. We were on the same page about her job goal.\n",
    "es1-c2.txt": "Interviewer: And him?\nES: He trusted me after a while.\n",
}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    for name, text in INTERVIEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    codebook = tmp_path / "codebook.yaml"
    codebook.write_text(CODEBOOK, encoding="utf-8")
    return folder, codebook


def test_code_writes_codings_matrix_and_frequencies(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert main(["code", str(folder), "--codebook", str(codebook), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "code_frequencies.csv", "code_matrix.csv", "codings.csv",
    ]
    codings = pd.read_csv(out / "codings.csv")
    assert list(zip(codings["doc_id"], codings["segment_id"], codings["code_id"],
                    strict=True)) == [
        ("es1-c1", "t1.s0", "bond"),
        ("es1-c1", "t1.s1", "bond"),
        ("es1-c1", "t1.s1", "goals"),
        ("es1-c2", "t1.s0", "bond"),
    ]
    matrix = pd.read_csv(out / "code_matrix.csv", index_col="code_id")
    assert matrix.loc["bond"].to_dict() == {"ES1_C1": 2, "ES1_C2": 1}
    frequencies = pd.read_csv(out / "code_frequencies.csv")
    assert frequencies["n_segments"].tolist() == [3, 3, 1]
    printed = capsys.readouterr().out
    assert "Coded 2 transcript(s) by sentence" in printed
    assert "1 excluded by speaker" not in printed and "2 excluded by speaker" in printed


def test_code_lists_the_files_not_read_in_its_summary_on_stderr(inputs, tmp_path, capsys):
    folder, codebook = inputs
    (folder / "ES03_C02.doc").write_bytes(b"binary")
    (folder / "notes.csv").write_text("a\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["code", str(folder), "--codebook", str(codebook), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    note = "ES03_C02.doc: .doc files are not read; save it as .docx"
    assert captured.err.count(note) == 1  # in the summary, not also as a warning
    assert "1 note(s) on the transcripts read" in captured.err
    assert "notes.csv" not in captured.err + captured.out


def test_code_case_pattern_finds_case_ids_in_other_file_names(inputs, tmp_path):
    folder, codebook = inputs
    for name in INTERVIEWS:
        (folder / name).rename(folder / name.replace("es1-c", "P01-"))
    out = tmp_path / "out"
    pattern = r"P(?P<es>\d+)-(?P<client>\d+)"
    assert main(["code", str(folder), "--codebook", str(codebook), "--out", str(out),
                 "--case-pattern", pattern]) == 0  # fmt: skip
    assert sorted(set(pd.read_csv(out / "codings.csv")["case_id"])) == ["ES1_C1", "ES1_C2"]


def test_code_with_an_invalid_case_pattern_exits_2_naming_the_option(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert main(["code", str(folder), "--codebook", str(codebook), "--out", str(out),
                 "--case-pattern", "ES(("]) == 2  # fmt: skip
    assert "--case-pattern 'ES((' is not a valid regular expression" in capsys.readouterr().err
    assert not out.exists()


def test_code_shows_progress_while_reading_more_than_five_files(inputs, tmp_path, monkeypatch):
    from mixedwai.cli import _common

    calls = []
    original = _common.FileProgress.__call__

    def spy(self, done, total):
        calls.append((self.description, done, total))
        original(self, done, total)

    monkeypatch.setattr(_common.FileProgress, "__call__", spy)
    folder, codebook = inputs
    for k in range(3, 7):
        (folder / f"es1-c{k}.txt").write_text(INTERVIEWS["es1-c2.txt"], encoding="utf-8")
    assert main(["code", str(folder), "--codebook", str(codebook), "--out",
                 str(tmp_path / "out")]) == 0  # fmt: skip
    assert calls[0] == ("reading", 0, 6) and calls[-1] == ("reading", 6, 6)


def test_file_progress_shows_a_bar_only_above_five_files():
    from mixedwai.cli._common import FileProgress

    few = FileProgress("reading")
    few(1, 5)
    assert few._bar is None
    many = FileProgress("reading")
    many(1, 6)
    assert many._bar is not None
    many.close()
    assert many._bar is None


def test_code_speakers_and_unit_options_reach_the_coder(inputs, tmp_path):
    folder, codebook = inputs
    out = tmp_path / "out"
    status = main(["code", str(folder), "--codebook", str(codebook), "--out", str(out),
                   "--unit", "turn", "--speakers", "all"])
    assert status == 0
    codings = pd.read_csv(out / "codings.csv")
    assert set(codings["role"]) == {"ES", "interviewer"}
    assert set(codings["segment_id"]) == {"t0", "t1"}


def test_code_with_a_bad_unit_exits_2_and_writes_nothing(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    status = main(["code", str(folder), "--codebook", str(codebook), "--out", str(out),
                   "--unit", "word"])
    captured = capsys.readouterr()
    assert status == 2
    assert "--unit = 'word' is not allowed" in captured.err
    assert "Traceback" not in captured.err
    assert not out.exists()


def test_code_with_an_invalid_codebook_exits_2_and_writes_nothing(inputs, tmp_path, capsys):
    folder, codebook = inputs
    codebook.write_text(CODEBOOK.replace("lemmas: [trust]", "lemmas: trust\n          lems: [x]"),
                        encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    status = main(["code", str(folder), "--codebook", str(codebook), "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 2
    assert "codebook.yaml" in captured.err and "lems" in captured.err
    assert "Traceback" not in captured.err
    assert list(out.iterdir()) == []


def test_code_with_a_missing_transcript_folder_exits_2(inputs, tmp_path, capsys):
    _folder, codebook = inputs
    status = main(["code", str(tmp_path / "nowhere"), "--codebook", str(codebook),
                   "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert status == 2
    assert "nowhere" in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "out").exists()


def test_code_with_two_codebooks_of_one_language_exits_2(inputs, tmp_path, capsys):
    folder, codebook = inputs
    status = main(["code", str(folder), "--codebook", str(codebook), "--codebook",
                   str(codebook), "--out", str(tmp_path / "out")])
    assert status == 2
    assert "at most one codebook per language" in capsys.readouterr().err


def test_codebook_check_prints_the_tree(inputs, capsys):
    _folder, codebook = inputs
    assert main(["codebook", "check", str(codebook)]) == 0
    printed = capsys.readouterr().out
    assert "Tiny alliance codebook" in printed
    assert "bond" in printed and "goals" in printed
    assert "OK: 1 category, 2 codes." in printed


def test_codebook_check_of_an_invalid_file_exits_2_with_the_key(inputs, capsys):
    _folder, codebook = inputs
    codebook.write_text(CODEBOOK.replace("label: Bond and trust", "labl: Bond and trust"),
                        encoding="utf-8")
    assert main(["codebook", "check", str(codebook)]) == 2
    err = capsys.readouterr().err
    assert "labl" in err and "Traceback" not in err


def test_codebook_check_warns_on_a_lemma_that_widens(inputs, capsys):
    _folder, codebook = inputs
    codebook.write_text(CODEBOOK.replace("lemmas: [trust]", "lemmas: [trust, willing]"),
                        encoding="utf-8")
    assert main(["codebook", "check", str(codebook)]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "lemmas: [willing] is read as the lemma 'will'" in printed
    assert "'ll" in printed  # what else it matches
    assert 'phrases: ["willing"]' in printed  # the suggestion
    assert "OK: 1 category, 2 codes, 1 warning." in printed


def test_code_reports_the_negated_matches(inputs, tmp_path, capsys):
    folder, codebook = inputs
    (folder / "es1-c3.txt").write_text("ES: He never trusted me.\n", encoding="utf-8")
    assert main(["code", str(folder), "--codebook", str(codebook),
                 "--out", str(tmp_path / "out")]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "Negation and speakers: 1 not coded (negated clause)" in printed
