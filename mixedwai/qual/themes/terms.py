"""The terms of inductive theme suggestion: segment texts lemmatised and filtered.

:func:`theme_tokens` turns segment texts into the lemmas
:func:`mixedwai.qual.themes.suggest.suggest_themes` weights with TF-IDF (the vectorizer
takes them as they are, through :func:`_identity`): spaCy's stop words and the
:data:`FILLER_WORDS` of spoken language are dropped, with punctuation, numbers and
transcription notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

__all__ = ["FILLER_WORDS", "MIN_TOKEN_LENGTH", "theme_tokens"]

#: Shortest lemma kept (characters).
MIN_TOKEN_LENGTH = 3


def _words(text: str) -> list[str]:
    return text.split()


#: Words of spoken interview language that spaCy's stop lists do not hold but that
#: carry no theme (hesitations, back-channels, hedges, transcription notes). They are
#: dropped with the stop words; pass ``stop_words=`` to drop more.
FILLER_WORDS: Mapping[str, frozenset[str]] = {
    "en": frozenset(
        _words(
            """yeah yes yep okay like know think mean actually honestly basically kind sort
            lot bit bite thing stuff maybe little pretty guess right sure um uh hmm mhm gonna
            wanna laugh oh huh anyway probably definitely certainly totally absolutely
            obviously literally exactly pause inaudible crosstalk"""
        )
    ),
    "fr": frozenset(
        _words(
            """ouais oui non euh bah ben hein bon truc chose genre rire rires tsé pis penser
            savoir faire aller vraiment beaucoup fois trop mettre voir falloir pouvoir
            vouloir là ok okay pause inaudible"""
        )
    ),
}

# Transcription notes such as "(laughs)", "[inaudible]", "[00:08:17]": dropped before
# tokenising (short bracketed spans only, so that a parenthesised clause survives).
_NOTE = re.compile(r"[\[(][^\[\]()\n]{0,40}[\])]")


def theme_tokens(
    texts: Iterable[str],
    language: str = "en",
    *,
    stop_words: Iterable[str] | None = None,
    batch_size: int = 256,
) -> list[list[str]]:
    """Lemmatise texts into the terms :func:`suggest_themes` counts.

    Parameters
    ----------
    texts : iterable of str
        Segment texts.
    language : {"en", "fr"}, default="en"
        Picks the spaCy pipeline (:func:`mixedwai.qual.coding.nlp.get_pipeline`) and the
        stop words.
    stop_words : iterable of str, optional
        Extra words to drop (compared with the lemma and the lower-case form).
    batch_size : int, default=256
        Texts per ``nlp.pipe`` batch.

    Returns
    -------
    list of list of str
        Per text, its lower-case lemmas in text order, without spaCy's stop words
        for the language (``spacy.lang.<lang>.stop_words.STOP_WORDS``), the
        :data:`FILLER_WORDS` of spoken language, punctuation, numbers (and words
        like "three"), URLs, e-mail addresses, lemmas shorter than 3 characters or
        without a letter, and short bracketed transcription notes ("(laughs)",
        "[inaudible]").

    Examples
    --------
    >>> theme_tokens(["Yeah, we met at the office twice (laughs).", "Offices were closed."])
    [['meet', 'office', 'twice'], ['office', 'close']]
    """
    from mixedwai.qual.coding.nlp import get_pipeline, pieces_within

    nlp = get_pipeline(language)
    stop = _stop_words(language, stop_words)
    texts = list(texts)
    owners: list[int] = []  # the text each piece comes from

    def pieces() -> Iterator[str]:
        # a text longer than spaCy's max_length (E088) is cut at white space
        for position, text in enumerate(texts):
            cleaned = _NOTE.sub(lambda m: " " * len(m.group()), text)
            for start, end in pieces_within(cleaned, 0, len(cleaned), nlp.max_length):
                owners.append(position)
                yield cleaned[start:end]

    out: list[list[str]] = [[] for _ in texts]
    for k, doc in enumerate(nlp.pipe(pieces(), batch_size=batch_size)):
        terms = out[owners[k]]
        for token in doc:
            if token.is_punct or token.is_space or token.like_num:
                continue
            if token.like_url or token.like_email:
                continue
            lemma = (token.lemma_ or token.text).lower().strip().strip("-'’")
            if len(lemma) < MIN_TOKEN_LENGTH or not any(ch.isalpha() for ch in lemma):
                continue
            if any(ch.isspace() for ch in lemma):
                continue
            if lemma in stop or token.lower_ in stop:
                continue
            terms.append(lemma)
    return out



def _stop_words(language: str, extra: Iterable[str] | None) -> frozenset[str]:
    if language == "fr":
        from spacy.lang.fr.stop_words import STOP_WORDS
    else:
        from spacy.lang.en.stop_words import STOP_WORDS
    words = {w.lower() for w in STOP_WORDS} | set(FILLER_WORDS.get(language, ()))
    if extra is not None:
        if isinstance(extra, str):
            extra = [extra]
        words |= {str(w).strip().lower() for w in extra if str(w).strip()}
    return frozenset(words)


def _identity(tokens: list[str]) -> list[str]:
    """Analyzer for TfidfVectorizer on pre-tokenised input."""
    return tokens
