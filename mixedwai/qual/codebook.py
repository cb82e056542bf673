"""Codebooks: categories of codes with match rules, read from YAML and validated.

A codebook is the deductive frame of a thematic analysis: broad categories (for
the working alliance, those of Ross, Polaschek & Ward, 2008) holding codes, each
with a definition, inclusion and exclusion notes, examples, and the rules that let
:func:`mixedwai.code_corpus` find it in transcripts (``lemmas``, ``phrases`` and
spaCy Matcher ``patterns``). Codes may nest sub-codes of the same shape.

Every problem in a YAML codebook is reported with its key path and line, all at
once: unknown keys (with the allowed ones), wrong types, duplicate ids anywhere in
the tree (codes and categories share one namespace), and Matcher patterns that
spaCy refuses (every pattern is compiled at load time).

Examples
--------
>>> from mixedwai.qual.codebook import load_codebook, codebook_tree
>>> cb = load_codebook("ross2008-en")
>>> cb.language, cb.category_of("bond_trust")
('en', 'alliance')
>>> print(codebook_tree(cb).splitlines()[1])
client  Client factors
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from mixedwai.errors import CodebookError, InputFileError
from mixedwai.qual.codebook_yaml import (
    KeyPath,
    YamlProblem,
    dump_codebook_document,
    duplicate_id_problems,
    line_of,
    load_codebook_document,
    parse_document,
    raise_located,
    raw_scalar_text,
    to_plain,
    translate_validation_error,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Category",
    "Code",
    "Codebook",
    "MatchRules",
    "available_codebooks",
    "codebook_from_document",
    "codebook_from_yaml",
    "codebook_tree",
    "dump_codebook_document",
    "load_codebook",
    "load_codebook_document",
]

#: Folder of the shipped codebooks (``ross2008_en.yaml`` is shipped as ``"ross2008-en"``).
CODEBOOK_DIR = Path(__file__).resolve().parent.parent / "data" / "codebooks"

_ID_RE = re.compile(r"^\w[\w.\-]*$")


# --------------------------------------------------------------------------- models


def _check_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(
            f"id {value!r} must be one word of letters, digits, '_', '-' or '.' "
            "(e.g. 'bond_trust')"
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _check_lemma(value: str) -> str:
    if not value.strip():
        raise ValueError("a lemma must not be empty")
    if any(ch.isspace() for ch in value.strip()):
        raise ValueError(
            f"lemma {value!r} holds several words; put multiword expressions under 'phrases'"
        )
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Text = Annotated[str, AfterValidator(_check_text)]
Lemma = Annotated[str, AfterValidator(_check_lemma)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchRules(_Model):
    """How a code is found automatically; all three lists may be empty (manual code).

    Parameters
    ----------
    lemmas : list of str
        Single-word lemmas, lower case (``trust`` matches "trusted", "trusts").
    phrases : list of str
        Multiword expressions matched on the lower-cased text ("survival mode").
    patterns : list of list of dict
        spaCy Matcher token patterns, e.g. ``[{"LEMMA": "feel"}, {"LOWER": "heard"}]``.
    """

    lemmas: list[Lemma] = []
    phrases: list[Text] = []
    patterns: list[list[dict[str, Any]]] = []

    @property
    def is_empty(self) -> bool:
        """True when the code has no rule (it is coded by hand only)."""
        return not (self.lemmas or self.phrases or self.patterns)


class Code(_Model):
    """A code: what it means, when it applies, and how to find it.

    Parameters
    ----------
    id : str
        One word (letters, digits, ``_ - .``), unique in the whole codebook.
    label : str
        Human-readable name.
    definition, include, exclude : str, default=""
        The definition and the inclusion / exclusion notes of the codebook.
    examples : list of str
        Short example segments.
    match : MatchRules
        The automatic rules (empty: manual coding only).
    codes : list of Code
        Sub-codes, same shape.
    metadata : dict
        Free information kept with the code (e.g. where an inductive theme came from).
    """

    id: Id
    label: Text
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[str] = []
    match: MatchRules = MatchRules()
    codes: list[Code] = []
    metadata: dict[str, Any] = {}


class Category(_Model):
    """A broad category (e.g. client factors) holding codes."""

    id: Id
    label: Text
    description: str = ""
    codes: list[Code]
    metadata: dict[str, Any] = {}


class Codebook(_Model):
    """A validated codebook.

    Parameters
    ----------
    name : str
        Title of the codebook.
    version : str
        Version string (quote it in YAML to keep ``"1.10"`` as written).
    language : {"en", "fr"}
        Language of the rules; picks the spaCy pipeline.
    unit : {"sentence", "turn", "paragraph"}, default="sentence"
        Default coding unit.
    speakers : list of str or None
        Roles or labels whose speech is coded; ``None`` (omitted) codes everyone.
        A single string is read as a list of one.
    categories : list of Category
        At least one.
    description : str
        Free text.
    metadata : dict
        Free extra information (authors, references ...). Unknown keys anywhere
        else are errors.

    Notes
    -----
    Code and category ids form one namespace: each id appears once in the tree.
    ``source`` tells where the codebook was loaded from.
    """

    name: Text
    version: Text
    language: Literal["en", "fr"]
    unit: Literal["sentence", "turn", "paragraph"] = "sentence"
    speakers: list[Text] | None = None
    description: str = ""
    metadata: dict[str, Any] = {}
    categories: list[Category] = Field(min_length=1)

    _source: str | None = PrivateAttr(default=None)
    _index: dict[str, tuple[Code, str, str | None, int]] = PrivateAttr(default_factory=dict)
    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value: Any) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("speakers", mode="before")
    @classmethod
    def _one_speaker_as_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("speakers")
    @classmethod
    def _speakers_not_empty(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("speakers is empty; omit the key to code everyone's speech")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Codebook:
        seen: set[str] = set()
        dups: list[str] = []
        for cat in self.categories:
            ids = [cat.id, *(code.id for code, *_ in _walk(cat.codes, cat.id, None, 1))]
            for item in ids:
                if item in seen:
                    dups.append(item)
                seen.add(item)
        if dups:
            raise ValueError(
                "duplicate ids (codes and categories share one namespace): "
                + ", ".join(repr(d) for d in dups)
            )
        return self

    def model_post_init(self, context: Any, /) -> None:
        for cat in self.categories:
            self._categories[cat.id] = cat
            for code, cat_id, parent, depth in _walk(cat.codes, cat.id, None, 1):
                self._index[code.id] = (code, cat_id, parent, depth)

    # ----------------------------------------------------------------- access
    @property
    def source(self) -> str | None:
        """The file path or shipped name this codebook was loaded from (None if built in code)."""
        return self._source

    @property
    def code_ids(self) -> list[str]:
        """Every code id, in document order (sub-codes after their parent)."""
        return list(self._index)

    def iter_codes(self) -> Iterator[tuple[Code, str, str | None, int]]:
        """Yield ``(code, category_id, parent_code_id, depth)`` in document order.

        ``depth`` is 1 for a category's own codes, 2 for their sub-codes, and so on;
        ``parent_code_id`` is None at depth 1.

        Examples
        --------
        >>> cb = load_codebook("ross2008-en")
        >>> [(c.id, cat, parent, d) for c, cat, parent, d in cb.iter_codes()][2:4]
        [('attitudes', 'client', None, 1), ('mistrust', 'client', 'attitudes', 2)]
        """
        return iter(self._index.values())

    def code(self, code_id: str) -> Code:
        """The code with this id.

        Raises
        ------
        CodebookError
            No code has this id (the message lists the closest ids).
        """
        try:
            return self._index[code_id][0]
        except (KeyError, TypeError):
            raise CodebookError(self._unknown("code", code_id, list(self._index))) from None

    def category(self, category_id: str) -> Category:
        """The category with this id (CodebookError if none)."""
        try:
            return self._categories[category_id]
        except (KeyError, TypeError):
            raise CodebookError(
                self._unknown("category", category_id, list(self._categories))
            ) from None

    def category_of(self, code_id: str) -> str:
        """The id of the category a code (or sub-code) belongs to.

        Examples
        --------
        >>> load_codebook("ross2008-en").category_of("phone")
        'context'
        """
        self.code(code_id)
        return self._index[code_id][1]

    def parent_of(self, code_id: str) -> str | None:
        """The id of a sub-code's parent code (None for a top-level code)."""
        self.code(code_id)
        return self._index[code_id][2]

    def codes_frame(self) -> pd.DataFrame:
        """One row per code, in document order.

        Returns
        -------
        pandas.DataFrame
            Columns: ``code_id``, ``label``, ``category_id``, ``parent_id`` (missing
            for top-level codes), ``depth`` (1 = top level), ``n_lemmas``,
            ``n_phrases``, ``n_patterns``.

        Examples
        --------
        >>> frame = load_codebook("ross2008-en").codes_frame()
        >>> list(frame.columns)[:4]
        ['code_id', 'label', 'category_id', 'parent_id']
        """
        import pandas as pd

        rows = [
            {
                "code_id": code.id,
                "label": code.label,
                "category_id": cat,
                "parent_id": parent,
                "depth": depth,
                "n_lemmas": len(code.match.lemmas),
                "n_phrases": len(code.match.phrases),
                "n_patterns": len(code.match.patterns),
            }
            for code, cat, parent, depth in self.iter_codes()
        ]
        columns = [
            "code_id", "label", "category_id", "parent_id", "depth",
            "n_lemmas", "n_phrases", "n_patterns",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def _unknown(self, what: str, value: Any, known: list[str]) -> str:
        where = f"{self._source}: " if self._source else ""
        close = difflib.get_close_matches(str(value), known, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return f"{where}unknown {what} {value!r}{hint} (known: {', '.join(known)})"


def _walk(
    codes: list[Code], category_id: str, parent: str | None, depth: int
) -> Iterator[tuple[Code, str, str | None, int]]:
    for code in codes:
        yield code, category_id, parent, depth
        yield from _walk(code.codes, category_id, code.id, depth + 1)


# --------------------------------------------------------------------------- loading

_ALLOWED_KEYS: dict[str, list[str]] = {
    "": list(Codebook.model_fields),
    "categories": list(Category.model_fields),
    "codes": list(Code.model_fields),
    "match": list(MatchRules.model_fields),
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
        keys, duplicate ids, explicit YAML tags, invalid Matcher patterns.

    Notes
    -----
    YAML is read with ruamel.yaml's round-trip loader, which records the line of
    every key and never builds Python objects from tags; tags other than ``!!str``
    are refused. Matcher patterns are compiled with ``spacy.matcher.Matcher`` on a
    blank pipeline of the codebook's language (``validate=True``), so a pattern
    spaCy would refuse at coding time is refused here, with its location.

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
    matcher = Matcher(_pattern_vocab(codebook.language), validate=True)
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


# --------------------------------------------------------------------------- display


def codebook_tree(codebook: Codebook) -> str:
    """The codebook as an indented tree with the number of rules of each code.

    Parameters
    ----------
    codebook : Codebook
        A loaded codebook.

    Returns
    -------
    str
        A header line (name, version, language, unit, speakers), one line per
        category (``id  label``) and per code, indented by depth, with
        ``[lemmas n, phrases n, patterns n]`` or ``[manual only]``, and a total line.

    Examples
    --------
    >>> cb = codebook_from_yaml('''
    ... name: Demo
    ... version: "1"
    ... language: en
    ... categories:
    ...   - id: alliance
    ...     label: Alliance components
    ...     codes:
    ...       - id: bond
    ...         label: Bond and trust
    ...         match: {lemmas: [trust, confide], phrases: [on the same page]}
    ...         codes:
    ...           - id: repair
    ...             label: Repair
    ... ''')
    >>> print(codebook_tree(cb))
    Demo  (version 1, language en, unit sentence, speakers: everyone)
    alliance  Alliance components
      bond  Bond and trust  [lemmas 2, phrases 1, patterns 0]
        repair  Repair  [manual only]
    1 category, 2 codes (1 with match rules, 1 manual only)
    """
    speakers = ", ".join(codebook.speakers) if codebook.speakers else "everyone"
    out = [
        f"{codebook.name}  (version {codebook.version}, language {codebook.language}, "
        f"unit {codebook.unit}, speakers: {speakers})"
    ]
    n_codes = n_rules = 0
    for cat in codebook.categories:
        out.append(f"{cat.id}  {cat.label}")
        for code, _cat, _parent, depth in _walk(cat.codes, cat.id, None, 1):
            rules = code.match
            n_codes += 1
            if rules.is_empty:
                counts = "[manual only]"
            else:
                n_rules += 1
                counts = (
                    f"[lemmas {len(rules.lemmas)}, phrases {len(rules.phrases)}, "
                    f"patterns {len(rules.patterns)}]"
                )
            out.append(f"{'  ' * depth}{code.id}  {code.label}  {counts}")
    n_cat = len(codebook.categories)
    out.append(
        f"{n_cat} categor{'y' if n_cat == 1 else 'ies'}, {n_codes} code{'s' * (n_codes != 1)} "
        f"({n_rules} with match rules, {n_codes - n_rules} manual only)"
    )
    return "\n".join(out)
