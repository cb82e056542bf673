"""``mixedwai run``: a whole study, both strands and the joint displays, into a report."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer

from mixedwai.cli._common import console, print_warnings, print_written

__all__ = ["register"]


def run(
    study: Path = typer.Argument(..., metavar="STUDY",
                                 help="A study folder laid out like sample_corpus/, or a "
                                 "study.yaml."),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress display."),
) -> None:
    """Run both strands and every joint display; write the report (HTML, Word, Markdown,
    Excel), tables (CSV), figures (PNG, SVG, PDF), study.qdpx and member checks per ES."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from mixedwai.errors import MixedWAIWarning
    from mixedwai.joint.analysis import STAGES, analyse_study
    from mixedwai.joint.config import load_study_config
    from mixedwai.joint.output import write_study

    config = load_study_config(study)
    out_console = console()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=out_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("starting", total=len(STAGES))

        def progress(stage: str) -> None:
            bar.update(task, description=stage, completed=STAGES.index(stage))

        with warnings.catch_warnings():  # printed below, from the run's own list
            warnings.simplefilter("ignore", MixedWAIWarning)
            result = analyse_study(config, progress=progress)
            written = write_study(result, out, progress=progress)
        bar.update(task, completed=len(STAGES))

    clusters = result.quant.clusters
    out_console.print(config.name, style="bold")
    out_console.print(f"{clusters.matrix.shape[0]} cases clustered into {clusters.k} patterns "
                      f"({len(clusters.excluded)} excluded); "
                      + ", ".join(f"{r['abbrev']} {r['n']}" for _, r in
                                  clusters.profile.iterrows()))
    if result.quant.crosstab is not None:
        out_console.print(result.quant.crosstab.summary())
    n_docs = len(result.corpus) if result.corpus is not None else 0
    out_console.print(f"{n_docs} transcripts, {len(result.codings)} codings; "
                      f"{len(result.linked.interviewed)} clustered cases have an interview.")
    print_warnings(result.warnings)
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    out_console.print(f"Time: {timings}.")
    print_written(written)
    out_console.print(f"Report: {Path(out) / 'report.html'}")


def register(app: typer.Typer) -> None:
    """Add the whole-study command to ``app``."""
    app.command("run")(run)
