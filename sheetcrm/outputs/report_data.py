"""What a report says, computed from the tabs for a period: KPIs against the previous
period, trends, and the tables people read — empty CRMs give zeros and "no data" lists,
never a division by zero. Every figure is an ``analytics.kpis`` one (periods included), so
the report agrees with ``sheetcrm summary``, the Dashboard tab and the reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import column, records
from sheetcrm.analytics.insights import campaign_results
from sheetcrm.analytics.periods import Period
from sheetcrm.outputs.i18n import LocalFormat, gettext


@dataclass
class Kpi:
    label: str
    value: float | None
    previous: float | None
    kind: str = "number"  # number, money or percent

    @property
    def change(self) -> float | None:
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous)


@dataclass
class ReportData:
    """The numbers behind every report template."""

    title: str
    period: Period
    as_of: dt.date
    currency: str
    kpis: list[Kpi]
    monthly: list[dict[str, Any]]  # month, revenue, orders, leads
    by_source: list[dict[str, Any]]
    campaigns: list[dict[str, Any]]
    top_customers: list[dict[str, Any]]
    new_leads: list[dict[str, Any]]
    overdue_tasks: list[dict[str, Any]]
    segments: list[dict[str, Any]]
    charts: dict[str, str] = field(default_factory=dict)  # name → data: URI of a PNG
    #: How figures are written (language, currency, calendar, digits), charts included.
    local: LocalFormat = field(default_factory=LocalFormat)

    def gettext(self, message: str) -> str:
        """``message`` in the report's language (chart titles and axis labels)."""
        return gettext(message, self.local.language)

    @property
    def empty(self) -> bool:
        return not (self.monthly and any(m["revenue"] or m["leads"] for m in self.monthly))


def _figures(frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame, p: Period) -> list[Any]:
    """Revenue, orders, AOV, new leads, their conversion rate and new customers in ``p``;
    active and inactive customers on its last day."""
    money = kpis.sales_figures(sales, p)
    fresh = kpis.new_leads(frames["Leads"], p)
    customers = frames["Customers"]
    return [
        money.revenue,
        money.orders,
        money.average_order_value,
        len(fresh),
        kpis.conversion(fresh).rate,
        kpis.new_customers(customers, p),
        kpis.active_customers(customers, sales, p.last),
        len(kpis.inactive_customers(customers, sales, p.last)),
    ]


def _kpis(
    frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame, period: Period, language: str
) -> list[Kpi]:
    now, before = _figures(frames, sales, period), _figures(frames, sales, period.previous())

    def _(message: str) -> str:
        return gettext(message, language)

    labels = [
        (_("Revenue"), "money"),
        (_("Orders"), "number"),
        (_("Average order value"), "money"),
        (_("New leads"), "number"),
        (_("Lead conversion"), "percent"),
        (_("New customers"), "number"),
        (_("Active customers"), "number"),
        (_("Inactive customers"), "number"),
    ]
    return [Kpi(label, a, b, kind) for (label, kind), a, b in zip(labels, now, before, strict=True)]


def _top_customers(
    frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame, period: Period
) -> list[dict[str, Any]]:
    customers = frames["Customers"]
    names = dict(zip(column(customers, "customer_id"), column(customers, "name"), strict=True))
    spend = kpis.revenue_by_customer(sales, period)
    return [
        {"name": names.get(cid, cid), "customer_id": cid, "amount": float(v)}
        for cid, v in spend.head(10).items()
        if v > 0
    ]


def _new_leads(leads: pd.DataFrame, period: Period) -> list[dict[str, Any]]:
    fresh = kpis.new_leads(leads, period)
    if len(fresh):
        fresh = fresh.sort_values("contact_date", ascending=False).head(15)
    keys = ("name", "source", "status", "owner", "score")
    return [{k: r.get(k) for k in keys} for r in records(fresh)]


def _campaigns(table: pd.DataFrame) -> list[dict[str, Any]]:
    keys = ("name", "channel", "leads", "revenue", "budget", "roi", "cpa", "ctr")
    return [{k: None if pd.isna(r[k]) else r[k] for k in keys} for r in records(kpis.by_roi(table))]


def build(
    frames: Mapping[str, pd.DataFrame],
    period: Period,
    as_of: dt.date,
    *,
    title: str,
    currency: str,
    local: LocalFormat | None = None,
) -> ReportData:
    """Compute a report's numbers from typed tab frames; ``local``: the language, calendar
    and digits its labels are in (English, Gregorian, with ``currency``, by default)."""
    local = local or LocalFormat(currency=currency)
    sales = kpis.sales(frames, as_of)
    customers = frames["Customers"]
    trend = kpis.monthly(sales, frames["Leads"], as_of, calendar=local.calendar)
    monthly = [
        {
            "month": str(m),
            "label": local.month(str(m)),
            "revenue": r["revenue"],
            "orders": r["orders"],
            "leads": r["leads"],
        }
        for m, r in zip(trend.index, records(trend), strict=True)
    ]
    by_source = [
        {k: r[k] for k in ("source", "leads", "converted", "rate")}
        for r in records(kpis.leads_by_source(frames["Leads"]))
    ]
    overdue = [
        {"title": t.get("title"), "assignee": t.get("assignee"), "due": t.get("due_date")}
        for t in records(kpis.overdue_tasks(frames["Tasks"], as_of))
    ]
    segments = [
        {k: r[k] for k in ("segment", "customers", "revenue")}
        for r in records(kpis.segment_table(customers))
    ]
    return ReportData(
        title,
        period,
        as_of,
        currency,
        _kpis(frames, sales, period, local.language),
        monthly,
        by_source,
        _campaigns(campaign_results(frames, sales)),
        _top_customers(frames, sales, period),
        _new_leads(frames["Leads"], period),
        overdue,
        segments,
        local=local,
    )
