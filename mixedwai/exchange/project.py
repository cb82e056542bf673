"""The result of reading a REFI-QDA project: :class:`QdpxProject`, and its table columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from mixedwai.qual.codebook.model import Codebook
    from mixedwai.qual.transcripts.corpus import Corpus

__all__ = [
    "NOTE_COLUMNS",
    "SELECTION_COLUMNS",
    "SKIPPED_COLUMNS",
    "SOURCE_COLUMNS",
    "QdpxProject",
]

#: Columns of a notes table (memos): what the note is attached to, where, who wrote it.
#: ``target`` is ``"project"``, ``"source"`` (``doc_id``), ``"selection"`` (``doc_id``,
#: ``start``, ``end``), ``"code"`` (``code_id``) or ``"case"`` (``case_id``).
NOTE_COLUMNS = ("target", "doc_id", "start", "end", "code_id", "case_id", "author", "title",
                "text")  # fmt: skip
#: Columns of :attr:`QdpxProject.selections`: one row per coding of a selection
#: (or per selection without coding), with the positions as written and as mapped.
SELECTION_COLUMNS = ("doc_id", "selection_guid", "start_position", "end_position", "start",
                     "end", "code_id", "coder", "status")  # fmt: skip
#: Columns of :attr:`QdpxProject.sources`: one row per text source read.
SOURCE_COLUMNS = ("doc_id", "source_name", "source_guid", "case_id", "counting", "bom",
                  "crlf", "n_selections", "n_on_word_boundaries")  # fmt: skip
#: Columns of :attr:`QdpxProject.skipped`: what the project holds that was not imported.
SKIPPED_COLUMNS = ("kind", "name", "what_happened")

#: Statuses of a selection that are imported as codings.
IMPORTED = ("ok", "mid-word")


@dataclass(frozen=True)
class QdpxProject:
    """A REFI-QDA project read by :func:`mixedwai.exchange.reading.read_qdpx`.

    Attributes
    ----------
    name, origin : str
        The project's name and the program that wrote it.
    corpus : Corpus
        One transcript per text source (doc_id = the source's name).
    codings : pandas.DataFrame
        The codings table (columns of
        :data:`mixedwai.qual.coding.schema.CODING_COLUMNS`), ``source = "manual"``,
        ``coder`` = the REFI user's name.
    codebook : Codebook or None
        The code tree (None when the project has none).
    cases : pandas.DataFrame
        One row per REFI case, indexed by ``case_id``; one column per variable.
    notes : pandas.DataFrame
        Memos, columns :data:`NOTE_COLUMNS`.
    sources : pandas.DataFrame
        Text sources read and the position convention found for each
        (:data:`SOURCE_COLUMNS`).
    selections : pandas.DataFrame
        Every selection checked (:data:`SELECTION_COLUMNS`). ``status`` is ``"ok"``,
        ``"mid-word"`` (imported, but it starts or ends inside a word), or why it
        was not imported (``"outside the text"``, ``"unknown code"``, ...).
    skipped : pandas.DataFrame
        What the project holds that mixedwai cannot use and what happened to it
        (:data:`SKIPPED_COLUMNS`).
    users : dict
        User GUID -> name.
    """

    name: str
    origin: str
    corpus: Corpus
    codings: pd.DataFrame
    codebook: Codebook | None
    cases: pd.DataFrame
    notes: pd.DataFrame
    sources: pd.DataFrame
    selections: pd.DataFrame
    skipped: pd.DataFrame
    users: dict[str, str] = field(default_factory=dict)

    @property
    def mismatches(self) -> pd.DataFrame:
        """The selections that were not imported, or only with a doubt (status not "ok")."""
        return self.selections[self.selections["status"] != "ok"]

    def summary(self) -> str:
        """What was imported, how positions were counted, and what was not imported."""
        lines = [
            f"REFI-QDA project {self.name!r} (written by {self.origin or 'an unknown program'})",
            f"  {len(self.corpus)} text source(s), {len(self.codings)} coding(s) by "
            f"{self.codings['coder'].nunique() if len(self.codings) else 0} coder(s), "
            f"{len(self.codebook.code_ids) if self.codebook else 0} code(s), "
            f"{len(self.cases)} case(s), {len(self.notes)} note(s)",
        ]
        for row in self.sources.itertuples(index=False):
            counting = "code points" if row.counting == "codepoint" else "UTF-16 code units"
            lines.append(
                f"  {row.doc_id}: positions counted in {counting}"
                f"{', byte-order mark counted' if row.bom else ''}"
                f"{', CR LF as one' if not row.crlf else ''}; "
                f"{row.n_on_word_boundaries} of {row.n_selections} selection(s) on word boundaries"
            )
        problems = self.mismatches
        if len(problems):
            counts = problems["status"].value_counts().sort_index()
            lines.append("  selections not imported or doubtful: " + ", ".join(
                f"{n} {status}" for status, n in counts.items()))
        for row in self.skipped.itertuples(index=False):
            lines.append(f"  not imported: {row.kind} {row.name!r}: {row.what_happened}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"QdpxProject(name={self.name!r}, sources={len(self.corpus)}, "
                f"codings={len(self.codings)}, cases={len(self.cases)}, notes={len(self.notes)})")
