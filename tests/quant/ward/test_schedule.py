"""agglomeration_schedule: coefficients by brute force, partitions against scipy, SPSS columns."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from mixedwai.errors import OptionError
from mixedwai.quant.ward.schedule import agglomeration_schedule
from mixedwai.quant.ward.tree import ward_tree


def brute_within_ss(X: np.ndarray, labels: np.ndarray) -> float:
    """Sum over clusters of squared distances to the cluster's centroid."""
    return float(sum(((X[labels == c] - X[labels == c].mean(0)) ** 2).sum() for c in set(labels)))


def partitions_from_schedule(schedule, n: int) -> dict[int, np.ndarray]:
    """Replay the schedule with SPSS naming: {clusters left: label of each row}."""
    label = np.arange(1, n + 1)
    out = {n: label.copy()}
    for row in schedule.itertuples():
        label[label == row.cluster_2] = row.cluster_1
        out[n - row.stage] = label.copy()
    return out


@pytest.fixture
def continuous() -> np.ndarray:
    return np.random.default_rng(3).normal(size=(25, 3))


def test_coefficient_equals_brute_force_within_ss_at_every_stage(continuous) -> None:
    schedule = agglomeration_schedule(ward_tree(continuous))
    parts = partitions_from_schedule(schedule, len(continuous))
    for row in schedule.itertuples():
        expected = brute_within_ss(continuous, parts[len(continuous) - row.stage])
        assert row.coefficient == pytest.approx(expected, abs=1e-9)


def test_coefficient_is_the_cumulated_half_squared_heights(continuous) -> None:
    schedule = agglomeration_schedule(ward_tree(continuous))
    np.testing.assert_allclose(schedule["coefficient"], np.cumsum(schedule["height"] ** 2 / 2))


def test_replayed_partitions_equal_scipy_linkage_and_fcluster(continuous) -> None:
    schedule = agglomeration_schedule(ward_tree(continuous))
    parts = partitions_from_schedule(schedule, len(continuous))
    Z = linkage(continuous, "ward")
    np.testing.assert_allclose(schedule["height"], Z[:, 2], atol=1e-9)
    for k in range(1, 10):
        ours, theirs = parts[k], fcluster(Z, k, "maxclust")
        assert len(set(zip(ours.tolist(), theirs.tolist(), strict=True))) == k


def test_spss_naming_first_appearance_and_next_stage_agree(continuous) -> None:
    schedule = agglomeration_schedule(ward_tree(continuous)).set_index("stage")
    assert (schedule["cluster_1"] < schedule["cluster_2"]).all()
    for stage, row in schedule.iterrows():
        for side in ("1", "2"):
            first = row[f"first_stage_{side}"]
            if first:
                # the cluster was formed at that stage, under the same name, and goes on here
                assert schedule.at[first, "cluster_1"] == row[f"cluster_{side}"]
                assert schedule.at[first, "next_stage"] == stage
        if row["next_stage"]:
            later = schedule.loc[row["next_stage"]]
            assert row["cluster_1"] in (later["cluster_1"], later["cluster_2"])
    assert schedule["next_stage"].iloc[-1] == 0
    assert schedule["size"].iloc[-1] == 25


def test_hand_worked_schedule() -> None:
    # rows 1..4 on a line: 0, 1, 10, 12 -> (1,2) cost .5, (3,4) cost 2, then the rest
    X = np.array([[0.0], [1.0], [10.0], [12.0]])
    schedule = agglomeration_schedule(ward_tree(X))
    assert schedule[["cluster_1", "cluster_2"]].to_numpy().tolist() == [[1, 2], [3, 4], [1, 3]]
    assert schedule["first_stage_1"].tolist() == [0, 0, 1]
    assert schedule["first_stage_2"].tolist() == [0, 0, 2]
    assert schedule["next_stage"].tolist() == [3, 3, 0]
    # total SS about 5.75: 5.75**2 + 4.75**2 + 4.25**2 + 6.25**2 = 112.75
    np.testing.assert_allclose(schedule["coefficient"], [0.5, 2.5, 112.75])
    np.testing.assert_allclose(schedule["change"], [0.5, 2.0, 110.25])
    assert np.isnan(schedule["change_pct"].iloc[0])
    np.testing.assert_allclose(schedule["change_pct"].iloc[1:], [400.0, 4410.0])


def test_duplicates_come_first_and_add_nothing() -> None:
    X = np.array([[1.0, 1.0], [4.0, 4.0], [1.0, 1.0], [2.0, 1.0]])
    cases = agglomeration_schedule(ward_tree(X), unit="cases")
    assert cases.loc[0, ["cluster_1", "cluster_2", "coefficient"]].tolist() == [1, 3, 0.0]
    distinct = agglomeration_schedule(ward_tree(X), unit="distinct")
    assert len(distinct) == 2
    np.testing.assert_allclose(distinct["coefficient"], cases["coefficient"].iloc[1:])


def test_case_ids_name_the_lowest_member() -> None:
    X = np.array([[0.0], [1.0], [10.0], [12.0]])
    schedule = agglomeration_schedule(ward_tree(X), case_ids=["A", "B", "C", "D"])
    assert schedule[["case_1", "case_2"]].to_numpy().tolist() == [
        ["A", "B"],
        ["C", "D"],
        ["A", "C"],
    ]


def test_auto_unit_switches_to_distinct_rows_for_large_trees() -> None:
    X = np.rint(np.random.default_rng(0).normal(5, 1, size=(6000, 2)))
    tree = ward_tree(X)
    assert len(agglomeration_schedule(tree)) == tree.n_distinct - 1
    assert len(agglomeration_schedule(ward_tree(X[:100]))) == 99


def test_wrong_number_of_case_ids_is_refused() -> None:
    with pytest.raises(OptionError, match="2 labels for a tree over 3 rows"):
        agglomeration_schedule(ward_tree(np.eye(3)), case_ids=["a", "b"])


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(OptionError, match="unit = 'rows'"):
        agglomeration_schedule(ward_tree(np.eye(3)), unit="rows")
