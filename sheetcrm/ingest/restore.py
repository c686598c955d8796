"""``sheetcrm restore SNAPSHOT``: put back the records a snapshot saved before a
destructive change (deleted rows come back, changed values are set back; rows added since
stay). A restore is a writing run like any other: it takes the lease, writes one audit row,
and first snapshots whatever it overwrites, so a restore can itself be undone."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.files import write_private
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.diff import diff_tab
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import is_blank
from sheetcrm.run import RunResult, WriteRun, read_snapshot, write_snapshot
from sheetcrm.run.guard import encode_tabs, snapshot_dir


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


@dataclass(frozen=True)
class Saved:
    """A snapshot file: where, when it was taken, and its tabs."""

    path: Path
    at: str
    tabs: dict[str, TabGrid]
    target: object = None  # the workbook it was taken of, as that run named it


def snapshots() -> Iterator[Saved]:
    """Every snapshot in this machine's snapshot folder, oldest first, whichever workbook
    it was taken of (``person export`` and ``forget`` look through them all: a workbook
    named by another path, or copied, is still the same people). Files that are not
    snapshots are passed over."""
    folder = snapshot_dir()
    if not folder.is_dir():
        return
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or "tabs" not in data:
                continue
            yield Saved(path, str(data.get("at") or ""), read_snapshot(path), data.get("target"))
        except (OSError, ValueError, InputError):
            continue


def rewrite_snapshot(path: Path, grids: Mapping[str, TabGrid]) -> None:
    """Replace the tabs of the snapshot at ``path`` with ``grids`` (its target and time
    kept), atomically: the file is whole, old or new, at every moment; private as before
    (0600, or stricter if it was)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    mode = stat.S_IMODE(path.stat().st_mode) & 0o600
    data["tabs"] = encode_tabs(grids, list(data.get("tabs") or grids))
    write_private(path, json.dumps(data, ensure_ascii=False))
    if mode != 0o600:
        os.chmod(path, mode)
