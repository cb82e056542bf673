"""Tests for mixedwai.quant.outcomes.exact: Freeman-Halton exact test and Cramér's V."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import gammaln

from mixedwai.errors import DataValueError, InsufficientDataError, OptionError
from mixedwai.quant.outcomes.exact import count_tables, cramers_v, freeman_halton_test

#: R ?fisher.test, "Job satisfaction" (income x satisfaction), p = 0.7827.
JOB = np.array([[1, 2, 1, 0], [3, 3, 6, 1], [10, 10, 14, 9], [6, 7, 12, 11]]).T


def _brute_force(table: np.ndarray) -> tuple[int, float]:
    """Count and p-value by listing every table with the margins (independent code)."""
    table = np.asarray(table)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    r, c = table.shape

    def log_p(t: np.ndarray) -> float:
        return float(gammaln(rows + 1).sum() + gammaln(cols + 1).sum()
                     - gammaln(table.sum() + 1) - gammaln(t + 1).sum())

    observed = log_p(table)
    free = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    count, p = 0, 0.0
    for cells in itertools.product(*free):
        t = np.zeros((r, c), dtype=int)
        t[: r - 1, : c - 1] = np.array(cells).reshape(r - 1, c - 1)
        t[: r - 1, c - 1] = rows[: r - 1] - t[: r - 1, : c - 1].sum(axis=1)
        t[r - 1, :] = cols - t[: r - 1, :].sum(axis=0)
        if (t < 0).any() or t[r - 1].sum() != rows[r - 1]:
            continue
        count += 1
        lp = log_p(t)
        if lp <= observed + 1e-7:
            p += np.exp(lp)
    return count, p


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=4, max_size=4))
def test_two_by_two_matches_scipy_fisher_exact(cells):
    table = np.array(cells).reshape(2, 2)
    ours = freeman_halton_test(table)
    assert ours.p_value == pytest.approx(stats.fisher_exact(table).pvalue, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 3).flatmap(
        lambda r: st.integers(2, 3).flatmap(
            lambda c: st.lists(st.integers(0, 4), min_size=r * c, max_size=r * c).map(
                lambda v: np.array(v).reshape(r, c)
            )
        )
    )
)
def test_r_by_c_matches_brute_force_enumeration(table):
    count, p = _brute_force(table)
    result = freeman_halton_test(table)
    assert result.n_tables == count == count_tables(table)
    assert result.p_value == pytest.approx(min(1.0, p), rel=1e-9, abs=1e-12)


def test_statistic_is_the_probability_of_the_observed_table():
    table = np.array([[4, 1], [7, 3], [1, 2]])
    pmf = stats.random_table(table.sum(axis=1), table.sum(axis=0)).pmf(table)
    assert freeman_halton_test(table).statistic == pytest.approx(pmf)


def test_r_published_three_by_three_small():
    # R: fisher.test(matrix(1:9, ncol = 3)) -> p-value = 0.9888
    table = np.arange(1, 10).reshape(3, 3).T
    assert freeman_halton_test(table).p_value == pytest.approx(0.9888, abs=5e-5)


def test_r_published_three_by_three_large():
    # R: fisher.test(matrix(c(14,27,15,24,27,17,39,19,24), nrow = 3)) -> p-value = 0.02126
    table = np.array([14, 27, 15, 24, 27, 17, 39, 19, 24]).reshape(3, 3).T
    result = freeman_halton_test(table)
    assert result.exact and result.n_tables == 2_491_112
    assert result.p_value == pytest.approx(0.02126, abs=5e-6)


def test_r_job_satisfaction_by_monte_carlo():
    result = freeman_halton_test(JOB, max_tables=1_000_000)  # 90,208,550 tables: simulate
    assert result.method == "Monte Carlo, 100000 draws, seed 0"
    assert not result.exact and result.n_tables is None
    assert result.p_value == pytest.approx(0.7827, abs=0.006)  # about 4 standard errors


def test_monte_carlo_is_reproducible_with_its_seed():
    table = np.array([[3, 1, 4], [1, 5, 2], [2, 2, 3]])
    a = freeman_halton_test(table, max_tables=1, n_resamples=2000, random_state=7)
    b = freeman_halton_test(table, max_tables=1, n_resamples=2000, random_state=7)
    c = freeman_halton_test(table, max_tables=1, n_resamples=2000, random_state=8)
    assert a == b
    assert a.p_value != c.p_value
    assert a.random_state == 7 and a.n_resamples == 2000


def test_monte_carlo_agrees_with_the_exact_value():
    table = np.array([[3, 1, 4], [1, 5, 2], [2, 2, 3]])
    exact = freeman_halton_test(table)
    simulated = freeman_halton_test(table, max_tables=1, n_resamples=20_000)
    assert simulated.p_value == pytest.approx(exact.p_value, abs=0.015)


def test_table_with_one_possible_arrangement_has_p_one():
    result = freeman_halton_test([[3, 0], [0, 0]])
    assert result.p_value == 1.0
    assert result.method == "exact enumeration of 1 table"


def test_count_tables_for_two_by_two():
    # margins rows (3, 7), columns (4, 6): the first cell can be 0..3.
    assert count_tables([[1, 2], [3, 4]]) == 4


def test_negative_or_fractional_counts_are_rejected():
    with pytest.raises(DataValueError, match=r"cell \(0, 1\) = -1, cell \(1, 0\) = 1.5"):
        freeman_halton_test([[1, -1], [1.5, 2]])


def test_one_dimensional_table_is_rejected():
    with pytest.raises(DataValueError, match="must be 2-D"):
        freeman_halton_test([1, 2, 3])


def test_empty_table_is_rejected():
    with pytest.raises(InsufficientDataError, match="empty"):
        freeman_halton_test(np.zeros((0, 2)))


def test_bad_option_is_rejected():
    with pytest.raises(OptionError, match="n_resamples = 0"):
        freeman_halton_test([[1, 2], [3, 4]], n_resamples=0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 20), min_size=6, max_size=6))
def test_cramers_v_matches_scipy_association(cells):
    table = np.array(cells).reshape(3, 2)
    expected = stats.contingency.association(table, method="cramer")
    assert cramers_v(table) == pytest.approx(expected)


def test_cramers_v_is_undefined_with_one_outcome_column():
    assert np.isnan(cramers_v([[4, 0], [7, 0]]))


def test_cramers_v_ignores_empty_rows():
    assert cramers_v([[4, 1], [0, 0], [1, 2]]) == pytest.approx(cramers_v([[4, 1], [1, 2]]))
