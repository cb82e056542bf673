"""Text sources of a project: their plain text, their transcripts' metadata, their codings.

What :func:`~mixedwai.exchange.reading.read_qdpx` makes of each text source, and what
:mod:`mixedwai.exchange.folder` writes: the text decoded with its byte-order mark and
line ends kept (positions are counted on it), the metadata of its transcript and the
front matter that carries it in a ``.txt`` file, and the codings table of its checked
selections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["codings_table", "decode_plain_text", "front_matter", "transcript_metadata"]


def transcript_metadata(
    doc_id: str, source_name: str, case_name: str | None, default_speaker: str,
    variables: Mapping[str, Any],
) -> dict[str, Any]:
    """The metadata of an imported transcript (also written as the front matter of its file)."""
    metadata: dict[str, Any] = {"doc_id": doc_id, "source_name": source_name}
    if case_name is not None:
        metadata["case_id"] = case_name
    metadata["default_speaker"] = default_speaker
    if variables:
        metadata["variables"] = dict(variables)
    return metadata


def front_matter(metadata: Mapping[str, Any]) -> str:
    """The YAML front matter block (``---`` lines included) of a transcript's text file.

    Examples
    --------
    >>> print(front_matter({"doc_id": "ES1_C1", "default_speaker": "speaker"}), end="")
    ---
    doc_id: ES1_C1
    default_speaker: speaker
    ---
    """
    import yaml

    block = yaml.safe_dump(dict(metadata), sort_keys=False, allow_unicode=True,
                           default_flow_style=False, width=1000)  # fmt: skip
    return f"---\n{block}---\n"


def codings_table(
    rows: list[tuple[str, int, int, str, str]], corpus: Any, codebook: Any, *, unit: str
) -> Any:
    """The codings table of checked selections ``(doc_id, start, end, code_id, coder)``.

    Each coding gets the segment (of ``unit``) that holds its start, or the next one
    when the start falls between segments (on a label), as
    :func:`mixedwai.load_manual_codings` does; here vectorised, for projects with
    hundreds of thousands of selections.
    """
    import numpy as np

    from mixedwai.qual.coding.schema import _frame

    if not rows or codebook is None:
        return _frame([])
    category_of = {code.id: category for code, category, *_ in codebook.iter_codes()}
    by_doc: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        by_doc.setdefault(row[0], []).append(position)
    segment_of: list[Any] = [None] * len(rows)
    for doc_id, positions in by_doc.items():
        segments = sorted(corpus[doc_id].segments(unit), key=lambda s: (s.start, s.end))
        if not segments:
            continue
        starts = np.array([seg.start for seg in segments])
        ends = np.array([seg.end for seg in segments])
        offsets = np.array([rows[p][1] for p in positions])
        index = np.searchsorted(starts, offsets, side="right") - 1
        inside = (index >= 0) & (ends[np.maximum(index, 0)] > offsets)
        chosen = np.where(inside, index, np.minimum(index + 1, len(segments) - 1))
        for position, k in zip(positions, chosen.tolist(), strict=True):
            segment_of[position] = segments[k]
    texts = {t.doc_id: t for t in corpus}
    out = []
    for (doc_id, start, end, code_id, coder), segment in zip(rows, segment_of, strict=True):
        transcript = texts[doc_id]
        out.append((
            doc_id, transcript.case_id, None if segment is None else segment.id,
            None if segment is None else segment.speaker,
            None if segment is None else segment.role, start, end,
            transcript.text[start:end], code_id, category_of[code_id], "", False, "manual", coder,
        ))
    return _frame(out)


def decode_plain_text(data: bytes) -> str:
    """Decode a plain text member, keeping its byte-order mark and line ends."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "\ufeff" + data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "\ufeff" + data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")
