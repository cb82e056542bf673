"""Shape descriptors, pattern names and the profile table of alliance patterns.

A cluster's mean trajectory (its mean WAI score at times 1..N) is described by
its level (the mean over times), its linear slope and, when N >= 3, its
curvature; simple documented rules turn these into the names used in the
alliance-pattern literature: stable high (SHA), stable low (SLA), linear
increase (LIA), linear decrease (LDA), U-shaped (UA) and inverted U (IUA).

The names and abbreviations are in :mod:`mixedwai.quant.patterns.vocabulary`, the time
column helpers in :mod:`mixedwai.quant.patterns.timepoints` and the profile table in
:mod:`mixedwai.quant.patterns.profile`; this module describes and names shapes.

Examples
--------
>>> import pandas as pd
>>> means = pd.DataFrame(
...     {"t1": [6.55, 5.10, 6.60], "t2": [6.65, 5.05, 6.05], "t3": [6.72, 5.12, 5.55]},
...     index=pd.Index([1, 2, 3], name="cluster"),
... )
>>> name_patterns(means, grand_mean=5.7)[["pattern", "abbrev"]]
                 pattern abbrev
cluster
1            stable high    SHA
2             stable low    SLA
3        linear decrease    LDA
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range, check_scale, raise_problems
from mixedwai.errors import (
    DataValueError,
    InsufficientDataError,
    OptionError,
)
from mixedwai.quant.patterns.timepoints import _numeric_times, show, time_columns
from mixedwai.quant.patterns.vocabulary import KNOWN_PATTERNS, _known_lookup, abbreviate

__all__ = ["describe_shapes", "name_patterns"]

_LEVEL_RULES = ("grand_mean", "median")


def _trend_terms(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Least-squares slope, quadratic coefficient and trend sums of squares.

    Returns ``slope`` (per row), ``curvature`` (NaN when N < 3) and a boolean
    ``curved_dominates``: the quadratic trend's sum of squares exceeds the
    linear trend's (orthogonal polynomial contrasts).
    """
    n_times = values.shape[1]
    s = np.arange(1, n_times + 1, dtype=float)
    s -= s.mean()
    ss_s = float(np.sum(s**2))
    centred = values - values.mean(axis=1, keepdims=True)
    slope = centred @ s / ss_s
    if n_times < 3:
        nan = np.full(len(values), np.nan)
        return slope, nan, np.zeros(len(values), dtype=bool)
    # s**2 minus its mean is orthogonal to 1 and to s (times are equally spaced and
    # symmetric about their centre), so the quadratic coefficient of the full fit
    # a + b t + c t^2 equals the simple regression coefficient on q.
    q = s**2 - np.mean(s**2)
    ss_q = float(np.sum(q**2))
    curvature = centred @ q / ss_q
    ss_linear = slope**2 * ss_s
    ss_quadratic = curvature**2 * ss_q
    return slope, curvature, ss_quadratic > ss_linear


