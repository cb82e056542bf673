"""Transcripts and corpora: the models, and loading them from files.

A :class:`Transcript` holds the full text of an interview and its speaker turns
as :class:`Segment` objects; paragraphs and sentences are cut from the turns on
demand. Every segment's offsets slice the transcript's text:
``transcript.text[s.start:s.end] == s.text`` always holds. A :class:`Corpus` is
an ordered collection of transcripts loaded from files or a folder.

Files are read by extension: ``.txt``/``.md`` (:mod:`.loaders.text`), ``.docx``
(:mod:`.loaders.docx`) and ``.vtt`` (:mod:`.loaders.vtt`). The case id comes
from the metadata (front matter, Word properties, WebVTT NOTE) or from the file
name; see ``docs/qual-transcripts.md``.

The models live in :mod:`mixedwai.qual.transcripts.model` (``Segment``,
``Transcript``) and :mod:`mixedwai.qual.transcripts.corpus` (``Corpus``); this module reads
files.

Examples
--------
>>> t = Transcript.from_text(
...     "Interviewer: How did the first meeting go?\\n"
...     "Marie: Well. He trusted me quickly. We agreed on goals.\\n",
...     doc_id="ES11_C4_i1", speakers={"Marie": "ES"},
... )
>>> t.case_id, t.es_id, t.interview, t.speakers()
('ES11_C4', 'ES11', 1, {'Interviewer': 'interviewer', 'Marie': 'ES'})
>>> [s.id for s in t.segments("sentence")]
['t0.s0', 't1.s0', 't1.s1', 't1.s2']
>>> s = t.segments("sentence")[2]
>>> s.text, t.text[s.start:s.end]
('He trusted me quickly.', 'He trusted me quickly.')
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

from mixedwai._validation import check_choice, format_problems
from mixedwai.errors import ExclusionWarning, InputFileError, MixedWAIError, TranscriptError
from mixedwai.limits import limit, limit_hint
from mixedwai.qual.transcripts.corpus import Corpus
from mixedwai.qual.transcripts.metadata import _compile
from mixedwai.qual.transcripts.model import Transcript, _build

__all__ = ["CONVERT_HINTS", "IGNORED_SUFFIXES", "SUFFIXES", "load_corpus", "load_transcript"]

#: File extensions read as transcripts.
SUFFIXES = (".txt", ".md", ".docx", ".vtt")

#: Document formats a transcript is often kept in that are not read, with what to do.
#: In a folder they are reported (corpus notes and an ExclusionWarning), never skipped
#: silently.
CONVERT_HINTS = {
    ".doc": "save it as .docx",
    ".docm": "save it as .docx",
    ".dot": "save it as .docx",
    ".dotx": "save it as .docx",
    ".odt": "save it as .docx",
    ".rtf": "save it as .docx",
    ".wpd": "save it as .docx",
    ".pages": "export it as .docx",
    ".pdf": "export its text as .docx or .txt",
    ".srt": "convert it to .vtt (or save it as .txt with 'Speaker: text' lines)",
    ".sbv": "convert it to .vtt (or save it as .txt with 'Speaker: text' lines)",
    ".htm": "save it as .txt",
    ".html": "save it as .txt",
}

#: Data and code files kept beside transcripts; a folder's files of these kinds (and
#: hidden files, Word lock files ``~$...``) are passed over without a note.
IGNORED_SUFFIXES = frozenset(
    {
        ".csv", ".tsv", ".xlsx", ".xls", ".ods", ".sav", ".dta", ".rds", ".rdata",
        ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".xml",
        ".py", ".r", ".rmd", ".qmd", ".ipynb", ".do", ".sps", ".sh", ".bat",
        ".db", ".sqlite", ".lock",
    }
)  # fmt: skip


# -- loading -----------------------------------------------------------------------


def load_transcript(
    path: str | os.PathLike[str],
    *,
    case_pattern: re.Pattern[str] | str | None = None,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> Transcript:
    """Read one transcript file, choosing the reader by its extension.

    Parameters
    ----------
    path : str or path
        A ``.txt``, ``.md``, ``.docx`` or ``.vtt`` file.
    case_pattern : str or re.Pattern, optional
        Regular expression that finds the case id in the file name when the
        metadata gives none: named groups ``es`` and ``client`` (canonical id
        ``ES<es>_C<client>``) or one group ``case`` (kept as written). Default
        :data:`mixedwai.ids.CASE_ID_PATTERN` (``ES#11_C4``, ``ES11_C04``, ``es11-c4``).
    speakers : mapping, optional
        Speaker labels -> roles (``{"Marie": "ES"}``); added to (and overriding)
        the file's own ``speakers`` metadata. Declared labels always open turns.
    default_speaker : str, optional
        For a document without any speaker label (a written answer, a
        monologue): the whole text becomes one turn of this speaker. Without
        it such a file is an error.

    Returns
    -------
    Transcript

    Raises
    ------
    InputFileError
        The file does not exist or cannot be read.
    TranscriptError
        Unknown extension, empty file, corrupt .docx, invalid front matter or
        WebVTT, or no speaker turn found (the message names the file and lists
        the label forms expected).
    OptionError
        ``case_pattern`` is not a valid regular expression.

    Warns
    -----
    EncodingFallbackWarning
        A text file was not UTF-8 and was read as Windows-1252 (also recorded
        in ``encoding`` and ``notes``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ES#11_C4_interview2.txt"
    >>> _ = p.write_text("[00:00:01] Interviewer: Hello.\\n[00:00:04] Marie: Hi!\\n")
    >>> t = load_transcript(p, speakers={"Marie": "ES"})
    >>> t.doc_id, t.case_id, t.interview, [(s.role, s.timestamp) for s in t.turns]
    ('ES#11_C4_interview2', 'ES11_C4', 2, [('interviewer', 1.0), ('ES', 4.0)])
    """
    return _load(Path(path), _compile(case_pattern), speakers, default_speaker)


def load_corpus(
    paths_or_folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    case_pattern: re.Pattern[str] | str | None = None,
    errors: Literal["raise", "collect"] = "raise",
    recursive: bool = False,
    progress: bool | Callable[[int, int], None] = False,
    speakers: Mapping[str, str] | None = None,
    default_speaker: str | None = None,
) -> Corpus:
    """Read every transcript of a folder (or a list of files and folders).

    Parameters
    ----------
    paths_or_folder : path or iterable of paths
        A folder, a file, or several. In a folder only ``.txt``, ``.md``,
        ``.docx`` and ``.vtt`` files are read. The folder's other files are listed
        in :attr:`Corpus.notes` with the reason, except data and code files
        (:data:`IGNORED_SUFFIXES`: ``.csv``, ``.yaml``, ``.json``, ``.py`` ...),
        hidden files and Word lock files ``~$...``, which are passed over
        silently; documents in a format that is not read (``.doc``, ``.odt``,
        ``.rtf``, ``.pdf`` ..., see :data:`CONVERT_HINTS`) also raise an
        :class:`~mixedwai.errors.ExclusionWarning` saying how to convert them. A
        file named explicitly with another extension is an error.
    case_pattern : str or re.Pattern, optional
        As in :func:`load_transcript`.
    errors : {"raise", "collect"}, default="raise"
        ``"raise"``: if any file fails, raise one :class:`TranscriptError`
        listing every failing file with its reason. ``"collect"``: keep the
        good files and list the others in :attr:`Corpus.errors`.
    recursive : bool, default=False
        Also read sub-folders.
    progress : bool or callable, default=False
        ``True`` shows a progress bar (rich, on standard error) while reading; a
        callable is called as ``progress(done, total)`` before the first file
        (``done = 0``) and after each file.
    speakers, default_speaker
        As in :func:`load_transcript`, for every file.

    Returns
    -------
    Corpus
        Sorted by ``doc_id``; ``notes`` lists the folder's files that were not
        read (``"ES03_C02.doc: .doc files are not read; save it as .docx"``), the
        files decoded as Windows-1252 and the loaders' notes.

    Raises
    ------
    TranscriptError
        A file failed (with ``errors="raise"``), two files share a ``doc_id``,
        or no transcript file was found at all.
    OptionError
        ``errors`` or ``case_pattern`` is invalid.

    Warns
    -----
    ExclusionWarning
        One per document of a folder in a format that is not read (``.doc``,
        ``.pdf`` ...), with what to do.
    EncodingFallbackWarning
        As in :func:`load_transcript`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "es1_c1.txt").write_text("ES: We met twice.\\n")
    >>> _ = (folder / "es1_c2.md").write_text("Nothing to see here.\\n")
    >>> corpus = load_corpus(folder, errors="collect")
    >>> corpus.doc_ids, [e[0].endswith("es1_c2.md") for e in corpus.errors]
    (['es1_c1'], [True])
    """
    check_choice("errors", errors, ["raise", "collect"])
    pattern = _compile(case_pattern)
    problems: list[tuple[str, str]] = []
    skipped: list[str] = []
    files = _collect_files(
        paths_or_folder, recursive=recursive, problems=problems, skipped=skipped
    )
    if not files and not problems:
        raise TranscriptError(
            f"{_describe(paths_or_folder)}: no transcript file found; expected files ending in "
            f"{', '.join(SUFFIXES)}"
        )
    transcripts: list[Transcript] = []
    iterator: Iterable[Path] = files
    if callable(progress):
        progress(0, len(files))
    elif progress:
        from rich.console import Console
        from rich.progress import track

        iterator = track(files, description="Reading transcripts", transient=True,
                         console=Console(stderr=True))  # fmt: skip
    for done, path in enumerate(iterator, start=1):
        try:
            transcripts.append(_load(path, pattern, speakers, default_speaker))
        except MixedWAIError as exc:
            problems.append((str(path), str(exc)))
        if callable(progress):
            progress(done, len(files))
    seen: dict[str, str] = {}
    kept: list[Transcript] = []
    for transcript in transcripts:
        previous = seen.get(transcript.doc_id)
        if previous is not None:
            problems.append(
                (str(transcript.path), f"{transcript.path}: doc_id {transcript.doc_id!r} is "
                 f"already used by {previous}; rename the file or set 'doc_id:' in its metadata")
            )
            continue
        seen[transcript.doc_id] = str(transcript.path)
        kept.append(transcript)
    if problems and errors == "raise":
        lines = [_indent_message(path, message) for path, message in problems]
        raise TranscriptError(
            f"{len(problems)} file(s) could not be read as transcripts (of "
            f"{len(files)} found):\n{format_problems(lines, cap=len(lines))}"
        )
    return Corpus(kept, errors=problems, notes=skipped)


def _indent_message(path: str, message: str) -> str:
    text = message if message.startswith(path) else f"{path}: {message}"
    return text.replace("\n", "\n    ")


def _describe(value: object) -> str:
    if isinstance(value, (str, os.PathLike)):
        return str(value)
    return "the paths given"


def _collect_files(
    value: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    recursive: bool,
    problems: list[tuple[str, str]],
    skipped: list[str],
) -> list[Path]:
    items = [value] if isinstance(value, (str, os.PathLike)) else list(value)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            candidates = sorted(
                p for p in (path.rglob("*") if recursive else path.iterdir())
                if p.is_file() and not p.name.startswith((".", "~$"))
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
            found = [p for p in candidates if p.suffix.lower() in SUFFIXES]
            passed_over = [p for p in candidates if p.suffix.lower() not in SUFFIXES]
            n_skipped = len(skipped)
            for other in passed_over:
                _note_skipped(other, other.relative_to(path).as_posix(), skipped)
            if not found:
                also = len(skipped) - n_skipped
                problems.append(
                    (str(path), f"{path}: folder holds no transcript file "
                     f"({', '.join(SUFFIXES)})"
                     + (f"; {also} other file(s) not read, see the notes" if also else ""))
                )
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append((str(path), f"{path}: file not found"))
    return files


def _note_skipped(path: Path, name: str, skipped: list[str]) -> None:
    """Record a folder's file that is not read; warn when it looks like a transcript."""
    suffix = path.suffix.lower()
    if suffix in IGNORED_SUFFIXES:
        return
    hint = CONVERT_HINTS.get(suffix)
    if hint is None:
        kind = f"{suffix} files are" if suffix else "files without an extension are"
        skipped.append(
            f"{name}: not read; {kind} not transcripts (read: {', '.join(SUFFIXES)})"
        )
        return
    note = f"{name}: {suffix} files are not read; {hint}"
    skipped.append(note)
    warnings.warn(note, ExclusionWarning, stacklevel=4)  # the caller of load_corpus


def _load(
    path: Path,
    case_pattern: re.Pattern[str] | None,
    speakers: Mapping[str, str] | None,
    default_speaker: str | None,
) -> Transcript:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise TranscriptError(
            f"{path}: unknown transcript format {suffix or '(no extension)'!r}; expected one "
            f"of {', '.join(SUFFIXES)}"
        )
    if path.is_dir():
        raise TranscriptError(f"{path}: is a folder; use load_corpus() to read a folder")
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    if suffix != ".docx":  # a .docx is bounded by its zip directory (loaders/docx.py)
        size, largest = path.stat().st_size, limit("MAX_TRANSCRIPT_BYTES")
        if size > largest:
            raise TranscriptError(
                f"{path}: {size} bytes is larger than a transcript may be ({largest}); "
                f"{limit_hint('MAX_TRANSCRIPT_BYTES')}"
            )
    if suffix in (".txt", ".md"):
        from mixedwai.qual.transcripts.loaders.text import load_text as reader
    elif suffix == ".docx":
        from mixedwai.qual.transcripts.loaders.docx import load_docx as reader
    else:
        from mixedwai.qual.transcripts.loaders.vtt import load_vtt as reader
    raw = reader(path, speakers=speakers, default_speaker=default_speaker)
    return _build(raw, stem=path.stem, path=str(path), case_pattern=case_pattern)
