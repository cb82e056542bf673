"""A codebook's match rules compiled into spaCy matchers (cached per codebook).

:func:`compile_codebook` turns the ``phrases``, ``lemmas`` and ``patterns`` of every
code into spaCy's ``PhraseMatcher``/``Matcher`` objects for one pipeline;
:meth:`CompiledCodebook.matches` runs them on a document.
:func:`mixedwai.qual.coding.apply.code_corpus` uses them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mixedwai.errors import CodebookError
from mixedwai.qual.codebook.loading import _regex_problems
from mixedwai.qual.coding.schema import _language_of, _name_of

if TYPE_CHECKING:
    from spacy.language import Language

    from mixedwai.qual.codebook.model import Codebook

__all__ = [
    "CompiledCodebook",
    "Requirement",
    "compile_codebook",
    "pattern_requirements",
    "straighten_apostrophes",
]

#: Typographic apostrophes (Word's autocorrect ’, the modifier letter ʼ), matched as '.
APOSTROPHES = ("\u2019", "\u02bc")


def straighten_apostrophes(text: str) -> str:
    """Replace typographic apostrophes with the straight one, keeping every offset.

    Each apostrophe is one character replaced by one character, so a character
    offset in the result is the same offset in ``text``. Rules and texts are both
    straightened before matching, so a phrase written ``don't`` finds *don’t* and
    the reverse, and the lemmatizer sees the form its tables know (*n’t* -> ``not``).

    Examples
    --------
    >>> straighten_apostrophes("I don\u2019t know")
    "I don't know"
    """
    for mark in APOSTROPHES:
        if mark in text:
            text = text.replace(mark, "'")
    return text


#: A necessary condition of a Matcher pattern: (column of LOWER/LEMMA, hashes one of
#: which some token of the document must have).
Requirement = tuple[int, frozenset[int]]


@dataclass
class CompiledCodebook:
    """A codebook's match rules compiled into spaCy matchers for one pipeline.

    Built by :func:`compile_codebook` and cached per codebook object; use it to run
    exactly the matchers :func:`code_corpus` runs (the benchmark does).

    Attributes
    ----------
    phrase_matcher, lemma_matcher : spacy.matcher.PhraseMatcher or None
        ``phrases`` (attr ``LOWER``) and ``lemmas`` (attr ``LEMMA``) of every code.
    token_matcher : spacy.matcher.Matcher or None
        Every ``patterns`` rule in one Matcher (reference; :meth:`matches` runs the
        equivalent ``pattern_matchers``).
    pattern_matchers : list of (int, Matcher, tuple of Requirement)
        One Matcher per pattern, with the code position and the words the pattern
        needs (see :meth:`matches`).
    """

    codebook: Any
    nlp: Language
    code_ids: list[str]
    category_ids: list[str]
    parent_ids: list[str | None]
    phrase_matcher: Any
    lemma_matcher: Any
    token_matcher: Any
    pattern_matchers: list[tuple[int, Any, tuple[Requirement, ...]]] = field(
        default_factory=list
    )
    #: spaCy match key (hash) -> position of the code in ``code_ids``.
    key_to_code: dict[int, int] = field(default_factory=dict)
    #: Number of codes that have at least one rule.
    n_ruled: int = 0
    #: Per code position: what a negated match does (``drop``, ``flag``, ``keep`` or the
    #: position of the code it goes to, as an int); see ``Codebook.when_negated_of``.
    when_negated: list[str | int] = field(default_factory=list)
    #: Per code position: the casefolded roles / labels whose speech it codes (None: all).
    speakers: list[frozenset[str] | None] = field(default_factory=list)
    #: The negation cues and clause boundaries (None: negation is not looked for).
    negation: Any = None

    def matches(self, doc: Any) -> list[tuple[int, int, int]]:
        """All rule hits in ``doc`` as ``(code position, start char, end char)``, each once.

        The same hits as :meth:`token_matches`, with character offsets in ``doc``.

        Examples
        --------
        >>> from mixedwai.qual.codebook.loading import load_codebook
        >>> compiled = compile_codebook(load_codebook("ross2008-en"))
        >>> doc = compiled.nlp("She trusted me.")
        >>> [(compiled.code_ids[c], doc.text[s:e]) for c, s, e in compiled.matches(doc)]
        [('bond_trust', 'trusted')]
        """
        out = []
        for code_pos, start, end in self.token_matches(doc):
            last = doc[end - 1]
            out.append((code_pos, doc[start].idx, last.idx + len(last)))
        return out

    def token_matches(self, doc: Any) -> list[tuple[int, int, int]]:
        """All rule hits in ``doc`` as ``(code position, start token, end token)``, each once.

        Notes
        -----
        spaCy's Matcher costs time per token *and per pattern* (every pattern
        starts a state at every token), so one Matcher holding a codebook's
        patterns is its slowest part. Each pattern therefore has its own Matcher,
        run only on documents that hold, for every token of the pattern that must
        be present (no ``OP`` or ``OP: "+"``), a token whose ``LOWER`` or ``LEMMA``
        is among the values the pattern allows there. This is a necessary
        condition, so the distinct hits are exactly those of the single Matcher (a
        test checks it on the shipped codebooks); it is about three times faster on
        interview text. The single Matcher and the PhraseMatchers may report one
        (code, span) twice, when a phrase and a pattern of the same code find it;
        this method returns it once.
        """
        hits: list[tuple[int, int, int]] = []
        key_to_code = self.key_to_code
        for rule, matcher in (("phrases", self.phrase_matcher), ("lemmas", self.lemma_matcher)):
            if matcher is None:
                continue
            try:
                found = matcher(doc)
            except ValueError as exc:  # spaCy E155: the pipeline does not set an attribute
                raise self._matching_error(f"the {rule} rules", exc) from exc
            for key, start, end in found:
                hits.append((key_to_code[key], start, end))
        if self.pattern_matchers and len(doc):
            from spacy.attrs import LEMMA, LOWER

            values = doc.to_array([LOWER, LEMMA])
            present = (set(values[:, 0].tolist()), set(values[:, 1].tolist()))
            for code_pos, matcher, needs in self.pattern_matchers:
                if all(not wanted.isdisjoint(present[column]) for column, wanted in needs):
                    try:
                        found = matcher(doc)
                    except ValueError as exc:
                        where = f"code {self.code_ids[code_pos]!r}: a match pattern"
                        raise self._matching_error(where, exc) from exc
                    for _key, start, end in found:
                        hits.append((code_pos, start, end))
        return list(dict.fromkeys(hits))

    def _matching_error(self, where: str, exc: Exception) -> CodebookError:
        """spaCy's refusal to run a matcher (e.g. E155, POS without a tagger), as ours."""
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        detail = re.sub(r"^\[E\d+\]\s*", "", detail).split(" Try using")[0]
        return CodebookError(
            f"codebook {_name_of(self.codebook)!r}, {where} cannot run on the "
            f"{self.nlp.lang!r} pipeline (components: {', '.join(self.nlp.pipe_names) or 'none'})"
            f": {detail} Remove or rewrite the rule; load_codebook refuses such patterns with "
            "their line."
        )


