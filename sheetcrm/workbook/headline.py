"""The Dashboard's headline: each KPI this month against last month, with its change and
a twelve-month trend (a SPARKLINE, a text sparkline where formulas are not computed), and
the month table the trends and the revenue chart are drawn from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetcrm.analytics import kpis
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
        ("Conversion rate, all leads (%)", percent(conv.rate), None, None),
        (f"Active customers (bought in {days} days)", active, None, None),
        (f"Inactive customers (bought, not in {days} days)", inactive, None, None),
        ("Open pipeline value", look.cash(pipe.value), None, None),
        ("Weighted forecast", look.cash(pipe.weighted), None, None),
        ("Overdue tasks", len(ins.overdue), None, None),
    ]


def put_kpis(put: Put, ins: Insights, look: Look) -> None:
    """The KPI table at ``KPI_ROW`` and the month table at ``MONTH_ROW``."""
    first, end = MONTH_ROW + 1, MONTH_ROW + 1 + len(ins.monthly)
    put(KPI_ROW, 0, ["KPI", "This month", "Last month", "Change (%)", "Trend (12 months)"])
    for i, (label, now, before, key) in enumerate(kpi_rows(ins, look)):
        was = plain(before)
        change = pct((plain(now) or 0) - was, was) if key and was else None
        cell: Any = None
        if key:
            col = TREND_COLUMN[key]
            trend = spark(list(ins.monthly[key]))
            cell = CellFormula(f"=SPARKLINE({col}{first + 1}:{col}{end})", trend)
        put(KPI_ROW + 1 + i, 0, [label, now, before, change, cell])
    put(MONTH_ROW, 0, ["Month", "New leads", "Orders", "Revenue", "Average order value"])
    for i, row in enumerate(month_rows(ins, look)):
        put(first + i, 0, [row[0], row[1], row[2], row[3], row[5]])
