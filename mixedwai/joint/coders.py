"""People's codings in a study run, and how the coders (people and rules) agree.

A study may name codings made by people (``qual.manual_codings`` in ``study.yaml``,
files in the manual-codings format with a ``coder`` column). They are read against the
study's transcripts and codebook and, with the rules' codings, compared by
:func:`mixedwai.qual.agreement.reliability.agreement`: the report then gets a reliability
section, and — when people's codings sit beside the rules' — the rules' precision and
recall per code against a person. The joint displays keep using the rules' codings.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai.errors import InsufficientDataError, MixedWAIWarning
from mixedwai.qual.coding.schema import RULE_CODER

if TYPE_CHECKING:
    from mixedwai.qual.agreement.reliability import AgreementResult
    from mixedwai.qual.codebook.model import Codebook

__all__ = ["coder_agreement", "read_people_codings"]


def read_people_codings(
    paths: Sequence[str], corpus: Any, codebook: Codebook, *, unit: str
) -> pd.DataFrame:
    """Read every file of people's codings, checked against the transcripts and codebook.

    Parameters
    ----------
    paths : sequence of str
        Files in the manual-codings format
        (:func:`~mixedwai.qual.coding.manual.load_manual_codings`).
    corpus : Corpus
    codebook : Codebook
    unit : str
        The unit whose segment ids the codings get.

    Returns
    -------
    pandas.DataFrame
        The codings of all files, in the codings schema, file after file.

    Examples
    --------
    >>> from mixedwai.qual.codebook.loading import load_codebook
    >>> from mixedwai.qual.transcripts.loading import load_corpus
    >>> corpus = load_corpus("sample_corpus/transcripts")
    >>> people = read_people_codings(["sample_corpus/second_coder_codings.csv"], corpus,
    ...                              load_codebook("ross2008-en"), unit="sentence")
    >>> sorted(set(people["coder"])), len(people)
    (['second_coder'], 407)
    """
    from mixedwai.qual.coding.manual import load_manual_codings

    frames = [load_manual_codings(path, corpus, codebook, unit=unit) for path in paths]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def coder_agreement(
    rules: pd.DataFrame,
    people: pd.DataFrame,
    corpus: Any,
    codebook: Codebook,
    *,
    unit: str | None = None,
    speakers: Sequence[str] | None = None,
    reference: str | None = None,
    random_state: int = 0,
) -> AgreementResult | None:
    """Agreement between a study's coders, or None when there are fewer than two.

    Parameters
    ----------
    rules : pandas.DataFrame
        The rules' codings (coder ``"mixedwai"``), possibly empty.
    people : pandas.DataFrame
        People's codings (:func:`read_people_codings`), possibly empty.
    corpus : Corpus
    codebook : Codebook
    unit, speakers
        As the study codes (default: the codebook's).
    reference : str, optional
        The coder the others are measured against. Default: when the rules' codings
        sit beside people's, the first person (sorted by name); otherwise none.
    random_state : int, default=0
        Seed of the bootstrap.

    Returns
    -------
    AgreementResult or None

    Warns
    -----
    MixedWAIWarning
        Two coders or more, but no unit that two of them coded (no section then).

    Examples
    --------
    >>> from mixedwai.qual.codebook.loading import load_codebook
    >>> from mixedwai.qual.coding.apply import code_corpus
    >>> from mixedwai.qual.transcripts.loading import load_corpus
    >>> corpus = load_corpus("sample_corpus/transcripts")
    >>> codebook = load_codebook("ross2008-en")
    >>> people = read_people_codings(["sample_corpus/second_coder_codings.csv"], corpus,
    ...                              codebook, unit="sentence")
    >>> coded = [corpus[d] for d in sorted(set(people["doc_id"]))]
    >>> result = coder_agreement(code_corpus(coded, codebook), people, coded, codebook)
    >>> result.data.coders, result.reference
    (('mixedwai', 'second_coder'), 'second_coder')
    """
    from mixedwai.qual.agreement.reliability import agreement

    frames = [f for f in (rules, people) if len(f)]
    if not frames:
        return None
    columns = ["doc_id", "start", "end", "code_id", "coder"]
    codings = pd.concat([f.loc[:, columns] for f in frames], ignore_index=True)
    coders = sorted(set(codings["coder"].astype(str)))
    if len(coders) < 2:
        return None
    persons = [c for c in coders if c != RULE_CODER]
    if reference is None and RULE_CODER in coders and persons:
        reference = persons[0]
    try:
        return agreement(codings, corpus, codebook=codebook, unit=unit,
                         speakers=list(speakers) if speakers else None, reference=reference,
                         random_state=random_state)
    except InsufficientDataError as exc:  # e.g. no document coded by two of them
        warnings.warn(f"no reliability section: {exc}", MixedWAIWarning, stacklevel=2)
        return None
