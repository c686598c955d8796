"""Imports on Google Sheets (through the emulator): teammates editing between the read and
the write, a write failing half-way, and the Online Retail transactions."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from contract.harness import sheets_backend

from sheetcrm.backends.gsheets.retry import RetryPolicy
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.emulator import Emulator
from sheetcrm.emulator.teammate import Teammate
from sheetcrm.errors import TransientError
from sheetcrm.ingest.importer import import_file
from sheetcrm.model.values import ValueContext

RETAIL = Path(__file__).parent / "data" / "online_retail_subset.csv"
V1 = (
    "name,email,phone,city,company\n"
    "Sara,sara@example.com,09121234567,Tehran,\n"
    "Rahul,rahul@example.com,+8801712345678,Dhaka,\n"
    "Ana,ana@example.com,,Lisbon,\n"
)
V2 = V1.replace("Tehran", "Shiraz").replace("Dhaka,", "Dhaka,Dhaka Crafts") + (
    "Omid,omid@example.com,,Tabriz,\n"
)


def world(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = CRM(backend=sheets_backend(emu, ss.id), config=Config(values=ValueContext(region="IR")))
    crm.init()
    return emu, ss, crm, Teammate(emu, ss.id)


def csv(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row_of(mate, tab, record_id):
    ids = [r[0] if r else None for r in mate.sheet(tab).rows]
    return ids.index(record_id) + 1


def test_teammates_work_between_the_imports_read_and_write(tmp_path, monkeypatch):
    _, _, crm, mate = world(tmp_path, monkeypatch)
    import_file(crm, csv(tmp_path, "v1.csv", V1), tab="Customers")
    ids = {r["email"]: r["customer_id"] for _, r in crm.frame("Customers").iterrows()}
    col = {name: mate.column_of("Customers", name) for name in ("city", "notes", "company")}

    def teammate():
        mate.set(
            "Customers", row_of(mate, "Customers", ids["sara@example.com"]), col["city"], "Isfahan"
        )  # the same field the import changes
        mate.set(
            "Customers",
            row_of(mate, "Customers", ids["rahul@example.com"]),
            col["notes"],
            "prefers WhatsApp",
        )  # another field
        mate.sort("Customers", col["city"])
        mate.insert_rows("Customers", 2, 3)
        extra = mate.add_column("Customers", "Tea", at=2)
        mate.set("Customers", row_of(mate, "Customers", ids["ana@example.com"]), extra, "Green")
        mate.set(
            "Customers",
            row_of(mate, "Customers", ids["ana@example.com"]),
            mate.column_of("Customers", "company"),
            '=CONCAT("Ana ","Co")',
        )

    # the import reads (values.batchGet #1), then finds rows again (#2) and writes
    mate.before("values.batchGet", teammate, skip=1)
    result = import_file(crm, csv(tmp_path, "v2.csv", V2), tab="Customers")
    df = crm.frame("Customers").set_index("email")
    assert df.loc["sara@example.com", "city"] == "Isfahan"  # theirs kept…
    assert [(c.record_id, c.field) for c in result.conflicts] == [
        (ids["sara@example.com"], "city")
    ]  # …and the conflict recorded
    assert list(crm.frame("_conflicts")["field"]) == ["city"]
    assert df.loc["rahul@example.com", "notes"] == "prefers WhatsApp"
    assert df.loc["rahul@example.com", "company"] == "Dhaka Crafts"  # our write landed right
    assert df.loc["omid@example.com", "city"] == "Tabriz"
    assert df.loc["ana@example.com", "Tea"] == "Green"
    ana = row_of(mate, "Customers", ids["ana@example.com"])
    assert mate.get("Customers", ana, mate.column_of("Customers", "company")) == (
        '=CONCAT("Ana ","Co")'
    )
    assert len(df) == 4 and df["customer_id"].is_unique


def test_teammate_edit_before_the_import_is_a_three_way_merge(tmp_path, monkeypatch):
    _, _, crm, mate = world(tmp_path, monkeypatch)
    import_file(crm, csv(tmp_path, "v1.csv", V1), tab="Customers")
    sara = row_of(mate, "Customers", crm.frame("Customers").iloc[0]["customer_id"])
    mate.set("Customers", sara, mate.column_of("Customers", "phone"), "+98 935 000 0000")
    result = import_file(crm, csv(tmp_path, "v2.csv", V2), tab="Customers")
    assert not result.conflicts  # the file did not touch the phone: theirs stays
    row = crm.frame("Customers").set_index("email").loc["sara@example.com"]
    assert row["phone"] == "+989350000000" and row["city"] == "Shiraz"


def test_write_failing_half_way_then_rerun_converges(tmp_path, monkeypatch):
    emu, _, crm, _ = world(tmp_path, monkeypatch)
    crm.backend.retry = RetryPolicy(sleep=lambda s: None, attempts=2)
    path = csv(tmp_path, "v1.csv", V1 * 1)
    emu.fail("values.batchUpdate", 500, times=2)
    with pytest.raises(TransientError):
        import_file(crm, path, tab="Customers")
    import_file(crm, path, tab="Customers")
    import_file(crm, csv(tmp_path, "v2.csv", V2), tab="Customers")
    _, _, clean, _ = world(tmp_path / "clean", monkeypatch)
    import_file(clean, path, tab="Customers")
    import_file(clean, csv(tmp_path, "v2.csv", V2), tab="Customers")
    got = crm.frame("Customers").drop(columns=["customer_id"]).sort_values("email")
    want = clean.frame("Customers").drop(columns=["customer_id"]).sort_values("email")
    assert got.reset_index(drop=True).equals(want.reset_index(drop=True))
    assert crm.frame("Customers")["email"].is_unique


def expected_retail() -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    """The sale lines and the cancellation lines of the file, each with its value and its
    id (invoice + line number in the invoice), and the customer ids."""
    lines = pd.read_csv(RETAIL, dtype=str, keep_default_na=False)
    lines["value"] = (lines["Quantity"].astype(int) * lines["UnitPrice"].astype(float)).round(2)
    lines["id"] = lines["InvoiceNo"] + "-" + (lines.groupby("InvoiceNo").cumcount() + 1).astype(str)
    undone = lines["InvoiceNo"].str.startswith("C") | (lines["Quantity"].astype(int) < 0)
    customers = set(lines.loc[lines["CustomerID"] != "", "CustomerID"])
    return lines[~undone].set_index("id"), lines[undone].set_index("id"), customers


def test_online_retail_on_google_sheets(tmp_path, monkeypatch):
    emu, _, crm, _ = world(tmp_path, monkeypatch)
    emu.stats.reset()
    started = time.perf_counter()
    result = import_file(crm, RETAIL, preset="transactions")
    seconds = time.perf_counter() - started
    requests = emu.stats.total
    sold, undone, customers = expected_retail()
    assert result.counts.rows == 3_202 and result.counts.accounted() == 3_202
    assert result.counts.created == len(sold) + len(undone) and result.counts.quarantined == 0
    orders = crm.frame("Orders").set_index("line_id")
    assert len(orders) == len(sold) and set(orders.index) == set(sold.index)
    got = orders["line_total"].astype(float)
    assert (got.sort_index() - sold["value"].sort_index()).abs().max() < 0.005
    returns = crm.frame("Returns").set_index("return_id")
    assert set(returns.index) == set(undone.index)
    back = returns["amount"].astype(float).sort_index()
    assert (back - undone["value"].abs().sort_index()).abs().max() < 0.005
    assert orders["customer_id"].isna().sum() > 0  # anonymous sales kept
    assert set(crm.frame("Customers")["customer_id"]) == customers
    # the reads, the lease (locate, tag, re-read, write) and the main apply anchored to IDs
    # (locate, tag, re-read, write, append): a number that does not grow with the rows
    assert requests <= 12, emu.stats.requests
    print(
        f"\nOnline Retail import on the emulator: {seconds:.1f}s, {requests} requests, "
        f"{emu.stats.sent / 1e6:.1f} MB sent"
    )
    emu.stats.reset()
    again = import_file(crm, RETAIL, preset="transactions")
    assert not again.changes and emu.stats.writes == 0
