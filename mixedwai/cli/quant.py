"""``mixedwai cluster``: the quantitative strand from the command line."""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from mixedwai.cli._common import (
    cli_syntax,
    console,
    in_cli_syntax,
    print_warnings,
    print_written,
)

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
    sessions: Path = typer.Argument(..., metavar="SESSIONS",
                                    help="Sessions table (CSV, XLSX or SAV), one row per "
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
    score_column: str | None = typer.Option(
        None, "--score-column", help="Any repeated measure given as a ready score column "
        "(e.g. bdi); needs --scale. No instrument file is needed."),
    items: str | None = typer.Option(
        None, "--items", help="Any repeated measure given as items: their columns, a pattern "
        "with {item} or * (e.g. 'bdi_*'); the score is the items' mean; needs --scale (of "
        "each item)."),
    scale: tuple[float, float] | None = typer.Option(
        None, "--scale", help="The measure's scale, low and high (e.g. --scale 0 63)."),
    measure: str | None = typer.Option(
        None, "--measure", help="The measure's name in the outputs (default: from "
        "--score-column or --items)."),
    outcome_type: str = typer.Option(
        "binary", "--outcome-type", help="binary (yes/no) | categorical (any levels: a "
        "treatment arm, a three-level outcome)."),
    min_n: int = typer.Option(2, "--min-n", help="With --k auto: the fewest cases a cluster "
                              "may hold."),
    level_order: list[str] | None = typer.Option(
        None, "--level-order", help="COLUMN=level1,level2,...: the order of an attribute's or "
        "the outcome's levels in the tables (repeat for several columns)."),
) -> None:
    """Score the measure, cluster the trajectories by Ward's method, relate patterns to outcome.

    The measure is the WAI (--instrument) or any other repeated measure, given as a
    ready score column (--score-column bdi --scale 0 63) or as items
    (--items 'srs_*' --scale 0 10).

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
    from mixedwai.quant.instruments.scoring import score_wai
    from mixedwai.quant.study import analyse_quant

    check_choice("--scores", scores, ["direct", "deviation"])
    check_choice("--k-rule", k_rule, ["jump", "jump_all", "reduction"])
    check_choice("--level-rule", level_rule, ["grand_mean", "median"])
    check_choice("--outcome-type", outcome_type, ["binary", "categorical"])
    if refine is not None:
        check_choice("--refine", refine, ["kmeans"])
    # checked before any file is read, under the option names the user typed
    check_range("--max-k", max_k, low=2, integer=True, limit="MAX_K")
    check_range("--n-boot", n_boot, low=0, integer=True, limit="MAX_N_BOOT")
    check_range("--tie-seeds", tie_seeds, low=0, integer=True, limit="MAX_TIE_SEEDS")
    parsed_k = _parse_k(k)
    orders = _parse_level_order(level_order or [])
    timings: dict[str, float] = {}
    with cli_syntax(_OPTIONS), _timed(timings, "reading"):
        source, inst = _measure(sessions, instrument, score_column, items, scale, measure)
        table = read_sessions(source, instrument=inst)
        case_table = read_cases(cases, outcome=outcome, outcome_type=outcome_type) \
            if cases is not None else None
    options = {"k": parsed_k, "scores": scores, "n_sessions": n_sessions,
               "min_share": min_share, "max_k": max_k, "n_boot": n_boot, "random_state": seed,
               "k_rule": k_rule, "tie_seeds": tie_seeds, "tie_max_n": tie_max_n,
               "slope_threshold": slope_threshold, "min_n": min_n,
               "curvature_threshold": curvature_threshold, "level_rule": level_rule}
    if refine is not None:
        options["refine"] = refine
    with console().status("Clustering trajectories ..."), warnings.catch_warnings(), \
            cli_syntax(_OPTIONS), _timed(timings, "analysis"):
        warnings.simplefilter("ignore", MixedWAIWarning)  # printed below
        scored = score_wai(table, instrument=inst)
        del table  # the item table is not needed once scored (memory at a million cases)
        analysis = analyse_quant(scored, case_table, instrument=inst, outcome=outcome,
                                 scored=scored, level_order=orders or None, **options)
    inputs = [sessions] + ([cases] if cases is not None else [])
    with staged_output(out, inputs=inputs) as stage:
        with _timed(timings, "tables"):
            for name, frame in analysis.tables().items():
                write_csv(frame, stage.path(f"{name}.csv"))
        with _timed(timings, "figures"):
            for name, data in analysis.figures().items():
                write_bytes(data, stage.path(name))
        write_text(analysis.summary(), stage.path("summary.txt"))
        written = stage.written()
    _report_timings(timings)

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
    print_warnings([in_cli_syntax(w, _OPTIONS) for w in analysis.warnings
                    if w not in shown])  # each said once
    print_written(written)


#: The library's keywords and the options of `mixedwai cluster` that set them (for messages).
_OPTIONS = {
    "n_clusters": "--k", "n_sessions": "--sessions",
    "min_share": "--min-share", "max_k": "--max-k", "n_boot": "--n-boot",
    "random_state": "--seed", "refine": "--refine", "k_rule": "--k-rule",
    "tie_seeds": "--tie-seeds", "tie_max_n": "--tie-max-n", "min_n": "--min-n",
    "slope_threshold": "--slope-threshold", "curvature_threshold": "--curvature-threshold",
    "level_rule": "--level-rule", "level_order": "--level-order", "scale": "--scale",
    "outcome_type": "--outcome-type", "item columns": "--items",
    "item_columns={item number: column}": "--items 'COLUMN{item}'",
}


def _measure(sessions: Path, instrument: str, score_column: str | None, items: str | None,
             scale: tuple[float, float] | None, measure: str | None) -> tuple[Any, Any]:
    """The sessions source and the instrument: a shipped/YAML one, or any measure."""
    from mixedwai.errors import OptionError
    from mixedwai.quant.instruments.measure import (
        items_in_columns,
        measure_instrument,
        measure_name,
    )

    if score_column is None and items is None:
        if scale is not None or measure is not None:
            given = "--scale" if scale is not None else "--measure"
            raise OptionError(f"{given} describes a measure given by --score-column or "
                              "--items; give one of them (or drop it to use --instrument)")
        return sessions, instrument
    if score_column is not None and items is not None:
        raise OptionError("give either --score-column or --items, not both")
    if instrument != "wai-s-es":
        raise OptionError("--instrument and --score-column/--items both say how to score; "
                          "give one")
    given = "--score-column" if score_column is not None else "--items"
    if scale is None:
        raise OptionError(f"{given} needs --scale LOW HIGH, the measure's scale (e.g. "
                          "--scale 0 63)")
    name = measure or measure_name(score_column or items or "")
    if score_column is not None:
        return sessions, measure_instrument(name, scale=scale, score_column=score_column)
    from mixedwai.io import read_table

    frame = read_table(sessions)  # read once: its columns name the items
    numbers = items_in_columns(items or "", list(frame.columns))
    return frame, measure_instrument(name, scale=scale, items=numbers, item_column=items)


def _parse_level_order(values: list[str]) -> dict[str, list[str]]:
    from mixedwai.errors import OptionError

    orders: dict[str, list[str]] = {}
    for value in values:
        column, sep, levels = value.partition("=")
        if not sep or not column.strip() or not levels.strip():
            raise OptionError(f"--level-order {value!r} is not allowed; expected "
                              "COLUMN=level1,level2,... (e.g. --level-order "
                              "'benefits=none,short-term,social assistance')")
        orders[column.strip()] = [level.strip() for level in levels.split(",")]
    return orders


@contextlib.contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def _report_timings(timings: dict[str, float]) -> None:
    """With MIXEDWAI_TIMINGS set, print the stage times on standard error (for benchmarks)."""
    if os.environ.get("MIXEDWAI_TIMINGS"):
        print("mixedwai timings: " + " ".join(f"{k}={v:.3f}" for k, v in timings.items()),
              file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add the quantitative commands to ``app``."""
    app.command("cluster")(cluster)
