"""The import layering of DESIGN.md §2, checked by parsing every module's imports.

Every module is covered automatically (its layer is its top-level package or module).
Imports count wherever they are: ``import a.b``, ``from a import b`` (absolute or relative),
under ``if TYPE_CHECKING:``, inside functions, and ``importlib.import_module("...")`` calls
(a computed module name is itself a problem). Imports of modules that do not exist, the
standalone emulator and the public API's lazy ``_EXPORTS`` table are checked too, and each
checker is proved to fail on planted mistakes in a copy of the tree.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sheetcrm"

#: What each layer may import besides itself. A layer is a top-level module or package.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    # private files (tokens, snapshots, crash reports): any layer may write one
    "files": set(),
    "model": {"errors", "files"},
    "config": {"errors", "files", "model"},
    "backends": {"errors", "files", "model", "config"},
    "analytics": {"errors", "files", "model"},
    "lock": {"errors", "files"},
    # run is below crm: CRM.init and CRM.upsert write through WriteRun, which sees the CRM
    # only through a protocol
    "run": {"errors", "files", "model", "config", "backends", "lock"},
    "crm": {"errors", "files", "model", "config", "backends", "run", "lock"},
    "ingest": {"errors", "files", "model", "config", "backends", "crm", "run", "lock", "analytics"},
    "workbook": {"errors", "files", "model", "config", "backends", "crm", "run", "analytics"},
    "outputs": {"errors", "files", "model", "config", "backends", "crm", "analytics"},
    "demo": {
        "errors",
        "files",
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
    # doctor checks what every command needs (config, credentials, the workbook, mail, fonts)
    "doctor": {"errors", "files", "model", "config", "backends", "crm", "outputs"},
    "cli": {
        "doctor",
        "errors",
        "files",
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
#: doctor too: it asks the Google backend about credentials and tries it with a short timeout.
FACTORY_USERS = {"crm", "backends", "doctor"}

#: Third-party packages only these modules (or packages, with ``.*``) may import.
OWNERS = {
    "openpyxl": {"backends.xlsx.*"},
    "python_calamine": {"backends.xlsx.*"},
    "gspread": {"backends.gsheets.*"},
    "google": {"backends.gsheets.*"},
    "google_auth_oauthlib": {"backends.gsheets.*"},
    "sqlalchemy": {"backends.sql"},
    "jinja2": {"outputs.templates"},
    "matplotlib": {"outputs.charts"},
    "weasyprint": {"outputs.templates"},
    "click": {"cli.*"},
}


def modules(root: Path, *, emulator: bool = False) -> Iterator[tuple[str, Path]]:
    """Every module of the package below ``root``: the standalone emulator's, or all others."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).with_suffix("")
        parts = list(rel.parts)
        if (parts[0] == "emulator") != emulator:
            continue
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        yield ".".join(parts), path


def _package(name: str, path: Path) -> list[str]:
    """The package a module's relative imports start from, as dotted parts below sheetcrm."""
    if name == "__init__":
        return []
    return name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]


def _absolute(relative: str, package: list[str]) -> str:
    """``.x`` / ``..x`` (as written in an import statement or import_module string)."""
    level = len(relative) - len(relative.lstrip("."))
    rest = relative[level:]
    up = package[: len(package) - level + 1]
    return ".".join(["sheetcrm", *up, *([rest] if rest else [])])


#: Calls that import a module named by their first argument.
DYNAMIC = {"import_module", "__import__"}


def _dynamic(node: ast.Call) -> ast.expr | None:
    """The module-name argument of ``importlib.import_module(...)`` or ``__import__(...)``."""
    func = node.func
    called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return node.args[0] if called in DYNAMIC and node.args else None


class Imported(NamedTuple):
    target: str  # absolute dotted name
    line: int
    member: bool  # `y` of `from x import y`: a module or a name defined in x


