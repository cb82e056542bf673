"""The study report's content: what was computed, with which parameters, and what came out.

:func:`build_report` assembles a :class:`~mixedwai.joint.render.document.Document` from a
:class:`~mixedwai.joint.result.StudyRun`: method (instrument, scores, Ward, the k
rule and its parameters, codebook and version, mixedwai version), patterns
(Table 2 and Figure 2 analogues, the k-selection table and the reason), outcomes
(pattern × outcome with the exact test, score-outcome tests, Tables 1 and 3, time to
outcome), themes (code frequencies), the joint displays (the case-ordered one as a
compact case × theme matrix), every exclusion with its reason, and a technical
appendix (pattern stability, every criterion for k, tie sensitivity, the parameters)
— so a reviewer can reproduce the run. The publication tables come from
:mod:`mixedwai.quant.tables`, built once and rendered by every format; case ids are
spelt the paper's way (``ES#11_C4``) throughout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai.ids import display_case_id
from mixedwai.joint.displays.matrix import case_matrix
from mixedwai.joint.render.document import Document
from mixedwai.quant.tables.characteristics import (
    INDENT,
    characteristics_table,
    label_of,
    outcome_by_characteristic_table,
)
from mixedwai.quant.tables.model import PublicationTable
from mixedwai.quant.tables.outcomes import days_table, outcome_by_pattern_table, score_tests_table
from mixedwai.quant.tables.patterns import pattern_diagnostics_table, pattern_label, patterns_table
from mixedwai.quant.tables.selection import k_criteria_table, k_table
from mixedwai.quant.tables.text import coefficient, n_pct, number
from mixedwai.quant.ward.ties import TIE_ARI_WARNING

if TYPE_CHECKING:
    from mixedwai.joint.result import StudyRun

__all__ = ["build_report"]


def _param(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """snake_case headings as words, and case ids spelt the paper's way (``ES#11_C4``)."""
    out = frame.copy()
    for column in out.columns:
        if str(column) == "case_id":
            out[column] = out[column].map(lambda v: v if pd.isna(v) else display_case_id(str(v)))
    out.columns = [label_of(str(c)) if str(c) != "case_id" else "Case" for c in out.columns]
    return out


def _code_table(frequencies: pd.DataFrame) -> PublicationTable:
    """The codes by category: segments, interviews and cases coded (categories head groups)."""
    display, sheet, groups = [], [], []
    n_cases = 0
    for _, row in frequencies.iterrows():
        category = row["level"] == "category"
        if category:
            groups.append(len(display))
            n_cases = max(n_cases, int(row["n_cases"] / row["share_of_cases"])
                          if row["share_of_cases"] else 0)
        indent = INDENT * max(0, int(row["depth"]))
        display.append([indent + str(row["label"]), str(int(row["n_segments"])),
                        str(int(row["n_docs"])),
                        n_pct(row["n_cases"], 100 * float(row["share_of_cases"]))])
        sheet.append({"Level": row["level"], "Category": row["category_id"],
                      "Code": "" if pd.isna(row["code_id"]) else row["code_id"],
                      "Label": row["label"], "Segments": int(row["n_segments"]),
                      "Interviews": int(row["n_docs"]), "Cases": int(row["n_cases"]),
                      "% of cases": 100 * float(row["share_of_cases"])})
    return PublicationTable(
        "code_frequencies", "Codes by category: coded segments, interviews and cases",
        pd.DataFrame(display, columns=["Category and code", "Segments", "Interviews",
                                       "Cases, n (%)"]),
        pd.DataFrame(sheet), {"% of cases": "0.0"},
        ("Note. Segments = coded sentences; Interviews and Cases = how many interviews and "
         f"cases have the code at least once (percentages of the {n_cases} interviewed "
         "cases). Codes are candidates applied by the codebook's rules.",), tuple(groups))


