"""Commission and rewards in: affiliate reports, reseller margins and referral payouts
become ``Earnings`` rows, one per event.

What a row becomes:

- **Its ID** is derived from its programme and its reference (the programme's order item
  id, a Shopsy order id, a referral code): ``derived_id("E", "Earnings", programme,
  reference)``, with programme and reference compared case-folded. Importing the same
  report again finds every row already there and writes nothing; a newer report of the
  same events (``Pending`` → ``Approved`` → ``Paid``) updates their status in place, by
  the import's three-way merge (a teammate's edit of a cell is kept and reported as a
  conflict). A referral code is shared by every friend who used it, so a ``referral``
  row's ID also takes the friend (e-mail, else phone, else name). A row with no reference
  gets an ID from its content (date, product, amount, tracking id) and how many identical
  rows came before it in the file. A file's own ``earning_id`` column wins over both.
- **Its programme and source** come from the file, else from the preset's ``defaults``
  (``source = "affiliate"``, ``programme = "Flipkart Affiliate"``).
- **Its rate** is a percentage as the reports write it: ``8.00`` and ``8%`` are both 8 %
  (stored as 0.08). A spreadsheet cell that already holds a fraction (0.08, shown as 8 %)
  is read as it is: a number cell of at most 1 is a fraction, anything else a percentage.
- **Its amount**, when the file has none, is sale amount × rate (rounded to cents).
- **Its status**: the file's (``[Earnings.status]`` spellings: Credited = paid …); an
  earning on an order that was cancelled or returned (Shopsy's ``Order Status``, the
  ``order_status`` field) is cancelled unless it was already paid.
- **Its customer or lead**: a ``customer_id`` or ``lead_id`` cell holding an ID is kept; one
  holding an e-mail or phone is resolved to that customer (else that lead), and set aside
  as a cell naming the value when nobody has it. A buyer or referred friend named by the
  export (``buyer_name``, ``email``, ``phone``, ``city``, ``postal_code`` fields) is looked
  up the same way (``find_person``: an existing customer, else an existing lead, by
  ``ingest.buyers``' one rule: e-mail, then phone, then name + postal code, then name +
  city; a referred friend is looked for among leads first); nobody is created from an
  earnings report (the sale is the platform's, the person a contact at most), and an
  unmatched buyer is kept in the row's notes ("buyer: Rina Das, +919830012345") so a
  later import can still link it.

Rows are parsed leniently like every import (``ingest.intake``): a row without a usable
date or amount is set aside whole, a bad optional cell alone. Dates are read with one
day/month order per column (``ingest.dateorder``). The Earnings tab is created by the
first import into it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import InputError, ValueParseError
from sheetcrm.ingest.buyers import CustomerIndex, looks_like_contact, resolve_reference
from sheetcrm.ingest.columnhint import likely_columns, map_hint
from sheetcrm.ingest.dateorder import column_orders
from sheetcrm.ingest.intake import (
    cell_issue,
    make_missing,
    quarantine_cut,
    quarantined,
    read_for_import,
    tally,
)
from sheetcrm.ingest.mapping import Preset, map_columns
from sheetcrm.ingest.merge import group_records, merge_groups
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.ingest.syncstate import SYNC, SyncState
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.ids import derived_id
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import ValueContext, is_blank
from sheetcrm.run import Quarantined, RunResult, WriteRun

#: The tabs an earnings import reads (besides ``_sync``).
PLAN_TABS = ("Earnings", "Customers", "Leads")

#: Fields an earnings import reads that are not Earnings columns: who the event is about
#: (the buyer of a reseller's sale, a referred friend) and the state of the order the
#: commission is on.
BUYER_FIELDS = ("buyer_name", "email", "phone", "city", "postal_code")
ORDER_STATUS = "order_status"

#: Order states (canonical ``Orders.status``) that undo the commission on them.
_UNDOING = ("cancelled", "returned", "refunded")

_CENT = Decimal("0.01")


def plan_earnings(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Commission and reward events → Earnings rows (module docstring)."""
    tab = crm.schema["Earnings"]
    cmap = map_columns(table.columns, tab, preset=chosen, overrides=overrides)
    _require_columns(table, cmap.fields, tab, crm.ctx)
    grids = read_for_import(run, *PLAN_TABS)
    result = RunResult(run.command, source=table.name, tab=tab.name)
    result.ignored_columns = cmap.ignored
    people = People(crm, grids)
    parsed = _rows(crm, table, tab, cmap.fields, chosen, people, result)
    groups, result.merges = group_records(tab.name, parsed)
    state = SyncState.from_grid(grids.get(SYNC), crm.schema)
    merged = merge_groups(tab, grids[tab.name], groups, state, crm.ctx, on_conflict=on_conflict)
    tally(result, merged, table, cmap.fields)
    said = people.said()
    if said:
        result.also["People"] = said
    made = make_missing(crm, grids, tab.name)
    result.changes.extend(made.ops + merged.changes.ops)
    result.changes.notes += made.notes + merged.changes.notes
    return result


