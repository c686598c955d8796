"""Sales from the Orders tab: gross, refunds and net revenue, orders, products, channels and
customers' totals, on hand-built frames checked against plain pandas arithmetic written
here (decision 2 of the seller work: only sold lines are revenue; Returns records refund
their amount, linked by line, else by order, else standalone; a returned line without
one is refunded whole; a line never refunds more than its total)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from sheetcrm.analytics import kpis
from sheetcrm.analytics.customers import customer_metrics
from sheetcrm.analytics.periods import Period
from sheetcrm.model.commerce import NOT_SOLD, SOLD

AS_OF = dt.date(2025, 9, 30)

ORDER = [
    "line_id",
    "order_id",
    "date",
    "channel",
    "status",
    "customer_id",
    "product",
    "sku",
    "quantity",
    "unit_price",
    "line_total",
    "campaign_id",
    "notes",
]
RETURN = [
    "return_id",
    "date",
    "line_id",
    "order_id",
    "kind",
    "status",
    "customer_id",
    "product",
    "quantity",
    "amount",
    "reason",
    "notes",
]
ACT = ["interaction_id", "date", "type", "customer_id", "amount", "product", "quantity", "order_id"]


def frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """A frame as ``CRM.frame`` returns it: object columns, blanks as None."""
    return pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=columns, dtype=object)


def when(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2025, 9, day, hour)


def line(lid: str, oid: str, day: int, channel: str | None, status: str | None, **kw: Any) -> dict:
    return {
        "line_id": lid,
        "order_id": oid,
        "date": when(day),
        "channel": channel,
        "status": status,
        **kw,
    }


def ret(rid: str, day: int, amount: float | None, **kw: Any) -> dict:
    return {"return_id": rid, "date": when(day), "amount": amount, "kind": "return", **kw}


def line_totals(orders: pd.DataFrame) -> pd.Series:
    """line_total, else quantity × unit price (quantity blank → 1), by plain pandas."""
    total = orders["line_total"].astype(float)
    fallback = orders["quantity"].astype(float).fillna(1.0) * orders["unit_price"].astype(float)
    return total.fillna(fallback).fillna(0.0)


def sold_mask(orders: pd.DataFrame) -> pd.Series:
    return orders["status"].isna() | orders["status"].isin(SOLD)


# --- one shop's month, by plain pandas ------------------------------------------------------


@pytest.fixture
def shop() -> dict[str, pd.DataFrame]:
    orders = frame(
        [
            # order A: two lines on Flipkart, both delivered; the second has no line total
            line(
                "L1",
                "A",
                2,
                "flipkart",
                "delivered",
                customer_id="C-1",
                product="Saree",
                quantity=1,
                line_total=1000.0,
            ),
            line(
                "L2",
                "A",
                2,
                "flipkart",
                "delivered",
                customer_id="C-1",
                product="Dupatta",
                quantity=2,
                unit_price=150.0,
            ),
            line(
                "L3", "B", 3, "amazon", "cancelled", product="Saree", quantity=1, line_total=1000.0
            ),
            line("L4", "C", 4, "amazon", "pending", product="Saree", quantity=1, line_total=500.0),
            line(
                "L5",
                "D",
                5,
                "shopify",
                "returned",
                customer_id="C-2",
                product="Kurta",
                quantity=1,
                line_total=800.0,
            ),
            line(
                "L6",
                "E",
                6,
                "shopify",
                "delivered",
                customer_id="C-2",
                product="Kurta",
                quantity=1,
                line_total=800.0,
            ),
            line("L7", "F", 7, None, None, customer_id="C-3", product="Tea", unit_price=50.0),
            line(
                "L8",
                "G",
                8,
                "amazon",
                "placed",
                customer_id="C-3",
                product="Tea",
                quantity=3,
                line_total=150.0,
            ),
        ],
        ORDER,
    )
    returns = frame(
        [
            ret("R1", 10, 300.0, line_id="L6", order_id="E", status="refunded"),  # partial
            ret("R2", 11, 999.0, line_id="L1", order_id="A", status="rejected"),  # void
            ret(
                "R3",
                12,
                40.0,
                order_id="X-9",
                status="refunded",
                customer_id="C-9",
                product="Honey",
            ),  # standalone: no such order
            ret("R4", 13, 1000.0, line_id="L3", order_id="B", status="refunded"),  # not sold
            ret("R5", 14, 75.0, order_id="A", status="approved"),  # by order: to L1 first
            ret("R6", 20, 10.0, line_id="L1", status="refunded"),
        ],
        RETURN,
    )
    returns.loc[returns["return_id"] == "R6", "date"] = dt.datetime(2025, 10, 2)  # future
    acts = frame(
        [
            # an older import's one interaction per invoice of order A: not counted again
            {
                "interaction_id": "I-1",
                "date": when(2),
                "type": "purchase",
                "customer_id": "C-1",
                "amount": 1300.0,
                "order_id": "A",
                "product": "Saree",
            },
            # a sale logged by hand, and a return logged by hand
            {
                "interaction_id": "I-2",
                "date": when(15),
                "type": "purchase",
                "customer_id": "C-4",
                "amount": 200.0,
                "product": "Honey",
                "quantity": 1,
            },
            {
                "interaction_id": "I-3",
                "date": when(16),
                "type": "return",
                "customer_id": "C-4",
                "amount": 20.0,
                "product": "Honey",
            },
            {"interaction_id": "I-4", "date": when(16), "type": "call", "customer_id": "C-4"},
        ],
        ACT,
    )
    return {"Orders": orders, "Returns": returns, "Interactions": acts}


def expected(frames: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The shop's figures with plain pandas, one rule at a time."""
    orders, returns, acts = frames["Orders"], frames["Returns"], frames["Interactions"]
    total = line_totals(orders)
    sold = sold_mask(orders)
    gross_lines = total[sold]
    live = ~returns["status"].isin(["rejected", "cancelled"]) & (
        pd.to_datetime(returns["date"]) < pd.Timestamp(AS_OF + dt.timedelta(days=1))
    )
    live_returns = returns[live]
    by_line = live_returns[live_returns["line_id"].isin(orders["line_id"])]
    sold_ids = orders.loc[sold, "line_id"]
    line_refund = (
        by_line[by_line["line_id"].isin(sold_ids)].groupby("line_id")["amount"].sum().astype(float)
    )
    line_total = pd.Series(total.to_numpy(), index=orders["line_id"])
    line_refund = line_refund.clip(upper=line_total.reindex(line_refund.index))
    rest = live_returns[~live_returns["line_id"].isin(orders["line_id"])]
    by_order = rest[rest["order_id"].isin(orders["order_id"])]["amount"].astype(float).sum()
    standalone = rest[~rest["order_id"].isin(orders["order_id"])]["amount"].astype(float).sum()
    undone = orders[sold & orders["status"].isin(["returned", "refunded"])]
    spoken = set(live_returns["line_id"].dropna()) | set(by_line["line_id"])
    whole = line_totals(undone)[~undone["line_id"].isin(spoken)].sum()
    logged = acts[acts["type"].isin(["purchase", "return"])]
    logged = logged[~((logged["type"] == "purchase") & logged["order_id"].isin(orders["order_id"]))]
    signed = logged["amount"].astype(float).abs() * logged["type"].map(
        {"purchase": 1.0, "return": -1.0}
    )
    gross = float(gross_lines.sum()) + float(signed[signed > 0].sum())
    refunds = float(line_refund.sum() + by_order + standalone + whole - signed[signed < 0].sum())
    logged_orders = (logged["type"] == "purchase").sum()
    return {
        "gross": round(gross, 2),
        "refunds": round(refunds, 2),
        "revenue": round(gross - refunds, 2),
        "orders": int(orders.loc[sold, "order_id"].nunique() + logged_orders),
    }


