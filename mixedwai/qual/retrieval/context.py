"""Codings with the turns around them, and one readable document per code.

:func:`codings_in_context` gives every coding of a code (not only the quotes) with
the turn that holds it and N turns before and after; :func:`code_document` lays
them out as Markdown, HTML or Word, what NVivo calls opening a node. The functions
return text or bytes; the command ``mixedwai context`` writes the files.
"""

from __future__ import annotations

import bisect
import html
import io
from collections.abc import Iterable
from typing import Any

import pandas as pd

from mixedwai._validation import check_choice, check_range, format_problems
from mixedwai.errors import CodebookError, DataValueError
from mixedwai.ids import display_case_id
from mixedwai.io import FORMULA_STARTS, fixed_zip_times
from mixedwai.qual.retrieval.codings import _case_keys, _require

__all__ = ["CONTEXT_COLUMNS", "FORMATS", "code_document", "codings_in_context", "typed_codings"]

#: Columns of :func:`codings_in_context`.
CONTEXT_COLUMNS = (
    "code_id", "doc_id", "case_id", "segment_id", "speaker", "role", "start", "end", "text",
    "turn", "turn_start", "turn_end", "before", "after", "coder", "source",
)  # fmt: skip
#: Formats of :func:`code_document`.
FORMATS = ("markdown", "html", "docx")

_TURN_SEPARATOR = "\n"


def _turn_lines(turns: Iterable[Any]) -> str:
    return _TURN_SEPARATOR.join(f"{t.speaker}: {' '.join(t.text.split())}" for t in turns)


def codings_in_context(
    codings: pd.DataFrame,
    corpus: Any,
    *,
    code_id: str | Iterable[str] | None = None,
    before: int = 1,
    after: int = 1,
) -> pd.DataFrame:
    """Every coding with its turn and the turns before and after it.

    Parameters
    ----------
    codings : pandas.DataFrame
        A codings table (from ``code_corpus``, ``load_manual_codings``, a search).
    corpus : Corpus, Transcript or list of Transcript
        The transcripts the codings were made on (offsets must slice their text).
    code_id : str or list of str, optional
        Only these codes (default: every code).
    before, after : int, default=1
        Turns shown before and after the turn holding the coding.

    Returns
    -------
    pandas.DataFrame
        One row per distinct coding (code, document, start, end; the same span coded
        by two coders gives two rows), by code (in the order found), document and
        position. Columns: code_id, doc_id, case_id, segment_id, speaker, role,
        start, end, text, turn (0-based index of the turn holding the coding),
        turn_start, turn_end (the turn's offsets), before and after (the context
        turns, one ``"Speaker: text"`` line each), coder, source (missing when the
        table has no such column).

    Raises
    ------
    ColumnError
        ``codings`` lacks doc_id, start, end or code_id.
    OptionError
        Negative ``before`` / ``after``.
    CodebookError
        A ``code_id`` asked for has no coding.
    DataValueError
        Codings of documents that are not in ``corpus``, or whose offsets do not
        slice the transcript's text (the transcripts changed since coding); every
        such row is listed.

    Examples
    --------
    >>> import mixedwai as mw
    >>> corpus = mw.load_corpus("sample_corpus/transcripts/ES03_C01.txt")
    >>> codings = mw.search(corpus, "trust").to_codings("trust")
    >>> table = mw.codings_in_context(codings, corpus, before=1, after=0)
    >>> print(table.loc[0, "before"][:60])
    Interviewer: How would you describe the bond between you two
    """
    _require(codings, ["doc_id", "start", "end", "code_id"], "codings_in_context")
    check_range("before", before, low=0, integer=True)
    check_range("after", after, low=0, integer=True)
    rows = codings
    if code_id is not None:
        wanted = [code_id] if isinstance(code_id, str) else [str(c) for c in code_id]
        present = set(rows["code_id"].astype(str))
        missing = [c for c in wanted if c not in present]
        if missing:
            raise CodebookError(
                f"codings_in_context: no coding of code(s) {', '.join(map(repr, missing))}; "
                f"codes with codings: {', '.join(sorted(present)) or '(none)'}"
            )
        rows = rows[rows["code_id"].astype(str).isin(wanted)]
    transcripts = {str(t.doc_id): t for t in ([corpus] if hasattr(corpus, "turns") else corpus)}
    keys = ["code_id", "doc_id", "start", "end"] + (["coder"] if "coder" in rows.columns else [])
    rows = rows.drop_duplicates(keys)
    order = {c: i for i, c in enumerate(dict.fromkeys(rows["code_id"].astype(str)))}
    rows = rows.assign(_order=rows["code_id"].astype(str).map(order), _case=_case_keys(rows))
    rows = rows.sort_values(["_order", "doc_id", "start", "end"], kind="mergesort")
    problems: list[str] = []
    out = []
    turn_starts: dict[str, list[int]] = {}
    for position, row in enumerate(rows.itertuples(index=False)):
        doc_id = str(row.doc_id)
        transcript = transcripts.get(doc_id)
        where = f"row {position + 1} (code {row.code_id}, document {doc_id})"
        if transcript is None:
            problems.append(f"{where}: document not in the corpus")
            continue
        start, end = int(row.start), int(row.end)
        text = transcript.text[start:end] if 0 <= start <= end <= len(transcript.text) else None
        expected = getattr(row, "text", None)
        if text is None or (isinstance(expected, str) and text != expected):
            problems.append(f"{where}: offsets {start}..{end} do not slice the coded text "
                            "from the transcript")
            continue
        turns = transcript.turns
        starts = turn_starts.get(doc_id)
        if starts is None:
            starts = turn_starts[doc_id] = [t.start for t in turns]
        k = bisect.bisect_right(starts, start) - 1
        if k < 0 or start >= max(turns[k].end, turns[k].start + 1):
            k = None
        if k is None:
            problems.append(f"{where}: offsets {start}..{end} are in no turn")
            continue
        turn = turns[k]
        out.append((
            str(row.code_id), doc_id, getattr(row, "case_id", None) or transcript.case_id,
            getattr(row, "segment_id", None), turn.speaker, turn.role, start, end, text, k,
            turn.start, turn.end, _turn_lines(turns[max(0, k - before) : k]),
            _turn_lines(turns[k + 1 : k + 1 + after]), getattr(row, "coder", None),
            getattr(row, "source", None),
        ))  # fmt: skip
    if problems:
        raise DataValueError(
            f"codings_in_context: {len(problems)} coding(s) cannot be placed in the "
            f"transcripts:\n{format_problems(problems)}"
        )
    table = pd.DataFrame(out, columns=list(CONTEXT_COLUMNS))
    for column in ("start", "end", "turn", "turn_start", "turn_end"):
        table[column] = table[column].astype("int64")
    table.attrs.update({"before": int(before), "after": int(after)})
    return table


