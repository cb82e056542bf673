"""select_k and bootstrap_stability: criteria against sklearn / scipy, the rules, the reasons."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.metrics import calinski_harabasz_score, silhouette_score

from mixedwai.errors import InsufficientDataError, OptionError, SmallSampleWarning
from mixedwai.quant.selection.rules import _argmax_k, select_k
from mixedwai.quant.selection.stability import bootstrap_stability
from mixedwai.quant.ward.tree import ward_tree

COLUMNS = [
    "k",
    "coefficient",
    "increase",
    "increase_pct",
    "smallest_n",
    "smallest_share",
    "admissible",
    "silhouette",
    "calinski_harabasz",
    "stability",
    "tied_merges",
    "tie_ari_median",
    "tie_ari_min",
    "preferred_by",
    "chosen",
]


def groups(centres, size: int, sd: float = 0.1, seed: int = 0, d: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, sd, size=(size, d)) for c in centres])


def brute_within_ss(X: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(((X[labels == c] - X[labels == c].mean(0)) ** 2).sum() for c in set(labels)))


@pytest.fixture(scope="module")
def three() -> np.ndarray:
    return groups([4.0, 5.5, 6.8], 8, sd=0.25, seed=1)


@pytest.fixture(scope="module")
def three_result(three):
    return select_k(three, ward_tree(three), n_boot=30)


def test_table_has_the_documented_columns(three_result) -> None:
    _, table, _ = three_result
    assert list(table.columns) == COLUMNS
    assert table["k"].tolist() == [2, 3, 4, 5, 6]


def test_coefficient_and_increase_equal_brute_force(three, three_result) -> None:
    _, table, _ = three_result
    tree = ward_tree(three)
    for row in table.itertuples():
        w_k = brute_within_ss(three, tree.labels(row.k))
        w_prev = brute_within_ss(three, tree.labels(row.k - 1))
        assert row.coefficient == pytest.approx(w_k)
        assert row.increase == pytest.approx(w_prev - w_k)
        assert row.increase_pct == pytest.approx((w_prev - w_k) / w_k * 100)


def test_calinski_harabasz_equals_sklearn(three, three_result) -> None:
    _, table, _ = three_result
    tree = ward_tree(three)
    for row in table.itertuples():
        expected = calinski_harabasz_score(three, tree.labels(row.k))
        assert row.calinski_harabasz == pytest.approx(expected)


def test_silhouette_equals_sklearn_on_all_cases(three, three_result) -> None:
    _, table, _ = three_result
    tree = ward_tree(three)
    for row in table.itertuples():
        assert row.silhouette == pytest.approx(silhouette_score(three, tree.labels(row.k)))


def test_smallest_cluster_and_admissibility(three, three_result) -> None:
    _, table, _ = three_result
    tree = ward_tree(three)
    for row in table.itertuples():
        sizes = np.bincount(tree.labels(row.k))
        assert row.smallest_n == sizes.min()
        assert row.smallest_share == pytest.approx(sizes.min() / len(three))
        assert row.admissible == (sizes.min() >= 0.1 * len(three))


def test_three_clear_groups_give_three(three_result) -> None:
    k, table, reason = three_result
    assert k == 3
    assert table.loc[table["chosen"], "k"].tolist() == [3]
    assert reason.startswith("k = 3: among solutions whose clusters each hold >= 10 % of the 24")
    assert "silhouette prefers k = 3" in reason


def test_preferred_by_names_each_criterion_at_its_best_k(three_result) -> None:
    _, table, _ = three_result
    candidates = table[table["admissible"] & (table["k"] >= 3)]  # the jump rule's candidates
    best = {
        "silhouette": table.loc[table["silhouette"].idxmax(), "k"],
        "calinski_harabasz": table.loc[table["calinski_harabasz"].idxmax(), "k"],
        "stability": table.loc[table["stability"].idxmax(), "k"],
        "coefficient": candidates.loc[candidates["increase_pct"].idxmax(), "k"],
    }
    for criterion, k in best.items():
        row = table.loc[table["k"] == k, "preferred_by"].item()
        assert criterion in row.split(", ")


def rule_by_hand(table, rule: str, max_k: int = 6) -> int:
    ok = table[table["admissible"] & (table["k"] <= max_k)]
    if rule == "reduction":
        return int(ok["k"].max())
    if rule == "jump":
        above = ok[ok["k"] >= 3]
        ok = above if len(above) else ok
    return int(ok.loc[ok["increase_pct"].idxmax(), "k"])


# two close groups and a far one, like the reference study (SHA and LDA close, SLA apart)
CLOSE_AND_FAR = groups([0.0, 1.0, 10.0], 6, sd=0.15, seed=2, d=1)


@pytest.mark.parametrize("rule", ["jump", "jump_all", "reduction"])
def test_each_rule_chooses_what_the_table_says(rule: str) -> None:
    k, table, _ = select_k(CLOSE_AND_FAR, ward_tree(CLOSE_AND_FAR), rule=rule, n_boot=0)
    assert k == rule_by_hand(table, rule)


def test_final_merge_is_not_a_candidate_for_the_jump_rule() -> None:
    tree = ward_tree(CLOSE_AND_FAR)
    k_jump, table, reason = select_k(CLOSE_AND_FAR, tree, rule="jump", n_boot=0)
    k_all, _, _ = select_k(CLOSE_AND_FAR, tree, rule="jump_all", n_boot=0)
    assert (k_jump, k_all) == (3, 2)
    assert table.loc[table["k"] == 2, "increase_pct"].item() > table.loc[
        table["k"] == 3, "increase_pct"
    ].item()
    assert "the final merge (2 clusters into 1) is not a candidate" in reason


def test_coefficient_preference_follows_the_rule_used() -> None:
    tree = ward_tree(CLOSE_AND_FAR)
    _, jump, _ = select_k(CLOSE_AND_FAR, tree, rule="jump", n_boot=0)
    _, jump_all, _ = select_k(CLOSE_AND_FAR, tree, rule="jump_all", n_boot=0)
    assert jump.loc[jump["chosen"], "preferred_by"].item().split(", ")[0] == "coefficient"
    assert "coefficient" not in jump.loc[jump["k"] == 2, "preferred_by"].item()
    assert "coefficient" in jump_all.loc[jump_all["k"] == 2, "preferred_by"].item()


def test_with_two_and_three_admissible_the_reason_says_the_rule_is_the_largest_k() -> None:
    _, table, reason = select_k(CLOSE_AND_FAR, ward_tree(CLOSE_AND_FAR), n_boot=0)
    assert table.loc[table["admissible"], "k"].tolist() == [2, 3]
    assert "so the rule reduces to the largest admissible k" in reason
    assert "the largest jump before" not in reason


def test_the_table_carries_its_reason(three_result) -> None:
    _, table, reason = three_result
    assert table.attrs["reason"] == reason


def test_a_one_case_cluster_is_never_admissible() -> None:
    # 7 cases: 10 % is 0.7 of a case, so min_share alone would admit singletons
    X = np.array([[6.7, 6.8, 6.9], [6.9, 6.3, 5.7], [5.5, 5.7, 5.4], [6.5, 5.8, 5.0],
                  [5.0, 4.9, 5.1], [5.0, 4.9, 5.0], [4.3, 4.2, 4.2]])
    k, table, reason = select_k(X, ward_tree(X), n_boot=0)
    sizes = {kk: np.bincount(ward_tree(X).labels(kk)).min() for kk in table["k"]}
    assert table["admissible"].tolist() == [sizes[kk] >= 2 for kk in table["k"]]
    assert not table.loc[table["k"] == 6, "admissible"].item()
    assert np.bincount(ward_tree(X).labels(k)).min() >= 2
    assert "and at least 2 cases" in reason


def test_fewer_than_ten_cases_per_cluster_warn(three) -> None:
    with pytest.warns(SmallSampleWarning, match=r"24 cases in 3 clusters \(8\.0 per cluster"):
        select_k(three, ward_tree(three), n_boot=0)


def test_ten_cases_per_cluster_do_not_warn() -> None:
    import warnings

    X = groups([4.0, 5.5, 6.8], 10, sd=0.25, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        k, _, _ = select_k(X, ward_tree(X), n_boot=0)
    assert k == 3


def test_reduction_takes_the_largest_admissible_k() -> None:
    X = np.vstack([groups([0.0, 3.0, 6.0], 6, sd=0.2, seed=3, d=1), [[8.0]]])  # + one outlier
    k, table, reason = select_k(X, ward_tree(X), rule="reduction", max_k=5, n_boot=0)
    assert table["admissible"].tolist() == [True, True, False, False]
    assert k == 3
    assert "iterative reduction" in reason
    assert "k = 4, 5 each leave a smaller cluster (smallest: 1 of 19)" in reason


def test_jump_falls_back_to_two_when_only_two_is_admissible() -> None:
    # 10 + 10 cases, then every further split isolates a single case
    X = np.vstack([np.linspace(0, 0.01, 10)[:, None], np.linspace(5, 5.01, 10)[:, None]])
    X[0, 0], X[10, 0] = -0.5, 5.5
    k, table, reason = select_k(X, ward_tree(X), n_boot=0, min_share=0.15)
    assert table.loc[table["admissible"], "k"].tolist() == [2]
    assert k == 2
    assert reason.startswith("k = 2: the only solution (of k = 2..6)")


def test_ties_in_the_jump_go_to_fewer_clusters() -> None:
    assert _argmax_k(np.array([2, 3, 4]), np.array([1.0, 5.0, 5.0])) == 3
    assert _argmax_k(np.array([2, 3]), np.array([np.nan, np.nan])) is None


def test_no_admissible_solution_raises_with_the_sizes() -> None:
    X = np.vstack([np.zeros((1, 1)), np.linspace(10, 11, 19)[:, None]])
    with pytest.raises(InsufficientDataError, match=r"k = 2: 1 \(5\.0 %\).*lower min_share"):
        select_k(X, ward_tree(X), n_boot=0)


def test_user_k_is_kept_and_the_rule_is_reported(three) -> None:
    k, table, reason = select_k(three, ward_tree(three), k=2, n_boot=0)
    assert k == 2
    assert table.loc[table["chosen"], "k"].tolist() == [2]
    assert reason.startswith("k = 2 was set by the user; the rule (")
    assert "would choose k = 3" in reason


def test_user_k_above_max_k_extends_the_table(three) -> None:
    _, table, _ = select_k(three, ward_tree(three), k=8, max_k=4, n_boot=0)
    assert table["k"].tolist() == [2, 3, 4, 5, 6, 7, 8]


def test_user_k_above_the_distinct_rows_is_refused() -> None:
    X = np.array([[1.0], [1.0], [2.0], [3.0]])
    with pytest.raises(OptionError, match="only 3 distinct score patterns"):
        select_k(X, ward_tree(X), k=4)


def test_identical_rows_cannot_be_clustered() -> None:
    X = np.ones((5, 3))
    with pytest.raises(InsufficientDataError, match="same scores"):
        select_k(X, ward_tree(X))


def test_x_must_match_the_tree(three) -> None:
    with pytest.raises(Exception, match="tree was built on 24 rows"):
        select_k(three[:10], ward_tree(three))


def test_stability_is_skipped_with_no_bootstrap(three) -> None:
    _, table, _ = select_k(three, ward_tree(three), n_boot=0)
    assert table["stability"].isna().all()


def test_large_n_uses_a_seeded_sample_and_ignores_row_order() -> None:
    X = np.rint(groups([4.0, 5.5, 6.5], 1200, sd=0.5, seed=4) * 12) / 12
    perm = np.random.default_rng(1).permutation(len(X))
    kwargs = dict(n_boot=5, silhouette_sample=500, stability_max_n=300)
    k1, t1, r1 = select_k(X, ward_tree(X), **kwargs)
    k2, t2, r2 = select_k(X[perm], ward_tree(X[perm]), **kwargs)
    assert (k1, r1) == (k2, r2)
    assert t1.equals(t2)
    assert t1["silhouette"].notna().all()


# ----------------------------------------------------------------- bootstrap stability


def clusterboot_reference(X: np.ndarray, k: int, n_boot: int, seed: int) -> np.ndarray:
    """fpc::clusterboot written out with scipy, on the same draws (rows in sorted order)."""
    Xs = X[np.lexsort(X.T[::-1])]
    n = len(Xs)

    def numbered(labels: np.ndarray) -> np.ndarray:  # by first appearance, like ours
        _, first = np.unique(labels, return_index=True)
        order = np.argsort(first)
        rename = {labels[first[o]]: i for i, o in enumerate(order)}
        return np.array([rename[v] for v in labels])

    original = numbered(fcluster(linkage(Xs, "ward"), k, "maxclust"))
    rng = np.random.default_rng(seed)
    jac = np.full((n_boot, k), np.nan)
    for b in range(n_boot):
        idx = rng.integers(0, n, size=n)
        if len(np.unique(idx)) < k:
            continue
        new = fcluster(linkage(Xs[idx], "ward"), k, "maxclust")
        for c in range(k):
            a = original[idx] == c
            if a.any():
                jac[b, c] = max(
                    (a & (new == j)).sum() / (a | (new == j)).sum() for j in np.unique(new)
                )
    return np.nanmean(jac, axis=0)


def test_stability_equals_a_scipy_clusterboot_on_the_same_draws() -> None:
    X = groups([0.0, 1.0, 2.0], 12, sd=0.45, seed=5, d=2)
    ours = bootstrap_stability(X, 3, n_boot=40, random_state=7)
    np.testing.assert_allclose(ours["jaccard_mean"], clusterboot_reference(X, 3, 40, 7))
    assert ours["n"].sum() == len(X)


def test_well_separated_clusters_are_recovered_every_time() -> None:
    X = groups([0.0, 10.0], 15, sd=0.1, seed=6)
    frame = bootstrap_stability(X, 2, n_boot=30)
    assert (frame["jaccard_mean"] == 1.0).all()
    assert (frame["dissolved"] == 0).all()
    assert (frame["recovered"] == frame["n_boot"]).all()


def test_stability_does_not_depend_on_row_order() -> None:
    X = groups([0.0, 1.0], 10, sd=0.6, seed=8)
    perm = np.random.default_rng(2).permutation(len(X))
    a = bootstrap_stability(X, 2, n_boot=25)
    b = bootstrap_stability(X[perm], 2, n_boot=25)
    assert a.equals(b)


def test_large_n_stability_draws_max_n_cases() -> None:
    X = groups([0.0, 5.0], 400, sd=0.3, seed=9)
    frame = bootstrap_stability(X, 2, n_boot=10, max_n=50)
    assert (frame["jaccard_mean"] == 1.0).all()
    assert frame["n"].tolist() == [400, 400]


def test_stability_options_are_checked() -> None:
    X = groups([0.0, 5.0], 5, seed=1)
    with pytest.raises(OptionError, match="n_boot = 0"):
        bootstrap_stability(X, 2, n_boot=0)
    with pytest.raises(OptionError, match="k = 11"):
        bootstrap_stability(X, 11)
