"""Inductive themes: candidate themes in the speech no code matched (TF-IDF + NMF).

Thematic analysis in the reference study starts from broad deductive categories and
finds themes inside them inductively, in the participants' own words. This module
helps with the second half: it takes the segments the codebook's rules did not code
(or all segments), lemmatises them with the language's spaCy pipeline, weights the
lemmas with TF-IDF and factorises the segment x term matrix with non-negative
matrix factorisation (NMF). Each factor is a *candidate* theme: a list of terms, the
segments that load on it most, and the cases it covers. The analyst reads them,
accepts, renames, merges or rejects them in a small YAML review file
(:meth:`ThemeSuggestions.to_yaml_document`), and
:func:`mixedwai.qual.promote.promote_themes` adds the accepted ones to the
codebook as codes of an ``inductive`` category.

Examples
--------
>>> from mixedwai.qual.transcripts import Transcript
>>> texts = {
...     "es1-c1": "ES: The bus to the office took two hours. The bus was late again. "
...               "Her garden kept her busy. She loved the garden and the roses.",
...     "es1-c2": "ES: He missed the bus twice. The roses in his garden were his pride. "
...               "The bus strike made him late.",
... }
>>> corpus = [Transcript.from_text(t, doc_id=d) for d, t in texts.items()]
>>> found = suggest_themes(corpus, segments="all", n_themes=2, min_df=2)
>>> found.themes[["theme_id", "label", "n_segments", "cases"]]
  theme_id          label  n_segments            cases
0      T01      bus, late           4  ES1_C1; ES1_C2
1      T02  garden, rose           3  ES1_C1; ES1_C2
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range, require_columns
from mixedwai.errors import ExclusionWarning, InsufficientDataError, OptionError

if TYPE_CHECKING:
    from scipy import sparse

    from mixedwai.qual.codebook import Codebook
    from mixedwai.qual.transcripts import Corpus, Segment, Transcript

__all__ = [
    "FILLER_WORDS",
    "ThemeSuggestions",
    "coherence",
    "suggest_themes",
    "theme_tokens",
    "write_theme_review",
]

#: Units a transcript can be cut into.
UNITS = ("sentence", "turn", "paragraph")
#: Which segments are analysed.
SEGMENT_CHOICES = ("uncoded", "all")
#: Shortest lemma kept (characters).
MIN_TOKEN_LENGTH = 3
#: Maximum number of NMF iterations (coordinate descent).
MAX_ITER = 1000
#: A theme must be the dominant theme of at least this many segments (a theme recurs).
MIN_THEME_SEGMENTS = 2
#: Decimals kept for the weights and scores in the result tables.
DECIMALS = 6



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
_ID_CHARS = re.compile(r"[^\w.\-]+")


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class ThemeSuggestions:
    """Candidate inductive themes, from :func:`suggest_themes`.

    Attributes
    ----------
    themes : pandas.DataFrame
        One row per theme, largest first. Columns: ``theme_id`` (``T01``, ``T02``
        ...), ``label`` (the top 3 terms, comma-separated), ``top_terms`` (the
        ``n_terms`` top terms, ``"; "``-separated, strongest first), ``weight``
        (the theme's share of the reconstructed TF-IDF mass; the weights sum to 1),
        ``n_segments`` (segments whose dominant theme it is), ``n_cases`` and
        ``cases`` (the cases of those segments, ``"; "``-separated), ``npmi`` (the
        theme's coherence, see :func:`coherence`).
    segments : pandas.DataFrame
        The most representative segments of each theme (up to ``n_segments`` per
        theme, distinct texts), in theme order, strongest first. Columns:
        ``theme_id``, ``rank`` (1 = most representative), ``doc_id``, ``case_id``,
        ``segment_id``, ``speaker``, ``start``, ``end``, ``text``, ``weight`` (the
        segment's loading on the theme).
    assignments : pandas.DataFrame
        Every analysed segment, in corpus order, with ``doc_id``, ``case_id``,
        ``segment_id``, ``speaker``, ``role``, ``start``, ``end``, ``text``,
        ``n_terms`` (terms of the vocabulary it holds), ``theme_id`` (its dominant
        theme; missing when it holds no term of the vocabulary) and ``weight``.
    selection : pandas.DataFrame
        The criterion per number of themes tried: ``n_themes``, ``npmi`` (mean
        theme coherence, the criterion), ``umass`` (mean UMass coherence, for
        reference), ``reconstruction_error`` (Frobenius norm of X - WH), ``n_iter``,
        ``chosen`` (bool).
    params : dict
        The options used and counts: language, unit, speakers, segments,
        n_themes (chosen), n_themes_requested, criterion, segments_total,
        segments_excluded_by_speaker, segments_coded (left out as coded),
        segments_analysed, segments_without_terms, n_vocabulary,
        documents_excluded (doc_id -> reason), codebook ...
    reserved_ids : tuple of str
        Ids of the codebook used (if any): the review file's default code ids avoid them.
    """

    themes: pd.DataFrame
    segments: pd.DataFrame
    assignments: pd.DataFrame
    selection: pd.DataFrame
    params: dict[str, Any] = field(default_factory=dict)
    reserved_ids: tuple[str, ...] = ()

    @property
    def n_themes(self) -> int:
        """Number of themes."""
        return len(self.themes)

    def terms(self, theme_id: str) -> list[str]:
        """The top terms of a theme, strongest first.

        Raises
        ------
        OptionError
            No theme has this id.
        """
        row = self.themes.loc[self.themes["theme_id"] == theme_id]
        if row.empty:
            known = ", ".join(self.themes["theme_id"])
            raise OptionError(f"no theme {theme_id!r}; themes: {known}")
        return str(row["top_terms"].iloc[0]).split("; ")

    def to_yaml_document(self) -> str:
        """The review file the analyst edits before ``mixedwai codebook promote``.

        Returns
        -------
        str
            YAML text: a comment explaining the workflow, a ``source`` mapping
            (how the themes were found) and one ``themes`` entry per theme with
            ``theme``, ``decision`` (``accept``), ``id`` (a code id made of the
            top two terms, distinct from the codebook's ids), ``label``,
            ``definition`` (empty), ``lemmas`` (the top terms), ``into`` (null) and
            ``examples`` (the representative segments). Deterministic: the same
            suggestions give the same text.

        Examples
        --------
        >>> from mixedwai.qual.transcripts import Transcript
        >>> t = Transcript.from_text("ES: The bus was late. The late bus again. Her garden "
        ...                          "had roses. Roses filled the garden.", doc_id="es1-c1")
        >>> text = suggest_themes([t], segments="all", n_themes=2).to_yaml_document()
        >>> print("\\n".join(text[text.index("\\nthemes:"):].splitlines()[1:5]))
        themes:
          - theme: T01  # 2 segments, 1 case: ES1_C1
            decision: accept  # accept | reject | merge
            id: bus_late
        """
        return _review_document(self)


# --------------------------------------------------------------------------- tokens


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
        Picks the spaCy pipeline (:func:`mixedwai.qual.nlp.get_pipeline`) and the
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
    from mixedwai.qual.nlp import get_pipeline

    nlp = get_pipeline(language)
    stop = _stop_words(language, stop_words)
    cleaned = (_NOTE.sub(lambda m: " " * len(m.group()), text) for text in texts)
    out: list[list[str]] = []
    for doc in nlp.pipe(cleaned, batch_size=batch_size):
        terms: list[str] = []
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
        out.append(terms)
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


# --------------------------------------------------------------------------- coherence


def coherence(binary: sparse.spmatrix | np.ndarray, top: Sequence[int]) -> tuple[float, float]:
    """NPMI and UMass coherence of one theme's top terms on a segment x term matrix.

    Parameters
    ----------
    binary : sparse matrix or ndarray, shape (n_segments, n_terms)
        Term presence (any positive value counts as present).
    top : sequence of int
        Column indices of the theme's top terms, strongest first.

    Returns
    -------
    npmi : float
        Mean normalised pointwise mutual information over the pairs of top terms
        (Bouma 2009): ``log(p(a,b) / (p(a) p(b))) / -log p(a,b)`` with document
        (segment) probabilities; -1 for a pair that never co-occurs, 1 for a pair
        present in every segment. In [-1, 1]. -1 when fewer than 2 terms are given.
    umass : float
        Mean UMass score (Mimno et al. 2011): for each pair with ``b`` ranked above
        ``a``, ``log((D(a,b) + 1) / D(b))`` with ``D`` the number of segments
        holding the terms. NaN when fewer than 2 terms are given.

    Notes
    -----
    Checked in the tests against a direct count over Python sets of segments.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]])
    >>> [round(v, 4) for v in coherence(X, [0, 1])]
    [0.415, 0.0]
    """
    top = list(top)
    if len(top) < 2:
        return -1.0, float("nan")
    columns = binary[:, top]
    if hasattr(columns, "toarray"):
        columns = columns.toarray()
    present = (np.asarray(columns) > 0).astype(np.float64)
    n = present.shape[0]
    together = present.T @ present  # D(a, b); diagonal = D(a)
    npmi: list[float] = []
    umass: list[float] = []
    for i in range(1, len(top)):
        for j in range(i):  # j ranked above i
            d_ij = together[i, j]
            d_i, d_j = together[i, i], together[j, j]
            if d_ij == 0:
                npmi.append(-1.0)
            elif d_ij == n:
                npmi.append(1.0)
            else:
                p_ij = d_ij / n
                npmi.append(math.log(p_ij / ((d_i / n) * (d_j / n))) / -math.log(p_ij))
            umass.append(math.log((d_ij + 1.0) / d_j) if d_j > 0 else float("nan"))
    return float(np.mean(npmi)), float(np.nanmean(umass)) if umass else float("nan")


# --------------------------------------------------------------------------- main


def suggest_themes(
    corpus: Corpus | Transcript | Iterable[Transcript],
    codebook: Codebook | str | os.PathLike[str] | None = None,
    *,
    codings: pd.DataFrame | None = None,
    unit: str | None = None,
    speakers: str | Sequence[str] | None = None,
    segments: str = "uncoded",
    n_themes: int | str = "auto",
    max_themes: int = 12,
    n_terms: int = 8,
    n_segments: int = 3,
    min_df: int = 2,
    stop_words: Iterable[str] | None = None,
    language: str | None = None,
    random_state: int = 0,
) -> ThemeSuggestions:
    """Suggest candidate themes in the segments no code matched, with TF-IDF and NMF.

    Parameters
    ----------
    corpus : Corpus, Transcript or iterable of Transcript
        The transcripts.
    codebook : Codebook, shipped name or YAML path, optional
        Gives the language, the default unit and speakers, and (without
        ``codings``) the rules that decide which segments are already coded
        (:func:`mixedwai.qual.coding.code_corpus` is run).
    codings : pandas.DataFrame, optional
        Codings already made (``doc_id``, ``start``, ``end`` at least: the output of
        ``code_corpus``, manual codings, or both merged). A segment overlapping a
        coding is "coded", whatever the coding unit.
    unit : {"sentence", "turn", "paragraph"}, optional
        Segments analysed. Default: the codebook's unit, else ``"sentence"``.
    speakers : str or list of str, optional
        Whose speech: roles (``ES``, ``interviewer``, ``client``) or labels,
        case-insensitive; ``"all"`` for everyone. Default: the codebook's speakers,
        else everyone.
    segments : {"uncoded", "all"}, default="uncoded"
        Analyse the segments no coding touches (needs ``codebook`` or ``codings``)
        or every segment of the chosen speakers.
    n_themes : int or "auto", default="auto"
        Number of themes, or ``"auto"``: the k in 2..``max_themes`` with the highest
        mean NPMI coherence (see Notes).
    max_themes : int, default=12
        Largest k tried by ``"auto"``.
    n_terms : int, default=8
        Top terms kept per theme (also the terms coherence is computed on).
    n_segments : int, default=3
        Representative segments kept per theme.
    min_df : int, default=2
        A lemma enters the vocabulary when it occurs in at least this many segments.
    stop_words : iterable of str, optional
        Extra words to drop, beside spaCy's stop words and :data:`FILLER_WORDS`.
    language : {"en", "fr"}, optional
        Default: the codebook's language, else the language of most transcripts
        (those that declare none count as ``"en"``). Transcripts that declare another language are
        left out (with an :class:`ExclusionWarning`) and listed in
        ``params["documents_excluded"]``.
    random_state : int, default=0
        Seed of the randomised SVD behind the NNDSVDa initialisation.

    Returns
    -------
    ThemeSuggestions
        ``themes``, ``segments`` (representative), ``assignments`` (all analysed
        segments), ``selection`` (criterion per k) and ``params``; see the class.

    Raises
    ------
    OptionError
        A bad option, or ``segments="uncoded"`` without codebook nor codings, or
        codings of documents that are not in the corpus.
    ColumnError
        ``codings`` lacks ``doc_id``, ``start`` or ``end``.
    InsufficientDataError
        No segment left to analyse, an empty vocabulary, or fewer segments/terms
        than themes; the message gives the counts found.

    Warns
    -----
    ExclusionWarning
        Transcripts left out because of their language.

    Notes
    -----
    *Terms.* Each segment is lemmatised by the language's pipeline and filtered
    (:func:`theme_tokens`); scikit-learn's ``TfidfVectorizer`` (smooth idf,
    ``l2`` row norm, ``min_df``) weights the lemmas.

    *Factorisation.* scikit-learn's ``NMF`` (Lee & Seung 1999; coordinate descent,
    Frobenius loss, ``init="nndsvda"``: Boutsidis & Gallopoulos 2008, deterministic
    for a given ``random_state``) factorises X ~ W H. Each row of H is rescaled to
    sum to 1 (W absorbing the scale), so ``W[i, j]`` is the TF-IDF mass of segment
    i that theme j explains; a theme's ``weight`` is its column sum of W over the
    total, and a segment's dominant theme is the argmax of its row.

    *Number of themes.* For k = 2..``max_themes`` (at most the number of segments
    and of terms), NMF is fitted and the mean NPMI (Bouma 2009) of the themes' top
    terms is computed on the analysed segments themselves (:func:`coherence`); the
    k with the highest mean wins, the smaller k on ties. NPMI was preferred to
    UMass (Mimno et al. 2011), which rewards themes made of rare terms and grows
    with k on short segments, and to the reconstruction error, which falls steadily
    with k on sparse text and shows no clear elbow; NPMI agrees best with human
    judgements of topic quality among these measures (Lau, Newman & Baldwin 2014;
    Röder, Both & Hinneburg 2015). Both other measures are reported in
    ``selection``. On sentences, terms rarely co-occur and NPMI tends to favour
    few themes: analyse turns or paragraphs, or give ``n_themes``, to see more.

    Themes are candidates for the analyst to read, not findings.

    References
    ----------
    Lee, D. D., & Seung, H. S. (1999). Learning the parts of objects by non-negative
    matrix factorization. Nature, 401, 788-791.
    Bouma, G. (2009). Normalized (pointwise) mutual information in collocation
    extraction. Proceedings of GSCL, 31-40.
    Mimno, D., Wallach, H., Talley, E., Leenders, M., & McCallum, A. (2011).
    Optimizing semantic coherence in topic models. Proceedings of EMNLP, 262-272.

    Examples
    --------
    >>> from mixedwai.qual.transcripts import Transcript
    >>> t = Transcript.from_text(
    ...     "ES: The bus was late. The late bus again. Her garden had roses. "
    ...     "Roses filled the garden.", doc_id="es1-c1")
    >>> found = suggest_themes([t], segments="all")
    >>> found.selection[["n_themes", "npmi", "chosen"]]
       n_themes  npmi  chosen
    0         2   1.0    True
    >>> found.terms("T01")
    ['bus', 'late']
    """
    from mixedwai.qual.codebook import load_codebook

    check_choice("segments", segments, SEGMENT_CHOICES)
    _check_int("max_themes", max_themes, 2)
    _check_int("n_terms", n_terms, 2)
    _check_int("n_segments", n_segments, 1)
    _check_int("min_df", min_df, 1)
    _check_int("random_state", random_state, 0)
    if isinstance(n_themes, str):
        if n_themes.strip().lower() != "auto":
            raise OptionError(
                f"n_themes = {n_themes!r} is not allowed; expected 'auto' or an integer >= 1"
            )
        n_themes = "auto"
    else:
        _check_int("n_themes", n_themes, 1)

    book: Codebook | None = None
    if codebook is not None:
        book = load_codebook(codebook)
    if unit is None:
        unit = str(book.unit) if book is not None else "sentence"
    check_choice("unit", unit, UNITS)
    if speakers is None and book is not None:
        speakers = book.speakers
    speaker_names = _speaker_names(speakers)
    if segments == "uncoded" and book is None and codings is None:
        raise OptionError(
            "segments = 'uncoded' needs a codebook (its rules code the corpus first) or "
            "codings; pass one, or segments='all' to analyse every segment"
        )

    transcripts = _transcripts(corpus)
    if language is None:
        language = str(book.language) if book is not None else _majority_language(transcripts)
    from mixedwai.qual.nlp import LANGUAGES

    check_choice("language", language, LANGUAGES)
    kept, excluded = _split_by_language(transcripts, language)
    if excluded:
        warnings.warn(
            f"{len(excluded)} transcript(s) left out of the theme analysis in {language!r}: "
            + "; ".join(f"{d} ({r})" for d, r in excluded.items()),
            ExclusionWarning,
            stacklevel=2,
        )

    if segments == "uncoded" and codings is None:
        from mixedwai.qual.coding import code_corpus

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ExclusionWarning)  # reported below as counts
            codings = code_corpus(kept, book, unit=unit, speakers=speaker_names or "all")
    coded_masks = (
        _coded_masks(codings, transcripts) if segments == "uncoded" and codings is not None else {}
    )

    wanted = None if speaker_names is None else {n.casefold() for n in speaker_names}
    chosen: list[tuple[Any, Segment]] = []
    n_total = n_by_speaker = n_coded = 0
    for transcript in kept:
        mask = coded_masks.get(str(transcript.doc_id))
        for segment in transcript.segments(unit):
            n_total += 1
            if wanted is not None and (
                (segment.role or "").casefold() not in wanted
                and (segment.speaker or "").casefold() not in wanted
            ):
                n_by_speaker += 1
                continue
            if mask is not None and mask[segment.end] - mask[segment.start] > 0:
                n_coded += 1
                continue
            chosen.append((transcript, segment))

    who = ", ".join(speaker_names) if speaker_names else "everyone"
    counts = (
        f"{n_total} {unit}(s) in {len(kept)} transcript(s), {n_by_speaker} by other speakers "
        f"than {who}, {n_coded} already coded"
    )
    if not chosen:
        raise InsufficientDataError(
            f"no segment left to analyse: {counts}; try segments='all', another unit or "
            "other speakers"
        )

    tokens = theme_tokens([s.text for _, s in chosen], language, stop_words=stop_words)
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=min_df, lowercase=False)
    try:
        matrix = vectorizer.fit_transform(tokens)
    except ValueError as exc:  # empty vocabulary / nothing left after min_df
        n_with = sum(1 for t in tokens if t)
        raise InsufficientDataError(
            f"empty vocabulary: {len(chosen)} segment(s) selected ({counts}), {n_with} with "
            f"at least one term, {len({w for t in tokens for w in t})} distinct term(s), none "
            f"in at least min_df = {min_df} segments; lower min_df, analyse more segments "
            "(segments='all', unit='turn') or fewer stop words"
        ) from exc
    vocabulary = vectorizer.get_feature_names_out().tolist()
    row_terms = np.diff(matrix.indptr)
    rows = np.flatnonzero(row_terms > 0)
    n_rows, n_vocab = len(rows), len(vocabulary)
    limit = min(n_rows, n_vocab)
    if n_themes == "auto":
        upper = min(max_themes, n_rows // MIN_THEME_SEGMENTS, n_vocab)
        if upper < 2:
            raise InsufficientDataError(
                f"too little text for themes: {n_rows} segment(s) with terms and {n_vocab} "
                f"term(s) in at least min_df = {min_df} segments ({counts}); 'auto' needs at "
                "least 4 segments with terms and 2 terms"
            )
        candidates = list(range(2, upper + 1))
    else:
        if limit < n_themes:
            raise InsufficientDataError(
                f"too little text for {n_themes} themes: {n_rows} segment(s) with terms and "
                f"{n_vocab} term(s) in at least min_df = {min_df} segments ({counts}); at "
                f"least {n_themes} of each are needed"
            )
        candidates = [int(n_themes)]

    X = matrix[rows]
    binary = (X > 0).astype(np.float64).tocsc()
    fits: dict[int, tuple[np.ndarray, np.ndarray, list[float]]] = {}
    table: list[dict[str, Any]] = []
    for k in candidates:
        W, H, error, n_iter = _fit_nmf(X, k, random_state)
        leading = np.bincount(W.argmax(axis=1), minlength=k)
        per_theme = [_theme_coherence(binary, leading[j], H[j], n_terms) for j in range(k)]
        npmi = float(np.mean([c[0] for c in per_theme]))
        umass_values = [c[1] for c in per_theme if not math.isnan(c[1])]
        fits[k] = (W, H, [c[0] for c in per_theme])
        table.append(
            {
                "n_themes": k,
                "npmi": round(npmi, DECIMALS) + 0.0,
                "umass": round(float(np.mean(umass_values)), DECIMALS)
                if umass_values
                else float("nan"),
                "reconstruction_error": round(error, DECIMALS),
                "n_iter": n_iter,
            }
        )
    best = max(table, key=lambda r: (r["npmi"], -r["n_themes"]))["n_themes"]
    selection = pd.DataFrame(table, columns=[
        "n_themes", "npmi", "umass", "reconstruction_error", "n_iter"
    ])  # fmt: skip
    selection["n_themes"] = selection["n_themes"].astype("int64")
    selection["n_iter"] = selection["n_iter"].astype("int64")
    selection["chosen"] = selection["n_themes"] == best

    W, H, theme_npmi = fits[best]
    order = sorted(range(best), key=lambda j: (-round(float(W[:, j].sum()), 9), j))
    W = W[:, order]
    H = H[order]
    theme_npmi = [theme_npmi[j] for j in order]
    theme_ids = [f"T{j + 1:02d}" for j in range(best)]

    full_w = np.zeros((len(chosen), best))
    full_w[rows] = W
    dominant = np.where(full_w.max(axis=1) > 0, full_w.argmax(axis=1), -1)
    assignments = _assignments(chosen, row_terms, dominant, full_w, theme_ids)
    themes = _themes_frame(
        chosen, W, H, dominant, theme_ids, vocabulary, theme_npmi, n_terms
    )
    representative = _representative(chosen, full_w, dominant, theme_ids, n_segments)

    params: dict[str, Any] = {
        "language": language,
        "unit": unit,
        "speakers": speaker_names,
        "segments": segments,
        "n_themes": best,
        "n_themes_requested": n_themes,
        "max_themes": max_themes,
        "n_terms": n_terms,
        "n_segments": n_segments,
        "min_df": min_df,
        "random_state": random_state,
        "criterion": "npmi" if n_themes == "auto" else "given",
        "codebook": None if book is None else book.name,
        "segments_total": n_total,
        "segments_excluded_by_speaker": n_by_speaker,
        "segments_coded": n_coded,
        "segments_analysed": len(chosen),
        "segments_without_terms": len(chosen) - n_rows,
        "n_vocabulary": n_vocab,
        "documents_excluded": dict(excluded),
        "extra_stop_words": sorted({str(w).lower() for w in (stop_words or [])}),
    }
    reserved = tuple(book.code_ids) + tuple(c.id for c in book.categories) if book else ()
    return ThemeSuggestions(
        themes=themes,
        segments=representative,
        assignments=assignments,
        selection=selection,
        params=params,
        reserved_ids=reserved,
    )


def write_theme_review(
    suggestions: ThemeSuggestions, path: str | os.PathLike[str]
) -> None:
    """Write the review file of :meth:`ThemeSuggestions.to_yaml_document` atomically.

    Parameters
    ----------
    suggestions : ThemeSuggestions
        From :func:`suggest_themes`.
    path : str or path-like
        The YAML file to write (its folder is created).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mixedwai.qual.transcripts import Transcript
    >>> t = Transcript.from_text("ES: The bus was late. The bus strike. Garden roses. "
    ...                          "The garden and roses.", doc_id="es1-c1")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "themes.yaml"
    >>> write_theme_review(suggest_themes([t], segments="all", n_themes=2), path)
    >>> path.read_text(encoding="utf-8").startswith("# Candidate themes")
    True
    """
    from mixedwai.io import write_text

    write_text(suggestions.to_yaml_document(), path)


# --------------------------------------------------------------------------- helpers


def _check_int(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise OptionError(f"{name} = {value!r} is not allowed; expected an integer >= {low}")
    check_range(name, int(value), low=low, integer=True)


def _speaker_names(speakers: Any) -> list[str] | None:
    if speakers is None:
        return None
    if isinstance(speakers, str):
        speakers = speakers.split(",")
    names = list(dict.fromkeys(str(s).strip() for s in speakers if str(s).strip()))
    if not names or any(n.casefold() == "all" for n in names):
        return None
    return names


def _transcripts(corpus: Any) -> list[Any]:
    if hasattr(corpus, "segments") and hasattr(corpus, "text"):
        items = [corpus]
    else:
        try:
            items = list(corpus)
        except TypeError as exc:
            raise OptionError(
                f"corpus: expected a Corpus, a Transcript or a list of transcripts, got "
                f"{type(corpus).__name__}"
            ) from exc
    if not items:
        raise InsufficientDataError("the corpus is empty: no transcript to analyse")
    ids = [str(t.doc_id) for t in items]
    duplicated = sorted({d for d in ids if ids.count(d) > 1})
    if duplicated:
        raise OptionError(
            f"corpus: doc_id must be unique; found more than once: {', '.join(duplicated)}"
        )
    return sorted(items, key=lambda t: str(t.doc_id))


def _majority_language(transcripts: list[Any]) -> str:
    counts: dict[str, int] = {}
    for t in transcripts:
        lang = str(getattr(t, "language", None) or "en").lower()  # undeclared: English
        counts[lang] = counts.get(lang, 0) + 1
    return max(sorted(counts), key=lambda k: (counts[k], k == "en"))


def _split_by_language(
    transcripts: list[Any], language: str
) -> tuple[list[Any], dict[str, str]]:
    kept: list[Any] = []
    excluded: dict[str, str] = {}
    for t in transcripts:
        lang = str(getattr(t, "language", None) or "").lower()
        if lang and lang != language:
            excluded[str(t.doc_id)] = f"language {lang!r}, not {language!r}"
        else:
            kept.append(t)
    if not kept:
        raise InsufficientDataError(
            f"no transcript in {language!r}: all {len(transcripts)} declare another language; "
            "pass language= to analyse them"
        )
    return kept, excluded


def _coded_masks(codings: pd.DataFrame, transcripts: list[Any]) -> dict[str, np.ndarray]:
    """Per document, the running count of coded characters (prefix sums)."""
    if not isinstance(codings, pd.DataFrame):
        raise OptionError(
            f"codings: expected a DataFrame (from code_corpus), got {type(codings).__name__}"
        )
    require_columns(codings, ["doc_id", "start", "end"], hint="codings come from code_corpus()")
    texts = {str(t.doc_id): t.text for t in transcripts}
    doc_ids = codings["doc_id"].astype(str)
    unknown = sorted(set(doc_ids) - set(texts))
    if unknown:
        raise OptionError(
            f"codings refer to {len(unknown)} document(s) that are not in the corpus: "
            f"{', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''}; pass the codings "
            "of this corpus"
        )
    masks: dict[str, np.ndarray] = {}
    starts = pd.to_numeric(codings["start"], errors="coerce")
    ends = pd.to_numeric(codings["end"], errors="coerce")
    frame = pd.DataFrame({"doc_id": doc_ids, "start": starts, "end": ends}).dropna()
    for doc_id, group in frame.groupby("doc_id", sort=True):
        length = len(texts[str(doc_id)])
        delta = np.zeros(length + 1, dtype=np.int64)
        lo = np.clip(group["start"].to_numpy(dtype=np.int64), 0, length)
        hi = np.clip(group["end"].to_numpy(dtype=np.int64), 0, length)
        keep = hi > lo
        np.add.at(delta, lo[keep], 1)
        np.add.at(delta, hi[keep], -1)
        covered = (np.cumsum(delta)[:length] > 0).astype(np.int64)
        masks[str(doc_id)] = np.concatenate([[0], np.cumsum(covered)])
    return masks


def _fit_nmf(X: Any, k: int, random_state: int) -> tuple[np.ndarray, np.ndarray, float, int]:
    """NMF with NNDSVDa; rows of H rescaled to sum 1 (W absorbs the scale)."""
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="nndsvda", random_state=random_state, max_iter=MAX_ITER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # n_iter is reported
        W = model.fit_transform(X)
    H = model.components_
    scale = H.sum(axis=1)
    scale[scale == 0] = 1.0
    return W * scale, H / scale[:, None], float(model.reconstruction_err_), int(model.n_iter_)


def _top_terms(h: np.ndarray, n_terms: int) -> list[int]:
    order = np.argsort(-h, kind="stable")  # ties: vocabulary (alphabetical) order
    return [int(i) for i in order[:n_terms] if h[i] > 0]


def _theme_coherence(
    binary: Any, n_leading: int, h: np.ndarray, n_terms: int
) -> tuple[float, float]:
    top = _top_terms(h, n_terms)
    if len(top) < 2 or n_leading < MIN_THEME_SEGMENTS:
        # a theme of one term, or one that leads fewer than 2 segments: k over-splits the data
        return -1.0, float("nan")
    return coherence(binary, top)


def _case(transcript: Any) -> str:
    return str(getattr(transcript, "case_id", None) or transcript.doc_id)


def _assignments(
    chosen: list[tuple[Any, Segment]],
    row_terms: np.ndarray,
    dominant: np.ndarray,
    weights: np.ndarray,
    theme_ids: list[str],
) -> pd.DataFrame:
    records = []
    for i, (transcript, segment) in enumerate(chosen):
        j = int(dominant[i])
        records.append(
            {
                "doc_id": str(transcript.doc_id),
                "case_id": getattr(transcript, "case_id", None),
                "segment_id": segment.id,
                "speaker": segment.speaker,
                "role": segment.role,
                "start": segment.start,
                "end": segment.end,
                "text": segment.text,
                "n_terms": int(row_terms[i]),
                "theme_id": theme_ids[j] if j >= 0 else None,
                "weight": round(float(weights[i, j]), DECIMALS) if j >= 0 else 0.0,
            }
        )
    frame = pd.DataFrame(records)
    for column in ("start", "end", "n_terms"):
        frame[column] = frame[column].astype("int64")
    frame["weight"] = frame["weight"].astype("float64")
    return frame


def _themes_frame(
    chosen: list[tuple[Any, Segment]],
    W: np.ndarray,
    H: np.ndarray,
    dominant: np.ndarray,
    theme_ids: list[str],
    vocabulary: list[str],
    theme_npmi: list[float],
    n_terms: int,
) -> pd.DataFrame:
    total = float(W.sum()) or 1.0
    records = []
    for j, theme_id in enumerate(theme_ids):
        terms = [vocabulary[i] for i in _top_terms(H[j], n_terms)]
        members = [chosen[i][0] for i in np.flatnonzero(dominant == j)]
        cases = sorted({_case(t) for t in members})
        records.append(
            {
                "theme_id": theme_id,
                "label": ", ".join(terms[:3]) if terms else theme_id,
                "top_terms": "; ".join(terms),
                "weight": round(float(W[:, j].sum()) / total, DECIMALS),
                "n_segments": len(members),
                "n_cases": len(cases),
                "cases": "; ".join(cases),
                "npmi": round(theme_npmi[j], DECIMALS) + 0.0,
            }
        )
    frame = pd.DataFrame(records)
    frame["n_segments"] = frame["n_segments"].astype("int64")
    frame["n_cases"] = frame["n_cases"].astype("int64")
    return frame


def _representative(
    chosen: list[tuple[Any, Segment]],
    weights: np.ndarray,
    dominant: np.ndarray,
    theme_ids: list[str],
    n_segments: int,
) -> pd.DataFrame:
    records = []
    for j, theme_id in enumerate(theme_ids):
        members = np.flatnonzero(dominant == j)
        ranked = sorted(members, key=lambda i: (-round(float(weights[i, j]), 9), i))
        seen: set[str] = set()
        rank = 0
        for i in ranked:
            transcript, segment = chosen[i]
            key = " ".join(segment.text.casefold().split())
            if key in seen:
                continue
            seen.add(key)
            rank += 1
            records.append(
                {
                    "theme_id": theme_id,
                    "rank": rank,
                    "doc_id": str(transcript.doc_id),
                    "case_id": getattr(transcript, "case_id", None),
                    "segment_id": segment.id,
                    "speaker": segment.speaker,
                    "start": segment.start,
                    "end": segment.end,
                    "text": segment.text,
                    "weight": round(float(weights[i, j]), DECIMALS),
                }
            )
            if rank >= n_segments:
                break
    columns = ["theme_id", "rank", "doc_id", "case_id", "segment_id", "speaker", "start",
               "end", "text", "weight"]  # fmt: skip
    frame = pd.DataFrame(records, columns=columns)
    for column in ("rank", "start", "end"):
        frame[column] = frame[column].astype("int64")
    frame["weight"] = frame["weight"].astype("float64")
    return frame


# --------------------------------------------------------------------------- review file

_REVIEW_HEADER = """\
Candidate themes from `mixedwai themes` ({summary}).
Review each theme, then add the accepted ones to your codebook with
    mixedwai codebook promote CODEBOOK.yaml THIS_FILE.yaml
