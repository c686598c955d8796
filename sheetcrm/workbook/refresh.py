"""``sheetcrm refresh``: recompute every computed column, restyle, bring money formats and
choice labels in line with ``[locale]`` (``workbook.locale``), and regenerate the
dashboard, in one read → plan → apply pass that writes only what changed.

The numbers come from ``analytics.insights``; this module reads the workbook and the
configuration, hands plain frames and settings to it, and turns the result into changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sheetcrm.analytics import insights
from sheetcrm.analytics.earnings import payout_thresholds
from sheetcrm.analytics.frames import as_records
from sheetcrm.analytics.insights import Insights, segment_counts
from sheetcrm.analytics.kpis import satisfaction_settings
from sheetcrm.analytics.leads import ScoreWeights, score_lead
from sheetcrm.analytics.segments import segment_rules
from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.diff import diff_tab
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.tabs import DATA_TABS, SELLER_TABS
from sheetcrm.run import RunResult, WriteRun
from sheetcrm.workbook.dashboard import ALL_GENERATED, plan_dashboard
from sheetcrm.workbook.locale import plan_locale
from sheetcrm.workbook.styles import plan_styles

__all__ = [
    "DATA_TABS",
    "Insights",
    "compute",
    "count_segments",
    "explain",
    "plan_computed",
    "refresh",
    "segment_counts",
    "weights",
]


def weights(crm: CRM) -> ScoreWeights:
    """Lead-score weights from ``[scoring]`` (unknown keys are errors)."""
    return ScoreWeights.from_config(crm.config.features.get("scoring"))


def compute(crm: CRM, grids: dict[str, TabGrid], as_of: dt.date) -> Insights:
    """Compute every computed column from the tabs as read."""
    missing = [t for t in DATA_TABS if t not in grids]
    if missing:
        raise InputError(f"the workbook has no {missing[0]!r} tab; run `sheetcrm init` first")
    customers = crm.schema["Customers"]
    tabs = {t: grids[t] if t in grids else crm.empty_grid(t) for t in (*DATA_TABS, *SELLER_TABS)}
    return insights.compute(
        {t: crm.frame(t, grid) for t, grid in tabs.items()},
        as_of,
        customer_fields=[f.name for f in customers.fields if not f.computed],
        rules=segment_rules(
            crm.config.features.get("segments"),
            customers,
            unhappy_at=satisfaction_settings(crm.config.features.get("satisfaction")).unhappy_at,
        ),
        weights=weights(crm),
        calendar=crm.config.calendar,
        thresholds=payout_thresholds(crm.config.features.get("earnings")),
    )


def plan_computed(crm: CRM, grids: dict[str, TabGrid], ins: Insights) -> ChangeSet:
    """Edits for computed columns whose value changed (nothing else)."""
    changes = ChangeSet()
    tabs = [*DATA_TABS, *(t for t in SELLER_TABS if t in grids)]
    computed = {t: [f.name for f in crm.schema[t].fields if f.computed] for t in tabs}
    sources = {
        "Customers": ins.customers[computed["Customers"]],
        "Leads": ins.leads,
        "Campaigns": ins.campaigns,
        "Tasks": ins.tasks,
    }
    if "Orders" in grids:
        sources["Orders"] = ins.order_lines
    for tab, frame in sources.items():
        schema_tab = crm.schema[tab]
        records = as_records(frame[[c for c in computed[tab] if c in frame]], schema_tab.id_field)
        if tab == "Leads":  # fill (never replace) the customer of a converted lead
            for rec in records:
                if rec["lead_id"] in ins.links:
                    rec["customer_id"] = ins.links[rec["lead_id"]]
        changes.extend(diff_tab(grids[tab], schema_tab, records, crm.ctx).ops)
    return changes


def refresh(crm: CRM, as_of: dt.date | None = None, *, dry_run: bool = False) -> RunResult:
    """Recompute and write what changed (``dry_run``: plan only), as one writing run."""
    as_of = crm.as_of(as_of)
    with WriteRun(crm, "refresh", dry_run=dry_run) as run:
        grids = run.read([*DATA_TABS, *SELLER_TABS, *ALL_GENERATED], layout=True)
        ins = compute(crm, grids, as_of)
        changes = plan_computed(crm, grids, ins)
        changes.extend(plan_locale(crm, grids).ops)
        changes.extend(plan_styles(crm, grids, ins).ops)
        changes.extend(plan_dashboard(crm, grids, ins).ops)
        return run.apply(RunResult(run.command, changes, breakdown=segment_counts(ins)))


def count_segments(crm: CRM, as_of: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Customers per segment and per RFM segment on the as-of day (reads, writes nothing)."""
    grids = crm.read([*DATA_TABS, *SELLER_TABS], values_only=True)
    return segment_counts(compute(crm, grids, crm.as_of(as_of)))


def explain(crm: CRM, lead_id: str, as_of: dt.date | None = None) -> tuple[int, list[Any]]:
    """A lead's score and the reasons behind it."""
    as_of = crm.as_of(as_of)
    frames = crm.frames(["Leads", "Interactions"])
    leads = frames["Leads"]
    match = leads[leads["lead_id"] == lead_id]
    if match.empty:
        raise InputError(f"no lead with ID {lead_id!r}")
    interactions = frames["Interactions"]
    contacts = int((interactions["lead_id"] == lead_id).sum()) if len(interactions) else 0
    lead = {str(k): v for k, v in match.iloc[0].to_dict().items()}
    return score_lead(lead, contacts, as_of, weights(crm))
