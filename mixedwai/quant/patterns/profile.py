"""The profile table of alliance patterns (size and mean trajectory, like Table 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mixedwai._validation import raise_problems
from mixedwai.errors import ColumnError, DataValueError
from mixedwai.quant.patterns.timepoints import _numeric_times, show, time_columns
from mixedwai.quant.patterns.vocabulary import _known_lookup

__all__ = ["profile_table"]


def profile_table(
    matrix: pd.DataFrame,
    labels: pd.Series,
    patterns: pd.Series | pd.DataFrame,
) -> pd.DataFrame:
    """Size and mean trajectory of each pattern, like the reference study's Table 2.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Case-by-time scores: index ``case_id``, columns ``t1..tN``.
    labels : pandas.Series
        Case id -> cluster number of the clustered cases (missing labels are
        not allowed; cases of ``matrix`` absent from ``labels`` are not
        profiled).
    patterns : pandas.Series or pandas.DataFrame
        Cluster -> pattern name, or the frame returned by
        :func:`name_patterns` (its ``pattern`` and ``abbrev`` columns are
        used). Its order is the order of the rows returned.

    Returns
    -------
    pandas.DataFrame
        Index ``cluster``, columns:

        - ``pattern``, ``abbrev`` (the literature's abbreviation when the name
          is known, else missing, unless ``patterns`` gives it);
        - ``n`` (cases), ``share`` (fraction of the clustered cases, 0..1),
          ``pct`` (the same in percent);
        - ``t1_mean``, ``t1_sd``, ..., ``tN_mean``, ``tN_sd``: mean and SD
          (ddof=1) of the scores at each time;
        - ``mean``, ``sd``: mean and SD (ddof=1, as SPSS) of the case means
          (a case's mean over the time columns).

    Raises
    ------
    DataValueError
        A labelled case that is not in ``matrix``, a score that is missing or
        not a number, a missing label, or a cluster with no pattern name.
    ColumnError
        ``matrix`` has no time column.

    Notes
    -----
    The reference study reports SHA 5 cases (27.78 %), mean 6.64 (SD 0.15);
    SLA 10 (55.56 %), 5.09 (0.34); LDA 3 (16.67 %), 6.07 (0.29). The tests
    check every number against a plain pandas ``groupby``.

    Examples
    --------
    >>> import pandas as pd
    >>> matrix = pd.DataFrame({"t1": [6.5, 6.6, 5.0, 5.2], "t2": [6.6, 6.7, 5.1, 4.9],
    ...                        "t3": [6.7, 6.6, 5.0, 5.1]},
    ...                       index=pd.Index(["ES1_C1", "ES1_C2", "ES2_C1", "ES2_C2"],
    ...                                      name="case_id"))
    >>> labels = pd.Series([1, 1, 2, 2], index=matrix.index, name="cluster")
    >>> table = profile_table(matrix, labels, pd.Series({1: "stable high", 2: "stable low"}))
    >>> table[["pattern", "abbrev", "n", "pct", "t1_mean", "mean", "sd"]].round(3)
                 pattern abbrev  n   pct  t1_mean   mean     sd
    cluster
    1        stable high    SHA  2  50.0     6.55  6.617  0.024
    2         stable low    SLA  2  50.0     5.10  5.050  0.024
    """
    if not isinstance(matrix, pd.DataFrame):
        raise DataValueError(f"matrix must be a DataFrame; received {type(matrix).__name__}")
    if not isinstance(labels, pd.Series):
        raise DataValueError(f"labels must be a Series; received {type(labels).__name__}")
    columns = time_columns(matrix, min_times=1)
    names, abbrevs = _pattern_names(patterns)

    problems = [f"case {show(case)}: no cluster label" for case in labels.index[labels.isna()]]
    missing_cases = list(labels.index[~labels.index.isin(matrix.index)])  # vectorised
    problems += [
        f"case {show(case)} is labelled but not in the score matrix" for case in missing_cases
    ]
    raise_problems(DataValueError, "labels do not match the score matrix", problems)
    if labels.index.has_duplicates:
        dup = labels.index[labels.index.duplicated()].unique()
        raise_problems(
            DataValueError, "labels hold a case more than once",
            [f"case {show(c)}" for c in dup],
        )

    scores = matrix.loc[labels.index, columns]
    values = _numeric_times(scores, columns, what="case")
    scores = pd.DataFrame(values, index=scores.index, columns=columns)

    unnamed = [c for c in pd.unique(labels) if c not in names.index]
    raise_problems(
        DataValueError,
        "clusters without a pattern name",
        [f"cluster {show(c)} (cases {', '.join(map(str, labels.index[labels == c]))})"
         for c in unnamed],
    )

    group = labels.to_numpy()
    rows = []
    total = len(labels)
    for cluster in names.index:
        member = scores[group == cluster]
        n = len(member)
        case_means = member.mean(axis=1)
        row: dict[str, object] = {
            "pattern": names[cluster],
            "abbrev": abbrevs[cluster],
            "n": n,
            "share": n / total if total else np.nan,
            "pct": 100 * n / total if total else np.nan,
        }
        for column in columns:
            row[f"{column}_mean"] = member[column].mean() if n else np.nan
            row[f"{column}_sd"] = member[column].std(ddof=1) if n > 1 else np.nan
        row["mean"] = case_means.mean() if n else np.nan
        row["sd"] = case_means.std(ddof=1) if n > 1 else np.nan
        rows.append(row)
    out = pd.DataFrame(rows, index=pd.Index(names.index, name="cluster"))
    out["n"] = out["n"].astype(int)
    for column in ("pattern", "abbrev"):
        out[column] = out[column].astype(object)
    return out


def _pattern_names(patterns: pd.Series | pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Pattern names and abbreviations by cluster, from a Series or a frame."""
    if isinstance(patterns, pd.DataFrame):
        if "pattern" not in patterns.columns:
            found = ", ".join(repr(str(c)) for c in patterns.columns) or "(none)"
            raise ColumnError(
                f"patterns: missing column 'pattern'; found columns: {found}. "
                "Pass the frame returned by name_patterns() or a Series cluster -> name"
            )
        names = patterns["pattern"]
        abbrevs = (
            patterns["abbrev"] if "abbrev" in patterns.columns
            else names.map(lambda v: _known_abbrev(v))
        )
    elif isinstance(patterns, pd.Series):
        names = patterns
        abbrevs = names.map(lambda v: _known_abbrev(v))
    else:
        raise DataValueError(
            "patterns must be a Series (cluster -> name) or the frame of name_patterns(); "
            f"received {type(patterns).__name__}"
        )
    if names.index.has_duplicates:
        dup = names.index[names.index.duplicated()].unique()
        raise_problems(
            DataValueError, "patterns name a cluster more than once",
            [f"cluster {show(c)}" for c in dup],
        )
    return names.astype(object), abbrevs.astype(object)


def _known_abbrev(name: object) -> object:
    if not isinstance(name, str):
        return None
    known = _known_lookup(name)
    return None if known is None else known[1]
