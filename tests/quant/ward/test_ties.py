"""Tie diagnostic: weighted ARI, continuous vs tied data, brute-force tie orders, the warning."""

from __future__ import annotations

import warnings
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import adjusted_rand_score

from mixedwai.errors import OptionError, TieSensitivityWarning
from mixedwai.quant.ward.estimator import WardClustering
from mixedwai.quant.ward.ties import tie_sensitivity, weighted_ari
from mixedwai.quant.ward.tree import ward_tree


def greedy_partitions(points: np.ndarray, weights: np.ndarray) -> dict[int, set[frozenset]]:
    """k -> every k-partition greedy Ward reaches under some way of breaking ties (exact)."""
    pts = [tuple(Fraction(x).limit_denominator(10_000) for x in p) for p in points]
    ws = [Fraction(int(w)) for w in weights]
    found: dict[int, set[frozenset]] = {}

    def cost(a: frozenset, b: frozenset) -> Fraction:
        wa, wb = sum(ws[i] for i in a), sum(ws[i] for i in b)
        ca = [sum(ws[i] * pts[i][t] for i in a) / wa for t in range(len(pts[0]))]
        cb = [sum(ws[i] * pts[i][t] for i in b) / wb for t in range(len(pts[0]))]
        return wa * wb / (wa + wb) * sum((x - y) ** 2 for x, y in zip(ca, cb, strict=True))

    @cache
    def visit(state: frozenset) -> None:
        found.setdefault(len(state), set()).add(state)
        clusters = list(state)
        if len(clusters) == 1:
            return
        costs = {
            (i, j): cost(clusters[i], clusters[j])
            for i in range(len(clusters))
            for j in range(i + 1, len(clusters))
        }
        best = min(costs.values())
        for (i, j), c in costs.items():
            if c == best:
                rest = [x for t, x in enumerate(clusters) if t not in (i, j)]
                visit(frozenset([*rest, clusters[i] | clusters[j]]))

    visit(frozenset(frozenset([i]) for i in range(len(pts))))
    return found


def as_partition(labels: np.ndarray) -> frozenset:
    return frozenset(frozenset(np.flatnonzero(labels == c).tolist()) for c in np.unique(labels))


@settings(max_examples=40, deadline=None)
@given(
    a=st.lists(st.integers(0, 3), min_size=12, max_size=12),
    b=st.lists(st.integers(0, 3), min_size=12, max_size=12),
    w=st.lists(st.integers(1, 5), min_size=12, max_size=12),
)
def test_weighted_ari_equals_sklearn_on_repeated_items(a, b, w) -> None:
    a, b, w = np.array(a), np.array(b), np.array(w)
    expected = adjusted_rand_score(np.repeat(a, w), np.repeat(b, w))
    assert weighted_ari(a, b, w.astype(float)) == pytest.approx(expected, abs=1e-12)


def test_continuous_data_have_no_tied_merge_and_ari_one() -> None:
    tree = ward_tree(np.random.default_rng(0).normal(size=(150, 3)))
    table = tie_sensitivity(tree, range(2, 7), n_seeds=10).table
    assert (table["tied_merges"] == 0).all()
    assert (table["ari_median"] == 1.0).all() and (table["ari_min"] == 1.0).all()
    assert (table["identical"] == 1.0).all()


@pytest.mark.parametrize("seed", range(8))
def test_every_random_tie_break_is_a_greedy_ward_solution(seed: int) -> None:
    rng = np.random.default_rng(seed)
    grid = rng.integers(0, 3, size=(30, 2)).astype(float)
    X = grid[rng.integers(0, len(grid), size=10)]
    tree = ward_tree(X)
    found = greedy_partitions(tree.distinct, tree.weights)
    ks = range(1, tree.n_distinct + 1)
    diag = tie_sensitivity(tree, ks, n_seeds=15, random_state=seed)
    for k in ks:
        assert as_partition(diag.canonical[k]) in found[k]
        for labels in diag.runs[k]:
            assert as_partition(labels) in found[k]


def test_random_tie_breaks_reach_other_partitions_on_wai_like_data() -> None:
    rng = np.random.default_rng(1)
    X = np.clip(np.rint(rng.normal(5, 1.0, size=(400, 3)) * 2) / 2, 1, 7)
    tree = ward_tree(X)
    table = tie_sensitivity(tree, [2, 3, 4, 5], n_seeds=20).table
    assert (table["tied_merges"] > 0).all()
    assert (table["ari_min"] < 1.0).any()


