"""Questionnaire definitions (instruments) as data: items, scale, subscales, reverse keys.

Which item belongs to which subscale, and which items are reverse-keyed, differs between
published forms of the Working Alliance Inventory. mixedwai keeps those keys in small YAML
files, one per form (``mixedwai/data/instruments/*.yaml``), so a study can use a shipped
form by name or describe its own form in a file of the same shape. Only item *numbers* and
keys are stored: the item wording is copyrighted and is never shipped.

Examples
--------
>>> from mixedwai.quant.instruments import available_instruments, load_instrument
>>> available_instruments()
['wai-s', 'wai-s-es', 'wai-sr']
>>> wai = load_instrument("wai-s-es")
>>> wai.scale.min, wai.scale.max, wai.subscales["goal"], wai.reverse
(1, 7, (4, 6, 10, 11), (4, 10))
>>> wai.columns[4]
'wai_4'
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from mixedwai.errors import InputFileError, InstrumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Instrument", "Scale", "available_instruments", "load_instrument"]

#: Output columns of :func:`mixedwai.quant.scoring.score_wai`; subscales may not reuse them.
RESERVED_NAMES = frozenset({"case_id", "es_id", "session", "wai", "total", "n_items", "note"})

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

Loc = tuple[Any, ...]

#: Set while a loader validates: pydantic errors pass through raw and cross-reference checks
#: are left to the loader, which reports them with file names and line numbers.
_LOADING: ContextVar[bool] = ContextVar("_LOADING", default=False)


class Scale(BaseModel):
    """The response scale of every item: whole numbers from ``min`` to ``max``.

    Parameters
    ----------
    min, max : int
        Lowest and highest response (``min < max``).
    labels : dict of int to str, optional
        Anchor labels, e.g. ``{1: "never", 7: "always"}`` (keys within the scale).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    min: StrictInt
    max: StrictInt
    labels: dict[int, str] | None = None

    def __str__(self) -> str:
        return f"{self.min}..{self.max}"


