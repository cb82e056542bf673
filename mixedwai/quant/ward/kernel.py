"""The numba kernels of exact Ward clustering, and the tie tolerance they share.

:func:`_nn_chain` runs weighted Ward by nearest-neighbour chain on the distinct
rows with the canonical tie rule (see :func:`mixedwai.quant.ward.tree.ward_tree`);
:func:`_cut_roots` cuts a tree into k clusters numbered by their lowest leaf.
Both are compiled with ``cache=True``.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["TIE_RTOL"]

#: Two merge costs ``a <= b`` are treated as tied when ``b <= a * (1 + TIE_RTOL)``.
#: Far above floating-point noise in the costs (about 1e-15 relative), far below
#: any difference that matters for a partition.
TIE_RTOL = 1e-10


@numba.njit(cache=True, nogil=True)
def _nn_chain(points, weights, counts, rtol):
    """Weighted Ward by nearest-neighbour chain on ``points`` (d x m).

    Returns, in execution order: children node ids (leaves 0..m-1, the
    j-th merge creates node m + j), merge cost (increase of the weighted
    error sum of squares), effective height (monotone along the tree),
    tie flag, and the number of rows in the new cluster.
    """
    d, m = points.shape
    ac = points.copy()  # centroids of active clusters, compacted by position
    aw = weights.copy()  # their weights
    an = counts.copy()  # their row counts
    aslot = np.arange(m)  # slot (= lowest distinct row index) at each position
    where = np.arange(m)  # position of each slot, -1 once merged away
    node = np.arange(m)  # current node id of each slot
    heff = np.zeros(2 * m - 1)
    children = np.empty((m - 1, 2), dtype=np.int64)
    cost_out = np.empty(m - 1)
    height_out = np.empty(m - 1)
    tied_out = np.zeros(m - 1, dtype=np.bool_)
    size_out = np.empty(m - 1, dtype=np.int64)
    chain = np.empty(m, dtype=np.int64)
    chain_tied = np.zeros(m, dtype=np.bool_)
    buf = np.empty(m)
    n_act = m
    clen = 0
    start = 0
    for step in range(m - 1):
        while True:
            if clen == 0:
                while where[start] < 0:
                    start += 1
                chain[0] = start
                clen = 1
            a = chain[clen - 1]
            pa = where[a]
            prev = chain[clen - 2] if clen >= 2 else -1
            # squared distances from the tip's centroid to every active centroid
            row = ac[0]
            ct = row[pa]
            for p in range(n_act):
                diff = row[p] - ct
                buf[p] = diff * diff
            for t in range(1, d):
                row = ac[t]
                ct = row[pa]
                for p in range(n_act):
                    diff = row[p] - ct
                    buf[p] += diff * diff
            wa = aw[pa]
            for p in range(n_act):
                buf[p] *= wa * aw[p] / (wa + aw[p])
            buf[pa] = np.inf
            best = np.inf
            for p in range(n_act):
                best = min(best, buf[p])
            threshold = best + best * rtol
            count = 0
            best_slot = m
            prev_ok = False
            for p in range(n_act):
                if buf[p] <= threshold:
                    count += 1
                    s = aslot[p]
                    if s < best_slot:
                        best_slot = s
                    if s == prev:
                        prev_ok = True
            tied = count > 1
            if prev_ok:
                break
            chain_tied[clen - 1] = tied
            chain[clen] = best_slot
            clen += 1
        # merge the tip a with prev (reciprocal nearest neighbours)
        pb = where[prev]
        cost = buf[pb]
        wb = aw[pb]
        wn = wa + wb
        keep = min(a, prev)
        drop = max(a, prev)
        pk = where[keep]
        pd_ = where[drop]
        for t in range(d):
            ac[t, pk] = (wa * ac[t, pa] + wb * ac[t, pb]) / wn
        aw[pk] = wn
        an[pk] = an[pa] + an[pb]
        na = node[a]
        nb = node[prev]
        children[step, 0] = min(na, nb)
        children[step, 1] = max(na, nb)
        h = np.sqrt(2.0 * cost)
        he = max(h, heff[na], heff[nb])
        heff[m + step] = he
        cost_out[step] = cost
        height_out[step] = he
        tied_out[step] = tied or chain_tied[clen - 2]
        size_out[step] = an[pk]
        node[keep] = m + step
        last = n_act - 1
        if pd_ != last:
            for t in range(d):
                ac[t, pd_] = ac[t, last]
            aw[pd_] = aw[last]
            an[pd_] = an[last]
            aslot[pd_] = aslot[last]
            where[aslot[pd_]] = pd_
        where[drop] = -1
        n_act -= 1
        clen -= 2
    return children, cost_out, height_out, tied_out, size_out

@numba.njit(cache=True, nogil=True)
def _cut_roots(children, n_leaves, k):
    """Canonical cluster number (0..k-1, by lowest leaf) of each leaf at k clusters."""
    n_merge = n_leaves - k
    total = n_leaves + n_merge
    parent = np.full(total, -1, dtype=np.int64)
    for i in range(n_merge):
        parent[children[i, 0]] = n_leaves + i
        parent[children[i, 1]] = n_leaves + i
    root = np.empty(total, dtype=np.int64)
    for x in range(total - 1, -1, -1):
        root[x] = x if parent[x] < 0 else root[parent[x]]
    number = np.full(total, -1, dtype=np.int64)
    labels = np.empty(n_leaves, dtype=np.int64)
    nxt = 0
    for leaf in range(n_leaves):
        r = root[leaf]
        if number[r] < 0:
            number[r] = nxt
            nxt += 1
        labels[leaf] = number[r]
    return labels