def test_revenue_is_sold_lines_less_refunds(shop):
    sales = kpis.sales(shop, AS_OF)
    want = expected(shop)
    money = kpis.sales_figures(sales)
    got_gross = round(float(sales.loc[sales["type"] == "purchase", "amount"].sum()), 2)
    got_refunds = round(float(-sales.loc[sales["type"] == "return", "amount"].sum()), 2)
    assert (got_gross, got_refunds) == (want["gross"], want["refunds"])
    assert money.revenue == want["revenue"]
    assert money.orders == want["orders"]
    # the same figures, spelled out: 1000 + 300 + 800 + 800 + 50 + 200 sold; refunded
    # 300 (R1) + 40 (R3) + 75 (R5) + 800 (L5 whole) + 20 (logged)
    assert (want["gross"], want["refunds"], want["orders"]) == (3150.0, 1235.0, 5)
    assert money.average_order_value == round(want["revenue"] / want["orders"], 2)


def test_cancelled_pending_and_placed_lines_are_never_revenue(shop):
    sales = kpis.sales(shop, AS_OF)
    not_sold = shop["Orders"][shop["Orders"]["status"].isin(NOT_SOLD)]
    assert set(not_sold["line_id"]) == {"L3", "L4", "L8"}
    assert not set(sales["line_id"].dropna()) & set(not_sold["line_id"])
    assert not set(sales["order_id"].dropna()) & {"B", "C", "G"}  # R4 refunds nothing


