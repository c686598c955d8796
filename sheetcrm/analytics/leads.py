"""Leads: the weighted score (every point explained), follow-up urgency, the campaign a lead
came from (attribution), and the customer a converted lead became."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import as_date, column, records
from sheetcrm.errors import InputError


def _default_sources() -> dict[str, float]:
    return {
        "referral": 25,
        "affiliate": 20,
        "website": 15,
        "exhibition": 15,
        "search": 15,
        "instagram": 10,
        "facebook": 10,
        "whatsapp": 10,
        "telegram": 10,
        "ads": 10,
        "other": 5,
    }


@dataclass
class ScoreWeights:
    """Lead-score weights (``[scoring]`` in sheetcrm.toml); every part is explained."""

    source: dict[str, float] = field(default_factory=_default_sources)
    interest: dict[str, float] = field(default_factory=lambda: {"high": 30, "medium": 15, "low": 5})
    per_interaction: float = 5
    interactions_max: float = 20
    recent_days: int = 14
    recency_points: float = 15
    stale_days: int = 60
    campaign: float = 10

    @classmethod
    def from_config(cls, spec: Mapping[str, Any] | None) -> ScoreWeights:
        """The defaults with ``[scoring]`` laid over them (unknown keys are errors)."""
        w = cls()
        for key, value in (spec or {}).items():
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


def _recency_points(contact: Any, as_of: dt.date, w: ScoreWeights) -> tuple[int, float] | None:
    day = as_date(contact)
    if day is None:
        return None
    age = (as_of - day).days
    if age <= w.recent_days:
        return age, w.recency_points
    if age < w.stale_days:
        return age, w.recency_points * (w.stale_days - age) / (w.stale_days - w.recent_days)
    return age, 0


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
    recency = _recency_points(lead.get("contact_date"), as_of, w)
    if recency is not None and recency[1] > 0:
        reasons.append((f"contacted {recency[0]} days ago", round(recency[1], 1)))
    if lead.get("campaign_id"):
        reasons.append(("from a campaign", w.campaign))
    total = round(min(100.0, max(0.0, sum(p for _, p in reasons))))
    return total, reasons


def urgency(next_date: Any, status: Any, as_of: dt.date) -> str | None:
    """'overdue', 'due today', 'this week' for an open lead's next action, else None."""
    if status not in kpis.OPEN_LEAD_STATUSES:
        return None
    return kpis.due_bucket(next_date, as_of)


def lead_metrics(
    leads: pd.DataFrame, interactions: pd.DataFrame, as_of: dt.date, weights: ScoreWeights
) -> pd.DataFrame:
    """Per lead: score and urgency."""
    lead_ids = column(interactions, "lead_id")
    contacts = lead_ids[lead_ids.notna()].value_counts()
    rows = []
    for lead in records(leads):
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
    "whatsapp": "whatsapp",
    "telegram": "telegram",
}


def _in_span(day: Any, start: Any, end: Any) -> bool:
    return (
        isinstance(day, dt.date) and (start is None or start <= day) and (end is None or day <= end)
    )


def attribute_leads(leads: pd.DataFrame, campaigns: pd.DataFrame) -> pd.Series:
    """Campaign of each lead: its campaign_id; else the campaign whose referral code it
    quotes; else the one campaign whose channel matches the lead's source and whose dates
    include the lead's contact date."""
    out = {}
    spans = [
        (c.get("campaign_id"), c.get("channel"), c.get("start_date"), c.get("end_date"))
        for c in records(campaigns)
    ]
    codes = {
        str(c["referral_code"]).strip().casefold(): c.get("campaign_id")
        for c in records(campaigns)
        if c.get("referral_code")
    }
    known = {s[0] for s in spans}
    for lead in records(leads):
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
        matches = [s[0] for s in spans if channel and s[1] == channel and _in_span(day, *s[2:])]
        if len(matches) == 1:
            out[lid] = matches[0]
    return pd.Series(out, dtype=object)


def link_converted(customers: pd.DataFrame, leads: pd.DataFrame) -> dict[str, str]:
    """Converted leads without a customer_id: the customer with the same e-mail or phone."""
    by_key: dict[tuple[str, str], str] = {}
    for cid, email, phone in zip(
        column(customers, "customer_id"),
        column(customers, "email"),
        column(customers, "phone"),
        strict=True,
    ):
        for name, value in (("email", email), ("phone", phone)):
            if value and cid is not None:
                by_key.setdefault((name, str(value).casefold()), str(cid))
    links = {}
    for lead in records(leads):
        if lead.get("status") != "converted" or not lead.get("lead_id"):
            continue
        if lead.get("customer_id"):
            continue
        for name in ("email", "phone"):
            found = by_key.get((name, str(lead.get(name) or "").casefold()))
            if lead.get(name) and found:
                links[str(lead["lead_id"])] = found
                break
    return links


def with_links(leads: pd.DataFrame, links: Mapping[str, str]) -> pd.DataFrame:
    """The leads with each linked converted lead's customer filled in."""
    if not links:
        return leads
    out = leads.copy()
    linked = column(out, "lead_id").isin(list(links))
    out.loc[linked, "customer_id"] = column(out, "lead_id")[linked].map(dict(links))
    return out
