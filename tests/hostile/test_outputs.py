"""Outputs stay where they belong: containment, permissions, edits kept, all-or-nothing runs.

Each test reproduces one finding of the hostile-input sweep (issue 15) and shows the
documented handling: a clear :class:`~mixedwai.errors.OutputError`, or a safe outcome,
with nothing written outside the output folder and no input or earlier output changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

from mixedwai.errors import OutputError, OutputKeptWarning
from mixedwai.io import (
    JOURNAL,
    MANIFEST,
    safe_file_name,
    staged_output,
    write_csv,
)

HOSTILE_ID = "../../../../tmp/mixedwai-victim/victim"


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (what a researcher would see there)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli(*args: str, cwd: Path | None = None, umask: int | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    environ = {**os.environ, "PYTHONPATH": str(root), "MPLBACKEND": "Agg", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mixedwai", *args], capture_output=True, text=True,
        cwd=cwd or root, env=environ,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


# ------------------------------------------------------------------ file names from ids


@pytest.mark.parametrize("bad", [HOSTILE_ID, "/etc/passwd", "..", ".", "a\\..\\b",
                                 "x\x1b[31m", "CON", " ", "a" * 300])
def test_a_file_name_made_from_any_id_stays_one_plain_component(bad: str) -> None:
    name = safe_file_name(bad, ".docx")
    assert "/" not in name and "\\" not in name and not name.startswith(".")
    assert len(name) <= 120 and name.endswith(".docx")
    assert all(ord(c) >= 32 for c in name)


def test_two_different_ids_never_share_a_file_name() -> None:
    assert safe_file_name("a/b") != safe_file_name("a_b")
    assert safe_file_name("x" * 300) != safe_file_name("x" * 301)


def test_an_ordinary_id_is_its_own_file_name() -> None:
    assert safe_file_name("ES#11_C4", ".docx") == "ES#11_C4.docx"
    assert safe_file_name("pattern_SHA", ".docx") == "pattern_SHA.docx"


@pytest.mark.parametrize("name", ["../x.csv", "/tmp/x.csv", "a/../../x.csv", "a\\b.csv", ""])
def test_a_staged_path_outside_the_folder_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError, match="outside --out"), staged_output(tmp_path / "out") as s:
        s.path(name)
    assert not (tmp_path / "x.csv").exists()


def test_member_checks_of_hostile_case_ids_stay_inside_out(tmp_path: Path) -> None:
    """The member check of case ``../../../../tmp/x/victim`` lands in member_checks/."""
    import dataclasses

    from mixedwai.joint.analysis import analyse_study
    from mixedwai.joint.output import write_study

    run = analyse_study("sample_corpus")
    document = next(iter(run.member_checks.values()))
    long_id = "ES" + "9" * 298
    run = dataclasses.replace(run, member_checks={HOSTILE_ID: document, long_id: document})
    victim = Path("/tmp/mixedwai-victim")
    shutil.rmtree(victim, ignore_errors=True)
    written = write_study(run, tmp_path / "out")
    assert not victim.exists()
    out = (tmp_path / "out").resolve()
    assert all(out in p.resolve().parents for p in written)
    mapping = pd.read_csv(tmp_path / "out" / "member_checks" / "file_names.csv")
    assert set(mapping["id"]) == {HOSTILE_ID, long_id}
    for file in mapping["file"]:
        assert (tmp_path / "out" / "member_checks" / file).is_file()


# ------------------------------------------------------------------ permissions


def test_a_run_under_umask_077_leaves_nothing_readable_by_others(tmp_path: Path) -> None:
    result = _cli("run", "sample_corpus", "--out", str(tmp_path / "out"), "--quiet",
                  umask=0o077)
    assert result.returncode == 0, result.stderr
    paths = [p for p in (tmp_path / "out").rglob("*")]
    assert paths
    loose = [p for p in paths if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert loose == []


def test_outputs_follow_the_umask_and_a_study_may_ask_for_0600(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        with staged_output(tmp_path / "a") as stage:
            write_csv(pd.DataFrame({"x": [1]}), stage.path("t.csv"))
        with staged_output(tmp_path / "b", file_mode=0o600) as stage:
            write_csv(pd.DataFrame({"x": [1]}), stage.path("t.csv"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a" / "t.csv").stat().st_mode) == 0o640
    assert stat.S_IMODE((tmp_path / "b" / "t.csv").stat().st_mode) == 0o600


def test_a_rerun_keeps_the_mode_the_researcher_gave_an_output(tmp_path: Path) -> None:
    for _ in range(2):
        with staged_output(tmp_path) as stage:
            write_csv(pd.DataFrame({"x": [1]}), stage.path("t.csv"))
        os.chmod(tmp_path / "t.csv", 0o600)
    assert stat.S_IMODE((tmp_path / "t.csv").stat().st_mode) == 0o600


def test_study_yaml_file_mode_is_checked(tmp_path: Path) -> None:
    from mixedwai.errors import StudyConfigError
    from mixedwai.joint.config import load_study_config

    study = tmp_path / "study"
    shutil.copytree("sample_corpus", study)
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(text + "file_mode: 0600\n", encoding="utf-8")
    assert load_study_config(study).output_mode == 0o600
    (study / "study.yaml").write_text(text + "file_mode: rw-r--r--\n", encoding="utf-8")
    with pytest.raises(StudyConfigError, match="file_mode"):
        load_study_config(study)


# ------------------------------------------------------------------ user files are never lost


def test_the_manifest_removes_only_unchanged_files_mixedwai_wrote(tmp_path: Path) -> None:
    with staged_output(tmp_path) as stage:
        for name in ("a.csv", "b.csv", "c.csv"):
            write_csv(pd.DataFrame({"x": [name]}), stage.path(name))
    (tmp_path / "b.csv").write_text("the researcher's edit\n")
    (tmp_path / "mine.txt").write_text("not mixedwai's\n")
    manifest = (tmp_path / MANIFEST).read_text()
    (tmp_path / MANIFEST).write_text(manifest + "0" * 64 + "  mine.txt\n")  # a forged line
    with pytest.warns(OutputKeptWarning, match="b.csv"), staged_output(tmp_path) as stage:
        write_csv(pd.DataFrame({"x": [1]}), stage.path("new.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST, "b.csv", "mine.txt",
                                                          "new.csv"]
    assert (tmp_path / "mine.txt").read_text() == "not mixedwai's\n"


def test_a_rerun_never_overwrites_an_edited_output(tmp_path: Path) -> None:
    with staged_output(tmp_path) as stage:
        write_csv(pd.DataFrame({"x": [1]}), stage.path("member_checks/ES1_C1.csv"))
    edited = tmp_path / "member_checks" / "ES1_C1.csv"
    edited.write_text("corrected by the ES\n")
    before = _tree(tmp_path)
    with pytest.raises(OutputError, match="edited since mixedwai wrote it"), \
            staged_output(tmp_path) as stage:
        write_csv(pd.DataFrame({"x": [2]}), stage.path("member_checks/ES1_C1.csv"))
        write_csv(pd.DataFrame({"x": [2]}), stage.path("other.csv"))
    assert _tree(tmp_path) == before


def test_an_output_never_replaces_an_input(tmp_path: Path) -> None:
    """``mixedwai cluster data/scores.csv --out data`` stops before writing anything."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy("sample_corpus/sessions.csv", data / "scores.csv")
    before = _tree(data)
    result = _cli("cluster", str(data / "scores.csv"), "--out", str(data))
    assert result.returncode != 0
    assert "scores.csv (an input of this run)" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert _tree(data) == before


