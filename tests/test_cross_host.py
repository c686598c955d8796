"""Two machines on one workbook: the lease in ``_meta`` lets one write at a time (the other
exits 5 saying who holds it), a dead or expired lease is taken over, a run with nothing to
change sends nothing at all, and when two hosts' writes do meet, every record is there once.

"Another host" is a second backend on the same workbook whose runs carry another host
name and a local lock of their own (another folder), as a second machine's do; for an
.xlsx that is a synced folder whose lock file has not reached the other machine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from contract.harness import HARNESSES, Harness
from support import one_line, run_sheetcrm

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import EXIT_LOCKED, LockedError
from sheetcrm.ingest.importer import ImportSpec, import_file
from sheetcrm.ingest.intake import plan_records
from sheetcrm.ingest.readers import read_csv_text
from sheetcrm.model.changes import ChangeSet, SetCell
from sheetcrm.model.meta import TAB, Lease, Meta
from sheetcrm.model.values import ValueContext
from sheetcrm.run import WriteRun

BACKENDS = ["memory", "xlsx", "gsheets"]
NOW = dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def workbook(backend: str, tmp_path: Path) -> Iterator[tuple[Harness, CRM]]:
    harness = HARNESSES[backend](tmp_path)
    try:
        crm = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IR")))
        crm.init()
        yield harness, crm
    finally:
        harness.close()


def other_host(harness: Harness, crm: CRM) -> CRM:
    """The same workbook as a second machine sees it: a backend of its own."""
    return CRM(backend=harness.fresh(), config=crm.config)


@contextlib.contextmanager
def on_other_host(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Runs started inside are another machine's: its host name, its own local lock."""
    import sheetcrm.lock

    folder = tmp_path / "laptop-2-locks"
    folder.mkdir(exist_ok=True)
    with monkeypatch.context() as m:
        m.setattr(socket, "gethostname", lambda: "laptop-2")
        m.setattr(sheetcrm.lock, "lock_path_for", lambda target: folder / "workbook.lock")
        yield


def lease_of(crm: CRM) -> Lease | None:
    return Meta.of(crm.read([TAB])).lease()


def put_lease(crm: CRM, text: str) -> None:
    """Write ``_meta``'s lease row (``init`` made it) as another run would have left it."""
    crm.backend.apply(ChangeSet([SetCell(TAB, "lease", "value", text)]), crm.schema)


def customers(crm: CRM) -> list[str]:
    return sorted(str(e) for e in crm.frame("Customers")["email"])


def people(n: int, start: int = 0) -> str:
    rows = [f"Person {i},p{i}@example.com,Tabriz" for i in range(start, start + n)]
    return "name,email,city\n" + "\n".join(rows) + "\n"


# -- the lease's life ------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_run_takes_the_lease_before_it_writes_and_releases_it(backend, tmp_path, monkeypatch):
    with workbook(backend, tmp_path) as (_, crm):
        assert lease_of(crm) is None  # init made a blank lease row and gave it back
        seen: list[Lease | None] = []
        apply = crm.backend.apply

        def main_apply_sees_our_lease(changes: ChangeSet, schema: Any) -> Any:
            if any(op.tab == "_audit" for op in changes.ops):
                seen.append(lease_of(crm))
            return apply(changes, schema)

        monkeypatch.setattr(crm.backend, "apply", main_apply_sees_our_lease)
        crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
        (held,) = seen
        assert held is not None and held.command == "upsert Customers"
        assert (held.host, held.pid) == (socket.gethostname(), os.getpid())
        assert dt.timedelta(minutes=14) < held.until - held.since <= dt.timedelta(minutes=15)
        assert lease_of(crm) is None
        rows = crm.frame("_meta").set_index("key")
        assert rows.loc["lease", "value"] in (None, "")  # released: blank, the row kept
        assert rows.loc["writer", "value"].startswith("upsert Customers · ")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_live_lease_of_another_host_stops_the_run_before_anything_is_written(backend, tmp_path):
    with workbook(backend, tmp_path) as (harness, crm):
        theirs = Lease.new("import leads.csv", "laptop-2", 4242, NOW)
        put_lease(crm, theirs.text())
        before = harness.state()
        with pytest.raises(LockedError) as info:
            crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
        assert info.value.exit_code == EXIT_LOCKED
        assert str(info.value) == f"locked: {theirs.describe()}; nothing was written"
        assert "another run on laptop-2 since" in str(info.value)
        assert harness.state() == before and lease_of(crm) == theirs


def dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "left",
    [
        lambda: Lease.new("import", "laptop-2", 4242, NOW - dt.timedelta(hours=1)),  # expired
        lambda: Lease.new("import", socket.gethostname(), dead_pid(), NOW),  # its process died
        lambda: Lease.new("import", socket.gethostname(), os.getpid(), NOW),  # this process's
    ],
    ids=["expired", "dead-pid", "this-process"],
)
def test_a_dead_lease_is_taken_over(backend, left, tmp_path):
    with workbook(backend, tmp_path) as (_, crm):
        put_lease(crm, left().text())
        result = crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
        assert result.audit_id and list(crm.frame("Customers")["customer_id"]) == ["C-1"]
        assert lease_of(crm) is None


def test_a_lease_from_another_host_is_live_whatever_its_pid(tmp_path):
    with workbook("memory", tmp_path) as (_, crm):
        put_lease(crm, Lease.new("import", "laptop-2", dead_pid(), NOW).text())
        with pytest.raises(LockedError, match="another run on laptop-2"):
            crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])


def test_the_cli_exits_5_naming_the_host_that_holds_the_lease(tmp_path):
    path = tmp_path / "crm.xlsx"
    assert run_sheetcrm("init", "--xlsx", str(path), cwd=tmp_path).returncode == 0
    theirs = Lease.new("refresh (cron)", "office-pc", 77, NOW)
    wb = openpyxl.load_workbook(path)
    ws = wb[TAB]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "lease")
    ws.cell(row, 2).value = theirs.text()
    wb.save(path)
    before = path.read_bytes()
    (tmp_path / "p.csv").write_text(people(2))
    done = run_sheetcrm("import", "p.csv", "--tab", "Customers", "--xlsx", str(path), cwd=tmp_path)
    line = one_line(done, EXIT_LOCKED)
    assert f"another run on office-pc since {theirs.describe().split(' since ')[1]}" in line
    assert "(refresh (cron)); it expires at " in line and path.read_bytes() == before


# -- nothing to change, nothing sent ---------------------------------------------------


def test_a_run_with_nothing_to_change_sends_no_write_at_all(tmp_path):
    with workbook("gsheets", tmp_path) as (harness, crm):
        crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
        stats = harness.emulator.stats
        writes = stats.writes
        result = crm.upsert("Customers", [{"customer_id": "C-1", "name": "Ana"}])
        assert not result.changed and result.report is None
        assert stats.writes == writes  # no lease taken, nothing released: zero writes


