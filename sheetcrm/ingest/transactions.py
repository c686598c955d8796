"""The ``transactions`` preset: invoice lines in (the Online Retail shape), Orders lines,
Returns records and customers out.

Each line of an invoice becomes one Orders line, its ``line_id`` the invoice + its line
number in the invoice in file order (``536365-1``), its ``line_total`` quantity × unit
price, its status blank (a sale). A line of an invoice whose id starts with ``C`` (a
cancellation), or with a negative quantity, is a standalone Returns record instead (id
likewise ``C536379-1``, kind ``return``), its quantity and amount read as positive: what
was given back. Lines without a customer id are kept as anonymous sales. Each distinct
customer id becomes (or is) a customer, named ``Customer <id>`` when new, with its first
order's date and country; a customer id holding an e-mail or phone names the customer who
has it (``ingest.buyers``). Re-importing the same file changes nothing: lines are keyed by
line id, returns by return id, customers by their id.

A line is parsed as ``ORDER_LINE`` says, by the same lenient parse as every import
(``TabSchema.parse_lenient``): a line whose order id, quantity, unit price or date is
missing or unusable is set aside whole; a bad optional cell (a customer id, an e-mail) is
left blank and set aside alone, and the line still goes in.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.ingest.columnhint import likely_columns, map_hint
from sheetcrm.ingest.dateorder import column_orders
from sheetcrm.ingest.intake import cell_issue, quarantine_cut, quarantined, read_for_import
from sheetcrm.ingest.mapping import Preset, map_columns
from sheetcrm.ingest.orders import line_schema, write_lines
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.model.schema import Field, TabSchema
from sheetcrm.run import RunResult, WriteRun

#: An invoice line as the ``transactions`` preset reads it (not a tab: lines become
#: Orders lines, Returns records and Customers).
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


#: The tabs a transactions import reads (besides ``_sync``).
PLAN_TABS = ("Orders", "Customers", "Returns")


def plan_transactions(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Invoice lines: an Orders line per sale line, a Returns record per cancellation line
    and a customer per customer id (module docstring)."""
    schema = line_schema(crm, "Orders")
    cmap = map_columns(table.columns, schema, preset=chosen, overrides=overrides)
    _require_columns(table, cmap.fields, crm)
    grids = read_for_import(run, *PLAN_TABS)
    result = RunResult(run.command, source=table.name, tab="Orders")
    result.ignored_columns = cmap.ignored
    sold, undone = _lines(table, cmap.fields, crm, result)
    return write_lines(crm, grids, table, sold, result, on_conflict, cmap, returns=undone)


Lines = list[tuple[int, dict[str, Any]]]


def _lines(
    table: SourceTable, fields: Mapping[str, str], crm: CRM, result: RunResult
) -> tuple[Lines, Lines]:
    """The table's sale lines (as Orders lines) and cancellation lines (as Returns
    records), in file order; a line that does not parse is quarantined and an empty one
    counted, in ``result``."""
    field_ctx = column_orders(table, fields, ORDER_LINE, crm.ctx)
    numbers: dict[str, int] = {}
    sold: Lines = []
    undone: Lines = []
    for row in table:
        result.counts.rows += 1
        if row.empty:
            result.counts.empty += 1
            continue
        values = {d: row.values.get(s) for s, d in fields.items() if ORDER_LINE.get(d)}
        got = ORDER_LINE.parse_lenient(
            values, crm.ctx, row=row.number, keys=(), complete=True, field_ctx=field_ctx
        )
        if got.error is not None:
            result.counts.quarantined += 1
            result.quarantine.append(quarantined(table.name, row, fields, got.error, result.tab))
            continue
        for exc in got.cells:
            result.quarantine.append(cell_issue(table.name, row, fields, exc, result.tab))
        line = got.record
        invoice = str(line["order_id"]).strip()
        numbers[invoice] = n = numbers.get(invoice, 0) + 1
        quantity = Decimal(str(line["quantity"]))
        price = Decimal(str(line["unit_price"]))
        if invoice.upper().startswith("C") or quantity < 0:
            undone.append((row.number, _return(f"{invoice}-{n}", line, quantity, price)))
            continue
        sold.append((row.number, {**line, "line_id": f"{invoice}-{n}"}))
    quarantine_cut(table, result.counts, result.quarantine, result.tab)
    return sold, undone


def _return(rid: str, line: Mapping[str, Any], quantity: Decimal, price: Decimal) -> dict[str, Any]:
    """A cancellation line as a standalone Returns record: what it gives back, positive."""
    return {
        "return_id": rid,
        "date": line["date"],
        "order_id": line["order_id"],
        "kind": "return",
        "customer_id": line.get("customer_id"),
        "product": line.get("product"),
        "quantity": float(abs(quantity)),
        "amount": float(round(abs(quantity * price), 2)),
        "country": line.get("country"),
    }


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
