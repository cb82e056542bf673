"""A rule-based sentence splitter that returns character offsets.

Transcribed speech is split into sentences before it is coded. The splitter is
ours rather than spaCy's because it runs when a transcript is loaded (no
pipeline, no model) and because spaCy's rule-based ``sentencizer`` ends a
sentence at every ``.``, so ``Dr. Roy`` or ``p. ex.`` would be cut in two. The
rules are the usual ones (Kiss & Strunk 2006 list them as the baseline that
punkt improves on):

* a sentence ends after ``.``, ``!``, ``?``, ``...`` or ``…`` (any run of them,
  then any closing quotes or brackets) followed by white space or the end;
* it does not end when the next word starts with a lower-case letter (``you
  know... and then``, ``e.g. this``), nor after a known abbreviation (English and
  French: ``Mr.``, ``Dr.``, ``e.g.``, ``M.``, ``Mme.``, ``p. ex.`` ...), a single
  capital initial (``J. Smith``) or an initialism (``U.S.``);
* a blank line always ends a sentence; a single line break does not (transcripts
  wrap lines, and WebVTT cues cut sentences at arbitrary points);
* spaces before French high punctuation (``Ça va ?``) stay inside the sentence.

Examples
--------
>>> text = "Dr. Roy met him. Was it useful? yes, I think so... He found a job!"
>>> [text[s:e] for s, e in split_sentences(text)]
['Dr. Roy met him.', 'Was it useful? yes, I think so...', 'He found a job!']
"""

from __future__ import annotations

import re

__all__ = ["ABBREVIATIONS", "split_sentences"]

#: Lower-case abbreviations (without their final period) after which a period
#: does not end a sentence. English and French.
ABBREVIATIONS = frozenset(
    {
        # English (words that also end spoken sentences, like "no", are left out)
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "jr", "sr", "vs", "etc", "e.g", "i.e",
        "cf", "approx", "fig", "vol", "inc", "ltd", "corp", "dept", "hr", "hrs", "mins",
        "pp", "al", "govt", "ave", "blvd", "u.s", "u.k", "a.m", "p.m", "ph.d", "m.d",
        # French ("me", "est", "sept", "mon" ... are words too, so they are left out)
        "m", "mme", "mmes", "mlle", "mlles", "pr", "dre", "ex", "env", "p", "p.ex", "c.-à-d",
        "c.à.d", "bd", "boul", "chap", "éd", "resp", "tél", "ste", "cie", "nb", "n.b",
        "ibid", "cit", "réf", "janv", "févr", "avr", "juil", "déc",
    }
)

# A run of terminal punctuation, then closing quotes/brackets, then a space or the end.
_END = re.compile(r"(?:\.\.\.|…|[.!?])+(?:[\"'”’»)\]]|[ \u00a0\u202f]»)*(?=\s|$)")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_INITIALISM = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_SPACE = re.compile(r"\s+")
_WORD_TAIL = re.compile(r"[\w.'’-]+$")


def split_sentences(text: str, *, offset: int = 0) -> list[tuple[int, int]]:
    """Split ``text`` into sentences and return their ``(start, end)`` offsets.

    Parameters
    ----------
    text : str
        Any text: a turn, a paragraph, a whole document.
    offset : int, default=0
        Added to every offset, so that spans of a slice point into the full text.

    Returns
    -------
    list of (int, int)
        One span per sentence, in order, non-overlapping, without surrounding
        white space: ``text[start - offset:end - offset]`` is the sentence. Text
        made only of white space gives an empty list.

    Notes
    -----
    The rules are listed in the module docstring. They were checked on the
    QualCoder and AnnoMI transcripts in the test suite (spoken English) and on
    French sentences with abbreviations and high punctuation.

    Examples
    --------
    >>> split_sentences("Bonjour M. Roy. Ça va ?\\n\\nOui.")
    [(0, 15), (16, 23), (25, 29)]
    >>> split_sentences("  ")
    []
    """
    spans: list[tuple[int, int]] = []
    block_start = 0
    for match in _BLANK_LINE.finditer(text):
        _split_block(text, block_start, match.start(), spans)
        block_start = match.end()
    _split_block(text, block_start, len(text), spans)
    if offset:
        spans = [(s + offset, e + offset) for s, e in spans]
    return spans


def _split_block(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append the sentence spans of ``text[start:end]`` (no blank line inside)."""
    sentence_start = start
    for match in _END.finditer(text, start, end):
        cut = match.end()
        if _is_boundary(text, match, end):
            _append_stripped(text, sentence_start, cut, spans)
            sentence_start = cut
    _append_stripped(text, sentence_start, end, spans)


def _is_boundary(text: str, match: re.Match[str], end: int) -> bool:
    following = _SPACE.match(text, match.end(), end)
    nxt = following.end() if following else match.end()
    if nxt >= end:
        return True
    if text[nxt].islower():
        return False
    punctuation = match.group(0)
    if punctuation.startswith(".") and not punctuation.startswith(".."):
        token = _word_before(text, match.start())
        if token:
            lowered = token.lower()
            if lowered in ABBREVIATIONS:
                return False
            if len(token) == 1 and token.isupper():
                return False  # an initial: "J. Smith"
            if _INITIALISM.match(token):
                return False  # "U.S."
    return True


def _word_before(text: str, stop: int) -> str:
    """The word (letters, digits, inner periods, hyphens, apostrophes) ending at ``stop``."""
    match = _WORD_TAIL.search(text, max(0, stop - 20), stop)
    return match.group(0).lstrip(".-'’") if match else ""


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        start += len(piece) - len(piece.lstrip())
        spans.append((start, start + len(stripped)))
