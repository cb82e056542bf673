"""``mixedwai cluster``: the quantitative strand from the command line."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer

from mixedwai.cli._common import console, print_warnings, print_written

__all__ = ["register"]


def _parse_k(value: str) -> str | int:
    from mixedwai.errors import OptionError

    if value == "auto":
        return "auto"
    try:
        k = int(value)
    except ValueError:
        raise OptionError(f"--k = {value!r} is not allowed; expected 'auto' or an integer >= 2") \
            from None
    if k < 2:
        raise OptionError(f"--k = {value!r} is not allowed; expected 'auto' or an integer >= 2")
    return k


def cluster(
    sessions: Path = typer.Argument(..., help="Sessions table (CSV, XLSX or SAV), one row per "
                                    "case and session."),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    cases: Path | None = typer.Option(None, "--cases", help="Cases table with the outcome."),
    k: str = typer.Option("auto", "--k", help="Number of clusters: 'auto' or an integer."),
    scores: str = typer.Option("direct", "--scores", help="direct | deviation"),
    n_sessions: int = typer.Option(3, "--sessions", help="Sessions per trajectory."),
    min_share: float = typer.Option(0.10, "--min-share",
                                    help="Smallest admissible cluster share for k='auto'."),
    max_k: int = typer.Option(6, "--max-k", help="Largest k considered."),
    instrument: str = typer.Option("wai-s-es", "--instrument",
                                   help="Shipped instrument name or a YAML file."),
    outcome: str = typer.Option("job", "--outcome", help="Outcome column of the cases table."),
    n_boot: int = typer.Option(100, "--n-boot", help="Bootstrap resamples for stability."),
    seed: int = typer.Option(0, "--seed", help="Random seed (bootstrap, Monte Carlo)."),
    refine: str | None = typer.Option(None, "--refine",
                                      help="'kmeans': refine the Ward partition with k-means."),
    k_rule: str = typer.Option("jump", "--k-rule",
                               help="Rule of k='auto': jump | jump_all | reduction."),
    tie_seeds: int = typer.Option(20, "--tie-seeds",
                                  help="Random tie-break re-runs for the tie diagnostic (0: off)."),
    tie_max_n: int = typer.Option(
        10_000, "--tie-max-n", help="Above this many cases the tie diagnostic runs on a seeded "
        "sample of this size."),
    slope_threshold: float = typer.Option(
        0.15, "--slope-threshold", help="Pattern names: |slope| (points per session) above which "
        "a trajectory is a linear increase/decrease."),
    curvature_threshold: float = typer.Option(
        0.15, "--curvature-threshold", help="Pattern names: curvature above which a trajectory "
        "is U-shaped / inverted U."),
    level_rule: str = typer.Option(
        "grand_mean", "--level-rule", help="Pattern names: 'high'/'low' relative to the sample's "
        "grand_mean or median."),
) -> None:
    """Score the WAI, cluster the trajectories with Ward's method, relate patterns to the outcome.

    Writes summary.txt (the patterns and why k), clusters.csv, profile.csv, patterns.csv (level,
    slope, curvature and name of each cluster), schedule.csv, k_selection.csv, parameters.csv,
    excluded.csv, scores.csv (refinement_moved.csv with --refine kmeans), and
    with --cases outcomes.csv, crosstab.csv, outcome_test.csv, score_tests.csv, descriptives.csv,
    characteristics.csv, time_to_outcome.csv; plus trajectories.png and dendrogram.png.
    """
    from mixedwai._validation import check_choice, check_range
    from mixedwai.errors import MixedWAIWarning
    from mixedwai.io import staged_output, write_bytes, write_csv, write_text
    from mixedwai.quant.data.cases import read_cases
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.study import analyse_quant

    check_choice("--scores", scores, ["direct", "deviation"])
    check_choice("--k-rule", k_rule, ["jump", "jump_all", "reduction"])
    check_choice("--level-rule", level_rule, ["grand_mean", "median"])
    if refine is not None:
        check_choice("--refine", refine, ["kmeans"])
    # checked before any file is read, under the option names the user typed
    check_range("--max-k", max_k, low=2, integer=True, limit="MAX_K")
    check_range("--n-boot", n_boot, low=0, integer=True, limit="MAX_N_BOOT")
    check_range("--tie-seeds", tie_seeds, low=0, integer=True, limit="MAX_TIE_SEEDS")
    parsed_k = _parse_k(k)
    table = read_sessions(sessions, instrument=instrument)
    case_table = read_cases(cases, outcome=outcome) if cases is not None else None
    options = {"k": parsed_k, "scores": scores, "n_sessions": n_sessions,
               "min_share": min_share, "max_k": max_k, "n_boot": n_boot, "random_state": seed,
               "k_rule": k_rule, "tie_seeds": tie_seeds, "tie_max_n": tie_max_n,
               "slope_threshold": slope_threshold,
               "curvature_threshold": curvature_threshold, "level_rule": level_rule}
    if refine is not None:
        options["refine"] = refine
    with console().status("Clustering trajectories ..."), warnings.catch_warnings():
        warnings.simplefilter("ignore", MixedWAIWarning)  # printed below
        analysis = analyse_quant(table, case_table, instrument=instrument, outcome=outcome,
                                 **options)
    inputs = [sessions] + ([cases] if cases is not None else [])
    with staged_output(out, inputs=inputs) as stage:
        for name, frame in analysis.tables().items():
            write_csv(frame, stage.path(f"{name}.csv"))
        for name, data in analysis.figures().items():
            write_bytes(data, stage.path(name))
        write_text(analysis.summary(), stage.path("summary.txt"))
        written = stage.written()

    result = analysis.clusters
    out_console = console()
    out_console.print(result.summary(), markup=False)
    for cluster, row in result.profile.iterrows():
        out_console.print(f"  {cluster}. {row['pattern']} ({row['abbrev']}): n = {row['n']} "
                          f"({row['pct']:.1f} %), mean {row['mean']:.2f} (SD {row['sd']:.2f})",
                          markup=False)
    if analysis.crosstab is not None:
        out_console.print(analysis.crosstab.summary(), markup=False)
    shown = analysis.summary()
    print_warnings([w for w in analysis.warnings if w not in shown])  # each said once
    print_written(written)


def register(app: typer.Typer) -> None:
    """Add the quantitative commands to ``app``."""
    app.command("cluster")(cluster)