def test_promote_never_overwrites_another_file(tmp_path: Path) -> None:
    from mixedwai.qual.themes.promote import promote_themes

    codebook = tmp_path / "codebook.yaml"
    shutil.copy("mixedwai/data/codebooks/ross2008_en.yaml", codebook)
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    review = tmp_path / "themes.yaml"
    review.write_text("themes: []\n")
    with pytest.raises(OutputError, match="never over another file"):
        promote_themes(codebook, review, out=notes)
    assert notes.read_text() == "my notes\n"


def test_promote_keeps_a_private_codebook_private(tmp_path: Path) -> None:
    from mixedwai.qual.themes.promote import promote_themes

    codebook = tmp_path / "codebook.yaml"
    shutil.copy("mixedwai/data/codebooks/ross2008_en.yaml", codebook)
    os.chmod(codebook, 0o600)
    review = tmp_path / "themes.yaml"
    review.write_text(textwrap.dedent("""\
        themes:
          - theme: T01
            decision: accept
            id: bus_late
            label: Late buses
            lemmas: [bus]
        """))
    promote_themes(codebook, review)
    assert "bus_late" in codebook.read_text()
    assert stat.S_IMODE(codebook.stat().st_mode) == 0o600


# ------------------------------------------------------------------ never half-published


def test_a_failure_while_publishing_puts_the_old_outputs_back(tmp_path: Path,
                                                              monkeypatch) -> None:
    with staged_output(tmp_path) as stage:
        for name in ("a.csv", "b.csv", "sub/c.csv"):
            write_csv(pd.DataFrame({"old": [name]}), stage.path(name))
    before = _tree(tmp_path)
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 5:  # some old files moved aside, some new ones moved in
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr("mixedwai.io.os.replace", failing_replace)
    with pytest.raises(OSError, match="No space"), staged_output(tmp_path) as stage:
        for name in ("a.csv", "b.csv", "sub/c.csv", "d.csv"):
            write_csv(pd.DataFrame({"new": [name]}), stage.path(name))
    monkeypatch.setattr("mixedwai.io.os.replace", real_replace)
    assert _tree(tmp_path) == before
    assert not any(p.name.startswith(".mixedwai-") and p.is_dir() for p in tmp_path.iterdir())


