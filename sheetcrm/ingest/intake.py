"""The shared machinery of imports: mapping and parsing rows, setting aside what cannot be
used and counting where each row went. ``importer`` runs it inside a ``WriteRun``, which
writes the quarantine, conflict and audit rows.

What one bad value costs (``TabSchema.parse_lenient`` decides; each case is a
``Quarantined`` entry naming the input column, the raw value and the reason):

- a **row** is set aside whole (``kind="row"``) only when it cannot say which record it is
  or lacks what a record needs: a bad ID or key (e-mail, phone, order id…) when the row
  has no other usable one, a bad required value, or a blank required one when the row
  would make a new record;
- any other bad **cell** is left blank (``kind="cell"``: the sheet keeps its value, a new
  record has none) and the rest of the row is imported; ``Counts.cells_set_aside`` counts
  them;
- **consent** is never dropped: an opt-out that cannot be read counts as one, and a row
  carrying an opt-out is applied to the record it matches whatever else is wrong with it.
  An opted-out person the sheet does not have yet, and who has no name, is created under
  the name their e-mail (or phone) gives (``mapping.fallback_name``) rather than set aside,
  so they are in the sheet as not to be mailed. A preset that names people so
  (``Preset.names_from_email``: Mailchimp) does it for everyone it creates.

When no input column maps to a field a new record needs and every row would be a new
record, the import fails once, before anything is written, naming the field, the columns
that might hold it and the ``--map`` to type (``columnhint``), instead of
setting every row aside with the same reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError, ValueParseError
from sheetcrm.ingest.buyers import CustomerIndex, looks_like_contact, resolve_reference
from sheetcrm.ingest.columnhint import missing_column
from sheetcrm.ingest.dateorder import column_orders
from sheetcrm.ingest.mapping import (
    PRESETS,
    VIRTUAL,
    ColumnMap,
    Preset,
    fallback_name,
    map_columns,
)
from sheetcrm.ingest.merge import Group, MergeResult, group_records, merge_groups, require_tab
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.ingest.review import Reviews
from sheetcrm.ingest.suppression import drop_suppressed
from sheetcrm.ingest.syncstate import SYNC, SyncState
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.grid import TabGrid, empty_grid
from sheetcrm.model.schema import CONSENT, TabSchema
from sheetcrm.model.values import ValueContext, is_blank
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
    ``ImportSpec.tabs``, and the grids of that read are used. A seller tab the workbook
    does not have yet reads as empty: ``make_missing`` plans it."""
    optional = {t.name for t in run.crm.schema.tabs.values() if t.optional}
    ready = run.grids and all(t in run.grids or t in optional for t in tabs)
    grids = dict(run.grids if ready else run.read([*tabs, SYNC]))
    for name in tabs:
        if name in optional and name not in grids:
            grids[name] = empty_grid(run.crm.schema.tab(name))
        require_tab(grids, name)
    return grids


def make_missing(crm: CRM, grids: Mapping[str, TabGrid], *tabs: str) -> ChangeSet:
    """The seller tabs among ``tabs`` that ``read_for_import`` found missing, made (with
    their layout): the first ops of an import into them."""
    changes = ChangeSet()
    for name in tabs:
        grid = grids.get(name)
        if grid is not None and not grid.exists:
            changes.extend(crm.plan_tab(name, {}).ops)
    return changes


def source_column(row: SourceRow, fields: Mapping[str, str], exc: ValueParseError) -> str:
    """The input column (not the field) that held the value ``exc`` names: the one mapped
    to the field that holds that value, else any column that holds it (a preset may move a
    value from one field to another), else the field's name."""
    mapped = [s for s, d in fields.items() if d == exc.column]
    held = [s for s in mapped if row.values.get(s) == exc.value]
    if not held and not is_blank(exc.value):
        held = [s for s, v in row.values.items() if v == exc.value]
    return (held or mapped or [exc.column or ""])[0]


#: Said of a row set aside whole for a bad ID or key: why the rest of it could not go in.
UNIDENTIFIED = "; nothing else in the row says which record it is"


def quarantined(
    source: str,
    row: SourceRow,
    fields: Mapping[str, str],
    exc: ValueParseError,
    tab: str = "",
    why: str = "",
) -> Quarantined:
    """A whole row set aside, naming the input column that made it unusable (``why``: what
    the reason adds to what was expected)."""
    column = source_column(row, fields, exc)
    reason = f"expected {exc.expected}{why}"
    return Quarantined(source, row.number, column, exc.value, reason, row.values, tab=tab)


