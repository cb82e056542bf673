"""`mixedwai cluster`: files written, summary printed, clean failures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixedwai.cli import main

SESSIONS = "sample_corpus/sessions.csv"
CASES = "sample_corpus/cases.csv"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cluster")
    assert main(["cluster", SESSIONS, "--cases", CASES, "--out", str(out), "--n-boot", "20"]) == 0
    return out


def test_writes_every_table_and_figure(out_dir: Path) -> None:
    expected = {"clusters.csv", "profile.csv", "schedule.csv", "k_selection.csv", "excluded.csv",
                "scores.csv", "outcomes.csv", "outcome_test.csv", "score_tests.csv",
                "summary.txt", "patterns.csv", "parameters.csv", "crosstab.csv",
                "descriptives.csv", "characteristics.csv", "time_to_outcome.csv",
                "trajectories.png", "dendrogram.png", "trajectories.svg", "dendrogram.svg",
                "trajectories.pdf", "dendrogram.pdf"}
    assert {p.name for p in out_dir.iterdir() if not p.name.startswith(".")} == expected


def test_clusters_csv_has_the_documented_columns(out_dir: Path) -> None:
    clusters = pd.read_csv(out_dir / "clusters.csv")
    assert list(clusters.columns[:3]) == ["case_id", "cluster", "pattern"]
    assert {"t1", "t2", "t3", "mean"} <= set(clusters.columns)
    assert len(clusters) == 18
    excluded = pd.read_csv(out_dir / "excluded.csv")
    assert list(excluded.columns) == ["case_id", "reason"] and len(excluded) == 12


def test_summary_file_says_why_k_and_parameters_are_written(out_dir: Path) -> None:
    summary = (out_dir / "summary.txt").read_text(encoding="utf-8")
    assert "k = 3" in summary and "Freeman-Halton" in summary
    params = pd.read_csv(out_dir / "parameters.csv").set_index("parameter")["value"]
    assert params["slope_threshold"] == "0.15" and params["k_rule"] == "jump"
    patterns = pd.read_csv(out_dir / "patterns.csv")
    assert {"slope", "curvature", "level", "pattern"} <= set(patterns.columns)
    crosstab = pd.read_csv(out_dir / "crosstab.csv").set_index("pattern")
    assert crosstab.loc["SHA", "n_no"] == 1
    assert round(crosstab.loc["LDA", "pct_overall_no"], 2) == 11.11


def test_summary_names_the_patterns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cluster", SESSIONS, "--out", str(tmp_path), "--n-boot", "0"]) == 0
    printed = capsys.readouterr().out
    assert "18 cases clustered" in printed and "stable high (SHA)" in printed
    assert "k = 3" in printed


def test_naming_thresholds_reach_the_patterns(tmp_path: Path) -> None:
    assert main(["cluster", SESSIONS, "--out", str(tmp_path), "--n-boot", "0",
                 "--slope-threshold", "2", "--level-rule", "median"]) == 0
    patterns = pd.read_csv(tmp_path / "patterns.csv")
    assert "linear decrease" not in set(patterns["pattern"])  # no slope reaches 2 points
    params = pd.read_csv(tmp_path / "parameters.csv").set_index("parameter")["value"]
    assert params["slope_threshold"] == "2" and params["level_rule"] == "median"


def test_fixed_k_and_deviation_scores(tmp_path: Path) -> None:
    assert main(["cluster", SESSIONS, "--out", str(tmp_path), "--k", "2", "--scores",
                 "deviation", "--n-boot", "0"]) == 0
    clusters = pd.read_csv(tmp_path / "clusters.csv")
    assert clusters["cluster"].nunique() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--k", "one"], "--k = 'one'"),
        (["--scores", "raw"], "--scores = 'raw'"),
        (["--instrument", "wai-xx"], "wai-xx"),
    ],
)
def test_bad_options_exit_2_without_traceback_or_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    assert main(["cluster", SESSIONS, "--out", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_out_of_scale_value_names_the_row_and_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = pd.read_csv(SESSIONS, dtype=str)
    table.loc[5, "wai_7"] = "9"
    bad = tmp_path / "sessions.csv"
    table.to_csv(bad, index=False)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier output")
    assert main(["cluster", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 7" in err and "wai_7 = 9" in err and "1..7" in err
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_rerun_into_the_same_folder_leaves_no_stale_outputs(tmp_path: Path) -> None:
    assert main(["cluster", SESSIONS, "--cases", CASES, "--out", str(tmp_path),
                 "--n-boot", "0"]) == 0
    (tmp_path / "notes.txt").write_text("the researcher's own file")
    assert main(["cluster", SESSIONS, "--out", str(tmp_path), "--k", "2", "--n-boot", "0"]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert "outcomes.csv" not in names and "descriptives.csv" not in names
    assert "notes.txt" in names and "clusters.csv" in names


def test_out_that_is_a_file_is_a_clear_error(tmp_path: Path, capsys) -> None:
    target = tmp_path / "out.csv"
    target.write_text("not a folder")
    assert main(["cluster", SESSIONS, "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is not a folder" in err and "Traceback" not in err


def test_refine_kmeans_reports_moves_and_r_squared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cluster", SESSIONS, "--out", str(tmp_path), "--n-boot", "0",
                 "--refine", "kmeans"]) == 0
    printed = capsys.readouterr().out
    assert "k-means refinement" in printed and "R-squared" in printed
    moved = pd.read_csv(tmp_path / "refinement_moved.csv")
    assert list(moved.columns) == ["case_id", "ward_cluster", "cluster"]


def test_tie_diagnostic_is_in_the_k_selection_table(out_dir: Path) -> None:
    table = pd.read_csv(out_dir / "k_selection.csv")
    chosen = table[table["chosen"]].iloc[0]
    assert chosen["tied_merges"] == 0 and chosen["tie_ari_median"] == 1.0