def typed_codings(frame: pd.DataFrame) -> pd.DataFrame:
    """A codings table read back from a file, with integer offsets.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with at least doc_id, start, end and code_id (a ``codings.csv``
        written by ``mixedwai code`` or ``mixedwai search``, read with
        :func:`mixedwai.io.read_table`, whose cells are text).

    Returns
    -------
    pandas.DataFrame
        The same table with ``start`` and ``end`` as int64, and text cells that
        :func:`mixedwai.io.write_csv` made inert for spreadsheets (``'=...``,
        ``'-...``) given back their text.

    Raises
    ------
    ColumnError
        A required column is missing.
    DataValueError
        Offsets that are not whole numbers >= 0, or an end before its start; every
        such row is listed (rows numbered as in a spreadsheet, header = row 1).

    Examples
    --------
    >>> import pandas as pd
    >>> typed_codings(pd.DataFrame({"doc_id": ["a"], "start": ["3"], "end": ["9"],
    ...                             "code_id": ["bond"]}))["end"].tolist()
    [9]
    """
    _require(frame, ["doc_id", "start", "end", "code_id"], "codings")
    source = frame.attrs.get("source", "codings")
    problems = []
    values: dict[str, list[int]] = {"start": [], "end": []}
    for position, (start, end) in enumerate(zip(frame["start"], frame["end"], strict=True)):
        row = []
        for name, value in (("start", start), ("end", end)):
            try:
                number = float(value)
                ok = number.is_integer() and number >= 0
            except (TypeError, ValueError):
                ok = False
            if not ok:
                problems.append(f"row {position + 2}: {name} = {value!r} is not a whole "
                                "number >= 0")
                row.append(0)
            else:
                row.append(int(number))
        if len(row) == 2 and row[1] < row[0]:
            problems.append(f"row {position + 2}: end {row[1]} is before start {row[0]}")
        values["start"].append(row[0])
        values["end"].append(row[1])
    if problems:
        raise DataValueError(f"{source}: bad character offsets:\n{format_problems(problems)}")
    typed = frame.copy()
    for column in typed.columns:  # undo write_csv's neutralised formulas ('=x -> =x)
        cells = typed[column]
        if column not in ("start", "end") and (
            cells.dtype == object or pd.api.types.is_string_dtype(cells)
        ):
            typed[column] = typed[column].map(_unneutralised)
    typed["start"] = pd.Series(values["start"], index=frame.index, dtype="int64")
    typed["end"] = pd.Series(values["end"], index=frame.index, dtype="int64")
    return typed


