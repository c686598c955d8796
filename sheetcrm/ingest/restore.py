"""``sheetcrm restore SNAPSHOT``: put back the records a snapshot saved before a
destructive change (deleted rows come back, changed values are set back; rows added since
stay). A restore is a writing run like any other: it takes the lease, writes one audit row,
and first snapshots whatever it overwrites, so a restore can itself be undone."""

from __future__ import annotations

from pathlib import Path

from sheetcrm.crm import CRM
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.diff import diff_tab
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import is_blank
from sheetcrm.run import RunResult, WriteRun, read_snapshot, write_snapshot


def restore(crm: CRM, path: str | Path, *, dry_run: bool = False) -> RunResult:
    """Put back the values a snapshot holds (re-adding deleted rows); newer rows stay."""
    saved = read_snapshot(path)
    # asked for explicitly, so not refused by the deletion guard (which still snapshots)
    with WriteRun(crm, f"restore {Path(path).name}", force=True, dry_run=dry_run) as run:
        current = run.read(list(saved))
        changes = ChangeSet()
        for name, grid in saved.items():
            tab = crm.schema.tab(name)
            fields = [(i, f) for i, h in enumerate(grid.header) if h and (f := tab.get(str(h)))]
            records = [
                {f.name: row[i] if i < len(row) else None for i, f in fields} for row in grid.rows
            ]
            records = [r for r in records if not is_blank(r.get(tab.id_field))]
            now = current.get(tab.name) or TabGrid(tab.name, list(tab.columns))
            changes.extend(diff_tab(now, tab, records, crm.ctx).ops)
        # whatever this overwrites, as it is now, so the restore itself can be undone
        before = write_snapshot(crm, current, changes.tabs()) if changes and not dry_run else None
        result = run.apply(RunResult(run.command, changes, source=str(path)))
        result.snapshot = before or result.snapshot
        return result
