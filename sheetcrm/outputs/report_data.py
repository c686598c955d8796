"""What a report says, computed from the tabs for a period: KPIs against the previous
period, trends, and the tables people read — empty CRMs give zeros and "no data" lists,
never a division by zero."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.errors import InputError

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True)
class Period:
    start: dt.date  # inclusive
    end: dt.date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end, "previous period")

    def contains(self, series: pd.Series) -> pd.Series:
        days = pd.to_datetime(series, errors="coerce").dt.normalize()
        return (days >= pd.Timestamp(self.start)) & (days <= pd.Timestamp(self.end))


def parse_period(text: str, as_of: dt.date) -> Period:
    """week / month / quarter (ending on the as-of date) or YYYY-MM-DD..YYYY-MM-DD."""
    text = text.strip().lower()
    lengths = {"week": 7, "month": 30, "quarter": 91}
    if text in lengths:
        start = as_of - dt.timedelta(days=lengths[text] - 1)
        return Period(start, as_of, f"the {text} to {as_of.isoformat()}")
    m = _RANGE.match(text)
    if m:
        start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        if end < start:
            raise InputError(f"period {text!r} ends before it starts")
        return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")
    raise InputError(f"period {text!r}: use week, month, quarter or YYYY-MM-DD..YYYY-MM-DD")


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

    @property
    def empty(self) -> bool:
        return not (self.monthly and any(m["revenue"] or m["leads"] for m in self.monthly))


def _sales(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    acts = frames["Interactions"]
    if acts.empty:
        return pd.DataFrame(columns=["customer_id", "type", "amount", "date", "product"])
    sales = acts[acts["type"].isin(["purchase", "return"])].copy()
    sales["amount"] = pd.to_numeric(sales["amount"], errors="coerce").fillna(0.0)
    return sales


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def build(
    frames: dict[str, pd.DataFrame], period: Period, as_of: dt.date, *, title: str, currency: str
) -> ReportData:
    """Compute a report's numbers from typed tab frames."""
    sales = _sales(frames)
    leads, customers = frames["Leads"], frames["Customers"]
    prev = period.previous()

    def figures(p: Period) -> dict[str, float | None]:
        s = sales[p.contains(sales["date"])] if len(sales) else sales
        purchases = s[s["type"] == "purchase"] if len(s) else s
        revenue = float(s["amount"].sum()) if len(s) else 0.0
        orders = len(purchases)
        in_period = leads[p.contains(leads["contact_date"])] if len(leads) else leads
        won = int((in_period.get("status", pd.Series(dtype=object)) == "converted").sum())
        new_customers = int(p.contains(customers["first_contact"]).sum()) if len(customers) else 0
        rate = won / len(in_period) if len(in_period) else None
        return {
            "revenue": round(revenue, 2),
            "orders": orders,
            "aov": round(revenue / orders, 2) if orders else None,
            "leads": len(in_period),
            "conversion": rate,
            "new_customers": new_customers,
        }

    now, before = figures(period), figures(prev)
    kpis = [
        Kpi("Revenue", now["revenue"], before["revenue"], "money"),
        Kpi("Orders", now["orders"], before["orders"]),
        Kpi("Average order value", now["aov"], before["aov"], "money"),
        Kpi("New leads", now["leads"], before["leads"]),
        Kpi("Lead conversion", now["conversion"], before["conversion"], "percent"),
        Kpi("New customers", now["new_customers"], before["new_customers"]),
    ]
    month_index = pd.period_range(end=pd.Period(as_of, "M"), periods=12, freq="M")
    sale_month = pd.to_datetime(sales["date"], errors="coerce").dt.to_period("M")
    lead_month = pd.to_datetime(leads.get("contact_date"), errors="coerce").dt.to_period("M")
    monthly = [
        {
            "month": str(m),
            "revenue": round(float(sales.loc[sale_month == m, "amount"].sum()), 2),
            "orders": int(((sale_month == m) & (sales["type"] == "purchase")).sum()),
            "leads": int((lead_month == m).sum()),
        }
        for m in month_index
    ]
    by_source = []
    if len(leads):
        for source, group in leads.groupby(leads["source"].fillna("(none)")):
            won = int((group["status"] == "converted").sum())
            by_source.append(
                {"source": source, "leads": len(group), "converted": won, "rate": won / len(group)}
            )
        by_source.sort(key=lambda r: (-r["leads"], r["source"]))
    campaigns = []
    for c in frames["Campaigns"].to_dict("records"):
        campaigns.append(
            {
                "name": c.get("name"),
                "channel": c.get("channel"),
                "leads": c.get("leads"),
                "revenue": _num(c.get("revenue")),
                "budget": _num(c.get("budget")),
                "roi": _num(c.get("roi")),
                "cpa": _num(c.get("cpa")),
                "ctr": _num(c.get("ctr")),
            }
        )
    campaigns.sort(key=lambda r: -(r["roi"] if r["roi"] is not None else -1e9))
    in_period = sales[period.contains(sales["date"])] if len(sales) else sales
    spend = in_period.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    names = customers.set_index("customer_id")["name"].to_dict() if len(customers) else {}
    top = [
        {"name": names.get(cid, cid), "customer_id": cid, "amount": round(float(v), 2)}
        for cid, v in spend.head(10).items()
        if v > 0
    ]
    fresh = leads[period.contains(leads["contact_date"])] if len(leads) else leads
    recent = fresh.sort_values("contact_date", ascending=False).head(15) if len(fresh) else fresh
    new_leads = [
        {
            "name": r.get("name"),
            "source": r.get("source"),
            "status": r.get("status"),
            "owner": r.get("owner"),
            "score": r.get("score"),
        }
        for r in recent.to_dict("records")
    ]
    tasks = frames["Tasks"]
    late = tasks[tasks["overdue"] == True] if len(tasks) and "overdue" in tasks else tasks.head(0)  # noqa: E712
    overdue = [
        {"title": t.get("title"), "assignee": t.get("assignee"), "due": t.get("due_date")}
        for t in late.to_dict("records")
    ]
    segments = []
    if len(customers) and "segment" in customers:
        counts = customers["segment"].fillna("(not computed)").value_counts()
        segments = [{"segment": k, "customers": int(v)} for k, v in counts.items()]
    return ReportData(
        title,
        period,
        as_of,
        currency,
        kpis,
        monthly,
        by_source,
        campaigns,
        top,
        new_leads,
        overdue,
        segments,
    )
