"""The summary tabs — By source, By segment, By campaign, By product, By region and By
month: a header row and one row per group, from the tables ``Insights`` holds (the
Dashboard shows the top of some of them too, from the same rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetcrm.analytics import kpis
from sheetcrm.workbook.cells import cash, percent
from sheetcrm.workbook.look import PLAIN, Look

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights

CAMPAIGN_HEADER = [
    "Campaign",
    "Channel",
    "Leads",
    "Customers",
    "Revenue",
    "Budget",
    "CTR (%)",
    "ROI (%)",
    "Cost per customer",
]


def source_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Source, leads, converted, conversion rate (%), customers, revenue."""
    return [
        [
            look.choice("Leads.source", r["source"]),
            r["leads"],
            r["converted"],
            percent(r["rate"]),
            r["customers"],
            cash(look, r["revenue"]),
        ]
        for r in ins.by_source.to_dict("records")
    ]


def campaign_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Campaign, channel, leads, customers, revenue, budget, CTR (%), ROI (%), CPA."""
    return [
        [
            c["name"],
            look.choice("Campaigns.channel", c["channel"]),
            c["leads"],
            c["customers"],
            cash(look, c["revenue"]),
            cash(look, c["budget"]),
            percent(c["ctr"]),
            percent(c["roi"]),
            cash(look, c["cpa"]),
        ]
        for c in ins.campaign_table.to_dict("records")
    ]


def month_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Month (named in the calendar), new leads, orders, revenue, returns, average order
    value."""
    return [
        [
            look.month(p),
            int(r["leads"]),
            int(r["orders"]),
            cash(look, r["revenue"]),
            cash(look, r["returns"]),
            cash(look, r["aov"]),
        ]
        for p, r in ins.monthly.iterrows()
    ]


def segment_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Segment, customers, revenue, average order value, share of revenue (%)."""
    return [
        [
            s["segment"],
            s["customers"],
            cash(look, s["revenue"]),
            cash(look, s["average_order_value"]),
            percent(s["share"]),
        ]
        for s in ins.segment_table.to_dict("records")
    ]


def region_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Country, city, customers, revenue."""
    return [
        [r["country"], r["city"], r["customers"], cash(look, r["revenue"])]
        for r in ins.region_table.to_dict("records")
    ]


def product_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Product, orders, quantity, revenue, returns (the 500 best sellers)."""
    return [
        [r["product"], r["orders"], r["quantity"], cash(look, r["revenue"]), r["returns"]]
        for r in kpis.product_table(ins.sales).head(500).to_dict("records")
    ]


def summary_grids(ins: Insights, look: Look = PLAIN) -> dict[str, list[list[Any]]]:
    """The summary tabs: a header row and one row per group."""
    return {
        "By source": [
            ["Source", "Leads", "Converted", "Conversion rate (%)", "Customers", "Revenue"],
            *source_rows(ins, look),
        ],
        "By segment": [
            ["Segment", "Customers", "Revenue", "Average order value", "Share of revenue (%)"],
            *segment_rows(ins, look),
        ],
        "By campaign": [
            CAMPAIGN_HEADER,
            *campaign_rows(ins, look),
        ],
        "By product": [
            ["Product", "Orders", "Quantity", "Revenue", "Returns"],
            *product_rows(ins, look),
        ],
        "By region": [["Country", "City", "Customers", "Revenue"], *region_rows(ins, look)],
        "By month": [
            ["Month", "New leads", "Orders", "Revenue", "Returns", "Average order value"],
            *month_rows(ins, look),
        ],
    }
