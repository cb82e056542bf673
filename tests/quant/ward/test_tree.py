"""ward_tree: exact Ward (checked against scipy), weights, duplicates, the tie rule."""

from __future__ import annotations

from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.cluster.hierarchy import fcluster, is_monotonic, is_valid_linkage, linkage

from mixedwai.errors import DataValueError, InsufficientDataError, OptionError
from mixedwai.quant.ward.tree import ward_tree


def wai_like(n: int, seed: int = 0, sessions: int = 3) -> np.ndarray:
    """Global scores = means of 12 Likert items: a 1/12 grid with many ties."""
    rng = np.random.default_rng(seed)
    level = rng.normal(5.4, 0.8, n)
    slope = rng.normal(0.0, 0.25, n)
    out = np.empty((n, sessions))
    for s in range(sessions):
        latent = level + slope * (s - 1) + rng.normal(0, 0.3, n)
        items = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.7, (n, 12))), 1, 7)
        out[:, s] = items.mean(axis=1)
    return out


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """True when the two label vectors define the same partition."""
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def brute_within_ss(X: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(((X[labels == c] - X[labels == c].mean(0)) ** 2).sum() for c in set(labels)))


@pytest.mark.parametrize(("n", "d", "seed"), [(2, 1, 0), (7, 2, 1), (60, 3, 2), (300, 4, 3)])
def test_heights_equal_scipy_on_continuous_data(n: int, d: int, seed: int) -> None:
    X = np.random.default_rng(seed).normal(size=(n, d))
    tree = ward_tree(X)
    np.testing.assert_allclose(tree.heights, linkage(X, "ward")[:, 2], rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_partitions_equal_scipy_fcluster_on_continuous_data(seed: int) -> None:
    X = np.random.default_rng(seed).normal(size=(120, 3))
    tree = ward_tree(X)
    Z = linkage(X, "ward")
    for k in range(1, 11):
        assert same_partition(tree.labels(k), fcluster(Z, k, "maxclust")), k


def test_linkage_is_valid_and_monotonic_for_scipy() -> None:
    tree = ward_tree(wai_like(400, seed=4))
    assert is_valid_linkage(tree.linkage)
    assert is_monotonic(tree.linkage)
    assert tree.linkage.shape == (399, 4)
    assert tree.linkage[-1, 3] == 400


def test_duplicates_merge_first_at_height_zero() -> None:
    X = np.array([[1.0, 2.0], [5.0, 5.0], [1.0, 2.0], [1.0, 2.0], [5.0, 5.0], [3.0, 1.0]])
    tree = ward_tree(X)
    assert tree.n_distinct == 3
    assert tree.counts.tolist() == [3, 1, 2]  # rows sorted: (1,2), (3,1), (5,5)
    np.testing.assert_array_equal(tree.heights[:3], 0.0)
    assert (tree.heights[3:] > 0).all()
    np.testing.assert_allclose(np.sort(tree.heights), linkage(X, "ward")[:, 2], atol=1e-12)


def test_all_rows_equal_gives_a_flat_tree() -> None:
    tree = ward_tree(np.ones((4, 3)))
    assert tree.n_distinct == 1
    np.testing.assert_array_equal(tree.heights, 0.0)
    assert tree.labels(1).tolist() == [0, 0, 0, 0]
    assert tree.within_ss(1) == 0.0


def test_integer_weights_equal_repeated_rows() -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(30, 3))
    w = rng.integers(1, 4, size=30)
    weighted = ward_tree(X, sample_weight=w)
    repeated = ward_tree(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(weighted.distinct_linkage[:, 2], repeated.distinct_linkage[:, 2])
    for k in range(1, 8):
        assert weighted.distinct_labels(k).tolist() == repeated.distinct_labels(k).tolist()


def test_weighted_heights_match_ward_cost_formula() -> None:
    X = np.array([[0.0], [1.0], [10.0]])
    tree = ward_tree(X, sample_weight=[1.0, 3.0, 2.0])
    # first merge 0 and 1: cost = 1*3/4 * 1 = 0.75, height sqrt(1.5)
    assert tree.costs[0] == pytest.approx(0.75)
    assert tree.distinct_linkage[0, 2] == pytest.approx(np.sqrt(1.5))
    # then centroid 0.75 (weight 4) with 10 (weight 2): 4*2/6 * 9.25**2
    assert tree.costs[1] == pytest.approx(4 * 2 / 6 * 9.25**2)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_any_row_permutation_gives_the_same_tree_on_tied_data(seed: int) -> None:
    X = wai_like(150, seed=11)
    perm = np.random.default_rng(seed).permutation(len(X))
    base, moved = ward_tree(X), ward_tree(X[perm])
    np.testing.assert_array_equal(base.distinct_linkage, moved.distinct_linkage)
    np.testing.assert_array_equal(np.sort(base.heights), np.sort(moved.heights))
    for k in range(1, 8):
        np.testing.assert_array_equal(moved.labels(k), base.labels(k)[perm])


def test_tied_data_do_have_ties_that_change_scipy_with_row_order() -> None:
    # the reason for the canonical rule: scipy's answer moves with the row order
    X = wai_like(1000, seed=3)
    perm = np.random.default_rng(0).permutation(len(X))
    scipy_a = fcluster(linkage(X, "ward"), 3, "maxclust")
    scipy_b = fcluster(linkage(X[perm], "ward"), 3, "maxclust")
    assert not same_partition(scipy_a[perm], scipy_b)
    assert ward_tree(X).n_tied > 0


def test_no_tied_merges_on_continuous_data() -> None:
    tree = ward_tree(np.random.default_rng(9).normal(size=(200, 3)))
    assert tree.n_tied == 0
    assert tree.n_tied_merges(2) == 0


def test_n_tied_merges_counts_only_merges_down_to_k() -> None:
    tree = ward_tree(wai_like(300, seed=3))
    assert tree.n_tied_merges(tree.n_distinct) == 0
    assert tree.n_tied_merges(1) == tree.n_tied
    assert tree.n_tied_merges(3) == int(tree.tied[: tree.n_distinct - 3].sum())


def test_within_ss_equals_brute_force() -> None:
    X = wai_like(80, seed=6)
    tree = ward_tree(X)
    for k in range(1, 10):
        assert tree.within_ss(k) == pytest.approx(brute_within_ss(X, tree.labels(k)), abs=1e-9)
    assert tree.total_ss == pytest.approx(((X - X.mean(0)) ** 2).sum())


def test_labels_are_numbered_by_lowest_sorted_row() -> None:
    X = np.array([[9.0, 9.0], [1.0, 1.0], [9.1, 9.0], [1.1, 1.0]])
    tree = ward_tree(X)
    assert tree.labels(2).tolist() == [1, 0, 1, 0]


def test_k_above_the_distinct_rows_splits_duplicates() -> None:
    X = np.array([[1.0], [1.0], [2.0]])
    tree = ward_tree(X)
    labels = tree.labels(3)
    assert sorted(labels.tolist()) == [0, 1, 2]


# ----------------------------------------------------------------- brute force over ties


def greedy_sequences(points: np.ndarray, weights: np.ndarray) -> set[tuple[frozenset, ...]]:
    """Every sequence of partitions greedy Ward can produce, over every way to break ties.

    Exact rational arithmetic, so a tie is a true equality.
    """
    pts = [tuple(Fraction(x).limit_denominator(10_000) for x in p) for p in points]
    ws = [Fraction(int(w)) for w in weights]

    def stats(cluster: frozenset) -> tuple[Fraction, tuple[Fraction, ...]]:
        w = sum(ws[i] for i in cluster)
        return w, tuple(sum(ws[i] * pts[i][t] for i in cluster) / w for t in range(len(pts[0])))

    @cache
    def rec(state: frozenset) -> set[tuple[frozenset, ...]]:
        clusters = sorted(state, key=min)
        if len(clusters) == 1:
            return {()}
        st_ = [stats(c) for c in clusters]
        costs = {}
        for i in range(len(clusters)):
            for j in range(i + 1, len(clusters)):
                (wa, ca), (wb, cb) = st_[i], st_[j]
                gap = sum((x - y) ** 2 for x, y in zip(ca, cb, strict=True))
                costs[i, j] = wa * wb / (wa + wb) * gap
        best = min(costs.values())
        out = set()
        for (i, j), cost in costs.items():
            if cost == best:
                rest = [c for t, c in enumerate(clusters) if t not in (i, j)]
                new = frozenset([*rest, clusters[i] | clusters[j]])
                out |= {(new, *tail) for tail in rec(new)}
        return out

    return rec(frozenset(frozenset([i]) for i in range(len(pts))))


def tree_sequence(tree) -> tuple[frozenset, ...]:
    seq = []
    for k in range(tree.n_distinct - 1, 0, -1):
        labels = tree.distinct_labels(k)
        seq.append(frozenset(frozenset(np.flatnonzero(labels == c).tolist()) for c in range(k)))
    return tuple(seq)


@pytest.mark.parametrize("seed", range(12))
def test_canonical_tree_is_one_of_the_greedy_tie_orders(seed: int) -> None:
    rng = np.random.default_rng(seed)
    grid = rng.integers(0, 4, size=(40, 2)).astype(float) / 2
    X = grid[rng.integers(0, len(grid), size=9)]
    tree = ward_tree(X)
    sequences = greedy_sequences(tree.distinct, tree.weights)
    assert tree_sequence(tree) in sequences
    for order in range(3):  # and again after shuffling the rows
        perm = np.random.default_rng(100 + order).permutation(len(X))
        assert tree_sequence(ward_tree(X[perm])) == tree_sequence(tree)


def test_square_corners_have_tied_first_merges() -> None:
    # four corners of a unit square: four equal first costs
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    tree = ward_tree(X)
    assert bool(tree.tied[0])
    assert tree_sequence(tree) in greedy_sequences(tree.distinct, tree.weights)
    # the rule: the chain starts at the lowest row (0,0) and takes the lowest tied row (0,1)
    assert tree.distinct_labels(3).tolist() == [0, 0, 1, 2]


# ----------------------------------------------------------------- errors


def test_missing_values_are_reported_with_their_rows() -> None:
    X = np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 3.0], [1.0, np.inf]])
    with pytest.raises(DataValueError, match=r"2 row\(s\) \(0-based positions: 1, 3\)"):
        ward_tree(X)


def test_a_single_row_is_not_enough() -> None:
    with pytest.raises(InsufficientDataError, match="at least 2 rows"):
        ward_tree([[1.0, 2.0]])


def test_non_numeric_input_is_refused() -> None:
    with pytest.raises(DataValueError, match="numbers only"):
        ward_tree([["a", "b"], ["c", "d"]])


def test_one_dimensional_input_is_refused() -> None:
    with pytest.raises(DataValueError, match="2-D"):
        ward_tree([1.0, 2.0, 3.0])


def test_non_positive_weights_are_listed() -> None:
    with pytest.raises(DataValueError, match=r"1 \(0\.0\), 2 \(-1\.0\)"):
        ward_tree(np.eye(3), sample_weight=[1.0, 0.0, -1.0])


def test_weights_of_the_wrong_length_are_refused() -> None:
    with pytest.raises(DataValueError, match="2 values for 3 rows"):
        ward_tree(np.eye(3), sample_weight=[1.0, 1.0])


def test_k_out_of_range_is_refused() -> None:
    tree = ward_tree(np.eye(3))
    with pytest.raises(OptionError, match="from 1 to 3"):
        tree.labels(4)
    with pytest.raises(OptionError, match="from 1 to 3"):
        tree.labels(0)
