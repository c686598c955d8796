"""The shared machinery of imports: mapping and parsing rows, quarantining the bad ones,
counting where each row went, and the quarantine, conflict and audit rows a run adds
(each with a stable ID, so a repeated run adds none). ``importer`` puts it together."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError, ValueParseError
from sheetcrm.ingest.mapping import PRESETS, VIRTUAL, Preset, map_columns, stable_id
from sheetcrm.ingest.merge import Conflict, group_records, merge_groups, require_tab
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.ingest.syncstate import SyncState
from sheetcrm.model.changes import AppendRow, ChangeSet, SetCell
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import TabSchema, new_id
from sheetcrm.model.values import is_blank

SYSTEM_TABS = ("_sync", "_quarantine", "_conflicts", "_meta")


@dataclass
class Counts:
    """Where every input row went; the categories add up to ``rows``."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    duplicates: int = 0
    unchanged: int = 0
    empty: int = 0
    quarantined: int = 0

    def accounted(self) -> int:
        return sum(v for k, v in asdict(self).items() if k != "rows")

    def line(self) -> str:
        parts = [f"{v} {k}" for k, v in asdict(self).items() if k != "rows" and v]
        return f"{self.rows} rows: " + (", ".join(parts) or "nothing")


@dataclass
class Quarantined:
    source: str
    row: int
    column: str
    value: Any
    reason: str
    raw: dict[str, Any]


@dataclass
class ImportResult:
    """What an import planned and did."""

    source: str
    tab: str
    counts: Counts
    changes: ChangeSet
    conflicts: list[Conflict] = field(default_factory=list)
    quarantine: list[Quarantined] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    also: dict[str, str] = field(default_factory=dict)  # other tabs touched → summary
    report: Any = None
    dry_run: bool = False
    grids: dict[str, TabGrid] = field(default_factory=dict, repr=False)  # as read
    snapshot: Path | None = None  # written before a destructive change


def preset_named(name: str | None) -> Preset | None:
    if name is None:
        return None
    if name not in PRESETS:
        raise ConfigError(f"no preset {name!r} (presets: {', '.join(PRESETS)})")
    return PRESETS[name]


def read_for_import(crm: CRM, *tabs: str) -> dict[str, TabGrid]:
    """The tabs an import needs, in one read; the data tabs must exist."""
    grids = crm.read([*tabs, *SYSTEM_TABS])
    for name in tabs:
        require_tab(grids, name)
    return grids


def quarantined(
    source: str, row: SourceRow, fields: Mapping[str, str], exc: ValueParseError
) -> Quarantined:
    """A quarantine entry naming the input column (not the field) that held the value."""
    column = next((s for s, d in fields.items() if d == exc.column), exc.column)
    return Quarantined(
        source, row.number, column or "", exc.value, f"expected {exc.expected}", row.values
    )


