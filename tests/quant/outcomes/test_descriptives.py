"""Tests for mixedwai.quant.outcomes.descriptives: Table 1, Table 3 and days to outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixedwai.errors import (
    ColumnError,
    DataValueError,
    ExclusionWarning,
    OptionError,
    OutcomeValueError,
)
from mixedwai.quant.outcomes.descriptives import (
    characteristics_by_pattern,
    outcome_by_attribute,
    time_to_outcome,
)
from mixedwai.quant.outcomes.levels import natural_key


@pytest.fixture
def cases() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    ids = [f"ES{e}_C{c}" for e in (3, 11, 16) for c in range(1, 7)]
    job = rng.random(18) < 0.65
    return pd.DataFrame(
        {
            "es_id": [i.split("_")[0] for i in ids],
            "job": job,
            "days_to_job": np.where(job, rng.integers(20, 120, 18), np.nan),
            "diagnosis": rng.choice(["anxiety", "mood", "psychotic"], 18),
            "benefits": rng.choice(["none", "short-term", "social assistance"], 18),
            "age": rng.integers(21, 58, 18).astype(float),
        },
        index=pd.Index(ids, name="case_id"),
    )


@pytest.fixture
def labels(cases) -> pd.Series:
    return pd.Series(["SHA"] * 5 + ["SLA"] * 10 + ["LDA"] * 3, index=cases.index)


# --- outcome_by_attribute ----------------------------------------------------------


def test_rates_match_a_pandas_groupby(cases):
    table = outcome_by_attribute(cases, "diagnosis").set_index("level")
    grouped = cases.groupby("diagnosis")["job"]
    for level in grouped.size().index:
        assert table.loc[level, "n"] == grouped.size()[level]
        assert table.loc[level, "n_outcome"] == grouped.sum()[level]
        assert table.loc[level, "pct_outcome"] == pytest.approx(100 * grouped.mean()[level])
    assert table.loc["total", "n"] == 18
    assert table.loc["total", "n_outcome"] == cases["job"].sum()


def test_list_of_attributes_gives_a_long_frame(cases):
    table = outcome_by_attribute(cases, ["diagnosis", "benefits"])
    assert table["attribute"].unique().tolist() == ["diagnosis", "benefits"]
    assert (table.groupby("attribute")["level"].last() == "total").all()


def test_blank_attribute_is_its_own_level_and_blank_outcome_is_counted_apart(cases):
    cases = cases.astype({"job": object, "diagnosis": object})
    cases.loc["ES3_C1", "diagnosis"] = None
    cases.loc["ES3_C2", "job"] = None
    table = outcome_by_attribute(cases, "diagnosis").set_index("level")
    assert table.loc["missing", "n"] + table.loc["missing", "n_missing"] == 1
    assert table.loc["total", "n"] == 17 and table.loc["total", "n_missing"] == 1


def test_case_id_column_is_accepted(cases):
    a = outcome_by_attribute(cases, "benefits")
    b = outcome_by_attribute(cases.reset_index(), "benefits")
    pd.testing.assert_frame_equal(a, b)


def test_missing_attribute_column_is_named(cases):
    with pytest.raises(ColumnError, match="missing column 'sex'"):
        outcome_by_attribute(cases, "sex")


def test_bad_outcome_value_is_named(cases):
    cases = cases.astype({"job": object})
    cases.loc["ES16_C2", "job"] = "perhaps"
    with pytest.raises(OutcomeValueError, match="case ES16_C2.*'perhaps'"):
        outcome_by_attribute(cases, "benefits")


# --- characteristics_by_pattern --------------------------------------------------------


def test_level_counts_match_pandas_crosstab(cases, labels):
    long = characteristics_by_pattern(cases, labels, ["diagnosis"])
    rows = long[long["attribute"] == "diagnosis"].set_index(["level", "pattern"])
    crosstab = pd.crosstab(cases["diagnosis"], labels)
    for level in crosstab.index:
        for pattern in crosstab.columns:
            assert rows.loc[(level, pattern), "n"] == crosstab.loc[level, pattern]
            size = (labels == pattern).sum()
            assert rows.loc[(level, pattern), "pct"] == pytest.approx(
                100 * crosstab.loc[level, pattern] / size
            )


def test_numeric_attribute_mean_and_sd_match_groupby(cases, labels):
    long = characteristics_by_pattern(cases, labels, ["age"], include_es=False)
    rows = long.set_index("pattern")
    grouped = cases["age"].groupby(labels)
    for pattern in ("SHA", "SLA", "LDA"):
        assert rows.loc[pattern, "mean"] == pytest.approx(grouped.mean()[pattern])
        assert rows.loc[pattern, "sd"] == pytest.approx(grouped.std()[pattern])
    assert rows.loc["total", "mean"] == pytest.approx(cases["age"].mean())


def test_es_distribution_comes_first_in_natural_order(cases, labels):
    long = characteristics_by_pattern(cases.drop(columns="es_id"), labels, ["age"])
    es_levels = long.loc[long["attribute"] == "es_id", "level"].unique().tolist()
    assert long["attribute"].iloc[0] == "es_id"
    assert es_levels == ["ES3", "ES11", "ES16"]


def test_patterns_follow_the_order_given(cases, labels):
    long = characteristics_by_pattern(cases, labels, ["age"], order=["SHA", "SLA", "LDA"])
    assert long["pattern"].unique().tolist() == ["SHA", "SLA", "LDA", "total"]


def test_categorical_option_describes_codes_by_level(cases, labels):
    cases = cases.assign(code=np.arange(18) % 2)
    long = characteristics_by_pattern(cases, labels, ["code"], categorical=["code"],
                                      include_es=False)
    assert long["level"].unique().tolist() == [0, 1]


def test_wide_table_cells(cases, labels):
    wide = characteristics_by_pattern(cases, labels, ["age", "benefits"],
                                      order=["SHA", "SLA", "LDA"], wide=True)
    assert list(wide.columns) == ["SHA", "SLA", "LDA", "total"]
    assert wide.loc[("n", ""), "SLA"] == "10"
    n = int(((labels == "LDA") & (cases["benefits"] == "none")).sum())
    assert wide.loc[("benefits", "none"), "LDA"] == f"{n} ({100 * n / 3:.1f} %)"
    ages = cases.loc[labels == "SHA", "age"]
    assert wide.loc[("age", "mean (SD)"), "SHA"] == f"{ages.mean():.1f} ({ages.std():.1f})"


def test_labelled_case_missing_from_cases_is_left_out_with_a_reason(cases, labels):
    fewer = cases.drop(index="ES3_C4")
    fewer.attrs["source"] = "cases.csv"
    with pytest.warns(ExclusionWarning, match=r"1 labelled case\(s\) not in cases\.csv left "
                                              r"out: ES3_C4"):
        table = characteristics_by_pattern(fewer, labels, ["age"])
    assert table.attrs["excluded"] == {"ES3_C4": "not in cases.csv"}
    total = table[(table["attribute"] == "age") & (table["pattern"] == "total")].iloc[0]
    assert total["n"] == 17
    assert total["mean"] == pytest.approx(fewer["age"].mean())


def test_days_by_pattern_leave_out_a_labelled_case_missing_from_cases(cases, labels):
    with pytest.warns(ExclusionWarning, match="ES3_C4"):
        table = time_to_outcome(cases.drop(index="ES3_C4"), by=labels)
    assert table.loc["total", "n_cases"] == 17
    assert table.attrs["excluded"] == {"ES3_C4": "not in the case table"}


def test_a_blank_pattern_label_is_still_an_error(cases, labels):
    labels = labels.astype(object)
    labels.iloc[0] = None
    with pytest.raises(DataValueError, match=r"case ES3_C1: blank pattern label"):
        characteristics_by_pattern(cases, labels, ["age"])


def test_a_clustered_case_missing_from_the_case_table_does_not_stop_the_analysis(sample_dir):
    import warnings

    from mixedwai.quant.data.cases import read_cases
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.study import analyse_quant

    sessions = read_sessions(sample_dir / "sessions.csv")
    cases = read_cases(sample_dir / "cases.csv").drop(index="ES3_C1")  # clustered (SLA)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        q = analyse_quant(sessions, cases, n_boot=0, tie_seeds=0)
    assert q.characteristics.attrs["excluded"] == {"ES3_C1": "not in cases.csv"}
    assert q.time_to_outcome.attrs["excluded"] == {"ES3_C1": "not in cases.csv"}
    assert any(issubclass(w.category, ExclusionWarning) and "ES3_C1" in str(w.message)
               for w in caught)
    assert q.crosstab.n == 17


def test_natural_key_orders_es_ids():
    assert sorted(["ES21", "ES3", "ES11"], key=natural_key) == ["ES3", "ES11", "ES21"]


# --- time_to_outcome -----------------------------------------------------------------


def test_days_statistics_among_those_who_reached_the_outcome(cases):
    table = time_to_outcome(cases)
    days = cases.loc[cases["job"], "days_to_job"]
    row = table.loc["all"]
    assert row["n"] == len(days) == row["n_outcome"]
    assert row["mean"] == pytest.approx(days.mean())
    assert row["sd"] == pytest.approx(days.std(ddof=1))
    assert row["median"] == pytest.approx(days.median())
    assert (row["min"], row["max"]) == (days.min(), days.max())


def test_days_by_pattern_series_match_groupby(cases, labels):
    table = time_to_outcome(cases, by=labels, order=["SHA", "SLA", "LDA"])
    reached = cases[cases["job"]]
    grouped = reached["days_to_job"].groupby(labels[reached.index])
    assert list(table.index) == ["SHA", "SLA", "LDA", "total"]
    for pattern in grouped.size().index:
        assert table.loc[pattern, "mean"] == pytest.approx(grouped.mean()[pattern])


def test_days_by_column(cases):
    table = time_to_outcome(cases, by="benefits")
    assert table.loc["total", "n_cases"] == 18
    assert set(table.index) == {*cases["benefits"].unique(), "total"}


def test_reached_outcome_without_days_is_counted_apart(cases):
    first_yes = cases.index[cases["job"]][0]
    cases.loc[first_yes, "days_to_job"] = np.nan
    row = time_to_outcome(cases).loc["all"]
    assert row["n_missing_days"] == 1 and row["n"] == row["n_outcome"] - 1


def test_negative_days_are_named(cases):
    first_yes = cases.index[cases["job"]][0]
    cases.loc[first_yes, "days_to_job"] = -3
    with pytest.raises(DataValueError, match=f"case {first_yes}: days_to_job = -3"):
        time_to_outcome(cases)


def test_sample_study_days_to_job(sample_dir):
    path = sample_dir / "cases.csv"
    if not path.exists():
        pytest.skip("sample corpus not built")
    from mixedwai.quant.data.cases import read_cases

    cases = read_cases(path)
    clustered = [c for cases_ in (
        "ES11_C1 ES11_C2 ES11_C4 ES16_C4 ES3_C2",
        "ES5_C2 ES5_C4 ES16_C1 ES3_C1 ES8_C1 ES8_C3 ES21_C1 ES16_C2 ES3_C4 ES8_C5",
        "ES5_C1 ES16_C3 ES8_C2") for c in cases_.split()]
    row = time_to_outcome(cases.loc[clustered]).loc["all"]
    assert row["n"] == 12
    assert row["mean"] == pytest.approx(59.25, abs=0.005)
    assert row["sd"] == pytest.approx(21.01, abs=0.005)


# --- level order ----------------------------------------------------------------------


def test_sample_time_out_of_work_levels_follow_their_numbers(sample_dir):
    from mixedwai.quant.data.cases import read_cases

    table = outcome_by_attribute(read_cases(sample_dir / "cases.csv"), "time_out_of_work")
    assert table["level"].tolist() == ["< 1 year", "1-2 years", "2-5 years", "> 5 years",
                                       "total"]


def test_sample_levels_without_numbers_follow_the_case_table(sample_dir):
    from mixedwai.quant.data.cases import read_cases

    cases = read_cases(sample_dir / "cases.csv")
    table = outcome_by_attribute(cases, "diagnosis")
    assert table["level"].tolist()[:-1] == list(dict.fromkeys(cases["diagnosis"].dropna()))
    assert table["level"].tolist()[:2] == ["anxiety", "psychotic"]  # not alphabetical


def test_numeric_aware_order_puts_less_than_first_and_more_than_last():
    out = ["5+ years", "2-5 years", "under 1 year", "10 years", "1-2 years"]
    cases = pd.DataFrame({"job": [True] * 5, "out": out}, index=[f"ES1_C{i}" for i in range(5)])
    levels = outcome_by_attribute(cases, "out")["level"].tolist()
    assert levels == ["under 1 year", "1-2 years", "2-5 years", "5+ years", "10 years", "total"]


def test_an_explicit_level_order_is_used(cases):
    order = ["social assistance", "short-term", "none"]
    table = outcome_by_attribute(cases, "benefits", level_order={"benefits": order})
    assert table["level"].tolist() == [*order, "total"]


def test_characteristics_take_an_explicit_level_order(cases, labels):
    order = ["psychotic", "mood", "anxiety"]
    table = characteristics_by_pattern(cases, labels, ["diagnosis"],
                                       level_order={"diagnosis": order})
    rows = table[(table["attribute"] == "diagnosis") & (table["pattern"] == "total")]
    assert rows["level"].tolist() == order


def test_characteristics_order_es_ids_by_number_and_text_by_appearance(cases, labels):
    table = characteristics_by_pattern(cases, labels, ["benefits"])
    total = table[table["pattern"] == "total"]
    assert total[total["attribute"] == "es_id"]["level"].tolist() == ["ES3", "ES11", "ES16"]
    first_seen = list(dict.fromkeys(cases["benefits"]))
    assert total[total["attribute"] == "benefits"]["level"].tolist() == first_seen


def test_a_level_order_missing_a_level_is_refused(cases):
    with pytest.raises(DataValueError, match=r"level_order\['benefits'\] does not list the "
                                             r"level\(s\) 'social assistance'"):
        outcome_by_attribute(cases, "benefits", level_order={"benefits": ["none", "short-term"]})


def test_a_level_order_for_an_attribute_not_described_is_refused(cases):
    with pytest.raises(OptionError, match=r"level_order names attribute\(s\) 'benefit'"):
        outcome_by_attribute(cases, "benefits", level_order={"benefit": ["none"]})
