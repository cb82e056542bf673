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

from mixedwai.errors import DataValueError, MixedWAIWarning, OutcomeValueError, StudyConfigError
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
    from mixedwai.quant.data.cases import CATEGORICAL_HINT, read_cases
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
            try:
                cases = read_cases(config.cases, case_col=cols.case_id, outcome=cols.outcome,
                                   days_col=cols.days_to_outcome)
            except OutcomeValueError as error:
                raise OutcomeValueError(
                    str(error).replace(CATEGORICAL_HINT, "")
                    + "\nA whole study (mixedwai run) needs a yes/no outcome, which its "
                    "displays and report cross with the themes; cluster an outcome of other "
                    "levels with: mixedwai cluster SESSIONS --cases CASES "
                    "--outcome-type categorical") from None
            corpus, codebook, people = _read_qual(config)
            use = config.qual.displays_use or ("people" if people is not None else "rules")
            if use != "rules" and people is None and corpus is not None:
                raise StudyConfigError(
                    f"{config.root}: qual.displays_use is {use!r}, but the study has no "
                    "people's codings; name a .qdpx as transcripts or give qual.codings"
                )
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
            rules = pd.DataFrame()
            if corpus is not None and codebook is not None and use in ("rules", "both"):
                from mixedwai.qual.codebook.loading import load_codebook
                from mixedwai.qual.coding.apply import code_corpus

                books: Codebook | dict[str, Codebook] = codebook
                if config.qual.codebooks:
                    books = {codebook.language: codebook}
                    books.update({lang: load_codebook(name)
                                  for lang, name in config.qual.codebooks.items()})
                rules = code_corpus(corpus, books, unit=config.qual.unit,
                                    speakers=config.qual.speakers)
            codings = rules
            if use == "people" and people is not None:
                codings = people
            elif use == "both" and people is not None:
                from mixedwai.qual.coding.apply import merge_codings

                codings = merge_codings(rules, people)
            if people is None:
                every_coding = rules
            elif not len(rules):
                every_coding = people
            else:
                every_coding = codings if use == "both" else _merged(rules, people)
            manual = pd.DataFrame()
            reliability = None
            if corpus is not None and codebook is not None:
                from mixedwai.joint.coders import coder_agreement, read_people_codings

                unit = config.qual.unit or codebook.unit
                if config.qual.manual_codings:
                    manual = read_people_codings(config.qual.manual_codings, corpus, codebook,
                                                 unit=unit)
                reliability = coder_agreement(
                    rules, manual, corpus, codebook, unit=unit,
                    speakers=config.qual.speakers, reference=config.qual.reference_coder,
                    random_state=config.quant.random_state,
                )
        with timer.stage("displays"):
            linked = link_study(
                quant.clusters, cases, corpus, codings, codebook, outcome=cols.outcome,
                days=cols.days_to_outcome, outcome_label=config.outcome_label,
                no_outcome_label=config.no_outcome_label,
            )
            pinned = None
            if config.quotes is not None:
                from mixedwai.joint.displays.exemplars import load_pinned_quotes

                pinned = load_pinned_quotes(config.quotes, corpus)
            displays = build_displays(linked, config, pinned=pinned)
    for record in records:  # recorded for the report, and passed on to the caller
        if issubclass(record.category, MixedWAIWarning):
            caught.append(str(record.message))
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    run = StudyRun(config=config, quant=quant, corpus=corpus, codebook=codebook,
                   codings=codings, linked=linked, displays=displays, timings=timer.timings,
                   warnings=list(dict.fromkeys(caught)), people_codings=people,
                   cases=_study_cases(cases, linked), manual_codings=manual,
                   reliability=reliability)
    with timer.stage("displays"):
        return _with_outputs(run, every_coding)


