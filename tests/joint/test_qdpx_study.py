"""A study's REFI-QDA side: study.qdpx from every run, and a study coded in a QDA program."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mixedwai.errors import StudyConfigError
from mixedwai.exchange.reading import read_qdpx
from mixedwai.joint.analysis import analyse_study
from mixedwai.joint.config import load_study_config

KEY = ["doc_id", "start", "end", "code_id", "coder"]
QDPX_STUDY = Path("sample_corpus/qdpx_study")


@pytest.fixture(scope="module")
def exported(sample_run, tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "study.qdpx"
    path.write_bytes(sample_run.qdpx)
    return path


def test_study_qdpx_is_schema_valid(exported, assert_valid_project) -> None:
    assert_valid_project(exported)


def test_study_qdpx_gives_back_the_codings_and_every_case(sample_run, exported) -> None:
    project = read_qdpx(exported)
    ours = sample_run.tables["codings"][KEY].sort_values(KEY).reset_index(drop=True)
    back = project.codings[KEY].sort_values(KEY).reset_index(drop=True)
    assert back.astype(str).equals(ours.astype(str))
    assert set(back["coder"]) == {"mixedwai"}  # the rules, as their own user
    cases = sample_run.linked.case_table
    assert set(project.cases.index) == set(sample_run.cases.index)  # every case, 30
    for case_id, row in cases.iterrows():
        assert project.cases.loc[case_id, "abbrev"] == row["abbrev"]
        assert project.cases.loc[case_id, "cluster"] == row["cluster"]
        assert bool(project.cases.loc[case_id, "job"]) == bool(row["outcome"])
    assert project.corpus.doc_ids == sample_run.corpus.doc_ids


def test_shipped_coded_qdpx_is_what_its_script_writes() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_project",
                                                  QDPX_STUDY / "make_project.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.project_bytes() == (QDPX_STUDY / "coded.qdpx").read_bytes()


@pytest.fixture(scope="module")
def people_run():
    return analyse_study(QDPX_STUDY)


def test_study_coded_in_a_qda_program_runs_into_the_report(people_run, tmp_path) -> None:
    from mixedwai.joint.output import write_study

    codings = people_run.codings
    assert set(codings["source"]) == {"manual"}
    assert set(codings["coder"]) == {"Isabelle", "Marc"}
    assert len(codings) == 51
    assert people_run.quant.clusters.k == 3
    assert "statistics_by_themes" in people_run.displays
    written = {p.name for p in write_study(people_run, tmp_path, member_checks=False)}
    assert {"report.html", "report.md", "report.docx", "study.qdpx"} <= written
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Codes were applied by hand, by Isabelle, Marc" in report


def test_displays_use_rules_or_both_on_a_qdpx_study(tmp_path) -> None:
    folder = tmp_path / "study"
    shutil.copytree(QDPX_STUDY, folder)
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, folder / name)
    yaml = (folder / "study.yaml").read_text(encoding="utf-8").replace("../", "")
    (folder / "study.yaml").write_text(yaml.replace("displays_use: people",
                                                    "displays_use: both"), encoding="utf-8")
    config = load_study_config(folder)
    assert config.qual.displays_use == "both"
    run = analyse_study(config)
    assert set(run.codings["source"]) == {"rule", "manual"}
    project = read_qdpx(_write(run, tmp_path))
    assert set(project.codings["coder"]) == {"mixedwai", "Isabelle", "Marc"}


def _write(run, tmp_path: Path) -> Path:
    path = tmp_path / "both.qdpx"
    path.write_bytes(run.qdpx)
    return path


def test_people_codings_asked_for_but_none_given(tmp_path) -> None:
    (tmp_path / "study.yaml").write_text(
        "sessions: sessions.csv\ncases: cases.csv\ntranscripts: transcripts\n"
        "qual:\n  displays_use: people\n", encoding="utf-8")
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, tmp_path / name)
    (tmp_path / "transcripts").mkdir()
    (tmp_path / "transcripts" / "es3_c1.txt").write_text("ES: We trust each other.\n")
    with pytest.raises(StudyConfigError, match="no people's codings"):
        analyse_study(tmp_path)
    (tmp_path / "study.yaml").write_text(
        "sessions: sessions.csv\ncases: cases.csv\nqual:\n  codings: missing.qdpx\n",
        encoding="utf-8")
    with pytest.raises(StudyConfigError, match="qual.codings"):
        load_study_config(tmp_path)
