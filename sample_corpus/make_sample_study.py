"""Generate the sample study's quantitative tables: ``sessions.csv`` and ``cases.csv``.

The sample study imitates the reference study (6 employment specialists, 30 clients,
18 of whom met their ES at least three times). Its data are synthetic: this script
draws them with a seeded :class:`numpy.random.Generator` and keeps searching until
every published figure holds, checked here with computations that do not use
mixedwai (scipy's Ward linkage, scipy's Mann-Whitney test, plain numpy):

* Ward's method on the three direct global scores of the 18 clustered cases gives,
  at three clusters, exactly the membership fixed by the design (``README.md``)
  (SHA 5, SLA 10, LDA 3 cases), with no tied merge cost anywhere in the tree, so
  that every correct Ward implementation builds the same tree;
* the 4-, 5- and 6-cluster solutions each hold a cluster with fewer than 10 % of
  the cases, so 3 is the largest admissible number of clusters (iterative reduction,
  Hair & Black 2000); the 2-cluster solution necessarily shows the largest percent
  increase of the agglomeration coefficient (see ``README.md``, "Number of clusters");
* pattern means, SDs of case means and the SHA time-1 mean round to the published
  values (6.64/0.15/6.55, 5.09/0.34, 6.07/0.29);
* job rates by pattern (80/70/33 %), days to job among the 12 (mean 59.25, SD 21.01),
  Table 1 job rates by diagnosis, benefits and time out of work, client ages 21..57
  (mean 38);
* no WAI score (time 1, 2, 3, mean) is related to job (Mann-Whitney and
  point-biserial p > .20, well clear of .05 whatever the test variant);
* the mean silhouette width is largest at 3 clusters (by > 0.02), and so is the
  Calinski-Harabasz index among the admissible solutions.

If a constraint fails the script writes nothing and exits with status 1.

Usage::

    python sample_corpus/make_sample_study.py              # seed 2020, writes beside this file
    python sample_corpus/make_sample_study.py --seed 7 --out /tmp/study

Re-running with the same seed rewrites both files byte for byte (UTF-8, ``\\n``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.cluster.hierarchy import fcluster, linkage

# --------------------------------------------------------------------------- design

ES_IDS = ("ES3", "ES5", "ES8", "ES11", "ES16", "ES21")

#: Clustered cases (canonical ids) by pattern, in SAMPLE_STUDY.md order.
PATTERNS: dict[str, tuple[str, ...]] = {
    "SHA": ("ES11_C1", "ES11_C2", "ES11_C4", "ES16_C4", "ES3_C2"),
    "SLA": (
        "ES5_C2", "ES5_C4", "ES16_C1", "ES3_C1", "ES8_C1",
        "ES8_C3", "ES21_C1", "ES16_C2", "ES3_C4", "ES8_C5",
    ),
    "LDA": ("ES5_C1", "ES16_C3", "ES8_C2"),
}  # fmt: skip
NO_JOB_CLUSTERED = frozenset({"ES3_C2", "ES16_C2", "ES3_C4", "ES8_C5", "ES16_C3", "ES8_C2"})
NOT_CLUSTERED = (
    "ES3_C3", "ES3_C5", "ES5_C3", "ES5_C5", "ES8_C4", "ES11_C3",
    "ES11_C5", "ES16_C5", "ES21_C2", "ES21_C3", "ES21_C4", "ES21_C5",
)  # fmt: skip
#: The SLA case whose low alliance sets it apart (see README, "Number of clusters").
SLA_LOWEST = "ES8_C5"
#: The SLA case with one blank item in one session (prorated; the figures do not move).
SLA_MISSING_ITEM_CASE = "ES3_C4"
MISSING_ITEM = 7  # a bond item, not reverse-keyed
#: The non-clustered two-session case with one blank item.
NC_MISSING_ITEM_CASE, NC_MISSING_ITEM = "ES21_C3", 11

# Instrument wai-s-es: raw 1..7, items 4 and 10 reverse-keyed (keyed = 8 - raw).
N_ITEMS = 12
REVERSED = (4, 10)
SUBSCALES = {"task": (1, 2, 8, 12), "bond": (3, 5, 7, 9), "goal": (4, 6, 10, 11)}
SUBSCALE_OF = {item: name for name, items in SUBSCALES.items() for item in items}

# Published figures (item sums: a session's global score is sum / 12; a case mean is
# the sum of its three sessions / 36).
TARGETS = {
    # pattern: (grand total of item sums over cases x 3 sessions, SD of case means)
    "SHA": (1195, 0.15),  # 1195 / 180 = 6.639 -> 6.64
    "SLA": (1832, 0.34),  # 1832 / 360 = 5.089 -> 5.09
    "LDA": (656, 0.29),  # 656 / 108 = 6.074 -> 6.07
}
SHA_T1_TOTAL = 393  # 393 / 60 = 6.55
PUBLISHED_MEANS = {"SHA": 6.64, "SLA": 5.09, "LDA": 6.07}
DAYS_SUM, DAYS_SD = 711, 21.01  # 711 / 12 = 59.25
AGE_MIN, AGE_MAX, AGE_MEAN = 21, 57, 38
MIN_SHARE = 0.10
K_RANGE = range(2, 7)

# Table 1 (clustered clients): category -> (jobs, no jobs).
DIAGNOSIS = {
    "anxiety": (5, 1),  # 83.3 %
    "mood": (3, 2),  # 60 %
    "psychotic": (2, 2),  # 50 %
    "personality (borderline)": (2, 1),  # the "other" row: 3 cases, 2 jobs
}
BENEFITS = {"none": (4, 0), "short-term": (4, 1), "social assistance": (4, 5)}
# The published rates 66.7 / 50 / 60 % and "one client > 5 years, who got a job" cannot
# all hold with 18 clients and 12 jobs; every rate holds, the "> 5 years" row has 3 clients.
TIME_OUT = {"< 1 year": (4, 2), "1-2 years": (2, 2), "2-5 years": (3, 2), "> 5 years": (3, 0)}

N_FOURTH_SESSION = 7  # clustered cases with a 4th (unused) session
N_SINGLE_SESSION = 5  # non-clustered cases met once (the other 7 met twice)

MAX_ATTEMPTS = 5000


def es_of(case_id: str) -> str:
    return case_id.split("_")[0]


def display(case_id: str) -> str:
    """``ES11_C4`` -> ``ES#11_C4``, as the study's spreadsheets spell it."""
    return "ES#" + case_id[2:]


