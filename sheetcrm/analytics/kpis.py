"""THE one definition of every KPI sheetcrm shows. ``sheetcrm summary``, ``sheetcrm report``,
the Dashboard and summary tabs (``refresh``) and ``sheetcrm remind`` all call these functions,
so one question gets one answer (``tests/test_kpis.py`` holds all four to it).

Sales table
    ``sales()``: the Interactions of type ``purchase`` or ``return`` (``refund`` reads as
    ``return``), one row each. A purchase counts its amount and a return or refund minus
    its amount: the type decides, not the sign it was typed with.
Revenue, orders, average order value
    Revenue is the sum of the sales table, so it is net of returns and refunds. Orders are
    purchase records (a return is not an order). Average order value is revenue ÷ orders,
    blank without orders. Returns is the money given back.
Time zone and the as-of date
    Dates and times in the workbook are wall-clock values in the workbook's time zone
    (``[locale] timezone``, UTC by default); the as-of date is a day in that zone (by
    default today there: ``CRM.as_of``). Nothing dated after the as-of day counts anywhere,
    so ``--as-of`` reproduces an earlier day's figures; "all time" ends with the as-of day.
    A sale without a readable date counts nowhere.
Period
    ``[start, end)``: from midnight starting ``start`` to midnight starting ``end``, so a
    sale at exactly ``end`` belongs to the next period. ``week``, ``month`` and ``quarter``
    are the last 7, 30 and 91 days, the as-of day included (``periods``); "last 30 days"
    is ``periods.last_days(as_of, 30)``: never 31 days and never a future day. A typed range
    ``A..B`` includes both days and stops at the end of the as-of day. A report compares
    a period with the same number of days just before it.
Monthly trend
    The 12 calendar months ending with the as-of month, each ``[1st, next 1st)``: new
    leads, orders, revenue, returns and average order value.
New leads, new customers
    Leads whose ``contact_date``, customers whose ``first_contact`` is in the period.
Leads
    Open: status ``new``, ``contacted`` or ``qualified`` (``OPEN_LEAD_STATUSES``); a blank
    status is not open. Conversion rate: converted ÷ leads, blank without leads (for a
    period, among its new leads). Leads by source counts a blank source as "(none)".
    Open pipeline: the sum of open leads' ``value``; weighted forecast: each open lead's
    value × its stage weight (``STAGE_WEIGHTS``: new 10 %, contacted 25 %, qualified 50 %).
Overdue task
    Not done (neither the ``done`` checkbox ticked nor status ``done``) and due before the
    as-of day; a task without a due date is never overdue. A blank assignee is "(nobody)".
Campaigns
    CTR = clicks ÷ impressions; CPA = budget ÷ customers won; ROI = (revenue − budget) ÷
    budget; conversion rate = conversions ÷ clicks where both are filled in, else
    customers ÷ leads. Each is blank, never an error, when a part is zero or missing. A
    campaign's revenue is its converted leads' customers' net sales from each lead's
    contact date on (``analytics.campaigns``).
Active customers
    Customers who bought in the last 180 days (``ACTIVE_DAYS``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sheetcrm.analytics.frames import as_date, column, day, moment, num, number, records
from sheetcrm.analytics.periods import Period, end_of
from sheetcrm.model.values import is_blank

SALE_TYPES = ("purchase", "return")
OPEN_LEAD_STATUSES = ("new", "contacted", "qualified")
STAGE_WEIGHTS = {"new": 0.1, "contacted": 0.25, "qualified": 0.5}
MONTHS = 12
ACTIVE_DAYS = 180
OVERDUE = "overdue"
NOBODY, NO_SOURCE, NO_PRODUCT = "(nobody)", "(none)", "(unknown)"
SALE_COLUMNS = ["customer_id", "type", "amount", "when", "day", "month", "product", "quantity"]


def sales(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """THE sales table: purchases and returns up to the end of the as-of day, with a signed
    ``amount`` (returns negative), ``when``, ``day`` and ``month``."""
    rows = interactions[column(interactions, "type").isin(SALE_TYPES)]
    when = moment(column(rows, "date"))
    keep = when < end_of(as_of)
    rows, when = rows[keep], when[keep]
    kind = column(rows, "type")
    amount = num(column(rows, "amount")).fillna(0.0).abs()
    customer = [None if is_blank(v) else str(v) for v in column(rows, "customer_id")]
    out = pd.DataFrame(
        {
            "customer_id": pd.Series(customer, index=rows.index, dtype=object),
            "type": kind,
            "amount": amount.where(kind == "purchase", -amount).astype(float),
            "when": when,
            "day": when.dt.normalize(),
            "month": when.dt.to_period("M"),
            "product": column(rows, "product"),
            "quantity": num(column(rows, "quantity")).fillna(0.0),
        },
        index=rows.index,
    )
    return out[SALE_COLUMNS]


def average_order_value(revenue: float, orders: int) -> float | None:
    return round(revenue / orders, 2) if orders else None


@dataclass(frozen=True)
class SalesFigures:
    """Revenue (net of returns) and orders of some sales."""

    revenue: float
    orders: int

    @property
    def average_order_value(self) -> float | None:
        return average_order_value(self.revenue, self.orders)


def sales_figures(sales: pd.DataFrame, period: Period | None = None) -> SalesFigures:
    """Revenue and orders in a period (``None``: all time)."""
    rows = sales if period is None else sales[period.contains(sales["when"])]
    purchase = rows["type"] == "purchase"
    return SalesFigures(
        revenue=round(float(rows["amount"].sum()), 2),
        orders=int(purchase.sum()),
    )


def revenue_by_customer(sales: pd.DataFrame, period: Period | None = None) -> pd.Series:
    """Net revenue per customer, highest first (sales without a customer left out)."""
    rows = sales if period is None else sales[period.contains(sales["when"])]
    rows = rows[rows["customer_id"].notna()]
    return rows.groupby("customer_id")["amount"].sum().round(2).sort_values(ascending=False)


def product_table(sales: pd.DataFrame) -> pd.DataFrame:
    """Per product: orders, quantity, net revenue and number of returns, top revenue first."""
    rows = []
    product = sales["product"].where(~sales["product"].map(is_blank), NO_PRODUCT)
    for name, group in sales.groupby(product):
        buys = group[group["type"] == "purchase"]
        rows.append(
            (
                str(name),
                len(buys),
                int(buys["quantity"].sum()),
                round(float(group["amount"].sum()), 2),
                int((group["type"] == "return").sum()),
            )
        )
    rows.sort(key=lambda r: (-r[3], r[0]))
    return pd.DataFrame(rows, columns=["product", "orders", "quantity", "revenue", "returns"])


def month_index(as_of: dt.date, months: int = MONTHS) -> pd.PeriodIndex:
    """The calendar months of the trend, oldest first, ending with the as-of month."""
    return pd.period_range(end=pd.Period(as_of, "M"), periods=months, freq="M")


def monthly(
    sales: pd.DataFrame, leads: pd.DataFrame, as_of: dt.date, months: int = MONTHS
) -> pd.DataFrame:
    """The monthly trend: new leads, orders, revenue, returns and AOV per calendar month."""
    index = month_index(as_of, months)
    contact = moment(column(leads, "contact_date"))
    lead_month = contact[contact < end_of(as_of)].dt.to_period("M")
    kind = sales["type"]
    out = pd.DataFrame(index=pd.Index(index, name="month"))
    out["leads"] = lead_month.value_counts().reindex(index, fill_value=0).astype(int)
    out["orders"] = sales[kind == "purchase"].groupby("month").size()
    out["orders"] = out["orders"].reindex(index, fill_value=0).fillna(0).astype(int)
    revenue = sales.groupby("month")["amount"].sum()
    out["revenue"] = revenue.reindex(index, fill_value=0.0).fillna(0.0).round(2)
    returns = sales[kind == "return"].groupby("month")["amount"].sum()
    out["returns"] = (0.0 - returns.reindex(index, fill_value=0.0).fillna(0.0)).round(2)
    out["aov"] = pd.Series(
        [average_order_value(r, o) for r, o in zip(out["revenue"], out["orders"], strict=True)],
        index=out.index,
        dtype=object,
    )
    return out


def new_leads(leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Leads first contacted in the period."""
    return leads[period.contains(column(leads, "contact_date"))]


