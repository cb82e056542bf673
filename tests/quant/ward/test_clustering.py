"""WardClustering (scikit-learn checks, labels, weights) and cluster_trajectories."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from mixedwai.errors import InsufficientDataError, OptionError
from mixedwai.quant.trajectories import Trajectories
from mixedwai.quant.ward.clustering import cluster_trajectories
from mixedwai.quant.ward.estimator import WardClustering
from mixedwai.quant.ward.result import ClusterResult

# tie sensitivity is tested in test_ties.py; here it would only add noise
pytestmark = pytest.mark.filterwarnings("ignore::mixedwai.errors.TieSensitivityWarning")


@parametrize_with_checks([WardClustering(), WardClustering(n_clusters=2, scores="deviation")])
def test_sklearn_estimator_checks(estimator, check) -> None:
    check(estimator)


def wai_like(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = rng.normal(5.4, 0.8, n)
    slope = rng.normal(0.0, 0.3, n)
    out = np.empty((n, 3))
    for s in range(3):
        latent = level + slope * (s - 1) + rng.normal(0, 0.2, n)
        out[:, s] = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.7, (n, 12))), 1, 7).mean(1)
    return out


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    """Eight cases: three stable high, three stable low, two decreasing."""
    return pd.DataFrame(
        {
            "t1": [6.6, 6.5, 6.7, 5.1, 5.0, 5.2, 6.6, 6.4],
            "t2": [6.6, 6.7, 6.6, 5.0, 5.2, 5.1, 6.0, 6.1],
            "t3": [6.7, 6.6, 6.8, 5.1, 5.1, 5.0, 5.5, 5.6],
        },
        index=pd.Index([f"ES1_C{i}" for i in range(1, 9)], name="case_id"),
    )


@pytest.fixture(scope="module")
def result(matrix) -> ClusterResult:
    return cluster_trajectories(matrix, n_boot=20)


# ----------------------------------------------------------------- the estimator


def test_labels_are_ordered_by_mean_level_highest_first() -> None:
    X = wai_like(300, seed=2)
    model = WardClustering(n_clusters=4, n_boot=0).fit(X)
    levels = [X[model.labels_ == c].mean() for c in range(4)]
    assert levels == sorted(levels, reverse=True)
    assert model.labels_.dtype == np.int64


def test_labels_do_not_depend_on_row_order() -> None:
    X = wai_like(400, seed=3)
    perm = np.random.default_rng(0).permutation(len(X))
    a = WardClustering(n_boot=10).fit(X)
    b = WardClustering(n_boot=10).fit(X[perm])
    np.testing.assert_array_equal(b.labels_, a.labels_[perm])
    assert a.k_reason_ == b.k_reason_
    assert a.k_selection_.equals(b.k_selection_)


def test_fitted_attributes_describe_the_tree() -> None:
    X = wai_like(50, seed=4)
    model = WardClustering(n_clusters=3, n_boot=0).fit(X)
    assert model.n_clusters_ == 3
    assert model.children_.shape == (49, 2)
    np.testing.assert_array_equal(model.distances_, model.linkage_[:, 2])
    assert len(model.schedule_) == 49
    assert model.k_selection_["chosen"].sum() == 1
    centres = np.vstack([X[model.labels_ == c].mean(0) for c in range(3)])
    np.testing.assert_allclose(model.cluster_centers_, centres)


def test_zero_weight_rows_join_the_nearest_centre() -> None:
    X = np.array([[1.0, 1.0], [1.1, 1.0], [5.0, 5.0], [5.1, 5.0], [4.0, 4.2]])
    model = WardClustering(n_clusters=2, n_boot=0).fit(X, sample_weight=[1, 1, 1, 1, 0])
    assert model.labels_.tolist() == [1, 1, 0, 0, 0]
    assert model.tree_.n_rows == 4


def test_integer_weights_act_as_repeated_rows() -> None:
    X = wai_like(40, seed=5)
    w = np.random.default_rng(1).integers(1, 4, size=40)
    weighted = WardClustering(n_clusters=3, n_boot=0).fit(X, sample_weight=w)
    repeated = WardClustering(n_clusters=3, n_boot=0).fit(np.repeat(X, w, axis=0))
    np.testing.assert_array_equal(np.repeat(weighted.labels_, w), repeated.labels_)


def test_deviation_scores_cluster_shapes_whatever_the_level() -> None:
    flat = np.array([[5.0, 5.0, 5.0], [6.5, 6.5, 6.5], [3.0, 3.0, 3.0]])
    down = np.array([[6.0, 5.5, 5.0], [4.0, 3.5, 3.0], [7.0, 6.5, 6.0]])
    X = np.vstack([flat, down])
    model = WardClustering(n_clusters=2, scores="deviation", n_boot=0).fit(X)
    assert len(set(model.labels_[:3])) == 1 and len(set(model.labels_[3:])) == 1
    assert model.tree_.n_distinct == 2  # equal shapes are equal rows once rounded


def test_deviation_rounding_merges_float_noise() -> None:
    X = np.rint(wai_like(3000, seed=6) * 12) / 12
    raw = X - X.mean(1, keepdims=True)
    model = WardClustering(n_clusters=3, scores="deviation", n_boot=0).fit(X)
    assert model.tree_.n_distinct == len(np.unique(np.round(raw * 36), axis=0))
    assert model.tree_.n_distinct < len(np.unique(raw, axis=0))


def test_bad_options_are_refused_at_fit() -> None:
    X = wai_like(20)
    with pytest.raises(OptionError, match="scores = 'level'"):
        WardClustering(scores="level").fit(X)
    with pytest.raises(OptionError, match="n_clusters = 'many'"):
        WardClustering(n_clusters="many").fit(X)
    with pytest.raises(OptionError, match="k_rule = 'elbow'"):
        WardClustering(k_rule="elbow").fit(X)
    with pytest.raises(OptionError, match="min_share = 0.9"):
        WardClustering(min_share=0.9).fit(X)


# ----------------------------------------------------------------- cluster_trajectories


def test_result_labels_are_one_based_and_named(result) -> None:
    assert result.k == 3
    assert result.labels.columns.tolist() == ["cluster", "pattern", "abbrev"]
    by_pattern = result.labels.groupby("abbrev")["cluster"].first().to_dict()
    assert by_pattern == {"SHA": 1, "LDA": 2, "SLA": 3}


def test_to_frame_is_the_clusters_csv(result, matrix) -> None:
    frame = result.to_frame()
    assert frame.columns.tolist() == ["case_id", "cluster", "pattern", "t1", "t2", "t3", "mean"]
    assert frame["cluster"].is_monotonic_increasing
    row = frame.set_index("case_id").loc["ES1_C7"]
    assert row["mean"] == pytest.approx(matrix.loc["ES1_C7"].mean())


def test_profile_and_patterns_agree_with_the_labels(result) -> None:
    assert result.profile["n"].tolist() == [3, 2, 3]
    assert result.patterns.index.tolist() == [1, 2, 3]
    assert result.patterns["pattern"].tolist() == ["stable high", "linear decrease", "stable low"]


def test_schedule_names_cases(result) -> None:
    assert {"case_1", "case_2"} <= set(result.schedule.columns)
    assert len(result.schedule) == 7


def test_params_record_every_choice(result, matrix) -> None:
    params = result.params
    for key in ("k", "k_rule", "scores", "min_share", "max_k", "n_boot", "random_state",
                "slope_threshold", "curvature_threshold", "tie_rule", "grand_mean"):
        assert key in params
    assert params["grand_mean"] == pytest.approx(matrix.mean(axis=1).mean())
    assert "lowest distinct row" in params["tie_rule"]


def test_summary_names_patterns_and_reason(result) -> None:
    text = result.summary()
    assert text.startswith("8 cases clustered by Ward's method on direct scores (0 excluded)")
    assert "stable high (SHA) 3 (37.5 %)" in text
    assert result.k_reason in text


def test_case_order_does_not_change_the_result(matrix, result) -> None:
    shuffled = matrix.sample(frac=1.0, random_state=3)
    other = cluster_trajectories(shuffled, n_boot=20)
    pd.testing.assert_frame_equal(other.labels.loc[result.labels.index], result.labels)
    assert other.k_reason == result.k_reason


def test_wide_matrix_with_missing_scores_lists_the_exclusions(matrix) -> None:
    wide = matrix.copy()
    wide.loc["ES1_C9"] = [6.0, np.nan, np.nan]
    out = cluster_trajectories(wide, k=3, n_boot=0)
    assert out.excluded.to_dict("records") == [
        {"case_id": "ES1_C9", "reason": "missing score at t2, t3"}
    ]
    assert "ES1_C9" not in out.labels.index


def test_wide_matrix_with_a_case_id_column(matrix) -> None:
    out = cluster_trajectories(matrix.reset_index(), k=3, n_boot=0)
    assert out.labels.index.tolist() == matrix.index.tolist()


def test_trajectories_object_is_accepted(matrix) -> None:
    excluded = pd.DataFrame({"case_id": ["X"], "reason": ["1 session; 3 needed"]})
    traj = Trajectories.from_matrix(matrix)
    traj = Trajectories(**{**traj.__dict__, "excluded": excluded})
    out = cluster_trajectories(traj, k=3, n_boot=0)
    assert out.excluded.equals(excluded)


def test_long_scores_table_is_built_into_trajectories(matrix) -> None:
    long = matrix.reset_index().melt(id_vars="case_id", var_name="t", value_name="wai")
    long["session"] = long.pop("t").str[1:].astype(int)
    short = pd.DataFrame({"case_id": ["ES2_C1"], "session": [1], "wai": [6.0]})
    out = cluster_trajectories(pd.concat([long, short]), k=3, n_boot=0)
    assert set(out.labels.index) == set(matrix.index)
    assert out.excluded["case_id"].tolist() == ["ES2_C1"]


def test_deviation_result_keeps_direct_matrix_and_deviation_scores(matrix) -> None:
    out = cluster_trajectories(matrix, scores="deviation", k=2, n_boot=0)
    pd.testing.assert_frame_equal(out.matrix, matrix)
    np.testing.assert_allclose(out.scores.sum(axis=1), 0.0, atol=1e-9)
    assert out.params["scores"] == "deviation"


def test_names_override_the_pattern_names(matrix) -> None:
    out = cluster_trajectories(matrix, k=3, n_boot=0, names={2: "early rupture"})
    assert out.patterns.loc[2, "pattern"] == "early rupture"
    assert (out.labels.loc[out.labels["cluster"] == 2, "pattern"] == "early rupture").all()


def test_too_few_cases_raise(matrix) -> None:
    with pytest.raises(InsufficientDataError, match="1 case"):
        cluster_trajectories(matrix.iloc[:1], n_boot=0)


def test_other_data_types_are_refused() -> None:
    with pytest.raises(OptionError, match="got list"):
        cluster_trajectories([[1.0, 2.0, 3.0]])


def test_sample_study_gives_the_published_patterns(sample_dir) -> None:
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.instruments.scoring import score_wai

    if not (sample_dir / "sessions.csv").is_file():
        pytest.skip("sample study not generated")
    out = cluster_trajectories(score_wai(read_sessions(sample_dir / "sessions.csv")))
    assert out.k == 3
    sizes = out.profile.set_index("abbrev")["n"].to_dict()
    assert sizes == {"SHA": 5, "LDA": 3, "SLA": 10}
    assert len(out.excluded) == 12


def test_sample_study_on_four_sessions_has_no_one_case_pattern(sample_dir) -> None:
    from mixedwai.errors import SmallSampleWarning
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.instruments.scoring import score_wai

    scores = score_wai(read_sessions(sample_dir / "sessions.csv"))
    with pytest.warns(SmallSampleWarning, match=r"7 cases in 2 clusters"):
        out = cluster_trajectories(scores, n_sessions=4, n_boot=0, tie_seeds=0)
    assert len(out.matrix) == 7
    assert out.profile["n"].min() >= 2
    assert out.profile["sd"].notna().all()


def test_level_rule_is_passed_to_the_pattern_names_and_reported() -> None:
    from mixedwai.quant.patterns.shapes import name_patterns

    # six high cases, two middle, two low: the grand mean of the case means (5.68) is above
    # the middle cluster, the median of the three cluster levels is the middle cluster's
    a, b, c = [6.8, 6.9, 6.8, 6.9, 6.8, 6.9], [5.0, 5.1], [3.0, 3.1]
    matrix = pd.DataFrame({t: a + b + c for t in ("t1", "t2", "t3")},
                          index=pd.Index([f"ES1_C{i}" for i in range(10)], name="case_id"))
    by_mean = cluster_trajectories(matrix, k=3, n_boot=0, tie_seeds=0)
    by_median = cluster_trajectories(matrix, k=3, n_boot=0, tie_seeds=0, level_rule="median")
    assert by_median.params["level_rule"] == "median"
    assert by_mean.params["level_rule"] == "grand_mean"
    means = matrix.groupby(by_median.labels["cluster"]).mean()
    assert by_median.patterns["pattern"].tolist() == name_patterns(
        means, level_rule="median")["pattern"].tolist()
    assert by_mean.patterns.loc[2, "pattern"] == "stable low"
    assert by_median.patterns.loc[2, "pattern"] == "stable high 2"


def test_an_unknown_level_rule_is_refused() -> None:
    matrix = pd.DataFrame({"t1": [1.0, 2.0, 5.0], "t2": [1.0, 2.0, 5.0]}, index=["a", "b", "c"])
    with pytest.raises(OptionError, match="level_rule = 'mode' is not allowed"):
        cluster_trajectories(matrix, k=2, n_boot=0, level_rule="mode")


# -- per-cluster stability of the chosen solution --------------------------------------


def test_result_stability_matches_bootstrap_stability_renumbered_like_the_results() -> None:
    from mixedwai.quant.selection.stability import bootstrap_stability
    from mixedwai.quant.ward.tree import ward_tree

    result = cluster_trajectories(_three_patterns(), n_boot=40, tie_seeds=0)
    X = result.scores.to_numpy()
    reference = bootstrap_stability(X, result.k, n_boot=40, random_state=0)
    tree_labels = ward_tree(X).labels(result.k)
    for c, row in reference.iterrows():
        members = result.scores.index[tree_labels == c]
        cluster = result.labels.loc[members, "cluster"].unique().tolist()
        assert len(cluster) == 1
        got = result.stability.loc[cluster[0]]
        assert got["jaccard_mean"] == pytest.approx(row["jaccard_mean"])
        assert (got["n"], got["dissolved"]) == (row["n"], row["dissolved"])
        assert got["pattern"] == result.patterns.loc[cluster[0], "pattern"]
    assert result.stability.index.tolist() == list(range(1, result.k + 1))


def test_stability_agrees_with_the_k_table_and_the_profile() -> None:
    result = cluster_trajectories(_three_patterns(), n_boot=40, tie_seeds=0)
    row = result.k_selection.loc[result.k_selection["chosen"]].iloc[0]
    assert result.stability["jaccard_mean"].mean() == pytest.approx(row["stability"])
    assert result.profile["stability"].tolist() == pytest.approx(
        result.stability["jaccard_mean"].tolist())


def test_no_bootstrap_means_no_stability() -> None:
    result = cluster_trajectories(_three_patterns(), n_boot=0, tie_seeds=0)
    assert result.stability is None
    assert "stability" not in result.profile.columns


def _three_patterns() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = [rng.normal(m, 0.15, size=(n, 3)) + np.array(slope) for m, n, slope in
            ((6.6, 6, (0, 0, 0)), (5.0, 8, (0, 0, 0)), (6.4, 5, (0.4, 0, -0.4)))]
    values = np.vstack(rows)
    return pd.DataFrame(values, columns=["t1", "t2", "t3"],
                        index=pd.Index([f"ES1_C{i}" for i in range(len(values))],
                                       name="case_id"))
