"""Running an entry point in a child process under a 2 GiB memory limit.

A memory bomb must end in a clear error, not in the kernel killing the test run, so the
repros of "memory exhaustion from one typo" run in a subprocess whose address space is
capped with ``resource.setrlimit(RLIMIT_AS, 2 GiB)``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: The address-space cap of the child processes.
MEMORY_LIMIT = 2 * 1024**3


def _cap_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(args: list[str], *, timeout: float = 120,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python <args>`` from the repository root under the memory cap."""
    child_env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg",
                 "PYTHONHASHSEED": "0", "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
        preexec_fn=_cap_memory, env=child_env, check=False,
    )


def assert_clear_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """A failed command with a message naming ``needles`` and no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert "MemoryError" not in output, output
    for needle in needles:
        assert needle in output, (needle, output)


@pytest.fixture
def limited():
    """:func:`run_limited`, as a fixture."""
    return run_limited
