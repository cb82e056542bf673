"""Joint displays on the sample study, checked against direct pandas computations."""

from __future__ import annotations

import re

import pandas as pd

from mixedwai.joint.displays.quantitized import quantitized_themes
from mixedwai.joint.displays.tables import (
    case_ordered_display,
    statistics_by_themes,
    themes_by_outcome,
)


def _independent_presence(linked, level: str) -> pd.DataFrame:
    codings = linked.codings[~linked.codings["negated"]]
    column = "category_id" if level == "category" else "code_id"
    return pd.crosstab(codings["case_id"], codings[column]).clip(upper=1)


def test_statistics_by_themes_matches_pandas(linked) -> None:
    display = statistics_by_themes(linked, level="category", quotes=False)
    table = linked.case_table
    presence = _independent_presence(linked, "category")
    for abbrev, group in table.groupby("abbrev"):
        row = display.data.loc[abbrev]
        assert row["n"] == len(group)
        assert row["pct"] == 100 * len(group) / len(table)
        assert abs(row["wai_mean"] - group[[c for c in group if c.startswith("t")]]
                   .mean(axis=1).mean()) < 1e-12
        assert row["n_outcome"] == int(group["outcome"].sum())
        interviewed = [c for c in group.index if group.loc[c, "interviewed"]]
        assert row["n_interviewed"] == len(interviewed)
        for category in presence.columns:
            expected = int(presence.reindex(interviewed).fillna(0)[category].sum())
            assert row[f"{category}_n"] == expected


def test_sample_patterns_and_job_rates(linked) -> None:
    data = statistics_by_themes(linked, quotes=False).data
    assert data["n"].to_dict() == {"SHA": 5, "SLA": 10, "LDA": 3}
    assert data["n_outcome"].to_dict() == {"SHA": 4, "SLA": 7, "LDA": 1}


def test_quotes_are_attributed_like_the_paper(linked) -> None:
    display = statistics_by_themes(linked, level="code")
    quotes = [q.split("\n")[0] for q in display.data.filter(like="_quote").stack() if q]
    assert quotes, "the sample interviews should yield exemplar quotes"
    for quote in quotes:
        assert re.search(r" — ES#\d+_C\d+ \(Cluster (SHA|SLA|LDA), "
                         r"(obtained a job|did not obtain a job)\)( \[fr\])?$", quote), quote


def test_quote_comes_from_a_case_of_the_row_pattern(linked) -> None:
    display = statistics_by_themes(linked, level="code")
    for abbrev, row in display.data.iterrows():
        for quote in row.filter(like="_quote"):
            if quote:
                assert f"(Cluster {abbrev}," in quote


def test_themes_by_outcome_counts_add_up(linked) -> None:
    data = themes_by_outcome(linked).data
    presence = _independent_presence(linked, "code")
    interviewed = linked.interviewed
    for (theme, pattern), group in data.groupby(["theme", "pattern"]):
        cases = interviewed if pattern == "All" else interviewed[interviewed["abbrev"] == pattern]
        assert group["n_cases"].sum() == len(cases)
        coded = presence.reindex(index=cases.index, columns=[theme]).fillna(0)[theme].sum()
        assert group["n_coded"].sum() == coded


def test_case_ordered_display_is_ordered_by_pattern_then_mean(linked) -> None:
    display = case_ordered_display(linked, quotes=False)
    data = display.data
    assert len(data) == 18
    clusters = linked.case_table.loc[data.index, "cluster"].tolist()
    assert clusters == sorted(clusters)
    for _, group in data.groupby("abbrev", sort=False):
        assert group["mean"].tolist() == sorted(group["mean"], reverse=True)
    assert (display.table["Codes present"] == "(no interview)").sum() == 1


def test_quantitized_themes_counts_and_exact_p_values(linked) -> None:
    from scipy.stats import fisher_exact

    display = quantitized_themes(linked, level="category")
    interviewed = linked.interviewed
    presence = _independent_presence(linked, "category").reindex(interviewed.index).fillna(0)
    for theme, row in display.data.iterrows():
        coded = presence[theme].astype(bool)
        assert row["n_coded"] == int(coded.sum())
        if pd.notna(row["p_outcome"]):
            job = interviewed["outcome"].astype(bool)
            table = [[int((coded & job).sum()), int((coded & ~job).sum())],
                     [int((~coded & job).sum()), int((~coded & ~job).sum())]]
            assert abs(row["p_outcome"] - fisher_exact(table).pvalue) < 1e-9
    assert any("little power" in note for note in display.notes)


def test_themes_by_pattern_matches_pandas_and_grows_down_the_page(linked) -> None:
    from mixedwai.joint.displays.by_pattern import themes_by_pattern

    display = themes_by_pattern(linked, quotes=False)
    presence = _independent_presence(linked, "code")
    interviewed = linked.interviewed
    assert set(display.data.index) == {c for c in presence.columns if presence[c].any()}
    for theme, row in display.data.iterrows():
        for abbrev, group in interviewed.groupby("abbrev"):
            coded = presence.reindex(index=group.index, columns=[theme]).fillna(0)[theme].sum()
            assert row[f"{abbrev}_n"] == coded and row[f"{abbrev}_of"] == len(group)
    assert len(display.table.columns) == 2 + interviewed["abbrev"].nunique()
