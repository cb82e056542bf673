"""Where the strands meet: linking cases, joint displays, the whole-study report.

Names are loaded lazily from their modules.
"""

from __future__ import annotations

from mixedwai._lazy import attach

_NAMES = {
    "JointDisplay": "mixedwai.joint.displays.tables",
    "LinkedStudy": "mixedwai.joint.study",
    "StudyConfig": "mixedwai.joint.config",
    "StudyRun": "mixedwai.joint.result",
    "add_meta_inferences": "mixedwai.joint.displays.meta",
    "analyse_study": "mixedwai.joint.analysis",
    "build_report": "mixedwai.joint.report",
    "case_matrix": "mixedwai.joint.displays.matrix",
    "case_ordered_display": "mixedwai.joint.displays.tables",
    "link_study": "mixedwai.joint.study",
    "load_meta_inferences": "mixedwai.joint.displays.meta",
    "load_pinned_quotes": "mixedwai.joint.displays.exemplars",
    "load_study_config": "mixedwai.joint.config",
    "member_check_docx": "mixedwai.joint.membercheck",
    "member_check_document": "mixedwai.joint.membercheck",
    "quantitized_themes": "mixedwai.joint.displays.quantitized",
    "render_docx": "mixedwai.joint.render.word",
    "render_html": "mixedwai.joint.render.formats",
    "render_markdown": "mixedwai.joint.render.formats",
    "document_workbook": "mixedwai.joint.render.workbook",
    "run_study": "mixedwai.joint.output",
    "sample_linked_study": "mixedwai.joint.sample",
    "statistics_by_themes": "mixedwai.joint.displays.tables",
    "theme_presence": "mixedwai.joint.themes",
    "themes_by_outcome": "mixedwai.joint.displays.tables",
    "themes_by_pattern": "mixedwai.joint.displays.by_pattern",
    "write_study": "mixedwai.joint.output",
}

__getattr__, __dir__, __all__ = attach(__name__, _NAMES)
