"""The one writing run: every command and library call that writes takes the lease, writes
exactly one ``_audit`` row (none when there is nothing to change), and a fault part-way
leaves neither a half-written workbook nor a stale lease."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from contract.harness import HARNESSES, Harness
from samples import MESSY, write

from sheetcrm.cli import cli
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.errors import EXIT_LOCKED, LockedError, PlanRefusedError, ValueParseError
from sheetcrm.ingest.importer import import_file, import_from_tab
from sheetcrm.ingest.restore import restore
from sheetcrm.lock import lease, lock_path_for
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet
from sheetcrm.model.meta import Meta
from sheetcrm.model.schema import Field, Schema, TabSchema
from sheetcrm.model.values import ValueContext
from sheetcrm.run import RunResult, WriteRun, write_snapshot
from sheetcrm.workbook.refresh import refresh

AS_OF = dt.date(2026, 11, 21)
FORM = "Form Responses 1"
FORM_HEADER = ["Timestamp", "Full name", "Email address", "How did you hear about us?"]


@contextlib.contextmanager
def workbook(backend: str, tmp_path: Path) -> Iterator[tuple[Harness, CRM]]:
    harness = HARNESSES[backend](tmp_path)
    try:
        yield harness, CRM(backend=harness.backend, config=Config(values=ValueContext(region="IR")))
    finally:
        harness.close()


def audit(crm: CRM) -> list[tuple[str, str]]:
    """(run_id, command) of every ``_audit`` row."""
    grid = crm.read(["_audit"]).get("_audit")
    if grid is None:
        return []
    df = crm.frame("_audit", grid)
    return list(zip(df["run_id"], df["command"], strict=True))


def state(harness: Harness) -> Any:
    """Everything a backend holds, comparable with == (the emulator: its spreadsheet)."""
    return harness.state()


# -- the writing calls -----------------------------------------------------------------


def _init(crm: CRM, tmp_path: Path) -> None:
    crm.init()


def _customers(crm: CRM, tmp_path: Path) -> None:
    crm.init()
    crm.upsert("Customers", [{"customer_id": f"C-{i}", "name": f"N{i}"} for i in range(10)])


def _form(crm: CRM, tmp_path: Path) -> None:
    crm.init()
    tabs = dict(crm.schema.tabs)
    tabs[FORM] = TabSchema(FORM, "F", tuple(Field(h) for h in FORM_HEADER))
    rows = [
        ["2026-11-01 10:00", "Sara", "sara@example.com", "Instagram"],
        ["2026-11-02 11:30", "Reza", "reza@example.com", "A friend"],
    ]
    changes = ChangeSet([AddTab(FORM, tuple(FORM_HEADER))])
    changes.extend(AppendRow(FORM, dict(zip(FORM_HEADER, r, strict=True))) for r in rows)
    crm.backend.apply(changes, Schema(tabs))


def _sales(crm: CRM, tmp_path: Path) -> None:
    _customers(crm, tmp_path)
    crm.upsert(
        "Interactions",
        [
            {"interaction_id": f"I-{i}", "date": day, "type": "purchase", "customer_id": f"C-{i}"}
            | {"amount": 40 * i}
            for i, day in ((1, "2026-10-01"), (2, "2026-11-01"))
        ],
    )


def _snapshot_then_edit(crm: CRM, tmp_path: Path) -> None:
    _customers(crm, tmp_path)
    snap = write_snapshot(crm, crm.read(["Customers"]), ["Customers"])
    (tmp_path / "snapshot-path").write_text(str(snap))
    crm.upsert("Customers", [{"customer_id": "C-3", "name": "renamed"}])


ORDERS = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26,2.55,17850,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26,3.39,17850,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41,27.5,14527,United Kingdom\n"
)


LOCAL_ONLY = ("memory", "xlsx")


@dataclass(frozen=True)
class Call:
    """A command or library call that writes: how to prepare for it and how to make it."""

    name: str
    command: str  # what its _audit row says
    setup: Callable[[CRM, Path], None]
    run: Callable[[CRM, Path], RunResult]
    backends: tuple[str, ...] = ("memory", "xlsx", "gsheets")


CALLS = [
    Call("init", "init", lambda crm, p: None, lambda crm, p: crm.init()),
    Call(
        "upsert",
        "upsert Customers",
        _init,
        lambda crm, p: crm.upsert("Customers", [{"customer_id": "C-9", "name": "Ana"}]),
    ),
    Call(
        "import",
        "import",
        _init,
        lambda crm, p: import_file(crm, write(p, "people.csv", MESSY), tab="Customers"),
    ),
    Call(
        "import --from-tab",
        f"import --from-tab {FORM}",
        _form,
        lambda crm, p: import_from_tab(crm, FORM),
    ),
    Call(
        "transactions import",
        "import",
        _init,
        lambda crm, p: import_file(crm, write(p, "orders.csv", ORDERS), preset="transactions"),
    ),
    Call("refresh", "refresh", _sales, lambda crm, p: refresh(crm, AS_OF)),
    Call(
        "restore",
        "restore",
        _snapshot_then_edit,
        lambda crm, p: restore(crm, (p / "snapshot-path").read_text()),
    ),
    Call("demo", "demo", lambda crm, p: None, lambda crm, p: write_demo(crm, AS_OF), LOCAL_ONLY),
]
CASES = [pytest.param(c, b, id=f"{c.name}-{b}") for c in CALLS for b in c.backends]
LOCAL = [
    pytest.param(c, b, id=f"{c.name}-{b}") for c in CALLS for b in c.backends if b != "gsheets"
]


@pytest.mark.parametrize(("call", "backend"), CASES)
def test_one_audit_row_per_writing_run_and_none_for_a_rerun(call, backend, tmp_path):
    with workbook(backend, tmp_path) as (harness, crm):
        call.setup(crm, tmp_path)
        before = audit(crm)
        result = call.run(crm, tmp_path)
        assert result.changed and result.report is not None and not result.dry_run
        rows = audit(crm)
        assert rows[: len(before)] == before and len(rows) == len(before) + 1
        run_id, command = rows[-1]
        assert command.startswith(call.command) and result.audit_id == run_id
        written = state(harness)
        again = call.run(crm, tmp_path)
        assert not again.changed and again.report is None and again.audit_id is None
        assert audit(crm) == rows and state(harness) == written  # nothing at all was sent


@pytest.mark.parametrize(("call", "backend"), CASES)
def test_a_second_concurrent_run_is_refused(call, backend, tmp_path):
    with workbook(backend, tmp_path) as (harness, crm):
        call.setup(crm, tmp_path)
        before = state(harness)
        with lease(crm.describe(), "another run"), pytest.raises(LockedError) as info:
            call.run(crm, tmp_path)
        assert info.value.exit_code == EXIT_LOCKED and "another run" in str(info.value)
        assert state(harness) == before
        assert call.run(crm, tmp_path).audit_id  # the lease was released: the run goes ahead


class Fault(Exception):
    """Raised by the backend part-way through an apply."""


@pytest.mark.parametrize(("call", "backend"), LOCAL)
def test_a_fault_part_way_leaves_nothing_half_written_and_no_lease(
    call, backend, tmp_path, monkeypatch
):
    with workbook(backend, tmp_path) as (_, crm):
        call.setup(crm, tmp_path)
        before, rows = content(crm), audit(crm)
        counter = _failing_after_first_write(monkeypatch, crm)
        with pytest.raises(Fault):
            call.run(crm, tmp_path)
        assert counter.writes == 2  # one cell was written, then the second write failed
        # the lease taken before the apply was released again: every tab holds what it did
        assert content(crm) == before and audit(crm) == rows
        assert Meta.of(crm.read(["_meta"])).lease() is None
        assert not lock_path_for(crm.describe()).exists()
        monkeypatch.undo()
        assert call.run(crm, tmp_path).audit_id  # no stale lease stops the next run


def content(crm: CRM) -> dict[str, Any]:
    """Every tab's header, values, formulas and layout ("" and a missing cell alike)."""

    def trimmed(row: list[Any]) -> list[Any]:
        row = [None if v == "" else v for v in row]
        while row and row[-1] is None:
            row.pop()
        return row

    grids = crm.backend.read(None, layout=True)
    return {
        name: (g.header, [trimmed(r) for r in g.rows], g.formulas, g.layout)
        for name, g in grids.items()
    }


