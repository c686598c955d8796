"""Buyers → customers: the one rule that says which customer an order's buyer is.

A buyer (the name, e-mail, phone, city, state, postal code and country an order carries)
is the existing customer with, in this order:

1. the same e-mail (case-folded);
2. the same phone (in E.164, as the phone codec reads it);
3. the same name and postal code (PIN, ZIP);
4. the same name and city,

names and places compared after ``normalize_token`` folding (case, spacing, punctuation,
Persian and Bengali spellings). The first rule that finds a customer decides; a rule the
buyer has no value for is skipped. Buyers of one file are grouped by the same rule, so
the lines of one buyer make one customer.

A matched customer keeps what it has: the order only fills the fields it lacks (a second
platform's file never moves its city back and forth), except that an older order moves
its first contact earlier. A buyer no customer matches becomes one: name (else the
e-mail's local part, else the phone), e-mail, phone, city, country, the postal code and
state in ``postal_code`` / ``state`` when the Customers tab has such columns (else in
``notes``: "PIN 700019, West Bengal", read back from there to match the next order),
``first_contact`` the earliest order date and ``lead_source`` the channel when it is one
of the lead sources. Its ID is derived from its e-mail or phone as any import's is, or,
with neither, from its folded name and postal code (or city), so the same file imported
again, on any machine, finds the same customer.

A line with no buyer identity at all (Amazon hides buyers) stays without a customer.

``resolve_reference`` reads a ``customer_id`` cell that holds an e-mail or a phone
instead of an ID (``--map 'Email=customer_id'``) as the customer it names.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import ValueParseError
from sheetcrm.ingest.merge import Group
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.ids import derived_id
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import ValueContext, is_blank, normalize_token

#: The fields of an order line that say who bought it (virtual fields of the order
#: presets, besides ``customer_id``).
BUYER_FIELDS = ("buyer_name", "email", "phone", "city", "state", "postal_code", "country")

#: How a new customer's postal code is kept in notes when the tab has no postal_code
#: column ("PIN 700019, West Bengal"), read back to match the next order by it.
_NOTED_PIN = re.compile(r"PIN ([^,;]+)")

#: A buyer key: (rule, folded value(s)), tried in this order.
Key = tuple[str, str]


def _fold(value: Any) -> str:
    return "" if is_blank(value) else normalize_token(str(value))


@dataclass
class Buyer:
    """One buyer of a file: the lines (source row numbers) they bought and who they are."""

    values: dict[str, Any] = field(default_factory=dict)
    rows: list[int] = field(default_factory=list)
    first_date: dt.date | None = None
    channel: str | None = None

    def keys(self) -> list[Key]:
        return buyer_keys(self.values)

    def add(self, values: Mapping[str, Any], row: int, when: Any, channel: Any) -> None:
        for name in BUYER_FIELDS:
            if is_blank(self.values.get(name)) and not is_blank(values.get(name)):
                self.values[name] = values[name]
        self.rows.append(row)
        day = when.date() if isinstance(when, dt.datetime) else when
        if isinstance(day, dt.date) and (self.first_date is None or day < self.first_date):
            self.first_date = day
        self.channel = self.channel or (None if is_blank(channel) else str(channel))


def buyer_keys(values: Mapping[str, Any]) -> list[Key]:
    """The keys of the rule, in its order, that ``values`` has (none: no buyer identity)."""
    keys: list[Key] = []
    email, phone = values.get("email"), values.get("phone")
    if not is_blank(email):
        keys.append(("email", str(email).strip().casefold()))
    if not is_blank(phone):
        keys.append(("phone", str(phone).strip()))
    name = _fold(values.get("buyer_name") or values.get("name"))
    if name:
        postal = _fold(values.get("postal_code"))
        city = _fold(values.get("city"))
        if postal:
            keys.append(("name+postal", f"{name}\x1f{postal}"))
        if city:
            keys.append(("name+city", f"{name}\x1f{city}"))
    return keys


class CustomerIndex:
    """The Customers tab's records findable by the rule's keys (the first holder wins)."""

    def __init__(self, tab: TabSchema, grid: TabGrid, ctx: ValueContext) -> None:
        self.tab = tab
        self.by_key: dict[Key, str] = {}
        self.ids: set[str] = set()
        self.values: dict[str, dict[str, Any]] = {}  # customer ID → what the sheet holds
        hm = map_header(grid, tab)
        col_id = hm.columns.get(tab.id_field)
        if col_id is None:
            return
        kept = ("name", *BUYER_FIELDS, "notes", "first_contact", "lead_source")
        cols = {n: hm.columns[n] for n in kept if n in hm.columns}
        for r in range(len(grid.rows)):
            rid = grid.cell(r, col_id)
            if is_blank(rid):
                continue
            values: dict[str, Any] = {}
            for name, col in cols.items():
                raw = grid.cell(r, col)
                f = tab.get(name)
                try:
                    values[name] = f.parse(raw, ctx) if f is not None else raw
                except ValueParseError:
                    values[name] = raw
            if is_blank(values.get("postal_code")):  # kept in notes, without the column
                pin = _NOTED_PIN.match(str(values.get("notes") or ""))
                values["postal_code"] = pin.group(1) if pin else None
            self.ids.add(str(rid))
            self.values[str(rid)] = values
            for key in buyer_keys(values):
                self.by_key.setdefault(key, str(rid))

    def find(self, values: Mapping[str, Any]) -> str | None:
        for key in buyer_keys(values):
            if key in self.by_key:
                return self.by_key[key]
        return None


def group_buyers(
    lines: Iterable[tuple[int, Mapping[str, Any]]],
) -> tuple[list[Buyer], dict[int, int]]:
    """The buyers of ``lines`` (row number, parsed line), grouped by the rule, and each
    row's buyer (an index into the list); a line without buyer identity has none."""
    buyers: list[Buyer] = []
    index: dict[Key, int] = {}
    of_row: dict[int, int] = {}
    for number, line in lines:
        keys = buyer_keys(line)
        if not keys:
            continue
        hit = next((index[k] for k in keys if k in index), None)
        if hit is None:
            buyers.append(Buyer())
            hit = len(buyers) - 1
        buyers[hit].add(line, number, line.get("date"), line.get("channel"))
        for k in buyer_keys(buyers[hit].values):
            index.setdefault(k, hit)
        of_row[number] = hit
    return buyers, of_row


