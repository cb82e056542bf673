"""Tests of mixedwai.qual.themes.suggest: candidate inductive themes with TF-IDF and NMF."""

from __future__ import annotations

import io
import itertools
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from mixedwai.errors import (
    ColumnError,
    ExclusionWarning,
    InsufficientDataError,
    OptionError,
)
from mixedwai.qual.codebook.model import Codebook
from mixedwai.qual.themes.nmf import coherence
from mixedwai.qual.themes.result import ThemeSuggestions, default_code_id
from mixedwai.qual.themes.suggest import suggest_themes
from mixedwai.qual.themes.terms import theme_tokens
from mixedwai.qual.transcripts.model import Transcript

TEXTS = {
    "es1-c1": (
        "Interviewer: How did she get to your meetings?\n"
        "ES: The bus was always late. She took the bus and the train every week. "
        "The train strike made her late twice. She trusted me from the start. "
        "Her garden mattered a lot to her. She grew roses in her garden.\n"
    ),
    "es1-c2": (
        "Interviewer: Tell me about him.\n"
        "ES: He missed the bus to the office. The train was cancelled, so the bus again. "
        "He talked about his garden and his roses. The roses won a prize at the fair. "
        "We trusted each other.\n"
    ),
    "es2-c1": (
        "Interviewer: And the employer?\n"
        "ES: The employer called after the interview. She sent her resume to the employer. "
        "The interview went well and the resume helped. Her garden gave her calm. "
        "The bus ride to the interview was long.\n"
    ),
}


def corpus(texts: dict[str, str] = TEXTS) -> list[Transcript]:
    return [Transcript.from_text(text, doc_id=doc_id) for doc_id, text in texts.items()]


def codebook(speakers: list[str] | None = None) -> Codebook:
    return Codebook.model_validate(
        {
            "name": "Demo",
            "version": "1",
            "language": "en",
            "unit": "sentence",
            "speakers": speakers,
            "categories": [
                {
                    "id": "alliance",
                    "label": "Alliance",
                    "codes": [
                        {"id": "bond", "label": "Bond", "match": {"lemmas": ["trust"]}},
                        {"id": "garden_rose", "label": "Taken", "match": {"lemmas": ["fair"]}},
                    ],
                }
            ],
        }
    )


# --------------------------------------------------------------------------- tokens


def test_tokens_drop_stop_words_fillers_numbers_short_words_and_notes():
    tokens = theme_tokens(
        ["Yeah, I think we met 3 times at the office (laughs), twenty minutes each.",
         "Okay. So. The offices [inaudible] were closed, you know, in 2021."]
    )  # fmt: skip
    assert tokens == [["meet", "time", "office", "minute"], ["office", "close"]]


def test_tokens_extra_stop_words_are_dropped():
    assert theme_tokens(["The office was closed."], stop_words=["office"]) == [["close"]]


def test_tokens_french_use_french_lemmas_and_stop_words():
    tokens = theme_tokens(["Ouais, les employeurs appelaient souvent, tsé."], "fr")
    assert tokens == [["employeur", "appeler"]]  # "souvent" is a spaCy stop word


# --------------------------------------------------------------------------- coherence


def _npmi_umass_by_sets(rows: list[set[int]], top: list[int]) -> tuple[float, float]:
    n = len(rows)
    docs = {t: {i for i, r in enumerate(rows) if t in r} for t in top}
    npmi, umass = [], []
    for i in range(1, len(top)):
        for j in range(i):
            a, b = top[i], top[j]
            both = len(docs[a] & docs[b])
            if both == 0:
                npmi.append(-1.0)
            elif both == n:
                npmi.append(1.0)
            else:
                pmi = math.log((both / n) / ((len(docs[a]) / n) * (len(docs[b]) / n)))
                npmi.append(pmi / -math.log(both / n))
            umass.append(math.log((both + 1) / len(docs[b])))
    return sum(npmi) / len(npmi), sum(umass) / len(umass)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.booleans(), min_size=5, max_size=5), min_size=2, max_size=12),
    st.permutations(range(5)),
)
def test_coherence_matches_counts_over_sets_of_segments(matrix, order):
    X = np.array(matrix, dtype=float)
    top = [t for t in order if X[:, t].any()][:4]
    if len(top) < 2:
        return
    rows = [{t for t in range(5) if row[t]} for row in matrix]
    npmi, umass = coherence(X, top)
    want_npmi, want_umass = _npmi_umass_by_sets(rows, top)
    assert npmi == pytest.approx(want_npmi, abs=1e-12)
    assert umass == pytest.approx(want_umass, abs=1e-12)
    assert -1.0 <= npmi <= 1.0