_REQUIRED_OPS = re.compile(r"^(?:\+|1|\{[1-9]\d*(?:,\d*)?\})$")


def pattern_requirements(pattern: list[dict[str, Any]], strings: Any) -> tuple[Requirement, ...]:
    """The words a Matcher pattern needs in a document (see :meth:`CompiledCodebook.matches`).

    For each token of the pattern that must occur (no ``OP``, or ``+``, ``1``,
    ``{n}``, ``{n,m}`` with n >= 1) and that fixes ``LOWER``, ``LEMMA``, ``ORTH`` or
    ``TEXT`` (a string, or ``{"IN": [...]}`` of strings), the set of hashes one of
    which must appear in that column (``ORTH``/``TEXT`` are checked on ``LOWER``, a
    weaker but still necessary condition). Smallest sets first.

    Examples
    --------
    >>> from spacy.strings import StringStore
    >>> needs = pattern_requirements(
    ...     [{"LOWER": "i"}, {"LOWER": "so", "OP": "?"}, {"LEMMA": {"IN": ["feel", "be"]}}],
    ...     StringStore())
    >>> [(column, len(values)) for column, values in needs]
    [(0, 1), (1, 2)]
    """
    needs: list[Requirement] = []
    for spec in pattern:
        if not isinstance(spec, Mapping):
            continue
        op = spec.get("OP")
        if op is not None and not _REQUIRED_OPS.match(str(op)):
            continue
        for key, value in spec.items():
            name = str(key).upper()
            column = {"LOWER": 0, "LEMMA": 1, "ORTH": 0, "TEXT": 0}.get(name)
            if column is None:
                continue
            if isinstance(value, str):
                allowed = [value]
            elif (
                isinstance(value, Mapping)
                and isinstance(value.get("IN"), (list, tuple))
                and all(isinstance(v, str) for v in value["IN"])
            ):
                allowed = list(value["IN"])
            else:
                continue
            if name in ("ORTH", "TEXT"):
                allowed = [v.lower() for v in allowed]
            needs.append((column, frozenset(strings.add(v) for v in allowed)))
    return tuple(sorted(needs, key=lambda need: len(need[1])))


