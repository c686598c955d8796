"""The Dashboard's headline: each KPI this month so far, last month whole and the same days
of last month, with the change against those same days (like with like) and a
twelve-month trend (a SPARKLINE, a text sparkline where formulas are not computed); and
the month table the trends and the revenue chart are drawn from. Every period column
names its exact first and last day, in the workbook calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetcrm.analytics import kpis, periods
from sheetcrm.model.changes import CellFormula
from sheetcrm.workbook.cells import Put, number, pct, percent, plain
from sheetcrm.workbook.look import PLAIN, Look
from sheetcrm.workbook.summary_tabs import month_rows

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights

#: The KPI table's header row and the month table's (0-based rows of the Dashboard).
KPI_ROW, MONTH_ROW = 2, 14
#: The month table's column of each trend.
TREND_COLUMN = {"leads": "B", "orders": "C", "revenue": "D", "aov": "E"}
SPARK = "▁▂▃▄▅▆▇█"


def spark(values: list[float]) -> str:
    """A text sparkline for spreadsheets without SPARKLINE (Excel, LibreOffice)."""
    numbers = [number(v) for v in values]
    low, high = min(numbers, default=0), max(numbers, default=0)
    if high == low:
        return SPARK[0] * len(numbers)
    return "".join(SPARK[round((v - low) / (high - low) * (len(SPARK) - 1))] for v in numbers)


def _figures(ins: Insights, period: periods.Period) -> dict[str, Any]:
    """New leads, revenue, orders and average order value in ``period``."""
    sold = kpis.sales_figures(ins.sales, period)
    return {
        "leads": len(kpis.new_leads(ins.frames["Leads"], period)),
        "revenue": sold.revenue,
        "orders": sold.orders,
        "aov": sold.average_order_value,
    }


def month_periods(ins: Insights, look: Look = PLAIN) -> tuple[periods.Period, ...]:
    """This month so far, last month whole, and the same days of last month."""
    return (
        periods.this_month(ins.as_of, look.calendar),
        periods.last_month(ins.as_of, look.calendar),
        kpis.same_days_last_month(ins.as_of, look.calendar),
    )


def period_header(name: str, period: periods.Period, look: Look = PLAIN) -> str:
    """ "This month" over "(2025-10-01 – 2025-10-15)": the period's words and its exact
    days, on two lines so the column stays as narrow as its figures."""
    return f"{name}\n({look.day(period.start)} – {look.day(period.last)})"


def kpi_rows(ins: Insights, look: Look = PLAIN) -> list[tuple[str, Any, Any, Any, str | None]]:
    """(label, this month, last month, same days last month, trend column) for each
    headline KPI; the last three blank where a KPI has no period."""
    this, last, same = (_figures(ins, p) for p in month_periods(ins, look))
    conv = kpis.conversion(ins.frames["Leads"])
    pipe = kpis.pipeline(ins.frames["Leads"])
    active = kpis.active_customers(ins.customers, ins.sales, ins.as_of)
    inactive = len(kpis.inactive_customers(ins.customers, ins.sales, ins.as_of))
    days = kpis.ACTIVE_DAYS
    money = look.cash
    return [
        ("New leads", this["leads"], last["leads"], same["leads"], "leads"),
        (
            "Revenue",
            money(this["revenue"]),
            money(last["revenue"]),
            money(same["revenue"]),
            "revenue",
        ),
        ("Orders", this["orders"], last["orders"], same["orders"], "orders"),
        ("Average order value", money(this["aov"]), money(last["aov"]), money(same["aov"]), "aov"),
        ("Conversion rate, all leads (%)", percent(conv.rate), None, None, None),
        (f"Active customers (bought in {days} days)", active, None, None, None),
        (f"Inactive customers (not heard of in {days} days)", inactive, None, None, None),
        ("Open pipeline value", money(pipe.value), None, None, None),
        ("Weighted forecast", money(pipe.weighted), None, None, None),
        ("Overdue tasks", len(ins.overdue), None, None, None),
    ]


def kpi_header(ins: Insights, look: Look = PLAIN) -> list[str]:
    """The KPI table's header: each period column with its exact days."""
    now, last, same = month_periods(ins, look)
    return [
        "KPI",
        period_header("This month", now, look),
        period_header("Last month", last, look),
        period_header("Same days last month", same, look),
        "Change vs\nsame days (%)",
        "Trend (12 months)",
    ]


def put_kpis(put: Put, ins: Insights, look: Look) -> None:
    """The KPI table at ``KPI_ROW`` and the month table at ``MONTH_ROW``."""
    first, end = MONTH_ROW + 1, MONTH_ROW + 1 + len(ins.monthly)
    put(KPI_ROW, 0, kpi_header(ins, look))
    for i, (label, now, before, same, key) in enumerate(kpi_rows(ins, look)):
        was = plain(same)
        change = pct((plain(now) or 0) - was, was) if key and was else None
        cell: Any = None
        if key:
            col = TREND_COLUMN[key]
            trend = spark(list(ins.monthly[key]))
            cell = CellFormula(f"=SPARKLINE({col}{first + 1}:{col}{end})", trend)
        put(KPI_ROW + 1 + i, 0, [label, now, before, same, change, cell])
    put(MONTH_ROW, 0, ["Month", "New leads", "Orders", "Revenue", "Average order value"])
    for i, row in enumerate(month_rows(ins, look)):
        put(first + i, 0, [row[0], row[1], row[2], row[3], row[5]])
