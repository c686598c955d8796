"""Returns imports: each return is its own Returns record, linked to the Orders line it
undoes (by line id, else by an order of one line), taking the line's order, customer and
product when it does not say them; the Orders line is never changed, and the same file
imported again writes nothing. On every backend."""

from __future__ import annotations

import pandas as pd
import pytest
from contract.harness import sheets_backend
from samples import write_csv

from sheetcrm.backends.gsheets.retry import RetryPolicy
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.emulator import Emulator
from sheetcrm.errors import TransientError
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.mapping import PRESETS, Preset
from sheetcrm.model.values import ValueContext

ORDERS = Preset(
    "test-fk-orders",
    "Orders",
    {
        "Ordered On": "date",
        "ORDER ITEM ID": "line_id",
        "Order Id": "order_id",
        "Order State": "status",
        "Product": "product",
        "Invoice Amount": "line_total",
        "Quantity": "quantity",
        "Buyer name": "buyer_name",
        "PIN Code": "postal_code",
    },
    kind="orders",
    defaults={"channel": "flipkart"},
)
RETURNS = Preset(
    "test-fk-returns",
    "Returns",
    {
        "Return ID": "return_id",
        "Order ID": "order_id",
        "ORDER ITEM ID": "line_id",
        "Return Type": "kind",
        "Return Status": "status",
        "Return Reason": "reason",
        "Return Requested Date": "date",
        "Product Title": "product",
        "Quantity": "quantity",
        "Refund Amount": "amount",
    },
    kind="returns",
)

ORDER_HEADER = (
    "Ordered On",
    "ORDER ITEM ID",
    "Order Id",
    "Order State",
    "Product",
    "Invoice Amount",
    "Quantity",
    "Buyer name",
    "PIN Code",
)
ORDER_ROWS = (
    (
        "2025-09-03",
        "OI-1",
        "OD-1",
        "Returned",
        "Jamdani Saree",
        "599.00",
        "1",
        "Sima Pal",
        "700019",
    ),
    (
        "2025-09-03",
        "OI-2",
        "OD-1",
        "Delivered",
        "Kantha Stole",
        "450.00",
        "1",
        "Sima Pal",
        "700019",
    ),
    ("2025-09-04", "OI-3", "OD-2", "Delivered", "Tant Saree", "899.00", "1", "Mou Roy", "711101"),
)
RETURN_HEADER = (
    "Return ID",
    "Order ID",
    "ORDER ITEM ID",
    "Return Type",
    "Return Status",
    "Return Reason",
    "Return Requested Date",
    "Product Title",
    "Quantity",
    "Refund Amount",
)
RETURN_ROWS = (
    (
        "RET-1",
        "OD-1",
        "OI-1",
        "customer_return",
        "completed",
        "Colour not as shown",
        "2025-09-10",
        "Jamdani Saree",
        "1",
        "649.00",
    ),
    ("", "OD-2", "", "courier_return", "requested", "", "2025-09-12", "", "1", ""),
)