def test_coherence_of_a_single_term_is_minus_one():
    assert coherence(np.ones((3, 2)), [0])[0] == -1.0


# --------------------------------------------------------------------------- themes


def test_themes_match_a_direct_tfidf_and_nmf_computation():
    from sklearn.decomposition import NMF

    found = suggest_themes(corpus(), segments="all", speakers="ES", n_themes=3, n_terms=5)
    kept = found.assignments
    tokens = theme_tokens(kept["text"].tolist())
    vocab = sorted({w for t in tokens for w in t if sum(w in u for u in tokens) >= 2})
    # TF-IDF by hand: raw counts x smooth idf, rows scaled to unit length
    n = len(tokens)
    df = np.array([sum(w in t for t in tokens) for w in vocab])
    idf = np.log((1 + n) / (1 + df)) + 1
    X = np.array([[t.count(w) for w in vocab] for t in tokens], dtype=float) * idf
    X = X[X.sum(axis=1) > 0]
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    model = NMF(n_components=3, init="nndsvda", random_state=0, max_iter=1000)
    W = model.fit_transform(X)
    H = model.components_
    weight = W.sum(axis=0) * H.sum(axis=1)
    expected = []
    for j in np.argsort(-weight, kind="stable"):
        top = np.argsort(-H[j], kind="stable")[:5]
        expected.append("; ".join(vocab[i] for i in top if H[j, i] > 0))
    assert found.themes["top_terms"].tolist() == expected
    np.testing.assert_allclose(
        found.themes["weight"], np.sort(weight)[::-1] / weight.sum(), atol=1e-5
    )


def test_theme_table_columns_and_counts_add_up():
    found = suggest_themes(corpus(), segments="all", speakers="ES", n_themes=3)
    themes = found.themes
    assert list(themes.columns) == [
        "theme_id", "label", "top_terms", "weight", "n_segments", "n_cases", "cases", "npmi"
    ]  # fmt: skip
    assert themes["theme_id"].tolist() == ["T01", "T02", "T03"]
    assert themes["weight"].sum() == pytest.approx(1.0, abs=1e-5)
    with_terms = found.assignments["theme_id"].notna().sum()
    assert themes["n_segments"].sum() == with_terms
    for row in themes.itertuples(index=False):
        members = found.assignments[found.assignments["theme_id"] == row.theme_id]
        assert row.cases == "; ".join(sorted(members["case_id"].unique()))
        assert row.n_cases == members["case_id"].nunique()
        assert row.label == ", ".join(row.top_terms.split("; ")[:3])


def test_representative_segments_lead_on_their_theme_strongest_first():
    found = suggest_themes(corpus(), segments="all", speakers="ES", n_themes=3, n_segments=2)
    reps = found.segments
    assert (reps.groupby("theme_id").size() <= 2).all()
    merged = reps.merge(
        found.assignments[["doc_id", "segment_id", "theme_id", "weight"]],
        on=["doc_id", "segment_id"],
        suffixes=("", "_dominant"),
    )
    assert (merged["theme_id"] == merged["theme_id_dominant"]).all()
    for _theme, group in reps.groupby("theme_id"):
        assert group["weight"].is_monotonic_decreasing
        assert group["rank"].tolist() == list(range(1, len(group) + 1))


def test_auto_picks_the_highest_mean_npmi_and_reports_every_k():
    found = suggest_themes(corpus(), segments="all", speakers="ES", max_themes=5)
    sel = found.selection
    assert sel["n_themes"].tolist() == list(range(2, len(sel) + 2))
    assert len(sel) == 4  # 2..5
    best = sel.loc[sel["npmi"] == sel["npmi"].max(), "n_themes"].min()
    assert sel.loc[sel["chosen"], "n_themes"].tolist() == [best]
    assert found.n_themes == best
    assert found.params["criterion"] == "npmi"


