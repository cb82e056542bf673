"""The whole quantitative strand in one call: scores, clusters, patterns, outcomes.

:func:`analyse_quant` chains :func:`~mixedwai.score_wai`,
:func:`~mixedwai.cluster_trajectories` and the outcome statistics, and returns
every table the ``mixedwai cluster`` command and the study report write. It adds
no analysis of its own.

Examples
--------
>>> import mixedwai as mw
>>> q = analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
...                   mw.read_cases("sample_corpus/cases.csv"), n_boot=0)
>>> q.clusters.k, sorted(q.tables())[:3]
(3, ['characteristics', 'clusters', 'crosstab'])
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mixedwai._validation import require_columns
from mixedwai.errors import MixedWAIWarning, OptionError
from mixedwai.quant.instruments.scoring import score_wai
from mixedwai.quant.outcomes.crosstab import CrosstabResult, outcome_crosstab
from mixedwai.quant.outcomes.descriptives import (
    characteristics_by_pattern,
    outcome_by_attribute,
    time_to_outcome,
)
from mixedwai.quant.outcomes.score_tests import score_outcome_tests
from mixedwai.quant.trajectories import build_trajectories
from mixedwai.quant.ward.clustering import cluster_trajectories
from mixedwai.quant.ward.result import ClusterResult

__all__ = ["QuantAnalysis", "analyse_quant", "default_attributes"]

#: Case-table columns that are not client attributes.
NON_ATTRIBUTES = {"case_id", "es_id", "days_to_job", "interviewed", "notes", "comment"}


@dataclass(frozen=True)
class QuantAnalysis:
    """Everything the quantitative strand computed, with the options used.

    Attributes
    ----------
    scores : pandas.DataFrame
        :func:`~mixedwai.score_wai` output.
    clusters : ClusterResult
    cases : pandas.DataFrame or None
    crosstab : CrosstabResult or None
        Pattern × outcome (``None`` without a cases table).
    score_tests, descriptives, characteristics, time_to_outcome : pandas.DataFrame or None
    warnings : list of str
        Warnings raised while computing (e.g. small expected counts), in order.
    case_ids : dict of str to str
        Each canonical case id with its spelling in the sessions table; the tables
        written one row per case or session (``clusters``, ``scores``, ``excluded``
        ...) give the ids as written, so they join back to the user's table.
    """

    scores: pd.DataFrame
    clusters: ClusterResult
    cases: pd.DataFrame | None = None
    outcome: str = "job"
    crosstab: CrosstabResult | None = None
    score_tests: pd.DataFrame | None = None
    descriptives: pd.DataFrame | None = None
    characteristics: pd.DataFrame | None = None
    time_to_outcome: pd.DataFrame | None = None
    trajectory_notes: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    case_ids: dict[str, str] = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by file stem (``clusters`` → ``clusters.csv``).

        Case ids in the tables written one row per case or session are spelt as
        in the sessions table (see ``case_ids``).
        """
        c = self.clusters
        out: dict[str, pd.DataFrame] = {
            "clusters": c.to_frame(),
            "profile": c.profile.reset_index(),
            "schedule": c.schedule,
            "k_selection": c.k_selection,
            "patterns": c.patterns.reset_index(),
            "parameters": pd.DataFrame(
                [(k, _text(v)) for k, v in c.params.items()], columns=["parameter", "value"]
            ),
            "excluded": c.excluded,
            "scores": self.scores,
        }
        if c.refinement is not None:
            out["refinement_moved"] = c.refinement["moved"]
        if self.trajectory_notes is not None and len(self.trajectory_notes):
            out["trajectory_notes"] = self.trajectory_notes
        left_out = self.left_out_of_tables()
        if len(left_out):
            out["left_out_of_tables"] = left_out
        if self.crosstab is not None:
            out["outcomes"] = self.crosstab.to_frame()
            out["crosstab"] = self.crosstab_frame()
            out["outcome_test"] = self.crosstab_test_frame()
        index_names = {"score_tests": "time", "time_to_outcome": "pattern",
                       "descriptives": "row", "characteristics": "row"}
        for name, index_name in index_names.items():
            value = getattr(self, name)
            if value is not None:
                out[name] = _index_as_column(value, index_name)
        for name in ("clusters", "scores", "excluded", "trajectory_notes", "left_out_of_tables",
                     "refinement_moved"):
            if name in out and "case_id" in out[name].columns and self.case_ids:
                frame = out[name].copy()
                frame["case_id"] = [self.case_ids.get(v, v) if isinstance(v, str) else v
                                    for v in frame["case_id"]]
                out[name] = frame
        return out

    def left_out_of_tables(self) -> pd.DataFrame:
        """Clustered cases left out of a descriptive table, with the table and the reason."""
        rows = [
            {"table": name, "case_id": case_id, "reason": reason}
            for name in ("characteristics", "time_to_outcome")
            if getattr(self, name) is not None
            for case_id, reason in getattr(self, name).attrs.get("excluded", {}).items()
        ]
        return pd.DataFrame(rows, columns=["table", "case_id", "reason"])

    def crosstab_frame(self) -> pd.DataFrame:
        """Pattern × outcome: counts, % within pattern and % of all cases, one row per pattern."""
        x = self.crosstab
        if x is None:
            return pd.DataFrame()
        parts = [x.counts.add_prefix("n_"), x.pct_within.add_prefix("pct_within_"),
                 x.pct_overall.add_prefix("pct_overall_")]
        frame = pd.concat(parts, axis=1)
        frame.index.name = "pattern"
        return frame.reset_index()

    def summary(self) -> str:
        """What was clustered and why k, then the pattern × outcome result, as plain text."""
        lines = [self.clusters.summary()]
        if self.crosstab is not None:
            lines.append(self.crosstab.summary())
        return "\n".join(lines) + "\n"

    def crosstab_test_frame(self) -> pd.DataFrame:
        """The exact test of pattern × outcome as a one-row table."""
        x = self.crosstab
        if x is None:
            return pd.DataFrame()
        return pd.DataFrame([{
            "test": "Freeman-Halton exact test",
            "p_value": x.test.p_value,
            "method": x.test.method,
            "cramers_v": x.cramers_v,
            "min_expected": x.min_expected,
            "warning": x.warning or "",
        }])

    @property
    def measure(self) -> str:
        """The repeated measure's name, as in the scores table (``"wai"``, ``"bdi"``)."""
        return str(self.clusters.params.get("measure", "wai"))

    @property
    def measure_label(self) -> str:
        """The measure's name in text and figures (``"WAI"``, ``"bdi"``)."""
        return "WAI" if self.measure == "wai" else self.measure

    def figure_objects(self) -> dict[str, Any]:
        """The trajectory figure and the dendrogram as matplotlib Figures.

        ``trajectories``: the mean score at each time, one line per pattern, each
        line named at its end; the axis runs over the measure's scale and is
        labelled with its name (``Mean bdi score``, 0..63); above
        :data:`~mixedwai.quant.plots.BAND_MIN_N` cases each pattern's 10th-90th
        percentile band is drawn behind its mean. ``dendrogram``: Ward's tree,
        each pattern named above its cases, cases spelt ``ES#11_C4``; above 1000
        cases the top merges without a mark per hidden merge.
        """
        from mixedwai.ids import display_case_id
        from mixedwai.quant.plots import (
            BAND_MIN_N,
            pattern_bands,
            plot_dendrogram,
            plot_trajectories,
        )

        c = self.clusters
        low, high = (float(v) for v in c.params.get("scale", "1..7").split(".."))
        bands = pattern_bands(c.matrix, c.labels["cluster"]) if len(c.matrix) > BAND_MIN_N \
            else None
        names = dict(zip(c.profile.index, c.profile["abbrev"].astype(str), strict=True))
        labels = [display_case_id(str(i)) for i in c.scores.index] \
            if len(c.scores) <= 1000 else list(map(str, c.scores.index))
        return {
            "trajectories": plot_trajectories(
                c.profile, ylim=(low, high), ylabel=f"Mean {self.measure_label} score",
                bands=bands),
            "dendrogram": plot_dendrogram(c.tree.linkage, k=c.k, labels=labels,
                                          clusters=c.labels["cluster"], names=names),
        }

    def figures(self, *, dpi: int = 300) -> dict[str, bytes]:
        """Each figure as ``<name>.png`` (``dpi``), ``<name>.svg`` and ``<name>.pdf`` bytes.

        The figures are those of :meth:`figure_objects`.
        """
        from mixedwai.quant.plots import figure_bytes

        out = {}
        for name, fig in self.figure_objects().items():
            for fmt in ("png", "svg", "pdf"):
                out[f"{name}.{fmt}"] = figure_bytes(fig, fmt, dpi=dpi)
        return out


