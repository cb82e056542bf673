"""A REFI-QDA project as a folder of plain files, for the command line.

``mixedwai qdpx import`` writes a project as files every mixedwai command reads:

- ``transcripts/<doc_id>.txt`` (the doc_id made a safe file name): each text source
  with a YAML front matter (``doc_id``, ``source_name``, ``case_id``,
  ``default_speaker``, ``variables``); :func:`mixedwai.load_corpus` reads them back
  into the same transcripts;
- ``codebook.yaml``: the code tree (:func:`mixedwai.load_codebook` reads it);
- ``codings.csv``, ``cases.csv``, ``notes.csv``: the tables;
- ``selections.csv`` (every selection and its status), ``sources.csv`` (the position
  convention of each source) and ``skipped.csv`` (what was not imported), so that
  nothing is dropped silently.

``mixedwai qdpx export`` reads such a folder (or any transcripts, codebook and
tables) back with :func:`read_project_folder`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mixedwai.exchange.sources import front_matter

if TYPE_CHECKING:
    import pandas as pd

    from mixedwai.exchange.project import QdpxProject
    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus

__all__ = ["codebook_yaml", "read_project_folder", "write_project_folder"]

#: Files of a project folder (besides ``transcripts/``).
FILES = ("codebook.yaml", "codings.csv", "cases.csv", "notes.csv", "selections.csv",
         "sources.csv", "skipped.csv")  # fmt: skip


def codebook_yaml(codebook: Codebook) -> str:
    """A codebook as YAML text that :func:`mixedwai.load_codebook` reads back unchanged.

    Examples
    --------
    >>> from mixedwai.qual.codebook.loading import load_codebook
    >>> text = codebook_yaml(load_codebook("ross2008-en"))
    >>> text.splitlines()[1:3]
    ["version: '1.0'", 'language: en']
    """
    import yaml

    data = codebook.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("unit", codebook.unit)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100)  # fmt: skip


def write_project_folder(project: QdpxProject, out: str | os.PathLike[str]) -> list[Path]:
    """Write an imported project as plain files (see the module notes).

    Parameters
    ----------
    project : QdpxProject
        From :func:`mixedwai.read_qdpx`.
    out : str or path
        The output folder. Files are staged and moved in only when all are written
        (:func:`mixedwai.io.staged_output`); nothing is written outside it.

    Returns
    -------
    list of Path
        The files written.

    Notes
    -----
    Transcript file names are made safe from the doc_ids
    (:func:`mixedwai.io.safe_file_name`); CSV cells a spreadsheet would run as
    formulas are neutralised (:func:`mixedwai.io.write_csv`), as in every output.
    """
    from mixedwai.io import staged_output, write_csv, write_text

    with staged_output(out) as stage:
        for transcript in project.corpus:
            # the file name is made safe from the doc_id (transcripts/file_names.csv maps
            # changed ones); the front matter keeps the doc_id itself
            write_text(front_matter(transcript.metadata) + transcript.text,
                       stage.path_for_id("transcripts", transcript.doc_id, ".txt"))
        if project.codebook is not None:
            write_text(codebook_yaml(project.codebook), stage.path("codebook.yaml"))
        write_csv(project.codings, stage.path("codings.csv"))
        write_csv(project.cases, stage.path("cases.csv"), index=True)
        write_csv(project.notes, stage.path("notes.csv"))
        write_csv(project.selections, stage.path("selections.csv"))
        write_csv(project.sources, stage.path("sources.csv"))
        write_csv(project.skipped, stage.path("skipped.csv"))
        write_text(project.summary() + "\n", stage.path("import_summary.txt"))
        return stage.written()


def read_project_folder(
    transcripts: str | os.PathLike[str],
    *,
    codebook: str | os.PathLike[str] | None = None,
    codings: str | os.PathLike[str] | None = None,
    cases: str | os.PathLike[str] | None = None,
    notes: str | os.PathLike[str] | None = None,
    case_pattern: str | None = None,
) -> tuple[Corpus, pd.DataFrame | None, Codebook | None, pd.DataFrame | None,
           pd.DataFrame | None]:
    """Read what :func:`mixedwai.write_qdpx` needs from files.

    Parameters
    ----------
    transcripts : str or path
        A folder written by ``mixedwai qdpx import`` (then ``transcripts/``,
        ``codebook.yaml``, ``codings.csv``, ``cases.csv`` and ``notes.csv`` in it are
        used unless given below), or a transcript folder or file.
    codebook, codings, cases, notes : str or path, optional
        A codebook (YAML file or shipped name), a codings table (``doc_id``,
        ``start``, ``end``, ``code_id``, ``coder``), a cases table (``case_id`` and
        attributes) and a notes table.
    case_pattern : str, optional
        As in :func:`mixedwai.load_corpus`.

    Returns
    -------
    corpus, codings, codebook, cases, notes
    """
    from mixedwai.io import read_table
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.transcripts.loading import load_corpus

    root = Path(transcripts)
    folder = root / "transcripts" if (root / "transcripts").is_dir() else root

    def default(given: Any, name: str) -> Any:
        if given is not None:
            return given
        path = root / name
        return path if folder != root and path.is_file() else None

    corpus = load_corpus(folder, case_pattern=case_pattern)
    book_source = default(codebook, "codebook.yaml")
    book = load_codebook(book_source) if book_source is not None else None
    tables = []
    for given, name in ((codings, "codings.csv"), (cases, "cases.csv"), (notes, "notes.csv")):
        source = default(given, name)
        tables.append(read_table(source) if source is not None else None)
    codings_table, cases_table, notes_table = tables
    if cases_table is not None and "case_id" in cases_table.columns:
        cases_table = cases_table.set_index("case_id")
    return corpus, codings_table, book, cases_table, notes_table
