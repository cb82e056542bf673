"""Publication tables: the numbers agree with pandas computed from the per-case table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mixedwai.quant.tables.characteristics import (
    INDENT,
    characteristics_table,
    outcome_by_characteristic_table,
)
from mixedwai.quant.tables.patterns import patterns_table
from mixedwai.quant.tables.selection import k_table
from mixedwai.quant.tables.text import m_sd, n_pct, p_text


@pytest.fixture(scope="module")
def quant():
    import mixedwai as mw
    from mixedwai.quant.study import analyse_quant

    return analyse_quant(mw.read_sessions("sample_corpus/sessions.csv"),
                         mw.read_cases("sample_corpus/cases.csv"), n_boot=0)


def test_table_2_reads_like_the_paper_and_matches_pandas(quant) -> None:
    table = patterns_table(quant.clusters)
    assert list(table.display.columns) == ["Pattern", "n (%)", "Time 1", "Time 2", "Time 3",
                                           "Overall"]
    per_case = quant.clusters.to_frame()
    by = per_case.groupby("pattern")
    for _, row in table.sheet.iterrows():
        group = by.get_group(row["Pattern"])
        assert row["n"] == len(group)
        assert row["%"] == pytest.approx(100 * len(group) / len(per_case))
        for t in ("t1", "t2", "t3"):
            assert row[f"{t.upper()} M"] == pytest.approx(group[t].mean())
            assert row[f"{t.upper()} SD"] == pytest.approx(group[t].std(ddof=1))
        assert row["Overall M"] == pytest.approx(group["mean"].mean())
    sha = table.display.set_index("Pattern").loc["Stable high (SHA)"]
    assert sha["n (%)"] == "5 (27.8)" and sha["Overall"] == "6.64 (0.15)"  # the paper's SHA
    assert not [c for c in table.display.columns if "stability" in c.lower()]


def test_table_2_sheet_is_numeric_with_formats(quant) -> None:
    table = patterns_table(quant.clusters)
    numeric = [c for c in table.sheet.columns if c not in ("Pattern", "Abbreviation")]
    assert all(pd.api.types.is_numeric_dtype(table.sheet[c]) for c in numeric)
    assert table.sheet_formats()["T1 M"] == "0.00" and table.sheet_formats()["%"] == "0.0"


def test_table_1_levels_in_natural_order_with_labels(quant) -> None:
    table = outcome_by_characteristic_table(
        quant.descriptives, outcome_label="obtained a job",
        labels={"time_out_of_work": "Time out of the labour market"})
    rows = list(table.display["Characteristic"])
    start = rows.index("Time out of the labour market")
    assert rows[start + 1:start + 5] == [INDENT + v for v in
                                         ("< 1 year", "1-2 years", "2-5 years", "> 5 years")]
    assert start in table.group_rows
    cases = quant.cases.loc[quant.clusters.matrix.index]
    anxiety = cases[cases["diagnosis"] == "anxiety"]["job"]
    expected = n_pct(int(anxiety.sum()), 100 * anxiety.mean())
    assert table.display.set_index("Characteristic").loc[INDENT + "anxiety"].iloc[1] == expected
    assert expected == "5 (83.3)"  # the paper's 83.3 %


def test_table_3_cells_match_a_crosstab(quant) -> None:
    table = characteristics_table(quant.characteristics)
    cases = quant.cases.loc[quant.clusters.matrix.index]
    abbrev = quant.clusters.labels["abbrev"]
    counts = pd.crosstab(cases["sex"], abbrev.loc[cases.index])
    shown = table.display.set_index("Characteristic")
    for pattern in counts.columns:
        n = int(counts.loc["female", pattern])
        assert shown.loc[INDENT + "female", pattern] == n_pct(n, 100 * n / counts[pattern].sum())
    age = cases.groupby(abbrev.loc[cases.index])["age"]
    assert shown.loc[INDENT + "M (SD)", "SHA"] == m_sd(age.mean()["SHA"], age.std()["SHA"])


def test_k_table_says_admissible_chosen_and_why(quant) -> None:
    table = k_table(quant.clusters)
    chosen = table.display[table.display["Chosen"] == "yes"]
    assert chosen["k"].tolist() == ["3"]
    assert set(table.display["Admissible"]) <= {"yes", "no"}
    not_admissible = table.display[table.display["Admissible"] == "no"]
    assert all("fewer than 10%" in why for why in not_admissible["Why"])
    assert quant.clusters.k_reason in table.notes


@pytest.mark.parametrize(("p", "text"), [(0.5233, ".52"), (0.0004, "< .001"),
                                         (0.0042, ".004"), (1.0, "1.00"), (np.nan, "—")])
def test_p_values_are_written_the_apa_way(p, text) -> None:
    assert p_text(p) == text
