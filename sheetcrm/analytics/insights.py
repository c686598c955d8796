"""Everything a refresh computes before it becomes changes: every tab's computed columns,
the segments, and the KPI tables the Dashboard and summary tabs show. Each table is built
once, here, from the frames read; the caller reads the workbook and the configuration and
passes plain data in (``workbook.refresh`` does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.campaigns import campaign_metrics
from sheetcrm.analytics.customers import customer_metrics
from sheetcrm.analytics.earnings import EarningsTables, earnings_tables
from sheetcrm.analytics.leads import ScoreWeights, lead_metrics, link_converted, with_links
from sheetcrm.analytics.segments import Evaluation, Rule, assign_segments
from sheetcrm.analytics.tasks import task_metrics
from sheetcrm.model.calendars import GREGORIAN


@dataclass
class Insights:
    """The computed columns, segments and KPI tables of one workbook on one day."""

    as_of: dt.date
    frames: dict[str, pd.DataFrame]  # the tabs as read; converted leads linked
    customers: pd.DataFrame  # human fields joined with computed metrics and segment
    leads: pd.DataFrame  # score, urgency
    campaigns: pd.DataFrame  # campaign metrics by campaign_id
    tasks: pd.DataFrame  # overdue by task_id
    segments: list[Rule]
    evaluations: dict[str, Evaluation]
    sales: pd.DataFrame  # kpis.sales
    monthly: pd.DataFrame  # kpis.monthly: rows by month key ("YYYY-MM" in the calendar)
    by_source: pd.DataFrame  # kpis.leads_by_source
    campaign_table: pd.DataFrame  # kpis.campaign_table
    overdue: pd.DataFrame  # kpis.overdue_tasks
    segment_table: pd.DataFrame  # kpis.segment_table
    region_table: pd.DataFrame  # kpis.region_table
    channel_table: pd.DataFrame  # kpis.channel_table, all time
    order_lines: pd.DataFrame  # kpis.order_lines: Orders' computed columns by line_id
    earnings: EarningsTables  # analytics.earnings
    links: dict[str, str] = field(default_factory=dict)  # converted lead → its customer
    #: kpis.pending_orders: Orders lines pending or placed (pipeline, never revenue)
    pending: kpis.SalesFigures = field(default_factory=lambda: kpis.SalesFigures(0.0, 0))


def linked_leads(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The Leads frame with converted leads linked to their customer, and those links (a
    converted lead's customer counts for its campaign from this refresh on)."""
    links = link_converted(frames["Customers"], frames["Leads"])
    return with_links(frames["Leads"], links), links


def campaign_results(frames: Mapping[str, pd.DataFrame], sales: pd.DataFrame) -> pd.DataFrame:
    """The campaign table as a refresh of these frames shows it (``kpis.campaign_table``)."""
    leads, _ = linked_leads(frames)
    metrics = campaign_metrics(frames["Campaigns"], leads, sales)
    return kpis.campaign_table(frames["Campaigns"], metrics)


def compute(
    frames: Mapping[str, pd.DataFrame],
    as_of: dt.date,
    *,
    customer_fields: Sequence[str],
    rules: list[Rule],
    weights: ScoreWeights,
    calendar: str = GREGORIAN,
    thresholds: Mapping[str, float] | None = None,
) -> Insights:
    """Compute every computed column and KPI table from the five data tabs' frames.

    ``customer_fields`` are the Customers fields people fill in (the segment rules see
    those and the metrics), ``rules`` the segment rules, ``weights`` the lead scoring,
    ``calendar`` the months of the monthly trend (``[locale] calendar``), ``thresholds``
    each earnings programme's minimum payout (``[earnings]``). The seller tabs' frames
    (Orders, Returns, Earnings) may be missing: they count as empty."""
    sales = kpis.sales(frames, as_of)
    metrics = customer_metrics(frames["Customers"], frames["Interactions"], as_of, sales)
    human = frames["Customers"][list(customer_fields)]
    customers = human.drop_duplicates("customer_id").set_index("customer_id", drop=False)
    customers = customers[customers.index.notna()].join(metrics)
    segment, evaluations = assign_segments(rules, customers, as_of)
    customers["segment"] = segment
    leads, links = linked_leads(frames)
    campaigns = campaign_metrics(frames["Campaigns"], leads, sales)
    late = kpis.overdue_mask(frames["Tasks"], as_of)
    return Insights(
        as_of=as_of,
        frames={**frames, "Leads": leads},
        customers=customers,
        leads=lead_metrics(leads, frames["Interactions"], as_of, weights),
        campaigns=campaigns,
        tasks=task_metrics(frames["Tasks"], as_of, late),
        segments=rules,
        evaluations=evaluations,
        sales=sales,
        monthly=kpis.monthly(sales, leads, as_of, calendar=calendar),
        by_source=kpis.leads_by_source(leads, customers),
        campaign_table=kpis.campaign_table(frames["Campaigns"], campaigns),
        overdue=kpis.overdue_tasks(frames["Tasks"], as_of, late),
        segment_table=kpis.segment_table(customers),
        region_table=kpis.region_table(customers),
        channel_table=kpis.channel_table(sales),
        order_lines=kpis.order_lines(frames, as_of),
        earnings=earnings_tables(frames.get("Earnings", pd.DataFrame()), as_of, thresholds),
        links=links,
        pending=kpis.pending_orders(frames, as_of),
    )


def segment_counts(ins: Insights) -> dict[str, dict[str, int]]:
    """Customers per segment (in rule order) and per RFM segment."""
    order = [r.name for r in ins.segments]
    seg = ins.customers["segment"].value_counts()
    rfm = ins.customers["rfm_segment"].value_counts()
    return {
        "segment": {name: int(seg.get(name, 0)) for name in order},
        "rfm_segment": {str(k): int(v) for k, v in rfm.items()},
    }
