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
    "Instrument": "mixedwai.quant.instrument_model",
    "available_instruments": "mixedwai.quant.instruments",
    "load_instrument": "mixedwai.quant.instruments",
    "read_sessions": "mixedwai.quant.data",
    "read_cases": "mixedwai.quant.cases",
    "score_wai": "mixedwai.quant.scoring",
    "Trajectories": "mixedwai.quant.trajectories",
    "build_trajectories": "mixedwai.quant.trajectories",
    "deviation_scores": "mixedwai.quant.trajectories",
    "ward_tree": "mixedwai.quant.ward",
    "agglomeration_schedule": "mixedwai.quant.schedule",
    "select_k": "mixedwai.quant.selection",
    "bootstrap_stability": "mixedwai.quant.stability",
    "tie_sensitivity": "mixedwai.quant.ties",
    "refine_kmeans": "mixedwai.quant.refine",
    "WardClustering": "mixedwai.quant.ward_estimator",
    "ClusterResult": "mixedwai.quant.cluster_result",
    "cluster_trajectories": "mixedwai.quant.clustering",
    "describe_shapes": "mixedwai.quant.patterns",
    "name_patterns": "mixedwai.quant.patterns",
    "profile_table": "mixedwai.quant.pattern_profile",
    "outcome_crosstab": "mixedwai.quant.outcomes",
    "freeman_halton_test": "mixedwai.quant.outcomes",
    "cramers_v": "mixedwai.quant.outcomes",
    "score_outcome_tests": "mixedwai.quant.score_tests",
    "outcome_by_attribute": "mixedwai.quant.outcomes",
    "characteristics_by_pattern": "mixedwai.quant.outcomes",
    "time_to_outcome": "mixedwai.quant.outcomes",
    "plot_trajectories": "mixedwai.quant.plots",
    "plot_dendrogram": "mixedwai.quant.plots",
    "save_figure": "mixedwai.quant.plots",
    # qualitative strand
    "Segment": "mixedwai.qual.transcript_model",
    "Transcript": "mixedwai.qual.transcript_model",
    "Corpus": "mixedwai.qual.corpus",
    "load_transcript": "mixedwai.qual.transcripts",
    "load_corpus": "mixedwai.qual.transcripts",
    "pseudonymise": "mixedwai.qual.pseudonyms",
    "Codebook": "mixedwai.qual.codebook_model",
    "load_codebook": "mixedwai.qual.codebook",
    "available_codebooks": "mixedwai.qual.codebook",
    "codebook_tree": "mixedwai.qual.codebook_display",
    "code_corpus": "mixedwai.qual.coding",
    "load_manual_codings": "mixedwai.qual.manual_codings",
    "merge_codings": "mixedwai.qual.coding",
    "code_matrix": "mixedwai.qual.retrieval",
    "code_frequencies": "mixedwai.qual.retrieval",
    "cooccurrence": "mixedwai.qual.retrieval",
    "quotes": "mixedwai.qual.quoting",
    "suggest_themes": "mixedwai.qual.themes",
    "ThemeSuggestions": "mixedwai.qual.theme_result",
    "write_theme_review": "mixedwai.qual.review_writer",
    "promote_themes": "mixedwai.qual.promote",
    "read_theme_review": "mixedwai.qual.review_reader",
    "tag_inductive": "mixedwai.qual.inductive_tags",
    # integration
    "analyse_study": "mixedwai.joint.report",
    "case_ordered_display": "mixedwai.joint.displays",
    "link_study": "mixedwai.joint.study",
    "load_study_config": "mixedwai.joint.config",
    "quantitized_themes": "mixedwai.joint.quantitized",
    "run_study": "mixedwai.joint.report",
    "statistics_by_themes": "mixedwai.joint.displays",
    "themes_by_outcome": "mixedwai.joint.displays",
    "themes_by_pattern": "mixedwai.joint.pattern_columns",
    "analyse_quant": "mixedwai.quant.study",
}

__getattr__, __dir__, _public = attach(__name__, _LAZY)
__all__ = sorted([*_public, "MixedWAIError", "MixedWAIWarning", "__version__", "errors"])
