"""The JSON documents of the commands that only read (``summary``, ``segments``, ``explain``,
``remind``), in the envelope of ``model.shape``: a script gets the figures the text shows,
with stable keys (the README's "Scripting" section documents each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sheetcrm.model.shape import document
from sheetcrm.outputs.reminders import Digest, RemindResult
from sheetcrm.outputs.summary import Summary, seller_doc


def summary_doc(s: Summary, *, currency: str, workbook: str) -> dict[str, Any]:
    """``sheetcrm.summary``: the headline figures; money in ``currency``, as numbers."""
    return document(
        "summary",
        {
            "workbook": workbook,
            "as_of": s.as_of,
            "currency": currency,
            "records": s.counts,
            "customers_by_status": s.customers_by_status,
            "active_customers": s.active_customers,
            "inactive_customers": s.inactive_customers,
            "open_leads": s.open_leads,
            "leads_by_source": s.leads_by_source,
            "orders": s.orders,
            "revenue_total": s.revenue_total,
            "revenue_30d": s.revenue_30d,
            "average_order_value": s.average_order_value,
            "top_products": [{"product": p, "revenue": r} for p, r in s.top_products],
            "overdue_tasks": s.overdue_tasks,
            **seller_doc(s),
        },
    )


def segments_doc(counts: Mapping[str, Mapping[str, int]], as_of: dt.date) -> dict[str, Any]:
    """``sheetcrm.segments``: customers per segment and per RFM segment (largest first)."""
    rfm = sorted(counts.get("rfm_segment", {}).items(), key=lambda kv: -kv[1])
    return document(
        "segments",
        {"as_of": as_of, "segment": dict(counts.get("segment", {})), "rfm_segment": dict(rfm)},
    )


def explain_doc(
    lead_id: str, score: int, reasons: Iterable[tuple[str, float]], as_of: dt.date
) -> dict[str, Any]:
    """``sheetcrm.explain``: a lead's score and the points that make it up."""
    return document(
        "explain",
        {
            "lead_id": lead_id,
            "as_of": as_of,
            "score": score,
            "reasons": [{"label": label, "points": points} for label, points in reasons],
        },
    )


def remind_doc(result: RemindResult, as_of: dt.date) -> dict[str, Any]:
    """``sheetcrm.remind``: each person's digest, the win-back list, what was written and
    what was (not) delivered (``undelivered``: ``{"person", "address", "reason"}``)."""
    delivery = result.delivery
    return document(
        "remind",
        {
            "as_of": as_of,
            "digests": [_digest(d) for d in result.digests],
            "reengage": result.reengage,
            "unhappy": result.unhappy,
            "csv": result.csv_path,
            "drafts": result.drafts,
            "delivery": None
            if delivery is None
            else {
                "sent": delivery.sent,
                "already_sent": delivery.already_sent,
                "refused": delivery.refused,
            },
            "undelivered": result.undelivered,
        },
    )


def _digest(d: Digest) -> dict[str, Any]:
    return {
        "person": d.person,
        "overdue": [_item(i) for i in d.overdue_tasks],
        "due_today": [_item(i) for i in d.due_today],
        "this_week": [_item(i) for i in d.this_week],
        "no_next_action": [_item(i) for i in d.no_next_action],
        "unhappy": [u["customer_id"] for u in d.unhappy],
    }


def _item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A task or lead follow-up: ``{"kind": "task", "id": "T-3", "what": …, "due": …}``."""
    return {k: item.get(k) for k in ("kind", "id", "what", "due")}
