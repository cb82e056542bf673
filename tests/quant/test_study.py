"""analyse_quant: every table, and nothing left out without a trace."""

from __future__ import annotations

import warnings

import mixedwai as mw


def _analyse(sessions, cases):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", mw.MixedWAIWarning)
        return mw.analyse_quant(sessions, cases, n_boot=0)


def test_session_gaps_and_cases_missing_from_the_case_table_are_written_out() -> None:
    sessions = mw.read_sessions("sample_corpus/sessions.csv")
    gap = (sessions["case_id"] == "ES3_C1") & (sessions["session"] == 3)
    cases = mw.read_cases("sample_corpus/cases.csv").drop(index="ES5_C2")
    tables = _analyse(sessions[~gap], cases).tables()
    notes = tables["trajectory_notes"]  # ids as the sessions table writes them
    assert notes.to_dict("records") == [
        {"case_id": "ES#3_C1", "note": "sessions 1, 2, 4 used (no session 3)"}]
    left_out = tables["left_out_of_tables"]
    assert set(left_out["case_id"]) == {"ES#5_C2"}
    assert set(left_out["table"]) == {"characteristics", "time_to_outcome"}


def test_sample_study_has_no_note_and_no_case_left_out() -> None:
    tables = _analyse(mw.read_sessions("sample_corpus/sessions.csv"),
                      mw.read_cases("sample_corpus/cases.csv")).tables()
    assert "trajectory_notes" not in tables and "left_out_of_tables" not in tables
