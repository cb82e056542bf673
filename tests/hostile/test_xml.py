"""Hostile XML inside a .docx: entity expansion and external entities.

The sweep of issue 15 found no XML entity resolved; this keeps it so. python-docx parses
with lxml and ``resolve_entities=False``: entities are not expanded, an external entity
naming a local file is not read, and a billion laughs is refused by libxml2's
amplification limit, which load_docx reports as a TranscriptError.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mixedwai.errors import TranscriptError
from mixedwai.qual.transcripts.loaders.docx import load_docx
from tests.hostile.conftest import run_limited
from tests.hostile.docx_files import entity_docx


def test_docx_entities_are_never_expanded_nor_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    path = entity_docx(tmp_path / "ES3_C1.docx", secret=secret)
    raw = load_docx(path)
    assert "TOP-SECRET-CONTENT" not in raw.text
    assert "lol" not in raw.text
    assert [t.speaker for t in raw.turns] == ["Interviewer", "Marie"]


def test_docx_entity_bomb_under_2_gib(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    path = entity_docx(tmp_path / "ES3_C1.docx", secret=secret, levels=9)
    with pytest.raises(TranscriptError, match="cannot be read as a Word .docx document"):
        load_docx(path)
    code = ("from mixedwai.qual.transcripts.loaders.docx import load_docx\n"
            f"load_docx({str(path)!r})\n")
    result = run_limited(["-c", code], timeout=60)
    assert "TranscriptError" in result.stderr and "MemoryError" not in result.stderr
