"""Lemma rules that match more than they say: a word that is not its own lemma.

A ``lemmas`` rule is compared with the lemma the pipeline gives each token of the
text (:func:`mixedwai.qual.coding.matchers.compile_codebook`), so a rule written
as an inflected form is read as its lemma: ``lemmas: [willing]`` becomes
``will`` and also matches *will* and *'ll*. :func:`lemma_widenings` finds such
rules so that ``mixedwai codebook check`` can warn about them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["LemmaWidening", "lemma_widenings"]

#: How many other words that share the lemma a message lists.
_SHOWN = 6


@dataclass(frozen=True)
class LemmaWidening:
    """One lemma rule whose word is read as another lemma.

    Attributes
    ----------
    code_id, word, lemma : str
        The code, the word as written under ``lemmas`` and the lemma the pipeline
        gives it.
    also_matches : tuple of str
        Other words that the language's lookup table (``spacy-lookups-data``) gives
        that lemma.
    """

    code_id: str
    word: str
    lemma: str
    also_matches: tuple[str, ...]

    @property
    def message(self) -> str:
        """The warning: the lemma it becomes, what else it matches, the phrase to write."""
        others = ", ".join(repr(w) for w in self.also_matches[:_SHOWN])
        more = f" and {len(self.also_matches) - _SHOWN} more" if len(
            self.also_matches) > _SHOWN else ""
        also = f"also matches {others}{more}"
        return (
            f"code {self.code_id!r}: lemmas: [{self.word}] is read as the lemma "
            f"{self.lemma!r}, so it {also}; to match only {self.word!r}, write it as a "
            f"phrase (phrases: [\"{self.word}\"]) or write the lemma itself if every form is "
            "meant"
        )


def lemma_widenings(codebook: Codebook) -> list[LemmaWidening]:
    """The lemma rules of a codebook whose word is not its own lemma.

    Parameters
    ----------
    codebook : Codebook

    Returns
    -------
    list of LemmaWidening
        In codebook order, one per (code, word).

    Notes
    -----
    A rule is reported when the pipeline lemmatizes its word (alone) to another
    lemma that the language's lookup table knows as the lemma of other words;
    a lemma that no word has (the French tagger guessing ``surcharg`` for a
    lone *surcharge*) matches nothing more and is not reported, nor is a word
    whose lemma the same code lists too (both forms written on purpose).

    Examples
    --------
    >>> from mixedwai.qual.codebook.model import Codebook
    >>> cb = Codebook.model_validate({"name": "demo", "version": "1", "language": "en",
    ...     "categories": [{"id": "c", "label": "C", "codes": [
    ...         {"id": "willingness", "label": "Willingness",
    ...          "match": {"lemmas": ["willing", "trust"]}}]}]})
    >>> found = lemma_widenings(cb)
    >>> [(w.word, w.lemma) for w in found], "'ll" in found[0].also_matches
    ([('willing', 'will')], True)
    """
    from mixedwai.qual.coding.matchers import straighten_apostrophes
    from mixedwai.qual.coding.nlp import get_pipeline

    nlp = get_pipeline(codebook.language)
    inverse = _lookup_inverse(codebook.language)
    found: list[LemmaWidening] = []
    for code, *_ in codebook.iter_codes():
        listed = {straighten_apostrophes(w).strip().lower() for w in code.match.lemmas}
        for written in code.match.lemmas:
            word = straighten_apostrophes(written).strip().lower()
            doc = nlp(word)
            if len(doc) != 1:
                continue  # a word the tokenizer splits ("e-mail"): compile keeps it as written
            lemma = doc[0].lemma_.lower()
            others = tuple(w for w in inverse.get(lemma, ()) if w != word)
            if lemma == word or lemma in listed or not others:
                continue
            found.append(LemmaWidening(str(code.id), word, lemma, others))
    return found


@functools.cache
def _lookup_inverse(language: str) -> dict[str, tuple[str, ...]]:
    """Lemma -> the words the language's lemma lookup table maps to it."""
    from spacy.util import load_language_data, registry

    try:
        # the table as words (spaCy's Table is keyed by string hashes)
        table = load_language_data(registry.lookups.get(language)["lemma_lookup"])
    except (KeyError, OSError, ValueError, LookupError):  # pragma: no cover - no tables
        return {}
    inverse: dict[str, set[str]] = {}
    for word, lemmas in table.items():
        for lemma in lemmas if isinstance(lemmas, list) else [lemmas]:
            inverse.setdefault(str(lemma).lower(), set()).add(str(word).lower())
    return {lemma: tuple(sorted(words)) for lemma, words in inverse.items()}
