"""The ``transactions`` preset: order lines in, customers and one Interaction per order out.

Lines are grouped by invoice/order id. An order's amount is the sum of quantity × unit
price over its lines; an invoice whose id starts with ``C`` (a cancellation) or whose net
amount is negative is recorded as a ``return`` with a negative amount, never as a sale.
Lines without a customer id are kept as anonymous sales. Each distinct customer id becomes
(or updates) a customer. Re-importing the same file changes nothing: interactions are
keyed by order id, customers by their id.

A line is parsed as ``ORDER_LINE`` says, by the same lenient parse as every import
(``TabSchema.parse_lenient``): a line whose order id, quantity, unit price or date is
missing or unusable is set aside whole; a bad optional cell (a customer id, an e-mail) is
left blank and set aside alone, and the line still counts in its order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.ingest.columnhint import likely_columns, map_hint
from sheetcrm.ingest.intake import (
    cell_issue,
    quarantine_cut,
    quarantined,
    read_for_import,
    tally,
)
from sheetcrm.ingest.mapping import Preset, map_columns
from sheetcrm.ingest.merge import Group, merge_groups
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.ingest.syncstate import SYNC, SyncState
from sheetcrm.model.schema import Field, TabSchema
from sheetcrm.model.values import ValueContext, is_blank
from sheetcrm.run import RunResult, WriteRun

#: An order line as the ``transactions`` preset reads it (not a tab: lines become
#: Interactions and Customers).
ORDER_LINE = TabSchema(
    "order lines",
    "",
    (
        Field("order_id", "id", required=True),
        Field("quantity", "number", required=True),
        Field("unit_price", "money", required=True),
        Field("date", "datetime", required=True),
        Field("customer_id", "id"),
        Field("product"),
        Field("country"),
        Field("email", "email"),
        Field("sku"),
    ),
)
_REQUIRED = tuple(f.name for f in ORDER_LINE.fields if f.required)


@dataclass
class _Order:
    order_id: str
    rows: list[int] = field(default_factory=list)
    amount: Decimal = Decimal(0)
    quantity: float = 0
    date: dt.datetime | None = None
    customer_id: str | None = None
    country: str | None = None
    value_by_product: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, number: int, line: Mapping[str, Any]) -> None:
        self.rows.append(number)
        value = Decimal(str(line["quantity"])) * Decimal(str(line["unit_price"]))
        self.amount += value
        self.quantity += line["quantity"]
        when = line["date"]
        self.date = when if self.date is None or when < self.date else self.date
        self.customer_id = self.customer_id or line.get("customer_id")
        self.country = self.country or line.get("country")
        if line.get("product"):
            self.value_by_product[line["product"]] += float(abs(value))

    @property
    def is_return(self) -> bool:
        return self.order_id.upper().startswith("C") or self.amount < 0

    def record(self) -> dict[str, Any]:
        by_value = self.value_by_product
        products = sorted(by_value, key=by_value.__getitem__, reverse=True)  # ties: first seen
        product = products[0] if products else None
        if len(products) > 1:
            product = f"{product} (+{len(products) - 1} more)"
        kind = "return" if self.is_return else "purchase"
        lines = len(self.rows)
        return {
            "interaction_id": f"I-{self.order_id}",
            "order_id": self.order_id,
            "date": self.date,
            "type": kind,
            "customer_id": self.customer_id,
            "amount": float(round(self.amount, 2)),
            "quantity": self.quantity,
            "product": product,
            "by": "import",
            "summary": f"{'Return' if kind == 'return' else 'Order'} {self.order_id}: "
            f"{lines} line{'s' if lines != 1 else ''}",
        }


#: The tabs a transactions import reads (besides ``_sync``).
PLAN_TABS = ("Interactions", "Customers")


def plan_transactions(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Order lines: one Interaction per order and a customer per customer id."""
    interactions, customers = crm.schema["Interactions"], crm.schema["Customers"]
    cmap = map_columns(table.columns, interactions, preset=chosen, overrides=overrides)
    _require_columns(table, cmap.fields, crm)
    grids = read_for_import(run, *PLAN_TABS)
    result = RunResult(run.command, source=table.name, tab="Interactions")
    result.ignored_columns = cmap.ignored
    orders = _orders(table, cmap.fields, crm.ctx, result)
    state = SyncState.from_grid(grids.get(SYNC), crm.schema)
    order_groups = [Group(o.record(), list(o.rows), merged=o.rows[1:]) for o in orders.values()]
    merged = merge_groups(
        interactions, grids["Interactions"], order_groups, state, crm.ctx, on_conflict=on_conflict
    )
    tally(result, merged, table)
    people = _customers(orders.values())
    merged_c = merge_groups(
        customers, grids["Customers"], people, state, crm.ctx, on_conflict=on_conflict
    )
    result.conflicts += merged_c.conflicts
    result.also["Customers"] = (
        f"{len(merged_c.created)} created, {len(merged_c.updated)} "
        f"updated, {len(merged_c.unchanged)} unchanged"
    )
    result.changes.extend(merged_c.changes.ops + merged.changes.ops)
    result.changes.notes += merged_c.changes.notes + merged.changes.notes
    return result


