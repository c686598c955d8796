"""``sheetcrm remind``: a digest per person of what needs doing, and a re-engagement list
of inactive customers — never including anyone who opted out."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError
from sheetcrm.outputs.mail import Delivery, Email, send, smtp_settings
from sheetcrm.outputs.report import load_frames, report_settings
from sheetcrm.outputs.templates import environment, render

OPEN = ("new", "contacted", "qualified")
INACTIVE_DAYS = 180


@dataclass
class Digest:
    person: str
    overdue_tasks: list[dict[str, Any]] = field(default_factory=list)
    due_today: list[dict[str, Any]] = field(default_factory=list)
    this_week: list[dict[str, Any]] = field(default_factory=list)
    no_next_action: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.overdue_tasks or self.due_today or self.this_week or self.no_next_action)


@dataclass
class RemindResult:
    digests: list[Digest]
    reengage: list[dict[str, Any]]
    text: str
    csv_path: Path | None = None
    drafts: list[Path] = field(default_factory=list)
    delivery: Delivery | None = None
    unknown_people: list[str] = field(default_factory=list)


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def digests(frames: dict[str, pd.DataFrame], as_of: dt.date) -> list[Digest]:
    """Per assignee/owner: overdue tasks, follow-ups due today and this week, and open
    leads that have no next action."""
    people: dict[str, Digest] = {}

    def of(name: Any) -> Digest:
        key = str(name).strip() if name else "(nobody)"
        return people.setdefault(key, Digest(key))

    for t in frames["Tasks"].to_dict("records"):
        due = _day(t.get("due_date"))
        if t.get("status") == "done" or t.get("done") is True or due is None:
            continue
        item = {"what": t.get("title"), "due": due, "id": t.get("task_id"), "kind": "task"}
        if due < as_of:
            of(t.get("assignee")).overdue_tasks.append(item)
        elif due == as_of:
            of(t.get("assignee")).due_today.append(item)
        elif (due - as_of).days <= 7:
            of(t.get("assignee")).this_week.append(item)
    for lead in frames["Leads"].to_dict("records"):
        if lead.get("status") not in OPEN:
            continue
        due = _day(lead.get("next_action_date"))
        item = {
            "what": f"{lead.get('next_action') or 'Follow up'}: {lead.get('name')}",
            "due": due,
            "id": lead.get("lead_id"),
            "kind": "lead",
        }
        digest = of(lead.get("owner"))
        if due is None or not lead.get("next_action"):
            digest.no_next_action.append(item)
        elif due < as_of:
            digest.overdue_tasks.append(item)
        elif due == as_of:
            digest.due_today.append(item)
        elif (due - as_of).days <= 7:
            digest.this_week.append(item)
    for d in people.values():
        for items in (d.overdue_tasks, d.due_today, d.this_week):
            items.sort(key=lambda i: (i["due"], str(i["what"])))
    return [people[k] for k in sorted(people) if not people[k].empty]


def inactive_customers(frames: dict[str, pd.DataFrame], as_of: dt.date) -> list[dict[str, Any]]:
    """Customers who have gone quiet (the 'inactive' segment, or no contact for 180 days),
    leaving out everyone who opted out or has no e-mail."""
    out = []
    for c in frames["Customers"].to_dict("records"):
        if c.get("opt_out") is True or not c.get("email"):
            continue
        last = _day(c.get("last_contact")) or _day(c.get("last_purchase"))
        quiet = c.get("segment") == "inactive" or (last and (as_of - last).days > INACTIVE_DAYS)
        if quiet:
            out.append(
                {
                    "customer_id": c.get("customer_id"),
                    "name": c.get("name"),
                    "email": c.get("email"),
                    "phone": c.get("phone") or "",
                    "last_contact": last.isoformat() if last else "",
                    "total_spent": c.get("total_spent") or 0,
                    "products": c.get("products") or "",
                }
            )
    return sorted(out, key=lambda r: -float(r["total_spent"] or 0))


def team(crm: CRM) -> dict[str, str]:
    table = crm.config.features.get("team") or {}
    if not isinstance(table, dict) or not all(
        isinstance(v, str) and "@" in v for v in table.values()
    ):
        raise ConfigError("sheetcrm.toml [team]: map each name to an e-mail address")
    return {k.strip().casefold(): v for k, v in table.items()}


def remind(
    crm: CRM,
    *,
    as_of: dt.date | None = None,
    email: bool = False,
    csv_path: Path | None = None,
    drafts_dir: Path | None = None,
) -> RemindResult:
    """Build the digests and the re-engagement list; optionally write and send them."""
    as_of = as_of or dt.date.today()
    frames = load_frames(crm)
    env = environment(
        report_settings(crm)["templates"],
        language=crm.config.language,
        currency=crm.config.values.currency,
    )
    found = digests(frames, as_of)
    quiet = inactive_customers(frames, as_of)
    text = render("remind.txt", env, digests=found, as_of=as_of, reengage=quiet)
    result = RemindResult(found, quiet, text)
    if csv_path is not None:
        buf = io.StringIO()
        columns = [
            "customer_id",
            "name",
            "email",
            "phone",
            "last_contact",
            "total_spent",
            "products",
        ]
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(quiet)
        csv_path.write_text(buf.getvalue(), encoding="utf-8")
        result.csv_path = csv_path
    if drafts_dir is not None:
        drafts_dir.mkdir(parents=True, exist_ok=True)
        for person in quiet:
            path = drafts_dir / f"{person['customer_id']}.txt"
            path.write_text(
                render("reengage.txt", env, customer=person, as_of=as_of), encoding="utf-8"
            )
            result.drafts.append(path)
    if email:
        addresses = team(crm)
        mails = []
        for d in found:
            to = addresses.get(d.person.casefold())
            if to is None:
                result.unknown_people.append(d.person)
                continue
            context = {"digests": [d], "as_of": as_of, "reengage": []}
            mails.append(
                Email(
                    to,
                    f"Your follow-ups for {as_of.isoformat()}",
                    render("remind.txt", env, **context),
                    render("remind.html", env, **context),
                )
            )
        if mails:
            result.delivery = send(smtp_settings(crm.config), mails)
    return result