def _rows(
    crm: CRM,
    table: SourceTable,
    tab: TabSchema,
    fields: Mapping[str, str],
    chosen: Preset | None,
    people: People,
    result: RunResult,
) -> list[tuple[int, dict[str, Any]]]:
    """Each row mapped, given the preset's defaults, parsed and completed (rate, amount,
    status, person, ID); blank rows counted, unusable ones set aside."""
    field_ctx = column_orders(table, fields, tab, crm.ctx)
    defaults = dict(chosen.defaults) if chosen else {}
    seen: Counter[tuple[Any, ...]] = Counter()
    parsed: list[tuple[int, dict[str, Any]]] = []
    for row in table:
        result.counts.rows += 1
        if row.empty:
            result.counts.empty += 1
            continue
        raw: dict[str, Any] = {dest: row.values.get(src) for src, dest in fields.items()}
        if chosen and chosen.transform:
            raw = chosen.transform(raw)
        for name, value in defaults.items():
            if is_blank(raw.get(name)):
                raw[name] = value
        extra = {k: raw.pop(k) for k in list(raw) if tab.get(k) is None}
        if "rate" in raw:
            raw["rate"] = percentage(raw["rate"])
        named = {
            k: raw.pop(k) for k in ("customer_id", "lead_id") if looks_like_contact(raw.get(k))
        }
        got = tab.parse_lenient(raw, crm.ctx, row=row.number, keys=(), field_ctx=field_ctx)
        if got.error is not None:
            result.counts.quarantined += 1
            result.quarantine.append(quarantined(table.name, row, fields, got.error, tab.name))
            continue
        issues = [cell_issue(table.name, row, fields, exc, tab.name) for exc in got.cells]
        record = got.record
        buyer = _buyer(crm, extra, table.name, row, fields, issues)
        _complete(crm, record, extra)
        issues += people.resolve(record, named, buyer, table.name, row, fields)
        record.setdefault("earning_id", None)
        if is_blank(record["earning_id"]):
            record["earning_id"] = earning_id(tab.id_prefix, record, buyer, seen)
        result.quarantine.extend(issues)
        parsed.append((row.number, record))
    quarantine_cut(table, result.counts, result.quarantine, tab.name)
    return parsed


def percentage(raw: Any) -> Any:
    """A rate as the reports write it, as the percent codec reads it: ``8.00`` → ``8.00%``
    (8 %); a number cell of at most 1 is a fraction already and kept (module docstring)."""
    if is_blank(raw) or isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        return raw if abs(raw) <= 1 else f"{raw}%"
    text = str(raw).strip()
    return text if text.endswith(("%", "٪")) else f"{text}%"


