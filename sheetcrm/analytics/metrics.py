"""Computed columns, in pandas: customer purchase metrics and RFM, lead scores and urgency,
campaign attribution and ROI, overdue tasks. Pure functions of the tab frames and an
as-of date, so results are reproducible (``--as-of``).

RFM: recency = days from the last purchase to the as-of date; frequency = purchase orders;
monetary = net amount (purchases minus returns). Each becomes a 1–5 score by rank
quintile among customers with a purchase (5 = most recent / most frequent / highest), and
the named segment follows from R and FM = ⌈(F + M) / 2⌉:

    R \\ FM   1               2                   3               4–5
    5        New             Potential Loyalist  Loyal           Champions
    4        Promising       Potential Loyalist  Loyal           Champions
    3        About to Sleep  About to Sleep      Need Attention  Loyal
    2        Hibernating     Hibernating         At Risk         At Risk
    1        Lost            Lost                At Risk         Cannot Lose Them
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

RFM_TABLE = {
    5: ("New", "Potential Loyalist", "Loyal", "Champions", "Champions"),
    4: ("Promising", "Potential Loyalist", "Loyal", "Champions", "Champions"),
    3: ("About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"),
    2: ("Hibernating", "Hibernating", "At Risk", "At Risk", "At Risk"),
    1: ("Lost", "Lost", "At Risk", "Cannot Lose Them", "Cannot Lose Them"),
}
OPEN_LEADS = ("new", "contacted", "qualified")
SALES = ("purchase", "return")


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce").dt.normalize()


def _blank_none(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def quintile(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1–5 by rank (ties broken by order): 5 for the best fifth."""
    ranks = values.rank(method="first", ascending=higher_is_better)
    return np.ceil(ranks * 5 / len(values)).clip(1, 5).astype(int)


