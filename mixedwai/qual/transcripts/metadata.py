"""What a transcript's metadata and file name say: ids, interview number, language.

Private helpers of :func:`mixedwai.qual.transcripts.model._build` and of the loaders in
:mod:`mixedwai.qual.transcripts.loading`: the metadata values are checked and normalised
here (``doc_id``/``case_id``/``es_id`` must be texts, ``interview`` a whole number,
``language`` a code such as ``en``), and the ``case_pattern`` option is compiled.
"""

from __future__ import annotations

import re
from typing import Any

from mixedwai._regex import regex_problem
from mixedwai.errors import OptionError, TranscriptError

_INTERVIEW = re.compile(
    r"(?<![A-Za-z0-9])(?:interview|entretien|entrevue|int|i)[-_ ]?0*(?P<n>\d+)(?![0-9])",
    re.IGNORECASE,
)
_ES_ID = re.compile(r"\s*ES\s*#?\s*0*(?P<n>\d+)\s*", re.IGNORECASE)
_LANGUAGES = {
    "en": "en", "eng": "en", "english": "en", "anglais": "en",
    "fr": "fr", "fra": "fr", "fre": "fr", "french": "fr", "français": "fr", "francais": "fr",
}


def _compile(
    pattern: re.Pattern[str] | str | None, *, name: str = "case_pattern ="
) -> re.Pattern[str] | None:
    """Compile a case-id pattern; an invalid one is an OptionError naming ``name``."""
    if pattern is None or isinstance(pattern, re.Pattern):
        return pattern
    problem = regex_problem(pattern, flags=re.IGNORECASE)
    if problem is not None and not problem.startswith("not a valid"):
        raise OptionError(f"{name} {pattern!r} is not allowed: {problem}")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise OptionError(
            f"{name} {pattern!r} is not a valid regular expression ({exc}); expected "
            "a pattern with named groups 'es' and 'client' (e.g. "
            "'P(?P<es>\\d+)-(?P<client>\\d+)') or one group 'case'"
        ) from exc


def _text_value(value: Any, key: str, source: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TranscriptError(f"{source}: metadata key {key!r} must be a text; got {value!r}")
    return str(value).strip() or None


def _interview(value: Any, stem: str, source: str) -> int | None:
    if value is None:
        match = _INTERVIEW.search(stem)
        return int(match["n"]) if match else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise TranscriptError(
        f"{source}: metadata key 'interview' must be a whole number (e.g. 'interview: 2'); "
        f"got {value!r}"
    )


def _language(value: Any, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TranscriptError(
            f"{source}: metadata key 'language' must be a language code such as 'en' or 'fr'; "
            f"got {value!r}"
        )
    text = value.strip().casefold()
    base = re.split(r"[-_]", text)[0]
    return _LANGUAGES.get(text) or _LANGUAGES.get(base) or base
