"""What the CRM holds about one person (``ingest.person`` finds who they are): every row
of sheetcrm's tabs that is theirs or about them, and what ``person forget`` does with it.

- their Customers and Leads records;
- Interactions (``customer_id``/``lead_id``) and Tasks (``related_id``) linked to them;
  a sale among those (a purchase or return, or any interaction with an amount) is kept
  for revenue, without them, unless ``keep_sales=False``;
- their ``_sync`` state rows, ``_conflicts`` rows of their records or naming them,
  ``_quarantine`` entries whose input names their e-mail or phone, and ``_audit`` rows
  whose command or summary names them (redacted: the journal keeps its rows);
- someone else's record whose free text names them (redacted), and a team's own column
  that names them on a row that stays (listed: sheetcrm writes only its own columns).

Tabs sheetcrm does not own (a form's responses tab, a team's own tabs) are searched for
cells that name them (``outside``), but never changed: export shows those rows, forget
lists them for a person to delete.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError
from sheetcrm.ingest.person import PEOPLE, Person, rows_of
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.values import is_blank

#: Tab → the fields of its rows that link them to a person's records.
LINKS = {"Interactions": ("customer_id", "lead_id"), "Tasks": ("related_id",)}
#: Interactions that are sales: kept for the shop's revenue, without who made them.
SALES = frozenset({"purchase", "return"})
#: What stays of a sale once its buyer is forgotten (every other field is blanked).
SALE_FIELDS = frozenset(
    {"interaction_id", "date", "type", "amount", "product", "quantity", "order_id"}
)
#: System tab → its columns that may mention a person in free text.
MENTIONS = {
    "_quarantine": ("value", "raw"),
    "_conflicts": ("sheet_value", "source_value"),
    "_audit": ("command", "summary"),
}


@dataclass(frozen=True)
class Held:
    """A row held about the person, and what forget does with it: ``delete`` the row,
    ``anonymise`` it (blank ``fields``: a sale kept for revenue) or ``redact`` ``fields``
    (an ``_audit`` row: the journal keeps its rows; someone else's record whose notes,
    summary or other free text names them: the record stays, the text loses them)."""

    tab: str
    row: int  # index into the grid's rows
    key: str  # the row's ID
    action: str  # delete · anonymise · redact · keep (listed only: a team's own column)
    why: str
    fields: tuple[str, ...] = ()


def holdings(
    person: Person, schema: Schema, grids: Mapping[str, TabGrid], *, keep_sales: bool = True
) -> list[Held]:
    """Every row of ``grids`` held about ``person`` (see the module docstring)."""
    out: list[Held] = []
    for name, grid in grids.items():
        try:
            tab = schema.tab(name)
        except Exception:
            continue
        for i, r in rows_of(grid, tab):
            held = _held(person, tab, i, r, keep_sales)
            if held is not None:
                out.append(held)
    return out + own_columns(person, schema, grids, out)


def own_columns(
    person: Person, schema: Schema, grids: Mapping[str, TabGrid], held: Iterable[Held]
) -> list[Held]:
    """Cells of the team's own columns on sheetcrm's data tabs that name them, on rows
    that stay. sheetcrm writes only its own columns, so in the workbook these are listed
    (``keep``) for a person to edit; in a snapshot they are redacted."""
    gone = {(h.tab, h.row) for h in held if h.action == "delete"}
    out: list[Held] = []
    for tab in schema.data_tabs:
        grid = grids.get(tab.name)
        if grid is None:
            continue
        hm = map_header(grid, tab, allow_missing=True)
        at = hm.columns.get(tab.id_field)
        for i, row in enumerate(grid.rows):
            if (tab.name, i) in gone:
                continue
            named = tuple(
                str(grid.header[c]) for c in hm.foreign if c < len(row) and person.mentions(row[c])
            )
            if named:
                key = str(row[at]).strip() if at is not None and at < len(row) else ""
                why = f"your own column {named[-1]!r} names them"
                out.append(Held(tab.name, i, key, "keep", why, named))
    return out


def _held(
    person: Person, tab: TabSchema, i: int, r: dict[str, Any], keep_sales: bool
) -> Held | None:
    key = r[tab.id_field]
    if tab.name in PEOPLE and key in person.ids:
        return Held(tab.name, i, key, "delete", "their record")
    link = next((f for f in LINKS.get(tab.name, ()) if str(r.get(f) or "") in person.ids), None)
    if link is not None:
        why = f"linked by {link}"
        sale = str(r.get("type") or "").strip().lower() in SALES or not is_blank(r.get("amount"))
        if tab.name == "Interactions" and keep_sales and sale:
            blank = tuple(f for f, v in r.items() if f not in SALE_FIELDS and not is_blank(v))
            return Held(tab.name, i, key, "anonymise", f"{why}; a sale, kept without them", blank)
        return Held(tab.name, i, key, "delete", why)
    if not tab.system:  # someone else's record whose free text names them
        text = (f.name for f in tab.fields if f.type == "text")
        named = tuple(f for f in text if person.mentions(r.get(f)))
        why = f"its {named[-1] if named else ''} names them"
        return Held(tab.name, i, key, "redact", why, named) if named else None
    if tab.name == "_sync":
        mine = key.partition(":")[2] in person.ids and not key.startswith(("row:", "forget"))
        return Held(tab.name, i, key, "delete", "their sync state") if mine else None
    if tab.name == "_conflicts" and str(r.get("record_id") or "") in person.ids:
        return Held(tab.name, i, key, "delete", "a conflict about their record")
    named = tuple(f for f in MENTIONS.get(tab.name, ()) if person.mentions(r.get(f)))
    if not named:
        return None
    if tab.name == "_audit":
        return Held(tab.name, i, key, "redact", f"its {named[-1]} names them", named)
    return Held(tab.name, i, key, "delete", f"its {named[-1]} names them")


def _json(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def row_dict(grid: TabGrid, i: int) -> dict[str, Any]:
    """A row as header → value, every named column (teammates' own columns too)."""
    row = grid.rows[i]
    return {
        str(h): _json(row[c] if c < len(row) else None)
        for c, h in enumerate(grid.header)
        if not is_blank(h)
    }


def held_rows(held: Collection[Held], grids: Mapping[str, TabGrid]) -> dict[str, list[Any]]:
    """Tab → the rows ``held`` names, each with why it is theirs (export's shape)."""
    out: dict[str, list[Any]] = {}
    for h in held:
        values = row_dict(grids[h.tab], h.row)
        if h.action in ("redact", "keep") and not h.tab.startswith("_"):
            # someone else's record: only the text that names them, not the rest of it
            folded = {str(k).strip().casefold(): k for k in values}
            names = [folded[k] for f in h.fields if (k := f.strip().casefold()) in folded]
            values = {name: values[name] for name in names}
        entry = {"row": h.row + 2, "id": h.key, "why": h.why, "values": values}
        out.setdefault(h.tab, []).append(entry)
    return out


def outside(crm: CRM, person: Person) -> dict[str, list[dict[str, Any]]]:
    """Rows of the tabs sheetcrm does not own (a form's responses tab, a team's own tabs)
    that name them, in export's shape. sheetcrm never changes such a tab, so ``forget``
    lists these for a person to delete; found in one more read, of every tab's values."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name, grid in crm.backend.read(None, values_only=True).items():
        try:
            crm.schema.tab(name)
            continue  # a sheetcrm tab: searched by ``holdings``
        except ConfigError:
            pass
        for i, row in enumerate(grid.rows):
            if any(person.mentions(v) for v in row):
                entry = {"row": i + 2, "why": "a cell names them", "values": row_dict(grid, i)}
                out.setdefault(name, []).append(entry)
    return out
