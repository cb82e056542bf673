"""WAI scoring: worked examples, proration, errors, and a plain-Python reference."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixedwai.errors import (
    ColumnError,
    DataValueError,
    DuplicateRowError,
    MixedWAIWarning,
    ScaleError,
)
from mixedwai.quant.instruments.loading import load_instrument
from mixedwai.quant.instruments.scoring import score_wai

ITEMS = [f"wai_{i}" for i in range(1, 13)]
#: Responses of a worked example; items 4 and 10 are reverse-keyed on WAI-S(-ES).
EXAMPLE = [6, 5, 7, 2, 6, 5, 7, 6, 7, 1, 6, 5]


def frame_of(rows: list[list[float | None]], cases=None, sessions=None) -> pd.DataFrame:
    n = len(rows)
    data = {"case_id": cases or ["ES1_C1"] * n, "session": sessions or list(range(1, n + 1))}
    for j, column in enumerate(ITEMS):
        data[column] = [np.nan if r[j] is None else r[j] for r in rows]
    return pd.DataFrame(data)


def reference_score(responses: list[float | None], inst) -> dict[str, float]:
    """Plain-Python scoring, written from the rules in the docs, one row at a time."""
    keyed = {}
    for item, value in zip(inst.items, responses, strict=True):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        keyed[item] = inst.scale.min + inst.scale.max - value if item in inst.reverse else value
    out: dict[str, float] = {}
    ok = True
    for name, members in inst.subscales.items():
        answered = [keyed[i] for i in members if i in keyed]
        if len(members) - len(answered) <= inst.max_missing_per_subscale and answered:
            out[name] = sum(answered) / len(answered)
        else:
            out[name] = math.nan
            ok = False
    out["wai"] = sum(keyed.values()) / len(keyed) if ok and keyed else math.nan
    out["n_items"] = len(keyed)
    return out


# -- worked examples --------------------------------------------------------------------


def test_worked_example_with_reverse_keyed_items():
    scores = score_wai(frame_of([EXAMPLE]))
    row = scores.iloc[0]
    # keyed: item 4 -> 8 - 2 = 6, item 10 -> 8 - 1 = 7
    assert row["goal"] == pytest.approx((6 + 5 + 7 + 6) / 4)   # items 4, 6, 10, 11
    assert row["task"] == pytest.approx((6 + 5 + 6 + 5) / 4)   # items 1, 2, 8, 12
    assert row["bond"] == pytest.approx((7 + 6 + 7 + 7) / 4)   # items 3, 5, 7, 9
    assert row["total"] == 73
    assert row["wai"] == pytest.approx(73 / 12)
    assert row["n_items"] == 12
    assert row["note"] == ""


def test_wai_sr_has_no_reversal_and_its_own_subscales():
    responses = [5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4]
    row = score_wai(frame_of([responses]), instrument="wai-sr").iloc[0]
    assert row["goal"] == pytest.approx((2 + 5 + 3 + 5) / 4)   # items 4, 6, 8, 11
    assert row["task"] == pytest.approx((5 + 4 + 1 + 4) / 4)   # items 1, 2, 10, 12
    assert row["wai"] == pytest.approx(sum(responses) / 12)


def test_one_missing_item_prorates_its_subscale_and_the_global_score():
    responses = list(EXAMPLE)
    responses[5] = None  # item 6 (goal)
    row = score_wai(frame_of([responses])).iloc[0]
    assert row["goal"] == pytest.approx((6 + 7 + 6) / 3)
    assert row["wai"] == pytest.approx(68 / 11)
    assert row["total"] == pytest.approx(68 / 11 * 12)
    assert row["n_items"] == 11
    assert row["note"] == ("goal prorated: 1 of 4 items missing (item 6); "
                           "global score prorated: mean of 11 of 12 items")


def test_two_missing_items_in_one_subscale_make_it_and_the_global_score_missing():
    responses = list(EXAMPLE)
    responses[3] = responses[5] = None  # items 4 and 6 (goal)
    row = score_wai(frame_of([responses])).iloc[0]
    assert math.isnan(row["goal"]) and math.isnan(row["wai"]) and math.isnan(row["total"])
    assert row["task"] == pytest.approx(5.5)
    assert row["note"] == ("goal: 2 of 4 items missing (items 4, 6; at most 1 allowed); "
                           "global score missing")


def test_missing_items_spread_over_subscales_are_all_prorated():
    responses = list(EXAMPLE)
    responses[0] = responses[2] = None  # item 1 (task), item 3 (bond)
    row = score_wai(frame_of([responses])).iloc[0]
    assert row["wai"] == pytest.approx((73 - 6 - 7) / 10)
    assert row["note"].startswith("task prorated: 1 of 4 items missing (item 1); "
                                  "bond prorated: 1 of 4 items missing (item 3)")


def test_a_row_with_no_answer_has_every_score_missing():
    row = score_wai(frame_of([[None] * 12])).iloc[0]
    assert math.isnan(row["wai"]) and row["n_items"] == 0
    assert "global score missing" in row["note"]


def test_complete_rule_needs_every_item(tmp_path):
    path = tmp_path / "strict.yaml"
    text = load_instrument("wai-s-es").model_dump_json()
    data = json.loads(text) | {"id": "strict", "global_rule": "complete"}
    path.write_text(json.dumps(data), encoding="utf-8")  # JSON is valid YAML
    responses = list(EXAMPLE)
    responses[0] = None
    row = score_wai(frame_of([responses]), instrument=path).iloc[0]
    assert math.isnan(row["wai"])
    assert row["task"] == pytest.approx((5 + 6 + 5) / 3)
    assert row["note"].endswith("global score missing (the instrument's rule needs every item)")


def test_global_only_items_count_in_the_global_score_only():
    inst = load_instrument({"id": "g", "name": "G", "respondent": "client", "source": "S",
                            "scale": {"min": 1, "max": 5}, "items": [1, 2, 3],
                            "subscales": {"a": [1, 2]}, "global_only": [3]})
    frame = pd.DataFrame({"case_id": ["A"], "session": [1], "wai_1": [1], "wai_2": [3],
                          "wai_3": [5]})
    row = score_wai(frame, instrument=inst).iloc[0]
    assert row["a"] == 2.0 and row["wai"] == 3.0


def test_item_columns_mapping_is_used():
    frame = frame_of([EXAMPLE]).rename(columns={c: c.upper() for c in ITEMS})
    scores = score_wai(frame, item_columns={i: f"WAI_{i}" for i in range(1, 13)})
    assert scores.loc[0, "total"] == 73


def test_a_path_is_read_then_scored(tmp_path):
    path = tmp_path / "sessions.csv"
    frame_of([EXAMPLE]).to_csv(path, index=False)
    scores = score_wai(path)
    assert scores.loc[0, "total"] == 73 and scores.attrs["source"] == "sessions.csv"


def test_output_columns_and_order():
    frame = frame_of([EXAMPLE] * 4, cases=["ES11_C1", "ES3_C2", "ES3_C2", "ES3_C10"],
                     sessions=[1, 2, 1, 1])
    frame["es_id"] = ["ES11", "ES3", "ES3", "ES3"]
    scores = score_wai(frame)
    assert list(scores.columns) == ["case_id", "es_id", "session", "wai", "goal", "task",
                                    "bond", "total", "n_items", "note"]
    assert list(zip(scores["case_id"], scores["session"], strict=True)) == [
        ("ES3_C2", 1), ("ES3_C2", 2), ("ES3_C10", 1), ("ES11_C1", 1)]
    assert str(scores["n_items"].dtype) == "Int64"


def test_case_ids_are_canonicalised():
    scores = score_wai(frame_of([EXAMPLE], cases=["ES#5_C02"]))
    assert scores.loc[0, "case_id"] == "ES5_C2"


def test_input_frame_is_not_modified():
    frame = frame_of([EXAMPLE])
    before = frame.copy()
    score_wai(frame)
    pd.testing.assert_frame_equal(frame, before)


# -- a ready score ----------------------------------------------------------------------


def test_a_ready_wai_column_is_validated_and_passed_through():
    frame = pd.DataFrame({"case_id": ["A", "A"], "session": [1, 2], "wai": [5.5, None]})
    scores = score_wai(frame)
    assert scores["wai"].tolist()[0] == 5.5 and math.isnan(scores["wai"].tolist()[1])
    assert math.isnan(scores.loc[0, "goal"])
    assert scores.loc[0, "total"] == 66
    assert scores["n_items"].isna().all()
    assert scores["note"].tolist() == ["", "no score given"]


def test_a_ready_score_that_looks_like_a_sum_gets_a_hint():
    frame = pd.DataFrame({"case_id": ["A", "A"], "session": [1, 2], "wai": [66, 70]})
    with pytest.raises(ScaleError, match=r"look like sums of the 12 items, 12\.\.84: divide by 12"):
        score_wai(frame)


# -- errors -----------------------------------------------------------------------------


def test_out_of_scale_response_names_file_row_case_session_and_value():
    rows = [EXAMPLE] * 13
    cases = ["ES5_C1"] * 12 + ["ES5_C2"]
    sessions = list(range(1, 13)) + [2]
    frame = frame_of(rows, cases=cases, sessions=sessions)
    frame.loc[12, "wai_7"] = 9
    frame.attrs["source"] = "sessions.csv"
    with pytest.raises(ScaleError,
                       match=r"sessions\.csv row 14 \(case ES5_C2, session 2\): wai_7 = 9 is "
                             r"outside the scale 1\.\.7"):
        score_wai(frame)


def test_every_offending_cell_is_listed():
    frame = frame_of([EXAMPLE] * 3)
    frame.loc[0, "wai_1"] = 0
    frame.loc[2, "wai_12"] = 8
    frame["wai_5"] = frame["wai_5"].astype(object)
    frame.loc[1, "wai_5"] = "often"
    with pytest.raises(ScaleError) as info:
        score_wai(frame)
    message = str(info.value)
    assert "item responses must be whole numbers on the scale 1..7 of 'wai-s-es' (3 found)" in (
        message)
    assert "row 2 (case ES1_C1, session 1): wai_1 = 0 is outside the scale 1..7" in message
    assert "row 3 (case ES1_C1, session 2): wai_5 = 'often' is not a number" in message
    assert "row 4 (case ES1_C1, session 3): wai_12 = 8 is outside the scale 1..7" in message


def test_long_lists_of_problems_are_capped_with_a_count():
    frame = frame_of([EXAMPLE] * 40)
    frame["wai_1"] = 9
    with pytest.raises(ScaleError, match=r"\(40 found\)(.|\n)*\.\.\. and 15 more"):
        score_wai(frame)


def test_duplicate_case_and_session_rows_are_listed():
    frame = frame_of([EXAMPLE] * 4, cases=["A", "B", "A", "B"], sessions=[1, 1, 1, 2])
    frame.attrs["source"] = "sessions.csv"
    with pytest.raises(DuplicateRowError,
                       match=r"sessions\.csv: each \(case, session\) must appear on one row only "
                             r"\(1 found\):\n  - sessions\.csv rows 2, 4 \(case A, session 1\)"):
        score_wai(frame)


def test_missing_case_or_session_column_is_a_column_error():
    with pytest.raises(ColumnError, match=r"missing column 'session'"):
        score_wai(frame_of([EXAMPLE]).drop(columns="session"))


def test_partly_missing_item_columns_are_named():
    with pytest.raises(ColumnError, match=r"missing item column\(s\) 'wai_12' of instrument"):
        score_wai(frame_of([EXAMPLE]).drop(columns="wai_12"))


def test_non_integer_session_is_a_data_value_error():
    frame = frame_of([EXAMPLE])
    frame["session"] = [1.5]
    with pytest.raises(DataValueError, match=r"session = 1\.5 is not a whole number"):
        score_wai(frame)


# -- against the reference implementation, and invariants ----------------------------


def test_vectorised_scores_match_the_plain_python_reference():
    rng = np.random.default_rng(7)
    inst = load_instrument("wai-s-es")
    values = rng.integers(1, 8, size=(400, 12)).astype(float)
    values[rng.random((400, 12)) < 0.12] = np.nan
    rows = [[None if np.isnan(v) else float(v) for v in row] for row in values]
    scores = score_wai(frame_of(rows))
    for row, (_, got) in zip(rows, scores.iterrows(), strict=True):
        want = reference_score(row, inst)
        for column in ("wai", "goal", "task", "bond"):
            assert got[column] == pytest.approx(want[column], nan_ok=True), column
        assert got["n_items"] == want["n_items"]


def test_row_order_does_not_change_the_result():
    rng = np.random.default_rng(3)
    values = rng.integers(1, 8, size=(30, 12)).astype(float).tolist()
    cases = [f"ES{i % 4}_C{i % 5}" for i in range(30)]
    sessions = [i // 20 + 1 for i in range(30)]
    frame = frame_of(values, cases=cases, sessions=sessions)
    shuffled = frame.sample(frac=1, random_state=1).reset_index(drop=True)
    pd.testing.assert_frame_equal(score_wai(frame), score_wai(shuffled))


responses = st.lists(st.integers(min_value=1, max_value=7), min_size=12, max_size=12)


@settings(max_examples=200, deadline=None)
@given(responses)
def test_complete_rows_score_within_scale_and_equal_the_mean_of_subscale_means(values):
    row = score_wai(frame_of([values])).iloc[0]
    assert 1 <= row["wai"] <= 7
    assert row["wai"] == pytest.approx((row["goal"] + row["task"] + row["bond"]) / 3)
    assert row["total"] == pytest.approx(row["wai"] * 12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=7)),
                min_size=12, max_size=12))
def test_scores_with_gaps_stay_within_scale_and_go_missing_only_by_the_rule(values):
    row = score_wai(frame_of([values])).iloc[0]
    inst = load_instrument("wai-s-es")
    missing = {item for item, v in zip(inst.items, values, strict=True) if v is None}
    too_many = any(len(missing & set(m)) > 1 for m in inst.subscales.values())
    if too_many:
        assert math.isnan(row["wai"])
    else:
        assert 1 <= row["wai"] <= 7
    assert (row["note"] == "") == (not missing)


# -- every kind of problem in one message ---------------------------------------------


def test_a_file_with_a_blank_case_a_bad_session_and_out_of_scale_items_lists_them_all(tmp_path):
    header = "case_id,session," + ",".join(ITEMS)
    rows = [",1," + ",".join(["5"] * 12),                     # blank case id
            "ES1_C1,two," + ",".join(["5"] * 12),             # bad session number
            "ES1_C1,3," + ",".join(["9"] + ["5"] * 11),       # out of the scale
            "ES1_C1,3," + ",".join(["5"] * 12)]               # same (case, session)
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(DataValueError) as info:
        score_wai(path)
    message = str(info.value)
    assert message.startswith("sessions.csv: 4 kinds of problems")
    assert "sessions.csv row 2: case_id is blank" in message
    assert "sessions.csv row 3 (case ES1_C1): session = 'two' is not a whole number" in message
    assert "sessions.csv row 4 (case ES1_C1, session 3): wai_1 = 9 is outside the scale" in (
        message)
    assert "sessions.csv rows 4, 5 (case ES1_C1, session 3)" in message


def test_a_frame_with_a_blank_case_and_a_text_item_lists_both():
    frame = frame_of([[5] * 12, ["x"] + [5] * 11])
    frame.loc[0, "case_id"] = None
    with pytest.raises(DataValueError) as info:
        score_wai(frame)
    message = str(info.value)
    assert "input table row 2: case_id is blank" in message
    assert "input table row 3 (case ES1_C1, session 2): wai_1 = 'x' is not a number" in message


def test_one_kind_of_problem_keeps_its_own_error_class():
    with pytest.raises(ScaleError, match=r"^input table: item responses must be whole numbers"):
        score_wai(frame_of([[9] + [5] * 11]))


# -- whole-number responses ------------------------------------------------------------


def test_non_integer_responses_are_listed_by_default(tmp_path):
    header = "case_id;session;" + ";".join(ITEMS)
    rows = ["ES1_C1;1;" + ";".join(["3.5"] + ["5"] * 11),
            "ES1_C1;2;" + ";".join(["5", "4,5"] + ["5"] * 10)]
    path = tmp_path / "sessions.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ScaleError) as info:
        score_wai(path)
    message = str(info.value)
    assert "item responses must be whole numbers on the scale 1..7" in message
    assert "integer_items is true" in message
    assert "sessions.csv row 2 (case ES1_C1, session 1): wai_1 = 3.5 is not a whole number" in (
        message)
    assert ("sessions.csv row 3 (case ES1_C1, session 2): wai_2 = '4,5' is not a whole number "
            "(a decimal comma, or two answers?)") in message


def test_a_float_response_in_a_frame_is_refused():
    with pytest.raises(ScaleError, match=r"row 2 \(case ES1_C1, session 1\): wai_3 = 5\.5 is "
                                         r"not a whole number"):
        score_wai(frame_of([[5, 5, 5.5] + [5] * 9]))


def test_integer_items_false_accepts_values_between_the_points():
    inst = load_instrument("wai-s-es").model_copy(update={"integer_items": False})
    scores = score_wai(frame_of([[5.5] + [5] * 11]), instrument=inst)
    assert scores.loc[0, "task"] == pytest.approx((5.5 + 5 + 5 + 5) / 4)


def test_integer_items_false_reads_a_decimal_comma_with_a_warning_never_as_45():
    inst = load_instrument("wai-s-es").model_copy(update={"integer_items": False})
    frame = frame_of([[5] * 12])
    frame["wai_1"] = frame["wai_1"].astype(object)
    frame.loc[0, "wai_1"] = "4,5"
    with pytest.warns(MixedWAIWarning, match=r"wai_1 = '4,5' read as 4\.5"):
        scores = score_wai(frame, instrument=inst)
    assert scores.loc[0, "task"] == pytest.approx((4.5 + 5 + 5 + 5) / 4)


def test_read_sessions_keeps_a_comma_response_as_text_for_score_wai():
    from mixedwai.quant.data.sessions import read_sessions

    frame = frame_of([[5] * 12])
    frame["wai_2"] = frame["wai_2"].astype(object)
    frame.loc[0, "wai_2"] = "4,5"
    assert read_sessions(frame).loc[0, "wai_2"] == "4,5"


def test_integer_items_is_read_from_the_yaml(tmp_path):
    path = tmp_path / "form.yaml"
    text = (Path(load_instrument.__code__.co_filename).parents[2] / "data" / "instruments"
            / "wai-s-es.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("id: wai-s-es", "id: mine") + "integer_items: false\n",
                    encoding="utf-8")
    assert load_instrument(path).integer_items is False
    assert load_instrument("wai-s-es").integer_items is True
