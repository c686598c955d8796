"""Applying on a fresh backend instance: nothing may depend on an earlier read by the same
instance, because a command run in a new process (cron, the CLI) has read nothing yet."""

from __future__ import annotations

import datetime as dt

import pytest

from contract.harness import Harness
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import HeaderError
from sheetcrm.model.changes import AppendRow, ChangeSet, SetCell
from sheetcrm.model.values import ValueContext

AT = dt.datetime(2025, 10, 4, 9, 30)


@pytest.fixture
def crm(harness) -> CRM:
    c = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IR")))
    c.init()
    c.upsert("Customers", [{"customer_id": "C-1", "name": "Sara", "city": "Tehran"}])
    return c


def _audit_row(run_id: str) -> AppendRow:
    return AppendRow(
        "_audit",
        {"run_id": run_id, "at": AT, "user": "sara", "host": "h", "command": "import"},
    )


def _run(crm: CRM, run_id: str) -> ChangeSet:
    """What an import plans: a new customer, an edit, and its audit row."""
    new = {"customer_id": "C-2", "name": "Rahul", "city": "Dhaka", "first_contact": AT.date()}
    return ChangeSet(
        [
            AppendRow("Customers", new),
            SetCell("Customers", "C-1", "city", "Shiraz", "Tehran"),
            _audit_row(run_id),
        ]
    )


def _read_back(harness: Harness, crm: CRM) -> tuple[dict, list]:
    """Customers' cities and the audit rows, as another fresh instance reads them."""
    reader = CRM(backend=harness.fresh(), config=crm.config)
    grids = reader.read(["Customers", "_audit"])
    customers = reader.frame("Customers", grids["Customers"])
    audit = reader.frame("_audit", grids["_audit"])
    cities = dict(zip(customers["customer_id"], customers["city"], strict=True))
    first = dict(zip(customers["customer_id"], customers["first_contact"], strict=True))
    assert first["C-2"] == AT.date()
    return cities, list(zip(audit["run_id"], audit["at"], strict=True))


def test_a_fresh_instance_applies_appends_an_edit_and_an_audit_row(harness, crm):
    report = harness.fresh().apply(_run(crm, "A-1"), crm.schema)
    assert (report.rows_appended, report.cells_written, report.skipped) == (2, 10, [])
    cities, audit = _read_back(harness, crm)
    assert cities == {"C-1": "Shiraz", "C-2": "Dhaka"}
    assert ("A-1", AT) in audit and len([r for r in audit if r[0] == "A-1"]) == 1


def test_a_fresh_instance_creates_a_missing_system_tab(harness, crm):
    harness.delete_tab("_audit")
    report = harness.fresh().apply(_run(crm, "A-2"), crm.schema)
    assert report.tabs_added == 1
    cities, audit = _read_back(harness, crm)
    assert cities == {"C-1": "Shiraz", "C-2": "Dhaka"}
    assert audit == [("A-2", AT)]
    assert [str(h) for h in harness.header("_audit")] == crm.schema["_audit"].columns


def test_a_fresh_instance_skips_what_is_already_there(harness, crm):
    harness.fresh().apply(_run(crm, "A-3"), crm.schema)
    again = harness.fresh().apply(ChangeSet([_run(crm, "A-3").ops[0]]), crm.schema)
    assert again.rows_appended == 0
    assert again.skipped == ["Customers C-2: already present, not appended twice"]


def test_a_missing_data_tab_is_a_clear_error_on_a_fresh_instance(harness, crm):
    harness.delete_tab("Leads")
    changes = ChangeSet([AppendRow("Leads", {"lead_id": "L-1", "name": "Omid"})])
    with pytest.raises(HeaderError, match="'Leads' does not exist"):
        harness.fresh().apply(changes, crm.schema)
