"""Canonical case identifiers shared by both strands.

Case ids in the reference study look like ``ES#11_C4``: employment specialist 11,
client 4. Spreadsheets and file names spell them ``ES11_C04``, ``es11-c4`` or
``ES 11 C4``. Both strands pass every id through :func:`canonical_case_id` so that a
transcript named ``es11-c4.docx`` links to the row ``ES#11_C4`` of ``cases.csv``.
Ids of any other shape are kept as written (surrounding blanks removed).

Examples
--------
>>> canonical_case_id("ES#11_C4"), canonical_case_id("es11-c04"), canonical_case_id("P-007")
('ES11_C4', 'ES11_C4', 'P-007')
>>> display_case_id("ES11_C4")
'ES#11_C4'
"""

from __future__ import annotations

import re

__all__ = ["CASE_ID_PATTERN", "canonical_case_id", "display_case_id", "es_id_of", "find_case_id"]

#: Default pattern: ``ES`` + optional ``#`` + number, a separator, ``C`` + number.
CASE_ID_PATTERN = re.compile(
    r"(?<![A-Za-z0-9])ES\s*#?\s*0*(?P<es>\d+)\s*[-_ .]?\s*"
    r"C(?:ASE|LIENT)?\s*[-_#]?\s*0*(?P<client>\d+)(?![0-9])",
    re.IGNORECASE,
)


def canonical_case_id(value: object) -> str:
    """Return the canonical spelling of a case id.

    Parameters
    ----------
    value : object
        A case id as found in a table cell or a file name (numbers are accepted
        and converted to text).

    Returns
    -------
    str
        ``ES<n>_C<m>`` when ``value`` is an ES/client id in any usual spelling
        (``ES#11_C4``, ``ES11_C04``, ``es11-c4``), else ``value`` as text with
        surrounding blanks removed.

    Examples
    --------
    >>> canonical_case_id(" ES 5 - C 02 ")
    'ES5_C2'
    >>> canonical_case_id(17)
    '17'
    """
    text = str(value).strip()
    match = CASE_ID_PATTERN.fullmatch(text)
    if match is None:
        return text
    return f"ES{int(match['es'])}_C{int(match['client'])}"


def find_case_id(text: str, pattern: re.Pattern[str] | str | None = None) -> str | None:
    """Find a case id inside a longer text such as a file name.

    Parameters
    ----------
    text : str
        Text to search, e.g. ``"interview_ES11_C04_final.docx"``.
    pattern : re.Pattern or str, optional
        A regular expression with named groups ``es`` and ``client`` (canonical id
        ``ES<es>_C<client>``) or a single named group ``case`` (kept as written).
        Default :data:`CASE_ID_PATTERN`.

    Returns
    -------
    str or None
        The canonical case id, or ``None`` when nothing matches.

    Examples
    --------
    >>> find_case_id("interview_es11-c04_final.docx")
    'ES11_C4'
    >>> find_case_id("notes.txt") is None
    True
    """
    if pattern is None:
        regex = CASE_ID_PATTERN
    elif isinstance(pattern, re.Pattern):
        regex = pattern  # compiled: keep the caller's flags (re.compile refuses new ones)
    else:
        regex = re.compile(pattern, re.IGNORECASE)
    match = regex.search(text)
    if match is None:
        return None
    groups = match.groupdict()
    if "case" in groups and groups["case"] is not None:
        return canonical_case_id(groups["case"])
    if groups.get("es") is not None and groups.get("client") is not None:
        return f"ES{int(groups['es'])}_C{int(groups['client'])}"
    return canonical_case_id(match.group(0))


def display_case_id(case_id: str) -> str:
    """Spell a canonical id the way the reference study prints it (``ES#11_C4``).

    Examples
    --------
    >>> display_case_id("ES16_C2"), display_case_id("P-007")
    ('ES#16_C2', 'P-007')
    """
    match = CASE_ID_PATTERN.fullmatch(case_id)
    if match is None:
        return case_id
    return f"ES#{int(match['es'])}_C{int(match['client'])}"


def es_id_of(case_id: str) -> str | None:
    """Return the ES id (``ES11``) encoded in a canonical case id, if any.

    Examples
    --------
    >>> es_id_of("ES11_C4"), es_id_of("P-007")
    ('ES11', None)
    """
    match = CASE_ID_PATTERN.fullmatch(case_id)
    return None if match is None else f"ES{int(match['es'])}"