def test_given_number_of_themes_is_used_and_noted():
    found = suggest_themes(corpus(), segments="all", n_themes=2)
    assert found.n_themes == 2
    assert found.selection["n_themes"].tolist() == [2]
    assert found.params["criterion"] == "given"


def test_same_corpus_gives_byte_identical_outputs_in_any_order():
    first = suggest_themes(corpus(), codebook(), speakers="ES")
    second = suggest_themes(list(reversed(corpus())), codebook(), speakers="ES")
    assert first.to_yaml_document() == second.to_yaml_document()
    for name in ("themes", "segments", "assignments", "selection"):
        a = getattr(first, name).to_csv(index=False)
        b = getattr(second, name).to_csv(index=False)
        assert a == b, name


def test_uncoded_leaves_out_segments_the_codebook_codes():
    found = suggest_themes(corpus(), codebook(), speakers="ES", n_themes=2)
    texts = found.assignments["text"].tolist()
    assert not any("trust" in t.lower() or "fair" in t for t in texts)
    assert found.params["segments_coded"] == 3  # 2 "trust" + 1 "fair" sentences
    everything = suggest_themes(corpus(), codebook(), speakers="ES", segments="all", n_themes=2)
    assert len(everything.assignments) == len(found.assignments) + 3


def test_codings_of_any_unit_mark_the_segments_they_overlap():
    docs = corpus()
    first = docs[0]
    turn = first.segments("turn")[1]
    codings = pd.DataFrame({"doc_id": [first.doc_id], "start": [turn.start + 5],
                            "end": [turn.start + 6]})  # fmt: skip
    found = suggest_themes(docs, codings=codings, speakers="ES", n_themes=2)
    coded = found.assignments[found.assignments["doc_id"] == first.doc_id]
    sentence = first.segments("sentence")[1]  # the first ES sentence holds offset +5
    assert sentence.id not in coded["segment_id"].tolist()
    assert found.params["segments_coded"] == 1


def test_speakers_default_to_the_codebook_speakers():
    found = suggest_themes(corpus(), codebook(speakers=["ES"]), segments="all", n_themes=2)
    assert set(found.assignments["role"]) == {"ES"}
    assert found.params["segments_excluded_by_speaker"] == 3
    everyone = suggest_themes(corpus(), codebook(), segments="all", n_themes=2)
    assert "interviewer" in set(everyone.assignments["role"])


def test_transcripts_in_another_language_are_left_out_with_a_warning():
    docs = corpus()
    french = Transcript.from_text(
        "---\nlanguage: fr\n---\nES: Le bus était en retard.", doc_id="es3-c1"
    )
    with pytest.warns(ExclusionWarning, match=r"es3-c1 \(language 'fr', not 'en'\)"):
        found = suggest_themes([*docs, french], segments="all", n_themes=2)
    assert found.params["documents_excluded"] == {"es3-c1": "language 'fr', not 'en'"}
    assert "es3-c1" not in set(found.assignments["doc_id"])


def test_segments_without_terms_are_kept_without_a_theme():
    found = suggest_themes(corpus(), segments="all", n_themes=2)
    no_terms = found.assignments[found.assignments["n_terms"] == 0]
    assert len(no_terms) == found.params["segments_without_terms"] > 0
    assert no_terms["theme_id"].isna().all()


# --------------------------------------------------------------------------- errors


def test_uncoded_without_codebook_or_codings_is_an_option_error():
    with pytest.raises(OptionError, match="needs a codebook"):
        suggest_themes(corpus())


def test_too_few_segments_says_how_many_were_found():
    docs = [Transcript.from_text("ES: The bus was late. The bus again.", doc_id="es1-c1")]
    with pytest.raises(InsufficientDataError, match=r"2 segment\(s\) with terms and 1 term"):
        suggest_themes(docs, segments="all")


def test_empty_vocabulary_says_how_many_segments_and_terms_were_found():
    docs = [Transcript.from_text("ES: Yeah. The bus. A garden.", doc_id="es1-c1")]
    with pytest.raises(
        InsufficientDataError, match=r"empty vocabulary: 3 segment\(s\) selected.*2 distinct"
    ):
        suggest_themes(docs, segments="all")


def test_no_segment_left_lists_the_counts():
    with pytest.raises(InsufficientDataError, match="19 by other speakers than client"):
        suggest_themes(corpus(), segments="all", speakers="client")


