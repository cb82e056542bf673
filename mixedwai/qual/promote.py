"""Promote reviewed inductive themes into a codebook file, keeping the file as written.

:func:`mixedwai.qual.themes.suggest_themes` writes candidate themes to a review
file; the analyst accepts, renames, merges or rejects them there.
:func:`promote_themes` checks the review and adds the accepted themes to the
codebook as codes of an ``inductive`` category. The codebook is edited as a
round-trip YAML document (ruamel.yaml), and the new lines are spliced into the
file's own text, so every comment, key order, quote and blank line of the
researcher's file stays byte for byte as it was.

Codes added this way carry ``metadata: {origin: inductive, themes: [...]}``;
:func:`tag_inductive` marks their rule codings with ``source = "inductive"``.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "cb.yaml").write_text('''# my codebook
... name: Demo   # keep me
... version: "1"
... language: en
... categories:
...   - id: alliance
...     label: Alliance
...     codes:
...       - id: bond
...         label: Bond
...         match: {lemmas: [trust]}
... ''', encoding="utf-8")
>>> _ = (folder / "themes.yaml").write_text('''themes:
...   - theme: T01
...     decision: accept
...     id: transport
...     label: Getting to meetings
...     lemmas: [bus, train]
...   - theme: T02
...     decision: merge
...     into: T01
...     lemmas: [car]
...   - theme: T03
...     decision: reject
... ''', encoding="utf-8")
>>> book = promote_themes(folder / "cb.yaml", folder / "themes.yaml")
>>> book.code("transport").match.lemmas, book.category_of("transport")
(['bus', 'train', 'car'], 'inductive')
>>> print((folder / "cb.yaml").read_text(encoding="utf-8"))  # doctest: +ELLIPSIS
# my codebook
name: Demo   # keep me
...
        match: {lemmas: [trust]}
  - id: inductive
    label: Inductive themes
...
      - id: transport
        label: Getting to meetings
        definition: ''
        match:
          lemmas: [bus, train, car]
        metadata:
          origin: inductive
          themes: [T01, T02]
          review: themes.yaml
<BLANKLINE>
"""

from __future__ import annotations

import difflib
import io
import os
import re
import warnings
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mixedwai._validation import raise_problems
from mixedwai.errors import CodebookError, InputFileError, MixedWAIWarning

if TYPE_CHECKING:
    import pandas as pd

    from mixedwai.qual.codebook import Codebook

__all__ = [
    "DECISIONS",
    "INDUCTIVE",
    "ThemeDecision",
    "ThemeReview",
    "inductive_code_ids",
    "promote_themes",
    "read_theme_review",
    "tag_inductive",
]

#: Decisions a review may take on a theme.
DECISIONS = ("accept", "reject", "merge")
#: ``source`` of codings made by promoted codes, and their ``metadata.origin``.
INDUCTIVE = "inductive"
#: Keys of a theme entry in the review file.
REVIEW_KEYS = (
    "theme", "decision", "id", "label", "definition", "include", "exclude",
    "lemmas", "phrases", "into", "examples",
)  # fmt: skip
#: Top-level keys of the review file.
TOP_KEYS = ("themes", "source")

# Same rule as the codebook's ids (mixedwai.qual.codebook).
_ID_RE = re.compile(r"^\w[\w.\-]*$")

KeyPath = tuple[Hashable, ...]


# --------------------------------------------------------------------------- review