def case_sort_key(case_id: str) -> tuple[int, int]:
    es, client = case_id[2:].split("_C")
    return int(es), int(client)


ALL_CASES = sorted(
    [c for cases in PATTERNS.values() for c in cases] + list(NOT_CLUSTERED), key=case_sort_key
)
CLUSTERED = sorted((c for cases in PATTERNS.values() for c in cases), key=case_sort_key)
PATTERN_OF = {c: p for p, cases in PATTERNS.items() for c in cases}


class ConstraintError(RuntimeError):
    """A published figure does not hold for the drawn data."""


# --------------------------------------------------------------------------- helpers


def repair_total(values: np.ndarray, target: int, lo: int, hi: int, rng: np.random.Generator):
    """Move entries of an int array by +-1 (random entries) until it sums to ``target``."""
    values = values.copy()
    flat = values.reshape(-1)
    while (diff := target - int(flat.sum())) != 0:
        step = 1 if diff > 0 else -1
        movable = np.flatnonzero((flat < hi) if step > 0 else (flat > lo))
        if movable.size == 0:
            raise ConstraintError(f"cannot reach total {target}")
        flat[rng.choice(movable, min(abs(diff), movable.size), replace=False)] += step
    return values


def sd(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1))


def rounds_to(value: float, published: float, decimals: int = 2) -> bool:
    return abs(value - published) < 0.5 * 10**-decimals - 1e-12


# --------------------------------------------------------------------------- trajectories


def tune_sd(
    values: np.ndarray, target: float, scale: float, lo: int, hi: int, rng: np.random.Generator
) -> np.ndarray:
    """Move one unit between two entries at a time (the sum stays) until the sample SD of
    ``values / scale`` rounds to ``target``."""
    v = values.copy()
    for _ in range(5000):
        s = sd(v / scale)
        if rounds_to(s, target):
            return v
        i, j = rng.choice(v.size, 2, replace=False)
        # moving i up and j down widens the spread when v[i] >= v[j]
        if (s < target) == (v[i] >= v[j]) and v[i] < hi and v[j] > lo:
            v[i] += 1
            v[j] -= 1
    raise ConstraintError(f"SD {target} not reached")