def customer_metrics(
    customers: pd.DataFrame, interactions: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    """Per customer: totals, first/last purchase, recency, contacts, RFM score and segment."""
    ids = customers.get("customer_id", pd.Series(dtype=object)).dropna().astype(str)
    out = pd.DataFrame(index=pd.Index(ids.unique(), name="customer_id"))
    acts = interactions.copy()
    if acts.empty or "customer_id" not in acts:
        acts = pd.DataFrame(columns=["customer_id", "type", "amount", "date"])
    acts = acts[acts["customer_id"].notna()].copy()
    acts["customer_id"] = acts["customer_id"].astype(str)
    acts["amount"] = _num(acts["amount"]).fillna(0.0)
    acts["day"] = _day(acts["date"])
    sales = acts[acts["type"].isin(SALES)]
    purchases = sales[sales["type"] == "purchase"]
    out["total_spent"] = sales.groupby("customer_id")["amount"].sum().round(2)
    out["orders"] = purchases.groupby("customer_id").size()
    out[["total_spent", "orders"]] = out[["total_spent", "orders"]].fillna(0)
    out["orders"] = out["orders"].astype(int)
    out["avg_order_value"] = (out["total_spent"] / out["orders"].where(out["orders"] > 0)).round(2)
    out["first_purchase"] = purchases.groupby("customer_id")["day"].min()
    out["last_purchase"] = purchases.groupby("customer_id")["day"].max()
    out["recency_days"] = (pd.Timestamp(as_of) - out["last_purchase"]).dt.days
    out["interactions"] = acts.groupby("customer_id").size()
    out["interactions"] = out["interactions"].fillna(0).astype(int)
    out["last_contact"] = acts.groupby("customer_id")["day"].max()
    buyers = out[out["orders"] > 0]
    out["rfm_score"] = None
    out["rfm_segment"] = None
    if len(buyers):
        r = quintile(buyers["recency_days"], higher_is_better=False)
        f = quintile(buyers["orders"])
        m = quintile(buyers["total_spent"])
        fm = np.ceil((f + m) / 2).astype(int)
        out.loc[buyers.index, "rfm_score"] = r.astype(str) + f.astype(str) + m.astype(str)
        out.loc[buyers.index, "rfm_segment"] = [
            RFM_TABLE[a][b - 1] for a, b in zip(r, fm, strict=True)
        ]
    return out


@dataclass
class ScoreWeights:
    """Lead-score weights (``[scoring]`` in sheetcrm.toml); every part is explained."""

    source: dict[str, float] = field(
        default_factory=lambda: {
            "referral": 25,
            "affiliate": 20,
            "website": 15,
            "exhibition": 15,
            "instagram": 10,
            "facebook": 10,
            "ads": 10,
            "other": 5,
        }
    )
    interest: dict[str, float] = field(default_factory=lambda: {"high": 30, "medium": 15, "low": 5})
    per_interaction: float = 5
    interactions_max: float = 20
    recent_days: int = 14
    recency_points: float = 15
    stale_days: int = 60
    campaign: float = 10


def score_lead(
    lead: Mapping[str, Any], contacts: int, as_of: dt.date, w: ScoreWeights
) -> tuple[int, list[tuple[str, float]]]:
    """Score 0–100 and the reasons (label, points) that add up to it."""
    reasons: list[tuple[str, float]] = []
    source = lead.get("source")
    if source and w.source.get(source):
        reasons.append((f"source: {source}", w.source[source]))
    interest = lead.get("interest")
    if interest and w.interest.get(interest):
        reasons.append((f"interest: {interest}", w.interest[interest]))
    if contacts:
        reasons.append(
            (f"{contacts} interaction(s)", min(w.interactions_max, contacts * w.per_interaction))
        )
    contact = lead.get("contact_date")
    if isinstance(contact, dt.datetime):
        contact = contact.date()
    if isinstance(contact, dt.date):
        age = (as_of - contact).days
        if age <= w.recent_days:
            points = w.recency_points
        elif age < w.stale_days:
            points = w.recency_points * (w.stale_days - age) / (w.stale_days - w.recent_days)
        else:
            points = 0
        if points > 0:
            reasons.append((f"contacted {age} days ago", round(points, 1)))
    if lead.get("campaign_id"):
        reasons.append(("from a campaign", w.campaign))
    total = round(min(100.0, max(0.0, sum(p for _, p in reasons))))
    return total, reasons


def urgency(next_date: Any, status: Any, as_of: dt.date) -> str | None:
    """'overdue', 'due today', 'this week' for an open lead's next action, else None."""
    if status not in OPEN_LEADS and status is not None:
        return None
    if isinstance(next_date, dt.datetime):
        next_date = next_date.date()
    if not isinstance(next_date, dt.date):
        return None
    days = (next_date - as_of).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "due today"
    return "this week" if days <= 7 else None


def lead_metrics(
    leads: pd.DataFrame, interactions: pd.DataFrame, as_of: dt.date, weights: ScoreWeights
) -> pd.DataFrame:
    contacts = pd.Series(dtype=int)
    if not interactions.empty and "lead_id" in interactions:
        contacts = interactions[interactions["lead_id"].notna()].groupby("lead_id").size()
    rows = []
    for lead in leads.to_dict("records"):
        lid = lead.get("lead_id")
        if not lid:
            continue
        score, _ = score_lead(lead, int(contacts.get(lid, 0)), as_of, weights)
        due = urgency(lead.get("next_action_date"), lead.get("status"), as_of)
        rows.append({"lead_id": lid, "score": score, "urgency": due})
    return pd.DataFrame(rows, columns=["lead_id", "score", "urgency"]).set_index("lead_id")


CHANNEL_OF_SOURCE = {
    "instagram": "instagram",
    "facebook": "facebook",
    "ads": "google_ads",
    "affiliate": "affiliate",
    "referral": "referral",
}


def attribute_leads(leads: pd.DataFrame, campaigns: pd.DataFrame) -> pd.Series:
    """Campaign of each lead: its campaign_id; else the campaign whose referral code it
    quotes; else the one campaign whose channel matches the lead's source and whose dates
    include the lead's contact date."""
    out = {}
    spans = []
    codes = {}
    for c in campaigns.to_dict("records"):
        spans.append(
            (c.get("campaign_id"), c.get("channel"), c.get("start_date"), c.get("end_date"))
        )
        if c.get("referral_code"):
            codes[str(c["referral_code"]).strip().casefold()] = c.get("campaign_id")
    known = {s[0] for s in spans}
    for lead in leads.to_dict("records"):
        lid, cid = lead.get("lead_id"), lead.get("campaign_id")
        if not lid:
            continue
        if cid in known:
            out[lid] = cid
            continue
        code = str(lead.get("referral_code") or "").strip().casefold()
        if code in codes:
            out[lid] = codes[code]
            continue
        channel = CHANNEL_OF_SOURCE.get(lead.get("source") or "")
        day = lead.get("contact_date")
        matches = [
            s[0]
            for s in spans
            if channel
            and s[1] == channel
            and isinstance(day, dt.date)
            and (s[2] is None or s[2] <= day)
            and (s[3] is None or day <= s[3])
        ]
        if len(matches) == 1:
            out[lid] = matches[0]
    return pd.Series(out, dtype=object)


def campaign_metrics(
    campaigns: pd.DataFrame, leads: pd.DataFrame, interactions: pd.DataFrame
) -> pd.DataFrame:
    """Leads, customers and revenue per campaign; CTR, conversion rate, CPA and ROI (blank
    where a denominator is zero or missing, never an error)."""
    by_lead = attribute_leads(leads, campaigns)
    lead_rows = leads.set_index("lead_id") if "lead_id" in leads and len(leads) else pd.DataFrame()
    if len(interactions):
        sales = interactions[interactions["type"].isin(SALES)].copy()
    else:
        sales = pd.DataFrame(columns=["customer_id", "amount", "date"])
    sales["amount"] = _num(sales["amount"]).fillna(0.0)
    sales["day"] = _day(sales["date"])
    rows = []
    for c in campaigns.to_dict("records"):
        cid = c.get("campaign_id")
        if not cid:
            continue
        lids = [lid for lid, camp in by_lead.items() if camp == cid]
        custs = {}
        for lid in lids:
            cust = lead_rows.loc[lid].get("customer_id") if lid in lead_rows.index else None
            if cust and lead_rows.loc[lid].get("status") == "converted":
                since = lead_rows.loc[lid].get("contact_date")
                custs[str(cust)] = min(custs.get(str(cust), since), since) if since else since
        revenue = 0.0
        for cust, since in custs.items():
            mine = sales[sales["customer_id"].astype(str) == cust]
            if since:
                mine = mine[mine["day"] >= pd.Timestamp(since)]
            revenue += float(mine["amount"].sum())
        impressions, clicks = _pos(c.get("impressions")), _pos(c.get("clicks"))
        conversions, budget = _pos(c.get("conversions")), _pos(c.get("budget"))
        n_leads, n_custs = len(lids), len(custs)
        if clicks and conversions is not None:
            conversion = conversions / clicks
        else:
            conversion = n_custs / n_leads if n_leads else None
        rows.append(
            {
                "campaign_id": cid,
                "leads": n_leads,
                "customers": n_custs,
                "revenue": round(revenue, 2),
                "ctr": round(clicks / impressions, 4)
                if impressions and clicks is not None
                else None,
                "conversion_rate": round(conversion, 4) if conversion is not None else None,
                "cpa": round(budget / n_custs, 2) if budget and n_custs else None,
                "roi": round((revenue - budget) / budget, 4) if budget else None,
            }
        )
    columns = [
        "campaign_id",
        "leads",
        "customers",
        "revenue",
        "ctr",
        "conversion_rate",
        "cpa",
        "roi",
    ]
    return pd.DataFrame(rows, columns=columns).set_index("campaign_id")


def _pos(value: Any) -> float | None:
    """A number that can be divided by (None for blank or unparseable; zero stays zero)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def task_metrics(tasks: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    rows = []
    for t in tasks.to_dict("records"):
        if not t.get("task_id"):
            continue
        due = t.get("due_date")
        if isinstance(due, dt.datetime):
            due = due.date()
        open_ = t.get("status") != "done" and t.get("done") is not True
        late = bool(open_ and isinstance(due, dt.date) and due < as_of)
        rows.append({"task_id": t["task_id"], "overdue": late})
    return pd.DataFrame(rows, columns=["task_id", "overdue"]).set_index("task_id")


def as_records(frame: pd.DataFrame, id_field: str) -> list[dict[str, Any]]:
    """Frame rows as records for ``diff_tab`` (NaN/NaT become None, numpy → Python)."""
    out = []
    for rid, row in zip(frame.index, frame.to_dict("records"), strict=True):
        rec = {id_field: rid}
        rec.update({k: _blank_none(v) for k, v in row.items()})
        out.append(rec)
    return out