class Instrument(BaseModel):
    """A questionnaire's scoring key, read from YAML or built in Python.

    Attributes mirror the YAML keys (see ``docs/quant-data.md``). Validation checks
    the types and every cross-reference: subscale and reverse items must be items,
    no item may be listed twice or in two subscales, every item must be in exactly
    one subscale or listed in ``global_only``, ``scale.min < scale.max``, and the
    ``item_column`` template must contain ``{item}``.

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
    notes: str | None = None

    def __init__(self, **data: Any) -> None:
        if _LOADING.get():
            super().__init__(**data)
            return
        try:
            super().__init__(**data)
        except ValidationError as exc:
            label = f"instrument {data.get('id', '?')!r}"
            raise InstrumentError(_format_problems(label, _pydantic_problems(exc))) from exc

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
    """Every cross-reference problem of an instrument, as ``(key path, message)`` pairs."""
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
    if fields != ["item"]:
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

    seen_rev: set[int] = set()
    for pos, item in enumerate(inst.reverse):
        if item not in item_set:
            problems.append((("reverse", pos), f"item {item} is not one of the items ({shown})"))
        elif item in seen_rev:
            problems.append((("reverse", pos), f"item {item} is listed twice"))
        seen_rev.add(item)
    return problems


# -- loading ------------------------------------------------------------------------------


def available_instruments() -> list[str]:
    """Names of the instruments shipped with mixedwai.

    Returns
    -------
    list of str
        Sorted names usable with :func:`load_instrument`.

    Examples
    --------
    >>> "wai-s-es" in available_instruments()
    True
    """
    folder = resources.files("mixedwai") / "data" / "instruments"
    return sorted(p.name.rsplit(".", 1)[0] for p in folder.iterdir()
                  if p.name.endswith((".yaml", ".yml")))


def load_instrument(
    spec: str | os.PathLike[str] | Instrument | Mapping[str, Any] = "wai-s-es",
) -> Instrument:
    """Load an instrument by shipped name, from a YAML file, or pass one through.

    Parameters
    ----------
    spec : str, path, Instrument or mapping, default="wai-s-es"
        A shipped name (see :func:`available_instruments`; case and ``_``/``-``
        are ignored), the path of a YAML file, an :class:`Instrument` (returned
        as is) or a mapping with the YAML keys.

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        Unknown name, missing or unreadable file, YAML syntax error, or invalid
        content. The message names the file, each offending key path and its line.

    Notes
    -----
    YAML is read with ruamel.yaml's round-trip loader, which is a safe loader
    (it builds only plain mappings, lists and scalars) and keeps line numbers for
    the messages. The content is validated with pydantic.

    Examples
    --------
    >>> load_instrument("WAI_SR").scale.max
    5
    >>> load_instrument("wai-long")
    Traceback (most recent call last):
    ...
    mixedwai.errors.InstrumentError: unknown instrument 'wai-long'; shipped instruments: ...
    """
    if isinstance(spec, Instrument):
        return spec
    if isinstance(spec, Mapping):
        return _validate(dict(spec), label="instrument mapping", root=None)
    if isinstance(spec, (str, os.PathLike)):
        text = os.fspath(spec)
        key = text.strip().lower().replace("_", "-")
        if not isinstance(spec, os.PathLike) and key in available_instruments():
            return _load_shipped(key)
        path = Path(text)
        if isinstance(spec, os.PathLike) or path.suffix.lower() in (".yaml", ".yml") or (
            os.sep in text or "/" in text
        ):
            return _load_file(path)
        raise InstrumentError(
            f"unknown instrument {text!r}; shipped instruments: "
            f"{', '.join(available_instruments())}; or give the path of a YAML file"
        )
    raise InstrumentError(
        f"instrument = {spec!r} is not allowed; expected a name, a YAML path, an Instrument "
        "or a mapping"
    )


@cache
def _load_shipped(name: str) -> Instrument:
    folder = resources.files("mixedwai") / "data" / "instruments"
    for suffix in (".yaml", ".yml"):
        resource = folder / f"{name}{suffix}"
        if resource.is_file():
            return _parse(resource.read_text(encoding="utf-8"), label=f"{name}{suffix}")
    raise InstrumentError(f"shipped instrument {name!r} has no YAML file")  # pragma: no cover


def _load_file(path: Path) -> Instrument:
    from mixedwai.io import read_text

    try:
        text, _ = read_text(path)
    except InputFileError as exc:
        raise InstrumentError(f"instrument file {exc}") from exc
    if path.is_dir():  # pragma: no cover - read_text already fails on folders
        raise InstrumentError(f"{path}: is a folder; expected an instrument YAML file")
    return _parse(text, label=str(path))


def _parse(text: str, *, label: str) -> Instrument:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    yaml = YAML(typ="rt")  # round-trip loader: safe, and keeps line numbers
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise InstrumentError(
            f"{label}:{where}: not valid YAML ({exc.problem or exc.context})"
        ) from exc
    except YAMLError as exc:
        raise InstrumentError(f"{label}: not valid YAML ({exc})") from exc
    if not isinstance(root, Mapping):
        kind = "empty" if root is None else f"a {type(root).__name__}"
        raise InstrumentError(f"{label}: the file is {kind}; expected a mapping of instrument keys")
    return _validate(_plain(root), label=label, root=root)


def _validate(data: dict[str, Any], *, label: str, root: Any) -> Instrument:
    token = _LOADING.set(True)
    try:
        inst = Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(
            _format_problems(label, _pydantic_problems(exc), root=root)
        ) from exc
    finally:
        _LOADING.reset(token)
    problems = cross_reference_problems(inst)
    if problems:
        raise InstrumentError(_format_problems(label, problems, root=root))
    return inst


def _plain(node: Any) -> Any:
    """ruamel round-trip containers -> plain dicts, lists and scalars."""
    if isinstance(node, Mapping):
        return {_plain(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


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


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int) and out and not out.endswith("labels"):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of(root: Any, loc: Loc) -> int | None:
    line = None
    node = root
    for part in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        if isinstance(node, Mapping):
            key = part if part in node else next((k for k in node if str(k) == str(part)), None)
            if key is None:
                break
            try:
                line = lc.key(key)[0] + 1
            except (KeyError, TypeError):  # pragma: no cover - ruamel bookkeeping
                break
            node = node[key]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            try:
                line = lc.item(part)[0] + 1
            except (KeyError, TypeError):  # pragma: no cover
                break
            node = node[part]
        else:
            break
    return line


def _format_lines(problems: list[tuple[Loc, str]], root: Any = None) -> str:
    lines = []
    for loc, message in problems:
        where = _path(loc)
        line = _line_of(root, loc) if (root is not None and loc) else None
        prefix = where + (f" (line {line})" if line else "")
        lines.append(f"  - {prefix}: {message}" if prefix else f"  - {message}")
    return "\n".join(lines)


def _format_problems(label: str, problems: list[tuple[Loc, str]], *, root: Any = None) -> str:
    count = len(problems)
    noun = "problem" if count == 1 else "problems"
    return f"{label}: {count} {noun}:\n{_format_lines(problems, root)}"