# -- two hosts interleaved ---------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_that_takes_the_lease_between_our_read_and_apply_stops_us(
    backend, tmp_path, monkeypatch
):
    with workbook(backend, tmp_path) as (harness, crm):
        other = other_host(harness, crm)
        mine = WriteRun(crm, "upsert Customers")
        with mine:
            grids = mine.read(["Customers"])
            plan = crm.plan_upsert(
                "Customers", [{"customer_id": "C-A", "name": "Ours"}], grids["Customers"]
            )
            stopped: list[LockedError] = []
            apply = other.backend.apply

            def theirs_holds_the_lease(changes: ChangeSet, schema: Any) -> Any:
                """Their main apply: they hold the lease now; our run applies here."""
                if any(op.tab == "_audit" for op in changes.ops):
                    with pytest.raises(LockedError) as info:
                        mine.apply(plan)
                    stopped.append(info.value)
                return apply(changes, schema)

            monkeypatch.setattr(other.backend, "apply", theirs_holds_the_lease)
            with on_other_host(monkeypatch, tmp_path):
                other.upsert("Customers", [{"customer_id": "C-B", "name": "Theirs"}])
        (error,) = stopped
        assert error.exit_code == EXIT_LOCKED
        assert "another run on laptop-2 since" in str(error) and "(upsert Customers)" in str(error)
        ids = set(crm.frame("Customers")["customer_id"])
        assert ids == {"C-B"} and lease_of(crm) is None  # theirs all there; ours sent nothing
        assert crm.upsert("Customers", [{"customer_id": "C-A", "name": "Ours"}]).audit_id
        assert set(crm.frame("Customers")["customer_id"]) == {"C-A", "C-B"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_that_took_over_our_expired_lease_stops_our_main_apply(
    backend, tmp_path, monkeypatch
):
    with workbook(backend, tmp_path) as (harness, crm):
        other = other_host(harness, crm)
        apply = crm.backend.apply
        raced: list[bool] = []

        def they_take_over_first(changes: ChangeSet, schema: Any) -> Any:
            if any(op.tab == "_audit" for op in changes.ops) and not raced:
                raced.append(True)  # our lease (0 s) has expired: they take it and write
                with on_other_host(monkeypatch, tmp_path):
                    other.upsert("Customers", [{"customer_id": "C-B", "name": "Theirs"}])
            return apply(changes, schema)

        monkeypatch.setattr(crm.backend, "apply", they_take_over_first)
        run = WriteRun(crm, "upsert Customers")
        run.lease.seconds = 0
        with run, pytest.raises(LockedError) as info:
            grids = run.read(["Customers"])
            run.apply(
                crm.plan_upsert(
                    "Customers", [{"customer_id": "C-A", "name": "Ours"}], grids["Customers"]
                )
            )
        assert info.value.exit_code == EXIT_LOCKED and "nothing was written" in str(info.value)
        assert set(crm.frame("Customers")["customer_id"]) == {"C-B"}
        assert lease_of(crm) is None  # theirs released; ours was not theirs to blank


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_run_overtaken_while_it_planned_stops_and_the_rerun_loses_nothing(
    backend, tmp_path, monkeypatch
):
    """Host B's whole import fits between host A's read and A's lease: A stops (its read is
    stale), nothing of B's is touched, and A's rerun puts every person in once."""
    with workbook(backend, tmp_path) as (harness, crm):
        other = other_host(harness, crm)
        a_file = tmp_path / "monday.csv"
        a_file.write_text(people(4))  # p0..p3
        b_file = tmp_path / "export.csv"
        b_file.write_text(people(4, start=2))  # p2..p5: overlapping
        apply = crm.backend.apply
        raced: list[bool] = []

        def b_runs_first(changes: ChangeSet, schema: Any) -> Any:
            if not raced:
                raced.append(True)
                with on_other_host(monkeypatch, tmp_path):
                    import_file(other, str(b_file), ImportSpec(tab="Customers"))
            return apply(changes, schema)

        monkeypatch.setattr(crm.backend, "apply", b_runs_first)
        with pytest.raises(LockedError, match="wrote to the workbook after this run read it"):
            import_file(crm, str(a_file), ImportSpec(tab="Customers"))
        assert customers(crm) == [f"p{i}@example.com" for i in range(2, 6)]
        again = import_file(crm, str(a_file), ImportSpec(tab="Customers"))
        assert again.counts.created == 2 and again.counts.unchanged == 2
        assert customers(crm) == [f"p{i}@example.com" for i in range(6)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_hosts_whose_writes_meet_create_each_person_once(backend, tmp_path):
    """Below the lease (both passed their checks in one round trip on a check-then-write
    backend): both imports were planned from the same read and both are sent. New people
    get IDs derived from their e-mail, so the backend appends each one once."""
    with workbook(backend, tmp_path) as (harness, crm):
        other = other_host(harness, crm)
        plans = []
        for who, text in ((crm, people(4)), (other, people(4, start=2))):
            with WriteRun(who, "import", dry_run=True) as run:
                table = read_csv_text(text, "people.csv")
                plans.append(
                    plan_records(who, run, table, who.schema["Customers"], None, {}, "sheet")
                )
        for who, plan in zip((crm, other), plans, strict=True):
            who.backend.apply(plan.changes, who.schema)
        assert customers(crm) == [f"p{i}@example.com" for i in range(6)]
        ids = list(crm.frame("Customers")["customer_id"])
        assert len(set(ids)) == 6 and all(len(i) == 18 and i.startswith("C-") for i in ids)
        synced = list(crm.frame("_sync")["key"])
        assert len(synced) == len(set(synced)) == 6


def test_derived_ids_are_the_same_on_every_machine_and_keep_the_format(tmp_path):
    from sheetcrm.model.ids import _CROCKFORD

    made = []
    for n in range(2):
        with workbook("memory", tmp_path / str(n)) as (_, crm):
            text = (
                "name,email,phone,city\nAna,ANA@Example.com,,Tabriz\nBen,,09121234567,\n"
                "Cy,,,Rasht\nCy,,,Rasht\n"
            )
            (tmp_path / f"f{n}.csv").write_text(text)
            import_file(crm, str(tmp_path / f"f{n}.csv"), ImportSpec(tab="Customers"))
            made.append(list(crm.frame("Customers")["customer_id"]))
    assert made[0] == made[1] and len(set(made[0])) == 4  # two identical key-less rows: two
    assert all(i[:2] == "C-" and len(i) == 18 and set(i[2:]) <= set(_CROCKFORD) for i in made[0])
    # an upsert of a person with an e-mail and no ID makes the import's ID: one record
    with workbook("memory", tmp_path / "u") as (_, crm):
        crm.upsert("Customers", [{"name": "Ana", "email": "ana@example.com"}])
        crm.upsert("Customers", [{"name": "Ana B.", "email": "ana@example.com"}])
        assert list(crm.frame("Customers")["customer_id"]) == [made[0][0]]
        assert list(crm.frame("Customers")["name"]) == ["Ana B."]


# -- the loser of a true conflict, end to end ------------------------------------------

TEAMMATE_BETWEEN_READ_AND_SAVE = """
import subprocess, sys
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.cli import cli

apply = XlsxBackend.apply
EDIT = (
    "import openpyxl, sys; wb = openpyxl.load_workbook(sys.argv[1]); ws = wb['Customers'];"
    "col = [c.value for c in ws[1]].index('city') + 1;"
    "row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 3).value == 'ana@example.com');"
    "ws.cell(row, col).value = 'Rasht'; wb.save(sys.argv[1])"
)

def teammate_first(self, changes, schema):
    if any(op.tab == "_audit" for op in changes.ops):  # the run's main apply
        subprocess.run([sys.executable, "-c", EDIT, str(self.path)], check=True)
    return apply(self, changes, schema)

XlsxBackend.apply = teammate_first
cli(sys.argv[1:])
"""


def test_an_edit_saved_by_another_process_during_an_import_is_kept_recorded_and_exits_4(
    tmp_path,
):
    """A fresh ``sheetcrm import`` process; a teammate's process saves the workbook between
    the import's read and its save. The import loses: the teammate's value stays, the
    conflict is in ``_conflicts``, and the exit code is 4."""
    path = tmp_path / "crm.xlsx"
    assert run_sheetcrm("init", "--xlsx", str(path), cwd=tmp_path).returncode == 0
    (tmp_path / "v1.csv").write_text("name,email,city\nAna,ana@example.com,Tabriz\n")
    (tmp_path / "v2.csv").write_text("name,email,city\nAna,ana@example.com,Shiraz\n")
    first = run_sheetcrm(
        "import", "v1.csv", "--tab", "Customers", "--xlsx", str(path), cwd=tmp_path
    )
    assert first.returncode == 0, first.stderr
    header = [c.value for c in openpyxl.load_workbook(path)["Customers"][1]]
    assert header.index("email") == 2  # the script finds Ana by her e-mail in column C
    (tmp_path / "run.py").write_text(TEAMMATE_BETWEEN_READ_AND_SAVE)
    done = subprocess.run(
        [sys.executable, "run.py", "import", "v2.csv", "--tab", "Customers", "--xlsx", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert "1 conflict with teammates' edits" in one_line(done.stderr)
    wb = openpyxl.load_workbook(path)
    crm = CRM(backend=HARNESSES["xlsx"](tmp_path).backend)
    assert list(crm.frame("Customers")["city"]) == ["Rasht"]  # the teammate's value
    conflicts = crm.frame("_conflicts")
    assert list(conflicts["field"]) == ["city"] and list(conflicts["sheet_value"]) == ["Rasht"]
    assert list(conflicts["source_value"]) == ["Shiraz"]
    assert list(conflicts["resolution"]) == ["sheet value kept (edited during the run)"]
    assert lease_of(crm) is None and wb["Customers"].max_row == 2