def _complete(crm: CRM, record: dict[str, Any], extra: Mapping[str, Any]) -> None:
    """Amount from sale × rate when the file has none; a commission on a cancelled or
    returned order is cancelled unless already paid."""
    sale, rate = record.get("sale_amount"), record.get("rate")
    if is_blank(record.get("amount")) and not is_blank(sale) and not is_blank(rate):
        value = (Decimal(str(sale)) * Decimal(str(rate))).quantize(_CENT, ROUND_HALF_UP)
        record["amount"] = float(value)
    raw_state = extra.get(ORDER_STATUS)
    if is_blank(raw_state):
        return
    try:
        state = crm.schema["Orders"].field("status").parse(raw_state, crm.ctx)
    except ValueParseError:
        return  # an order state the vocabulary does not know says nothing about the money
    if state in _UNDOING and record.get("status") != "paid":
        record["status"] = "cancelled"


def _fold(value: Any) -> str:
    return "" if is_blank(value) else " ".join(str(value).split()).casefold()


def earning_id(
    prefix: str,
    record: Mapping[str, Any],
    buyer: Mapping[str, Any],
    seen: Counter[tuple[Any, ...]],
) -> str:
    """The row's ID: programme + reference (+ the friend, for a referral), else its content
    and how many identical rows came before it (module docstring)."""
    programme = _fold(record.get("programme")) or _fold(record.get("source"))
    reference = _fold(record.get("reference"))
    if reference:
        parts: list[Any] = [programme, reference]
        if record.get("source") == "referral":
            friend = next(
                (_fold(buyer.get(k)) for k in ("email", "phone", "buyer_name") if buyer.get(k)),
                "",
            )
            if friend:
                parts.append(friend)
        return derived_id(prefix, "Earnings", *parts)
    when = record.get("date")
    content = (
        programme,
        when.isoformat() if isinstance(when, (dt.date, dt.datetime)) else _fold(when),
        _fold(record.get("product")),
        str(record.get("amount")),
        _fold(record.get("tracking_id")),
    )
    seen[content] += 1
    return derived_id(prefix, "Earnings", "row", *content, seen[content])


def _buyer(
    crm: CRM,
    extra: Mapping[str, Any],
    source: str,
    row: SourceRow,
    fields: Mapping[str, str],
    issues: list[Quarantined],
) -> dict[str, Any]:
    """The export's buyer or referred friend, e-mail and phone read as Customers reads
    them (a bad one set aside as a cell)."""
    customers = crm.schema["Customers"]
    out: dict[str, Any] = {}
    for name in BUYER_FIELDS:
        value = extra.get(name)
        if is_blank(value):
            continue
        f = customers.get(name)
        if f is None or name == "city":
            out[name] = " ".join(str(value).split())
            continue
        try:
            out[name] = f.parse(value, crm.ctx)
        except ValueParseError as exc:
            located = exc.located(tab="Earnings", row=row.number)
            issues.append(cell_issue(source, row, fields, located, "Earnings"))
    return out


