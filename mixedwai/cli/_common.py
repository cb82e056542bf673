"""Small helpers shared by the command modules (console, summary of files written).

Everything the commands print goes through consoles that show control characters
escaped (:func:`terminal_safe`) and never read rich markup: a file name holding an escape
sequence cannot drive the terminal, and a study named ``[bold]x[/`` is printed as written.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from mixedwai.qual.transcripts.corpus import Corpus


#: ``--case-pattern``, shared by the commands that read transcripts.
CASE_PATTERN_OPTION: Any = typer.Option(
    None,
    "--case-pattern",
    help="Regular expression finding the case id in file names when the metadata gives "
    "none: named groups es and client (ES<es>_C<client>) or one group case. Default: "
    "forms like ES#11_C4, ES11_C04, es11-c4.",
)


#: C0 and C1 control characters (but tab and new line), DEL, and the bidirectional
#: overrides that can make a file name read backwards on a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: object) -> str:
    r"""``text`` with every control character written as an escape (``\x1b``).

    Examples
    --------
    >>> terminal_safe("ES3_C1\x1b[2J.txt")
    'ES3_C1\\x1b[2J.txt'
    >>> terminal_safe("two\nlines\tand a tab")
    'two\nlines\tand a tab'
    """
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def _safe_console(*, stderr: bool) -> Console:
    from rich.console import Console

    class SafeConsole(Console):
        """A rich console that escapes control characters and reads no markup."""

        def print(self, *objects: Any, **kwargs: Any) -> None:
            kwargs["markup"] = False
            super().print(*(terminal_safe(o) if isinstance(o, str) else o for o in objects),
                          **kwargs)

    return SafeConsole(highlight=False, soft_wrap=True, stderr=stderr, markup=False)


@lru_cache(maxsize=1)
def console() -> Console:
    """The console commands print to (standard output); see the module notes."""
    return _safe_console(stderr=False)


@lru_cache(maxsize=1)
def error_console() -> Console:
    """The console warnings print to (standard error); see the module notes."""
    return _safe_console(stderr=True)


def print_warnings(messages: list[str]) -> None:
    """Print collected warnings on standard error, one plain line each."""
    for message in messages:
        error_console().print(f"mixedwai: warning: {message}", markup=False)


def print_written(paths: list[Path], *, limit: int = 12) -> None:
    """Print the files a command wrote, grouped under their folder."""
    out = console()
    if not paths:
        out.print("No file written.")
        return
    root = Path(*_common_parts(paths))
    out.print(f"Wrote {len(paths)} files to {root}/")
    for path in paths[:limit]:
        out.print(f"  {path.relative_to(root) if root.parts else path}")
    if len(paths) > limit:
        out.print(f"  ... and {len(paths) - limit} more")


def _common_parts(paths: list[Path]) -> tuple[str, ...]:
    parents = [p.parent.parts for p in paths]
    common: list[str] = []
    for parts in zip(*parents, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return tuple(common)


#: A progress bar is shown when a command reads or codes more files than this.
PROGRESS_MIN_FILES = 5


class FileProgress:
    """A ``progress(done, total)`` callable: a rich bar on standard error, shown only
    when ``total`` exceeds :data:`PROGRESS_MIN_FILES`. Call :meth:`close` at the end."""

    def __init__(self, description: str) -> None:
        self.description = description
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_MIN_FILES:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn(self.description), BarColumn(), MofNCompleteColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._task = self._bar.add_task(self.description, total=total)
            self._bar.start()
        self._bar.update(self._task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def case_pattern_option(value: str | None) -> Any:
    """Compile ``--case-pattern``; an invalid expression is an OptionError naming the option."""
    from mixedwai.qual.transcripts.metadata import _compile

    return _compile(value, name="--case-pattern")


#: ``--default-speaker``, shared by the commands that read transcripts.
DEFAULT_SPEAKER_OPTION: Any = typer.Option(
    None,
    "--default-speaker",
    help="Speaker of a document without any speaker label (field notes, open answers): its "
    "whole text becomes one turn of this speaker. Without it such a document is an error.",
)


def read_corpus(
    transcripts: Path, *, case_pattern: str | None = None, default_speaker: str | None = None
) -> Corpus:
    """Read the transcripts of a command, holding back what the notes will say.

    ``case_pattern`` is the ``--case-pattern`` option and ``default_speaker`` the
    ``--default-speaker`` option. A progress bar is shown while
    reading more than :data:`PROGRESS_MIN_FILES` files. Warnings raised while reading
    that the corpus notes repeat (files not read, Windows-1252 fallbacks) are not
    printed as they happen: :func:`print_corpus_notes` lists them once, in the
    summary. Other warnings are shown as usual.
    """
    from mixedwai.errors import EncodingFallbackWarning, ExclusionWarning
    from mixedwai.qual.transcripts.loading import load_corpus

    pattern = case_pattern_option(case_pattern)
    corpus = None
    held: list[Any] = []
    progress = FileProgress("reading")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                corpus = load_corpus(transcripts, case_pattern=pattern, progress=progress,
                                     default_speaker=default_speaker)
            finally:
                progress.close()
                held = list(caught)
    finally:  # on an error too: what was held back is shown
        noted = set(corpus.notes) if corpus is not None else set()
        for item in held:
            repeated = corpus is not None and (
                (issubclass(item.category, ExclusionWarning) and str(item.message) in noted)
                or issubclass(item.category, EncodingFallbackWarning)
            )
            if not repeated:
                warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return corpus  # type: ignore[return-value]


def print_corpus_notes(corpus: Corpus) -> None:
    """Print what reading the transcripts skipped or noted, on standard error."""
    lines = [f"{path}: {reason}" if not reason.startswith(path) else reason
             for path, reason in corpus.errors] + list(corpus.notes)  # fmt: skip
    if not lines:
        return
    out = error_console()
    out.print(f"mixedwai: note: {len(lines)} note(s) on the transcripts read:", markup=False)
    for line in lines:
        out.print(f"  - {line}", markup=False)


def in_cli_syntax(text: str, options: dict[str, str]) -> str:
    """A library message in command-line words: ``refine='kmeans'`` -> ``--refine kmeans``.

    ``options`` maps each keyword of the library call to its command-line
    option. ``name='value'``, ``name="value"``, ``name=value`` and
    ``name = value`` become ``--option value``; the bare keyword becomes the
    option (keywords holding ``_`` and ``refine`` only, so that plain words
    such as "k" in a sentence are left alone).

    Examples
    --------
    >>> in_cli_syntax("consider refine='kmeans'. Lower n_sessions", {
    ...     "refine": "--refine", "n_sessions": "--sessions"})
    'consider --refine kmeans. Lower --sessions'
    """
    import re

    for name, option in sorted(options.items(), key=lambda kv: -len(kv[0])):
        value = re.compile(
            rf"(?<![\w-]){re.escape(name)}\s*=\s*(?:'([^']*)'|\"([^\"]*)\"|([^\s,;)]+))")
        text = value.sub(lambda m, o=option: f"{o} {next(g for g in m.groups() if g is not None)}",
                         text)
        if "_" in name or name == "refine":
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", option, text)
    return text


class cli_syntax:
    """Re-raise the library's errors with their keywords in command-line words.

    Examples
    --------
    >>> from mixedwai.errors import OptionError
    >>> try:
    ...     with cli_syntax({"min_n": "--min-n"}):
    ...         raise OptionError("min_n = 0 is not allowed")
    ... except OptionError as exc:
    ...     print(exc)
    --min-n 0 is not allowed
    """

    def __init__(self, options: dict[str, str]) -> None:
        self.options = options

    def __enter__(self) -> cli_syntax:
        return self

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        from mixedwai.errors import MixedWAIError

        if isinstance(exc, MixedWAIError):
            text = in_cli_syntax(str(exc), self.options)
            if text != str(exc):
                raise type(exc)(text) from exc
        return False
