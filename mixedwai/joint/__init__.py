"""Where the strands meet: linking cases, joint displays, the whole-study report.

Names are loaded lazily from their modules.
"""

from __future__ import annotations

from mixedwai._lazy import attach

_NAMES = {
    "JointDisplay": "mixedwai.joint.displays",
    "LinkedStudy": "mixedwai.joint.study",
    "StudyConfig": "mixedwai.joint.config",
    "StudyRun": "mixedwai.joint.report",
    "add_meta_inferences": "mixedwai.joint.meta",
    "analyse_study": "mixedwai.joint.report",
    "build_report": "mixedwai.joint.narrative",
    "case_ordered_display": "mixedwai.joint.displays",
    "link_study": "mixedwai.joint.study",
    "load_meta_inferences": "mixedwai.joint.meta",
    "load_study_config": "mixedwai.joint.config",
    "member_check_docx": "mixedwai.joint.membercheck",
    "member_check_document": "mixedwai.joint.membercheck",
    "quantitized_themes": "mixedwai.joint.quantitized",
    "render_docx": "mixedwai.joint.render",
    "render_html": "mixedwai.joint.render",
    "render_markdown": "mixedwai.joint.render",
    "run_study": "mixedwai.joint.report",
    "sample_linked_study": "mixedwai.joint.sample",
    "statistics_by_themes": "mixedwai.joint.displays",
    "theme_presence": "mixedwai.joint.themes",
    "themes_by_outcome": "mixedwai.joint.displays",
    "themes_by_pattern": "mixedwai.joint.pattern_columns",
    "write_study": "mixedwai.joint.output",
}

__getattr__, __dir__, __all__ = attach(__name__, _NAMES)
