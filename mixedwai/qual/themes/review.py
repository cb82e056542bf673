"""The theme review file: written for the analyst, read back and checked before promotion.

:func:`write_theme_review` writes the suggestions' review document
(:meth:`~mixedwai.qual.themes.result.ThemeSuggestions.to_yaml_document`);
:func:`read_theme_review` reads the file it wrote
and the analyst edited, and checks every entry (keys, decisions, ids, labels,
lemmas, merges), listing each problem with its key path and line; the result is
a :class:`ThemeReview` of :class:`ThemeDecision` objects, which
:func:`mixedwai.qual.themes.promote.promote_themes` turns into codes.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mixedwai._validation import raise_problems
from mixedwai.errors import CodebookError, InputFileError

if TYPE_CHECKING:
    from mixedwai.qual.themes.result import ThemeSuggestions

__all__ = [
    "DECISIONS", "UNDECIDED", "ThemeDecision", "ThemeReview", "read_theme_review",
    "write_theme_review",
]

#: Decisions a review may take on a theme.
DECISIONS = ("accept", "reject", "merge")
#: The decision the review file is written with: not decided yet (promotion refuses it).
UNDECIDED = "review"
#: Keys of a theme entry in the review file.
REVIEW_KEYS = (
    "theme", "decision", "id", "label", "definition", "include", "exclude",
    "lemmas", "phrases", "into", "examples",
)  # fmt: skip
#: Top-level keys of the review file.
TOP_KEYS = ("themes", "source")

# Same rule as the codebook's ids (mixedwai.qual.codebook.loading).
_ID_RE = re.compile(r"^\w[\w.\-]*$")

KeyPath = tuple[Hashable, ...]


@dataclass(frozen=True)
class ThemeDecision:
    """One theme of a review file, checked.

    Attributes
    ----------
    theme : str
        The candidate's id (``T01``).
    decision : {"accept", "reject", "merge", "review"}
        ``"review"``: not decided yet (as written by ``mixedwai themes``).
    id, label, definition, include, exclude : str
        The code to create (accepted themes).
    lemmas, phrases, examples : tuple of str
    into : str or None
        For a merge: the theme (``T03``) or code id it joins.
    line : int or None
        Line of the entry in the review file.
    """

    theme: str
    decision: str
    id: str = ""
    label: str = ""
    definition: str = ""
    include: str = ""
    exclude: str = ""
    lemmas: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    into: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class ThemeReview:
    """A checked review file: the decisions in file order.

    Attributes
    ----------
    source : str
        The file.
    decisions : tuple of ThemeDecision
    """

    source: str
    decisions: tuple[ThemeDecision, ...] = field(default_factory=tuple)

    @property
    def accepted(self) -> list[ThemeDecision]:
        """Accepted themes, in file order."""
        return [d for d in self.decisions if d.decision == "accept"]

    @property
    def merged(self) -> list[ThemeDecision]:
        """Themes merged into an accepted one."""
        return [d for d in self.decisions if d.decision == "merge"]

    @property
    def rejected(self) -> list[ThemeDecision]:
        """Rejected themes."""
        return [d for d in self.decisions if d.decision == "reject"]

    @property
    def undecided(self) -> list[ThemeDecision]:
        """Themes still at ``decision: review`` (not decided yet)."""
        return [d for d in self.decisions if d.decision == UNDECIDED]

    def target_of(self, merged: ThemeDecision) -> ThemeDecision:
        """The accepted theme a merged one joins."""
        for d in self.accepted:
            if merged.into in (d.theme, d.id):
                return d
        raise CodebookError(f"{self.source}: theme {merged.theme!r} merges into nothing")


def read_theme_review(
    path: str | os.PathLike[str],
    *,
    reserved_ids: Mapping[str, str] | Iterable[str] = (),
    codebook_name: str = "the codebook",
) -> ThemeReview:
    """Read and check a theme review file (see :func:`promote_themes`).

    Parameters
    ----------
    path : str or path-like
        The review file written by ``mixedwai themes`` and edited by the analyst.
    reserved_ids : iterable of str or mapping of id -> where
        Ids already taken (the codebook's codes and categories); accepted ids must
        differ from them. A mapping gives the place shown in messages.
    codebook_name : str
        Named in messages about clashing ids.

    Returns
    -------
    ThemeReview

    Raises
    ------
    InputFileError
        The file is missing.
    CodebookError
        Invalid YAML, or a review that cannot be promoted; every problem is listed
        with its key path and line: unknown keys, an unknown decision, a missing or
        malformed id or label, duplicate theme keys or ids, ids already in the
        codebook, lemmas of several words, a merge into an unknown, rejected,
        merged or undecided theme. Themes left at ``decision: review`` are read
        (see :attr:`ThemeReview.undecided`); promotion refuses them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "themes.yaml"
    >>> _ = p.write_text("themes:\\n  - theme: T01\\n    decision: acept\\n", encoding="utf-8")
    >>> read_theme_review(p)
    Traceback (most recent call last):
    ...
    mixedwai.errors.CodebookError: ...themes.yaml: invalid theme review (1 found):
      - themes[0].decision (line 3): 'acept' is not a decision; expected accept, reject or merge
    """
    from mixedwai.io import read_text
    from mixedwai.qual.codebook.yaml_source import parse_document, to_plain

    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: theme review file not found")
    text, _encoding = read_text(path)
    doc = parse_document(text, source=str(path))
    data, lines, tag_problems = to_plain(doc)
    problems: list[tuple[KeyPath, int | None, str]] = list(tag_problems)
    reserved = (
        dict(reserved_ids)
        if isinstance(reserved_ids, Mapping)
        else {str(r): "" for r in reserved_ids}
    )

    def problem(where: KeyPath, message: str) -> None:
        problems.append((where, _line(lines, where), message))

    if not isinstance(data, dict):
        raise CodebookError(
            f"{path}: expected a mapping with a 'themes' list (as written by mixedwai themes), "
            f"got {type(data).__name__ if data is not None else 'an empty file'}"
        )
    for key in data:
        if key not in TOP_KEYS:
            problem((key,), _unknown_key(key, TOP_KEYS))
    entries = data.get("themes")
    if not isinstance(entries, list) or not entries:
        problem(("themes",), "expected a list of themes (theme, decision, id, label ...)")
        _raise(path, problems)
    decisions: list[ThemeDecision] = []
    seen_themes: dict[str, KeyPath] = {}
    for i, entry in enumerate(entries):
        at: KeyPath = ("themes", i)
        if not isinstance(entry, dict):
            problem(at, f"expected a mapping (theme: ..., decision: ...), got {_show(entry)}")
            continue
        for key in entry:
            if key not in REVIEW_KEYS:
                problem((*at, key), _unknown_key(key, REVIEW_KEYS))
        theme = _text(entry.get("theme"))
        if not theme:
            problem((*at, "theme"), "missing theme key (e.g. theme: T01)")
            theme = f"#{i + 1}"
        elif theme in seen_themes:
            first = seen_themes[theme]
            problem(
                (*at, "theme"),
                f"theme {theme!r} appears twice (first at {_fmt(first)}, line "
                f"{_line(lines, first)})",
            )
        else:
            seen_themes[theme] = (*at, "theme")
        raw_decision = entry.get("decision")
        decision = _text(raw_decision).lower()
        if decision not in (*DECISIONS, UNDECIDED):
            shown = (
                "missing decision"
                if raw_decision is None
                else f"{_text(raw_decision)!r} is not a decision"
            )
            problem((*at, "decision"), f"{shown}; expected accept, reject or merge")
            continue
        fields: dict[str, Any] = {"theme": theme, "decision": decision, "line": lines.get(at)}
        if decision in ("reject", UNDECIDED):  # an undecided theme is checked once decided
            decisions.append(ThemeDecision(**fields))
            continue
        for name in ("lemmas", "phrases", "examples"):
            fields[name] = _string_list(entry.get(name), (*at, name), problem)
        for lemma_at, lemma in _indexed(fields["lemmas"], (*at, "lemmas")):
            if any(ch.isspace() for ch in lemma):
                problem(
                    lemma_at,
                    f"lemma {lemma!r} holds several words; put multiword expressions under "
                    "'phrases'",
                )
        if decision == "merge":
            into = _text(entry.get("into"))
            if not into:
                problem((*at, "into"), "decision merge needs into: the theme it joins (e.g. T03)")
            fields["into"] = into or None
            decisions.append(ThemeDecision(**fields))
            continue
        # accept
        if entry.get("into") not in (None, ""):
            problem(
                (*at, "into"),
                f"into = {_show(entry.get('into'))} is only read with decision: merge; set it to "
                "null or change the decision",
            )
        code_id = _text(entry.get("id"))
        if not code_id:
            problem((*at, "id"), "missing id: the code id the theme becomes (e.g. job_pressure)")
        elif not _ID_RE.match(code_id):
            problem(
                (*at, "id"),
                f"id {code_id!r} must be one word of letters, digits, '_', '-' or '.' "
                "(e.g. 'job_pressure')",
            )
        elif code_id in reserved:
            where = f" ({reserved[code_id]})" if reserved[code_id] else ""
            problem(
                (*at, "id"),
                f"id {code_id!r} is already an id in {codebook_name}{where}; choose another id",
            )
        label = _text(entry.get("label"))
        if not label:
            problem((*at, "label"), "missing label: the code's human-readable name")
        for name in ("definition", "include", "exclude"):
            value = entry.get(name)
            if value is not None and not isinstance(value, str):
                problem((*at, name), f"expected text, got {_show(value)}")
                value = None
            fields[name] = value or ""
        fields.update({"id": code_id, "label": label})
        decisions.append(ThemeDecision(**fields))

    # ids unique among accepted themes; merges point at an accepted theme
    by_key: dict[str, tuple[int, ThemeDecision]] = {}
    ids_seen: dict[str, int] = {}
    for i, d in enumerate(decisions):
        by_key.setdefault(d.theme, (i, d))
    for d in decisions:
        if d.decision != "accept" or not d.id:
            continue
        index = _entry_index(entries, d)
        if d.id in ids_seen:
            problem(
                ("themes", index, "id"),
                f"id {d.id!r} is also the id of themes[{ids_seen[d.id]}] (line "
                f"{_line(lines, ('themes', ids_seen[d.id], 'id'))}); merge the two themes "
                "(decision: merge, into: ...) or choose another id",
            )
        else:
            ids_seen[d.id] = index
    accepted_ids = {d.id: d for d in decisions if d.decision == "accept" and d.id}
    for d in decisions:
        if d.decision != "merge" or not d.into:
            continue
        index = _entry_index(entries, d)
        target = by_key.get(d.into, (None, None))[1] or accepted_ids.get(d.into)
        where = ("themes", index, "into")
        if target is None:
            known = ", ".join(sorted(by_key)) or "(none)"
            problem(where, f"into {d.into!r} is not a theme of this review (themes: {known})")
        elif target is d:
            problem(where, f"theme {d.theme!r} cannot merge into itself")
        elif target.decision == "reject":
            problem(
                where,
                f"into {d.into!r}: theme {target.theme!r} is rejected; merge into an accepted "
                "theme, or accept it",
            )
        elif target.decision == UNDECIDED:
            problem(
                where,
                f"into {d.into!r}: theme {target.theme!r} is not decided yet (decision: "
                "review); accept it, or merge into an accepted theme",
            )
        elif target.decision == "merge":
            problem(
                where,
                f"into {d.into!r}: theme {target.theme!r} is itself merged into "
                f"{target.into!r}; merge into that theme directly",
            )
    _raise(path, problems)
    return ThemeReview(source=str(path), decisions=tuple(decisions))


def _entry_index(entries: list[Any], decision: ThemeDecision) -> int:
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and _text(entry.get("theme")) == decision.theme:
            return i
    return 0


def _indexed(values: Iterable[str], at: KeyPath) -> Iterable[tuple[KeyPath, str]]:
    for k, value in enumerate(values):
        yield (*at, k), value


def _string_list(value: Any, at: KeyPath, problem: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        problem(at, f"expected a list of text, got {_show(value)}")
        return ()
    out: list[str] = []
    for k, item in enumerate(value):
        if isinstance(item, bool) or item is None or isinstance(item, (dict, list)):
            problem((*at, k), f"expected text, got {_show(item)}")
            continue
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _text(value: Any) -> str:
    if value is None or isinstance(value, (bool, dict, list)):
        return ""
    return str(value).strip()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unknown_key(key: Any, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} (allowed keys: {', '.join(allowed)})"


def _line(lines: Mapping[KeyPath, int], path: KeyPath) -> int | None:
    from mixedwai.qual.codebook.yaml_source import line_of

    return line_of(lines, path)


def _fmt(path: KeyPath) -> str:
    from mixedwai.qual.codebook.yaml_source import format_key_path

    return format_key_path(path)


def _raise(path: Path, problems: list[tuple[KeyPath, int | None, str]]) -> None:
    if not problems:
        return
    ordered = sorted(problems, key=lambda p: p[1] if p[1] is not None else 0)
    raise_problems(
        CodebookError,
        f"{path}: invalid theme review",
        [f"{_fmt(p)}{f' (line {line})' if line else ''}: {m}" for p, line, m in ordered],
    )


def write_theme_review(
    suggestions: ThemeSuggestions, path: str | os.PathLike[str]
) -> None:
    """Write the review file of :meth:`ThemeSuggestions.to_yaml_document` atomically.

    Parameters
    ----------
    suggestions : ThemeSuggestions
        From :func:`suggest_themes`.
    path : str or path-like
        The YAML file to write (its folder is created).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mixedwai.qual.themes.suggest import suggest_themes
    >>> from mixedwai.qual.transcripts.model import Transcript
    >>> t = Transcript.from_text("ES: The bus was late. The bus strike. Garden roses. "
    ...                          "The garden and roses.", doc_id="es1-c1")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "themes.yaml"
    >>> write_theme_review(suggest_themes([t], segments="all", n_themes=2), path)
    >>> path.read_text(encoding="utf-8").startswith("# Candidate themes")
    True
    """
    from mixedwai.io import write_text

    write_text(suggestions.to_yaml_document(), path)
