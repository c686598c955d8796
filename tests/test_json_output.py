"""``--format json``: every command that offers it prints exactly one JSON document on
standard output (nothing else there, so ``| jq`` works), in the documented, versioned shape
— keys pinned here, dates ISO, money as numbers — and keeps its exit code. Each command
runs as a fresh process, as a script would run it."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from support import run_sheetcrm

from sheetcrm.model.changes import ANY, AddTab, AppendRow, ChangeSet, SetCell
from sheetcrm.model.shape import VERSION, jsonable, plan

AS_OF = "2025-10-01"

RUN_KEYS = {
    "schema",
    "version",
    "command",
    "dry_run",
    "source",
    "tab",
    "counts",
    "changes",
    "quarantine",
    "conflicts",
    "ignored_columns",
    "merges",
    "also",
    "breakdown",
    "snapshot",
    "skipped",
    "requests",
    "bytes_sent",
    "audit_id",
    "preset",
    "detected",
    "left_out",
}
COUNT_KEYS = {"rows", "created", "updated", "merged", "duplicates", "unchanged", "empty"}
CHANGE_KEYS = {
    "tabs_added",
    "columns_added",
    "layout_changes",
    "cells_changed",
    "rows_appended",
    "rows_deleted",
    "generated_cells",
    "charts_changed",
}
QUARANTINE_KEYS = {"kind", "source", "tab", "row", "column", "value", "reason"}
CONFLICT_KEYS = {"kind", "tab", "record_id", "field", "sheet_value", "source_value", "resolution"}


def env_for(folder: Path) -> dict[str, str]:
    """Private state folders for a process started outside a test's own fixtures."""
    return {
        "XDG_CACHE_HOME": str(folder / "cache"),
        "XDG_DATA_HOME": str(folder / "data"),
        "XDG_STATE_HOME": str(folder / "state"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "SHEETCRM_SNAPSHOTS": str(folder / "snapshots"),
    }


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory) -> Path:
    """The demo shop as of AS_OF, made once (a test works on its own copy)."""
    folder = tmp_path_factory.mktemp("demo")
    made = run_sheetcrm("demo", "--as-of", AS_OF, "-q", cwd=folder, env=env_for(folder))
    assert made.returncode == 0, made.stderr
    return folder / "crm.xlsx"


@pytest.fixture
def shop(demo_book, tmp_path) -> Path:
    shutil.copy(demo_book, tmp_path / "crm.xlsx")
    return tmp_path


def doc(done: subprocess.CompletedProcess[str], code: int = 0) -> dict:
    """The one document the process printed (and nothing else on stdout)."""
    assert done.returncode == code, (done.returncode, done.stderr)
    parsed = json.loads(done.stdout)  # fails on anything but exactly one JSON value
    assert isinstance(parsed, dict) and parsed["version"] == VERSION
    return parsed


