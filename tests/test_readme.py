"""The README's quick start and command reference stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from sheetcrm.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_the_two_commands():
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == [
        "pip install . && sheetcrm demo",
        "pip install -e '.[test]' && pytest -n auto",
    ]


def test_every_command_is_in_the_reference():
    reference = README.split("## Command reference", 1)[1]
    for name in cli.commands:
        assert f"`sheetcrm {name}" in reference, f"document `sheetcrm {name}` in the README"


def test_ci_runs_the_readme_commands():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "pip install -q ." in ci and "sheetcrm demo" in ci
    assert "pip install -q -e '.[test]'" in ci and "\npytest -n auto" in ci


def test_ci_runs_the_development_checks():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    block = re.search(r"## Development.*?```sh\n(.*?)```", README, re.S).group(1)
    checks = [c.strip() for line in block.splitlines() for c in line.split("#")[0].split("&&")]
    for check in ["ruff check .", "ruff format --check .", "mypy --strict sheetcrm"]:
        assert check in checks, f"the README's Development section should name {check}"
        assert f"check {check}\n" in ci, f".ci/run should run {check}"
    assert "cog -r README.md" in checks and "check cog --check" in ci


def test_the_library_example_needs_one_import_and_runs(tmp_path, monkeypatch):
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    imports = [line for line in code.splitlines() if line.startswith(("import ", "from "))]
    assert imports == ["import sheetcrm"]
    monkeypatch.chdir(tmp_path)  # the example opens ./crm.xlsx
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    frame = scope["crm"].frame("Customers")
    assert frame.iloc[0]["phone"] == "+989123456789"
    assert (tmp_path / "crm.xlsx").exists()


def _layout() -> tuple[set[str], set[str]]:
    """The files and folders the Development section's layout picture names, relative to
    ``sheetcrm/``: ``model/values.py``, ``backends/gsheets/`` …"""
    section = README.split("## Development", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```text\nsheetcrm/\n(.*?)```", section, re.S).group(1)
    files: set[str] = set()
    folders: set[str] = set()
    where: list[tuple[int, str]] = []  # (indent, folder) of the lines above
    for line in block.splitlines():
        words = line.split("#")[0].split()
        if not words:
            continue
        indent = len(line) - len(line.lstrip())
        if where and indent > where[-1][0] and not words[0].endswith(("/", ".py")):
            folder = where[-1][1]  # a continuation line of the folder above
        else:
            while where and where[-1][0] >= indent:
                where.pop()
            folder = where[-1][1] if where else ""
            if words[0].endswith("/"):
                folder += words.pop(0)
                folders.add(folder)
                where.append((indent, folder))
        for word in words:
            if word.endswith("/"):
                folders.add(folder + word)
            else:
                files.add(folder + (word if word.endswith(".py") else f"{word}.py"))
    return files, folders


def test_the_layout_picture_is_the_tree():
    root = Path(__file__).resolve().parents[1] / "sheetcrm"
    files, folders = _layout()
    real_files = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*.py")
        if p.name != "__init__.py" or p.parent == root
    }
    real_folders = {
        p.relative_to(root).as_posix() + "/"
        for p in root.rglob("*")
        if p.is_dir()
        and p.name != "__pycache__"
        # below templates/ the folders are gettext's (locale/<lang>/LC_MESSAGES/)
        and not p.relative_to(root).as_posix().startswith("templates/")
    }
    assert sorted(files - real_files) == [], "the README names modules that do not exist"
    assert sorted(real_files - files) == [], "add these modules to the README's layout"
    assert folders == real_folders


def test_the_layout_check_reads_continuation_lines():
    files, folders = _layout()
    assert {"emulator/a1.py", "emulator/valueops.py", "backends/gsheets/retry.py"} <= files
    assert {"backends/gsheets/", "templates/"} <= folders


def test_every_path_the_readme_names_exists():
    root = Path(__file__).resolve().parents[1]
    named = set(re.findall(r"`([\w.-]+/[\w/.-]*(?:\.py|\.sh|/))`", README))
    assert "sheetcrm/model/tabs.py" in named, "the pattern is broken"
    gone = [p for p in named if not ((root / p).exists() or (root / "sheetcrm" / p).exists())]
    assert sorted(gone) == []