def describe_shapes(
    means: pd.DataFrame,
    *,
    grand_mean: float | None = None,
    slope_threshold: float = 0.15,
    curvature_threshold: float = 0.15,
    level_rule: str = "grand_mean",
    scale: tuple[float, float] = (1, 7),
) -> pd.DataFrame:
    """Describe each cluster's mean trajectory by level, slope, curvature and shape.

    Parameters
    ----------
    means : pandas.DataFrame
        One row per cluster (index = cluster number), columns ``t1..tN``
        (N >= 2) holding the cluster's mean score at each time. Other columns
        are ignored (see :func:`time_columns`).
    grand_mean : float, optional
        Reference level for "high"/"low": the sample's grand mean of case
        means (the caller passes it). When None, the mean of the rows' levels
        is used (unweighted by cluster size).
    slope_threshold : float, default=0.15
        In points per session of the 1..7 scale (Notes): ``|slope|`` above it
        is a linear change.
    curvature_threshold : float, default=0.15
        In points per session squared of the 1..7 scale (the quadratic
        coefficient ``c`` of ``a + b t + c t**2``): ``|c|`` above it *and* a
        quadratic trend that explains more variation than the linear trend
        makes a U or inverted U.
    scale : (float, float), default=(1, 7)
        The scale of the scores. Both thresholds are relative to its range:
        they are given in points of the WAI's 1..7 scale (range 6) and
        multiplied by ``(high - low) / 6``, so 0.15 on 1..7 is 1.575 on 0..63
        and 0.025 on a 0..1 scale.
    level_rule : {"grand_mean", "median"}, default="grand_mean"
        ``"grand_mean"`` compares each level with ``grand_mean`` (or the mean of
        the rows when it is None); ``"median"`` with the median of the rows'
        levels (``grand_mean`` is then ignored).

    Returns
    -------
    pandas.DataFrame
        Index ``cluster`` (as in ``means``), columns:

        - ``mean``: level, the mean of the time means;
        - ``slope``: least-squares slope over times 1..N (points per session);
        - ``curvature``: quadratic coefficient (NaN when N < 3);
        - ``level``: ``"high"`` (mean >= reference) or ``"low"``;
        - ``shape``: one of ``"stable"``, ``"linear increase"``,
          ``"linear decrease"``, ``"U-shaped"``, ``"inverted U"``;
        - ``pattern``: full name (``"stable high"``, ``"linear decrease"`` ...);
        - ``abbrev``: SHA, SLA, LIA, LDA, UA or IUA.

    Raises
    ------
    InsufficientDataError
        ``means`` has no row.
    ColumnError
        Fewer than two time columns.
    DataValueError
        A mean that is not a finite number (every such cell is listed).
    OptionError
        A negative threshold or an unknown ``level_rule``.

    Notes
    -----
    Times are the positions 1..N of the time columns. The slope ``b`` is the
    least-squares slope of the scores on time; the curvature ``c`` is the
    quadratic coefficient of the least-squares quadratic (for N = 3 it passes
    through the three points and ``c = (y1 - 2 y2 + y3) / 2``). The quadratic
    trend dominates when its sum of squares exceeds the linear trend's, using
    orthogonal polynomial contrasts as in a repeated-measures trend analysis:
    ``c**2 * sum(q**2) > b**2 * sum(s**2)`` with ``s`` the centred times and
    ``q = s**2 - mean(s**2)`` (for N = 3: ``|c| > sqrt(3) |b|``).

    The thresholds are relative to the scale: a change of 0.3 points over
    three sessions (slope 0.15) is 5 % of the 1..7 range, and the same 5 % of
    any other range (3.15 points on 0..63). A flat trajectory on a wide scale
    (34.2, 33.3, 35.3 on 0..63) is therefore stable, not U-shaped.

    Rules, in order: quadratic dominates and ``|c| > curvature_threshold`` ->
    "U-shaped" (c > 0) or "inverted U" (c < 0); else ``|b| > slope_threshold``
    -> "linear increase" / "linear decrease"; else "stable". Only stable
    shapes carry the level in their name ("stable high"), because a declining
    pattern that starts high (the reference study's LDA, level 6.07 above the
    grand mean 5.7) is named by its change.

    The defaults reproduce the reference study's names (Table 2 / Figure 2):
    SHA ~ (6.55, 6.65, 6.72) has b = 0.085; SLA ~ (5.10, 5.05, 5.12) has
    b = 0.01, c = 0.06; LDA ~ (6.60, 6.05, 5.55) has b = -0.525. Over three
    sessions a slope of 0.15 is a change of 0.3 points on the 1..7 scale.

    Examples
    --------
    >>> import pandas as pd
    >>> means = pd.DataFrame({"t1": [6.0, 5.0], "t2": [5.0, 5.5], "t3": [6.0, 6.2]},
    ...                      index=pd.Index([1, 2], name="cluster"))
    >>> describe_shapes(means, grand_mean=5.5)[["slope", "curvature", "shape", "abbrev"]]
             slope  curvature            shape abbrev
    cluster
    1          0.0        1.0         U-shaped     UA
    2          0.6        0.1  linear increase    LIA
    """
    if not isinstance(means, pd.DataFrame):
        raise DataValueError(
            f"means must be a DataFrame (clusters x times); received {type(means).__name__}"
        )
    if len(means) == 0:
        raise InsufficientDataError("means has no row; expected one row per cluster")
    check_range("slope_threshold", slope_threshold, low=0)
    check_range("curvature_threshold", curvature_threshold, low=0)
    check_choice("level_rule", level_rule, _LEVEL_RULES)
    unit = _scale_unit(scale)
    if grand_mean is not None:
        try:
            ok = bool(np.isfinite(float(grand_mean))) and not isinstance(grand_mean, bool)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise OptionError(f"grand_mean = {grand_mean!r} is not allowed; expected a number")
    columns = time_columns(means, min_times=2)
    values = _numeric_times(means, columns, what="cluster")

    level_value = values.mean(axis=1)
    slope, curvature, quad_dominates = _trend_terms(values)
    if level_rule == "median":
        reference = float(np.median(level_value))
    else:
        reference = float(np.mean(level_value)) if grand_mean is None else float(grand_mean)
    # Rounding noise (e.g. 1e-16) must not flip a shape: compare rounded values.
    b = np.round(slope, 12)
    c = np.round(curvature, 12)

    level = np.where(level_value >= reference, "high", "low")
    shapes: list[str] = []
    for i in range(len(values)):
        if quad_dominates[i] and abs(c[i]) > curvature_threshold * unit:
            shapes.append("U-shaped" if c[i] > 0 else "inverted U")
        elif abs(b[i]) > slope_threshold * unit:
            shapes.append("linear increase" if b[i] > 0 else "linear decrease")
        else:
            shapes.append("stable")
    patterns = [
        f"stable {lv}" if sh == "stable" else sh for sh, lv in zip(shapes, level, strict=True)
    ]
    out = pd.DataFrame(
        {
            "mean": level_value,
            "slope": slope,
            "curvature": curvature,
            "level": pd.Series(level, dtype=object).to_numpy(),
            "shape": pd.Series(shapes, dtype=object).to_numpy(),
            "pattern": pd.Series(patterns, dtype=object).to_numpy(),
            "abbrev": pd.Series([KNOWN_PATTERNS[p] for p in patterns], dtype=object).to_numpy(),
        },
        index=means.index.copy(),
    )
    out.index.name = means.index.name or "cluster"
    return out


