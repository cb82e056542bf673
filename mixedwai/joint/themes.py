"""Theme presence per case at the code or the category level (shared by the displays)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mixedwai._validation import check_choice

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy

__all__ = ["theme_labels", "theme_presence"]


def theme_presence(study: LinkedStudy, *, level: str = "code") -> pd.DataFrame:
    """Interviewed cases × themes, 1 when the theme was coded in the case's interview.

    Parameters
    ----------
    study : LinkedStudy
    level : {"code", "category"}, default="code"
        Categories are present when any of their codes is.

    Returns
    -------
    pandas.DataFrame
        Index ``case_id``, one 0/1 column per code (codebook order) or category.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> p = theme_presence(sample_linked_study(), level="category")
    >>> list(p.columns)[:3]
    ['client', 'professional', 'context']
    """
    check_choice("level", level, ["code", "category"])
    presence = study.presence
    if level == "code":
        return presence
    categories = _category_of(study)
    order = list(dict.fromkeys(categories.get(c, "uncategorised") for c in presence.columns))
    if study.codebook is not None:
        order = [c.id for c in study.codebook.categories] + [
            c for c in order if c not in {x.id for x in study.codebook.categories}
        ]
    grouped = presence.T.groupby(lambda c: categories.get(c, "uncategorised")).max().T
    return grouped.reindex(columns=order, fill_value=0).astype(int)


def theme_labels(study: LinkedStudy, *, level: str = "code") -> dict[str, str]:
    """Readable labels of codes or categories (their ids when there is no codebook).

    A sub-code's label names its parent first (``Agreement on goals › Disagreement
    on goals``), so that displays show it with its parent rather than flat among
    the other codes.

    Examples
    --------
    >>> from mixedwai.joint.sample import sample_linked_study
    >>> theme_labels(sample_linked_study(), level="category")["client"]
    'Client factors'
    >>> theme_labels(sample_linked_study())["goal_disagreement"]
    'Agreement on goals › Disagreement on goals'
    """
    check_choice("level", level, ["code", "category"])
    if study.codebook is None:
        return {}
    if level == "category":
        return {c.id: c.label for c in study.codebook.categories}
    labels: dict[str, str] = {}
    for code, _category, parent, _depth in study.codebook.iter_codes():
        labels[code.id] = code.label if parent is None else f"{labels[parent]} › {code.label}"
    return labels


def _category_of(study: LinkedStudy) -> dict[str, str]:
    if study.codebook is not None:
        return {code.id: category for code, category, *_ in study.codebook.iter_codes()}
    codings = study.codings
    return dict(zip(codings["code_id"], codings["category_id"], strict=False))
