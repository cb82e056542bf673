"""`mixedwai cluster` and `mixedwai run` beyond the sample: optional columns, other measures,
other outcomes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.cli import main

SESSIONS = "sample_corpus/sessions.csv"
CASES = "sample_corpus/cases.csv"


@pytest.fixture()
def cases_without_days(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    pd.read_csv(CASES).drop(columns=["days_to_job"]).to_csv(path, index=False)
    return path


def test_cluster_runs_without_days_to_job(cases_without_days: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["cluster", SESSIONS, "--cases", str(cases_without_days), "--out", str(out),
                 "--n-boot", "0"]) == 0
    written = {p.name for p in out.iterdir()}
    assert "crosstab.csv" in written and "time_to_outcome.csv" not in written
    crosstab = pd.read_csv(out / "crosstab.csv").set_index("pattern")
    assert crosstab.loc["SHA", "n_no"] == 1  # the published numbers are unchanged


def test_run_works_without_days_to_job(cases_without_days: Path, tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(cases_without_days, study / "cases.csv")
    out = tmp_path / "out"
    assert main(["run", str(study), "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").exists()
