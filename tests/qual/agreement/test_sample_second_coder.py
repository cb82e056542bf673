"""The sample's hand-made second coding: readable by the loader, on ES sentences."""

from __future__ import annotations

import pytest

from mixedwai.io import read_table
from mixedwai.qual.codebook.loading import load_codebook
from mixedwai.qual.coding.apply import code_corpus
from mixedwai.qual.coding.manual import load_manual_codings
from mixedwai.qual.transcripts.loading import load_corpus


@pytest.fixture(scope="module")
def coded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    corpus = load_corpus("sample_corpus/transcripts")
    codebook = load_codebook("ross2008-en")
    hand = load_manual_codings("sample_corpus/second_coder_codings.csv", corpus, codebook,
                               unit="sentence")
    documents = [corpus[d] for d in sorted(set(hand["doc_id"]))]
    rules = code_corpus(documents, codebook)
    path = tmp_path_factory.mktemp("rules") / "codings.csv"
    rules.to_csv(path, index=False)
    return {"corpus": corpus, "hand": hand, "rules": rules, "rules_path": path}


def test_second_coding_covers_five_interviews_of_es_sentences(coded: dict) -> None:
    hand = coded["hand"]
    assert hand["doc_id"].nunique() >= 5
    assert set(hand["coder"]) == {"second_coder"} and set(hand["role"]) == {"ES"}
    raw = read_table("sample_corpus/second_coder_codings.csv")
    assert [" ".join(t.split()) for t in hand["text"]] == list(raw["text"])
    sentences = {(t.doc_id, s.start, s.end) for t in coded["corpus"]
                 for s in t.segments("sentence")}
    assert all(key in sentences for key in zip(hand["doc_id"], hand["start"], hand["end"],
                                               strict=True))
