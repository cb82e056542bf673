"""Reading REFI-QDA projects (``.qdpx``): :func:`read_qdpx`.

A project exported by NVivo, MAXQDA, ATLAS.ti or QualCoder becomes a
:class:`~mixedwai.exchange.project.QdpxProject`: the text sources as a corpus, the
coded selections as a codings table, the code tree as a codebook, the cases with
their variables, and the memos. Every selection is checked against its text; the
counting convention of each source is found (:mod:`mixedwai.exchange.positions`)
and any selection that still does not line up is listed, never dropped silently.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mixedwai.errors import ExchangeError
from mixedwai.exchange.archive import MAX_MEMBER_BYTES, MAX_TOTAL_BYTES, QdpxArchive
from mixedwai.exchange.codebook import codebook_from_tree, read_code_tree
from mixedwai.exchange.positions import STANDARD, Convention, detect_convention, normalise_text
from mixedwai.exchange.project import (
    NOTE_COLUMNS,
    SELECTION_COLUMNS,
    SKIPPED_COLUMNS,
    SOURCE_COLUMNS,
    QdpxProject,
)
from mixedwai.exchange.refi import (
    child,
    child_text,
    children,
    local_name,
    normal_guid,
    parse_xml,
)
from mixedwai.exchange.sources import (
    codings_table,
    decode_plain_text,
    front_matter,
    transcript_metadata,
)

__all__ = ["read_qdpx"]

_OTHER_SOURCES = {
    "PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio",
    "VideoSource": "video",
}  # fmt: skip
_SELECTION_TAGS = ("PictureSelection", "PDFSelection", "AudioSelection", "VideoSelection",
                   "TranscriptSelection")  # fmt: skip
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class _Selection:
    guid: str
    start: int
    end: int
    user: str
    description: str
    codings: list[tuple[str, str]]  # (code guid, user guid)
    notes: list[str]
    whole: bool = False  # a coding of the whole source (no positions)


@dataclass
class _Source:
    guid: str
    name: str
    doc_id: str
    raw: str
    user: str
    description: str
    selections: list[_Selection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)


def read_qdpx(
    path: str | os.PathLike[str],
    *,
    language: str = "en",
    default_speaker: str = "speaker",
    case_pattern: re.Pattern[str] | str | None = None,
    convention: Convention | None = None,
    unit: str = "turn",
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> QdpxProject:
    """Read a REFI-QDA project (``.qdpx``) written by a QDA program.

    Parameters
    ----------
    path : str or path
        The ``.qdpx`` file (a zip archive holding ``project.qde`` and ``Sources/``).
    language : {"en", "fr"}, default="en"
        Language recorded on the codebook (REFI does not say).
    default_speaker : str, default="speaker"
        A text source without speaker labels (field notes, open answers) becomes one
        turn of this speaker. Sources with labels are cut into turns as
        :func:`mixedwai.load_transcript` cuts a ``.txt`` file.
    case_pattern : str or re.Pattern, optional
        Finds the case id in a source's name when no REFI case refers to it (as in
        :func:`mixedwai.load_transcript`).
    convention : Convention, optional
        Force how positions are counted (default: found for each source).
    unit : {"turn", "paragraph", "sentence"}, default="turn"
        Segments that give each coding its ``segment_id``, ``speaker`` and ``role``.
    max_member_bytes, max_total_bytes : int
        Limits on what the archive may expand to (see
        :class:`mixedwai.exchange.archive.QdpxArchive`).

    Returns
    -------
    QdpxProject
        ``corpus``, ``codings``, ``codebook``, ``cases``, ``notes``, and the
        checking tables ``sources``, ``selections`` and ``skipped``; ``summary()``
        says what was imported and what was not.

    Raises
    ------
    InputFileError
        The file does not exist.
    ExchangeError
        The archive is unsafe (absolute or ``..`` members, a zip bomb), holds no
        ``project.qde``, the XML is not well-formed or declares entities, or a
        source points to an archive member that is not there or outside it.

    Notes
    -----
    Case ids come from the REFI cases that refer to a source (their names, made
    canonical as :func:`mixedwai.canonical_case_id` does), else from the source's
    name. The coder of a coding is the user who made the coding (else the one who
    made the selection). Picture, PDF, audio and video sources, sets, graphs and
    links are listed in ``skipped``, with how many codings they held.

    Examples
    --------
    >>> import mixedwai as mw, pandas as pd, pathlib, tempfile
    >>> corpus = mw.Corpus([mw.Transcript.from_text("ES: We trust each other.", doc_id="ES1_C1")])
    >>> codings = pd.DataFrame({"doc_id": ["ES1_C1"], "start": [4], "end": [12],
    ...                         "code_id": ["bond_trust"], "coder": ["AL"]})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "study.qdpx"
    >>> mw.write_qdpx(path, corpus, codings=codings, codebook=mw.load_codebook("ross2008-en"))
    >>> project = mw.read_qdpx(path)
    >>> project.codings[["doc_id", "start", "end", "text", "code_id", "coder"]]
       doc_id  start  end      text     code_id coder
    0  ES1_C1      4   12  We trust  bond_trust    AL
    """
    from mixedwai._validation import check_choice
    from mixedwai.qual.coding.schema import UNITS
    from mixedwai.qual.transcripts.metadata import _compile

    check_choice("unit", unit, UNITS)
    pattern = _compile(case_pattern)
    source_name = str(path)
    with QdpxArchive(path, max_member_bytes=max_member_bytes,
                     max_total_bytes=max_total_bytes) as archive:  # fmt: skip
        member = archive.find("project.qde") or _only_qde(archive)
        root = parse_xml(archive.read(member), source=f"{source_name}: {member}")
        if local_name(root) != "Project":
            raise ExchangeError(
                f"{source_name}: {member} has the root element <{local_name(root)}>; a REFI-QDA "
                "project has <Project>"
            )
        reader = _Reader(archive, source_name, default_speaker)
        reader.read(root)
    return reader.build(root, language=language, pattern=pattern, convention=convention,
                        unit=unit)  # fmt: skip


def _only_qde(archive: QdpxArchive) -> str:
    candidates = [n for n in archive.names if "/" not in n and n.lower().endswith(".qde")]
    if len(candidates) == 1:
        return candidates[0]
    raise ExchangeError(
        f"{archive.path}: the archive holds no project.qde (members: "
        f"{', '.join(archive.names[:10]) or 'none'}); a .qdpx project holds its XML in project.qde"
    )


class _Reader:
    """Collects what a project holds while walking its XML (one use)."""

    def __init__(self, archive: QdpxArchive, source: str, default_speaker: str) -> None:
        self.archive = archive
        self.source = source
        self.default_speaker = default_speaker
        self.users: dict[str, str] = {}
        self.sources: list[_Source] = []
        self.skipped: list[tuple[str, str, str]] = []
        self.variables: dict[str, tuple[str, str]] = {}
        self.cases: list[dict[str, Any]] = []
        self.note_texts: dict[str, tuple[str, str, str]] = {}  # guid -> (title, author, text)
        self.note_refs: list[tuple[str, dict[str, Any]]] = []  # (note guid, where)
        self.description_notes: list[dict[str, Any]] = []
        self.code_tree: list[Any] = []
        self.code_notes: list[tuple[str, str]] = []  # (code guid, note guid)
        self.doc_ids: set[str] = set()

    # -- walking the XML -------------------------------------------------------------

    def read(self, root: Any) -> None:
        for user in children(child(root, "Users") if child(root, "Users") is not None else [],
                             "User"):  # fmt: skip
            guid = normal_guid(user.get("guid", ""))
            self.users[guid] = user.get("name") or user.get("id") or guid
        codebook = child(root, "CodeBook")
        if codebook is not None and child(codebook, "Codes") is not None:
            codes = child(codebook, "Codes")
            self.code_tree = read_code_tree(codes)
            for element in codes.iter():
                if local_name(element) == "Code":
                    for ref in children(element, "NoteRef"):
                        self.code_notes.append((normal_guid(element.get("guid", "")),
                                                normal_guid(ref.get("targetGUID", ""))))
        variables = child(root, "Variables")
        for variable in children(variables, "Variable") if variables is not None else []:
            self.variables[normal_guid(variable.get("guid", ""))] = (
                variable.get("name") or "variable", variable.get("typeOfVariable") or "Text")
        sources = child(root, "Sources")
        for element in sources if sources is not None else []:
            kind = local_name(element)
            if kind == "TextSource":
                self._text_source(element)
            elif kind in _OTHER_SOURCES:
                n = sum(len(children(s, "Coding")) for s in element.iter()
                        if local_name(s) in _SELECTION_TAGS) + len(children(element, "Coding"))
                self.skipped.append((
                    f"{_OTHER_SOURCES[kind]} source", element.get("name") or element.get("guid"),
                    f"not imported: mixedwai reads text only ({n} coding(s) on it left out)",
                ))
        cases = child(root, "Cases")
        for case in children(cases, "Case") if cases is not None else []:
            self._case(case)
        notes = child(root, "Notes")
        for note in children(notes, "Note") if notes is not None else []:
            self._note(note)
        for ref in children(root, "NoteRef"):
            self.note_refs.append((normal_guid(ref.get("targetGUID", "")), {"target": "project"}))
        for kind, label in (("Sets", "set"), ("Graphs", "graph"), ("Links", "link")):
            holder = child(root, kind)
            if holder is not None:
                for item in holder:
                    self.skipped.append((label, item.get("name") or item.get("guid") or "",
                                         f"not imported: mixedwai has no {label}s"))

    def _unique_doc_id(self, name: str) -> str:
        base = _UNSAFE_NAME.sub("_", name).strip().strip(".") or "source"
        doc_id, k = base, 2
        while doc_id in self.doc_ids:
            doc_id, k = f"{base}_{k}", k + 1
        self.doc_ids.add(doc_id)
        return doc_id

    def _text_source(self, element: Any) -> None:
        guid = normal_guid(element.get("guid", ""))
        name = element.get("name") or guid
        raw = self._plain_text(element, kind="text source", name=name)
        if raw is None:
            return
        if not normalise_text(raw).strip():
            self.skipped.append(("text source", name, "not imported: its text is empty"))
            return
        source = _Source(
            guid=guid, name=name, doc_id=self._unique_doc_id(name), raw=raw,
            user=normal_guid(element.get("creatingUser", "")),
            description=child_text(element, "Description"),
        )
        for selection in children(element, "PlainTextSelection"):
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                start, end = -1, -1
            description, codings, notes = "", [], []
            for item in selection:  # one pass over the children (exports hold 100,000s)
                tag = local_name(item)
                if tag == "Coding":
                    codings.append(_coding(item))
                elif tag == "NoteRef":
                    notes.append(normal_guid(item.get("targetGUID", "")))
                elif tag == "Description":
                    description = item.text or ""
            source.selections.append(_Selection(
                guid=normal_guid(selection.get("guid", "")), start=start, end=end,
                user=normal_guid(selection.get("creatingUser", "")),
                description=description, codings=codings, notes=notes,
            ))
        whole = [_coding(c) for c in children(element, "Coding")]
        if whole:
            source.selections.append(_Selection(
                guid=guid, start=0, end=0, user=source.user, description="", codings=whole,
                notes=[], whole=True,
            ))
        source.notes = [normal_guid(r.get("targetGUID", "")) for r in children(element, "NoteRef")]
        for value in children(element, "VariableValue"):
            name_value = self._variable_value(value)
            if name_value is not None:
                source.variables[name_value[0]] = name_value[1]
        self.sources.append(source)

    def _plain_text(self, element: Any, *, kind: str, name: str) -> str | None:
        inline = child(element, "PlainTextContent")
        if inline is not None:
            return inline.text or ""
        path = element.get("plainTextPath") or ""
        what = f"{kind} {name!r}"
        if not path:
            self.skipped.append((kind, name, "not imported: it holds no plain text"))
            return None
        if not path.lower().startswith("internal://"):
            self.skipped.append((
                kind, name, f"not imported: its text is outside the archive ({path!r}); "
                "only sources stored in the project (internal://) are read",
            ))
            return None
        name = path[len("internal://"):]
        from mixedwai.exchange.archive import unsafe_member_name

        problem = unsafe_member_name(name) or unsafe_member_name(f"Sources/{name}")
        if problem:
            raise ExchangeError(
                f"{self.source}: {what} points outside the archive ({path!r}: {problem}); "
                "refused"
            )
        member = self.archive.find(f"Sources/{name}") or self.archive.find(name)
        if member is None:
            raise ExchangeError(
                f"{self.source}: {what} points to {path!r}, but the archive has no member "
                f"Sources/{name}"
            )
        return decode_plain_text(self.archive.read(member))

    def _variable_value(self, element: Any) -> tuple[str, Any] | None:
        ref = child(element, "VariableRef")
        if ref is None:
            return None
        name, kind = self.variables.get(normal_guid(ref.get("targetGUID", "")),
                                        (normal_guid(ref.get("targetGUID", "")), "Text"))
        for item in element:
            tag = local_name(item)
            if tag == "VariableRef" or item.text is None:
                continue
            text = item.text.strip()
            try:
                if tag == "BooleanValue":
                    return name, text.lower() in ("true", "1")
                if tag == "IntegerValue":
                    return name, int(text)
                if tag == "FloatValue":
                    return name, float(text)
            except ValueError:
                return name, text
            return name, item.text
        return None

    def _case(self, element: Any) -> None:
        values = {}
        for value in children(element, "VariableValue"):
            found = self._variable_value(value)
            if found is not None:
                values[found[0]] = found[1]
        self.cases.append({
            "guid": normal_guid(element.get("guid", "")),
            "name": (element.get("name") or "").strip(),
            "description": child_text(element, "Description"),
            "values": values,
            "sources": [normal_guid(r.get("targetGUID", "")) for r in children(element,
                                                                                "SourceRef")],
            "selections": [normal_guid(r.get("targetGUID", ""))
                           for r in children(element, "SelectionRef")],
        })

    def _note(self, element: Any) -> None:
        guid = normal_guid(element.get("guid", ""))
        inline = child(element, "PlainTextContent")
        text = (inline.text or "") if inline is not None else None
        if text is None:
            text = self._plain_text(element, kind="note", name=element.get("name") or guid)
        if text is None:
            return
        text = normalise_text(text)
        author = self.users.get(normal_guid(element.get("creatingUser", "")), "")
        self.note_texts[guid] = (element.get("name") or "", author, text)

    # -- building the result ----------------------------------------------------------

    def build(
        self, root: Any, *, language: str, pattern: Any, convention: Convention | None,
        unit: str,
    ) -> QdpxProject:
        import pandas as pd

        from mixedwai.ids import canonical_case_id
        from mixedwai.qual.transcripts.corpus import Corpus

        project_name = root.get("name") or Path(self.source).stem
        coded = {code for s in self.sources for sel in s.selections for code, _ in sel.codings}
        codebook, code_ids = (None, {})
        if self.code_tree:
            codebook, code_ids = codebook_from_tree(
                self.code_tree, name=project_name, language=language, coded=coded,
                source=f"{self.source}: CodeBook",
                metadata={"origin": root.get("origin") or ""},
            )
        codable = set(codebook.code_ids) if codebook is not None else set()

        # cases: names made canonical; sources and selections linked to them
        case_of_source: dict[str, str] = {}
        case_rows: dict[str, dict[str, Any]] = {}
        selection_source = {sel.guid: s.guid for s in self.sources for sel in s.selections}
        for k, case in enumerate(self.cases, start=1):
            case_id = canonical_case_id(case["name"]) if case["name"] else f"case_{k}"
            case_rows.setdefault(case_id, {}).update(case["values"])
            linked = case["sources"] + [selection_source[g] for g in case["selections"]
                                        if g in selection_source]
            for source_guid in linked:
                previous = case_of_source.setdefault(source_guid, case_id)
                if previous != case_id:
                    self.skipped.append((
                        "case link", f"{case_id} -> {source_guid}",
                        f"not imported: the source already belongs to case {previous}",
                    ))
            if case["description"].strip():
                self.description_notes.append({"target": "case", "case_id": case_id,
                                                "text": normalise_text(case["description"])})

        transcripts = []
        source_rows = []
        selection_rows = []
        coding_rows = []
        for source in self.sources:
            transcript = self._transcript(source, case_of_source.get(source.guid), pattern)
            transcripts.append(transcript)
            text = transcript.text
            positioned = [sel for sel in source.selections if not sel.whole]
            found = detect_convention(source.raw, [(s.start, s.end) for s in positioned],
                                      prefer=convention or STANDARD)  # fmt: skip
            if convention is not None and found.convention != convention:
                found = _forced(source.raw, positioned, convention)
            source_rows.append((
                source.doc_id, source.name, source.guid, transcript.case_id,
                found.convention.counting, found.convention.bom, found.convention.crlf,
                len(positioned), int(found.on_boundaries.sum()),
            ))
            mapped = {id(sel): (int(a), int(b), bool(ok)) for sel, a, b, ok in zip(
                positioned, found.starts, found.ends, found.on_boundaries, strict=True)}
            for sel in source.selections:
                if sel.whole:
                    start, end, ok = 0, len(text), True
                else:
                    start, end, ok = mapped[id(sel)]
                position_status = _position_status(start, end, len(text), ok)
                for code_guid, user_guid in sel.codings or [("", "")]:
                    coder = (self.users.get(user_guid) or self.users.get(sel.user)
                             or user_guid or sel.user or "unknown")
                    code_id = code_ids.get(code_guid)
                    if not sel.codings:
                        status = "no coding"
                        code_id, coder = None, self.users.get(sel.user, "")
                    elif code_id is None:
                        status = "unknown code"
                    elif code_id not in codable:
                        status = "coded with a category"
                    else:
                        status = position_status
                    selection_rows.append((
                        source.doc_id, sel.guid, None if sel.whole else sel.start,
                        None if sel.whole else sel.end, start if start >= 0 else None,
                        end if end >= 0 else None, code_id, coder, status,
                    ))
                    if status in ("ok", "mid-word"):
                        coding_rows.append((source.doc_id, start, end, code_id, coder))
                for note_guid in sel.notes:
                    self.note_refs.append((note_guid, {
                        "target": "selection", "doc_id": source.doc_id,
                        "start": start if start >= 0 else None, "end": end if end >= 0 else None,
                    }))
                if sel.description.strip():
                    self.description_notes.append({
                        "target": "selection", "doc_id": source.doc_id,
                        "start": start if start >= 0 else None, "end": end if end >= 0 else None,
                        "author": self.users.get(sel.user, ""),
                        "text": normalise_text(sel.description),
                    })
            for note_guid in source.notes:
                self.note_refs.append((note_guid, {"target": "source", "doc_id": source.doc_id}))
            if source.description.strip():
                self.description_notes.append({
                    "target": "source", "doc_id": source.doc_id,
                    "author": self.users.get(source.user, ""),
                    "text": normalise_text(source.description),
                })
        for code_guid, note_guid in self.code_notes:
            self.note_refs.append((note_guid, {"target": "code",
                                               "code_id": code_ids.get(code_guid)}))
        corpus = Corpus(transcripts)

        codings = codings_table(coding_rows, corpus, codebook, unit=unit)
        codings.attrs["source"] = self.source

        cases = _cases_frame(case_rows, self.variables)
        notes = self._notes_frame()
        sources = pd.DataFrame(source_rows, columns=list(SOURCE_COLUMNS))
        selections = pd.DataFrame(selection_rows, columns=list(SELECTION_COLUMNS))
        for column in ("start_position", "end_position", "start", "end"):
            selections[column] = selections[column].astype("Int64")
        skipped = pd.DataFrame(self.skipped, columns=list(SKIPPED_COLUMNS))
        return QdpxProject(
            name=project_name, origin=root.get("origin") or "", corpus=corpus,
            codings=codings, codebook=codebook, cases=cases, notes=notes, sources=sources,
            selections=selections, skipped=skipped, users=dict(self.users),
        )

    def _transcript(self, source: _Source, case_name: str | None, pattern: Any) -> Any:
        from mixedwai.qual.transcripts.loaders.raw import RawTranscript
        from mixedwai.qual.transcripts.loaders.turns import assemble_turns, split_lines
        from mixedwai.qual.transcripts.model import _build

        text = normalise_text(source.raw)
        metadata = transcript_metadata(source.doc_id, source.name, case_name,
                                       self.default_speaker, source.variables)  # fmt: skip
        # lines are numbered as in the .txt file `mixedwai qdpx import` writes (front
        # matter first), so that the loader reading that file back gives the same notes
        first = front_matter(metadata).count("\n") + 1
        turns, notes = assemble_turns(text, split_lines(text, first_number=first), declared={},
                                      default_speaker=self.default_speaker)  # fmt: skip
        raw = RawTranscript(text=text, turns=turns, metadata=metadata, notes=notes)
        return _build(raw, stem=source.doc_id, path=None, case_pattern=pattern)

    def _notes_frame(self) -> Any:
        import pandas as pd

        rows = []
        for note_guid, where in self.note_refs:
            title, author, text = self.note_texts.get(note_guid, ("", "", None))
            if text is None:
                self.skipped.append(("note reference", note_guid,
                                     "not imported: no note has this GUID"))
                continue
            rows.append({**where, "title": title, "author": author, "text": text})
        referenced = {g for g, _ in self.note_refs}
        for guid, (title, author, text) in self.note_texts.items():
            if guid not in referenced:
                rows.append({"target": "project", "title": title, "author": author, "text": text})
        rows.extend(self.description_notes)
        frame = pd.DataFrame(rows, columns=list(NOTE_COLUMNS))
        for column in ("start", "end"):
            frame[column] = frame[column].astype("Int64")
        for column in ("author", "title"):
            frame[column] = frame[column].fillna("")
        return frame


def _coding(element: Any) -> tuple[str, str]:
    ref = child(element, "CodeRef")
    code = normal_guid(ref.get("targetGUID", "")) if ref is not None else ""
    return code, normal_guid(element.get("creatingUser", ""))


def _position_status(start: int, end: int, length: int, on_boundaries: bool) -> str:
    if start < 0 or end < 0:
        return "outside the text"
    if not start < end <= length:
        return "empty selection"
    return "ok" if on_boundaries else "mid-word"


def _forced(raw: str, selections: list[_Selection], convention: Convention) -> Any:
    from mixedwai.exchange.positions import Detection, PositionMap, _on_boundaries

    starts, ends = PositionMap(raw, convention).to_offsets(
        [s.start for s in selections], [s.end for s in selections])
    return Detection(convention, starts, ends,
                     _on_boundaries(normalise_text(raw), starts, ends))


def _cases_frame(rows: Mapping[str, Mapping[str, Any]], variables: Mapping[str, Any]) -> Any:
    import pandas as pd

    order = [name for name, _ in variables.values()]
    names = list(dict.fromkeys([*order, *(k for r in rows.values() for k in r)]))
    kinds = {name: kind for name, kind in variables.values()}
    data: dict[str, Any] = {}
    ids = sorted(rows)
    for name in names:
        values = [rows[c].get(name) for c in ids]
        kind = kinds.get(name, "Text")
        if kind == "Integer" and all(v is None or isinstance(v, int) for v in values):
            data[name] = pd.array(values, dtype="Int64")
        elif kind == "Boolean" and all(v is None or isinstance(v, bool) for v in values):
            data[name] = pd.array(values, dtype="boolean")
        elif kind == "Float" and all(v is None or isinstance(v, (int, float)) for v in values):
            data[name] = pd.array([float("nan") if v is None else v for v in values],
                                  dtype="float64")
        else:
            data[name] = pd.Series(values, dtype=object).to_numpy()
    frame = pd.DataFrame(data, index=pd.Index(ids, name="case_id", dtype=object),
                         columns=names)  # fmt: skip
    return frame