def cell_issue(
    source: str, row: SourceRow, fields: Mapping[str, str], exc: ValueParseError, tab: str
) -> Quarantined:
    """One cell set aside from a row that went in (module docstring)."""
    if exc.column in CONSENT:
        outcome = "taken as TRUE (an opt-out is never dropped)"
    else:
        outcome = "left blank; the rest of the row was imported"
    return Quarantined(
        source,
        row.number,
        source_column(row, fields, exc),
        exc.value,
        f"expected {exc.expected}: {outcome}",
        row.values,
        kind="cell",
        tab=tab,
    )


def quarantine_cut(
    table: SourceTable, counts: Counts, quarantine: list[Quarantined], tab: str = ""
) -> None:
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
        Quarantined(table.name, row.number, column, value, table.cut_reason, row.values, tab=tab)
    )


def parse_rows(
    table: SourceTable,
    schema_tab: TabSchema,
    crm: CRM,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    counts: Counts,
    quarantine: list[Quarantined],
    customers: CustomerIndex | None = None,
) -> tuple[list[tuple[int, dict[str, Any]]], ColumnMap]:
    """Map and parse each row: blank rows are counted, unusable ones set aside whole, bad
    optional cells one by one (module docstring); the column map is returned too.
    ``customers``: a ``customer_id`` holding an e-mail or phone is read as the ID of the
    customer it names (``ingest.buyers``), else set aside as that cell."""
    cmap = map_columns(table.columns, schema_tab, preset=chosen, overrides=overrides)
    if not cmap.fields:
        raise InputError(
            f"{table.name}: none of its columns ({', '.join(table.columns[:6])}) match fields "
            f"of {schema_tab.name}; name them with --map 'Column=field'"
        )
    field_ctx = column_orders(table, cmap.fields, schema_tab, crm.ctx)
    given = set(cmap.fields.values())  # an ID a preset makes up does not identify a row
    keys = [k for k in schema_tab.identity_fields() if k in given]
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
        named = contact_reference(raw, customers, crm.ctx, schema_tab.name, row.number)
        got = schema_tab.parse_lenient(raw, crm.ctx, row=row.number, keys=keys, field_ctx=field_ctx)
        got.cells += named
        if got.error is not None:
            counts.quarantined += 1
            why = UNIDENTIFIED if got.error.column in keys else ""
            entry = quarantined(table.name, row, cmap.fields, got.error, schema_tab.name, why)
            quarantine.append(entry)
            continue
        for exc in got.cells:
            quarantine.append(cell_issue(table.name, row, cmap.fields, exc, schema_tab.name))
        parsed.append((row.number, got.record))
    quarantine_cut(table, counts, quarantine, schema_tab.name)
    return parsed, cmap


def contact_reference(
    raw: dict[str, Any], customers: CustomerIndex | None, ctx: ValueContext, tab: str, row: int
) -> list[ValueParseError]:
    """``raw``'s ``customer_id`` as the ID of the customer its e-mail or phone names (the
    value replaced); a contact no customer has is left out and returned as the cell's
    error, naming the value."""
    value = raw.get("customer_id")
    if customers is None or not looks_like_contact(value):
        return []
    found, why = resolve_reference(value, customers, customers.tab, ctx)
    if found is not None:
        raw["customer_id"] = found
        return []
    del raw["customer_id"]
    return [ValueParseError(why, str(value), column="customer_id", tab=tab, row=row)]


def names_customers_by_contact(
    table: SourceTable, schema_tab: TabSchema, chosen: Preset | None, overrides: Mapping[str, str]
) -> bool:
    """Whether a column the import maps to another tab's ``customer_id`` holds an e-mail
    or a phone (then the Customers tab is read to find whom it names)."""
    if schema_tab.name == "Customers" or schema_tab.get("customer_id") is None:
        return False
    try:
        cmap = map_columns(table.columns, schema_tab, preset=chosen, overrides=overrides)
    except ConfigError:
        return False  # parse_rows says what is wrong with the --map
    columns = [s for s, d in cmap.fields.items() if d in ("customer_id", "contact_phone")]
    return any(looks_like_contact(row.values.get(c)) for row in table for c in columns)


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
    by_contact = names_customers_by_contact(table, schema_tab, chosen, overrides)
    grids = read_for_import(run, schema_tab.name, *(["Customers"] if by_contact else []))
    people = (
        CustomerIndex(crm.schema["Customers"], grids["Customers"], crm.ctx) if by_contact else None
    )
    result = RunResult(run.command, source=table.name, tab=schema_tab.name)
    parsed, cmap = parse_rows(
        table,
        schema_tab,
        crm,
        chosen,
        overrides,
        result.counts,
        result.quarantine,
        customers=people,
    )
    # people `person forget` removed: counted as suppressed, never re-created
    parsed = drop_suppressed(parsed, result.quarantine, grids.get(SYNC), result.counts, crm.ctx)
    result.ignored_columns = cmap.ignored
    reviews = Reviews.of(grids)  # the possible duplicates teammates decided on
    ids_given = schema_tab.id_field in cmap.fields.values()
    groups, result.merges = group_records(schema_tab.name, parsed, reviews, ids_given=ids_given)
    state = SyncState.from_grid(grids.get(SYNC), crm.schema)
    grid = grids[schema_tab.name]
    merged = merge_groups(
        schema_tab, grid, groups, state, crm.ctx, on_conflict=on_conflict, reviews=reviews
    )
    named = name_the_nameless(merged, chosen)
    if named:
        again = merge_groups(
            schema_tab,
            grid,
            named,
            state,
            crm.ctx,
            on_conflict=on_conflict,
            reviews=reviews,
            after=merged,
        )
        combine(merged, again)
    require_columns(table, schema_tab, cmap, merged, parsed, crm.ctx)
    tally(result, merged, table, cmap.fields)
    result.changes.extend(merged.changes.ops)
    result.changes.notes += merged.changes.notes
    return result


