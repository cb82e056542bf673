"""docs/tutorial.md is a doctest: its outputs must stay true."""

from __future__ import annotations

import doctest
from pathlib import Path


def test_tutorial_outputs_are_true() -> None:
    path = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
    result = doctest.testfile(
        str(path), module_relative=False, verbose=False, report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 20
    assert result.failed == 0
