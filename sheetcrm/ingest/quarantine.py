"""``sheetcrm quarantine list|retry|clear``: the ``_quarantine`` ledger as a to-do list.

- ``entries`` lists it: one entry per thing set aside (newest row of each key; see
  ``run.journal``), open ones unless asked for all.
- ``retry`` re-parses the open entries with the current configuration (``sheetcrm.toml``,
  its ``[vocab]``, custom fields) and the import options each entry recorded, and imports
  what now parses through the ordinary import path (``ImportSpec.plan`` in a ``WriteRun``:
  merges, conflicts, the deletion guard and the audit row as for any import). One run per
  source and options, each all or nothing: what went in is resolved in the same apply,
  what still fails stays open with its new reason. Entries that cannot be retried (written
  by an older sheetcrm without its options, or whose raw row was too long to keep) stay
  open and are reported: import their source file again.
- ``clear`` marks open entries resolved by hand (someone fixed the record in the sheet,
  or decided the row is junk); the entry stays, as evidence of what came in, and an
  import that sets the same input aside again re-opens it (that import did not take it
  in, and exits 8 saying so: fixing the input is what ends it). Removing
  entries is a separate, explicit step (``clear --resolved``): it deletes only resolved
  entries, and like every deletion keeps a restorable snapshot first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError, RowsRejected
from sheetcrm.ingest.importer import ImportSpec
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.model.changes import ChangeSet, DeleteRow, Op
from sheetcrm.model.grid import TabGrid
from sheetcrm.run import RunResult, WriteRun, plural
from sheetcrm.run.journal import QUARANTINE, RESOLVED, Entry, Ledger

__all__ = ["Retried", "RetryResult", "clear", "entries", "retry"]


def _ledger(grids: dict[str, TabGrid]) -> Ledger:
    return Ledger.of(grids.get(QUARANTINE))


def entries(crm: CRM, *, everything: bool = False, source: str | None = None) -> list[Entry]:
    """The entries of ``_quarantine`` (open ones unless ``everything``), oldest first;
    none when the tab does not exist yet. A ``source`` with no entry is an InputError."""
    ledger = _ledger(crm.read([QUARANTINE], values_only=True))
    _known(ledger, source)
    return [e for e in ledger.entries() if (everything or e.open) and _of(e, source)]


def _of(entry: Entry, source: str | None) -> bool:
    return source is None or entry.source == source


def _known(ledger: Ledger, source: str | None) -> None:
    """InputError when ``source`` names no entry at all (a typo, or a path given for a
    file name): saying "nothing to do" would hide it."""
    sources = sorted({e.source for e in ledger.entries()})
    if source is not None and source not in sources:
        known = ", ".join(sources[:8]) or "none yet"
        raise InputError(f"no entries from {source!r} in _quarantine (sources: {known})")


@dataclass
class Retried:
    """One retry run: the entries it tried (of one source, imported one way) and the run."""

    source: str
    tried: list[Entry]
    result: RunResult

    def _kept(self) -> list[Entry]:
        """The entries tried that stay open: set aside again (the journal closes the
        rest, a row's cells included when the row is set aside whole)."""
        keys = {q.key for q in self.result.quarantine}
        return [e for e in self.tried if e.key in keys]

    @property
    def still_open(self) -> int:
        """Entries of the rows tried that are open after it: set aside again, or new (a
        row that now goes in with a cell set aside)."""
        return len({q.key for q in self.result.quarantine})

    @property
    def resolved(self) -> int:
        return len(self.tried) - len(self._kept())


@dataclass
class RetryResult:
    """Every retry run, and the open entries that could not be retried (and why)."""

    runs: list[Retried] = field(default_factory=list)
    skipped: list[tuple[Entry, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def resolved(self) -> int:
        return sum(r.resolved for r in self.runs)

    @property
    def still_open(self) -> int:
        return sum(r.still_open for r in self.runs) + len(self.skipped)

    def line(self) -> str:
        tried = sum(len(r.tried) for r in self.runs)
        verb = "would resolve" if self.dry_run else "resolved"
        text = f"{plural(tried, 'entry', 'entries')} retried: {self.resolved} {verb}"
        text += f", {self.still_open} still open"
        return text + (f" ({len(self.skipped)} not retried)" if self.skipped else "")

    def rejected(self) -> RowsRejected | None:
        """Exit 8 when entries stay open after the retry (not for a dry run)."""
        if self.dry_run or not self.still_open:
            return None
        return RowsRejected(
            f"{plural(self.still_open, 'entry', 'entries')} still open in _quarantine; "
            "see `sheetcrm quarantine list`"
        )


def retry(
    crm: CRM, *, source: str | None = None, dry_run: bool = False, force: bool = False
) -> RetryResult:
    """Import the open entries again with today's configuration (see the module doc)."""
    done = RetryResult(dry_run=dry_run)
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries(crm, source=source):
        why = _not_retried(entry)
        if why:
            done.skipped.append((entry, why))
            continue
        recorded = json.dumps(entry.spec(), sort_keys=True)
        groups.setdefault((entry.source, recorded), []).append(entry)
    for (name, recorded), group in groups.items():
        try:
            spec = ImportSpec.from_recorded(json.loads(recorded))
            spec.target(crm)
        except ConfigError as exc:
            done.skipped += [(e, f"its import options no longer work: {exc}") for e in group]
            continue
        done.runs.append(_retry_one(crm, name, spec, group, dry_run=dry_run, force=force))
    return done


def _not_retried(entry: Entry) -> str:
    if not entry.spec():
        return "recorded without its import options (an older sheetcrm); import it again"
    if entry.raw() is None:
        return "its input row was too long to keep whole; import it again"
    return ""


def _retry_one(
    crm: CRM, source: str, spec: ImportSpec, group: list[Entry], *, dry_run: bool, force: bool
) -> Retried:
    """One run: the rows of ``group`` (as the journal holds them when the run reads)."""
    with WriteRun(crm, f"quarantine retry {source}", force=force, dry_run=dry_run) as run:
        grids = run.read(spec.tabs(crm))
        wanted = {e.key for e in group}
        current = [e for e in _ledger(grids).entries() if e.key in wanted and e.open]
        result = spec.plan(crm, run, _table(source, current))
        result.command = run.command
        return Retried(source, current, run.apply(result))


def _table(source: str, group: Sequence[Entry]) -> SourceTable:
    """The input rows of ``group`` as the source table they came from (one per row)."""
    rows: dict[int, dict[str, object]] = {}
    for entry in group:
        raw = entry.raw()
        if raw is not None:
            rows[entry.row] = raw  # a row's entries share one raw row; the newest wins
    columns = list(dict.fromkeys(c for values in rows.values() for c in values))
    table = SourceTable(source, columns)
    for number in sorted(rows):
        values = {c: rows[number].get(c) for c in columns}
        table.rows.append(SourceRow(number, values))
    return table


def clear(
    crm: CRM,
    ids: Iterable[str] = (),
    *,
    source: str | None = None,
    everything: bool = False,
    resolved: bool = False,
    dry_run: bool = False,
) -> RunResult:
    """Mark the chosen open entries resolved (``ids``, all of ``source``, or
    ``everything``); with ``resolved``, delete the chosen entries that are resolved
    already (a snapshot is kept first). Unknown IDs, or nothing chosen, are errors."""
    wanted = [i.strip() for i in ids if i.strip()]
    if not (wanted or source or everything):
        raise InputError("say which entries: their IDs, --source FILE, or --all")
    what = "quarantine clear --resolved" if resolved else "quarantine clear"
    with WriteRun(crm, what, force=True, dry_run=dry_run) as run:
        ledger = _ledger(run.read([]))
        _known(ledger, source)
        rows = [*ledger.entries(), *(e for old in ledger.older.values() for e in old)]
        by_id = {e.id: e for e in rows}
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise InputError(
                f"no entry {unknown[0]!r} in _quarantine; see `sheetcrm quarantine list --all`"
            )
        chosen = [
            e
            for e in rows
            if (everything or e.id in wanted or (source is not None and e.source == source))
            and _of(e, source)
        ]
        at = crm.clock()
        ops: list[Op] = []
        if resolved:
            still = [e.id for e in chosen if e.open and e.id in wanted]
            if still:
                raise InputError(
                    f"{still[0]} is still open; clear it first (`sheetcrm quarantine clear "
                    f"{still[0]}`), then remove it with --resolved"
                )
            ops = [DeleteRow(QUARANTINE, e.id) for e in chosen if not e.open]
        else:
            for e in chosen:
                if e.open:
                    ops += e.set({"status": RESOLVED}, at)
        return run.apply(RunResult(run.command, ChangeSet(ops)))