def name_the_nameless(merged: MergeResult, chosen: Preset | None) -> list[Group]:
    """The groups that were not created for want of a name alone and are created under
    ``fallback_name`` instead: opted-out people (so they are in the sheet as not to be
    mailed) and, for a preset that names people so, everyone. Taken out of
    ``merged.incomplete``; their records now carry the name."""
    named: list[Group] = []
    still: list[tuple[Group, ValueParseError]] = []
    for group, exc in merged.incomplete:
        record = group.record
        consent = any(record.get(c) is True for c in CONSENT)
        wanted = consent or bool(chosen and chosen.names_from_email)
        name = fallback_name(record) if wanted and exc.column == "name" else None
        if name is None:
            still.append((group, exc))
            continue
        record["name"] = name
        named.append(group)
    merged.incomplete = still
    return named


def combine(into: MergeResult, more: MergeResult) -> None:
    """``more``'s outcome added to ``into``'s (a second merge of groups the first left)."""
    into.changes.extend(more.changes.ops)
    into.changes.notes += more.changes.notes
    into.created += more.created
    into.updated += more.updated
    into.unchanged += more.unchanged
    into.incomplete += more.incomplete
    into.conflicts += more.conflicts
    into.ids.update(more.ids)


def require_columns(
    table: SourceTable,
    schema_tab: TabSchema,
    cmap: ColumnMap,
    merged: MergeResult,
    parsed: list[tuple[int, dict[str, Any]]],
    ctx: ValueContext,
) -> None:
    """Fail once (``InputError``, nothing written) when a field new records need has no
    column and every row would be a new record: a ``--map`` is missing, not a value."""
    if not merged.incomplete or merged.created or merged.updated or merged.unchanged:
        return
    names = {exc.column or "" for _group, exc in merged.incomplete}
    name = names.pop()
    if names or name in cmap.fields.values() or any(not is_blank(r.get(name)) for _n, r in parsed):
        return
    rows = sum(len(group.rows) for group, _exc in merged.incomplete)
    field = schema_tab.field(name)
    raise InputError(missing_column(table, schema_tab, field, cmap.ignored, rows, ctx))


def tally(
    result: RunResult,
    merged: MergeResult,
    table: SourceTable,
    fields: Mapping[str, str] | None = None,
) -> None:
    """Count rows by outcome; set aside whole the groups that lack a required field (and
    drop the cell entries of their rows: the row entry keeps the raw row)."""
    c = result.counts
    c.created += len(merged.created)
    c.updated += len(merged.updated)
    c.unchanged += len(merged.unchanged)
    for group in [*merged.created, *merged.updated, *merged.unchanged]:
        c.merged += len(group.merged)
        c.duplicates += len(group.duplicates)
    by_number = {r.number: r for r in table}
    whole: set[int] = set()
    for group, exc in merged.incomplete:
        for number in group.rows:
            c.quarantined += 1
            whole.add(number)
            row = by_number.get(number) or SourceRow(number, {})
            column = source_column(row, fields or {}, exc) if fields else exc.column or ""
            reason = f"expected {exc.expected}"
            if fields is not None and exc.column not in fields.values():
                reason += (
                    f"; the row matched no {result.tab} record and no column maps to "
                    f"{exc.column} (--map 'COLUMN={exc.column}')"
                )
            result.quarantine.append(
                Quarantined(table.name, number, column, "", reason, row.values, tab=result.tab)
            )
    result.quarantine = [
        q
        for q in result.quarantine
        if not (q.kind == "cell" and q.source == table.name and q.row in whole)
    ]
    c.cells_set_aside = sum(q.kind == "cell" for q in result.quarantine)
    result.conflicts += merged.conflicts