def sheetcrm(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sheetcrm(*args, cwd=cwd)


def test_an_import_with_a_cell_issue_and_a_bad_row(shop):
    leads = shop / "leads.csv"
    leads.write_text(
        "Name,Email,Phone,First contact,Colour\n"
        "Ana Lima,ana@example.com,+447400123456,2025-09-01,red\n"
        ",,+447400123457,,blue\n"
        "Sara Ahmadi,sara@example.com,+989121234567,32/13/2025,\n",
        encoding="utf-8",
    )
    out = doc(sheetcrm(shop, "import", str(leads), "--tab", "Customers", "--format", "json"), 8)
    assert set(out) == RUN_KEYS and out["schema"] == "sheetcrm.run"
    assert (out["command"], out["source"], out["tab"]) == (
        f"import {leads}",
        "leads.csv",
        "Customers",
    )
    assert out["dry_run"] is False and out["requests"] >= 0 and out["audit_id"]
    assert set(out["counts"]) >= COUNT_KEYS and set(out["changes"]) == CHANGE_KEYS
    counts = out["counts"]
    assert counts["rows"] == 3
    assert (
        sum(v for k, v in counts.items() if k in COUNT_KEYS - {"rows"})
        + counts["quarantined"]
        + counts.get("suppressed", 0)
        == 3
    )
    assert out["ignored_columns"] == ["Colour"]
    assert all(set(q) == QUARANTINE_KEYS for q in out["quarantine"])
    kinds = {(q["kind"], q["row"], q["column"]) for q in out["quarantine"]}
    assert ("cell", 4, "First contact") in kinds and any(k[:2] == ("row", 3) for k in kinds)
    assert all(q["source"] == "leads.csv" and q["tab"] == "Customers" for q in out["quarantine"])
    assert out["conflicts"] == [] and "plan" not in out


def test_a_dry_run_prints_its_plan(shop):
    people = shop / "people.csv"
    people.write_text(
        "name,email,first_contact\nZahra,zahra@example.com,2025-09-30\n", encoding="utf-8"
    )
    before = (shop / "crm.xlsx").read_bytes()
    argv = ("import", str(people), "--tab", "Customers", "--dry-run", "--format", "json")
    out = doc(sheetcrm(shop, *argv))
    assert out["dry_run"] is True and set(out) == RUN_KEYS | {"plan"}
    assert set(out["plan"]) == {"counts", "ops", "notes"}
    appended = [op for op in out["plan"]["ops"] if op["op"] == "append_row"]
    customer = next(op for op in appended if op["tab"] == "Customers")
    assert customer["values"]["name"] == "Zahra"
    assert customer["values"]["first_contact"] == "2025-09-30"  # ISO, not a serial
    assert out["plan"]["counts"] == out["changes"]
    assert (shop / "crm.xlsx").read_bytes() == before


def test_refresh_init_and_their_dry_runs(shop, tmp_path):
    planned = doc(
        sheetcrm(shop, "refresh", "--as-of", "2025-11-15", "--dry-run", "--format", "json")
    )
    assert planned["command"].startswith("refresh") and planned["dry_run"] is True
    assert planned["plan"]["ops"], "a later day changes computed columns"
    assert all({"op", "tab"} <= set(op) for op in planned["plan"]["ops"])
    done = doc(sheetcrm(shop, "refresh", "--as-of", "2025-11-15", "--format", "json"))
    assert set(done) == RUN_KEYS and done["changes"]["cells_changed"] > 0
    again = doc(sheetcrm(shop, "refresh", "--as-of", "2025-11-15", "--format", "json"))
    assert again["requests"] == 0 and not any(again["changes"].values())
    blank = tmp_path / "blank"
    blank.mkdir()
    init = doc(sheetcrm(blank, "init", "--dry-run", "--format", "json"))
    tabs = [op["tab"] for op in init["plan"]["ops"] if op["op"] == "add_tab"]
    assert {"Customers", "Leads", "_audit", "_quarantine"} <= set(tabs)
    assert not (blank / "crm.xlsx").exists()
    quiet = sheetcrm(blank, "init", "--quiet", "--format", "json")
    assert quiet.returncode == 0 and quiet.stdout == ""  # --quiet: nothing, as in text


def test_restore_dry_run_and_restore(shop, monkeypatch):
    import openpyxl

    from sheetcrm.backends.xlsx import XlsxBackend
    from sheetcrm.crm import CRM
    from sheetcrm.run import write_snapshot

    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(shop / "snapshots"))
    crm = CRM(backend=XlsxBackend(shop / "crm.xlsx"))
    snap = write_snapshot(crm, crm.read(["Campaigns"]), ["Campaigns"])
    book = openpyxl.load_workbook(shop / "crm.xlsx")
    sheet = book["Campaigns"]
    header = [c.value for c in sheet[1]]
    name_col = header.index("name") + 1
    original, record = sheet.cell(2, name_col).value, sheet.cell(2, 1).value
    sheet.cell(2, name_col).value = "renamed by a teammate"
    book.save(shop / "crm.xlsx")

    planned = doc(sheetcrm(shop, "restore", str(snap), "--dry-run", "--format", "json"))
    assert planned["dry_run"] is True and planned["source"] == str(snap)
    edits = [op for op in planned["plan"]["ops"] if op["op"] == "set_cell"]
    assert edits == [
        {
            "op": "set_cell",
            "tab": "Campaigns",
            "key": record,
            "field": "name",
            "value": original,
            "old": "renamed by a teammate",
        }
    ]
    done = doc(sheetcrm(shop, "restore", str(snap), "--format", "json"))
    assert done["changes"]["cells_changed"] == 1 and "plan" not in done
    assert done["snapshot"] and Path(done["snapshot"]).exists()  # the restore can be undone


