"""Negated clauses: which rule matches sit in the scope of a negation cue.

The English pipeline has no parser (:mod:`mixedwai.qual.coding.nlp`), so the scope
of a negation is found by a rule on tokens, the same in both languages (after the
NegEx family of clinical negation detectors, Chapman et al. 2001): a **cue**
(``not``, ``n't``, ``never``, ``no`` ...; ``ne``, ``pas``, ``jamais`` ...) negates
what follows it up to the end of its clause, and a clause ends at punctuation or
at a **boundary** word (``but``, ``because``; ``mais``, ``parce`` ...); a cue that
negates a noun phrase (``no``, ``without``; ``aucun``, ``sans``) stops at the first
preposition after it ("no tension on the goal" leaves *goal* alone). A match
is negated when a cue stands before it in the same clause and segment; a match
that itself holds a cue ("didn't trust" for mistrust) is a rule about a negation
and is never negated.

What the rule misses (see docs/qual-coding.md): a negation after the matched
words ("trust was never there"), double negation ("not that he didn't trust
me"), a cue that does not negate ("not only", "no doubt", "ne ... que"),
negation carried by other words ("lack of", "failed to", "refused") unless the
codebook adds them as cues, and scope across a comma inside one clause.

References
----------
Chapman, W. W., Bridewell, W., Hanbury, P., Cooper, G. F., & Buchanan, B. G. (2001).
A simple algorithm for identifying negated findings and diseases in discharge
summaries. *Journal of Biomedical Informatics*, 34(5), 301-310.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLAUSE_BOUNDARIES", "DETERMINER_CUES", "NEGATION_CUES", "PREPOSITIONS", "NegationScope",
    "negation_scope",
]

#: Words that open a negated clause, per language (compared with the lower-cased token;
#: typographic apostrophes are straightened before matching).
NEGATION_CUES: dict[str, tuple[str, ...]] = {
    "en": (
        "not", "n't", "no", "never", "nobody", "nothing", "none", "nowhere", "neither",
        "nor", "without", "hardly", "barely", "lack", "lacked", "lacking",
    ),
    "fr": (
        "ne", "n'", "pas", "jamais", "rien", "aucun", "aucune", "nul", "nulle", "ni",
        "sans", "guère", "non",
    ),
}  # fmt: skip

#: Words that end a negated clause, per language; punctuation always ends it.
CLAUSE_BOUNDARIES: dict[str, tuple[str, ...]] = {
    "en": (
        "but", "however", "although", "though", "because", "whereas", "while", "until",
        "yet", "except", "instead",
    ),
    "fr": (
        "mais", "cependant", "pourtant", "toutefois", "car", "parce", "puisque", "tandis",
        "sauf", "quoique", "sinon",
    ),
}  # fmt: skip

#: Cues that negate a noun phrase ("no", "aucun"), per language: their scope ends at
#: the first preposition after them ("no tension on the goal" does not negate "goal").
DETERMINER_CUES: dict[str, tuple[str, ...]] = {
    "en": ("no", "without"),
    "fr": ("aucun", "aucune", "sans"),
}
#: Prepositions that end a determiner cue's scope, per language.
PREPOSITIONS: dict[str, tuple[str, ...]] = {
    "en": ("on", "about", "in", "with", "for", "to", "at", "from", "over", "around",
           "regarding", "towards", "toward"),
    "fr": ("sur", "à", "au", "aux", "avec", "pour", "dans", "en", "par", "chez", "concernant"),
}

#: The farthest a cue may stand before a match, in tokens: a clause without punctuation
#: or boundary word (run-on speech, a transcript without full stops) is not searched
#: further back, so the cost stays linear in the length of the text.
MAX_SCOPE_TOKENS = 30

#: Punctuation that does not end a clause (inside words and elisions).
_INNER_PUNCT = frozenset({"'", "-", "/", "&", "’"})


@dataclass(frozen=True)
class NegationScope:
    """The cues and clause boundaries of one language, ready to test matches.

    Built by :func:`negation_scope`; :meth:`cue_before` is what the coding run
    calls for each rule match.
    """

    language: str
    cues: frozenset[str]
    boundaries: frozenset[str]
    determiners: frozenset[str] = frozenset()
    prepositions: frozenset[str] = frozenset()

    def is_cue(self, token: Any) -> bool:
        """Whether a spaCy token is a negation cue."""
        return token.lower_ in self.cues

    def ends_clause(self, token: Any) -> bool:
        """Whether a spaCy token ends a clause (punctuation or a boundary word)."""
        if token.is_punct and token.text not in _INNER_PUNCT:
            return True
        return token.lower_ in self.boundaries

    def cue_before(self, doc: Any, start: int, end: int, floor: int = 0) -> int | None:
        """The token index of the cue negating ``doc[start:end]``, or None.

        Parameters
        ----------
        doc : spacy.tokens.Doc
        start, end : int
            Token indices of the match.
        floor : int, default=0
            First character offset the scope may reach (the start of the
            segment holding the match): no cue is looked for before it.

        Returns
        -------
        int or None
            None when the match holds a cue itself (the rule is about a
            negation) or when no cue stands before it in its clause, within
            :data:`MAX_SCOPE_TOKENS` tokens.

        Examples
        --------
        >>> from mixedwai.qual.coding.nlp import get_pipeline
        >>> scope = negation_scope("en")
        >>> doc = get_pipeline("en")("We never agreed on a clear goal, but the tasks were clear.")
        >>> scope.cue_before(doc, 6, 7), scope.cue_before(doc, 10, 11)
        (1, None)
        >>> doc = get_pipeline("en")("There was no tension on the goal, no trust.")
        >>> scope.cue_before(doc, 6, 7), scope.cue_before(doc, 9, 10)  # goal; trust
        (None, 8)
        """
        if any(self.is_cue(doc[i]) for i in range(start, min(end, start + MAX_SCOPE_TOKENS))):
            return None
        i = start - 1
        after_preposition = False
        stop = max(-1, start - 1 - MAX_SCOPE_TOKENS)
        while i > stop and doc[i].idx >= floor:
            token = doc[i]
            if self.ends_clause(token):
                return None
            lower = token.lower_
            if lower in self.cues and not (after_preposition and lower in self.determiners):
                return i
            after_preposition = after_preposition or lower in self.prepositions
            i -= 1
        return None


def negation_scope(
    language: str, *, cues: Iterable[str] = (), boundaries: Iterable[str] = ()
) -> NegationScope:
    """The negation cues and clause boundaries of a language, with a codebook's additions.

    Parameters
    ----------
    language : str
        ``"en"`` or ``"fr"`` have shipped lists; another language starts empty.
    cues, boundaries : iterable of str
        Extra words (a codebook's ``negation.cues`` / ``negation.boundaries``).

    Returns
    -------
    NegationScope

    Examples
    --------
    >>> scope = negation_scope("en", cues=["ain't"])
    >>> "ain't" in scope.cues and "never" in scope.cues
    True
    """
    def words(values: Iterable[str]) -> frozenset[str]:
        # typographic apostrophes as the matched text has them (straightened)
        return frozenset(
            str(v).replace("\u2019", "'").replace("\u02bc", "'").strip().lower() for v in values
        )

    return NegationScope(
        language=language,
        cues=words([*NEGATION_CUES.get(language, ()), *cues]),
        boundaries=words([*CLAUSE_BOUNDARIES.get(language, ()), *boundaries]),
        determiners=words(DETERMINER_CUES.get(language, ())),
        prepositions=words(PREPOSITIONS.get(language, ())),
    )
