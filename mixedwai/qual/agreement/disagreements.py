"""The disagreements between coders, one row per segment: the agenda of a consensus meeting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixedwai.qual.agreement.units import UnitCodings

__all__ = ["NOT_RATED", "disagreement_table"]

#: Cell of a coder who did not code the segment's document.
NOT_RATED = "(not coded)"
_FIXED = ("doc_id", "case_id", "segment_id", "speaker", "start", "end", "text", "disputed")


def disagreement_table(data: UnitCodings) -> pd.DataFrame:
    """The segments on which the coders (at least two of them) did not apply the same codes.

    Parameters
    ----------
    data : UnitCodings
        From :func:`~mixedwai.qual.agreement.units.unit_codings`.

    Returns
    -------
    pandas.DataFrame
        One row per segment, in document and text order: doc_id, case_id,
        segment_id, speaker, start, end, text, disputed (the codes some but not all
        of the coders applied, ``"; "``-separated), then one column per coder (named
        after the coder; ``"coder <name>"`` if the name is one of the other columns)
        with the codes that coder applied, ``""`` for none and ``"(not coded)"`` when
        the coder did not code the document.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> from mixedwai.qual.agreement.units import unit_codings
    >>> t = Transcript.from_text("ES: We trust.\\nES: We agree.", doc_id="d")
    >>> codings = pd.DataFrame({"doc_id": ["d"] * 3, "start": [4, 4, 18],
    ...     "end": [13, 13, 27], "code_id": ["bond", "bond", "goals"],
    ...     "coder": ["AL", "BO", "AL"]})
    >>> disagreement_table(unit_codings(codings, [t]))[["segment_id", "disputed", "AL", "BO"]]
      segment_id disputed     AL BO
    0         t1    goals  goals
    """
    units = data.units
    n_units, n_coders = data.rated.shape
    coder_columns = [f"coder {c}" if c in _FIXED else c for c in data.coders]
    n_rated = data.rated.sum(axis=1)
    compared = n_rated >= 2
    disputed = np.full(n_units, "", dtype=object)
    cells = np.full((n_units, n_coders), "", dtype=object)
    for code in data.codes:  # codebook order; each step is vectorised over the units
        applied = (data.applied([code]) > 0) & data.rated
        present = applied.sum(axis=1)
        split = compared & (present > 0) & (present < n_rated)
        disputed[split] = _appended(disputed[split], code)
        cells[applied] = _appended(cells[applied], code)
    rows = np.flatnonzero(disputed != "")
    table = units.loc[rows, ["doc_id", "case_id", "segment_id", "speaker", "start", "end",
                             "text"]].reset_index(drop=True)
    table["disputed"] = disputed[rows]
    for c, name in enumerate(coder_columns):
        column = cells[rows, c]
        column[~data.rated[rows, c]] = NOT_RATED
        table[name] = column
    return table


def _appended(cells: np.ndarray, code: str) -> np.ndarray:
    """``code`` added to each cell of an object array of ``"; "``-separated codes."""
    filled = cells != ""
    out = np.full(len(cells), code, dtype=object)
    out[filled] = cells[filled] + ("; " + code)
    return out
