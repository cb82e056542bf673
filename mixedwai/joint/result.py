"""The result of a whole-study run: every table, figure and document it computed.

:func:`~mixedwai.joint.analysis.analyse_study` fills a :class:`StudyRun`;
:func:`~mixedwai.joint.output.write_study` only serialises it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from mixedwai.joint.config import StudyConfig
    from mixedwai.joint.displays.tables import JointDisplay
    from mixedwai.joint.render.document import Document
    from mixedwai.joint.study import LinkedStudy
    from mixedwai.qual.agreement.reliability import AgreementResult
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.quant.study import QuantAnalysis

__all__ = ["StudyRun"]


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
    tables : dict of str to pandas.DataFrame
        Every table written to ``tables/`` by file stem: the quantitative tables,
        the codings, the code matrix and frequencies, the links and the linked cases.
    display_frames : dict of str to pandas.DataFrame
        Each joint display's text table and its numbers, by file stem (written to
        ``displays/`` and as the sheets of ``joint_displays.xlsx``).
    figures : dict of str to bytes
        The figures by file name: ``trajectories`` and ``dendrogram`` each as a
        300 dpi ``.png``, an ``.svg`` and a ``.pdf``.
    report : Document or None
        The whole-study report's content (see :func:`~mixedwai.joint.report.build_report`).
    member_checks : dict of (str, str) to Document
        The member-check summaries by (ES id, case id): one per interview, written
        to ``member_checks/<ES>/<case>.docx``.
    timings : dict of str to float
        Seconds spent in each stage of :data:`~mixedwai.joint.analysis.STAGES`.
    warnings : list of str
        Every mixedwai warning raised during the run, in order.
    manual_codings : pandas.DataFrame
        The people's codings named by ``qual.manual_codings`` (empty when none).
    reliability : AgreementResult or None
        Agreement between the coders (people and rules) when there are two or more
        (see :func:`~mixedwai.joint.coders.coder_agreement`).
    people_codings : pandas.DataFrame or None
        The people's codings (from a ``.qdpx`` or a manual codings table), whether or
        not the displays use them.
    cases : pandas.DataFrame or None
        Every case of the cases table with its attributes and, when clustered, its
        ``cluster``, ``pattern`` and ``abbrev``.
    qdpx : bytes or None
        ``study.qdpx``: the transcripts, the codebook, every coding (the rules' as
        the user ``mixedwai``) and one case per case with its pattern, cluster,
        outcome and attributes as variables (see :func:`mixedwai.write_qdpx`).
    """

    config: StudyConfig
    quant: QuantAnalysis
    corpus: Corpus | None
    codebook: Codebook | None
    codings: pd.DataFrame
    linked: LinkedStudy
    displays: dict[str, JointDisplay]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    display_frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, bytes] = field(default_factory=dict)
    report: Document | None = None
    member_checks: dict[tuple[str, str], Document] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    manual_codings: pd.DataFrame = field(default_factory=pd.DataFrame)
    reliability: AgreementResult | None = None
    people_codings: pd.DataFrame | None = None
    cases: pd.DataFrame | None = None
    qdpx: bytes | None = None
