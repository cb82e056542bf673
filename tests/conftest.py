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


#: The REFI-QDA schemas, beside the checkout (../shared/reference); never shipped.
SHARED_REFERENCE = Path(os.environ.get("MIXEDWAI_SHARED", ROOT.parent / "shared")) / "reference"


def _schema(name: str):
    from lxml import etree

    path = SHARED_REFERENCE / name
    if not path.is_file():
        pytest.skip(f"REFI-QDA schema not found at {path}")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="session")
def project_schema():
    """``REFI-QDA-Project-mrt2019.xsd`` as an lxml XMLSchema (skip when absent)."""
    return _schema("REFI-QDA-Project-mrt2019.xsd")


@pytest.fixture(scope="session")
def codebook_schema():
    """``REFI-QDA-Codebook.xsd`` as an lxml XMLSchema (skip when absent)."""
    return _schema("REFI-QDA-Codebook.xsd")


@pytest.fixture()
def assert_valid_project(project_schema):
    """Check that a written .qdpx holds a project.qde valid against the project schema."""
    from lxml import etree

    from mixedwai.exchange.archive import QdpxArchive

    def check(path: Path) -> None:
        with QdpxArchive(path) as archive:
            document = etree.fromstring(archive.read("project.qde"))
        if not project_schema.validate(document):
            raise AssertionError(f"{path} is not valid: {project_schema.error_log}")

    return check
