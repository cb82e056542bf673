"""`mixedwai cluster` and `mixedwai run` beyond the sample: optional columns, other measures,
other outcomes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.cli import main

SESSIONS = "sample_corpus/sessions.csv"
CASES = "sample_corpus/cases.csv"


@pytest.fixture()
def cases_without_days(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    pd.read_csv(CASES).drop(columns=["days_to_job"]).to_csv(path, index=False)
    return path


def test_cluster_runs_without_days_to_job(cases_without_days: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["cluster", SESSIONS, "--cases", str(cases_without_days), "--out", str(out),
                 "--n-boot", "0"]) == 0
    written = {p.name for p in out.iterdir()}
    assert "crosstab.csv" in written and "time_to_outcome.csv" not in written
    crosstab = pd.read_csv(out / "crosstab.csv").set_index("pattern")
    assert crosstab.loc["SHA", "n_no"] == 1  # the published numbers are unchanged


def test_run_works_without_days_to_job(cases_without_days: Path, tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    shutil.copy(cases_without_days, study / "cases.csv")
    out = tmp_path / "out"
    assert main(["run", str(study), "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").exists()


# -- any repeated measure --------------------------------------------------------------


def _bdi_sessions(path: Path) -> Path:
    """Three groups on a 0..63 inventory: flat (34.2, 33.3, 35.3), falling, low and flat."""
    import numpy as np

    rng = np.random.default_rng(1)
    shapes = {"flat": (34.2, 33.3, 35.3), "falling": (52.0, 41.0, 30.0), "low": (9.0, 9.5, 10.0)}
    rows = []
    for g, means in enumerate(shapes.values()):
        for c in range(12):
            for s, mean in enumerate(means, start=1):
                rows.append({"case_id": f"ES{g + 1}_C{c + 1}", "session": s,
                             "bdi": round(float(mean + rng.normal(0, 0.4)), 1)})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_0_63_score_column_clusters_without_an_instrument_file(tmp_path: Path) -> None:
    sessions = _bdi_sessions(tmp_path / "bdi.csv")
    out = tmp_path / "out"
    assert main(["cluster", str(sessions), "--score-column", "bdi", "--scale", "0", "63",
                 "--out", str(out), "--n-boot", "0", "--k", "3"]) == 0
    patterns = pd.read_csv(out / "patterns.csv")
    flat = patterns.loc[(patterns["mean"] - 34.27).abs() < 0.5].iloc[0]
    assert flat["curvature"] > 1.2  # a U-shape under the old 0.15-point threshold ...
    assert flat["pattern"].startswith("stable")  # ... stable relative to the 0..63 range
    assert "U-shaped" not in set(patterns["pattern"])
    params = pd.read_csv(out / "parameters.csv").set_index("parameter")["value"]
    assert params["measure"] == "bdi" and params["scale"] == "0..63"
    assert "bdi" in pd.read_csv(out / "scores.csv").columns
    assert "bdi scores (scale 0..63)" in (out / "summary.txt").read_text(encoding="utf-8")


def test_the_trajectory_axis_runs_over_the_scale_with_the_measure_name(tmp_path: Path) -> None:
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.instruments.measure import measure_instrument
    from mixedwai.quant.study import analyse_quant

    bdi = measure_instrument("bdi", scale=(0, 63))
    sessions = read_sessions(_bdi_sessions(tmp_path / "bdi.csv"), instrument=bdi)
    analysis = analyse_quant(sessions, instrument=bdi, k=3, n_boot=0)
    ax = analysis.figure_objects()["trajectories"].axes[0]
    assert tuple(float(v) for v in ax.get_ylim()) == (0.0, 63.0)
    assert ax.get_ylabel() == "Mean bdi score"


def test_items_by_a_column_pattern(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(2)
    rows = []
    for c in range(30):
        level = [1, 5, 9][c % 3]
        for s in (1, 2, 3):
            items = np.clip(np.rint(level + rng.normal(0, 0.5, 4)), 0, 10).astype(int)
            rows.append({"case_id": f"ES1_C{c + 1}", "session": s,
                         **{f"SRS_{i}": int(v) for i, v in enumerate(items, start=1)}})
    pd.DataFrame(rows).to_csv(tmp_path / "srs.csv", index=False)
    out = tmp_path / "out"
    assert main(["cluster", str(tmp_path / "srs.csv"), "--items", "srs_*", "--scale", "0",
                 "10", "--out", str(out), "--n-boot", "0", "--k", "3"]) == 0
    scores = pd.read_csv(out / "scores.csv")
    first = pd.DataFrame(rows).iloc[0]
    assert scores.loc[0, "srs"] == pytest.approx(np.mean([first[f"SRS_{i}"] for i in range(1, 5)]))
    assert sorted(pd.read_csv(out / "clusters.csv")["cluster"].value_counts()) == [10, 10, 10]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--score-column", "bdi"], "--score-column needs --scale LOW HIGH"),
        (["--scale", "0", "63"], "--scale describes a measure"),
        (["--score-column", "bdi", "--scale", "63", "0"], "low must be below high"),
        (["--items", "bdi", "--scale", "0", "3"], "--items bdi is not allowed"),
        (["--min-n", "0"], "--min-n 0 is not allowed"),
        (["--level-order", "benefits"], "--level-order 'benefits' is not allowed"),
    ],
)
def test_measure_options_fail_in_command_line_words(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["cluster", SESSIONS, "--out", str(tmp_path / "out"), "--n-boot", "0",
                 *args]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_library_keywords_are_shown_as_options() -> None:
    from mixedwai.cli._common import in_cli_syntax

    text = in_cli_syntax("ties decide it: report this, or consider refine='kmeans'. Lower "
                         "n_sessions", {"refine": "--refine", "n_sessions": "--sessions"})
    assert text == "ties decide it: report this, or consider --refine kmeans. Lower --sessions"


def test_min_n_and_level_order_reach_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["cluster", SESSIONS, "--cases", CASES, "--out", str(out), "--n-boot", "0",
                 "--min-n", "4", "--level-order", "sex=female,male"]) == 0
    params = pd.read_csv(out / "parameters.csv").set_index("parameter")["value"]
    assert params["min_n"] == "4"
    sizes = pd.read_csv(out / "clusters.csv")["cluster"].value_counts()
    assert sizes.min() >= 4  # k = 3 would leave LDA with 3 cases
    characteristics = pd.read_csv(out / "characteristics.csv")
    sex = characteristics[characteristics["attribute"] == "sex"]
    assert list(dict.fromkeys(sex["level"])) == ["female", "male"]  # not first appearance


# -- any categorical outcome -------------------------------------------------------------


def _enumerated_p(table: list[list[int]]) -> float:
    """Freeman-Halton p by brute force: every table with these margins, from math.comb."""
    import itertools
    import math

    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table, strict=True)]
    n = sum(rows)

    def prob(t: list[list[int]]) -> float:
        p = math.prod(math.factorial(r) for r in rows) * math.prod(math.factorial(c)
                                                                   for c in cols)
        return p / (math.factorial(n) * math.prod(math.factorial(x) for row in t for x in row))

    observed = prob(table)
    r, c = len(rows), len(cols)
    total = 0.0
    free = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    for cells in itertools.product(*free):
        t = [list(cells[i * (c - 1):(i + 1) * (c - 1)]) for i in range(r - 1)]
        ok = True
        for row_i, row in enumerate(t):
            last = rows[row_i] - sum(row)
            ok &= last >= 0
            row.append(last)
        bottom = [cols[j] - sum(t[i][j] for i in range(r - 1)) for j in range(c)]
        if not ok or min(bottom) < 0:
            continue
        t.append(bottom)
        p = prob(t)
        if p <= observed * (1 + 1e-7):
            total += p
    return total


def _cases_with(column: str, values: list[str], tmp_path: Path) -> Path:
    cases = pd.read_csv(CASES)
    cases[column] = values
    path = tmp_path / "cases.csv"
    cases.to_csv(path, index=False)
    return path


def test_a_three_level_outcome_gets_a_crosstab_and_an_exact_test(tmp_path: Path) -> None:
    from scipy.stats.contingency import association

    levels = ["employed", "training", "none"]
    values = [levels[i % 3] for i in range(len(pd.read_csv(CASES)))]
    cases = _cases_with("status", values, tmp_path)
    out = tmp_path / "out"
    assert main(["cluster", SESSIONS, "--cases", str(cases), "--outcome", "status",
                 "--outcome-type", "categorical", "--out", str(out), "--n-boot", "0"]) == 0
    crosstab = pd.read_csv(out / "crosstab.csv").set_index("pattern")
    table = crosstab.drop(index="total")[[f"n_{level}" for level in levels]]
    assert table.to_numpy().sum() == 18
    test = pd.read_csv(out / "outcome_test.csv").iloc[0]
    assert test["p_value"] == pytest.approx(_enumerated_p(table.to_numpy().tolist()), rel=1e-9)
    assert test["cramers_v"] == pytest.approx(association(table.to_numpy(), method="cramer"))
    rates = pd.read_csv(out / "outcomes.csv").set_index("pattern")
    assert {f"pct_{level}" for level in levels} <= set(rates.columns)
    written = {p.name for p in out.iterdir()}
    assert "score_tests.csv" not in written and "time_to_outcome.csv" not in written


def test_a_two_arm_treatment_variable_is_crossed_with_the_patterns(tmp_path: Path) -> None:
    from mixedwai.quant.data.cases import read_cases
    from mixedwai.quant.outcomes.crosstab import outcome_crosstab

    arms = ["control" if i % 2 else "IPS" for i in range(len(pd.read_csv(CASES)))]
    cases = read_cases(_cases_with("arm", arms, tmp_path), outcome="arm",
                       outcome_type="categorical")
    labels = pd.Series(["SHA"] * 5 + ["SLA"] * 10 + ["LDA"] * 3, index=cases.index[:18])
    result = outcome_crosstab(labels, cases["arm"], order=["SHA", "SLA", "LDA"])
    assert result.levels == ("IPS", "control") and not result.binary
    table = result.counts.drop(index="total")[["IPS", "control"]].to_numpy()
    assert result.test.p_value == pytest.approx(_enumerated_p(table.tolist()), rel=1e-9)
    assert "IPS" in result.summary() and "Freeman-Halton" in result.summary()


def test_a_two_by_two_categorical_table_matches_fisher(tmp_path: Path) -> None:
    from scipy.stats import fisher_exact

    from mixedwai.quant.outcomes.crosstab import outcome_crosstab

    index = [f"C{i}" for i in range(16)]
    labels = pd.Series(["A"] * 8 + ["B"] * 8, index=index)
    arm = pd.Series(["x"] * 7 + ["y"] + ["x"] * 2 + ["y"] * 6, index=index, name="arm")
    result = outcome_crosstab(labels, arm, levels=["x", "y"])
    assert result.test.p_value == pytest.approx(fisher_exact([[7, 1], [2, 6]])[1], rel=1e-9)


# -- wide input ---------------------------------------------------------------------------


def test_a_wide_matrix_is_taken_whole_iris() -> None:
    from sklearn.datasets import load_iris

    from mixedwai.quant.ward.clustering import cluster_trajectories

    frame = pd.DataFrame(load_iris().data, columns=["t1", "t2", "t3", "t4"],
                         index=pd.Index([f"c{i}" for i in range(150)], name="case_id"))
    with _no_check():
        result = cluster_trajectories(frame, k=3, n_boot=0, tie_seeds=0)
    assert result.matrix.shape == (150, 4)
    assert sorted(result.labels["cluster"].value_counts()) == [36, 50, 64]  # R: 50/64/36


def test_a_wide_matrix_with_other_columns_is_refused_by_name() -> None:
    from sklearn.datasets import load_iris

    from mixedwai.errors import ColumnError
    from mixedwai.quant.ward.clustering import cluster_trajectories

    frame = pd.DataFrame(load_iris().data, columns=["t1", "t2", "t3", "t4"])
    frame["species"] = "setosa"
    with pytest.raises(ColumnError, match="other column.*'species'"):
        cluster_trajectories(frame, k=3, n_boot=0)
    plain = pd.DataFrame(load_iris().data, columns=["sl", "sw", "pl", "pw"])
    plain["species"] = "setosa"
    with pytest.raises(ColumnError, match="'species' hold text"):
        cluster_trajectories(plain, k=3, n_boot=0)


def _no_check():
    import contextlib
    import warnings

    @contextlib.contextmanager
    def quiet():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield

    return quiet()


def test_run_with_any_measure_from_study_yaml(tmp_path: Path) -> None:
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.instruments.scoring import score_wai

    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    scores = score_wai(read_sessions(SESSIONS))
    bdi = pd.DataFrame({"case_id": scores["case_id"], "session": scores["session"],
                        "bdi": (scores["wai"] * 9).round(2)})
    bdi.to_csv(study / "sessions.csv", index=False)
    text = (study / "study.yaml").read_text(encoding="utf-8")
    text = text.replace("quant:\n", "quant:\n  measure: {score_column: bdi, scale: [0, 63]}\n"
                        "  min_n: 2\n  level_order: {sex: [female, male]}\n", 1)
    (study / "study.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(study), "--out", str(out), "--quiet"]) == 0
    report = (out / "report.md").read_text(encoding="utf-8") if (out / "report.md").exists() \
        else (out / "report.html").read_text(encoding="utf-8")
    assert "The repeated measure was bdi (scale 0..63)" in report
    assert "mean bdi" in report and "mean WAI" not in report


def test_study_yaml_measure_needs_one_source(tmp_path: Path) -> None:
    from mixedwai.errors import StudyConfigError
    from mixedwai.joint.config import load_study_config

    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(text.replace(
        "quant:\n", "quant:\n  measure: {scale: [0, 63]}\n", 1), encoding="utf-8")
    with pytest.raises(StudyConfigError, match="score_column or items"):
        load_study_config(study)
