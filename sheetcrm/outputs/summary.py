"""Headline figures of a CRM: the small at-a-glance summary ``sheetcrm demo`` and
``sheetcrm summary`` print. Every figure is an ``analytics.kpis`` one, so it is the same
number the report, the Dashboard tab and the reminders show. A seller's summary adds net
revenue by channel (with Orders lines) and the earnings figures (with Earnings rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.earnings import earnings_tables
from sheetcrm.analytics.frames import column
from sheetcrm.analytics.periods import Period, last_days
from sheetcrm.crm import CRM
from sheetcrm.model.tabs import SELLER_TABS
from sheetcrm.outputs.i18n import local_format
from sheetcrm.outputs.templates import environment, render

RECENT_DAYS = 30


@dataclass
class Summary:
    """Counts and money figures; empty CRMs give zeros and empty lists, never errors."""

    as_of: dt.date
    counts: dict[str, int]
    customers_by_status: dict[str, int] = field(default_factory=dict)
    revenue_total: float = 0.0  # net of returns, all time up to the as-of day
    revenue_30d: float = 0.0  # net of returns, the last 30 days (``recent``)
    orders: int = 0
    average_order_value: float | None = None
    top_products: list[tuple[str, float]] = field(default_factory=list)
    leads_by_source: dict[str, int] = field(default_factory=dict)
    open_leads: int = 0
    active_customers: int = 0  # bought in the last 180 days (kpis)
    inactive_customers: int = 0  # not active, not heard of in 180 days (kpis: Recency)
    overdue_tasks: dict[str, int] = field(default_factory=dict)
    #: Net revenue per channel, all time, highest first (only with Orders lines).
    channels: list[tuple[str, float]] = field(default_factory=list)
    #: Earnings (only with Earnings rows): income approved or paid, pending, the balance
    #: approved and not yet paid, and referral rewards owed and paid.
    has_earnings: bool = False
    earned: float = 0.0
    earnings_pending: float = 0.0
    earnings_balance: float = 0.0
    rewards_owed: float = 0.0
    rewards_paid: float = 0.0
    #: The period of ``revenue_30d``: the last 30 days, ending with the as-of day.
    recent: Period | None = None

    def __post_init__(self) -> None:
        if self.recent is None:
            self.recent = last_days(self.as_of, RECENT_DAYS)


def summarize(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> Summary:
    """Compute the summary from typed frames (as returned by ``CRM.frame``)."""
    empty = pd.DataFrame()
    customers = frames.get("Customers", empty)
    leads = frames.get("Leads", empty)
    tasks = frames.get("Tasks", empty)
    sales = kpis.sales(frames, as_of)
    total = kpis.sales_figures(sales)
    statuses = column(customers, "status").dropna().value_counts()
    orders = frames.get("Orders", empty)
    channels = (
        [
            (str(r["channel"]), float(r["revenue"]))
            for r in kpis.channel_table(sales).to_dict("records")
        ]
        if len(orders)
        else []
    )
    earning_rows = frames.get("Earnings", empty)
    earnings = earnings_tables(earning_rows, as_of) if len(earning_rows) else None
    recent = last_days(as_of, RECENT_DAYS)
    return Summary(
        as_of,
        {n: len(df) for n, df in frames.items() if len(df) or n not in SELLER_TABS},
        customers_by_status={str(k): int(v) for k, v in statuses.items()},
        revenue_total=total.revenue,
        revenue_30d=kpis.sales_figures(sales, recent).revenue,
        orders=total.orders,
        average_order_value=total.average_order_value,
        top_products=[
            (str(r["product"]), float(r["revenue"]))
            for r in kpis.product_table(sales).head(5).to_dict("records")
        ],
        leads_by_source={
            str(r["source"]): int(r["leads"])
            for r in kpis.leads_by_source(leads).to_dict("records")
        },
        open_leads=len(kpis.open_leads(leads)),
        active_customers=kpis.active_customers(customers, sales, as_of),
        inactive_customers=len(kpis.inactive_customers(customers, sales, as_of)),
        overdue_tasks=kpis.overdue_by_assignee(kpis.overdue_tasks(tasks, as_of)),
        channels=channels,
        has_earnings=earnings is not None and not earnings.empty,
        earned=earnings.earned if earnings else 0.0,
        earnings_pending=earnings.pending if earnings else 0.0,
        earnings_balance=earnings.balance if earnings else 0.0,
        rewards_owed=earnings.rewards_owed if earnings else 0.0,
        rewards_paid=earnings.rewards_paid if earnings else 0.0,
        recent=recent,
    )


def seller_doc(s: Summary) -> dict[str, object]:
    """The seller figures of ``sheetcrm summary --format json`` (empty without them):
    ``revenue_by_channel`` (channel → net revenue) and ``earnings``."""
    doc: dict[str, object] = {}
    if s.channels:
        doc["revenue_by_channel"] = dict(s.channels)
    if s.has_earnings:
        doc["earnings"] = {
            "earned": s.earned,
            "pending": s.earnings_pending,
            "balance": s.earnings_balance,
            "rewards_owed": s.rewards_owed,
            "rewards_paid": s.rewards_paid,
        }
    return doc


def make_summary(
    crm: CRM, *, as_of: dt.date | None = None, frames: Mapping[str, pd.DataFrame] | None = None
) -> Summary:
    """The summary of the workbook on the as-of day (default: today in its time zone), from
    ``frames`` when the caller has read them already (else from one read)."""
    return summarize(frames if frames is not None else crm.frames(), crm.as_of(as_of))


def summary_text(crm: CRM, figures: Summary, title: str | None = None) -> str:
    """The summary as ``sheetcrm summary`` prints it: in the workbook's language, money in
    its currency, dates in its calendar (``[locale]``)."""
    env = environment(local=local_format(crm.config))
    return render("summary.txt.j2", env, title=title or crm.backend.title(), s=figures)