def test_more_themes_than_segments_is_insufficient_data():
    with pytest.raises(InsufficientDataError, match="too little text for 40 themes"):
        suggest_themes(corpus(), segments="all", n_themes=40)


def test_codings_of_documents_not_in_the_corpus_are_refused():
    codings = pd.DataFrame({"doc_id": ["other"], "start": [0], "end": [3]})
    with pytest.raises(OptionError, match="not in the corpus: other"):
        suggest_themes(corpus(), codings=codings)


def test_codings_without_offsets_are_a_column_error():
    with pytest.raises(ColumnError, match="'start', 'end'"):
        suggest_themes(corpus(), codings=pd.DataFrame({"doc_id": ["es1-c1"]}))


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("n_themes", "many", "n_themes = 'many'"),
        ("n_themes", 0, "n_themes = 0"),
        ("max_themes", 1, "max_themes = 1"),
        ("segments", "coded", "segments = 'coded'"),
        ("unit", "word", "unit = 'word'"),
        ("min_df", 1.5, "min_df = 1.5"),
    ],
)
def test_bad_options_are_option_errors(option, value, message):
    options = {"segments": "all", option: value}
    with pytest.raises(OptionError, match=message):
        suggest_themes(corpus(), **options)


# --------------------------------------------------------------------------- review file


def test_review_document_lists_each_theme_with_editable_fields():
    found = suggest_themes(corpus(), codebook(), speakers="ES", segments="all", n_themes=3)
    data = YAML(typ="safe").load(io.StringIO(found.to_yaml_document()))
    entries = data["themes"]
    assert [e["theme"] for e in entries] == found.themes["theme_id"].tolist()
    assert all(e["decision"] == "review" and e["into"] is None for e in entries)
    assert [e["lemmas"] for e in entries] == [found.terms(t) for t in found.themes["theme_id"]]
    ids = [e["id"] for e in entries]
    assert len(set(ids)) == len(ids)
    assert not set(ids) & set(found.reserved_ids)
    first = found.segments[found.segments["theme_id"] == "T01"]["text"].tolist()
    assert entries[0]["examples"] == first
    assert data["source"]["speakers"] == ["ES"]


def test_default_code_ids_avoid_the_codebook_ids():
    found = suggest_themes(corpus(), codebook(), segments="all", speakers="ES", n_themes=3)
    assert found.terms("T02") == ["garden", "rose"]  # "garden_rose" is a code of the codebook
    data = YAML(typ="safe").load(io.StringIO(found.to_yaml_document()))
    assert data["themes"][1]["id"] == "garden_rose_2"


def test_default_code_id_is_made_unique_and_valid():
    assert default_code_id(["job", "search"], set(), "T01") == "job_search"
    assert default_code_id(["job", "search"], {"job_search", "job_search_2"}, "T01") == (
        "job_search_3"
    )
    assert default_code_id(["l'emploi"], set(), "T01") == "l_emploi"
    assert default_code_id([], set(), "T04") == "t04"


def test_result_is_a_frozen_dataclass():
    found = suggest_themes(corpus(), segments="all", n_themes=2)
    assert isinstance(found, ThemeSuggestions)
    with pytest.raises(AttributeError):
        found.themes = None  # type: ignore[misc]


def test_unknown_theme_in_terms_is_an_option_error():
    found = suggest_themes(corpus(), segments="all", n_themes=2)
    with pytest.raises(OptionError, match="no theme 'T09'; themes: T01, T02"):
        found.terms("T09")


# --------------------------------------------------------------------------- sample corpus


def test_sample_interviews_show_the_meeting_modality_theme(sample_dir):
    from mixedwai.qual.transcripts.loading import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = load_corpus(sample_dir / "transcripts")
        found = suggest_themes(docs, "ross2008-en", unit="turn", segments="all")
    assert found.params["documents_excluded"] == {"ES5_C4_fr": "language 'fr', not 'en'"}
    assert found.n_themes >= 2
    modality = [t for t in found.themes["top_terms"] if {"mask", "phone"} <= set(t.split("; "))]
    assert modality, found.themes["top_terms"].tolist()
    assert set(itertools.chain.from_iterable(c.split("; ") for c in found.themes["cases"])) <= {
        t.case_id for t in docs
    }
