"""Linking strands: nothing dropped silently."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

from mixedwai.errors import UnlinkedCaseWarning


def test_sample_links_every_interview_and_lists_the_uninterviewed_case(linked) -> None:
    links = linked.links
    assert (links["status"] == "linked").sum() == 17
    missing = links[links["status"] == "trajectory without interview"]
    assert missing["case_id"].tolist() == ["ES21_C1"]


def test_presence_covers_interviewed_cases_and_all_codes(linked) -> None:
    assert list(linked.presence.index) == list(linked.interviewed.index)
    codebook_codes = [code.id for code, *_ in linked.codebook.iter_codes()]
    assert list(linked.presence.columns)[: len(codebook_codes)] == codebook_codes


@pytest.fixture()
def study_with_strays(tmp_path: Path) -> Path:
    target = tmp_path / "study"
    shutil.copytree("sample_corpus", target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (target / "transcripts" / "ES99_C9.txt").write_text(
        "Interviewer: How did the first meeting go?\nES: It went well, she trusted me quickly.\n",
        encoding="utf-8",
    )
    (target / "transcripts" / "ES3_C3.txt").write_text(
        "Interviewer: Tell me about this client.\nES: We only met twice, then he moved away.\n",
        encoding="utf-8",
    )
    return target


def test_unknown_transcript_warns_with_file_name_and_is_listed(study_with_strays: Path) -> None:
    from mixedwai.joint.analysis import analyse_study

    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        run = analyse_study(study_with_strays)
    messages = [str(r.message) for r in records if issubclass(r.category, UnlinkedCaseWarning)]
    assert any("ES99_C9" in m for m in messages)
    links = run.linked.links.set_index("doc_id")
    assert links.loc["ES99_C9", "status"] == "transcript with unknown case"
    assert links.loc["ES3_C3", "status"] == "interview without trajectory"
    assert "excluded from clustering" in links.loc["ES3_C3", "detail"]
    assert any("ES99_C9" in w for w in run.warnings)


def test_run_still_writes_the_report_with_an_unknown_transcript(
    study_with_strays: Path, tmp_path: Path
) -> None:
    from mixedwai.cli import main

    out = tmp_path / "out"
    assert main(["run", str(study_with_strays), "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").exists() and (out / "report.docx").exists()
    assert "ES99_C9" in (out / "report.html").read_text(encoding="utf-8")
