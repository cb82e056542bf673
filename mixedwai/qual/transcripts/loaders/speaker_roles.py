"""Speaker roles: built-in role aliases, declared speakers, the role of a label.

A label's role is the declared one (front matter / document property
``speakers:`` or the ``speakers=`` argument), else that of a built-in alias
(:data:`ROLE_ALIASES`: ``Interviewer 2`` -> ``interviewer``, ``Conseillère`` ->
``ES``), else the label itself. Used by :mod:`mixedwai.qual.transcripts.loaders.labels`.

Examples
--------
>>> role_of("Interviewer 2", {}), role_of("Marie", {}), role_of("Marie", {"marie": "ES"})
('interviewer', 'Marie', 'ES')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from mixedwai.errors import TranscriptError

__all__ = [
    "ROLE_ALIASES",
    "alias_key",
    "canonical_role",
    "declared_speakers",
    "label_key",
    "role_of",
]

#: Built-in aliases (compared without accents, case, trailing number or period)
#: -> normalised role. ``ES`` is the role of the *professional* whose alliance with
#: the client is studied: the employment specialist in the reference study, the
#: therapist, counsellor, practitioner or clinician in other helping relationships
#: (motivational interviewing sessions such as AnnoMI's, counselling, IPS), so a
#: codebook's ``speakers: [ES]`` codes that person's speech. A study in which one of
#: these words names someone else declares ``speakers:`` (declared roles win).
ROLE_ALIASES: dict[str, str] = {
    **dict.fromkeys(
        [
            "interviewer", "interviewers", "int", "i", "q", "intervieweur",
            "intervieweuse", "interviewer-euse", "chercheur", "chercheuse", "researcher",
            "enqueteur", "enqueteuse", "moderator", "moderateur", "moderatrice", "animateur",
            "animatrice",
        ],
        "interviewer",
    ),
    **dict.fromkeys(
        [
            "es", "employment specialist", "conseiller", "conseillere", "ce", "intervenant",
            "intervenante", "professional", "professionnel", "professionnelle",
            "conseiller en emploi", "conseillere en emploi", "specialiste en emploi",
            "specialiste de l'emploi", "job coach", "ips specialist",
            # the professional of other helping relationships (see above)
            "therapist", "counsellor", "counselor", "practitioner", "clinician",
            "therapeute", "psychotherapeute", "psychotherapist", "praticien", "praticienne",
            "clinicien", "clinicienne",
        ],
        "ES",
    ),
    **dict.fromkeys(["client", "cliente", "clients"], "client"),
}

_TRAILING_NUMBER = re.compile(r"[\s#._-]*\d+$")


def label_key(label: str) -> str:
    """Key under which declared speakers are matched: case and spacing ignored."""
    return " ".join(label.split()).casefold()


@functools.lru_cache(maxsize=4096)
def alias_key(label: str) -> str:
    """Key for aliases: accents, case, a trailing number and a trailing period ignored.

    Examples
    --------
    >>> alias_key("Intervieweuse 2"), alias_key("Int."), alias_key("Conseillère")
    ('intervieweuse', 'int', 'conseillere')
    """
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = " ".join(text.replace("’", "'").split()).casefold().rstrip(".").strip()
    stripped = _TRAILING_NUMBER.sub("", text).rstrip(".").strip()
    return stripped or text


def canonical_role(value: str) -> str:
    """Normalise a role name: aliases map to ``ES``/``interviewer``/``client``.

    Examples
    --------
    >>> canonical_role("es"), canonical_role("Conseillère"), canonical_role("Observer")
    ('ES', 'ES', 'Observer')
    """
    return ROLE_ALIASES.get(alias_key(value), value.strip())


def role_of(label: str, declared: Mapping[str, str]) -> str:
    """Role of a speaker label.

    Parameters
    ----------
    label : str
        The label as written.
    declared : mapping
        Declared speakers, label -> role (keys compared with :func:`label_key`).

    Returns
    -------
    str
        The declared role, else the built-in alias's role, else the label itself.
    """
    if declared:
        role = declared.get(label)
        if role is not None:
            return role
        keyed = {label_key(k): v for k, v in declared.items()}
        role = keyed.get(label_key(label))
        if role is not None:
            return role
    return ROLE_ALIASES.get(alias_key(label), label)


def declared_speakers(value: Any, *, source: str, where: str) -> dict[str, str]:
    """Read a ``speakers`` declaration into ``{label: role}``.

    Parameters
    ----------
    value : mapping, list, str or None
        ``{Marie: ES, Paul: interviewer}``, a list of labels, or a string
        ``"Marie=ES, Paul=interviewer"`` / ``"Marie, Paul"`` (document properties).
        A label mapped to nothing takes its alias role or itself.
    source : str
        File name for messages.
    where : str
        Where the declaration was found (``"front matter key 'speakers'"``).

    Raises
    ------
    TranscriptError
        When the value has another shape.

    Examples
    --------
    >>> declared_speakers({"Marie": "es", "Paul": None}, source="a.txt", where="front matter")
    {'Marie': 'ES', 'Paul': 'Paul'}
    >>> declared_speakers("Marie=ES, Int. 1", source="a.docx", where="keywords")
    {'Marie': 'ES', 'Int. 1': 'interviewer'}
    """
    if value is None:
        return {}
    result: dict[str, str] = {}
    if isinstance(value, str):
        items: list[tuple[Any, Any]] = []
        for part in value.split(","):
            if not part.strip():
                continue
            label, _, role = part.partition("=")
            items.append((label.strip(), role.strip() or None))
    elif isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, Sequence):
        items = [(item, None) for item in value]
    else:
        raise TranscriptError(
            f"{source}: {where} must map speaker labels to roles (e.g. 'Marie: ES') or list "
            f"labels; got {type(value).__name__} {value!r}"
        )
    for label, role in items:
        if not isinstance(label, (str, int)) or isinstance(label, bool) or not str(label).strip():
            raise TranscriptError(
                f"{source}: {where}: speaker label {label!r} is not a non-empty text"
            )
        if role is not None and not isinstance(role, (str, int)):
            raise TranscriptError(
                f"{source}: {where}: role of speaker {label!r} must be a text such as 'ES', "
                f"'interviewer' or 'client'; got {role!r}"
            )
        text = str(label).strip()
        result[text] = canonical_role(str(role)) if role is not None else role_of(text, {})
    return result
