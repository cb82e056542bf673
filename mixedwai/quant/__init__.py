"""The quantitative strand: WAI scoring, trajectories, Ward clustering, patterns, outcomes.

Names are loaded lazily from their modules (see ``mixedwai/__init__.py``).
"""

from __future__ import annotations

from mixedwai import _LAZY
from mixedwai._lazy import attach

__getattr__, __dir__, __all__ = attach(
    __name__, {k: v for k, v in _LAZY.items() if v.startswith("mixedwai.quant.")}
)
