"""Hostile encodings: YAML that is not UTF-8, transcripts in UTF-16 or binary noise.

Repro of issue 15: a non-UTF-8 study.yaml raised UnicodeDecodeError (a traceback). Text
files keep their documented handling: UTF-8 (with or without BOM), UTF-16 with a BOM, else
Windows-1252 with an EncodingFallbackWarning.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mixedwai.errors import (
    EncodingFallbackWarning,
    InputFileError,
    StudyConfigError,
    TranscriptError,
)
from mixedwai.joint.config import load_study_config
from mixedwai.joint.displays.meta import load_meta_inferences
from mixedwai.qual.transcripts.loading import load_transcript
from mixedwai.quant.data.sessions import read_sessions
from tests.hostile.conftest import ROOT, assert_clear_error, run_limited


def _study(tmp: Path) -> Path:
    folder = tmp / "study"
    folder.mkdir()
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(ROOT / "sample_corpus" / name, folder / name)
    return folder


def test_non_utf8_study_yaml_is_a_clear_error(tmp_path: Path) -> None:
    folder = _study(tmp_path)
    (folder / "study.yaml").write_bytes("name: Étude\n".encode("latin-1"))
    with pytest.raises(StudyConfigError, match=r"study\.yaml \(line 1\): byte b'\\xc9' at "
                                               r"offset 6 is not UTF-8"):
        load_study_config(folder)


def test_non_utf8_study_yaml_from_the_command_line(tmp_path: Path) -> None:
    folder = _study(tmp_path)
    (folder / "study.yaml").write_bytes("name: x\noutcome_label: trouvé\n".encode("cp1252"))
    result = run_limited(["-m", "mixedwai", "run", str(folder), "--out", str(tmp_path / "o")],
                         timeout=60)
    assert_clear_error(result, "study.yaml (line 2)", "is not UTF-8")


def test_non_utf8_meta_inference_yaml_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "meta.yaml"
    path.write_bytes("- {display: d, key: k, statement: élevé, fit: expansion}\n"
                     .encode("latin-1"))
    with pytest.raises(InputFileError, match=r"meta\.yaml \(line 1\): .* is not UTF-8"):
        load_meta_inferences(path)


def test_utf8_with_bom_study_yaml_is_read(tmp_path: Path) -> None:
    folder = _study(tmp_path)
    (folder / "study.yaml").write_bytes("\ufeffname: Étude\n".encode())
    assert load_study_config(folder).name == "Étude"


def test_utf16_transcript_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ES3_C1.txt"
    path.write_bytes("Interviewer: Hello.\nMarie: Très bien.\n".encode("utf-16"))
    transcript = load_transcript(path)
    assert transcript.encoding == "utf-16"
    assert "Très bien." in transcript.text


def test_binary_noise_named_txt_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ES3_C1.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.warns(EncodingFallbackWarning), pytest.raises(TranscriptError,
                                                              match="no speaker turn found"):
        load_transcript(path)


def test_cp1252_sessions_table_is_read_with_a_warning(tmp_path: Path) -> None:
    text = (ROOT / "sample_corpus" / "sessions.csv").read_text(encoding="utf-8")
    text = text.replace("case_id,es_id,session,date", "case_id,es_id,session,date_é", 1)
    path = tmp_path / "sessions.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.warns(EncodingFallbackWarning):
        sessions = read_sessions(path)
    assert "date_é" in sessions.columns
