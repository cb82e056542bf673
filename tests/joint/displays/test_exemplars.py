"""Exemplar quotes in the sample's displays: affirmed, unique, long enough, with their language."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import DataValueError
from mixedwai.joint.displays.by_pattern import themes_by_pattern
from mixedwai.joint.displays.exemplars import MIN_QUOTE_WORDS, load_pinned_quotes
from mixedwai.joint.displays.tables import statistics_by_themes
from mixedwai.joint.render.formats import frame_to_html
from mixedwai.qual.coding.negation import negation_scope
from mixedwai.qual.coding.nlp import get_pipeline

QUOTE = re.compile(r"^“(.*)” — (.*?)(?: \[([a-z]{2})\])?$")
QUOTED = ("statistics_by_themes", "themes_by_pattern")


def _quotes(display) -> list[tuple[str, str]]:
    """(theme, quote text) of every quote cell of a display, read from ``data``."""
    data = display.data
    found = []
    for column in data.columns:
        if not column.endswith("_quote"):
            continue
        for row_key, value in data[column].items():
            if isinstance(value, str) and value:
                match = QUOTE.match(value.split("\n")[0])
                assert match, value
                theme = column[: -len("_quote")] if display.row_key == "pattern" else row_key
                found.append((theme, match.group(1)))
    return found


@pytest.mark.parametrize("key", QUOTED)
def test_no_quote_appears_twice_in_a_display(sample_run, key) -> None:
    quotes = [q for _theme, q in _quotes(sample_run.displays[key])]
    assert quotes  # the display does quote
    assert len(quotes) == len(set(quotes))


@pytest.mark.parametrize("key", QUOTED)
def test_no_quote_has_a_negation_cue_in_the_clause_that_matched(sample_run, key) -> None:
    codings = sample_run.codings
    books = {"en": sample_run.codebook}
    from mixedwai.qual.codebook.loading import load_codebook

    books["fr"] = load_codebook("ross2008-fr")
    checked = 0
    for theme, quote in _quotes(sample_run.displays[key]):
        rows = codings[(codings["code_id"] == theme)
                       & (codings["text"].map(lambda t: " ".join(str(t).split())) == quote)]
        assert len(rows), (theme, quote)
        assert not rows["negated"].any()
        language = sample_run.linked.languages.get(rows["doc_id"].iloc[0], "en")
        if books[language].when_negated_of(theme) == "keep":
            continue  # a code whose meaning holds the negation (avoidance)
        nlp, scope = get_pipeline(language), negation_scope(language)
        text = str(rows["text"].iloc[0]).replace("\u2019", "'")
        doc = nlp(text)
        for matched in str(rows["matched"].iloc[0]).split("; "):
            start = text.lower().find(matched.lower().replace("\u2019", "'"))
            span = doc.char_span(start, start + len(matched), alignment_mode="expand")
            assert span is not None, (theme, matched)
            assert scope.cue_before(doc, span.start, span.end) is None, (theme, quote)
            checked += 1
    assert checked


@pytest.mark.parametrize("key", QUOTED)
def test_quotes_meet_the_minimum_length(sample_run, key) -> None:
    for _theme, quote in _quotes(sample_run.displays[key]):
        assert len(quote.split()) >= MIN_QUOTE_WORDS, quote


def test_linear_decrease_no_longer_agrees_on_goals_everywhere(sample_run) -> None:
    data = sample_run.displays["themes_by_pattern"].data
    assert data.loc["goal_agreement", "LDA_n"] < data.loc["goal_agreement", "LDA_of"]
    # and the disagreement the meta-inference speaks of is there
    assert data.loc["goal_disagreement", "LDA_n"] >= 2


def test_a_french_quote_carries_its_language(sample_run) -> None:
    display = sample_run.displays["themes_by_pattern"]
    cells = [c for c in display.table.to_numpy().ravel() if isinstance(c, str)]
    french = [c for c in cells if any(line.endswith(" [fr]") for line in c.split("\n"))]
    assert french
    html = frame_to_html(display.table)
    assert '<span class="quote" lang="fr">' in html


def test_statistics_by_themes_shows_the_codes_study_yaml_chooses(sample_run) -> None:
    display = sample_run.displays["statistics_by_themes"]
    chosen = sample_run.config.qual.display_themes
    assert display.title.startswith("Statistics by themes (codes)")
    assert [c for c in chosen if f"{c}_pct" in display.data.columns] == chosen


def test_a_theme_that_reads_the_same_everywhere_is_left_out_with_a_note(linked) -> None:
    display = statistics_by_themes(linked, themes=["diagnosis_symptoms", "mistrust"],
                                   quotes=False)
    assert display.data.attrs["left_out"] == ["diagnosis_symptoms"]
    assert "Diagnosis and symptoms" not in display.table.columns
    assert "Attitudes › Mistrust" in display.table.columns
    assert any("Diagnosis and symptoms (100 %)" in note for note in display.notes)
    categories = statistics_by_themes(linked, level="category", quotes=False)
    assert categories.data.attrs["left_out"] == ["client", "professional", "context", "alliance"]


def test_sub_codes_are_shown_with_their_parent(linked) -> None:
    display = themes_by_pattern(linked, quotes=False)
    labels = display.data["label"].tolist()
    parent = labels.index("Agreement on goals")
    assert labels[parent + 1] == "Agreement on goals › Disagreement on goals"


def test_pinned_quotes_win(linked, tmp_path: Path) -> None:
    from mixedwai.qual.transcripts.loading import load_corpus

    corpus = load_corpus("sample_corpus/transcripts", errors="collect")
    codings = linked.codings
    row = codings[(codings["code_id"] == "task_agreement") & (codings["case_id"] == "ES5_C4")
                  ].iloc[-1]
    path = tmp_path / "quotes.csv"
    path.write_text(f"theme,doc_id,segment_id,translation\ntask_agreement,{row['doc_id']},"
                    f"{row['segment_id']},"
                    "\"We split the list of employers.\"\n", encoding="utf-8")
    pinned = load_pinned_quotes(path, corpus)
    display = themes_by_pattern(linked, pinned=pinned)
    cell = display.data.loc["task_agreement", "SLA_quote"]
    assert cell.startswith(f"“{' '.join(row['text'].split())}”")
    assert cell.split("\n")[0].endswith("[fr]")
    assert cell.split("\n")[1] == "“We split the list of employers.” (translation)"


def test_a_pinned_segment_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    from mixedwai.qual.transcripts.loading import load_corpus

    corpus = load_corpus("sample_corpus/transcripts/ES16_C1.vtt")
    path = tmp_path / "quotes.csv"
    path.write_text("theme,doc_id,segment_id\nbond_trust,ES16_C1,nope\n,x,y\n"
                    "bond_trust,ES16_C2,t1.s1\n", encoding="utf-8")
    with pytest.raises(DataValueError) as info:
        load_pinned_quotes(path, corpus)
    assert "row 2: ES16_C1 has no segment 'nope'" in str(info.value)
    assert "row 3: theme is empty" in str(info.value)
    assert "row 4: doc_id 'ES16_C2' is no transcript" in str(info.value)


def test_meta_inferences_agree_with_the_displays(sample_run) -> None:
    """Every 'k of n <pattern> interviews' in a meta-inference is what the display shows."""
    meta = pd.read_csv("sample_corpus/meta_inferences.csv")
    by_pattern = sample_run.displays["themes_by_pattern"].data
    stats = sample_run.displays["statistics_by_themes"].data
    counted = 0
    for row in meta[meta["display"] == "themes_by_pattern"].itertuples():
        for k, n, pattern in re.findall(r"(\d+) of (\d+) (SHA|SLA|LDA) interviews",
                                        row.statement):
            assert (by_pattern.loc[row.key, f"{pattern}_n"],
                    by_pattern.loc[row.key, f"{pattern}_of"]) == (int(k), int(n)), row.statement
            counted += 1
        if "ES anxiety likewise" in row.statement:
            assert by_pattern.loc["anxiety", ["SLA_n", "SHA_n"]].tolist() == \
                by_pattern.loc["avoidance", ["SLA_n", "SHA_n"]].tolist()
    assert counted >= 5
    # statistics by themes: the themes each statement names are coded in most of the
    # pattern's interviews, and the job counts are the display's
    named = {"SHA": ["self_awareness", "transparency"],
             "SLA": ["anxiety", "avoidance", "mistrust", "task_agreement"],
             "LDA": ["goal_disagreement", "readiness"]}
    for pattern, themes in named.items():
        for theme in themes:
            assert stats.loc[pattern, f"{theme}_pct"] > 50, (pattern, theme)
    assert stats.loc["LDA", "readiness_n"] == 2  # "in two interviews"
    assert stats.loc["SHA", ["n_outcome", "n"]].tolist() == [4, 5]
    assert stats.loc["SLA", ["n_outcome", "n"]].tolist() == [7, 10]


def test_a_pinned_quotes_yaml_file_is_read_and_bad_yaml_is_named(tmp_path: Path) -> None:
    from mixedwai.qual.transcripts.loading import load_corpus

    corpus = load_corpus("sample_corpus/transcripts/ES16_C1.vtt")
    segment = next(iter(corpus)).segments("sentence")[3]
    good = tmp_path / "quotes.yaml"
    good.write_text(f"- {{theme: bond_trust, doc_id: ES16_C1, segment_id: {segment.id}}}\n",
                    encoding="utf-8")
    assert load_pinned_quotes(good, corpus)["text"].tolist() == [segment.text]
    bad = tmp_path / "bad.yaml"
    bad.write_text("- theme: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataValueError, match="bad.yaml: not valid YAML"):
        load_pinned_quotes(bad, corpus)
    bad.write_text("theme: bond_trust\n", encoding="utf-8")
    with pytest.raises(DataValueError, match="expected a list of quotes"):
        load_pinned_quotes(bad, corpus)
