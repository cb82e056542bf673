"""The names of alliance patterns: the literature's names and abbreviations.

Used by :func:`mixedwai.quant.patterns.shapes.describe_shapes` and
:func:`~mixedwai.quant.patterns.shapes.name_patterns` to name shapes, and by
:func:`mixedwai.quant.patterns.profile.profile_table` to abbreviate given names.
"""

from __future__ import annotations

import re

__all__ = ["KNOWN_PATTERNS", "SHAPES", "abbreviate"]

#: Shape -> abbreviation stem (the level letter is added for stable shapes).
SHAPES = ("stable", "linear increase", "linear decrease", "U-shaped", "inverted U")

#: Full pattern names and their abbreviations in the alliance-pattern literature.
KNOWN_PATTERNS: dict[str, str] = {
    "stable high": "SHA",
    "stable low": "SLA",
    "linear increase": "LIA",
    "linear decrease": "LDA",
    "U-shaped": "UA",
    "inverted U": "IUA",
}


def abbreviate(name: str) -> str:
    """The abbreviation of a pattern name.

    Known names and abbreviations map to the literature's (``"stable high"``
    -> ``"SHA"``, ``"sha"`` -> ``"SHA"``); other names give the initials of
    their words plus ``A`` for alliance (``"rupture repair"`` -> ``"RRA"``).

    Examples
    --------
    >>> abbreviate("linear decrease"), abbreviate("iua"), abbreviate("rupture-repair")
    ('LDA', 'IUA', 'RRA')
    """
    known = _known_lookup(name)
    if known is not None:
        return known[1]
    words = [w for w in re.split(r"[\s_\-/]+", name.strip()) if w]
    initials = "".join(w[0] for w in words if w[0].isalnum()).upper()
    if not words or words[-1].lower() != "alliance":
        initials += "A"
    return initials


def _known_lookup(name: str) -> tuple[str, str] | None:
    """(full name, abbreviation) when ``name`` is a known name or abbreviation."""
    key = name.strip().lower()
    for full, abbr in KNOWN_PATTERNS.items():
        if key in (full.lower(), abbr.lower(), f"{full.lower()} alliance"):
            return full, abbr
    return None
