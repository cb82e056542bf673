"""Run a whole study — both strands and their integration — into one result.

:func:`analyse_study` reads the files a :class:`~mixedwai.joint.config.StudyConfig`
names, runs the quantitative strand, loads and codes the transcripts, links the
two, builds every joint display, and computes everything the outputs show: the
tables, the figures, the report's content
(:func:`~mixedwai.joint.report.build_report`) and the member-check summaries. The
result, a :class:`~mixedwai.joint.result.StudyRun`, is then only serialised by
:func:`~mixedwai.joint.output.write_study`.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai.errors import DataValueError, MixedWAIWarning
from mixedwai.joint.config import StudyConfig, load_study_config
from mixedwai.joint.displays.by_pattern import themes_by_pattern
from mixedwai.joint.displays.meta import add_meta_inferences, load_meta_inferences
from mixedwai.joint.displays.quantitized import quantitized_themes
from mixedwai.joint.displays.tables import (
    JointDisplay,
    case_ordered_display,
    statistics_by_themes,
    themes_by_outcome,
)
from mixedwai.joint.result import StudyRun
from mixedwai.joint.study import LinkedStudy, link_study

if TYPE_CHECKING:
    from mixedwai.joint.render.document import Document
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["STAGES", "analyse_study", "build_displays"]

#: The stages timed by :func:`analyse_study` and :func:`~mixedwai.joint.output.write_study`,
#: in order.
STAGES = ("reading", "scoring", "clustering", "coding", "displays", "rendering")

Progress = Callable[[str], None]


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    def stage(self, name: str) -> _Stage:
        return _Stage(self, name)


class _Stage:
    def __init__(self, timer: _Timer, name: str) -> None:
        self.timer, self.name = timer, name

    def __enter__(self) -> None:
        if self.timer.progress is not None:
            self.timer.progress(self.name)
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.start
        self.timer.timings[self.name] = self.timer.timings.get(self.name, 0.0) + elapsed


def analyse_study(
    study: str | Path | StudyConfig, *, progress: Progress | None = None
) -> StudyRun:
    """Run both strands of a study and link them.

    Parameters
    ----------
    study : str, path or StudyConfig
        A study folder (laid out like ``sample_corpus/``), a ``study.yaml``, or a
        loaded configuration.
    progress : callable, optional
        Called with the name of each stage as it starts (see :data:`STAGES`).

    Returns
    -------
    StudyRun

    Examples
    --------
    >>> run = analyse_study("sample_corpus")
    >>> run.quant.clusters.k, len(run.linked.interviewed)
    (3, 17)
    """
    from mixedwai.quant.data.cases import read_cases
    from mixedwai.quant.data.sessions import read_sessions
    from mixedwai.quant.instruments.scoring import score_wai
    from mixedwai.quant.study import analyse_quant

    config = study if isinstance(study, StudyConfig) else load_study_config(study)
    timer = _Timer(progress)
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always", MixedWAIWarning)
        cols = config.columns
        q = config.quant
        with timer.stage("reading"):
            source, instrument = study_measure(config)
            sessions = read_sessions(
                source, case_col=cols.case_id, session_col=cols.session,
                es_col=cols.es_id, item_columns=cols.item_columns, instrument=instrument,
            )
            cases = read_cases(config.cases, case_col=cols.case_id, outcome=cols.outcome,
                               days_col=cols.days_to_outcome)
            corpus = codebook = None
            from mixedwai.qual.codebook.loading import load_codebook

            if config.transcripts is not None:
                from mixedwai.qual.transcripts.loading import load_corpus

                corpus = load_corpus(config.transcripts, case_pattern=config.qual.case_pattern,
                                     errors="collect")
                for path, message in corpus.errors:
                    warnings.warn(f"{path}: skipped: {message}", MixedWAIWarning, stacklevel=2)
                codebook = load_codebook(config.qual.codebook)
        with timer.stage("scoring"):
            scores = score_wai(sessions, instrument=instrument)
        with timer.stage("clustering"):
            options: dict[str, Any] = {
                "k": q.k, "k_rule": q.k_rule, "scores": q.scores, "n_sessions": q.n_sessions,
                "tie_seeds": q.tie_seeds, "tie_max_n": q.tie_max_n,
                "min_share": q.min_share, "max_k": q.max_k, "n_boot": q.n_boot,
                "random_state": q.random_state, "slope_threshold": q.slope_threshold,
                "curvature_threshold": q.curvature_threshold, "names": q.pattern_names,
                "level_rule": q.level_rule, "min_n": q.min_n,
            }
            if q.refine is not None:
                options["refine"] = q.refine
            quant = analyse_quant(sessions, cases, instrument=instrument,
                                  outcome=cols.outcome, days=cols.days_to_outcome,
                                  attributes=q.attributes, scored=scores,
                                  level_order=q.level_order, **options)
            caught += quant.warnings
        with timer.stage("coding"):
            codings = pd.DataFrame()
            if corpus is not None and codebook is not None:
                from mixedwai.qual.coding.apply import code_corpus

                books: Codebook | dict[str, Codebook] = codebook
                if config.qual.codebooks:
                    books = {codebook.language: codebook}
                    books.update({lang: load_codebook(name)
                                  for lang, name in config.qual.codebooks.items()})
                codings = code_corpus(corpus, books, unit=config.qual.unit,
                                      speakers=config.qual.speakers)
        with timer.stage("displays"):
            linked = link_study(
                quant.clusters, cases, corpus, codings, codebook, outcome=cols.outcome,
                days=cols.days_to_outcome, outcome_label=config.outcome_label,
                no_outcome_label=config.no_outcome_label,
            )
            displays = build_displays(linked, config)
    for record in records:  # recorded for the report, and passed on to the caller
        if issubclass(record.category, MixedWAIWarning):
            caught.append(str(record.message))
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    run = StudyRun(config=config, quant=quant, corpus=corpus, codebook=codebook,
                   codings=codings, linked=linked, displays=displays, timings=timer.timings,
                   warnings=list(dict.fromkeys(caught)))
    with timer.stage("displays"):
        return _with_outputs(run)


def _with_outputs(run: StudyRun) -> StudyRun:
    """The run with every table, figure and document its outputs show."""
    from mixedwai.joint.render.formats import display_csv_frames
    from mixedwai.joint.report import build_report

    tables = dict(run.quant.tables())
    if len(run.codings):
        from mixedwai.qual.retrieval.matrices import code_frequencies, code_matrix

        tables["codings"] = run.codings
        tables["code_matrix"] = code_matrix(
            run.codings, cases=list(run.linked.case_table.index)).reset_index()
        if run.codebook is not None:
            tables["code_frequencies"] = code_frequencies(run.codings, run.codebook)
    tables["links"] = run.linked.links
    tables["linked_cases"] = run.linked.case_table.reset_index().map(
        lambda v: v if not isinstance(v, tuple) else ";".join(map(str, v)))
    display_frames: dict[str, pd.DataFrame] = {}
    for display in run.displays.values():
        display_frames.update(display_csv_frames(display))
    run = dataclasses.replace(run, tables=tables, display_frames=display_frames,
                              figures=run.quant.figures(), member_checks=_member_checks(run))
    return dataclasses.replace(run, report=build_report(run, run.figures))


def _member_checks(run: StudyRun) -> dict[str, Document]:
    """The member-check summaries by file stem: one per interviewed case, one per pattern."""
    from mixedwai.joint.membercheck import WORDS, member_check_document
    from mixedwai.qual.codebook.loading import load_codebook

    if run.corpus is None:
        return {}
    language_of = {t.case_id: t.language for t in run.corpus if t.case_id is not None}
    books = {lang: load_codebook(name)
             for lang, name in (run.config.qual.codebooks or {}).items()}
    documents: dict[str, Document] = {}
    for case_id in run.linked.interviewed.index:
        language = language_of.get(case_id) or "en"
        language = language if language in WORDS else "en"
        documents[case_id] = member_check_document(run.linked, case_id, language=language,
                                                   codebook=books.get(language))
    for pattern in dict.fromkeys(run.linked.interviewed["abbrev"]):
        documents[f"pattern_{pattern}"] = member_check_document(run.linked, pattern=pattern)
    return documents


def build_displays(linked: LinkedStudy, config: StudyConfig) -> dict[str, JointDisplay]:
    """Every joint display of a study, with meta-inferences attached when given."""
    if not len(linked.interviewed):  # quantitative strand only: no theme to display
        displays = {"case_ordered": case_ordered_display(linked, quotes=False)}
    else:
        displays = {
            "statistics_by_themes": statistics_by_themes(linked, level="category"),
            "themes_by_pattern": themes_by_pattern(linked, level="code"),
            "themes_by_outcome": themes_by_outcome(linked, level="code"),
            "case_ordered": case_ordered_display(linked),
            "quantitized_themes": quantitized_themes(linked, level="code",
                                                     random_state=config.quant.random_state),
        }
    if config.meta_inferences is not None:
        meta = load_meta_inferences(config.meta_inferences)
        unknown = sorted(set(meta["display"]) - set(displays))
        if unknown:
            raise DataValueError(
                f"{config.meta_inferences}: meta-inferences name displays this study does not "
                f"have: {', '.join(map(repr, unknown))}; its displays are "
                f"{', '.join(displays)}"
            )
        displays = {k: add_meta_inferences(d, meta) for k, d in displays.items()}
    return displays


def study_measure(config: StudyConfig) -> tuple[Any, Any]:
    """The sessions source and the instrument of a study: ``quant.instrument``, or any
    measure described by ``quant.measure`` (read once when its items are a column pattern).
    """
    measure = config.quant.measure
    if measure is None:
        return config.sessions, config.quant.instrument
    from mixedwai.quant.instruments.measure import (
        items_in_columns,
        measure_instrument,
        measure_name,
    )

    name = measure.name or measure_name(measure.score_column or measure.items or "")
    if measure.score_column is not None:
        return config.sessions, measure_instrument(name, scale=measure.scale,
                                                   score_column=measure.score_column)
    from mixedwai.io import read_table

    frame = read_table(config.sessions)
    numbers = items_in_columns(measure.items or "", list(frame.columns))
    return frame, measure_instrument(name, scale=measure.scale, items=numbers,
                                     item_column=measure.items)
