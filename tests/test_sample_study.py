"""The sample study reproduces the reference paper's published figures.

Two kinds of checks:

* the library's own output (``read_sessions`` -> ``score_wai`` ->
  ``cluster_trajectories`` -> outcome statistics) against the published figures
  (Table 1, Table 2, job rates, days to job, no score-job relation);
* the shipped CSV files against an independent computation (csv module, hand
  scoring, scipy's Ward linkage), and the generator's byte-for-byte reproducibility.
"""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

SAMPLE = Path(__file__).resolve().parents[1] / "sample_corpus"

PUBLISHED = {
    "SHA": {"ES11_C1", "ES11_C2", "ES11_C4", "ES16_C4", "ES3_C2"},
    "SLA": {
        "ES5_C2", "ES5_C4", "ES16_C1", "ES3_C1", "ES8_C1",
        "ES8_C3", "ES21_C1", "ES16_C2", "ES3_C4", "ES8_C5",
    },
    "LDA": {"ES5_C1", "ES16_C3", "ES8_C2"},
}  # fmt: skip
NOT_CLUSTERED = {
    "ES3_C3", "ES3_C5", "ES5_C3", "ES5_C5", "ES8_C4", "ES11_C3",
    "ES11_C5", "ES16_C5", "ES21_C2", "ES21_C3", "ES21_C4", "ES21_C5",
}  # fmt: skip
#: Table 2: n, percent, mean of case means, SD of case means.
TABLE_2 = {
    "SHA": (5, 27.78, 6.64, 0.15),
    "SLA": (10, 55.56, 5.09, 0.34),
    "LDA": (3, 16.67, 6.07, 0.29),
}
JOB_RATES = {"SHA": 80.0, "SLA": 70.0, "LDA": 100 / 3}
#: Table 1 (18 clustered clients): attribute -> value -> (clients, jobs).
TABLE_1 = {
    "diagnosis": {
        "anxiety": (6, 5),
        "mood": (5, 3),
        "psychotic": (4, 2),
        "personality (borderline)": (3, 2),
    },
    "benefits": {"none": (4, 4), "short-term": (5, 4), "social assistance": (9, 4)},
    # the paper's "> 5 years" row has 1 client; see sample_corpus/README.md
    "time_out_of_work": {
        "< 1 year": (6, 4),
        "1-2 years": (4, 2),
        "2-5 years": (5, 3),
        "> 5 years": (3, 3),
    },
}


# --------------------------------------------------------------------------- library output


@pytest.fixture(scope="module")
def loaded() -> SimpleNamespace:
    import mixedwai as mw

    sessions = mw.read_sessions(SAMPLE / "sessions.csv")
    cases = mw.read_cases(SAMPLE / "cases.csv")
    return SimpleNamespace(mw=mw, sessions=sessions, cases=cases, scores=mw.score_wai(sessions))


@pytest.fixture(scope="module")
def study(loaded) -> SimpleNamespace:
    result = loaded.mw.cluster_trajectories(loaded.scores, k="auto")
    return SimpleNamespace(**vars(loaded), result=result)


def _value(obj: object, key: str) -> float:
    """``obj[key]`` as a number, for a dict, a Series or a one-row DataFrame."""
    value = obj[key]  # type: ignore[index]
    if isinstance(value, pd.Series):
        assert len(value) == 1
        value = value.iloc[0]
    return float(value)


def _by_pattern(frame: pd.DataFrame) -> pd.DataFrame:
    """Index a per-pattern table by its pattern abbreviation."""
    frame = frame.reset_index()
    for column in ("abbrev", "pattern"):
        if column in frame and set(frame[column].astype(str)) >= set(PUBLISHED):
            return frame.set_index(frame[column].astype(str))
    raise AssertionError(f"no column holds the pattern abbreviations: {list(frame.columns)}")


def test_library_reads_30_clients_and_80_sessions(loaded):
    assert len(loaded.cases) == 30
    assert len(loaded.sessions) == 80
    # the row spelled ES5_C02 belongs to ES5_C2: 30 distinct clients, not 31
    assert loaded.sessions["case_id"].nunique() == 30
    assert set(loaded.cases.index) == set(loaded.sessions["case_id"])


def test_library_prorates_the_blank_item_without_moving_the_score(loaded):
    sc = loaded.scores
    row = sc[(sc["case_id"] == "ES3_C4") & (sc["session"] == 1)]
    assert len(row) == 1
    assert row["wai"].iloc[0] == pytest.approx(5.0)
    assert row["bond"].iloc[0] == pytest.approx(5.0)


def test_library_auto_k_selects_three_patterns(study):
    assert study.result.k == 3


def test_library_patterns_have_the_published_membership(study):
    labels = study.result.labels
    found = {
        abbrev: set(labels.index[labels["abbrev"] == abbrev].astype(str)) for abbrev in PUBLISHED
    }
    assert found == PUBLISHED
    assert len(labels) == 18


