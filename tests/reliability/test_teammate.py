"""A teammate at work during an import: an edit, a formula, a sort, a row inserted and
a row deleted, injected before each request of the run (Google Sheets) or before each
load and each save of the workbook (xlsx).

Whenever it lands: nothing of theirs is overwritten, every ID is there once, no other
customer's row changes, and an edit that collides with the import (the cell the import
was about to write) is reported in _conflicts with exit 4.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .harness import (
    Book,
    Child,
    SheetsWorld,
    World,
    XlsxWorld,
    row_of,
    spread,
    wait_for,
    with_cell,
)

KINDS = ["edit", "formula", "sort", "insert", "delete"]
EDITED, UNTOUCHED = "c01@example.com", "c07@example.com"  # the import moves c01, not c07
FORMULA_AT, FORMULA_ELSEWHERE = "c02@example.com", "c08@example.com"
DELETED = "c08@example.com"
MATE = ["Mate Added", "mate@example.com"]
CITY_FORMULA, NOTE_FORMULA = '=UPPER("bath")', '=LEN("x")'


class Hands:
    """A teammate's edits on either backend, by customer e-mail (rows are 1-based with the
    header as row 1); each returns the value the cell held before (to tell a collision)."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _rows(self) -> list[list[Any]]:
        if isinstance(self.world, SheetsWorld):
            return [list(r) for r in self.world.mate().sheet("Customers").rows]
        import openpyxl

        ws = openpyxl.load_workbook(self.world.path)["Customers"]  # type: ignore[attr-defined]
        return [list(r) for r in ws.iter_rows(values_only=True)]

    def find(self, email: str) -> tuple[int, list[Any]]:
        rows = self._rows()
        at = rows[0].index("email")
        for i, r in enumerate(rows[1:], start=2):
            if at < len(r) and r[at] == email:
                return i, rows[0]
        raise AssertionError(f"{email} not in Customers")

    def act(self, fn: Callable[[Any], None]) -> None:
        if isinstance(self.world, SheetsWorld):
            with self.world.emu._lock:
                fn(self.world.mate())
            return
        import openpyxl

        path = self.world.path  # type: ignore[attr-defined]
        wb = openpyxl.load_workbook(path)
        fn(wb["Customers"])
        wb.save(path)

    def set(self, email: str, column: str, value: Any) -> Any:
        row, header = self.find(email)
        col = header.index(column) + 1
        before: list[Any] = []

        def edit(on: Any) -> None:
            if isinstance(self.world, SheetsWorld):
                before.append(on.get("Customers", row, col))
                on.set("Customers", row, col, value)
            else:
                before.append(on.cell(row=row, column=col).value)
                on.cell(row=row, column=col).value = value

        self.act(edit)
        return before[0]

    def sort(self) -> None:
        _, header = self.find(EDITED)
        col = header.index("name") + 1

        def do(on: Any) -> None:
            if isinstance(self.world, SheetsWorld):
                on.sort("Customers", col, descending=True)
                return
            rows = [[c.value for c in r] for r in on.iter_rows(min_row=2)]
            rows.sort(key=lambda r: str(r[col - 1] or ""), reverse=True)
            for i, values in enumerate(rows, start=2):
                for j, v in enumerate(values, start=1):
                    on.cell(row=i, column=j).value = v

        self.act(do)

    def insert(self) -> None:
        _, header = self.find(EDITED)

        def do(on: Any) -> None:
            if isinstance(self.world, SheetsWorld):
                on.insert_rows("Customers", 3)
                on.set("Customers", 3, header.index("name") + 1, MATE[0])
                on.set("Customers", 3, header.index("email") + 1, MATE[1])
                return
            on.insert_rows(3)
            on.cell(row=3, column=header.index("name") + 1).value = MATE[0]
            on.cell(row=3, column=header.index("email") + 1).value = MATE[1]

        self.act(do)

    def delete(self) -> None:
        row, _ = self.find(DELETED)
        self.act(
            lambda on: (
                on.delete_rows("Customers", row)
                if isinstance(self.world, SheetsWorld)
                else on.delete_rows(row)
            )
        )


def play(kind: str, hands: Hands) -> dict[str, Any]:
    """The teammate's move; what the collided cells held before it (for the verdict)."""
    if kind == "edit":
        return {EDITED: hands.set(EDITED, "city", "Cardiff"), UNTOUCHED: None} | {
            "_": hands.set(UNTOUCHED, "notes", "called back")
        }
    if kind == "formula":
        return {FORMULA_AT: hands.set(FORMULA_AT, "city", CITY_FORMULA)} | {
            "_": hands.set(FORMULA_ELSEWHERE, "notes", NOTE_FORMULA)
        }
    getattr(hands, kind)()
    return {}


