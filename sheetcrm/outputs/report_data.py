"""What a report says, computed from the tabs for a period: KPIs against the previous
period, trends, and the tables people read — empty CRMs give zeros and "no data" lists,
never a division by zero. Every figure is an ``analytics.kpis`` one (periods included), so
the report agrees with ``sheetcrm summary``, the Dashboard tab and the reminders.

A seller's report adds "Revenue by channel" (the period's gross sales, refunds and net
revenue per channel) once the workbook has Orders lines, and "Earnings" (each programme's
balance and progress to its payout threshold, referral rewards owed and paid, the tracking
ids that earned most) once it has Earnings rows; a report without them is unchanged.

Every other section is there on any workbook, and says plainly when it has nothing to show
and what would fill it (``has``: which kinds of records the workbook holds at all, so the
templates can tell "none in this period" from "none yet")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.earnings import EarningsTables, earnings_tables
from sheetcrm.analytics.frames import column, records
from sheetcrm.analytics.insights import campaign_results
from sheetcrm.analytics.periods import Period
from sheetcrm.outputs.i18n import LocalFormat, gettext
from sheetcrm.outputs.report_satisfaction import SatisfactionReport, satisfaction_report


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
class EarningsReport:
    """What a report shows of the Earnings tab: income programmes (balance, threshold,
    progress), referral programmes (owed, paid), the best tracking ids and the totals."""

    programmes: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    tracking: list[dict[str, Any]]
    earned: float
    pending: float
    balance: float
    rewards_owed: float
    rewards_paid: float


#: Tracking ids a report lists (most earned first).
TOP_TRACKING = 10
REFERRAL = "referral"


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
    #: Per channel in the period: channel, orders, gross, refunds, revenue, share (only
    #: with Orders lines; empty otherwise).
    channels: list[dict[str, Any]] = field(default_factory=list)
    #: The Earnings tab's figures on the as-of day (None without Earnings rows).
    earnings: EarningsReport | None = None
    #: How figures are written (language, currency, calendar, digits), charts included.
    local: LocalFormat = field(default_factory=LocalFormat)
    #: The Satisfaction section (None only for a ReportData built by hand).
    satisfaction: SatisfactionReport | None = None
    #: Which records the workbook holds at all: customers, leads, sales, campaigns, tasks.
    has: dict[str, bool] = field(default_factory=dict)

    def gettext(self, message: str) -> str:
        """``message`` in the report's language (chart titles and axis labels)."""
        return gettext(message, self.local.language)

    @property
    def empty(self) -> bool:
        return not (self.monthly and any(m["revenue"] or m["leads"] for m in self.monthly))

    @property
    def blank(self) -> bool:
        """No records of any kind yet: the report says how to put some in."""
        return not any(self.has.values())

    @property
    def unbudgeted(self) -> int:
        """Campaigns without a budget (no ROI or cost per customer without one)."""
        return sum(1 for c in self.campaigns if c.get("budget") is None)

    @property
    def unsegmented(self) -> bool:
        """Customers, but no segment on any of them (not refreshed since they came in)."""
        return bool(self.segments) and all(s["segment"] == kpis.NO_SEGMENT for s in self.segments)


def _value(value: Any) -> Any:
    """A table cell for a template: blank for NaN, never a negative zero."""
    if isinstance(value, float):
        return None if pd.isna(value) else value + 0.0
    return value


def _channels(frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame, p: Period) -> list[Any]:
    """The period's revenue by channel, when the workbook has Orders lines."""
    orders = frames.get("Orders")
    if orders is None or orders.empty:
        return []
    table = kpis.channel_table(sales, p)
    return [{k: _value(r.get(k)) for k in kpis.CHANNEL_COLUMNS} for r in records(table)]


def _earnings(tables: EarningsTables) -> EarningsReport | None:
    if tables.empty:
        return None
    rows = [{k: _value(v) for k, v in r.items()} for r in records(tables.programmes)]
    tracking = tables.by_tracking.sort_values("earned", ascending=False, kind="stable")
    return EarningsReport(
        programmes=[r for r in rows if r.get("source") != REFERRAL],
        referrals=[r for r in rows if r.get("source") == REFERRAL],
        tracking=[
            {k: _value(v) for k, v in r.items()} for r in records(tracking.head(TOP_TRACKING))
        ],
        earned=float(tables.earned),
        pending=float(tables.pending),
        balance=float(tables.balance),
        rewards_owed=float(tables.rewards_owed),
        rewards_paid=float(tables.rewards_paid),
    )


def earnings_report(
    frames: Mapping[str, pd.DataFrame],
    as_of: dt.date,
    thresholds: Mapping[str, float] | None = None,
) -> EarningsReport | None:
    """The Earnings section's figures on the as-of day (None without Earnings rows)."""
    earnings = frames.get("Earnings")
    if earnings is None or earnings.empty:
        return None
    return _earnings(earnings_tables(earnings, as_of, thresholds))


def _figures(frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame, p: Period) -> list[Any]:
    """Revenue, orders, AOV, new leads, their conversion rate and new customers in ``p``;
    active and inactive customers on its last day."""
    money = kpis.sales_figures(sales, p)
    fresh = kpis.new_leads(frames["Leads"], p)
    customers = frames["Customers"]
    # one ``kpis.activity`` for both counts (what active_customers and inactive_customers
    # count; seconds on 100,000 customers), contacts read from Interactions as of the
    # period's last day, so the period before counts those inactive then
    state = kpis.activity(customers, sales, p.last, frames["Interactions"])
    return [
        money.revenue,
        money.orders,
        money.average_order_value,
        len(fresh),
        kpis.conversion(fresh).rate,
        kpis.new_customers(customers, p),
        int((state == kpis.ACTIVE).sum()),
        int((state == kpis.INACTIVE).sum()),
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


def _campaigns(frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame) -> list[dict[str, Any]]:
    """The campaigns by ROI (none without Campaigns rows: no attribution work for them)."""
    if frames["Campaigns"].empty:
        return []
    table = campaign_results(frames, sales)
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
    thresholds: Mapping[str, float] | None = None,
    satisfaction: kpis.SatisfactionSettings | None = None,
) -> ReportData:
    """Compute a report's numbers from typed tab frames; ``local``: the language, calendar
    and digits its labels are in (English, Gregorian, with ``currency``, by default);
    ``thresholds``: each earnings programme's minimum payout (``[earnings]``);
    ``satisfaction``: the score scale and unhappy threshold (``[satisfaction]``)."""
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
        _campaigns(frames, sales),
        _top_customers(frames, sales, period),
        _new_leads(frames["Leads"], period),
        overdue,
        segments,
        local=local,
        channels=_channels(frames, sales, period),
        earnings=earnings_report(frames, as_of, thresholds),
        satisfaction=satisfaction_report(frames, period, as_of, satisfaction),
        has={
            "customers": not customers.empty,
            "leads": not frames["Leads"].empty,
            "sales": not sales.empty,
            "campaigns": not frames["Campaigns"].empty,
            "tasks": not frames["Tasks"].empty,
        },
    )
