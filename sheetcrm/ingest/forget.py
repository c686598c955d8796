"""``sheetcrm person forget``: remove one person everywhere the CRM keeps them, and keep
only a salted hash so a later import does not bring them back.

What goes, and why this way:

- their Customers and Leads rows, their Tasks and their Interactions are deleted;
- **sales are kept, without them**: a purchase or return (or any interaction with an
  amount) keeps its date, type, amount, product, quantity and order id, and every other
  field is blanked (customer_id, lead_id, summary, next action…). A shop's revenue
  history and its bookkeeping stay right, and nothing left names the person. Teammates'
  own columns on such a row are not sheetcrm's to blank: the result names the ones that
  hold something. ``keep_sales=False`` (``--drop-sales``) deletes those rows too;
- their ``_sync`` state rows, the ``_conflicts`` rows about their records and the
  ``_quarantine`` entries naming their e-mail or phone are deleted;
- ``_audit`` is append-only: its rows stay (the journal of who ran what), but each
  mention of their IDs, e-mail or phone in a row's command or summary is replaced with
  ``[forgotten]``. The forget run's own audit row names no one (``person forget``, counts);
- someone else's record whose free text names them ("referred by sara@…" in notes, a
  task's description with her phone) stays, with that mention replaced the same way; a
  teammate's own column that names them is not sheetcrm's to write: the result's notes
  name each such cell (in snapshots, which are sheetcrm's files, it is replaced too);
- **no snapshot is written**. Every other destructive run keeps one so it can be undone,
  but a snapshot of a forgotten person would keep exactly what was asked to go. The CLI
  asks for confirmation (``--yes``) instead, and ``--dry-run`` shows the plan;
- the local snapshots sheetcrm kept earlier (all of them on this machine: a workbook
  opened by another path or copied holds the same people) are rewritten without
  them (each atomically, private as before), and so is each ledger handed in (the mail
  outbox): these come after the workbook was saved, so a failed save leaves everything
  as it was;
- their e-mail (and their phone, unless someone kept in the workbook shares it) goes on
  the suppression list in ``_sync`` (``ingest.suppression``);
- tabs sheetcrm does not own (a form's responses tab, the team's own tabs) are never
  changed: the rows there that name them are listed in the result's notes, to delete by
  hand (a ``watch`` of a responses tab does not bring them back: they are suppressed).

Running it again after a failure part way (a snapshot folder that could not be written)
finishes the job: the snapshots and the outbox are searched even when the workbook no
longer holds the person.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import DiskError, Forgotten
from sheetcrm.ingest.holdings import Held, holdings, outside, row_dict
from sheetcrm.ingest.person import Ledger, Person, locate
from sheetcrm.ingest.restore import rewrite_snapshot
from sheetcrm.ingest.suppression import SYNC, Suppression
from sheetcrm.model.changes import ChangeSet, DeleteRow, Op, SetCell
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema
from sheetcrm.model.values import is_blank
from sheetcrm.run import RunResult, WriteRun, plural

COMMAND = "person forget"  # what the audit, the lease and the lock say: no one's name


def forget(
    crm: CRM,
    who: str,
    *,
    dry_run: bool = False,
    keep_sales: bool = True,
    ledgers: Iterable[Ledger] = (),
) -> RunResult:
    """Remove the person ``who`` names everywhere (see the module docstring). Calling it
    is the confirmation: nothing is kept to undo it. ``result.also`` says what went, per
    tab and local file, in counts; ``NotFoundError`` when nothing holds them."""
    ledgers = list(ledgers)
    # forced: asked for by name and confirmed, so not held back by the deletion guard
    with WriteRun(crm, COMMAND, force=True, dry_run=dry_run, snapshot=False) as run:
        grids = run.read(list(crm.schema.tabs))
        crm.require_initialised(grids)
        try:
            person, saved, entries = locate(crm, who, grids, ledgers)
        except Forgotten:  # forgotten before: done already (a script may run it twice)
            return run.apply(RunResult(COMMAND, also={"suppression list": "already on it"}))
        held = holdings(person, crm.schema, grids, keep_sales=keep_sales)
        changes = ChangeSet(_ops(person, held, grids), _left(held, grids, crm.schema))
        for tab, rows in outside(crm, person).items():
            numbers = ", ".join(str(r["row"]) for r in rows)
            which = f"row {numbers} names" if len(rows) == 1 else f"rows {numbers} name"
            changes.notes.append(
                f"{tab}: {which} them; sheetcrm does not change tabs it does not own (a "
                "form's responses), so delete them there by hand"
            )
        changes.extend(_suppress(person, grids, crm))
        result = run.apply(RunResult(COMMAND, changes, also=_counts(held)))
        local = [(s, holdings(person, crm.schema, s.tabs, keep_sales=keep_sales)) for s in saved]
        local = [(s, h) for s, h in local if h]
        if local:
            result.also["snapshots"] = plural(len(local), "snapshot") + " rewritten"
        where = "the outbox"
        try:
            for ledger in ledgers:
                where = f"the {ledger.name}"
                if entries.get(ledger.name):
                    gone = ledger.forget(person.emails, dry_run=dry_run)
                    result.also[ledger.name] = plural(gone, "message") + " taken out"
            for shot, shot_held in local if not dry_run else []:
                where = str(shot.path)
                rewrite_snapshot(shot.path, scrub(person, shot.tabs, shot_held))
        except OSError as exc:
            raise DiskError(
                f"the workbook no longer holds them, but {where} could not be rewritten "
                f"({exc.strerror or exc}); run the same `person forget` again to finish"
            ) from None
        return result


def _suppress(person: Person, grids: Mapping[str, TabGrid], crm: CRM) -> list[Op]:
    """The ``_sync`` rows that keep them out of later imports: each e-mail, and each phone
    of theirs alone (``Person.phones`` leaves out phones someone kept shares)."""
    suppression = Suppression.from_grid(grids.get(SYNC))
    at = crm.clock()
    ops: list[Op] = []
    for email in sorted(person.emails):
        ops += suppression.add({"email": email}, at)
    for phone in sorted(person.phones):
        ops += suppression.add({"phone": phone}, at)
    return ops


def _ops(person: Person, held: Iterable[Held], grids: Mapping[str, TabGrid]) -> list[Op]:
    """The workbook edits: a ``DeleteRow`` per row that goes, blanked fields of kept
    sales, redacted text of ``_audit`` rows (each edit expects the value it read)."""
    ops: list[Op] = []
    for h in held:
        if h.action == "keep":  # a team's own column: listed (``_left``), not sheetcrm's
            continue
        if h.action == "delete":
            ops.append(DeleteRow(h.tab, h.key))
            continue
        values = row_dict(grids[h.tab], h.row)
        header = {str(k).strip().casefold(): k for k in values}
        for name in h.fields:
            old = values.get(header.get(name.casefold(), name))
            new = None if h.action == "anonymise" else person.redact(old)
            ops.append(SetCell(h.tab, h.key, name, new, old=_typed(grids[h.tab], h, name)))
    return ops


def _typed(grid: TabGrid, h: Held, name: str) -> object:
    """The cell as read (typed, not as export shows it): what the edit expects there."""
    for c, header in enumerate(grid.header):
        if str(header or "").strip().casefold() == name.casefold():
            row = grid.rows[h.row]
            return row[c] if c < len(row) else None
    return None


def _counts(held: Iterable[Held]) -> dict[str, str]:
    """Per tab, what forget does there, in words (the audit row says this, and no name)."""
    c = Counter((h.tab, h.action) for h in held if h.action != "keep")
    out: dict[str, list[str]] = {}
    verbs = {
        "delete": "deleted",
        "anonymise": "kept without them",
        "redact": "with their mention replaced",
    }
    for (tab, action), n in sorted(c.items()):
        out.setdefault(tab, []).append(f"{plural(n, 'row')} {verbs[action]}")
    return {tab: ", ".join(parts) for tab, parts in out.items()}


def _left(held: Iterable[Held], grids: Mapping[str, TabGrid], schema: Schema) -> list[str]:
    """Teammates' own columns that name them, or hold anything on a sale kept without
    them: sheetcrm writes only its own columns, so a person must look at these."""
    notes = []
    for h in held:
        if h.action == "keep":
            columns = ", ".join(h.fields)
            notes.append(f"{h.tab} {h.key}: your own column(s) {columns} name them; edit by hand")
        if h.action != "anonymise":
            continue
        grid = grids[h.tab]
        foreign = map_header(grid, schema[h.tab], allow_missing=True).foreign
        row = grid.rows[h.row]
        filled = [str(grid.header[c]) for c in foreign if c < len(row) and not is_blank(row[c])]
        if filled:
            notes.append(
                f"{h.tab} {h.key}: your own column(s) {', '.join(filled)} kept as they are; "
                "blank them by hand if they name the person"
            )
    return notes


def scrub(person: Person, tabs: Mapping[str, TabGrid], held: Iterable[Held]) -> dict[str, TabGrid]:
    """``tabs`` with the ``held`` rows deleted, anonymised or redacted as in the workbook
    (a snapshot's grids; formulas of kept rows follow their rows)."""
    by_tab: dict[str, dict[int, Held]] = {}
    for h in held:
        by_tab.setdefault(h.tab, {})[h.row] = h
    out: dict[str, TabGrid] = {}
    for name, grid in tabs.items():
        mine = by_tab.get(name)
        if not mine:
            out[name] = grid
            continue
        index = {str(t).strip().casefold(): c for c, t in enumerate(grid.header) if t}
        rows: list[list[Any]] = []
        moved: dict[int, int] = {}
        for i, cells in enumerate(grid.rows):
            hit = mine.get(i)
            if hit is not None and hit.action == "delete":
                continue
            row = list(cells)
            for f in hit.fields if hit is not None else ():
                c = index.get(f.strip().casefold())
                if c is not None and c < len(row):
                    row[c] = None if hit and hit.action == "anonymise" else person.redact(row[c])
            moved[i] = len(rows)
            rows.append(row)
        formulas = {(moved[r], c): f for (r, c), f in grid.formulas.items() if r in moved}
        out[name] = replace(grid, rows=rows, formulas=formulas)
    return out


__all__ = ["COMMAND", "forget", "scrub"]
