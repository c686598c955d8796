"""New, active and inactive customers; the segment and region tables (see ``kpis``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sheetcrm.analytics.frames import column, day, num
from sheetcrm.analytics.kpis._sales import average_order_value
from sheetcrm.analytics.periods import Period, end_of

ACTIVE_DAYS = 180
ACTIVE, INACTIVE = "active", "inactive"
NO_SEGMENT, NO_COUNTRY = "(none)", "(unknown)"


def new_customers(customers: pd.DataFrame, period: Period) -> int:
    """Customers whose first contact is in the period."""
    return int(period.contains(column(customers, "first_contact")).sum())


def last_purchases(sales: pd.DataFrame) -> pd.Series:
    """Per customer ID, the day of their last purchase (a return is not one)."""
    buys = sales[(sales["type"] == "purchase") & sales["customer_id"].notna()]
    return buys.groupby("customer_id")["day"].max()


def latest_activity(
    last_contact: pd.Series, last_purchase: pd.Series, first_contact: pd.Series
) -> pd.Series:
    """Per row, the day a customer was last heard of: the later of their last contact and
    last purchase; with neither, their first contact (``kpis``: Recency). NaT when none."""
    later = pd.concat([day(last_contact), day(last_purchase)], axis=1).max(axis=1)
    return later.fillna(day(first_contact))


def last_activity(customers: pd.DataFrame) -> pd.Series:
    """``latest_activity`` of a Customers frame (its computed ``last_contact`` and
    ``last_purchase``, and ``first_contact``)."""
    return latest_activity(
        column(customers, "last_contact"),
        column(customers, "last_purchase"),
        column(customers, "first_contact"),
    )


def _lookup(ids: pd.Series, days: pd.Series) -> pd.Series:
    """Each customer ID's day in ``days`` (NaT for a blank or unknown ID), looked up for
    every ID from a dict: ``Series.get`` per row takes seconds on 100k customers."""
    known = days.to_dict()
    return pd.to_datetime(ids.map(lambda cid: known.get(cid) if isinstance(cid, str) else None))


def recency(
    customers: pd.DataFrame,
    sales: pd.DataFrame,
    as_of: dt.date,
    interactions: pd.DataFrame | None = None,
) -> pd.Series:
    """Per customer, their ``latest_activity`` on the as-of day (``kpis``: Recency): the
    last contact (from ``interactions`` when given, else the frame's computed
    ``last_contact``), the last purchase (the sales table) and, with neither, the first
    contact; nothing dated after the as-of day counts. NaT when none is known."""
    cut = pd.Timestamp(as_of)
    ids = column(customers, "customer_id")
    last = last_purchases(sales[sales["when"] < end_of(as_of)])
    bought = _lookup(ids, last)
    if interactions is None:
        contact = day(column(customers, "last_contact"))
    else:
        acts = pd.DataFrame(
            {
                "customer_id": column(interactions, "customer_id"),
                "day": day(column(interactions, "date")),
            }
        )
        seen = acts[acts["day"] <= cut].groupby("customer_id")["day"].max()
        contact = _lookup(ids, seen)
    first = day(column(customers, "first_contact"))
    latest = latest_activity(contact.where(contact <= cut), bought, first.where(first <= cut))
    return latest


def activity(
    customers: pd.DataFrame,
    sales: pd.DataFrame,
    as_of: dt.date,
    interactions: pd.DataFrame | None = None,
) -> pd.Series:
    """Per customer: ``ACTIVE`` (bought in the last ``ACTIVE_DAYS`` days), ``INACTIVE``
    (not active, and last heard of — ``recency`` — more than ``ACTIVE_DAYS`` days ago,
    bought or not) or None (neither: recently in touch, or nothing dated known)."""
    last = last_purchases(sales[sales["when"] < end_of(as_of)])
    ids = column(customers, "customer_id")
    when = _lookup(ids, last)
    days = (pd.Timestamp(as_of) - when).dt.days
    quiet = (pd.Timestamp(as_of) - recency(customers, sales, as_of, interactions)).dt.days
    out = pd.Series([None] * len(customers), index=customers.index, dtype=object)
    out[(quiet > ACTIVE_DAYS) & ~(days <= ACTIVE_DAYS)] = INACTIVE
    out[days <= ACTIVE_DAYS] = ACTIVE
    return out


def active_customers(customers: pd.DataFrame, sales: pd.DataFrame, as_of: dt.date) -> int:
    """How many customers bought in the last ``ACTIVE_DAYS`` days."""
    return int((activity(customers, sales, as_of) == ACTIVE).sum())


def inactive_customers(
    customers: pd.DataFrame,
    sales: pd.DataFrame,
    as_of: dt.date,
    interactions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The customers not active and not heard of for more than ``ACTIVE_DAYS`` days
    (``activity``): the win-back list and the Dashboard count, a never-contacted customer
    whose first visit is that old included."""
    return customers[activity(customers, sales, as_of, interactions) == INACTIVE]


def segment_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Per segment: customers, net revenue, average order value and share of revenue (0–1),
    top revenue first (needs ``segment``, ``total_spent`` and ``orders``)."""
    spent = num(column(customers, "total_spent")).fillna(0.0)
    orders = num(column(customers, "orders")).fillna(0.0)
    total = float(spent.sum())
    rows = []
    for name, group in customers.groupby(column(customers, "segment").fillna(NO_SEGMENT)):
        money = float(spent[group.index].sum())
        revenue = round(money, 2)
        aov = average_order_value(revenue, int(orders[group.index].sum()))
        rows.append((str(name), len(group), revenue, aov, money / total if total else None))
    rows.sort(key=lambda r: -r[2])
    names = ["segment", "customers", "revenue", "average_order_value", "share"]
    return pd.DataFrame(rows, columns=names)


def region_table(customers: pd.DataFrame) -> pd.DataFrame:
    """Per country and city: customers and their net revenue, top revenue first."""
    spent = num(column(customers, "total_spent")).fillna(0.0)
    keys = [column(customers, "country").fillna(NO_COUNTRY), column(customers, "city").fillna("")]
    rows = [
        (str(country), str(city), len(group), round(float(spent[group.index].sum()), 2))
        for (country, city), group in customers.groupby(keys)
    ]
    rows.sort(key=lambda r: (-r[3], r[0], r[1]))
    return pd.DataFrame(rows, columns=["country", "city", "customers", "revenue"])
