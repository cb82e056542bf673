"""Member-check summaries: what was coded in an interview, written for the ES to check.

The reference study sent each ES a written summary of the first interview before
a second one, to make sure the analysis reflected their view. These documents
draft that summary from the coding: the alliance pattern in plain words, then,
category by category, the themes the analysis found with the ES's own words as
evidence, and questions inviting corrections. They are drafts for the researcher
to edit before sending — nothing here replaces reading the interview.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mixedwai.errors import DataValueError
from mixedwai.ids import display_case_id
from mixedwai.joint.document import Document
from mixedwai.joint.render import render_docx

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy

__all__ = ["member_check_document", "member_check_docx"]


def _trajectory_words(values: list[float]) -> str:
    points = ", ".join(f"{v:.2f}" for v in values)
    change = values[-1] - values[0]
    if abs(change) < 0.25:
        trend = "stayed about the same"
    elif change > 0:
        trend = "rose"
    else:
        trend = "fell"
    return f"your ratings of the alliance were {points} over the first meetings: they {trend}"


def member_check_document(
    study: LinkedStudy, case_id: str | None = None, *, pattern: str | None = None,
    quotes_per_code: int = 2,
) -> Document:
    """Draft a member-check summary for one case, or for all interviewed cases of a pattern.

    Parameters
    ----------
    study : LinkedStudy
    case_id : str, optional
        A canonical case id with an interview.
    pattern : str, optional
        A pattern abbreviation (``"SHA"``): summarise all its interviewed cases.
    quotes_per_code : int, default=2

    Returns
    -------
    Document

    Raises
    ------
    DataValueError
        Neither or both of ``case_id`` and ``pattern`` given, or no interview for
        them.

    Examples
    --------
    >>> from mixedwai.joint import sample_linked_study
    >>> doc = member_check_document(sample_linked_study(), "ES11_C4")
    >>> doc.title
    'Summary for your review: interview about ES#11_C4'
    """
    if (case_id is None) == (pattern is None):
        raise DataValueError("member check: give exactly one of case_id or pattern")
    interviewed = study.interviewed
    if case_id is not None:
        if case_id not in interviewed.index:
            known = ", ".join(interviewed.index[:20])
            raise DataValueError(
                f"member check: case {case_id!r} has no linked interview; "
                f"interviewed cases: {known}"
            )
        cases = [case_id]
        title = f"Summary for your review: interview about {display_case_id(case_id)}"
    else:
        cases = list(interviewed.index[interviewed["abbrev"] == pattern])
        if not cases:
            raise DataValueError(
                f"member check: pattern {pattern!r} has no interviewed case; patterns: "
                + ", ".join(dict.fromkeys(interviewed["abbrev"]))
            )
        title = f"Summary for your review: the {pattern} pattern ({len(cases)} interviews)"

    doc = Document(title)
    doc.paragraph(
        "Thank you for the interview. This summary is what we understood from it. Please read "
        "it and tell us, at our next meeting or in the margins, what is wrong, missing or "
        "overstated. The quotes are your own words from the transcript."
    )
    labels = {}
    categories = {}
    if study.codebook is not None:
        for code, category, *_ in study.codebook.iter_codes():
            labels[code.id] = code.label
            categories[code.id] = category
        category_labels = {c.id: c.label for c in study.codebook.categories}
    else:
        category_labels = {}
    for cid in cases:
        row = study.case_table.loc[cid]
        values = [float(row[t]) for t in study.time_columns]
        doc.heading(f"Client {display_case_id(cid)}", level=1)
        doc.paragraph(
            f"This client's alliance pattern is '{row['pattern']}' ({row['abbrev']}): "
            f"{_trajectory_words(values)}. Outcome: {study.outcome_text(row['outcome'])}."
        )
        codings = study.codings[study.codings["case_id"] == cid]
        if not len(codings):
            doc.paragraph("No theme of the codebook was found in this interview.", italic=True)
            continue
        for category, group in codings.groupby(
            codings["code_id"].map(lambda c: categories.get(c, "other")), sort=False
        ):
            doc.heading(category_labels.get(category, category), level=2)
            items = []
            for code_id, hits in group.groupby("code_id", sort=False):
                seen: list[str] = []
                for text in hits["text"]:
                    clean = " ".join(str(text).split())
                    if clean not in seen:
                        seen.append(clean)
                    if len(seen) == quotes_per_code:
                        break
                words = " / ".join(f"“{q}”" for q in seen)
                items.append(f"{labels.get(code_id, code_id)} — {words}")
            doc.bullets(items)
        doc.paragraph(
            "Does this reflect what shaped the alliance with this client? Is anything important "
            "missing?", italic=True
        )
    return doc


def member_check_docx(study: LinkedStudy, case_id: str | None = None, *,
                      pattern: str | None = None) -> bytes:
    """The member-check summary as Word bytes (see :func:`member_check_document`).

    Examples
    --------
    >>> from mixedwai.joint import sample_linked_study
    >>> member_check_docx(sample_linked_study(), "ES11_C4")[:2]
    b'PK'
    """
    return render_docx(member_check_document(study, case_id, pattern=pattern))
