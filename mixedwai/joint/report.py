"""Run a whole study — both strands and their integration — and build its report.

:func:`analyse_study` reads the files a :class:`~mixedwai.joint.config.StudyConfig`
names, runs the quantitative strand, loads and codes the transcripts, links the
two and builds every joint display. :func:`build_report` turns the result into a
:class:`~mixedwai.joint.document.Document` (method, patterns, outcomes, themes,
joint displays, exclusions, parameters), and :func:`write_study` writes every
table (CSV), figure (PNG), ``report.html``, ``report.docx`` and ``report.md``
into a folder, all or nothing.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai.errors import DataValueError, MixedWAIWarning
from mixedwai.joint.config import StudyConfig, load_study_config
from mixedwai.joint.displays import (
    JointDisplay,
    case_ordered_display,
    statistics_by_themes,
    themes_by_outcome,
)
from mixedwai.joint.meta import add_meta_inferences, load_meta_inferences
from mixedwai.joint.pattern_columns import themes_by_pattern
from mixedwai.joint.quantitized import quantitized_themes
from mixedwai.joint.study import LinkedStudy, link_study

if TYPE_CHECKING:
    from mixedwai.qual.codebook import Codebook
    from mixedwai.qual.transcripts import Corpus
    from mixedwai.quant.study import QuantAnalysis

__all__ = ["STAGES", "StudyRun", "analyse_study", "run_study"]

#: The stages timed by :func:`analyse_study` and :func:`write_study`, in order.
STAGES = ("reading", "scoring", "clustering", "coding", "displays", "rendering")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class StudyRun:
    """Everything a study run computed.

    Attributes
    ----------
    config : StudyConfig
    quant : QuantAnalysis
    corpus : Corpus or None
    codebook : Codebook or None
    codings : pandas.DataFrame
    linked : LinkedStudy
    displays : dict of str to JointDisplay
    timings : dict of str to float
        Seconds spent in each stage of :data:`STAGES`.
    warnings : list of str
        Every mixedwai warning raised during the run, in order.
    """

    config: StudyConfig
    quant: QuantAnalysis
    corpus: Corpus | None
    codebook: Codebook | None
    codings: pd.DataFrame
    linked: LinkedStudy
    displays: dict[str, JointDisplay]
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


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
    from mixedwai.quant.data import read_cases, read_sessions
    from mixedwai.quant.scoring import score_wai
    from mixedwai.quant.study import analyse_quant

    config = study if isinstance(study, StudyConfig) else load_study_config(study)
    timer = _Timer(progress)
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always", MixedWAIWarning)
        cols = config.columns
        q = config.quant
        with timer.stage("reading"):
            sessions = read_sessions(
                config.sessions, case_col=cols.case_id, session_col=cols.session,
                es_col=cols.es_id, item_columns=cols.item_columns, instrument=q.instrument,
            )
            cases = read_cases(config.cases, case_col=cols.case_id, outcome=cols.outcome,
                               days_col=cols.days_to_outcome)
            corpus = codebook = None
            from mixedwai.qual.codebook import load_codebook

            if config.transcripts is not None:
                from mixedwai.qual.transcripts import load_corpus

                corpus = load_corpus(config.transcripts, case_pattern=config.qual.case_pattern,
                                     errors="collect")
                for path, message in corpus.errors:
                    warnings.warn(f"{path}: skipped: {message}", MixedWAIWarning, stacklevel=2)
                codebook = load_codebook(config.qual.codebook)
        with timer.stage("scoring"):
            scores = score_wai(sessions, instrument=q.instrument)
        with timer.stage("clustering"):
            options: dict[str, Any] = {
                "k": q.k, "k_rule": q.k_rule, "scores": q.scores, "n_sessions": q.n_sessions,
                "tie_seeds": q.tie_seeds, "tie_max_n": q.tie_max_n,
                "min_share": q.min_share, "max_k": q.max_k, "n_boot": q.n_boot,
                "random_state": q.random_state, "slope_threshold": q.slope_threshold,
                "curvature_threshold": q.curvature_threshold, "names": q.pattern_names,
                "level_rule": q.level_rule,
            }
            if q.refine is not None:
                options["refine"] = q.refine
            quant = analyse_quant(sessions, cases, instrument=q.instrument,
                                  outcome=cols.outcome, days=cols.days_to_outcome,
                                  attributes=q.attributes, scored=scores, **options)
            caught += quant.warnings
        with timer.stage("coding"):
            codings = pd.DataFrame()
            if corpus is not None and codebook is not None:
                from mixedwai.qual.coding import code_corpus

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
    return StudyRun(config=config, quant=quant, corpus=corpus, codebook=codebook,
                    codings=codings, linked=linked, displays=displays, timings=timer.timings,
                    warnings=list(dict.fromkeys(caught)))


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
    from mixedwai.joint.output import write_study

    run = analyse_study(study, progress=progress)
    written = write_study(run, out_dir, progress=progress)
    return run, written
