"""k-means refinement: never lowers R-squared, equals k-means on all rows, order-free, reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.cluster import KMeans

from mixedwai.errors import OptionError
from mixedwai.quant.ward.clustering import cluster_trajectories
from mixedwai.quant.ward.refine import refine_kmeans
from mixedwai.quant.ward.tree import ward_tree


def wai_like(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = rng.normal(5.4, 0.8, n)
    slope = rng.normal(0.0, 0.3, n)
    out = np.empty((n, 3))
    for s in range(3):
        latent = level + slope * (s - 1) + rng.normal(0, 0.2, n)
        out[:, s] = np.clip(np.rint(latent[:, None] + rng.normal(0, 0.7, (n, 12))), 1, 7).mean(1)
    return out


def r_squared(X: np.ndarray, labels: np.ndarray) -> float:
    total = ((X - X.mean(0)) ** 2).sum()
    within = sum(((X[labels == c] - X[labels == c].mean(0)) ** 2).sum() for c in set(labels))
    return 1 - within / total


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(2, 6))
def test_refinement_never_lowers_r_squared(seed: int, k: int) -> None:
    X = wai_like(120, seed)
    out = refine_kmeans(ward_tree(X), k)
    assert out.r2_after >= out.r2_before - 1e-12
    assert out.r2_before == pytest.approx(r_squared(X, out.ward_labels))
    assert out.r2_after == pytest.approx(r_squared(X, out.labels))


def test_r_squared_before_matches_the_tree_coefficient() -> None:
    X = wai_like(200, 1)
    tree = ward_tree(X)
    out = refine_kmeans(tree, 3)
    assert out.r2_before == pytest.approx(1 - tree.within_ss(3) / tree.total_ss)


def test_refined_partition_equals_kmeans_on_all_rows() -> None:
    X = wai_like(300, 2)
    tree = ward_tree(X)
    out = refine_kmeans(tree, 4)
    ward = out.ward_labels
    init = np.vstack([X[ward == c].mean(0) for c in range(4)])
    plain = KMeans(4, init=init, n_init=1, tol=0.0).fit(X)
    np.testing.assert_array_equal(out.labels, plain.labels_)
    np.testing.assert_allclose(out.centers, plain.cluster_centers_)


def test_refined_partition_is_a_fixed_point_of_lloyd() -> None:
    X = wai_like(300, 3)
    out = refine_kmeans(ward_tree(X), 3)
    nearest = ((X[:, None, :] - out.centers[None]) ** 2).sum(2).argmin(1)
    np.testing.assert_array_equal(nearest, out.labels)


def test_moved_rows_are_those_that_changed() -> None:
    X = wai_like(300, 4)
    out = refine_kmeans(ward_tree(X), 3)
    assert out.n_moved == int((out.labels != out.ward_labels).sum()) == len(out.moved)


def test_refinement_does_not_depend_on_row_order() -> None:
    X = wai_like(250, 5)
    perm = np.random.default_rng(0).permutation(len(X))
    a = refine_kmeans(ward_tree(X), 3)
    b = refine_kmeans(ward_tree(X[perm]), 3)
    np.testing.assert_array_equal(b.labels, a.labels[perm])


def test_k_is_checked() -> None:
    with pytest.raises(OptionError, match="k = 1"):
        refine_kmeans(ward_tree(np.eye(3)), 1)


@pytest.mark.filterwarnings("ignore::mixedwai.errors.TieSensitivityWarning")
def test_cluster_trajectories_reports_the_refinement_and_renames_patterns() -> None:
    X = wai_like(200, 6)
    matrix = pd.DataFrame(
        X, columns=["t1", "t2", "t3"],
        index=pd.Index([f"C{i}" for i in range(len(X))], name="case_id"),
    )
    ward = cluster_trajectories(matrix, k=4, n_boot=0, tie_seeds=0)
    refined = cluster_trajectories(matrix, k=4, n_boot=0, tie_seeds=5, refine="kmeans")
    info = refined.refinement
    assert info["r2_refined"] >= info["r2_ward"]
    assert info["n_moved"] == len(info["moved"]) > 0
    moved = info["moved"].set_index("case_id")
    assert (moved["cluster"] == refined.labels.loc[moved.index, "cluster"]).all()
    assert (moved["ward_cluster"] == ward.labels.loc[moved.index, "cluster"]).all()
    # pattern sizes and names are those of the refined clusters
    sizes = refined.labels["cluster"].value_counts().sort_index()
    assert refined.profile["n"].tolist() == sizes.tolist()
    assert refined.params["refine"] == "kmeans"
    assert "refined_ari_median" in refined.tie_sensitivity
    assert "k-means refinement:" in refined.summary()
    assert ward.refinement is None