KILLED_MID_PUBLISH = """
import os, sys
import pandas as pd
import mixedwai.io as mio
from mixedwai.io import staged_output, write_csv
real, calls = os.replace, []
def dying_replace(src, dst):
    calls.append(dst)
    if len(calls) == int(sys.argv[2]):
        os._exit(9)  # killed: no cleanup of any kind
    return real(src, dst)
mio.os.replace = dying_replace
with staged_output(sys.argv[1]) as stage:
    for name in ("a.csv", "b.csv", "sub/c.csv", "d.csv"):
        write_csv(pd.DataFrame({"new": [name]}), stage.path(name))
"""


@pytest.mark.parametrize("moves_before_death", [1, 3, 5, 7, 9])
def test_a_run_killed_while_publishing_is_undone_by_the_next_run(tmp_path: Path,
                                                                 moves_before_death) -> None:
    with staged_output(tmp_path) as stage:
        for name in ("a.csv", "b.csv", "sub/c.csv"):
            write_csv(pd.DataFrame({"old": [name]}), stage.path(name))
    before = _tree(tmp_path)
    died = subprocess.run([sys.executable, "-c", KILLED_MID_PUBLISH, str(tmp_path),
                           str(moves_before_death)], capture_output=True, text=True)
    assert died.returncode == 9, died.stderr
    assert any(p.name.startswith(".mixedwai-") for p in tmp_path.iterdir())
    with staged_output(tmp_path):  # the next run finds the record and undoes the killed run
        assert _tree(tmp_path) == before


def test_a_killed_run_leaves_the_previous_report_and_its_stage_is_cleaned(tmp_path: Path) -> None:
    """Kill ``mixedwai run`` part-way: the good report is intact; the next run tidies up."""
    out = tmp_path / "out"
    assert _cli("run", "sample_corpus", "--out", str(out), "--quiet").returncode == 0
    before = _tree(out)
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "mixedwai", "run", "sample_corpus", "--out", str(out), "--quiet"],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root), "MPLBACKEND": "Agg"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
            p.name.startswith(".mixedwai-stage-") for p in out.iterdir()):
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    visible = {k: v for k, v in _tree(out).items() if not k.startswith(".mixedwai-stage-")}
    assert visible == before or JOURNAL in visible
    assert _cli("run", "sample_corpus", "--out", str(out), "--quiet").returncode == 0
    assert not any(p.name.startswith((".mixedwai-stage-", ".mixedwai-backup-"))
                   for p in out.iterdir())
    assert _tree(out) == before


# ------------------------------------------------------------------ formulas


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"case_id": ['=HYPERLINK("http://x","y")', "+cmd|'/C calc'!A0", "@A1",
                                      "-0.25",
                                      "ES1_C1"], "wai": [1.0, 2.0, 3.0, -4.0, 5.0]})
    write_csv(frame, tmp_path / "safe.csv")
    write_csv(frame, tmp_path / "raw.csv", raw=True)
    safe = pd.read_csv(tmp_path / "safe.csv", dtype=str)
    assert safe["case_id"].tolist() == ["'=HYPERLINK(\"http://x\",\"y\")", "'+cmd|'/C calc'!A0",
                                        "'@A1", "-0.25", "ES1_C1"]
    assert safe["wai"].tolist()[3] == "-4"
    assert pd.read_csv(tmp_path / "raw.csv", dtype=str)["case_id"][0].startswith("=")
