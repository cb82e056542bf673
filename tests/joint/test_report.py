"""The whole-study command on the sample corpus."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mixedwai.cli import main

    out = tmp_path_factory.mktemp("report")
    assert main(["run", "sample_corpus", "--out", str(out), "--quiet"]) == 0
    return out


def test_run_writes_tables_figures_and_reports(report_dir: Path) -> None:
    for name in ("report.html", "report.docx", "report.md", "tables/clusters.csv",
                 "tables/profile.csv", "tables/k_selection.csv", "tables/codings.csv",
                 "displays/statistics_by_themes.csv", "displays/case_ordered.csv",
                 "displays/joint_displays.xlsx", "figures/trajectories.png"):
        assert (report_dir / name).is_file(), name
    assert len(list((report_dir / "member_checks").glob("ES*/ES*.docx"))) == 17
    assert not list((report_dir / "member_checks").glob("pattern_*.docx"))  # never pooled
    assert not [p for p in report_dir.rglob("*") if ".mixedwai-stage" in str(p)]


def test_report_states_parameters_and_versions(report_dir: Path) -> None:
    import mixedwai

    page = (report_dir / "report.html").read_text(encoding="utf-8")
    for needle in ("mixedwai version", mixedwai.__version__, "clustering.min_share", "DIRECT",
                   "codebook version", "Exclusions"):
        assert needle in page


def test_docx_report_holds_the_expected_tables(report_dir: Path) -> None:
    word = docx.Document(str(report_dir / "report.docx"))
    headers = [[c.text for c in t.rows[0].cells] for t in word.tables]
    assert any(h == ["Pattern", "n (%)", "Time 1", "Time 2", "Time 3", "Overall"]
               for h in headers)
    assert any(h[0] == "Case" for h in headers)
    assert any(h == ["Parameter", "Value"] for h in headers)


def test_clusters_csv_matches_the_published_sizes(report_dir: Path) -> None:
    clusters = pd.read_csv(report_dir / "tables/clusters.csv")
    assert clusters["pattern"].value_counts().sort_values().tolist() == [3, 5, 10]


def test_member_check_is_a_word_file_with_quotes(report_dir: Path) -> None:
    path = report_dir / "member_checks" / "ES11" / "ES11_C4.docx"
    word = docx.Document(io.BytesIO(path.read_bytes()))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "ES#11_C4" in text and "“" in text


def test_run_is_byte_for_byte_reproducible(report_dir: Path, tmp_path: Path) -> None:
    from mixedwai.cli import main

    again = tmp_path / "again"
    assert main(["run", "sample_corpus", "--out", str(again), "--quiet"]) == 0
    first = sorted(p.relative_to(report_dir) for p in report_dir.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for name in first:
        assert (again / name).read_bytes() == (report_dir / name).read_bytes(), name


def test_bad_study_exits_non_zero_without_traceback_or_files(tmp_path: Path, capsys) -> None:
    from mixedwai.cli import main

    out = tmp_path / "out"
    (tmp_path / "study.yaml").write_text("sessions: missing.csv\ncases: missing.csv\n")
    assert main(["run", str(tmp_path / "study.yaml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "missing.csv" in err and "Traceback" not in err
    assert not out.exists()


def test_quantitative_only_study_still_gets_a_report(tmp_path: Path) -> None:
    import shutil

    from mixedwai.cli import main

    study = tmp_path / "study"
    study.mkdir()
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(Path("sample_corpus") / name, study / name)
    out = tmp_path / "out"
    assert main(["run", str(study), "--out", str(out), "--quiet"]) == 0
    assert (out / "report.html").exists() and (out / "displays" / "case_ordered.csv").exists()
    assert not (out / "member_checks").exists()


def test_meta_inference_for_an_unknown_display_is_an_error(tmp_path: Path, capsys) -> None:
    import shutil

    from mixedwai.cli import main

    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study, ignore=shutil.ignore_patterns("*.py"))
    (study / "meta_inferences.csv").write_text(
        "display,key,statement,fit\nstatistics_by_theme,SHA,typo in the display,expansion\n")
    assert main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert "'statistics_by_theme'" in capsys.readouterr().err


def test_member_check_of_the_french_interview_is_in_french(report_dir: Path) -> None:
    word = docx.Document(str(report_dir / "member_checks" / "ES5" / "ES5_C4.docx"))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Résumé à valider" in text and "Merci pour l'entrevue" in text
    assert "Lien et confiance" in text or "Accord sur" in text  # French codebook labels


def test_report_has_the_reliability_section_and_the_rules_validation(report_dir: Path) -> None:
    text = (report_dir / "report.md").read_text(encoding="utf-8")
    section = text.split("## Reliability of the coding", 1)[1].split("\n## ", 1)[0]
    assert "Agreement between 2 coders (mixedwai, second_coder) was measured on 442" in section
    agreement = pd.read_csv(report_dir / "tables/agreement.csv")
    disagreements = pd.read_csv(report_dir / "tables/disagreements.csv")
    assert f"{len(disagreements)} sentences were coded differently" in section
    assert agreement.iloc[-1]["level"] == "overall"
    validation = pd.read_csv(report_dir / "tables/validation.csv")
    assert set(validation["coder"]) == {"mixedwai"}
    assert set(validation["reference"]) == {"second_coder"}
    assert "mixedwai against second_coder, per code" in section
    # the pooled rows as the reader sees them: APA decimals, the same numbers as the CSVs
    overall = agreement.iloc[-1]
    alpha = f"{overall['krippendorff_alpha']:.2f}".replace("0.", ".", 1)
    low = f"{overall['alpha_low']:.2f}".replace("0.", ".", 1)
    pooled = [line for line in section.splitlines() if "All codes, pooled" in line]
    assert len(pooled) == 2
    assert f"{alpha} \\[{low}," in pooled[0]  # brackets escaped in Markdown
    f1 = f"{validation.iloc[-1]['f1']:.2f}".replace("0.", ".", 1)
    assert f" {f1} " in pooled[1]
    manual = pd.read_csv(report_dir / "tables/manual_codings.csv")
    assert set(manual["coder"]) == {"second_coder"} and manual["doc_id"].nunique() == 5