@dataclass(frozen=True)
class ThemeDecision:
    """One theme of a review file, checked.

    Attributes
    ----------
    theme : str
        The candidate's id (``T01``).
    decision : {"accept", "reject", "merge"}
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
        codebook, lemmas of several words, a merge into an unknown, rejected or
        merged theme.

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
    from mixedwai.qual.codebook_yaml import parse_document, to_plain

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
        if decision not in DECISIONS:
            shown = (
                "missing decision"
                if raw_decision is None
                else f"{_text(raw_decision)!r} is not a decision"
            )
            problem((*at, "decision"), f"{shown}; expected accept, reject or merge")
            continue
        fields: dict[str, Any] = {"theme": theme, "decision": decision, "line": lines.get(at)}
        if decision == "reject":
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
    from mixedwai.qual.codebook_yaml import line_of

    return line_of(lines, path)


def _fmt(path: KeyPath) -> str:
    from mixedwai.qual.codebook_yaml import format_key_path

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


# --------------------------------------------------------------------------- promote


def promote_themes(
    codebook_path: str | os.PathLike[str],
    review_path: str | os.PathLike[str],
    *,
    category_id: str = INDUCTIVE,
    category_label: str = "Inductive themes",
    out: str | os.PathLike[str] | None = None,
) -> Codebook:
    """Add the accepted themes of a review file to a codebook file.

    Parameters
    ----------
    codebook_path : str or path-like
        The codebook YAML file, changed in place unless ``out`` is given (a shipped
        name such as ``"ross2008-en"`` is accepted with ``out``).
    review_path : str or path-like
        The review file (``themes.yaml`` from ``mixedwai themes``), edited by the
        analyst: for each theme, ``decision: accept | reject | merge``; accepted
        themes need ``id`` and ``label`` and may give ``definition``, ``include``,
        ``exclude``, ``lemmas``, ``phrases``, ``examples``; merged ones need ``into``
        (a theme key such as ``T03`` or an accepted id) and fold their lemmas,
        phrases and examples into that theme.
    category_id : str, default="inductive"
        Category the new codes go to; created at the end of ``categories`` if the
        codebook has none with this id, else the codes are appended to it.
    category_label : str, default="Inductive themes"
        Label of a created category.
    out : str or path-like, optional
        Write the result here instead of over ``codebook_path``.

    Returns
    -------
    Codebook
        The promoted codebook, validated (``source`` = the file written).

    Raises
    ------
    InputFileError
        A file is missing, or ``codebook_path`` is a shipped name without ``out``.
    CodebookError
        The codebook is invalid, the review cannot be promoted (see
        :func:`read_theme_review`: each problem with the review's key path and
        line), or ``category_id`` is the id of a code.

    Warns
    -----
    MixedWAIWarning
        No theme is accepted (the file is left as it was), or ruamel.yaml could not
        reproduce the file's layout, so the whole file was rewritten in its style.

    Notes
    -----
    Each new code gets ``id``, ``label``, ``definition`` (and ``include`` /
    ``exclude`` when given), ``examples``, ``match`` (``lemmas``, ``phrases``) and
    ``metadata: {origin: inductive, themes: [T01, ...], review: <file name>}``.

    The file is loaded as a ruamel.yaml round-trip document, the category or codes
    are appended, and the document is dumped with the file's own indentation. The
    lines this adds are then inserted into the original text at the same place, so
    everything outside them is byte-identical to the file as it was (ruamel.yaml
    alone would normalise spacing inside flow lists and similar details). The
    result is validated as a codebook before it is written, atomically
    (:func:`mixedwai.io.write_text`); Windows line ends and a UTF-8 byte order
    mark are kept (a Windows-1252 file is written back as UTF-8).

    Examples
    --------
    See the module docstring.
    """
    from mixedwai.io import read_text, write_text
    from mixedwai.qual.codebook import (
        CODEBOOK_DIR,
        available_codebooks,
        codebook_from_yaml,
    )
    from mixedwai.qual.codebook_yaml import format_key_path, parse_document

    source = Path(codebook_path)
    if not source.is_file():
        shipped = str(codebook_path).strip().lower().replace("_", "-")
        if shipped in available_codebooks() and out is not None:
            source = CODEBOOK_DIR / f"{shipped.replace('-', '_')}.yaml"
        elif shipped in available_codebooks():
            raise InputFileError(
                f"{codebook_path!s} is a shipped codebook; promote into a copy: pass out= "
                "(--out FILE) to write the promoted codebook to a file of yours"
            )
        else:
            raise InputFileError(f"{codebook_path!s}: codebook file not found")
    target = Path(out) if out is not None else source
    raw = source.read_bytes()
    text, encoding = read_text(source)
    book = codebook_from_yaml(text, source=str(source))
    if not isinstance(category_id, str) or not _ID_RE.match(category_id):
        raise CodebookError(
            f"category_id {category_id!r} must be one word of letters, digits, '_', '-' or '.'"
        )
    if category_id in book.code_ids:
        raise CodebookError(
            f"{source}: category_id {category_id!r} is already the id of a code (in category "
            f"{book.category_of(category_id)!r}); choose another category id"
        )
    doc = parse_document(text, source=str(source))
    reserved = _id_places(doc, format_key_path)
    reserved.pop(category_id, None)  # the target category may exist already
    review = read_theme_review(
        review_path, reserved_ids=reserved, codebook_name=f"codebook {source}"
    )
    codes = _codes(review, Path(review_path).name)
    if not codes:
        warnings.warn(
            f"{review_path!s}: no theme is accepted; {source} is left as it was",
            MixedWAIWarning,
            stacklevel=2,
        )
        if out is not None:
            write_text(_restore(text, raw, encoding), target)
        book._source = str(target)
        return book

    style, baseline = _guess_style(doc, text)
    _insert(doc, codes, category_id, category_label, Path(review_path).name)
    new_text = _render(doc, text, style, baseline, source)
    try:
        promoted = codebook_from_yaml(new_text, source=str(target))
    except CodebookError as exc:
        raise CodebookError(
            f"{source}: the promoted codebook would not be valid; nothing was written:\n{exc}"
        ) from exc
    write_text(_restore(new_text, raw, encoding), target)
    return promoted


def _id_places(doc: Any, fmt: Any) -> dict[str, str]:
    """Every id of the codebook document -> its key path, for messages."""
    places: dict[str, str] = {}

    def visit(codes: Any, at: KeyPath) -> None:
        if not isinstance(codes, list):
            return
        for i, code in enumerate(codes):
            if isinstance(code, Mapping):
                if code.get("id") is not None:
                    places.setdefault(str(code["id"]), fmt((*at, i, "id")))
                visit(code.get("codes"), (*at, i, "codes"))

    for i, cat in enumerate(doc.get("categories") or []):
        if isinstance(cat, Mapping):
            if cat.get("id") is not None:
                places.setdefault(str(cat["id"]), fmt(("categories", i, "id")))
            visit(cat.get("codes"), ("categories", i, "codes"))
    return places


def _codes(review: ThemeReview, review_name: str) -> list[Any]:
    """The codes to add, as round-trip mappings, in review order."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    folded: dict[str, dict[str, list[str]]] = {
        d.theme: {
            "lemmas": list(d.lemmas),
            "phrases": list(d.phrases),
            "examples": list(d.examples),
            "themes": [d.theme],
        }
        for d in review.accepted
    }
    for d in review.merged:
        target = review.target_of(d)
        bucket = folded[target.theme]
        for name in ("lemmas", "phrases", "examples"):
            for item in getattr(d, name):
                if item not in bucket[name]:
                    bucket[name].append(item)
        bucket["themes"].append(d.theme)

    codes = []
    for d in review.accepted:
        bucket = folded[d.theme]
        code = CommentedMap()
        code["id"] = d.id
        code["label"] = d.label
        code["definition"] = d.definition
        if d.include:
            code["include"] = d.include
        if d.exclude:
            code["exclude"] = d.exclude
        if bucket["examples"]:
            code["examples"] = _seq(DoubleQuotedScalarString(e) for e in bucket["examples"])
        if bucket["lemmas"] or bucket["phrases"]:
            match = CommentedMap()
            if bucket["lemmas"]:
                match["lemmas"] = _seq(bucket["lemmas"], flow=True)
            if bucket["phrases"]:
                match["phrases"] = _seq(
                    (DoubleQuotedScalarString(p) for p in bucket["phrases"]), flow=True
                )
            code["match"] = match
        metadata = CommentedMap()
        metadata["origin"] = INDUCTIVE
        metadata["themes"] = _seq(bucket["themes"], flow=True)
        metadata["review"] = review_name
        code["metadata"] = metadata
        codes.append(code)
    return codes


