"""The Dashboard and summary tabs: KPIs a small-business owner reads at a glance, tables by
source, segment, campaign, product, region and month, SPARKLINE trends and native charts.

Everything is generated from the refreshed data and written cell by cell only where it
changed; teammates' tabs are never touched. Charts are declared (``ChartSpec``) and the
declaration is recorded in ``_meta`` (``model.meta``), so a chart sheetcrm no longer draws
is removed while teammates' own charts are left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pandas as pd

from sheetcrm.model.changes import (
    AddTab,
    CellFormula,
    ChangeSet,
    ChartSpec,
    Protect,
    PutCells,
    SetCharts,
)
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import Meta
from sheetcrm.model.values import is_blank, values_equal

if TYPE_CHECKING:
    from sheetcrm.crm import CRM
    from sheetcrm.workbook.refresh import Insights

GENERATED = (
    "Dashboard",
    "By source",
    "By segment",
    "By campaign",
    "By product",
    "By region",
    "By month",
)
GENERATED_NOTE = "sheetcrm generates this tab"
STAGE_WEIGHTS = {"new": 0.1, "contacted": 0.25, "qualified": 0.5}
SPARK = "▁▂▃▄▅▆▇█"
MONTHS = 12
KPI_ROW, MONTH_ROW, SOURCE_COL, SIDE_ROW, TASK_ROW, CHART_COL = 2, 14, 6, 14, 22, 11


def _sales(ins: Insights) -> pd.DataFrame:
    acts = ins.frames["Interactions"]
    if acts.empty:
        return pd.DataFrame(
            columns=["customer_id", "type", "amount", "month", "product", "quantity"]
        )
    sales = acts[acts["type"].isin(["purchase", "return"])].copy()
    sales["amount"] = pd.to_numeric(sales["amount"], errors="coerce").fillna(0.0)
    sales["quantity"] = pd.to_numeric(sales.get("quantity"), errors="coerce").fillna(0)
    sales["month"] = pd.to_datetime(sales["date"], errors="coerce").dt.to_period("M")
    return sales


def _months(as_of: dt.date) -> list[pd.Period]:
    last = pd.Period(as_of, "M")
    return [last - i for i in reversed(range(MONTHS))]


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _float(value: Any) -> float:
    """A number for arithmetic: blank and NaN count as 0."""
    return 0.0 if is_blank(value) else float(value)


def _money(value: Any) -> float:
    return round(_float(value), 2)


def spark(values: list[float]) -> str:
    """A text sparkline for spreadsheets without SPARKLINE (Excel, LibreOffice)."""
    numbers = [_float(v) for v in values]
    low, high = min(numbers, default=0), max(numbers, default=0)
    if high == low:
        return SPARK[0] * len(numbers)
    return "".join(SPARK[round((v - low) / (high - low) * (len(SPARK) - 1))] for v in numbers)


def monthly(ins: Insights) -> pd.DataFrame:
    months = _months(ins.as_of)
    sales = _sales(ins)
    leads = ins.frames["Leads"]
    lead_month = pd.to_datetime(leads.get("contact_date"), errors="coerce").dt.to_period("M")
    purchases = sales[sales["type"] == "purchase"]
    out = pd.DataFrame(index=pd.Index(months, name="month"))
    out["leads"] = lead_month.value_counts().reindex(months, fill_value=0)
    out["orders"] = purchases.groupby("month").size().reindex(months, fill_value=0)
    out["revenue"] = sales.groupby("month")["amount"].sum().reindex(months, fill_value=0.0)
    out["returns"] = (
        -sales[sales["type"] == "return"]
        .groupby("month")["amount"]
        .sum()
        .reindex(months, fill_value=0.0)
    )
    out["aov"] = (out["revenue"] / out["orders"].where(out["orders"] > 0)).round(2)
    return out


def dashboard_grid(ins: Insights) -> tuple[list[list[Any]], list[ChartSpec]]:
    """The Dashboard's cells (row 0 first) and its charts."""
    grid: dict[tuple[int, int], Any] = {}

    def put(r: int, c: int, values: list[Any]) -> None:
        for i, v in enumerate(values):
            grid[(r, c + i)] = v

    m = monthly(ins)
    this, last = m.iloc[-1], m.iloc[-2]
    leads = ins.frames["Leads"]
    put(0, 0, ["Dashboard", f"as of {ins.as_of.isoformat()}"])
    put(KPI_ROW, 0, ["KPI", "This month", "Last month", "Change (%)", "Trend (12 months)"])
    first, end = MONTH_ROW + 1, MONTH_ROW + 1 + MONTHS
    trend = {"leads": 1, "orders": 2, "revenue": 3, "aov": 4}
    rows: list[tuple[str, Any, Any, str | None]] = [
        ("New leads", int(this["leads"]), int(last["leads"]), "leads"),
        ("Revenue", _money(this["revenue"]), _money(last["revenue"]), "revenue"),
        ("Orders", int(this["orders"]), int(last["orders"]), "orders"),
        ("Average order value", _none(this["aov"]), _none(last["aov"]), "aov"),
    ]
    statuses = leads.get("status", pd.Series(dtype=object))
    converted, total = int((statuses == "converted").sum()), len(leads)
    customers = ins.customers
    active = int((pd.to_numeric(customers["recency_days"], errors="coerce") <= 180).sum())
    inactive = int((customers["segment"] == "inactive").sum())
    open_leads = leads[statuses.isin(list(STAGE_WEIGHTS))]
    value = pd.to_numeric(open_leads.get("value"), errors="coerce").fillna(0.0)
    forecast = sum(v * STAGE_WEIGHTS[s] for v, s in zip(value, open_leads["status"], strict=True))
    late = ins.tasks["overdue"].sum() if len(ins.tasks) else 0
    rows += [
        ("Conversion rate, all leads (%)", _pct(converted, total), None, None),
        ("Active customers (bought in 180 days)", active, None, None),
        ("Inactive customers", inactive, None, None),
        ("Open pipeline value", _money(value.sum()), None, None),
        ("Weighted forecast", _money(forecast), None, None),
        ("Overdue tasks", int(late), None, None),
    ]
    for i, (label, now, before, key) in enumerate(rows):
        change = _pct((now or 0) - before, before) if key and before else None
        cell: Any = None
        if key:
            col = "ABCDE"[trend[key]]
            cell = CellFormula(f"=SPARKLINE({col}{first + 1}:{col}{end})", spark(list(m[key])))
        put(KPI_ROW + 1 + i, 0, [label, now, before, change, cell])
    put(MONTH_ROW, 0, ["Month", "New leads", "Orders", "Revenue", "Average order value"])
    for i, (month, row) in enumerate(m.iterrows()):
        put(
            first + i,
            0,
            [
                str(month),
                int(row["leads"]),
                int(row["orders"]),
                _money(row["revenue"]),
                _none(row["aov"]),
            ],
        )
    by_source = source_table(ins)
    put(KPI_ROW, SOURCE_COL, ["Source", "Leads", "Converted", "Conversion rate (%)"])
    for i, row in enumerate(by_source[:8]):
        put(KPI_ROW + 1 + i, SOURCE_COL, row[:4])
    best = campaign_table(ins)
    best = sorted([r for r in best if r[7] is not None], key=lambda r: -r[7])[:5]
    put(SIDE_ROW, SOURCE_COL, ["Best campaigns", "ROI (%)", "Revenue", "Budget"])
    for i, row in enumerate(best):
        put(SIDE_ROW + 1 + i, SOURCE_COL, [row[0], row[7], row[4], row[5]])
    put(TASK_ROW, SOURCE_COL, ["Assignee", "Overdue tasks"])
    tasks = (
        ins.frames["Tasks"].set_index("task_id", drop=False) if len(ins.frames["Tasks"]) else None
    )
    if tasks is not None and len(ins.tasks):
        late_ids = ins.tasks.index[ins.tasks["overdue"].astype(bool)]
        per = (
            tasks.loc[tasks["task_id"].isin(late_ids), "assignee"].fillna("(nobody)").value_counts()
        )
        for i, (who, n) in enumerate(sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))):
            put(TASK_ROW + 1 + i, SOURCE_COL, [who, int(n)])
    charts = [
        ChartSpec(
            "Revenue by month", "line", (KPI_ROW, CHART_COL), (0, first, end), ((3, first, end),)
        ),
        ChartSpec(
            "Leads by source",
            "pie",
            (KPI_ROW + 18, CHART_COL),
            (SOURCE_COL, KPI_ROW + 1, KPI_ROW + 1 + min(8, len(by_source))),
            ((SOURCE_COL + 1, KPI_ROW + 1, KPI_ROW + 1 + min(8, len(by_source))),),
        ),
        ChartSpec(
            "Campaign ROI (%)",
            "bar",
            (KPI_ROW + 36, CHART_COL),
            (SOURCE_COL, SIDE_ROW + 1, SIDE_ROW + 1 + len(best)),
            ((SOURCE_COL + 1, SIDE_ROW + 1, SIDE_ROW + 1 + len(best)),),
        ),
    ]
    return _rows(grid), [c for c in charts if c.domain[2] > c.domain[1]]


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _rows(cells: dict[tuple[int, int], Any]) -> list[list[Any]]:
    height = max((r for r, _ in cells), default=-1) + 1
    width = max((c for _, c in cells), default=-1) + 1
    return [[cells.get((r, c)) for c in range(width)] for r in range(height)]


