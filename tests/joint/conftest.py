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


@pytest.fixture(scope="session")
def written(sample_run, tmp_path_factory):
    """The sample run written to a folder once (report.*, tables/, member_checks/ ...)."""
    from mixedwai.joint.output import write_study

    out = tmp_path_factory.mktemp("written")
    write_study(sample_run, out)
    return out
