"""The researcher's workbench from the command line: search, word frequencies, keyness.

``mixedwai search``, ``mixedwai words``, ``mixedwai context`` and
``mixedwai pseudonymise``: thin commands over :mod:`mixedwai.qual.retrieval.search`,
:mod:`mixedwai.qual.retrieval.frequencies`, :mod:`mixedwai.qual.retrieval.context` and
:mod:`mixedwai.qual.pseudonyms`; every output folder is written through
:func:`mixedwai.io.staged_output`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from mixedwai.cli._common import (
    CASE_PATTERN_OPTION,
    console,
    print_corpus_notes,
    print_written,
    read_corpus,
)

__all__ = ["register"]

ROLES_OPTION: Any = typer.Option(
    None, "--roles",
    help="Only these speakers: roles (ES, interviewer, client) or labels; repeat the option or "
    "separate with commas; 'all' (the default) for everyone.",
)  # fmt: skip
CASE_OPTION: Any = typer.Option(
    None, "--case", help="Only these cases (repeat the option or separate with commas)."
)
CASES_FILE_OPTION: Any = typer.Option(
    None, "--cases",
    help="A table (CSV, XLSX) with case_id and pattern columns: adds each case's pattern and "
    "allows --pattern.",
)  # fmt: skip
PATTERN_OPTION: Any = typer.Option(
    None, "--pattern", help="Only the cases of these patterns (needs --cases)."
)


def _listed(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    names = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return names or None


def _case_table(path: Path | None) -> Any:
    if path is None:
        return None
    from mixedwai.io import read_table

    return read_table(path)


def search(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A transcript file (.txt, .md, .docx, .vtt) or a folder of them."
    ),
    query: list[str] = typer.Argument(
        ..., metavar="QUERY",
        help="What to find: words or a phrase, confian* (wildcard), /regex/. Several "
        "queries find any of them.",
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    mode: str = typer.Option(
        "auto", "--mode", help="auto | words | lemmas | wildcard | regex (auto: /.../ is a "
        "regular expression, * or ? a wildcard, anything else words).",
    ),
    unit: str = typer.Option(
        "sentence", "--unit", help="sentence | turn | paragraph: the segment of each hit."
    ),
    context: int = typer.Option(8, "--context", help="Words shown on each side of a hit."),
    roles: list[str] | None = ROLES_OPTION,
    case: list[str] | None = CASE_OPTION,
    cases: Path | None = CASES_FILE_OPTION,
    pattern: list[str] | None = PATTERN_OPTION,
    code: str | None = typer.Option(
        None, "--code", help="Also save the hits as codings of this code (source 'search'): "
        "codings.csv and code_matrix.csv.",
    ),
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Search transcripts: every hit with its context (keywords in context).

    Writes hits.csv (doc_id, case_id, [pattern], speaker, role, segment_id, start, end,
    left, hit, right), rule.yaml (the codebook rule the query stands for, to paste under a
    code's match:) and, with --code, codings.csv and code_matrix.csv.
    """
    from mixedwai.io import staged_output, write_csv, write_text
    from mixedwai.qual.retrieval.matrices import code_matrix
    from mixedwai.qual.retrieval.search import search as run_search

    corpus = read_corpus(transcripts, case_pattern=case_pattern)
    result = run_search(
        corpus, query if len(query) > 1 else query[0], mode=mode, unit=unit, context=context,
        roles=_listed(roles), cases=_listed(case), patterns=_listed(pattern),
        case_table=_case_table(cases),
    )  # fmt: skip
    codings = result.to_codings(code) if code else None
    with staged_output(out) as stage:
        write_csv(result.hits, stage.path("hits.csv"))
        write_text(result.rule_yaml(), stage.path("rule.yaml"))
        if codings is not None:
            write_csv(codings, stage.path("codings.csv"))
            write_csv(code_matrix(codings), stage.path("code_matrix.csv"), index=True)
        written = stage.written()
    shown = console()
    hits = result.hits
    shown.print(
        f"{len(hits)} hit(s) for {' | '.join(result.query)} in {hits['doc_id'].nunique()} of "
        f"{len(result.doc_ids)} transcript(s) searched ({result.n_searched} of "
        f"{result.n_turns} turns).",
        markup=False,
    )
    for row in hits.head(15).itertuples(index=False):
        shown.print(f"  {row.case_id or row.doc_id} {row.speaker}: ...{row.left} [{row.hit}] "
                    f"{row.right}...", markup=False)
    if len(hits) > 15:
        shown.print(f"  ... and {len(hits) - 15} more in hits.csv", markup=False)
    print_written(written)
    print_corpus_notes(corpus)