def verdict(kind: str, book: Book, post: Book, before: dict[str, Any], code: int) -> list[str]:
    """What is wrong with ``book`` after the run, given what the teammate did."""
    found: list[str] = []
    want = list(post.tabs["Customers"])
    have = list(book.tabs.get("Customers", []))
    if kind == "edit":
        with_cell(want, EDITED, "city", "Cardiff")
        with_cell(want, UNTOUCHED, "notes", "called back")
    elif kind == "formula":
        with_cell(want, FORMULA_AT, "city", CITY_FORMULA)
        with_cell(want, FORMULA_ELSEWHERE, "notes", NOTE_FORMULA)
    elif kind == "delete":
        want.pop(row_of(want, DELETED))
    elif kind == "insert":
        mine = [r for r in have[1:] if MATE[1] in r]
        if len(mine) != 1:
            found.append(f"the teammate's new row is there {len(mine)} times")
        have = [r for r in have if MATE[1] not in r]
    if have[:1] != want[:1] or sorted(have[1:], key=repr) != sorted(want[1:], key=repr):
        lacking = [r for r in want[1:] if r not in have[1:]]
        extra = [r for r in have[1:] if r not in want[1:]]
        found.append(f"Customers differ: lacking {lacking[:2]}, unexpected {extra[:2]}")
    if book.duplicate_ids():
        found.append(f"IDs more than once: {book.duplicate_ids()}")
    collided = kind in ("edit", "formula") and before.get(EDITED if kind == "edit" else FORMULA_AT)
    # the cell still held the old city: the import had yet to write it, so it collides
    if collided and collided not in ("Leeds",):
        email = EDITED if kind == "edit" else FORMULA_AT
        rows = [r for r in book.tabs.get("_conflicts", [])[1:] if any(email in str(v) for v in r)]
        if not rows:
            found.append(f"the collision on {email}'s city is not in _conflicts (exit {code})")
        elif code != 4:
            found.append(f"a conflict was recorded but the run exited {code}, not 4")
    elif code not in (0, 4):
        found.append(f"exit {code}")
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_a_teammate_at_each_request_of_an_import_gsheets(kind, tmp_path, baselines):
    base = baselines("gsheets", "import")
    args = baselines.args("import")

    def case(sheets: Any, n: int) -> str | None:
        where = f"{kind} before request {n} ({base.steps[n - 1].method_id})"
        sheets.restore(base.pre)
        hands, before = Hands(sheets), {}

        def gate(call: Any) -> None:
            if call.client == "a" and call.index == n:
                before.update(play(kind, hands))

        sheets.emu.gates.append(gate)
        ran = Child(sheets, *args).finish()
        sheets.emu.reset_hooks()
        if "Traceback" in ran.stderr:
            return f"{where}: {ran}"
        found = verdict(kind, sheets.book(), base.post, before, ran.returncode)
        return f"{where}: " + "; ".join(found) if found else None

    # The one documented residual race: a cell typed between the run's re-read and its
    # values write (one round trip) is overwritten. Sorts, inserts and deletes there are
    # not: the write is anchored to the rows' ID tags.
    inside = {
        n
        for n, call in enumerate(base.steps, start=1)
        if call.method_id.endswith("values.batchUpdateByDataFilter")
    }
    points = [
        n
        for n in range(1, len(base.steps) + 1)
        if not (kind in ("edit", "formula") and n in inside)
    ]
    failures = spread("gsheets", tmp_path, points, case)
    assert not failures, f"{len(failures)} of {len(points)} requests:\n" + "\n".join(failures)


@pytest.mark.parametrize("kind", KINDS)
def test_a_teammate_before_each_load_and_save_of_an_import_xlsx(kind, tmp_path, baselines):
    base = baselines("xlsx", "import")
    args = baselines.args("import")
    points = [n for n, step in enumerate(base.steps, start=1) if step in ("load", "tmp")]
    assert points, base.steps

    def case(xlsx: Any, n: int) -> str | None:
        assert isinstance(xlsx, XlsxWorld)
        where = f"{kind} before {base.steps[n - 1]} (boundary {n})"
        xlsx.restore(base.pre)
        gates = xlsx.root / "gates"
        gates.mkdir()
        spec = {"workbook": str(xlsx.path), "gates": [n], "gate_dir": str(gates)}
        child = Child(xlsx, *args, spec=spec)
        before: dict[str, Any] = {}
        if wait_for(lambda: (gates / f"waiting-{n}").exists(), child):
            before = play(kind, Hands(xlsx))
            (gates / f"go-{n}").write_text("go")
        ran = child.finish()
        if "Traceback" in ran.stderr:
            return f"{where}: {ran}"
        found = verdict(kind, xlsx.book(), base.post, before, ran.returncode)
        return f"{where}: " + "; ".join(found) if found else None

    failures = spread("xlsx", tmp_path, points, case)
    assert not failures, f"{len(failures)} of {len(points)} boundaries:\n" + "\n".join(failures)
