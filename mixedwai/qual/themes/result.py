"""The result of inductive theme suggestion, the tables it holds, and its review document.

:class:`ThemeSuggestions` is what :func:`mixedwai.qual.themes.suggest.suggest_themes`
returns; :func:`_themes_frame`, :func:`_representative` and :func:`_assignments`
build its tables from the NMF factors; :meth:`ThemeSuggestions.to_yaml_document`
writes the review file's text, one entry per theme with a decision, a code id
(:func:`default_code_id`), label, lemmas and examples.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mixedwai.errors import OptionError
from mixedwai.qual.themes.nmf import _top_terms

if TYPE_CHECKING:
    from mixedwai.qual.transcripts.model import Segment

__all__ = ["DECIMALS", "ThemeSuggestions", "default_code_id"]

_ID_CHARS = re.compile(r"[^\w.\-]+")

#: Decimals kept for the weights and scores in the result tables.
DECIMALS = 6


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
            ``theme``, ``decision`` (``review``: not decided yet, which promotion
            refuses), ``id`` (a code id made of the
            top two terms, distinct from the codebook's ids), ``label``,
            ``definition`` (empty), ``lemmas`` (the top terms), ``into`` (null) and
            ``examples`` (the representative segments). Deterministic: the same
            suggestions give the same text.

        Examples
        --------
        >>> from mixedwai.qual.themes.suggest import suggest_themes
        >>> from mixedwai.qual.transcripts.model import Transcript
        >>> t = Transcript.from_text("ES: The bus was late. The late bus again. Her garden "
        ...                          "had roses. Roses filled the garden.", doc_id="es1-c1")
        >>> text = suggest_themes([t], segments="all", n_themes=2).to_yaml_document()
        >>> print("\\n".join(text[text.index("\\nthemes:"):].splitlines()[1:5]))
        themes:
          - theme: T01  # 2 segments, 1 case: ES1_C1
            decision: review  # accept | reject | merge
            id: bus_late
        """
        return _review_document(self)


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


_REVIEW_HEADER = """\
Candidate themes from `mixedwai themes` ({summary}).
Review each theme, then add the accepted ones to your codebook with
    mixedwai codebook promote CODEBOOK.yaml THIS_FILE.yaml
For each theme: change the decision from review to accept, reject or merge
(merge also needs into: the theme it joins, e.g. T03); promote refuses themes
left undecided. Edit id (the code id it will get), label and definition. lemmas become
the code's match rules: keep the specific ones. examples are the theme's most
representative segments, for reading.
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
        entry["decision"] = "review"  # promotion refuses it: a person decides
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
