"""``mixedwai qdpx import`` and ``mixedwai qdpx export``: REFI-QDA projects on the command line."""

from __future__ import annotations

from pathlib import Path

import typer

from mixedwai.cli._common import CASE_PATTERN_OPTION, console, print_written

__all__ = ["qdpx_app", "register"]

#: ``mixedwai qdpx ...``: exchange with NVivo, MAXQDA, ATLAS.ti and QualCoder.
qdpx_app = typer.Typer(
    name="qdpx",
    help="Exchange projects with NVivo, MAXQDA, ATLAS.ti and QualCoder (REFI-QDA .qdpx).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@qdpx_app.command("import")
def qdpx_import(
    project: Path = typer.Argument(..., metavar="PROJECT", help="A REFI-QDA project (.qdpx)."),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    language: str = typer.Option("en", "--language", help="Language of the codebook (en, fr)."),
    default_speaker: str = typer.Option(
        "speaker", "--default-speaker",
        help="Speaker of a text source without speaker labels (field notes, open answers).",
    ),
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Import a project: transcripts/*.txt, codebook.yaml, codings.csv, cases.csv, notes.csv.

    Also writes selections.csv (every selection checked, with its status), sources.csv
    (how each source counts positions), skipped.csv (what mixedwai cannot use) and
    import_summary.txt. Nothing is written outside --out.
    """
    from mixedwai.exchange.folder import write_project_folder
    from mixedwai.exchange.reading import read_qdpx

    result = read_qdpx(project, language=language, default_speaker=default_speaker,
                       case_pattern=case_pattern)  # fmt: skip
    written = write_project_folder(result, out)
    console().print(result.summary(), markup=False)
    print_written(written)


@qdpx_app.command("export")
def qdpx_export(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A folder written by 'mixedwai qdpx import', or transcripts (file or folder)."
    ),
    out: Path = typer.Option(..., "--out", help="The .qdpx project to write."),
    codebook: str | None = typer.Option(
        None, "--codebook", help="Codebook YAML file or shipped name (default: codebook.yaml)."
    ),
    codings: Path | None = typer.Option(
        None, "--codings", help="Codings table (doc_id, start, end, code_id, coder)."
    ),
    cases: Path | None = typer.Option(None, "--cases", help="Cases table (case_id, attributes)."),
    notes: Path | None = typer.Option(None, "--notes", help="Notes table (target, text ...)."),
    name: str | None = typer.Option(None, "--name", help="Project name."),
    positions: str = typer.Option(
        "codepoint", "--positions",
        help="codepoint (the standard) or utf16 (for programs that count UTF-16 units).",
    ),
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Export transcripts, codings, codebook, cases and notes as a REFI-QDA project."""
    from mixedwai._validation import check_choice
    from mixedwai.exchange.folder import read_project_folder
    from mixedwai.exchange.writing import write_qdpx

    check_choice("--positions", positions, ["codepoint", "utf16"])
    corpus, table, book, case_table, note_table = read_project_folder(
        transcripts, codebook=codebook, codings=codings, cases=cases, notes=notes,
        case_pattern=case_pattern,
    )
    write_qdpx(out, corpus, codings=table, codebook=book, cases=case_table, notes=note_table,
               name=name, positions=positions)  # type: ignore[arg-type]
    console().print(
        f"Exported {len(corpus)} transcript(s), {0 if table is None else len(table)} coding(s), "
        f"{0 if case_table is None else len(case_table)} case(s), "
        f"{0 if note_table is None else len(note_table)} note(s) to {out}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``mixedwai qdpx`` to the application."""
    app.add_typer(qdpx_app, name="qdpx")