def test_a_returned_line_without_a_record_is_refunded_whole_and_a_partial_refund_is_its_amount(
    shop,
):
    lines = kpis.order_lines(shop, AS_OF)
    total = pd.Series(line_totals(shop["Orders"]).to_numpy(), index=shop["Orders"]["line_id"])
    assert lines.loc["L5", "refunded"] == total["L5"] and lines.loc["L5", "net"] == 0.0
    r1 = shop["Returns"].set_index("return_id").loc["R1", "amount"]
    assert lines.loc["L6", "refunded"] == r1
    assert lines.loc["L6", "net"] == total["L6"] - r1
    # the void R2 is ignored; the order-level R5 lands on A's first line; R6 is future
    assert lines.loc["L1", "refunded"] == 75.0 and lines.loc["L1", "net"] == 925.0
    assert lines.loc["L2", "refunded"] == 0.0 and lines.loc["L2", "net"] == 300.0
    # lines that are not sales earn nothing and refund nothing
    for lid in ("L3", "L4", "L8"):
        assert lines.loc[lid].tolist() == [0.0, 0.0]
    assert lines.loc["L7"].tolist() == [0.0, 50.0]  # blank status, quantity blank → 1 × 50
    nets = lines["net"].sum()
    sales = kpis.sales(shop, AS_OF)
    orders_part = sales[sales["line_id"].notna()]["amount"].sum()
    assert round(nets, 2) == round(orders_part, 2)


def test_void_returns_are_ignored_and_a_line_never_refunds_more_than_its_total():
    orders = frame(
        [
            line(
                "L1",
                "A",
                2,
                "flipkart",
                "returned",
                customer_id="C-1",
                product="Saree",
                quantity=1,
                line_total=599.0,
            )
        ],
        ORDER,
    )
    returns = frame(
        [
            ret("R1", 5, 599.0, line_id="L1", status="cancelled"),
            ret("R2", 6, 400.0, line_id="L1", status="refunded"),
            ret("R3", 7, 400.0, line_id="L1", status="refunded"),
        ],
        RETURN,
    )
    frames = {"Orders": orders, "Returns": returns}
    lines = kpis.order_lines(frames, AS_OF)
    live = returns[~returns["status"].isin(["rejected", "cancelled"])]
    capped = min(float(live["amount"].sum()), 599.0)
    assert lines.loc["L1"].tolist() == [capped, 599.0 - capped] == [599.0, 0.0]
    assert kpis.sales_figures(kpis.sales(frames, AS_OF)).revenue == 0.0
    # only void records: the returned line is refunded whole all the same
    only_void = {"Orders": orders, "Returns": returns[returns["return_id"] == "R1"]}
    assert kpis.order_lines(only_void, AS_OF).loc["L1"].tolist() == [599.0, 0.0]


def test_an_order_level_refund_is_spread_over_the_order_lines():
    orders = frame(
        [
            line(
                "#1001-1",
                "#1001",
                3,
                "shopify",
                "partially_refunded",
                customer_id="C-1",
                product="Scarf",
                quantity=1,
                unit_price=200.0,
            ),
            line(
                "#1001-2",
                "#1001",
                3,
                "shopify",
                "partially_refunded",
                customer_id="C-1",
                product="Bag",
                quantity=1,
                unit_price=300.0,
            ),
        ],
        ORDER,
    )
    returns = frame([ret("R1", 9, 250.0, order_id="#1001", kind="refund")], RETURN)
    frames = {"Orders": orders, "Returns": returns}
    lines = kpis.order_lines(frames, AS_OF)
    assert lines["refunded"].tolist() == [200.0, 50.0]
    assert lines["net"].sum() == 500.0 - 250.0
    # a refunded Shopify order with its Refunded Amount record is not refunded twice
    refunded = orders.assign(status="refunded")
    both = kpis.sales({"Orders": refunded, "Returns": returns}, AS_OF)
    assert kpis.sales_figures(both).revenue == 250.0


