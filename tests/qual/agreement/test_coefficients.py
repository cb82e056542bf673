"""Coefficients against published worked examples and the reference packages."""

from __future__ import annotations

import contextlib

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from mixedwai.errors import DataValueError, OptionError
from mixedwai.qual.agreement.coefficients import cohen_kappa, fleiss_kappa, krippendorff_alpha
from mixedwai.qual.agreement.intervals import alpha_interval

NAN = None

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C:
# 4 observers x 12 units, values 1..5, missing data.
K2011_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
# Section A: binary data, two observers (Mary, Dave), alpha = 0.095.
K2011_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
# Section B: nominal data, two observers (Ben, Gerry), alpha = 0.692.
K2011_B = [list("aabbdcccedda"), list("babbbccceddd")]

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists, 5 diagnoses (1 depression,
# 2 personality disorder, 3 schizophrenia, 4 neurosis, 5 other); kappa = 0.430.
# As distributed with R's irr package (`diagnoses`) and statsmodels' tests.
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]
# Wikipedia's Fleiss example: 10 subjects x 5 categories counts, 14 raters, kappa = 0.210.
WIKIPEDIA_COUNTS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_equals_krippendorff_2011_worked_example_c(level: str, published: float) -> None:
    assert round(krippendorff_alpha(K2011_C, level=level), 3) == published


def test_alpha_equals_krippendorff_2011_binary_and_two_observer_examples() -> None:
    assert round(krippendorff_alpha(K2011_A), 3) == 0.095
    assert round(krippendorff_alpha(K2011_B), 3) == 0.692


def test_alpha_on_labels_equals_numbers_and_ordinal_labels_need_their_order() -> None:
    words = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    labelled = [[None if v is None else words[v] for v in row] for row in K2011_C]
    order = list(words.values())
    assert krippendorff_alpha(labelled) == pytest.approx(krippendorff_alpha(K2011_C))
    assert krippendorff_alpha(labelled, level="ordinal", values=order) == pytest.approx(
        krippendorff_alpha(K2011_C, level="ordinal")
    )


def test_alpha_missing_as_nan_none_or_pd_na_and_dataframe_input() -> None:
    as_nan = np.array([[np.nan if v is None else v for v in row] for row in K2011_C])
    frame = pd.DataFrame(K2011_C).astype("Int64")  # pd.NA for missing
    expected = krippendorff.alpha(as_nan, level_of_measurement="interval")
    assert krippendorff_alpha(as_nan, level="interval") == pytest.approx(expected)
    assert krippendorff_alpha(frame, level="interval") == pytest.approx(expected)


def test_alpha_undefined_is_nan() -> None:
    assert np.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))
    assert np.isnan(krippendorff_alpha([[1, None], [None, 2]]))  # no unit with two values


def test_alpha_errors_name_the_problem() -> None:
    with pytest.raises(DataValueError, match="mix numbers and labels"):
        krippendorff_alpha([[1, "a"], [1, "a"]])
    with pytest.raises(DataValueError, match="needs numbers"):
        krippendorff_alpha([["a", "b"], ["a", "b"]], level="interval")
    with pytest.raises(DataValueError, match="'c'"):
        krippendorff_alpha([["a", "c"], ["a", "b"]], level="ordinal", values=["a", "b"])
    with pytest.raises(OptionError, match="level"):
        krippendorff_alpha(K2011_C, level="nominall")


reliability_data = st.integers(2, 6).flatmap(
    lambda m: st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=m, max_size=m),
        min_size=2, max_size=30,
    )
)


@settings(max_examples=60, deadline=None)
@given(units=reliability_data, level=st.sampled_from(["nominal", "ordinal", "interval", "ratio"]))
def test_alpha_equals_krippendorff_package_on_random_data(units: list, level: str) -> None:
    data = np.array([[np.nan if v is None else v for v in unit] for unit in units], float).T
    try:
        expected = krippendorff.alpha(data, level_of_measurement=level)
    except ValueError:  # the package refuses data where alpha is undefined
        expected = float("nan")
    with np.errstate(all="ignore"):
        ours = krippendorff_alpha(data, level=level)
    if np.isfinite(expected):
        assert ours == pytest.approx(expected, abs=1e-9)
    else:
        assert not np.isfinite(ours) or np.isnan(expected)


@settings(max_examples=30, deadline=None)
@given(units=reliability_data)
def test_alpha_does_not_depend_on_unit_or_observer_order(units: list) -> None:
    data = [list(row) for row in zip(*units, strict=True)]
    shuffled = [row[::-1] for row in data[::-1]]
    a, b = krippendorff_alpha(data), krippendorff_alpha(shuffled)
    assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b)


def test_fleiss_equals_fleiss_1971_and_statsmodels() -> None:
    assert round(fleiss_kappa(FLEISS_1971), 3) == 0.430
    table, _ = aggregate_raters(np.array(FLEISS_1971))
    assert fleiss_kappa(FLEISS_1971) == pytest.approx(sm_fleiss_kappa(table, method="fleiss"))
    assert fleiss_kappa(table, counts=True) == pytest.approx(0.4302445, abs=1e-7)


