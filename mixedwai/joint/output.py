"""Writing a study run to a folder — tables, figures, reports, member checks — all or nothing.

:func:`write_study` serialises what :func:`~mixedwai.joint.analysis.analyse_study`
computed (it computes nothing of its own); :func:`run_study` does both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mixedwai.io import staged_output, write_bytes, write_csv, write_text
from mixedwai.joint.analysis import Progress, analyse_study
from mixedwai.joint.render.formats import render_docx, render_html, render_markdown, to_xlsx_bytes

if TYPE_CHECKING:
    from mixedwai.joint.config import StudyConfig
    from mixedwai.joint.result import StudyRun

__all__ = ["run_study", "write_study"]


def write_study(
    run: StudyRun, out_dir: str | Path, *, progress: Callable[[str], None] | None = None,
    member_checks: bool = True,
) -> list[Path]:
    """Write every output of a study run into ``out_dir``.

    Layout: ``tables/*.csv`` (quantitative tables, codings, code matrix and
    frequencies, links), ``displays/*.csv`` (each joint display's text table and
    its numbers) and ``displays/joint_displays.xlsx``, ``figures/*.png``,
    ``member_checks/*.docx`` (one per interviewed case, and one per pattern), and ``report.html``,
    ``report.docx``, ``report.md`` at the top. Files are staged and published only
    when everything succeeded, all or nothing (see :func:`mixedwai.io.staged_output`:
    no input and no file the researcher edited is ever replaced). File names made from
    ids are safe and bounded (:func:`mixedwai.io.safe_file_name`); when one differs
    from its id, ``member_checks/file_names.csv`` maps each id to its file.

    Returns
    -------
    list of pathlib.Path
        The files written, sorted.

    Examples
    --------
    >>> import tempfile
    >>> from mixedwai.joint.analysis import analyse_study
    >>> written = write_study(analyse_study("sample_corpus"), tempfile.mkdtemp())
    >>> any(p.name == "clusters.csv" for p in written)
    True
    """
    if progress is not None:
        progress("rendering")
    start = time.perf_counter()
    with staged_output(out_dir, inputs=run.config.input_files(),
                       file_mode=run.config.output_mode) as stage:
        for name, frame in run.tables.items():
            write_csv(frame, stage.path(f"tables/{name}.csv"))
        for name, frame in run.display_frames.items():
            write_csv(frame, stage.path(f"displays/{name}.csv"))
        write_bytes(to_xlsx_bytes(run.display_frames), stage.path("displays/joint_displays.xlsx"))
        for name, png in run.figures.items():
            write_bytes(png, stage.path(f"figures/{name}.png"))
        if run.report is not None:
            write_text(render_html(run.report), stage.path("report.html"))
            write_bytes(render_docx(run.report), stage.path("report.docx"))
            write_text(render_markdown(run.report), stage.path("report.md"))
        if member_checks:
            for name, document in run.member_checks.items():
                write_bytes(render_docx(document),
                            stage.path_for_id("member_checks", name, ".docx"))
        written = stage.written()
    run.timings["rendering"] = run.timings.get("rendering", 0.0) + time.perf_counter() - start
    return written


def run_study(
    study: str | Path | StudyConfig, out_dir: str | Path, *, progress: Progress | None = None
) -> tuple[StudyRun, list[Path]]:
    """Analyse a study and write all its outputs into ``out_dir``.

    Returns
    -------
    run : StudyRun
    written : list of pathlib.Path
        Every file written, sorted.

    Examples
    --------
    >>> import tempfile
    >>> run, written = run_study("sample_corpus", tempfile.mkdtemp())
    >>> sorted(p.name for p in written if p.name.startswith("report"))
    ['report.docx', 'report.html', 'report.md']
    """
    run = analyse_study(study, progress=progress)
    written = write_study(run, out_dir, progress=progress)
    return run, written