def test_a_logged_purchase_of_an_order_in_orders_is_not_counted_again(shop):
    sales = kpis.sales(shop, AS_OF)
    acts = shop["Interactions"]
    assert "A" in set(acts["order_id"]) and "A" in set(shop["Orders"]["order_id"])
    a = sales[sales["order_id"] == "A"]
    assert (a["type"] == "purchase").sum() == 2  # its two lines, not the interaction
    assert (
        a.loc[a["type"] == "purchase", "amount"].sum()
        == line_totals(shop["Orders"][shop["Orders"]["order_id"] == "A"]).sum()
    )
    # without the Orders tab the same interaction is a sale
    alone = kpis.sales({"Interactions": acts}, AS_OF)
    assert kpis.sales_figures(alone).revenue == 1300.0 + 200.0 - 20.0
    assert kpis.sales_figures(alone).orders == 2


def test_products_are_per_line(shop):
    sales = kpis.sales(shop, AS_OF)
    table = kpis.product_table(sales).set_index("product")
    lines = kpis.order_lines(shop, AS_OF)
    orders = shop["Orders"].set_index("line_id")
    per_product = lines["net"].groupby(orders["product"]).sum()
    assert table.loc["Saree", "revenue"] == per_product["Saree"] == 925.0
    assert table.loc["Dupatta", "revenue"] == per_product["Dupatta"] == 300.0
    assert table.loc["Kurta", "revenue"] == per_product["Kurta"]
    assert table.loc["Saree", "orders"] == 1 and table.loc["Dupatta", "orders"] == 1
    assert table.loc["Dupatta", "quantity"] == 2
    assert table.loc["Kurta", "orders"] == 2 and table.loc["Kurta", "returns"] == 2
    assert not any("more" in str(p) for p in table.index)


def test_channel_table_shares(shop):
    sales = kpis.sales(shop, AS_OF)
    table = kpis.channel_table(sales)
    assert list(table.columns) == kpis.CHANNEL_COLUMNS
    by = table.set_index("channel")
    want = sales.groupby("channel")["amount"].sum().round(2)
    assert by["revenue"].to_dict() == want.to_dict()
    assert by.loc["flipkart"].tolist()[:4] == [1, 1300.0, 75.0, 1225.0]
    assert by.loc["shopify", "gross"] == 1600.0 and by.loc["shopify", "refunds"] == 1100.0
    assert "amazon" not in by.index  # nothing sold there
    assert round(by["share"].sum(), 3) == 1.0
    total = sales["amount"].sum()
    assert by.loc["flipkart", "share"] == round(1225.0 / total, 4)
    assert table["revenue"].tolist() == sorted(table["revenue"], reverse=True)
    # a period: only what happened in it
    week = Period(dt.date(2025, 9, 1), dt.date(2025, 9, 8))
    early = kpis.channel_table(sales, week).set_index("channel")
    assert early.loc["shopify", "refunds"] == 800.0  # L5 returned, dated the 5th
    assert kpis.channel_table(sales.iloc[0:0]).empty


def test_customer_totals_and_rfm_come_from_the_order_lines(shop):
    customers = frame(
        [{"customer_id": c} for c in ("C-1", "C-2", "C-3", "C-4", "C-5")], ["customer_id"]
    )
    sales = kpis.sales(shop, AS_OF)
    metrics = customer_metrics(customers, shop["Interactions"], AS_OF, sales)
    want = sales.dropna(subset=["customer_id"]).groupby("customer_id")["amount"].sum().round(2)
    want = want[want.index.isin(customers["customer_id"])]  # C-9 is no customer here
    assert want.index.tolist() == ["C-1", "C-2", "C-3", "C-4"]
    assert metrics.loc[want.index, "total_spent"].tolist() == want.tolist()
    assert metrics.loc["C-1", "orders"] == 1  # one order of two lines
    assert metrics.loc["C-2", "orders"] == 2
    assert metrics.loc["C-1", "last_purchase"] == pd.Timestamp(2025, 9, 2)
    assert metrics.loc["C-1", "rfm_segment"] is not None  # a marketplace buyer has RFM
    assert metrics.loc["C-5", "orders"] == 0 and metrics.loc["C-5", "rfm_score"] is None


def test_monthly_orders_are_distinct_orders(shop):
    sales = kpis.sales(shop, AS_OF)
    trend = kpis.monthly(sales, frame([], ["contact_date"]), AS_OF)
    assert trend.loc["2025-09", "orders"] == expected(shop)["orders"]
    assert trend.loc["2025-09", "revenue"] == expected(shop)["revenue"]


