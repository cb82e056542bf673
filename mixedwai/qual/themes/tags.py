"""Codes that come from inductive themes, and the codings they made.

:func:`inductive_code_ids` finds the codes :func:`mixedwai.qual.themes.promote.promote_themes`
added (or that an analyst marked as inductive); :func:`mixedwai.qual.coding.apply.code_corpus`
gives their codings ``source = "inductive"``, and :func:`tag_inductive` does the same
to a codings table made earlier or elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from mixedwai.qual.codebook.model import Codebook

__all__ = ["INDUCTIVE", "inductive_code_ids", "tag_inductive"]

#: ``source`` of codings made by promoted codes, and their ``metadata.origin``.
INDUCTIVE = "inductive"


def inductive_code_ids(codebook: Codebook) -> list[str]:
    """Ids of the codes that come from inductive themes, in codebook order.

    A code is inductive when its ``metadata.origin`` is ``"inductive"`` (as
    :func:`promote_themes` writes), or its category's is, or its category's id is
    ``inductive``; sub-codes of an inductive code are inductive too.

    Examples
    --------
    >>> from mixedwai.qual.codebook.loading import load_codebook
    >>> inductive_code_ids(load_codebook("ross2008-en"))
    []
    """
    out: list[str] = []
    inherited: set[str] = set()
    for code, category_id, parent, _depth in codebook.iter_codes():
        category = codebook.category(category_id)
        if (
            category_id == INDUCTIVE
            or category.metadata.get("origin") == INDUCTIVE
            or code.metadata.get("origin") == INDUCTIVE
            or (parent is not None and parent in inherited)
        ):
            out.append(code.id)
            inherited.add(code.id)
    return out


def tag_inductive(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Mark the rule codings of promoted (inductive) codes with ``source = "inductive"``.

    Parameters
    ----------
    codings : pandas.DataFrame
        Codings in the schema of :func:`mixedwai.qual.coding.apply.code_corpus` (at least
        ``code_id`` and ``source``).
    codebook : Codebook
        The codebook that coded them (see :func:`inductive_code_ids`).

    Returns
    -------
    pandas.DataFrame
        A copy, with ``source`` changed from ``"rule"`` to ``"inductive"`` on the rows
        of inductive codes. Manual codings keep ``"manual"`` (a person coded them).
        ``attrs`` are kept.

    Raises
    ------
    ColumnError
        ``code_id`` or ``source`` is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.codebook.model import Codebook
    >>> cb = Codebook.model_validate({"name": "d", "version": "1", "language": "en",
    ...     "categories": [{"id": "alliance", "label": "A", "codes": [{"id": "bond",
    ...     "label": "Bond"}]}, {"id": "inductive", "label": "I", "codes": [{"id": "bus",
    ...     "label": "Bus"}]}]})
    >>> codings = pd.DataFrame({"code_id": ["bond", "bus", "bus"],
    ...                         "source": ["rule", "rule", "manual"]})
    >>> tag_inductive(codings, cb)["source"].tolist()
    ['rule', 'inductive', 'manual']
    """
    from mixedwai._validation import require_columns

    require_columns(codings, ["code_id", "source"], hint="codings come from code_corpus()")
    ids = set(inductive_code_ids(codebook))
    out = codings.copy()
    if ids and len(out):
        mask = out["code_id"].astype(str).isin(ids) & (out["source"].astype(str) == "rule")
        out.loc[mask, "source"] = INDUCTIVE
    out.attrs = dict(codings.attrs)
    return out
