"""Silent wrong outputs of issue 15, now errors or reported handling.

Repros: duplicate meta-inference keys kept only the last statement; inf or 1e300 days
gave inf means; one ``nan`` text cell made an age column categorical; XLSX formula cells
without cached values were read as blanks and prorated without a word; booleans scored
as 1.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import CellValueWarning, DataValueError, ScaleError
from mixedwai.quant.data.cases import read_cases
from mixedwai.quant.data.sessions import read_sessions
from mixedwai.quant.instruments.scoring import score_wai
from mixedwai.quant.outcomes.descriptives import time_to_outcome
from tests.hostile.conftest import ROOT

CASES = ROOT / "sample_corpus" / "cases.csv"
SESSIONS = ROOT / "sample_corpus" / "sessions.csv"


def _cases_with(tmp_path: Path, column: str, row: int, value: str) -> Path:
    frame = pd.read_csv(CASES, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("value", ["inf", "1e300", "-inf", "1e999"])
def test_infinite_or_huge_days_are_an_error(tmp_path: Path, value: str) -> None:
    frame = pd.read_csv(CASES, dtype=str, keep_default_na=False)
    row = int(frame.index[frame["days_to_job"] != ""][0])
    path = _cases_with(tmp_path, "days_to_job", row, value)
    with pytest.raises(DataValueError, match=rf"row {row + 2} .*days_to_job = '?{value}'?"):
        read_cases(path)


def test_days_in_a_frame_given_directly_are_checked_too() -> None:
    cases = pd.DataFrame({"job": [True, True, True], "days_to_job": [30, float("inf"), 1e300]},
                         index=pd.Index(["A", "B", "C"], name="case_id"))
    with pytest.raises(DataValueError, match=r"(?s)MAX_DAYS.*case B.*case C"):
        time_to_outcome(cases)


def test_one_nan_text_cell_is_read_as_missing_with_a_warning(tmp_path: Path) -> None:
    frame = pd.read_csv(CASES, dtype=str, keep_default_na=False)
    numeric = [c for c in frame.columns if c not in ("case_id", "es_id", "job", "days_to_job")
               and pd.to_numeric(frame[c], errors="coerce").notna().all()]
    column = numeric[0]
    path = _cases_with(tmp_path, column, 3, "nan")
    with pytest.warns(CellValueWarning, match=rf"column {column!r}: 'nan' read as a missing "
                                              r"value in row 5"):
        cases = read_cases(path)
    assert pd.api.types.is_float_dtype(cases[column].dtype)
    assert cases[column].isna().sum() == 1


def test_stray_text_in_a_number_column_is_reported(tmp_path: Path) -> None:
    frame = pd.read_csv(CASES, dtype=str, keep_default_na=False)
    numeric = [c for c in frame.columns if c not in ("case_id", "es_id", "job", "days_to_job")
               and pd.to_numeric(frame[c], errors="coerce").notna().all()]
    column = numeric[0]
    path = _cases_with(tmp_path, column, 3, "45 ans")
    with pytest.warns(CellValueWarning, match=r"read as categories because of text in row 5"):
        read_cases(path)


def test_clean_cases_give_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CellValueWarning)
        read_cases(CASES)


def test_boolean_item_responses_are_not_scored_as_1() -> None:
    raw = pd.read_csv(SESSIONS).head(6)
    raw["wai_3"] = raw["wai_3"].astype(object)
    raw.loc[2, "wai_3"] = True
    with pytest.raises(ScaleError, match=r"row 4 .*wai_3 = True is not a number"):
        score_wai(read_sessions(raw))


def test_a_boolean_column_of_items_is_refused() -> None:
    raw = pd.read_csv(SESSIONS).head(4)
    raw["wai_5"] = [True, False, True, True]
    with pytest.raises(ScaleError, match="wai_5 = True is not a number"):
        score_wai(read_sessions(raw))


@pytest.mark.parametrize("suffix", [".csv", ".yaml"])
def test_duplicate_meta_inference_keys_are_an_error(tmp_path: Path, suffix: str) -> None:
    from mixedwai.joint.displays.meta import load_meta_inferences

    rows = [("statistics_by_themes", "SHA", "First statement.", "confirmation"),
            ("statistics_by_themes", "SLA", "Other row.", "expansion"),
            ("statistics_by_themes", " SHA", "Second statement.", "expansion")]
    path = tmp_path / f"meta{suffix}"
    if suffix == ".csv":
        pd.DataFrame(rows, columns=["display", "key", "statement", "fit"]).to_csv(path,
                                                                                  index=False)
    else:
        path.write_text("".join(f"- {{display: {d}, key: '{k}', statement: {s}, fit: {f}}}\n"
                                for d, k, s, f in rows), encoding="utf-8")
    with pytest.raises(DataValueError, match=r"row 4: display 'statistics_by_themes', key "
                                             r"'SHA' already has a statement on row 2"):
        load_meta_inferences(path)


def test_xlsx_formulas_without_saved_results_are_named(tmp_path: Path) -> None:
    import openpyxl

    raw = pd.read_csv(SESSIONS).head(5)
    path = tmp_path / "sessions.xlsx"
    raw.to_excel(path, index=False)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet["F3"] = "=2+3"  # openpyxl saves formulas without computing them
    sheet["H5"] = "=F3"
    book.save(path)
    before = path.read_bytes()
    with pytest.raises(DataValueError, match=r"2 cell\(s\) hold a formula with no saved "
                                             r"result: F3, H5"):
        read_sessions(path)
    assert path.read_bytes() == before


def test_xlsx_text_starting_with_equals_is_not_a_formula(tmp_path: Path) -> None:
    raw = pd.read_csv(CASES)
    raw["diagnosis"] = raw["diagnosis"].astype(object)
    path = tmp_path / "cases.xlsx"
    raw.to_excel(path, index=False)
    import openpyxl

    book = openpyxl.load_workbook(path)
    book.active["E2"].value = "=anxiety"
    book.active["E2"].data_type = "s"
    book.save(path)
    assert read_cases(path).iloc[0]["diagnosis"] == "=anxiety"
