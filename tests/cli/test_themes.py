"""Tests of ``mixedwai themes`` and ``mixedwai codebook promote``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from ruamel.yaml import YAML

from mixedwai.cli import main
from mixedwai.qual.codebook.loading import load_codebook

CODEBOOK = """\
# my codebook
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
          lemmas: [trust]   # only this
"""

INTERVIEWS = {
    "es1-c1.txt": "Interviewer: How did it go?\n"
    "ES: She trusted me. The bus was always late. She took the bus and the train. "
    "The train was full. Her garden had roses. The roses were red.\n",
    "es1-c2.txt": "Interviewer: And him?\n"
    "ES: He missed the bus. The train was cancelled. His garden was big. "
    "The roses in his garden. He trusted nobody.\n",
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


def run_themes(folder: Path, codebook: Path, out: Path, *extra: str) -> int:
    return main(["themes", str(folder), "--codebook", str(codebook), "--out", str(out), *extra])


def test_themes_writes_tables_and_the_review_file(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, "--n-themes", "2") == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "theme_segments.csv", "theme_selection.csv", "themes.csv", "themes.yaml",
    ]  # fmt: skip
    themes = pd.read_csv(out / "themes.csv")
    assert themes["theme_id"].tolist() == ["T01", "T02"]
    assert {"label", "top_terms", "weight", "n_segments", "n_cases", "cases"} <= set(themes)
    segments = pd.read_csv(out / "theme_segments.csv")
    assert not segments["text"].str.contains("trust").any()  # coded segments left out
    review = YAML(typ="safe").load(out / "themes.yaml")
    assert [t["theme"] for t in review["themes"]] == ["T01", "T02"]
    shown = capsys.readouterr().out
    assert "2 candidate themes (as requested) in 9 uncoded sentence(s) by ES" in shown
    assert f"mixedwai codebook promote {codebook} {out / 'themes.yaml'}" in shown


def test_themes_lists_the_files_not_read_in_its_summary_on_stderr(inputs, tmp_path, capsys):
    folder, codebook = inputs
    (folder / "es1-c3.pdf").write_bytes(b"%PDF")
    assert run_themes(folder, codebook, tmp_path / "out", "--n-themes", "2") == 0
    err = capsys.readouterr().err
    assert err.count("es1-c3.pdf: .pdf files are not read; export its text as .docx") == 1


def test_themes_case_pattern_finds_case_ids_in_other_file_names(inputs, tmp_path):
    folder, codebook = inputs
    for name in INTERVIEWS:
        (folder / name).rename(folder / name.replace("es1-c", "P01-"))
    out = tmp_path / "out"
    pattern = r"P(?P<es>\d+)-(?P<client>\d+)"
    assert run_themes(folder, codebook, out, "--n-themes", "2", "--case-pattern", pattern) == 0
    cases = pd.read_csv(out / "themes.csv")["cases"]
    assert {c for cell in cases for c in cell.split("; ")} == {"ES1_C1", "ES1_C2"}


def test_themes_auto_reports_the_criterion(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, "--max-themes", "3", "--seed", "1") == 0
    selection = pd.read_csv(out / "theme_selection.csv")
    assert selection["n_themes"].tolist() == [2, 3]
    assert selection["chosen"].sum() == 1
    assert "best mean NPMI coherence" in capsys.readouterr().out


def test_themes_outputs_are_identical_across_runs(inputs, tmp_path):
    folder, codebook = inputs
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_themes(folder, codebook, first) == 0
    assert run_themes(folder, codebook, second) == 0
    for name in ("themes.csv", "theme_segments.csv", "theme_selection.csv", "themes.yaml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_themes_without_codebook_needs_segments_all(inputs, tmp_path, capsys):
    folder, _codebook = inputs
    out = tmp_path / "out"
    assert main(["themes", str(folder), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "mixedwai: error: segments = 'uncoded' needs a codebook" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert main(["themes", str(folder), "--out", str(out), "--segments", "all",
                 "--n-themes", "2"]) == 0  # fmt: skip
    assert "CODEBOOK.yaml" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--n-themes", "lots"], "--n-themes 'lots' is not allowed"),
        (["--n-themes", "50"], "too little text for 50 themes"),
        (["--segments", "coded"], "segments = 'coded' is not allowed"),
        (["--unit", "word"], "unit = 'word' is not allowed"),
    ],
)
def test_themes_errors_exit_2_without_partial_files(inputs, tmp_path, capsys, extra, message):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, *extra) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_promote_adds_accepted_themes_and_reports_decisions(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, "--n-themes", "2") == 0
    review = out / "themes.yaml"
    text = review.read_text(encoding="utf-8").replace("decision: review", "decision: accept")
    text = text.replace("decision: accept", "decision: merge", 1).replace(
        "into: null", "into: T02", 1
    )
    review.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["codebook", "promote", str(codebook), str(review)]) == 0
    shown = capsys.readouterr().out
    assert "Promoted 1 theme(s) into category 'inductive'" in shown
    assert "Merged: T01 into T02." in shown
    book = load_codebook(codebook)
    assert len(book.category("inductive").codes) == 1
    assert book.category("inductive").codes[0].metadata["themes"] == ["T02", "T01"]
    new = codebook.read_text(encoding="utf-8")
    assert new.startswith(CODEBOOK)


def test_promote_with_out_writes_a_new_file(inputs, tmp_path):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, "--n-themes", "2") == 0
    review = out / "themes.yaml"
    text = review.read_text(encoding="utf-8")
    review.write_text(text.replace("decision: review", "decision: accept"), encoding="utf-8")
    target = tmp_path / "promoted.yaml"
    assert main(["codebook", "promote", str(codebook), str(out / "themes.yaml"),
                 "--out", str(target), "--category", "emergent"]) == 0  # fmt: skip
    assert codebook.read_text(encoding="utf-8") == CODEBOOK
    assert load_codebook(target).category("emergent").codes


def test_promote_of_an_unedited_review_exits_2_listing_the_undecided_themes(
    inputs, tmp_path, capsys
):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, "--n-themes", "2") == 0
    capsys.readouterr()
    assert main(["codebook", "promote", str(codebook), str(out / "themes.yaml")]) == 2
    err = capsys.readouterr().err
    assert "2 of 2 theme(s) are not decided yet (decision: review): T01 (line" in err
    assert codebook.read_text(encoding="utf-8") == CODEBOOK


def test_themes_with_all_segments_defaults_to_turns(inputs, tmp_path, capsys):
    folder, codebook = inputs
    out = tmp_path / "out"
    assert run_themes(folder, codebook, out, "--n-themes", "2", "--segments", "all") == 0
    assert "in 2 turn(s) by ES" in capsys.readouterr().out
    assert run_themes(folder, codebook, tmp_path / "out2", "--n-themes", "2") == 0
    assert "uncoded sentence(s)" in capsys.readouterr().out


def test_promote_errors_exit_2_and_leave_the_codebook(inputs, tmp_path, capsys):
    _folder, codebook = inputs
    review = tmp_path / "themes.yaml"
    review.write_text("themes:\n  - theme: T01\n    decision: accept\n    id: bond\n"
                      "    label: Bond\n", encoding="utf-8")  # fmt: skip
    assert main(["codebook", "promote", str(codebook), str(review)]) == 2
    err = capsys.readouterr().err
    assert "themes[0].id (line 4): id 'bond' is already an id in codebook" in err
    assert "Traceback" not in err
    assert codebook.read_text(encoding="utf-8") == CODEBOOK


def test_promote_into_a_shipped_codebook_needs_out(tmp_path, capsys):
    review = tmp_path / "themes.yaml"
    review.write_text("themes:\n  - {theme: T01, decision: reject}\n", encoding="utf-8")
    assert main(["codebook", "promote", "ross2008-en", str(review)]) == 2
    assert "is a shipped codebook" in capsys.readouterr().err
