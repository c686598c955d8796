"""``sheetcrm refresh``: recompute every computed column, restyle, and regenerate the
dashboard, in one read → plan → apply pass that writes only what changed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.analytics.metrics import (
    ScoreWeights,
    as_records,
    campaign_metrics,
    customer_metrics,
    lead_metrics,
    score_lead,
    task_metrics,
)
from sheetcrm.analytics.segments import Evaluation, Rule, assign_segments, segment_rules
from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.diff import diff_tab
from sheetcrm.model.grid import TabGrid
from sheetcrm.run import RunResult, WriteRun
from sheetcrm.workbook.dashboard import GENERATED, plan_dashboard
from sheetcrm.workbook.styles import plan_styles

DATA_TABS = ("Customers", "Leads", "Interactions", "Campaigns", "Tasks")


@dataclass
class Insights:
    """Everything refresh computes, before it becomes changes."""

    as_of: dt.date
    frames: dict[str, pd.DataFrame]
    customers: pd.DataFrame  # human fields joined with computed metrics and segment
    leads: pd.DataFrame
    campaigns: pd.DataFrame
    tasks: pd.DataFrame
    segments: list[Rule]
    evaluations: dict[str, Evaluation]
    links: dict[str, str] = field(default_factory=dict)  # converted lead → its customer


def weights(crm: CRM) -> ScoreWeights:
    """Lead-score weights from ``[scoring]`` (unknown keys are errors)."""
    spec = crm.config.features.get("scoring") or {}
    w = ScoreWeights()
    for key, value in spec.items():
        if not hasattr(w, key):
            raise InputError(f"sheetcrm.toml [scoring]: unknown key {key!r}")
        current = getattr(w, key)
        if isinstance(current, dict):
            if not isinstance(value, dict) or not all(
                isinstance(v, (int, float)) for v in value.values()
            ):
                raise InputError(f"sheetcrm.toml [scoring] {key}: expected a table of numbers")
            current.update(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            setattr(w, key, value)
        else:
            raise InputError(f"sheetcrm.toml [scoring] {key}: {value!r} is not a number")
    return w


def compute(crm: CRM, grids: dict[str, TabGrid], as_of: dt.date) -> Insights:
    """Compute every computed column from the tabs as read."""
    missing = [t for t in DATA_TABS if t not in grids]
    if missing:
        raise InputError(f"the workbook has no {missing[0]!r} tab; run `sheetcrm init` first")
    frames = {t: crm.frame(t, grids[t]) for t in DATA_TABS}
    human = frames["Customers"][[f.name for f in crm.schema["Customers"].fields if not f.computed]]
    metrics = customer_metrics(frames["Customers"], frames["Interactions"], as_of)
    customers = human.drop_duplicates("customer_id").set_index("customer_id", drop=False)
    customers = customers[customers.index.notna()].join(metrics)
    rules = segment_rules(crm.config.features.get("segments"), crm.schema["Customers"])
    segment, evaluations = assign_segments(rules, customers, as_of)
    customers["segment"] = segment
    links = _links(customers, frames["Leads"])
    if links:  # a converted lead's customer counts for its campaign from this refresh on
        leads = frames["Leads"]
        leads.loc[leads["lead_id"].isin(links), "customer_id"] = leads["lead_id"].map(links)
    return Insights(
        as_of=as_of,
        frames=frames,
        customers=customers,
        leads=lead_metrics(frames["Leads"], frames["Interactions"], as_of, weights(crm)),
        campaigns=campaign_metrics(frames["Campaigns"], frames["Leads"], frames["Interactions"]),
        tasks=task_metrics(frames["Tasks"], as_of),
        segments=rules,
        evaluations=evaluations,
        links=links,
    )


def plan_computed(crm: CRM, grids: dict[str, TabGrid], ins: Insights) -> ChangeSet:
    """Edits for computed columns whose value changed (nothing else)."""
    changes = ChangeSet()
    computed = {t: [f.name for f in crm.schema[t].fields if f.computed] for t in DATA_TABS}
    sources = {
        "Customers": ins.customers[computed["Customers"]],
        "Leads": ins.leads,
        "Campaigns": ins.campaigns,
        "Tasks": ins.tasks,
    }
    for tab, frame in sources.items():
        schema_tab = crm.schema[tab]
        records = as_records(frame[[c for c in computed[tab] if c in frame]], schema_tab.id_field)
        if tab == "Leads":  # fill (never replace) the customer of a converted lead
            for rec in records:
                if rec["lead_id"] in ins.links:
                    rec["customer_id"] = ins.links[rec["lead_id"]]
        changes.extend(diff_tab(grids[tab], schema_tab, records, crm.ctx).ops)
    return changes


def _links(customers: pd.DataFrame, leads: pd.DataFrame) -> dict[str, str]:
    """Converted leads without a customer_id: the customer with the same e-mail or phone."""
    by_key: dict[tuple[str, str], str] = {}
    for cid, email, phone in zip(
        customers.index, customers["email"], customers["phone"], strict=True
    ):
        for name, value in (("email", email), ("phone", phone)):
            if value:
                by_key.setdefault((name, str(value).casefold()), str(cid))
    links = {}
    for lead in leads.to_dict("records"):
        if lead.get("status") != "converted" or not lead.get("lead_id"):
            continue
        if lead.get("customer_id"):
            continue
        for name in ("email", "phone"):
            found = by_key.get((name, str(lead.get(name) or "").casefold()))
            if lead.get(name) and found:
                links[lead["lead_id"]] = found
                break
    return links


def refresh(crm: CRM, as_of: dt.date | None = None, *, dry_run: bool = False) -> RunResult:
    """Recompute and write what changed (``dry_run``: plan only), as one writing run."""
    as_of = as_of or dt.date.today()
    with WriteRun(crm, "refresh", dry_run=dry_run) as run:
        grids = run.read([*DATA_TABS, *GENERATED], layout=True)
        ins = compute(crm, grids, as_of)
        changes = plan_computed(crm, grids, ins)
        changes.extend(plan_styles(crm, grids, ins).ops)
        changes.extend(plan_dashboard(crm, grids, ins).ops)
        return run.apply(RunResult(run.command, changes, breakdown=segment_counts(ins)))


def segment_counts(ins: Insights) -> dict[str, dict[str, int]]:
    customers = ins.customers
    order = [r.name for r in ins.segments]
    seg = customers["segment"].value_counts()
    rfm = customers["rfm_segment"].value_counts()
    return {
        "segment": {name: int(seg.get(name, 0)) for name in order},
        "rfm_segment": {str(k): int(v) for k, v in rfm.items()},
    }


def explain(crm: CRM, lead_id: str, as_of: dt.date | None = None) -> tuple[int, list[Any]]:
    """A lead's score and the reasons behind it."""
    as_of = as_of or dt.date.today()
    grids = crm.read(["Leads", "Interactions"])
    leads = crm.frame("Leads", grids["Leads"])
    match = leads[leads["lead_id"] == lead_id]
    if match.empty:
        raise InputError(f"no lead with ID {lead_id!r}")
    interactions = crm.frame("Interactions", grids["Interactions"])
    contacts = int((interactions["lead_id"] == lead_id).sum()) if len(interactions) else 0
    return score_lead(match.iloc[0].to_dict(), contacts, as_of, weights(crm))
