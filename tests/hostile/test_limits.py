"""The limits: one home, documented, raisable; and input is never executed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import mixedwai.limits as limits
from mixedwai.errors import OptionError, StudyConfigError
from mixedwai.joint.config import load_study_config
from tests.hostile.conftest import ROOT

NAMES = [name for name in limits.__all__ if name.startswith("MAX_")]


def test_every_limit_is_in_the_safety_page_with_its_default() -> None:
    page = (ROOT / "docs" / "safety.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(MAX_\w+)` \| ([^|]+) \|", page, re.MULTILINE))
    assert sorted(rows) == sorted(NAMES)
    for name in NAMES:
        value = getattr(limits, name)
        shown = rows[name].strip()
        if shown.endswith("MiB"):
            assert value == int(shown.split()[0]) * 1024 * 1024, name
        else:
            assert value == int(shown), name
        assert f"MIXEDWAI_{name}" in page


@pytest.mark.parametrize("name", NAMES)
def test_every_limit_can_be_raised_by_its_environment_variable(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"MIXEDWAI_{name}", "123_456_789")
    assert limits.limit(name) == 123_456_789
    assert "123456789" in limits.limit_hint(name)
    monkeypatch.setenv(f"MIXEDWAI_{name}", "lots")
    with pytest.raises(OptionError, match=f"MIXEDWAI_{name} = 'lots'"):
        limits.limit(name)


def test_setting_the_constant_raises_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SESSION", 20)
    assert limits.limit("MAX_SESSION") == 20


def test_a_python_tag_in_study_yaml_is_refused_and_never_run(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    for name in ("sessions.csv", "cases.csv"):
        shutil.copy(ROOT / "sample_corpus" / name, folder / name)
    marker = tmp_path / "ran"
    (folder / "study.yaml").write_text(
        f'name: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    with pytest.raises(StudyConfigError, match="python/object/apply"):
        load_study_config(folder)
    assert not marker.exists()