def _seq(items: Iterable[Any], *, flow: bool = False) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(list(items))
    if flow:
        seq.fa.set_flow_style()
    return seq


def _insert(
    doc: Any, codes: list[Any], category_id: str, category_label: str, review_name: str
) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    categories = doc["categories"]
    for category in categories:
        if isinstance(category, Mapping) and str(category.get("id")) == category_id:
            existing = category.get("codes")
            if not isinstance(existing, CommentedSeq):
                existing = CommentedSeq()
                category["codes"] = existing
            if existing.fa.flow_style():
                existing.fa.set_block_style()
            existing.extend(codes)
            return
    category = CommentedMap()
    category["id"] = category_id
    category["label"] = category_label
    category["description"] = (
        f"Themes found inductively in the transcripts (mixedwai themes) and promoted from "
        f"{review_name}."
    )
    metadata = CommentedMap()
    metadata["origin"] = INDUCTIVE
    category["metadata"] = metadata
    category["codes"] = _seq(codes)
    categories.append(category)


# --------------------------------------------------------------------------- rendering

#: (mapping, sequence, offset) indentations tried after the one read from the file.
_STYLES = ((2, 4, 2), (2, 2, 0), (4, 4, 2), (4, 4, 0), (4, 6, 4), (4, 8, 4), (2, 4, 0), (3, 3, 0))

