"""``mixedwai code`` and ``mixedwai codebook``: the qualitative strand from the command line.

Commands stay thin: they parse options, call library functions, write their
outputs through :func:`mixedwai.io.staged_output` (a failing run leaves no
partial file) and print a short summary.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mixedwai.cli._common import (
    CASE_PATTERN_OPTION,
    DEFAULT_SPEAKER_OPTION,
    PROGRESS_MIN_FILES,
    console,
    print_corpus_notes,
    print_written,
    read_corpus,
)

__all__ = ["codebook_app", "register"]

#: ``mixedwai codebook ...``: commands on codebook files.
codebook_app = typer.Typer(
    name="codebook",
    help="Check codebooks (and, with the themes module, promote inductive themes).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _speakers(values: list[str] | None) -> list[str] | None:
    """``--speakers ES --speakers client`` or ``--speakers ES,client`` -> list (None = default)."""
    if not values:
        return None
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


def code(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A transcript file (.txt, .md, .docx, .vtt) or a folder of them."
    ),
    codebook: list[str] = typer.Option(
        ...,
        "--codebook",
        help="Codebook YAML file, or a shipped name such as ross2008-en. Repeat it with one "
        "codebook per language (ross2008-en, ross2008-fr) to code each transcript in its "
        "own language.",
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    unit: str | None = typer.Option(
        None, "--unit", help="sentence | turn | paragraph (default: the codebook's unit)."
    ),
    speakers: list[str] | None = typer.Option(
        None,
        "--speakers",
        help="Whose speech to code: roles (ES, interviewer, client) or labels; repeat the option "
        "or separate with commas; 'all' for everyone (default: the codebook's speakers).",
    ),
    case_pattern: str | None = CASE_PATTERN_OPTION,
    default_speaker: str | None = DEFAULT_SPEAKER_OPTION,
) -> None:
    """Code transcripts with a codebook's rules.

    Writes codings.csv (one row per segment and code), code_matrix.csv (codes x cases,
    number of coded segments) and code_frequencies.csv (per category and code).
    """
    from mixedwai._validation import check_choice
    from mixedwai.errors import OptionError
    from mixedwai.io import staged_output, write_csv
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.coding.apply import code_corpus
    from mixedwai.qual.coding.schema import UNITS
    from mixedwai.qual.retrieval.matrices import code_frequencies, code_matrix

    if unit is not None:
        check_choice("--unit", unit, UNITS)
    books = [load_codebook(name) for name in codebook]
    by_language = {book.language: book for book in books}
    if len(by_language) < len(books):
        raise OptionError(
            "--codebook: give at most one codebook per language; got "
            + ", ".join(f"{name} ({book.language})" for name, book in zip(codebook, books,
                                                                           strict=True))
        )
    book = books[0]
    corpus = read_corpus(transcripts, case_pattern=case_pattern,
                         default_speaker=default_speaker)
    documents = list(corpus)
    codings = code_corpus(
        documents,
        by_language if len(books) > 1 else book,
        unit=unit,
        speakers=_speakers(speakers),
        progress=len(documents) > PROGRESS_MIN_FILES,
    )
    matrix = code_matrix(codings, codebook=book)
    frequencies = code_frequencies(codings, book)
    inputs = [transcripts, *(Path(c) for c in codebook if Path(c).is_file())]
    with staged_output(out, inputs=inputs) as stage:
        write_csv(codings, stage.path("codings.csv"))
        write_csv(matrix, stage.path("code_matrix.csv"), index=True)
        write_csv(frequencies, stage.path("code_frequencies.csv"))
        written = stage.written()

    attrs = codings.attrs
    shown = console()
    who = ", ".join(attrs["speakers"]) if attrs["speakers"] else "everyone"
    shown.print(
        f"Coded {len(documents)} transcript(s) by {attrs['unit']} with "
        f"{', '.join(repr(b.name) for b in books)}: {attrs['segments_coded']} segment(s) coded "
        f"(speakers: {who}; {attrs['segments_excluded_by_speaker']} excluded by speaker), "
        f"{attrs['segments_with_codes']} with at least one code, {len(codings)} coding(s).",
        markup=False,
    )
    negated: dict[str, int] = {}
    for counts in (attrs.get("negated") or {}).values():
        for what, n in counts.items():
            negated[what] = negated.get(what, 0) + n
    if negated:
        words = {"dropped": "not coded (negated clause)", "redirected": "coded with the code "
                 "their when_negated names", "flagged": "flagged negated (in codings.csv, "
                 "not counted)", "kept": "coded although negated (when_negated: keep)",
                 "other_speaker": "not coded (spoken by someone the code is not about)"}
        shown.print(
            "Negation and speakers: " + "; ".join(
                f"{n} {words.get(what, what)}" for what, n in sorted(negated.items())
            ) + " (per code: see the docs on when_negated).",
            markup=False,
        )
    top = frequencies[frequencies["level"] == "code"].sort_values(
        "n_segments", ascending=False, kind="mergesort"
    )
    top = top[top["n_segments"] > 0].head(5)
    if len(top):
        shown.print(
            "Most coded: "
            + ", ".join(f"{r.code_id} ({r.n_segments})" for r in top.itertuples(index=False)),
            markup=False,
        )
    print_written(written)
    print_corpus_notes(corpus)


@codebook_app.command("check")
def codebook_check(
    file: str = typer.Argument(..., metavar="FILE", help="Codebook YAML file, or a shipped name."),
) -> None:
    """Validate a codebook and print its tree with the number of rules per code.

    Also warns about lemma rules whose word is not its own lemma (they match
    every form of the lemma it becomes: `lemmas: [willing]` matches "will").
    """
    from mixedwai.qual.codebook.display import codebook_tree
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.codebook.widening import lemma_widenings

    book = load_codebook(file)
    shown = console()
    shown.print(codebook_tree(book), markup=False)
    n_codes = len(list(book.iter_codes()))
    n_categories = len(book.categories)
    widenings = lemma_widenings(book)
    for widening in widenings:
        shown.print(f"Warning: {widening.message}", markup=False)
    warned = f", {len(widenings)} warning{'' if len(widenings) == 1 else 's'}" if widenings else ""
    shown.print(
        f"OK: {n_categories} categor{'y' if n_categories == 1 else 'ies'}, "
        f"{n_codes} code{'' if n_codes == 1 else 's'}{warned}.",
        markup=False,
    )


# -- Inductive themes -----------------------------------------------------------------
# `mixedwai themes` and `mixedwai codebook promote` live in mixedwai.cli.themes, which adds
# `promote` to `codebook_app` above when it registers.


def register(app: typer.Typer) -> None:
    """Add the qualitative commands to the ``mixedwai`` application."""
    app.command("code")(code)
    app.add_typer(codebook_app, name="codebook")
