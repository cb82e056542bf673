"""Small helpers shared by the command modules (console, summary of files written)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@lru_cache(maxsize=1)
def console() -> Console:
    """The console commands print to (standard output)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@lru_cache(maxsize=1)
def error_console() -> Console:
    """The console warnings print to (standard error)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True, stderr=True)


def print_warnings(messages: list[str]) -> None:
    """Print collected warnings on standard error, one plain line each."""
    for message in messages:
        error_console().print(f"mixedwai: warning: {message}", markup=False)


def print_written(paths: list[Path], *, limit: int = 12) -> None:
    """Print the files a command wrote, grouped under their folder."""
    out = console()
    if not paths:
        out.print("No file written.")
        return
    root = Path(*_common_parts(paths))
    out.print(f"Wrote {len(paths)} files to {root}/")
    for path in paths[:limit]:
        out.print(f"  {path.relative_to(root) if root.parts else path}")
    if len(paths) > limit:
        out.print(f"  ... and {len(paths) - limit} more")


def _common_parts(paths: list[Path]) -> tuple[str, ...]:
    parents = [p.parent.parts for p in paths]
    common: list[str] = []
    for parts in zip(*parents, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return tuple(common)
