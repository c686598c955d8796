"""The README's quick start and command reference stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

from sheetcrm.cli import cli

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_quick_start_is_the_two_commands():
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["pip install . && sheetcrm demo", "pip install -e '.[test]' && pytest"]


def test_every_command_is_in_the_reference():
    reference = README.split("## Command reference", 1)[1]
    for name in cli.commands:
        assert f"`sheetcrm {name}" in reference, f"document `sheetcrm {name}` in the README"


def test_ci_runs_the_readme_commands():
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "pip install -q ." in ci and "sheetcrm demo" in ci
    assert "pip install -q -e '.[test]'" in ci and "\npytest" in ci


def test_the_library_example_runs():
    code = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    frame = scope["crm"].frame("Customers")
    assert frame.iloc[0]["phone"] == "+989123456789"
