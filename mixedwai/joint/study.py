"""Linking the strands: each clustered case with its interview and its outcome.

The quantitative strand yields one row per clustered case (pattern, trajectory);
the qualitative strand yields codings per transcript. Both carry the canonical
case id (:func:`mixedwai.ids.canonical_case_id`), so linking is a join on it —
but a join that *reports* what did not match: interviews without a trajectory,
trajectories without an interview, and transcripts whose case id matches no case
at all (an :class:`~mixedwai.errors.UnlinkedCaseWarning` naming the file).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai.errors import DataValueError, UnlinkedCaseWarning
from mixedwai.qual.retrieval.codings import _affirmed

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.quant.ward.result import ClusterResult

__all__ = ["LinkedStudy", "link_study"]

LINK_STATUSES = (
    "linked",
    "trajectory without interview",
    "interview without trajectory",
    "transcript with unknown case",
)


@dataclass(frozen=True)
class LinkedStudy:
    """Both strands joined on the canonical case id.

    Attributes
    ----------
    case_table : pandas.DataFrame
        One row per clustered case (index ``case_id``), ordered by cluster then
        descending mean: ``es_id``, ``cluster``, ``pattern``, ``abbrev``, ``t1`` ..
        ``tN``, ``mean``, ``outcome`` (boolean, may be missing), ``days``,
        ``interviewed`` and ``doc_ids`` (``;``-separated).
    links : pandas.DataFrame
        ``case_id``, ``doc_id``, ``status`` (one of ``linked``, ``trajectory
        without interview``, ``interview without trajectory``, ``transcript with
        unknown case``) and ``detail``.
    codings : pandas.DataFrame
        The tidy codings of the linked transcripts only.
    presence : pandas.DataFrame
        Interviewed clustered cases × code ids, 1 when the code was applied at
        least once in the case's interview(s), else 0 (all codebook codes are
        columns, in codebook order).
    codebook : Codebook or None
    outcome_label, no_outcome_label : str
    measure : str
        The repeated measure's name in the displays (``"WAI"``, ``"bdi"``).
        Words used in attributions ("obtained a job" / "did not obtain a job").
    languages : dict
        The language of each linked transcript (doc_id -> ``"en"``, ``"fr"`` ...),
        where it is known: quotes carry it.
    """

    case_table: pd.DataFrame
    links: pd.DataFrame
    codings: pd.DataFrame
    presence: pd.DataFrame
    codebook: Codebook | None = None
    outcome_label: str = "obtained a job"
    no_outcome_label: str = "did not obtain a job"
    n_sessions: int = 3
    extras: dict[str, Any] = field(default_factory=dict)
    languages: dict[str, str] = field(default_factory=dict)
    measure: str = "WAI"

    @property
    def time_columns(self) -> list[str]:
        """The trajectory columns ``t1`` .. ``tN``."""
        return [f"t{i}" for i in range(1, self.n_sessions + 1)]

    @property
    def interviewed(self) -> pd.DataFrame:
        """Rows of :attr:`case_table` whose case has at least one linked interview."""
        return self.case_table[self.case_table["interviewed"]]

    def outcome_text(self, value: Any) -> str:
        """Attribution words for an outcome value (``"outcome unknown"`` when missing)."""
        if value is None or pd.isna(value):
            return "outcome unknown"
        return self.outcome_label if bool(value) else self.no_outcome_label


def link_study(
    clusters: ClusterResult,
    cases: pd.DataFrame,
    corpus: Corpus | None = None,
    codings: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    *,
    outcome: str = "job",
    days: str = "days_to_job",
    outcome_label: str = "obtained a job",
    no_outcome_label: str = "did not obtain a job",
) -> LinkedStudy:
    """Join clustered cases, their outcome and their coded interviews.

    Parameters
    ----------
    clusters : ClusterResult
        Output of :func:`mixedwai.cluster_trajectories`.
    cases : pandas.DataFrame
        Output of :func:`mixedwai.read_cases` (index ``case_id``), holding the
        outcome column.
    corpus : Corpus, optional
        The loaded transcripts (each with a ``case_id``).
    codings : pandas.DataFrame, optional
        Output of :func:`mixedwai.code_corpus` (or merged manual codings).
    codebook : Codebook, optional
        Gives the column order of :attr:`LinkedStudy.presence`.
    outcome, days : str
        Column names in ``cases``.
    outcome_label, no_outcome_label : str
        Words for attributions.

    Returns
    -------
    LinkedStudy

    Warns
    -----
    UnlinkedCaseWarning
        For each transcript whose case id is neither in ``cases`` nor clustered
        (the file name is given), and for transcripts without any case id.

    Raises
    ------
    DataValueError
        If ``cases`` lacks the outcome column.

    Examples
    --------
    >>> import mixedwai as mw
    >>> from mixedwai.joint.study import link_study
    >>> sessions = mw.read_sessions("sample_corpus/sessions.csv")
    >>> cases = mw.read_cases("sample_corpus/cases.csv")
    >>> result = mw.cluster_trajectories(mw.score_wai(sessions), n_boot=0)
    >>> linked = link_study(result, cases)
    >>> int((linked.links["status"] == "trajectory without interview").sum())
    18
    """
    if outcome not in cases.columns:
        raise DataValueError(
            f"cases table: no outcome column {outcome!r}; found columns: "
            + ", ".join(repr(str(c)) for c in cases.columns)
        )
    labels = clusters.labels
    matrix = clusters.matrix
    table = labels[["cluster", "pattern", "abbrev"]].join(matrix)
    table["mean"] = matrix.mean(axis=1)
    es = cases["es_id"] if "es_id" in cases.columns else pd.Series(dtype=object)
    table.insert(0, "es_id", [es.get(c) if c in es.index else None for c in table.index])
    table["outcome"] = pd.array(
        [cases[outcome].get(c) if c in cases.index else pd.NA for c in table.index],
        dtype="boolean",
    )
    days_values = cases[days] if days in cases.columns else pd.Series(dtype=float)
    table["days"] = pd.to_numeric(
        pd.Series([days_values.get(c) if c in days_values.index else None for c in table.index],
                  index=table.index, dtype=object),
        errors="coerce",
    )

    docs_by_case: dict[str, list[str]] = {}
    link_rows: list[dict[str, Any]] = []
    known_cases = set(cases.index) | set(table.index)
    if corpus is not None:
        for transcript in corpus:
            case_id = transcript.case_id
            name = transcript.path or transcript.doc_id
            if case_id is None or case_id not in known_cases:
                why, detail = (
                    ("transcript has no case id (none in its metadata or file name)", "no case id")
                    if case_id is None else
                    (f"case id {case_id!r} matches no case in the cases table nor any clustered "
                     "trajectory", "case id matches no case")
                )
                warnings.warn(f"{name}: {why}; it is left out of the joint displays",
                              UnlinkedCaseWarning, stacklevel=2)
                link_rows.append({"case_id": case_id, "doc_id": transcript.doc_id,
                                  "status": "transcript with unknown case",
                                  "detail": f"{name}: {detail}"})
                continue
            if case_id in table.index:
                docs_by_case.setdefault(case_id, []).append(transcript.doc_id)
                link_rows.append({"case_id": case_id, "doc_id": transcript.doc_id,
                                  "status": "linked", "detail": ""})
            else:
                reason = _why_not_clustered(case_id, clusters)
                link_rows.append({"case_id": case_id, "doc_id": transcript.doc_id,
                                  "status": "interview without trajectory", "detail": reason})
    for case_id in table.index:
        if case_id not in docs_by_case:
            link_rows.append({"case_id": case_id, "doc_id": None,
                              "status": "trajectory without interview", "detail": ""})
    links = pd.DataFrame(link_rows, columns=["case_id", "doc_id", "status", "detail"])
    order = {s: i for i, s in enumerate(LINK_STATUSES)}
    links = (
        links.assign(_o=links["status"].map(order))
        .sort_values(["_o", "case_id", "doc_id"], na_position="last", kind="mergesort")
        .drop(columns="_o")
        .reset_index(drop=True)
    )

    table["interviewed"] = [c in docs_by_case for c in table.index]
    table["doc_ids"] = ["; ".join(sorted(docs_by_case.get(c, []))) for c in table.index]
    table = table.sort_values(["cluster", "mean"], ascending=[True, False], kind="mergesort")

    linked_docs = {d for ds in docs_by_case.values() for d in ds}
    if codings is None or "doc_id" not in codings.columns:
        codings = pd.DataFrame(
            columns=["doc_id", "case_id", "segment_id", "code_id", "category_id"]
        )
    kept = codings[codings["doc_id"].isin(linked_docs)].reset_index(drop=True)
    kept.attrs = {}  # pandas deep-copies attrs on every operation: keep the displays fast

    code_ids = _code_order(codebook, kept)
    interviewed_cases = [c for c in table.index if c in docs_by_case]
    affirmed = _affirmed(kept)
    if len(affirmed):
        counts = pd.crosstab(affirmed["case_id"], affirmed["code_id"])
        presence = (counts > 0).astype(int)
    else:
        presence = pd.DataFrame(dtype=int)
    presence = presence.reindex(index=interviewed_cases, columns=code_ids, fill_value=0)
    presence.index.name = "case_id"
    presence.columns.name = "code_id"

    measure = str(clusters.params.get("measure", "wai"))
    return LinkedStudy(
        measure="WAI" if measure == "wai" else measure,
        case_table=table,
        links=links,
        codings=kept,
        presence=presence.astype(int),
        codebook=codebook,
        outcome_label=outcome_label,
        no_outcome_label=no_outcome_label,
        n_sessions=matrix.shape[1],
        languages={str(t.doc_id): str(t.language) for t in (corpus or [])
                   if str(t.doc_id) in linked_docs and getattr(t, "language", None)},
    )


def _code_order(codebook: Codebook | None, codings: pd.DataFrame) -> list[str]:
    ordered: list[str] = []
    if codebook is not None:
        ordered = [code.id for code, *_ in codebook.iter_codes()]
    extra = sorted(set(codings.get("code_id", pd.Series(dtype=str))) - set(ordered))
    return ordered + extra


def _why_not_clustered(case_id: str, clusters: ClusterResult) -> str:
    excluded = clusters.excluded
    if len(excluded) and case_id in set(excluded["case_id"]):
        reason = excluded.loc[excluded["case_id"] == case_id, "reason"].iloc[0]
        return f"excluded from clustering: {reason}"
    return "no sessions for this case"