def test_diagnostic_does_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(2)
    X = np.rint(rng.normal(5, 1.0, size=(200, 3)) * 2) / 2
    perm = rng.permutation(len(X))
    a = tie_sensitivity(ward_tree(X), [2, 3, 4], n_seeds=8).table
    b = tie_sensitivity(ward_tree(X[perm]), [2, 3, 4], n_seeds=8).table
    assert a.equals(b)


def test_large_n_runs_on_a_sample() -> None:
    X = np.rint(np.random.default_rng(3).normal(5, 1.0, size=(3000, 3)) * 4) / 4
    diag = tie_sensitivity(ward_tree(X), [3], n_seeds=3, max_n=500)
    assert diag.sampled
    assert diag.table.loc[3, "n_cases"] == 500
    assert diag.counts.sum() == 500


def test_refined_comparison_is_one_on_continuous_data() -> None:
    tree = ward_tree(np.random.default_rng(4).normal(size=(80, 2)))
    median, low = tie_sensitivity(tree, [3], n_seeds=5).refined(3)
    assert (median, low) == (1.0, 1.0)


def tie_sensitive_data() -> np.ndarray:
    """A small integer grid (like scikit-learn's check data): many equal costs."""
    return np.random.default_rng(0).integers(0, 4, size=(30, 2)).astype(float)


def test_fit_warns_in_plain_words_when_ties_decide_the_partition() -> None:
    with pytest.warns(TieSensitivityWarning, match="depend on arbitrary tie-breaking") as rec:
        model = WardClustering(n_clusters=4, n_boot=0).fit(tie_sensitive_data())
    assert model.tie_sensitivity_["ari_median"] < 0.9
    message = next(str(w.message) for w in rec if w.category is TieSensitivityWarning)
    assert "median adjusted Rand index" in message and "refine='kmeans'" in message


def test_no_warning_when_ties_do_not_matter() -> None:
    X = np.random.default_rng(5).normal(size=(60, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error", TieSensitivityWarning)
        model = WardClustering(n_clusters=3, n_boot=0).fit(X)
    assert model.tie_sensitivity_["tied_merges"] == 0


def test_tie_columns_are_in_the_k_selection_table() -> None:
    model = WardClustering(n_clusters=3, n_boot=0, tie_seeds=5).fit(
        np.random.default_rng(6).normal(size=(40, 2))
    )
    table = model.k_selection_.set_index("k")
    assert (table["tie_ari_median"] == 1.0).all()
    assert (table["tied_merges"] == 0).all()


def test_zero_seeds_skip_the_diagnostic() -> None:
    model = WardClustering(n_clusters=3, n_boot=0, tie_seeds=0).fit(tie_sensitive_data())
    assert model.tie_sensitivity_ is None
    assert model.k_selection_["tie_ari_median"].isna().all()
    assert (model.k_selection_["tied_merges"] >= 0).all()


def test_options_are_checked() -> None:
    tree = ward_tree(np.eye(4))
    with pytest.raises(OptionError, match="n_seeds = 0"):
        tie_sensitivity(tree, [2], n_seeds=0)
    with pytest.raises(OptionError, match="k = 5"):
        tie_sensitivity(tree, [5])


def test_trees_on_threads_give_the_results_of_one_thread(monkeypatch) -> None:
    """Tie permutations and bootstrap resamples run on every core: the numbers must not
    depend on how many there are."""
    import pandas as pd

    import mixedwai.quant.ward.tree as tree_module
    from mixedwai.quant.ward.clustering import cluster_trajectories

    rng = np.random.default_rng(3)
    scores = pd.DataFrame(np.round(rng.normal(5, 1, size=(400, 3)) * 4) / 4,
                          columns=["t1", "t2", "t3"],
                          index=[f"ES{i % 9}_C{i}" for i in range(400)])

    def run(workers: int):
        monkeypatch.setattr(tree_module, "_workers", lambda n_jobs: min(workers, n_jobs))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cluster_trajectories(scores, n_boot=30, tie_seeds=8)

    one, four = run(1), run(4)
    pd.testing.assert_frame_equal(one.k_selection, four.k_selection)
    assert one.tie_sensitivity == four.tie_sensitivity
    pd.testing.assert_frame_equal(one.labels, four.labels)