For each theme: set decision to accept, reject or merge (merge also needs
into: the theme it joins, e.g. T03); edit id (the code id it will get), label
and definition. lemmas become the code's match rules: keep the specific ones.
examples are the theme's most representative segments, for reading.
"""


def default_code_id(terms: Sequence[str], taken: set[str], fallback: str) -> str:
    """A code id made of the first two terms, made unique against ``taken``.

    Examples
    --------
    >>> default_code_id(["job", "search", "deadline"], {"job_search"}, "T01")
    'job_search_2'
    """
    base = "_".join(_ID_CHARS.sub("_", t).strip("_.-") for t in terms[:2] if t)
    base = base.strip("_.-") or fallback.lower()
    if not re.match(r"^\w", base):
        base = f"theme_{base}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _review_document(found: ThemeSuggestions) -> str:
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    params = found.params
    speakers = params.get("speakers")
    summary = (
        f"{found.n_themes} themes in {params.get('segments_analysed')} "
        f"{'uncoded ' if params.get('segments') == 'uncoded' else ''}{params.get('unit')}(s)"
        f" by {', '.join(speakers) if speakers else 'everyone'}, language "
        f"{params.get('language')}"
    )
    doc = CommentedMap()
    source = CommentedMap()
    source["command"] = "mixedwai themes"
    if params.get("codebook"):
        source["codebook"] = params["codebook"]
    for key in ("language", "unit", "segments", "n_themes", "criterion", "random_state"):
        source[key] = params.get(key)
    source["speakers"] = _flow(list(speakers) if speakers else ["all"])
    doc["source"] = source

    taken = set(found.reserved_ids)
    by_theme = {
        theme_id: group["text"].tolist()
        for theme_id, group in found.segments.groupby("theme_id", sort=False)
    }
    entries = CommentedSeq()
    for row in found.themes.itertuples(index=False):
        terms = [t for t in str(row.top_terms).split("; ") if t]
        code_id = default_code_id(terms, taken, row.theme_id)
        taken.add(code_id)
        entry = CommentedMap()
        entry["theme"] = row.theme_id
        entry["decision"] = "accept"
        entry["id"] = code_id
        entry["label"] = row.label
        entry["definition"] = ""
        entry["lemmas"] = _flow(terms)
        entry["into"] = None
        examples = CommentedSeq(
            DoubleQuotedScalarString(t) for t in by_theme.get(row.theme_id, [])
        )
        entry["examples"] = examples
        cases = f": {row.cases}" if row.n_cases <= 6 else ""
        entry.yaml_add_eol_comment(
            f"{row.n_segments} segment{'s' * (row.n_segments != 1)}, {row.n_cases} "
            f"case{'s' * (row.n_cases != 1)}{cases}",
            "theme",
        )
        entry.yaml_add_eol_comment("# accept | reject | merge", "decision", column=22)
        entries.append(entry)
    doc["themes"] = entries
    doc.yaml_set_start_comment(_REVIEW_HEADER.format(summary=summary))

    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.representer.add_representer(
        type(None), lambda rep, _v: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def _flow(items: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq
