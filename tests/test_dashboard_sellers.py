"""The seller surfaces of the Dashboard: revenue by channel (gross, refunds, net), earnings
balances with progress to the payout threshold, referral rewards owed and paid, and the
"By channel", "By programme" and "By tracking id" tabs — laid out from the tables
``Insights`` holds, and only when the workbook has Orders lines or Earnings rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pandas as pd
import pytest
from contract.harness import sheets_backend

from sheetcrm.analytics.earnings import EarningsTables
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.emulator import Emulator
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet, PutCells, SetCharts
from sheetcrm.workbook import refresh as refresh_module
from sheetcrm.workbook.dashboard import (
    ALL_GENERATED,
    GENERATED,
    SELLER_GENERATED,
    dashboard_grid,
    plan_dashboard,
    seller_grids,
)
from sheetcrm.workbook.refresh import compute, refresh

DAY = dt.date(2026, 11, 21)

CHANNELS = pd.DataFrame(
    {
        "channel": ["flipkart", "amazon", "shopify"],
        "orders": [5, 3, 2],
        "gross": [12500.0, 4300.0, 2000.0],
        "refunds": [599.0, 0.0, 150.0],
        "revenue": [11901.0, 4300.0, 1850.0],
        "share": [11901 / 18051, 4300 / 18051, 1850 / 18051],
    }
)
PROGRAMMES = pd.DataFrame(
    {
        "programme": ["Flipkart Affiliate", "Shopsy", "Refer a friend"],
        "source": ["affiliate", "reseller", "referral"],
        "events": [4, 3, 2],
        "pending": [120.0, 40.0, 100.0],
        "approved": [640.0, 60.0, 50.0],
        "paid": [300.0, 80.0, 50.0],
        "cancelled": [45.0, 0.0, 0.0],
        "balance": [340.0, 60.0, 0.0],
        "threshold": [1000.0, None, None],
        "to_threshold": [660.0, None, None],
        "progress": [0.34, None, None],
    }
)
TRACKING = pd.DataFrame(
    {
        "tracking_id": ["yt-diwali-haul", "ig-reel-7", None],
        "events": [3, 1, 3],
        "sale_amount": [9800.0, 1500.0, 2400.0],
        "earned": [640.0, 120.0, 140.0],
        "pending": [80.0, 40.0, 40.0],
    }
)
EARNINGS = EarningsTables(
    programmes=PROGRAMMES,
    by_tracking=TRACKING,
    earned=1080.0,
    pending=160.0,
    balance=400.0,
    rewards_owed=150.0,
    rewards_paid=50.0,
)
ORDER_LINE = pd.DataFrame({"line_id": ["OD1-1"], "order_id": ["OD1"], "line_total": [599.0]})


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def demo():
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, DAY)
    grids = crm.backend.read()
    return crm, compute(crm, grids, DAY)


def seller(ins, *, orders=True, earnings=True):
    """``ins`` with a seller's tables, as SALES and EARN compute them."""
    frames = dict(ins.frames)
    if orders:
        frames["Orders"] = ORDER_LINE
    return dataclasses.replace(
        ins,
        frames=frames,
        channel_table=CHANNELS if orders else ins.channel_table,
        earnings=EARNINGS if earnings else EarningsTables(),
    )


def cells(rows):
    return {r[0]: r for r in rows if r and isinstance(r[0], str)}


def plain(value):
    return getattr(value, "value", value)


def test_an_old_workbook_gets_no_seller_surfaces(demo):
    _, ins = demo
    assert seller_grids(ins) == {}
    rows, charts = dashboard_grid(ins)
    labels = {r[0] for r in rows if r}
    assert not labels & {"Revenue by channel", "Earnings programme", "Referral rewards owed"}
    assert "Revenue by channel" not in {c.title for c in charts}
    assert set(ALL_GENERATED) == {*GENERATED, *SELLER_GENERATED}


def test_revenue_by_channel_on_the_dashboard_and_its_tab(demo):
    _, ins = demo
    rows, charts = dashboard_grid(seller(ins, earnings=False))
    by_label = cells(rows)
    head = by_label["Revenue by channel"]
    assert head[1:6] == ["Orders", "Gross sales", "Refunds", "Revenue", "Share of revenue (%)"]
    start = rows.index(head)
    flip = rows[start + 1]
    assert [plain(v) for v in flip[:6]] == ["flipkart", 5, 12500.0, 599.0, 11901.0, 65.9]
    total = by_label["All channels"]
    assert [plain(v) for v in total[1:5]] == [10, 18800.0, 749.0, 18051.0]
    assert rows.index(total) == start + 4
    assert "Earnings programme" not in by_label
    chart = next(c for c in charts if c.title == "Revenue by channel")
    assert chart.domain == (0, start + 1, start + 4)
    tabs = seller_grids(seller(ins, earnings=False))
    assert list(tabs) == ["By channel"]
    tab = tabs["By channel"]
    assert [[plain(v) for v in r] for r in tab[1:]] == [
        ["flipkart", 5, 12500.0, 599.0, 11901.0, 65.9],
        ["amazon", 3, 4300.0, 0.0, 4300.0, 23.8],
        ["shopify", 2, 2000.0, 150.0, 1850.0, 10.2],
    ]


def test_earnings_balance_progress_and_referral_rewards(demo):
    _, ins = demo
    rows, _ = dashboard_grid(seller(ins, orders=False))
    by_label = cells(rows)
    assert "Revenue by channel" not in by_label
    flip = by_label["Flipkart Affiliate"]
    assert [plain(v) for v in flip[:6]] == [
        "Flipkart Affiliate",
        "affiliate",
        340.0,
        1000.0,
        660.0,
        34.0,
    ]
    shopsy = [plain(v) for v in by_label["Shopsy"][:6]]
    assert shopsy == ["Shopsy", "reseller", 60.0, None, None, None]
    assert "Refer a friend" not in by_label  # rewards paid out are not an income balance
    assert plain(by_label["Referral rewards owed"][1]) == 150.0
    assert plain(by_label["Referral rewards paid"][1]) == 50.0
    assert plain(by_label["Balance owed to you"][1]) == 400.0
    assert plain(by_label["Earned (approved or paid)"][1]) == 1080.0
    tabs = seller_grids(seller(ins, orders=False))
    assert list(tabs) == ["By programme", "By tracking id"]
    programmes = tabs["By programme"]
    assert [r[0] for r in programmes[1:]] == ["Flipkart Affiliate", "Shopsy", "Refer a friend"]
    assert [plain(v) for v in programmes[1][7:]] == [340.0, 1000.0, 660.0, 34.0]
    tracking = tabs["By tracking id"]
    assert tracking[0] == ["Tracking id", "Events", "Sale amount", "Earned", "Pending"]
    assert [[plain(v) for v in r] for r in tracking[1:3]] == [
        ["yt-diwali-haul", 3, 9800.0, 640.0, 80.0],
        ["ig-reel-7", 1, 1500.0, 120.0, 40.0],
    ]
    assert tracking[3][0] is None


def test_both_blocks_stack_below_the_month_table(demo):
    _, ins = demo
    rows, _ = dashboard_grid(seller(ins))
    labels = [r[0] if r else None for r in rows]
    month = labels.index("Month")
    channel = labels.index("Revenue by channel")
    earnings = labels.index("Earnings programme")
    assert month + len(ins.monthly) < channel < earnings
    assert labels[channel + 1 + len(CHANNELS)] == "All channels"


def written(changes):
    return [op for op in changes.ops if isinstance(op, (AddTab, PutCells, SetCharts))]


def test_a_refresh_makes_the_seller_tabs_once_and_then_writes_nothing(monkeypatch):
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, DAY)
    refresh(crm, DAY)
    grids = crm.backend.read()
    ins = compute(crm, grids, DAY)
    assert written(plan_dashboard(crm, grids, ins)) == []  # an old workbook: nothing new
    first = plan_dashboard(crm, grids, seller(ins))
    assert {op.tab for op in first.ops if isinstance(op, AddTab)} == set(SELLER_GENERATED)
    charts = [c.title for op in first.ops if isinstance(op, SetCharts) for c in op.install]
    assert charts == ["Revenue by channel"]
    real = refresh_module.compute
    monkeypatch.setattr(refresh_module, "compute", lambda *a: seller(real(*a)))
    refresh(crm, DAY)
    assert set(SELLER_GENERATED) <= set(crm.backend.tabs)
    grid = crm.backend.read(["By channel"])["By channel"]
    assert grid.header[0] == "Channel" and grid.rows[0][0] == "flipkart"
    dash = crm.backend.read(["Dashboard"])["Dashboard"]
    assert "Revenue by channel" in {r[0] for r in dash.rows if r}
    grids = crm.backend.read()
    assert written(plan_dashboard(crm, grids, seller(compute(crm, grids, DAY)))) == []


def test_seller_tabs_already_there_are_kept_when_their_data_is_gone(monkeypatch):
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, DAY)
    real = refresh_module.compute
    monkeypatch.setattr(refresh_module, "compute", lambda *a: seller(real(*a)))
    refresh(crm, DAY)
    monkeypatch.setattr(refresh_module, "compute", real)
    refresh(crm, DAY)
    grid = crm.backend.read(["By channel"])["By channel"]
    assert grid.header[0] == "Channel" and not any(any(v for v in r) for r in grid.rows)
    dash = crm.backend.read(["Dashboard"])["Dashboard"]
    assert "Revenue by channel" not in {r[0] for r in dash.rows if r}


LINES = [  # channel, status, line total: what each channel's pandas sums below are of
    ("flipkart", "delivered", 599.0),
    ("flipkart", "returned", 650.0),
    ("amazon", "shipped", 108.0),
    ("shopify", "cancelled", 250.0),
]


def seller_workbook(backend):
    """The demo workbook with the seller tabs and a few Orders lines and Earnings rows."""
    crm = CRM(backend=backend)
    write_demo(crm, DAY)
    crm.init(seller=True)
    changes = ChangeSet()
    for i, (channel, status, total) in enumerate(LINES):
        line = {"line_id": f"OD{i}-1", "order_id": f"OD{i}", "date": dt.date(2026, 11, 3)}
        line.update(channel=channel, status=status, product="Jamdani Saree", quantity=1)
        changes.add(AppendRow("Orders", {**line, "line_total": total}))
    earning = {"date": dt.date(2026, 11, 3), "reference": "x", "amount": 80.0}
    changes.add(
        AppendRow(
            "Earnings",
            {**earning, "earning_id": "E1", "source": "affiliate", "status": "approved"}
            | {"programme": "Flipkart Affiliate", "tracking_id": "yt-diwali-haul"},
        )
    )
    changes.add(
        AppendRow(
            "Earnings",
            {**earning, "earning_id": "E2", "source": "referral", "status": "pending"}
            | {"programme": "Refer a friend", "amount": 100.0, "reference": "y"},
        )
    )
    crm.backend.apply(changes, crm.schema)
    return crm


@pytest.mark.parametrize("kind", ["memory", "xlsx"])
def test_a_sellers_refresh_with_the_real_tables(kind, tmp_path, monkeypatch):
    """The tables as SALES and EARN compute them from real tabs: cancelled lines are not
    revenue, a returned one is refunded whole; a second refresh writes nothing."""
    path = tmp_path / "crm.xlsx"
    crm = seller_workbook(MemoryBackend() if kind == "memory" else XlsxBackend(path))
    refresh(crm, DAY)
    lines = pd.DataFrame(LINES, columns=["channel", "status", "total"])
    sold = lines[lines["status"] != "cancelled"]
    gross = sold.groupby("channel")["total"].sum()
    refunds = sold[sold["status"] == "returned"].groupby("channel")["total"].sum()
    grid = crm.read(["By channel"])["By channel"]
    got = {r[0]: r for r in grid.rows}
    for channel, amount in gross.items():
        assert got[channel][2] == amount
        assert got[channel][3] == refunds.get(channel, 0.0)
        assert got[channel][4] == amount - refunds.get(channel, 0.0)
    assert "shopify" not in got
    dash = cells(crm.read(["Dashboard"])["Dashboard"].rows)
    assert dash["Flipkart Affiliate"][2] == 80.0
    assert dash["Referral rewards owed"][1] == 100.0
    tracking = crm.read(["By tracking id"])["By tracking id"]
    assert tracking.rows[0][:1] == ["yt-diwali-haul"]
    before = path.read_bytes() if kind == "xlsx" else None
    again = refresh(crm, DAY)
    assert again.changes.counts()["generated_cells"] == 0
    assert sum(again.changes.counts().values()) == 0
    if before is not None:
        assert path.read_bytes() == before


def test_a_sellers_dashboard_through_the_sheets_api(monkeypatch):
    """On Google Sheets (the emulator): the seller tabs are made, protected like the other
    generated tabs, the channels' pie is a native chart, and a second refresh writes
    nothing."""
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = seller_workbook(sheets_backend(emu, ss.id))
    refresh(crm, DAY)
    meta = emu.handle(
        "GET",
        f"https://sheets.googleapis.com/v4/spreadsheets/{ss.id}?fields="
        "sheets(properties.title,charts(chartId,spec.title),protectedRanges(description))",
        None,
    )
    sheets = {s["properties"]["title"]: s for s in json.loads(meta.body)["sheets"]}
    assert set(SELLER_GENERATED) <= set(sheets)
    titles = {c["spec"]["title"] for c in sheets["Dashboard"]["charts"]}
    assert "Revenue by channel" in titles
    for name in SELLER_GENERATED:
        assert sheets[name].get("protectedRanges"), name
    emu.stats.reset()
    assert not refresh(crm, DAY).changes
    assert emu.stats.writes == 0
