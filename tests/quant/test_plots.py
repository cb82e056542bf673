"""Tests for mixedwai.quant.plots: trajectories, dendrogram, deterministic saving."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from mixedwai.errors import ColumnError, DataValueError, OptionError
from mixedwai.quant.plots import cut_height, plot_dendrogram, plot_trajectories, save_figure


@pytest.fixture
def profile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pattern": ["stable high", "stable low", "linear decrease"],
            "abbrev": ["SHA", "SLA", "LDA"],
            "n": [5, 10, 3],
            "t1_mean": [6.55, 5.10, 6.60], "t1_sd": [0.2, 0.4, 0.1],
            "t2_mean": [6.65, 5.05, 6.05], "t2_sd": [0.1, 0.3, np.nan],
            "t3_mean": [6.72, 5.12, 5.55], "t3_sd": [0.1, 0.3, 0.3],
        },
        index=pd.Index([1, 2, 3], name="cluster"),
    )


@pytest.fixture
def tree() -> np.ndarray:
    rng = np.random.default_rng(5)
    points = np.concatenate([rng.normal(m, 0.2, size=(6, 3)) for m in (5.0, 6.0, 6.8)])
    return linkage(points, method="ward")


# --- plot_trajectories ----------------------------------------------------------------


def test_one_line_per_pattern_with_its_means(profile):
    ax = plot_trajectories(profile).axes[0]
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_allclose(lines[2].get_ydata(), [6.60, 6.05, 5.55])
    np.testing.assert_allclose(lines[0].get_xdata(), [1, 2, 3])


def test_legend_names_pattern_and_size(profile):
    ax = plot_trajectories(profile).axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["SHA (n = 5)", "SLA (n = 10)", "LDA (n = 3)"]


def test_legend_falls_back_to_pattern_name(profile):
    ax = plot_trajectories(profile.drop(columns="abbrev")).axes[0]
    assert ax.get_legend().get_texts()[0].get_text() == "stable high (n = 5)"


def test_y_axis_spans_the_wai_scale_and_x_ticks_name_times(profile):
    ax = plot_trajectories(profile, title="Figure 2").axes[0]
    assert ax.get_ylim() == (1.0, 7.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Time 1", "Time 2", "Time 3"]
    assert ax.get_title() == "Figure 2"


def test_sd_option_draws_error_bars(profile):
    ax = plot_trajectories(profile, sd=True).axes[0]
    assert len(ax.containers) == 3  # one ErrorbarContainer per pattern


def test_sd_option_needs_sd_columns(profile):
    with pytest.raises(ColumnError, match="t2_sd"):
        plot_trajectories(profile.drop(columns="t2_sd"), sd=True)


def test_draws_into_given_axes(profile):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.subplots()
    assert plot_trajectories(profile, ax=ax) is fig


def test_profile_without_time_means_is_rejected():
    with pytest.raises(ColumnError, match="no time-mean column"):
        plot_trajectories(pd.DataFrame({"t1": [5.0]}))


def test_time_labels_must_match_times(profile):
    with pytest.raises(OptionError, match="expected 3"):
        plot_trajectories(profile, time_labels=["a", "b"])


# --- plot_dendrogram ------------------------------------------------------------------


@pytest.mark.parametrize("k", [2, 3, 4])
def test_cut_height_gives_k_clusters_as_fcluster_maxclust(tree, k):
    by_height = fcluster(tree, t=cut_height(tree, k), criterion="distance")
    by_count = fcluster(tree, t=k, criterion="maxclust")
    assert len(set(by_height)) == k
    assert pd.crosstab(by_height, by_count).gt(0).sum().eq(1).all()


def test_dendrogram_marks_the_cut_and_labels_leaves(tree):
    labels = [f"ES3_C{i}" for i in range(18)]
    ax = plot_dendrogram(tree, labels=labels, k=3).axes[0]
    cut = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(cut) == 1
    assert cut[0].get_ydata()[0] == pytest.approx(cut_height(tree, 3))
    assert sorted(t.get_text() for t in ax.get_xticklabels()) == sorted(labels)


def test_dendrogram_truncates_large_trees():
    rng = np.random.default_rng(0)
    Z = linkage(rng.normal(size=(100, 3)), method="ward")
    ax = plot_dendrogram(Z, truncate_at=20).axes[0]
    assert len(ax.get_xticklabels()) == 20


def test_dendrogram_rejects_invalid_linkage():
    with pytest.raises(DataValueError, match="not a valid SciPy linkage matrix"):
        plot_dendrogram(np.ones((3, 3)))


def test_dendrogram_rejects_wrong_label_count(tree):
    with pytest.raises(DataValueError, match="labels has 2 entries; the linkage joins 18"):
        plot_dendrogram(tree, labels=["a", "b"])


def test_dendrogram_rejects_k_above_n(tree):
    with pytest.raises(OptionError, match="k = 19"):
        plot_dendrogram(tree, k=19)


# --- save_figure ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_two_saves_are_byte_identical(profile, tmp_path, suffix):
    fig = plot_trajectories(profile)
    a = save_figure(fig, tmp_path / f"a{suffix}").read_bytes()
    b = save_figure(plot_trajectories(profile), tmp_path / f"b{suffix}").read_bytes()
    assert a == b


def test_png_carries_no_software_version(profile, tmp_path):
    data = save_figure(plot_trajectories(profile), tmp_path / "f.png").read_bytes()
    assert data.startswith(b"\x89PNG")
    assert b"Software" not in data and b"Matplotlib" not in data


def test_png_resolution_follows_dpi(profile, tmp_path):
    from matplotlib.image import imread

    low = imread(save_figure(plot_trajectories(profile), tmp_path / "l.png", dpi=50))
    high = imread(save_figure(plot_trajectories(profile), tmp_path / "h.png", dpi=100))
    assert high.shape[0] == 2 * low.shape[0]


def test_save_leaves_no_temporary_file(profile, tmp_path):
    save_figure(plot_trajectories(profile), tmp_path / "out" / "fig.png")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["fig.png"]


def test_unknown_extension_is_rejected(profile, tmp_path):
    with pytest.raises(OptionError, match="expected .png, .svg or .pdf"):
        save_figure(plot_trajectories(profile), tmp_path / "f.jpg")


# --- dendrogram readability and colours -----------------------------------------------


def _labels_overlap(fig) -> bool:
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw_without_rendering()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].get_xticklabels()]
    return any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_eighteen_case_id_labels_do_not_overlap(tree):
    labels = [f"ES{e}_C{c}" for e in (3, 11, 16) for c in range(1, 7)]
    fig = plot_dendrogram(tree, labels=labels, k=3)
    assert {t.get_rotation() for t in fig.axes[0].get_xticklabels()} == {90.0}
    assert not _labels_overlap(fig)


def test_a_few_labels_stay_horizontal():
    Z = linkage(np.array([[6.6], [6.5], [5.1], [5.0], [6.0]]), method="ward")
    fig = plot_dendrogram(Z, labels=list("ABCDE"), k=2)
    assert {t.get_rotation() for t in fig.axes[0].get_xticklabels()} == {0.0}


def test_dendrogram_colours_each_cluster_as_the_trajectories_do(tree, profile):
    from matplotlib.colors import to_hex

    clusters = fcluster(tree, t=3, criterion="maxclust")  # 1..3, as the profile's index
    lines = plot_trajectories(profile).axes[0].get_lines()
    line_colour = {c: to_hex(line.get_color()) for c, line in zip(profile.index, lines,
                                                                  strict=True)}
    ax = plot_dendrogram(tree, labels=[f"c{i}" for i in range(18)], clusters=clusters).axes[0]
    link_colours = {to_hex(c) for coll in ax.collections for c in coll.get_colors()}
    assert link_colours == set(line_colour.values()) | {to_hex("grey")}
    for text in ax.get_xticklabels():
        leaf = int(text.get_text()[1:])
        assert to_hex(text.get_color()) == line_colour[clusters[leaf]]


def test_a_link_joining_two_clusters_is_grey():
    Z = linkage(np.array([[0.0], [0.1], [5.0], [5.1]]), method="ward")
    ax = plot_dendrogram(Z, clusters=[1, 1, 2, 2], colors={1: "red", 2: "blue"}).axes[0]
    from matplotlib.colors import to_hex

    colours = sorted(to_hex(c) for coll in ax.collections for c in coll.get_colors())
    assert colours == sorted(to_hex(c) for c in ("red", "blue", "grey"))


def test_colours_missing_a_cluster_are_refused(tree):
    with pytest.raises(OptionError, match="no colour for cluster"):
        plot_dendrogram(tree, clusters=[1] * 9 + [2] * 9, colors={1: "red"})


def test_clusters_of_the_wrong_length_are_refused(tree):
    with pytest.raises(DataValueError, match="clusters has 2 entries; the linkage joins 18"):
        plot_dendrogram(tree, clusters=[1, 2])


def test_a_coloured_dendrogram_saves_byte_identical(tree, tmp_path):
    clusters = fcluster(tree, t=3, criterion="maxclust")
    labels = [f"ES3_C{i}" for i in range(18)]
    a = save_figure(plot_dendrogram(tree, labels=labels, clusters=clusters), tmp_path / "a.png")
    b = save_figure(plot_dendrogram(tree, labels=labels, clusters=clusters), tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()


def test_a_truncated_dendrogram_still_names_each_pattern():
    """Above truncate_at cases the leaves are merged groups; the names stay on the figure."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(m, 0.3, size=(80, 3)) for m in (2.0, 4.0, 6.0)])
    Z = linkage(X, "ward")
    clusters = fcluster(Z, 3, "maxclust")
    names = {1: "LOW", 2: "MID", 3: "TOP"}
    fig = plot_dendrogram(Z, k=3, clusters=clusters, names=names, truncate_at=30)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["LOW", "MID", "TOP"]
