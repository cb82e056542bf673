"""The package's layout rules (docs/architecture.md), checked on the source itself.

Every import counts, wherever it stands (module level, inside a function, under
``TYPE_CHECKING``): a cycle through any of them makes the modules impossible to read
one at a time.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "mixedwai"
MAX_MODULES = 12


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The package modules ``name`` imports (``from a import b`` counts ``a.b`` when a module)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".") if is_package else name.split(".")[:-1]
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m in known and m != name}


def _import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported_modules(name, path, set(modules)) for name, path in modules.items()}


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_no_module_imports_one_that_imports_it_back() -> None:
    cycle = _find_cycle(_import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle_through_other_modules() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _find_cycle(graph) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_relative_and_type_checking_imports_count(tmp_path: Path) -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from mixedwai.b import X\n"
        "def f():\n    from . import c\n"
    )
    path = tmp_path / "a.py"
    path.write_text(source)
    found = _imported_modules("mixedwai.a", path, {"mixedwai.b", "mixedwai.c", "mixedwai"})
    assert found == {"mixedwai", "mixedwai.b", "mixedwai.c"}


@pytest.mark.parametrize(
    "module", ["mixedwai", "mixedwai.quant", "mixedwai.qual", "mixedwai.joint"]
)
def test_importing_a_strand_loads_no_heavy_library(module: str) -> None:
    heavy = ("pandas", "spacy", "sklearn")
    code = (f"import sys, {module}\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_folder_holds_more_than_twelve_modules() -> None:
    counts = Counter(p.parent for p in PACKAGE.rglob("*.py"))
    crowded = {str(d.relative_to(PACKAGE.parent)): n for d, n in counts.items() if n > MAX_MODULES}
    assert crowded == {}


def test_no_module_is_named_as_another_plus_a_suffix() -> None:
    pieces = []
    for folder in {p.parent for p in PACKAGE.rglob("*.py")}:
        names = {p.stem for p in folder.glob("*.py")} | {
            d.name for d in folder.iterdir() if (d / "__init__.py").exists()
        }
        names.discard("__init__")
        pieces += [f"{folder.name}/{b} (after {a})" for a in names for b in names
                   if b != a and b.startswith(f"{a}_")]
    assert pieces == []


def test_no_private_name_is_imported_under_another_private_name() -> None:
    offenders = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                offenders += [f"{name}: {a.name} as {a.asname}" for a in node.names
                              if a.asname and a.name.startswith("_") and a.asname.startswith("_")]
    assert offenders == []


def _defined_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def test_every_name_is_imported_from_its_home() -> None:
    """``from mixedwai.x.y import name`` only where x.y defines the name.

    Packages are exempt: their ``__init__`` lists their public names lazily.
    """
    modules = _modules()
    defined = {n: _defined_names(ast.parse(p.read_text(encoding="utf-8")))
               for n, p in modules.items()}
    lazy_packages = {n for n, p in modules.items() if p.name == "__init__.py"}
    sources = [*PACKAGE.rglob("*.py"), *(PACKAGE.parent / "tests").rglob("*.py")]
    borrowed = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or node.module not in modules:
                continue
            if node.module in lazy_packages:
                continue
            borrowed += [f"{path.name}: {a.name} from {node.module}" for a in node.names
                         if a.name not in defined[node.module]]
    assert borrowed == []


def test_no_module_lists_another_modules_name_in_its_all() -> None:
    """A name has one home: ``__all__`` lists what the module defines, never what it imports."""
    foreign = []
    for name, path in _modules().items():
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = _defined_names(tree)
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)):
                foreign += [f"{name}: {e.value}" for e in node.value.elts  # type: ignore[attr-defined]
                            if isinstance(e, ast.Constant) and e.value not in defined]
    assert foreign == []


def test_every_lazy_name_of_the_package_points_to_its_home() -> None:
    import importlib
    import inspect

    from mixedwai import _LAZY

    wrong = []
    for name, module in _LAZY.items():
        obj = getattr(importlib.import_module(module), name, None)
        if obj is None:
            wrong.append(f"{name}: not in {module}")
        elif (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ != module:
            wrong.append(f"{name}: {module}, defined in {obj.__module__}")
    assert wrong == []
