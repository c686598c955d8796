"""Order lines and returns in: marketplace and shop exports become ``Orders`` lines with a
status and a channel, their buyers customers, and returns ``Returns`` records linked to
the line they undo (``ingest.buyers`` finds the customer of each order).

An order line is read as the Orders tab's fields plus the buyer's (``LINE_EXTRA``:
``buyer_name``, ``email``, ``phone``, ``city``, ``state``, ``postal_code``, ``country``)
and ``order_refund`` (Shopify's order-level ``Refunded Amount``). Before a line is parsed:

- the preset's ``transform`` runs, then its ``defaults`` fill what the line leaves blank
  (``channel = "flipkart"``);
- order-level fields (``ORDER_LEVEL``: date, status, channel, customer and buyer fields,
  ``order_refund``) blank on an order's later lines are taken from the order's first line
  that has them (Shopify writes them on the first line only);
- a line without a ``line_id`` gets ``order_id`` + its line number within the order in
  file order (``#1001-1``, ``#1001-2``): the same on every re-import of the file;
- a ``customer_id`` holding an e-mail or a phone is read as the customer it names.

After: ``line_total`` blank is quantity × unit price (quantity blank: 1); ``unit_price``
blank is the line total over the quantity (Amazon's ``item-price`` is the line's total).
Status words go through the ``[Orders.status]`` vocabulary; date columns are read with
one day/month order each (``ingest.dateorder``). Re-importing the same file writes
nothing: lines are keyed by ``line_id``.

An order whose ``order_refund`` is more than zero becomes one Returns record (kind
``refund``, id ``<order id>-refund``) for the order. Importing returns (``plan_returns``)
only ever writes Returns records: each is linked to its Orders line by ``line_id``, or by
``order_id`` when that order has one line; its order, customer and product come from the
line when the return does not say them. A return without a platform return id gets one
derived from the line (else the order) and the date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.ingest.buyers import CustomerIndex, plan_buyers
from sheetcrm.ingest.dateorder import column_orders
from sheetcrm.ingest.intake import (
    cell_issue,
    contact_reference,
    make_missing,
    quarantine_cut,
    quarantined,
    read_for_import,
    tally,
)
from sheetcrm.ingest.mapping import ColumnMap, Preset, map_columns
from sheetcrm.ingest.merge import Group, MergeResult, group_records, merge_groups
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.ingest.syncstate import SYNC, SyncState
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Field, TabSchema
from sheetcrm.model.values import is_blank
from sheetcrm.run import Quarantined, RunResult, WriteRun

#: The tabs an orders import reads (besides ``_sync``), and a returns import.
ORDER_TABS = ("Orders", "Customers", "Returns")
RETURN_TABS = ("Returns", "Orders", "Customers")

#: Fields an order line carries besides the Orders tab's: who bought it, and the order's
#: refund (Shopify ``Refunded Amount``).
LINE_EXTRA = (
    Field("buyer_name"),
    Field("email", "email"),
    Field("phone", "phone"),
    Field("city"),
    Field("state"),
    Field("postal_code"),
    Field("country"),
    Field("order_refund", "money"),
)

#: Where ``_prepared`` notes a line's number within its order (not a field).
LINE_NO = "\x00line"

#: Fields said once per order (on its first line, in Shopify's export).
ORDER_LEVEL = (
    "date",
    "status",
    "channel",
    "customer_id",
    "buyer_name",
    "email",
    "phone",
    "city",
    "state",
    "postal_code",
    "country",
    "order_refund",
)


def line_schema(crm: CRM, tab: str) -> TabSchema:
    """The tab's fields (not computed ones) plus ``LINE_EXTRA``, as one line is read."""
    base = crm.schema[tab]
    fields = [f for f in base.fields if not f.computed]
    have = {f.name for f in fields}
    fields += [f for f in LINE_EXTRA if f.name not in have]
    return TabSchema(base.name, base.id_prefix, tuple(fields), optional=True)