def _read_qual(config: StudyConfig) -> tuple[Any, Any, pd.DataFrame | None]:
    """The corpus, the codebook and the people's codings a study names.

    ``transcripts`` may be a REFI-QDA project (``.qdpx``): its text sources are the
    transcripts and its codings the people's. ``qual.codings`` may name people's
    codings (another ``.qdpx`` or a manual codings table), checked against the
    transcripts. When the displays use the people's codings only and study.yaml names
    no codebook, the project's own code tree is the codebook.
    """
    from mixedwai.qual.codebook.loading import load_codebook

    if config.transcripts is None:
        return None, None, None
    people = project_codebook = None
    explicit_codebook = "codebook" in config.qual.model_fields_set
    if config.transcripts.suffix.lower() == ".qdpx":
        from mixedwai.exchange.reading import read_qdpx

        project = read_qdpx(config.transcripts, case_pattern=config.qual.case_pattern,
                            default_speaker=config.qual.default_speaker or "speaker")
        corpus = project.corpus
        people, project_codebook = project.codings, project.codebook
        _warn_mismatches(config.transcripts, project)
    else:
        from mixedwai.qual.transcripts.loading import load_corpus

        corpus = load_corpus(config.transcripts, case_pattern=config.qual.case_pattern,
                             errors="collect", default_speaker=config.qual.default_speaker)
        for path, message in corpus.errors:
            warnings.warn(f"{path}: skipped: {message}", MixedWAIWarning, stacklevel=3)
    other = None
    if config.qual.codings is not None and Path(config.qual.codings).suffix.lower() == ".qdpx":
        from mixedwai.exchange.reading import read_qdpx

        other = read_qdpx(config.qual.codings, case_pattern=config.qual.case_pattern)
        _warn_mismatches(Path(config.qual.codings), other)
        project_codebook = other.codebook
    use = config.qual.displays_use or (
        "people" if people is not None or config.qual.codings is not None else "rules")
    if use == "people" and not explicit_codebook and project_codebook is not None:
        codebook = project_codebook
    else:
        codebook = load_codebook(config.qual.codebook)
    if config.qual.codings is not None:
        from mixedwai.qual.coding.manual import load_manual_codings

        table: Any = config.qual.codings
        if other is not None:  # spans checked against these transcripts by their text
            table = other.codings[["doc_id", "start", "end", "code_id", "coder", "text"]]
            table.attrs["source"] = str(config.qual.codings)
        people = load_manual_codings(table, corpus, codebook)
    if people is not None:
        unknown = sorted(set(people["code_id"]) - set(codebook.code_ids))
        if unknown:
            raise StudyConfigError(
                f"{config.root}: the people's codings use codes that are not in the codebook "
                f"{codebook.name!r}: {', '.join(unknown[:20])}; name the project's codebook "
                "(qual.codebook) or set qual.displays_use: people"
            )
    return corpus, codebook, people


def _warn_mismatches(path: Path, project: Any) -> None:
    problems = project.mismatches
    if len(problems):
        counts = ", ".join(f"{n} {status}" for status, n in
                           problems["status"].value_counts().sort_index().items())
        warnings.warn(f"{path}: selections not imported or doubtful: {counts} (see "
                      "'mixedwai qdpx import' selections.csv)", MixedWAIWarning, stacklevel=4)
    for row in project.skipped.itertuples(index=False):
        warnings.warn(f"{path}: {row.kind} {row.name!r}: {row.what_happened}",
                      MixedWAIWarning, stacklevel=4)


