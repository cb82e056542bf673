"""Trajectories: the case x time matrix, exclusions with reasons, deviation scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixedwai.errors import (
    ColumnError,
    DataValueError,
    DuplicateRowError,
    InsufficientDataError,
    OptionError,
)
from mixedwai.quant.trajectories import Trajectories, build_trajectories, deviation_scores


def long(rows: list[tuple[str, int, float | None]], **extra) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["case_id", "session", "wai"])
    for name, values in extra.items():
        frame[name] = values
    return frame


THREE = [("ES3_C1", 1, 5.0), ("ES3_C1", 2, 5.5), ("ES3_C1", 3, 6.0),
         ("ES11_C4", 1, 6.5), ("ES11_C4", 2, 6.6), ("ES11_C4", 3, 6.7)]


def test_matrix_holds_the_first_sessions_in_order():
    traj = build_trajectories(long(THREE))
    assert list(traj.matrix.columns) == ["t1", "t2", "t3"]
    assert traj.matrix.index.name == "case_id"
    assert traj.case_ids == ["ES3_C1", "ES11_C4"]  # natural order: ES3 before ES11
    np.testing.assert_allclose(traj.matrix.to_numpy(), [[5.0, 5.5, 6.0], [6.5, 6.6, 6.7]])
    assert traj.matrix.dtypes.eq(float).all()
    assert (traj.n_sessions, traj.score, len(traj.excluded)) == (3, "wai", 0)


def test_rows_in_any_order_give_the_same_matrix():
    shuffled = long(THREE).sample(frac=1, random_state=2)
    pd.testing.assert_frame_equal(build_trajectories(shuffled).matrix,
                                  build_trajectories(long(THREE)).matrix)


def test_only_the_first_n_sessions_are_used():
    rows = [*THREE, ("ES3_C1", 4, 1.0)]
    traj = build_trajectories(long(rows))
    assert traj.matrix.loc["ES3_C1"].tolist() == [5.0, 5.5, 6.0]


def test_two_sessions_can_be_asked_for():
    traj = build_trajectories(long(THREE), n_sessions=2)
    assert list(traj.matrix.columns) == ["t1", "t2"]


def test_cases_with_too_few_sessions_are_excluded_with_the_count():
    rows = [*THREE, ("ES5_C1", 1, 5.0), ("ES5_C2", 1, 5.0), ("ES5_C2", 2, 5.0)]
    traj = build_trajectories(long(rows))
    assert traj.excluded.to_dict("records") == [
        {"case_id": "ES5_C1", "reason": "1 session; 3 needed"},
        {"case_id": "ES5_C2", "reason": "2 sessions; 3 needed"},
    ]
    assert "ES5_C1" not in traj.matrix.index


def test_a_missing_score_excludes_the_case_and_quotes_the_scoring_note():
    rows = [*THREE, ("ES8_C2", 1, 6.0), ("ES8_C2", 2, None), ("ES8_C2", 3, 5.0),
            ("ES8_C2", 4, 5.0)]
    notes = [""] * 7 + ["goal: 2 of 4 items missing (items 4, 6; at most 1 allowed); global "
                        "score missing", "", ""]
    traj = build_trajectories(long(rows, note=notes))
    assert traj.excluded.to_dict("records") == [{
        "case_id": "ES8_C2",
        "reason": "wai missing at session 2 (goal: 2 of 4 items missing (items 4, 6; at most "
                  "1 allowed); global score missing)",
    }]


def test_several_missing_scores_are_all_named():
    rows = [*THREE, ("ES8_C2", 1, None), ("ES8_C2", 2, 5.0), ("ES8_C2", 3, None)]
    traj = build_trajectories(long(rows))
    assert traj.excluded.loc[0, "reason"] == ("wai missing at session 1; "
                                              "wai missing at session 3")


def test_gaps_in_session_numbers_are_kept_and_noted():
    rows = [*THREE, ("ES5_C1", 1, 5.0), ("ES5_C1", 2, 5.0), ("ES5_C1", 4, 4.0),
            ("ES5_C3", 2, 5.0), ("ES5_C3", 3, 5.0), ("ES5_C3", 4, 4.0)]
    traj = build_trajectories(long(rows))
    assert traj.notes["ES5_C1"] == "sessions 1, 2, 4 used (no session 3)"
    assert traj.notes["ES5_C3"] == "sessions 2, 3, 4 used (first session is numbered 2)"
    assert traj.notes["ES3_C1"] == ""
    assert traj.sessions.loc["ES5_C1"].tolist() == [1, 2, 4]
    assert traj.matrix.loc["ES5_C1", "t3"] == 4.0


def test_es_comes_from_the_es_column_or_from_the_case_id():
    frame = long(THREE, es_id=["ES3", "ES3", "ES3", None, None, None])
    traj = build_trajectories(frame)
    assert traj.es.to_dict() == {"ES3_C1": "ES3", "ES11_C4": "ES11"}


def test_a_subscale_can_be_the_score():
    frame = long(THREE)
    frame["bond"] = frame["wai"] - 1
    traj = build_trajectories(frame, score="bond")
    assert traj.score == "bond" and traj.matrix.loc["ES3_C1", "t1"] == 4.0


def test_fewer_than_two_remaining_cases_is_insufficient_data():
    rows = [("ES3_C1", 1, 5.0), ("ES3_C1", 2, 5.0), ("ES3_C1", 3, 5.0),
            ("ES3_C2", 1, 5.0), ("ES3_C3", 1, None), ("ES3_C3", 2, 5.0), ("ES3_C3", 3, 5.0)]
    with pytest.raises(InsufficientDataError,
                       match=r"only 1 case with 3 scored sessions remains; at least 2 are "
                             r"needed\. 2 excluded: 1 with fewer than 3 sessions; 1 with wai "
                             r"missing at one of the first 3 sessions"):
        build_trajectories(long(rows))


def test_n_sessions_below_two_is_refused():
    with pytest.raises(OptionError, match=r"n_sessions = 1 is not allowed"):
        build_trajectories(long(THREE), n_sessions=1)


def test_unknown_score_column_is_named():
    with pytest.raises(ColumnError, match=r"no score column 'alliance'; found columns: "
                                          r"'case_id', 'session', 'wai'"):
        build_trajectories(long(THREE), score="alliance")


def test_duplicate_sessions_are_refused():
    with pytest.raises(DuplicateRowError, match=r"rows 2, 8 \(case ES3_C1, session 1\)"):
        build_trajectories(long([*THREE, ("ES3_C1", 1, 4.0)]))


def test_text_scores_are_refused():
    frame = long(THREE)
    frame["wai"] = frame["wai"].astype(object)
    frame.loc[2, "wai"] = "high"
    with pytest.raises(DataValueError,
                       match=r"row 4 \(case ES3_C1, session 3\): wai = 'high' is not a number"):
        build_trajectories(frame)


def test_case_means_time_means_and_long_form():
    traj = build_trajectories(long(THREE))
    assert traj.case_means.to_dict() == pytest.approx({"ES3_C1": 5.5, "ES11_C4": 6.6})
    assert traj.time_means["t1"] == pytest.approx(5.75)
    flat = traj.to_long()
    assert list(flat.columns) == ["case_id", "es_id", "time", "session", "wai"]
    assert flat["wai"].tolist() == [5.0, 5.5, 6.0, 6.5, 6.6, 6.7]
    assert repr(traj) == "Trajectories(2 cases x 3 sessions of 'wai'; 0 excluded)"


def test_from_matrix_wraps_a_ready_matrix():
    matrix = pd.DataFrame({"T1": [6.0, 5.0], "T2": [6.5, 4.0]}, index=["A", "B"])
    traj = Trajectories.from_matrix(matrix)
    assert list(traj.matrix.columns) == ["t1", "t2"] and traj.n_sessions == 2
    assert traj.es.isna().all() and traj.notes.eq("").all()


def test_from_matrix_refuses_missing_values():
    matrix = pd.DataFrame({"t1": [6.0, np.nan], "t2": [6.5, 4.0]}, index=["A", "B"])
    with pytest.raises(DataValueError, match=r"case B, t1 is missing"):
        Trajectories.from_matrix(matrix)


def test_deviation_scores_subtract_each_case_mean():
    rng = np.random.default_rng(0)
    values = rng.uniform(1, 7, size=(6, 3))
    matrix = pd.DataFrame(values, index=[f"C{i}" for i in range(6)], columns=["t1", "t2", "t3"])
    deviations = deviation_scores(matrix)
    expected = values - values.mean(axis=1)[:, None]
    np.testing.assert_allclose(deviations.to_numpy(), expected)
    np.testing.assert_allclose(deviations.sum(axis=1).to_numpy(), 0, atol=1e-12)
    assert deviations.index.equals(matrix.index)


def test_deviation_scores_accept_trajectories():
    traj = build_trajectories(long(THREE))
    assert deviation_scores(traj).loc["ES3_C1"].tolist() == pytest.approx([-0.5, 0.0, 0.5])


def test_deviation_scores_refuse_gaps():
    matrix = pd.DataFrame({"t1": [1.0, None]}, index=["A", "B"])
    with pytest.raises(DataValueError, match=r"case B, t1 is missing"):
        deviation_scores(matrix)


def test_sample_study_keeps_the_18_clients_met_three_times(sample_dir):
    path = sample_dir / "sessions.csv"
    if not path.exists():
        pytest.skip("sample corpus not generated")
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.instruments.scoring import score_wai

    traj = build_trajectories(score_wai(read_sessions(path)))
    assert traj.n_cases == 18
    assert sorted(traj.excluded["case_id"]) == sorted(
        ["ES3_C3", "ES3_C5", "ES5_C3", "ES5_C5", "ES8_C4", "ES11_C3", "ES11_C5", "ES16_C5",
         "ES21_C2", "ES21_C3", "ES21_C4", "ES21_C5"])
    assert traj.excluded["reason"].str.endswith("; 3 needed").all()


def test_blank_case_ids_and_text_scores_are_reported_together():
    frame = long([("ES3_C1", 1, 5.0), (None, 2, 5.5), ("ES3_C1", 3, 6.0)])
    frame["wai"] = frame["wai"].astype(object)
    frame.loc[2, "wai"] = "six"
    with pytest.raises(DataValueError) as info:
        build_trajectories(frame)
    message = str(info.value)
    assert message.startswith("input table: 2 kinds of problems")
    assert "input table row 3: case_id is blank" in message
    assert "input table row 4 (case ES3_C1, session 3): wai = 'six' is not a number" in message
