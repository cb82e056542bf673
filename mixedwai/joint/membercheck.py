"""Member-check summaries: what was coded in an interview, written for the ES to check.

The reference study sent each ES a written summary of each of their interviews
before a second one, to make sure the analysis reflected their view; no ES saw
another ES's clients. These documents draft that summary from the coding: the
alliance pattern in plain words, then, category by category, the themes the
analysis found with the ES's own words as evidence, and questions inviting
corrections. A document covers one interview, or all the interviews of one ES
(never another ES's clients). They are drafts for the researcher to edit before
sending — nothing here replaces reading the interview.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mixedwai._validation import check_choice
from mixedwai.errors import DataValueError
from mixedwai.ids import display_case_id
from mixedwai.joint.render.document import Document
from mixedwai.joint.render.word import render_docx
from mixedwai.qual.retrieval.codings import _affirmed

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["member_check_document", "member_check_docx"]


#: The wording of the summaries, by language (the ES reads it in the interview's language).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title_case": "Summary for your review: interview about {case}",
        "title_es": "Summaries for your review: your {n} interviews",
        "intro": "Thank you for the interview. This summary is what we understood from it. "
                 "Please read it and tell us, at our next meeting or in the margins, what is "
                 "wrong, missing or overstated. The quotes are your own words from the transcript.",
        "client": "Client {case}",
        "pattern": "This client's alliance pattern is '{name}' ({abbrev}): your ratings of the "
                   "alliance were {points} over the first meetings: they {trend}. Outcome: "
                   "{outcome}.",
        "same": "stayed about the same", "rose": "rose", "fell": "fell",
        "none": "No theme of the codebook was found in this interview.",
        "closing": "Does this reflect what shaped the alliance with this client? Is anything "
                   "important missing?",
        "obtained a job": "obtained a job", "did not obtain a job": "did not obtain a job",
        "outcome unknown": "outcome unknown",
    },
    "fr": {
        "title_case": "Résumé à valider : entrevue au sujet de {case}",
        "title_es": "Résumés à valider : vos {n} entrevues",
        "intro": "Merci pour l'entrevue. Ce résumé présente ce que nous en avons compris. "
                 "Lisez-le et dites-nous, à notre prochaine rencontre ou dans la marge, ce qui "
                 "est inexact, manquant ou exagéré. Les citations sont vos propres mots, tirés "
                 "de la transcription.",
        "client": "Client·e {case}",
        "pattern": "Le profil d'alliance de cette personne est « {name} » ({abbrev}) : vos "
                   "évaluations de l'alliance étaient de {points} aux premières rencontres; "
                   "elles {trend}. Issue : {outcome}.",
        "same": "sont restées à peu près stables", "rose": "ont augmenté", "fell": "ont baissé",
        "none": "Aucun thème de la grille de codage n'a été relevé dans cette entrevue.",
        "closing": "Ce résumé reflète-t-il ce qui a façonné l'alliance avec cette personne? "
                   "Manque-t-il quelque chose d'important?",
        "obtained a job": "a obtenu un emploi", "did not obtain a job": "n'a pas obtenu d'emploi",
        "outcome unknown": "issue inconnue",
    },
}


def _trend(values: list[float], words: dict[str, str]) -> str:
    change = values[-1] - values[0]
    if abs(change) < 0.25:
        return words["same"]
    return words["rose"] if change > 0 else words["fell"]


def member_check_document(
    study: LinkedStudy, case_id: str | None = None, *, es_id: str | None = None,
    quotes_per_code: int = 2, language: str = "en", codebook: Codebook | None = None,
) -> Document:
    """Draft a member-check summary of one interview, or of every interview of one ES.

    Parameters
    ----------
    study : LinkedStudy
    case_id : str, optional
        A canonical case id with an interview.
    es_id : str, optional
        An employment specialist (``"ES11"``): summarise each of their interviewed
        cases, and no one else's.
    quotes_per_code : int, default=2
    language : {"en", "fr"}, default="en"
        Language of the summary's own sentences (that of the interview).
    codebook : Codebook, optional
        Gives the code and category labels (default: the study's codebook); pass
        the codebook of the interview's language so the labels match the quotes.

    Returns
    -------
    Document

    Raises
    ------
    DataValueError
        Neither or both of ``case_id`` and ``es_id`` given, or no interview for
        them.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> doc = member_check_document(sample_linked_study(), "ES11_C4")
    >>> doc.title
    'Summary for your review: interview about ES#11_C4'
    >>> member_check_document(sample_linked_study(), "ES5_C4", language="fr").title
    'Résumé à valider : entrevue au sujet de ES#5_C4'
    >>> member_check_document(sample_linked_study(), es_id="ES11").title
    'Summaries for your review: your 3 interviews'
    """
    check_choice("language", language, sorted(WORDS))
    words = WORDS[language]
    if (case_id is None) == (es_id is None):
        raise DataValueError("member check: give exactly one of case_id or es_id")
    interviewed = study.interviewed
    if case_id is not None:
        if case_id not in interviewed.index:
            known = ", ".join(interviewed.index[:20])
            raise DataValueError(
                f"member check: case {case_id!r} has no linked interview; "
                f"interviewed cases: {known}"
            )
        cases = [case_id]
        title = words["title_case"].format(case=display_case_id(case_id))
    else:
        by_es = interviewed["es_id"].astype(str)
        cases = list(interviewed.index[by_es == str(es_id)])
        if not cases:
            raise DataValueError(
                f"member check: employment specialist {es_id!r} has no interviewed case; "
                "employment specialists: " + ", ".join(dict.fromkeys(by_es))
            )
        title = words["title_es"].format(n=len(cases))

    doc = Document(title)
    doc.paragraph(words["intro"])
    labels = {}
    categories = {}
    book = codebook if codebook is not None else study.codebook
    if book is not None:
        for code, category, *_ in book.iter_codes():
            labels[code.id] = code.label
            categories[code.id] = category
        category_labels = {c.id: c.label for c in book.categories}
    else:
        category_labels = {}
    for cid in cases:
        row = study.case_table.loc[cid]
        values = [float(row[t]) for t in study.time_columns]
        doc.heading(words["client"].format(case=display_case_id(cid)), level=1)
        outcome = study.outcome_text(row["outcome"])
        doc.paragraph(words["pattern"].format(
            name=row["pattern"], abbrev=row["abbrev"],
            points=", ".join(f"{v:.2f}" for v in values), trend=_trend(values, words),
            outcome=words.get(outcome, outcome),
        ))
        codings = _affirmed(study.codings)  # flagged negated codings are not evidence
        codings = codings[codings["case_id"] == cid]
        if not len(codings):
            doc.paragraph(words["none"], italic=True)
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
                evidence = " / ".join(f"“{q}”" for q in seen)
                items.append(f"{labels.get(code_id, code_id)} — {evidence}")
            doc.bullets(items)
        doc.paragraph(words["closing"], italic=True)
    return doc


def member_check_docx(study: LinkedStudy, case_id: str | None = None, *,
                      es_id: str | None = None, language: str = "en",
                      codebook: Codebook | None = None) -> bytes:
    """The member-check summary as Word bytes (see :func:`member_check_document`).

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> member_check_docx(sample_linked_study(), "ES11_C4")[:2]
    b'PK'
    """
    return render_docx(member_check_document(study, case_id, es_id=es_id, language=language,
                                             codebook=codebook))
