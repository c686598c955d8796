"""One person's data: who an argument names, found in the workbook and its snapshots.

``person export`` and ``person forget`` share this: an argument is an e-mail (any case), a
phone (read as the workbook's ``[locale] region`` reads phones, so ``۰۹۱۲۳۴۵۶۷۸۹`` is
``+989123456789`` in IR) or a customer/lead ID. Who that is, is found in this order:

1. the Customers and Leads records with that e-mail, phone or ID;
2. records linked to those: a lead converted to a customer (the lead's ``customer_id``)
   links both, and a record with the same e-mail as one found is the same person. A phone
   alone never links two records (phones are shared by families and shops): a phone that
   someone else in the workbook also has is not theirs to search for, and a phone argument
   that names records with two different e-mails is refused (name one by e-mail or ID);
3. what is about those records is ``ingest.holdings``' business.

``Person.mentions`` and ``Person.redact`` find and replace them in free text: their IDs,
e-mails (any case, not inside a longer address) and their own phones in any writing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import phonenumbers

from sheetcrm.crm import CRM
from sheetcrm.errors import (
    Forgotten,
    InputError,
    NotFoundError,
    PlanRefusedError,
    ValueParseError,
)
from sheetcrm.ingest.restore import Saved, snapshots
from sheetcrm.ingest.suppression import Suppression
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.values import ValueContext, is_blank, to_ascii_digits

#: The tabs whose rows are people.
PEOPLE = ("Customers", "Leads")
FORGOTTEN = "[forgotten]"
_PHONE_RUN = re.compile(r"\+?\d[\d\s().\-]{5,}\d")  # a phone in any writing of it


class Ledger(Protocol):
    """A local file outside the workbook that may name people (the mail outbox:
    ``sheetcrm.outputs.mail.Outbox``), which the CLI hands to export and forget."""

    name: str

    def entries(self, emails: set[str]) -> list[dict[str, Any]]: ...

    def forget(self, emails: set[str], *, dry_run: bool = False) -> int: ...


@dataclass(frozen=True)
class Who:
    """The argument as given, what kind of key it is, and its normalised value."""

    given: str
    kind: str  # email · phone · id
    value: str


def parse_who(text: str, crm: CRM, grids: Mapping[str, TabGrid]) -> Who:
    """An e-mail, an ID a Customers or Leads row has, a phone, or an ID-shaped text (in
    that order); anything else is an ``InputError`` saying what is expected."""
    given = text.strip()
    if not given:
        raise InputError("give an e-mail address, a phone number or a customer or lead ID")
    if "@" in given:
        try:
            email = crm.schema["Customers"].field("email").parse(given, crm.ctx)
        except ValueParseError:
            raise InputError(f"{given!r} is not a valid e-mail address") from None
        return Who(given, "email", str(email).casefold())
    if given in _ids(crm.schema, grids):
        return Who(given, "id", given)
    try:
        phone = crm.schema["Customers"].field("phone").parse(given, crm.ctx)
        return Who(given, "phone", str(phone))
    except ValueParseError:
        pass
    prefixes = {crm.schema[t].id_prefix for t in PEOPLE}
    if re.fullmatch(r"[A-Za-z]+-[\w.\-]+", given) and given.split("-")[0] in prefixes:
        return Who(given, "id", given)
    raise InputError(
        f"{given!r} is neither an e-mail address, a phone number (region {crm.ctx.region}) "
        "nor a customer or lead ID"
    )


def _ids(schema: Schema, grids: Mapping[str, TabGrid]) -> set[str]:
    out: set[str] = set()
    for name in PEOPLE:
        if name in grids:
            out |= {str(r[schema[name].id_field]) for _i, r in rows_of(grids[name], schema[name])}
    return out


def rows_of(grid: TabGrid, tab: TabSchema) -> Iterable[tuple[int, dict[str, Any]]]:
    """(index into ``grid.rows``, field → value) for each row with an ID."""
    columns = map_header(grid, tab, allow_missing=True).columns
    for i, row in enumerate(grid.rows):
        record = {name: row[c] if c < len(row) else None for name, c in columns.items()}
        if not is_blank(record.get(tab.id_field)):
            record[tab.id_field] = str(record[tab.id_field]).strip()
            yield i, record


@dataclass
class Person:
    """Who was found: their records' IDs, e-mails and (unshared) phones, and the text
    patterns that find them in free text."""

    who: Who
    records: list[tuple[str, str]] = field(default_factory=list)  # (tab, id), as found
    ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)  # casefolded
    phones: set[str] = field(default_factory=set)  # E.164, theirs alone
    shared: set[str] = field(default_factory=set)  # phones someone kept also has
    _compiled: tuple[Any, list[re.Pattern[str]]] | None = field(
        default=None, repr=False, compare=False
    )

    def __bool__(self) -> bool:
        return bool(self.records)

    def _patterns(self) -> list[re.Pattern[str]]:
        """One pattern for their e-mails and IDs (made once per state of the sets: a
        forget searches every journal row with it)."""
        state = (frozenset(self.emails), frozenset(self.ids))
        if self._compiled is None or self._compiled[0] != state:
            edge = r"(?<![\w.+\-])", r"(?![\w\-]|\.\w)"  # not inside a longer address
            words = [edge[0] + re.escape(e) + edge[1] for e in sorted(self.emails)]
            words += [r"(?<![\w-])" + re.escape(i) + r"(?!\w)" for i in sorted(self.ids)]
            made = [re.compile("|".join(words), re.IGNORECASE)] if words else []
            self._compiled = (state, made)
        return self._compiled[1]

    def _is_phone(self, run: str) -> bool:
        digits = re.sub(r"\D", "", to_ascii_digits(run))
        for phone in self.phones:
            national = _national(phone)
            if digits.endswith(national) and len(digits) - len(national) <= 4:
                return True
        return False

    def mentions(self, value: Any) -> bool:
        """Whether a cell's text names one of their IDs, e-mails or phones (a phone in any
        writing: ``+98 912…``, ``0912-…``, Persian or Bengali digits)."""
        if is_blank(value):
            return False
        text = str(value)
        if any(p.search(text) for p in self._patterns()):
            return True
        return bool(self.phones) and any(self._is_phone(m) for m in _PHONE_RUN.findall(text))

    def redact(self, value: Any) -> Any:
        """The cell's text with each of their IDs, e-mails and phones replaced."""
        if not self.mentions(value):
            return value
        text = str(value)
        for pattern in self._patterns():
            text = pattern.sub(FORGOTTEN, text)
        if self.phones:
            text = _PHONE_RUN.sub(lambda m: FORGOTTEN if self._is_phone(m[0]) else m[0], text)
        return text


