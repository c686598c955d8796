"""The import layering of DESIGN.md §2, checked by parsing every module's imports.

Every module is covered automatically (its layer is its top-level package or module), imports
under ``if TYPE_CHECKING:`` and inside functions count like any other, and the checker is
proved to fail on planted bad imports in a copy of the tree.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sheetcrm"

#: What each layer may import besides itself. A layer is a top-level module or package.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "model": {"errors"},
    "config": {"errors", "model"},
    "backends": {"errors", "model", "config"},
    "analytics": {"errors", "model"},
    "lock": {"errors"},
    "crm": {"errors", "model", "config", "backends"},
    "run": {"errors", "model", "config", "backends", "crm", "lock"},
    "ingest": {"errors", "model", "config", "backends", "crm", "run", "lock", "analytics"},
    "workbook": {"errors", "model", "config", "backends", "crm", "run", "analytics"},
    "outputs": {"errors", "model", "config", "backends", "crm", "analytics"},
    "demo": {
        "errors",
        "model",
        "config",
        "backends",
        "crm",
        "run",
        "analytics",
        "ingest",
        "workbook",
        "outputs",
    },
    "cli": {
        "errors",
        "model",
        "config",
        "backends",
        "crm",
        "run",
        "lock",
        "analytics",
        "ingest",
        "workbook",
        "outputs",
        "demo",
        "emulator",
    },
    # The public API re-exports from every layer (lazily); nothing inside imports it.
    "__init__": {"*"},
    "__main__": {"cli"},
}

#: Only the backend factory (``backends/__init__``) and ``crm`` build a concrete backend;
#: every other layer talks to the protocol in ``backends.base``.
FACTORY_USERS = {"crm", "backends"}

#: Third-party packages only these modules (or packages, with ``.*``) may import.
OWNERS = {
    "openpyxl": {"backends.xlsx"},
    "python_calamine": {"backends.xlsx"},
    "gspread": {"backends.gsheets.*"},
    "google": {"backends.gsheets.*"},
    "google_auth_oauthlib": {"backends.gsheets.*"},
    "sqlalchemy": {"backends.sql"},
    "jinja2": {"outputs.templates"},
    "matplotlib": {"outputs.charts"},
    "weasyprint": {"outputs.templates"},
    "click": {"cli.*"},
}


def modules(root: Path) -> Iterator[tuple[str, Path]]:
    """Every module of the package below ``root`` except the standalone emulator."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if parts[0] == "emulator":
            continue
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield ".".join(parts), path


def imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    """Absolute names of everything a module imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    if name == "__init__":
        package = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                base = node.module or ""
            else:
                up = package[: len(package) - node.level + 1]
                base = ".".join(["sheetcrm", *up, *([node.module] if node.module else [])])
            yield base, node.lineno
            for alias in node.names:  # `from sheetcrm.x import module`
                yield f"{base}.{alias.name}", node.lineno


def internal(target: str, known: set[str]) -> str | None:
    """The sheetcrm module a dotted import name lands on, or None for third-party names."""
    if not target.startswith("sheetcrm.") and target != "sheetcrm":
        return None
    name = target[len("sheetcrm.") :] if target != "sheetcrm" else "__init__"
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def layer(module: str) -> str:
    return module.split(".")[0]


def _owned(module: str, owners: set[str]) -> bool:
    return any(module == o or (o.endswith(".*") and module.startswith(o[:-2])) for o in owners)


def problems(root: Path) -> list[str]:
    """Every layering rule broken below ``root``, one line each."""
    mods = dict(modules(root))
    known = set(mods)
    found = []
    for name, path in mods.items():
        here = layer(name)
        rule = ALLOWED.get(here)
        if rule is None:
            found.append(f"{name}: layer {here!r} has no rule in ALLOWED")
            continue
        for target, line in imports(name, path):
            top = target.split(".")[0]
            if top in OWNERS and not _owned(name, OWNERS[top]):
                found.append(f"{name}:{line} imports {target} (only {sorted(OWNERS[top])})")
            if target.startswith("sheetcrm.emulator") and here != "cli":
                found.append(f"{name}:{line} imports the emulator")
                continue
            dep = internal(target, known)
            if dep is None or dep == name or target.startswith("sheetcrm.emulator"):
                continue
            there = layer(dep)
            if there != here and "*" not in rule and there not in rule:
                found.append(f"{name}:{line} imports {dep} (layer {here} may not use {there})")
            concrete = dep.startswith("backends") and dep != "backends.base"
            if concrete and here not in FACTORY_USERS and here not in {"cli", "__init__", "demo"}:
                found.append(f"{name}:{line} imports concrete backend {dep}")
    return sorted(set(found))


def cycles(root: Path) -> list[list[str]]:
    """Strongly connected components of the module import graph with more than one module."""
    mods = dict(modules(root))
    known = set(mods)
    graph: dict[str, set[str]] = {n: set() for n in mods}
    for name, path in mods.items():
        for target, _ in imports(name, path):
            dep = internal(target, known)
            if dep and dep != name and not name.startswith(dep + ".") and dep != "__init__":
                graph[name].add(dep)
    # Tarjan's algorithm
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_module_breaks_the_layering():
    found = problems(PACKAGE)
    assert not found, "\n".join(found)


def test_there_are_no_import_cycles():
    assert cycles(PACKAGE) == []


PLANTS = [
    # a concrete backend in a service, hidden behind TYPE_CHECKING
    (
        "workbook/refresh.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from sheetcrm.backends.xlsx import XlsxBackend\n",
        "concrete backend",
    ),
    # analytics reaching up to the CRM object
    ("analytics/segments.py", "from sheetcrm.crm import CRM\n", "may not use crm"),
    # a lower layer importing a higher one, inside a function
    ("model/grid.py", "def _late():\n    from sheetcrm.workbook import styles\n", "may not use"),
    # jinja2 outside its owner
    ("outputs/summary.py", "import jinja2\n", "only ['outputs.templates']"),
    # click outside the CLI
    ("crm.py", "import click\n", "only ['cli.*']"),
]


@pytest.mark.parametrize(("module", "plant", "expected"), PLANTS)
def test_the_checker_catches_a_planted_bad_import(tmp_path, module, plant, expected):
    copy = tmp_path / "sheetcrm"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + plant, encoding="utf-8")
    found = problems(copy)
    assert any(expected in line for line in found), found


def test_the_checker_catches_a_planted_cycle(tmp_path):
    copy = tmp_path / "sheetcrm"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    values = copy / "model" / "values.py"
    values.write_text(values.read_text(encoding="utf-8") + "\nfrom sheetcrm.model import grid\n")
    assert any("model.values" in c and "model.grid" in c for c in cycles(copy))


def test_the_emulator_stands_alone():
    """The emulator is a separate tool: it imports nothing of sheetcrm outside itself, and
    only the CLI (for `emulator serve`) imports it."""
    found = []
    for path in sorted((PACKAGE / "emulator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                found.append(f"{path.name}:{node.lineno} reaches outside the emulator")
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            for n in names:
                outside = n.startswith("sheetcrm") and not n.startswith("sheetcrm.emulator")
                if outside or n.startswith("gspread"):
                    found.append(f"{path.name}:{node.lineno} imports {n}")
    assert not found, "\n".join(found)


def test_every_module_says_what_it_owns():
    for _, path in modules(PACKAGE):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()[0]) > 10, f"{path} needs a one-line docstring"


def test_every_module_uses_postponed_annotations():
    for _, path in modules(PACKAGE):
        text = path.read_text(encoding="utf-8")
        if "def " in text or "class " in text:
            assert "from __future__ import annotations" in text, path
