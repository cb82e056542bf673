"""Text search with keywords in context, using the codebook's own matching.

:func:`search` finds words, phrases, lemmas, wildcards (``confian*``) and regular
expressions in the turns of a corpus and returns every hit with its left and right
context, its document, case, speaker and segment. A query is first turned into a
codebook rule (:func:`search_rule`: ``phrases``, ``lemmas`` or Matcher ``patterns``)
and run by the same compiled spaCy matchers as :func:`~mixedwai.qual.coding.apply.code_corpus`,
so a search that finds what you want can be pasted into a codebook as it is
(``SearchResult.rule``), and its hits can be kept as codings
(:meth:`SearchResult.to_codings`, ``source="search"``), as NVivo's text-search query
does.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import OptionError
from mixedwai.qual.codebook.model import Codebook, MatchRules
from mixedwai.qual.coding.matchers import compile_codebook, straighten_apostrophes
from mixedwai.qual.coding.schema import MATCH_SEPARATOR, RULE_CODER, UNITS, _frame
from mixedwai.qual.retrieval.selection import select_turns

__all__ = ["MODES", "SEARCH_SOURCE", "SearchResult", "search", "search_rule"]

#: How a query is read (see :func:`search_rule`).
MODES = ("auto", "words", "lemmas", "wildcard", "regex")
#: The ``source`` of codings made from search hits.
SEARCH_SOURCE = "search"

#: Columns of :attr:`SearchResult.hits` (``pattern`` comes after case_id when known).
HIT_COLUMNS = ("doc_id", "case_id", "speaker", "role", "segment_id", "start", "end",
               "left", "hit", "right")

_WILDCARD = re.compile(r"[*?]")


def _terms(query: str | Sequence[str]) -> list[str]:
    terms = [query] if isinstance(query, str) else list(query)
    cleaned = [" ".join(str(t).split()) for t in terms]
    if not cleaned or any(not t for t in cleaned):
        raise OptionError(f"query = {query!r}: expected a non-empty text (or list of texts)")
    return cleaned


def _term_mode(term: str, mode: str) -> tuple[str, str]:
    if mode != "auto":
        return mode, term
    if len(term) > 2 and term.startswith("/") and term.endswith("/"):
        return "regex", term[1:-1]
    if _WILDCARD.search(term):
        return "wildcard", term
    return "words", term


def _wildcard_token(word: str) -> dict[str, Any]:
    word = straighten_apostrophes(word.lower())
    if not _WILDCARD.search(word):
        return {"LOWER": word}
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in word)
    return {"LOWER": {"REGEX": f"^{body}$"}}


def search_rule(query: str | Sequence[str], *, mode: str = "auto") -> MatchRules:
    """The codebook rule a query stands for.

    Parameters
    ----------
    query : str or list of str
        One term, or several (any of them is a hit).
    mode : {"auto", "words", "lemmas", "wildcard", "regex"}, default="auto"
        ``words``: the words as written, case ignored (a ``phrases`` rule);
        ``lemmas``: every form of the words (a ``lemmas`` rule for one word, a
        Matcher pattern on ``LEMMA`` for several; write base forms, lower case);
        ``wildcard``: ``*`` stands for any letters and ``?`` for one, inside a word
        (``confian*`` finds *confiance*, *confiant*; a Matcher pattern on
        ``LOWER`` with ``REGEX``); ``regex``: a regular expression that a whole word
        must match, case ignored (several words: one expression per word,
        separated by spaces). ``auto`` reads ``/.../`` as a regular expression, a
        term holding ``*`` or ``?`` as a wildcard, anything else as words.

    Returns
    -------
    MatchRules
        What to write under a code's ``match:`` to code what the search finds. A
        search does not read negation; a code drops matches in a negated clause
        unless it says ``when_negated: keep`` (see docs/qual-coding.md).

    Raises
    ------
    OptionError
        Unknown mode, empty query, an invalid regular expression, or a lemma
        query in ``lemmas`` mode that spaCy cannot use.

    Examples
    --------
    >>> search_rule("confian*").patterns
    [[{'LOWER': {'REGEX': '^confian.*$'}}]]
    >>> search_rule(["trust", "felt heard"]).phrases
    ['trust', 'felt heard']
    >>> search_rule("trust", mode="lemmas").lemmas
    ['trust']
    """
    check_choice("mode", mode, MODES)
    phrases: list[str] = []
    lemmas: list[str] = []
    patterns: list[list[dict[str, Any]]] = []
    for term in _terms(query):
        kind, text = _term_mode(term, mode)
        words = text.split()
        if kind == "words":
            phrases.append(text)
        elif kind == "lemmas":
            if len(words) == 1:
                lemmas.append(words[0].lower())
            else:
                patterns.append([{"LEMMA": w.lower()} for w in words])
        elif kind == "wildcard":
            patterns.append([_wildcard_token(w) for w in words])
        else:
            tokens = []
            for word in words:
                try:
                    re.compile(word)
                except re.error as exc:
                    raise OptionError(
                        f"query {term!r}: {word!r} is not a valid regular expression ({exc})"
                    ) from exc
                tokens.append({"TEXT": {"REGEX": f"(?i)^(?:{word})$"}})
            patterns.append(tokens)
    return MatchRules(
        phrases=list(dict.fromkeys(phrases)), lemmas=list(dict.fromkeys(lemmas)),
        patterns=patterns,
    )  # fmt: skip


def _search_codebook(rule: MatchRules, language: str, code_id: str) -> Codebook:
    return Codebook.model_validate(
        {"name": "search", "version": "1", "language": language,
         "categories": [{"id": "search_results", "label": "Search",
                         "codes": [{"id": code_id, "label": code_id,
                                    "match": rule.model_dump()}]}]}
    )  # fmt: skip


@dataclass(frozen=True)
class SearchResult:
    """What :func:`search` found.

    Attributes
    ----------
    query : list of str
        The terms searched.
    mode : str
    rule : MatchRules
        The codebook rule the query stands for (paste it under a code's ``match:``).
    unit : str
        The unit of :attr:`segments` and of the codings made from the hits.
    hits : pandas.DataFrame
        One row per hit, in text order: doc_id, case_id, (pattern), speaker, role,
        segment_id, start, end (character offsets of the hit in the transcript's
        text), left, hit, right (the context, white space collapsed, within the
        turn).
    segments : pandas.DataFrame
        The segments holding hits: doc_id, case_id, segment_id, speaker, role, start,
        end, text.
    doc_ids, case_ids : list of str
        Every transcript and case searched (hits or not).
    n_turns, n_searched : int
        Turns in the corpus, turns searched (after the speaker, case and pattern
        filters).
    """

    query: list[str]
    mode: str
    rule: MatchRules
    unit: str
    hits: pd.DataFrame
    segments: pd.DataFrame
    doc_ids: list[str]
    case_ids: list[str]
    n_turns: int
    n_searched: int

    def rule_yaml(self) -> str:
        """The rule as YAML lines to paste under a code's ``match:`` key.

        Examples
        --------
        >>> import mixedwai as mw
        >>> corpus = mw.load_corpus("sample_corpus/transcripts/ES03_C01.txt")
        >>> print(mw.search(corpus, "trust*").rule_yaml(), end="")
        patterns:
        - - LOWER:
              REGEX: ^trust.*$
        """
        import io

        from ruamel.yaml import YAML

        yaml = YAML(typ="safe", pure=True)
        yaml.default_flow_style = False
        stream = io.StringIO()
        yaml.dump(self.rule.model_dump(exclude_defaults=True), stream)
        return stream.getvalue()

    def to_codings(
        self, code_id: str = "search", *, category_id: str = "search", coder: str = RULE_CODER
    ) -> pd.DataFrame:
        """The hits as codings of one code: one row per segment holding hits.

        Parameters
        ----------
        code_id : str, default="search"
            The code the hits are coded with.
        category_id : str, default="search"
        coder : str, default="mixedwai"

        Returns
        -------
        pandas.DataFrame
            A codings table (columns of :data:`~mixedwai.qual.coding.CODING_COLUMNS`):
            ``matched`` lists the distinct hits of the segment (``"; "``),
            ``source`` is ``"search"``. ``attrs`` holds ``code_ids``,
            ``doc_ids``, ``case_ids`` (every case searched, so
            :func:`~mixedwai.qual.retrieval.matrices.code_matrix` shows cases without hits)
            and ``unit``.

        Examples
        --------
        >>> import mixedwai as mw
        >>> corpus = mw.load_corpus("sample_corpus/transcripts/ES03_C01.txt")
        >>> codings = mw.search(corpus, "trust").to_codings("trust_search")
        >>> mw.code_matrix(codings).loc["trust_search"].to_dict()
        {'ES3_C1': 2}
        """
        rows = []
        by_segment: dict[tuple[str, str], list[str]] = {}
        for doc_id, segment_id, text in zip(self.hits["doc_id"], self.hits["segment_id"],
                                            self.hits["hit"], strict=True):
            found = by_segment.setdefault((doc_id, segment_id), [])
            if all(m.casefold() != text.casefold() for m in found):
                found.append(text)
        for seg in self.segments.itertuples(index=False):
            matched = by_segment.get((seg.doc_id, seg.segment_id), [])
            rows.append((seg.doc_id, seg.case_id, seg.segment_id, seg.speaker, seg.role,
                         seg.start, seg.end, seg.text, code_id, category_id,
                         MATCH_SEPARATOR.join(matched), False, SEARCH_SOURCE, coder))
        frame = _frame(rows)
        frame.attrs.update({"code_ids": [code_id], "doc_ids": list(self.doc_ids),
                            "case_ids": list(self.case_ids), "unit": self.unit})
        return frame

    def __repr__(self) -> str:
        return (f"SearchResult(query={self.query!r}, mode={self.mode!r}, hits={len(self.hits)}, "
                f"documents={self.hits['doc_id'].nunique()})")


def _context(text: str, n_words: int, *, left: bool) -> str:
    words = text.split()
    if n_words == 0:
        return ""
    return " ".join(words[-n_words:] if left else words[:n_words])


def search(
    corpus: Any,
    query: str | Sequence[str],
    *,
    mode: str = "auto",
    unit: str = "sentence",
    context: int = 8,
    roles: str | Iterable[str] | None = None,
    cases: str | Iterable[str] | None = None,
    patterns: str | Iterable[str] | None = None,
    case_table: pd.DataFrame | pd.Series | None = None,
    language: str = "en",
) -> SearchResult:
    """Search a corpus; every hit with its context (keywords in context).

    Parameters
    ----------
    corpus : Corpus, Transcript or list of Transcript
    query : str or list of str
        What to find; several terms find any of them. See :func:`search_rule` for
        how ``mode`` reads them.
    mode : {"auto", "words", "lemmas", "wildcard", "regex"}, default="auto"
    unit : {"sentence", "turn", "paragraph"}, default="sentence"
        The segment each hit is assigned to (the hit's ``segment_id``, and the
        segments :meth:`SearchResult.to_codings` codes).
    context : int, default=8
        Words shown on each side of a hit (within its turn; 0 for none).
    roles : str or list of str, optional
        Only these speakers: roles (``ES``, ``interviewer``, ``client``) or labels;
        default everyone.
    cases : str or list of str, optional
        Only these cases.
    patterns : str or list of str, optional
        Only the cases of these patterns (needs ``case_table``).
    case_table : DataFrame, Series or LinkedStudy, optional
        Each case's pattern: a Series indexed by case id, a table with a
        ``pattern`` column, or a linked study (:func:`mixedwai.link_study`); adds a
        ``pattern`` column to the hits.
    language : {"en", "fr"}, default="en"
        The pipeline of transcripts that do not declare their language.

    Returns
    -------
    SearchResult
        ``hits`` (one row per hit), ``segments``, ``rule`` and ``to_codings()``.

    Raises
    ------
    OptionError
        Bad ``mode``, ``unit`` or ``context``; an invalid regular expression;
        ``patterns`` without ``case_table``.
    MixedWAIError
        The language's spaCy resources are missing.

    Notes
    -----
    Each kept turn is one spaCy document made by the pipeline of its language
    (:func:`mixedwai.qual.coding.nlp.get_pipeline`), and the query's rule is compiled by
    :func:`mixedwai.qual.coding.matchers.compile_codebook`: a hit here is exactly what a
    codebook code with :attr:`SearchResult.rule` would match, except that the
    search also keeps a hit that runs over two sentences (assigned to the
    segment where it starts), which coding drops. Typographic apostrophes match
    straight ones. Hits are in transcript order, then by position.

    Examples
    --------
    >>> import mixedwai as mw
    >>> corpus = mw.load_corpus("sample_corpus/transcripts/ES5_C4_fr.md")
    >>> found = mw.search(corpus, "confian*", roles="ES")
    >>> found.hits[["case_id", "speaker", "hit"]].head(2)
      case_id      speaker        hit
    0  ES5_C4  Conseillère  confiance
    1  ES5_C4  Conseillère  confiance
    """
    from mixedwai.qual.coding.nlp import get_pipeline

    check_choice("unit", unit, UNITS)
    check_range("context", context, low=0, integer=True)
    rule = search_rule(query, mode=mode)
    selection = select_turns(corpus, roles=roles, cases=cases, patterns=patterns,
                             case_table=case_table, where="search")
    books: dict[str, Any] = {}
    hit_rows: list[tuple[Any, ...]] = []
    segment_rows: dict[tuple[str, str], tuple[Any, ...]] = {}
    for transcript, turns in zip(selection.transcripts, selection.turns, strict=True):
        lang = transcript.language or language
        if lang not in books:
            get_pipeline(lang)  # a clear error for an unknown language
            books[lang] = compile_codebook(_search_codebook(rule, lang, "search"))
        compiled = books[lang]
        segments = transcript.segments(unit)
        starts = [s.start for s in segments]
        docs = compiled.nlp.pipe(straighten_apostrophes(t.text) for t in turns)
        for turn, doc in zip(turns, docs, strict=True):
            for _code, s, e in sorted(compiled.matches(doc), key=lambda h: (h[1], h[2])):
                start, end = turn.start + s, turn.start + e
                k = bisect.bisect_right(starts, start) - 1
                segment = segments[k] if k >= 0 and segments[k].end > start else None
                segment_id = segment.id if segment is not None else turn.id
                hit_rows.append((
                    transcript.doc_id, transcript.case_id, turn.speaker, turn.role, segment_id,
                    start, end, _context(turn.text[:s], context, left=True),
                    transcript.text[start:end], _context(turn.text[e:], context, left=False),
                ))  # fmt: skip
                held = segment or turn
                segment_rows.setdefault((transcript.doc_id, held.id), (
                    transcript.doc_id, transcript.case_id, held.id, held.speaker, held.role,
                    held.start, held.end, held.text,
                ))  # fmt: skip
    hits = pd.DataFrame(hit_rows, columns=list(HIT_COLUMNS))
    for column in ("start", "end"):
        hits[column] = hits[column].astype("int64")
    if selection.patterns:
        hits.insert(2, "pattern", [selection.patterns.get(c or "") for c in hits["case_id"]])
    seg_frame = pd.DataFrame(
        list(segment_rows.values()),
        columns=["doc_id", "case_id", "segment_id", "speaker", "role", "start", "end", "text"],
    )
    for column in ("start", "end"):
        seg_frame[column] = seg_frame[column].astype("int64")
    seg_frame = seg_frame.sort_values(["doc_id", "start"], kind="mergesort").reset_index(drop=True)
    searched = selection.transcripts
    return SearchResult(
        query=_terms(query), mode=mode, rule=rule, unit=unit, hits=hits, segments=seg_frame,
        doc_ids=[t.doc_id for t in searched],
        case_ids=list(dict.fromkeys(t.case_id or t.doc_id for t in searched)),
        n_turns=selection.n_turns, n_searched=selection.n_kept,
    )