_COMPILED: dict[tuple[int, int], tuple[Any, CompiledCodebook]] = {}
_COMPILED_MAX = 16


def compile_codebook(codebook: Codebook, nlp: Language | None = None) -> CompiledCodebook:
    """Compile a codebook's ``lemmas``, ``phrases`` and ``patterns`` into matchers.

    Parameters
    ----------
    codebook : Codebook
    nlp : spacy.language.Language, optional
        Default: the pipeline of the codebook's language.

    Returns
    -------
    CompiledCodebook
        Cached by the identity of ``codebook`` (and of ``nlp``): compiling the
        same codebook object again returns the same matchers.

    Raises
    ------
    CodebookError
        A Matcher pattern spaCy refuses, or a ``REGEX`` in it that backtracks
        exponentially (named by code id).

    Notes
    -----
    ``phrases`` go to a ``PhraseMatcher(attr="LOWER")`` (exact, case-insensitive
    token sequences); ``lemmas`` to a ``PhraseMatcher(attr="LEMMA")`` whose patterns
    hold both the lemma as written (lower-cased) and the lemma the pipeline gives to
    that word (so ``lemmas: [trusted]`` still matches *trusts*); ``patterns`` to a
    ``Matcher``. Lemmas of the text are lower case (see :mod:`mixedwai.qual.coding.nlp`).
    Typographic apostrophes in rules are straightened (:func:`straighten_apostrophes`);
    :func:`mixedwai.qual.coding.apply.code_corpus` straightens the text it matches too, so
    ``'`` and ``’`` are the same character to every rule.
    """
    from mixedwai.qual.coding.nlp import get_pipeline

    if nlp is None:
        nlp = get_pipeline(_language_of(codebook))
    key = (id(codebook), id(nlp))
    cached = _COMPILED.get(key)
    if cached is not None and cached[0] is codebook:
        return cached[1]
    compiled = _compile(codebook, nlp)
    if len(_COMPILED) >= _COMPILED_MAX:
        _COMPILED.pop(next(iter(_COMPILED)))
    _COMPILED[key] = (codebook, compiled)
    return compiled


