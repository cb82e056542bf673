"""Codebooks: categories of codes with match rules, read from YAML and validated.

A codebook is the deductive frame of a thematic analysis: broad categories (for
the working alliance, those of Ross, Polaschek & Ward, 2008) holding codes, each
with a definition, inclusion and exclusion notes, examples, and the rules that let
:func:`mixedwai.code_corpus` find it in transcripts (``lemmas``, ``phrases`` and
spaCy Matcher ``patterns``). Codes may nest sub-codes of the same shape.

The models live in :mod:`mixedwai.qual.codebook.model` and the tree view in
:mod:`mixedwai.qual.codebook.display`; this module loads and validates codebooks.

Every problem in a YAML codebook is reported with its key path and line, all at
once: unknown keys (with the allowed ones), wrong types, duplicate ids anywhere in
the tree (codes and categories share one namespace), Matcher patterns that
spaCy refuses (every pattern is compiled at load time), and patterns testing an
attribute the language's pipeline does not set (``POS`` in English, ``DEP`` ...).

Examples
--------
>>> from mixedwai.qual.codebook.loading import load_codebook
>>> from mixedwai.qual.codebook.display import codebook_tree
>>> cb = load_codebook("ross2008-en")
>>> cb.language, cb.category_of("bond_trust")
('en', 'alliance')
>>> print(codebook_tree(cb).splitlines()[1])
client  Client factors
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mixedwai._regex import regex_problem
from mixedwai.errors import CodebookError, InputFileError
from mixedwai.qual.codebook.model import Category, Code, Codebook, MatchRules, Negation
from mixedwai.qual.codebook.yaml_source import (
    KeyPath,
    YamlProblem,
    duplicate_id_problems,
    line_of,
    parse_document,
    raise_located,
    raw_scalar_text,
    to_plain,
    translate_validation_error,
)

__all__ = ["available_codebooks", "codebook_from_document", "codebook_from_yaml", "load_codebook"]

#: Folder of the shipped codebooks (``ross2008_en.yaml`` is shipped as ``"ross2008-en"``).
CODEBOOK_DIR = Path(__file__).resolve().parents[2] / "data" / "codebooks"


# --------------------------------------------------------------------------- loading

_ALLOWED_KEYS: dict[str, list[str]] = {
    "": list(Codebook.model_fields),
    "categories": list(Category.model_fields),
    "codes": list(Code.model_fields),
    "match": list(MatchRules.model_fields),
    "negation": list(Negation.model_fields),
}


def available_codebooks() -> list[str]:
    """Names of the shipped codebooks, for :func:`load_codebook`.

    Examples
    --------
    >>> available_codebooks()
    ['ross2008-en', 'ross2008-fr']
    """
    return sorted(p.stem.replace("_", "-") for p in CODEBOOK_DIR.glob("*.yaml"))


def load_codebook(name_or_path: str | os.PathLike[str] | Codebook) -> Codebook:
    """Load and validate a codebook: a shipped name or a YAML file.

    Parameters
    ----------
    name_or_path : str, path-like or Codebook
        ``"ross2008-en"`` / ``"ross2008-fr"`` (see :func:`available_codebooks`), the
        path of a ``.yaml``/``.yml`` file, or a Codebook (returned unchanged).

    Returns
    -------
    Codebook
        With ``source`` set to the shipped name or the file path.

    Raises
    ------
    InputFileError
        No such file nor shipped codebook, or not a YAML file.
    CodebookError
        Invalid YAML or an invalid codebook; every problem is listed with its key
        path and line: unknown keys (with the allowed ones), wrong types, missing
        keys, duplicate ids, explicit YAML tags, invalid Matcher patterns, patterns
        using an attribute the language's pipeline does not set.

    Notes
    -----
    YAML is read with ruamel.yaml's round-trip loader, which records the line of
    every key and never builds Python objects from tags; tags other than ``!!str``
    are refused. Matcher patterns are compiled with ``spacy.matcher.Matcher`` on a
    blank pipeline of the codebook's language (``validate=True``), so a pattern
    spaCy would refuse at coding time is refused here, with its location; so is a
    pattern testing a token attribute that the language's pipeline does not set
    (see :data:`mixedwai.qual.coding.nlp.PIPELINE_ANNOTATIONS`: English sets only
    ``LEMMA`` besides the tokenizer's attributes, French also ``POS``, ``TAG`` and
    ``MORPH``; neither sets ``DEP``, ``ENT_TYPE`` or sentence starts).

    Examples
    --------
    >>> cb = load_codebook("ross2008-fr")
    >>> cb.language, cb.source
    ('fr', 'ross2008-fr')
    >>> cb.code("bond_trust").label
    'Lien et confiance'
    """
    if isinstance(name_or_path, Codebook):
        return name_or_path
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise CodebookError(
            f"expected a codebook name, a YAML path or a Codebook, got "
            f"{type(name_or_path).__name__}"
        )
    path = Path(name_or_path)
    shipped = str(name_or_path).strip().lower().replace("_", "-")
    if not path.is_file() and shipped in available_codebooks():
        file = CODEBOOK_DIR / f"{shipped.replace('-', '_')}.yaml"
        return _load_file(file, source=shipped)
    if not path.is_file():
        raise InputFileError(
            f"codebook {str(name_or_path)!r} not found: no such file, and not a shipped "
            f"codebook (shipped: {', '.join(available_codebooks())})"
        )
    if path.suffix.lower() not in {".yaml", ".yml"}:
        raise InputFileError(f"{path}: a codebook is a .yaml or .yml file, got {path.suffix!r}")
    return _load_file(path, source=str(path))


def _load_file(path: Path, *, source: str) -> Codebook:
    from mixedwai.io import read_text

    text, _encoding = read_text(path)
    return codebook_from_yaml(text, source=source, _where=str(path))


def codebook_from_yaml(
    text: str, *, source: str = "<string>", _where: str | None = None
) -> Codebook:
    """Validate a codebook given as YAML text (see :func:`load_codebook`).

    Examples
    --------
    >>> cb = codebook_from_yaml('''
    ... name: Demo
    ... version: "1"
    ... language: en
    ... categories:
    ...   - id: alliance
    ...     label: Alliance
    ...     codes:
    ...       - id: bond
    ...         label: Bond
    ...         match: {lemmas: [trust]}
    ... ''')
    >>> cb.code("bond").match.lemmas
    ['trust']
    """
    where = _where or source
    doc = parse_document(text, source=where)
    codebook = codebook_from_document(doc, source=source, text=text, _where=where)
    return codebook


def codebook_from_document(
    doc: Any, *, source: str = "<document>", text: str | None = None, _where: str | None = None
) -> Codebook:
    """Validate a round-trip document (from :func:`load_codebook_document`).

    Parameters
    ----------
    doc : ruamel.yaml.comments.CommentedMap
        The parsed document; its line records give the lines in messages.
    source : str
        Name used in messages and stored as ``Codebook.source``.
    text : str, optional
        The YAML source, used only to keep ``version: 1.10`` as written.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Every problem, with key path and line.
    """
    where = _where or source
    if doc is None:
        raise CodebookError(f"{where}: the codebook is empty")
    data, lines, problems = to_plain(doc)
    if not isinstance(data, dict):
        raise CodebookError(
            f"{where}: expected a mapping at the top level (name, version, language, "
            f"categories ...), got {type(data).__name__}"
        )
    version = data.get("version")
    if text is not None and version is not None and not isinstance(version, str):
        data["version"] = raw_scalar_text(doc, "version", text) or version

    duplicates = duplicate_id_problems(data, lines)
    problems.extend(duplicates)
    try:
        codebook = Codebook.model_validate(data)
    except ValidationError as exc:
        problems.extend(
            translate_validation_error(
                exc, data, lines, problems,
                allowed_keys=_ALLOWED_KEYS, skip_duplicates=bool(duplicates),
            )
        )  # fmt: skip
        raise_located(where, problems)
        raise  # unreachable: _translate reports every pydantic error
    raise_located(where, problems)
    raise_located(where, _pattern_problems(codebook, lines))
    codebook._source = source
    return codebook


# --------------------------------------------------------------------------- patterns


@functools.lru_cache(maxsize=4)
def _pattern_vocab(language: str) -> Any:
    """Vocab of a blank spaCy pipeline of ``language``, to compile patterns against."""
    import spacy

    return spacy.blank(language).vocab


def _pattern_problems(codebook: Codebook, lines: dict[KeyPath, int]) -> list[YamlProblem]:
    """Compile every Matcher pattern; return the ones spaCy refuses, located."""
    located = list(_pattern_paths(codebook))
    if not located:
        return []
    from spacy.matcher import Matcher
    from spacy.parts_of_speech import IDS as POS_IDS

    pos_names = sorted(name for name in POS_IDS if name and name != "EOL")
    language = codebook.language
    matcher = Matcher(_pattern_vocab(language), validate=True)
    problems: list[YamlProblem] = []
    for path, pattern in located:
        line = line_of(lines, path)
        if not pattern:
            problems.append((path, line, "empty pattern: a pattern needs at least one token"))
            continue
        try:
            matcher.add("_check", [pattern])
        except Exception as exc:  # MatchPatternError, ValueError, re.error, KeyError ...
            problems.append((path, line, f"invalid token pattern: {_spacy_detail(exc)}"))
            continue
        finally:
            if "_check" in matcher:
                matcher.remove("_check")
        problems.extend(
            (path, line, message) for message in _unset_attribute_problems(pattern, language)
        )
        problems.extend((path, line, message) for message in _regex_problems(pattern))
        for j, token in enumerate(pattern):
            for key, value in token.items():
                if key.upper() != "POS":
                    continue
                if isinstance(value, dict):
                    values = [*value.get("IN", []), *value.get("NOT_IN", [])]
                else:
                    values = [value]
                bad = [v for v in values if isinstance(v, str) and v not in pos_names]
                if bad:
                    problems.append(
                        (
                            path,
                            line,
                            f"invalid token pattern: token {j}: POS {', '.join(map(repr, bad))} "
                            f"is not a Universal POS tag ({', '.join(pos_names)})",
                        )
                    )
    return problems


def _regex_problems(pattern: list[dict[str, Any]]) -> list[str]:
    """``REGEX`` predicates of ``pattern`` that are too long or backtrack exponentially."""
    problems: list[str] = []

    def visit(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                here = f"{where}.{key}"
                if str(key).upper() == "REGEX" and isinstance(inner, str):
                    problem = regex_problem(inner)
                    if problem is not None:
                        problems.append(f"{here} {inner!r}: {problem}")
                else:
                    visit(inner, here)

    for j, token in enumerate(pattern):
        visit(token, f"token {j}")
    return problems


#: Token attributes every pipeline has (set by the tokenizer), named in messages.
_TOKENIZER_ATTRS = "ORTH, TEXT, LOWER, NORM, SHAPE, LENGTH and the IS_*/LIKE_* flags"


def _unset_attribute_problems(pattern: list[dict[str, Any]], language: str) -> list[str]:
    """Tokens of ``pattern`` testing an attribute the language's pipeline never sets.

    spaCy refuses to run such a pattern at coding time (error E155 for POS, TAG,
    MORPH, LEMMA and DEP) or lets it silently never match (ENT_TYPE without a
    recogniser, IS_SENT_START without a sentence splitter), so it is refused here.
    """
    from mixedwai.qual.coding.nlp import (
        ANNOTATION_ATTRS,
        PIPELINE_ANNOTATIONS,
        PIPELINE_DESCRIPTIONS,
    )

    provided = PIPELINE_ANNOTATIONS.get(language, ())
    messages = []
    for j, token in enumerate(pattern):
        unset = [
            str(key).upper()
            for key in token
            if str(key).upper() in ANNOTATION_ATTRS and str(key).upper() not in provided
        ]
        for attr in unset:
            messages.append(
                f"token {j}: {attr} is not set by the {language!r} pipeline "
                f"({PIPELINE_DESCRIPTIONS.get(language, language)}), so the pattern cannot "
                f"run on it; that pipeline sets {', '.join(provided) or 'nothing'} besides "
                f"the tokenizer's {_TOKENIZER_ATTRS}"
            )
    return messages


def _pattern_paths(codebook: Codebook) -> Iterator[tuple[KeyPath, list[dict[str, Any]]]]:
    def visit(codes: list[Code], path: KeyPath) -> Iterator[tuple[KeyPath, list[dict[str, Any]]]]:
        for i, code in enumerate(codes):
            for k, pattern in enumerate(code.match.patterns):
                yield (*path, i, "match", "patterns", k), pattern
            yield from visit(code.codes, (*path, i, "codes"))

    for c, cat in enumerate(codebook.categories):
        yield from visit(cat.codes, ("categories", c, "codes"))


def _spacy_detail(exc: Exception) -> str:
    """spaCy's MatchPatternError lists '- [pattern -> 0 -> LEMA] msg' lines: keep those."""
    details: dict[tuple[str, str], str] = {}
    for raw in str(exc).splitlines():
        m = re.match(r"\s*-\s*\[pattern -> (\d+)(?: -> (.*?))?\]\s+([A-Z].*)", raw)
        if not m:
            continue
        token, where, msg = m.groups()
        key = (where or "").split(" -> ")[0]
        if msg.startswith("Extra inputs"):
            msg = f"unknown attribute {key!r}"
        elif key:
            msg = f"{key}: {msg}"
        details.setdefault((token, key), f"token {token}: {msg}")  # first of union alternatives
    if details:
        return "; ".join(details.values())
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"^\[E\d+\]\s*", "", text)
