"""Two Dashboard blocks a teammate reads first thing: "Today" (follow-ups due today,
overdue tasks and hot leads, each with its count and the first few names;
``kpis._today`` defines them) and "Customer satisfaction" (responses, average score,
share of happy scores, the Net Promoter Score on a 0–10 scale, unhappy customers; this
month so far and all scores to date, ``kpis.satisfaction``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sheetcrm.analytics import kpis, periods
from sheetcrm.workbook.cells import Put, percent
from sheetcrm.workbook.headline import period_header
from sheetcrm.workbook.look import PLAIN, Look

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights

TODAY_HEADER = ["Today", "Count", "First few"]


def put_today(put: Put, top: int, ins: Insights) -> int:
    """The Today block from row ``top``; the rows it takes."""
    scores = ins.leads["score"]
    now = kpis.today(ins.frames["Leads"], scores, ins.frames["Tasks"], ins.as_of)
    put(top, 0, TODAY_HEADER)
    lines = [
        ("Follow-ups due today", now.follow_ups),
        ("Overdue tasks", now.overdue_tasks),
        (f"Hot leads (score {kpis.HOT_SCORE}+, or high interest waiting)", now.hot_leads),
    ]
    for i, (label, found) in enumerate(lines):
        put(top + 1 + i, 0, [label, found.count, ", ".join(found.names) or None])
    return 1 + len(lines)


def put_satisfaction(
    put: Put,
    top: int,
    ins: Insights,
    look: Look = PLAIN,
    settings: kpis.SatisfactionSettings | None = None,
) -> int:
    """The satisfaction block from row ``top``; the rows it takes."""
    settings = settings or kpis.SatisfactionSettings()
    acts = ins.frames["Interactions"]
    month = periods.this_month(ins.as_of, look.calendar)
    now = kpis.satisfaction(acts, ins.as_of, month, settings)
    ever = kpis.satisfaction(acts, ins.as_of, None, settings)
    unhappy = kpis.unhappy_customers(ins.customers, settings)
    scale, happy = settings.scale, settings.happy_from
    ever_label = f"All time (to {look.day(ins.as_of)})"
    put(top, 0, ["Customer satisfaction", period_header("This month", month, look), ever_label])
    rows: list[list[object]] = [
        ["Responses", now.responses, ever.responses],
        [f"Average score (of {scale})", now.average, ever.average],
        [
            f"Happy ({happy}–{scale} of {scale}) (%)",
            percent(now.happy_share),
            percent(ever.happy_share),
        ],
    ]
    if scale == 10:
        rows.append(["Net Promoter Score (−100 to 100)", now.nps, ever.nps])
    at = settings.unhappy_at
    rows.append([f"Unhappy customers (last score {at:g} or less)", None, len(unhappy)])
    for i, row in enumerate(rows):
        put(top + 1 + i, 0, row)
    return 1 + len(rows)
