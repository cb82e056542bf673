"""Hostile YAML in every YAML reader: alias bombs and deep nesting.

Repros of issue 15: a study.yaml alias bomb spun forever in the error reporter;
meta-inference and front-matter alias bombs allocated gigabytes; deep nesting raised
RecursionError in every YAML reader (encodings: test_encodings.py).
Every reader goes through :func:`mixedwai._yaml.check_yaml` and now raises its own
mixedwai error naming the limit.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mixedwai.errors import (
    CodebookError,
    InputFileError,
    InstrumentError,
    MixedWAIError,
    StudyConfigError,
    TranscriptError,
)
from mixedwai.joint.config import load_study_config
from mixedwai.joint.displays.meta import load_meta_inferences
from mixedwai.qual.codebook.loading import load_codebook
from mixedwai.qual.themes.review import read_theme_review
from mixedwai.qual.transcripts.loading import load_transcript
from mixedwai.quant.instruments.loading import load_instrument
from tests.hostile.conftest import ROOT, assert_clear_error, run_limited


def alias_bomb(levels: int = 9, key: str = "lol") -> str:
    """Nested aliases expanding to 10**levels values ("billion laughs")."""
    lines = [f"{key}0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"{key}{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def deep(depth: int = 5000) -> str:
    return "deep: " + "[" * depth + "]" * depth + "\n"


def _study(tmp: Path, text: str) -> Path:
    folder = tmp / "study"
    folder.mkdir()
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(ROOT / "sample_corpus" / name, folder / name)
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    return folder


def _front_matter(tmp: Path, text: str) -> Path:
    path = tmp / "ES3_C1.txt"
    path.write_text("---\n" + text + "---\nInterviewer: Hello.\nMarie: Hi.\n", encoding="utf-8")
    return path


def _review(tmp: Path, text: str) -> Path:
    path = tmp / "themes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _file(name: str) -> Callable[[Path, str], Path]:
    def write(tmp: Path, text: str) -> Path:
        path = tmp / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


READERS = {
    "study.yaml": (_study, load_study_config, StudyConfigError),
    "codebook": (_file("book.yaml"), load_codebook, CodebookError),
    "instrument": (_file("form.yaml"), load_instrument, InstrumentError),
    "meta-inferences": (_file("meta.yaml"), load_meta_inferences, InputFileError),
    "front matter": (_front_matter, load_transcript, TranscriptError),
    "theme review": (_review, read_theme_review, CodebookError),
}
#: Codebooks, instruments and theme reviews refuse every alias, naming its key path.
BOMB_MESSAGE = {
    "codebook": r"lol1\[0\] \(line 2\): the YAML alias '\*a0' is not allowed",
    "instrument": r"anchor/alias 'a0' is not allowed",
    "theme review": r"lol1\[0\] \(line 2\): the YAML alias '\*a0' is not allowed",
}


@pytest.mark.parametrize("reader", sorted(READERS))
def test_alias_bomb_is_refused_quickly(tmp_path: Path, reader: str) -> None:
    write, load, error = READERS[reader]
    path = write(tmp_path, alias_bomb())
    before = (path / "study.yaml" if path.is_dir() else path).read_bytes()
    started = time.perf_counter()
    with pytest.raises(error, match=BOMB_MESSAGE.get(reader, "MAX_YAML_NODES")) as info:
        load(path)
    assert isinstance(info.value, MixedWAIError)
    assert reader in BOMB_MESSAGE or "billion laughs" in str(info.value)
    assert time.perf_counter() - started < 30  # was: forever, or gigabytes
    assert (path / "study.yaml" if path.is_dir() else path).read_bytes() == before


@pytest.mark.parametrize("reader", sorted(READERS))
def test_deep_nesting_is_a_clear_error_not_recursion(tmp_path: Path, reader: str) -> None:
    write, load, error = READERS[reader]
    path = write(tmp_path, deep())
    with pytest.raises(error, match=r"nest more than 64 levels deep; limit MAX_YAML_DEPTH"):
        load(path)


def test_moderate_aliases_within_the_limit_still_load(tmp_path: Path) -> None:
    folder = _study(tmp_path, "name: &n My study\noutcome_label: *n\n")
    assert load_study_config(folder).outcome_label == "My study"


def test_the_yaml_limits_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _study(tmp_path, "name: x\n" + "extra: " + "[" * 70 + "]" * 70 + "\n")
    with pytest.raises(StudyConfigError, match="MAX_YAML_DEPTH"):
        load_study_config(folder)
    monkeypatch.setenv("MIXEDWAI_MAX_YAML_DEPTH", "100")
    with pytest.raises(StudyConfigError, match="extra"):  # now the unknown key is reported
        load_study_config(folder)


def test_study_yaml_alias_bomb_from_the_command_line_under_2_gib(tmp_path: Path) -> None:
    folder = _study(tmp_path, alias_bomb())
    result = run_limited(["-m", "mixedwai", "run", str(folder), "--out", str(tmp_path / "out")],
                         timeout=60)
    assert_clear_error(result, "study.yaml", "MAX_YAML_NODES", "MIXEDWAI_MAX_YAML_NODES")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_front_matter_alias_bomb_under_2_gib(tmp_path: Path) -> None:
    path = _front_matter(tmp_path, alias_bomb())
    code = ("import mixedwai as mw\n"
            f"mw.pseudonymise(mw.load_transcript({str(path)!r}), {{'Marie': 'P1'}})\n")
    result = run_limited(["-c", code], timeout=60)
    assert "TranscriptError" in result.stderr and "MAX_YAML_NODES" in result.stderr
    assert "MemoryError" not in result.stderr


def test_front_matter_messages_give_the_file_line(tmp_path: Path) -> None:
    path = tmp_path / "ES3_C1.txt"
    path.write_text("\n---\ncase_id: ES3_C1\n" + deep(100) + "---\nMarie: Hi.\n",
                    encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"ES3_C1\.txt: front matter \(line 4\): "
                                              r"mappings and lists nest more than 64"):
        load_transcript(path)