def customer_record(
    tab: TabSchema,
    buyer: Buyer,
    existing: str | None,
    sources: Iterable[str] = (),
    held: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a buyer adds to the Customers tab: a new customer, or, for the matched
    customer ``existing`` (``held``: what the sheet holds of it), only the fields it lacks
    (module docstring), so two platforms' files never undo each other's values."""
    v = buyer.values
    record: dict[str, Any] = {}
    name = v.get("buyer_name") or v.get("name")
    if is_blank(name):
        email, phone = v.get("email"), v.get("phone")
        name = str(email).split("@")[0] if not is_blank(email) else phone
    record["name"] = None if is_blank(name) else str(name).strip()
    for f in ("email", "phone", "city", "country", "state", "postal_code"):
        if not is_blank(v.get(f)) and tab.get(f) is not None:
            record[f] = v[f]
    kept = [
        f"PIN {v['postal_code']}" if not is_blank(v.get("postal_code")) else "",
        str(v["state"]) if not is_blank(v.get("state")) else "",
    ]
    if tab.get("postal_code") is None or tab.get("state") is None:
        note = ", ".join(
            p
            for p, f in zip(kept, ("postal_code", "state"), strict=True)
            if p and tab.get(f) is None
        )
        if note:
            record["notes"] = note
    if buyer.first_date is not None:
        record["first_contact"] = buyer.first_date
    if buyer.channel and buyer.channel in set(sources):
        record["lead_source"] = buyer.channel
    if existing is not None:
        # a matched customer keeps its own name and notes: the order only fills gaps
        record.pop("name", None)
        record.pop("notes", None)
        there = held or {}
        record = {
            k: v for k, v in record.items() if is_blank(there.get(k)) or _earlier(k, v, there)
        }
        record[tab.id_field] = existing
        return record
    if is_blank(v.get("email")) and is_blank(v.get("phone")):
        keys = buyer.keys()
        if keys:
            record[tab.id_field] = derived_id(tab.id_prefix, tab.name, "buyer", *keys[0])
    return record


def _earlier(name: str, value: Any, held: Mapping[str, Any]) -> bool:
    """An order older than the matched customer's first contact moves it earlier (only
    ever earlier: importing the files again in any order changes nothing)."""
    there = held.get(name)
    return name == "first_contact" and isinstance(there, dt.date) and value < there


def plan_buyers(
    tab: TabSchema, grid: TabGrid, lines: list[tuple[int, dict[str, Any]]], ctx: ValueContext
) -> tuple[list[Group], dict[int, int], list[Buyer]]:
    """The Customers groups the buyers of ``lines`` make (matched ones carry the
    customer's ID), and each row's index into them."""
    index = CustomerIndex(tab, grid, ctx)
    buyers, of_row = group_buyers(lines)
    sources = tab.field("lead_source").values if tab.get("lead_source") else ()
    groups = []
    for buyer in buyers:
        found = index.find(buyer.values)
        held = index.values.get(found) if found is not None else None
        record = customer_record(tab, buyer, found, sources, held)
        groups.append(Group(record, sorted(buyer.rows)))
    return groups, of_row, buyers


def looks_like_contact(value: Any) -> bool:
    """Whether a ``customer_id`` cell holds an e-mail or a phone rather than an ID."""
    if is_blank(value):
        return False
    text = str(value).strip()
    if "@" in text:
        return True
    digits = sum(c.isdigit() for c in text)
    return digits >= 8 and all(c.isdigit() or c in "+-() ." for c in text)


def resolve_reference(
    value: Any, index: CustomerIndex, tab: TabSchema, ctx: ValueContext
) -> tuple[str | None, str]:
    """The customer ID an e-mail or phone in a ``customer_id`` cell names, and "" — or
    None and why it names none (an unknown e-mail, an unreadable phone)."""
    text = str(value).strip()
    if text in index.ids:
        return text, ""
    kind = "email" if "@" in text else "phone"
    try:
        parsed = tab.field(kind).parse(text, ctx)
    except ValueParseError:
        return None, f"a customer ID, e-mail or phone (not a readable {kind})"
    found = index.find({kind: parsed})
    if found is None:
        return None, f"a customer ID, or the {kind} of a customer (no customer has {text})"
    return found, ""
