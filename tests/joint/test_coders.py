"""People's codings in a study: read, compared with the rules, and configured in study.yaml."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import MixedWAIWarning, StudyConfigError
from mixedwai.joint.coders import coder_agreement, read_people_codings
from mixedwai.joint.config import load_study_config
from mixedwai.qual.codebook.loading import load_codebook
from mixedwai.qual.transcripts.loading import load_corpus


@pytest.fixture(scope="module")
def sample() -> dict:
    corpus = load_corpus("sample_corpus/transcripts")
    codebook = load_codebook("ross2008-en")
    people = read_people_codings(["sample_corpus/second_coder_codings.csv"], corpus, codebook,
                                 unit="sentence")
    return {"corpus": corpus, "codebook": codebook, "people": people}


def test_one_coder_gives_no_reliability(sample: dict) -> None:
    assert coder_agreement(pd.DataFrame(), sample["people"], sample["corpus"],
                           sample["codebook"]) is None
    assert coder_agreement(pd.DataFrame(), pd.DataFrame(), sample["corpus"],
                           sample["codebook"]) is None


def test_two_people_without_a_shared_document_warn_and_give_none(sample: dict) -> None:
    people = sample["people"]
    first = sorted(set(people["doc_id"]))[0]
    other = people[people["doc_id"] != first].assign(coder="third_coder")
    alone = people[people["doc_id"] == first]
    with pytest.warns(MixedWAIWarning, match="no reliability section"):
        result = coder_agreement(pd.DataFrame(), pd.concat([alone, other]), sample["corpus"],
                                 sample["codebook"])
    assert result is None


def test_two_people_have_no_reference_unless_named(sample: dict) -> None:
    people = sample["people"]
    twin = people.assign(coder="third_coder")
    result = coder_agreement(pd.DataFrame(), pd.concat([people, twin]), sample["corpus"],
                             sample["codebook"])
    assert result.reference is None and result.validation is None
    assert result.table.iloc[-1]["krippendorff_alpha"] == pytest.approx(1.0)
    named = coder_agreement(pd.DataFrame(), pd.concat([people, twin]), sample["corpus"],
                            sample["codebook"], reference="third_coder")
    assert set(named.validation["coder"]) == {"second_coder"}


def test_study_yaml_manual_codings_are_resolved_and_checked(tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study)
    config = load_study_config(study)
    assert config.qual.manual_codings == [str(study / "second_coder_codings.csv")]
    assert config.qual.reference_coder == "second_coder"
    (study / "second_coder_codings.csv").unlink()
    with pytest.raises(StudyConfigError, match="qual.manual_codings"):
        load_study_config(study)
