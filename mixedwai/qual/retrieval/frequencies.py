"""Word frequencies by document, case, speaker role or pattern, and keyness.

:func:`word_frequencies` counts the words (by default their lemmas, without stop
words) that each group of turns uses, with the same spaCy pipelines as coding
(:func:`mixedwai.qual.coding.nlp.get_pipeline`). :func:`keyness` says which words
distinguish one group from the others: the log-likelihood statistic of Rayson &
Garside (2000) after Dunning (1993), with an effect size, the log ratio of Hardie
(2014).

References
----------
Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence.
*Computational Linguistics*, 19(1), 61-74.
Rayson, P., & Garside, R. (2000). Comparing corpora using frequency profiling. In
*Proceedings of the Workshop on Comparing Corpora* (pp. 1-6). ACL.
Hardie, A. (2014). Log Ratio: an informal introduction. ESRC Centre for Corpus Approaches
to Social Science (CASS), Lancaster University.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import ColumnError, ExclusionWarning, OptionError
from mixedwai.qual.coding.matchers import straighten_apostrophes
from mixedwai.qual.retrieval.selection import select_turns

__all__ = ["GROUPINGS", "keyness", "log_likelihood", "stop_words", "word_frequencies"]

#: What :func:`word_frequencies` can group turns by (the name of the group column).
GROUPINGS = ("doc_id", "case_id", "role", "pattern", "corpus")
#: Added to a zero frequency in the log ratio (Hardie 2014).
ZERO_ADJUSTMENT = 0.5


def stop_words(language: str) -> frozenset[str]:
    """The stop words of a language: spaCy's list for it (lower case).

    Parameters
    ----------
    language : {"en", "fr"}

    Returns
    -------
    frozenset of str
        ``spacy.lang.<language>.stop_words.STOP_WORDS``, typographic apostrophes
        straightened (326 English and 507 French words with spaCy 3.7).

    Examples
    --------
    >>> {"the", "and"} <= stop_words("en"), "trust" in stop_words("en")
    (True, False)
    >>> "avec" in stop_words("fr")
    True
    """
    from mixedwai.qual.coding.nlp import get_pipeline

    words = get_pipeline(language).Defaults.stop_words
    return frozenset(straighten_apostrophes(w.lower()) for w in words)


def _group_key(by: str, transcript: Any, turn: Any, patterns: dict[str, str]) -> str | None:
    if by == "doc_id":
        return str(transcript.doc_id)
    if by == "case_id":
        return str(transcript.case_id or transcript.doc_id)
    if by == "role":
        return str(turn.role)
    if by == "pattern":
        return patterns.get(transcript.case_id or "")
    return "corpus"


def word_frequencies(
    corpus: Any,
    *,
    by: str = "doc_id",
    lemmas: bool = True,
    remove_stop_words: bool = True,
    extra_stop_words: Iterable[str] = (),
    min_count: int = 1,
    roles: str | Iterable[str] | None = None,
    cases: str | Iterable[str] | None = None,
    patterns: str | Iterable[str] | None = None,
    case_table: pd.DataFrame | pd.Series | None = None,
    language: str = "en",
) -> pd.DataFrame:
    """How often each word is used, per document, case, speaker role or pattern.

    Parameters
    ----------
    corpus : Corpus, Transcript or list of Transcript
    by : {"doc_id", "case_id", "role", "pattern", "corpus"}, default="doc_id"
        The groups. ``pattern`` needs ``case_table``; transcripts whose case has no
        pattern are left out (and named in a warning). ``corpus``: one group.
    lemmas : bool, default=True
        Count lemmas (``trusted`` and ``trusts`` count for ``trust``), lower case;
        False counts the lower-cased words as written.
    remove_stop_words : bool, default=True
        Leave out the language's stop words (:func:`stop_words`; a word is left out
        when its form or its lemma is one).
    extra_stop_words : iterable of str, default=()
        More words to leave out (compared lower case with forms and lemmas), such
        as fillers (``um``, ``tsé``).
    min_count : int, default=1
        Rows only for words used at least this often in the group.
    roles, cases, patterns, case_table
        Which turns are read, as in :func:`mixedwai.qual.retrieval.search.search`.
    language : {"en", "fr"}, default="en"
        The pipeline (and stop words) of transcripts that declare no language.

    Returns
    -------
    pandas.DataFrame
        One row per group and word, groups in order, words by decreasing count then
        alphabetically. Columns: the group column (named ``by``), word, n,
        n_words (all the group's words, stop words included: the size the
        frequency is relative to), per_1000 (n / n_words x 1000), rank (1 = most
        used in the group; ties share the smaller rank), n_docs (documents of the
        group that use the word). ``attrs`` holds ``by``, ``lemmas``,
        ``n_words`` (group -> size) and ``excluded`` (doc ids left out, with why).

    Raises
    ------
    OptionError
        Bad ``by`` or ``min_count``; ``by="pattern"`` without ``case_table``.

    Warns
    -----
    ExclusionWarning
        Transcripts left out because their case has no pattern.

    Notes
    -----
    A word is a token (spaCy's tokenizer, the coding pipelines) holding at least one
    letter; punctuation and numbers are not words. Each turn is one spaCy document.

    Examples
    --------
    >>> import mixedwai as mw
    >>> corpus = mw.load_corpus("sample_corpus/transcripts/ES5_C4_fr.md")
    >>> table = mw.word_frequencies(corpus, by="role", roles="ES",
    ...                             extra_stop_words=["pis", "rire"])
    >>> table[["role", "word", "n", "per_1000"]].head(3)
      role     word  n  per_1000
    0   ES       an  6  5.644403
    1   ES    faire  6  5.644403
    2   ES  appeler  5  4.703669
    """
    from mixedwai.qual.coding.nlp import get_pipeline

    check_choice("by", by, GROUPINGS)
    check_range("min_count", min_count, low=1, integer=True)
    if by == "pattern" and case_table is None:
        raise OptionError(
            "word_frequencies: by='pattern' needs a table giving each case's pattern "
            "(case_table=..., or --cases FILE with a pattern column)"
        )
    selection = select_turns(corpus, roles=roles, cases=cases, patterns=patterns,
                             case_table=case_table, where="word_frequencies")
    from spacy.attrs import LEMMA, LOWER

    extra = {straighten_apostrophes(str(w).lower()) for w in extra_stop_words}
    # Counted by string hash (spaCy's LOWER and LEMMA columns; both pipelines write
    # lower-case lemmas), turned back into words at the end: no Token objects.
    counts: dict[str, Counter[int]] = {}
    docs_using: dict[str, dict[int, set[str]]] = {}
    sizes: dict[str, int] = {}
    excluded: dict[str, str] = {}
    stops: dict[str, set[int]] = {}
    is_word: dict[int, bool] = {}
    strings_of: dict[int, Any] = {}
    column = 1 if lemmas else 0
    for transcript, turns in zip(selection.transcripts, selection.turns, strict=True):
        lang = transcript.language or language
        nlp = get_pipeline(lang)
        strings = nlp.vocab.strings
        if lang not in stops:
            words = (stop_words(lang) if remove_stop_words else frozenset()) | extra
            stops[lang] = {strings.add(w) for w in words}
        stop = stops[lang]
        texts = (straighten_apostrophes(t.text) for t in turns)
        doc_id = str(transcript.doc_id)
        for turn, doc in zip(turns, nlp.pipe(texts), strict=True):
            group = _group_key(by, transcript, turn, selection.patterns)
            if group is None:
                excluded[doc_id] = f"case {transcript.case_id} has no pattern"
                continue
            counter = counts.setdefault(group, Counter())
            users = docs_using.setdefault(group, {})
            size = 0
            found: Counter[int] = Counter()
            for row in doc.to_array([LOWER, LEMMA]).tolist():
                lower = row[0]
                word = is_word.get(lower)
                if word is None:
                    word = is_word[lower] = any(ch.isalpha() for ch in strings[lower])
                if not word:
                    continue
                size += 1
                if lower in stop or row[1] in stop:
                    continue
                found[row[column]] += 1
            sizes[group] = sizes.get(group, 0) + size
            counter.update(found)
            for key in found:
                users.setdefault(key, set()).add(doc_id)
                strings_of.setdefault(key, strings)
    # hashes -> words (lower case; two hashes of one word are merged)
    named: dict[str, Counter[str]] = {}
    named_users: dict[str, dict[str, set[str]]] = {}
    for group, counter in counts.items():
        words_n: Counter[str] = Counter()
        words_users: dict[str, set[str]] = {}
        for key, n in counter.items():
            word = strings_of[key][key].lower()
            words_n[word] += n
            words_users.setdefault(word, set()).update(docs_using[group][key])
        named[group] = words_n
        named_users[group] = words_users
    counts_by_word, docs_by_word = named, named_users
    if excluded:
        warnings.warn(
            f"word_frequencies: {len(excluded)} transcript(s) left out because their case has "
            "no pattern in the cases table: "
            + ", ".join(f"{d} ({why})" for d, why in sorted(excluded.items())),
            ExclusionWarning, stacklevel=2,
        )  # fmt: skip
    groups = sorted(counts_by_word, key=str)
    if by == "pattern" and selection.patterns:
        order = list(dict.fromkeys(selection.patterns.values()))
        groups = sorted(counts_by_word,
                        key=lambda g: (order.index(g) if g in order else len(order), g))
    rows = []
    for group in groups:
        ranked = sorted(counts_by_word[group].items(), key=lambda kv: (-kv[1], kv[0]))
        previous, rank = None, 0
        for position, (word, n) in enumerate(ranked, start=1):
            if n != previous:
                rank, previous = position, n
            if n < min_count:
                continue
            rows.append((group, word, n, sizes[group], 1000.0 * n / sizes[group], rank,
                         len(docs_by_word[group][word])))
    table = pd.DataFrame(rows, columns=[by, "word", "n", "n_words", "per_1000", "rank", "n_docs"])
    for column in ("n", "n_words", "rank", "n_docs"):
        table[column] = table[column].astype("int64")
    table["per_1000"] = table["per_1000"].astype("float64")
    table.attrs.update({"by": by, "lemmas": lemmas, "n_words": {g: sizes[g] for g in groups},
                        "excluded": dict(sorted(excluded.items()))})
    return table


def log_likelihood(o1: np.ndarray, o2: np.ndarray, n1: float, n2: float) -> np.ndarray:
    """Rayson & Garside's log-likelihood G2 of a word's counts in two corpora.

    Parameters
    ----------
    o1, o2 : array of int
        The word's count in corpus 1 and in corpus 2.
    n1, n2 : float
        The sizes (words) of the two corpora.

    Returns
    -------
    numpy.ndarray
        :math:`G^2 = 2 \\sum_i O_i \\ln(O_i / E_i)` with
        :math:`E_i = N_i (O_1 + O_2) / (N_1 + N_2)`; a term with :math:`O_i = 0` is 0.

    Examples
    --------
    >>> import numpy as np
    >>> round(float(log_likelihood(np.array([10]), np.array([0]), 1000, 1000)[0]), 4)
    13.8629
    """
    o1 = np.asarray(o1, dtype=float)
    o2 = np.asarray(o2, dtype=float)
    total = o1 + o2
    e1 = n1 * total / (n1 + n2)
    e2 = n2 * total / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = np.where(o1 > 0, o1 * np.log(o1 / e1), 0.0)
        t2 = np.where(o2 > 0, o2 * np.log(o2 / e2), 0.0)
    return 2.0 * (t1 + t2)


def keyness(
    frequencies: pd.DataFrame,
    target: str | None = None,
    *,
    reference: str | Iterable[str] | None = None,
    min_count: int = 3,
    top: int | None = None,
) -> pd.DataFrame:
    """The words that distinguish a group from the others (keywords).

    Parameters
    ----------
    frequencies : pandas.DataFrame
        The table of :func:`word_frequencies` (its group column and ``attrs``).
    target : str, optional
        The group studied (a pattern, a case, a role ...). Default: every group in
        turn, each against all the others.
    reference : str or list of str, optional
        The groups it is compared with. Default: every other group.
    min_count : int, default=3
        Only words used at least this often in target and reference together
        (the log-likelihood of rarer words is unreliable; Rayson & Garside use 5).
    top : int, optional
        Keep the ``top`` words of each group with the largest log-likelihood
        among those used more in the group than in the reference.

    Returns
    -------
    pandas.DataFrame
        One row per group and word, by group then decreasing log_likelihood. Columns:
        the group column, word, n_target, n_reference, per_1000_target,
        per_1000_reference, log_likelihood (G2), p_value (chi-square, 1 degree
        of freedom), log_ratio (effect size: binary log of the ratio of the
        relative frequencies; +1 = twice as frequent in the target), direction
        (``"+"``: more used in the target, ``"-"``: less).

    Raises
    ------
    ColumnError
        ``frequencies`` is not a table of :func:`word_frequencies`.
    OptionError
        Unknown target or reference group, fewer than two groups, or bad
        ``min_count`` / ``top``.

    Notes
    -----
    For a word used :math:`O_1` times in the target (:math:`N_1` words) and
    :math:`O_2` times in the reference (:math:`N_2` words), the expected counts
    are :math:`E_i = N_i (O_1 + O_2) / (N_1 + N_2)` and
    :math:`G^2 = 2 \\sum_i O_i \\ln(O_i / E_i)` (Rayson & Garside 2000, the
    form of the UCREL log-likelihood calculator, after Dunning 1993). G2 is
    compared with a chi-square distribution with one degree of freedom (3.84 is
    p = 0.05, 6.63 p = 0.01, 10.83 p = 0.001). Log ratio (Hardie 2014):
    :math:`\\log_2 ((O_1 / N_1) / (O_2 / N_2))`, a zero count replaced by 0.5.
    The sizes :math:`N` count every word, stop words included. Tests compare G2
    with ``scipy.stats.power_divergence(..., lambda_="log-likelihood")``.

    Examples
    --------
    >>> import mixedwai as mw, pandas as pd
    >>> freq = pd.DataFrame({"role": ["ES", "ES", "interviewer", "interviewer"],
    ...     "word": ["job", "trust", "job", "trust"], "n": [30, 10, 2, 10],
    ...     "n_words": [1000, 1000, 500, 500]})
    >>> freq.attrs["by"] = "role"
    >>> keyness(freq, "ES")[["role", "word", "log_likelihood", "log_ratio", "direction"]]
      role   word  log_likelihood  log_ratio direction
    0   ES    job       13.759689   2.906891         +
    1   ES  trust        2.355661  -1.000000         -
    """
    from scipy.stats import chi2

    by = frequencies.attrs.get("by") or (frequencies.columns[0] if len(frequencies.columns) else "")
    needed = [by, "word", "n", "n_words"]
    missing = [c for c in needed if c not in frequencies.columns]
    if missing:
        raise ColumnError(
            f"keyness: the frequency table lacks column(s) {', '.join(map(repr, missing))}; "
            "expected the output of word_frequencies()"
        )
    check_range("min_count", min_count, low=1, integer=True)
    if top is not None:
        check_range("top", top, low=1, integer=True)
    groups = list(dict.fromkeys(frequencies[by].astype(str)))
    sizes = dict(frequencies.attrs.get("n_words") or {})
    for group, size in zip(frequencies[by].astype(str), frequencies["n_words"], strict=True):
        sizes.setdefault(group, int(size))
    sizes = {str(k): int(v) for k, v in sizes.items()}
    groups = list(dict.fromkeys([*groups, *sizes]))
    if len(groups) < 2:
        raise OptionError(
            f"keyness: needs at least two groups of {by} to compare; found "
            f"{', '.join(map(repr, groups)) or 'none'}"
        )
    targets = groups if target is None else [str(target)]
    references = None if reference is None else (
        [reference] if isinstance(reference, str) else [str(r) for r in reference])
    for name, values in (("target", targets), ("reference", references or [])):
        unknown = [v for v in values if v not in groups]
        if unknown:
            raise OptionError(
                f"keyness: {name} {', '.join(map(repr, unknown))} is not a group of {by}; "
                f"groups: {', '.join(map(repr, groups))}"
            )
    table = frequencies.assign(_group=frequencies[by].astype(str))
    counts = table.groupby(["word", "_group"], sort=True)["n"].sum().unstack(fill_value=0)
    counts = counts.reindex(columns=groups, fill_value=0)
    parts = []
    for group in targets:
        others = [g for g in (references or groups) if g != group]
        if not others:
            raise OptionError(f"keyness: the reference of {group!r} holds no other group")
        o1 = counts[group].to_numpy(dtype=float)
        o2 = counts[others].sum(axis=1).to_numpy(dtype=float)
        n1 = float(sizes[group])
        n2 = float(sum(sizes[g] for g in others))
        keep = (o1 + o2) >= min_count
        g2 = log_likelihood(o1, o2, n1, n2)
        ratio = np.log2((np.where(o1 > 0, o1, ZERO_ADJUSTMENT) / n1)
                        / (np.where(o2 > 0, o2, ZERO_ADJUSTMENT) / n2))
        part = pd.DataFrame({
            by: group, "word": counts.index.astype(str), "n_target": o1.astype("int64"),
            "n_reference": o2.astype("int64"), "per_1000_target": 1000.0 * o1 / n1,
            "per_1000_reference": 1000.0 * o2 / n2, "log_likelihood": g2,
            "p_value": chi2.sf(g2, 1), "log_ratio": ratio,
            "direction": np.where(o1 / n1 >= o2 / n2, "+", "-"),
        })[keep]  # fmt: skip
        part = part.sort_values(["log_likelihood", "word"], ascending=[False, True],
                                kind="mergesort")
        if top is not None:
            part = part[part["direction"] == "+"].head(int(top))
        parts.append(part)
    result = pd.concat(parts, ignore_index=True)
    result.attrs.update({"by": by, "n_words": sizes})
    return result