def _orders(
    table: SourceTable, fields: Mapping[str, str], ctx: ValueContext, result: RunResult
) -> dict[str, _Order]:
    """The table's lines grouped by order (invoice), in file order; a line that does not
    parse is quarantined and an empty one counted, in ``result``."""
    orders: dict[str, _Order] = {}
    for row in table:
        result.counts.rows += 1
        if row.empty:
            result.counts.empty += 1
            continue
        values = {d: row.values.get(s) for s, d in fields.items() if ORDER_LINE.get(d)}
        got = ORDER_LINE.parse_lenient(values, ctx, row=row.number, keys=(), complete=True)
        if got.error is not None:
            result.counts.quarantined += 1
            result.quarantine.append(quarantined(table.name, row, fields, got.error, result.tab))
            continue
        for exc in got.cells:
            result.quarantine.append(cell_issue(table.name, row, fields, exc, result.tab))
        line = got.record
        orders.setdefault(line["order_id"], _Order(line["order_id"])).add(row.number, line)
    quarantine_cut(table, result.counts, result.quarantine, result.tab)
    return orders


def _require_columns(table: SourceTable, fields: Mapping[str, str], crm: CRM) -> None:
    """Fail once, before any line, when no column maps to a field every line needs: the
    field, the unused columns likeliest to hold it and the ``--map`` to type."""
    missing = [n for n in _REQUIRED if n not in fields.values()]
    if not missing:
        return
    unused = [c for c in table.columns if not ORDER_LINE.get(fields.get(c, ""))]
    hints, left = [], list(unused)
    for name in missing:
        ranked = likely_columns(left, ORDER_LINE.field(name), (r.values for r in table), crm.ctx)
        hints.append(map_hint(ranked[0], name) if ranked else f"(no column left for {name})")
        left = ranked[1:]
    shown = ", ".join(map(repr, unused[:8])) + (
        f" and {len(unused) - 8} more" if len(unused) > 8 else ""
    )
    raise InputError(
        f"{table.name}: no column maps to {', '.join(missing)}, which every order line needs "
        "(invoice, quantity, unit price and date; nothing was imported). Columns not "
        f"imported: {shown or 'none'}. Try: {' '.join(hints)}"
    )


def _customers(orders: Any) -> list[Group]:
    """One group per customer id, with the earliest order as first contact."""
    people: dict[str, dict[str, Any]] = {}
    rows: dict[str, list[int]] = {}
    for order in orders:
        cid = order.customer_id
        if is_blank(cid):
            continue  # an anonymous sale: kept as an interaction without a customer
        person = people.setdefault(cid, {"customer_id": cid, "name": f"Customer {cid}"})
        if order.country and not person.get("country"):
            person["country"] = order.country
        first = order.date.date() if order.date else None
        if first and (person.get("first_contact") is None or first < person["first_contact"]):
            person["first_contact"] = first
        rows.setdefault(cid, []).append(order.rows[0])
    return [Group(p, sorted(rows[cid])) for cid, p in people.items()]
