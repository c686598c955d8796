"""The seller surfaces of the generated tabs: revenue by channel (gross, refunds, net),
each earnings programme's balance and its progress to the payout threshold, referral
rewards owed and paid, and the "By channel", "By programme" and "By tracking id" tabs.
They are laid out only when the workbook has Orders lines or Earnings rows (or the tab is
there from before, so it is kept up to date), so a workbook without them is written
exactly as before."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetcrm.model.changes import ChartSpec
from sheetcrm.workbook.cells import Put, blank, cash, number, percent
from sheetcrm.workbook.look import PLAIN, Look

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights

#: Summary tabs of a seller's workbook, made once it has Orders lines (By channel) or
#: Earnings rows (By programme, By tracking id).
SELLER_GENERATED = ("By channel", "By programme", "By tracking id")
CHANNEL_HEADER = ["Channel", "Orders", "Gross sales", "Refunds", "Revenue", "Share of revenue (%)"]
PROGRAMME_HEADER = [
    "Programme",
    "Source",
    "Events",
    "Pending",
    "Approved",
    "Paid",
    "Cancelled",
    "Balance (approved, unpaid)",
    "Payout threshold",
    "To threshold",
    "Progress to payout (%)",
]
TRACKING_HEADER = ["Tracking id", "Events", "Sale amount", "Earned", "Pending"]
#: The source of referral rewards: money paid out, never income.
REFERRAL = "referral"


def has_orders(ins: Insights) -> bool:
    """Whether the workbook has Orders lines (the channel surfaces are shown)."""
    orders = ins.frames.get("Orders")
    return orders is not None and len(orders) > 0


def has_earnings(ins: Insights) -> bool:
    """Whether the workbook has Earnings rows (the earnings surfaces are shown)."""
    return not ins.earnings.empty


def channel_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Channel, orders, gross sales, refunds, net revenue, share of net revenue (%)."""
    return [
        [
            look.choice("Orders.channel", r["channel"]),
            int(number(r["orders"])),
            cash(look, r["gross"]),
            cash(look, r["refunds"]),
            cash(look, r["revenue"]),
            percent(r["share"]),
        ]
        for r in ins.channel_table.to_dict("records")
    ]


def channel_total(ins: Insights, look: Look = PLAIN) -> list[Any]:
    """All channels: orders, gross sales, refunds, net revenue."""
    table = ins.channel_table
    return [
        "All channels",
        int(sum(number(v) for v in table["orders"])),
        cash(look, sum(number(v) for v in table["gross"])),
        cash(look, sum(number(v) for v in table["refunds"])),
        cash(look, sum(number(v) for v in table["revenue"])),
        None,
    ]


def put_channels(put: Put, top: int, ins: Insights, look: Look) -> int:
    """The Dashboard's "Revenue by channel" block from row ``top``: a row per channel
    and one for all of them; the number of channel rows (the pie chart's range)."""
    channels = channel_rows(ins, look)
    put(top, 0, ["Revenue by channel", *CHANNEL_HEADER[1:]])
    for i, row in enumerate(channels):
        put(top + 1 + i, 0, row)
    put(top + 1 + len(channels), 0, channel_total(ins, look))
    return len(channels)


def channel_chart(top: int, channels: int, anchor: tuple[int, int]) -> ChartSpec:
    """The pie of revenue by channel, over the block laid out at ``top``."""
    return ChartSpec(
        "Revenue by channel",
        "pie",
        anchor,
        (0, top + 1, top + 1 + channels),
        ((4, top + 1, top + 1 + channels),),
    )


def earnings_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Per programme: source, events, pending, approved, paid, cancelled, balance, payout
    threshold, what the balance lacks to reach it, progress (%)."""
    return [
        [
            r["programme"],
            look.choice("Earnings.source", r["source"]),
            int(number(r["events"])),
            cash(look, r["pending"]),
            cash(look, r["approved"]),
            cash(look, r["paid"]),
            cash(look, r["cancelled"]),
            cash(look, r["balance"]),
            cash(look, r["threshold"]),
            cash(look, r["to_threshold"]),
            percent(r["progress"]),
        ]
        for r in ins.earnings.programmes.to_dict("records")
    ]


def put_earnings(put: Put, top: int, ins: Insights, look: Look) -> None:
    """Each income programme's balance and progress to its payout threshold, then income
    earned and pending and referral rewards owed and paid."""
    header = ["Earnings programme", "Source", "Balance", "Payout threshold", "To threshold"]
    put(top, 0, [*header, "Progress to payout (%)"])
    income = [s != REFERRAL for s in ins.earnings.programmes["source"]]
    rows = [r for r, keep in zip(earnings_rows(ins, look), income, strict=True) if keep]
    for i, r in enumerate(rows):
        put(top + 1 + i, 0, [r[0], r[1], r[7], r[8], r[9], r[10]])
    at = top + 2 + len(rows)
    e = ins.earnings
    totals = [
        ("Earned (approved or paid)", e.earned),
        ("Earnings pending", e.pending),
        ("Balance owed to you", e.balance),
        ("Referral rewards owed", e.rewards_owed),
        ("Referral rewards paid", e.rewards_paid),
    ]
    for i, (label, amount) in enumerate(totals):
        put(at + i, 0, [label, cash(look, amount)])


def tracking_rows(ins: Insights, look: Look = PLAIN) -> list[list[Any]]:
    """Tracking id (a video, a post), events, sale amount, earned, pending."""
    return [
        [
            blank(r["tracking_id"]),
            int(number(r["events"])),
            cash(look, r["sale_amount"]),
            cash(look, r["earned"]),
            cash(look, r["pending"]),
        ]
        for r in ins.earnings.by_tracking.to_dict("records")
    ]


def seller_grids(
    ins: Insights, look: Look = PLAIN, present: frozenset[str] = frozenset()
) -> dict[str, list[list[Any]]]:
    """The seller summary tabs that have data, or are ``present`` in the workbook already
    (kept up to date, down to a header once their data is gone)."""
    tabs: dict[str, list[list[Any]]] = {}
    if has_orders(ins) or "By channel" in present:
        tabs["By channel"] = [CHANNEL_HEADER, *(channel_rows(ins, look) if has_orders(ins) else [])]
    earnings = has_earnings(ins)
    if earnings or "By programme" in present:
        tabs["By programme"] = [PROGRAMME_HEADER, *(earnings_rows(ins, look) if earnings else [])]
    if earnings or "By tracking id" in present:
        rows = tracking_rows(ins, look) if earnings else []
        tabs["By tracking id"] = [TRACKING_HEADER, *rows]
    return tabs
