"""The shared machinery of imports: mapping and parsing rows, quarantining the bad ones and
counting where each row went. ``importer`` runs it inside a ``WriteRun``, which writes the
quarantine, conflict and audit rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError, ValueParseError
from sheetcrm.ingest.mapping import PRESETS, VIRTUAL, Preset, map_columns
from sheetcrm.ingest.merge import MergeResult, group_records, merge_groups, require_tab
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.ingest.suppression import drop_suppressed
from sheetcrm.ingest.syncstate import SYNC, SyncState
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import is_blank
from sheetcrm.run import Counts, Quarantined, RunResult, WriteRun


def preset_named(name: str | None) -> Preset | None:
    if name is None:
        return None
    if name not in PRESETS:
        raise ConfigError(f"no preset {name!r} (presets: {', '.join(PRESETS)})")
    return PRESETS[name]


def read_for_import(run: WriteRun, *tabs: str) -> dict[str, TabGrid]:
    """The tabs an import needs, in the run's one read; the data tabs must exist. A caller
    that also reads a source tab (``--from-tab``, ``watch``) reads them all first, with
    ``ImportSpec.tabs``, and the grids of that read are used."""
    ready = run.grids and all(t in run.grids for t in tabs)
    grids = run.grids if ready else run.read([*tabs, SYNC])
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


def quarantine_cut(table: SourceTable, counts: Counts, quarantine: list[Quarantined]) -> None:
    """A file's last row when the file ends mid-line: counted and quarantined (naming the
    cell it stops in), never imported, so a fragment such as ``C-2,Custo`` never replaces
    a name while every complete row still goes in."""
    row = table.cut
    if row is None:
        return
    filled = [c for c in table.columns if not is_blank(row.values.get(c))]
    column = filled[-1] if filled else table.columns[0]
    counts.rows += 1
    counts.quarantined += 1
    value = str(row.values.get(column) or "")
    value = value if len(value) <= 200 else value[:200] + "…"  # an open quote swallows lines
    quarantine.append(
        Quarantined(table.name, row.number, column, value, table.cut_reason, row.values)
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
    quarantine_cut(table, counts, quarantine)
    return parsed, cmap.ignored


def plan_records(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Records of one tab: map, parse, dedupe and three-way merge them into the sheet."""
    grids = read_for_import(run, schema_tab.name)
    result = RunResult(run.command, source=table.name, tab=schema_tab.name)
    parsed, result.ignored_columns = parse_rows(
        table, schema_tab, crm, chosen, overrides, result.counts, result.quarantine
    )
    # people `person forget` removed: counted as suppressed, never re-created
    parsed = drop_suppressed(parsed, result.quarantine, grids.get(SYNC), result.counts, crm.ctx)
    groups, result.merges = group_records(schema_tab.name, parsed)
    state = SyncState.from_grid(grids.get(SYNC), crm.schema)
    merged = merge_groups(
        schema_tab, grids[schema_tab.name], groups, state, crm.ctx, on_conflict=on_conflict
    )
    tally(result, merged, table)
    result.changes.extend(merged.changes.ops)
    result.changes.notes += merged.changes.notes
    return result


def tally(result: RunResult, merged: MergeResult, table: SourceTable) -> None:
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
