"""``sheetcrm person export``: everything the CRM holds about one person, as one JSON
document (a subject access request answered in one command).

The shape is stable and versioned; a key is only ever added, with ``version`` kept::

    {
      "version": 1,
      "kind": "sheetcrm.person",
      "query": {"given": "Sara@Example.com", "kind": "email", "value": "sara@example.com"},
      "workbook": "crm.xlsx",
      "exported_at": "2026-12-02T14:00:00",
      "records": [{"tab": "Customers", "id": "C-…"}],
      "tabs": {"Customers": [{"row": 2, "id": "C-…", "why": "their record", "values": {…}}]},
      "snapshots": [{"path": "…/20261202-….json", "at": "…", "workbook": "…", "tabs": {…}}],
      "elsewhere": {"Form Responses 1": [{"row": 3, "why": "…", "values": {…}}]},
      "outbox": [{"key": "…", "to": "sara@example.com", "subject": "…"}],
      "suppressed": false,
      "about": {"records": "…", …}
    }

``tabs`` has a key for each tab that holds something of theirs: their Customers and
Leads rows, linked Interactions and Tasks, and the ``_sync``, ``_conflicts``,
``_quarantine`` and ``_audit`` rows about them, and the records of others whose free
text (notes, a summary, a task's description) names their e-mail, phone or ID. A row is
every named column of it (teammates' own columns too) — but of someone else's record only
the text that names them — values as JSON (dates as ISO text); ``row`` is its row number
in the sheet when read, ``id`` the row's ID, ``why`` why it is theirs. ``about`` says what
each part is, in words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.ingest.holdings import held_rows, holdings, outside
from sheetcrm.ingest.person import Ledger, Who, forgotten, locate

VERSION = 1
ABOUT = {
    "query": "what was asked for, and how it was read (email, phone or id)",
    "records": "their Customers and Leads records (a converted lead and its customer both)",
    "tabs": (
        "per tab, each row held about them and why: their records, linked Interactions and "
        "Tasks, the _sync, _conflicts, _quarantine and _audit rows about them, and the text "
        "in others' records that names them"
    ),
    "snapshots": (
        "local snapshots sheetcrm kept before destructive changes, with their rows in each"
    ),
    "elsewhere": (
        "rows of tabs sheetcrm does not own (a form's responses tab, your own tabs) with a "
        "cell that names them; sheetcrm never changes those tabs"
    ),
    "outbox": "e-mails sheetcrm sent to them (the local log that stops a second copy)",
    "suppressed": "whether `person forget` already put them on the suppression list",
}


def person_export(crm: CRM, who: str, *, ledgers: Iterable[Ledger] = ()) -> dict[str, Any]:
    """Everything held about the person ``who`` names (see the module docstring);
    ``NotFoundError`` when nothing is."""
    grids = crm.read(list(crm.schema.tabs))
    crm.require_initialised(grids)
    person, saved, entries = locate(crm, who, grids, ledgers)
    shots = []
    for shot in saved:
        held = holdings(person, crm.schema, shot.tabs)
        if held:
            shots.append(
                {
                    "path": str(shot.path),
                    "at": shot.at,
                    "workbook": shot.target,
                    "tabs": held_rows(held, shot.tabs),
                }
            )
    emails, phones = sorted(person.emails), sorted(person.phones)
    return {
        "version": VERSION,
        "kind": "sheetcrm.person",
        "query": {"given": person.who.given, "kind": person.who.kind, "value": person.who.value},
        "workbook": crm.describe(),
        "exported_at": crm.clock().isoformat(timespec="seconds"),
        "records": [{"tab": t, "id": i} for t, i in person.records],
        "tabs": held_rows(holdings(person, crm.schema, grids), grids),
        "snapshots": shots,
        "elsewhere": outside(crm, person),
        "outbox": [],
        **entries,
        "suppressed": any(forgotten(Who(e, "email", e), grids) for e in emails)
        or any(forgotten(Who(p, "phone", p), grids) for p in phones),
        "about": ABOUT,
    }
