"""``mixedwai themes`` and ``mixedwai codebook promote``: inductive themes from the command line.

``themes`` suggests candidate themes in the speech the codebook did not code and
writes them with a review file; the analyst edits the review file, and
``codebook promote`` adds the accepted themes to the codebook. Commands stay thin:
the work is done by :func:`mixedwai.qual.themes.suggest.suggest_themes` and
:func:`mixedwai.qual.themes.promote.promote_themes`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mixedwai.cli._common import (
    CASE_PATTERN_OPTION,
    DEFAULT_SPEAKER_OPTION,
    console,
    print_corpus_notes,
    print_written,
    read_corpus,
)

__all__ = ["promote", "register", "themes"]


def _speakers(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


def _n_themes(value: str) -> int | str:
    from mixedwai.errors import OptionError

    text = value.strip().lower()
    if text == "auto":
        return "auto"
    try:
        number = int(text)
    except ValueError:
        raise OptionError(
            f"--n-themes {value!r} is not allowed; expected 'auto' or a whole number >= 1"
        ) from None
    return number


def themes(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A transcript file (.txt, .md, .docx, .vtt) or a folder of them."
    ),
    codebook: str | None = typer.Option(
        None,
        "--codebook",
        help="Codebook YAML file or shipped name (ross2008-en): its rules decide which "
        "segments are already coded; needed with --segments uncoded.",
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    n_themes: str = typer.Option(
        "auto", "--n-themes", help="Number of themes, or 'auto' (best mean NPMI coherence)."
    ),
    max_themes: int = typer.Option(12, "--max-themes", help="Largest number tried by 'auto'."),
    segments: str = typer.Option(
        "uncoded", "--segments", help="uncoded (segments no code matched) | all."
    ),
    unit: str | None = typer.Option(
        None,
        "--unit",
        help="sentence | turn | paragraph (default: turn with --segments all, else the "
        "codebook's unit).",
    ),
    speakers: list[str] | None = typer.Option(
        None,
        "--speakers",
        help="Whose speech: roles (ES, interviewer, client) or labels; repeat or separate "
        "with commas; 'all' for everyone (default: the codebook's speakers).",
    ),
    language: str | None = typer.Option(
        None, "--language", help="en | fr (default: the codebook's language)."
    ),
    seed: int = typer.Option(0, "--seed", help="Random state of the NMF initialisation."),
    case_pattern: str | None = CASE_PATTERN_OPTION,
    default_speaker: str | None = DEFAULT_SPEAKER_OPTION,
) -> None:
    """Suggest candidate inductive themes (TF-IDF + NMF) to review.

    Writes themes.csv (one row per theme), theme_segments.csv (the most representative
    segments of each theme), theme_selection.csv (the criterion for each number of
    themes tried) and themes.yaml, the review file: edit it, then run
    `mixedwai codebook promote CODEBOOK themes.yaml`.
    """
    from mixedwai._validation import check_range
    from mixedwai.io import staged_output, write_csv
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.themes.review import write_theme_review
    from mixedwai.qual.themes.suggest import suggest_themes

    requested = _n_themes(n_themes)
    check_range("--max-themes", max_themes, low=2, integer=True, limit="MAX_THEMES")
    if unit is None and segments.strip().lower() == "all":
        # Turns hold enough words for terms to co-occur; sentences rarely do. With
        # uncoded segments the codebook's unit stays: a turn counts as coded as soon
        # as one sentence is, which leaves few turns (see docs/qual-themes.md).
        unit = "turn"
    book = load_codebook(codebook) if codebook is not None else None
    corpus = read_corpus(transcripts, case_pattern=case_pattern,
                         default_speaker=default_speaker)
    found = suggest_themes(
        corpus,
        book,
        unit=unit,
        speakers=_speakers(speakers),
        segments=segments,
        n_themes=requested,
        max_themes=max_themes,
        language=language,
        random_state=seed,
    )
    inputs = [transcripts] + ([codebook] if codebook and Path(codebook).is_file() else [])
    with staged_output(out, inputs=inputs) as stage:
        write_csv(found.themes, stage.path("themes.csv"))
        write_csv(found.segments, stage.path("theme_segments.csv"))
        write_csv(found.selection, stage.path("theme_selection.csv"))
        write_theme_review(found, stage.path("themes.yaml"))
        written = stage.written()

    params = found.params
    shown = console()
    who = ", ".join(params["speakers"]) if params["speakers"] else "everyone"
    kind = "uncoded " if params["segments"] == "uncoded" else ""
    if params["criterion"] == "npmi":
        chosen = found.selection.loc[found.selection["chosen"]].iloc[0]
        how = (
            f"best mean NPMI coherence, {chosen['npmi']:.3f}, of 2.."
            f"{int(found.selection['n_themes'].max())} themes"
        )
    else:
        how = "as requested"
    shown.print(
        f"{found.n_themes} candidate themes ({how}) in {params['segments_analysed']} {kind}"
        f"{params['unit']}(s) by {who}, language {params['language']}; "
        f"{params['segments_coded']} coded and {params['segments_excluded_by_speaker']} "
        f"other speakers' segment(s) left out, {params['segments_without_terms']} without "
        f"any term, vocabulary of {params['n_vocabulary']} lemmas.",
        markup=False,
    )
    if params["documents_excluded"]:
        shown.print(
            "Left out (language): "
            + "; ".join(f"{d} ({r})" for d, r in params["documents_excluded"].items()),
            markup=False,
        )
    for row in found.themes.itertuples(index=False):
        shown.print(
            f"  {row.theme_id}  {row.label}  ({row.n_segments} segments, {row.n_cases} cases)",
            markup=False,
        )
    print_written(written)
    print_corpus_notes(corpus)
    review = Path(out) / "themes.yaml"
    if codebook is None:
        command = f"mixedwai codebook promote CODEBOOK.yaml {review}"
    elif Path(codebook).is_file():
        command = f"mixedwai codebook promote {codebook} {review}"
    else:  # a shipped codebook: promote into a copy
        command = f"mixedwai codebook promote {codebook} {review} --out my_codebook.yaml"
    shown.print(f"Review {review}, then: {command}", markup=False)


def promote(
    codebook: str = typer.Argument(
        ..., metavar="CODEBOOK",
        help="Codebook YAML file to add the themes to (a shipped name needs --out)."
    ),
    review: Path = typer.Argument(..., metavar="REVIEW",
                                  help="The edited review file (themes.yaml)."),
    out: Path | None = typer.Option(
        None, "--out", help="Write the promoted codebook here instead of over CODEBOOK."
    ),
    category: str = typer.Option(
        "inductive", "--category", help="Id of the category the new codes go to."
    ),
    category_label: str = typer.Option(
        "Inductive themes", "--category-label", help="Label of that category if it is created."
    ),
) -> None:
    """Add the accepted themes of a review file to a codebook, keeping its formatting."""
    from mixedwai.qual.themes.promote import promote_themes
    from mixedwai.qual.themes.review import read_theme_review

    book = promote_themes(
        codebook, review, category_id=category, category_label=category_label, out=out
    )
    decisions = read_theme_review(review)  # already checked by promote_themes
    shown = console()
    accepted = decisions.accepted
    if accepted:
        shown.print(
            f"Promoted {len(accepted)} theme(s) into category {category!r} of "
            f"{book.source}: " + ", ".join(f"{d.id} ({d.theme})" for d in accepted) + ".",
            markup=False,
        )
    else:
        shown.print(f"No theme accepted; {book.source} unchanged.", markup=False)
    if decisions.merged:
        shown.print(
            "Merged: " + ", ".join(f"{d.theme} into {d.into}" for d in decisions.merged) + ".",
            markup=False,
        )
    if decisions.rejected:
        shown.print(
            "Rejected: " + ", ".join(d.theme for d in decisions.rejected) + ".", markup=False
        )


def register(app: typer.Typer) -> None:
    """Add ``themes`` to the application and ``promote`` to ``mixedwai codebook``."""
    from mixedwai.cli.qual import codebook_app

    app.command("themes")(themes)
    if not any(c.name == "promote" for c in codebook_app.registered_commands):
        codebook_app.command("promote")(promote)