def imports(name: str, path: Path) -> Iterator[Imported]:
    """Absolute names of everything a module imports, wherever the import is: statements
    (also under ``if TYPE_CHECKING:``, in functions and ``try``) and ``import_module``
    calls. A dynamic import whose name is not a literal string is yielded as ``?``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _package(name, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Imported(alias.name, node.lineno, False)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _absolute("." * node.level + (node.module or ""), package)
            else:
                base = node.module or ""
            yield Imported(base, node.lineno, False)
            for alias in node.names:  # `from sheetcrm.x import module`
                yield Imported(f"{base}.{alias.name}", node.lineno, True)
        elif isinstance(node, ast.Call) and (arg := _dynamic(node)) is not None:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                target = _absolute(arg.value, package) if arg.value[:1] == "." else arg.value
                yield Imported(target, node.lineno, False)
            else:
                yield Imported("?", node.lineno, False)


def internal(target: str, known: set[str]) -> str | None:
    """The sheetcrm module a dotted import name lands on, or None for third-party names."""
    if not target.startswith("sheetcrm.") and target != "sheetcrm":
        return None
    name = target[len("sheetcrm.") :] if target != "sheetcrm" else "__init__"
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _module(target: str) -> str:
    return target[len("sheetcrm.") :] if target.startswith("sheetcrm.") else target


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
        for target, line, _ in imports(name, path):
            if target == "?" and here != "__init__":
                found.append(f"{name}:{line} imports a module by a computed name")
                continue
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
        found = list(imports(name, path))
        # `from pkg import a, b` where every member is a submodule needs only those
        # submodules; a member that is a name defined in pkg's __init__ needs pkg itself.
        names_only = {i.line for i in found if i.member and _module(i.target) not in known}
        for target, line, member in found:
            dep = internal(target, known)
            if not dep or dep == name or dep == "__init__":
                continue
            # An explicit import of the module's own package counts: Python runs that
            # package's __init__ first, so a name it has not defined yet is a cycle.
            if name.startswith(dep + ".") and not member and line not in names_only:
                continue
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


def missing(root: Path) -> list[str]:
    """Imports of sheetcrm modules that do not exist (e.g. left behind by a move; under
    ``TYPE_CHECKING`` nothing else would notice)."""
    mods = dict(modules(root))
    known = set(mods) | {name for name, _ in modules(root, emulator=True)}
    found = []
    for name, path in mods.items():
        for target, line, member in imports(name, path):
            if member or not (target == "sheetcrm" or target.startswith("sheetcrm.")):
                continue
            if target != "sheetcrm" and target[len("sheetcrm.") :] not in known:
                found.append(f"{name}:{line} imports {target}, which is no module")
    return found


def test_no_import_names_a_missing_module():
    found = missing(PACKAGE)
    assert not found, "\n".join(found)


PLANTS = [
    # a concrete backend in a service, hidden behind TYPE_CHECKING
    (
        "workbook/refresh.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from sheetcrm.backends.xlsx import XlsxBackend\n",
        "concrete backend",
    ),
    # the same with a plain import statement
    ("outputs/report.py", "import sheetcrm.backends.xlsx\n", "concrete backend"),
    # the same through importlib, with a literal name
    (
        "ingest/export.py",
        "import importlib\nxlsx = importlib.import_module('sheetcrm.backends.xlsx')\n",
        "concrete backend",
    ),
    # analytics reaching up to the CRM object
    ("analytics/segments.py", "from sheetcrm.crm import CRM\n", "may not use crm"),
    # ... with a relative import
    ("analytics/segments.py", "from ..crm import CRM\n", "may not use crm"),
    # ... or through the public API, which re-exports every layer
    ("analytics/segments.py", "from sheetcrm import CRM\n", "may not use __init__"),
    # a lower layer importing a higher one, inside a function
    ("model/grid.py", "def _late():\n    from sheetcrm.workbook import styles\n", "may not use"),
    # ... or by a computed name the checker cannot follow
    (
        "model/grid.py",
        "import importlib\nm = importlib.import_module('sheetcrm.' + 'crm'.lower())\n",
        "computed",
    ),
    # jinja2 outside its owner
    ("outputs/summary.py", "import jinja2\n", "only ['outputs.templates']"),
    # click outside the CLI
    ("crm.py", "import click\n", "only ['cli.*']"),
    # the emulator used outside the CLI
    ("demo/__init__.py", "from sheetcrm.emulator import Emulator\n", "imports the emulator"),
]


def _planted(tmp_path: Path, module: str, plant: str) -> Path:
    copy = tmp_path / "sheetcrm"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + "\n" + plant, encoding="utf-8")
    return copy


@pytest.mark.parametrize(("module", "plant", "expected"), PLANTS)
def test_the_checker_catches_a_planted_bad_import(tmp_path, module, plant, expected):
    new = set(problems(_planted(tmp_path, module, plant))) - set(problems(PACKAGE))
    assert any(expected in line for line in new), new


def test_the_checker_catches_a_cycle_through_a_package_init(tmp_path):
    """``run/__init__`` imports ``run.guard``; ``guard`` importing from ``sheetcrm.run`` would
    fail at import time ("partially initialized module"), so it must count as a cycle."""
    copy = tmp_path / "sheetcrm"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    guard = copy / "run" / "guard.py"
    guard.write_text(guard.read_text(encoding="utf-8") + "\nfrom sheetcrm.run import Counts\n")
    assert any("run" in c and "run.guard" in c for c in cycles(copy))


def test_the_checker_catches_a_planted_cycle(tmp_path):
    copy = _planted(tmp_path, "model/values.py", "from sheetcrm.model import grid\n")
    assert any("model.values" in c and "model.grid" in c for c in cycles(copy))


@pytest.mark.parametrize(
    "plant",
    [
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from sheetcrm.values import X\n",
        "import sheetcrm.model.nothing_here\n",
        "from ..model.nothing_here import X\n",
    ],
)
def test_the_checker_catches_a_planted_stale_import(tmp_path, plant):
    planted = missing(_planted(tmp_path, "outputs/summary.py", plant))
    assert set(planted) - set(missing(PACKAGE))


def emulator_problems(root: Path) -> list[str]:
    """The emulator is a separate tool: it imports nothing of sheetcrm outside itself, nor
    gspread (which it stands in for)."""
    found = []
    for name, path in modules(root, emulator=True):
        for target, line, member in imports(name, path):
            if member:
                continue
            inside = target == "sheetcrm.emulator" or target.startswith("sheetcrm.emulator.")
            outside = (target == "sheetcrm" or target.startswith("sheetcrm.")) and not inside
            if outside or target == "?" or target.split(".")[0] == "gspread":
                found.append(f"{name}:{line} imports {target}")
    return found


def test_the_emulator_stands_alone():
    """Only the CLI (for `emulator serve`) imports the emulator; see PLANTS for that side."""
    found = emulator_problems(PACKAGE)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "plant",
    ["from ..crm import CRM\n", "import sheetcrm.model.values\n", "import gspread\n"],
)
def test_the_emulator_check_catches_a_planted_import(tmp_path, plant):
    planted = emulator_problems(_planted(tmp_path, "emulator/cells.py", plant))
    assert set(planted) - set(emulator_problems(PACKAGE))


def exports(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The public API's lazy table (name -> module), and the names its ``TYPE_CHECKING``
    block imports for type checkers (name -> module)."""
    tree = ast.parse((root / "__init__.py").read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    typed: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in targets):
                table = ast.literal_eval(node.value)  # type: ignore[arg-type]
        elif isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    typed.update({a.name: stmt.module for a in stmt.names})
    return table, typed


