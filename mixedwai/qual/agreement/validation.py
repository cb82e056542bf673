"""Coders measured against a reference coder, code by code: the way to tune the rules.

The rules of a codebook code as the coder ``"mixedwai"``; measured against a person's
codings (the reference), their precision says how often a segment the rules coded was
coded so by the person, their recall how many of the person's segments the rules
found.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mixedwai.errors import InsufficientDataError, OptionError
from mixedwai.qual.agreement.coefficients import _cohen_from_codes
from mixedwai.qual.agreement.units import UnitCodings

__all__ = ["ALL_CODES", "VALIDATION_COLUMNS", "validation_table"]

#: Columns of the validation table.
VALIDATION_COLUMNS = (
    "reference", "coder", "code_id", "label", "category_id", "n_units", "n_reference",
    "n_coder", "tp", "fp", "fn", "tn", "precision", "recall", "f1", "cohen_kappa",
)
#: ``code_id`` of each coder's row pooling every code (micro-average).
ALL_CODES = "(all codes)"


def validation_table(
    data: UnitCodings,
    reference: str,
    *,
    labels: Mapping[str, str] | None = None,
    categories: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Precision, recall, F1 and kappa of every coder against a reference coder, per code.

    Parameters
    ----------
    data : UnitCodings
        From :func:`~mixedwai.qual.agreement.units.unit_codings`.
    reference : str
        The coder taken as right (a person; the rules are ``"mixedwai"``).
    labels, categories : mapping of code id -> str, optional
        Code labels and category ids, copied into the table.

    Returns
    -------
    pandas.DataFrame
        One row per other coder and code, then one row per coder with
        ``code_id = "(all codes)"`` pooling every (unit, code) pair. Columns:
        reference, coder, code_id, label, category_id, n_units (units both coders
        rated), n_reference / n_coder (units each applied the code to), tp (both),
        fp (the coder only), fn (the reference only), tn (neither), precision =
        tp / (tp + fp), recall = tp / (tp + fn), f1 (their harmonic mean),
        cohen_kappa (presence/absence). A ratio with a zero denominator is NaN.

    Raises
    ------
    OptionError
        ``reference`` is not one of the coders.
    InsufficientDataError
        There is no other coder.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> from mixedwai.qual.agreement.units import unit_codings
    >>> t = Transcript.from_text("ES: We trust.\\nES: We agree.\\nES: Fine.", doc_id="d")
    >>> codings = pd.DataFrame({"doc_id": ["d"] * 3, "start": [4, 18, 18],
    ...     "end": [13, 27, 27], "code_id": ["bond"] * 3, "coder": ["AL", "AL", "mixedwai"]})
    >>> table = validation_table(unit_codings(codings, [t]), "AL")
    >>> table[["coder", "code_id", "tp", "fn", "precision", "recall"]].head(1)
          coder code_id  tp  fn  precision  recall
    0  mixedwai    bond   1   1        1.0     0.5
    """
    if reference not in data.coders:
        raise OptionError(
            f"reference = {reference!r} is not one of the coders compared: "
            f"{', '.join(map(repr, data.coders))}"
        )
    r = data.coders.index(reference)
    others = [c for c in range(len(data.coders)) if c != r]
    if not others:
        raise InsufficientDataError(
            f"reference = {reference!r}: no other coder to measure against it"
        )
    labels = labels or {}
    categories = categories or {}
    per_code = [data.applied([code]) > 0 for code in data.codes]
    rows = []
    pooled_rows = []
    for c in others:
        both = data.rated[:, r] & data.rated[:, c]
        pooled = np.zeros(4, dtype=np.int64)
        pooled_a: list[np.ndarray] = []
        pooled_b: list[np.ndarray] = []
        for code, applied in zip(data.codes, per_code, strict=True):
            ref = applied[both, r]
            other = applied[both, c]
            counts = _confusion(ref, other)
            pooled += counts
            pooled_a.append(ref)
            pooled_b.append(other)
            rows.append(_row(reference, data.coders[c], code, labels.get(code, code),
                             categories.get(code), int(both.sum()), counts, ref, other))
        ref_all = np.concatenate(pooled_a) if pooled_a else np.zeros(0, bool)
        other_all = np.concatenate(pooled_b) if pooled_b else np.zeros(0, bool)
        pooled_rows.append(_row(reference, data.coders[c], ALL_CODES, "every code, pooled",
                                None, int(both.sum()), pooled, ref_all, other_all))
    return pd.DataFrame([*rows, *pooled_rows], columns=list(VALIDATION_COLUMNS))


def _confusion(ref: np.ndarray, other: np.ndarray) -> np.ndarray:
    tp = int(np.count_nonzero(ref & other))
    fp = int(np.count_nonzero(~ref & other))
    fn = int(np.count_nonzero(ref & ~other))
    tn = int(len(ref) - tp - fp - fn)
    return np.array([tp, fp, fn, tn], dtype=np.int64)


def _row(reference: str, coder: str, code: str, label: str, category: str | None,
         n_units: int, counts: np.ndarray, ref: np.ndarray, other: np.ndarray) -> tuple:
    tp, fp, fn, tn = (int(v) for v in counts)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    kappa = _cohen_from_codes(ref.astype(np.int64), other.astype(np.int64), 2)
    return (reference, coder, code, label, category, n_units, tp + fn, tp + fp, tp, fp, fn, tn,
            precision, recall, f1, kappa)