def _failing_after_first_write(monkeypatch: pytest.MonkeyPatch, crm: CRM) -> Any:
    """Make the second cell write of the run's main apply (the one with its ``_audit`` row)
    raise, on any grid backend (memory and xlsx share them); the small applies that take
    and release the lease go through."""
    from sheetcrm.backends.base import SheetAdapter

    class Counter:
        writes = 0
        armed = False

    counter = Counter()
    for cls in _adapters():
        original = cls.write

        def write(self: SheetAdapter, *args: Any, _original: Any = original) -> None:
            if counter.armed:
                counter.writes += 1
                if counter.writes == 2:
                    raise Fault("disk full")
            _original(self, *args)

        monkeypatch.setattr(cls, "write", write)
    apply = crm.backend.apply

    def main_apply_fails(changes: ChangeSet, schema: Schema) -> Any:
        counter.armed = any(op.tab == "_audit" for op in changes.ops)
        try:
            return apply(changes, schema)
        finally:
            counter.armed = False

    monkeypatch.setattr(crm.backend, "apply", main_apply_fails)
    return counter


def _adapters() -> list[type]:
    from sheetcrm.backends.memory import _MemorySheet
    from sheetcrm.backends.xlsx.sheet import XlsxSheet

    return [_MemorySheet, XlsxSheet]


