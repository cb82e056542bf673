"""Lazy attribute loading for packages (PEP 562), so ``import mixedwai`` stays light."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def attach(
    package: str, mapping: dict[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Return ``__getattr__``, ``__dir__`` and ``__all__`` for ``package``.

    ``mapping`` maps each public name to the module (absolute or relative to
    ``package``) that defines it; the module is imported on first access.
    """

    def __getattr__(name: str) -> Any:
        try:
            module_name = mapping[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        module = importlib.import_module(module_name, package)
        value = getattr(module, name)
        return value

    def __dir__() -> list[str]:
        return sorted(mapping)

    return __getattr__, __dir__, sorted(mapping)
