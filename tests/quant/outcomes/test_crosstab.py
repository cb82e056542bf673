"""Tests for mixedwai.quant.outcomes.crosstab: pattern x outcome crosstab, score-outcome tests."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mixedwai.errors import (
    DataValueError,
    ExclusionWarning,
    InsufficientDataError,
    OutcomeValueError,
    SmallSampleWarning,
)
from mixedwai.quant.outcomes.crosstab import outcome_crosstab
from mixedwai.quant.outcomes.exact import freeman_halton_test
from mixedwai.quant.outcomes.score_tests import score_outcome_tests

#: The sample study's 18 clustered cases (SAMPLE_STUDY.md): pattern and job.
SAMPLE = {
    "SHA": {"ES11_C1": 1, "ES11_C2": 1, "ES11_C4": 1, "ES16_C4": 1, "ES3_C2": 0},
    "SLA": {"ES5_C2": 1, "ES5_C4": 1, "ES16_C1": 1, "ES3_C1": 1, "ES8_C1": 1, "ES8_C3": 1,
            "ES21_C1": 1, "ES16_C2": 0, "ES3_C4": 0, "ES8_C5": 0},
    "LDA": {"ES5_C1": 1, "ES16_C3": 0, "ES8_C2": 0},
}
ORDER = ["SHA", "SLA", "LDA"]


@pytest.fixture
def labels() -> pd.Series:
    return pd.Series({case: p for p, cases in SAMPLE.items() for case in cases}, name="pattern")


@pytest.fixture
def job() -> pd.Series:
    values = {case: bool(j) for cases in SAMPLE.values() for case, j in cases.items()}
    values.update({"ES3_C3": False, "ES21_C2": True})  # not clustered
    return pd.Series(values, name="job")


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


# --- outcome_crosstab ----------------------------------------------------------------


def test_crosstab_reproduces_the_papers_job_rates(labels, job):
    result = _quiet(outcome_crosstab, labels, job, order=ORDER)
    rates = result.to_frame()
    assert rates["pattern"].tolist() == [*ORDER, "total"]
    assert rates["n"].tolist() == [5, 10, 3, 18]
    assert rates["n_outcome"].tolist() == [4, 7, 1, 12]
    assert rates["pct_outcome"].round(1).tolist() == [80.0, 70.0, 33.3, 66.7]


def test_crosstab_counts_match_pandas_crosstab(labels, job):
    result = _quiet(outcome_crosstab, labels, job, order=ORDER)
    expected = pd.crosstab(labels, job.reindex(labels.index))
    for pattern in ORDER:
        assert result.counts.loc[pattern, "yes"] == expected.loc[pattern, True]
        assert result.counts.loc[pattern, "no"] == expected.loc[pattern, False]
    assert result.counts.loc["total", "total"] == 18


def test_crosstab_percentages(labels, job):
    result = _quiet(outcome_crosstab, labels, job, order=ORDER)
    assert result.pct_within[["yes", "no"]].sum(axis=1).round(9).eq(100).all()
    assert result.pct_overall.loc["total", "total"] == pytest.approx(100)
    assert result.pct_overall.loc["SHA", "yes"] == pytest.approx(400 / 18)


def test_crosstab_test_is_the_exact_test_of_its_table(labels, job):
    result = _quiet(outcome_crosstab, labels, job, order=ORDER)
    direct = freeman_halton_test([[4, 1], [7, 3], [1, 2]])
    assert result.test == direct
    assert result.test.method == "exact enumeration of 21 tables"
    assert result.cramers_v == pytest.approx(
        stats.contingency.association(np.array([[4, 1], [7, 3], [1, 2]]), method="cramer")
    )


def test_crosstab_expected_counts_and_small_sample_warning(labels, job):
    with pytest.warns(SmallSampleWarning, match="5 of 6 cells have expected counts below 5"):
        result = outcome_crosstab(labels, job, order=ORDER)
    assert result.min_expected == pytest.approx(1.0)  # LDA, no: 3 * 6 / 18
    assert result.n_small_expected == 5 and result.n_cells == 6
    assert "with n = 18 the test has little power" in result.warning


def test_crosstab_lists_unclustered_cases_as_excluded(labels, job):
    result = _quiet(outcome_crosstab, labels, job)
    assert result.excluded.loc["ES3_C3", "reason"] == "no pattern (not clustered)"
    assert set(result.excluded.index) == {"ES3_C3", "ES21_C2"}


def test_crosstab_excludes_and_warns_about_cases_without_outcome(labels, job):
    job = job.drop("ES8_C2").astype(object)
    job["ES5_C1"] = None
    with pytest.warns(ExclusionWarning, match="ES5_C1, ES8_C2"):
        result = _quiet_small(outcome_crosstab, labels, job)
    assert result.excluded.loc["ES5_C1", "reason"] == "job is blank"
    assert result.excluded.loc["ES8_C2", "reason"] == "not in the job table"
    assert result.n == 16


def _quiet_small(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return func(*args, **kwargs)


def test_crosstab_accepts_yes_no_spellings(labels, job):
    spelled = job.map({True: "oui", False: "non"})
    a = _quiet(outcome_crosstab, labels, spelled, order=ORDER)
    b = _quiet(outcome_crosstab, labels, job, order=ORDER)
    assert a.counts.equals(b.counts)


def test_crosstab_rejects_unknown_outcome_spelling_naming_the_case(labels, job):
    job = job.astype(object)
    job["ES8_C3"] = "maybe"
    with pytest.raises(OutcomeValueError, match="case ES8_C3.*'maybe'"):
        outcome_crosstab(labels, job)


def test_crosstab_default_order_is_sorted(labels, job):
    result = _quiet(outcome_crosstab, labels, job)
    assert list(result.counts.index) == ["LDA", "SHA", "SLA", "total"]


def test_crosstab_order_must_list_every_pattern(labels, job):
    with pytest.raises(DataValueError, match="order does not list the patterns 'LDA'"):
        _quiet(outcome_crosstab, labels, job, order=["SHA", "SLA"])


def test_crosstab_without_common_cases_raises(labels):
    other = pd.Series([True, False], index=["X1", "X2"], name="job")
    with pytest.raises(InsufficientDataError, match="no case has both a pattern and a job"):
        _quiet(outcome_crosstab, labels, other)


def test_crosstab_summary_reports_rates_and_test(labels, job):
    text = _quiet(outcome_crosstab, labels, job, order=ORDER).summary()
    assert text.startswith("12 of 18 cases (66.7 %) had job = yes: SHA 4/5 (80.0 %)")
    assert "p = 0.523 (exact enumeration of 21 tables)" in text
    assert "Cramér's V = 0.33" in text


def test_crosstab_with_cluster_numbers(labels, job):
    numbers = labels.map({"SHA": 1, "SLA": 2, "LDA": 3})
    result = _quiet(outcome_crosstab, numbers, job)
    assert list(result.counts.index) == [1, 2, 3, "total"]
    assert result.to_frame()["n"].tolist() == [5, 10, 3, 18]


# --- score_outcome_tests --------------------------------------------------------------


def _matrix(seed: int = 3, n: int = 18, decimals: int | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = rng.uniform(4, 7, size=(n, 3))
    if decimals is not None:
        values = values.round(decimals)
    return pd.DataFrame(values, columns=["t1", "t2", "t3"],
                        index=pd.Index([f"C{i}" for i in range(n)], name="case_id"))


def _outcome(index: pd.Index, n_yes: int) -> pd.Series:
    return pd.Series([True] * n_yes + [False] * (len(index) - n_yes), index=index, name="job")


def test_scores_without_ties_use_the_exact_distribution():
    matrix = _matrix()
    job = _outcome(matrix.index, 12)
    table = score_outcome_tests(matrix, job)
    x, y = matrix.loc[job, "t1"], matrix.loc[~job, "t1"]
    reference = stats.mannwhitneyu(x, y, method="exact")
    assert table.loc["t1", "u"] == reference.statistic
    assert table.loc["t1", "p_value"] == pytest.approx(reference.pvalue)
    assert table.loc["t1", "method"] == "exact"


def test_scores_with_ties_use_an_exact_permutation_checked_by_brute_force():
    matrix = _matrix(decimals=0, n=10)
    job = _outcome(matrix.index, 6)
    table = _quiet(score_outcome_tests, matrix, job)
    values = matrix["t2"].to_numpy()
    observed = stats.mannwhitneyu(values[:6], values[6:]).statistic
    mean_u = 6 * 4 / 2
    us = [stats.mannwhitneyu(values[list(c)], np.delete(values, list(c))).statistic
          for c in itertools.combinations(range(10), 6)]
    us = np.array(us)
    p_low = np.mean(us <= observed + 1e-9)
    p_high = np.mean(us >= observed - 1e-9)
    assert observed != mean_u
    assert table.loc["t2", "method"] == "exact permutation (ties)"
    assert table.loc["t2", "p_value"] == pytest.approx(min(1.0, 2 * min(p_low, p_high)))


def test_scores_with_ties_and_many_cases_use_the_asymptotic_test():
    matrix = _matrix(decimals=0, n=60)
    job = _outcome(matrix.index, 30)
    table = score_outcome_tests(matrix, job)
    x, y = matrix.loc[job, "t3"], matrix.loc[~job, "t3"]
    reference = stats.mannwhitneyu(x, y, method="asymptotic")
    assert table.loc["t3", "method"] == "asymptotic"
    assert table.loc["t3", "p_value"] == pytest.approx(reference.pvalue)


def test_point_biserial_matches_scipy_and_pearson():
    matrix = _matrix()
    job = _outcome(matrix.index, 12)
    table = score_outcome_tests(matrix, job)
    r, p = stats.pointbiserialr(job.astype(int), matrix["t3"])
    assert table.loc["t3", "r_pb"] == pytest.approx(r)
    assert table.loc["t3", "r_pb_p"] == pytest.approx(p)
    assert r == pytest.approx(np.corrcoef(job.astype(int), matrix["t3"])[0, 1])


def test_mean_row_compares_case_means_and_group_summaries():
    matrix = _matrix()
    job = _outcome(matrix.index, 12)
    table = score_outcome_tests(matrix, job)
    means = matrix.mean(axis=1)
    assert list(table.index) == ["t1", "t2", "t3", "mean"]
    assert table.loc["mean", "mean_yes"] == pytest.approx(means[job].mean())
    assert table.loc["mean", "median_no"] == pytest.approx(means[~job].median())
    assert table.loc["mean", ["n_yes", "n_no"]].tolist() == [12, 6]


def test_missing_fourth_session_only_shrinks_that_time():
    matrix = _matrix()
    matrix["t4"] = np.where(np.arange(18) < 7, 5.5, np.nan)
    job = _outcome(matrix.index, 12)
    table = score_outcome_tests(matrix, job)
    assert table.loc["t4", ["n_yes", "n_no"]].tolist() == [7, 0]
    assert np.isnan(table.loc["t4", "p_value"])
    assert table.loc["t1", ["n_yes", "n_no"]].tolist() == [12, 6]


def test_cases_without_outcome_are_left_out_with_a_warning():
    matrix = _matrix()
    job = _outcome(matrix.index, 12).drop(["C0", "C17"])
    with pytest.warns(ExclusionWarning, match="C0, C17"):
        table = score_outcome_tests(matrix, job)
    assert table.loc["t1", ["n_yes", "n_no"]].tolist() == [11, 5]


def test_small_group_warns():
    matrix = _matrix(n=8)
    with pytest.warns(SmallSampleWarning, match="fewer than 5 cases"):
        score_outcome_tests(matrix, _outcome(matrix.index, 6))


def test_non_numeric_score_is_named():
    matrix = _matrix().astype(object)
    matrix.loc["C3", "t2"] = "n/a"
    with pytest.raises(DataValueError, match="case C3, column 't2': 'n/a'"):
        score_outcome_tests(matrix, _outcome(matrix.index, 12))