_KEY_ONLY = re.compile(r"^( *)[^\s#\-][^#]*:\s*(#.*)?$")
_DASH = re.compile(r"^( *)-( +)\S")
_KEY = re.compile(r"^( *)[^\s#\-][^:#]*:(\s|$)")


def _read_style(text: str) -> tuple[int, int, int] | None:
    """The (mapping, sequence, offset) indentation of the file, read from its first
    nested mapping and its first block sequence under a key."""
    lines = [ln for ln in text.split("\n") if ln.strip() and not ln.lstrip().startswith("#")]
    mapping = sequence = offset = None
    for above, line in zip(lines, lines[1:], strict=False):
        key = _KEY_ONLY.match(above)
        if key is None:
            continue
        parent = len(key.group(1))
        dash = _DASH.match(line)
        if dash and sequence is None and len(dash.group(1)) >= parent:
            offset = len(dash.group(1)) - parent
            sequence = offset + 1 + len(dash.group(2))
        nested = _KEY.match(line)
        if nested and mapping is None and len(nested.group(1)) > parent:
            mapping = len(nested.group(1)) - parent
        if mapping is not None and sequence is not None:
            break
    if sequence is None:
        return None
    return (mapping or 2, sequence, offset or 0)


def _yaml(style: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    mapping, sequence, offset = style
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.width = 4096  # never re-wrap a line the user wrote
    return yaml


def _dump(doc: Any, style: tuple[int, int, int]) -> str:
    buffer = io.StringIO()
    _yaml(style).dump(doc, buffer)
    return buffer.getvalue()


def _lead(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _same_layout(dumped: str, text: str) -> bool:
    a, b = dumped.split("\n"), _with_final_newline(text).split("\n")
    return len(a) == len(b) and all(_lead(x) == _lead(y) for x, y in zip(a, b, strict=True))


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def _guess_style(doc: Any, text: str) -> tuple[tuple[int, int, int] | None, str | None]:
    """The indentation with which ruamel.yaml lays the document out as the file does.

    Returns the style ``(mapping, sequence, offset)`` and the dump of ``doc`` in it,
    or ``(None, None)`` when no style reproduces the file's line layout.
    """
    read = _read_style(text)
    candidates = [read, *_STYLES] if read is not None else list(_STYLES)
    for style in dict.fromkeys(candidates):
        if style[2] > style[1] - 2:
            continue  # ruamel needs room for "- " between the offset and the item
        try:
            dumped = _dump(doc, style)
        except Exception:  # an indentation ruamel refuses
            continue
        if _same_layout(dumped, text):
            return style, dumped
    return None, None


def _render(
    doc: Any, text: str, style: tuple[int, int, int] | None, baseline: str | None, source: Path
) -> str:
    """The edited document as text: the original with the new lines spliced in.

    ``baseline`` is the dump of the document before the edit, in ``style``; the
    lines the edit adds to it are inserted into the original text at the same place
    (before the blank lines that end the block, when that means the same YAML). A
    spliced text is used only if it parses to exactly the edited document.
    """
    from mixedwai.qual.codebook_yaml import parse_document, to_plain

    wanted = to_plain(doc)[0]
    if style is not None and baseline is not None:
        for candidate in _splice(text, baseline, _dump(doc, style)):
            try:
                same = to_plain(parse_document(candidate, source=str(source)))[0] == wanted
            except CodebookError:
                same = False
            if same:
                return candidate
    warnings.warn(
        f"{source}: ruamel.yaml could not reproduce the file's layout exactly; it is "
        "rewritten in a normalised layout (comments and key order are kept)",
        MixedWAIWarning,
        stacklevel=3,
    )
    return _dump(doc, style or (2, 4, 2))


def _splice(text: str, baseline: str, new: str) -> list[str]:
    """``text`` with the lines ``new`` adds to ``baseline`` inserted (empty if not a pure insert).

    Two placements at most: above the blank lines that precede the insertion point
    in ``text`` (keeps a blank line between blocks where the file had one), then
    exactly where ruamel.yaml put the lines.
    """
    ended = text.endswith("\n")
    original = _with_final_newline(text).split("\n")
    base, after = baseline.split("\n"), new.split("\n")
    if len(base) != len(original):
        return []
    added = len(after) - len(base)
    if added <= 0:
        return []
    prefix = 0
    while prefix < len(base) and base[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < len(base) and base[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    position = max(len(base) - suffix, 0)
    if position > prefix:
        return []
    if after[:position] != base[:position] or after[position + added :] != base[position:]:
        return []
    block = after[position : position + added]
    raised = position
    while raised > 0 and not original[raised - 1].strip():
        raised -= 1
    out = []
    for at in dict.fromkeys([raised, position]):
        result = "\n".join(original[:at] + block + original[at:])
        if not ended and at < len(original) - 1:
            result = result[:-1]  # the file had no final newline; it still has none
        out.append(result)
    return out


def _restore(text: str, raw: bytes, encoding: str) -> str:
    """Put back the file's Windows line ends and byte order mark."""
    if b"\r\n" in raw:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if encoding == "utf-8-sig":
        text = "\ufeff" + text
    return text


# --------------------------------------------------------------------------- tagging


def inductive_code_ids(codebook: Codebook) -> list[str]:
    """Ids of the codes that come from inductive themes, in codebook order.

    A code is inductive when its ``metadata.origin`` is ``"inductive"`` (as
    :func:`promote_themes` writes), or its category's is, or its category's id is
    ``inductive``; sub-codes of an inductive code are inductive too.

    Examples
    --------
    >>> from mixedwai.qual.codebook import load_codebook
    >>> inductive_code_ids(load_codebook("ross2008-en"))
    []
    """
    out: list[str] = []
    inherited: set[str] = set()
    for code, category_id, parent, _depth in codebook.iter_codes():
        category = codebook.category(category_id)
        if (
            category_id == INDUCTIVE
            or category.metadata.get("origin") == INDUCTIVE
            or code.metadata.get("origin") == INDUCTIVE
            or (parent is not None and parent in inherited)
        ):
            out.append(code.id)
            inherited.add(code.id)
    return out


def tag_inductive(codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Mark the rule codings of promoted (inductive) codes with ``source = "inductive"``.

    Parameters
    ----------
    codings : pandas.DataFrame
        Codings in the schema of :func:`mixedwai.qual.coding.code_corpus` (at least
        ``code_id`` and ``source``).
    codebook : Codebook
        The codebook that coded them (see :func:`inductive_code_ids`).

    Returns
    -------
    pandas.DataFrame
        A copy, with ``source`` changed from ``"rule"`` to ``"inductive"`` on the rows
        of inductive codes. Manual codings keep ``"manual"`` (a person coded them).
        ``attrs`` are kept.

    Raises
    ------
    ColumnError
        ``code_id`` or ``source`` is missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from mixedwai.qual.codebook import Codebook
    >>> cb = Codebook.model_validate({"name": "d", "version": "1", "language": "en",
    ...     "categories": [{"id": "alliance", "label": "A", "codes": [{"id": "bond",
    ...     "label": "Bond"}]}, {"id": "inductive", "label": "I", "codes": [{"id": "bus",
    ...     "label": "Bus"}]}]})
    >>> codings = pd.DataFrame({"code_id": ["bond", "bus", "bus"],
    ...                         "source": ["rule", "rule", "manual"]})
    >>> tag_inductive(codings, cb)["source"].tolist()
    ['rule', 'inductive', 'manual']
    """
    from mixedwai._validation import require_columns

    require_columns(codings, ["code_id", "source"], hint="codings come from code_corpus()")
    ids = set(inductive_code_ids(codebook))
    out = codings.copy()
    if ids and len(out):
        mask = out["code_id"].astype(str).isin(ids) & (out["source"].astype(str) == "rule")
        out.loc[mask, "source"] = INDUCTIVE
    out.attrs = dict(codings.attrs)
    return out
