"""Reading the sessions and cases tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixedwai.errors import (
    ColumnError,
    DataValueError,
    DuplicateRowError,
    EncodingFallbackWarning,
    EsIdMismatchWarning,
    OutcomeValueError,
)
from mixedwai.quant.data.cases import parse_outcome, read_cases
from mixedwai.quant.data.sessions import read_sessions

ITEMS = [f"wai_{i}" for i in range(1, 13)]


def sessions_frame(n: int = 3, **extra) -> pd.DataFrame:
    data = {"case_id": ["ES5_C2"] * n, "session": list(range(1, n + 1))}
    data |= {c: [5] * n for c in ITEMS}
    data |= extra
    return pd.DataFrame(data)


# -- read_sessions -----------------------------------------------------------------------


def test_semicolon_csv_with_bom_is_read(tmp_path):
    header = "case_id;session;" + ";".join(ITEMS)
    rows = ["ES#5_C02;1;" + ";".join(["6"] * 12), "es5-c2;2;" + ";".join(["5"] * 12)]
    path = tmp_path / "sessions.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join([header, *rows]).encode("utf-8"))
    out = read_sessions(path)
    assert out["case_id"].tolist() == ["ES5_C2", "ES5_C2"]
    assert out["session"].tolist() == [1, 2]
    assert out["wai_1"].tolist() == [6.0, 5.0]
    assert out.attrs["source"] == "sessions.csv"


def test_latin1_csv_is_read_with_a_warning(tmp_path):
    header = "case_id,session,remarque," + ",".join(ITEMS)
    row = "ES3_C1,1,séance à domicile," + ",".join(["4"] * 12)
    path = tmp_path / "latin.csv"
    path.write_bytes(f"{header}\n{row}\n".encode("cp1252"))
    with pytest.warns(EncodingFallbackWarning):
        out = read_sessions(path)
    assert out.loc[0, "remarque"] == "séance à domicile"


def test_xlsx_is_read(tmp_path):
    path = tmp_path / "sessions.xlsx"
    sessions_frame(2).to_excel(path, index=False)
    out = read_sessions(path)
    assert out.shape[0] == 2 and out["wai_12"].tolist() == [5.0, 5.0]


def test_sav_is_read(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    path = tmp_path / "sessions.sav"
    frame = sessions_frame(2)
    frame["session"] = frame["session"].astype(float)
    pyreadstat.write_sav(frame, str(path))
    out = read_sessions(path)
    assert out["session"].tolist() == [1, 2]
    assert out["case_id"].tolist() == ["ES5_C2", "ES5_C2"]


def test_item_columns_are_found_ignoring_case_separators_and_zero_padding():
    raw = pd.DataFrame({"Case_ID": ["ES1_C1"], "SESSION": [1],
                        **{f"WAI {i:02d}": [3] for i in range(1, 13)}})
    out = read_sessions(raw)
    assert [c for c in out.columns if c.startswith("wai_")] == ITEMS


def test_item_columns_mapping_renames_to_the_instrument_names():
    raw = pd.DataFrame({"case_id": ["ES1_C1"], "session": [1],
                        **{f"Q{i}": [i % 7 + 1] for i in range(1, 13)}})
    out = read_sessions(raw, item_columns={i: f"Q{i}" for i in range(1, 13)})
    assert out.loc[0, "wai_3"] == 4.0
    assert "Q3" not in out.columns


def test_item_columns_naming_an_unknown_item_is_refused():
    with pytest.raises(ColumnError, match=r"item_columns names item\(s\) 13 that instrument "
                                          r"'wai-s-es' does not have"):
        read_sessions(sessions_frame(), item_columns={13: "wai_1"})


def test_other_columns_are_kept_after_the_standard_ones():
    out = read_sessions(sessions_frame(1, date=["2021-04-01"]))
    assert list(out.columns)[:3] == ["case_id", "es_id", "session"]
    assert out.columns[-1] == "date"


def test_a_ready_wai_column_is_used_when_there_are_no_items():
    raw = pd.DataFrame({"case_id": ["ES2_C1", "ES2_C1"], "session": [1, 2],
                        "WAI": ["5,5", "6"]})
    out = read_sessions(raw)
    assert out["wai"].tolist() == [5.5, 6.0]


def test_es_ids_are_canonicalised_or_derived():
    raw = pd.DataFrame({"case_id": ["ES5_C1", "ES5_C2", "P-007", "ES8_C1"],
                        "session": [1, 1, 1, 1], "wai": [5, 5, 5, 5],
                        "es_id": ["es 05", None, None, "Marie"]})
    assert read_sessions(raw)["es_id"].tolist() == ["ES5", "ES5", None, "Marie"]


def test_es_id_is_derived_from_the_case_when_there_is_no_es_column():
    assert read_sessions(sessions_frame(1))["es_id"].tolist() == ["ES5"]


def test_item_text_that_is_not_a_number_is_kept_for_score_wai_to_report():
    frame = sessions_frame(2)
    frame["wai_7"] = frame["wai_7"].astype(object)
    frame.loc[1, "wai_7"] = "often"
    out = read_sessions(frame)
    assert out["wai_7"].tolist() == [5.0, "often"]


def test_out_of_range_items_are_not_checked_when_reading():
    out = read_sessions(sessions_frame(1, wai_7=[9]))
    assert out.loc[0, "wai_7"] == 9.0


def test_missing_required_columns_name_the_file_and_the_columns_found(tmp_path):
    path = tmp_path / "sessions.csv"
    path.write_text("client,visit,wai\nES1_C1,1,5\n", encoding="utf-8")
    with pytest.raises(ColumnError,
                       match=r"sessions\.csv: missing columns 'case_id', 'session'; found "
                             r"columns: 'client', 'visit', 'wai'"):
        read_sessions(path)


def test_some_item_columns_missing_are_named():
    frame = sessions_frame(1).drop(columns=["wai_4", "wai_10"])
    with pytest.raises(ColumnError, match=r"input table: missing item column\(s\) 'wai_4', "
                                          r"'wai_10' of instrument 'wai-s-es'"):
        read_sessions(frame)


def test_neither_items_nor_score_is_a_column_error():
    with pytest.raises(ColumnError, match=r"missing item column\(s\) 'wai_1'"):
        read_sessions(pd.DataFrame({"case_id": ["A"], "session": [1]}))


def test_bad_session_numbers_list_every_row():
    frame = sessions_frame(4)
    frame["session"] = ["1", "two", "", "3.5"]
    frame.attrs["source"] = "sessions.csv"
    with pytest.raises(DataValueError) as info:
        read_sessions(frame)
    message = str(info.value)
    assert "sessions.csv: session numbers must be whole numbers such as 1, 2, 3 (3 found)" in (
        message)
    assert "sessions.csv row 3 (case ES5_C2): session = 'two' is not a whole number" in message
    assert "sessions.csv row 4 (case ES5_C2): session is blank" in message
    assert "sessions.csv row 5 (case ES5_C2): session = '3.5' is not a whole number" in message


def test_blank_case_ids_are_listed():
    frame = sessions_frame(2)
    frame.loc[1, "case_id"] = None
    with pytest.raises(DataValueError, match=r"input table row 3: case_id is blank"):
        read_sessions(frame)


def test_sample_sessions_file_is_read(sample_dir):
    path = sample_dir / "sessions.csv"
    if not path.exists():
        pytest.skip("sample corpus not generated")
    out = read_sessions(path)
    assert out["case_id"].nunique() == 30
    assert out["es_id"].dropna().unique().tolist() == ["ES3", "ES5", "ES8", "ES11", "ES16",
                                                        "ES21"]


# -- parse_outcome / read_cases ------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["1", "0"], [True, False]),
        ([1, 0], [True, False]),
        ([1.0, 0.0], [True, False]),
        (["Yes", "NO"], [True, False]),
        (["true", "False"], [True, False]),
        (["Oui", "non"], [True, False]),
        (["y", "n"], [True, False]),
        (["O", "N"], [True, False]),
        ([True, False], [True, False]),
        ([" yes ", None, "", np.nan], [True, pd.NA, pd.NA, pd.NA]),
    ],
)
def test_outcome_spellings_are_parsed(cells, expected):
    parsed = parse_outcome(cells, column="job")
    assert str(parsed.dtype) == "boolean"
    assert parsed.tolist() == expected


def test_unknown_outcome_values_are_all_listed():
    with pytest.raises(OutcomeValueError) as info:
        parse_outcome(["yes", "maybe", "2", "no"], column="job", source="cases.csv",
                      case_ids=["A", "B", "C", "D"])
    message = str(info.value)
    assert "cases.csv: job must be a yes/no value (2 found)" in message
    assert "cases.csv row 3 (case B): job = 'maybe' is not one of 1/0, yes/no" in message
    assert "cases.csv row 4 (case C): job = '2' is not one of" in message


def test_a_series_index_names_the_cases_in_outcome_messages():
    values = pd.Series(["ja"], index=["ES3_C1"])
    with pytest.raises(OutcomeValueError, match=r"row 2 \(case ES3_C1\): outcome = 'ja'"):
        parse_outcome(values)


def test_cases_are_indexed_by_canonical_id_and_parsed(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,job,days_to_job,diagnosis,age\n"
                    "ES#3_C1,oui,45,anxiety,25\nes3-c02,non,,mood,\n", encoding="utf-8")
    cases = read_cases(path)
    assert cases.index.tolist() == ["ES3_C1", "ES3_C2"]
    assert cases.index.name == "case_id"
    assert cases["job"].tolist() == [True, False]
    assert cases["days_to_job"].iloc[0] == 45.0 and np.isnan(cases["days_to_job"].iloc[1])
    assert cases["diagnosis"].tolist() == ["anxiety", "mood"]
    assert cases["age"].iloc[0] == 25.0
    assert cases.attrs == {"source": "cases.csv", "outcome": "job",
                           "case_ids": {"ES3_C1": "ES#3_C1", "ES3_C2": "es3-c02"}}  # as written


def test_another_outcome_column_can_be_named():
    raw = pd.DataFrame({"case_id": ["A"], "employed": ["yes"]})
    cases = read_cases(raw, outcome="employed", days_col=None)
    assert cases["employed"].tolist() == [True]


def test_outcome_none_reads_attributes_only():
    cases = read_cases(pd.DataFrame({"case_id": ["A"], "diagnosis": ["mood"]}), outcome=None)
    assert list(cases.columns) == ["diagnosis"]


def test_missing_outcome_column_is_a_column_error():
    with pytest.raises(ColumnError, match=r"missing column 'job'; found columns: 'case_id'"):
        read_cases(pd.DataFrame({"case_id": ["A"]}))


def test_bad_outcomes_in_cases_name_file_row_and_case():
    raw = pd.DataFrame({"case_id": ["ES1_C1", "ES1_C2"], "job": ["yes", "perhaps"]})
    raw.attrs["source"] = "cases.csv"
    with pytest.raises(OutcomeValueError,
                       match=r"cases\.csv row 3 \(case ES1_C2\): job = 'perhaps'"):
        read_cases(raw)


def test_days_that_are_text_or_negative_are_listed():
    raw = pd.DataFrame({"case_id": ["A", "B", "C"], "job": ["yes", "yes", "no"],
                        "days_to_job": ["30", "soon", "-4"]})
    with pytest.raises(DataValueError) as info:
        read_cases(raw)
    message = str(info.value)
    assert "row 3 (case B): days_to_job = 'soon' is not a number" in message
    assert "row 4 (case C): days_to_job = '-4' is negative" in message


def test_duplicate_case_ids_list_their_rows():
    raw = pd.DataFrame({"case_id": ["ES1_C1", "ES2_C1", "es1-c01"], "job": [1, 0, 1]})
    with pytest.raises(DuplicateRowError,
                       match=r"input table rows 2, 4: case ES1_C1"):
        read_cases(raw)


def test_sample_cases_file_is_read(sample_dir):
    path = sample_dir / "cases.csv"
    if not path.exists():
        pytest.skip("sample corpus not generated")
    cases = read_cases(path)
    assert len(cases) == 30 and cases.index.is_unique
    assert str(cases["job"].dtype) == "boolean"


def test_reading_does_not_change_the_input_frame():
    raw = sessions_frame(1)
    before = raw.copy()
    read_sessions(raw)
    pd.testing.assert_frame_equal(raw, before)


def test_a_source_that_is_not_a_table_is_refused():
    with pytest.raises(DataValueError, match=r"source = list is not allowed"):
        read_sessions([1, 2])  # type: ignore[arg-type]


# -- every kind of problem in one message ---------------------------------------------


def test_blank_case_ids_and_bad_session_numbers_are_reported_together():
    frame = sessions_frame(3)
    frame.loc[0, "case_id"] = ""
    frame["session"] = ["1", "2", "three"]
    frame.attrs["source"] = "sessions.csv"
    with pytest.raises(DataValueError) as info:
        read_sessions(frame)
    message = str(info.value)
    assert message.startswith("sessions.csv: 2 kinds of problems")
    assert "sessions.csv row 2: case_id is blank" in message
    assert "sessions.csv row 4 (case ES5_C2): session = 'three' is not a whole number" in message


def test_a_bad_session_on_a_row_with_a_blank_case_names_no_case():
    frame = sessions_frame(2)
    frame.loc[0, "case_id"] = None
    frame.loc[0, "session"] = None
    with pytest.raises(DataValueError) as info:
        read_sessions(frame)
    assert "input table row 2: session is blank" in str(info.value)
    assert "case nan" not in str(info.value)


def test_cases_table_reports_every_kind_of_problem_at_once():
    raw = pd.DataFrame({"case_id": ["ES1_C1", "", "ES1_C1", "ES1_C3"],
                        "job": ["yes", "no", "perhaps", "no"],
                        "days_to_job": ["10", "", "", "-4"]})
    raw.attrs["source"] = "cases.csv"
    with pytest.raises(DataValueError) as info:
        read_cases(raw)
    message = str(info.value)
    assert type(info.value) is DataValueError
    assert message.startswith("cases.csv: 4 kinds of problems")
    assert "cases.csv row 3: case_id is blank" in message
    assert "cases.csv rows 2, 4: case ES1_C1" in message
    assert "cases.csv row 4 (case ES1_C1): job = 'perhaps' is not one of" in message
    assert "cases.csv row 5 (case ES1_C3): days_to_job = '-4' is negative" in message


# -- ES ids that contradict the case id ------------------------------------------------


def test_an_es_id_contradicting_the_case_id_warns_listing_every_row():
    frame = sessions_frame(3, es_id=["ES5", "es 3", "ES#05"])
    frame["case_id"] = ["ES#3_C1", "ES3_C1", "ES3_C1"]
    frame.attrs["source"] = "sessions.csv"
    with pytest.warns(EsIdMismatchWarning) as record:
        out = read_sessions(frame)
    message = str(record[0].message)
    assert "sessions.csv: 2 row(s) give an ES id that contradicts" in message
    assert "sessions.csv row 2 (case ES3_C1): es_id = 'ES5' but the case id names ES3" in message
    assert "sessions.csv row 4 (case ES3_C1): es_id = 'ES#05' but the case id names ES3" in (
        message)
    assert out["es_id"].tolist() == ["ES5", "ES3", "ES5"]  # kept as given


def test_matching_or_free_text_es_ids_do_not_warn():
    import warnings

    frame = sessions_frame(2, es_id=["ES5", "Dupont"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", EsIdMismatchWarning)
        read_sessions(frame)


def test_a_case_table_es_id_contradicting_the_case_id_warns():
    raw = pd.DataFrame({"case_id": ["ES#3_C1", "ES4_C1"], "es_id": ["ES5", "ES4"],
                        "job": ["yes", "no"]})
    with pytest.warns(EsIdMismatchWarning, match=r"row 2 \(case ES3_C1\): es_id = 'ES5'"):
        cases = read_cases(raw)
    assert cases["es_id"].tolist() == ["ES5", "ES4"]


def test_id_spellings_in_attrs_are_shared_not_copied_by_pandas() -> None:
    """pandas deep-copies attrs into every result; a mapping of every case id copied at
    each step made `mixedwai cluster` on 100,000 cases spend 45 s copying it."""
    import copy

    from mixedwai.quant.data.table import IdSpellings, written_ids

    ids = pd.Series([f"ES#{i % 50}_C{i}" for i in range(2000)] * 2)
    canonical = ids.str.replace("#", "", regex=False)
    spellings = written_ids(ids, canonical)
    assert isinstance(spellings, IdSpellings) and len(spellings) == 2000
    assert spellings["ES7_C7"] == "ES#7_C7"
    frame = pd.DataFrame({"x": range(len(ids))})
    frame.attrs["case_ids"] = spellings
    assert (frame + 1).attrs["case_ids"] is spellings
    assert copy.deepcopy(spellings) is spellings
