"""Safety rails for writes: refuse plans that delete or blank too much, and keep a local,
restorable snapshot before any destructive change (``sheetcrm restore SNAPSHOT``)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sheetcrm.crm import CRM, RunResult
from sheetcrm.errors import InputError, PlanRefusedError
from sheetcrm.lock import lease
from sheetcrm.model.changes import AppendRow, ChangeSet, DeleteRow, Expect, SetCell
from sheetcrm.model.diff import diff_tab
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import is_blank

MAX_DESTRUCTIVE = 0.10  # share of a tab's rows a run may delete or blank without --force


def destructive_rows(changes: ChangeSet) -> dict[str, set[str]]:
    """Per tab, the records a plan deletes or blanks a non-empty field of."""
    out: dict[str, set[str]] = defaultdict(set)
    for op in changes.ops:
        blanking = isinstance(op, SetCell) and is_blank(op.value) and not is_blank(op.old)
        if isinstance(op, DeleteRow) or blanking:
            out[op.tab].add(op.key)
    return out


def check(changes: ChangeSet, grids: Mapping[str, TabGrid], *, force: bool) -> None:
    """Refuse to delete or blank more than MAX_DESTRUCTIVE of a tab unless forced."""
    for tab, keys in destructive_rows(changes).items():
        total = max(len(grids[tab].rows) if tab in grids else 0, 1)
        if len(keys) / total > MAX_DESTRUCTIVE and not force:
            raise PlanRefusedError(
                f"{tab}: this would delete or blank {len(keys)} of {total} rows (more than "
                f"{MAX_DESTRUCTIVE:.0%}); look at it with --dry-run, then re-run with --force"
            )


def claim_writer(crm: CRM, changes: ChangeSet, grids: Mapping[str, TabGrid], command: str) -> None:
    """Mark this run as the workbook's last writer, but only if nobody else wrote since we
    read (optimistic locking: a concurrent run's write makes ours stop, writing nothing)."""
    if not changes:
        return
    tab = crm.schema["_meta"]
    grid = grids.get("_meta")
    current = None
    if grid is not None:
        for row in grid.rows:
            if row and row[0] == "writer":
                current = row[1] if len(row) > 1 else None
    me = (
        f"{command} · {socket.gethostname()} pid {os.getpid()} · "
        f"{dt.datetime.now().isoformat(timespec='seconds')}"
    )
    changes.add(Expect(tab.name, "writer", "value", current))
    if current is None and not any(r and r[0] == "writer" for r in (grid.rows if grid else [])):
        changes.add(AppendRow(tab.name, {"key": "writer", "value": me}))
    else:
        changes.add(SetCell(tab.name, "writer", "value", me, current))


def snapshot_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(os.environ.get("SHEETCRM_SNAPSHOTS", Path(base) / "sheetcrm" / "snapshots"))


def _json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return {"$date": value.isoformat()}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "$date" in value:
        text = value["$date"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return value


def write_snapshot(crm: CRM, grids: Mapping[str, TabGrid], tabs: list[str]) -> Path:
    """Save the given tabs as they are now; return the snapshot file's path."""
    folder = snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", crm.describe())[-40:].strip("-")
    path = folder / f"{stamp}-{slug}.json"
    data = {
        "target": crm.describe(),
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "tabs": {
            name: {
                "header": grids[name].header,
                "rows": [[_json(v) for v in row] for row in grids[name].rows],
                "formulas": [[r, c, f] for (r, c), f in grids[name].formulas.items()],
            }
            for name in tabs
            if name in grids
        },
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path


def guard(
    crm: CRM, changes: ChangeSet, grids: Mapping[str, TabGrid], *, force: bool, dry_run: bool
) -> Path | None:
    """Check the thresholds; before a destructive apply, write a snapshot."""
    check(changes, grids, force=force)
    tabs = sorted(destructive_rows(changes))
    if tabs and not dry_run:
        return write_snapshot(crm, grids, tabs)
    return None


def restore(crm: CRM, path: str | Path, *, dry_run: bool = False) -> RunResult:
    """Put back the values a snapshot holds (re-adding deleted rows); newer rows stay."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        tabs = data["tabs"]
    except FileNotFoundError:
        raise InputError(f"no such snapshot: {path}") from None
    except (json.JSONDecodeError, KeyError, TypeError):
        raise InputError(f"{path} is not a sheetcrm snapshot") from None

    def plan() -> ChangeSet:
        current = crm.read(list(tabs))
        changes = ChangeSet()
        for name, saved in tabs.items():
            tab = crm.schema.tab(name)
            fields = [(i, tab.get(str(h))) for i, h in enumerate(saved["header"]) if h]
            records = []
            for row in saved["rows"]:
                rec = {
                    f.name: _from_json(row[i]) if i < len(row) else None
                    for i, f in fields
                    if f is not None
                }
                if not is_blank(rec.get(tab.id_field)):
                    records.append(rec)
            grid = current.get(tab.name) or TabGrid(tab.name, list(tab.columns))
            changes.extend(diff_tab(grid, tab, records, crm.ctx).ops)
        return changes

    if dry_run:
        return RunResult(plan(), None, True)
    with lease(crm.describe(), "restore"):
        return crm.apply(plan())
