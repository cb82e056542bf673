"""The instrument model: a questionnaire's items, scale, subscales and reverse keys.

:class:`Instrument` validates its types and every cross-reference
(:func:`cross_reference_problems`). Loading the shipped forms and YAML files is
:mod:`mixedwai.quant.instruments.loading`.
"""

from __future__ import annotations

import re
import string
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from mixedwai.errors import InstrumentError
from mixedwai.quant.instruments.problems import Loc, _format_lines, _format_problems

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "RESERVED_NAMES",
    "Instrument",
    "Scale",
    "cross_reference_problems",
    "partial_cross_reference_problems",
]

#: Output columns of :func:`mixedwai.quant.instruments.scoring.score_wai`; subscales may not
#: reuse them.
RESERVED_NAMES = frozenset({"case_id", "es_id", "session", "wai", "total", "n_items", "note"})

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Set while a loader validates: pydantic errors pass through raw and cross-reference checks
#: are left to the loader, which reports them with file names and line numbers.
_LOADING: ContextVar[bool] = ContextVar("_LOADING", default=False)


class Scale(BaseModel):
    """The response scale of every item: whole numbers from ``min`` to ``max``.

    Parameters
    ----------
    min, max : int or float
        Lowest and highest response (``min < max``); whole numbers for Likert
        items, any numbers for a ready score (z-scores: ``-4``, ``4``).
    labels : dict of int to str, optional
        Anchor labels, e.g. ``{1: "never", 7: "always"}`` (keys within the scale).

    Examples
    --------
    >>> scale = Scale(min=1, max=7, labels={1: "never", 7: "always"})
    >>> str(scale), scale.labels[7]
    ('1..7', 'always')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: StrictInt | StrictFloat
    max: StrictInt | StrictFloat
    labels: dict[int, str] | None = None

    def __str__(self) -> str:
        return f"{self.min:g}..{self.max:g}"

    @property
    def range(self) -> float:
        """``max - min``, the width of the scale (6 on 1..7)."""
        return float(self.max - self.min)


class Instrument(BaseModel):
    """A questionnaire's scoring key, read from YAML or built in Python.

    Attributes mirror the YAML keys (see ``docs/quant-data.md``). Validation checks
    the types and every cross-reference: subscale and reverse items must be items,
    no item may be listed twice or in two subscales, every item must be in exactly
    one subscale or listed in ``global_only``, ``scale.min < scale.max``, and the
    ``item_column`` template must contain ``{item}`` (or, for a one-item
    instrument such as a ready score, may be the column itself).

    Parameters
    ----------
    id : str
        Short name used to load it (``"wai-s-es"``).
    name : str
        Full name.
    respondent : {"client", "professional", "observer"}
        Who fills it in.
    source : str or list of str
        Full citation(s) of the published source of the keys.
    scale : Scale
        Response scale (``{min: 1, max: 7}``).
    items : list of int
        Item numbers.
    item_column : str, default="wai_{item}"
        Default column name of each item in a sessions table.
    subscales : dict of str to list of int
        Subscale name -> its items. Names become output columns of ``score_wai``.
    global_only : list of int, default=[]
        Items in no subscale that still count in the global score.
    reverse : list of int, default=[]
        Reverse-keyed items: keyed = ``min + max - response``.
    max_missing_per_subscale : int, default=1
        A subscale with at most this many missing items is prorated (mean of its
        answered items); with more it is missing.
    global_rule : {"all_subscales_scorable", "complete"}, default="all_subscales_scorable"
        When the global score exists: when every subscale is scorable (then it is
        the mean of all answered keyed items), or only when no item is missing.
    integer_items : bool, default=True
        Responses are whole numbers (Likert points): ``score_wai`` refuses 3.5 or
        ``"4,5"``. ``false`` accepts values between the points (a decimal comma
        is then read as a decimal point, with a warning).
    score_name : str, default="wai"
        Name of the global score: its column in the output of ``score_wai``
        (and of a ready score in a sessions table), in the figures' axis
        labels and in the reports (``"bdi"`` for a depression inventory).
    notes : str, optional
        Free text.

    Raises
    ------
    InstrumentError
        When built directly with invalid values (the loader adds file and line).

    Examples
    --------
    >>> inst = Instrument(id="mini", name="Two-item test", respondent="client",
    ...                   source="Nobody (2024). A test.", scale={"min": 1, "max": 5},
    ...                   items=[1, 2], subscales={"all": [1, 2]}, reverse=[2])
    >>> inst.columns
    {1: 'wai_1', 2: 'wai_2'}
    >>> Instrument(id="bad", name="x", respondent="client", source="s",
    ...            scale={"min": 1, "max": 5}, items=[1, 2], subscales={"all": [1, 3]})
    Traceback (most recent call last):
    ...
    mixedwai.errors.InstrumentError: instrument 'bad': 2 problems:
      - subscales.all[1]: item 3 is not one of the items (1, 2)
      - subscales: item 2 is in no subscale; list it in a subscale or in global_only
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_PATTERN)
    name: str = Field(min_length=1)
    respondent: Literal["client", "professional", "observer"]
    source: tuple[str, ...] = Field(min_length=1)
    scale: Scale
    items: tuple[StrictInt, ...] = Field(min_length=1)
    item_column: str = "wai_{item}"
    subscales: dict[str, tuple[StrictInt, ...]] = Field(default_factory=dict)
    global_only: tuple[StrictInt, ...] = ()
    reverse: tuple[StrictInt, ...] = ()
    max_missing_per_subscale: NonNegativeInt = 1
    global_rule: Literal["all_subscales_scorable", "complete"] = "all_subscales_scorable"
    integer_items: StrictBool = True
    score_name: str = Field(default="wai", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    notes: str | None = None

    def __init__(self, **data: Any) -> None:
        if _LOADING.get():
            super().__init__(**data)
            return
        try:
            super().__init__(**data)
        except ValidationError as exc:
            label = f"instrument {data.get('id', '?')!r}"
            problems = _pydantic_problems(exc) + partial_cross_reference_problems(data, exc)
            raise InstrumentError(_format_problems(label, problems)) from exc

    @field_validator("source", mode="before")
    @classmethod
    def _source_as_tuple(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_cross_references(self) -> Instrument:
        if _LOADING.get():
            return self
        problems = cross_reference_problems(self)
        if problems:
            raise ValueError(_CROSS_MARK + _format_lines(problems))
        return self

    # -- derived views ------------------------------------------------------
    @property
    def columns(self) -> dict[int, str]:
        """Default column name of each item (``{1: "wai_1", ...}``)."""
        return {item: self.item_column.format(item=item) for item in self.items}

    @property
    def subscale_of(self) -> dict[int, str | None]:
        """The subscale of each item (``None`` for ``global_only`` items)."""
        owner: dict[int, str | None] = dict.fromkeys(self.items)
        for name, members in self.subscales.items():
            for item in members:
                owner[item] = name
        return owner

    @property
    def n_items(self) -> int:
        """Number of items."""
        return len(self.items)

    def key_table(self) -> pd.DataFrame:
        """One row per item: its column, subscale and whether it is reverse-keyed.

        Returns
        -------
        pandas.DataFrame
            Columns ``item``, ``column``, ``subscale``, ``reverse``.

        Examples
        --------
        >>> from mixedwai.quant.instruments.loading import load_instrument
        >>> load_instrument("wai-s-es").key_table().head(4)
           item column subscale  reverse
        0     1  wai_1     task    False
        1     2  wai_2     task    False
        2     3  wai_3     bond    False
        3     4  wai_4     goal     True
        """
        import pandas as pd

        owner = self.subscale_of
        return pd.DataFrame(
            {
                "item": list(self.items),
                "column": [self.columns[i] for i in self.items],
                "subscale": [owner[i] for i in self.items],
                "reverse": [i in self.reverse for i in self.items],
            }
        )


_CROSS_MARK = "cross-reference problems:\n"


def cross_reference_problems(inst: Instrument) -> list[tuple[Loc, str]]:
    """Every cross-reference problem of an instrument, as ``(key path, message)`` pairs.

    Examples
    --------
    >>> from mixedwai.quant.instruments.loading import load_instrument
    >>> wai = load_instrument("wai-s-es")
    >>> cross_reference_problems(wai)
    []
    >>> cross_reference_problems(wai.model_copy(update={"reverse": (4, 13)}))
    [(('reverse', 1), 'item 13 is not one of the items (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)')]
    """
    problems: list[tuple[Loc, str]] = []
    items = list(inst.items)
    item_set = set(items)
    shown = ", ".join(str(i) for i in items[:20]) + (", ..." if len(items) > 20 else "")

    seen: set[int] = set()
    for pos, item in enumerate(items):
        if item in seen:
            problems.append((("items", pos), f"item {item} is listed twice"))
        seen.add(item)

    if inst.scale.min >= inst.scale.max:
        problems.append(
            (("scale",), f"min ({inst.scale.min}) must be smaller than max ({inst.scale.max})")
        )
    for value in inst.scale.labels or {}:
        if not inst.scale.min <= value <= inst.scale.max:
            problems.append(
                (("scale", "labels", value),
                 f"label for {value} is outside the scale {inst.scale.min}..{inst.scale.max}")
            )

    fields = [f[1] for f in string.Formatter().parse(inst.item_column) if f[1] is not None]
    if fields != ["item"] and not (fields == [] and len(items) == 1):  # one item: its column
        problems.append(
            (("item_column",),
             f"template {inst.item_column!r} must contain {{item}} exactly once "
             "(e.g. 'wai_{item}') and no other {...} field")
        )

    owner: dict[int, str] = {}
    for name, members in inst.subscales.items():
        if not _NAME_PATTERN.match(name):
            problems.append(
                (("subscales", name),
                 f"subscale name {name!r} must be a simple identifier (letters, digits, _)")
            )
        if name in RESERVED_NAMES:
            problems.append(
                (("subscales", name),
                 f"subscale name {name!r} is reserved for an output column; choose another")
            )
        if not members:
            problems.append((("subscales", name), f"subscale {name!r} has no item"))
        elif inst.max_missing_per_subscale >= len(members):
            problems.append(
                (("max_missing_per_subscale",),
                 f"{inst.max_missing_per_subscale} missing items allowed but subscale "
                 f"{name!r} has only {len(members)} items; allow fewer than {len(members)}")
            )
        for pos, item in enumerate(members):
            if item not in item_set:
                problems.append(
                    (("subscales", name, pos), f"item {item} is not one of the items ({shown})")
                )
            elif item in owner:
                where = "twice in this subscale" if owner[item] == name else (
                    f"also in subscale {owner[item]!r}")
                problems.append((("subscales", name, pos), f"item {item} is {where}"))
            else:
                owner[item] = name

    for pos, item in enumerate(inst.global_only):
        if item not in item_set:
            problems.append(
                (("global_only", pos), f"item {item} is not one of the items ({shown})")
            )
        elif item in owner:
            problems.append(
                (("global_only", pos),
                 f"item {item} is in subscale {owner[item]!r}; an item is either in one "
                 "subscale or global_only")
            )
    unassigned = [i for i in items if i not in owner and i not in set(inst.global_only)]
    if inst.subscales or inst.global_only:
        for item in dict.fromkeys(unassigned):
            problems.append(
                (("subscales",),
                 f"item {item} is in no subscale; list it in a subscale or in global_only")
            )

    if inst.score_name != "wai" and inst.score_name in RESERVED_NAMES:
        problems.append((("score_name",), f"score name {inst.score_name!r} is reserved for "
                                          "an output column; choose another"))
    if inst.score_name in inst.subscales:
        problems.append((("score_name",), f"score name {inst.score_name!r} is also a "
                                          "subscale name; choose another"))

    seen_rev: set[int] = set()
    for pos, item in enumerate(inst.reverse):
        if item not in item_set:
            problems.append((("reverse", pos), f"item {item} is not one of the items ({shown})"))
        elif item in seen_rev:
            problems.append((("reverse", pos), f"item {item} is listed twice"))
        seen_rev.add(item)
    return problems


#: The top-level keys each cross-reference check reads, by the first key of its path.
_CHECK_NEEDS: dict[str, set[str]] = {
    "items": {"items"},
    "scale": {"scale"},
    "item_column": {"item_column"},
    "subscales": {"subscales", "items", "global_only", "max_missing_per_subscale"},
    "max_missing_per_subscale": {"subscales", "max_missing_per_subscale"},
    "global_only": {"global_only", "items", "subscales"},
    "reverse": {"reverse", "items"},
    "score_name": {"score_name", "subscales"},
}
#: Stand-ins for required keys that are missing or invalid (their checks are then skipped).
_PLACEHOLDERS: dict[str, Any] = {
    "id": "x", "name": "x", "respondent": "client", "source": ["x"],
    "scale": {"min": 1, "max": 2}, "items": [1],
}


def partial_cross_reference_problems(
    data: dict[str, Any], exc: ValidationError
) -> list[tuple[Loc, str]]:
    """The cross-reference problems of the keys that passed the schema check.

    When some keys fail pydantic's checks (an unknown key, a wrong type), the
    others are still checked against each other, so one message lists every
    problem: the invalid keys are replaced by stand-ins and every check that
    reads an invalid or missing key is left out. Returns ``[]`` when the schema
    errors leave nothing to check, or concern the model as a whole.

    Examples
    --------
    The loader reports the wrong ``respondent`` and, thanks to this function,
    the subscale errors of the keys that are valid:

    >>> from mixedwai.quant.instruments.loading import load_instrument
    >>> load_instrument({"id": "x", "name": "X", "respondent": "patient", "source": "S",
    ...                  "scale": {"min": 1, "max": 5}, "items": [1, 2],
    ...                  "subscales": {"a": [1, 3]}})
    Traceback (most recent call last):
    ...
    mixedwai.errors.InstrumentError: instrument mapping: 3 problems:
      - respondent: Input should be 'client', 'professional' or 'observer' (got 'patient')
      - subscales.a[1]: item 3 is not one of the items (1, 2)
      - subscales: item 2 is in no subscale; list it in a subscale or in global_only
    """
    bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
    if not bad:
        return []
    fields = Instrument.model_fields
    kept = {k: v for k, v in data.items() if k in fields and k not in bad}
    unusable = bad | {k for k in _PLACEHOLDERS if k not in kept}
    for key, value in _PLACEHOLDERS.items():
        kept.setdefault(key, value)
    token = _LOADING.set(True)
    try:
        inst = Instrument.model_validate(kept)
    except ValidationError:  # pragma: no cover - every invalid key was replaced
        return []
    finally:
        _LOADING.reset(token)
    return [(loc, message) for loc, message in cross_reference_problems(inst)
            if not _CHECK_NEEDS.get(str(loc[0]) if loc else "", set(fields)) & unusable]


def _pydantic_problems(exc: ValidationError) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    allowed = ", ".join(Instrument.model_fields)
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if p != "[key]")
        kind = err["type"]
        if kind == "extra_forbidden":
            where = loc[:-1]
            expected = allowed if not where else "min, max, labels" if where == ("scale",) else ""
            message = f"unknown key {loc[-1]!r}" + (f"; expected one of {expected}"
                                                    if expected else "")
        elif kind == "missing":
            message = "required key is missing"
        elif kind == "value_error" and _CROSS_MARK in str(err.get("msg", "")):
            text = str(err["msg"]).split(_CROSS_MARK, 1)[1]
            problems.extend(((), line.removeprefix("  - ")) for line in text.splitlines())
            continue
        else:
            message = f"{err['msg']} (got {err.get('input')!r})"
        problems.append((loc, message))
    return problems
