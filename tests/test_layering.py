"""The import layering of DESIGN.md §2, checked by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sheetcrm"

#: Layer of each internal module (lower number = lower layer). Unlisted modules fail.
LAYERS = {
    "errors": 0, "values": 1, "config": 2, "schema": 3, "grid": 4, "plan": 5,
    "backends.base": 6, "backends.retry": 6, "backends.sheets_requests": 6,
    "backends.memory": 7, "backends.endpoint": 6, "backends.xlsx": 7, "backends.gsheets": 7,
    "backends.auth": 7, "backends": 8,
    "sources": 2, "mapping": 4, "syncstate": 5, "lock": 1,
    "metrics": 1, "rules": 4, "report_data": 9, "charts": 10,
    "reporting": 14, "reminders": 14, "styles": 10, "dashboard": 10, "refresh": 11,
    "crm": 9, "summary": 9, "merge": 9, "safety": 10, "intake": 10, "transactions": 11,
    "importer": 12, "export": 10, "demo": 10,
    "reports": 13, "notify": 13,
    "emulator": 13,  # a standalone tool (see test_the_emulator_stands_alone); the CLI serves it
    "cli": 15, "cli.options": 15, "cli.output": 15, "cli.commands": 15, "cli.emulator_cmd": 15,
    "cli.data_cmds": 15, "cli.insight_cmds": 15, "cli.report_cmds": 15,
}  # fmt: skip

#: Third-party packages only these modules may import.
OWNERS = {
    "openpyxl": {"backends.xlsx"},
    "gspread": {"backends.gsheets", "backends.auth"},
    "google": {"backends.gsheets", "backends.auth"},
    "jinja2": {"reports"},
    "matplotlib": {"charts"},
    "weasyprint": {"reports"},
    "babel": {"reports"},
    "click": {"cli", "cli.*"},
}

#: Services may use the backend factory and protocol, never a concrete backend.
SERVICES = {
    "crm",
    "summary",
    "demo",
    "reports",
    "notify",
    "merge",
    "safety",
    "importer",
    "transactions",
    "export",
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        if parts and parts[0] == "emulator":
            continue  # a separate tool with its own rules (no sheetcrm layer imports)
        yield ".".join(parts), path


def _type_checking_only(tree: ast.AST) -> set[int]:
    """Ids of import nodes under `if TYPE_CHECKING:` (annotations only, never executed)."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def _imports(name: str, path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
                if node.module is None:
                    for alias in node.names:
                        yield "sheetcrm." + ".".join([*base, alias.name]).strip("."), node.lineno
                    continue
                yield "sheetcrm." + mod.strip("."), node.lineno
            else:
                yield node.module or "", node.lineno


def _internal(target: str) -> str | None:
    if target == "sheetcrm" or not target.startswith("sheetcrm."):
        return None
    name = target[len("sheetcrm.") :]
    while name and name not in LAYERS:
        name = name.rpartition(".")[0]
    return name or target


def test_every_module_has_a_layer():
    missing = [name for name, _ in _modules() if name and name not in LAYERS]
    assert not missing, f"add these modules to LAYERS: {missing}"


def test_no_module_imports_a_higher_layer_or_a_foreign_owner():
    problems = []
    for name, path in _modules():
        if not name:
            continue
        for target, line in _imports(name, path):
            top = target.split(".")[0]
            owners = OWNERS.get(top)
            if (
                owners
                and name not in owners
                and not ("cli.*" in owners and name.startswith("cli."))
            ):
                problems.append(f"{path.name}:{line} imports {target} (only {OWNERS[top]})")
            dep = _internal(target)
            if dep is None or dep == name:
                continue
            if dep not in LAYERS:
                problems.append(f"{path.name}:{line} imports unknown module {target}")
            elif LAYERS[dep] > LAYERS[name] and not name.startswith(dep + "."):
                problems.append(f"{name}:{line} imports higher layer {dep}")
            if name in SERVICES and dep.startswith("backends.") and dep != "backends.base":
                problems.append(f"{name}:{line} imports concrete backend {dep}")
    assert not problems, "\n".join(problems)


def test_the_emulator_stands_alone():
    """The emulator is a separate tool: it imports nothing of sheetcrm outside itself, and
    nothing in sheetcrm imports it (tests and the CLI's `emulator serve` are the users)."""
    problems = []
    for path in sorted((PACKAGE / "emulator").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level > 1:
                problems.append(f"{path.name}:{node.lineno} reaches outside the emulator")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [
                    node.module or ""]  # fmt: skip
                if any(n.startswith(("sheetcrm.", "gspread")) and not n.startswith(
                        "sheetcrm.emulator") for n in names):  # fmt: skip
                    problems.append(f"{path.name}:{node.lineno} imports {names}")
    for name, path in _modules():
        if name.startswith("cli"):
            continue
        for target, line in _imports(name, path):
            if "emulator" in target:
                problems.append(f"{name}:{line} imports the emulator")
    assert not problems, "\n".join(problems)


def test_every_module_says_what_it_owns():
    for _, path in _modules():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc and len(doc.splitlines()[0]) > 10, f"{path} needs a one-line docstring"


def test_every_module_uses_postponed_annotations():
    for _, path in _modules():
        text = path.read_text(encoding="utf-8")
        if "def " in text or "class " in text:
            assert "from __future__ import annotations" in text, path