def _compile(codebook: Codebook, nlp: Language) -> CompiledCodebook:
    from spacy.matcher import Matcher, PhraseMatcher
    from spacy.tokens import Doc

    vocab = nlp.vocab
    phrase_matcher = PhraseMatcher(vocab, attr="LOWER")
    lemma_matcher = PhraseMatcher(vocab, attr="LEMMA")
    token_matcher = Matcher(vocab, validate=True)
    pattern_matchers: list[tuple[int, Any, tuple[Requirement, ...]]] = []
    used = {"phrase": False, "lemma": False, "token": False}
    code_ids: list[str] = []
    category_ids: list[str] = []
    parent_ids: list[str | None] = []
    key_to_code: dict[int, int] = {}
    n_ruled = 0
    when_negated: list[str] = []
    code_speakers: list[frozenset[str] | None] = []
    for position, (code, category_id, parent_id, _depth) in enumerate(codebook.iter_codes()):
        code_ids.append(str(code.id))
        category_ids.append(str(category_id))
        parent_ids.append(None if parent_id is None else str(parent_id))
        policy = getattr(codebook, "when_negated_of", None)
        when_negated.append(str(policy(code.id)) if policy is not None else "keep")
        speakers_of = getattr(codebook, "speakers_of", None)
        speakers = speakers_of(code.id) if speakers_of is not None else None
        code_speakers.append(
            None if speakers is None else frozenset(str(s).casefold() for s in speakers)
        )
        rules = getattr(code, "match", None)
        phrases = [straighten_apostrophes(str(p)) for p in getattr(rules, "phrases", None) or []]
        lemmas = [straighten_apostrophes(str(m)) for m in getattr(rules, "lemmas", None) or []]
        patterns = [
            _straight_pattern(_plain_pattern(p)) for p in (getattr(rules, "patterns", None) or [])
        ]
        if not (phrases or lemmas or patterns):
            continue
        n_ruled += 1
        match_key = f"mixedwai:{code.id}"
        key_to_code[vocab.strings.add(match_key)] = position
        if phrases:
            docs = [nlp.make_doc(str(p)) for p in phrases]
            phrase_matcher.add(match_key, [d for d in docs if len(d)])
            used["phrase"] = True
        if lemmas:
            lemma_docs = []
            for lemma in lemmas:
                words = [t.text for t in nlp.make_doc(str(lemma))]
                if not words:
                    continue
                lemma_docs.append(Doc(vocab, words=words, lemmas=[w.lower() for w in words]))
                derived = [t.lemma_.lower() for t in nlp(str(lemma))]
                if len(derived) == len(words) and derived != [w.lower() for w in words]:
                    lemma_docs.append(Doc(vocab, words=words, lemmas=derived))
            lemma_matcher.add(match_key, lemma_docs)
            used["lemma"] = True
        if patterns:
            # a codebook built in Python skips load_codebook's checks: REGEX that
            # backtracks exponentially would hang the run on one token
            backtracking = [p for pattern in patterns for p in _regex_problems(pattern)]
            if backtracking:
                raise CodebookError(
                    f"codebook {_name_of(codebook)!r}, code {code.id!r}: a match pattern's "
                    f"{backtracking[0]}"
                )
            try:
                token_matcher.add(match_key, patterns)
                for pattern in patterns:
                    single = Matcher(vocab)
                    single.add(match_key, [pattern])
                    pattern_matchers.append(
                        (position, single, pattern_requirements(pattern, vocab.strings))
                    )
            except (ValueError, KeyError, TypeError) as exc:
                raise CodebookError(
                    f"codebook {_name_of(codebook)!r}, code {code.id!r}: a match pattern is "
                    f"not a valid spaCy Matcher pattern ({exc})"
                ) from exc
            used["token"] = True
    positions = {c: i for i, c in enumerate(code_ids)}
    policies: list[str | int] = [
        p if p in ("drop", "flag", "keep") else positions.get(p, "drop") for p in when_negated
    ]
    negation = getattr(codebook, "negation", None)
    scope = None
    if negation is not None and getattr(negation, "enabled", False):
        from mixedwai.qual.coding.negation import negation_scope

        scope = negation_scope(str(nlp.lang), cues=negation.cues, boundaries=negation.boundaries)
    return CompiledCodebook(
        when_negated=policies,
        speakers=code_speakers,
        negation=scope,
        codebook=codebook,
        nlp=nlp,
        code_ids=code_ids,
        category_ids=category_ids,
        parent_ids=parent_ids,
        phrase_matcher=phrase_matcher if used["phrase"] else None,
        lemma_matcher=lemma_matcher if used["lemma"] else None,
        token_matcher=token_matcher if used["token"] else None,
        pattern_matchers=pattern_matchers,
        key_to_code=key_to_code,
        n_ruled=n_ruled,
    )


def _plain_pattern(pattern: Any) -> list[dict[str, Any]]:
    """A Matcher pattern as plain lists and dicts (pydantic models are dumped)."""
    if hasattr(pattern, "model_dump"):
        pattern = pattern.model_dump()
    if isinstance(pattern, Mapping):
        return {str(k): _plain_pattern(v) for k, v in pattern.items()}  # type: ignore[return-value]
    if isinstance(pattern, (list, tuple)):
        return [_plain_pattern(p) for p in pattern]
    return pattern


def _straight_pattern(value: Any) -> Any:
    """A Matcher pattern with typographic apostrophes straightened in every string value.

    Lists keep their order with duplicates removed (``IN: ["n't", "n’t"]`` -> ``["n't"]``).
    """
    if isinstance(value, str):
        return straighten_apostrophes(value)
    if isinstance(value, dict):
        return {k: _straight_pattern(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_straight_pattern(v) for v in value]
        if all(isinstance(v, str) for v in items):
            return list(dict.fromkeys(items))
        return items
    return value
