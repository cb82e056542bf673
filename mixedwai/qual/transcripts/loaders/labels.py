"""Speaker labels: how they are written, which ones are accepted, and their roles.

A speaker label opens a line. These forms are recognised (``ts`` is a time such
as ``00:01:02``, ``1:02:03.5`` or ``01:02``):

=============================  ===================================================
``Marie: text``                plain label (also ``Marie : text``, French spacing)
``Interviewer 1: text``        numbered label
``SPEAKER: text``              capitals
``[Marie] text``               label in brackets (QualCoder)
``**Marie:** text``            Markdown bold (also ``**Marie**:`` and ``__Marie:__``)
``[ts] Marie: text``           leading time in brackets (AnnoMI), parentheses or bare
``Marie (ts): text``           time after the label (Rev)
``Marie  ts``                  label and time alone on a line, speech below (Otter)
``Marie:``                     label alone on a line, speech on the following lines
=============================  ===================================================

A label is at most 40 characters and 4 words, starts with a letter (a letter or
digit inside brackets), and holds no sentence punctuation (``? ! , ;`` quotes,
``:``); a period is allowed only after a short word (``Int.``, ``Dr.``).

Which candidates open a turn (:func:`accept_labels`)? A line such as ``He said:
fine`` or ``Note: call back`` inside a turn must not. A candidate is accepted when

1. it is a declared speaker (front matter / document property ``speakers:`` or
   the ``speakers=`` argument), a built-in role alias (:data:`ROLE_ALIASES`, e.g.
   ``Interviewer 2``, ``Q``, ``Conseillère``) or a generic label (``Speaker 3``,
   ``Participant``, ``P12``); otherwise, provided it is not a word that introduces
   notes rather than speech (:data:`NOT_SPEAKERS`: ``Note``, ``Date``,
   ``[inaudible]`` ...),
2. it carries a structural mark: a time stamp, or Markdown/Word bold with the
   colon; or
3. it opens a line at least twice in the file, and, for a plain ``Label:``, each
   of its words starts with a capital or a digit (particles such as ``de``,
   ``van``, ``of`` excepted), so ``He said:`` never qualifies; or
4. no speaker is declared and it is a plain title-case label (``His Mother:``)
   that occurs once. When speakers *are* declared the set is taken as known:
   a one-off title-case label then stays speech of the turn above.
5. When no line of the file passes these rules, every candidate shaped like a
   label that is not in :data:`NOT_SPEAKERS` is accepted.

Bracketed labels and bold labels without a colon must recur (rule 3), as
brackets also mark redactions (``[Name] was there``) and bold marks emphasis.
One-off labels are reported in the transcript's notes, whether accepted (rule 4)
or refused, so they can be checked and declared.

Roles (:func:`role_of`, :func:`declared_speakers`, :data:`ROLE_ALIASES`) live in
:mod:`mixedwai.qual.transcripts.loaders.speaker_roles`.

Examples
--------
>>> c = parse_line("[00:01:02] Therapist: So, how are you?")
>>> c.label, c.speech, c.strong, c.timestamp
('Therapist', 22, True, 62.0)
>>> from mixedwai.qual.transcripts.loaders.speaker_roles import role_of
>>> parse_line("He said: fine").label, role_of("Interviewer 2", {}), role_of("Marie", {})
('He said', 'interviewer', 'Marie')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mixedwai.qual.transcripts.loaders.speaker_roles import (
    ROLE_ALIASES,
    alias_key,
    label_key,
)

__all__ = [
    "EXPECTED_FORMATS",
    "NOT_SPEAKERS",
    "LabelCandidate",
    "accept_labels",
    "is_label",
    "parse_line",
    "parse_timestamp",
]

#: Shown when a file holds no turn.
EXPECTED_FORMATS = (
    "expected speaker labels at the start of lines, such as 'Marie: text', "
    "'Interviewer 1: text', '[Marie] text', '[00:01:02] Marie: text', '**Marie:** text' "
    "(in a .docx also a bold label), or WebVTT cues with '<v Marie>' voice tags or "
    "'Marie:' prefixes; declare unusual labels under 'speakers:' in the front matter, "
    "or pass default_speaker= for a document without labels"
)

#: Words that open lines of notes, not speech (compared like aliases).
NOT_SPEAKERS = frozenset(
    {
        # notes and headers
        "note", "notes", "nb", "n.b", "ps", "p.s", "edit", "comment", "comments",
        "commentaire", "commentaires", "remarque", "remarques", "title", "titre", "date",
        "time", "heure", "lieu", "location", "place", "duration", "duree", "length", "subject",
        "sujet", "topic", "theme", "re", "objet", "source", "url", "link", "lien", "file",
        "fichier", "page", "tel", "email", "e-mail", "courriel", "warning", "attention",
        "example", "exemple", "examples", "exemples", "transcript", "transcription",
        "transcribed by", "transcrit par", "recording", "enregistrement", "end", "fin",
        "start", "debut", "summary", "resume", "todo", "case", "cas", "case id", "case_id",
        # transcription annotations, e.g. "[inaudible]" at the start of a line
        "inaudible", "unintelligible", "indistinct", "incomprehensible", "laughs", "laughter",
        "laughing", "laugh", "sighs", "sigh", "crosstalk", "cross talk", "pause", "long pause",
        "silence", "music", "noise", "background noise", "coughs", "cough", "rires", "rire",
        "soupir", "soupire", "bruit", "musique", "toux", "blank", "break", "interruption",
        "overlapping", "overlap", "phone rings", "telephone", "applause", "chuckles",
    }
)

_GENERIC = re.compile(
    r"(?:speaker|participant|respondent|interviewee|repondant|repondante|locuteur|locutrice|"
    r"interlocuteur|interlocutrice|unknown speaker|unknown|inconnu|voice|voix)"
    r"(?:[\s#._-]*\d+)?|[pr][\s#._-]*\d+"
)
_PARTICLES = frozenset(
    {"de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "di", "da", "d'",
     "of", "the", "and", "et", "en", "y", "st", "bin", "ibn", "al"}
)
_BAD_LABEL_CHARS = frozenset('?!,;:"“”«»<>{}=/\\|@&%$~^`+')

#: A time of day or media time: ``1:02:03``, ``01:02``, ``00:01:02.500``.
TIMESTAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_LEAD_TS = re.compile(
    rf"[ \t]*(?:\[(?P<ts>{TIMESTAMP})(?:\s*(?:-|–|—|-->|to)\s*(?P<ts_end>{TIMESTAMP}))?\][ \t]*"
    rf"|\((?P<ts2>{TIMESTAMP})(?:\s*(?:-|–|—|-->|to)\s*(?P<ts2_end>{TIMESTAMP}))?\)[ \t]*"
    rf"|(?P<ts3>{TIMESTAMP})[ \t]+)(?:[-–—|][ \t]+)?"
)
_BOLD = re.compile(
    r"(?P<mark>\*\*|__)(?P<label>[^*_\n:]{1,40}?)[ \t]*(?::[ \t]*(?P=mark)|(?P=mark)[ \t]*:)"
)
_BRACKET = re.compile(r"\[(?P<label>[^\[\]\n:]{1,40})\][ \t]*:?(?=\s|$)")
_PLAIN = re.compile(
    rf"(?P<label>[^\W\d_][^:\n\[\]()*]{{0,39}}?)[ \t]*(?:[\[(](?P<ts>{TIMESTAMP})[\])])?"
    r"[ \t]*:(?=\s|$)"
)
_ALONE_WITH_TIME = re.compile(
    rf"(?P<label>[^\W\d_][^:\n\[\]()*]{{0,39}}?)[ \t]+[\[(]?(?P<ts>{TIMESTAMP})[\])]?[ \t]*$"
)
_SPACE = re.compile(r"\s*")


@dataclass(frozen=True, slots=True)
class LabelCandidate:
    """A possible speaker label at the start of a line.

    Attributes
    ----------
    label : str
        The label as written (without brackets, bold marks, colon or time).
    speech : int
        Offset in the line where the speech starts (the line's length when the
        label stands alone and the speech follows on the next lines).
    form : {"plain", "bracket", "bold"}
        How the label is written.
    strong : bool
        Whether the line carries a structural mark (a time stamp, bold with a
        colon) that makes it a turn on its own.
    timestamp, end_timestamp : float or None
        Seconds, when the line carries a time (or a time range).
    """

    label: str
    speech: int
    form: str
    strong: bool
    timestamp: float | None = None
    end_timestamp: float | None = None


def parse_timestamp(value: str) -> float:
    """Seconds in ``"hh:mm:ss"``, ``"h:mm:ss.ttt"``, ``"mm:ss"`` or ``"mm:ss,ttt"``.

    Examples
    --------
    >>> parse_timestamp("01:02:03.5"), parse_timestamp("02:03"), parse_timestamp("0:00:01,250")
    (3723.5, 123.0, 1.25)
    """
    parts = value.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def is_label(label: str) -> bool:
    """Whether ``label`` has the shape of a speaker label (see the module notes).

    Examples
    --------
    >>> is_label("Interviewer 1"), is_label("Int."), is_label("So, anyway")
    (True, True, False)
    >>> is_label("It was fine. Then"), is_label("int. 2")
    (False, True)
    """
    if not 1 <= len(label) <= 40 or not label[0].isalnum():
        return False
    words = label.split()
    if len(words) > 4 or any(c in _BAD_LABEL_CHARS for c in label):
        return False
    if label.replace(" ", "").isdigit():
        return False
    if alias_key(label) in ROLE_ALIASES:
        return True
    for index, char in enumerate(label):
        if char == ".":
            # a period only ends an abbreviation: a short word with a capital ("Dr.", "M.")
            word_start = label.rfind(" ", 0, index) + 1
            if index - word_start > 4 or not label[word_start].isupper():
                return False
    return True


def _title_case(label: str) -> bool:
    for word in label.split():
        if word.casefold() in _PARTICLES:
            continue
        first = word[0]
        if not (first.isupper() or first.isdigit()):
            return False
    return True


def parse_line(line: str) -> LabelCandidate | None:
    """Find a speaker-label candidate at the start of ``line``.

    Returns
    -------
    LabelCandidate or None
        ``None`` when the line does not start with something shaped like a label.

    Examples
    --------
    >>> parse_line("**Marie:** Yes.").label, parse_line("[id1] hello").label
    ('Marie', 'id1')
    >>> c = parse_line("Speaker 2  0:13")
    >>> c.label, c.speech, c.strong, c.timestamp
    ('Speaker 2', 15, True, 13.0)
    >>> parse_line("So, it went well: she called.") is None
    True
    """
    if ":" not in line and "[" not in line:
        return None  # every label form has a colon or a bracket
    timestamp = end_timestamp = None
    pos = 0
    lead = _LEAD_TS.match(line)
    if lead is not None and lead.end() < len(line):
        ts = lead.group("ts") or lead.group("ts2") or lead.group("ts3")
        end = lead.group("ts_end") or lead.group("ts2_end")
        timestamp = parse_timestamp(ts)
        end_timestamp = parse_timestamp(end) if end else None
        pos = lead.end()
    else:
        pos = _SPACE.match(line).end()
    candidate = None
    for form, regex in (("bold", _BOLD), ("bracket", _BRACKET), ("plain", _PLAIN)):
        match = regex.match(line, pos)
        if match is None:
            continue
        label = " ".join(match.group("label").split())
        if not is_label(label):
            return None
        inner_ts = match.groupdict().get("ts")
        if inner_ts is not None and timestamp is None:
            timestamp = parse_timestamp(inner_ts)
        strong = timestamp is not None or form == "bold"
        candidate = LabelCandidate(label, match.end(), form, strong, timestamp, end_timestamp)
        break
    if candidate is None and timestamp is None:
        match = _ALONE_WITH_TIME.match(line, pos)
        if match is not None:
            label = " ".join(match.group("label").split())
            if is_label(label) and _title_case(label):
                stamp = parse_timestamp(match.group("ts"))
                return LabelCandidate(label, len(line), "plain", True, stamp, None)
    if candidate is None:
        return None
    speech = _SPACE.match(line, candidate.speech).end()
    return LabelCandidate(
        candidate.label, speech, candidate.form, candidate.strong,
        candidate.timestamp, candidate.end_timestamp,
    )


def accept_labels(
    candidates: Sequence[LabelCandidate | None], declared: Mapping[str, str]
) -> tuple[list[bool], list[int], list[int]]:
    """Decide which candidates open a turn (rules in the module notes).

    Parameters
    ----------
    candidates : sequence of LabelCandidate or None
        One per line.
    declared : mapping
        Declared speakers, label -> role.

    Returns
    -------
    accepted : list of bool
        One per line.
    refused : list of int
        Lines whose label looks like a speaker's but occurs once and was refused
        (speakers are declared): for the transcript's notes.
    single : list of int
        Lines whose label occurs once and was accepted by rule 4: for the notes.

    Examples
    --------
    >>> lines = [parse_line(x) for x in ["I: Who?", "Ann: Me.", "He said: no.", "I: Ok."]]
    >>> accept_labels(lines, {})
    ([True, True, False, True], [], [1])
    >>> accept_labels(lines, {"Bob": "ES"})
    ([True, False, False, True], [1], [])
    """
    declared_keys = {label_key(k) for k in declared}
    strict = bool(declared_keys)
    counts = Counter(label_key(c.label) for c in candidates if c is not None)
    accepted: list[bool] = []
    shaped: list[bool] = []
    refused: list[int] = []
    single: list[int] = []
    for index, candidate in enumerate(candidates):
        if candidate is None:
            accepted.append(False)
            shaped.append(False)
            continue
        key = label_key(candidate.label)
        alias = alias_key(candidate.label)
        if key in declared_keys or alias in ROLE_ALIASES or _GENERIC.fullmatch(alias):
            accepted.append(True)
            shaped.append(True)
            continue
        if alias in NOT_SPEAKERS or key in NOT_SPEAKERS:
            accepted.append(False)
            shaped.append(False)
            continue
        title = _title_case(candidate.label)
        shape = candidate.form != "plain" or candidate.strong or title
        shaped.append(shape)
        if candidate.strong or (shape and counts[key] >= 2):
            accepted.append(True)
        elif not strict and candidate.form == "plain" and title:
            accepted.append(True)
            single.append(index)
        else:
            accepted.append(False)
            if shape:
                refused.append(index)
    if not any(accepted):
        return list(shaped), [], []
    return accepted, refused, single
