"""The sample study run once for all joint tests (it is deterministic)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def sample_run():
    from mixedwai.joint.analysis import analyse_study

    return analyse_study("sample_corpus")


@pytest.fixture(scope="session")
def linked(sample_run):
    return sample_run.linked
