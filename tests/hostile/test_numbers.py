"""Hostile numbers: session numbers that would exhaust memory, and unbounded options.

Repros of issue 15: a session typed as 300000000 took 12 GB, a date typed as a session
(20210504) 1 GB, and 99999999999999999999 wrapped around int64 and was killed at 24 GB.
Each now ends in a clear error naming the file, row, column, value and the limit, in a
child process capped at 2 GiB.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import DataValueError
from mixedwai.quant.data.sessions import read_sessions
from mixedwai.quant.trajectories import build_trajectories
from tests.hostile.conftest import ROOT, assert_clear_error, run_limited

SESSIONS = ROOT / "sample_corpus" / "sessions.csv"


def _sessions_with(tmp_path: Path, value: str, row: int = 4) -> Path:
    lines = SESSIONS.read_text(encoding="utf-8").splitlines()
    cells = lines[row - 1].split(",")
    cells[2] = value
    lines[row - 1] = ",".join(cells)
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("value", ["300000000", "20210504", "99999999999999999999",
                                   "-300000000"])
def test_huge_session_number_is_a_clear_error_under_2_gib(tmp_path: Path, value: str) -> None:
    path = _sessions_with(tmp_path, value)
    before = path.read_bytes()
    result = run_limited(["-m", "mixedwai", "cluster", str(path), "--out", str(tmp_path / "out"),
                          "--n-boot", "0"])
    assert_clear_error(result, "sessions.csv row 4", "session", value, "MAX_SESSION",
                       "MIXEDWAI_MAX_SESSION")
    assert path.read_bytes() == before


def test_session_limit_is_named_with_its_row_case_and_value(tmp_path: Path) -> None:
    path = _sessions_with(tmp_path, "20210504", row=3)
    with pytest.raises(DataValueError, match=r"row 3 \(case ES3_C1\): session = '?20210504'? "
                                             r"is beyond 10000") as info:
        read_sessions(path)
    assert "max_session=" in str(info.value)


def test_session_limit_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _sessions_with(tmp_path, "20000", row=3)
    assert read_sessions(path, max_session=20_000)["session"].max() == 20_000
    monkeypatch.setenv("MIXEDWAI_MAX_SESSION", "20000")
    assert read_sessions(path)["session"].max() == 20_000


def test_a_wide_gap_is_summarised_not_listed() -> None:
    scores = pd.DataFrame({"case_id": ["A"] * 3 + ["B"] * 3, "session": [1, 2, 9000, 1, 2, 3],
                           "wai": [5.0, 6, 7, 5, 5, 5]})
    traj = build_trajectories(scores)
    assert traj.notes["A"] == "sessions 1, 2, 9000 used (no sessions 3, 4, 5, 6, 7, ...)"


def test_trajectories_refuse_a_session_beyond_the_limit() -> None:
    scores = pd.DataFrame({"case_id": ["A", "A", "B", "B"],
                           "session": [1, 99999999999999999999, 1, 2], "wai": [5.0, 6, 5, 5]})
    with pytest.raises(DataValueError, match="MAX_SESSION"):
        build_trajectories(scores, n_sessions=2)


@pytest.mark.parametrize(("option", "value", "limit"), [
    ("--tie-seeds", "1000000", "MAX_TIE_SEEDS"), ("--n-boot", "100000000", "MAX_N_BOOT"),
    ("--max-k", "100000", "MAX_K")])
def test_cluster_option_bounds_name_the_option_and_limit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str,
        limit: str) -> None:
    from mixedwai.cli import main

    assert main(["cluster", str(SESSIONS), "--out", str(tmp_path / "out"), option, value]) == 2
    err = capsys.readouterr().err
    assert f"{option} = {value} is not allowed" in err and f"MIXEDWAI_{limit}" in err
    assert not (tmp_path / "out").exists()


def test_max_themes_bound_names_the_option(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from mixedwai.cli import main

    assert main(["themes", "sample_corpus/transcripts", "--out", str(tmp_path / "out"),
                 "--max-themes", "5000"]) == 2
    err = capsys.readouterr().err
    assert "--max-themes = 5000 is not allowed" in err and "MAX_THEMES" in err


def test_library_bounds_name_the_parameter() -> None:
    from mixedwai.errors import OptionError
    from mixedwai.qual.themes.suggest import suggest_themes
    from mixedwai.quant.ward.clustering import cluster_trajectories
    from mixedwai.quant.ward.ties import tie_sensitivity
    from mixedwai.quant.ward.tree import ward_tree

    matrix = pd.DataFrame({"t1": [1.0, 2, 3, 4], "t2": [1.0, 2, 3, 5], "t3": [1.0, 2, 4, 5]})
    with pytest.raises(OptionError, match=r"tie_seeds = 5000 .*MAX_TIE_SEEDS"):
        cluster_trajectories(matrix, tie_seeds=5000)
    with pytest.raises(OptionError, match=r"n_boot = 100000 .*MAX_N_BOOT"):
        cluster_trajectories(matrix, n_boot=100_000)
    with pytest.raises(OptionError, match=r"n_seeds = 5000 .*MAX_TIE_SEEDS"):
        tie_sensitivity(ward_tree(matrix.to_numpy()), [2], n_seeds=5000)
    with pytest.raises(OptionError, match=r"max_themes = 1000 .*MAX_THEMES"):
        suggest_themes([], max_themes=1000)
