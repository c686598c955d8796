"""The Dashboard and summary tabs: KPIs a small-business owner reads at a glance, tables by
source, segment, campaign, product, region and month, SPARKLINE trends and native charts.

Every figure is one ``analytics.kpis`` computes (once per refresh, in ``Insights``); this
module lays them out. Everything is written cell by cell only where it changed; teammates'
tabs are never touched. The seller surfaces — revenue by channel (gross, refunds, net),
each earnings programme's balance and its progress to the payout threshold, referral
rewards owed and paid, and the "By channel", "By programme" and "By tracking id" tabs — are
laid out only when the workbook has Orders lines or Earnings rows (or the tab is there
from before, so it is kept up to date), so a workbook without them is written exactly as
before. Charts are declared (``ChartSpec``) and the declaration is recorded
in ``_meta`` (``model.meta``), so a chart sheetcrm no longer draws is removed while
teammates' own charts are left alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sheetcrm.analytics import kpis
from sheetcrm.model.changes import (
    AddTab,
    CellFormula,
    ChangeSet,
    ChartSpec,
    Formatted,
    Protect,
    PutCells,
    SetCharts,
)
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import Meta
from sheetcrm.model.values import is_blank, values_equal
from sheetcrm.workbook.look import PLAIN, Look

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights
    from sheetcrm.crm import CRM

GENERATED = (
    "Dashboard",
    "By source",
    "By segment",
    "By campaign",
    "By product",
    "By region",
    "By month",
)
#: Summary tabs of a seller's workbook, made once it has Orders lines (By channel) or
#: Earnings rows (By programme, By tracking id).
SELLER_GENERATED = ("By channel", "By programme", "By tracking id")
#: Every tab this module may write (what a refresh reads).
ALL_GENERATED = (*GENERATED, *SELLER_GENERATED)
GENERATED_NOTE = "sheetcrm generates this tab"
SPARK = "▁▂▃▄▅▆▇█"
KPI_ROW, MONTH_ROW, SOURCE_COL, SIDE_ROW, TASK_ROW, CHART_COL = 2, 14, 6, 14, 22, 11
TREND_COLUMN = {"leads": "B", "orders": "C", "revenue": "D", "aov": "E"}
CAMPAIGN_HEADER = [
    "Campaign",
    "Channel",
    "Leads",
    "Customers",
    "Revenue",
    "Budget",
    "CTR (%)",
    "ROI (%)",
    "Cost per customer",
]
CHANNEL_HEADER = ["Channel", "Orders", "Gross sales", "Refunds", "Revenue", "Share of revenue (%)"]
PROGRAMME_HEADER = [
    "Programme",
    "Source",
    "Events",
    "Pending",
    "Approved",
    "Paid",
    "Cancelled",
    "Balance (approved, unpaid)",
    "Payout threshold",
    "To threshold",
    "Progress to payout (%)",
]
TRACKING_HEADER = ["Tracking id", "Events", "Sale amount", "Earned", "Pending"]
#: The source of referral rewards: money paid out, never income.
REFERRAL = "referral"
Put = Callable[[int, int, list[Any]], None]


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _float(value: Any) -> float:
    """A number for arithmetic: blank and NaN count as 0."""
    return 0.0 if is_blank(value) else float(value)


def _none(value: Any) -> Any:
    return None if is_blank(value) else value


def _cash(look: Look, value: Any) -> Formatted | None:
    """An amount for a money cell, never a negative zero (a refund of nothing)."""
    return look.cash(None if is_blank(value) else float(value) + 0.0)


def _percent(value: Any) -> float | None:
    return None if is_blank(value) else round(100 * float(value), 1)


def spark(values: list[float]) -> str:
    """A text sparkline for spreadsheets without SPARKLINE (Excel, LibreOffice)."""
    numbers = [_float(v) for v in values]
    low, high = min(numbers, default=0), max(numbers, default=0)
    if high == low:
        return SPARK[0] * len(numbers)
    return "".join(SPARK[round((v - low) / (high - low) * (len(SPARK) - 1))] for v in numbers)


def kpi_rows(ins: Insights, look: Look = PLAIN) -> list[tuple[str, Any, Any, str | None]]:
    """(label, this month, last month, trend column) for each headline KPI."""
    this, last = ins.monthly.iloc[-1], ins.monthly.iloc[-2]
    conv = kpis.conversion(ins.frames["Leads"])
    pipe = kpis.pipeline(ins.frames["Leads"])
    active = kpis.active_customers(ins.customers, ins.sales, ins.as_of)
    inactive = len(kpis.inactive_customers(ins.customers, ins.sales, ins.as_of))
    days = kpis.ACTIVE_DAYS
    return [
        ("New leads", int(this["leads"]), int(last["leads"]), "leads"),
        ("Revenue", look.cash(this["revenue"]), look.cash(last["revenue"]), "revenue"),
        ("Orders", int(this["orders"]), int(last["orders"]), "orders"),
        ("Average order value", look.cash(this["aov"]), look.cash(last["aov"]), "aov"),
        ("Conversion rate, all leads (%)", _percent(conv.rate), None, None),
        (f"Active customers (bought in {days} days)", active, None, None),
        (f"Inactive customers (bought, not in {days} days)", inactive, None, None),
        ("Open pipeline value", look.cash(pipe.value), None, None),
        ("Weighted forecast", look.cash(pipe.weighted), None, None),
        ("Overdue tasks", len(ins.overdue), None, None),
    ]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Formatted) else value


def _put_kpis(put: Put, ins: Insights, look: Look) -> None:
    first, end = MONTH_ROW + 1, MONTH_ROW + 1 + len(ins.monthly)
    put(KPI_ROW, 0, ["KPI", "This month", "Last month", "Change (%)", "Trend (12 months)"])
    for i, (label, now, before, key) in enumerate(kpi_rows(ins, look)):
        was = _plain(before)
        change = _pct((_plain(now) or 0) - was, was) if key and was else None
        cell: Any = None
        if key:
            col = TREND_COLUMN[key]
            trend = spark(list(ins.monthly[key]))
            cell = CellFormula(f"=SPARKLINE({col}{first + 1}:{col}{end})", trend)
        put(KPI_ROW + 1 + i, 0, [label, now, before, change, cell])
    put(MONTH_ROW, 0, ["Month", "New leads", "Orders", "Revenue", "Average order value"])
    for i, row in enumerate(month_rows(ins, look)):
        put(first + i, 0, [row[0], row[1], row[2], row[3], row[5]])


def _put_side_tables(put: Put, ins: Insights, look: Look) -> tuple[int, int]:
    """Leads by source, best campaigns and overdue tasks per assignee; the number of source
    and campaign rows (the charts' ranges)."""
    by_source = source_rows(ins)[:8]
    put(KPI_ROW, SOURCE_COL, ["Source", "Leads", "Converted", "Conversion rate (%)"])
    for i, row in enumerate(by_source):
        put(KPI_ROW + 1 + i, SOURCE_COL, row[:4])
    table = kpis.by_roi(ins.campaign_table)
    best = table[table["roi"].notna()].head(5)
    put(SIDE_ROW, SOURCE_COL, ["Best campaigns", "ROI (%)", "Revenue", "Budget"])
    for i, c in enumerate(best.to_dict("records")):
        row = [c["name"], _percent(c["roi"]), look.cash(c["revenue"]), look.cash(c["budget"])]
        put(SIDE_ROW + 1 + i, SOURCE_COL, row)
    put(TASK_ROW, SOURCE_COL, ["Assignee", "Overdue tasks"])
    for i, (who, n) in enumerate(kpis.overdue_by_assignee(ins.overdue).items()):
        put(TASK_ROW + 1 + i, SOURCE_COL, [who, n])
    return len(by_source), len(best)


def _charts(months: int, sources: int, campaigns: int) -> list[ChartSpec]:
    first, end = MONTH_ROW + 1, MONTH_ROW + 1 + months
    charts = [
        ChartSpec(
            "Revenue by month", "line", (KPI_ROW, CHART_COL), (0, first, end), ((3, first, end),)
        ),
        ChartSpec(
            "Leads by source",
            "pie",
            (KPI_ROW + 18, CHART_COL),
            (SOURCE_COL, KPI_ROW + 1, KPI_ROW + 1 + sources),
            ((SOURCE_COL + 1, KPI_ROW + 1, KPI_ROW + 1 + sources),),
        ),
        ChartSpec(
            "Campaign ROI (%)",
            "bar",
            (KPI_ROW + 36, CHART_COL),
            (SOURCE_COL, SIDE_ROW + 1, SIDE_ROW + 1 + campaigns),
            ((SOURCE_COL + 1, SIDE_ROW + 1, SIDE_ROW + 1 + campaigns),),
        ),
    ]
    return [c for c in charts if c.domain[2] > c.domain[1]]


def dashboard_grid(ins: Insights, look: Look = PLAIN) -> tuple[list[list[Any]], list[ChartSpec]]:
    """The Dashboard's cells (row 0 first) and its charts."""
    grid: dict[tuple[int, int], Any] = {}

    def put(r: int, c: int, values: list[Any]) -> None:
        for i, v in enumerate(values):
            grid[(r, c + i)] = v

    put(0, 0, ["Dashboard", f"as of {look.day(ins.as_of)}"])
    if look.marker:
        put(0, 2, [look.marker])
    _put_kpis(put, ins, look)
    sources, campaigns = _put_side_tables(put, ins, look)
    charts = _charts(len(ins.monthly), sources, campaigns)
    top = MONTH_ROW + 2 + len(ins.monthly)
    if has_orders(ins):
        channels = channel_rows(ins, look)
        put(top, 0, ["Revenue by channel", *CHANNEL_HEADER[1:]])
        for i, row in enumerate(channels):
            put(top + 1 + i, 0, row)
        put(top + 1 + len(channels), 0, channel_total(ins, look))
        charts.append(_channel_chart(top, len(channels)))
        top += len(channels) + 3
    if has_earnings(ins):
        _put_earnings(put, top, ins, look)
    return _rows(grid), charts


def has_orders(ins: Insights) -> bool:
    """Whether the workbook has Orders lines (the channel surfaces are shown)."""
    orders = ins.frames.get("Orders")
    return orders is not None and len(orders) > 0


def has_earnings(ins: Insights) -> bool:
    """Whether the workbook has Earnings rows (the earnings surfaces are shown)."""
    return not ins.earnings.empty


def _channel_chart(top: int, channels: int) -> ChartSpec:
    return ChartSpec(
        "Revenue by channel",
        "pie",
        (KPI_ROW + 54, CHART_COL),
        (0, top + 1, top + 1 + channels),
        ((4, top + 1, top + 1 + channels),),
    )


def channel_total(ins: Insights, look: Look = PLAIN) -> list[Any]:
    """All channels: orders, gross sales, refunds, net revenue."""
    table = ins.channel_table
    return [
        "All channels",
        int(sum(_float(v) for v in table["orders"])),
        _cash(look, sum(_float(v) for v in table["gross"])),
        _cash(look, sum(_float(v) for v in table["refunds"])),
        _cash(look, sum(_float(v) for v in table["revenue"])),
        None,
    ]


def _put_earnings(put: Put, top: int, ins: Insights, look: Look) -> None:
    """Each income programme's balance and progress to its payout threshold, then income
    earned and pending and referral rewards owed and paid."""
    header = ["Earnings programme", "Source", "Balance", "Payout threshold", "To threshold"]
    put(top, 0, [*header, "Progress to payout (%)"])
    income = [s != REFERRAL for s in ins.earnings.programmes["source"]]
    rows = [r for r, keep in zip(earnings_rows(ins, look), income, strict=True) if keep]
    for i, r in enumerate(rows):
        put(top + 1 + i, 0, [r[0], r[1], r[7], r[8], r[9], r[10]])
    at = top + 2 + len(rows)
    e = ins.earnings
    totals = [
        ("Earned (approved or paid)", e.earned),
        ("Earnings pending", e.pending),
        ("Balance owed to you", e.balance),
        ("Referral rewards owed", e.rewards_owed),
        ("Referral rewards paid", e.rewards_paid),
    ]
    for i, (label, amount) in enumerate(totals):
        put(at + i, 0, [label, _cash(look, amount)])


def _rows(cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    height = max((r for r, _ in cells), default=-1) + 1
    width = max((c for _, c in cells), default=-1) + 1
    return [[cells.get((r, c)) for c in range(width)] for r in range(height)]


def source_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Source, leads, converted, conversion rate (%), customers, revenue."""
    return [
        [
            look.choice("Leads.source", r["source"]),
            r["leads"],
            r["converted"],
            _percent(r["rate"]),
            r["customers"],
            _cash(look, r["revenue"]),
        ]
        for r in ins.by_source.to_dict("records")
    ]


def campaign_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Campaign, channel, leads, customers, revenue, budget, CTR (%), ROI (%), CPA."""
    return [
        [
            c["name"],
            look.choice("Campaigns.channel", c["channel"]),
            c["leads"],
            c["customers"],
            _cash(look, c["revenue"]),
            _cash(look, c["budget"]),
            _percent(c["ctr"]),
            _percent(c["roi"]),
            _cash(look, c["cpa"]),
        ]
        for c in ins.campaign_table.to_dict("records")
    ]


def month_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Month (named in the calendar), new leads, orders, revenue, returns, average order
    value."""
    return [
        [
            look.month(p),
            int(r["leads"]),
            int(r["orders"]),
            _cash(look, r["revenue"]),
            _cash(look, r["returns"]),
            _cash(look, r["aov"]),
        ]
        for p, r in ins.monthly.iterrows()
    ]


def segment_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Segment, customers, revenue, average order value, share of revenue (%)."""
    return [
        [
            s["segment"],
            s["customers"],
            _cash(look, s["revenue"]),
            _cash(look, s["average_order_value"]),
            _percent(s["share"]),
        ]
        for s in ins.segment_table.to_dict("records")
    ]


def region_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Country, city, customers, revenue."""
    return [
        [r["country"], r["city"], r["customers"], _cash(look, r["revenue"])]
        for r in ins.region_table.to_dict("records")
    ]


def product_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Product, orders, quantity, revenue, returns (the 500 best sellers)."""
    return [
        [r["product"], r["orders"], r["quantity"], _cash(look, r["revenue"]), r["returns"]]
        for r in kpis.product_table(ins.sales).head(500).to_dict("records")
    ]


def channel_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Channel, orders, gross sales, refunds, net revenue, share of net revenue (%)."""
    return [
        [
            look.choice("Orders.channel", r["channel"]),
            int(_float(r["orders"])),
            _cash(look, r["gross"]),
            _cash(look, r["refunds"]),
            _cash(look, r["revenue"]),
            _percent(r["share"]),
        ]
        for r in ins.channel_table.to_dict("records")
    ]


def earnings_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Per programme: source, events, pending, approved, paid, cancelled, balance, payout
    threshold, what the balance lacks to reach it, progress (%)."""
    return [
        [
            r["programme"],
            look.choice("Earnings.source", r["source"]),
            int(_float(r["events"])),
            _cash(look, r["pending"]),
            _cash(look, r["approved"]),
            _cash(look, r["paid"]),
            _cash(look, r["cancelled"]),
            _cash(look, r["balance"]),
            _cash(look, r["threshold"]),
            _cash(look, r["to_threshold"]),
            _percent(r["progress"]),
        ]
        for r in ins.earnings.programmes.to_dict("records")
    ]


def tracking_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Tracking id (a video, a post), events, sale amount, earned, pending."""
    return [
        [
            _none(r["tracking_id"]),
            int(_float(r["events"])),
            _cash(look, r["sale_amount"]),
            _cash(look, r["earned"]),
            _cash(look, r["pending"]),
        ]
        for r in ins.earnings.by_tracking.to_dict("records")
    ]


def seller_grids(
    ins: Insights, look: Look = PLAIN, present: frozenset[str] = frozenset()
) -> dict[str, list[list[Any]]]:
    """The seller summary tabs that have data, or are ``present`` in the workbook already
    (kept up to date, down to a header once their data is gone)."""
    tabs: dict[str, list[list[Any]]] = {}
    if has_orders(ins) or "By channel" in present:
        tabs["By channel"] = [CHANNEL_HEADER, *(channel_rows(ins, look) if has_orders(ins) else [])]
    earnings = has_earnings(ins)
    if earnings or "By programme" in present:
        tabs["By programme"] = [PROGRAMME_HEADER, *(earnings_rows(ins, look) if earnings else [])]
    if earnings or "By tracking id" in present:
        rows = tracking_rows(ins, look) if earnings else []
        tabs["By tracking id"] = [TRACKING_HEADER, *rows]
    return tabs


def summary_grids(ins: Insights, look: Look = PLAIN) -> dict[str, list[list[Any]]]:
    """The summary tabs: a header row and one row per group."""
    return {
        "By source": [
            ["Source", "Leads", "Converted", "Conversion rate (%)", "Customers", "Revenue"],
            *source_rows(ins, look),
        ],
        "By segment": [
            ["Segment", "Customers", "Revenue", "Average order value", "Share of revenue (%)"],
            *segment_rows(ins, look),
        ],
        "By campaign": [
            CAMPAIGN_HEADER,
            *campaign_rows(ins, look),
        ],
        "By product": [
            ["Product", "Orders", "Quantity", "Revenue", "Returns"],
            *product_rows(ins, look),
        ],
        "By region": [["Country", "City", "Customers", "Revenue"], *region_rows(ins, look)],
        "By month": [
            ["Month", "New leads", "Orders", "Revenue", "Returns", "Average order value"],
            *month_rows(ins, look),
        ],
    }


def _same(current: Any, formula: str | None, wanted: Any, restyle: bool) -> bool:
    if isinstance(wanted, CellFormula):
        return formula == wanted.text or values_equal(current, wanted.fallback)
    if isinstance(wanted, Formatted):
        return not restyle and formula is None and values_equal(current, wanted.value)
    return formula is None and values_equal(current, wanted)


def diff_cells(
    grid: TabGrid | None, rows: list[list[Any]], *, restyle: bool = False
) -> tuple[tuple[int, int, Any], ...]:
    """Cells of a generated tab to write: changed ones, and stale ones to clear
    (``restyle``: every amount too, because the money format changed)."""
    current: dict[tuple[int, int], tuple[Any, str | None]] = {}
    if grid is not None:
        for c, v in enumerate(grid.header):
            current[(0, c)] = (v, None)
        for r, row in enumerate(grid.rows, start=1):
            for c, v in enumerate(row):
                current[(r, c)] = (v, grid.formulas.get((r - 1, c)))
        for (r, c), text in grid.formulas.items():
            current[(r + 1, c)] = (current.get((r + 1, c), (None, None))[0], text)
    out = []
    wanted = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)}
    for key, value in wanted.items():
        have, formula = current.get(key, (None, None))
        if not _same(have, formula, value, restyle):
            out.append((*key, value))
    for key, (have, formula) in current.items():
        if key not in wanted and (not is_blank(have) or formula):
            out.append((*key, None))
    return tuple(sorted(out, key=lambda t: (t[0], t[1])))


def plan_dashboard(crm: CRM, grids: dict[str, TabGrid], ins: Insights) -> ChangeSet:
    """Create missing generated tabs and write what changed in them; declare the charts."""
    changes = ChangeSet()
    look = Look.of(crm)
    dash, charts = dashboard_grid(ins, look)
    present = frozenset(t for t in SELLER_GENERATED if grids.get(t) is not None)
    tabs = {"Dashboard": dash, **summary_grids(ins, look), **seller_grids(ins, look, present)}
    current = grids.get("Dashboard")
    noted = current.header[2] if current is not None and len(current.header) > 2 else None
    restyle = current is not None and (noted or "") != look.marker
    for name, rows in tabs.items():
        grid = grids.get(name)
        if grid is None:
            changes.add(AddTab(name, ()))
        cells = diff_cells(grid, rows, restyle=restyle)
        if cells:
            changes.add(PutCells(name, cells))
        if grid is None or grid.layout.protections.get(GENERATED_NOTE) != (None, None):
            changes.add(Protect(name, GENERATED_NOTE))
    have = current.layout.charts if current is not None else set()
    want = {c.key: c for c in charts}
    meta = Meta.of(grids)
    install = tuple(c for k, c in want.items() if k not in have)
    drop = tuple(
        sorted(c.key for c in meta.charts("Dashboard") if c.key not in want and c.key in have)
    )
    if install or drop:
        changes.add(SetCharts("Dashboard", install, drop))
    changes.extend(meta.set_charts("Dashboard", charts))
    return changes
