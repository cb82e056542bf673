"""Themes as NMF factors, and the coherence that chooses their number.

:func:`_fit_nmf` factorises the segment x term TF-IDF matrix with scikit-learn's
NMF; :func:`coherence` (NPMI and UMass of a theme's top terms) is the criterion
by which :func:`mixedwai.qual.themes.suggest.suggest_themes` chooses the number of themes.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy import sparse

__all__ = ["MAX_ITER", "MIN_THEME_SEGMENTS", "coherence"]

#: Maximum number of NMF iterations (coordinate descent).
MAX_ITER = 1000
#: A theme must be the dominant theme of at least this many segments (a theme recurs).
MIN_THEME_SEGMENTS = 2


def coherence(binary: sparse.spmatrix | np.ndarray, top: Sequence[int]) -> tuple[float, float]:
    """NPMI and UMass coherence of one theme's top terms on a segment x term matrix.

    Parameters
    ----------
    binary : sparse matrix or ndarray, shape (n_segments, n_terms)
        Term presence (any positive value counts as present).
    top : sequence of int
        Column indices of the theme's top terms, strongest first.

    Returns
    -------
    npmi : float
        Mean normalised pointwise mutual information over the pairs of top terms
        (Bouma 2009): ``log(p(a,b) / (p(a) p(b))) / -log p(a,b)`` with document
        (segment) probabilities; -1 for a pair that never co-occurs, 1 for a pair
        present in every segment. In [-1, 1]. -1 when fewer than 2 terms are given.
    umass : float
        Mean UMass score (Mimno et al. 2011): for each pair with ``b`` ranked above
        ``a``, ``log((D(a,b) + 1) / D(b))`` with ``D`` the number of segments
        holding the terms. NaN when fewer than 2 terms are given.

    Notes
    -----
    Checked in the tests against a direct count over Python sets of segments.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])
    >>> [round(v, 4) for v in coherence(X, [0, 1])]
    [0.415, 0.0]
    """
    top = list(top)
    if len(top) < 2:
        return -1.0, float("nan")
    columns = binary[:, top]
    if hasattr(columns, "toarray"):
        columns = columns.toarray()
    present = (np.asarray(columns) > 0).astype(np.float64)
    n = present.shape[0]
    together = present.T @ present  # D(a, b); diagonal = D(a)
    npmi: list[float] = []
    umass: list[float] = []
    for i in range(1, len(top)):
        for j in range(i):  # j ranked above i
            d_ij = together[i, j]
            d_i, d_j = together[i, i], together[j, j]
            if d_ij == 0:
                npmi.append(-1.0)
            elif d_ij == n:
                npmi.append(1.0)
            else:
                p_ij = d_ij / n
                npmi.append(math.log(p_ij / ((d_i / n) * (d_j / n))) / -math.log(p_ij))
            umass.append(math.log((d_ij + 1.0) / d_j) if d_j > 0 else float("nan"))
    return float(np.mean(npmi)), float(np.nanmean(umass)) if umass else float("nan")


def _fit_nmf(X: Any, k: int, random_state: int) -> tuple[np.ndarray, np.ndarray, float, int]:
    """NMF with NNDSVDa; rows of H rescaled to sum 1 (W absorbs the scale)."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # n_iter is reported
        W = model.fit_transform(X)
    H = model.components_
    scale = H.sum(axis=1)
    scale[scale == 0] = 1.0
    return W * scale, H / scale[:, None], float(model.reconstruction_err_), int(model.n_iter_)


def _top_terms(h: np.ndarray, n_terms: int) -> list[int]:
    order = np.argsort(-h, kind="stable")  # ties: vocabulary (alphabetical) order
    return [int(i) for i in order[:n_terms] if h[i] > 0]


def _theme_coherence(
    binary: Any, n_leading: int, h: np.ndarray, n_terms: int
) -> tuple[float, float]:
    top = _top_terms(h, n_terms)
    if len(top) < 2 or n_leading < MIN_THEME_SEGMENTS:
        # a theme of one term, or one that leads fewer than 2 segments: k over-splits the data
        return -1.0, float("nan")
    return coherence(binary, top)
