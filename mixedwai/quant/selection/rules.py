"""How many clusters: the agglomeration coefficient's jumps, validity indices, stability.

The reference study chose its number of clusters by "iterative reduction"
(Hair & Black 2000): follow the agglomeration coefficient as clusters are
merged, and keep only solutions in which every cluster holds at least 10 % of
the cases. :func:`select_k` applies that rule and reports, beside it, the
silhouette, the Calinski-Harabasz index and bootstrap stability (mean Jaccard,
as R's ``fpc::clusterboot``) for each k, which k each criterion prefers, and
the choice in a sentence a reviewer can quote.

Bootstrap stability (:func:`bootstrap_stability`) lives in
:mod:`mixedwai.quant.selection.stability`; the words of the reason
are in :mod:`mixedwai.quant.selection.wording`; the per-k criteria table (sizes,
silhouette, Calinski-Harabasz, stability and tie columns) is built in
:mod:`mixedwai.quant.selection.criteria`.

Examples
--------
>>> import numpy as np
>>> from mixedwai.quant.ward.tree import ward_tree
>>> rng = np.random.default_rng(0)
>>> X = np.vstack([rng.normal(m, 0.2, size=(6, 3)) for m in (5.0, 6.0, 6.8)])
>>> k, table, reason = select_k(X, ward_tree(X), n_boot=20)
>>> k
3
>>> table[["k", "increase_pct", "admissible", "chosen"]].round(1)
   k  increase_pct  admissible  chosen
0  2         317.5        True   False
1  3         516.4        True    True
2  4          29.4        True   False
3  5          25.7       False   False
4  6          26.2       False   False
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import InsufficientDataError, OptionError, SmallSampleWarning
from mixedwai.quant.selection.criteria import (
    _add_stability,
    _add_ties,
    _criteria_table,
    table_ks,
)
from mixedwai.quant.selection.stability import (
    STABILITY_MAX_N,
    _check_tree,
)
from mixedwai.quant.selection.wording import (
    _CRITERION_WORDS,
    _RULE_WORDS,
    _count,
    _format_ks,
    _pct,
)
from mixedwai.quant.ward.hierarchy import WardTree
from mixedwai.quant.ward.ties import TIE_MAX_N, TieSensitivity

__all__ = ["CASES_PER_CLUSTER", "MIN_CLUSTER_N", "select_k"]

RULES = ("jump", "jump_all", "reduction")
CRITERIA = ("coefficient", "silhouette", "calinski_harabasz", "stability")
#: An admissible solution has at least this many cases in every cluster (besides min_share).
MIN_CLUSTER_N = 2
#: Fewer cases than this per cluster of the chosen solution raise a SmallSampleWarning.
CASES_PER_CLUSTER = 10


def _argmax_k(ks: np.ndarray, values: np.ndarray) -> int | None:
    """The k with the largest finite value; near-equal values (1e-9 relative) -> smaller k."""
    finite = np.isfinite(values)
    if not finite.any():
        return None
    best = values[finite].max()
    tol = abs(best) * 1e-9
    return int(ks[finite & (values >= best - tol)].min())


def select_k(
    X: object,
    tree: WardTree,
    *,
    k: int | str = "auto",
    rule: str = "jump",
    min_share: float = 0.10,
    max_k: int = 6,
    n_boot: int = 100,
    silhouette_sample: int = 2000,
    stability_max_n: int = STABILITY_MAX_N,
    random_state: int | None = 0,
    tie_seeds: int = 20,
    tie_max_n: int | None = TIE_MAX_N,
    ties: TieSensitivity | None = None,
    min_n: int = MIN_CLUSTER_N,
) -> tuple[int, pd.DataFrame, str]:
    """Choose the number of clusters by the reference study's rule, reporting every criterion.

    Parameters
    ----------
    X : array-like of shape (n, d)
        The rows the tree was built from (checked against ``tree``).
    tree : WardTree
        From :func:`mixedwai.quant.ward.tree.ward_tree`.
    k : "auto" or int, default="auto"
        ``"auto"`` applies ``rule``; an integer is taken as given (the table
        is filled all the same and the reason says what the rule would choose).
    rule : {"jump", "jump_all", "reduction"}, default="jump"
        How ``"auto"`` chooses among the admissible k in 2..max_k (see Notes).
    min_share : float, default=0.10
        A solution is admissible when every cluster holds at least this share
        of the cases (Hair & Black 2000: 10 %).
    max_k : int, default=6
        Largest k considered (capped at the number of distinct rows).
    n_boot : int, default=100
        Bootstrap replicates for stability; 0 skips stability.
    silhouette_sample : int, default=2000
        Above this many cases, the silhouette is computed on a seeded random
        sample of this many cases.
    stability_max_n : int, default=2000
        Above this many cases, each bootstrap replicate draws this many.
    random_state : int or None, default=0
        Seed of the silhouette sample, the bootstrap and the tie-breaks.
    tie_seeds : int, default=20
        Runs with random tie-breaks for the tie columns (0: skip them; the
        number of tied merges is reported all the same).
    tie_max_n : int or None, default=10000
        Above this many cases the tie diagnostic uses a seeded sample.
    ties : TieSensitivity, optional
        A diagnostic already computed for the table's k (saves running it again).
    min_n : int, default=2
        A solution is admissible only when every cluster also holds at least
        this many cases (a one-case cluster has no SD and is no pattern).

    Returns
    -------
    k : int
        The number of clusters chosen.
    table : pandas.DataFrame
        One row per k = 2 .. max_k (and the chosen k if larger), columns:

        - ``k``;
        - ``coefficient``: within-cluster sum of squares ``W_k`` of the
          k-cluster partition (the agglomeration coefficient once k clusters
          remain);
        - ``increase``: ``W_{k-1} - W_k``, what merging k into k-1 clusters adds;
        - ``increase_pct``: the same in percent of ``W_k`` (Hair et al.'s
          percentage change in heterogeneity);
        - ``smallest_n``, ``smallest_share``: size and share (0..1) of the
          smallest cluster;
        - ``admissible``: every cluster holds >= ``min_share`` of the cases
          and >= ``min_n`` cases;
        - ``silhouette``: mean silhouette width (scikit-learn);
        - ``calinski_harabasz``: Calinski-Harabasz index;
        - ``stability``: mean over clusters of the bootstrap mean Jaccard
          (:func:`bootstrap_stability`; missing when ``n_boot=0``);
        - ``tied_merges``: merges decided among equal costs down to k clusters;
        - ``tie_ari_median``, ``tie_ari_min``: agreement (adjusted Rand index)
          of the k-partition with those obtained when ties are broken at random
          (:func:`mixedwai.quant.ward.ties.tie_sensitivity`; missing when
          ``tie_seeds=0``);
        - ``preferred_by``: the criteria whose best value is at this k,
          comma-separated. ``coefficient``: the largest ``increase_pct`` among
          the candidates of the jump rule in use, i.e. the admissible k >= 3
          (k = 2 when it is the only admissible one) for ``"jump"`` and
          ``"reduction"``, every admissible k for ``"jump_all"`` (all k in
          range when none is admissible), so that it agrees with the rule's
          reading of the coefficient; ``silhouette``, ``calinski_harabasz``,
          ``stability``: the largest value over every k;
        - ``chosen``: True on the row of the k chosen.

        ``table.attrs["reason"]`` holds ``reason``.
    reason : str
        Why this k, in a sentence that can be quoted.

    Raises
    ------
    InsufficientDataError
        Fewer than 2 distinct rows; or ``k="auto"`` and no k in 2..max_k is
        admissible (the message gives the smallest cluster at each k and
        what to do: lower ``min_share`` or set ``k``).
    OptionError
        An option out of range, or an integer ``k`` above the number of
        distinct rows.

    Warns
    -----
    SmallSampleWarning
        When the chosen solution has fewer than 10 cases per cluster on
        average (``n < 10 k``): its patterns rest on few cases each and may
        not replicate.

    Notes
    -----
    **Rules** (``k="auto"``). A k-cluster solution is *admissible* when each
    of its clusters holds at least ``min_share`` of the cases (Hair & Black
    2000: 10 %) and at least ``min_n`` (2) cases, so that no pattern is a
    single case, whatever the sample size. The jump at k is the percent increase of the coefficient
    when k clusters are merged into k - 1, :math:`100 (W_{k-1} - W_k) / W_k`
    (Hair et al.'s percentage change in heterogeneity).

    - ``"jump"`` (default): among the admissible k >= 3, the k with the
      largest jump (on equal jumps, within 1e-9 relative, the smaller k);
      k = 2 when it is the only admissible solution. The final merge (2
      clusters into 1) is not a candidate because it is almost always the
      largest jump: it measures all the structure there is against none.
      This is how the reference study's "iterative reduction" (the
      agglomeration coefficient considered, every cluster >= 10 % of the
      cases) is read here; with the published cluster sizes, means and SDs
      the final merge necessarily has the largest jump, so a rule that
      counts it could not have given the published 3 clusters (worked out in
      ``sample_corpus/README.md``, "Number of clusters"). When k = 3 is the
      only admissible k >= 3 (admissible k = 2, 3, as in the reference
      study), the rule reduces to the largest admissible k, and the reason
      says so.
    - ``"jump_all"``: the same with the final merge counted, so k = 2
      competes with the others.
    - ``"reduction"``: start from ``max_k`` clusters and merge until every
      cluster holds ``min_share`` of the cases: the largest admissible k
      (depends on ``max_k``; ignores the coefficient).

    When no k is admissible the function raises rather than pick a solution
    the rule forbids; an integer ``k`` is always accepted.

    The Calinski-Harabasz index is computed from the tree,
    :math:`[(T - W_k)/(k-1)] / [W_k/(n-k)]` with ``T`` the total sum of
    squares, which equals ``sklearn.metrics.calinski_harabasz_score`` (checked
    in the tests) at any n. The silhouette uses scikit-learn on all cases up
    to ``silhouette_sample`` cases, else on a seeded sample drawn from the
    canonical order. With ``sample_weight`` trees, sums of squares, sizes and
    the Calinski-Harabasz index are weighted; the silhouette and the
    bootstrap draw cases unweighted.

    References
    ----------
    Hair, J. F., & Black, W. C. (2000). Cluster analysis. In Grimm & Yarnold
    (Eds.), Reading and understanding more multivariate statistics. APA.
    Calinski, T., & Harabasz, J. (1974). Communications in Statistics 3, 1-27.
    Rousseeuw, P. J. (1987). Journal of Computational and Applied Mathematics 20, 53-65.

    Examples
    --------
    >>> import numpy as np
    >>> from mixedwai.quant.ward.tree import ward_tree
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(m, 0.2, size=(6, 3)) for m in (5.0, 6.0, 6.8)])
    >>> k, table, reason = select_k(X, ward_tree(X), n_boot=20)
    >>> print(reason)
    k = 3: among solutions whose clusters each hold >= 10 % of the 18 cases (k = 2..4),
    merging 3 into 2 clusters raises the within-cluster sum of squares by 516 %, the largest
    jump; silhouette prefers k = 3, Calinski-Harabasz k = 3, stability k = 3.
    """
    chosen, table, reason, _ = _select_k(
        X, tree, k=k, rule=rule, min_share=min_share, max_k=max_k, n_boot=n_boot,
        silhouette_sample=silhouette_sample, stability_max_n=stability_max_n,
        random_state=random_state, tie_seeds=tie_seeds, tie_max_n=tie_max_n, ties=ties,
        min_n=min_n,
    )
    return chosen, table, reason


def _select_k(
    X: object, tree: WardTree, **options: Any
) -> tuple[int, pd.DataFrame, str, dict[int, np.ndarray] | None]:
    """:func:`select_k`, also returning the bootstrap Jaccards ``{k: (n_boot, k)}`` or None.

    Takes the keyword options of :func:`select_k`, with its defaults (one signature for both).
    """
    defaults = select_k.__kwdefaults__
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise TypeError(f"_select_k() got an unexpected keyword argument {unknown[0]!r}")
    opts = {**defaults, **options}
    k, rule, min_share, max_k = opts["k"], opts["rule"], opts["min_share"], opts["max_k"]
    n_boot, silhouette_sample = opts["n_boot"], opts["silhouette_sample"]
    stability_max_n, random_state = opts["stability_max_n"], opts["random_state"]
    tie_seeds, tie_max_n, ties, min_n = (
        opts["tie_seeds"], opts["tie_max_n"], opts["ties"], opts["min_n"]
    )
    _check_tree(X, tree)
    check_choice("rule", rule, RULES)
    check_range("min_share", min_share, low=0.0, high=0.5)
    check_range("max_k", max_k, low=2, integer=True, limit="MAX_K")
    check_range("n_boot", n_boot, low=0, integer=True, limit="MAX_N_BOOT")
    check_range("silhouette_sample", silhouette_sample, low=10, integer=True)
    check_range("stability_max_n", stability_max_n, low=10, integer=True)
    check_range("tie_seeds", tie_seeds, low=0, integer=True, limit="MAX_TIE_SEEDS")
    if tie_max_n is not None:
        check_range("tie_max_n", tie_max_n, low=10, integer=True)
    m = tree.n_distinct
    if m < 2:
        raise InsufficientDataError(
            f"all {tree.n_rows} cases have the same scores: there is nothing to cluster"
        )
    auto = isinstance(k, str)
    if auto:
        if k != "auto":
            raise OptionError(f"k = {k!r} is not allowed; expected 'auto' or an integer >= 1")
    else:
        check_range("k", k, low=1, integer=True)
        if k > m:
            raise OptionError(
                f"k = {k} is not allowed: the {tree.n_rows} cases hold only {m} distinct "
                f"score patterns, so at most {m} clusters can be formed"
            )
        k = int(k)
    rule_top = min(int(max_k), m)
    ks = np.asarray(table_ks(tree, k, max_k))
    n_total = float(tree.weights.sum())

    check_range("min_n", min_n, low=1, integer=True)
    table, share_ok = _criteria_table(
        tree, ks, min_share=min_share, min_n=min_n, silhouette_sample=silhouette_sample,
        random_state=random_state,
    )
    runs = _add_stability(
        table, tree, ks, n_boot=n_boot, random_state=random_state,
        stability_max_n=stability_max_n,
    )
    _add_ties(
        table, tree, ks, ties=ties, tie_seeds=tie_seeds, random_state=random_state,
        tie_max_n=tie_max_n,
    )

    in_range = table["k"] <= rule_top
    admissible = table.loc[table["admissible"] & in_range, "k"].to_numpy()
    pct = table.set_index("k")["increase_pct"]
    candidates = admissible if admissible.size else table.loc[in_range, "k"].to_numpy()
    if rule != "jump_all" and (candidates >= 3).any():
        candidates = candidates[candidates >= 3]
    prefers = {
        "coefficient": _argmax_k(candidates, pct.loc[candidates].to_numpy(dtype=float)),
        "silhouette": _argmax_k(ks, table["silhouette"].to_numpy(dtype=float)),
        "calinski_harabasz": _argmax_k(ks, table["calinski_harabasz"].to_numpy(dtype=float)),
        "stability": _argmax_k(ks, table["stability"].to_numpy(dtype=float)),
    }
    table["preferred_by"] = [
        ", ".join(c for c in CRITERIA if prefers[c] == kk) for kk in ks.tolist()
    ]

    jump_all_k = (
        _argmax_k(admissible, pct.loc[admissible].to_numpy(dtype=float))
        if admissible.size
        else None
    )
    above_two = admissible[admissible >= 3]
    if above_two.size:
        jump_k = _argmax_k(above_two, pct.loc[above_two].to_numpy(dtype=float))
    else:
        jump_k = 2 if admissible.size else None
    reduction_k = int(admissible.max()) if admissible.size else None
    rule_k = {"jump": jump_k, "jump_all": jump_all_k, "reduction": reduction_k}[rule]
    share_words = f">= {_pct(min_share)} of the {_count(n_total)} cases"
    if (share_ok[in_range.to_numpy()] != table.loc[in_range, "admissible"].to_numpy()).any():
        share_words += f" and at least {min_n} cases"  # said only where it changes something
    named = [c for c in ("silhouette", "calinski_harabasz", "stability") if prefers[c]]
    others = ", ".join(
        f"{_CRITERION_WORDS[c]} {'prefers ' if i == 0 else ''}k = {prefers[c]}"
        for i, c in enumerate(named)
    )

    def merge_words(kk: int) -> str:
        return f"merging {kk} into {kk - 1} {'cluster' if kk == 2 else 'clusters'}"

    if rule_k is None:
        detail = ", ".join(
            f"k = {r.k}: {_count(r.smallest_n)} ({r.smallest_share * 100:.1f} %)"
            for r in table.loc[in_range].itertuples()
        )
        failure = (
            f"no solution with k = 2..{rule_top} has every cluster holding {share_words} "
            f"(smallest cluster at {detail})"
        )
    if auto:
        if rule_k is None:
            raise InsufficientDataError(f"{failure}; lower min_share or set k explicitly")
        chosen = rule_k
        if rule == "reduction":
            above = table.loc[in_range & (table["k"] > chosen)]
            reason = (
                f"k = {chosen}: the largest number of clusters (of k = 2..{rule_top}) in which "
                f"every cluster holds {share_words} (iterative reduction, Hair & Black 2000)"
            )
            if len(above):
                reason += (
                    f"; k = {_format_ks(above['k'])} each leave a smaller cluster (smallest: "
                    f"{_count(above['smallest_n'].min())} of {_count(n_total)})"
                )
            reason += (
                f"; {merge_words(chosen)} would raise the within-cluster sum of squares by "
                f"{pct.loc[chosen]:.0f} %"
            )
            if jump_k != chosen:
                reason += f" (largest jump before the final merge: at k = {jump_k})"
        elif rule == "jump" and not above_two.size:
            reason = (
                f"k = 2: the only solution (of k = 2..{rule_top}) whose clusters each hold "
                f"{share_words}"
            )
        elif rule == "jump" and above_two.size == 1:
            reason = (
                f"k = {chosen}: among solutions whose clusters each hold {share_words} "
                f"(k = {_format_ks(admissible)}), the final merge (2 clusters into 1) is not a "
                "candidate, as it almost always gives the largest jump, so the rule reduces to "
                f"the largest admissible k; {merge_words(chosen)} raises the within-cluster "
                f"sum of squares by {pct.loc[chosen]:.0f} %"
            )
            if 2 in admissible:
                reason += f" (merging 2 clusters into 1: {pct.loc[2]:.0f} %)"
        else:
            reason = (
                f"k = {chosen}: among solutions whose clusters each hold {share_words} "
                f"(k = {_format_ks(admissible)}), {merge_words(chosen)} raises the "
                f"within-cluster sum of squares by {pct.loc[chosen]:.0f} %, the largest jump"
            )
            if rule == "jump" and 2 in admissible and pct.loc[2] > pct.loc[chosen]:
                reason += (
                    f" before the final merge (merging 2 clusters into 1 raises it by "
                    f"{pct.loc[2]:.0f} %; that merge is not a candidate, as it almost always "
                    "gives the largest jump)"
                )
    else:
        chosen = k
        reason = f"k = {k} was set by the user"
        if rule_k is not None:
            reason += f"; the rule ({_RULE_WORDS[rule]}) would choose k = {rule_k}"
        else:
            reason += f"; {failure}"
    if others:
        reason += f"; {others}"
    reason += "."
    table["chosen"] = table["k"] == chosen
    table.attrs["reason"] = reason
    n_cases_total = int(tree.counts.sum())
    if n_cases_total < CASES_PER_CLUSTER * chosen:
        most = n_cases_total // CASES_PER_CLUSTER
        room = (f"{most} clusters at most would hold {CASES_PER_CLUSTER} cases each"
                if most >= 2 else f"not even two clusters can hold {CASES_PER_CLUSTER} "
                "cases each")
        warnings.warn(
            f"{n_cases_total} cases in {chosen} clusters ({n_cases_total / chosen:.1f} per "
            f"cluster on average): fewer than {CASES_PER_CLUSTER} cases per cluster, so each "
            f"pattern rests on few cases and may not replicate ({room}); read the patterns "
            "as exploratory and check the stability column.",
            SmallSampleWarning, stacklevel=3,
        )
    return chosen, table, reason, runs
