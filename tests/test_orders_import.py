"""Orders imports: each order line becomes one Orders line (its id the platform's order
item id, else order id + line number), order-level fields said once per order reach every
line, line totals and unit prices are told apart, statuses read through the
``[Orders.status]`` table, buyers become (or are matched to) customers, and the same file
imported again writes nothing. On every backend."""

from __future__ import annotations

import datetime as dt

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

#: Column maps as the real presets (``ingest.presets``) name them, kept here so these
#: tests say exactly what they read.
SHOPIFY = Preset(
    "test-shopify",
    "Orders",
    {
        "Name": "order_id",
        "Email": "email",
        "Financial Status": "status",
        "Created at": "date",
        "Lineitem quantity": "quantity",
        "Lineitem name": "product",
        "Lineitem price": "unit_price",
        "Lineitem sku": "sku",
        "Billing Name": "buyer_name",
        "Billing City": "city",
        "Billing Zip": "postal_code",
        "Billing Phone": "phone",
        "Refunded Amount": "order_refund",
    },
    kind="orders",
    defaults={"channel": "shopify"},
)
AMAZON = Preset(
    "test-amazon",
    "Orders",
    {
        "amazon-order-id": "order_id",
        "order-item-id": "line_id",
        "purchase-date": "date",
        "order-status": "status",
        "product-name": "product",
        "sku": "sku",
        "quantity": "quantity",
        "item-price": "line_total",
    },
    kind="orders",
    defaults={"channel": "amazon"},
)
FLIPKART = Preset(
    "test-flipkart",
    "Orders",
    {
        "Ordered On": "date",
        "ORDER ITEM ID": "line_id",
        "Order Id": "order_id",
        "Order State": "status",
        "SKU": "sku",
        "Product": "product",
        "Invoice Amount": "line_total",
        "Selling Price Per Item": "unit_price",
        "Quantity": "quantity",
        "Buyer name": "buyer_name",
        "City": "city",
        "State": "state",
        "PIN Code": "postal_code",
    },
    kind="orders",
    defaults={"channel": "flipkart"},
)

SHOPIFY_HEADER = (
    "Name",
    "Email",
    "Financial Status",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing Name",
    "Billing City",
    "Billing Zip",
    "Billing Phone",
    "Refunded Amount",
    "Total",
)
SHOPIFY_ROWS = (
    (
        "#1001",
        "ria@example.com",
        "paid",
        "2025-09-03 10:15:32 +0100",
        "2",
        "Jamdani Saree (Red)",
        "1,250.00",
        "JS-R",
        "Ria Sen",
        "Kolkata",
        "700019",
        "",
        "0.00",
        "2,950.00",
    ),
    (
        "#1001",
        "",
        "",
        "2025-09-03 10:15:32 +0100",
        "1",
        "Kantha Stole",
        "450.00",
        "KS",
        "",
        "",
        "",
        "",
        "",
        "",
    ),
    (
        "#1002",
        "amit@example.com",
        "partially_refunded",
        "2025-09-04 11:00:00 +0100",
        "1",
        "Kantha Stole",
        "450.00",
        "KS",
        "Amit Das",
        "Dhaka",
        "1205",
        "",
        "200.00",
        "450.00",
    ),
    (
        "#1003",
        "",
        "voided",
        "2025-09-05 09:00:00 +0100",
        "1",
        "Tant Saree",
        "899.00",
        "TS",
        "",
        "",
        "",
        "",
        "",
        "899.00",
    ),
)

AMAZON_HEADER = (
    "amazon-order-id",
    "order-item-id",
    "purchase-date",
    "order-status",
    "product-name",
    "sku",
    "quantity",
    "item-price",
)
AMAZON_ROWS = (
    (
        "402-1",
        "11111",
        "2025-09-03T10:15:32+00:00",
        "Shipped - Delivered to Buyer",
        "Cotton Kurta",
        "CK",
        "2",
        "108.00",
    ),
    (
        "402-1",
        "11112",
        "2025-09-03T10:15:32+00:00",
        "Shipped - Delivered to Buyer",
        "Bindi pack",
        "BP",
        "1",
        "20.00",
    ),
    ("402-2", "22221", "2025-09-04T08:00:00+00:00", "Pending", "Cotton Kurta", "CK", "1", "54.00"),
)