def source_table(ins: Insights) -> list[list[Any]]:
    leads = ins.frames["Leads"]
    if leads.empty:
        return []
    rows = []
    for source, group in leads.groupby(leads["source"].fillna("(none)")):
        done = int((group["status"] == "converted").sum())
        cust = ins.customers[ins.customers["lead_source"] == source]
        money = _money(pd.to_numeric(cust["total_spent"], errors="coerce").sum())
        rows.append([source, len(group), done, _pct(done, len(group)), len(cust), money])
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def campaign_table(ins: Insights) -> list[list[Any]]:
    rows = []
    for c in ins.frames["Campaigns"].to_dict("records"):
        known = c.get("campaign_id") in ins.campaigns.index
        m = ins.campaigns.loc[c["campaign_id"]] if known else {}
        rows.append(
            [
                c.get("name"),
                c.get("channel"),
                _int(m.get("leads")),
                _int(m.get("customers")),
                _money(m.get("revenue")),
                _none(c.get("budget")),
                _percent(m.get("ctr")),
                _percent(m.get("roi")),
                _none(m.get("cpa")),
            ]
        )
    return sorted(rows, key=lambda r: (-(r[4] or 0), str(r[0])))


def _percent(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(100 * float(value), 1)


def _int(value: Any) -> int:
    return 0 if value is None or pd.isna(value) else int(value)


def summary_grids(ins: Insights) -> dict[str, list[list[Any]]]:
    """The summary tabs: a header row and one row per group."""
    out: dict[str, list[list[Any]]] = {}
    head = ["Source", "Leads", "Converted", "Conversion rate (%)", "Customers", "Revenue"]
    out["By source"] = [head, *source_table(ins)]
    customers = ins.customers
    spent = pd.to_numeric(customers["total_spent"], errors="coerce").fillna(0.0)
    total = float(spent.sum())
    rows = []
    for seg, group in customers.groupby(customers["segment"].fillna("(none)")):
        money = float(spent[group.index].sum())
        orders = int(pd.to_numeric(group["orders"], errors="coerce").fillna(0).sum())
        aov = round(money / orders, 2) if orders else None
        rows.append([seg, len(group), _money(money), aov, _pct(money, total)])
    head = ["Segment", "Customers", "Revenue", "Average order value", "Share of revenue (%)"]
    out["By segment"] = [head, *sorted(rows, key=lambda r: -r[2])]
    head = [
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
    out["By campaign"] = [head, *campaign_table(ins)]
    sales = _sales(ins)
    rows = []
    if len(sales):
        for product, group in sales.groupby(sales["product"].fillna("(unknown)")):
            buys = group[group["type"] == "purchase"]
            returns = int((group["type"] == "return").sum())
            money = _money(group["amount"].sum())
            rows.append([product, len(buys), int(buys["quantity"].sum()), money, returns])
    rows = sorted(rows, key=lambda r: (-r[3], r[0]))[:500]
    out["By product"] = [["Product", "Orders", "Quantity", "Revenue", "Returns"], *rows]
    rows = []
    keys = [customers["country"].fillna("(unknown)"), customers["city"].fillna("")]
    for (country, city), group in customers.groupby(keys):
        rows.append([country, city, len(group), _money(spent[group.index].sum())])
    rows = sorted(rows, key=lambda r: (-r[3], r[0], r[1]))
    out["By region"] = [["Country", "City", "Customers", "Revenue"], *rows]
    m = monthly(ins)
    head = ["Month", "New leads", "Orders", "Revenue", "Returns", "Average order value"]
    out["By month"] = [head] + [
        [
            str(p),
            int(r["leads"]),
            int(r["orders"]),
            _money(r["revenue"]),
            _money(r["returns"]),
            _none(r["aov"]),
        ]
        for p, r in m.iterrows()
    ]
    return out


def _same(current: Any, formula: str | None, wanted: Any) -> bool:
    if isinstance(wanted, CellFormula):
        return formula == wanted.text or values_equal(current, wanted.fallback)
    return formula is None and values_equal(current, wanted)


def diff_cells(grid: TabGrid | None, rows: list[list[Any]]) -> tuple[tuple[int, int, Any], ...]:
    """Cells of a generated tab to write: changed ones, and stale ones to clear."""
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
        if not _same(have, formula, value):
            out.append((*key, value))
    for key, (have, formula) in current.items():
        if key not in wanted and (not is_blank(have) or formula):
            out.append((*key, None))
    return tuple(sorted(out, key=lambda t: (t[0], t[1])))


def plan_dashboard(crm: CRM, grids: dict[str, TabGrid], ins: Insights) -> ChangeSet:
    """Create missing generated tabs and write what changed in them; declare the charts."""
    changes = ChangeSet()
    dash, charts = dashboard_grid(ins)
    tabs = {"Dashboard": dash, **summary_grids(ins)}
    for name, rows in tabs.items():
        grid = grids.get(name)
        if grid is None:
            changes.add(AddTab(name, ()))
        cells = diff_cells(grid, rows)
        if cells:
            changes.add(PutCells(name, cells))
        if grid is None or grid.layout.protections.get(GENERATED_NOTE) != (None, None):
            changes.add(Protect(name, GENERATED_NOTE))
    current = grids.get("Dashboard")
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
