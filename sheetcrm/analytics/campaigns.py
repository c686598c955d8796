"""Campaign results: the leads attributed to each campaign (``leads.attribute_leads``), the
customers they became and those customers' net sales since, and the ratios ``kpis`` defines
(CTR, conversion rate, CPA, ROI).

A campaign's **revenue** is those customers' net sales. When no sale is attributed to it
(no lead of it became a customer who bought), the campaign's ``conversion_value`` stands
in: what the ads platform says its conversions were worth (Google Ads ``Conv. value``),
so an ads campaign whose buyers never pass through Leads still shows a revenue and an
ROI. An attributed sale always wins: the two are never added (they count the same
purchases twice)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import as_date, records
from sheetcrm.analytics.leads import attribute_leads

COLUMNS = ["leads", "customers", "revenue", "ctr", "conversion_rate", "cpa", "roi"]


def _won(lead_ids: list[str], leads: dict[str, dict[str, Any]]) -> dict[str, dt.date | None]:
    """Customer → the earliest contact date of a converted lead that became them (None:
    no date, so all their sales count)."""
    out: dict[str, dt.date | None] = {}
    for lid in lead_ids:
        lead = leads.get(lid, {})
        cust = lead.get("customer_id")
        if not cust or lead.get("status") != "converted":
            continue
        since = as_date(lead.get("contact_date"))
        key = str(cust)
        if key not in out:
            out[key] = since
        else:
            before = out[key]
            out[key] = None if before is None or since is None else min(before, since)
    return out


def _revenue(won: dict[str, dt.date | None], by_customer: dict[str, pd.DataFrame]) -> float:
    total = 0.0
    for cust, since in won.items():
        mine = by_customer.get(cust)
        if mine is None:
            continue
        if since is not None:
            mine = mine[mine["day"] >= pd.Timestamp(since)]
        total += float(mine["amount"].sum())
    return total


def _reported(value: Any, revenue: float) -> float:
    """The platform-reported conversion value as a revenue, else ``revenue``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return revenue
    return round(number, 2) if number == number and number > 0 else revenue


def campaign_metrics(
    campaigns: pd.DataFrame, leads: pd.DataFrame, sales: pd.DataFrame
) -> pd.DataFrame:
    """Leads, customers and revenue per campaign, with CTR, conversion rate, CPA and ROI
    (blank where a part is zero or missing, never an error). ``sales`` is ``kpis.sales``."""
    per_campaign: dict[Any, list[str]] = defaultdict(list)
    for lid, cid in attribute_leads(leads, campaigns).items():
        per_campaign[cid].append(str(lid))
    lead_rows = {str(r["lead_id"]): r for r in records(leads) if r.get("lead_id")}
    # only the customers some campaign won: one frame per customer of a 100k-customer
    # shop would take seconds, for campaigns that won a handful
    won_ids = {cust for lids in per_campaign.values() for cust in _won(lids, lead_rows)}
    bought = sales[sales["customer_id"].notna()]
    bought = bought[bought["customer_id"].astype(str).isin(won_ids)]
    by_customer = {str(k): g for k, g in bought.groupby("customer_id")}
    rows = []
    for c in records(campaigns):
        cid = c.get("campaign_id")
        if not cid:
            continue
        lids = per_campaign.get(cid, [])
        won = _won(lids, lead_rows)
        revenue = round(_revenue(won, by_customer), 2)
        if not revenue:
            revenue = _reported(c.get("conversion_value"), revenue)
        rows.append(
            {
                "campaign_id": cid,
                "leads": len(lids),
                "customers": len(won),
                "revenue": revenue,
                "ctr": kpis.ctr(c.get("impressions"), c.get("clicks")),
                "conversion_rate": kpis.campaign_conversion(
                    c.get("clicks"), c.get("conversions"), len(won), len(lids)
                ),
                "cpa": kpis.cpa(c.get("budget"), len(won)),
                "roi": kpis.roi(revenue, c.get("budget")),
            }
        )
    return pd.DataFrame(rows, columns=["campaign_id", *COLUMNS]).set_index("campaign_id")