def _unneutralised(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(
        FORMULA_STARTS
    ):
        return value[1:]
    return value


# -- documents ---------------------------------------------------------------------------


def _pieces(corpus_text: str, row: Any) -> tuple[str, str, str]:
    """The coding's turn in three parts: before the coded text, the text, after it."""
    return (
        corpus_text[row.turn_start : row.start], corpus_text[row.start : row.end],
        corpus_text[row.end : row.turn_end],
    )  # fmt: skip


def _title(code_id: str, codebook: Any) -> str:
    if codebook is None:
        return f"Code {code_id}"
    try:
        label = codebook.code(code_id).label
    except (CodebookError, KeyError):
        return f"Code {code_id}"
    return f"Code {code_id}: {label}"


def _heading(row: Any) -> str:
    case = display_case_id(row.case_id) if isinstance(row.case_id, str) and row.case_id else ""
    who = f"{case}, " if case else ""
    if case and case == str(row.doc_id):
        who = ""
    coder = f", coder {row.coder}" if isinstance(row.coder, str) and row.coder else ""
    return f"{who}{row.doc_id}, turn {row.turn} (characters {row.start}-{row.end}{coder})"


def _summary(table: pd.DataFrame) -> str:
    n_docs = table["doc_id"].nunique()
    cases = table["case_id"].fillna(table["doc_id"]).nunique()
    before, after = table.attrs.get("before", 1), table.attrs.get("after", 1)
    return (f"{len(table)} coding(s) in {n_docs} document(s), {cases} case(s). Context: "
            f"{before} turn(s) before and {after} after; the coded text is in bold.")


def code_document(
    context: pd.DataFrame,
    corpus: Any,
    code_id: str,
    *,
    format: str = "markdown",
    codebook: Any = None,
) -> str | bytes:
    """One code's codings in context as a readable document.

    Parameters
    ----------
    context : pandas.DataFrame
        The table of :func:`codings_in_context`.
    corpus : Corpus, Transcript or list of Transcript
        The transcripts (for the text of each coding's turn).
    code_id : str
        The code.
    format : {"markdown", "html", "docx"}, default="markdown"
    codebook : Codebook, optional
        Adds the code's label and definition.

    Returns
    -------
    str or bytes
        Markdown or HTML text, or the bytes of a Word document (deterministic:
        fixed dates, so the same codings give the same bytes).

    Raises
    ------
    OptionError
        Unknown ``format``.
    CodebookError
        ``code_id`` has no row in ``context``.

    Examples
    --------
    >>> import mixedwai as mw
    >>> corpus = mw.load_corpus("sample_corpus/transcripts/ES03_C01.txt")
    >>> codings = mw.search(corpus, "trust").to_codings("trust")
    >>> table = mw.codings_in_context(codings, corpus, before=0, after=0)
    >>> print(mw.code_document(table, corpus, "trust").splitlines()[0])
    # Code trust
    """
    check_choice("format", format, FORMATS)
    rows = context[context["code_id"].astype(str) == str(code_id)]
    if not len(rows):
        raise CodebookError(
            f"code_document: no coding of code {code_id!r} in the table; codes: "
            f"{', '.join(dict.fromkeys(context['code_id'].astype(str))) or '(none)'}"
        )
    rows = rows.copy()
    rows.attrs = dict(context.attrs)
    texts = {str(t.doc_id): t.text for t in ([corpus] if hasattr(corpus, "turns") else corpus)}
    definition = ""
    if codebook is not None:
        try:
            definition = " ".join(str(codebook.code(code_id).definition).split())
        except (CodebookError, KeyError):
            definition = ""
    if format == "markdown":
        return _markdown(rows, texts, code_id, codebook, definition)
    if format == "html":
        return _html(rows, texts, code_id, codebook, definition)
    return _docx(rows, texts, code_id, codebook, definition)


def _md_escape(text: str) -> str:
    text = " ".join(text.split())
    for ch in ("\\", "*", "`", "<"):
        text = text.replace(ch, "\\" + ch)
    return text


def _markdown(rows: pd.DataFrame, texts: dict[str, str], code_id: str, codebook: Any,
              definition: str) -> str:
    lines = [f"# {_md_escape(_title(code_id, codebook))}", ""]
    if definition:
        lines += [f"*{_md_escape(definition)}*", ""]
    lines += [_summary(rows), ""]
    for row in rows.itertuples(index=False):
        lines += [f"## {_md_escape(_heading(row))}", ""]
        for line in filter(None, row.before.split(_TURN_SEPARATOR)):
            speaker, _, said = line.partition(": ")
            lines += [f"> **{_md_escape(speaker)}:** {_md_escape(said)}", ">"]
        left, coded, right = _pieces(texts[row.doc_id], row)
        body = " ".join(p for p in (_md_escape(left), f"**{_md_escape(coded)}**",
                                    _md_escape(right)) if p.strip("*"))
        lines += [f"> **{_md_escape(row.speaker)}:** {body}"]
        for line in filter(None, row.after.split(_TURN_SEPARATOR)):
            speaker, _, said = line.partition(": ")
            lines += [">", f"> **{_md_escape(speaker)}:** {_md_escape(said)}"]
        lines.append("")
    return "\n".join(lines)


def _html(rows: pd.DataFrame, texts: dict[str, str], code_id: str, codebook: Any,
          definition: str) -> str:
    esc = html.escape
    title = esc(_title(code_id, codebook))
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{title}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:auto}"
        "blockquote{border-left:3px solid #999;margin:0 0 1.5em;padding:0 1em}"
        ".context{color:#555}mark{background:#ffe680}</style>",
        "</head>", "<body>", f"<h1>{title}</h1>",
    ]  # fmt: skip
    if definition:
        parts.append(f"<p><em>{esc(definition)}</em></p>")
    parts.append(f"<p>{esc(_summary(rows))}</p>")
    for row in rows.itertuples(index=False):
        parts += [f"<h2>{esc(_heading(row))}</h2>", "<blockquote>"]
        for line in filter(None, row.before.split(_TURN_SEPARATOR)):
            speaker, _, said = line.partition(": ")
            parts.append(f'<p class="context"><strong>{esc(speaker)}:</strong> {esc(said)}</p>')
        left, coded, right = (" ".join(p.split()) for p in _pieces(texts[row.doc_id], row))
        parts.append(f"<p><strong>{esc(row.speaker)}:</strong> {esc(left)} "
                     f"<mark><strong>{esc(coded)}</strong></mark> {esc(right)}</p>")
        for line in filter(None, row.after.split(_TURN_SEPARATOR)):
            speaker, _, said = line.partition(": ")
            parts.append(f'<p class="context"><strong>{esc(speaker)}:</strong> {esc(said)}</p>')
        parts.append("</blockquote>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _docx(rows: pd.DataFrame, texts: dict[str, str], code_id: str, codebook: Any,
          definition: str) -> bytes:
    import datetime

    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import RGBColor

    document = Document()
    fixed = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    properties = document.core_properties
    properties.author = properties.last_modified_by = "mixedwai"
    properties.created = properties.modified = fixed
    properties.title = _title(code_id, codebook)
    properties.revision = 1
    document.add_heading(_title(code_id, codebook), level=1)
    if definition:
        document.add_paragraph().add_run(definition).italic = True
    document.add_paragraph(_summary(rows))
    grey = RGBColor(0x55, 0x55, 0x55)

    def context_lines(block: str) -> None:
        for line in filter(None, block.split(_TURN_SEPARATOR)):
            speaker, _, said = line.partition(": ")
            paragraph = document.add_paragraph()
            label = paragraph.add_run(f"{speaker}: ")
            label.bold = True
            label.font.color.rgb = grey
            paragraph.add_run(said).font.color.rgb = grey

    for row in rows.itertuples(index=False):
        document.add_heading(_heading(row), level=2)
        context_lines(row.before)
        left, coded, right = (" ".join(p.split()) for p in _pieces(texts[row.doc_id], row))
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{row.speaker}: ").bold = True
        if left:
            paragraph.add_run(left + " ")
        run = paragraph.add_run(coded)
        run.bold = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if right:
            paragraph.add_run(" " + right)
        context_lines(row.after)
    stream = io.BytesIO()
    document.save(stream)
    return fixed_zip_times(stream.getvalue())

