"""Tables 1 and 3: the outcome by client characteristic, and the characteristics by pattern.

Each variable is a group row (its label) followed by its levels in their natural
order (the order :mod:`mixedwai.quant.outcomes.descriptives` gives them).

Examples
--------
>>> import mixedwai as mw
>>> from mixedwai.quant.study import analyse_quant
>>> q = analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
...                   mw.read_cases("sample_corpus/cases.csv"), n_boot=0)
>>> t1 = outcome_by_characteristic_table(q.descriptives, outcome_label="obtained a job")
>>> t1.display.iloc[:3].values.tolist()
[['All clients', '18', '12 (66.7)'], ['Diagnosis', '', ''], ['\u2003anxiety', '6', '5 (83.3)']]
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from mixedwai.quant.tables.model import PublicationTable
from mixedwai.quant.tables.text import m_sd, n_pct

__all__ = ["characteristics_table", "label_of", "outcome_by_characteristic_table"]

#: Indent of a level under its variable (an em space: kept by HTML, Word and Excel).
INDENT = "\u2003"
_TOTAL = "total"


def label_of(name: str, labels: Mapping[str, str] | None = None) -> str:
    """A variable's label: the study's, else its name in words (``time_out_of_work``).

    Examples
    --------
    >>> label_of("time_out_of_work"), label_of("es_id", {"es_id": "Employment specialist"})
    ('Time out of work', 'Employment specialist')
    """
    if labels and name in labels:
        return labels[name]
    words = str(name).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def _level(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def outcome_by_characteristic_table(
    descriptives: pd.DataFrame, *, outcome_label: str = "outcome",
    labels: Mapping[str, str] | None = None,
) -> PublicationTable:
    """Table 1: how many cases reached the outcome, by level of each characteristic.

    Parameters
    ----------
    descriptives : pandas.DataFrame
        :func:`~mixedwai.quant.outcomes.descriptives.outcome_by_attribute` output
        (columns attribute, level, n, n_outcome, pct_outcome, n_missing).
    outcome_label : str
        The outcome in words (``obtained a job``).
    labels : mapping, optional
        Variable labels by column name.

    Returns
    -------
    PublicationTable

    Examples
    --------
    >>> frame = pd.DataFrame({"attribute": "sex", "level": ["male", "total"], "n": [9, 18],
    ...                       "n_outcome": [5, 12], "pct_outcome": [55.56, 66.67],
    ...                       "n_missing": 0})
    >>> table = outcome_by_characteristic_table(frame, outcome_label="obtained a job")
    >>> table.display.values.tolist()
    [['All clients', '18', '12 (66.7)'], ['Sex', '', ''], ['\u2003male', '9', '5 (55.6)']]
    """
    head = f"{outcome_label[:1].upper()}{outcome_label[1:]}, n (%)"
    rows: list[list[str]] = []
    sheet_rows: list[dict[str, object]] = []
    groups: list[int] = []
    missing: list[str] = []
    totals = descriptives[descriptives["level"].astype(str) == _TOTAL]
    if len(totals):
        first = totals.iloc[0]
        rows.append(["All clients", str(int(first["n"])),
                     n_pct(first["n_outcome"], first["pct_outcome"])])
        sheet_rows.append({"Characteristic": "All clients", "Level": "", "n": int(first["n"]),
                           "n outcome": int(first["n_outcome"]),
                           "% outcome": float(first["pct_outcome"])})
    for attribute, group in descriptives.groupby("attribute", sort=False):
        label = label_of(str(attribute), labels)
        groups.append(len(rows))
        rows.append([label, "", ""])
        for _, row in group.iterrows():
            if str(row["level"]) == _TOTAL:
                if int(row.get("n_missing", 0) or 0):
                    missing.append(f"{label}: {int(row['n_missing'])} missing")
                continue
            rows.append([INDENT + _level(row["level"]), str(int(row["n"])),
                         n_pct(row["n_outcome"], row["pct_outcome"])])
            sheet_rows.append({"Characteristic": label, "Level": _level(row["level"]),
                               "n": int(row["n"]), "n outcome": int(row["n_outcome"]),
                               "% outcome": float(row["pct_outcome"])})
    display = pd.DataFrame(rows, columns=["Characteristic", "n", head])
    sheet = pd.DataFrame(sheet_rows, columns=["Characteristic", "Level", "n", "n outcome",
                                              "% outcome"])
    notes = [f"Note. n = cases with the characteristic; percentages are of those cases "
             f"({outcome_label})."]
    if missing:
        notes.append("Missing values: " + "; ".join(missing) + ".")
    return PublicationTable("table_1", f"Outcome ({outcome_label}) by client characteristic",
                            display, sheet, {"% outcome": "0.0"}, tuple(notes), tuple(groups))


def characteristics_table(
    characteristics: pd.DataFrame, *, sizes: Mapping[str, int] | None = None,
    labels: Mapping[str, str] | None = None, pattern_names: Mapping[str, str] | None = None,
) -> PublicationTable:
    """Table 3: client characteristics by pattern, n (%) per level or M (SD).

    Parameters
    ----------
    characteristics : pandas.DataFrame
        :func:`~mixedwai.quant.outcomes.descriptives.characteristics_by_pattern`
        output (attribute, level, pattern, n, pct, mean, sd).
    sizes : mapping, optional
        Cases per pattern (and ``total``), shown in the column headings.
    labels : mapping, optional
        Variable labels by column name.
    pattern_names : mapping, optional
        Pattern names by abbreviation, for the note.

    Returns
    -------
    PublicationTable

    Examples
    --------
    >>> frame = pd.DataFrame({"attribute": "sex", "level": ["male", "male"],
    ...                       "pattern": ["SHA", "total"], "n": [3, 9], "pct": [60.0, 50.0],
    ...                       "mean": float("nan"), "sd": float("nan")})
    >>> characteristics_table(frame, sizes={"SHA": 5, "total": 18}).display.values.tolist()
    [['Sex', '', ''], ['\u2003male', '3 (60.0)', '9 (50.0)']]
    """
    patterns = list(dict.fromkeys(characteristics["pattern"].astype(str)))
    heads = {}
    for p in patterns:
        name = "Total" if p == _TOTAL else p
        size = (sizes or {}).get(p)
        heads[p] = name if size is None else f"{name} ({'N' if p == _TOTAL else 'n'} = {size})"
    rows: list[list[str]] = []
    groups: list[int] = []
    numeric_vars: list[str] = []
    for attribute, group in characteristics.groupby("attribute", sort=False):
        label = label_of(str(attribute), labels)
        groups.append(len(rows))
        rows.append([label] + [""] * len(patterns))
        for level, cells in group.groupby("level", sort=False):
            by = {str(r["pattern"]): r for _, r in cells.iterrows()}
            is_mean = cells["mean"].notna().any()
            if is_mean:
                numeric_vars.append(label)
                text = [m_sd(by[p]["mean"], by[p]["sd"]) if p in by else "" for p in patterns]
                rows.append([INDENT + "M (SD)"] + text)
            else:
                text = [n_pct(by[p]["n"], by[p]["pct"]) if p in by else "" for p in patterns]
                rows.append([INDENT + _level(level)] + text)
    display = pd.DataFrame(rows, columns=["Characteristic"] + [heads[p] for p in patterns])
    sheet = pd.DataFrame({
        "Characteristic": [label_of(str(a), labels) for a in characteristics["attribute"]],
        "Level": [_level(v) for v in characteristics["level"]],
        "Pattern": characteristics["pattern"].astype(str).to_numpy(),
        "n": pd.to_numeric(characteristics["n"]).astype("Int64").to_numpy(),
        "%": pd.to_numeric(characteristics["pct"], errors="coerce").to_numpy(dtype=float),
        "M": pd.to_numeric(characteristics["mean"], errors="coerce").to_numpy(dtype=float),
        "SD": pd.to_numeric(characteristics["sd"], errors="coerce").to_numpy(dtype=float),
    })
    notes = ["Note. Cells are n (%) of the pattern's cases"
             + (f", or M (SD) for {', '.join(dict.fromkeys(numeric_vars))}" if numeric_vars
                else "") + "."]
    if pattern_names:
        notes.append("; ".join(f"{a} = {n}" for a, n in pattern_names.items() if a != n) + ".")
    return PublicationTable("table_3", "Client characteristics by pattern", display, sheet,
                            {"n": "0", "%": "0.0", "M": "0.00", "SD": "0.00"}, tuple(notes),
                            tuple(groups), landscape=len(patterns) > 6)
