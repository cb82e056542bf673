"""Rewrite a transcript file in its own format with parts of its text replaced.

Used to write pseudonymised transcripts (:mod:`mixedwai.qual.pseudonyms`): the
caller gives a function that finds, in a piece of text, the spans to replace and
their replacements; :func:`rewrite_transcript` applies it to the file's text and
returns the new file's bytes, in the same format:

* ``.txt`` / ``.md`` / ``.vtt``: the whole file (front matter, labels, voice tags
  ``<v Marie>`` included), decoded as :func:`mixedwai.io.decode_bytes` does, with
  its line ends kept as they were and encoded back in its encoding (a UTF-8 BOM
  stays; a Windows-1252 file stays Windows-1252 unless a replacement needs UTF-8;
  a UTF-8 file with stray Windows-1252 bytes comes back as clean UTF-8).
* ``.docx``: every paragraph of the body (tables included), the headers and the
  footers, replaced run by run so that formatting (the bold of a label) is kept,
  and the core properties (title, subject, keywords, comments, author). A name
  split over several runs is written into the first run.

The text the loaders read from the result is the text they read from the original
with the same replacements, so offsets can be mapped from one to the other.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mixedwai.errors import EncodingFallbackWarning, InputFileError

__all__ = ["REWRITABLE", "rewrite_transcript"]

#: The formats :func:`rewrite_transcript` writes back.
REWRITABLE = (".txt", ".md", ".vtt", ".docx")

Finder = Callable[[str], list[tuple[int, int, str]]]


def _apply(text: str, spans: list[tuple[int, int, str]]) -> str:
    pieces, position = [], 0
    for start, end, replacement in spans:
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _rewrite_text(data: bytes, find: Finder, source: Path) -> tuple[bytes, int]:
    from mixedwai.io import decode_bytes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EncodingFallbackWarning)  # the loader said so already
        _, encoding = decode_bytes(data, source=source)
    if encoding == "utf-16":
        text = data.decode("utf-16")
    else:
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        text = body.decode("utf-8", errors="mixedwai-cp1252-repair")
    spans = find(text)
    new = _apply(text, spans)
    if encoding == "utf-16":
        return new.encode("utf-16"), len(spans)
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + new.encode("utf-8"), len(spans)
    if encoding == "cp1252":
        try:
            return new.encode("cp1252"), len(spans)
        except UnicodeEncodeError:
            return new.encode("utf-8"), len(spans)
    return new.encode("utf-8"), len(spans)


def _rewrite_runs(runs: list[Any], find: Finder) -> int:
    """Replace inside a paragraph's runs; a match spanning runs goes into its first run."""
    texts = [run.text for run in runs]
    full = "".join(texts)
    spans = find(full)
    if not spans:
        return 0
    bounds = []
    position = 0
    for text in texts:
        bounds.append((position, position + len(text)))
        position += len(text)
    new_texts = list(texts)
    for start, end, replacement in reversed(spans):
        first = next(i for i, (a, b) in enumerate(bounds) if a <= start < b)
        last = next(i for i, (a, b) in enumerate(bounds) if a < end <= b)
        a_first = bounds[first][0]
        a_last = bounds[last][0]
        if first == last:
            t = new_texts[first]
            new_texts[first] = t[: start - a_first] + replacement + t[end - a_first :]
        else:
            new_texts[first] = new_texts[first][: start - a_first] + replacement
            for k in range(first + 1, last):
                new_texts[k] = ""
            new_texts[last] = new_texts[last][end - a_last :]
    for run, old, new in zip(runs, texts, new_texts, strict=True):
        if new != old:
            run.text = new
    return len(spans)


def _rewrite_docx(data: bytes, find: Finder, source: Path) -> tuple[bytes, int]:
    import docx
    from docx.oxml.ns import qn
    from docx.text.run import Run

    from mixedwai.io import fixed_zip_times

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for a corrupt file
        raise InputFileError(f"{source}: cannot be read as a Word document ({exc})") from exc
    roots = [document.element.body]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header,
                     section.first_page_footer, section.even_page_header,
                     section.even_page_footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    count = 0
    seen: set[int] = set()
    for root in roots:
        if id(root) in seen:
            continue
        seen.add(id(root))
        for paragraph in root.iter(qn("w:p")):
            runs = [Run(r, None) for r in paragraph.iter(qn("w:r"))]  # type: ignore[arg-type]
            count += _rewrite_runs(runs, find)
    properties = document.core_properties
    for name in ("title", "subject", "keywords", "comments", "author", "last_modified_by",
                 "category", "content_status", "identifier", "version"):
        value = getattr(properties, name, None)
        if isinstance(value, str) and value:
            spans = find(value)
            if spans:
                setattr(properties, name, _apply(value, spans))
                count += len(spans)
    stream = io.BytesIO()
    document.save(stream)
    return fixed_zip_times(stream.getvalue()), count


def rewrite_transcript(path: str | os.PathLike[str], find: Finder) -> tuple[bytes, int]:
    """The bytes of a transcript file with the spans ``find`` returns replaced.

    Parameters
    ----------
    path : str or path
        A ``.txt``, ``.md``, ``.vtt`` or ``.docx`` transcript.
    find : callable
        ``find(text)`` returns the ``(start, end, replacement)`` spans of ``text`` to
        replace, in order and not overlapping.

    Returns
    -------
    data : bytes
        The new file, in the format (and, for text files, the encoding and line
        ends) of the original.
    count : int
        The number of replacements made.

    Raises
    ------
    InputFileError
        Missing or unreadable file, a format not in :data:`REWRITABLE`, or a Word
        file python-docx cannot read.

    Examples
    --------
    >>> import re, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "es1-c1.txt"
    >>> _ = p.write_bytes(b"Julie: Hello Marc.\\r\\nMarc: Hi.\\r\\n")
    >>> find = lambda text: [(m.start(), m.end(), "C1") for m in re.finditer("Marc", text)]
    >>> rewrite_transcript(p, find)
    (b'Julie: Hello C1.\\r\\nC1: Hi.\\r\\n', 2)
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REWRITABLE:
        raise InputFileError(
            f"{path}: cannot write back a {suffix or '(no extension)'!r} file; "
            f"expected one of {', '.join(REWRITABLE)}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if suffix == ".docx":
        return _rewrite_docx(data, find, path)
    return _rewrite_text(data, find, path)