def new_customers(customers: pd.DataFrame, period: Period) -> int:
    """Customers whose first contact is in the period."""
    return int(period.contains(column(customers, "first_contact")).sum())


@dataclass(frozen=True)
class Conversion:
    leads: int
    converted: int

    @property
    def rate(self) -> float | None:
        """Converted ÷ leads, blank without leads."""
        return self.converted / self.leads if self.leads else None


def conversion(leads: pd.DataFrame) -> Conversion:
    return Conversion(len(leads), int((column(leads, "status") == "converted").sum()))


def leads_by_source(leads: pd.DataFrame, customers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per lead source: leads, converted, conversion rate, and (given customers with their
    ``total_spent``) the customers from that source and their revenue. Most leads first."""
    source = column(leads, "source")
    source = source.where(~source.map(is_blank), NO_SOURCE)
    rows = []
    for name, group in leads.groupby(source):
        conv = conversion(group)
        custs, money = 0, 0.0
        if customers is not None:
            mine = customers[column(customers, "lead_source") == name]
            custs, money = len(mine), round(float(num(column(mine, "total_spent")).sum()), 2)
        rows.append((str(name), conv.leads, conv.converted, conv.rate, custs, money))
    rows.sort(key=lambda r: (-r[1], r[0]))
    names = ["source", "leads", "converted", "rate", "customers", "revenue"]
    return pd.DataFrame(rows, columns=names)


def open_leads(leads: pd.DataFrame) -> pd.DataFrame:
    return leads[column(leads, "status").isin(OPEN_LEAD_STATUSES)]


@dataclass(frozen=True)
class Pipeline:
    value: float  # open leads' value
    weighted: float  # each weighted by its stage


def pipeline(leads: pd.DataFrame) -> Pipeline:
    rows = open_leads(leads)
    value = num(column(rows, "value")).fillna(0.0)
    weight = column(rows, "status").map(STAGE_WEIGHTS).astype(float)
    return Pipeline(round(float(value.sum()), 2), round(float((value * weight).sum()), 2))


def active_customers(customers: pd.DataFrame) -> int:
    """Customers who bought in the last ``ACTIVE_DAYS`` days (needs ``recency_days``)."""
    return int((num(column(customers, "recency_days")) <= ACTIVE_DAYS).sum())


def task_done(status: Any, done: Any) -> bool:
    """Done by status or by the checkbox, whichever a teammate used."""
    return status == "done" or (isinstance(done, (bool, np.bool_)) and bool(done))


def due_bucket(due: Any, as_of: dt.date) -> str | None:
    """How soon something is due: "overdue" (before the as-of day), "due today", "this week"
    (within 7 days), else None (later, or no date)."""
    when = as_date(due)
    if when is None:
        return None
    days = (when - as_of).days
    if days < 0:
        return OVERDUE
    if days == 0:
        return "due today"
    return "this week" if days <= 7 else None


def task_overdue(status: Any, done: Any, due: Any, as_of: dt.date) -> bool:
    return not task_done(status, done) and due_bucket(due, as_of) == OVERDUE


def overdue_mask(tasks: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """Which tasks are overdue on the as-of date."""
    parts = (column(tasks, name) for name in ("status", "done", "due_date"))
    late = [task_overdue(s, d, due, as_of) for s, d, due in zip(*parts, strict=True)]
    return pd.Series(late, index=tasks.index, dtype=bool)


def overdue_tasks(tasks: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The overdue tasks, longest overdue first."""
    late = tasks[overdue_mask(tasks, as_of)]
    due = day(column(late, "due_date"))
    return late.iloc[due.argsort(kind="stable").to_numpy()]


def assignee(name: Any) -> str:
    """Who a task or lead belongs to, "(nobody)" when blank."""
    return NOBODY if is_blank(name) else str(name).strip() or NOBODY


def overdue_by_assignee(overdue: pd.DataFrame) -> dict[str, int]:
    """Overdue task counts per assignee, most first."""
    counts = Counter(assignee(a) for a in column(overdue, "assignee"))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def ratio(part: float | None, whole: float | None, digits: int = 4) -> float | None:
    """part ÷ whole, blank when either is missing or the whole is zero."""
    return round(part / whole, digits) if part is not None and whole else None


def ctr(impressions: Any, clicks: Any) -> float | None:
    return ratio(number(clicks), number(impressions))


def cpa(budget: Any, customers: int) -> float | None:
    """Budget ÷ customers won; blank without a budget or without customers."""
    spend = number(budget)
    return ratio(spend, customers, 2) if spend else None


def roi(revenue: float, budget: Any) -> float | None:
    spend = number(budget)
    return ratio(revenue - spend, spend) if spend else None


def campaign_conversion(clicks: Any, conversions: Any, customers: int, leads: int) -> float | None:
    if number(clicks) and number(conversions) is not None:
        return ratio(number(conversions), number(clicks))
    return ratio(customers, leads)


def campaign_table(campaigns: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Every campaign with its metrics (``analytics.campaigns``), top revenue first."""
    rows: list[dict[str, Any]] = []
    unique = metrics[~metrics.index.duplicated()]
    for c in records(campaigns):
        cid = c.get("campaign_id")
        m = unique.loc[cid] if cid in unique.index else pd.Series(dtype=object)
        rows.append(
            {
                "campaign_id": cid,
                "name": c.get("name"),
                "channel": c.get("channel"),
                "leads": int(number(m.get("leads")) or 0),
                "customers": int(number(m.get("customers")) or 0),
                "revenue": round(number(m.get("revenue")) or 0.0, 2),
                "budget": number(c.get("budget")),
                "ctr": number(m.get("ctr")),
                "roi": number(m.get("roi")),
                "cpa": number(m.get("cpa")),
            }
        )
    rows.sort(key=lambda r: (-float(r["revenue"]), str(r["name"])))
    names = ["campaign_id", "name", "channel", "leads", "customers", "revenue", "budget"]
    return pd.DataFrame(rows, columns=[*names, "ctr", "roi", "cpa"])


def by_roi(table: pd.DataFrame) -> pd.DataFrame:
    """Campaigns by ROI, best first; those without an ROI last."""
    known = table[table["roi"].notna()].sort_values("roi", ascending=False, kind="stable")
    return pd.concat([known, table[table["roi"].isna()]])