def test_library_numbers_clusters_by_decreasing_mean(study):
    labels = study.result.labels
    cluster_of = {a: set(labels.loc[labels["abbrev"] == a, "cluster"]) for a in PUBLISHED}
    assert cluster_of == {"SHA": {1}, "LDA": {2}, "SLA": {3}}


def test_library_profile_reproduces_table_2(study):
    profile = _by_pattern(study.result.profile)
    for abbrev, (n, pct, mean, sd) in TABLE_2.items():
        row = profile.loc[abbrev]
        assert int(row["n"]) == n
        assert float(row["pct"]) == pytest.approx(pct, abs=0.01)
        assert float(row["share"]) == pytest.approx(pct / 100, abs=1e-4)
        assert float(row["mean"]) == pytest.approx(mean, abs=0.005)
        assert float(row["sd"]) == pytest.approx(sd, abs=0.05)
    assert float(profile.loc["SHA", "t1_mean"]) == pytest.approx(6.55, abs=0.005)


def test_library_profile_shapes_are_stable_stable_and_decreasing(study):
    profile = _by_pattern(study.result.profile)
    t = profile[["t1_mean", "t2_mean", "t3_mean"]].astype(float)
    assert abs(t.loc["SHA", "t3_mean"] - t.loc["SHA", "t1_mean"]) < 0.2
    assert abs(t.loc["SLA", "t3_mean"] - t.loc["SLA", "t1_mean"]) < 0.2
    lda = t.loc["LDA"].to_numpy()
    assert lda[0] > 6.5 and lda[0] - lda[1] > 0.5 and lda[1] - lda[2] > 0.5


def test_library_excludes_the_12_clients_met_fewer_than_3_times(study):
    excluded = study.result.excluded
    excluded = excluded.reset_index() if "case_id" not in excluded.columns else excluded
    assert set(excluded["case_id"].astype(str)) == NOT_CLUSTERED
    reasons = excluded["reason"].astype(str)
    assert reasons.str.contains("session").all() and reasons.str.contains("3").all()


@pytest.mark.filterwarnings("ignore::mixedwai.errors.SmallSampleWarning")
def test_library_job_rates_by_pattern(study):
    mw = study.mw
    x = mw.outcome_crosstab(study.result.labels["abbrev"], study.cases["job"])
    table = _by_pattern(x.to_frame())
    for abbrev, rate in JOB_RATES.items():
        assert float(table.loc[abbrev, "pct_outcome"]) == pytest.approx(rate, abs=0.01)
    assert int(table.loc[list(PUBLISHED), "n"].sum()) == 18
    assert int(table.loc[list(PUBLISHED), "n_outcome"].sum()) == 12


def test_library_finds_no_wai_score_related_to_job(study):
    tests = study.mw.score_outcome_tests(study.result.matrix, study.cases["job"])
    for score in ("t1", "t2", "t3", "mean"):
        assert float(tests.loc[score, "p_value"]) > 0.05


def test_library_days_to_job_among_the_12(study):
    times = study.mw.time_to_outcome(study.cases.loc[study.result.matrix.index])
    assert _value(times, "n") == 12
    assert _value(times, "mean") == pytest.approx(59.25, abs=1e-9)
    assert _value(times, "sd") == pytest.approx(21.01, abs=0.005)


def test_library_job_rates_by_client_attribute_reproduce_table_1(study):
    in_cases = study.cases.loc[study.result.matrix.index]
    table = study.mw.outcome_by_attribute(in_cases, list(TABLE_1), outcome="job").reset_index()
    for attribute, rows in TABLE_1.items():
        for value, (n, jobs) in rows.items():
            match = table[(table["attribute"] == attribute) & (table["level"] == value)]
            assert len(match) == 1, (attribute, value)
            assert int(match["n"].iloc[0]) == n
            assert int(match["n_outcome"].iloc[0]) == jobs
            assert float(match["pct_outcome"].iloc[0]) == pytest.approx(100 * jobs / n, abs=0.01)


# --------------------------------------------------------------------------- independent checks

REVERSED = (4, 10)
SUBSCALES = ((1, 2, 8, 12), (3, 5, 7, 9), (4, 6, 10, 11))


