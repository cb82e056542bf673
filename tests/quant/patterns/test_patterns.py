"""Tests for mixedwai.quant.patterns.shapes: shapes, names and the profile table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mixedwai.errors import ColumnError, DataValueError, InsufficientDataError, OptionError
from mixedwai.quant.patterns.profile import profile_table
from mixedwai.quant.patterns.shapes import describe_shapes, name_patterns
from mixedwai.quant.patterns.timepoints import time_columns
from mixedwai.quant.patterns.vocabulary import abbreviate

#: The reference study's Table 2-like cluster means (SHA, SLA, LDA).
REFERENCE = pd.DataFrame(
    {"t1": [6.55, 5.10, 6.60], "t2": [6.65, 5.05, 6.05], "t3": [6.72, 5.12, 5.55]},
    index=pd.Index([1, 2, 3], name="cluster"),
)


def _means(*rows: tuple[float, ...]) -> pd.DataFrame:
    n = len(rows[0])
    return pd.DataFrame(
        list(rows), columns=[f"t{i}" for i in range(1, n + 1)],
        index=pd.Index(range(1, len(rows) + 1), name="cluster"),
    )


# --- describe_shapes --------------------------------------------------------------


def test_reference_means_get_the_papers_names():
    shapes = describe_shapes(REFERENCE, grand_mean=5.7)
    assert shapes["abbrev"].tolist() == ["SHA", "SLA", "LDA"]
    assert shapes["pattern"].tolist() == ["stable high", "stable low", "linear decrease"]


def test_high_level_decrease_is_named_by_its_change_not_its_level():
    shapes = describe_shapes(REFERENCE, grand_mean=5.7)
    assert shapes.loc[3, "level"] == "high"
    assert shapes.loc[3, "shape"] == "linear decrease"


def test_slope_and_curvature_match_numpy_polyfit():
    rng = np.random.default_rng(1)
    means = pd.DataFrame(rng.uniform(1, 7, size=(6, 4)), columns=["t1", "t2", "t3", "t4"])
    shapes = describe_shapes(means)
    t = np.arange(1, 5)
    for i, row in enumerate(means.to_numpy()):
        assert shapes["slope"].iloc[i] == pytest.approx(np.polyfit(t, row, 1)[0])
        assert shapes["curvature"].iloc[i] == pytest.approx(np.polyfit(t, row, 2)[0])
        assert shapes["mean"].iloc[i] == pytest.approx(row.mean())


def test_curvature_for_three_times_is_half_the_second_difference():
    shapes = describe_shapes(_means((6.0, 5.2, 5.9)))
    assert shapes["curvature"].iloc[0] == pytest.approx((6.0 - 2 * 5.2 + 5.9) / 2)


def test_two_times_have_no_curvature_and_never_a_u():
    shapes = describe_shapes(_means((6.0, 5.0), (5.0, 5.05)), grand_mean=5.5)
    assert shapes["curvature"].isna().all()
    assert shapes["shape"].tolist() == ["linear decrease", "stable"]


def test_u_shape_and_inverted_u():
    shapes = describe_shapes(_means((6.0, 5.0, 6.0), (5.0, 6.0, 5.1)))
    assert shapes["pattern"].tolist() == ["U-shaped", "inverted U"]
    assert shapes["abbrev"].tolist() == ["UA", "IUA"]


def test_curvature_below_threshold_is_not_a_u():
    # c = 0.1 dominates the zero slope but is below the 0.15 threshold.
    shapes = describe_shapes(_means((5.05, 4.95, 5.05)), grand_mean=4.0)
    assert shapes["pattern"].iloc[0] == "stable high"


def test_decelerating_decrease_stays_linear_when_the_linear_trend_dominates():
    # b = -0.3, c = 0.2: curved, but the linear trend explains more (|c| < sqrt(3)|b|).
    shapes = describe_shapes(_means((6.0, 5.5, 5.4)))
    assert shapes["shape"].iloc[0] == "linear decrease"


def test_slope_threshold_is_strict_and_in_points_per_session():
    at = describe_shapes(_means((5.0, 5.15, 5.3)), slope_threshold=0.15)
    above = describe_shapes(_means((5.0, 5.16, 5.32)), slope_threshold=0.15)
    assert at["shape"].iloc[0] == "stable"
    assert above["shape"].iloc[0] == "linear increase"


def test_level_defaults_to_mean_of_rows_without_grand_mean():
    shapes = describe_shapes(_means((6.0, 6.0, 6.0), (5.0, 5.0, 5.0)))
    assert shapes["level"].tolist() == ["high", "low"]


def test_level_compares_with_the_grand_mean_given():
    shapes = describe_shapes(_means((6.0, 6.0, 6.0), (5.0, 5.0, 5.0)), grand_mean=4.0)
    assert shapes["level"].tolist() == ["high", "high"]


def test_level_rule_median_ignores_grand_mean():
    means = _means((6.0, 6.0, 6.0), (5.0, 5.0, 5.0), (4.0, 4.0, 4.0))
    shapes = describe_shapes(means, grand_mean=1.0, level_rule="median")
    assert shapes["level"].tolist() == ["high", "high", "low"]


def test_time_columns_are_ordered_by_number_and_extra_columns_ignored():
    means = pd.DataFrame({"mean": [0.0], "t2": [5.0], "t1": [6.0], "t3": [4.0]})
    shapes = describe_shapes(means)
    assert shapes["slope"].iloc[0] == pytest.approx(-1.0)


def test_time_columns_falls_back_to_all_columns():
    assert time_columns(pd.DataFrame(columns=["s1", "s2"])) == ["s1", "s2"]


def test_missing_mean_is_reported_with_cluster_and_column():
    means = _means((6.0, np.nan, 6.0), (5.0, 5.0, "x"))
    with pytest.raises(DataValueError, match=r"(?s)cluster 1, column 't2'.*cluster 2, column 't3'"):
        describe_shapes(means)


def test_one_time_column_is_rejected():
    with pytest.raises(ColumnError, match="at least 2 time columns"):
        describe_shapes(pd.DataFrame({"t1": [5.0]}))


def test_empty_means_are_rejected():
    with pytest.raises(InsufficientDataError, match="no row"):
        describe_shapes(pd.DataFrame(columns=["t1", "t2"]))


def test_negative_threshold_is_rejected():
    with pytest.raises(OptionError, match="slope_threshold"):
        describe_shapes(REFERENCE, slope_threshold=-0.1)


def test_unknown_level_rule_is_rejected():
    with pytest.raises(OptionError, match="level_rule = 'mode'"):
        describe_shapes(REFERENCE, level_rule="mode")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(1, 7), min_size=3, max_size=3),
    st.floats(-3, 3),
)
def test_shifting_all_scores_and_the_grand_mean_keeps_the_shape(row, shift):
    base = describe_shapes(_means(tuple(row)), grand_mean=4.0)
    moved = describe_shapes(_means(tuple(v + shift for v in row)), grand_mean=4.0 + shift)
    assert moved["slope"].iloc[0] == pytest.approx(base["slope"].iloc[0], abs=1e-9)
    # A shape on the threshold could flip on rounding; compare away from the edges.
    b, c = base["slope"].iloc[0], base["curvature"].iloc[0]
    if min(abs(abs(b) - 0.15), abs(abs(c) - 0.15), abs(abs(c) - np.sqrt(3) * abs(b))) > 1e-6:
        assert moved["shape"].iloc[0] == base["shape"].iloc[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1, 7), min_size=3, max_size=3))
def test_reversing_time_mirrors_increase_and_decrease(row):
    forward = describe_shapes(_means(tuple(row)), grand_mean=4.0)
    backward = describe_shapes(_means(tuple(row[::-1])), grand_mean=4.0)
    assert backward["slope"].iloc[0] == pytest.approx(-forward["slope"].iloc[0], abs=1e-9)
    mirror = {"linear increase": "linear decrease", "linear decrease": "linear increase"}
    shape = forward["shape"].iloc[0]
    assert backward["shape"].iloc[0] == mirror.get(shape, shape)


# --- name_patterns ---------------------------------------------------------------


def test_duplicate_names_are_numbered_by_level_highest_first():
    means = _means((6.0, 6.1, 6.0), (6.5, 6.6, 6.5), (5.0, 5.1, 5.0))
    named = name_patterns(means, grand_mean=5.5)
    assert named["pattern"].tolist() == ["stable high 2", "stable high", "stable low"]
    assert named["abbrev"].tolist() == ["SHA2", "SHA", "SLA"]


def test_names_override_pattern_and_known_abbreviation():
    named = name_patterns(REFERENCE, grand_mean=5.7, names={2: "LIA"})
    assert named.loc[2, "pattern"] == "linear increase"
    assert named.loc[2, "abbrev"] == "LIA"
    assert named.loc[2, "shape"] == "stable"  # the computed shape is kept


def test_free_text_override_gets_derived_abbreviation():
    named = name_patterns(REFERENCE, grand_mean=5.7, names={3: "early rupture"})
    assert named.loc[3, ["pattern", "abbrev"]].tolist() == ["early rupture", "ERA"]


def test_automatic_name_never_takes_an_overriding_name():
    named = name_patterns(REFERENCE, grand_mean=5.7, names={3: "stable high"})
    assert named["pattern"].tolist() == ["stable high 2", "stable low", "stable high"]
    assert named["pattern"].is_unique and named["abbrev"].is_unique


def test_duplicate_overriding_names_raise():
    with pytest.raises(OptionError, match="clusters 1 and 2 are both named 'Same'"):
        name_patterns(REFERENCE, names={1: "same", 2: "Same"})


def test_override_of_unknown_cluster_raises():
    with pytest.raises(OptionError, match="cluster 9 is not one of the clusters"):
        name_patterns(REFERENCE, names={9: "SHA"})


def test_abbreviate_known_and_free_names():
    assert abbreviate("Stable High Alliance") == "SHA"
    assert abbreviate("rupture repair alliance") == "RRA"
    assert abbreviate("u-shaped") == "UA"


# --- profile_table ----------------------------------------------------------------


@pytest.fixture
def clustered() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(7)
    cases = [f"ES{e}_C{c}" for e in (3, 5, 8) for c in range(1, 7)]
    matrix = pd.DataFrame(
        rng.uniform(4, 7, size=(18, 3)).round(2), columns=["t1", "t2", "t3"],
        index=pd.Index(cases, name="case_id"),
    )
    labels = pd.Series([1] * 5 + [2] * 10 + [3] * 3, index=matrix.index, name="cluster")
    return matrix, labels


def test_profile_matches_a_plain_groupby(clustered):
    matrix, labels = clustered
    patterns = pd.Series({2: "stable low", 1: "stable high", 3: "linear decrease"})
    table = profile_table(matrix, labels, patterns)
    grouped = matrix.groupby(labels)
    case_means = matrix.mean(axis=1).groupby(labels)
    for cluster in (1, 2, 3):
        assert table.loc[cluster, "n"] == grouped.size()[cluster]
        for t in ("t1", "t2", "t3"):
            assert table.loc[cluster, f"{t}_mean"] == pytest.approx(grouped[t].mean()[cluster])
            assert table.loc[cluster, f"{t}_sd"] == pytest.approx(grouped[t].std()[cluster])
        assert table.loc[cluster, "mean"] == pytest.approx(case_means.mean()[cluster])
        assert table.loc[cluster, "sd"] == pytest.approx(case_means.std()[cluster])


def test_profile_rows_follow_the_order_of_patterns(clustered):
    matrix, labels = clustered
    patterns = pd.Series({2: "stable low", 1: "stable high", 3: "linear decrease"})
    table = profile_table(matrix, labels, patterns)
    assert table.index.tolist() == [2, 1, 3]
    assert table["abbrev"].tolist() == ["SLA", "SHA", "LDA"]


def test_profile_shares_are_the_papers_percentages(clustered):
    matrix, labels = clustered
    table = profile_table(matrix, labels, pd.Series({1: "a", 2: "b", 3: "c"}))
    assert table["pct"].round(2).tolist() == [27.78, 55.56, 16.67]
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["abbrev"].isna().all()  # unknown names have no abbreviation


def test_profile_accepts_name_patterns_frame(clustered):
    matrix, labels = clustered
    cluster_means = matrix.groupby(labels).mean()
    named = name_patterns(cluster_means, names={1: "SHA", 2: "SLA", 3: "LDA"})
    table = profile_table(matrix, labels, named)
    assert table["pattern"].tolist() == ["stable high", "stable low", "linear decrease"]


def test_profile_sd_of_single_case_cluster_is_missing(clustered):
    matrix, labels = clustered
    labels = labels.copy()
    labels.iloc[0] = 4
    table = profile_table(matrix, labels, pd.Series({1: "a", 2: "b", 3: "c", 4: "d"}))
    assert table.loc[4, "n"] == 1
    assert np.isnan(table.loc[4, "sd"]) and np.isnan(table.loc[4, "t1_sd"])


def test_profile_labelled_case_missing_from_matrix_is_named(clustered):
    matrix, labels = clustered
    with pytest.raises(DataValueError, match="case 'ES3_C1' is labelled but not in"):
        profile_table(matrix.drop(index="ES3_C1"), labels, pd.Series({1: "a", 2: "b", 3: "c"}))


def test_profile_cluster_without_name_is_named(clustered):
    matrix, labels = clustered
    with pytest.raises(DataValueError, match=r"cluster 3 \(cases ES8_C4"):
        profile_table(matrix, labels, pd.Series({1: "a", 2: "b"}))


def test_profile_missing_score_is_named(clustered):
    matrix, labels = clustered
    matrix = matrix.copy()
    matrix.loc["ES5_C2", "t2"] = np.nan
    with pytest.raises(DataValueError, match="case 'ES5_C2', column 't2'"):
        profile_table(matrix, labels, pd.Series({1: "a", 2: "b", 3: "c"}))


def test_naming_thresholds_are_relative_to_the_scale_range():
    import pandas as pd

    from mixedwai.quant.patterns.shapes import describe_shapes

    flat = pd.DataFrame({"t1": [34.2], "t2": [33.3], "t3": [35.3]}, index=[1])
    # c = (34.2 - 2 * 33.3 + 35.3) / 2 = 1.45: above 0.15 points, below 0.15 * 63 / 6 = 1.575
    assert describe_shapes(flat, scale=(0, 63))["shape"].iloc[0] == "stable"
    assert describe_shapes(flat)["shape"].iloc[0] == "U-shaped"  # read on a 1..7 scale
    # the same trajectory rescaled to 1..7 gets the same name as on 0..63
    rescaled = 1 + flat * 6 / 63
    assert describe_shapes(rescaled)["shape"].iloc[0] == "stable"
    falling = pd.DataFrame({"t1": [52.0], "t2": [41.0], "t3": [30.0]}, index=[1])
    assert describe_shapes(falling, scale=(0, 63))["shape"].iloc[0] == "linear decrease"