def _top_level_names(path: Path) -> set[str]:
    """What a module defines or imports at its top level."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
    return names


def export_problems(root: Path) -> list[str]:
    """Names in the public API's lazy table whose module is missing or does not define them,
    and disagreements between the table and the ``TYPE_CHECKING`` imports."""
    table, typed = exports(root)
    if not table:
        return ["sheetcrm/__init__.py has no _EXPORTS table"]
    mods = dict(modules(root))
    found = []
    for name, module in table.items():
        dep = module.removeprefix("sheetcrm.")
        if not module.startswith("sheetcrm.") or dep not in mods:
            found.append(f"{name}: no module {module}")
        elif name not in _top_level_names(mods[dep]):
            found.append(f"{name}: {module} does not define it")
    if typed != table:
        found.append("the TYPE_CHECKING imports and _EXPORTS name different things")
    return found


def test_the_public_api_table_points_at_real_modules_and_names():
    found = export_problems(PACKAGE)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"open_crm": "sheetcrm.crm",', '"open_crm": "sheetcrm.crms",'),  # no such module
        ('"open_crm": "sheetcrm.crm",', '"open_crm": "sheetcrm.config",'),  # not defined there
        ('"open_crm": "sheetcrm.crm",', '"open_crm": "sheetcrm.crm", "Nope": "sheetcrm.crm",'),
    ],
)
def test_the_public_api_check_catches_a_planted_mistake(tmp_path, old, new):
    copy = _planted(tmp_path, "__init__.py", "")
    init = copy / "__init__.py"
    text = init.read_text(encoding="utf-8")
    assert old in text, "the plant no longer matches sheetcrm/__init__.py"
    init.write_text(text.replace(old, new), encoding="utf-8")
    assert export_problems(copy)


def _every_module() -> list[Path]:
    return [path for _, path in [*modules(PACKAGE), *modules(PACKAGE, emulator=True)]]


def test_every_module_says_what_it_owns():
    for path in _every_module():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()[0]) > 10, f"{path} needs a one-line docstring"


def test_every_module_uses_postponed_annotations():
    for path in _every_module():
        text = path.read_text(encoding="utf-8")
        if "def " in text or "class " in text:
            assert "from __future__ import annotations" in text, path
