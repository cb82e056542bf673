"""Fixtures of the exchange tests: the REFI-QDA schemas and a schema check of every export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

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
