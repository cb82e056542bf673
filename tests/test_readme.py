"""The README's first lines and its Python tour stay true."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_starts_with_what_it_is_then_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    commands = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    assert "mixedwai run sample_corpus --out report" in commands
    assert "python -m pytest" in commands
    assert text.index("```bash") < text.index("## ")


def test_readme_python_tour_runs() -> None:
    code = re.search(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    namespace: dict[str, object] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, "README.md", "exec"), namespace)  # our own README
    assert namespace["result"].k == 3
    assert len(namespace["study"].interviewed) == 17


def test_ci_runs_the_readme_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "\npython -m pytest\n" in ci
    assert "-eq 5" in ci  # "no tests collected" fails the run