@pytest.fixture
def shop(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for preset in (ORDERS, RETURNS):
        monkeypatch.setitem(PRESETS, preset.name, preset)
    crm = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IN")))
    crm.init()
    return crm


def files(tmp_path):
    return (
        write_csv(tmp_path, "orders.csv", ORDER_HEADER, *ORDER_ROWS),
        write_csv(tmp_path, "returns.csv", RETURN_HEADER, *RETURN_ROWS),
    )


def test_returns_are_linked_to_their_lines_and_never_change_them(shop, tmp_path):
    orders, returns = files(tmp_path)
    import_file(shop, orders, preset="test-fk-orders")
    sold = shop.frame("Orders")
    result = import_file(shop, returns, preset="test-fk-returns")
    assert result.counts.created == 2 and result.quarantine == []
    pd.testing.assert_frame_equal(shop.frame("Orders"), sold)  # 599.00 stays 599.00
    got = shop.frame("Returns").set_index("return_id")
    lines = sold.set_index("line_id")
    assert got.loc["RET-1", "line_id"] == "OI-1" and float(got.loc["RET-1", "amount"]) == 649.0
    assert got.loc["RET-1", "customer_id"] == lines.loc["OI-1", "customer_id"]
    assert (got.loc["RET-1", "kind"], got.loc["RET-1", "status"]) == ("return", "received")
    # no return id, no line id: the order's one line, and an id from it and the date
    derived = "OI-3-R20250912"
    assert got.loc[derived, "line_id"] == "OI-3" and got.loc[derived, "order_id"] == "OD-2"
    assert got.loc[derived, "product"] == "Tant Saree"
    assert got.loc[derived, "status"] == "requested"


def test_both_files_again_write_nothing(shop, tmp_path):
    orders, returns = files(tmp_path)
    import_file(shop, orders, preset="test-fk-orders")
    import_file(shop, returns, preset="test-fk-returns")
    for path, preset in ((orders, "test-fk-orders"), (returns, "test-fk-returns")):
        again = import_file(shop, path, preset=preset)
        assert not again.changes and again.audit_id is None


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_returns_before_their_orders_go_in_unlinked(shop, tmp_path):
    _, returns = files(tmp_path)
    result = import_file(shop, returns, preset="test-fk-returns")
    assert result.counts.created == 2
    got = shop.frame("Returns").set_index("return_id")
    assert got.loc["RET-1", "line_id"] == "OI-1"  # as the file says
    assert "OD-2-R20250912" in got.index  # no line yet: the order and the date
    assert shop.frame("Orders").empty


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_bad_return_rows_are_set_aside_naming_the_cell(shop, tmp_path):
    rows = [list(RETURN_ROWS[0]), list(RETURN_ROWS[1])]
    rows[0][6] = "last week"
    rows[1][9] = "a lot"
    path = write_csv(tmp_path, "returns.csv", RETURN_HEADER, *rows)
    result = import_file(shop, path, preset="test-fk-returns")
    assert result.counts.quarantined == 1 and result.counts.created == 1
    row, cell = sorted(result.quarantine, key=lambda q: q.row)
    assert (row.row, row.column, row.value, row.kind) == (
        2,
        "Return Requested Date",
        "last week",
        "row",
    )
    assert (cell.row, cell.column, cell.value, cell.kind) == (3, "Refund Amount", "a lot", "cell")


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_a_fault_part_way_leaves_no_return_half_written(shop, tmp_path, monkeypatch):
    from test_run import Fault, _failing_after_first_write, content

    orders, returns = files(tmp_path)
    import_file(shop, orders, preset="test-fk-orders")
    before = content(shop)
    _failing_after_first_write(monkeypatch, shop)
    with pytest.raises(Fault):
        import_file(shop, returns, preset="test-fk-returns")
    assert content(shop) == before
    monkeypatch.undo()
    monkeypatch.setitem(PRESETS, RETURNS.name, RETURNS)
    assert import_file(shop, returns, preset="test-fk-returns").counts.created == 2


def test_a_returns_write_failing_on_the_emulator_then_the_rerun_converges(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for preset in (ORDERS, RETURNS):
        monkeypatch.setitem(PRESETS, preset.name, preset)
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = CRM(backend=sheets_backend(emu, ss.id), config=Config(values=ValueContext(region="IN")))
    crm.init()
    crm.backend.retry = RetryPolicy(sleep=lambda s: None, attempts=2)
    orders, returns = files(tmp_path)
    import_file(crm, orders, preset="test-fk-orders")
    emu.fail("values.batchUpdate", 500, times=2)
    with pytest.raises(TransientError):
        import_file(crm, returns, preset="test-fk-returns")
    import_file(crm, returns, preset="test-fk-returns")
    assert sorted(crm.frame("Returns")["return_id"]) == ["OI-3-R20250912", "RET-1"]
    emu.stats.reset()
    assert not import_file(crm, returns, preset="test-fk-returns").changes
    assert emu.stats.writes == 0