def _order_key(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def _prepared(
    table: SourceTable, cmap: ColumnMap, chosen: Preset | None, result: RunResult
) -> list[tuple[SourceRow, dict[str, Any]]]:
    """Each non-empty row's raw field values: transformed, defaulted, with the order's
    fields filled from its first line that has them and its line number noted."""
    rows: list[tuple[SourceRow, dict[str, Any]]] = []
    firsts: dict[str, dict[str, Any]] = {}
    lines: dict[str, int] = {}
    for row in table:
        result.counts.rows += 1
        if row.empty:
            result.counts.empty += 1
            continue
        raw: dict[str, Any] = {d: row.values.get(s) for s, d in cmap.fields.items()}
        if chosen and chosen.transform:
            raw = chosen.transform(raw)
        for name, value in (chosen.defaults if chosen else {}).items():
            if is_blank(raw.get(name)):
                raw[name] = value
        oid = _order_key(raw.get("order_id"))
        if oid:
            first = firsts.setdefault(oid, {})
            for name in ORDER_LEVEL:
                if is_blank(raw.get(name)):
                    if not is_blank(first.get(name)):
                        raw[name] = first[name]
                elif is_blank(first.get(name)):
                    first[name] = raw[name]
            lines[oid] = lines.get(oid, 0) + 1
            raw[LINE_NO] = lines[oid]
        rows.append((row, raw))
    return rows


def _parse(
    table: SourceTable,
    schema: TabSchema,
    cmap: ColumnMap,
    rows: list[tuple[SourceRow, dict[str, Any]]],
    crm: CRM,
    result: RunResult,
    customers: CustomerIndex | None,
    key: str,
) -> list[tuple[int, dict[str, Any]]]:
    """Parse prepared rows (``key``: the record's own id field); whole rows and cells set
    aside go to ``result``. A ``customer_id`` holding an e-mail or phone is resolved."""
    field_ctx = column_orders(table, cmap.fields, schema, crm.ctx)
    parsed: list[tuple[int, dict[str, Any]]] = []
    for row, raw in rows:
        raw = {k: v for k, v in raw.items() if schema.get(k) is not None}
        refused = contact_reference(raw, customers, crm.ctx, schema.name, row.number)
        got = schema.parse_lenient(
            raw, crm.ctx, row=row.number, keys=(), complete=True, field_ctx=field_ctx
        )
        if got.error is not None:
            result.counts.quarantined += 1
            result.quarantine.append(
                quarantined(table.name, row, cmap.fields, got.error, schema.name)
            )
            continue
        for exc in [*got.cells, *refused]:
            result.quarantine.append(cell_issue(table.name, row, cmap.fields, exc, schema.name))
        parsed.append((row.number, got.record))
    quarantine_cut(table, result.counts, result.quarantine, schema.name)
    return parsed


def _money(value: Any) -> Decimal | None:
    return None if is_blank(value) else Decimal(str(value))


def _amounts(line: dict[str, Any]) -> None:
    """Fill ``line_total`` from quantity × unit price, or ``unit_price`` from the total."""
    qty = line.get("quantity")
    quantity = Decimal(1) if is_blank(qty) else Decimal(str(qty))
    unit, total = _money(line.get("unit_price")), _money(line.get("line_total"))
    if total is None and unit is not None:
        line["line_total"] = float(round(unit * quantity, 2))
    elif unit is None and total is not None and quantity:
        line["unit_price"] = float(round(total / quantity, 2))


def _merge(
    crm: CRM,
    grids: Mapping[str, TabGrid],
    tab: str,
    groups: list[Group],
    state: SyncState,
    on_conflict: str,
) -> MergeResult:
    return merge_groups(
        crm.schema[tab], grids[tab], groups, state, crm.ctx, on_conflict=on_conflict
    )


def _said(merged: MergeResult) -> str:
    return (
        f"{len(merged.created)} created, {len(merged.updated)} updated, "
        f"{len(merged.unchanged)} unchanged"
    )


def _only(tab: TabSchema, record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if tab.get(k) is not None and not tab.field(k).computed}


def _mapped(
    table: SourceTable, schema: TabSchema, chosen: Preset | None, overrides: Mapping[str, str]
) -> ColumnMap:
    cmap = map_columns(table.columns, schema, preset=chosen, overrides=overrides)
    if not cmap.fields:
        raise InputError(
            f"{table.name}: none of its columns ({', '.join(table.columns[:6])}) match fields "
            f"of {schema.name}; name them with --map 'Column=field'"
        )
    return cmap


def plan_orders(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Order lines → Orders lines and the customers who bought them."""
    schema = line_schema(crm, "Orders")
    cmap = _mapped(table, schema, chosen, overrides)
    grids = read_for_import(run, *ORDER_TABS)
    result = RunResult(run.command, source=table.name, tab="Orders")
    result.ignored_columns = cmap.ignored
    prepared = _prepared(table, cmap, chosen, result)
    people = CustomerIndex(crm.schema["Customers"], grids["Customers"], crm.ctx)
    for _row, raw in prepared:
        if is_blank(raw.get("line_id")) and LINE_NO in raw:
            raw["line_id"] = f"{_order_key(raw['order_id'])}-{raw[LINE_NO]}"
    lines = _parse(table, schema, cmap, prepared, crm, result, people, "line_id")
    return write_lines(crm, grids, table, lines, result, on_conflict, cmap)


def write_lines(
    crm: CRM,
    grids: Mapping[str, TabGrid],
    table: SourceTable,
    lines: list[tuple[int, dict[str, Any]]],
    result: RunResult,
    on_conflict: str,
    cmap: ColumnMap,
    returns: list[tuple[int, dict[str, Any]]] | None = None,
) -> RunResult:
    """Customers, Orders lines and Returns records (the order refunds, and ``returns``)
    of parsed lines, merged, into ``result``."""
    state = SyncState.from_grid(grids.get(SYNC), crm.schema)
    customers = crm.schema["Customers"]
    for _n, line in lines:
        _amounts(line)
    anonymous = [(n, ln) for n, ln in lines if is_blank(ln.get("customer_id"))]
    groups, of_row, _buyers = plan_buyers(customers, grids["Customers"], anonymous, crm.ctx)
    known = CustomerIndex(customers, grids["Customers"], crm.ctx).ids
    named: dict[str, Group] = {}
    for n, line in [*lines, *(returns or [])]:
        cid = line.get("customer_id")
        if not is_blank(cid) and str(cid) not in known:
            group = named.setdefault(
                str(cid), Group({"customer_id": str(cid), "name": f"Customer {cid}"}, [])
            )
            group.rows.append(n)
            day = (
                line["date"].date()
                if isinstance(line.get("date"), dt.datetime)
                else line.get("date")
            )
            first = group.record.get("first_contact")
            if day is not None and (first is None or day < first):
                group.record["first_contact"] = day
            if line.get("country") and not group.record.get("country"):
                group.record["country"] = line["country"]
    merged_c = _merge(crm, grids, "Customers", [*named.values(), *groups], state, on_conflict)
    for n, line in lines:
        if n in of_row:
            cid = merged_c.ids.get(groups[of_row[n]].first)
            if cid is not None:
                line["customer_id"] = cid
    orders = crm.schema["Orders"]
    made, result.merges = group_records("Orders", [(n, _only(orders, ln)) for n, ln in lines])
    merged = _merge(crm, grids, "Orders", made, state, on_conflict)
    tally(result, merged, table, cmap.fields)
    refunds = _refunds(lines) + (returns or [])
    merged_r = None
    if refunds:
        rtab = crm.schema["Returns"]
        rgroups, _notes = group_records("Returns", [(n, _only(rtab, r)) for n, r in refunds])
        merged_r = _merge(crm, grids, "Returns", rgroups, state, on_conflict)
        _tally_rows(result, merged_r, table, cmap, {n for n, _r in returns or []})
    wanted = ["Orders", *(["Returns"] if refunds else [])]
    result.changes.extend(make_missing(crm, grids, *wanted).ops)
    result.conflicts += merged_c.conflicts
    result.also["Customers"] = _said(merged_c)
    parts = [merged_c, merged] + ([merged_r] if merged_r else [])
    if merged_r is not None:
        result.conflicts += merged_r.conflicts
        result.also["Returns"] = _said(merged_r)
    for part in parts:
        result.changes.extend(part.changes.ops)
        result.changes.notes += part.changes.notes
    return result


def _tally_rows(
    result: RunResult, merged: MergeResult, table: SourceTable, cmap: ColumnMap, rows: set[int]
) -> None:
    """Count the input rows among ``merged``'s groups (the Returns records made of input
    rows, not of an order's refund, which its line already counts)."""
    if not rows:
        return
    part = MergeResult(
        created=[g for g in merged.created if g.first in rows],
        updated=[g for g in merged.updated if g.first in rows],
        unchanged=[g for g in merged.unchanged if g.first in rows],
        incomplete=[(g, e) for g, e in merged.incomplete if g.first in rows],
    )
    tally(result, part, table, cmap.fields)


def _refunds(lines: list[tuple[int, dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
    """One Returns record per order whose ``order_refund`` is more than zero."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for n, line in lines:
        amount = _money(line.get("order_refund"))
        oid = str(line["order_id"])
        if amount is None or amount <= 0 or oid in out:
            continue
        out[oid] = (
            n,
            {
                "return_id": f"{oid}-refund",
                "date": line["date"],
                "order_id": oid,
                "kind": "refund",
                "status": "refunded",
                "customer_id": line.get("customer_id"),
                "amount": float(amount),
            },
        )
    return list(out.values())


def _lines_of(crm: CRM, grid: TabGrid) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """The Orders tab's lines by line_id (order, customer, product) and line ids by order."""
    tab = crm.schema["Orders"]
    hm = map_header(grid, tab, allow_missing=True)
    col = hm.columns
    by_line: dict[str, dict[str, Any]] = {}
    by_order: dict[str, list[str]] = {}
    if "line_id" not in col:
        return by_line, by_order
    for r in range(len(grid.rows)):
        lid = _order_key(grid.cell(r, col["line_id"]))
        if not lid:
            continue
        values: dict[str, Any] = {
            n: grid.cell(r, col[n]) for n in ("order_id", "customer_id", "product") if n in col
        }
        by_line[lid] = values
        oid = _order_key(values.get("order_id"))
        if oid:
            by_order.setdefault(oid, []).append(lid)
    return by_line, by_order


def plan_returns(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Returns and refunds → Returns records linked to the Orders line each undoes."""
    schema = line_schema(crm, "Returns")
    cmap = _mapped(table, schema, chosen, overrides)
    grids = read_for_import(run, *RETURN_TABS)
    result = RunResult(run.command, source=table.name, tab="Returns")
    result.ignored_columns = cmap.ignored
    prepared = _prepared(table, cmap, chosen, result)
    people = CustomerIndex(crm.schema["Customers"], grids["Customers"], crm.ctx)
    parsed = _parse(table, schema, cmap, prepared, crm, result, people, "return_id")
    by_line, by_order = _lines_of(crm, grids["Orders"])
    records = [(n, link_return(r, by_line, by_order)) for n, r in parsed]
    rtab = crm.schema["Returns"]
    state = SyncState.from_grid(grids.get(SYNC), crm.schema)
    groups, result.merges = group_records("Returns", [(n, _only(rtab, r)) for n, r in records])
    merged = _merge(crm, grids, "Returns", groups, state, on_conflict)
    tally(result, merged, table, cmap.fields)
    result.changes.extend(make_missing(crm, grids, "Returns").ops)
    result.changes.extend(merged.changes.ops)
    result.changes.notes += merged.changes.notes
    return result


def link_return(
    record: dict[str, Any],
    by_line: Mapping[str, Mapping[str, Any]],
    by_order: Mapping[str, list[str]],
) -> dict[str, Any]:
    """A return linked to its Orders line (module docstring), with its id."""
    lid, oid = _order_key(record.get("line_id")), _order_key(record.get("order_id"))
    if not lid and oid and len(by_order.get(oid, [])) == 1:
        lid = by_order[oid][0]
        record["line_id"] = lid
    line = by_line.get(lid) if lid else None
    if line is not None:
        for name in ("order_id", "customer_id", "product"):
            if is_blank(record.get(name)) and not is_blank(line.get(name)):
                record[name] = str(line[name]) if name != "product" else line[name]
    if is_blank(record.get("return_id")):
        ref = lid or _order_key(record.get("order_id"))
        when = record.get("date")
        day = when.date().isoformat() if isinstance(when, dt.datetime) else str(when or "")
        if ref:
            record["return_id"] = f"{ref}-R{day.replace('-', '')}"
    return record


__all__ = [
    "LINE_EXTRA",
    "ORDER_LEVEL",
    "ORDER_TABS",
    "RETURN_TABS",
    "Quarantined",
    "line_schema",
    "link_return",
    "plan_orders",
    "plan_returns",
]
