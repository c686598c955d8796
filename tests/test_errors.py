"""The error tree drawn in ``sheetcrm/errors.py``'s docstring is the real one: every error
class is in the drawing, under its real parent, with its real exit code."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from sheetcrm import errors

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")

#: One line of the drawing: the tree glyphs, a class name, its exit code, a note.
LINE = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>[A-Z]\w+)\s+exit (?P<code>\d+)\s+\S")


def drawing(doc: str) -> dict[str, tuple[str | None, int]]:
    """Class name -> (parent name, exit code), as drawn in ``doc``."""
    drawn: dict[str, tuple[str | None, int]] = {}
    parents: list[str] = []  # parents[d] is the latest class drawn at depth d
    for line in doc.splitlines():
        match = LINE.match(line.removeprefix("    "))  # the drawing is an indented block
        if not match:
            continue
        lead = match["lead"]
        assert len(lead) % 4 == 0, f"misaligned tree line: {line!r}"
        depth = len(lead) // 4
        assert depth <= len(parents), f"a line skips a level: {line!r}"
        del parents[depth:]
        parent = parents[-1] if parents else None
        assert match["name"] not in drawn, f"{match['name']} is drawn twice"
        drawn[match["name"]] = (parent, int(match["code"]))
        parents.append(match["name"])
    return drawn


def classes() -> dict[str, tuple[str | None, int]]:
    """Class name -> (parent name, exit code), as defined in ``sheetcrm.errors``."""
    found = {}
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if cls.__module__ != errors.__name__:
            continue
        base = cls.__bases__[0]
        parent = base.__name__ if base.__module__ == errors.__name__ else None
        found[name] = (parent, cls.exit_code)
    return found


def test_every_error_class_is_drawn_under_its_parent_with_its_exit_code():
    assert drawing(errors.__doc__ or "") == classes()


def test_every_error_is_a_sheetcrm_error_with_one_base():
    for name, cls in inspect.getmembers(errors, inspect.isclass):
        if cls.__module__ == errors.__name__:
            assert issubclass(cls, errors.SheetCRMError), name
            assert len(cls.__bases__) == 1, f"{name}: keep the tree a tree"


PLANTS = [
    # a class left out of the drawing
    ("    │       └── NotSharedError         exit 7  the spreadsheet is not shared with us\n", ""),
    # a wrong exit code
    ("exit 5  another run", "exit 3  another run"),
    # a class drawn under the wrong parent
    ("    │   └── HeaderError", "    ├── HeaderError"),
]


@pytest.mark.parametrize(("old", "new"), PLANTS)
def test_the_comparison_catches_a_wrong_drawing(old, new):
    doc = errors.__doc__ or ""
    assert old in doc, "the plant no longer matches the drawing"
    assert drawing(doc.replace(old, new)) != classes()


def test_the_readme_documents_every_exit_code():
    table = README.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)}
    defined = {v for k, v in vars(errors).items() if k.startswith("EXIT_")}
    assert documented == defined