# -- what the run adds ------------------------------------------------------------------


@pytest.fixture(params=["memory", "xlsx"])
def ten(request, tmp_path):
    """An initialised workbook with ten customers."""
    with workbook(request.param, tmp_path) as (harness, crm):
        _customers(crm, tmp_path)
        yield harness, crm


def test_a_destructive_run_keeps_a_private_snapshot_first(ten, tmp_path):
    _, crm = ten
    result = crm.upsert("Customers", [{"customer_id": "C-4", "name": "N4", "company": None}])
    assert not result.changed  # blanking a blank field is no change
    crm.upsert("Customers", [{"customer_id": "C-4", "company": "Acme"}])
    result = crm.upsert("Customers", [{"customer_id": "C-4", "company": ""}])  # 1 of 10 rows
    assert result.snapshot is not None and result.snapshot.exists()
    assert stat.S_IMODE(result.snapshot.stat().st_mode) == 0o600
    assert stat.S_IMODE(result.snapshot.parent.stat().st_mode) == 0o700
    summary = json.loads(crm.frame("_audit").iloc[-1]["summary"])
    assert summary["snapshot"] == str(result.snapshot)
    restored = restore(crm, result.snapshot)
    assert (
        restored.changed
        and crm.frame("Customers").set_index("customer_id").loc["C-4", "company"] == "Acme"
    )


def test_the_guard_refuses_a_run_that_blanks_too_much(ten):
    harness, crm = ten
    crm.upsert("Customers", [{"customer_id": f"C-{i}", "company": "Acme"} for i in range(10)])
    before, rows = state(harness), audit(crm)
    many = [{"customer_id": f"C-{i}", "company": ""} for i in range(5)]
    with pytest.raises(PlanRefusedError, match="blank 5 of 10 rows"):
        crm.upsert("Customers", many)
    assert state(harness) == before and audit(crm) == rows
    assert not lock_path_for(crm.describe()).exists()


def test_a_bad_input_record_writes_nothing(ten):
    harness, crm = ten
    before = state(harness)
    good = {"customer_id": "C-20", "name": "New"}
    with pytest.raises(ValueParseError, match="email"):
        crm.upsert("Customers", [good, {"customer_id": "C-21", "name": "X", "email": "x@"}])
    assert state(harness) == before
    assert not lock_path_for(crm.describe()).exists()


