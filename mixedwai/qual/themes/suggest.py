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
:func:`mixedwai.qual.themes.promote.promote_themes` adds the accepted ones to the
codebook as codes of an ``inductive`` category.

Examples
--------
>>> from mixedwai.qual.transcripts.model import Transcript
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

The pieces live in modules of one idea each:
:mod:`~mixedwai.qual.themes.terms` (lemmatised terms), :mod:`~mixedwai.qual.themes.nmf`
(NMF and coherence), :mod:`~mixedwai.qual.themes.segments` (which segments),
:mod:`~mixedwai.qual.themes.result` (:class:`ThemeSuggestions` and its tables) and
:mod:`~mixedwai.qual.themes.review` (:func:`write_theme_review`).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai._validation import check_choice, check_range
from mixedwai.errors import ExclusionWarning, InsufficientDataError, OptionError
from mixedwai.qual.coding.schema import _speaker_list
from mixedwai.qual.themes.nmf import (
    MIN_THEME_SEGMENTS,
    _fit_nmf,
    _theme_coherence,
)
from mixedwai.qual.themes.result import (
    DECIMALS,
    ThemeSuggestions,
    _assignments,
    _representative,
    _themes_frame,
)
from mixedwai.qual.themes.segments import (
    _coded_masks,
    _majority_language,
    _split_by_language,
    _transcripts,
)
from mixedwai.qual.themes.terms import (
    _identity,
    theme_tokens,
)

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.qual.transcripts.model import Segment, Transcript

__all__ = ["suggest_themes"]

#: Units a transcript can be cut into.
UNITS = ("sentence", "turn", "paragraph")
#: Which segments are analysed.
SEGMENT_CHOICES = ("uncoded", "all")


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
        (:func:`mixedwai.qual.coding.apply.code_corpus` is run).
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
    >>> from mixedwai.qual.transcripts.model import Transcript
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
    from mixedwai.qual.codebook.loading import load_codebook

    check_choice("segments", segments, SEGMENT_CHOICES)
    _check_int("max_themes", max_themes, 2, limit="MAX_THEMES")
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
        _check_int("n_themes", n_themes, 1, limit="MAX_THEMES")

    book: Codebook | None = None
    if codebook is not None:
        book = load_codebook(codebook)
    if unit is None:
        unit = str(book.unit) if book is not None else "sentence"
    check_choice("unit", unit, UNITS)
    if speakers is None and book is not None:
        speakers = book.speakers
    speaker_names = _speaker_list(speakers)
    if segments == "uncoded" and book is None and codings is None:
        raise OptionError(
            "segments = 'uncoded' needs a codebook (its rules code the corpus first) or "
            "codings; pass one, or segments='all' to analyse every segment"
        )

    transcripts = _transcripts(corpus)
    if language is None:
        language = str(book.language) if book is not None else _majority_language(transcripts)
    from mixedwai.qual.coding.nlp import LANGUAGES

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
        from mixedwai.qual.coding.apply import code_corpus

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


def _check_int(name: str, value: Any, low: int, limit: str | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise OptionError(f"{name} = {value!r} is not allowed; expected an integer >= {low}")
    check_range(name, int(value), low=low, integer=True, limit=limit)
