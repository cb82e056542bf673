"""The sample study, linked, for examples and doctests (computed once per process)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from mixedwai.joint.study import LinkedStudy

__all__ = ["sample_linked_study"]


@lru_cache(maxsize=2)
def sample_linked_study(path: str = "sample_corpus") -> LinkedStudy:
    """Run the sample study (``sample_corpus/`` in a source checkout) and return it linked.

    Examples
    --------
    >>> study = sample_linked_study()
    >>> len(study.case_table), len(study.interviewed)
    (18, 17)
    """
    from mixedwai.joint.analysis import analyse_study

    return analyse_study(Path(path)).linked
