"""Sales, revenue, orders, products and the monthly trend (see ``kpis``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from sheetcrm.analytics.frames import column, moment, num
from sheetcrm.analytics.periods import Period, end_of
from sheetcrm.model import calendars
from sheetcrm.model.commerce import REFUND_VOID, is_sold, is_undone
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
#: The channel of a sale without one: logged as a purchase interaction, an Orders line
#: with a blank channel, or a refund not linked to any order.
LOGGED_CHANNEL = "direct"

_EMPTY = pd.DataFrame()


def sales(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """THE sales table, from the tabs' frames (``Interactions``, ``Orders``, ``Returns``;
    a missing one is empty): every sale and refund up to the end of the as-of day, one
    row each, with a signed ``amount`` (refunds negative), ``when``, ``day``, ``month``
    (the Gregorian month key ``YYYY-MM``; ``monthly`` buckets in the workbook's calendar),
    ``order_id`` (orders are distinct order ids of purchases), ``channel`` and ``line_id``
    (the Orders line, blank for a logged purchase).

    A sold Orders line is one purchase row (its total); each refund is one return row,
    dated when the money went back (see ``kpis``: "Sales table")."""
    lines = _lines(frames.get("Orders", _EMPTY))
    refunds = _refunds(lines, frames.get("Returns", _EMPTY), as_of)
    sold = lines[lines["sold"]]
    bought = pd.DataFrame(
        {
            "customer_id": sold["customer_id"],
            "type": "purchase",
            "amount": sold["total"],
            "when": sold["when"],
            "product": sold["product"],
            "quantity": sold["quantity"],
            "order_id": sold["order_id"],
            "channel": sold["channel"],
            "line_id": sold["line_id"],
        },
        index=sold.index,
    )
    known = set(lines["order_id"].dropna())
    logged = _logged(frames.get("Interactions", _EMPTY), known)
    parts = [p for p in (bought, refunds, logged) if len(p)]
    if not parts:
        return _finish(logged, as_of)
    return _finish(pd.concat(parts, ignore_index=True), as_of)


def _finish(rows: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Up to the end of the as-of day, with ``day`` and ``month``, in ``SALE_COLUMNS``."""
    when = pd.to_datetime(rows["when"], errors="coerce")
    keep = (when < end_of(as_of)).to_numpy()
    rows, when = rows[keep].copy(), when[keep]
    rows["when"] = when
    rows["day"] = when.dt.normalize()
    rows["month"] = month_of(when)
    rows["amount"] = rows["amount"].astype(float)
    rows["quantity"] = rows["quantity"].astype(float)
    for name in ("customer_id", "product", "order_id", "channel", "line_id"):
        rows[name] = rows[name].astype(object).where(rows[name].notna(), None)
    return rows[SALE_COLUMNS].reset_index(drop=True)


def _text(values: pd.Series) -> pd.Series:
    """Cells as text, None for blanks."""
    return pd.Series(
        [None if is_blank(v) else str(v) for v in values], index=values.index, dtype=object
    )


def _lines(orders: pd.DataFrame) -> pd.DataFrame:
    """The Orders lines with what the money needs: ``total`` (``line_total``, else quantity
    × unit price, quantity blank → 1), ``gross`` (the total when ``sold``, else 0),
    ``sold`` and ``undone`` (the status), ``when`` and a ``channel`` for every line."""
    quantity = num(column(orders, "quantity"))
    total = num(column(orders, "line_total"))
    total = total.where(total.notna(), quantity.fillna(1.0) * num(column(orders, "unit_price")))
    status = column(orders, "status")
    sold = pd.Series([is_sold(None if is_blank(v) else v) for v in status], index=orders.index)
    channel = _text(column(orders, "channel"))
    out = pd.DataFrame(
        {
            "line_id": _text(column(orders, "line_id")),
            "order_id": _text(column(orders, "order_id")),
            "when": moment(column(orders, "date")),
            "channel": channel.where(channel.notna(), LOGGED_CHANNEL),
            "customer_id": _text(column(orders, "customer_id")),
            "product": column(orders, "product"),
            "quantity": quantity.fillna(1.0),
            "total": total.fillna(0.0).astype(float),
            "sold": sold.astype(bool),
            "undone": pd.Series([is_undone(v) for v in status], index=orders.index, dtype=bool),
        },
        index=orders.index,
    )
    out["gross"] = out["total"].where(out["sold"], 0.0)
    return out


def _refunds(lines: pd.DataFrame, returns: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One return row per refund (a refund linked to an order is split over its lines).

    A Returns record not ``REFUND_VOID`` and dated up to the as-of day refunds its
    ``amount``: to the line of its ``line_id``, else to its ``order_id``'s lines in tab
    order, else standalone. A line's refunds never exceed its total, and a line that is
    not a sale refunds nothing. A line whose status says it was undone (``UNDONE``) and
    that no record with an amount speaks for (by its line or its order) is refunded
    whole, on its own date."""
    when = moment(column(returns, "date"))
    status = column(returns, "status")
    live = (when < end_of(as_of)) & ~status.isin(REFUND_VOID)
    returns, when = returns[live], when[live]
    amount = num(column(returns, "amount")).abs()
    info = cast("dict[Hashable, dict[str, Any]]", lines.to_dict("index"))
    line_of: dict[str, Hashable] = {}
    order_lines: dict[str, list[Hashable]] = {}
    for key, line in info.items():
        if line["line_id"] is not None:
            line_of.setdefault(line["line_id"], key)
        if line["order_id"] is not None:
            order_lines.setdefault(line["order_id"], []).append(key)
    left: dict[Hashable, float] = {k: float(line["gross"]) for k, line in info.items()}
    spoken_lines: set[Hashable] = set()
    spoken_orders: set[str] = set()
    rows: list[dict[str, Any]] = []

    def refund(key: Hashable, money: float, rec: dict[str, Any]) -> float:
        line = info[key]
        give = min(money, left[key])
        left[key] -= give
        rows.append(
            {
                **rec,
                "customer_id": line["customer_id"] or rec["customer_id"],
                "amount": -give,
                "product": rec["product"] if is_blank(line["product"]) else line["product"],
                "order_id": line["order_id"],
                "channel": line["channel"],
                "line_id": line["line_id"],
            }
        )
        return money - give

    records = pd.DataFrame(
        {
            "line_id": _text(column(returns, "line_id")),
            "order_id": _text(column(returns, "order_id")),
            "when": when,
            "customer_id": _text(column(returns, "customer_id")),
            "product": column(returns, "product"),
            "quantity": num(column(returns, "quantity")).abs().fillna(0.0),
            "amount": amount,
        },
        index=returns.index,
    ).sort_values("when", kind="stable")
    by_order: list[tuple[str, float, dict[str, Any]]] = []
    for ret in cast("list[dict[str, Any]]", records.to_dict("records")):
        lid, oid, money = ret.pop("line_id"), ret.pop("order_id"), ret.pop("amount")
        rec: dict[str, Any] = {"type": "return", **ret}
        has_amount = not is_blank(money)
        money = float(money) if has_amount else 0.0
        if lid in line_of:
            key = line_of[lid]
            if has_amount:
                spoken_lines.add(key)
            if info[key]["sold"]:
                refund(key, money, rec)
        elif oid in order_lines:
            if has_amount:
                spoken_orders.add(oid)
            by_order.append((oid, money, rec))
        else:
            rows.append(
                {
                    **rec,
                    "amount": -money,
                    "order_id": oid,
                    "channel": LOGGED_CHANNEL,
                    "line_id": None,
                }
            )
    for oid, money, rec in by_order:
        for key in order_lines[oid]:
            if money <= 0:
                break
            if left[key] > 0:
                money = refund(key, money, rec)
    for key, line in info.items():
        if not (line["undone"] and line["sold"]):
            continue
        if key in spoken_lines or line["order_id"] in spoken_orders or left[key] <= 0:
            continue
        rec = {
            "type": "return",
            "when": line["when"],
            "customer_id": line["customer_id"],
            "product": line["product"],
            "quantity": line["quantity"],
        }
        refund(key, left[key], rec)
    names = [c for c in SALE_COLUMNS if c not in ("day", "month")]
    return pd.DataFrame(rows, columns=names)


def _logged(interactions: pd.DataFrame, known: set[str]) -> pd.DataFrame:
    """Purchases and returns logged as Interactions (a purchase of an order the Orders
    tab holds is left out: that order counts once, from its lines)."""
    rows = interactions[column(interactions, "type").isin(SALE_TYPES)]
    order = _text(column(rows, "order_id"))
    kind = column(rows, "type")
    again = (kind == "purchase") & order.isin(known)
    rows, order, kind = rows[~again], order[~again], kind[~again]
    amount = num(column(rows, "amount")).fillna(0.0).abs()
    return pd.DataFrame(
        {
            "customer_id": _text(column(rows, "customer_id")),
            "type": kind,
            "amount": amount.where(kind == "purchase", -amount).astype(float),
            "when": moment(column(rows, "date")),
            "product": column(rows, "product"),
            "quantity": num(column(rows, "quantity")).fillna(0.0),
            "order_id": order.where(order.notna(), _text(column(rows, "interaction_id"))),
            "channel": LOGGED_CHANNEL,
            "line_id": pd.Series([None] * len(rows), index=rows.index, dtype=object),
        },
        index=rows.index,
    )


def order_lines(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """The Orders tab's computed columns by ``line_id``: ``refunded`` (money given back
    for the line up to the as-of day: its Returns records, its share of its order's, or
    all of it when its status says it was returned or refunded without one) and ``net``
    (what the line still earns: its total, less what was refunded; 0 when it is not a
    sale). Lines without a ``line_id`` are left out."""
    lines = _lines(frames.get("Orders", _EMPTY))
    refunds = _refunds(lines, frames.get("Returns", _EMPTY), as_of)
    given = (0.0 - refunds["amount"].astype(float)).groupby(refunds["line_id"]).sum()
    lines = lines[lines["line_id"].notna()].drop_duplicates("line_id")
    refunded = lines["line_id"].map(given).fillna(0.0).astype(float)
    out = pd.DataFrame(
        {
            "refunded": refunded.round(2).to_numpy(),
            "net": (lines["gross"] - refunded).round(2).to_numpy(),
        },
        index=pd.Index(lines["line_id"].tolist(), name="line_id", dtype=object),
    )
    return out


#: Line states that may still become a sale (a cancelled line will not).
PENDING_STATUSES = ("pending", "placed")


def pending_orders(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> SalesFigures:
    """Orders not yet sold, as pipeline (never revenue): the value of the Orders lines
    dated up to the as-of day whose status is pending or placed, and their distinct
    orders."""
    orders = frames.get("Orders", _EMPTY)
    lines = _lines(orders)
    waiting = column(orders, "status").isin(PENDING_STATUSES) & (lines["when"] < end_of(as_of))
    rows = lines[waiting]
    return SalesFigures(
        revenue=round(float(rows["total"].sum()), 2),
        orders=int(rows["order_id"].dropna().nunique() + rows["order_id"].isna().sum()),
    )


#: ``channel_table`` columns.
CHANNEL_COLUMNS = ["channel", "orders", "gross", "refunds", "revenue", "share"]


def count_orders(sales: pd.DataFrame) -> int:
    """Orders among some sales rows: distinct order ids of purchases (a purchase without
    one is an order of its own)."""
    buys = sales[sales["type"] == "purchase"]
    ids = buys["order_id"]
    return int(ids.dropna().nunique() + ids.isna().sum())


def channel_table(sales: pd.DataFrame, period: Period | None = None) -> pd.DataFrame:
    """Per channel: orders, gross sales, refunds, net revenue and its share of all net
    revenue (0–1, blank when there is none), highest revenue first (``period`` None: all
    time)."""
    rows = sales if period is None else sales[period.contains(sales["when"])]
    total = float(rows["amount"].sum())
    out = []
    for name, group in rows.groupby(rows["channel"].fillna(LOGGED_CHANNEL)):
        amount = group["amount"]
        gross = round(float(amount[group["type"] == "purchase"].sum()), 2)
        refunds = round(float(-amount[group["type"] != "purchase"].sum()), 2)
        revenue = round(float(amount.sum()), 2)
        share = round(float(amount.sum()) / total, 4) if total else None
        out.append((str(name), count_orders(group), gross, refunds, revenue, share))
    out.sort(key=lambda r: (-r[4], r[0]))
    return pd.DataFrame(out, columns=CHANNEL_COLUMNS)


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
    return SalesFigures(
        revenue=round(float(rows["amount"].sum()), 2),
        orders=count_orders(rows),
    )


def revenue_by_customer(sales: pd.DataFrame, period: Period | None = None) -> pd.Series:
    """Net revenue per customer, highest first (sales without a customer left out)."""
    rows = sales if period is None else sales[period.contains(sales["when"])]
    rows = rows[rows["customer_id"].notna()]
    return rows.groupby("customer_id")["amount"].sum().round(2).sort_values(ascending=False)


def product_table(sales: pd.DataFrame) -> pd.DataFrame:
    """Per product: orders, quantity, net revenue and number of returns, top revenue first.

    Per line: an order of two products counts once for each, with each line's own total
    and its own refunds (a refund linked to an order is split over its lines)."""
    rows = []
    product = sales["product"].where(~sales["product"].map(is_blank), NO_PRODUCT)
    for name, group in sales.groupby(product):
        buys = group[group["type"] == "purchase"]
        rows.append(
            (
                str(name),
                count_orders(buys),
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
    buys = sales[kind == "purchase"]
    orders = {m: count_orders(g) for m, g in buys.groupby(sale_month[kind == "purchase"])}
    out["orders"] = pd.Series(orders, dtype=float).reindex(index).fillna(0).astype(int)
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
