"""Where the strands meet: linking cases, joint displays, the whole-study report."""

from __future__ import annotations

__all__: list[str] = []
