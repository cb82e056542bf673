"""Exemplar quotes a display can trust: affirmed, long enough, each used once, pinned first.

A display's cells quote segments coded with their theme. :class:`QuotePicker`
chooses them for one display: the researcher's pinned quotes first (the study's
``quotes:`` file, read by :func:`load_pinned_quotes`), then the most typical
segment (:func:`mixedwai.qual.retrieval.quotes.quotes`), never a coding flagged
``negated``, never a segment shorter than the minimum length, and never a segment
already quoted in another cell of the same display. A quote in another language
than the report's carries a ``[fr]`` marker, which the HTML renderer turns into a
``lang`` attribute.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from mixedwai.errors import DataValueError
from mixedwai.qual.retrieval.quotes import quotes as find_quotes

if TYPE_CHECKING:
    from mixedwai.joint.study import LinkedStudy
    from mixedwai.qual.transcripts.corpus import Corpus

__all__ = [
    "LANGUAGE_MARKER", "MIN_QUOTE_WORDS", "QUOTE_LANGUAGE", "QuotePicker", "load_pinned_quotes",
    "quote_text",
]

#: Fewest words of an exemplar quote chosen automatically (pinned quotes may be shorter).
MIN_QUOTE_WORDS = 8
#: The language of the reports: quotes in another language get a ``[xx]`` marker.
QUOTE_LANGUAGE = "en"
#: The language marker that ends a quote line (`` [fr]``), read by the HTML renderer.
LANGUAGE_MARKER = re.compile(r" \[([a-z]{2,3}(?:-[A-Za-z]{2})?)\]$")

_PINNED_COLUMNS = ["theme", "segment_id", "doc_id", "case_id", "text", "language", "translation"]


def load_pinned_quotes(path: str | Path, corpus: Corpus | None) -> pd.DataFrame:
    """Read the researcher's chosen quotes and find their segments in the corpus.

    Parameters
    ----------
    path : str or path
        CSV (or XLSX) with columns ``theme`` (a code or category id), ``doc_id``
        and ``segment_id`` (as in the codings table: ``ES5_C4_fr``, ``t1.s2``),
        and optionally ``translation``; or YAML: a list of such mappings.
    corpus : Corpus
        The study's transcripts, where the segments are looked up (sentences,
        turns and paragraphs).

    Returns
    -------
    pandas.DataFrame
        One row per pinned quote, in file order: theme, segment_id, doc_id,
        case_id, text, language, translation (empty when none).

    Raises
    ------
    DataValueError
        A missing column, an empty theme, or a segment id no transcript has
        (every such row listed, with the closest ids).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mixedwai.qual.transcripts.loading import load_corpus
    >>> corpus = load_corpus("sample_corpus/transcripts/ES16_C1.vtt")
    >>> segment = next(iter(corpus)).segments("sentence")[3]
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "quotes.csv"
    >>> _ = path.write_text(f"theme,doc_id,segment_id\\nbond_trust,ES16_C1,{segment.id}\\n")
    >>> load_pinned_quotes(path, corpus)["text"].tolist() == [segment.text]
    True
    """
    from mixedwai.io import read_table

    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or []
        except yaml.YAMLError as exc:
            raise DataValueError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
            raise DataValueError(f"{path}: expected a list of quotes, each a mapping with "
                                 "theme, doc_id, segment_id (and translation)")
        frame = pd.DataFrame(data)
    else:
        frame = read_table(path)
    missing = [c for c in ("theme", "doc_id", "segment_id") if c not in frame.columns]
    if missing:
        raise DataValueError(
            f"{path}: pinned quotes need column(s) {', '.join(map(repr, missing))}; found "
            f"{', '.join(map(str, frame.columns)) or 'none'} (theme, doc_id, segment_id, "
            "translation)"
        )
    transcripts = {str(t.doc_id): t for t in corpus or []}
    rows, problems = [], []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        theme, doc_id, segment_id = (
            "" if pd.isna(row.get(key)) else str(row[key]).strip()
            for key in ("theme", "doc_id", "segment_id")
        )
        if not theme:
            problems.append(f"row {i}: theme is empty")
            continue
        transcript = transcripts.get(doc_id)
        if transcript is None:
            import difflib

            close = difflib.get_close_matches(doc_id, list(transcripts), n=2)
            hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
            problems.append(f"row {i}: doc_id {doc_id!r} is no transcript of the study{hint}")
            continue
        segments = {str(s.id): s for unit in ("sentence", "turn", "paragraph")
                    for s in transcript.segments(unit)}
        segment = segments.get(segment_id)
        if segment is None:
            problems.append(f"row {i}: {doc_id} has no segment {segment_id!r} (its sentences "
                            f"are {next(iter(segments), '?')} ...)")
            continue
        translation = row.get("translation")
        rows.append({
            "theme": theme, "segment_id": segment_id, "doc_id": str(transcript.doc_id),
            "case_id": transcript.case_id, "text": segment.text,
            "language": transcript.language or "",
            "translation": "" if translation is None or pd.isna(translation)
            else str(translation).strip(),
        })
    if problems:
        from mixedwai._validation import raise_problems

        raise_problems(DataValueError, f"{path}: pinned quotes that cannot be used", problems)
    return pd.DataFrame(rows, columns=_PINNED_COLUMNS)


@dataclass
class QuotePicker:
    """Chooses the exemplar quotes of one display (one picker per display).

    Attributes
    ----------
    study : LinkedStudy
    level : {"code", "category"}
    pinned : pandas.DataFrame or None
        From :func:`load_pinned_quotes`; a pinned quote of a theme wins in every
        cell whose cases include its case.
    used : set
        Segments ``(doc_id, text)`` already quoted in this display.
    """

    study: LinkedStudy
    level: str = "code"
    pinned: pd.DataFrame | None = None
    used: set[tuple[str, str]] = field(default_factory=set)

    def pick(self, theme: str, case_ids: list[str]) -> dict[str, str] | None:
        """The quote of ``theme`` among ``case_ids`` not yet used, or None.

        Returns a mapping with ``quote``, ``attribution``, ``language``,
        ``translation``, ``doc_id`` and ``segment_id``.
        """
        pinned = self._pinned(theme, case_ids)
        if pinned is not None:
            return pinned
        codings = self.study.codings
        if not len(codings):
            return None
        if self.level == "category":
            codings = codings[codings["category_id"] == theme].assign(code_id=theme)
        else:
            codings = codings[codings["code_id"] == theme]
        codings = codings[codings["case_id"].isin(case_ids)]
        if not len(codings):
            return None
        found = find_quotes(codings, theme, n=len(codings), cases=self._cases(),
                            outcome_labels=(self.study.outcome_label,
                                            self.study.no_outcome_label),
                            min_words=MIN_QUOTE_WORDS)
        for row in found.itertuples(index=False):
            key = (str(row.doc_id), " ".join(str(row.quote).split()))
            if key in self.used:
                continue
            self.used.add(key)
            return {"quote": str(row.quote), "attribution": str(row.attribution),
                    "language": self._language(str(row.doc_id)), "translation": "",
                    "doc_id": str(row.doc_id), "segment_id": str(row.segment_id)}
        return None

    def _pinned(self, theme: str, case_ids: list[str]) -> dict[str, str] | None:
        if self.pinned is None or not len(self.pinned):
            return None
        rows = self.pinned[(self.pinned["theme"] == theme)
                           & self.pinned["case_id"].isin(case_ids)]
        for row in rows.to_dict("records"):
            text = " ".join(str(row["text"]).split())
            key = (str(row["doc_id"]), text)
            if key in self.used:
                continue
            self.used.add(key)
            one = pd.DataFrame({"doc_id": [row["doc_id"]], "case_id": [row["case_id"]],
                                "segment_id": [row["segment_id"]], "start": [0], "end": [1],
                                "text": [text], "code_id": [theme], "matched": [""]})
            attribution = find_quotes(one, theme, cases=self._cases(), min_words=0,
                                      outcome_labels=(self.study.outcome_label,
                                                      self.study.no_outcome_label),
                                      )["attribution"].iloc[0]
            return {"quote": text, "attribution": str(attribution),
                    "language": str(row["language"] or self._language(str(row["doc_id"]))),
                    "translation": str(row["translation"] or ""),
                    "doc_id": str(row["doc_id"]), "segment_id": str(row["segment_id"])}
        return None

    def _cases(self) -> pd.DataFrame:
        table = self.study.case_table
        return pd.DataFrame({"pattern": table["abbrev"], "outcome": table["outcome"]},
                            index=table.index)

    def _language(self, doc_id: str) -> str:
        return str(self.study.languages.get(doc_id) or "")


def quote_text(quote: dict[str, str] | None) -> str:
    """A quote as a display cell shows it: “text” — attribution, a language marker
    when it is not in the report's language, and its translation on the next line."""
    if quote is None:
        return ""
    language = quote.get("language") or ""
    marker = f" [{language}]" if language and language != QUOTE_LANGUAGE else ""
    text = f"“{quote['quote']}” — {quote['attribution']}{marker}"
    if quote.get("translation"):
        text += f"\n“{quote['translation']}” (translation)"
    return text