@pytest.fixture
def shop(harness, tmp_path, monkeypatch):
    """An initialised workbook (phones read as Indian) and the test presets."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for preset in (SHOPIFY, AMAZON, FLIPKART):
        monkeypatch.setitem(PRESETS, preset.name, preset)
    crm = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IN")))
    crm.init()
    return crm


def lines(crm) -> pd.DataFrame:
    return crm.frame("Orders").set_index("line_id")


def test_shopify_lines_take_the_orders_fields_from_its_first_line(shop, tmp_path):
    path = write_csv(tmp_path, "orders_export.csv", SHOPIFY_HEADER, *SHOPIFY_ROWS)
    result = import_file(shop, path, preset="test-shopify")
    assert result.counts.created == 4 and result.counts.accounted() == 4
    assert result.quarantine == []
    got = lines(shop)
    assert list(got.index) == ["#1001-1", "#1001-2", "#1002-1", "#1003-1"]
    assert got.loc["#1001-2", "status"] == "paid"  # blank on the later line
    assert set(got["channel"]) == {"shopify"}
    # unit price × quantity; the order's Total (2,950) is no line's amount
    assert got["line_total"].astype(float).tolist() == [2500.0, 450.0, 450.0, 899.0]
    assert got.loc["#1003-1", "status"] == "cancelled"  # voided
    ria = got.loc["#1001-1", "customer_id"]
    assert got.loc["#1001-2", "customer_id"] == ria
    assert pd.isna(got.loc["#1003-1", "customer_id"]) or not got.loc["#1003-1", "customer_id"]
    people = shop.frame("Customers").set_index("customer_id")
    assert len(people) == 2 and people.loc[ria, "email"] == "ria@example.com"
    assert people.loc[ria, "first_contact"] == dt.date(2025, 9, 3)
    refunds = shop.frame("Returns")
    assert refunds[["return_id", "order_id", "kind"]].values.tolist() == [
        ["#1002-refund", "#1002", "refund"]
    ]
    assert float(refunds["amount"].iloc[0]) == 200.0
    assert result.also["Customers"].startswith("2 created")


def test_the_same_orders_file_again_writes_nothing(shop, tmp_path):
    path = write_csv(tmp_path, "orders_export.csv", SHOPIFY_HEADER, *SHOPIFY_ROWS)
    import_file(shop, path, preset="test-shopify")
    before = {t: shop.frame(t) for t in ("Orders", "Customers", "Returns")}
    again = import_file(shop, path, preset="test-shopify")
    assert not again.changes and again.audit_id is None
    assert again.counts.unchanged == 4
    for tab, frame in before.items():
        pd.testing.assert_frame_equal(shop.frame(tab), frame)


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_amazon_item_price_is_the_line_total_and_buyers_stay_unknown(shop, tmp_path):
    path = write_csv(tmp_path, "all_orders.csv", AMAZON_HEADER, *AMAZON_ROWS)
    result = import_file(shop, path, preset="test-amazon")
    got = lines(shop)
    assert list(got.index) == ["11111", "11112", "22221"]
    assert float(got.loc["11111", "line_total"]) == 108.0  # qty 2: not doubled
    assert float(got.loc["11111", "unit_price"]) == 54.0
    assert got["status"].tolist() == ["delivered", "delivered", "pending"]
    assert got["customer_id"].isna().all() and shop.frame("Customers").empty
    assert result.also["Customers"].startswith("0 created")


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_flipkart_buyers_are_matched_by_name_and_pin_then_city(shop, tmp_path):
    shop.upsert("Customers", [{"customer_id": "C-9", "name": "Mou Roy", "city": "Howrah"}])
    header = (
        "Ordered On",
        "ORDER ITEM ID",
        "Order Id",
        "Order State",
        "SKU",
        "Product",
        "Invoice Amount",
        "Selling Price Per Item",
        "Quantity",
        "Buyer name",
        "City",
        "State",
        "PIN Code",
    )
    rows = (
        (
            "2025-09-03 14:22:10",
            "OI-1",
            "OD-1",
            "Delivered",
            "JS",
            "Jamdani Saree",
            "1,43,542.00",
            "1,43,542.00",
            "1",
            "সুমিতা পাল",
            "Kolkata",
            "West Bengal",
            "700019",
        ),
        (
            "Sep 05, 2025",
            "OI-2",
            "OD-2",
            "Cancelled",
            "KS",
            "Kantha Stole",
            "450",
            "450",
            "1",
            "সুমিতা পাল",
            "Kolkata",
            "West Bengal",
            "700019",
        ),
        (
            "Sep 06, 2025",
            "OI-3",
            "OD-3",
            "Shipped",
            "KS",
            "Kantha Stole",
            "900",
            "450",
            "2",
            "MOU ROY",
            "howrah",
            "West Bengal",
            "711101",
        ),
    )
    path = write_csv(tmp_path, "flipkart.csv", header, *rows)
    result = import_file(shop, path, preset="test-flipkart")
    assert result.quarantine == []
    got = lines(shop)
    assert float(got.loc["OI-1", "line_total"]) == 143542.0
    assert got["status"].tolist() == ["delivered", "cancelled", "shipped"]
    assert got.loc["OI-1", "customer_id"] == got.loc["OI-2", "customer_id"]
    assert got.loc["OI-3", "customer_id"] == "C-9"  # name + city: the existing customer
    people = shop.frame("Customers").set_index("customer_id")
    new = people.loc[got.loc["OI-1", "customer_id"]]
    assert new["name"] == "সুমিতা পাল" and new["notes"] == "PIN 700019, West Bengal"
    assert people.loc["C-9", "name"] == "Mou Roy"  # a matched customer keeps its name
    assert result.also["Customers"] == "1 created, 1 updated, 0 unchanged"


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
def test_an_e_mail_or_phone_in_customer_id_names_the_customer(shop, tmp_path):
    shop.upsert(
        "Customers",
        [
            {"customer_id": "C-1", "name": "Ria Sen", "email": "ria@example.com"},
            {"customer_id": "C-2", "name": "Amit Das", "phone": "+919830012345"},
        ],
    )
    header = ("Order", "Date", "Buyer", "Item", "Amount")
    rows = (
        ("A-1", "2025-09-03", "RIA@example.com", "Saree", "500"),
        ("A-2", "2025-09-04", "098300 12345", "Stole", "300"),
        ("A-3", "2025-09-05", "nobody@example.com", "Stole", "300"),
    )
    path = write_csv(tmp_path, "orders.csv", header, *rows)
    result = import_file(
        shop,
        path,
        tab="Orders",
        overrides={
            "Order": "order_id",
            "Buyer": "customer_id",
            "Item": "product",
            "Amount": "line_total",
        },
    )
    got = lines(shop)
    assert got["customer_id"].tolist()[:2] == ["C-1", "C-2"]
    assert not got.loc["A-3-1", "customer_id"]  # the line goes in, its customer cell not
    [aside] = result.quarantine
    assert aside.row == 4 and aside.column == "Buyer" and aside.value == "nobody@example.com"
    assert "no customer has nobody@example.com" in aside.reason and aside.kind == "cell"


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_bad_order_lines_are_set_aside_naming_the_cell(shop, tmp_path):
    rows = [list(SHOPIFY_ROWS[2]), list(SHOPIFY_ROWS[3])]
    rows[0][3] = "sometime"  # no date: the line cannot go in
    rows[1][2] = "teleported"  # no such status: the line goes in without one
    path = write_csv(tmp_path, "orders_export.csv", SHOPIFY_HEADER, *rows)
    result = import_file(shop, path, preset="test-shopify")
    assert result.counts.quarantined == 1 and result.counts.created == 1
    row, cell = sorted(result.quarantine, key=lambda q: q.row)
    assert (row.row, row.column, row.value, row.kind) == (2, "Created at", "sometime", "row")
    assert (cell.row, cell.column, cell.value, cell.kind) == (
        3,
        "Financial Status",
        "teleported",
        "cell",
    )
    assert list(lines(shop).index) == ["#1003-1"]


def test_a_write_failing_half_way_then_the_rerun_converges(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(PRESETS, SHOPIFY.name, SHOPIFY)
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = CRM(backend=sheets_backend(emu, ss.id), config=Config(values=ValueContext(region="IN")))
    crm.init()
    crm.backend.retry = RetryPolicy(sleep=lambda s: None, attempts=2)
    path = write_csv(tmp_path, "orders_export.csv", SHOPIFY_HEADER, *SHOPIFY_ROWS)
    emu.fail("values.batchUpdate", 500, times=2)
    with pytest.raises(TransientError):
        import_file(crm, path, preset="test-shopify")
    import_file(crm, path, preset="test-shopify")
    assert list(lines(crm).index) == ["#1001-1", "#1001-2", "#1002-1", "#1003-1"]
    assert len(crm.frame("Customers")) == 2 and len(crm.frame("Returns")) == 1
    emu.stats.reset()
    assert not import_file(crm, path, preset="test-shopify").changes
    assert emu.stats.writes == 0


@pytest.mark.parametrize("harness", ["memory", "xlsx"], indirect=True)
def test_a_fault_part_way_leaves_no_order_half_written(shop, tmp_path, monkeypatch):
    from test_run import Fault, _failing_after_first_write, content

    path = write_csv(tmp_path, "orders_export.csv", SHOPIFY_HEADER, *SHOPIFY_ROWS)
    before = content(shop)
    _failing_after_first_write(monkeypatch, shop)
    with pytest.raises(Fault):
        import_file(shop, path, preset="test-shopify")
    assert content(shop) == before
    monkeypatch.undo()
    monkeypatch.setitem(PRESETS, SHOPIFY.name, SHOPIFY)
    assert import_file(shop, path, preset="test-shopify").counts.created == 4


# --- a customer named by e-mail or phone, in any tab's import ---------------------------


def test_an_interaction_names_its_customer_by_e_mail_or_phone(shop, tmp_path):
    shop.upsert(
        "Customers",
        [
            {"customer_id": "C-1", "name": "Ria Sen", "email": "ria@example.com"},
            {"customer_id": "C-2", "name": "Amit Das", "phone": "+919830012345"},
        ],
    )
    header = ("Email", "Date", "Type", "Summary")
    rows = (
        ("Ria@Example.com", "2025-09-03", "call", "asked for the red saree"),
        ("+91 98300 12345", "2025-09-04", "meeting", "came to the stall"),
        ("ghost@example.com", "2025-09-05", "call", "wrong number"),
    )
    path = write_csv(tmp_path, "calls.csv", header, *rows)
    result = import_file(shop, path, tab="Interactions", overrides={"Email": "customer_id"})
    acts = shop.frame("Interactions").sort_values("date")
    assert acts["customer_id"].tolist()[:2] == ["C-1", "C-2"]
    assert len(acts) == 3 and not acts["customer_id"].iloc[2]
    [aside] = result.quarantine
    assert (aside.row, aside.column, aside.value, aside.kind) == (
        4,
        "Email",
        "ghost@example.com",
        "cell",
    )
    assert "no customer has ghost@example.com" in aside.reason
    assert not import_file(
        shop, path, tab="Interactions", overrides={"Email": "customer_id"}
    ).changes


def test_the_cli_maps_an_e_mail_column_to_customer_id(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sheetcrm.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        got = runner.invoke(cli, list(args), catch_exceptions=False)
        assert got.exit_code == code, got.output
        return got.output

    run("init", "-q")
    people = write_csv(tmp_path, "people.csv", ("Name", "Email"), ("Ria Sen", "ria@example.com"))
    run("import", str(people), "--tab", "Customers")
    calls = write_csv(
        tmp_path,
        "calls.csv",
        ("Email", "Date", "Type"),
        ("ria@example.com", "2025-09-03", "call"),
        ("nobody@example.com", "2025-09-04", "call"),
    )
    out = run("import", str(calls), "--tab", "Interactions", "--map", "Email=customer_id", code=8)
    assert "nobody@example.com" in out
    from sheetcrm.backends.xlsx import XlsxBackend

    book = CRM(backend=XlsxBackend(tmp_path / "crm.xlsx"))
    [ria] = book.frame("Customers")["customer_id"].tolist()
    assert book.frame("Interactions")["customer_id"].tolist()[0] == ria


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
def test_one_buyer_on_two_platforms_is_one_customer_and_the_files_settle(shop, tmp_path):
    header = (
        "Ordered On",
        "ORDER ITEM ID",
        "Order Id",
        "Order State",
        "Product",
        "Invoice Amount",
        "Quantity",
        "Buyer name",
        "City",
        "PIN Code",
    )
    flipkart = write_csv(
        tmp_path,
        "flipkart.csv",
        header,
        (
            "2025-09-01",
            "OI-7",
            "OD-7",
            "Delivered",
            "Saree",
            "999",
            "1",
            "Ria Sen",
            "Calcutta",
            "700019",
        ),
    )
    shopify = write_csv(tmp_path, "orders_export.csv", SHOPIFY_HEADER, *SHOPIFY_ROWS[:2])
    import_file(shop, shopify, preset="test-shopify")  # Ria Sen, Kolkata 700019, 3 Sep
    import_file(shop, flipkart, preset="test-flipkart")  # the same name and PIN, 1 Sep
    people = shop.frame("Customers")
    assert len(people) == 1
    ria = people.iloc[0]
    assert ria["email"] == "ria@example.com" and ria["city"] == "Kolkata"  # kept
    assert ria["first_contact"] == dt.date(2025, 9, 1)  # the older order: earlier
    for path, preset in ((shopify, "test-shopify"), (flipkart, "test-flipkart")):
        assert not import_file(shop, path, preset=preset).changes
    assert set(shop.frame("Orders")["customer_id"]) == {ria["customer_id"]}