def test_no_seller_tabs_gives_the_old_sales_table():
    acts = frame([{"date": when(3), "type": "purchase", "customer_id": "C-1", "amount": 10.0}], ACT)
    sales = kpis.sales({"Interactions": acts}, AS_OF)
    assert list(sales.columns) == kpis.SALE_COLUMNS
    assert sales["channel"].tolist() == [kpis.LOGGED_CHANNEL]
    assert sales["line_id"].tolist() == [None]
    empty = kpis.sales({}, AS_OF)
    assert list(empty.columns) == kpis.SALE_COLUMNS and empty.empty
    assert kpis.order_lines({}, AS_OF).empty


# --- through a refresh ----------------------------------------------------------------------

ORDERS_CSV = """\
line_id,order_id,date,channel,status,customer_id,product,quantity,unit_price,line_total
L1,A,2025-09-02,flipkart,delivered,C-1,Saree,1,,1000
L2,A,2025-09-02,flipkart,delivered,C-1,Dupatta,2,150,
L3,B,2025-09-03,amazon,cancelled,C-2,Saree,1,,1000
L5,D,2025-09-05,shopify,returned,C-2,Kurta,1,,800
L6,E,2025-09-06,shopify,delivered,C-2,Kurta,1,,800
"""
RETURNS_CSV = """return_id,date,line_id,order_id,kind,status,amount
R1,2025-09-10,L6,E,return,refunded,300
R2,2025-09-11,L1,A,return,rejected,999
"""
CUSTOMERS_CSV = """customer_id,name,email
C-1,Mitali Das,mitali@example.com
C-2,Rafiq Hasan,rafiq@example.com
"""


def test_refresh_writes_the_order_lines_and_the_buyers_totals(tmp_path, monkeypatch):
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.crm import CRM
    from sheetcrm.ingest.importer import import_file
    from sheetcrm.workbook.refresh import refresh

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    files = {}
    for name, text in (("c", CUSTOMERS_CSV), ("o", ORDERS_CSV), ("r", RETURNS_CSV)):
        files[name] = tmp_path / f"{name}.csv"
        files[name].write_text(text, encoding="utf-8")
    crm = CRM(backend=MemoryBackend())
    crm.init(seller=True)
    import_file(crm, files["c"], tab="Customers")
    import_file(crm, files["o"], tab="Orders")
    import_file(crm, files["r"], tab="Returns")
    refresh(crm, AS_OF)

    orders = pd.read_csv(files["o"])
    returns = pd.read_csv(files["r"])
    total = orders["line_total"].fillna(orders["quantity"] * orders["unit_price"])
    sold = orders["status"] != "cancelled"
    live = returns[returns["status"] != "rejected"].groupby("line_id")["amount"].sum()
    refunded = pd.Series(0.0, index=orders["line_id"])
    refunded.update(live)
    refunded[orders.loc[orders["status"] == "returned", "line_id"]] = total[
        orders["status"] == "returned"
    ].to_numpy()
    net = pd.Series(total.where(sold, 0.0).to_numpy(), index=orders["line_id"]) - refunded
    written = crm.frame("Orders").set_index("line_id")
    assert written["refunded"].astype(float).to_dict() == refunded.to_dict()
    assert written["net"].astype(float).to_dict() == net.to_dict()

    customers = crm.frame("Customers").set_index("customer_id")
    spent = net.groupby(orders.set_index("line_id")["customer_id"]).sum()
    assert customers["total_spent"].astype(float).to_dict() == spent.to_dict()
    assert customers["orders"].astype(int).to_dict() == {"C-1": 1, "C-2": 2}
    assert customers["rfm_segment"].notna().all()
    again = refresh(crm, AS_OF)
    assert not [op for op in again.changes.ops if getattr(op, "tab", None) == "Orders"]


def test_pending_and_placed_lines_are_pipeline_not_revenue(shop):
    orders = shop["Orders"]
    waiting = orders[orders["status"].isin(["pending", "placed"])]
    pending = kpis.pending_orders(shop, AS_OF)
    assert pending.revenue == line_totals(waiting).sum() == 650.0
    assert pending.orders == waiting["order_id"].nunique() == 2
    assert kpis.pending_orders({}, AS_OF) == kpis.SalesFigures(0.0, 0)