def name_patterns(
    means: pd.DataFrame,
    *,
    grand_mean: float | None = None,
    slope_threshold: float = 0.15,
    curvature_threshold: float = 0.15,
    level_rule: str = "grand_mean",
    names: Mapping[int, str] | None = None,
    scale: tuple[float, float] = (1, 7),
) -> pd.DataFrame:
    """Name each cluster's pattern, with names that are unique across clusters.

    Parameters
    ----------
    means, grand_mean, slope_threshold, curvature_threshold, level_rule, scale
        As in :func:`describe_shapes`.
    names : mapping of cluster number to str, optional
        Names chosen by the researcher; they override the automatic ones.
        A known abbreviation (``"SHA"``) or full name (``"stable high"``)
        sets both ``pattern`` and ``abbrev``; any other text is kept as the
        pattern and abbreviated by :func:`abbreviate`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`describe_shapes`, with ``pattern`` and ``abbrev``
        unique.

    Raises
    ------
    OptionError
        ``names`` names a cluster that is not in ``means``, holds an empty
        name, or gives two clusters the same name.
    InsufficientDataError, ColumnError, DataValueError
        As in :func:`describe_shapes`.

    Notes
    -----
    When the rules give two clusters the same name (say two stable high
    clusters), the clusters are ordered by level, highest first (ties by
    cluster number); the first keeps the plain name and the others get a
    number: ``"stable high"``, ``"stable high 2"`` (abbreviations ``SHA``,
    ``SHA2``). Automatic names never take a name given in ``names``: the
    automatic one is numbered instead. Abbreviations of overriding names are
    made unique the same way.

    Examples
    --------
    >>> import pandas as pd
    >>> means = pd.DataFrame({"t1": [6.5, 6.0, 5.0], "t2": [6.6, 6.1, 5.1],
    ...                       "t3": [6.5, 6.0, 5.0]}, index=[1, 2, 3])
    >>> name_patterns(means, grand_mean=5.5)[["pattern", "abbrev"]]
                   pattern abbrev
    cluster
    1          stable high    SHA
    2        stable high 2   SHA2
    3           stable low    SLA
    >>> name_patterns(means, grand_mean=5.5, names={2: "moderate"})["pattern"].tolist()
    ['stable high', 'moderate', 'stable low']
    """
    shapes = describe_shapes(
        means,
        grand_mean=grand_mean,
        slope_threshold=slope_threshold,
        curvature_threshold=curvature_threshold,
        level_rule=level_rule,
        scale=scale,
    )
    overrides = _check_overrides(names or {}, shapes.index)

    pattern = shapes["pattern"].astype(object).copy()
    abbrev = shapes["abbrev"].astype(object).copy()
    for cluster, (full, abbr) in overrides.items():
        pattern[cluster] = full
        abbrev[cluster] = abbr

    # Process clusters by level (highest first, then cluster order) so numbering is
    # deterministic; overriding names are placed first and never renamed.
    order = sorted(
        range(len(shapes)),
        key=lambda i: (-shapes["mean"].iloc[i], i),
    )
    labels = list(shapes.index)
    taken_names = {pattern[c].lower() for c in overrides}
    taken_abbrevs: set[str] = set()
    for c in overrides:
        abbrev[c] = _first_free(abbrev[c], taken_abbrevs, sep="")
        taken_abbrevs.add(abbrev[c].lower())
    for i in order:
        cluster = labels[i]
        if cluster in overrides:
            continue
        base_name, base_abbr = pattern[cluster], abbrev[cluster]
        k = 1
        name, abbr = base_name, base_abbr
        while name.lower() in taken_names or abbr.lower() in taken_abbrevs:
            k += 1
            name, abbr = f"{base_name} {k}", f"{base_abbr}{k}"
        pattern[cluster], abbrev[cluster] = name, abbr
        taken_names.add(name.lower())
        taken_abbrevs.add(abbr.lower())

    out = shapes.copy()
    out["pattern"] = pattern.to_numpy()
    out["abbrev"] = abbrev.to_numpy()
    return out


