"""Shared fixtures: paths to the sample study and to the shared test corpora."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_corpus"
#: Real transcripts written by others; beside the checkout, never shipped.
SHARED_CORPORA = Path(os.environ.get("MIXEDWAI_SHARED", ROOT.parent / "shared")) / "corpora"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The shipped sample study."""
    return SAMPLE


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """``../shared/corpora`` (skip the test when it is not beside the checkout)."""
    if not SHARED_CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED_CORPORA}")
    return SHARED_CORPORA


@pytest.fixture(autouse=True)
def _run_from_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test (and doctest) from the repository root."""
    monkeypatch.chdir(ROOT)
