"""``sheetcrm remind``: a digest per person of what needs doing (unhappy customers to call
back among it: ``satisfaction_followup``), and a re-engagement list of inactive customers
(``kpis``: bought, but not in 180 days) — never including anyone who opted out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sheetcrm.analytics import kpis
from sheetcrm.analytics.frames import as_date, records
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError
from sheetcrm.model.tablefile import write_csv
from sheetcrm.outputs.drafts import write_drafts
from sheetcrm.outputs.i18n import gettext, local_format
from sheetcrm.outputs.mail import Delivery, Email, send, smtp_settings
from sheetcrm.outputs.report import report_settings
from sheetcrm.outputs.satisfaction_followup import unhappy_followups
from sheetcrm.outputs.templates import environment, render


@dataclass
class Digest:
    person: str
    overdue_tasks: list[dict[str, Any]] = field(default_factory=list)
    due_today: list[dict[str, Any]] = field(default_factory=list)
    this_week: list[dict[str, Any]] = field(default_factory=list)
    no_next_action: list[dict[str, Any]] = field(default_factory=list)
    #: Unhappy customers this person took the last score of (or owns: ``[satisfaction]
    #: owner``), to call back (``RemindResult.unhappy`` items).
    unhappy: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.overdue_tasks
            or self.due_today
            or self.this_week
            or self.no_next_action
            or self.unhappy
        )

    def add(self, bucket: str | None, item: dict[str, Any]) -> None:
        """File an item under how soon it is due (``kpis.due_bucket``)."""
        if bucket == kpis.OVERDUE:
            self.overdue_tasks.append(item)
        elif bucket == "due today":
            self.due_today.append(item)
        elif bucket == "this week":
            self.this_week.append(item)


@dataclass(frozen=True)
class Undelivered:
    """A person whose digest did not reach them, and why."""

    person: str
    address: str | None  # None: no address for them in [team]
    reason: str

    def __str__(self) -> str:
        who = f"{self.person} <{self.address}>" if self.address else self.person
        return f"{who}: {self.reason}"


@dataclass
class RemindResult:
    digests: list[Digest]
    reengage: list[dict[str, Any]]
    text: str
    csv_path: Path | None = None
    drafts: list[Path] = field(default_factory=list)
    #: Drafts of an earlier run taken away: their customer is no longer on the list.
    stale_drafts: list[Path] = field(default_factory=list)
    #: Drafts someone edited, left as they are (not rewritten, not removed).
    edited_drafts: list[Path] = field(default_factory=list)
    delivery: Delivery | None = None
    unknown_people: list[str] = field(default_factory=list)
    #: Who each digest was addressed to (address → person), for ``undelivered``.
    addressed: dict[str, str] = field(default_factory=dict)
    #: The unhappy-customer follow-ups (``satisfaction_followup.FOLLOWUP_KEYS``), each
    #: also in the digest of its ``by``.
    unhappy: list[dict[str, Any]] = field(default_factory=list)

    @property
    def undelivered(self) -> list[Undelivered]:
        """With ``email``: the people whose digest was not delivered — no address in
        ``[team]``, or the SMTP server refused theirs (the others were sent). Empty when
        every digest went out (or was sent by an earlier run) or nothing was e-mailed."""
        missing = [Undelivered(p, None, "no address in [team]") for p in self.unknown_people]
        refused = self.delivery.refused if self.delivery else {}
        return missing + [
            Undelivered(self.addressed.get(to, to), to, f"refused by the SMTP server ({why})")
            for to, why in refused.items()
        ]


def _task(t: dict[str, Any]) -> dict[str, Any]:
    due = as_date(t.get("due_date"))
    return {"what": t.get("title"), "due": due, "id": t.get("task_id"), "kind": "task"}


def digests(
    frames: Mapping[str, pd.DataFrame],
    as_of: dt.date,
    language: str = "en",
    unhappy: list[dict[str, Any]] | None = None,
) -> list[Digest]:
    """Per assignee/owner: overdue tasks (``kpis.overdue_tasks``) and lead follow-ups,
    what is due today and this week, open leads that have no next action (what to do
    about a lead in ``language``), and the ``unhappy`` customers whose score they took."""
    people: dict[str, Digest] = {}

    def of(name: Any) -> Digest:
        key = kpis.assignee(name)
        return people.setdefault(key, Digest(key))

    tasks = frames["Tasks"]
    for t in records(kpis.overdue_tasks(tasks, as_of)):
        of(t.get("assignee")).overdue_tasks.append(_task(t))
    for t in records(tasks):
        bucket = kpis.due_bucket(t.get("due_date"), as_of)
        if bucket != kpis.OVERDUE and not kpis.task_done(t.get("status"), t.get("done")):
            of(t.get("assignee")).add(bucket, _task(t))
    for lead in records(kpis.open_leads(frames["Leads"])):
        due = as_date(lead.get("next_action_date"))
        item = {
            "what": gettext("%(action)s: %(lead)s", language)
            % {
                "action": lead.get("next_action") or gettext("Follow up", language),
                "lead": lead.get("name"),
            },
            "due": due,
            "id": lead.get("lead_id"),
            "kind": "lead",
        }
        if due is None or not lead.get("next_action"):
            of(lead.get("owner")).no_next_action.append(item)
        else:
            of(lead.get("owner")).add(kpis.due_bucket(due, as_of), item)
    for u in unhappy or []:
        of(u.get("by")).unhappy.append(u)
    for d in people.values():
        for items in (d.overdue_tasks, d.due_today, d.this_week):
            items.sort(key=lambda i: (i["due"], str(i["what"])))
    return [people[k] for k in sorted(people) if not people[k].empty]


def inactive_customers(frames: Mapping[str, pd.DataFrame], as_of: dt.date) -> list[dict[str, Any]]:
    """The win-back list: the inactive customers (``kpis.inactive_customers``: not active
    and not heard of — last contact or purchase, else first contact — in the last 180
    days), leaving out everyone who opted out or has no e-mail. ``last_contact`` says when
    they were last heard of."""
    sales = kpis.sales(frames, as_of)
    bought = kpis.last_purchases(sales)
    out = []
    inactive = kpis.inactive_customers(
        frames["Customers"], sales, as_of, frames.get("Interactions")
    )
    for c in records(inactive):
        if c.get("opt_out") is True or not c.get("email"):
            continue
        heard = [as_date(c.get("last_contact")), as_date(bought.get(c.get("customer_id")))]
        seen = [d for d in heard if d is not None]
        last = max(seen) if seen else as_date(c.get("first_contact"))
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
    frames: Mapping[str, pd.DataFrame] | None = None,
) -> RemindResult:
    """Build the digests and the re-engagement list; optionally write and send them.
    ``frames``: the data tabs when the caller has read them already (else one read)."""
    as_of = crm.as_of(as_of)
    frames = frames if frames is not None else crm.frames()
    local = local_format(crm.config)
    env = environment(report_settings(crm)["templates"], local=local)
    settings = kpis.satisfaction_settings(crm.config.features.get("satisfaction"))
    unhappy = unhappy_followups(frames, as_of, settings)
    found = digests(frames, as_of, local.language, unhappy)
    quiet = inactive_customers(frames, as_of)
    text = render("remind.txt", env, digests=found, as_of=as_of, reengage=quiet)
    result = RemindResult(found, quiet, text, unhappy=unhappy)
    if csv_path is not None:
        codecs = {f.name: f.codec for f in crm.schema["Customers"].fields}
        rows = ([r[c] for c in CSV_COLUMNS] for r in quiet)
        result.csv_path = write_csv(csv_path, CSV_COLUMNS, rows, codecs, bom=True)
    if drafts_dir is not None:

        def draft(customer: dict[str, Any]) -> str:
            return render("reengage.txt", env, customer=customer, as_of=as_of)

        written = write_drafts(drafts_dir, quiet, draft)
        result.drafts, result.stale_drafts = written.written, written.removed
        result.edited_drafts = written.edited
    if email:

        def texts(d: Digest) -> tuple[str, str]:
            context = {"digests": [d], "as_of": as_of, "reengage": []}
            return render("remind.txt", env, **context), render("remind.html", env, **context)

        subject = gettext("Your follow-ups for %(day)s", local.language)
        _email(crm, result, subject % {"day": local.date(as_of)}, texts)
    return result


#: The mail-merge file's columns (``remind --csv``), written by ``model.tablefile`` with the
#: Customers fields' types: names and products escaped, phones and money as they are.
CSV_COLUMNS = ["customer_id", "name", "email", "phone", "last_contact", "total_spent", "products"]


def _email(
    crm: CRM,
    result: RemindResult,
    subject: str,
    texts: Callable[[Digest], tuple[str, str]],
) -> None:
    """Send each person with an address in ``[team]`` their own digest (text, HTML)."""
    addresses = team(crm)
    mails = []
    for d in result.digests:
        to = addresses.get(d.person.casefold())
        if to is None:
            result.unknown_people.append(d.person)
            continue
        text, html = texts(d)
        result.addressed[to] = d.person
        mails.append(Email(to, subject, text, html))
    if mails:  # a refused address is in ``undelivered``: the others are still sent
        result.delivery = send(smtp_settings(crm.config), mails, strict=False)
