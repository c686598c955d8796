"""The notices a command posts, built from what it computed already (never a second read
of the workbook): a report's figures, a reminder run's digests and unhappy customers, an
import's set-aside rows. Names only: the workbook by its file name or title, a source
file by its name — never a local path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.outputs.i18n import LocalFormat, gettext
from sheetcrm.outputs.notify.deliver import plural
from sheetcrm.outputs.notify.shapes import Notice
from sheetcrm.outputs.report_data import ReportData

#: Set-aside rows an import notice lists (the rest: in the _quarantine tab).
SHOWN = 10


def workbook_name(crm: CRM) -> str:
    """The workbook's file name or spreadsheet title (``Backend.title()``): never a path
    or a spreadsheet's address, which would leak into a shared channel."""
    return crm.backend.title()


def _period(local: LocalFormat, data: ReportData) -> dict[str, str]:
    p = data.period
    return {"label": local.period(p), "start": p.start.isoformat(), "end": p.last.isoformat()}


def _figure(
    local: LocalFormat, label: str, value: Any, kind: str, previous: Any = None
) -> dict[str, Any]:
    shown = {"money": local.money, "percent": local.percent}.get(kind, local.number)
    text = shown(value)
    change = (
        local.change((value - previous) / abs(previous)) if value is not None and previous else ""
    )
    return {
        "key": label.casefold().replace(" ", "_"),
        "label": label,
        "value": value,
        "previous": previous,
        "kind": kind,
        "text": f"{text} ({change})" if change else text,
    }


def report_notice(crm: CRM, data: ReportData) -> Notice:
    """A report as a notice: its KPIs with the change on the period before, top customers
    and overdue tasks as items."""
    local = data.local
    figures = [_figure(local, k.label, k.value, k.kind, k.previous) for k in data.kpis]
    items: list[dict[str, Any]] = []
    for c in data.top_customers[:5]:
        name = c.get("name") or c.get("customer_id")
        spent = c.get("amount")
        items.append({"kind": "top_customer", **_plain(c), "text": f"{name}: {local.money(spent)}"})
    for t in data.overdue_tasks[:5]:
        due = local.date(t.get("due"))
        who = t.get("assignee") or "–"
        text = f"{gettext('Overdue', local.language)}: {t.get('title')} ({who}, {due})"
        items.append({"kind": "overdue_task", **_plain(t), "text": text})
    return Notice(
        event="report",
        title=data.title,
        workbook=workbook_name(crm),
        as_of=data.as_of.isoformat(),
        period=_period(local, data),
        figures=figures,
        items=items,
    )


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """A record's fields as JSON can carry them (days as ISO text, NaN as null)."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        elif isinstance(value, float) and value != value:
            value = None
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[str(key)] = value
    return out


def remind_notice(crm: CRM, result: Any, as_of: dt.date, local: LocalFormat) -> Notice:
    """A reminder run as a notice: the unhappy customers to call back first
    (``RemindResult.unhappy``: a chat shows only the first items), then each person's
    overdue and due-today follow-ups."""
    items: list[dict[str, Any]] = []
    unhappy = list(getattr(result, "unhappy", None) or [])
    for u in unhappy:
        score = u.get("last_satisfaction")
        text = gettext("Unhappy customer: %(name)s (last score %(score)s)", local.language) % {
            "name": u.get("name") or u.get("customer_id"),
            "score": local.number(score) if score is not None else "–",
        }
        items.append({**_plain(u), "kind": "unhappy", "text": text})
    for d in result.digests:
        for bucket, entries in (("overdue", d.overdue_tasks), ("due_today", d.due_today)):
            for e in entries:
                due = local.date(e.get("due"))
                items.append(
                    {
                        **_plain(e),
                        "kind": bucket,  # overdue · due_today
                        "record": e.get("kind"),  # task · lead
                        "person": d.person,
                        "text": f"{d.person}: {e.get('what')} ({bucket.replace('_', ' ')}, {due})",
                    }
                )
    urgent = sum(len(d.overdue_tasks) + len(d.due_today) for d in result.digests)
    summary = (
        f"{plural(len(result.digests), 'person', 'people')} with follow-ups, "
        f"{urgent} overdue or due today; {plural(len(unhappy), 'unhappy customer')} to call back"
    )
    title = gettext("Your follow-ups for %(day)s", local.language) % {"day": local.date(as_of)}
    return Notice(
        event="remind",
        title=title,
        workbook=workbook_name(crm),
        as_of=as_of.isoformat(),
        summary=summary,
        items=items,
    )


def rejected_notice(crm: CRM, results: Sequence[Any], as_of: dt.date) -> Notice | None:
    """An import that set rows or cells aside (``run.RunResult``s: outputs may not import
    ``run``, so taken by their fields), as a notice (None when none were)."""
    aside = [q for r in results if not r.dry_run for q in r.quarantine]
    if not aside:
        return None
    sources = sorted({PurePath(r.source).name for r in results if r.quarantine})
    items = []
    for q in aside[:SHOWN]:
        column = f", column {q.column!r}" if q.column else ""
        value = str(q.value if q.value is not None else "")
        value = value if len(value) <= 60 else value[:57] + "…"
        items.append(
            {
                "kind": q.kind,
                "source": PurePath(q.source).name,
                "row": q.row,
                "column": q.column,
                "value": value,
                "reason": q.reason,
                "text": f"{PurePath(q.source).name} row {q.row}{column}: {value!r} ({q.reason})",
            }
        )
    rows = sum(q.kind != "cell" for q in aside)
    cells = len(aside) - rows
    what = " and ".join(plural(n, u) for n, u in ((rows, "row"), (cells, "cell")) if n)
    more = f" (the first {SHOWN} listed)" if len(aside) > SHOWN else ""
    return Notice(
        event="import.rejected",
        title=f"Import of {', '.join(sources)}: {what} set aside",
        workbook=workbook_name(crm),
        as_of=as_of.isoformat(),
        summary=f"{what} went to the _quarantine tab{more}: sheetcrm quarantine list",
        figures=[
            {
                "key": "rows",
                "label": "rows set aside",
                "value": rows,
                "kind": "number",
                "text": str(rows),
            },
            {
                "key": "cells",
                "label": "cells set aside",
                "value": cells,
                "kind": "number",
                "text": str(cells),
            },
        ],
        items=items,
    )