def parse_rows(
    table: SourceTable,
    schema_tab: TabSchema,
    crm: CRM,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    counts: Counts,
    quarantine: list[Quarantined],
) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Map and parse each row; blank rows are counted, bad ones quarantined."""
    cmap = map_columns(table.columns, schema_tab, preset=chosen, overrides=overrides)
    if not cmap.fields:
        raise InputError(
            f"{table.name}: none of its columns ({', '.join(table.columns[:6])}) match fields "
            f"of {schema_tab.name}; name them with --map 'Column=field'"
        )
    parsed: list[tuple[int, dict[str, Any]]] = []
    for row in table:
        counts.rows += 1
        if row.empty:
            counts.empty += 1
            continue
        raw = {dest: row.values.get(src) for src, dest in cmap.fields.items()}
        if chosen and chosen.transform:
            raw = chosen.transform(raw)
        raw = {k: v for k, v in raw.items() if k not in VIRTUAL or schema_tab.get(k)}
        try:
            record = schema_tab.parse_record(raw, crm.ctx, row=row.number)
        except ValueParseError as exc:
            counts.quarantined += 1
            quarantine.append(quarantined(table.name, row, cmap.fields, exc))
            continue
        parsed.append((row.number, record))
    return parsed, cmap.ignored


def plan_records(
    crm: CRM,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> ImportResult:
    grids = read_for_import(crm, schema_tab.name)
    result = ImportResult(table.name, schema_tab.name, Counts(), ChangeSet())
    parsed, result.ignored_columns = parse_rows(
        table, schema_tab, crm, chosen, overrides, result.counts, result.quarantine
    )
    groups, result.merges = group_records(schema_tab.name, parsed)
    state = SyncState.from_grid(grids.get("_sync"), crm.schema)
    merged = merge_groups(
        schema_tab, grids[schema_tab.name], groups, state, crm.ctx, on_conflict=on_conflict
    )
    tally(result, merged, table)
    result.changes.extend(merged.changes.ops)
    result.changes.notes += merged.changes.notes
    result.grids = grids
    return result


def tally(result: ImportResult, merged: Any, table: SourceTable) -> None:
    """Count rows by outcome; quarantine groups that lack a required field."""
    c = result.counts
    c.created += len(merged.created)
    c.updated += len(merged.updated)
    c.unchanged += len(merged.unchanged)
    for group in [*merged.created, *merged.updated, *merged.unchanged]:
        c.merged += len(group.merged)
        c.duplicates += len(group.duplicates)
    by_number = {r.number: r.values for r in table}
    for group, exc in merged.incomplete:
        for number in group.rows:
            c.quarantined += 1
            result.quarantine.append(
                Quarantined(
                    table.name,
                    number,
                    exc.column or "",
                    "",
                    f"expected {exc.expected}",
                    by_number.get(number, {}),
                )
            )
    result.conflicts += merged.conflicts


def finish(crm: CRM, result: ImportResult, command: str) -> None:
    """Add quarantine, conflict and audit rows (audit only when something else changes)."""
    grids = result.grids
    existing = {"_quarantine": _ids(grids.get("_quarantine"), crm.schema["_quarantine"])}
    now = dt.datetime.now().replace(microsecond=0)
    for q in result.quarantine:
        qid = stable_id("Q", q.source, q.row, json.dumps(q.raw, default=str, sort_keys=True))
        if qid not in existing["_quarantine"]:
            existing["_quarantine"].add(qid)
            result.changes.add(
                AppendRow(
                    "_quarantine",
                    {
                        "quarantine_id": qid,
                        "at": now,
                        "source": q.source,
                        "row": q.row,
                        "column": q.column,
                        "value": _text(q.value),
                        "reason": q.reason,
                        "raw": json.dumps(q.raw, default=str, ensure_ascii=False)[:2000],
                    },
                )
            )
    conflict_rows(result, now, crm.schema["_conflicts"])
    if result.changes:
        summary = {
            "source": result.source,
            "tab": result.tab,
            **asdict(result.counts),
            "conflicts": len(result.conflicts),
            "also": result.also,
            "merges": result.merges[:50],
            "more_merges": max(0, len(result.merges) - 50),
        }
        text = json.dumps(summary, ensure_ascii=False)[:45_000]
        result.changes.add(
            AppendRow(
                "_audit",
                {
                    "run_id": new_id("A"),
                    "at": now,
                    "user": _user(),
                    "host": socket.gethostname(),
                    "command": command,
                    "summary": text,
                },
            )
        )


def conflict_rows(result: ImportResult, now: dt.datetime, tab: TabSchema) -> None:
    """Append each conflict to ``_conflicts`` once (stable IDs make re-runs add nothing)."""
    existing = _ids(result.grids.get("_conflicts"), tab)
    for x in result.conflicts:
        xid = stable_id(
            "X", x.tab, x.record_id, x.field, _text(x.sheet_value), _text(x.source_value)
        )
        if xid not in existing:
            existing.add(xid)
            result.changes.add(
                AppendRow(
                    "_conflicts",
                    {
                        "conflict_id": xid,
                        "at": now,
                        "tab": x.tab,
                        "record_id": x.record_id,
                        "field": x.field,
                        "sheet_value": _text(x.sheet_value),
                        "source_value": _text(x.source_value),
                        "resolution": x.resolution,
                    },
                )
            )


def record_late_conflicts(crm: CRM, result: ImportResult) -> None:
    """Edits a teammate made between our read and our write: their value stayed; record
    each as a conflict (one small extra write, only when it happens)."""
    report = result.report
    if report is None or not report.changed_meanwhile:
        return
    planned = {
        (op.tab, op.key, op.field): op.value for op in result.changes.ops if isinstance(op, SetCell)
    }
    reason = "sheet value kept (edited during the import)"
    late = [
        Conflict(tab, key, name, current, planned.get((tab, key, name)), reason)
        for tab, key, name, current in report.changed_meanwhile
    ]
    if not late:
        return
    result.conflicts += late
    extra = ImportResult(
        result.source, result.tab, result.counts, ChangeSet(), conflicts=late, grids=result.grids
    )
    conflict_rows(extra, _timestamp(), crm.schema["_conflicts"])
    crm.backend.apply(extra.changes, crm.schema)


def _timestamp() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _ids(grid: TabGrid | None, tab: TabSchema) -> set[str]:
    """The IDs already in a system tab."""
    if grid is None:
        return set()
    col = map_header(grid, tab, allow_missing=True).columns.get(tab.id_field)
    if col is None:
        return set()
    return {str(v) for v in grid.column(col) if not is_blank(v)}


def _text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _user() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
