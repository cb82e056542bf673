"""Writing REFI-QDA projects (``.qdpx``): :func:`write_qdpx`.

The project holds the transcripts as text sources (``Sources/<guid>.txt``, UTF-8
without byte-order mark, ``\\n`` line ends), the codebook as its code tree, every
coding as a coded selection made by its coder (one REFI user per coder; rule
codings are the user ``mixedwai``), the cases with their attributes as variables
and the notes as memos. GUIDs are derived from ids and nothing depends on the
clock, so the same inputs always give the same bytes. The file is valid against
the REFI-QDA project schema (``REFI-QDA-Project-mrt2019.xsd``).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from lxml import etree

from mixedwai.errors import ExchangeError, MixedWAIWarning
from mixedwai.exchange.archive import archive_bytes
from mixedwai.exchange.codebook import code_tree_elements
from mixedwai.exchange.positions import from_offsets
from mixedwai.exchange.project import NOTE_COLUMNS
from mixedwai.exchange.refi import PROJECT_NS, stable_guid

if TYPE_CHECKING:
    import pandas as pd

    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus
    from mixedwai.qual.transcripts.model import Transcript

__all__ = ["qdpx_bytes", "write_qdpx"]

_Q = f"{{{PROJECT_NS}}}"


def write_qdpx(
    path: str | os.PathLike[str],
    corpus: Corpus | Iterable[Transcript],
    *,
    codings: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    cases: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
    name: str | None = None,
    positions: Literal["codepoint", "utf16"] = "codepoint",
) -> None:
    """Write transcripts, codings, codebook, cases and notes as a REFI-QDA project.

    Parameters
    ----------
    path : str or path
        The ``.qdpx`` file (written atomically: never half-written).
    corpus, codings, codebook, cases, notes, name, positions
        As in :func:`qdpx_bytes`.

    Raises
    ------
    ExchangeError
        As in :func:`qdpx_bytes`; nothing is written.

    Examples
    --------
    >>> import mixedwai as mw, pathlib, tempfile
    >>> corpus = mw.Corpus([mw.Transcript.from_text("ES: We trust each other.", doc_id="ES1_C1")])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "study.qdpx"
    >>> mw.write_qdpx(path, corpus, codebook=mw.load_codebook("ross2008-en"))
    >>> mw.read_qdpx(path).corpus["ES1_C1"].text
    'ES: We trust each other.'
    """
    from mixedwai.io import write_bytes

    data = qdpx_bytes(corpus, codings=codings, codebook=codebook, cases=cases, notes=notes,
                      name=name, positions=positions)  # fmt: skip
    write_bytes(data, path)


def qdpx_bytes(
    corpus: Corpus | Iterable[Transcript],
    *,
    codings: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    cases: pd.DataFrame | None = None,
    notes: pd.DataFrame | None = None,
    name: str | None = None,
    positions: Literal["codepoint", "utf16"] = "codepoint",
) -> bytes:
    """A REFI-QDA project (the bytes of a ``.qdpx`` file) of transcripts, codings and more.

    Parameters
    ----------
    corpus : Corpus or iterable of Transcript
        One text source per transcript; its name is the ``doc_id``.
    codings : pandas.DataFrame, optional
        A codings table: at least ``doc_id``, ``start``, ``end``, ``code_id`` and
        ``coder``. Codings of the same span become one selection with one coding per
        code and coder.
    codebook : Codebook, optional
        Required when there are codings: every ``code_id`` must be one of its codes.
    cases : pandas.DataFrame, optional
        One row per case (index ``case_id``, or a ``case_id`` column); every other
        column becomes a variable (Boolean, Integer, Float or Text from its dtype).
        Cases that transcripts name and the table lacks are added without values.
    notes : pandas.DataFrame, optional
        Memos, columns of :data:`mixedwai.exchange.project.NOTE_COLUMNS` (``target``
        and ``text`` required). Notes on cases become the case's description.
    name : str, optional
        The project's name (default: the codebook's name, else ``"mixedwai study"``).
    positions : {"codepoint", "utf16"}, default="codepoint"
        How selection positions are counted: code points as the standard says, or
        UTF-16 code units for programs that count so (an emoji counts twice).

    Raises
    ------
    ExchangeError
        A coding names a transcript that is not in the corpus, has offsets outside
        its text, or a code that is not in the codebook; codings without a
        codebook; a note without target or text; an unknown ``positions``.

    Returns
    -------
    bytes
        The archive; the same inputs always give the same bytes.

    Examples
    --------
    >>> import mixedwai as mw
    >>> corpus = [mw.Transcript.from_text("ES: We trust each other.", doc_id="ES1_C1")]
    >>> qdpx_bytes(corpus)[:2]
    b'PK'
    """
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.coding.schema import _as_transcripts

    if positions not in ("codepoint", "utf16"):
        raise ExchangeError(f"positions = {positions!r}; expected 'codepoint' or 'utf16'")
    transcripts = _as_transcripts(corpus)
    by_id = {str(t.doc_id): t for t in transcripts}
    if codebook is not None and not isinstance(codebook, Codebook):
        raise ExchangeError(f"codebook: expected a Codebook, got {type(codebook).__name__}")
    codings = _checked_codings(codings, by_id, codebook)
    notes = _checked_notes(notes)

    users = sorted(set(codings["coder"]) | set(n for n in notes["author"] if n))
    user_guid = {u: stable_guid("user", u) for u in users}
    root = etree.Element(f"{_Q}Project", nsmap={None: PROJECT_NS})
    root.set("name", name or (codebook.name if codebook is not None else "mixedwai study"))
    root.set("origin", "mixedwai")
    if users:
        holder = _sub(root, "Users")
        for user in users:
            _sub(holder, "User", guid=user_guid[user], name=user)
    note_elements: list[Any] = []

    def note_ref(parent: Any, row: Any) -> None:
        guid = stable_guid("note", len(note_elements), row.target, row.text)
        note = etree.Element(f"{_Q}Note", guid=guid, name=str(row.title or ""))
        if row.author:
            note.set("creatingUser", user_guid[row.author])
        content = etree.SubElement(note, f"{_Q}PlainTextContent")
        content.text = str(row.text)
        note_elements.append(note)
        ref = etree.Element(f"{_Q}NoteRef", targetGUID=guid)
        sub_code = parent.find(f"{_Q}Code")
        if sub_code is not None:  # a code's NoteRefs come before its sub-codes
            sub_code.addprevious(ref)
        else:
            parent.append(ref)

    code_guids: dict[str, str] = {}
    if codebook is not None:
        holder = _sub(_sub(root, "CodeBook"), "Codes")
        for element in code_tree_elements(codebook, PROJECT_NS):
            holder.append(element)
        code_guids = {cid: stable_guid("code", cid) for cid in codebook.code_ids}
        code_guids.update({c.id: stable_guid("code", c.id) for c in codebook.categories})
        elements = {e.get("guid"): e for e in holder.iter(f"{_Q}Code")}
        code_notes = notes[notes["target"] == "code"]
        unknown = sorted({str(c) for c in code_notes["code_id"] if str(c) not in code_guids})
        if unknown:
            raise ExchangeError(
                f"notes on codes that are not in the codebook: {', '.join(unknown)}"
            )
        for row in code_notes.itertuples(index=False):
            note_ref(elements[code_guids[str(row.code_id)]], row)
    elif (notes["target"] == "code").any():
        raise ExchangeError("notes on codes given without a codebook; pass codebook=")

    case_table = _case_table(cases, transcripts)
    variables = _variables(case_table)
    if variables:
        holder = _sub(root, "Variables")
        for column, (guid, kind) in variables.items():
            _sub(holder, "Variable", guid=guid, name=str(column), typeOfVariable=kind)

    if len(case_table):
        holder = _sub(root, "Cases")
        case_notes = notes[notes["target"] == "case"]
        for case_id, row in case_table.iterrows():
            case = _sub(holder, "Case", guid=stable_guid("case", case_id), name=str(case_id))
            texts = [str(t) for t in case_notes.loc[case_notes["case_id"] == case_id, "text"]]
            if texts:
                _sub(case, "Description").text = "\n\n".join(texts)
            for column, (guid, kind) in variables.items():
                _variable_value(case, guid, kind, row[column])
            for t in transcripts:
                if t.case_id == case_id:
                    _sub(case, "SourceRef", targetGUID=stable_guid("source", t.doc_id))

    members: dict[str, bytes] = {}
    sources = _sub(root, "Sources")
    ordered = codings.sort_values(["doc_id", "start", "end", "code_id", "coder"], kind="stable")
    grouped = {doc: frame for doc, frame in ordered.groupby("doc_id", sort=True)}
    for transcript in sorted(transcripts, key=lambda t: str(t.doc_id)):
        doc_id = str(transcript.doc_id)
        guid = stable_guid("source", doc_id)
        members[f"Sources/{guid}.txt"] = transcript.text.encode("utf-8")
        source = _sub(sources, "TextSource", guid=guid, name=doc_id,
                      plainTextPath=f"internal://{guid}.txt")
        doc_notes = notes[notes["doc_id"] == doc_id]
        spans = _spans(grouped.get(doc_id), doc_notes[doc_notes["target"] == "selection"])
        if spans:
            keys = sorted(spans)
            starts = from_offsets(transcript.text, [k[0] for k in keys], counting=positions)
            ends = from_offsets(transcript.text, [k[1] for k in keys], counting=positions)
            for (start, end), p_start, p_end in zip(keys, starts.tolist(), ends.tolist(),
                                                    strict=True):
                items, span_notes = spans[(start, end)]
                attrib = {"guid": stable_guid("selection", doc_id, start, end), "name": "",
                          "startPosition": str(p_start), "endPosition": str(p_end)}
                if items:
                    attrib["creatingUser"] = user_guid[items[0][1]]
                selection = _sub(source, "PlainTextSelection", **attrib)
                for k, (code_id, coder) in enumerate(items):
                    coding = _sub(selection, "Coding",
                                  guid=stable_guid("coding", doc_id, start, end, code_id, coder,
                                                   k),
                                  creatingUser=user_guid[coder])
                    _sub(coding, "CodeRef", targetGUID=code_guids[code_id])
                for row in span_notes:
                    note_ref(selection, row)
        for row in doc_notes[doc_notes["target"] == "source"].itertuples(index=False):
            note_ref(source, row)
    if not len(sources):
        root.remove(sources)
    project_notes = list(notes[notes["target"] == "project"].itertuples(index=False))
    for row in project_notes:
        note_ref(root, row)
    if note_elements:
        holder = etree.Element(f"{_Q}Notes")
        for element in note_elements:
            holder.append(element)
        first_ref = root.find(f"{_Q}NoteRef")  # project notes' refs come last
        if first_ref is not None:
            first_ref.addprevious(holder)
        else:
            root.append(holder)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8",
                                            pretty_print=True)  # fmt: skip
    return archive_bytes(members)


def _sub(parent: Any, tag: str, **attrib: str) -> Any:
    return etree.SubElement(parent, _Q + tag, attrib)


def _checked_codings(codings: Any, by_id: dict[str, Any], codebook: Any) -> Any:
    import pandas as pd

    columns = ["doc_id", "start", "end", "code_id", "coder"]
    if codings is None:
        return pd.DataFrame(columns=columns)
    missing = [c for c in columns if c not in codings.columns]
    if missing:
        raise ExchangeError(
            f"codings: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}"
        )
    from mixedwai.qual.retrieval.codings import _affirmed

    affirmed = _affirmed(codings)  # codings flagged negated are left out, and said so
    if len(affirmed) < len(codings):
        warnings.warn(
            f"codings: {len(codings) - len(affirmed)} coding(s) flagged negated (a match in "
            "a negated clause, when_negated: flag) are not written: a QDA program would "
            "show them as ordinary codings",
            MixedWAIWarning, stacklevel=4,
        )  # fmt: skip
    codings = affirmed
    table = codings[columns].reset_index(drop=True)
    if len(table) and codebook is None:
        raise ExchangeError("codings given without a codebook; pass codebook= so that every "
                            "code_id can be written as a REFI code")
    known = set(codebook.code_ids) if codebook is not None else set()
    doc_ids = table["doc_id"].astype(str)
    lengths = doc_ids.map({d: len(t.text) for d, t in by_id.items()})
    starts = pd.to_numeric(table["start"], errors="coerce")
    ends = pd.to_numeric(table["end"], errors="coerce")
    whole = (starts == starts.round()) & (ends == ends.round())
    bad_doc = lengths.isna()
    bad_range = ~bad_doc & ~(whole & (starts >= 0) & (starts < ends) & (ends <= lengths))
    bad_code = ~table["code_id"].astype(str).isin(known)
    coders = table["coder"]
    bad_coder = coders.isna() | (coders.astype(str).str.strip() == "")
    problems = []
    for position in (bad_doc | bad_range | bad_code | bad_coder).to_numpy().nonzero()[0]:
        doc_id = doc_ids.iloc[position]
        where = f"codings row {position + 1} (doc {doc_id})"
        if bad_doc.iloc[position]:
            problems.append(f"{where}: doc_id {doc_id!r} is not a transcript of the corpus")
        if bad_range.iloc[position]:
            problems.append(
                f"{where}: start = {table['start'].iloc[position]}, end = "
                f"{table['end'].iloc[position]}; expected whole numbers with 0 <= start < end "
                f"<= {int(lengths.iloc[position])}"
            )
        if bad_code.iloc[position]:
            problems.append(f"{where}: code_id {table['code_id'].iloc[position]!r} is not a "
                            "code of the codebook")
        if bad_coder.iloc[position]:
            problems.append(f"{where}: coder is empty")
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems[:30])
        more = f"\n  ... and {len(problems) - 30} more" if len(problems) > 30 else ""
        raise ExchangeError(f"codings that cannot be written ({len(problems)}):\n{listing}{more}")
    table = table.astype({"doc_id": str, "code_id": str, "coder": str})
    table["start"] = table["start"].astype("int64")
    table["end"] = table["end"].astype("int64")
    return table


def _checked_notes(notes: Any) -> Any:
    import pandas as pd

    if notes is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in NOTE_COLUMNS})
    missing = [c for c in ("target", "text") if c not in notes.columns]
    if missing:
        raise ExchangeError(f"notes: missing column(s) {', '.join(missing)}; expected "
                            f"{', '.join(NOTE_COLUMNS)}")
    table = notes.reset_index(drop=True).copy()
    for column in NOTE_COLUMNS:
        if column not in table.columns:
            table[column] = None
    table = table[list(NOTE_COLUMNS)]
    for column in ("author", "title"):
        table[column] = table[column].map(lambda v: "" if _missing(v) else str(v))
    targets = {"project", "source", "selection", "code", "case"}
    problems = []
    for position, row in enumerate(table.itertuples(index=False)):
        where = f"notes row {position + 1}"
        if row.target not in targets:
            problems.append(f"{where}: target {row.target!r}; expected one of "
                            f"{', '.join(sorted(targets))}")
        if _missing(row.text):
            problems.append(f"{where}: text is empty")
        needs = {"source": ["doc_id"], "selection": ["doc_id", "start", "end"],
                 "code": ["code_id"], "case": ["case_id"]}.get(row.target, [])
        problems.extend(f"{where}: a {row.target} note needs {column}" for column in needs
                        if _missing(getattr(row, column)))
    if problems:
        raise ExchangeError("notes that cannot be written:\n" + "\n".join(
            f"  - {p}" for p in problems[:30]))
    return table


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or value == ""


def _spans(codings: Any, notes: Any) -> dict[tuple[int, int], tuple[list[tuple[str, str]],
                                                                    list[Any]]]:
    spans: dict[tuple[int, int], tuple[list[tuple[str, str]], list[Any]]] = {}
    if codings is not None:
        for start, end, code_id, coder in zip(codings["start"].tolist(), codings["end"].tolist(),
                                              codings["code_id"].tolist(),
                                              codings["coder"].tolist(), strict=True):
            spans.setdefault((start, end), ([], []))[0].append((code_id, coder))
    for row in notes.itertuples(index=False):
        spans.setdefault((int(row.start), int(row.end)), ([], []))[1].append(row)
    return spans


def _case_table(cases: Any, transcripts: list[Any]) -> Any:
    import pandas as pd

    named = sorted({str(t.case_id) for t in transcripts if t.case_id})
    if cases is None:
        return pd.DataFrame(index=pd.Index(named, name="case_id"))
    table = cases.copy()
    if "case_id" in table.columns:
        table = table.set_index("case_id")
    table.index = table.index.map(str)
    table.index.name = "case_id"
    if table.index.duplicated().any():
        dups = sorted(set(table.index[table.index.duplicated()]))
        raise ExchangeError(f"cases: case_id must be unique; repeated: {', '.join(dups)}")
    extra = [c for c in named if c not in table.index]
    if extra:
        table = pd.concat([table, pd.DataFrame(index=pd.Index(extra, name="case_id"))])
    return table.sort_index()


def _variables(table: Any) -> dict[Any, tuple[str, str]]:
    from pandas.api import types

    result = {}
    for column in table.columns:
        dtype = table[column].dtype
        if types.is_bool_dtype(dtype):
            kind = "Boolean"
        elif types.is_integer_dtype(dtype):
            kind = "Integer"
        elif types.is_float_dtype(dtype):
            kind = "Float"
        else:
            kind = "Text"
        result[column] = (stable_guid("variable", column), kind)
    return result


def _variable_value(case: Any, guid: str, kind: str, value: Any) -> None:
    if _missing(value):
        return
    if kind == "Boolean":
        text = "true" if bool(value) else "false"
    elif kind == "Integer":
        text = str(int(value))
    elif kind == "Float":
        if not math.isfinite(float(value)):
            return
        text = repr(float(value))
        if "e" in text or "E" in text:
            text = f"{float(value):.17f}".rstrip("0").rstrip(".")
    else:
        text = str(value)
    holder = _sub(case, "VariableValue")
    _sub(holder, "VariableRef", targetGUID=guid)
    _sub(holder, f"{kind}Value").text = text