def split_stable(totals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Three session sums per case adding up to ``totals``, within a point or two."""
    s = np.repeat(totals[:, None] // 3, 3, axis=1)
    for i, extra in enumerate(totals % 3):
        s[i, rng.choice(3, extra, replace=False)] += 1
    d = rng.integers(-1, 2, size=(len(totals), 2))
    s[:, 0] += d[:, 0]
    s[:, 1] += d[:, 1]
    s[:, 2] -= d[:, 0] + d[:, 1]
    return s


def draw_sha(rng: np.random.Generator) -> np.ndarray:
    """5 x 3 item sums: stable high, time-1 mean 6.55, mean 6.64, SD 0.15."""
    total, target_sd = TARGETS["SHA"]
    for _ in range(MAX_ATTEMPTS):
        t = np.rint(36 * (6.64 + 0.15 * rng.standard_normal(5))).astype(int)
        try:
            t = tune_sd(repair_total(np.minimum(t, 250), total, 216, 250, rng), target_sd, 36,
                        216, 250, rng)  # fmt: skip
        except ConstraintError:
            continue
        s = np.empty((5, 3), dtype=int)
        s[:, 0] = np.rint(t / 3 - 1.1 + 0.8 * rng.standard_normal(5)).astype(int)
        try:
            s[:, 0] = repair_total(np.minimum(s[:, 0], 84), SHA_T1_TOTAL, 70, 84, rng)
        except ConstraintError:
            continue
        rest = t - s[:, 0]
        s[:, 1] = rest // 2 - rng.integers(0, 2, 5)
        s[:, 2] = rest - s[:, 1]
        if (s <= 84).all() and (s.max(axis=1) - s.min(axis=1) <= 3).all():
            return s
    raise ConstraintError("SHA trajectories not found")


def draw_sla(rng: np.random.Generator) -> np.ndarray:
    """10 x 3 item sums: stable low, mean 5.09, SD 0.34; one case clearly lowest."""
    total, target_sd = TARGETS["SLA"]
    lowest = PATTERNS["SLA"].index(SLA_LOWEST)
    for _ in range(MAX_ATTEMPTS):
        level = 5.18 + 0.2 * rng.standard_normal(10)
        level[lowest] = 4.3 + 0.08 * rng.standard_normal()
        t = np.rint(36 * level).astype(int)
        try:
            t = tune_sd(repair_total(t, total, 144, 216, rng), target_sd, 36, 144, 216, rng)
        except ConstraintError:
            continue
        s = split_stable(t, rng)
        means = t / 36
        stable = (s.max(axis=1) - s.min(axis=1) <= 3).all()
        flat = abs(s[:, 2].sum() - s[:, 0].sum()) <= 6  # cluster slope within 0.05
        missing_ok = 60 in s[PATTERNS["SLA"].index(SLA_MISSING_ITEM_CASE)]
        lowest_apart = means[lowest] < np.delete(means, lowest).min() - 0.4
        if stable and flat and missing_ok and lowest_apart:
            return s
    raise ConstraintError("SLA trajectories not found")


def draw_lda(rng: np.random.Generator) -> np.ndarray:
    """3 x 3 item sums: very high at time 1, linear decrease, mean 6.07, SD 0.29."""
    for _ in range(MAX_ATTEMPTS):
        totals = np.rint(36 * (6.07 + 0.3 * rng.standard_normal(3))).astype(int)
        try:
            totals = repair_total(totals, TARGETS["LDA"][0], 36, 252, rng)
        except ConstraintError:
            continue
        if not rounds_to(sd(totals / 36), TARGETS["LDA"][1]):
            continue
        s = np.empty((3, 3), dtype=int)
        s[:, 1] = np.rint(totals / 3).astype(int)
        low, high = np.maximum(6, 77 - s[:, 1]), np.minimum(11, 84 - s[:, 1])
        if (low > high).any():
            continue
        s[:, 0] = s[:, 1] + rng.integers(low, high + 1)  # a drop of 0.5 to 0.9 per session
        s[:, 2] = totals - s[:, 0] - s[:, 1]
        steps = -np.diff(s, axis=1)
        ok = (
            (s[:, 0] >= 77).all()  # >= 6.42 at time 1
            and s[:, 0].sum() >= 238  # pattern mean >= 6.61 at time 1
            and (s[:, 0] <= 84).all()
            and (steps >= 5).all()
            and (np.abs(steps[:, 0] - steps[:, 1]) <= 2).all()  # linear
        )
        if ok:
            return s
    raise ConstraintError("LDA trajectories not found")


# --------------------------------------------------------------------------- Ward checks


def within_ss(x: np.ndarray, labels: np.ndarray) -> float:
    return float(
        sum(((x[labels == g] - x[labels == g].mean(axis=0)) ** 2).sum() for g in set(labels))
    )


def naive_ward_partitions(x: np.ndarray, *, rel_gap: float = 1e-9) -> dict[int, frozenset]:
    """Ward's method written out (merge cost = increase in within-cluster SS).

    Raises when the cheapest merge is not unique at some step (a tie would let two
    correct implementations build different trees). Returns the partition at every k.
    """
    clusters: list[tuple[int, ...]] = [(i,) for i in range(len(x))]
    partitions = {len(x): frozenset(frozenset(c) for c in clusters)}
    while len(clusters) > 1:
        costs = []
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                ca, cb = x[list(clusters[a])], x[list(clusters[b])]
                na, nb = len(ca), len(cb)
                diff = ca.mean(axis=0) - cb.mean(axis=0)
                costs.append((na * nb / (na + nb) * float(diff @ diff), a, b))
        costs.sort()
        if len(costs) > 1 and costs[1][0] - costs[0][0] <= rel_gap * max(costs[0][0], 1.0):
            raise ConstraintError(
                f"tied Ward merge cost {costs[0][0]:.6f} with {len(clusters)} clusters"
            )
        _, a, b = costs[0]
        merged = clusters[a] + clusters[b]
        clusters = [c for i, c in enumerate(clusters) if i not in (a, b)] + [merged]
        partitions[len(clusters)] = frozenset(frozenset(c) for c in clusters)
    return partitions


@dataclass(frozen=True)
class KSelection:
    w: dict[int, float]  # within-cluster SS of the k-cluster Ward solution, k = 1..7
    smallest: dict[int, int]  # size of the smallest cluster, k = 2..6
    admissible: tuple[int, ...]
    largest_admissible: int
    best_increase: int  # admissible k with the largest (W[k-1] - W[k]) / W[k]
    best_increase_from_3: int  # the same, among admissible k >= 3
    silhouette: dict[int, float]  # mean silhouette width of the k-cluster solution
    calinski: dict[int, float]  # Calinski-Harabasz pseudo-F of the k-cluster solution

    def increase(self, k: int) -> float:
        return (self.w[k - 1] - self.w[k]) / self.w[k]


def silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette width (Rousseeuw 1987), Euclidean distances; 0 for singletons."""
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    widths = []
    for i, g in enumerate(labels):
        own = labels == g
        if own.sum() == 1:
            widths.append(0.0)
            continue
        a = d[i, own].sum() / (own.sum() - 1)
        b = min(d[i, labels == h].mean() for h in set(labels) if h != g)
        widths.append((b - a) / max(a, b))
    return float(np.mean(widths))


SILHOUETTE_MARGIN = 0.02


def check_clustering(x: np.ndarray, ids: list[str]) -> KSelection:
    """Verify the Ward solution with scipy and the naive implementation."""
    if len({tuple(row) for row in x.tolist()}) != len(x):
        raise ConstraintError("two clustered cases have identical trajectories")
    z = linkage(x, method="ward")
    expected = frozenset(
        frozenset(ids.index(c) for c in cases) for cases in PATTERNS.values()
    )

    def partition(k: int) -> frozenset:
        labels = fcluster(z, k, criterion="maxclust")
        return frozenset(frozenset(np.flatnonzero(labels == g).tolist()) for g in set(labels))

    # cheap checks first: the search draws many data sets
    if partition(3) != expected:
        raise ConstraintError("the 3-cluster Ward solution is not the published membership")
    if min(len(g) for g in partition(4)) >= math.ceil(MIN_SHARE * len(x)):
        raise ConstraintError("the 4-cluster solution is admissible")
    naive = naive_ward_partitions(x)
    w: dict[int, float] = {}
    smallest: dict[int, int] = {}
    widths: dict[int, float] = {}
    for k in range(1, 8):
        labels = fcluster(z, k, criterion="maxclust")
        if k in K_RANGE:
            widths[k] = silhouette(x, labels)
        if partition(k) != naive[k]:
            raise ConstraintError(f"scipy and naive Ward differ at k={k}")
        w[k] = within_ss(x, labels)
        smallest[k] = int(np.bincount(labels)[1:].min())
    if naive[3] != expected:
        raise ConstraintError("the 3-cluster Ward solution is not the published membership")
    need = math.ceil(MIN_SHARE * len(x))
    admissible = tuple(k for k in K_RANGE if smallest[k] >= need)
    sel = KSelection(
        w=w,
        smallest={k: smallest[k] for k in K_RANGE},
        admissible=admissible,
        largest_admissible=max(admissible),
        best_increase=max(admissible, key=lambda k: (w[k - 1] - w[k]) / w[k]),
        best_increase_from_3=max(
            (k for k in admissible if k >= 3), key=lambda k: (w[k - 1] - w[k]) / w[k]
        ),
        silhouette=widths,
        calinski={
            k: (w[1] - w[k]) / (k - 1) / (w[k] / (len(x) - k)) for k in K_RANGE
        },
    )
    if sel.largest_admissible != 3 or sel.best_increase_from_3 != 3:
        raise ConstraintError(f"k selection gives {sel}")
    if any(widths[3] < widths[k] + SILHOUETTE_MARGIN for k in K_RANGE if k != 3):
        raise ConstraintError("the silhouette does not clearly prefer k = 3")
    if max(admissible, key=sel.calinski.__getitem__) != 3:
        raise ConstraintError("Calinski-Harabasz does not prefer k = 3 among admissible k")
    return sel


# --------------------------------------------------------------------------- outcomes


def check_no_score_effect(x: np.ndarray, job: np.ndarray) -> dict[str, float]:
    """Mann-Whitney (both continuity options) and point-biserial p for t1, t2, t3, mean."""
    columns = {"t1": x[:, 0], "t2": x[:, 1], "t3": x[:, 2], "mean": x.mean(axis=1)}
    out = {}
    for name, score in columns.items():
        ps = [
            stats.mannwhitneyu(
                score[job], score[~job], alternative="two-sided", method="asymptotic",
                use_continuity=cc,
            ).pvalue
            for cc in (True, False)
        ]  # fmt: skip
        ps.append(stats.pointbiserialr(job.astype(float), score).pvalue)
        if min(ps) <= 0.20:
            raise ConstraintError(f"WAI {name} related to job (p = {min(ps):.3f})")
        out[name] = float(ps[0])
    return out


def draw_days(rng: np.random.Generator, n: int = 12) -> np.ndarray:
    """Integer days to job with sum 711 and sample SD rounding to 21.01."""
    for _ in range(MAX_ATTEMPTS):
        d = np.clip(np.rint(59.25 + 21 * rng.standard_normal(n)), 18, 140).astype(int)
        try:
            return tune_sd(repair_total(d, DAYS_SUM, 18, 140, rng), DAYS_SD, 1, 18, 140, rng)
        except ConstraintError:
            continue
    raise ConstraintError("days to job not found")


def draw_ages(rng: np.random.Generator, n: int, total: int, with_bounds: bool) -> np.ndarray:
    for _ in range(MAX_ATTEMPTS):
        a = np.clip(np.rint(AGE_MEAN + 10 * rng.standard_normal(n)), 22, 56).astype(int)
        if with_bounds:
            a[:2] = (AGE_MIN, AGE_MAX)
            rest = repair_total(a[2:], total - AGE_MIN - AGE_MAX, 22, 56, rng)
            a = np.concatenate([a[:2], rest])
        else:
            a = repair_total(a, total, 22, 56, rng)
        if sd(a) > 7:
            return rng.permutation(a)
    raise ConstraintError("ages not found")


# --------------------------------------------------------------------------- items


ITEM_EFFECT = np.array([0.1, 0.0, 0.15, -0.25, 0.1, 0.05, 0.0, -0.05, 0.1, -0.2, 0.0, -0.05])


def fill_to_sum(base: np.ndarray, target: int) -> np.ndarray:
    """Round ``base`` into 1..7 and nudge the entries furthest off until they sum to target."""
    x = np.clip(np.rint(base), 1, 7).astype(int)
    while (diff := target - int(x.sum())) != 0:
        gap = base - x
        if diff > 0:
            gap[x >= 7] = -np.inf
            x[int(np.argmax(gap))] += 1
        else:
            gap[x <= 1] = np.inf
            x[int(np.argmin(gap))] -= 1
    return x


def draw_items(
    rng: np.random.Generator,
    total: int,
    offsets: dict[str, float],
    *,
    fixed_item: tuple[int, int] | None = None,
) -> np.ndarray:
    """Keyed responses (12 ints in 1..7) summing to ``total`` with subscale offsets.

    ``fixed_item=(item, value)`` pins one item and makes its three subscale mates
    average ``value`` and the other eight items average ``value`` too, so that any
    prorating rule gives the same global score when that item is blank.
    """
    level = total / N_ITEMS
    sub = np.array([offsets[SUBSCALE_OF[i]] for i in range(1, N_ITEMS + 1)])
    base = level + sub + ITEM_EFFECT + 0.45 * rng.standard_normal(N_ITEMS)
    if fixed_item is None:
        return fill_to_sum(base, total)
    item, value = fixed_item
    if total != N_ITEMS * value:
        raise ConstraintError("fixed item needs total = 12 * value")
    mates = [i - 1 for i in SUBSCALES[SUBSCALE_OF[item]] if i != item]
    others = [i for i in range(N_ITEMS) if i not in mates and i != item - 1]
    x = np.empty(N_ITEMS, dtype=int)
    x[item - 1] = value
    x[mates] = fill_to_sum(base[mates], 3 * value)
    x[others] = fill_to_sum(base[others], 8 * value)
    return x


def keyed_to_raw(keyed: np.ndarray) -> np.ndarray:
    raw = keyed.copy()
    for item in REVERSED:
        raw[item - 1] = 8 - keyed[item - 1]
    return raw


# --------------------------------------------------------------------------- assembly


@dataclass(frozen=True)
class Study:
    sums: dict[str, list[int]]  # case -> item sums per session (all sessions)
    items: dict[str, list[list[int | None]]]  # case -> raw responses per session
    dates: dict[str, list[str]]
    cases: list[dict[str, str]]
    selection: KSelection
    p_values: dict[str, float]
    days: dict[str, int]


def draw_study(rng: np.random.Generator) -> Study:
    for _attempt in range(MAX_ATTEMPTS):
        blocks = {"SHA": draw_sha(rng), "SLA": draw_sla(rng), "LDA": draw_lda(rng)}
        first3 = {c: blocks[p][i] for p, cases in PATTERNS.items() for i, c in enumerate(cases)}
        x = np.array([first3[c] for c in CLUSTERED], dtype=float) / N_ITEMS
        job = np.array([c not in NO_JOB_CLUSTERED for c in CLUSTERED])
        try:
            selection = check_clustering(x, CLUSTERED)
            p_values = check_no_score_effect(x, job)
        except ConstraintError:
            continue
        return finish_study(rng, first3, selection, p_values)
    raise ConstraintError(f"no data set met the constraints in {MAX_ATTEMPTS} attempts")


def finish_study(rng, first3, selection, p_values) -> Study:
    sums: dict[str, list[int]] = {c: [int(v) for v in first3[c]] for c in CLUSTERED}
    fourth = set(rng.choice(CLUSTERED, N_FOURTH_SESSION, replace=False).tolist())
    for c in CLUSTERED:
        if c in fourth:
            s = sums[c]
            step = s[2] - s[1] if PATTERN_OF[c] == "LDA" else 0
            sums[c].append(int(np.clip(s[2] + step + rng.integers(-2, 3), 12, 84)))
    candidates = [c for c in NOT_CLUSTERED if c not in (NC_MISSING_ITEM_CASE, BLANK_DATE[0])]
    single = set(rng.choice(candidates, N_SINGLE_SESSION, replace=False).tolist())
    for c in NOT_CLUSTERED:
        level = rng.uniform(4.4, 6.7)
        n = 1 if c in single else 2
        drift = rng.normal(0, 0.25)
        sums[c] = [int(np.clip(np.rint(12 * (level + drift * t)), 12, 84)) for t in range(n)]

    items: dict[str, list[list[int | None]]] = {}
    for c in ALL_CASES:
        offsets = {name: float(rng.normal(0, 0.25)) for name in SUBSCALES}
        rows: list[list[int | None]] = []
        for t, total in enumerate(sums[c]):
            if PATTERN_OF.get(c) == "LDA":
                offsets["goal"] -= 0.12 * t  # agreement on goals erodes first
            fixed = None
            if c == SLA_MISSING_ITEM_CASE and total == 60 and not any(None in r for r in rows):
                fixed = (MISSING_ITEM, 5)
            keyed = draw_items(rng, total, offsets, fixed_item=fixed)
            raw: list[int | None] = [int(v) for v in keyed_to_raw(keyed)]
            if fixed is not None:
                raw[MISSING_ITEM - 1] = None
            if c == NC_MISSING_ITEM_CASE and t == 1:
                raw[NC_MISSING_ITEM - 1] = None
            rows.append(raw)
        items[c] = rows
    if not any(None in r for r in items[SLA_MISSING_ITEM_CASE]):
        raise ConstraintError("the prorated blank item was not placed")

    dates: dict[str, list[str]] = {}
    for c in ALL_CASES:
        es_index = ES_IDS.index(es_of(c))
        start = dt.date(2021, 2, 1) + dt.timedelta(days=int(12 * es_index + rng.integers(0, 90)))
        day, out = start, []
        for _ in sums[c]:
            out.append(day.isoformat())
            day += dt.timedelta(days=int(rng.integers(6, 19)))
        dates[c] = out

    days_clustered = draw_days(rng)
    job_cases = [c for c in CLUSTERED if c not in NO_JOB_CLUSTERED]
    days = dict(zip(job_cases, (int(d) for d in rng.permutation(days_clustered)), strict=True))
    days.update({c: int(f["days_to_job"]) for c, f in pinned_facts().items() if c in days})
    cases = make_cases(rng, days)
    return Study(sums, items, dates, cases, selection, p_values, days)


#: What the 17 interviews (transcripts/) say about their client, and ES21_C1 (not
#: interviewed): pinned so that cases.csv and the interviews always agree, whatever the
#: draws. These values satisfy every Table 1 rate, the ages and the days-to-job mean and SD
#: (recheck() verifies them like any draw). Written by the transcript helper.
FACTS_FILE = Path(__file__).resolve().parent / "transcript_sources" / "interview_facts.csv"
ES21_C1_FACTS = {
    "job": "yes", "days_to_job": "49", "diagnosis": "psychotic", "time_out_of_work": "> 5 years",
    "benefits": "none", "age": "45", "sex": "female",
}  # fmt: skip
PINNED_COLUMNS = ("days_to_job", "diagnosis", "time_out_of_work", "benefits", "age", "sex")


def pinned_facts() -> dict[str, dict[str, str]]:
    """case -> the pinned columns of the 18 clustered clients."""
    import csv

    with FACTS_FILE.open(encoding="utf-8", newline="") as handle:
        facts = {r["case_id"]: r for r in csv.DictReader(handle)}
    facts["ES21_C1"] = ES21_C1_FACTS
    if set(facts) != set(CLUSTERED):
        raise ConstraintError(f"{FACTS_FILE.name}: not the 17 interviewed clients")
    return {c: {k: facts[c][k] for k in PINNED_COLUMNS} for c in CLUSTERED}


def spread(rng: np.random.Generator, table: dict[str, tuple[int, int]]) -> tuple[list, list]:
    jobs = [k for k, (y, _) in table.items() for _ in range(y)]
    none = [k for k, (_, n) in table.items() for _ in range(n)]
    return rng.permutation(jobs).tolist(), rng.permutation(none).tolist()


def make_cases(rng: np.random.Generator, days: dict[str, int]) -> list[dict[str, str]]:
    job_cases = [c for c in CLUSTERED if c not in NO_JOB_CLUSTERED]
    nojob_cases = [c for c in CLUSTERED if c in NO_JOB_CLUSTERED]
    attrs: dict[str, dict[str, str]] = {c: {} for c in ALL_CASES}
    for column, table in (
        ("diagnosis", DIAGNOSIS),
        ("time_out_of_work", TIME_OUT),
        ("benefits", BENEFITS),
    ):
        yes, no = spread(rng, table)
        for c, v in zip(job_cases + nojob_cases, yes + no, strict=True):
            attrs[c][column] = v
        for c in NOT_CLUSTERED:
            attrs[c][column] = str(rng.choice(list(table)))
    ages_c = draw_ages(rng, len(CLUSTERED), AGE_MEAN * len(CLUSTERED), True)
    ages_n = draw_ages(rng, len(NOT_CLUSTERED), AGE_MEAN * len(NOT_CLUSTERED), False)
    for c, a in zip(CLUSTERED + list(NOT_CLUSTERED), [*ages_c, *ages_n], strict=True):
        attrs[c]["age"] = str(int(a))
    pinned = pinned_facts()
    for c, facts in pinned.items():
        attrs[c].update({k: facts[k] for k in ("diagnosis", "time_out_of_work", "benefits", "age")})
    nc_job = set(rng.choice(NOT_CLUSTERED, 5, replace=False).tolist())
    rows = []
    for c in ALL_CASES:
        if c in PATTERN_OF:
            job = c not in NO_JOB_CLUSTERED
            d = str(days[c]) if job else ""
        else:
            job = c in nc_job
            d = str(int(rng.integers(20, 170))) if job else ""
        sex = str(rng.choice(["female", "male"]))  # drawn for every client: same stream
        rows.append(
            {
                "case_id": display(c),
                "es_id": es_of(c),
                "job": "yes" if job else "no",
                "days_to_job": d,
                "diagnosis": attrs[c]["diagnosis"],
                "time_out_of_work": attrs[c]["time_out_of_work"],
                "benefits": attrs[c]["benefits"],
                "age": attrs[c]["age"],
                "sex": pinned[c]["sex"] if c in pinned else sex,
                "interviewed": "yes" if c in PATTERN_OF and es_of(c) != "ES21" else "no",
            }
        )
    return rows


# --------------------------------------------------------------------------- output

#: A real export has blemishes; the library must handle these without moving a figure.
RESPELLED_ROW = ("ES5_C2", 2, "ES5_C02")  # (case, session, spelling in that row)
LATE_ENTRY = ("ES11_C2", 3)  # this row was typed in last: it sits at the end of the file
BLANK_DATE = ("ES21_C4", 2)


def csv_line(values: list[str]) -> str:
    for v in values:
        if any(ch in v for ch in ',"\n'):
            raise ValueError(f"value needs quoting: {v!r}")
    return ",".join(values) + "\n"


def sessions_csv(study: Study) -> str:
    header = ["case_id", "es_id", "session", "date"] + [f"wai_{i}" for i in range(1, 13)]
    lines, late = [csv_line(header)], []
    for c in ALL_CASES:
        for t, raw in enumerate(study.items[c], start=1):
            name = RESPELLED_ROW[2] if (c, t) == RESPELLED_ROW[:2] else display(c)
            date = "" if (c, t) == BLANK_DATE else study.dates[c][t - 1]
            cells = ["" if v is None else str(v) for v in raw]
            line = csv_line([name, es_of(c), str(t), date, *cells])
            (late if (c, t) == LATE_ENTRY else lines).append(line)
    return "".join(lines + late)


def cases_csv(study: Study) -> str:
    header = list(study.cases[0])
    return csv_line(header) + "".join(csv_line([r[h] for h in header]) for r in study.cases)


# --------------------------------------------------------------------------- independent re-check


def keyed_scores(raw: list[int | None]) -> float:
    """Global score = mean of the subscale means (a subscale with one blank = mean of 3)."""
    keyed = {i: (8 - v if i in REVERSED else v) for i, v in enumerate(raw, 1) if v is not None}
    subs = [np.mean([keyed[i] for i in items if i in keyed]) for items in SUBSCALES.values()]
    return float(np.mean(subs))


def recheck(study: Study) -> list[str]:
    """Recompute every figure from the item responses that will be written; return lines."""
    ids = CLUSTERED
    x = np.array([[keyed_scores(study.items[c][t]) for t in range(3)] for c in ids])
    # the blank item: any prorating rule gives the same global score
    for c in ids:
        for t in range(3):
            raw = study.items[c][t]
            if None in raw:
                keyed = [8 - v if i in REVERSED else v for i, v in enumerate(raw, 1) if v]
                if not math.isclose(float(np.mean(keyed)), x[ids.index(c), t]):
                    raise ConstraintError("prorating rules disagree on the blank item")
    if not np.allclose(x * 12, np.array([study.sums[c][:3] for c in ids])):
        raise ConstraintError("item responses do not add up to the target sums")
    selection = check_clustering(x, ids)
    job = np.array([c not in NO_JOB_CLUSTERED for c in ids])
    p = check_no_score_effect(x, job)
    out = ["pattern  n   share   t1    t2    t3    mean  sd    job"]
    for pattern, cases in PATTERNS.items():
        rows = np.array([ids.index(c) for c in cases])
        m = x[rows].mean(axis=1)
        jobs = int(job[rows].sum())
        if not rounds_to(float(m.mean()), PUBLISHED_MEANS[pattern]):
            raise ConstraintError(f"{pattern} mean {m.mean():.4f}")
        if not rounds_to(sd(m), TARGETS[pattern][1]):
            raise ConstraintError(f"{pattern} SD {sd(m):.4f}")
        t = x[rows].mean(axis=0)
        out.append(
            f"{pattern}      {len(rows):<3} {100 * len(rows) / len(ids):5.2f}  "
            + "  ".join(f"{v:.2f}" for v in t)
            + f"  {m.mean():.2f}  {sd(m):.2f}  {jobs}/{len(rows)} = {100 * jobs / len(rows):.0f} %"
        )
    if not rounds_to(float(x[[ids.index(c) for c in PATTERNS["SHA"]], 0].mean()), 6.55):
        raise ConstraintError("SHA time-1 mean")
    days = np.array([study.days[c] for c in ids if c not in NO_JOB_CLUSTERED])
    if len(days) != 12 or days.sum() != DAYS_SUM or not rounds_to(sd(days), DAYS_SD):
        raise ConstraintError("days to job")
    out.append(f"days to job (n = {len(days)}): mean {days.mean():.2f}, SD {sd(days):.2f}")
    out.append("Mann-Whitney p (job vs no job): " + ", ".join(f"{k} {v:.3f}" for k, v in p.items()))
    out.append("k   W_k      % increase (W[k-1]-W[k])/W[k]   silhouette   smallest cluster")
    for k in K_RANGE:
        flag = "admissible" if k in selection.admissible else "below 10 %"
        out.append(
            f"{k}   {selection.w[k]:7.4f}  {100 * selection.increase(k):8.1f}"
            f"                        {selection.silhouette[k]:.3f}        "
            f"{selection.smallest[k]} ({flag})"
        )
    out.append(
        f"largest admissible k = {selection.largest_admissible}; largest % increase: "
        f"k = {selection.best_increase} over k >= 2, k = {selection.best_increase_from_3} "
        "over k >= 3; largest silhouette: k = "
        f"{max(K_RANGE, key=selection.silhouette.__getitem__)}; Calinski-Harabasz "
        + ", ".join(f"{k}: {selection.calinski[k]:.1f}" for k in K_RANGE)
    )
    by_case = {r["case_id"]: r for r in study.cases}
    clustered_rows = [by_case[display(c)] for c in ids]
    ages = np.array([int(r["age"]) for r in study.cases])
    ages_c = np.array([int(r["age"]) for r in clustered_rows])
    for a in (ages, ages_c):
        if a.min() != AGE_MIN or a.max() != AGE_MAX or a.mean() != AGE_MEAN:
            raise ConstraintError("ages")
    out.append(f"age: {ages.min()}..{ages.max()}, mean {ages.mean():.1f} (all 30 and the 18)")
    for column, table in (
        ("diagnosis", DIAGNOSIS),
        ("benefits", BENEFITS),
        ("time_out_of_work", TIME_OUT),
    ):
        parts = []
        for value, (y, n) in table.items():
            group = [r for r in clustered_rows if r[column] == value]
            jobs = sum(r["job"] == "yes" for r in group)
            if (jobs, len(group) - jobs) != (y, n):
                raise ConstraintError(f"Table 1 {column} {value}")
            parts.append(f"{value} {jobs}/{len(group)} = {100 * jobs / len(group):.1f} %")
        out.append(f"{column}: " + "; ".join(parts))
    return out


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2020, help="random seed (default 2020)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder for sessions.csv and cases.csv (default: beside this script)",
    )
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    try:
        study = draw_study(rng)
        report = recheck(study)
    except ConstraintError as exc:
        print(f"constraint failed, nothing written: {exc}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in (("sessions.csv", sessions_csv(study)), ("cases.csv", cases_csv(study))):
        with open(args.out / name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    print(f"seed {args.seed}: wrote sessions.csv and cases.csv to {args.out}")
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