def _scale_unit(scale: tuple[float, float]) -> float:
    """The scale's range in units of the 1..7 range (1.0 on 1..7, 10.5 on 0..63)."""
    low, high = check_scale(scale)
    return (high - low) / 6.0


def _first_free(base: str, taken: set[str], *, sep: str) -> str:
    candidate, k = base, 1
    while candidate.lower() in taken:
        k += 1
        candidate = f"{base}{sep}{k}"
    return candidate


def _check_overrides(names: Mapping[int, str], clusters: pd.Index) -> dict[object, tuple[str, str]]:
    """Validate ``names`` and return cluster -> (pattern, abbrev)."""
    if not isinstance(names, Mapping):
        raise OptionError(
            f"names must be a mapping of cluster number to name; received {type(names).__name__}"
        )
    known_clusters = list(clusters)
    problems: list[str] = []
    out: dict[object, tuple[str, str]] = {}
    for cluster, name in names.items():
        if cluster not in known_clusters:
            problems.append(
                f"cluster {show(cluster)} is not one of the clusters "
                f"{', '.join(show(c) for c in known_clusters)}"
            )
            continue
        if not isinstance(name, str) or not name.strip():
            problems.append(f"cluster {show(cluster)}: name {name!r} is not a non-empty text")
            continue
        known = _known_lookup(name)
        out[cluster] = known if known is not None else (name.strip(), abbreviate(name))
    seen: dict[str, object] = {}
    for cluster, (full, _abbr) in out.items():
        key = full.lower()
        if key in seen:
            problems.append(
                f"clusters {show(seen[key])} and {show(cluster)} are both named {full!r}; "
                "pattern names must be unique"
            )
        else:
            seen[key] = cluster
    raise_problems(OptionError, "names: invalid pattern names", problems)
    return out