@functools.cache
def _national(phone: str) -> str:
    """A phone's digits after its country code (``+989123456789`` → ``9123456789``): how
    it ends in any writing of it, with or without the country code or a trunk 0."""
    return str(phonenumbers.parse(phone).national_number)


def _norm(record: Mapping[str, Any], name: str, ctx: ValueContext, tab: TabSchema) -> str:
    value = record.get(name)
    if is_blank(value):
        return ""
    if name == "email":
        return str(value).strip().casefold()
    if name == "phone":
        try:
            return str(tab.field("phone").parse(value, ctx) or "")
        except ValueParseError:
            return str(value).strip()
    return str(value).strip()


def find(
    who: Who,
    schema: Schema,
    ctx: ValueContext,
    grids: Iterable[Mapping[str, TabGrid]],
    seed: Person | None = None,
) -> Person:
    """The person ``who`` names, over one or more sets of grids (the workbook, then its
    snapshots); ``seed``: what is already known of them (see the module docstring)."""
    person = seed or Person(who)
    found: set[tuple[str, str]] = set(person.records)
    rows: list[tuple[str, str, str, str, str]] = []  # tab, id, email, phone, customer_id
    for tabs in grids:
        for name in PEOPLE:
            if name in tabs:
                tab = schema[name]
                for _i, rec in rows_of(tabs[name], tab):
                    cust = _norm(rec, "customer_id", ctx, tab) if name == "Leads" else ""
                    email, phone = _norm(rec, "email", ctx, tab), _norm(rec, "phone", ctx, tab)
                    rows.append((name, rec[tab.id_field], email, phone, cust))
    if not found:
        hits = [r for r in rows if r[{"email": 2, "phone": 3, "id": 1}[who.kind]] == who.value]
        if who.kind == "phone":
            emails = sorted({r[2] for r in hits if r[2]})
            if len(emails) > 1:
                names = ", ".join(f"{r[1]} ({r[2]})" for r in hits if r[2])
                raise PlanRefusedError(
                    f"{len(emails)} people share {who.value}: {names}; name one by e-mail or ID"
                )
            if hits:
                person.phones.add(who.value)
        for r in hits:
            _take(person, found, r)
    grew = bool(found)
    while grew:
        grew = False
        for r in rows:
            if (r[0], r[1]) in found:
                continue
            if r[1] in person.ids or (r[2] and r[2] in person.emails) or r[4] in person.ids:
                _take(person, found, r)
                grew = True
    mine = {r[3] for r in rows if (r[0], r[1]) in found and r[3]}
    others = {r[3] for r in rows if (r[0], r[1]) not in found and r[3]}
    person.shared |= (mine | person.phones) & others
    person.phones = (person.phones | mine) - person.shared
    return person


def _take(person: Person, found: set[tuple[str, str]], row: tuple[str, ...]) -> None:
    tab, rid, email, _phone, cust = row
    found.add((tab, rid))
    person.records.append((tab, rid))
    person.ids.add(rid)
    if email:
        person.emails.add(email)
    if cust:
        person.ids.add(cust)


def locate(
    crm: CRM, text: str, grids: Mapping[str, TabGrid], ledgers: Iterable[Ledger] = ()
) -> tuple[Person, list[Saved], dict[str, list[dict[str, Any]]]]:
    """Who ``text`` names in the workbook read as ``grids`` and in its local snapshots,
    those snapshots, and their entries in each ledger (name → entries). ``NotFoundError``
    when none of them holds anyone it names."""
    who = parse_who(text, crm, grids)
    person = find(who, crm.schema, crm.ctx, [grids])
    saved = list(snapshots())
    person = find(who, crm.schema, crm.ctx, [grids, *(s.tabs for s in saved)], seed=person)
    emails = person.emails | ({who.value} if who.kind == "email" else set())
    entries = {ledger.name: ledger.entries(emails) for ledger in ledgers}
    if not person and not any(entries.values()):
        if who.kind != "id" and forgotten(who, grids):
            raise Forgotten(f"no one matches {who.given!r}: they were forgotten (`person forget`)")
        where = "the workbook, its snapshots" + "".join(f" or the {n}" for n in entries)
        raise NotFoundError(f"no one matches {who.given!r} (looked in {where})")
    if who.kind == "email":
        person.emails.add(who.value)
    return person, saved, entries


def forgotten(who: Who, grids: Mapping[str, TabGrid]) -> bool:
    """Whether the e-mail or phone ``who`` names is on the suppression list."""
    return Suppression.from_grid(grids.get("_sync")).matches({who.kind: who.value})
