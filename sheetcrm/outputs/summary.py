"""Headline figures of a CRM, computed with pandas from the typed tab frames.

This is the small at-a-glance summary ``sheetcrm demo`` and ``sheetcrm summary`` print;
the dashboard tabs and full reports build on the same frames.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class Summary:
    """Counts and money figures; empty CRMs give zeros and empty lists, never errors."""

    as_of: dt.date
    counts: dict[str, int]
    customers_by_status: dict[str, int] = field(default_factory=dict)
    revenue_total: float = 0.0
    revenue_30d: float = 0.0
    orders: int = 0
    average_order_value: float | None = None
    top_products: list[tuple[str, float]] = field(default_factory=list)
    leads_by_source: dict[str, int] = field(default_factory=dict)
    open_leads: int = 0
    overdue_tasks: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["as_of"] = self.as_of.isoformat()
        return out


def summarize(frames: dict[str, pd.DataFrame], as_of: dt.date | None = None) -> Summary:
    """Compute the summary from typed frames (as returned by ``CRM.frame``)."""
    today = as_of or dt.date.today()
    empty = pd.DataFrame()
    customers = frames.get("Customers", empty)
    leads = frames.get("Leads", empty)
    interactions = frames.get("Interactions", empty)
    tasks = frames.get("Tasks", empty)
    s = Summary(today, {name: len(df) for name, df in frames.items()})
    if "status" in customers:
        s.customers_by_status = {
            str(k): int(v) for k, v in customers["status"].dropna().value_counts().items()
        }
    if {"type", "amount", "date"} <= set(interactions.columns):
        sales = interactions[interactions["type"] == "purchase"].copy()
        sales["amount"] = pd.to_numeric(sales["amount"], errors="coerce").fillna(0.0)
        sales["day"] = pd.to_datetime(sales["date"], errors="coerce")
        s.orders = len(sales)
        s.revenue_total = round(float(sales["amount"].sum()), 2)
        recent = sales["day"] >= pd.Timestamp(today - dt.timedelta(days=30))
        s.revenue_30d = round(float(sales.loc[recent, "amount"].sum()), 2)
        s.average_order_value = round(s.revenue_total / s.orders, 2) if s.orders else None
        if "product" in sales:
            top = sales.groupby("product")["amount"].sum().sort_values(ascending=False).head(5)
            s.top_products = [(str(k), round(float(v), 2)) for k, v in top.items()]
    if "source" in leads:
        s.leads_by_source = {
            str(k): int(v) for k, v in leads["source"].dropna().value_counts().items()
        }
        s.open_leads = int(leads["status"].isin(["new", "contacted", "qualified"]).sum())
    if {"due_date", "status", "assignee"} <= set(tasks.columns):
        due = pd.to_datetime(tasks["due_date"], errors="coerce")
        late = tasks[(due < pd.Timestamp(today)) & (tasks["status"] != "done")]
        s.overdue_tasks = {
            str(k): int(v) for k, v in late["assignee"].fillna("(nobody)").value_counts().items()
        }
    return s