def _merged(rules: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    from mixedwai.qual.coding.apply import merge_codings

    return merge_codings(rules, people)


def _study_cases(cases: pd.DataFrame, linked: LinkedStudy) -> pd.DataFrame:
    """Every case with its attributes, and its cluster and pattern when clustered."""
    table = cases.copy()
    clustered = linked.case_table
    table["cluster"] = clustered["cluster"].reindex(table.index).astype("Int64")
    for column in ("pattern", "abbrev"):
        table[column] = clustered[column].reindex(table.index).astype(object)
    table = table.map(lambda v: ";".join(map(str, v)) if isinstance(v, tuple) else v)
    return table


def _with_outputs(run: StudyRun, every_coding: pd.DataFrame | None = None) -> StudyRun:
    """The run with every table, figure and document its outputs show."""
    from mixedwai.joint.render.formats import display_csv_frames
    from mixedwai.joint.report import build_report

    tables = dict(run.quant.tables())
    if len(run.codings):
        from mixedwai.qual.retrieval.matrices import code_frequencies, code_matrix

        tables["codings"] = run.codings
        # the study chose whose codings the displays use (qual.displays_use): a segment
        # coded by any of them counts, as in the displays
        tables["code_matrix"] = code_matrix(
            run.codings, cases=list(run.linked.case_table.index), coders="any").reset_index()
        if run.codebook is not None:
            tables["code_frequencies"] = code_frequencies(run.codings, run.codebook,
                                                          coders="any")
    if len(run.manual_codings):
        tables["manual_codings"] = run.manual_codings
    if run.reliability is not None:
        tables["agreement"] = run.reliability.table
        tables["disagreements"] = run.reliability.disagreements
        if run.reliability.validation is not None:
            tables["validation"] = run.reliability.validation
    tables["links"] = run.linked.links
    tables["linked_cases"] = run.linked.case_table.reset_index().map(
        lambda v: v if not isinstance(v, tuple) else ";".join(map(str, v)))
    display_frames: dict[str, pd.DataFrame] = {}
    for display in run.displays.values():
        display_frames.update(display_csv_frames(display))
    run = dataclasses.replace(run, tables=tables, display_frames=display_frames,
                              figures=run.quant.figures(), member_checks=_member_checks(run),
                              qdpx=_study_qdpx(run, every_coding))
    return dataclasses.replace(run, report=build_report(run, run.figures))


def _study_qdpx(run: StudyRun, every_coding: pd.DataFrame | None) -> bytes | None:
    """``study.qdpx``: transcripts, codebook, every coding, one case per case."""
    from mixedwai.exchange.writing import qdpx_bytes

    if run.corpus is None or run.codebook is None:
        return None
    codings = run.codings if every_coding is None else every_coding
    if len(codings):
        known = set(run.codebook.code_ids)
        outside = codings[~codings["code_id"].isin(known)]
        if len(outside):
            warnings.warn(
                f"study.qdpx: {len(outside)} coding(s) of codes that are not in codebook "
                f"{run.codebook.name!r} are left out of the project: "
                f"{', '.join(sorted(set(outside['code_id']))[:10])}",
                MixedWAIWarning, stacklevel=3,
            )
            codings = codings[codings["code_id"].isin(known)]
    return qdpx_bytes(run.corpus, codings=codings if len(codings) else None,
                      codebook=run.codebook, cases=run.cases, name=run.config.name)


def _member_checks(run: StudyRun) -> dict[tuple[str, str], Document]:
    """The member-check summaries, one per interview, by (ES id, case id).

    Each interview's summary is in that interview's language and belongs to the
    ES who gave it; no document holds another ES's clients.
    """
    from mixedwai.ids import es_id_of
    from mixedwai.joint.membercheck import WORDS, member_check_document
    from mixedwai.qual.codebook.loading import load_codebook

    if run.corpus is None:
        return {}
    language_of = {t.case_id: t.language for t in run.corpus if t.case_id is not None}
    books = {lang: load_codebook(name)
             for lang, name in (run.config.qual.codebooks or {}).items()}
    documents: dict[tuple[str, str], Document] = {}
    interviewed = run.linked.interviewed
    for case_id in interviewed.index:
        language = language_of.get(case_id) or "en"
        language = language if language in WORDS else "en"
        es = interviewed.at[case_id, "es_id"]
        es = str(es) if es is not None and not pd.isna(es) else (es_id_of(case_id) or "unknown")
        documents[(es, str(case_id))] = member_check_document(
            run.linked, case_id, language=language, codebook=books.get(language))
    return documents


def build_displays(
    linked: LinkedStudy, config: StudyConfig, *, pinned: pd.DataFrame | None = None
) -> dict[str, JointDisplay]:
    """Every joint display of a study, with meta-inferences attached when given.

    The statistics-by-themes display shows the codes (or categories) that
    ``qual.display_level`` and ``qual.display_themes`` of study.yaml choose;
    ``pinned`` quotes (from the study's ``quotes:`` file) win in every display.
    """
    if not len(linked.interviewed):  # quantitative strand only: no theme to display
        displays = {"case_ordered": case_ordered_display(linked, quotes=False)}
    else:
        level = config.qual.display_level
        themes = config.qual.display_themes
        if themes is not None:
            from mixedwai.joint.themes import theme_presence

            known = list(theme_presence(linked, level=level).columns)
            unknown = [t for t in themes if t not in known]
            if unknown:
                raise StudyConfigError(
                    f"{config.root / 'study.yaml'}: qual.display_themes names "
                    f"{', '.join(map(repr, unknown))}, which are not {level} ids of the "
                    f"codebook; its {level} ids are {', '.join(known)}"
                )
        displays = {
            "statistics_by_themes": statistics_by_themes(linked, level=level, themes=themes,
                                                         pinned=pinned),
            "themes_by_pattern": themes_by_pattern(linked, level="code", pinned=pinned),
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
