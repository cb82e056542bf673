"""Questionnaire definitions (instruments) as data: items, scale, subscales, reverse keys.

Which item belongs to which subscale, and which items are reverse-keyed, differs between
published forms of the Working Alliance Inventory. mixedwai keeps those keys in small YAML
files, one per form (``mixedwai/data/instruments/*.yaml``), so a study can use a shipped
form by name or describe its own form in a file of the same shape. Only item *numbers* and
keys are stored: the item wording is copyrighted and is never shipped.

The model lives in :mod:`mixedwai.quant.instruments.model`; this module loads the
shipped forms and YAML files.

Examples
--------
>>> from mixedwai.quant.instruments.loading import available_instruments, load_instrument
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
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mixedwai._yaml import check_yaml
from mixedwai.errors import InputFileError, InstrumentError
from mixedwai.quant.instruments.model import (
    _LOADING,
    Instrument,
    _pydantic_problems,
    cross_reference_problems,
    partial_cross_reference_problems,
)
from mixedwai.quant.instruments.problems import _format_problems

__all__ = ["available_instruments", "load_instrument"]


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

    check_yaml(text, source=label, error=InstrumentError, refuses_aliases=True)
    loader = YAML(typ="rt")  # round-trip loader: builds no Python object, keeps line numbers
    try:
        root = loader.load(text)
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
    _refuse_anchors(root, label=label)
    return _validate(_plain(root), label=label, root=root)


def _refuse_anchors(node: object, *, label: str, path: str = "") -> None:
    """Refuse YAML anchors/aliases: never expand them (a few nested aliases can explode)."""
    anchor = getattr(getattr(node, "anchor", None), "value", None)
    if anchor is not None:
        where = path or "the document"
        raise InstrumentError(
            f"{label}: {where}: the YAML anchor/alias '{anchor}' is not allowed; write the value "
            "out in full"
        )
    if isinstance(node, Mapping):
        for key, value in node.items():
            _refuse_anchors(value, label=label, path=f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _refuse_anchors(value, label=label, path=f"{path}[{i}]")


def _validate(data: dict[str, Any], *, label: str, root: Any) -> Instrument:
    token = _LOADING.set(True)
    try:
        inst = Instrument.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(exc) + partial_cross_reference_problems(data, exc)
        raise InstrumentError(_format_problems(label, problems, root=root)) from exc
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
