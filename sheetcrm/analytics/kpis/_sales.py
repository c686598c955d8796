"""Sales, revenue, orders, products and the monthly trend (see ``kpis``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from sheetcrm.analytics.frames import column, moment, num
from sheetcrm.analytics.periods import Period, end_of
from sheetcrm.model import calendars
from sheetcrm.model.values import is_blank

SALE_TYPES = ("purchase", "return")
MONTHS = 12
NO_PRODUCT = "(unknown)"
SALE_COLUMNS = [
    "customer_id",
    "type",
    "amount",
    "when",
    "day",
    "month",
    "product",
    "quantity",
    "order_id",
    "channel",
    "line_id",
]
#: The channel of a sale logged as a purchase interaction (not an Orders line).
LOGGED_CHANNEL = "direct"


def sales(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """THE sales table, from the tabs' frames (``Interactions``, ``Orders``, ``Returns``;
    a missing one is empty): every sale and refund up to the end of the as-of day, one
    row each, with a signed ``amount`` (refunds negative), ``when``, ``day``, ``month``
    (the Gregorian month key ``YYYY-MM``; ``monthly`` buckets in the workbook's calendar),
    ``order_id`` (orders are distinct order ids of purchases), ``channel`` and ``line_id``
    (the Orders line, blank for a logged purchase)."""
    return _logged(frames.get("Interactions", pd.DataFrame()), as_of)


def _logged(interactions: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Purchases and returns logged as Interactions."""
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
            "month": month_of(when),
            "product": column(rows, "product"),
            "quantity": num(column(rows, "quantity")).fillna(0.0),
            "order_id": column(rows, "order_id")
            .where(~column(rows, "order_id").map(is_blank), column(rows, "interaction_id"))
            .astype(object),
            "channel": LOGGED_CHANNEL,
            "line_id": pd.Series([None] * len(rows), index=rows.index, dtype=object),
        },
        index=rows.index,
    )
    return out[SALE_COLUMNS]


def order_lines(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """The Orders tab's computed columns by ``line_id``: ``refunded`` (money given back
    for the line: its Returns records, or all of it when its status says it was returned
    or refunded without one) and ``net`` (what the line still earns: its total, less what
    was refunded; 0 when it is not a sale)."""
    return pd.DataFrame({"refunded": [], "net": []}, index=pd.Index([], name="line_id"))


#: ``channel_table`` columns.
CHANNEL_COLUMNS = ["channel", "orders", "gross", "refunds", "revenue", "share"]


def channel_table(sales: pd.DataFrame, period: Period | None = None) -> pd.DataFrame:
    """Per channel: orders, gross sales, refunds, net revenue and its share of all net
    revenue, highest revenue first (``period`` None: all time)."""
    return pd.DataFrame({c: [] for c in CHANNEL_COLUMNS})


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


def month_index(
    as_of: dt.date, months: int = MONTHS, calendar: str = calendars.GREGORIAN
) -> pd.Index:
    """The calendar months of the trend as ``YYYY-MM`` keys in ``calendar`` (``1404-07``
    for Mehr 1404), oldest first, ending with the as-of month."""
    keys = calendars.month_keys(calendars.month_key(as_of, calendar), months)
    return pd.Index(keys, dtype=object, name="month")


def month_of(when: pd.Series, calendar: str = calendars.GREGORIAN) -> pd.Series:
    """The month key (``YYYY-MM`` in ``calendar``) of each moment; None where there is none."""
    days = when.dt.normalize()
    if calendar == calendars.GREGORIAN:
        keys: pd.Series = days.dt.strftime("%Y-%m")
    else:
        named = {d: calendars.month_key(d.date(), calendar) for d in days.dropna().unique()}
        keys = days.map(named)
    return keys.astype(object).where(days.notna(), None)


def monthly(
    sales: pd.DataFrame,
    leads: pd.DataFrame,
    as_of: dt.date,
    months: int = MONTHS,
    calendar: str = calendars.GREGORIAN,
) -> pd.DataFrame:
    """The monthly trend: new leads, orders, revenue, returns and AOV per calendar month
    (months of ``calendar``: a sale on 2025-09-23 is in Mehr 1404, ``1404-07``)."""
    index = month_index(as_of, months, calendar)
    contact = moment(column(leads, "contact_date"))
    lead_month = month_of(contact[contact < end_of(as_of)], calendar)
    kind = sales["type"]
    sale_month = month_of(sales["when"], calendar)
    out = pd.DataFrame(index=index)
    out["leads"] = lead_month.value_counts().reindex(index, fill_value=0).astype(int)
    out["orders"] = sale_month[kind == "purchase"].value_counts()
    out["orders"] = out["orders"].reindex(index, fill_value=0).fillna(0).astype(int)
    revenue = sales["amount"].groupby(sale_month).sum()
    out["revenue"] = revenue.reindex(index, fill_value=0.0).fillna(0.0).round(2)
    returns = sales["amount"][kind == "return"].groupby(sale_month[kind == "return"]).sum()
    out["returns"] = (0.0 - returns.reindex(index, fill_value=0.0).fillna(0.0)).round(2)
    out["aov"] = pd.Series(
        [average_order_value(r, o) for r, o in zip(out["revenue"], out["orders"], strict=True)],
        index=out.index,
        dtype=object,
    )
    return out
