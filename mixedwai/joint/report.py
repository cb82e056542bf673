"""The study report's content: what was computed, with which parameters, and what came out.

:func:`build_report` assembles a :class:`~mixedwai.joint.render.document.Document` from a
:class:`~mixedwai.joint.result.StudyRun`: method (instrument, scores, Ward, the k
rule and its parameters, codebook and version, mixedwai version), patterns
(Table 2 and Figure 2 analogues, the k-selection table and the reason), outcomes
(pattern × outcome with the exact test, score-outcome tests, Table 1 and time to
outcome), themes (code frequencies), the joint displays, and every exclusion
with its reason — so a reviewer can reproduce the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.joint.render.document import Document
from mixedwai.quant.ward.ties import TIE_ARI_WARNING

if TYPE_CHECKING:
    from mixedwai.joint.result import StudyRun

__all__ = ["build_report"]


def _fmt(value: object, digits: int = 2) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.{digits}f}"
    return "" if value is None else str(value)


def _param(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def _rounded(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Floats as text with ``digits`` decimals, and snake_case headings as words."""
    out = frame.copy()
    out.columns = [str(c).replace("_", " ") for c in out.columns]
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(lambda v, d=digits: _fmt(v, d))
    return out


def build_report(run: StudyRun, figures: dict[str, bytes] | None = None) -> Document:
    """Build the whole-study report document.

    Parameters
    ----------
    run : StudyRun
    figures : dict of str to bytes, optional
        PNG figures (``trajectories``, ``dendrogram``) to embed.

    Returns
    -------
    Document

    Examples
    --------
    >>> from mixedwai.joint.analysis import analyse_study
    >>> doc = build_report(analyse_study("sample_corpus"))
    >>> [b.text for b in doc.blocks if type(b).__name__ == "Heading" and b.level == 1]
    ['Method', 'Alliance patterns', 'Patterns and outcome', 'Themes', 'Joint displays', \
'Exclusions and warnings', 'Reproducibility']
    """
    from mixedwai import __version__

    config = run.config
    quant = run.quant
    clusters = quant.clusters
    params = clusters.params
    figures = figures or {}
    doc = Document(config.name)

    # ------------------------------------------------------------------ method
    n_cases = len(quant.cases) if quant.cases is not None else clusters.matrix.shape[0]
    doc.heading("Method")
    label = quant.measure_label
    scored = (
        f"Working alliance was scored with the instrument '{config.quant.instrument}' "
        "(global score = mean of the keyed items)."
        if config.quant.measure is None else
        f"The repeated measure was {label} (scale {params.get('scale', '?')}"
        + (f"; the mean of the items {config.quant.measure.items}"
           if config.quant.measure.items else "") + ")."
    )
    doc.paragraph(
        f"{scored} Trajectories are each case's first "
        f"{config.quant.n_sessions} sessions; {clusters.matrix.shape[0]} of {n_cases} cases had "
        f"them all and entered the clustering. Clustering used Ward's minimum variance method on "
        f"{config.quant.scores.upper()} scores"
        + (" (level and shape together, de Roten et al. 2004)." if config.quant.scores == "direct"
           else " (each score minus the case's own mean: shape only, Kivlighan & Shaughnessy "
           "2000).")
    )
    doc.paragraph(
        f"The number of clusters was chosen as follows: {clusters.k_reason} "
        f"(minimum cluster share {config.quant.min_share:.0%}, k = 2..{config.quant.max_k}, "
        f"{config.quant.n_boot} bootstrap resamples for stability, seed "
        f"{config.quant.random_state})."
    )
    doc.paragraph(
        "Ward's tree is computed exactly on the distinct score rows, weighted by how many cases "
        "share each row, so the same data always give the same partition whatever the row order "
        f"(tie rule: {params.get('tie_rule', 'canonical')})."
    )
    for line in clusters.summary().splitlines()[2:]:
        doc.paragraph(line)
    ties = clusters.tie_sensitivity
    if ties is not None:
        refined = "refined_ari_median" in ties
        median = ties["refined_ari_median"] if refined else ties["ari_median"]
        if median < TIE_ARI_WARNING:
            doc.paragraph(
                "Warning: these patterns depend on arbitrary tie-breaking (median ARI "
                f"{median:.2f} between the canonical partition and partitions with ties broken "
                "at random" + (", after k-means refinement)." if refined
                               else "); consider refine: kmeans."), italic=True
            )
    if run.codebook is not None:
        n_docs = len(run.corpus) if run.corpus is not None else 0
        others = "".join(
            f"; transcripts in '{lang}' with '{name}'"
            for lang, name in (config.qual.codebooks or {}).items()
            if lang != run.codebook.language
        )
        doc.paragraph(
            f"{n_docs} interview transcripts were coded with the codebook "
            f"'{run.codebook.name}' version {run.codebook.version} ({run.codebook.language}"
            f"{others}), "
            f"unit: {config.qual.unit or run.codebook.unit}, speakers coded: "
            f"{', '.join(config.qual.speakers or run.codebook.speakers or ['everyone'])}. "
            "Codes were applied by the codebook's rules (lemmas, phrases and token patterns); "
            "they are candidates for the analyst to review, not a substitute for reading."
        )

    # ------------------------------------------------------------------ patterns
    doc.heading("Alliance patterns")
    doc.table(_rounded(clusters.profile.reset_index()), "Table 2 analogue: patterns, size and "
              f"mean {label} (SD) at each time")
    if "trajectories" in figures:
        doc.figure(f"Figure 2 analogue: mean {label} by time, one line per pattern",
                   figures["trajectories"])
    doc.table(_rounded(clusters.k_selection), "Choice of the number of clusters",
              (clusters.k_reason,), landscape=True)
    if "dendrogram" in figures:
        doc.figure("Dendrogram (Ward)", figures["dendrogram"])

    # ------------------------------------------------------------------ outcomes
    doc.heading("Patterns and outcome")
    if quant.crosstab is not None:
        x = quant.crosstab
        doc.table(_rounded(x.to_frame()), f"Outcome ({config.outcome_label}) by pattern")
        doc.paragraph(x.summary())
        if x.warning:
            doc.paragraph(x.warning, italic=True)
    tables = run.tables
    for name, title in (
        ("score_tests", f"{label} scores and the outcome (Mann-Whitney U, point-biserial r)"),
        ("descriptives", "Table 1 analogue: outcome by client attribute"),
        ("characteristics", "Table 3 analogue: client characteristics by pattern"),
        ("time_to_outcome", "Days to the outcome among those who reached it, by pattern"),
    ):
        if name in tables:
            doc.table(_rounded(tables[name]), title, landscape=name == "characteristics")

    # ------------------------------------------------------------------ themes
    doc.heading("Themes")
    if "code_frequencies" in run.tables:
        doc.table(_rounded(run.tables["code_frequencies"]),
                  "Codes by category: segments, documents and cases coded")
    else:
        doc.paragraph("No transcripts were coded.")

    # ------------------------------------------------------------------ joint
    doc.heading("Joint displays")
    for display in run.displays.values():
        doc.table(display)

    # ------------------------------------------------------------------ exclusions
    doc.heading("Exclusions and warnings")
    excluded = clusters.excluded
    if len(excluded):
        doc.table(excluded, f"Cases excluded from the clustering ({len(excluded)})")
    if "trajectory_notes" in tables:
        doc.table(tables["trajectory_notes"], "Cases whose first sessions are not numbered 1..N")
    if "left_out_of_tables" in tables:
        doc.table(tables["left_out_of_tables"], "Clustered cases left out of descriptive tables")
    unlinked = run.linked.links[run.linked.links["status"] != "linked"]
    if len(unlinked):
        doc.table(unlinked.fillna(""), "Cases and transcripts not linked across strands")
    doc.bullets(run.warnings)

    # ------------------------------------------------------------------ reproducibility
    doc.heading("Reproducibility")
    rows = [("mixedwai version", __version__), ("study", str(config.root)),
            ("quant.instrument", config.quant.instrument)]
    rows += [(f"clustering.{k}", _param(v)) for k, v in params.items()]
    rows += [(f"qual.{k}", _param(v)) for k, v in config.qual.model_dump().items()]
    if run.codebook is not None:
        rows.append(("codebook version", f"{run.codebook.name} {run.codebook.version}"))
    doc.table(pd.DataFrame(rows, columns=["parameter", "value"]), "Parameters of this run")
    return doc