def _trajectory_alt(run: StudyRun, measure: str) -> str:
    """What the trajectory figure shows, in words (its alt text)."""
    profile = run.quant.clusters.profile
    times = [c for c in profile.columns if str(c).endswith("_mean")]
    lines = []
    for _, row in profile.iterrows():
        points = ", ".join(f"{row[t]:.2f}" for t in times)
        lines.append(f"{pattern_label(row['pattern'], row['abbrev'])}, n = {int(row['n'])}: "
                     f"{points}")
    return (f"Line chart of the mean {measure} score at times 1 to {len(times)}, one line per "
            "pattern. " + "; ".join(lines) + ".")


def build_report(run: StudyRun, figures: dict[str, bytes] | None = None) -> Document:
    """Build the whole-study report document.

    Parameters
    ----------
    run : StudyRun
    figures : dict of str to bytes, optional
        Figures by file name; ``trajectories.png`` and ``dendrogram.png`` are embedded.

    Returns
    -------
    Document

    Examples
    --------
    >>> from mixedwai.joint.analysis import analyse_study
    >>> doc = build_report(analyse_study("sample_corpus"))
    >>> [b.text for b in doc.blocks if type(b).__name__ == "Heading" and b.level == 1]
    ['Method', 'Alliance patterns', 'Patterns and outcome', 'Themes', \
'Reliability of the coding', 'Joint displays', 'Exclusions and warnings', 'Technical appendix']
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
        sources = set(run.codings["source"]) if "source" in run.codings.columns else set()
        coders = sorted(set(run.codings.loc[run.codings["source"] == "manual", "coder"])) \
            if "manual" in sources else []
        if sources == {"manual"}:
            how = (f"Codes were applied by hand, by {', '.join(coders)}, in a QDA program or a "
                   "codings table; the displays show these people's codings.")
        elif "manual" in sources:
            how = ("The displays combine two codings: the codebook's rules (lemmas, phrases and "
                   f"token patterns) and the codings made by hand by {', '.join(coders)}.")
        else:
            how = ("Codes were applied by the codebook's rules (lemmas, phrases and token "
                   "patterns); they are candidates for the analyst to review, not a substitute "
                   "for reading.")
        doc.paragraph(
            f"{n_docs} interview transcripts were coded with the codebook "
            f"'{run.codebook.name}' version {run.codebook.version} ({run.codebook.language}"
            f"{others}), "
            f"unit: {config.qual.unit or run.codebook.unit}, speakers coded: "
            f"{', '.join(config.qual.speakers or run.codebook.speakers or ['everyone'])}. "
            + how
        )

    # ------------------------------------------------------------------ patterns
    measure = label
    labels = dict(config.labels)
    doc.heading("Alliance patterns")
    doc.table(patterns_table(clusters, measure=measure))
    if "trajectories.png" in figures:
        doc.figure(f"Mean {measure} score at each time, one line per pattern",
                   figures["trajectories.png"], alt=_trajectory_alt(run, measure))
    doc.table(k_table(clusters))

    # ------------------------------------------------------------------ outcomes
    doc.heading("Patterns and outcome")
    if quant.crosstab is not None:
        x = quant.crosstab
        doc.table(outcome_by_pattern_table(x, outcome_label=config.outcome_label,
                                           no_outcome_label=config.no_outcome_label))
    if quant.score_tests is not None:
        doc.table(score_tests_table(quant.score_tests, outcome_label=config.outcome_label,
                                    measure=measure))
    if quant.descriptives is not None:
        doc.table(outcome_by_characteristic_table(
            quant.descriptives, outcome_label=config.outcome_label, labels=labels))
    if quant.characteristics is not None:
        sizes = dict(zip(clusters.profile["abbrev"].astype(str), clusters.profile["n"],
                         strict=True))
        sizes["total"] = int(clusters.profile["n"].sum())
        names = dict(zip(clusters.profile["abbrev"].astype(str),
                         clusters.profile["pattern"].astype(str), strict=True))
        doc.table(characteristics_table(quant.characteristics, sizes=sizes, labels=labels,
                                        pattern_names=names))
    if quant.time_to_outcome is not None:
        doc.table(days_table(quant.time_to_outcome, outcome_label=config.outcome_label))
    tables = run.tables

    # ------------------------------------------------------------------ themes
    doc.heading("Themes")
    if "code_frequencies" in run.tables:
        doc.table(_code_table(run.tables["code_frequencies"]))
    else:
        doc.paragraph("No transcripts were coded.")

    # ------------------------------------------------------------------ reliability
    if run.reliability is not None:
        _reliability_section(doc, run)

    # ------------------------------------------------------------------ joint
    doc.heading("Joint displays")
    for key, display in run.displays.items():
        if key == "case_ordered" and len(run.linked.interviewed):
            doc.table(case_matrix(run.linked))
        else:
            doc.table(display)

    # ------------------------------------------------------------------ exclusions
    doc.heading("Exclusions and warnings")
    excluded = clusters.excluded
    if len(excluded):
        doc.table(_readable(excluded), f"Cases excluded from the clustering ({len(excluded)})",
                  key="excluded")
    if "trajectory_notes" in tables:
        doc.table(_readable(tables["trajectory_notes"]),
                  "Cases whose first sessions are not numbered 1..N", key="trajectory_notes")
    if "left_out_of_tables" in tables:
        doc.table(_readable(tables["left_out_of_tables"]),
                  "Clustered cases left out of descriptive tables", key="left_out_of_tables")
    unlinked = run.linked.links[run.linked.links["status"] != "linked"]
    if len(unlinked):
        doc.table(_readable(unlinked.fillna("")), "Cases and transcripts not linked across "
                  "strands", key="not_linked")
    doc.bullets(run.warnings)

    # ------------------------------------------------------------------ appendix
    doc.heading("Technical appendix")
    doc.paragraph("Diagnostics of the clustering: how stable each pattern is under resampling, "
                  "every criterion computed for each number of clusters, and whether arbitrary "
                  "tie-breaking could change the partition.")
    doc.table(pattern_diagnostics_table(clusters))
    doc.table(k_criteria_table(clusters))
    if "dendrogram.png" in figures:
        doc.figure("Ward dendrogram of the clustered cases, cut at the chosen number of "
                   "clusters", figures["dendrogram.png"],
                   alt=f"Dendrogram of Ward's tree over {clusters.matrix.shape[0]} cases; the "
                   f"cut at k = {clusters.k} gives the patterns "
                   + ", ".join(map(str, clusters.profile["abbrev"])) + ".")

    # ------------------------------------------------------------------ reproducibility
    doc.heading("Reproducibility", level=2)
    rows = [("mixedwai version", __version__), ("study", str(config.root)),
            ("quant.instrument", config.quant.instrument)]
    rows += [(f"clustering.{k}", _param(v)) for k, v in params.items()]
    rows += [(f"qual.{k}", _param(v)) for k, v in config.qual.model_dump().items()]
    if run.codebook is not None:
        rows.append(("codebook version", f"{run.codebook.name} {run.codebook.version}"))
    doc.table(pd.DataFrame(rows, columns=["Parameter", "Value"]), "Parameters of this run",
              key="parameters")
    return doc


def _agreement_table(result: Any) -> PublicationTable:
    """Agreement per code and pooled: units, prevalence, % agreement, kappa, alpha [95% CI]."""
    kappa = "cohen_kappa" if len(result.data.coders) == 2 else "fleiss_kappa"
    kappa_name = "Cohen's κ" if kappa == "cohen_kappa" else "Fleiss' κ"
    table = result.table.reset_index(drop=True)
    display = pd.DataFrame({
        "Code": [("All codes, pooled" if row["level"] == "overall" else str(row["label"]))
                 for _, row in table.iterrows()],
        "Prevalence, %": [number(100 * v, 1) for v in table["prevalence"]],
        "Agreement, %": [number(100 * v, 1) for v in table["percent_agreement"]],
        kappa_name: [coefficient(v) for v in table[kappa]],
        "α [95% CI]": [f"{coefficient(a)} [{coefficient(lo)}, {coefficient(hi)}]" for a, lo, hi in
                       zip(table["krippendorff_alpha"], table["alpha_low"],
                           table["alpha_high"], strict=True)],
    })
    sheet = pd.DataFrame({
        "Level": table["level"], "Code": table["id"], "Label": table["label"],
        "Units": table["n_units"].astype(int), "Prevalence, %": 100 * table["prevalence"],
        "Agreement, %": 100 * table["percent_agreement"], kappa_name: table[kappa],
        "Alpha": table["krippendorff_alpha"], "Alpha, 95% CI low": table["alpha_low"],
        "Alpha, 95% CI high": table["alpha_high"],
    })
    n_units = int(table["n_units"].max()) if len(table) else 0
    return PublicationTable(
        "agreement", f"Agreement between coders ({', '.join(result.data.coders)}), per code",
        display, sheet, {"Prevalence, %": "0.0", "Agreement, %": "0.0"},
        (f"Note. {n_units} {result.unit}s. Prevalence = share of the {result.unit}s the coders "
         "gave the code; α = Krippendorff's alpha (nominal), with a 95% percentile bootstrap "
         "interval; — = undefined (no variation). With a rare code, agreement is high by "
         "chance and kappa and alpha are the figures to read.",))


def _validation_table(result: Any) -> PublicationTable:
    """Each coder against the reference coder, per code: counts, precision, recall, F1, kappa."""
    table = result.validation.reset_index(drop=True)
    coders = sorted(set(table["coder"]))
    several = len(coders) > 1
    code = [("All codes, pooled" if str(c) == "(all codes)" else str(label))
            for c, label in zip(table["code_id"], table["label"], strict=True)]
    display = pd.DataFrame({
        **({"Coder": table["coder"].astype(str)} if several else {}),
        "Code": code,
        f"{result.reference}, n": table["n_reference"].astype(int).astype(str),
        "Coder, n": table["n_coder"].astype(int).astype(str),
        "Precision": [coefficient(v) for v in table["precision"]],
        "Recall": [coefficient(v) for v in table["recall"]],
        "F1": [coefficient(v) for v in table["f1"]],
        "κ": [coefficient(v) for v in table["cohen_kappa"]],
    })
    sheet = pd.DataFrame({
        "Reference": table["reference"], "Coder": table["coder"], "Code": table["code_id"],
        "Label": table["label"], "Reference, n": table["n_reference"].astype(int),
        "Coder, n": table["n_coder"].astype(int), "Precision": table["precision"],
        "Recall": table["recall"], "F1": table["f1"], "Cohen's kappa": table["cohen_kappa"],
    })
    who = coders[0] if not several else "each coder"
    return PublicationTable(
        "validation", f"{who} against {result.reference}, per code", display, sheet, {},
        (f"Note. n = {result.unit}s given the code. Precision = share of the coder's "
         f"{result.unit}s that {result.reference} coded the same; recall = share of "
         f"{result.reference}'s {result.unit}s the coder found; F1 = their harmonic mean; "
         "κ = Cohen's kappa; — = undefined (no sentence to count).",))


def _reliability_section(doc: Document, run: StudyRun) -> None:
    """Agreement between the coders: the table, the method in words, the disagreements,
    and the rules measured against a person when both coded."""
    result = run.reliability
    if result is None:
        return
    doc.heading("Reliability of the coding")
    doc.paragraph(result.method())
    doc.table(_agreement_table(result))
    doc.paragraph(
        f"{len(result.disagreements)} {result.unit}s were coded differently by the coders "
        "(tables/disagreements.csv lists them with each coder's codes, for a consensus "
        "meeting)."
    )
    for note in result.notes:
        doc.paragraph(note, italic=True)
    if result.validation is not None:
        doc.table(_validation_table(result))
