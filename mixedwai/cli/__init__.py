"""The ``mixedwai`` command: thin wrappers around library functions.

Each strand registers its commands in its own module (``quant``, ``qual``,
``study``); this module builds the application and turns mixedwai's errors into
a one-paragraph message on standard error and exit status 2 (no traceback).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

__all__ = ["main"]


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Print a warning as one plain line (no source location) on standard error."""
    from mixedwai.cli._common import terminal_safe

    name = getattr(category, "__name__", "Warning")
    print(terminal_safe(f"mixedwai: warning ({name}): {message}"), file=file or sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Examples
    --------
    >>> main(["--version"])
    mixedwai 0.1.0
    0
    """
    from mixedwai.cli._app import build_app
    from mixedwai.cli._common import terminal_safe
    from mixedwai.errors import MixedWAIError

    app = build_app()
    args = sys.argv[1:] if argv is None else list(argv)
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        app(args=args, prog_name="mixedwai", standalone_mode=True)
    except MixedWAIError as exc:
        print(terminal_safe(f"mixedwai: error: {exc}"), file=sys.stderr)
        return 2
    except SystemExit as exc:  # typer ends every run with SystemExit in standalone mode
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        print("mixedwai: interrupted", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = previous
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