def words(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A transcript file (.txt, .md, .docx, .vtt) or a folder of them."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    by: str = typer.Option(
        "doc_id", "--by", help="doc_id | case_id | role | pattern | corpus (pattern needs "
        "--cases).",
    ),
    lemmas: bool = typer.Option(True, "--lemmas/--forms", help="Count lemmas (default) or the "
                                "word forms as written."),
    stop_words: bool = typer.Option(
        True, "--remove-stop-words/--keep-stop-words", help="Leave out the language's stop "
        "words (spaCy's list; the default).",
    ),
    stop_word: list[str] | None = typer.Option(
        None, "--stop-word", help="More words to leave out (repeat, or separate with commas)."
    ),
    min_count: int = typer.Option(1, "--min-count", help="Rows only for words used at least "
                                  "this often in a group."),
    top: int = typer.Option(20, "--top", help="Keywords kept per group in keywords.csv."),
    keyness_min: int = typer.Option(3, "--keyness-min-count", help="Keywords only among words "
                                    "used at least this often in the two groups together."),
    roles: list[str] | None = ROLES_OPTION,
    case: list[str] | None = CASE_OPTION,
    cases: Path | None = CASES_FILE_OPTION,
    pattern: list[str] | None = PATTERN_OPTION,
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Word frequencies per group, and the words that distinguish each group (keyness).

    Writes word_frequencies.csv (group, word, n, n_words, per_1000, rank, n_docs) and, with
    two groups or more, keywords.csv: each group against all the others, log-likelihood
    (Rayson & Garside 2000), p value and log ratio (Hardie 2014).
    """
    from mixedwai.io import staged_output, write_csv
    from mixedwai.qual.retrieval.frequencies import keyness, word_frequencies

    corpus = read_corpus(transcripts, case_pattern=case_pattern)
    table = word_frequencies(
        corpus, by=by, lemmas=lemmas, remove_stop_words=stop_words,
        extra_stop_words=_listed(stop_word) or (), min_count=min_count, roles=_listed(roles),
        cases=_listed(case), patterns=_listed(pattern), case_table=_case_table(cases),
    )  # fmt: skip
    groups = list(table.attrs["n_words"])
    keys = keyness(table, min_count=keyness_min, top=top) if len(groups) > 1 else None
    with staged_output(out) as stage:
        write_csv(table, stage.path("word_frequencies.csv"))
        if keys is not None:
            write_csv(keys, stage.path("keywords.csv"))
        written = stage.written()
    shown = console()
    shown.print(f"Word frequencies of {len(groups)} group(s) by {by} "
                f"({'lemmas' if lemmas else 'forms'}"
                f"{', stop words removed' if stop_words else ''}).", markup=False)
    for group in groups[:20]:
        rows = table[table[by] == group].head(8)
        line = ", ".join(f"{w} ({n})" for w, n in zip(rows["word"], rows["n"], strict=True))
        shown.print(f"  {group} ({table.attrs['n_words'][group]} words): {line}", markup=False)
        if keys is not None:
            kw = keys[keys[by] == group].head(8)
            shown.print("    keywords: " + (", ".join(
                f"{w} (G2 {g:.1f})" for w, g in zip(kw["word"], kw["log_likelihood"],
                                                    strict=True)) or "none"), markup=False)
    print_written(written)
    print_corpus_notes(corpus)


_SUFFIXES = {"markdown": ".md", "html": ".html", "docx": ".docx"}


def context(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A transcript file (.txt, .md, .docx, .vtt) or a folder of them."
    ),
    out: Path = typer.Option(..., "--out", help="Output folder."),
    codings: Path | None = typer.Option(
        None, "--codings", help="A codings table (codings.csv of mixedwai code or search, or "
        "manual codings with doc_id, start, end, code_id).",
    ),
    codebook: list[str] | None = typer.Option(
        None, "--codebook", help="Code the transcripts now with this codebook (file or shipped "
        "name; one per language) instead of reading --codings.",
    ),
    code: list[str] | None = typer.Option(
        None, "--code", help="Only these codes (repeat, or separate with commas)."
    ),
    before: int = typer.Option(1, "--before", help="Turns shown before each coding."),
    after: int = typer.Option(1, "--after", help="Turns shown after each coding."),
    formats: list[str] | None = typer.Option(
        None, "--format", help="markdown | html | docx: one document per code in each format "
        "(repeat, or separate with commas; default markdown).",
    ),
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Every coding with the turns around it: a table and one document per code.

    Writes context.csv (one row per coding: code, document, case, speaker, offsets, the
    coded text, the turns before and after) and codes/<code_id>.md (.html, .docx; a code id
    that is not a safe file name is made one).
    """
    from mixedwai._validation import check_choice
    from mixedwai.errors import OptionError
    from mixedwai.io import (
        read_table,
        safe_file_name,
        staged_output,
        write_bytes,
        write_csv,
        write_text,
    )
    from mixedwai.qual.codebook.loading import load_codebook
    from mixedwai.qual.coding.apply import code_corpus
    from mixedwai.qual.retrieval.context import code_document, codings_in_context, typed_codings

    if (codings is None) == (not codebook):
        raise OptionError("give either --codings FILE or --codebook NAME (not both, not neither)")
    chosen = _listed(formats) or ["markdown"]
    for value in chosen:
        check_choice("--format", value, list(_SUFFIXES))
    corpus = read_corpus(transcripts, case_pattern=case_pattern)
    books = [load_codebook(name) for name in codebook or []]
    if codings is not None:
        table = typed_codings(read_table(codings))
    else:
        by_language = {book.language: book for book in books}
        table = code_corpus(corpus, by_language if len(by_language) > 1 else books[0])
    in_context = codings_in_context(table, corpus, code_id=_listed(code), before=before,
                                    after=after)
    book = books[0] if books else None
    with staged_output(out) as stage:
        write_csv(in_context, stage.path("context.csv"))
        for code_id in dict.fromkeys(in_context["code_id"]):
            for fmt in chosen:
                document = code_document(in_context, corpus, code_id, format=fmt, codebook=book)
                target = stage.path(f"codes/{safe_file_name(str(code_id), _SUFFIXES[fmt])}")
                if isinstance(document, bytes):
                    write_bytes(document, target)
                else:
                    write_text(document, target)
        written = stage.written()
    console().print(
        f"{len(in_context)} coding(s) of {in_context['code_id'].nunique()} code(s) with "
        f"{before} turn(s) before and {after} after.", markup=False,
    )  # fmt: skip
    print_written(written)
    print_corpus_notes(corpus)


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def pseudonymise(
    transcripts: Path = typer.Argument(
        ..., metavar="TRANSCRIPTS",
        help="A transcript file (.txt, .md, .docx, .vtt) or a folder of them."
    ),
    names: Path = typer.Option(
        ..., "--names", help="The names and their pseudonyms: YAML (Marie Tremblay: ES-A) or a "
        "table with name and pseudonym columns.",
    ),
    out: Path = typer.Option(..., "--out", help="Output folder for the pseudonymised files."),
    key: Path | None = typer.Option(
        None, "--key", help="Where to write the key (name -> pseudonym, counts). Default: "
        "<out>-key.csv beside the output folder. Never inside the transcripts folder.",
    ),
    key_in_out: bool = typer.Option(
        False, "--key-in-out", help="Allow the key inside the output folder (it is refused "
        "there by default: the outputs are meant to be shared, the key is not).",
    ),
    codings: Path | None = typer.Option(
        None, "--codings", help="A codings table made on the original transcripts: written "
        "to the output folder with its offsets and texts mapped to the new files.",
    ),
    case_sensitive: bool = typer.Option(
        False, "--case-sensitive", help="Match names with their case as written (default: "
        "Marie also matches MARIE and marie).",
    ),
    candidates: bool = typer.Option(
        True, "--candidates/--no-candidates", help="Propose words that may be names missing "
        "from --names (written beside the key, and printed).",
    ),
    case_pattern: str | None = CASE_PATTERN_OPTION,
) -> None:
    """Write the transcripts back in their own format with names replaced.

    The key (name, pseudonym, number replaced, files) is written apart from the outputs;
    the candidates (words that may be names and are not in --names, to confirm) beside it.
    With --codings, codings.csv in the output folder holds the codings carried over.
    """
    from mixedwai.errors import OptionError
    from mixedwai.io import read_table, staged_output, write_bytes, write_csv
    from mixedwai.qual.name_candidates import name_candidates
    from mixedwai.qual.pseudonyms import pseudonymise_codings, pseudonymise_files, read_names
    from mixedwai.qual.retrieval.context import typed_codings

    mapping = read_names(names)
    folder = transcripts if transcripts.is_dir() else transcripts.parent
    if transcripts.is_dir() and (_inside(out, folder) or _inside(folder, out)):
        raise OptionError(f"--out {out}: the output folder must be apart from the transcripts "
                          f"folder {folder} (neither inside the other)")
    if not transcripts.is_dir() and out.resolve() == folder.resolve():
        raise OptionError(f"--out {out}: the output folder must not be the folder of "
                          f"{transcripts.name} (the original would be overwritten)")
    key_path = key or out.parent / f"{out.name}-key.csv"
    if transcripts.is_dir() and _inside(key_path, folder):
        raise OptionError(f"--key {key_path}: the key must not be written inside the "
                          f"transcripts folder {folder}")
    if key_path.resolve() == transcripts.resolve():
        raise OptionError(f"--key {key_path}: that is the transcript itself")
    if _inside(key_path, out) and not key_in_out:
        raise OptionError(f"--key {key_path}: the key would be inside the output folder {out}, "
                          "which is meant to be shared; choose another place or add "
                          "--key-in-out")
    corpus = read_corpus(transcripts, case_pattern=case_pattern)
    paths = {Path(t.path).resolve().relative_to(folder.resolve()).as_posix(): t.path
             for t in corpus if t.path}
    files, table = pseudonymise_files(paths, mapping, case_insensitive=not case_sensitive)
    carried = None
    if codings is not None:
        carried = pseudonymise_codings(typed_codings(read_table(codings)), corpus, mapping,
                                       case_insensitive=not case_sensitive)
    proposed = name_candidates(corpus, mapping) if candidates else None
    with staged_output(out) as stage:
        for name, data in files.items():
            write_bytes(data, stage.path(name))
        if carried is not None:
            write_csv(carried, stage.path("codings.csv"))
        written = stage.written()
    write_csv(table, key_path)
    candidates_path = key_path.with_name(f"{key_path.stem}-candidates.csv")
    if proposed is not None:
        write_csv(proposed, candidates_path)
    shown = console()
    shown.print(f"Pseudonymised {len(files)} transcript(s): {int(table['n_replaced'].sum())} "
                f"name(s) replaced.", markup=False)
    unused = table.loc[table["n_replaced"] == 0, "name"].tolist()
    if unused:
        shown.print(f"Not found anywhere: {', '.join(unused)}", markup=False)
    print_written(written)
    shown.print(f"Key written apart: {key_path}", markup=False)
    if proposed is not None:
        if len(proposed):
            shown.print(f"{len(proposed)} word(s) may be names missing from {names.name} "
                        f"(confirm them, add them to the list, run again; all in "
                        f"{candidates_path}):", markup=False)
            for row in proposed.head(20).itertuples(index=False):
                shown.print(f"  {row.word} ({row.n}x, {row.reason}): {row.example}",
                            markup=False)
        else:
            shown.print("No other word looks like a name.", markup=False)
    print_corpus_notes(corpus)


def register(app: typer.Typer) -> None:
    """Add the workbench commands to the ``mixedwai`` application."""
    app.command("search")(search)
    app.command("words")(words)
    app.command("context")(context)
    app.command("pseudonymise")(pseudonymise)
