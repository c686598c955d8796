"""Campaign ratios (CTR, CPA, ROI, conversion) and the campaign table (see ``kpis``)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sheetcrm.analytics.frames import number, records


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
