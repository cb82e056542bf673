"""Any repeated measure as an instrument: a ready score column, or items by a column pattern.

The quantitative strand reads its scores through an :class:`Instrument`. For the
Working Alliance Inventory the shipped forms hold the scoring key; for any other
measure (a depression inventory scored 0..63, a session rating scale 0..40,
z-scores) :func:`measure_instrument` builds the instrument from what the command
line or study.yaml says, so that no YAML file has to be written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from mixedwai.errors import OptionError
from mixedwai.quant.instruments.model import RESERVED_NAMES, Instrument

__all__ = ["items_in_columns", "measure_instrument", "measure_name"]

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def measure_instrument(
    name: str,
    *,
    scale: Sequence[float],
    score_column: str | None = None,
    items: int | Sequence[int] | None = None,
    item_column: str | None = None,
    integer_items: bool | None = None,
) -> Instrument:
    """An instrument for any repeated measure, from its name, scale and columns.

    Parameters
    ----------
    name : str
        The measure's name (``"bdi"``): the score column of
        :func:`~mixedwai.quant.instruments.scoring.score_wai`, and the name in
        axis labels and reports. A simple identifier (letters, digits, ``_``).
    scale : (low, high)
        The scale of the ready score, or of each item (``(0, 63)``, ``(1, 5)``).
    score_column : str, optional
        A ready score: the sessions table's column holding it (default:
        ``name``). Values anywhere on the scale are accepted (3.5 included).
    items : int or list of int, optional
        The measure is scored from items instead: their number (``21`` means
        items 1..21) or their numbers. The score is the mean of the answered
        items, missing only when an item is missing (``max_missing_per_subscale``
        0, the strict rule); ``total`` is their sum.
    item_column : str, optional
        With ``items``: the column of each item, a pattern holding ``{item}``
        (``"bdi_{item}"``) or ``*`` (``"bdi_*"``). Default ``name + "_{item}"``.
    integer_items : bool, optional
        Whether responses must be whole numbers; default: ``True`` for items,
        ``False`` for a ready score.

    Returns
    -------
    Instrument
        ``score_name`` is ``name``; ``id`` is ``name``.

    Raises
    ------
    OptionError
        A name that is not an identifier or is reserved, a scale that is not
        two numbers with ``low < high``, or both ``score_column`` and ``items``.

    Examples
    --------
    >>> bdi = measure_instrument("bdi", scale=(0, 63))
    >>> bdi.score_name, str(bdi.scale), bdi.columns
    ('bdi', '0..63', {1: 'bdi'})
    >>> srs = measure_instrument("srs", scale=(0, 10), items=4, item_column="srs_*")
    >>> srs.columns
    {1: 'srs_1', 2: 'srs_2', 3: 'srs_3', 4: 'srs_4'}
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise OptionError(f"measure name = {name!r} is not allowed; expected a simple name "
                          "(letters, digits and _, not starting with a digit) such as 'bdi'")
    if name != "wai" and name in RESERVED_NAMES:
        raise OptionError(f"measure name = {name!r} is reserved for an output column; "
                          f"choose another (not one of {', '.join(sorted(RESERVED_NAMES))})")
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise OptionError(f"scale = {scale!r} is not allowed; expected two numbers, low and "
                          "high (e.g. 0 63)") from None
    if not low < high:
        raise OptionError(f"scale = {low:g} {high:g} is not allowed; low must be below high")
    bounds = {"min": _number(low), "max": _number(high)}
    if score_column is not None and items is not None:
        raise OptionError("give either a ready score column or items, not both")
    if items is None:
        return Instrument(
            id=name, name=name, respondent="client", source="given on the command line",
            scale=bounds, items=[1], item_column=_literal(score_column or name),
            global_only=[1], max_missing_per_subscale=0,
            integer_items=False if integer_items is None else integer_items, score_name=name,
        )
    numbers = list(range(1, items + 1)) if isinstance(items, int) else [int(i) for i in items]
    if not numbers:
        raise OptionError("items = [] is not allowed; expected at least one item")
    template = item_column or f"{name}_{{item}}"
    if "{item}" not in template:
        if template.count("*") != 1:
            raise OptionError(f"item columns = {template!r} is not allowed; expected a pattern "
                              "holding {item} or one * (e.g. 'bdi_{item}' or 'bdi_*')")
        template = _literal(template).replace("*", "{item}")
    return Instrument(
        id=name, name=name, respondent="client", source="given on the command line",
        scale=bounds, items=numbers, item_column=template, global_only=numbers,
        max_missing_per_subscale=0, global_rule="complete",
        integer_items=True if integer_items is None else integer_items, score_name=name,
    )


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _literal(column: str) -> str:
    """A column name usable as a ``str.format`` template with no field."""
    return column.replace("{", "{{").replace("}", "}}")


def items_in_columns(pattern: str, columns: Sequence[object]) -> list[int]:
    """The item numbers of the columns matching an item pattern, in number order.

    Parameters
    ----------
    pattern : str
        ``"bdi_{item}"`` or ``"bdi_*"``: the item number stands for ``{item}``
        or ``*``. Matched ignoring case; ``bdi_01`` is item 1.
    columns : list
        A table's column names.

    Raises
    ------
    OptionError
        A pattern without ``{item}`` or ``*``, or no column matching it (the
        columns found are listed).

    Examples
    --------
    >>> items_in_columns("bdi_*", ["case_id", "session", "BDI_2", "bdi_1", "bdi_note"])
    [1, 2]
    """
    if "{item}" in pattern:
        head, _, tail = pattern.partition("{item}")
    elif pattern.count("*") == 1:
        head, _, tail = pattern.partition("*")
    else:
        raise OptionError(f"item columns = {pattern!r} is not allowed; expected a pattern "
                          "holding {item} or one * (e.g. 'bdi_{item}' or 'bdi_*')")
    regex = re.compile(re.escape(head) + r"0*(\d+)" + re.escape(tail), re.IGNORECASE)
    found = sorted({int(m.group(1)) for c in columns if (m := regex.fullmatch(str(c)))})
    if not found:
        shown = ", ".join(repr(str(c)) for c in columns) or "(none)"
        raise OptionError(f"no column matches the item pattern {pattern!r}; found columns: "
                          f"{shown}")
    return found


def measure_name(column: str) -> str:
    """A measure name made from a column name or item pattern (``"BDI total"`` -> ``"bdi_total"``).

    Examples
    --------
    >>> measure_name("BDI total"), measure_name("srs_*"), measure_name("q{item}")
    ('bdi_total', 'srs', 'q')
    """
    stem = column.split("{item}")[0].split("*")[0] if ("{item}" in column or "*" in column) \
        else column
    name = re.sub(r"\W+", "_", stem).strip("_").lower()
    if not name:
        return "score"
    return name if _NAME.match(name) else f"m_{name}"