def test_summary_segments_explain_remind(shop):
    summary = doc(sheetcrm(shop, "summary", "--as-of", AS_OF, "--format", "json"))
    assert set(summary) == {
        "schema",
        "version",
        "workbook",
        "as_of",
        "currency",
        "records",
        "customers_by_status",
        "active_customers",
        "inactive_customers",
        "open_leads",
        "leads_by_source",
        "orders",
        "revenue_total",
        "revenue_30d",
        "average_order_value",
        "top_products",
        "overdue_tasks",
    }
    assert summary["schema"] == "sheetcrm.summary" and summary["as_of"] == AS_OF
    assert isinstance(summary["revenue_total"], float) and summary["revenue_total"] > 0
    assert summary["records"]["Customers"] >= 300
    assert all(set(p) == {"product", "revenue"} for p in summary["top_products"])
    text = sheetcrm(shop, "summary", "--as-of", AS_OF).stdout
    assert f"{summary['orders']:,}" in text  # the same figures the text shows

    segments = doc(sheetcrm(shop, "segments", "--as-of", AS_OF, "--format", "json"))
    assert set(segments) == {"schema", "version", "as_of", "segment", "rfm_segment"}
    assert sum(segments["segment"].values()) == summary["records"]["Customers"]
    assert list(segments["rfm_segment"].values()) == sorted(
        segments["rfm_segment"].values(), reverse=True
    )

    leads = json.loads(sheetcrm(shop, "show", "Leads", "--format", "json").stdout)
    lead = leads[0]["lead_id"]
    explained = doc(sheetcrm(shop, "explain", lead, "--as-of", AS_OF, "--format", "json"))
    assert set(explained) == {"schema", "version", "lead_id", "as_of", "score", "reasons"}
    assert explained["lead_id"] == lead and 0 <= explained["score"] <= 100
    assert all(set(r) == {"label", "points"} for r in explained["reasons"])
    missing = sheetcrm(shop, "explain", "L-NOPE", "--format", "json")
    assert missing.returncode == 3 and missing.stdout == "" and "L-NOPE" in missing.stderr

    reminded = doc(sheetcrm(shop, "remind", "--as-of", AS_OF, "--format", "json"))
    assert set(reminded) == {
        "schema",
        "version",
        "as_of",
        "digests",
        "reengage",
        "unhappy",
        "csv",
        "drafts",
        "delivery",
        "undelivered",
    }
    assert reminded["digests"] and reminded["delivery"] is None and reminded["undelivered"] == []
    for digest in reminded["digests"]:
        assert set(digest) == {
            "person",
            "overdue",
            "due_today",
            "this_week",
            "no_next_action",
            "unhappy",
        }
        for item in digest["overdue"]:
            assert set(item) == {"kind", "id", "what", "due"}
            assert dt.date.fromisoformat(item["due"]) < dt.date.fromisoformat(AS_OF)


def test_errors_keep_their_exit_code_and_leave_stdout_empty(shop):
    missing = sheetcrm(shop, "import", "nope.csv", "--tab", "Customers", "--format", "json")
    assert missing.returncode == 3 and missing.stdout == ""
    assert missing.stderr.startswith("sheetcrm: error: no such file")


def test_values_become_json():
    import numpy as np
    import pandas as pd

    values = [
        pd.NaT,
        np.int64(3),
        np.float64("nan"),
        Decimal("12.50"),
        Decimal("120"),
        dt.date(2025, 1, 2),
        dt.datetime(2025, 1, 2, 10, 30),
        {2, 1},
        ("a", 1),
        Path("/tmp/x"),
        float("inf"),
    ]
    assert jsonable(values) == [
        None,
        3,
        None,
        12.5,
        120,
        "2025-01-02",
        "2025-01-02T10:30:00",
        [1, 2],
        ["a", 1],
        "/tmp/x",
        None,
    ]
    changes = ChangeSet()
    changes.add(
        SetCell("Customers", "C-1", "phone", "+447400123456", old=ANY),
        AppendRow("Customers", {"name": "Ana", "first_contact": dt.date(2025, 1, 1)}),
        AddTab("Extra", ("a", "b"), hidden=True),
    )
    shown = plan(changes)
    assert [op["op"] for op in shown["ops"]] == ["add_tab", "set_cell", "append_row"]
    assert shown["ops"][1] == {
        "op": "set_cell",
        "tab": "Customers",
        "key": "C-1",
        "field": "phone",
        "value": "+447400123456",
        "old": None,
    }
    json.dumps(shown, allow_nan=False)


def test_an_import_on_google_sheets(served, tmp_path):
    url, sheet = served
    env = {"SHEETCRM_API_ENDPOINT": url}
    assert run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path).returncode == 0
    form = tmp_path / "form.csv"
    form.write_text(
        "Timestamp,Email Address,Your name,Phone number\n"
        "2025-10-04 10:00:00,ana@example.com,Ana,+447400123456\n"
        "2025-10-05 11:30:00,not-an-email,,\n",
        encoding="utf-8",
    )
    argv = ("import", str(form), "--preset", "google-form", "--sheet", sheet, "--format", "json")
    done = run_sheetcrm(*argv, env=env, cwd=tmp_path)
    out = doc(done, 8)
    assert out["tab"] == "Leads" and out["counts"]["created"] == 1
    assert out["requests"] > 0 and out["bytes_sent"] > 0  # what the run cost, for a script
    assert [(q["kind"], q["row"]) for q in out["quarantine"]] == [("row", 3)]
    assert done.stderr.startswith("sheetcrm: 1 of 2 rows set aside")
