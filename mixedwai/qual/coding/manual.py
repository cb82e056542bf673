"""Codings made by hand (NVivo, QualCoder ...), read and checked against the transcripts.

:func:`load_manual_codings` returns them in the codings schema of
:mod:`mixedwai.qual.coding.apply` (``source = "manual"``), ready for
:func:`mixedwai.qual.coding.apply.merge_codings`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from mixedwai._validation import (
    check_choice,
    format_problems,
    raise_problems,
    require_columns,
    row_number,
)
from mixedwai.errors import CodebookError, DataValueError, MixedWAIWarning
from mixedwai.qual.coding.schema import UNITS, _as_transcripts, _code_ids, _frame, _name_of

if TYPE_CHECKING:
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.qual.transcripts.model import Segment, Transcript

__all__ = ["load_manual_codings"]


def load_manual_codings(
    path_or_frame: str | os.PathLike[str] | pd.DataFrame,
    corpus: Corpus | Iterable[Transcript],
    codebook: Codebook,
    *,
    coder_col: str = "coder",
    unit: str = "turn",
) -> pd.DataFrame:
    """Read codings made by hand and check them against the transcripts.

    Parameters
    ----------
    path_or_frame : str, path or DataFrame
        A table (CSV, XLSX ... read with :func:`mixedwai.io.read_table`) with the
        columns ``doc_id``, ``start``, ``end``, ``code_id`` and the coder column.
        ``start``/``end`` are character offsets in the transcript text, end
        exclusive (Python slicing), as NVivo/QualCoder exports give them.
    corpus : Corpus or iterable of Transcript
        The transcripts the offsets refer to.
    codebook : Codebook
        Every ``code_id`` must be one of its codes.
    coder_col : str, default="coder"
        Column naming who coded each row.
    unit : {"turn", "paragraph", "sentence"}, default="turn"
        Segmentation used for ``segment_id``/``speaker``/``role``: those of the
        segment of this unit that holds ``start`` (or the next one when ``start``
        falls between segments, e.g. on a speaker label).

    Returns
    -------
    pandas.DataFrame
        Codings in the schema of :data:`CODING_COLUMNS`, in the file's row order:
        text is the transcript's ``text[start:end]``, matched is empty, source is
        ``"manual"``, coder comes from the file. When the file has a ``memo``
        column, it is kept as a last column ``memo``. ``attrs["before_first_speaker"]``
        lists the rows whose span starts before the first speaker turn (in a title
        or header); they are kept and a :class:`~mixedwai.errors.MixedWAIWarning`
        says so.

    Notes
    -----
    An optional ``text`` column holds the text the coder selected. Each row's
    ``text[start:end]`` must equal it (white space compared loosely). When it does
    not, the message says where the selected text is and, when the distance is the
    number of line ends or a byte-order mark before the span, that the offsets were
    counted with CR LF line ends or a byte-order mark: such a row is an error, not
    imported as the wrong span.

    Raises
    ------
    ColumnError
        A required column is missing.
    DataValueError
        Rows with an unknown doc_id, offsets that are not whole numbers or not
        within ``0 <= start < end <= len(text)``, a ``text`` that is not the
        transcript's ``text[start:end]``, or an empty coder (every bad
        row is listed with its spreadsheet row number; unknown codes are listed
        too).
    CodebookError
        The only problems are codes that are not in the codebook.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> from mixedwai.qual.codebook.model import Codebook
    >>> t = Transcript.from_text("Interviewer: How was it?\\nES: We trusted each other.",
    ...                          doc_id="ES1_C1")
    >>> cb = Codebook.model_validate({"name": "demo", "version": "1", "language": "en",
    ...     "unit": "turn", "categories": [{"id": "alliance", "label": "Alliance",
    ...     "codes": [{"id": "bond", "label": "Bond", "definition": "Trust."}]}]})
    >>> start = t.text.index("We")
    >>> manual = pd.DataFrame({"doc_id": ["ES1_C1"], "start": [start],
    ...     "end": [start + 10], "code_id": ["bond"], "coder": ["AL"]})
    >>> load_manual_codings(manual, [t], cb)[["text", "role", "source", "coder"]]
             text role  source coder
    0  We trusted   ES  manual    AL
    """
    from mixedwai.io import read_table

    check_choice("unit", unit, UNITS)
    if isinstance(path_or_frame, pd.DataFrame):
        table = path_or_frame
        source = str(table.attrs.get("source", "manual codings"))
    else:
        table = read_table(path_or_frame)
        source = str(table.attrs.get("source", os.fspath(path_or_frame)))
    table = table.reset_index(drop=True)
    table.attrs["source"] = source
    require_columns(table, ["doc_id", "start", "end", "code_id", coder_col])
    transcripts = {str(t.doc_id): t for t in _as_transcripts(corpus)}
    code_ids = _code_ids(codebook)
    category_of = {
        str(code.id): str(category) for code, category, *_ in codebook.iter_codes()
    }
    known_codes = set(code_ids)

    has_text = "text" in table.columns
    has_memo = "memo" in table.columns
    memos: list[str] = []
    before_first: list[str] = []
    problems: list[str] = []
    code_problems: list[str] = []
    out: list[tuple[Any, ...]] = []
    segments_cache: dict[str, tuple[list[Any], list[int]]] = {}
    for position, row in enumerate(table.itertuples(index=False)):
        record = dict(zip(table.columns, row, strict=False))
        where = f"row {row_number(position)}"
        doc_id = _cell_text(record["doc_id"])
        code_id = _cell_text(record["code_id"])
        coder = _cell_text(record[coder_col])
        row_problems: list[str] = []
        transcript = transcripts.get(doc_id) if doc_id else None
        if not doc_id:
            row_problems.append(f"{where}: doc_id is empty")
        elif transcript is None:
            known = ", ".join(sorted(transcripts)[:10]) + (" ..." if len(transcripts) > 10 else "")
            row_problems.append(
                f"{where}: doc_id {doc_id!r} is not a transcript of the corpus (known: {known})"
            )
        start = _cell_int(record["start"])
        end = _cell_int(record["end"])
        for name, value, raw in (("start", start, record["start"]), ("end", end, record["end"])):
            if value is None:
                row_problems.append(
                    f"{where} (doc {doc_id}): {name} = {_show(raw)} is not a whole number"
                )
        if transcript is not None and start is not None and end is not None:
            length = len(transcript.text)
            if not 0 <= start < end <= length:
                selected = _cell_raw_text(record["text"]) if has_text else ""
                hint = f"; {_explain_shift(transcript.text, start, selected)}" if selected else ""
                row_problems.append(
                    f"{where} (doc {doc_id}): start = {start}, end = {end}; expected "
                    f"0 <= start < end <= {length} (the length of the transcript text){hint}"
                )
        if (has_text and transcript is not None and start is not None and end is not None
                and 0 <= start < end <= len(transcript.text)):  # fmt: skip
            selected = _cell_raw_text(record["text"])
            if selected and _squeeze(transcript.text[start:end]) != _squeeze(selected):
                row_problems.append(
                    f"{where} (doc {doc_id}): text[{start}:{end}] is "
                    f"{_clip(transcript.text[start:end])!r}, not the selected text "
                    f"{_clip(selected)!r}; {_explain_shift(transcript.text, start, selected)}"
                )
        if not coder:
            row_problems.append(f"{where} (doc {doc_id}): {coder_col} is empty")
        if code_id not in known_codes:
            code_problems.append(
                f"{where} (doc {doc_id}): code_id {code_id!r} is not a code of codebook "
                f"{_name_of(codebook)!r}"
            )
        if row_problems:
            problems.extend(row_problems)
            continue
        if code_id not in known_codes:
            continue
        if doc_id not in segments_cache:
            segments = sorted(transcript.segments(unit), key=lambda s: (s.start, s.end))
            segments_cache[doc_id] = (segments, [s.start for s in segments])
        segments, starts = segments_cache[doc_id]
        segment = _segment_at(segments, starts, start)
        preamble = len(transcript.preamble) if transcript.turns else 0
        if start < preamble:
            before_first.append(
                f"{where} (doc {doc_id}): starts at {start}, before the line of the first "
                f"speaker turn (at {preamble}); it is given to the first segment"
            )
        if has_memo:
            memos.append(_cell_raw_text(record["memo"]))
        out.append(
            (
                doc_id,
                getattr(transcript, "case_id", None),
                None if segment is None else segment.id,
                None if segment is None else segment.speaker,
                None if segment is None else segment.role,
                start,
                end,
                transcript.text[start:end],
                code_id,
                category_of[code_id],
                "",
                False,
                "manual",
                coder,
            )
        )
    if problems:
        known = ", ".join(code_ids[:30]) + (" ..." if len(code_ids) > 30 else "")
        extra = [f"{p} (codes: {known})" for p in code_problems]
        raise_problems(
            DataValueError,
            f"{source}: manual codings that do not fit the transcripts or the codebook",
            sorted([*problems, *extra], key=_row_key),
        )
    if code_problems:
        known = ", ".join(code_ids[:30]) + (" ..." if len(code_ids) > 30 else "")
        raise_problems(
            CodebookError,
            f"{source}: manual codings use codes that are not in codebook "
            f"{_name_of(codebook)!r} (its codes: {known})",
            code_problems,
        )
    frame = _frame(out)
    if has_memo:
        frame["memo"] = pd.Series(memos, dtype=object)
    frame.attrs["source"] = source
    frame.attrs["before_first_speaker"] = before_first
    if before_first:
        warnings.warn(
            f"{source}: {len(before_first)} coding(s) start before the first speaker turn (in "
            "a title or header):\n" + format_problems(before_first),
            MixedWAIWarning, stacklevel=2,
        )
    return frame


def _row_key(problem: str) -> tuple[int, str]:
    try:
        return int(problem.split()[1].rstrip(":")), problem
    except (IndexError, ValueError):
        return 0, problem


def _segment_at(segments: list[Any], starts: list[int], offset: int) -> Segment | None:
    from bisect import bisect_right

    if not segments:
        return None
    i = bisect_right(starts, offset) - 1
    if i >= 0 and segments[i].end > offset:
        return segments[i]
    if i + 1 < len(segments):
        return segments[i + 1]  # on a label or blank between segments: the next one
    return segments[i]


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if value is pd.NA:
        return ""
    return str(value).strip()


def _cell_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _cell_text(value)
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _cell_raw_text(value: Any) -> str:
    """A cell's text as written (white space kept; empty for a missing cell)."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _explain_shift(text: str, start: int, selected: str) -> str:
    """Where the selected text is, and whether CR LF or a byte-order mark explains the shift."""
    probe = selected.strip().replace("\r\n", "\n")
    found = [m for m in _occurrences(text, probe)]
    if not found:
        return "the selected text is nowhere in the transcript (is it the right document?)"
    nearest = min(found, key=lambda i: abs(i - start))
    shift = start - nearest
    reasons = []
    if shift <= 0:
        pass
    elif shift == text.count("\n", 0, nearest):
        reasons.append("the offsets count CR LF line ends as two characters")
    if shift == 1:
        reasons.append("the offsets count a byte-order mark")
    if shift == text.count("\n", 0, nearest) + 1:
        reasons.append("the offsets count a byte-order mark and CR LF line ends as two")
    why = f" ({'; or '.join(reasons)}; recount them on the text as mixedwai reads it)" \
        if reasons else ""
    return f"the selected text starts at {nearest}, {shift:+d} from start{why}"


def _occurrences(text: str, probe: str) -> list[int]:
    found, index = [], text.find(probe)
    while index != -1 and len(found) < 1000:
        found.append(index)
        index = text.find(probe, index + 1)
    return found


def _show(value: Any) -> str:
    text = _cell_text(value)
    return repr(text) if text else "(empty)"
