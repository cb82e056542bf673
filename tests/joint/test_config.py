"""study.yaml validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mixedwai.errors import StudyConfigError
from mixedwai.joint.config import load_study_config


def test_sample_folder_and_its_yaml_give_the_same_configuration() -> None:
    assert load_study_config("sample_corpus") == load_study_config("sample_corpus/study.yaml")


def test_folder_without_yaml_uses_the_conventional_file_names(tmp_path: Path) -> None:
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, tmp_path / name)
    config = load_study_config(tmp_path)
    assert config.sessions == tmp_path / "sessions.csv"
    assert config.transcripts is None
    assert config.quant.k == "auto"


def test_unknown_key_and_bad_value_are_named(tmp_path: Path) -> None:
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, tmp_path / name)
    (tmp_path / "study.yaml").write_text("quant:\n  k: one\n  min_shares: 0.2\n")
    with pytest.raises(StudyConfigError) as info:
        load_study_config(tmp_path)
    message = str(info.value)
    assert "quant.k = 'one' (line 2)" in message
    assert "quant.min_shares = 0.2 (line 3)" in message


def test_missing_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "study.yaml").write_text("sessions: s.csv\ncases: c.csv\n")
    with pytest.raises(StudyConfigError, match="s.csv"):
        load_study_config(tmp_path / "study.yaml")


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StudyConfigError, match="no such study"):
        load_study_config(tmp_path / "nothing")


def test_yaml_python_tags_are_refused(tmp_path: Path) -> None:
    (tmp_path / "study.yaml").write_text("name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(StudyConfigError, match="not valid YAML"):
        load_study_config(tmp_path)


def test_refine_and_k_rule_reach_the_clustering(tmp_path: Path) -> None:
    from mixedwai.joint.analysis import analyse_study

    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, tmp_path / name)
    (tmp_path / "study.yaml").write_text(
        "quant:\n  refine: kmeans\n  k_rule: reduction\n  n_boot: 0\n  tie_seeds: 5\n")
    run = analyse_study(tmp_path)
    params = run.quant.clusters.params
    assert params["refine"] == "kmeans" and params["k_rule"] == "reduction"
    assert params["tie_seeds"] == 5
    assert run.quant.clusters.refinement is not None


def test_unknown_display_themes_are_an_error_naming_the_key(linked) -> None:
    from mixedwai.joint.analysis import build_displays

    config = load_study_config("sample_corpus")
    bad = config.model_copy(update={"qual": config.qual.model_copy(
        update={"display_themes": ["mistrust", "bond_trsut"]})})
    with pytest.raises(StudyConfigError, match=r"qual.display_themes names 'bond_trsut'"):
        build_displays(linked, bad)


def test_a_missing_quotes_file_is_named(tmp_path: Path) -> None:
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, tmp_path / name)
    (tmp_path / "study.yaml").write_text("quotes: my_quotes.csv\n")
    with pytest.raises(StudyConfigError, match="quotes: .*my_quotes.csv"):
        load_study_config(tmp_path)


def test_a_study_with_an_outcome_of_several_levels_says_what_to_run_instead(
        tmp_path: Path) -> None:
    import pandas as pd

    from mixedwai.errors import OutcomeValueError
    from mixedwai.joint.analysis import analyse_study

    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study, ignore=shutil.ignore_patterns("*.py", "qdpx_study"))
    cases = pd.read_csv(study / "cases.csv")
    cases["job"] = (["arm A", "arm B", "arm C"] * len(cases))[: len(cases)]
    cases.to_csv(study / "cases.csv", index=False)
    with pytest.raises(OutcomeValueError) as caught:
        analyse_study(study)
    message = str(caught.value)
    assert "job = 'arm A' is not one of 1/0, yes/no" in message
    assert "outcome_type='categorical'" not in message  # a keyword run has no place for
    assert message.endswith("mixedwai cluster SESSIONS --cases CASES --outcome-type categorical")