def _read(name: str) -> list[dict[str, str]]:
    with open(SAMPLE / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _canonical(case_id: str) -> str:
    es, client = case_id.replace("#", "").upper().removeprefix("ES").split("_C")
    return f"ES{int(es)}_C{int(client)}"


def _hand_scores() -> dict[str, dict[int, float]]:
    """Global score per case and session: mean of the subscale means (blank items skipped)."""
    out: dict[str, dict[int, float]] = {}
    for row in _read("sessions.csv"):
        keyed = {}
        for i in range(1, 13):
            cell = row[f"wai_{i}"]
            if cell != "":
                keyed[i] = 8 - int(cell) if i in REVERSED else int(cell)
        subs = [np.mean([keyed[i] for i in items if i in keyed]) for items in SUBSCALES]
        out.setdefault(_canonical(row["case_id"]), {})[int(row["session"])] = float(np.mean(subs))
    return out


@pytest.fixture(scope="module")
def matrix() -> pd.DataFrame:
    scores = _hand_scores()
    clustered = {c: s for c, s in scores.items() if len(s) >= 3}
    return pd.DataFrame(
        [[s[1], s[2], s[3]] for s in clustered.values()],
        index=list(clustered),
        columns=["t1", "t2", "t3"],
    )


def test_shipped_files_hold_30_clients_18_with_three_sessions(matrix):
    scores = _hand_scores()
    assert len(scores) == 30
    assert all(sorted(s) == list(range(1, len(s) + 1)) for s in scores.values())
    assert set(matrix.index) == set().union(*PUBLISHED.values())
    assert set(scores) - set(matrix.index) == NOT_CLUSTERED
    cases = {_canonical(r["case_id"]): r for r in _read("cases.csv")}
    assert set(cases) == set(scores)


def test_shipped_items_are_integers_1_to_7(matrix):
    cells = [r[f"wai_{i}"] for r in _read("sessions.csv") for i in range(1, 13)]
    filled = [int(c) for c in cells if c != ""]
    assert len(cells) - len(filled) == 2
    assert min(filled) >= 1 and max(filled) <= 7


def test_scipy_ward_gives_the_published_membership(matrix):
    labels = fcluster(linkage(matrix.to_numpy(), method="ward"), 3, criterion="maxclust")
    found = {frozenset(matrix.index[labels == g]) for g in set(labels)}
    assert found == {frozenset(cases) for cases in PUBLISHED.values()}


def test_scipy_ward_merge_costs_are_free_of_ties(matrix):
    x = matrix.to_numpy()
    assert len(np.unique(x, axis=0)) == len(x)
    heights = np.sort(linkage(x, method="ward")[:, 2])
    assert np.diff(heights).min() > 1e-6


def test_ten_percent_rule_leaves_three_as_largest_admissible_k(matrix):
    z = linkage(matrix.to_numpy(), method="ward")
    need = math.ceil(0.10 * len(matrix))
    smallest = {k: np.bincount(fcluster(z, k, criterion="maxclust"))[1:].min() for k in range(2, 7)}
    admissible = [k for k, size in smallest.items() if size >= need]
    assert admissible == [2, 3]


def test_silhouette_prefers_three_clusters(matrix):
    from sklearn.metrics import silhouette_score

    z = linkage(matrix.to_numpy(), method="ward")
    widths = {
        k: silhouette_score(matrix.to_numpy(), fcluster(z, k, criterion="maxclust"))
        for k in range(2, 7)
    }
    assert max(widths, key=widths.__getitem__) == 3


def test_shipped_case_means_give_table_2(matrix):
    means = matrix.mean(axis=1)
    for abbrev, (n, _, mean, sd) in TABLE_2.items():
        m = means[sorted(PUBLISHED[abbrev])]
        assert len(m) == n
        assert round(float(m.mean()), 2) == mean
        assert round(float(m.std(ddof=1)), 2) == sd
    assert round(float(matrix.loc[sorted(PUBLISHED["SHA"]), "t1"].mean()), 2) == 6.55


def test_shipped_days_to_job_give_mean_59_25_and_sd_21_01(matrix):
    cases = {_canonical(r["case_id"]): r for r in _read("cases.csv")}
    jobs = [c for c in matrix.index if cases[c]["job"] == "yes"]
    days = np.array([float(cases[c]["days_to_job"]) for c in jobs])
    assert len(days) == 12
    assert days.mean() == 59.25
    assert round(float(days.std(ddof=1)), 2) == 21.01


def test_generator_rewrites_the_shipped_files_byte_for_byte(tmp_path):
    completed = subprocess.run(
        [sys.executable, str(SAMPLE / "make_sample_study.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for name in ("sessions.csv", "cases.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def _generator():
    import importlib.util

    name = "sample_corpus_make_sample_study"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SAMPLE / "make_sample_study.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while being built
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_generator_refuses_a_tied_ward_merge():
    gen = _generator()
    tied = np.array([[0.0, 0, 0], [1, 0, 0], [10, 0, 0], [11, 0, 0]])
    with pytest.raises(gen.ConstraintError, match="tied Ward merge"):
        gen.naive_ward_partitions(tied)


def test_generator_writes_nothing_when_a_figure_fails(tmp_path, monkeypatch, capsys):
    gen = _generator()
    monkeypatch.setitem(gen.PUBLISHED_MEANS, "SHA", 6.0)
    assert gen.main(["--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()
    assert "SHA mean" in capsys.readouterr().err
