"""A Kolkata saree shop's orders from three platforms (``tests/fixtures/sellers``): its
Flipkart orders report, the Flipkart returns report, both imported again, then Amazon's
*All Orders* report and the Shopify orders export, and last its Mailchimp audience — each
a fresh ``sheetcrm`` process without ``--preset`` (the header says which export it is), on
an ``.xlsx`` and on ``sheetcrm emulator serve``. The figures — revenue net of refunds,
orders, products, revenue by channel, buyers made customers once across platforms, returns
linked to their lines — are checked against the test's own pandas reading of the files
(``seller_support``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
import pytest
from locale_support import Book, Imported
from seller_support import (
    AS_OF_ARGS,
    BACKENDS,
    SOLD,
    all_lines,
    all_returns,
    buyer_keys,
    cell_number,
    detected_preset,
    expected_sales,
    flipkart_lines,
    flipkart_returns,
    fold,
    grid,
    line_net,
    numbers_in,
    opened,
    written,
)

#: The file, and the preset its header must be taken for.
#: A report period that holds every order of the files.
ALL_ORDERS = ("--period", "2025-09-01..2025-10-31", *AS_OF_ARGS)

FILES = {
    "flipkart_orders.csv": "flipkart-orders",
    "flipkart_returns.csv": "flipkart-returns",
    "amazon_all_orders.txt": "amazon-orders",
    "shopify_orders.csv": "shopify-orders",
    "mailchimp_subscribed.csv": "mailchimp",
}


@dataclass
class Shop:
    book: Book
    runs: dict[str, Imported]
    again: dict[str, tuple[Imported, str, str]]  # the second pass: run, before, after
    after_orders: dict[str, Any]  # summary after the orders report alone
    after_returns: dict[str, Any]  # … and the returns report


def _summary(book: Book) -> dict[str, Any]:
    done = book.run("summary", *AS_OF_ARGS, "--format", "json")
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture(scope="module", params=BACKENDS)
def shop(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"seller-{request.param}")
    with opened(request.param, folder) as book:
        init = book.run("init", "-q")
        assert init.returncode == 0, init.stderr
        runs: dict[str, Imported] = {}
        runs["flipkart_orders.csv"] = book.imported("flipkart_orders.csv")
        after_orders = _summary(book)
        runs["flipkart_returns.csv"] = book.imported("flipkart_returns.csv")
        after_returns = _summary(book)
        again = {}
        for name in ("flipkart_orders.csv", "flipkart_returns.csv"):
            before = written(book)
            run = book.imported(name)
            again[name] = (run, before, written(book))
        for name in ("amazon_all_orders.txt", "shopify_orders.csv", "mailchimp_subscribed.csv"):
            runs[name] = book.imported(name)
        refreshed = book.run("refresh", *AS_OF_ARGS, "-q")
        assert refreshed.returncode == 0, refreshed.stderr
        yield Shop(book, runs, again, after_orders, after_returns)


@pytest.mark.parametrize("name", list(FILES))
def test_each_export_is_detected_and_goes_in_whole(shop, name):
    run = shop.runs[name]
    assert run.done.returncode == 0, (run.done.returncode, run.done.stderr)
    assert detected_preset(run) == FILES[name], (run.doc, run.done.stderr)
    assert run.quarantine() == []


def test_order_lines_are_one_row_each_with_platform_ids(shop):
    lines = all_lines()
    shown = shop.book.json("show", "Orders")
    assert sorted(str(r["line_id"]) for r in shown) == sorted(lines["line_id"])
    got = {
        str(r["line_id"]): (str(r["order_id"]), r["channel"], r["status"], r["product"])
        for r in shown
    }
    want = {r.line_id: (r.order_id, r.channel, r.status, r.product) for r in lines.itertuples()}
    assert got == want


def test_line_totals_are_the_lines_not_the_orders(shop):
    """Amazon's item-price is already the line's total; Shopify's Lineitem price is the
    unit price; Flipkart's Invoice Amount is the line's (lakh-grouped) total."""
    lines = all_lines().set_index("line_id")
    shown = shop.book.json("show", "Orders")
    sold = [r for r in shown if r["status"] in SOLD]
    got = {str(r["line_id"]): cell_number(r["line_total"]) for r in sold}
    want = {k: float(lines.loc[k, "line_total"]) for k in got}
    assert got == pytest.approx(want)
    assert got["330134556120934600"] == 112500.0
    assert got["403-1182236-5521907-1"] == 398.0  # two gamchha packs, not 796


def test_returns_are_their_own_records_linked_to_lines(shop):
    returns = flipkart_returns()
    shown = shop.book.json("show", "Returns")
    by_id = {str(r["return_id"]): r for r in shown if r.get("return_id")}
    for row in returns.itertuples():
        held = by_id[row.return_id]
        assert str(held["line_id"]) == row.line_id
        assert str(held["order_id"]) == row.order_id
        assert held["status"] == row.status
        assert cell_number(held["amount"]) == pytest.approx(row.amount)
    refunds = [r for r in shown if str(r.get("order_id")) in ("#1003", "#1004")]
    assert sorted(cell_number(r["amount"]) for r in refunds) == [500.0, 1299.0]
    assert {r["kind"] for r in refunds} == {"refund"}
    assert len(shown) == len(all_returns())


def test_importing_returns_leaves_the_sales_as_they_were(shop):
    lines = flipkart_lines().set_index("line_id")
    shown = shop.book.json("show", "Orders")
    for r in shown:
        if str(r["line_id"]) in lines.index and r["status"] in SOLD:
            want = lines.loc[str(r["line_id"])]
            assert cell_number(r["line_total"]) == pytest.approx(want["line_total"])
            assert str(r["date"])[:10] == want["day"].isoformat()


def test_revenue_is_net_of_refunds_before_and_after_the_returns_report(shop):
    empty = flipkart_returns().iloc[0:0]
    before = expected_sales(flipkart_lines(), empty)
    after = expected_sales(flipkart_lines(), flipkart_returns())
    assert shop.after_orders["revenue_total"] == pytest.approx(before["revenue_total"])
    assert shop.after_orders["orders"] == before["orders"]
    assert shop.after_returns["revenue_total"] == pytest.approx(after["revenue_total"])
    assert shop.after_returns["orders"] == after["orders"]
    # the returns report can only take money away (the refund above a line's total too)
    assert after["revenue_total"] < before["revenue_total"]


@pytest.mark.parametrize("name", ["flipkart_orders.csv", "flipkart_returns.csv"])
def test_the_second_pass_writes_nothing(shop, name):
    run, before, after = shop.again[name]
    assert run.done.returncode == 0, run.done.stderr
    assert run.doc["counts"]["created"] == 0, run.doc["counts"]
    assert run.doc["counts"]["updated"] == 0, run.doc["counts"]
    assert after == before, "the workbook was written"


def test_summary_figures_equal_a_pandas_computation(shop):
    want = expected_sales(all_lines(), all_returns())
    got = shop.book.json("summary", *AS_OF_ARGS)
    assert got["currency"] == "INR"
    assert got["orders"] == want["orders"]
    assert got["revenue_total"] == pytest.approx(want["revenue_total"])
    assert got["average_order_value"] == pytest.approx(want["average_order_value"])
    assert got["records"]["Orders"] == len(all_lines())
    assert got["records"]["Returns"] == len(all_returns())
    top = got["top_products"]
    assert top and top[0]["product"] == max(want["products"], key=want["products"].get)
    for item in top:
        assert item["revenue"] == pytest.approx(want["products"][item["product"]]), item


def _customers_expected() -> pd.DataFrame:
    """One row per buyer (the rule of ``buyer_keys``), plus the Mailchimp subscribers who
    are not buyers (one shares a buyer's e-mail)."""
    lines = all_lines()
    lines["key"] = buyer_keys(lines)
    buyers = lines[lines["key"] != ""]
    first = buyers.drop_duplicates("key")
    return first


def test_buyers_become_customers_once_across_platforms(shop):
    buyers = _customers_expected()
    mailchimp = pd.read_csv(
        shop.book.folder / "mailchimp_subscribed.csv", dtype=str, keep_default_na=False
    )
    known = set(all_lines()["email"])
    extra = [e for e in mailchimp["Email Address"].str.casefold() if e not in known]
    shown = shop.book.json("show", "Customers")
    assert len(shown) == len(buyers) + len(extra)
    names = [fold(r["name"]) for r in shown]
    # Ananya Sen bought on Flipkart (name + PIN) and on Shopify (e-mail): one customer
    assert names.count(fold("Ananya Sen")) == 1
    ananya = next(r for r in shown if fold(r["name"]) == fold("Ananya Sen"))
    assert str(ananya["email"]).casefold() == "ananya.sen@example.in"
    # the Dhaka buyer's e-mail typed in two cases is one customer
    assert names.count(fold("ফারহানা রহমান")) == 1
    # three Flipkart buyers share PIN 700029 with her and are people of their own
    for other in ("Rohit Banerjee", "Mitali Ghosh", "Debjani Mukherjee"):
        assert names.count(fold(other)) == 1
    # the earliest order is the first contact (of those Mailchimp does not know earlier)
    lines = all_lines()
    lines["key"] = buyer_keys(lines)
    subscribed = set(lines[lines["email"].isin(mailchimp["Email Address"])]["key"])
    lines = lines[(lines["key"] != "") & ~lines["key"].isin(subscribed)]
    want_first = lines.groupby("name")["day"].min()
    for r in shown:
        if r["name"] in want_first.index:
            assert str(r["first_contact"])[:10] == want_first[r["name"]].isoformat(), r


def test_every_order_line_of_a_buyer_names_the_customer(shop):
    lines = all_lines()
    lines["key"] = buyer_keys(lines)
    shown = {str(r["line_id"]): r for r in shop.book.json("show", "Orders")}
    customer_of_key: dict[str, str] = {}
    for row in lines.itertuples():
        held = shown[row.line_id].get("customer_id") or ""
        if row.key == "":
            assert held == "", row  # Amazon hides its buyers
            continue
        assert held, row
        assert customer_of_key.setdefault(row.key, held) == held, row


def test_marketplace_buyers_get_rfm(shop):
    """RFM is made from every sale: the buyers with a sold line have an RFM score."""
    lines = line_net(all_lines(), all_returns())
    lines["key"] = buyer_keys(lines)
    buyers = set(lines[(lines["key"] != "") & lines["status"].isin(SOLD)]["name"].map(fold))
    shown = shop.book.json("show", "Customers")
    scored = {fold(r["name"]) for r in shown if r.get("rfm_score") not in (None, "")}
    assert scored == buyers


def test_revenue_by_channel_is_on_the_dashboard(shop):
    want = expected_sales(all_lines(), all_returns())["channels"]
    rows = shop.book.cells("By channel")
    printed = [cell_number(v) for r in rows for v in r.values()]
    labels = " ".join(str(v) for r in rows for v in r.values()).casefold()
    for channel, net in want.items():
        assert channel in labels, (channel, rows)
        assert net in printed, (channel, net, rows)


def test_revenue_by_channel_is_in_the_report(shop):
    want = expected_sales(all_lines(), all_returns())["channels"]
    report = shop.book.said("report", "--format", "md", *ALL_ORDERS)
    assert report.returncode == 0, report.stderr
    assert "Revenue by channel" in report.stdout, report.stdout
    section = report.stdout.split("Revenue by channel", 1)[1]
    printed = numbers_in(section)
    for channel, net in want.items():
        assert channel.casefold() in section.casefold(), channel
        assert net in printed, (channel, net)


def test_the_dashboard_shows_gross_refunds_and_net_by_channel(shop):
    """The Dashboard's "Revenue by channel" block: a row per channel and one for all of
    them (orders, gross sales, refunds, revenue), as the test computes them."""
    lines = line_net(all_lines(), all_returns())
    sold = lines[lines["status"].isin(SOLD)]
    rows = {}
    for row in grid(shop.book, "Dashboard"):
        at = next(i for i, v in enumerate(row) if v not in (None, ""))
        rows[str(row[at]).casefold()] = [cell_number(v) for v in row[at + 1 : at + 5]]
    want = {"all channels": sold}
    want.update({str(c): g for c, g in sold.groupby("channel")})
    for label, part in want.items():
        expected = [
            float(part["order_id"].nunique()),
            float(part["gross"].sum()),
            float(part["refunded"].sum()),
            float(part["net"].sum()),
        ]
        assert rows.get(label) == pytest.approx(expected), (label, rows.get(label))
