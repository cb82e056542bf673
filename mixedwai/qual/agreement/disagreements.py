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
    >>> from mixedwai.qual.transcript_model import Transcript
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
    disputed_codes: list[list[str]] = [[] for _ in range(n_units)]
    any_dispute = np.zeros(n_units, dtype=bool)
    for code in data.codes:
        present = ((data.applied([code]) > 0) & data.rated).sum(axis=1)
        split = compared & (present > 0) & (present < n_rated)
        any_dispute |= split
        for u in np.flatnonzero(split):
            disputed_codes[u].append(code)
    rows = np.flatnonzero(any_dispute)
    table = units.loc[rows, ["doc_id", "case_id", "segment_id", "speaker", "start", "end",
                             "text"]].reset_index(drop=True)
    table["disputed"] = ["; ".join(disputed_codes[u]) for u in rows]
    position = np.full(n_units, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    keep = position[data.unit_index] >= 0
    cells = [[""] * len(rows) for _ in range(n_coders)]
    for u, c, k in zip(position[data.unit_index[keep]], data.coder_index[keep],
                       data.code_index[keep], strict=True):
        cell = cells[c][u]
        cells[c][u] = f"{cell}; {data.codes[k]}" if cell else data.codes[k]
    for c, name in enumerate(coder_columns):
        column = np.array(cells[c], dtype=object)
        column[~data.rated[rows, c]] = NOT_RATED
        table[name] = column
    return table