def test_an_edit_made_during_the_run_is_kept_and_recorded_as_a_conflict(ten, monkeypatch):
    harness, crm = ten
    original = crm.backend.apply
    col = harness.header("Customers").index("city") + 1

    def teammate_types_first(changes, schema):
        harness.set_cell("Customers", 3, col, "Shiraz")  # C-1's row, after our read
        monkeypatch.setattr(crm.backend, "apply", original)
        return original(changes, schema)

    monkeypatch.setattr(crm.backend, "apply", teammate_types_first)
    result = crm.upsert("Customers", [{"customer_id": "C-1", "city": "Tabriz"}])
    assert [(c.record_id, c.field, c.sheet_value) for c in result.conflicts] == [
        ("C-1", "city", "Shiraz")
    ]
    assert crm.frame("Customers").set_index("customer_id").loc["C-1", "city"] == "Shiraz"
    conflicts = crm.frame("_conflicts")
    assert list(conflicts["record_id"]) == ["C-1"]
    assert list(conflicts["resolution"]) == ["sheet value kept (edited during the run)"]
    assert len(audit(crm)) == 3  # init, the ten customers, this run: still one row each


def test_a_dry_run_takes_no_lease_and_writes_nothing(ten):
    harness, crm = ten
    before = state(harness)
    with lease(crm.describe(), "a cron job"):
        result = crm.upsert("Customers", [{"customer_id": "C-30", "name": "New"}], dry_run=True)
    assert result.dry_run and result.changed and result.report is None
    assert result.audit_id is None and state(harness) == before


def test_a_run_reads_before_it_applies_and_applies_once(ten):
    _, crm = ten
    with WriteRun(crm, "test", dry_run=True) as run, pytest.raises(RuntimeError):
        run.apply(ChangeSet())
    with WriteRun(crm, "test", dry_run=True) as run:
        run.read(["Customers"])
        run.apply(ChangeSet())
        with pytest.raises(RuntimeError):
            run.apply(ChangeSet())


def test_a_run_on_a_workbook_without_journal_tabs_creates_them(tmp_path):
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.model.grid import TabGrid

    columns = Config().schema()["Customers"].columns
    crm = CRM(backend=MemoryBackend([TabGrid("Customers", list(columns))]))
    result = crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
    assert [cmd for _, cmd in audit(crm)] == ["upsert Customers"] and result.audit_id
    assert crm.frame("_meta").set_index("key").loc["writer", "value"].startswith("upsert")


def test_the_cli_exits_5_when_the_workbook_is_locked(tmp_path):
    path = tmp_path / "crm.xlsx"
    with lease(str(path), "refresh (cron)"):
        result = CliRunner().invoke(cli, ["init", "--xlsx", str(path)])
    assert result.exit_code == EXIT_LOCKED and "locked" in result.output
    assert not path.exists()


def test_init_on_an_existing_workbook_says_what_it_repaired(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    runner = CliRunner()
    assert "10 tabs added" in runner.invoke(cli, ["init"]).output
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    wb.remove(wb["_sync"])
    leads = wb["Leads"]
    leads.freeze_panes = None
    score = next(c.column for c in leads[1] if c.value == "score")
    leads.cell(row=1, column=score).value = None
    wb.save(tmp_path / "crm.xlsx")
    out = runner.invoke(cli, ["init"]).output
    assert out.startswith("Repaired ") and "added tab _sync" in out
    assert "added column score to Leads" in out and "froze the header row of Leads" in out
    assert "nothing to change" in runner.invoke(cli, ["init"]).output


def test_the_run_report_gets_its_plurals_right(tmp_path, monkeypatch):
    from sheetcrm.cli.output import change_counts

    one = RunResult("x", ChangeSet([AppendRow("Customers", {"customer_id": "C-1"})]))
    two = RunResult(
        "x", ChangeSet([AppendRow("Customers", {"customer_id": f"C-{i}"}) for i in (1, 2)])
    )
    assert change_counts(one) == "1 row appended" and change_counts(two) == "2 rows appended"
    assert one.counts.line() == "0 rows: nothing"
    one.counts.rows, one.counts.created = 1, 1
    assert one.counts.line() == "1 row: 1 created"
