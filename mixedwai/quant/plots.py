"""Figures of the quantitative strand: pattern trajectories and the dendrogram.

matplotlib is imported inside the functions (it is the ``plot`` extra) and
figures are built with :class:`matplotlib.figure.Figure`, never through
``pyplot``: nothing is displayed, no global figure state is kept, and the Agg
renderer draws the PNG files. :func:`save_figure` writes files whose bytes
depend only on the figure (no software version or date in the metadata).

Examples
--------
>>> import pandas as pd
>>> profile = pd.DataFrame(
...     {"pattern": ["stable high", "stable low"], "abbrev": ["SHA", "SLA"], "n": [5, 10],
...      "t1_mean": [6.55, 5.10], "t2_mean": [6.65, 5.05], "t3_mean": [6.72, 5.12]},
...     index=pd.Index([1, 2], name="cluster"))
>>> fig = plot_trajectories(profile)
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
['SHA (n = 5)', 'SLA (n = 10)']
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_range
from mixedwai.errors import ColumnError, DataValueError, OptionError
from mixedwai.io import write_bytes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["BAND_MIN_N", "cluster_colors", "cut_height", "figure_bytes", "pattern_bands",
           "plot_dendrogram", "plot_trajectories", "save_figure"]

#: Above this many cases the trajectory figure adds each pattern's 10th-90th percentile band.
BAND_MIN_N = 100
#: Above this many cases the dendrogram draws no mark per hidden merge (``show_contracted``).
CONTRACTED_MAX_N = 1000

_MEAN_COLUMN = re.compile(r"(t(\d+))_mean")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
#: metadata keys, per format, that would carry the software version or a date.
_METADATA = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}


def cluster_colors(clusters: Sequence[Any] | pd.Index | pd.Series) -> dict[Any, str]:
    """The colour of each cluster, the same in the trajectories and the dendrogram.

    The clusters, in sorted order (cluster 1 first), take matplotlib's colour
    cycle in turn (``C0``, ``C1`` ... of the current style, as hex strings).

    Parameters
    ----------
    clusters : list, Index or Series
        Cluster numbers (or names), repeats allowed (e.g. one per case).

    Returns
    -------
    dict
        Cluster -> colour.

    Examples
    --------
    >>> cluster_colors([3, 1, 2, 1])
    {1: '#1f77b4', 2: '#ff7f0e', 3: '#2ca02c'}
    """
    import matplotlib
    from matplotlib.colors import to_hex

    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key().get("color") or ["#1f77b4"]
    unique = list(dict.fromkeys(_plain_value(c) for c in pd.unique(_as_objects(clusters))))
    with contextlib.suppress(TypeError):  # mixed kinds: keep first appearance
        unique = sorted(unique)
    return {c: to_hex(cycle[i % len(cycle)]) for i, c in enumerate(unique)}


def _as_objects(values: Any) -> np.ndarray:
    """Any sequence of labels as a 1-D object array (one conversion, no loop)."""
    if isinstance(values, (pd.Series, pd.Index)):
        return values.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _plain_value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots()


def plot_trajectories(
    profile: pd.DataFrame,
    *,
    ax: Axes | None = None,
    title: str | None = None,
    sd: bool = False,
    ylim: tuple[float, float] | None = (1, 7),
    ylabel: str = "Mean WAI score",
    time_labels: Sequence[str] | None = None,
    colors: Mapping[Any, str] | None = None,
    bands: pd.DataFrame | None = None,
) -> Figure:
    """Mean score at each time, one line per pattern (the study's Figure 2).

    Parameters
    ----------
    profile : pandas.DataFrame
        The table of :func:`mixedwai.quant.patterns.shapes.profile_table`: one row per
        pattern with ``t1_mean .. tN_mean`` (and ``t1_sd ..`` for error bars),
        ``n`` and ``abbrev`` or ``pattern`` for the legend.
    ax : matplotlib Axes, optional
        Draw into these axes (default: a new 6 x 4 inch figure).
    title : str, optional
        Axes title.
    sd : bool, default=False
        Draw +/- 1 SD error bars (needs the ``tK_sd`` columns).
    ylim : (float, float) or None, default=(1, 7)
        Y axis range: the WAI scale 1..7 by default; None lets matplotlib choose.
    ylabel : str, default="Mean WAI score"
    time_labels : list of str, optional
        X tick labels (default ``"Time 1"``, ``"Time 2"`` ...).
    colors : mapping of cluster to colour, optional
        The colour of each row, by its index value (cluster). Default:
        :func:`cluster_colors` of the index, the colours
        :func:`plot_dendrogram` gives the same clusters.
    bands : pandas.DataFrame, optional
        Percentile bands drawn behind the lines, as :func:`pattern_bands`
        returns them (index: the clusters of ``profile``; columns
        ``tK_low``, ``tK_high``). With many cases the means alone hide the
        spread; the bands show it without drawing every case.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes (the axes' figure when ``ax`` is given).

    Raises
    ------
    ColumnError
        No ``tK_mean`` column, or ``sd=True`` without the ``tK_sd`` columns.
    OptionError
        ``time_labels`` of the wrong length.

    Notes
    -----
    Legend entries read ``"SHA (n = 5)"``: the abbreviation when known, else
    the pattern name, else the cluster number. Lines keep the row order of
    ``profile``; each gets its own marker so the figure reads in grey scale.

    Examples
    --------
    >>> import pandas as pd
    >>> profile = pd.DataFrame(
    ...     {"pattern": ["stable high", "linear decrease", "stable low"],
    ...      "abbrev": ["SHA", "LDA", "SLA"], "n": [5, 3, 10],
    ...      "t1_mean": [6.55, 6.60, 5.10], "t2_mean": [6.65, 6.05, 5.05],
    ...      "t3_mean": [6.72, 5.55, 5.12]},
    ...     index=pd.Index([1, 2, 3], name="cluster"))
    >>> fig = plot_trajectories(profile, title="Figure 2")
    >>> ax = fig.axes[0]
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['SHA (n = 5)', 'LDA (n = 3)', 'SLA (n = 10)']
    >>> [line.get_color() for line in ax.get_lines()] == list(cluster_colors([1, 2, 3]).values())
    True
    >>> tuple(float(y) for y in ax.get_ylim())
    (1.0, 7.0)
    """
    if not isinstance(profile, pd.DataFrame):
        raise DataValueError(f"profile must be a DataFrame; received {type(profile).__name__}")
    found = [(m.group(1), int(m.group(2))) for c in profile.columns
             if isinstance(c, str) and (m := _MEAN_COLUMN.fullmatch(c))]
    if not found:
        columns = ", ".join(repr(str(c)) for c in profile.columns) or "(none)"
        raise ColumnError(
            f"profile: no time-mean column t1_mean..tN_mean; found columns: {columns}. "
            "Pass the table returned by profile_table()"
        )
    times = [t for t, _ in sorted(found, key=lambda item: item[1])]
    if sd:
        missing = [f"{t}_sd" for t in times if f"{t}_sd" not in profile.columns]
        if missing:
            raise ColumnError(f"profile: sd=True needs the columns {', '.join(missing)}")
    if time_labels is None:
        time_labels = [f"Time {t[1:]}" for t in times]
    elif len(time_labels) != len(times):
        raise OptionError(
            f"time_labels has {len(time_labels)} labels; expected {len(times)} (one per time)"
        )

    palette = cluster_colors(profile.index) if colors is None else dict(colors)
    unknown = [c for c in profile.index if _plain_value(c) not in palette]
    if unknown:
        raise OptionError(f"colors gives no colour for cluster(s) {', '.join(map(str, unknown))}")
    fig, ax = _new_axes(ax, (6.0, 4.0))
    x = np.arange(1, len(times) + 1)
    ends: list[tuple[float, str, str]] = []
    for i, (cluster, row) in enumerate(profile.iterrows()):
        y = row[[f"{t}_mean" for t in times]].to_numpy(dtype=float)
        label = _legend_label(cluster, row)
        marker = _MARKERS[i % len(_MARKERS)]
        color = palette[_plain_value(cluster)]
        if bands is not None and cluster in bands.index:
            low = bands.loc[cluster, [f"{t}_low" for t in times]].to_numpy(dtype=float)
            high = bands.loc[cluster, [f"{t}_high" for t in times]].to_numpy(dtype=float)
            ax.fill_between(x, low, high, color=color, alpha=0.15, linewidth=0)
        if sd:
            err = row[[f"{t}_sd" for t in times]].to_numpy(dtype=float)
            ax.errorbar(x, y, yerr=np.nan_to_num(err), marker=marker, capsize=3, label=label,
                        color=color)
        else:
            ax.plot(x, y, marker=marker, label=label, color=color)
        ends.append((float(y[-1]), _short_name(cluster, row), color))
    _label_line_ends(ax, ends, x_end=float(len(times)))
    ax.set_xticks(x, list(time_labels))
    ax.set_xlim(0.7, len(times) + 0.6)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return fig


def _short_name(cluster: Any, row: pd.Series) -> str:
    for column in ("abbrev", "pattern"):
        value = row.get(column)
        if isinstance(value, str) and value:
            return value
    return f"cluster {cluster}"


def _label_line_ends(ax: Axes, ends: list[tuple[float, str, str]], *, x_end: float) -> None:
    """Write each pattern's name at the end of its line (not by colour alone).

    Labels closer than a twentieth of the value range are pushed apart, in order.
    """
    if not ends:
        return
    values = [v for v, _, _ in ends]
    gap = max(0.05, (max(values) - min(values)) / 12 if len(values) > 1 else 0.05)
    placed: list[float] = []
    for value, name, color in sorted(ends):
        y = value if not placed else max(value, placed[-1] + gap)
        placed.append(y)
        ax.annotate(name, xy=(x_end, value), xytext=(x_end + 0.08, y), textcoords="data",
                    va="center", ha="left", fontsize=9, fontweight="bold", color=color)


def pattern_bands(matrix: pd.DataFrame, clusters: pd.Series, *,
                  percentiles: tuple[float, float] = (10, 90)) -> pd.DataFrame:
    """Each cluster's low and high percentile at each time, for :func:`plot_trajectories`.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Case x time scores (columns ``t1..tN``), e.g. ``result.matrix``.
    clusters : pandas.Series
        The cluster of each case (same index), e.g. ``result.labels["cluster"]``.
    percentiles : (float, float), default=(10, 90)

    Returns
    -------
    pandas.DataFrame
        Index ``cluster``; columns ``t1_low``, ``t1_high`` ... (numpy's linear
        percentiles), computed with one vectorised group-by.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"t1": [1.0, 2.0, 3.0, 6.0], "t2": [2.0, 2.0, 2.0, 7.0]})
    >>> pattern_bands(m, pd.Series([1, 1, 1, 2]))[["t1_low", "t1_high"]]
             t1_low  t1_high
    cluster
    1           1.2      2.8
    2           6.0      6.0
    """
    low, high = (p / 100 for p in percentiles)
    grouped = matrix.groupby(clusters.to_numpy())
    lows = grouped.quantile(low).add_suffix("_low")
    highs = grouped.quantile(high).add_suffix("_high")
    out = pd.concat([lows, highs], axis=1)
    out.index.name = "cluster"
    return out


def _legend_label(cluster: Any, row: pd.Series) -> str:
    name = None
    for column in ("abbrev", "pattern"):
        value = row.get(column)
        if isinstance(value, str) and value:
            name = value
            break
    if name is None:
        name = f"cluster {cluster}"
    n = row.get("n")
    return f"{name} (n = {int(n)})" if n is not None and not pd.isna(n) else name


def plot_dendrogram(
    linkage_matrix: Any,
    *,
    labels: Sequence[str] | None = None,
    k: int | None = None,
    ax: Axes | None = None,
    truncate_at: int = 60,
    title: str | None = None,
    clusters: Sequence[Any] | None = None,
    colors: Mapping[Any, str] | None = None,
    names: Mapping[Any, str] | None = None,
) -> Figure:
    """Dendrogram of a hierarchical clustering, coloured at the k-cluster cut.

    Parameters
    ----------
    linkage_matrix : array-like, shape (n - 1, 4)
        A SciPy linkage matrix (e.g. from Ward's method).
    labels : list of str, optional
        Leaf labels (case ids), one per case, in the order of the clustered
        rows.
    k : int, optional
        Number of clusters: links below the cut are coloured by cluster and a
        dashed line marks the cut. Without it, SciPy's default colouring.
    ax : matplotlib Axes, optional
        Draw into these axes (default: a new figure sized to the leaves).
    truncate_at : int, default=60
        With more cases than this, show only the last ``truncate_at`` merged
        clusters (SciPy's ``truncate_mode="lastp"``; leaf labels then give
        cluster sizes). The marks of the hidden merges under each leaf are
        drawn up to 1000 cases only: above, they would be one patch per merge
        (99,880 at 100,000 cases) and the figure would take minutes.
    title : str, optional
        Axes title.
    clusters : sequence, optional
        The cluster of each case (as in the results, e.g.
        ``result.labels["cluster"]``), in the order of the clustered rows.
        Each link whose cases all lie in one cluster takes that cluster's
        colour (leaf labels too), the others are grey, so the dendrogram and
        :func:`plot_trajectories` colour a pattern alike. ``k`` defaults to
        the number of clusters.
    colors : mapping of cluster to colour, optional
        With ``clusters``: the colour of each cluster (default
        :func:`cluster_colors`, as :func:`plot_trajectories`).
    names : mapping of cluster to str, optional
        With ``clusters``: a name per cluster (``SHA``) written above its
        leaves, so a pattern is told by its name, not by colour alone.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataValueError
        Not a valid linkage matrix, or ``labels`` or ``clusters`` of the wrong
        length.
    OptionError
        ``k`` outside 1..n, ``truncate_at`` below 2, or ``colors`` missing a
        cluster.

    Notes
    -----
    Drawn by :func:`scipy.cluster.hierarchy.dendrogram`. The colour threshold
    for ``k`` clusters lies halfway between the heights of the (n - k)-th and
    (n - k + 1)-th merges, so exactly ``k`` subtrees lie below it. Without
    ``clusters`` the links below it get SciPy's colours. With 10 or more leaf
    labels, the labels are turned upright (90 degrees) so that case ids such
    as ``ES11_C4`` do not overlap.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.cluster.hierarchy import linkage
    >>> Z = linkage(np.array([[6.6], [6.5], [5.1], [5.0], [6.0]]), method="ward")
    >>> fig = plot_dendrogram(Z, labels=["A", "B", "C", "D", "E"], k=2)
    >>> sorted(t.get_text() for t in fig.axes[0].get_xticklabels())
    ['A', 'B', 'C', 'D', 'E']
    >>> fig = plot_dendrogram(Z, labels=["A", "B", "C", "D", "E"], clusters=[1, 1, 2, 2, 1])
    >>> {t.get_text(): t.get_color() for t in fig.axes[0].get_xticklabels()}["C"]
    '#ff7f0e'
    """
    from scipy.cluster.hierarchy import dendrogram, is_valid_linkage

    try:
        Z = np.asarray(linkage_matrix, dtype=float)
        valid = Z.ndim == 2 and Z.shape[1] == 4 and len(Z) >= 1 and bool(is_valid_linkage(Z))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise DataValueError(
            "linkage_matrix is not a valid SciPy linkage matrix (n - 1 rows of "
            "[left, right, height, size]); pass the linkage of the clustering"
        )
    n = len(Z) + 1
    if labels is not None and len(labels) != n:
        raise DataValueError(f"labels has {len(labels)} entries; the linkage joins {n} cases")
    check_range("truncate_at", truncate_at, low=2, integer=True)
    link_colors = None
    leaf_clusters = None
    if clusters is not None:
        objects = _as_objects(clusters)
        leaf_clusters = (objects.tolist()  # already Python scalars: no loop per case
                         if not any(isinstance(c, np.generic) for c in pd.unique(objects))
                         else [_plain_value(c) for c in objects])
        if len(leaf_clusters) != n:
            raise DataValueError(
                f"clusters has {len(leaf_clusters)} entries; the linkage joins {n} cases"
            )
        palette = cluster_colors(leaf_clusters) if colors is None else dict(colors)
        unknown = sorted({str(c) for c in leaf_clusters if c not in palette})
        if unknown:
            raise OptionError(f"colors gives no colour for cluster(s) {', '.join(unknown)}")
        if k is None:
            k = len(set(leaf_clusters))
        link_colors = _link_colors(Z, leaf_clusters, palette)
    threshold = None
    if k is not None:
        threshold = cut_height(Z, k)

    width = min(12.0, max(5.0, 0.25 * min(n, truncate_at) + 2))
    fig, ax = _new_axes(ax, (width, 4.0))
    options: dict[str, Any] = {"ax": ax, "above_threshold_color": "grey"}
    shown = min(n, int(truncate_at))
    if labels is not None:
        options["labels"] = [str(label) for label in labels]
        if shown >= 10:
            options["leaf_rotation"] = 90.0
    if threshold is not None:
        options["color_threshold"] = threshold
    if link_colors is not None:
        options["link_color_func"] = link_colors.__getitem__
    if n > truncate_at:  # the top merges; a mark per hidden merge only while they are few
        options.update(truncate_mode="lastp", p=int(truncate_at),
                       show_contracted=n <= CONTRACTED_MAX_N)
    tree = dendrogram(Z, **options)
    if leaf_clusters is not None and n <= truncate_at:
        for text, leaf in zip(ax.get_xticklabels(), tree["leaves"], strict=True):
            text.set_color(palette[leaf_clusters[leaf]])
    if threshold is not None and 1 < k < n:
        ax.axhline(threshold, linestyle="--", color="black", linewidth=0.8)
    if names and leaf_clusters is not None:
        # each shown leaf is a case, or (above truncate_at cases) a merged group of cases
        owner = _node_clusters(Z, leaf_clusters) if n > truncate_at else leaf_clusters
        positions: dict[Any, list[float]] = {}
        for i, leaf in enumerate(tree["leaves"]):
            if owner[leaf] is not _MIXED:
                positions.setdefault(owner[leaf], []).append(5.0 + 10.0 * i)
        top = threshold if threshold is not None else float(Z[:, 2].max())
        for cluster, xs in positions.items():
            if cluster in names:
                ax.text(float(np.mean(xs)), top, str(names[cluster]), ha="center", va="bottom",
                        fontsize=9, fontweight="bold", color=palette[cluster])
    ax.set_ylabel("Merge height")
    if title:
        ax.set_title(title)
    return fig


_MIXED = object()  # a node whose cases belong to several clusters


def _node_clusters(Z: np.ndarray, leaf_clusters: list[Any]) -> list[Any]:
    """The cluster of every node (leaves 0..n-1, merges n..2n-2), or ``_MIXED``."""
    n = len(Z) + 1
    owner: list[Any] = list(leaf_clusters) + [None] * (n - 1)
    for i, (left, right) in enumerate(Z[:, :2].astype(np.int64)):
        a, b = owner[left], owner[right]
        owner[n + i] = a if (a is b or a == b) and a is not _MIXED else _MIXED
    return owner


def _link_colors(Z: np.ndarray, leaf_clusters: list[Any], palette: Mapping[Any, str]
                 ) -> dict[int, str]:
    """Colour of each link (node id n..2n-2): its cluster's when all its cases share one."""
    n = len(Z) + 1
    owner = _node_clusters(Z, leaf_clusters)
    return {node: palette[owner[node]] if owner[node] is not _MIXED else "grey"
            for node in range(n, 2 * n - 1)}


def cut_height(linkage_matrix: Any, k: int) -> float:
    """Height at which a linkage tree is cut into ``k`` clusters.

    Halfway between the heights of the (n - k)-th and (n - k + 1)-th merges;
    above the last merge for ``k = 1``; 0 for ``k = n``.

    Raises
    ------
    OptionError
        ``k`` outside 1..n.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.cluster.hierarchy import linkage
    >>> Z = linkage(np.array([[0.0], [1.0], [10.0]]), method="single")
    >>> cut_height(Z, 2)
    5.0
    """
    Z = np.asarray(linkage_matrix, dtype=float)
    n = len(Z) + 1
    check_range("k", k, low=1, high=n, integer=True)
    heights = np.sort(Z[:, 2])
    if k == 1:
        return float(heights[-1] * 1.05 + 1e-12)
    if k == n:
        return 0.0
    return float((heights[n - k - 1] + heights[n - k]) / 2)


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Write a figure atomically, with the same bytes every time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or path
        Output file; ``.png`` (default use), ``.svg`` or ``.pdf``.
    dpi : int, default=150
        Resolution of PNG files.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OptionError
        Another extension, or ``dpi`` below 1.

    Notes
    -----
    The metadata that would change between runs or versions is removed
    (PNG ``Software``; SVG ``Date``/``Creator``, with a fixed ``svg.hashsalt``
    so element ids do not change; PDF dates, ``Producer`` and ``Creator``).
    The figure is rendered to memory and written through
    :func:`mixedwai.io.write_bytes` (temporary file renamed), so a crash never
    leaves half a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); _ = fig.subplots().plot([1, 2], [3, 4])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "f.png"
    >>> save_figure(fig, out).read_bytes()[:4]
    b'\\x89PNG'
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in _METADATA:
        raise OptionError(
            f"{path}: cannot save a figure as {path.suffix or '(no extension)'!r}; "
            "expected .png, .svg or .pdf"
        )
    check_range("dpi", dpi, low=1, integer=True)
    write_bytes(figure_bytes(fig, fmt, dpi=dpi), path)
    return path


def figure_bytes(fig: Figure, fmt: str = "png", *, dpi: int = 300) -> bytes:
    """A figure as PNG, SVG or PDF bytes that depend only on the figure.

    The metadata that would change between runs (dates, software versions) is left
    out, as in :func:`save_figure`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(); _ = fig.subplots().plot([1, 2], [3, 4])
    >>> figure_bytes(fig, "svg") == figure_bytes(fig, "svg"), figure_bytes(fig, "pdf")[:4]
    (True, b'%PDF')
    """
    import matplotlib

    if fmt not in _METADATA:
        raise OptionError(f"cannot render a figure as {fmt!r}; expected png, svg or pdf")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "mixedwai", "pdf.compression": 6}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=dict(_METADATA[fmt]))
    return buffer.getvalue()