def _text(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return "" if value is None else str(value)


def _index_as_column(frame: pd.DataFrame, default: str) -> pd.DataFrame:
    """The index as a first column (named ``default`` when unnamed); a plain range is dropped."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame
    if frame.index.nlevels == 1 and frame.index.name is None:
        frame = frame.rename_axis(default)
    return frame.reset_index()


def default_attributes(cases: pd.DataFrame, outcome: str = "job") -> list[str]:
    """Client attributes for Table 1/3: every case column but ids, outcome and days.

    Examples
    --------
    >>> import mixedwai as mw
    >>> default_attributes(mw.read_cases("sample_corpus/cases.csv"))
    ['diagnosis', 'time_out_of_work', 'benefits', 'age', 'sex']
    """
    return [c for c in cases.columns if c not in NON_ATTRIBUTES and c != outcome]


def analyse_quant(
    sessions: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    *,
    instrument: Any = "wai-s-es",
    outcome: str = "job",
    days: str = "days_to_job",
    attributes: list[str] | None = None,
    scored: pd.DataFrame | None = None,
    level_order: Mapping[str, Sequence[object]] | None = None,
    **cluster_options: Any,
) -> QuantAnalysis:
    """Score, cluster and relate patterns to the outcome.

    Parameters
    ----------
    sessions : pandas.DataFrame
        :func:`~mixedwai.read_sessions` output.
    cases : pandas.DataFrame, optional
        :func:`~mixedwai.read_cases` output; without it, no outcome tables.
    instrument : str, path or Instrument, default="wai-s-es"
        A shipped form, a YAML file, or any measure
        (:func:`~mixedwai.quant.instruments.measure.measure_instrument`).
    outcome, days : str
        Column names in ``cases``. A yes/no outcome gets every table; a
        categorical one (a ``Categorical`` column, as
        ``read_cases(..., outcome_type="categorical")`` gives, or values none
        of which is a yes/no spelling) gets the crosstab, its exact test and
        the characteristics table; the score tests, Table 1 and the time to
        outcome need a yes/no outcome. The time to outcome is computed only
        when ``cases`` has the ``days`` column.
    attributes : list of str, optional
        Client attributes for Table 1 and Table 3 (default:
        :func:`default_attributes`).
    scored : pandas.DataFrame, optional
        :func:`~mixedwai.score_wai` output when already computed (``sessions`` is
        then not read at all: pass ``scored`` itself, so that the item table
        can be freed before the analysis).
    level_order : mapping of str to list, optional
        Column -> its levels in the order wanted, for the outcome (the
        crosstab's columns) and the client attributes (Tables 1 and 3).
    **cluster_options
        Passed to :func:`~mixedwai.cluster_trajectories` (``k``, ``scores``,
        ``n_sessions``, ``min_share``, ``max_k``, ``n_boot``, ``random_state`` ...).

    Returns
    -------
    QuantAnalysis

    Examples
    --------
    >>> import mixedwai as mw
    >>> q = analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
    ...                   mw.read_cases("sample_corpus/cases.csv"), n_boot=0)
    >>> q.crosstab_frame()[["pattern", "n_yes", "n_total", "pct_within_yes"]].round(1)
      pattern  n_yes  n_total  pct_within_yes
    0     SHA      4        5            80.0
    1     LDA      1        3            33.3
    2     SLA      7       10            70.0
    3   total     12       18            66.7
    """
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always", MixedWAIWarning)
        scores = score_wai(sessions, instrument=instrument) if scored is None else scored
        trajectories = build_trajectories(scores, n_sessions=cluster_options.get("n_sessions", 3))
        notes = trajectories.notes[trajectories.notes != ""]
        trajectory_notes = pd.DataFrame({"case_id": notes.index.astype(str),
                                         "note": notes.to_numpy()})
        clusters = cluster_trajectories(trajectories, **cluster_options)  # built once, above
        crosstab = score_tests = descriptives = characteristics = times = None
        if cases is not None:
            clustered = clusters.matrix.index
            in_cases = cases.loc[cases.index.intersection(clustered)]
            order = list(clusters.profile["abbrev"])  # cluster order: highest level first
            orders = dict(level_order or {})
            require_columns(cases, [outcome])
            crosstab = outcome_crosstab(clusters.labels["abbrev"], cases[outcome], order=order,
                                        levels=orders.pop(outcome, None),
                                        random_state=cluster_options.get("random_state", 0))
            attrs = [a for a in (default_attributes(cases, outcome) if attributes is None
                                 else attributes) if a != days]
            unknown = [k for k in orders if k not in attrs and k != "es_id"]
            if unknown:
                raise OptionError(
                    "level_order names column(s) " + ", ".join(repr(k) for k in unknown)
                    + " that are neither the outcome nor a described attribute; described: "
                    + ", ".join(repr(a) for a in [outcome, *attrs]))
            if crosstab.binary:  # these compare the two outcome groups
                score_tests = score_outcome_tests(clusters.matrix, cases[outcome])
                categorical = [a for a in attrs if not pd.api.types.is_numeric_dtype(
                    pd.to_numeric(in_cases[a], errors="coerce").dropna())
                    or in_cases[a].nunique() <= 6]
                descriptives = outcome_by_attribute(
                    in_cases, categorical, outcome=outcome,
                    level_order={k: v for k, v in orders.items() if k in categorical} or None,
                ) if categorical else None
                if days in cases.columns:  # time to outcome only when its column is there
                    times = time_to_outcome(in_cases, outcome=outcome, days=days,
                                            by=clusters.labels["abbrev"], order=order)
            characteristics = characteristics_by_pattern(
                in_cases, clusters.labels["abbrev"], attrs, order=order,
                level_order=orders or None) if attrs else None
    for record in records:  # recorded for the report, and passed on to the caller
        if issubclass(record.category, MixedWAIWarning):
            caught.append(str(record.message))
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno)
    return QuantAnalysis(
        scores=scores, clusters=clusters, cases=cases, outcome=outcome, crosstab=crosstab,
        score_tests=score_tests, descriptives=descriptives, characteristics=characteristics,
        time_to_outcome=times, trajectory_notes=trajectory_notes, warnings=caught,
        case_ids=dict(sessions.attrs.get("case_ids") or {}),
    )
