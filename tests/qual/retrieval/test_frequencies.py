"""Tests of word frequencies and keyness (log-likelihood, log ratio)."""

from __future__ import annotations

import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, power_divergence

from mixedwai.errors import ColumnError, ExclusionWarning, OptionError
from mixedwai.qual.retrieval.frequencies import (
    keyness,
    log_likelihood,
    stop_words,
    word_frequencies,
)
from mixedwai.qual.transcripts.corpus import Corpus
from mixedwai.qual.transcripts.model import Transcript

SHARED = "we talked about the job and the plan, and she said it was fine"


def _interview(doc_id: str, special: str, k: int) -> Transcript:
    lines = ["Interviewer: How did it go with this client?"]
    lines += [f"ES: {SHARED}. {' '.join([special] * k)} again."] * 3
    return Transcript.from_text("\n".join(lines), doc_id=doc_id)


@pytest.fixture(scope="module")
def constructed() -> tuple[Corpus, pd.Series]:
    """Two patterns: SHA cases say 'garden', LDA cases say 'deadline'; all else equal."""
    corpus = Corpus([
        _interview("es1-c1", "garden", 4), _interview("es1-c2", "garden", 2),
        _interview("es2-c1", "deadline", 5), _interview("es2-c2", "deadline", 1),
    ])  # fmt: skip
    patterns = pd.Series({"ES1_C1": "SHA", "ES1_C2": "SHA", "ES2_C1": "LDA", "ES2_C2": "LDA"})
    return corpus, patterns


def test_counts_without_lemmas_or_stop_words_match_a_plain_word_count(constructed) -> None:
    corpus, _ = constructed
    table = word_frequencies(corpus, by="doc_id", lemmas=False, remove_stop_words=False)
    for transcript in corpus:
        words = Counter(w.lower() for turn in transcript.turns
                        for w in re.findall(r"[^\W\d_]+", turn.text))
        rows = table[table["doc_id"] == transcript.doc_id]
        assert dict(zip(rows["word"], rows["n"], strict=True)) == dict(words)
        assert set(rows["n_words"]) == {sum(words.values())}
        assert np.allclose(rows["per_1000"], 1000 * rows["n"] / rows["n_words"])


def test_stop_words_and_lemmas_per_language() -> None:
    t = Transcript.from_text("ES: She trusted him and he trusts her.", doc_id="es1-c1")
    table = word_frequencies(t, by="corpus")
    assert dict(zip(table["word"], table["n"], strict=True)) == {"trust": 2}
    assert table["n_words"].iloc[0] == 7  # stop words count in the size
    fr = Transcript.from_text("---\nlanguage: fr\n---\nES: Il me faisait confiance, la "
                              "confiance était là.", doc_id="es1-c2")
    words = set(word_frequencies(fr, by="corpus")["word"])
    assert "confiance" in words and not words & {"il", "me", "la", "là"}
    assert {"the", "and"} <= stop_words("en") and {"le", "et"} <= stop_words("fr")


def test_keyness_by_pattern_finds_the_words_known_by_construction(constructed) -> None:
    corpus, patterns = constructed
    freq = word_frequencies(corpus, by="pattern", case_table=patterns, roles="ES")
    keys = keyness(freq, top=1)
    assert dict(zip(keys["pattern"], keys["word"], strict=True)) == {
        "SHA": "garden", "LDA": "deadline"}
    # only the distinguishing words are significant
    full = keyness(freq, "SHA")
    assert set(full.loc[full["p_value"] < 0.05, "word"]) == {"garden", "deadline"}


def test_log_likelihood_equals_scipys_power_divergence(constructed) -> None:
    corpus, patterns = constructed
    freq = word_frequencies(corpus, by="pattern", case_table=patterns)
    result = keyness(freq, "SHA", min_count=1)
    n1, n2 = freq.attrs["n_words"]["SHA"], freq.attrs["n_words"]["LDA"]
    for row in result.itertuples(index=False):
        o = np.array([row.n_target, row.n_reference], dtype=float)
        expected = np.array([n1, n2]) * o.sum() / (n1 + n2)
        stat, p = power_divergence(o, expected, lambda_="log-likelihood")
        assert row.log_likelihood == pytest.approx(stat, abs=1e-9)
        assert row.p_value == pytest.approx(chi2.sf(stat, 1), abs=1e-12)
        o1 = row.n_target or 0.5
        o2 = row.n_reference or 0.5
        assert row.log_ratio == pytest.approx(np.log2((o1 / n1) / (o2 / n2)))
    garden = result.set_index("word").loc["garden"]
    assert garden["n_target"] == 18 and garden["n_reference"] == 0
    assert garden["direction"] == "+"


def test_log_likelihood_worked_example() -> None:
    # O1 = 30 of 1000 words, O2 = 2 of 500: E = 21.33, 10.67 (computed by hand)
    g2 = 2 * (30 * np.log(30 / (1000 * 32 / 1500)) + 2 * np.log(2 / (500 * 32 / 1500)))
    assert log_likelihood(np.array([30]), np.array([2]), 1000, 500)[0] == pytest.approx(g2)
    assert g2 == pytest.approx(13.7597, abs=1e-4)


def test_cases_without_pattern_are_excluded_with_a_warning(constructed) -> None:
    corpus, patterns = constructed
    with pytest.warns(ExclusionWarning, match="es2-c2"):
        freq = word_frequencies(corpus, by="pattern", case_table=patterns.drop("ES2_C2"))
    assert freq.attrs["excluded"] == {"es2-c2": "case ES2_C2 has no pattern"}


def test_errors_name_the_problem(constructed) -> None:
    corpus, patterns = constructed
    with pytest.raises(OptionError, match="needs a table"):
        word_frequencies(corpus, by="pattern")
    with pytest.raises(OptionError, match="by = 'speaker'"):
        word_frequencies(corpus, by="speaker")
    freq = word_frequencies(corpus, by="pattern", case_table=patterns)
    with pytest.raises(OptionError, match="'XYZ' is not a group of pattern"):
        keyness(freq, "XYZ")
    with pytest.raises(OptionError, match="at least two groups"):
        keyness(word_frequencies(corpus, by="corpus"))
    with pytest.raises(ColumnError, match="n_words"):
        keyness(freq.drop(columns="n_words"))


def test_sample_corpus_by_role_lists_distinguishing_words() -> None:
    from mixedwai.qual.transcripts.loading import load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        corpus = load_corpus("sample_corpus/transcripts")
    freq = word_frequencies(corpus, by="role")
    keys = keyness(freq, "interviewer", top=10)
    assert len(keys) == 10 and (keys["direction"] == "+").all()
    assert keys["log_likelihood"].is_monotonic_decreasing
