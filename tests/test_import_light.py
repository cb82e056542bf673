"""`import mixedwai` must not import pandas, scikit-learn, spaCy or matplotlib."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "numpy", "scipy", "sklearn", "spacy", "matplotlib", "docx", "numba")


def test_import_mixedwai_imports_no_heavy_library() -> None:
    code = (
        "import sys, mixedwai, mixedwai.errors, mixedwai.ids\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_lazy_name_resolves() -> None:
    import mixedwai

    missing = []
    for name in mixedwai.__all__:
        try:
            getattr(mixedwai, name)
        except (AttributeError, ModuleNotFoundError) as exc:
            missing.append(f"{name}: {exc}")
    assert missing == []
