"""Word transcripts (``.docx``), read with python-docx.

The document's body paragraphs are joined by ``"\\n"`` into the transcript's
text (a paragraph that holds a soft line break contributes two lines); each
paragraph is a paragraph of the turn that holds it. Tables, headers, footers and
comments are not read (a note says so when the body has tables).

Speaker labels are either typed like in a text file (``Marie: ...``, see
:mod:`mixedwai.qual.transcripts.loaders.labels`) or set in **bold** at the start of a
paragraph:

* a bold run followed by the speech: ``**Marie:** Oui ...`` (with the colon, in
  or after the bold, it always opens a turn; without it, the label must recur);
* a paragraph that is only a bold label, followed by the speech paragraphs
  (likewise: a colon, or a label that recurs, a declared one or an alias).

Paragraphs in a ``Heading``/``Title`` style are never labels.

Metadata, first found wins:

1. a front-matter block typed as the first paragraphs (``---`` / ``key: value``
   lines / ``---``), read with ``yaml.safe_load``;
2. the core properties *comments* and *keywords*, read as ``key: value`` pairs
   separated by new lines or ``;`` (e.g. keywords ``case_id: ES11_C4;
   interview: 2; language: fr; speakers: Marie=ES, Julie=interviewer``);
3. the core property *subject* when it is a case id by itself (``ES#11_C4``).

*title*, *subject*, *keywords* and *comments* are kept in the metadata under
``docx_title`` ... The author and dates are not read (they often name the
researcher, not the case).

*Bounds.* A ``.docx`` is a zip archive: before anything is decompressed, the sizes its zip
directory declares are checked (limits ``MAX_DOCX_UNCOMPRESSED`` in total and
``MAX_DOCX_RATIO`` of expansion per member, so a 4 MB file that would expand to
gigabytes is refused; Python's zipfile never decompresses a member beyond its declared
size), and the body may hold at most ``MAX_DOCX_PARAGRAPHS`` paragraphs. XML entities are
never resolved (python-docx's parser). Each paragraph's style is looked up in a table of
the document's styles built once: python-docx's own lookup scans every style for every
paragraph, which made a 441 KB file with many styles take minutes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mixedwai.errors import InputFileError, TranscriptError
from mixedwai.ids import CASE_ID_PATTERN
from mixedwai.limits import limit, limit_hint
from mixedwai.qual.transcripts.loaders.frontmatter import meta_get, parse_pairs, split_front_matter
from mixedwai.qual.transcripts.loaders.labels import (
    EXPECTED_FORMATS,
    LabelCandidate,
    is_label,
    parse_line,
)
from mixedwai.qual.transcripts.loaders.raw import RawTranscript
from mixedwai.qual.transcripts.loaders.speaker_roles import declared_speakers
from mixedwai.qual.transcripts.loaders.turns import Line, assemble_turns

__all__ = ["load_docx"]

_COLON = re.compile(r"[ \t]*:")
_SPACE = re.compile(r"\s*")
_HEADING_STYLES = ("heading", "title", "titre", "subtitle", "sous-titre")


def load_docx(
    path: str | os.PathLike[str],
    *,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> RawTranscript:
    """Read a ``.docx`` transcript.

    Parameters
    ----------
    path : str or path
        The Word file.
    speakers : mapping, optional
        Declared speakers, label -> role (added to the document's own).
    default_speaker : str, optional
        Speaker of the whole text when no paragraph carries a label.

    Returns
    -------
    RawTranscript
        ``paragraph_break="line"``; ``encoding="docx"``.

    Raises
    ------
    InputFileError
        The file does not exist.
    TranscriptError
        The file is not a readable Word document (corrupt, or another format
        renamed), would expand beyond the limits ``MAX_DOCX_UNCOMPRESSED`` or
        ``MAX_DOCX_RATIO``, has more than ``MAX_DOCX_PARAGRAPHS`` paragraphs, holds no
        text, has invalid front matter, or holds no turn.

    Examples
    --------
    >>> import docx, pathlib, tempfile
    >>> document = docx.Document()
    >>> for label, speech in [("Interviewer: ", "Tell me."), ("Marie: ", "Fine.")]:
    ...     paragraph = document.add_paragraph()
    ...     paragraph.add_run(label).bold = True
    ...     _ = paragraph.add_run(speech)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "es5_c1.docx"
    >>> document.save(path)
    >>> raw = load_docx(path)
    >>> [(t.speaker, raw.text[t.start:t.end]) for t in raw.turns]
    [('Interviewer', 'Tell me.'), ('Marie', 'Fine.')]
    """
    import docx  # python-docx

    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found")
    if path.stat().st_size == 0:
        raise TranscriptError(f"{source}: empty file; expected a Word document with speaker turns")
    _check_zip(path, source)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors, PackageNotFoundError
        raise TranscriptError(
            f"{source}: cannot be read as a Word .docx document ({type(exc).__name__}: {exc}); "
            "the file may be corrupt, or another format (.doc, .odt, .rtf) renamed to .docx"
        ) from exc
    paragraphs = list(document.paragraphs)
    most = limit("MAX_DOCX_PARAGRAPHS")
    if len(paragraphs) > most:
        raise TranscriptError(
            f"{source}: {len(paragraphs)} paragraphs, more than a transcript may hold "
            f"({most}); {limit_hint('MAX_DOCX_PARAGRAPHS')}"
        )
    texts = [p.text.replace("\r\n", "\n").replace("\r", "\n") for p in paragraphs]
    notes: list[str] = []
    n_tables = len(document.tables)
    if n_tables:
        notes.append(
            f"the document has {n_tables} table(s); text inside tables is not read as "
            "transcript text"
        )
    if not any(t.strip() for t in texts):
        extra = " (its text is inside tables, which are not read)" if n_tables else ""
        raise TranscriptError(f"{source}: the document holds no text{extra}")
    metadata, first = split_front_matter(texts, source=source, unit="paragraph")
    metadata = {**_properties(document, source), **metadata}
    declared = declared_speakers(
        meta_get(metadata, "speakers"), source=source, where="metadata key 'speakers'"
    )
    declared.update(declared_speakers(speakers, source=source, where="argument speakers"))
    if default_speaker is None:
        value = meta_get(metadata, "default_speaker")
        default_speaker = str(value).strip() if value is not None else None
    body = paragraphs[first:]
    body_texts = texts[first:]
    text = "\n".join(body_texts)
    if not text.strip():
        raise TranscriptError(
            f"{source}: the document holds front matter but no transcript text after it"
        )
    lines: list[Line] = []
    offset = 0
    style_of = _paragraph_styles(document)
    for number, (paragraph, content) in enumerate(zip(body, body_texts, strict=True), first + 1):
        candidate = _candidate(paragraph, content, style_of) if content.strip() else None
        lines.append(Line(offset, offset + len(content), number, candidate))
        offset += len(content) + 1
    turns, turn_notes = assemble_turns(
        text, lines, declared=declared, default_speaker=default_speaker, unit="paragraph"
    )
    if not turns:
        raise TranscriptError(f"{source}: no speaker turn found; {EXPECTED_FORMATS}")
    return RawTranscript(
        text=text, turns=turns, metadata=metadata, speakers=declared,
        notes=notes + turn_notes, paragraph_break="line", encoding="docx",
    )


def _check_zip(path: Path, source: str) -> None:
    """Refuse a zip that would expand too far, from its directory, before decompressing."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: python-docx's error says so, in load_docx's message
    total = 0
    most, ratio = limit("MAX_DOCX_UNCOMPRESSED"), limit("MAX_DOCX_RATIO")
    for member in members:
        total += member.file_size
        expands = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and expands > ratio:
            raise TranscriptError(
                f"{source}: its part {member.filename!r} would expand {expands:.0f} times "
                f"({member.compress_size} -> {member.file_size} bytes), more than a Word "
                f"document does ({ratio}); a zip bomb? {limit_hint('MAX_DOCX_RATIO')}"
            )
    if total > most:
        raise TranscriptError(
            f"{source}: would expand to {total} bytes, more than a transcript may take "
            f"({most}); {limit_hint('MAX_DOCX_UNCOMPRESSED')}"
        )


def _paragraph_styles(document: Any) -> Callable[[Any], str]:
    """A paragraph -> its style name function, with the styles read once.

    python-docx's ``paragraph.style`` scans every style of the document for every
    paragraph (and again for the default style): quadratic in a file with thousands of
    styles. The names are the ones it gives: the first paragraph style with the id,
    else the default paragraph style.
    """
    from docx.enum.style import WD_STYLE_TYPE

    names: dict[str, str] = {}
    for style in document.styles:
        if style.type == WD_STYLE_TYPE.PARAGRAPH and style.style_id is not None:
            names.setdefault(style.style_id, style.name or "")
    default_style = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    default = (default_style.name or "") if default_style is not None else ""

    def style_of(paragraph: Any) -> str:
        style_id = paragraph._p.style
        return names.get(style_id, default) if style_id else default

    return style_of


def _candidate(paragraph: Any, content: str,
               style_of: Callable[[Any], str]) -> LabelCandidate | None:
    """A bold or typed label at the start of a paragraph."""
    style = style_of(paragraph)
    if style.casefold().startswith(_HEADING_STYLES):
        return None
    bold = _bold_prefix(paragraph)
    if bold and content.startswith(bold):
        label_text = bold.strip()
        colon = label_text.endswith(":")
        label = " ".join(label_text.rstrip(":").split())
        pos = len(bold)
        after_colon = _COLON.match(content, pos)
        if not colon and after_colon is not None:
            colon = True
            pos = after_colon.end()
        # the bold label must end at a word boundary ("**Mar**ie" is no label)
        separated = colon or pos == len(content) or content[pos].isspace() or bold[-1].isspace()
        if label and separated and is_label(label):
            speech = _SPACE.match(content, pos).end()
            return LabelCandidate(label, speech, "bold", colon)
    return parse_line(content)


def _bold_prefix(paragraph: Any) -> str:
    """Text of the leading bold runs of a paragraph (white space runs included)."""
    parts: list[str] = []
    any_bold = False
    for run in paragraph.runs:
        text = run.text
        if not text:
            continue
        if run.bold:
            parts.append(text)
            any_bold = True
        elif not text.strip() and any_bold:
            parts.append(text)
        else:
            break
    return "".join(parts) if any_bold else ""


def _properties(document: Any, source: str) -> dict[str, Any]:
    """Metadata from the core properties (see the module notes)."""
    core = document.core_properties
    found: dict[str, Any] = {}
    values = {
        "docx_title": core.title, "docx_subject": core.subject,
        "docx_keywords": core.keywords, "docx_comments": core.comments,
    }
    for key, value in values.items():
        if value and str(value).strip():
            found[key] = str(value).strip()
    pairs: dict[str, Any] = {}
    for key in ("docx_keywords", "docx_comments"):
        for name, value in parse_pairs(found.get(key, "")).items():
            pairs.setdefault(name, value)
    subject = found.get("docx_subject", "")
    if subject and CASE_ID_PATTERN.fullmatch(subject) and meta_get(pairs, "case_id") is None:
        pairs["case_id"] = subject
    return {**found, **pairs}