def test_fleiss_on_wikipedia_counts() -> None:
    assert round(fleiss_kappa(WIKIPEDIA_COUNTS, counts=True), 3) == 0.210
    assert fleiss_kappa(WIKIPEDIA_COUNTS, counts=True) == pytest.approx(
        sm_fleiss_kappa(np.array(WIKIPEDIA_COUNTS), method="fleiss")
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 7).flatmap(
        lambda m: st.lists(st.lists(st.sampled_from("abcd"), min_size=m, max_size=m),
                           min_size=1, max_size=25)
    )
)
def test_fleiss_equals_statsmodels_on_random_complete_data(ratings: list) -> None:
    table, _ = aggregate_raters(np.array(ratings))
    with np.errstate(all="ignore"):
        expected = sm_fleiss_kappa(table, method="fleiss")
    ours = fleiss_kappa(ratings)
    assert (np.isnan(ours) and not np.isfinite(expected)) or ours == pytest.approx(expected)


def test_fleiss_leaves_out_subjects_rated_once_and_rejects_bad_counts() -> None:
    assert fleiss_kappa([["a", "a"], ["b", "b"], ["a", None]]) == pytest.approx(1.0)
    with pytest.raises(DataValueError, match="whole numbers"):
        fleiss_kappa([[1, -1]], counts=True)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.sampled_from([1, 2, 3, 4]), st.sampled_from([1, 2, 3, 4])),
                   min_size=2, max_size=40),
    weights=st.sampled_from([None, "linear", "quadratic"]),
)
def test_cohen_equals_sklearn(pairs: list, weights: str | None) -> None:
    a, b = zip(*pairs, strict=True)
    labels = [1, 2, 3, 4]
    with np.errstate(all="ignore"):
        expected = cohen_kappa_score(a, b, labels=labels, weights=weights)
    ours = cohen_kappa(a, b, weights=weights, labels=labels)
    assert (np.isnan(ours) and not np.isfinite(expected)) or ours == pytest.approx(expected)


def test_cohen_weighted_labels_follow_the_given_order() -> None:
    a = ["low", "mid", "high", "high", "mid"]
    b = ["low", "high", "high", "mid", "mid"]
    order = ["low", "mid", "high"]
    expected = cohen_kappa_score([order.index(v) for v in a], [order.index(v) for v in b],
                                 weights="quadratic")
    assert cohen_kappa(a, b, weights="quadratic", labels=order) == pytest.approx(expected)


def test_cohen_drops_incomplete_pairs_and_checks_lengths() -> None:
    assert cohen_kappa(["a", "b", None, "a"], ["a", "b", "b", float("nan")]) == 1.0
    assert np.isnan(cohen_kappa(["a", "a"], ["a", "a"]))
    with pytest.raises(DataValueError, match="rater_a has 2 values and rater_b 3"):
        cohen_kappa([1, 2], [1, 2, 3])
    with pytest.raises(OptionError, match="weights"):
        cohen_kappa([1, 2], [1, 2], weights="cubic")


def test_alpha_interval_is_seeded_and_brackets_alpha() -> None:
    first = alpha_interval(K2011_C, level="interval", n_boot=400, random_state=3)
    assert first == alpha_interval(K2011_C, level="interval", n_boot=400, random_state=3)
    assert first != alpha_interval(K2011_C, level="interval", n_boot=400, random_state=4)
    assert first[0] < krippendorff_alpha(K2011_C, level="interval") <= first[1]


def test_alpha_interval_resamples_units_like_a_plain_bootstrap() -> None:
    """Same distribution as drawing units with replacement and calling the package."""
    data = np.array([[np.nan if v is None else v for v in row] for row in K2011_C])
    rng = np.random.default_rng(0)
    pairable = np.flatnonzero((~np.isnan(data)).sum(axis=0) >= 2)
    plain = []
    for _ in range(2000):
        sample = data[:, rng.choice(pairable, size=len(pairable))]
        with contextlib.suppress(ValueError):  # alpha undefined on this resample
            plain.append(krippendorff.alpha(sample, level_of_measurement="ordinal"))
    low, high = alpha_interval(data, level="ordinal", n_boot=2000, random_state=0)
    assert low == pytest.approx(np.quantile(plain, 0.025), abs=0.06)
    assert high == pytest.approx(np.quantile(plain, 0.975), abs=0.03)


def test_character_level_presence_of_krippendorff_1995_example_a() -> None:
    """Krippendorff (1995, p. 57), example A digitised: one unit per position of the
    continuum, 1 where the coder marked a unit. Cohen's kappa 0.385, alpha 0.329 (as in
    DKPro Statistics' tests of that example)."""
    bertha = [0, 0] + [1] * 8 + [0] * 4 + [1] * 6 + [0] * 4
    bill = [0] * 4 + [1] * 4 + [0] * 7 + [1] * 2 + [0] * 7
    assert round(cohen_kappa(bertha, bill), 3) == 0.385
    assert round(krippendorff_alpha([bertha, bill]), 3) == 0.329
