"""Control characters and rich markup in what the command line prints.

Repros of issue 15: file names with terminal escapes were printed raw, and rich markup in
a study name (``[bold]x[/``) crashed the summary of ``mixedwai run``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mixedwai.cli import main
from mixedwai.cli._common import terminal_safe
from tests.hostile.conftest import ROOT

ESCAPE = "\x1b]0;pwned\x07\x1b[2J"


def test_terminal_safe_escapes_every_control_character() -> None:
    text = "a\x00b\x01c\x1bd\x7fe\x9bf\u202eg\nh\ti"
    assert terminal_safe(text) == "a\\x00b\\x01c\\x1bd\\x7fe\\x9bf\\u202eg\nh\ti"


def test_file_names_with_terminal_escapes_are_printed_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "transcripts"
    folder.mkdir()
    shutil.copy(ROOT / "sample_corpus" / "transcripts" / "ES03_C01.txt", folder / "ES03_C01.txt")
    (folder / f"ES3_C2{ESCAPE}.txt").write_text("", encoding="utf-8")  # unreadable: empty
    status = main(["code", str(folder), "--codebook", "ross2008-en", "--out",
                   str(tmp_path / "out")])
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert status == 2  # the empty file is an error, which names it
    assert "\x1b" not in printed and "\x07" not in printed
    assert "ES3_C2\\x1b]0;pwned\\x07\\x1b[2J.txt" in printed


def test_errors_naming_a_file_with_escapes_are_printed_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"book{ESCAPE}.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    assert main(["codebook", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "book\\x1b]0;pwned" in err


def test_rich_markup_in_the_study_name_is_printed_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    study = tmp_path / "study"
    shutil.copytree(ROOT / "sample_corpus", study,
                    ignore=shutil.ignore_patterns("transcript_sources", "*.py"))
    text = (study / "study.yaml").read_text(encoding="utf-8")
    # (control characters in a study name are the renderers' concern: Word refuses them)
    lines = ['name: "[bold]x[/ [link=javascript:alert(1)]y"' if line.startswith("name:")
             else line
             for line in text.splitlines()]
    (study / "study.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["run", str(study), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "[bold]x[/ [link=javascript:alert(1)]y" in out
