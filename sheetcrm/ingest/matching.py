"""Who an input record is: the sheet's record it matches, or the ID it is created under.

A record is matched, in this order, by its own ID (an explicit ID is identity), by its
e-mail, by the ID derived from who it is (``identity``: a derived ID already in the sheet
is that record, though a teammate may have changed the e-mail it was derived from), and
last by phone. A phone only suggests who someone is (a family shares one), so it never
joins two records whose e-mails are both present and differ: the record is created and the
pair kept apart for review (``ingest.review``), unless a teammate already said in
``_conflicts`` that they are one person; a record that resolves, however, to the second of
such a pair goes to the first. Among several records holding a phone, a record
without a clashing e-mail goes to the one of its name, else the phone's first holder: the
same on every machine. A phone held by more than ``MAX_HOLDERS`` records is no family's
(a placeholder such as +10000000000): only its first holders are looked at, so it does not
make an import quadratic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import islice
from typing import Any

from sheetcrm.errors import ValueParseError
from sheetcrm.ingest.review import MAX_HOLDERS, Reviews, clash, email_of, pick, weak_keys
from sheetcrm.ingest.syncstate import canonical
from sheetcrm.model.diff import index_rows
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.ids import KEYS, derived_id, key_id, key_values
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import ValueContext, is_blank

#: A record kept apart from a phone's holder: (that holder's ID, the shared field).
Apart = tuple[str, str]
SAME_NOTE = ", same person per _conflicts"


def identity(tab: TabSchema, record: Mapping[str, Any], seen: dict[str, int]) -> str:
    """The ID derived from who ``record`` is (``ingest.merge``'s docstring); ``seen``
    counts the identical key-less rows met so far in this input."""
    by_key = key_id(tab.name, tab.id_prefix, tab.id_field, record)
    if by_key is not None:
        return by_key
    content = "\x1e".join(
        f"{k}={canonical(v)}" for k, v in sorted(record.items()) if not is_blank(v)
    )
    n = seen[content] = seen.get(content, 0) + 1
    return derived_id(tab.id_prefix, tab.name, "row", content, n)


class SheetIndex:
    """Find existing records by ID, e-mail or phone, comparing normalised values; records
    this run creates or updates are added as they are planned."""

    def __init__(self, tab: TabSchema, grid: TabGrid, ctx: ValueContext) -> None:
        self.tab, self.grid, self.ctx = tab, grid, ctx
        self.hm = map_header(grid, tab)
        self.rows = index_rows(grid, self.hm, tab)
        self.weak = weak_keys(tab.name)
        self.by_key: dict[tuple[str, str], str] = {}
        self.loose: dict[tuple[str, str], dict[str, None]] = {}  # phone → holders, in order
        self.planned: dict[str, dict[str, Any]] = {}  # records this run creates
        self.notes: list[str] = []  # what matching deliberately left alone
        id_col = self.hm.index(tab.id_field)
        for name in KEYS.get(tab.name, (tab.id_field,)):
            col = self.hm.columns.get(name)
            if col is None:
                continue
            f = tab.field(name)
            for r, raw in enumerate(grid.column(col)):
                rid = grid.cell(r, id_col)
                if is_blank(raw) or is_blank(rid):
                    continue
                try:
                    value = f.parse(raw, ctx)
                except ValueParseError:
                    value = raw
                self._index(name, str(value).strip().casefold(), str(rid))

    def _index(self, name: str, value: str, rid: str) -> None:
        if name in self.weak:
            self.loose.setdefault((name, value), {})[rid] = None
        else:
            self.by_key.setdefault((name, value), rid)

    def add(self, rid: str, record: Mapping[str, Any]) -> None:
        """Make a record this run updates findable by the keys it now has."""
        for name, value in key_values(self.tab.name, record):
            self._index(name, value, rid)

    def plan(self, rid: str, record: dict[str, Any]) -> None:
        """A record this run creates (``record``: the very values it appends, so a later
        group that turns out to be the same one can still add to them)."""
        self.planned[rid] = record
        self.add(rid, record)

    def find(self, record: Mapping[str, Any]) -> tuple[str | None, str]:
        """The record an ID or e-mail (not a phone) names, and by which field."""
        for key in key_values(self.tab.name, record):
            if key[0] not in self.weak and key in self.by_key:
                return self.by_key[key], key[0]
        return None, ""

    def holders(self, record: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(record ID, field) of the first ``MAX_HOLDERS`` records holding one of this
        record's phones."""
        out: dict[str, str] = {}
        for key in key_values(self.tab.name, record):
            if key[0] in self.weak:
                for rid in islice(self.loose.get(key, {}), MAX_HOLDERS):
                    out.setdefault(rid, key[0])
        return list(out.items())[:MAX_HOLDERS]

    def value(self, record_id: str, name: str) -> Any:
        """A field of a record in the sheet or planned by this run (None without one)."""
        if record_id in self.planned:
            return self.planned[record_id].get(name)
        if record_id not in self.rows or name not in self.hm.columns:
            return None
        return self.current(record_id, name)[0]

    def current(self, record_id: str, name: str) -> tuple[Any, bool]:
        """The parsed sheet value of a field, and whether the cell holds a formula."""
        row, col = self.rows[record_id], self.hm.index(name)
        if (row, col) in self.grid.formulas:
            return self.grid.cell(row, col), True
        raw = self.grid.cell(row, col)
        try:
            return self.tab.field(name).parse(raw, self.ctx), False
        except ValueParseError:
            return raw, False


def match(
    tab: TabSchema,
    index: SheetIndex,
    record: dict[str, Any],
    seen: dict[str, int],
    reviews: Reviews,
) -> tuple[str | None, Apart | None]:
    """The existing record the input one is (module docstring); else None, and a record
    without an ID gets its derived one. The second value names the phone's holder a new
    record is kept apart from, when nobody has reviewed that pair yet. A record merged by
    a ``same person`` verdict keeps here only what the record it joins lacks."""
    existing, _ = index.find(record)
    if existing is None and is_blank(record.get(tab.id_field)):
        rid = identity(tab, record, seen)
        if rid in index.rows:
            existing = rid
        else:
            record[tab.id_field] = rid
    into = reviews.merged_into(tab.name, existing, email_of(record))
    if into is not None and into != existing and into in index.rows:
        if existing is not None:
            index.notes.append(
                f"{tab.name} {existing} is the same person as {into} (_conflicts): its input "
                f"goes to {into}; delete {existing} once nothing refers to it"
            )
        _fill_only(record, lambda name: index.value(into, name), tab.id_field)
        return into, None
    if existing is not None:
        return existing, None
    return _by_phone(tab, index, record, reviews)


def _by_phone(
    tab: TabSchema, index: SheetIndex, record: dict[str, Any], reviews: Reviews
) -> tuple[str | None, Apart | None]:
    """``match`` by phone: a holder whose e-mail does not clash, or that a teammate called
    the same person; else None, and the first holder no one has reviewed the pair with."""
    mine, rid = email_of(record), str(record.get(tab.id_field) or "")
    fits: list[str] = []
    same: set[str] = set()
    apart: Apart | None = None
    for holder, name in index.holders(record):
        theirs = email_of({"email": index.value(holder, "email")})
        if not clash(mine, theirs):
            fits.append(holder)
            continue
        verdict = reviews.verdict(tab.name, (holder, theirs), (rid, mine))
        if verdict:
            fits.append(holder)
            same.add(holder)
        elif verdict is None and apart is None:
            apart = (holder, name)
    if not fits:
        return None, apart
    hit = pick(fits, str(record.get("name") or ""), lambda h: index.value(h, "name"))
    if hit in same:
        _fill_only(record, lambda name: index.value(hit, name), tab.id_field)
    return hit, None


def ids_differ(tab: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """True when two rows name different records by their explicit IDs: an ID is identity,
    so no shared e-mail, phone or order id makes them one (a teammate's two leads with one
    e-mail, two order lines of one order, exported and imported back, stay two)."""
    id_field = KEYS.get(tab, ("",))[0]
    x, y = a.get(id_field), b.get(id_field)
    return not is_blank(x) and not is_blank(y) and str(x) != str(y)


def join_by_phone(
    tab: str,
    record_of: Callable[[int], Mapping[str, Any]],
    holders: list[int],
    record: dict[str, Any],
    reviews: Reviews,
    ids_given: bool = True,
) -> tuple[int | None, str]:
    """Within one input: which of the earlier records ``holders`` (``record_of`` gives
    each: those holding one of this record's phones) the record joins, or None; and a note
    when it joins by a ``same person`` verdict (it then keeps only what the earlier record
    lacks)."""
    mine = email_of(record)
    fits: list[int] = []
    same: set[int] = set()
    for g in dict.fromkeys(holders[:MAX_HOLDERS]):
        if ids_given and ids_differ(tab, record, record_of(g)):
            continue  # each row names its own record
        theirs = email_of(record_of(g))
        if not clash(mine, theirs):
            fits.append(g)
        elif reviews.verdict(tab, (None, theirs), (None, mine)):
            fits.append(g)
            same.add(g)
    if not fits:
        return None, ""
    name = str(record.get("name") or "")
    hit = pick(fits, name, lambda g: record_of(g).get("name"))
    if hit in same:
        _fill_only(record, record_of(hit).get, "")
        return hit, SAME_NOTE
    return hit, ""


def _fill_only(record: dict[str, Any], held: Callable[[str], Any], id_field: str) -> None:
    """Keep only the fields the record it joins by a ``same person`` verdict lacks (``held``:
    that record's value of a field): the other identity's row fills gaps, and never changes
    the e-mail, name or anything else the record there holds."""
    for name in [k for k in record if k != id_field]:
        if is_blank(record[name]) or not is_blank(held(name)):
            del record[name]
