"""Writing a study run to a folder: tables, figures, reports, member checks — all or nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.io import staged_output, write_bytes, write_csv, write_text
from mixedwai.joint.render import (
    display_csv_frames,
    render_docx,
    render_html,
    render_markdown,
    to_xlsx_bytes,
)

if TYPE_CHECKING:
    from mixedwai.joint.report import StudyRun

__all__ = ["write_study"]


def write_study(
    run: StudyRun, out_dir: str | Path, *, progress: Callable[[str], None] | None = None,
    member_checks: bool = True,
) -> list[Path]:
    """Write every output of a study run into ``out_dir``.

    Layout: ``tables/*.csv`` (quantitative tables, codings, code matrix and
    frequencies, links), ``displays/*.csv`` (each joint display's text table and
    its numbers) and ``displays/joint_displays.xlsx``, ``figures/*.png``,
    ``member_checks/*.docx`` (one per interviewed case, and one per pattern), and ``report.html``,
    ``report.docx``, ``report.md`` at the top. Files are staged and moved in only
    when everything succeeded.

    Returns
    -------
    list of pathlib.Path
        The files written, sorted.

    Examples
    --------
    >>> import tempfile
    >>> from mixedwai.joint.report import analyse_study
    >>> written = write_study(analyse_study("sample_corpus"), tempfile.mkdtemp())
    >>> any(p.name == "clusters.csv" for p in written)
    True
    """
    from mixedwai.joint.membercheck import WORDS, member_check_docx
    from mixedwai.joint.narrative import build_report
    from mixedwai.qual.codebook import load_codebook

    if progress is not None:
        progress("rendering")
    start = time.perf_counter()
    with staged_output(out_dir) as stage:
        for name, frame in run.quant.tables().items():
            write_csv(frame, stage.path(f"tables/{name}.csv"))
        if len(run.codings):
            from mixedwai.qual.retrieval import code_frequencies, code_matrix

            write_csv(run.codings, stage.path("tables/codings.csv"))
            matrix = code_matrix(run.codings, cases=list(run.linked.case_table.index))
            write_csv(matrix.reset_index(), stage.path("tables/code_matrix.csv"))
            if run.codebook is not None:
                write_csv(code_frequencies(run.codings, run.codebook),
                          stage.path("tables/code_frequencies.csv"))
        write_csv(run.linked.links, stage.path("tables/links.csv"))
        write_csv(run.linked.case_table.reset_index().map(
            lambda v: v if not isinstance(v, tuple) else ";".join(map(str, v))),
            stage.path("tables/linked_cases.csv"))

        sheets: dict[str, pd.DataFrame] = {}
        for display in run.displays.values():
            for name, frame in display_csv_frames(display).items():
                write_csv(frame, stage.path(f"displays/{name}.csv"))
                sheets[name] = frame
        write_bytes(to_xlsx_bytes(sheets), stage.path("displays/joint_displays.xlsx"))

        figures = run.quant.figures()
        for name, png in figures.items():
            write_bytes(png, stage.path(f"figures/{name}.png"))

        document = build_report(run, figures)
        write_text(render_html(document), stage.path("report.html"))
        write_bytes(render_docx(document), stage.path("report.docx"))
        write_text(render_markdown(document), stage.path("report.md"))

        if member_checks and run.corpus is not None:
            language_of = {t.case_id: t.language for t in run.corpus if t.case_id is not None}
            books = {lang: load_codebook(name)
                     for lang, name in (run.config.qual.codebooks or {}).items()}
            for case_id in run.linked.interviewed.index:
                language = language_of.get(case_id) or "en"
                language = language if language in WORDS else "en"
                write_bytes(member_check_docx(run.linked, case_id, language=language,
                                              codebook=books.get(language)),
                            stage.path(f"member_checks/{case_id}.docx"))
            for pattern in dict.fromkeys(run.linked.interviewed["abbrev"]):
                write_bytes(member_check_docx(run.linked, pattern=pattern),
                            stage.path(f"member_checks/pattern_{pattern}.docx"))
        written = stage.written()
    run.timings["rendering"] = run.timings.get("rendering", 0.0) + time.perf_counter() - start
    return written
