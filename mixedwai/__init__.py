"""mixedwai: mixed-methods research on working-alliance trajectories and interviews.

The public names are loaded lazily: ``import mixedwai`` imports neither pandas
nor scikit-learn nor spaCy; each is imported the first time a name that needs it
is used.

Examples
--------
>>> import mixedwai
>>> mixedwai.__version__
'0.1.0'
>>> from mixedwai import canonical_case_id
>>> canonical_case_id("es11-c04")
'ES11_C4'
"""

from __future__ import annotations

from mixedwai import errors as errors
from mixedwai._lazy import attach
from mixedwai.errors import MixedWAIError as MixedWAIError
from mixedwai.errors import MixedWAIWarning as MixedWAIWarning

__version__ = "0.1.0"

_LAZY = {
    # shared
    "canonical_case_id": "mixedwai.ids",
    "display_case_id": "mixedwai.ids",
    "read_table": "mixedwai.io",
    # quantitative strand
    "Instrument": "mixedwai.quant.instruments.model",
    "available_instruments": "mixedwai.quant.instruments.loading",
    "load_instrument": "mixedwai.quant.instruments.loading",
    "measure_instrument": "mixedwai.quant.instruments.measure",
    "items_in_columns": "mixedwai.quant.instruments.measure",
    "measure_name": "mixedwai.quant.instruments.measure",
    "read_sessions": "mixedwai.quant.data.sessions",
    "read_cases": "mixedwai.quant.data.cases",
    "score_wai": "mixedwai.quant.instruments.scoring",
    "Trajectories": "mixedwai.quant.trajectories",
    "build_trajectories": "mixedwai.quant.trajectories",
    "deviation_scores": "mixedwai.quant.trajectories",
    "ward_tree": "mixedwai.quant.ward.tree",
    "agglomeration_schedule": "mixedwai.quant.ward.schedule",
    "select_k": "mixedwai.quant.selection.rules",
    "bootstrap_stability": "mixedwai.quant.selection.stability",
    "tie_sensitivity": "mixedwai.quant.ward.ties",
    "refine_kmeans": "mixedwai.quant.ward.refine",
    "WardClustering": "mixedwai.quant.ward.estimator",
    "ClusterResult": "mixedwai.quant.ward.result",
    "cluster_trajectories": "mixedwai.quant.ward.clustering",
    "describe_shapes": "mixedwai.quant.patterns.shapes",
    "name_patterns": "mixedwai.quant.patterns.shapes",
    "profile_table": "mixedwai.quant.patterns.profile",
    "outcome_crosstab": "mixedwai.quant.outcomes.crosstab",
    "freeman_halton_test": "mixedwai.quant.outcomes.exact",
    "cramers_v": "mixedwai.quant.outcomes.exact",
    "score_outcome_tests": "mixedwai.quant.outcomes.score_tests",
    "outcome_by_attribute": "mixedwai.quant.outcomes.descriptives",
    "characteristics_by_pattern": "mixedwai.quant.outcomes.descriptives",
    "time_to_outcome": "mixedwai.quant.outcomes.descriptives",
    "plot_trajectories": "mixedwai.quant.plots",
    "plot_dendrogram": "mixedwai.quant.plots",
    "pattern_bands": "mixedwai.quant.plots",
    "save_figure": "mixedwai.quant.plots",
    "figure_bytes": "mixedwai.quant.plots",
    "PublicationTable": "mixedwai.quant.tables.model",
    "patterns_table": "mixedwai.quant.tables.patterns",
    "pattern_diagnostics_table": "mixedwai.quant.tables.patterns",
    "k_table": "mixedwai.quant.tables.selection",
    "k_criteria_table": "mixedwai.quant.tables.selection",
    "outcome_by_characteristic_table": "mixedwai.quant.tables.characteristics",
    "characteristics_table": "mixedwai.quant.tables.characteristics",
    "outcome_by_pattern_table": "mixedwai.quant.tables.outcomes",
    "days_table": "mixedwai.quant.tables.outcomes",
    "score_tests_table": "mixedwai.quant.tables.outcomes",
    # qualitative strand
    "Segment": "mixedwai.qual.transcripts.model",
    "Transcript": "mixedwai.qual.transcripts.model",
    "Corpus": "mixedwai.qual.transcripts.corpus",
    "load_transcript": "mixedwai.qual.transcripts.loading",
    "load_corpus": "mixedwai.qual.transcripts.loading",
    "pseudonymise": "mixedwai.qual.pseudonyms",
    "pseudonymise_codings": "mixedwai.qual.pseudonyms",
    "pseudonymise_files": "mixedwai.qual.pseudonyms",
    "read_names": "mixedwai.qual.pseudonyms",
    "name_candidates": "mixedwai.qual.name_candidates",
    "Codebook": "mixedwai.qual.codebook.model",
    "load_codebook": "mixedwai.qual.codebook.loading",
    "available_codebooks": "mixedwai.qual.codebook.loading",
    "codebook_tree": "mixedwai.qual.codebook.display",
    "lemma_widenings": "mixedwai.qual.codebook.widening",
    "negation_scope": "mixedwai.qual.coding.negation",
    "code_corpus": "mixedwai.qual.coding.apply",
    "load_manual_codings": "mixedwai.qual.coding.manual",
    "merge_codings": "mixedwai.qual.coding.apply",
    "code_matrix": "mixedwai.qual.retrieval.matrices",
    "code_frequencies": "mixedwai.qual.retrieval.matrices",
    "cooccurrence": "mixedwai.qual.retrieval.matrices",
    "quotes": "mixedwai.qual.retrieval.quotes",
    "search": "mixedwai.qual.retrieval.search",
    "search_rule": "mixedwai.qual.retrieval.search",
    "SearchResult": "mixedwai.qual.retrieval.search",
    "word_frequencies": "mixedwai.qual.retrieval.frequencies",
    "keyness": "mixedwai.qual.retrieval.frequencies",
    "stop_words": "mixedwai.qual.retrieval.frequencies",
    "codings_in_context": "mixedwai.qual.retrieval.context",
    "code_document": "mixedwai.qual.retrieval.context",
    "suggest_themes": "mixedwai.qual.themes.suggest",
    "ThemeSuggestions": "mixedwai.qual.themes.result",
    "write_theme_review": "mixedwai.qual.themes.review",
    "promote_themes": "mixedwai.qual.themes.promote",
    "read_theme_review": "mixedwai.qual.themes.review",
    "tag_inductive": "mixedwai.qual.themes.tags",
    "cohen_kappa": "mixedwai.qual.agreement.coefficients",
    "fleiss_kappa": "mixedwai.qual.agreement.coefficients",
    "krippendorff_alpha": "mixedwai.qual.agreement.coefficients",
    "alpha_interval": "mixedwai.qual.agreement.intervals",
    "coding_units": "mixedwai.qual.agreement.units",
    "unit_codings": "mixedwai.qual.agreement.units",
    "agreement": "mixedwai.qual.agreement.reliability",
    "AgreementResult": "mixedwai.qual.agreement.reliability",
    "validation_table": "mixedwai.qual.agreement.validation",
    "disagreement_table": "mixedwai.qual.agreement.disagreements",
    # exchange with QDA programs (REFI-QDA)
    "QdpxProject": "mixedwai.exchange.project",
    "read_qdpx": "mixedwai.exchange.reading",
    "write_qdpx": "mixedwai.exchange.writing",
    "read_qdc": "mixedwai.exchange.codebook",
    "write_qdc": "mixedwai.exchange.codebook",
    # integration
    "analyse_study": "mixedwai.joint.analysis",
    "case_ordered_display": "mixedwai.joint.displays.tables",
    "link_study": "mixedwai.joint.study",
    "load_pinned_quotes": "mixedwai.joint.displays.exemplars",
    "load_study_config": "mixedwai.joint.config",
    "quantitized_themes": "mixedwai.joint.displays.quantitized",
    "run_study": "mixedwai.joint.output",
    "statistics_by_themes": "mixedwai.joint.displays.tables",
    "themes_by_outcome": "mixedwai.joint.displays.tables",
    "themes_by_pattern": "mixedwai.joint.displays.by_pattern",
    "analyse_quant": "mixedwai.quant.study",
}

__getattr__, __dir__, _public = attach(__name__, _LAZY)
__all__ = sorted([*_public, "MixedWAIError", "MixedWAIWarning", "__version__", "errors"])
