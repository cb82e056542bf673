"""The codebook models: :class:`Codebook`, :class:`Category`, :class:`Code`, :class:`MatchRules`.

A codebook holds broad categories of codes; each code has a definition, inclusion
and exclusion notes, examples, match rules and possibly sub-codes of the same
shape. The models check ids, texts and lemmas, and that every id appears once in
the tree. Reading and validating YAML files is :mod:`mixedwai.qual.codebook.loading`;
printing the tree is :mod:`mixedwai.qual.codebook.display`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from mixedwai.errors import CodebookError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NEGATION_POLICIES", "Category", "Code", "Codebook", "MatchRules", "Negation"]

#: What a code does with a match inside a negated clause (besides naming another code).
NEGATION_POLICIES = ("drop", "flag", "keep")

_ID_RE = re.compile(r"^\w[\w.\-]*$")


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


def _check_word(value: str) -> str:
    if not value.strip() or any(ch.isspace() for ch in value.strip()):
        raise ValueError(f"{value!r} must be one word (one token, e.g. 'never' or 'mais')")
    return value.strip().lower()


def _speakers_as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _check_speakers(value: list[str] | None) -> list[str] | None:
    if value is not None and not value:
        raise ValueError("speakers is empty; omit the key to code everyone's speech")
    return value


Id = Annotated[str, AfterValidator(_check_id)]
Word = Annotated[str, AfterValidator(_check_word)]
Text = Annotated[str, AfterValidator(_check_text)]
#: Whose speech a codebook, category or code is about: one label or a list, not empty.
Speakers = Annotated[list[Text] | None, BeforeValidator(_speakers_as_list),
                     AfterValidator(_check_speakers)]
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
    speakers : list of str or None
        Whose speech the code is about (roles or speaker labels, as the codebook's
        ``speakers``): a hit in anyone else's segment is not coded. ``None``
        (omitted): the parent code's, else the category's, else everyone coded.
    when_negated : str or None
        What a rule match inside a negated clause does: ``"drop"`` (not coded),
        ``"flag"`` (coded with ``negated = True``, kept out of counts and quotes),
        ``"keep"`` (coded as if not negated) or the id of another code, which is
        coded instead (``goal_disagreement`` for ``goal_agreement``). ``None``
        (omitted): the category's, else the codebook's ``negation.when_negated``.
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
    speakers: Speakers = None
    when_negated: Id | None = None
    metadata: dict[str, Any] = {}


class Category(_Model):
    """A broad category (e.g. client factors) holding codes.

    ``speakers`` and ``when_negated`` are the defaults of its codes (see :class:`Code`).
    """

    id: Id
    label: Text
    description: str = ""
    codes: list[Code]
    speakers: Speakers = None
    when_negated: Id | None = None
    metadata: dict[str, Any] = {}


class Negation(_Model):
    """How negated clauses are found and treated (the codebook's ``negation:`` key).

    Parameters
    ----------
    cues : list of str
        Words that open a negated clause, added to the language's shipped cues
        (:data:`mixedwai.qual.coding.negation.NEGATION_CUES`); one token each,
        compared lower-cased.
    boundaries : list of str
        Words that end a negated clause, added to the shipped ones
        (:data:`mixedwai.qual.coding.negation.CLAUSE_BOUNDARIES`); punctuation
        always ends it.
    when_negated : str, default="drop"
        The default policy of every code (see :class:`Code`): ``drop``, ``flag``,
        ``keep`` or a code id.
    enabled : bool, default=True
        ``False`` turns negation handling off (every match is coded, as before).
    """

    cues: list[Word] = []
    boundaries: list[Word] = []
    when_negated: Id = "drop"
    enabled: bool = True


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
    negation : Negation
        Negation cues and clause boundaries added to the language's, and the
        default ``when_negated`` policy (see :class:`Negation`).
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
    speakers: Speakers = None
    negation: Negation = Negation()
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

    @model_validator(mode="after")
    def _negation_targets(self) -> Codebook:
        codes = {code.id for cat in self.categories
                 for code, *_ in _walk(cat.codes, cat.id, None, 1)}
        bad: list[str] = []
        owners: list[tuple[str, str | None]] = [("negation", self.negation.when_negated)]
        for cat in self.categories:
            owners.append((f"category {cat.id!r}", cat.when_negated))
            owners += [(f"code {code.id!r}", code.when_negated)
                       for code, *_ in _walk(cat.codes, cat.id, None, 1)]
        for owner, value in owners:
            if value is None or value in NEGATION_POLICIES:
                continue
            if value not in codes:
                bad.append(f"{owner}: when_negated = {value!r} is neither "
                           f"{', '.join(NEGATION_POLICIES)} nor a code id")
            elif owner == f"code {value!r}":
                bad.append(f"{owner}: when_negated names the code itself")
        if bad:
            raise ValueError("; ".join(bad))
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
        >>> from mixedwai.qual.codebook.loading import load_codebook
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
        >>> from mixedwai.qual.codebook.loading import load_codebook
        >>> load_codebook("ross2008-en").category_of("phone")
        'context'
        """
        self.code(code_id)
        return self._index[code_id][1]

    def parent_of(self, code_id: str) -> str | None:
        """The id of a sub-code's parent code (None for a top-level code)."""
        self.code(code_id)
        return self._index[code_id][2]

    def when_negated_of(self, code_id: str) -> str:
        """What a negated match of this code does: ``drop``, ``flag``, ``keep`` or a code id.

        The code's own ``when_negated``, else its category's, else the codebook's
        ``negation.when_negated``; ``keep`` for every code when
        ``negation.enabled`` is false. A category default that names a code is not
        applied to that code itself (it drops).

        Examples
        --------
        >>> from mixedwai.qual.codebook.loading import load_codebook
        >>> cb = load_codebook("ross2008-en")
        >>> cb.when_negated_of("goal_agreement"), cb.when_negated_of("mistrust")
        ('goal_disagreement', 'drop')
        """
        code = self.code(code_id)
        if not self.negation.enabled:
            return "keep"
        category = self._categories[self._index[code_id][1]]
        for value in (code.when_negated, category.when_negated, self.negation.when_negated):
            if value is not None:
                return "drop" if value == code_id else value
        return "drop"  # unreachable: the codebook default is always set

    def speakers_of(self, code_id: str) -> list[str] | None:
        """Whose speech a code is about: its own ``speakers``, its parents', its category's.

        None means the code fires on every segment the run codes (the codebook's or
        the run's speaker selection still applies).

        Examples
        --------
        >>> from mixedwai.qual.codebook.loading import load_codebook
        >>> load_codebook("ross2008-en").speakers_of("bond_trust") is None
        True
        """
        code = self.code(code_id)
        current: str | None = code_id
        while current is not None:
            speakers = self._index[current][0].speakers
            if speakers is not None:
                return list(speakers)
            current = self._index[current][2]
        del code
        return self._categories[self._index[code_id][1]].speakers

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
        >>> from mixedwai.qual.codebook.loading import load_codebook
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