class People:
    """Existing customers and leads, found by ``ingest.buyers``' one rule (e-mail, then
    phone, then name + postal code, then name + city); nobody is created."""

    def __init__(self, crm: CRM, grids: Mapping[str, TabGrid]) -> None:
        self.crm = crm
        self.index = {
            name: CustomerIndex(crm.schema[name], grids[name], crm.ctx)
            for name in ("Customers", "Leads")
        }
        self.linked: Counter[str] = Counter()
        self.unmatched = 0

    def find(self, who: Mapping[str, Any], tabs: tuple[str, ...]) -> tuple[str, str] | None:
        """(tab, ID) of the first of ``tabs`` with a record the rule says ``who`` is."""
        for tab in tabs:
            found = self.index[tab].find(who)
            if found is not None:
                return tab, found
        return None

    def resolve(
        self,
        record: dict[str, Any],
        named: Mapping[str, Any],
        buyer: Mapping[str, Any],
        source: str,
        row: SourceRow,
        fields: Mapping[str, str],
    ) -> list[Quarantined]:
        """Fill the record's ``customer_id``/``lead_id`` from a contact named in those
        columns or from the export's buyer; the cells naming nobody, set aside."""
        issues: list[Quarantined] = []
        for name, value in named.items():
            tab = "Customers" if name == "customer_id" else "Leads"
            found, why = resolve_reference(
                value, self.index[tab], self.crm.schema[tab], self.crm.ctx
            )
            if found is None:
                column = next((s for s, d in fields.items() if d == name), name)
                issues.append(
                    Quarantined(
                        source,
                        row.number,
                        column,
                        str(value),
                        f"expected {why.replace('customer', tab[:-1].lower())}: left blank, "
                        "the rest of the row was imported",
                        row.values,
                        kind="cell",
                        tab="Earnings",
                    )
                )
                continue
            self._link(record, tab, found)
        if buyer and is_blank(record.get("customer_id")) and is_blank(record.get("lead_id")):
            referral = record.get("source") == "referral"  # a friend: a lead, most likely
            hit = self.find(buyer, ("Leads", "Customers") if referral else ("Customers", "Leads"))
            if hit is not None:
                self._link(record, *hit)
            else:
                self.unmatched += 1
                _note_buyer(record, buyer)
        return issues

    def said(self) -> str:
        """What the import says of the people it linked ("" when the file names nobody)."""
        parts = []
        if self.linked:
            parts.append("linked " + ", ".join(f"{n} to {k}" for k, n in self.linked.items()))
        if self.unmatched:
            n = self.unmatched
            parts.append(
                f"{n} buyer{'s' if n != 1 else ''} matched no customer or lead (named in notes)"
            )
        return "; ".join(parts)

    def _link(self, record: dict[str, Any], tab: str, rid: str) -> None:
        record["customer_id" if tab == "Customers" else "lead_id"] = rid
        self.linked[tab.lower()] += 1


def find_person(people: People, who: Mapping[str, Any]) -> tuple[str, str] | None:
    """(tab, ID) of the existing customer (else lead) ``who`` (``buyer_name``, ``email``,
    ``phone``, ``city``, ``postal_code``) is, by ``ingest.buyers``' rule."""
    return people.find(who, ("Customers", "Leads"))


def _note_buyer(record: dict[str, Any], buyer: Mapping[str, Any]) -> None:
    """An unmatched buyer kept in the notes, so the row still says who it was."""
    parts = [str(buyer[k]) for k in ("buyer_name", "email", "phone", "city") if buyer.get(k)]
    if not parts:
        return
    label = "referred" if record.get("source") == "referral" else "buyer"
    said = f"{label}: {', '.join(parts)}"
    notes = record.get("notes")
    if is_blank(notes):
        record["notes"] = said
    elif said not in str(notes):
        record["notes"] = f"{notes}; {said}"


def _require_columns(
    table: SourceTable, fields: Mapping[str, str], tab: TabSchema, ctx: ValueContext
) -> None:
    """Fail once, before any row, when no column gives the date or the amount (nor sale
    amount and rate to compute it from): the field, the likeliest columns, the ``--map``."""
    have = set(fields.values())
    missing = [n for n in ("date",) if n not in have]
    if "amount" not in have and not {"sale_amount", "rate"} <= have:
        missing.append("amount")
    if not missing:
        return
    unused = [c for c in table.columns if c not in fields]
    hints, left = [], list(unused)
    for name in missing:
        ranked = likely_columns(left, tab.field(name), (r.values for r in table), ctx)
        hints.append(map_hint(ranked[0], name) if ranked else f"(no column left for {name})")
        left = [c for c in left if not ranked or c != ranked[0]]
    raise InputError(
        f"{table.name}: no column maps to {', '.join(missing)}, which every earning needs "
        "(its date and its amount, or the sale amount and rate; nothing was imported). "
        f"Columns not imported: {', '.join(map(repr, unused[:8])) or 'none'}. "
        f"Try: {' '.join(hints)}"
    )
