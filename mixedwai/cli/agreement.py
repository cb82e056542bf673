"""``mixedwai agreement``: agreement between coders, and coders against a reference."""

from __future__ import annotations

from pathlib import Path

import typer

from mixedwai.cli._common import CASE_PATTERN_OPTION, console, print_corpus_notes, print_written

__all__ = ["register"]


def agreement_command(
    transcripts: Path = typer.Option(
        ..., "--transcripts", help="Folder (or file) of the transcripts the codings refer to."
    ),
    codings: list[Path] = typer.Option(
        ...,
        "--codings",
        help="Codings table(s) (CSV/XLSX) with doc_id, start, end, code_id and coder; a file "
        "may hold several coders (mixedwai's own codings.csv has coder 'mixedwai'). Give "
        "several files after it, or repeat the option.",
    ),
    more_codings: list[Path] | None = typer.Argument(
        None, metavar="MORE_CODINGS",
        help="More codings files: `--codings A.csv B.csv` reads both.",
        show_default=False,
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    codebook: str | None = typer.Option(
        None, "--codebook", help="Codebook YAML file or shipped name (codes, labels, categories, "
        "default unit and speakers)."
    ),
    unit: str | None = typer.Option(
        None, "--unit", help="turn | sentence | paragraph (default: the codebook's, else turn)."
    ),
    speakers: str | None = typer.Option(
        None, "--speakers", help="Whose segments are units: roles or labels, comma-separated; "
        "'all' for everyone (default: the codebook's speakers, else everyone)."
    ),
    overlap: str = typer.Option(
        "any", "--overlap", help="When a coding applies to a segment: any (a shared character), "
        "start (the first segment it overlaps), or a share of the segment such as 0.5."
    ),
    reference: str | None = typer.Option(
        None, "--reference", help="A coder to measure every other coder against (writes "
        "validation.csv: precision, recall, F1, kappa per code)."
    ),
    n_boot: int = typer.Option(1000, "--n-boot", help="Bootstrap resamples for alpha's interval."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap."),
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Agreement between coders: kappa and Krippendorff's alpha per code and category.

    Writes agreement.csv, disagreements.csv, summary.txt and, with --reference,
    validation.csv.
    """
    from mixedwai.cli._common import read_corpus
    from mixedwai.errors import OptionError
    from mixedwai.io import read_table, staged_output, write_csv, write_text
    from mixedwai.qual.agreement.reliability import agreement
    from mixedwai.qual.codebook.loading import load_codebook

    overlap_value: str | float = overlap
    if overlap not in ("any", "start"):
        try:
            overlap_value = float(overlap)
        except ValueError:
            raise OptionError(
                f"--overlap = {overlap!r} is not allowed; expected any, start or a share of the "
                "segment in (0, 1]"
            ) from None
    book = load_codebook(codebook) if codebook else None
    corpus = read_corpus(transcripts, case_pattern=case_pattern)
    tables = [read_table(path) for path in [*codings, *(more_codings or [])]]
    result = agreement(
        tables, corpus, codebook=book, unit=unit, speakers=speakers, overlap=overlap_value,
        reference=reference, n_boot=n_boot, random_state=seed,
    )
    with staged_output(out) as stage:
        write_csv(result.table, stage.path("agreement.csv"))
        write_csv(result.disagreements, stage.path("disagreements.csv"))
        if result.validation is not None:
            write_csv(result.validation, stage.path("validation.csv"))
        write_text(result.summary(), stage.path("summary.txt"))
        written = stage.written()

    shown = console()
    overall = result.table.iloc[-1]
    shown.print(
        f"Compared {len(result.data.coders)} coders ({', '.join(result.data.coders)}) on "
        f"{result.n_units} {result.unit}s: overall alpha {overall['krippendorff_alpha']:.3f} "
        f"[{overall['alpha_low']:.3f}, {overall['alpha_high']:.3f}], "
        f"{len(result.disagreements)} {result.unit}(s) coded differently.",
        markup=False,
    )
    for note in result.notes:
        shown.print(f"Note: {note}", markup=False)
    print_written(written)
    print_corpus_notes(corpus)


def register(app: typer.Typer) -> None:
    """Add ``mixedwai agreement`` to the application."""
    app.command("agreement")(agreement_command)
