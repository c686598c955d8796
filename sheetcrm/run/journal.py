"""The run's journal tabs: ``_audit`` (one row per writing run), ``_conflicts`` and
``_quarantine``.

Conflict rows get IDs derived from their content, so a repeated run adds none; audit rows
are new each run. ``_quarantine`` is a ledger with one entry per thing set aside, keyed by
``Quarantined.key`` (source + row, + column for a cell): a run that sets the same thing
aside again updates its entry (only the cells that changed: the same import twice writes
nothing), and a run that looked at that input row again and took it in marks the entry
``resolved`` (a resolved entry that fails again is re-opened): ``resolved`` means no
longer set aside on its own — it went in, or its row's entry now covers it. ``at`` is when the entry
was first seen and ``last_seen`` when it last changed. The source is what the import
calls its input (a file's name, without its folder, or a tab's), so the same export
downloaded again lands on the same entries. Rows older sheetcrm wrote (blank
status, an ID hashed from the raw row, several rows for one input row) are read as open
and folded into the newest one of their key. A tab with an older header gets the missing
columns added in the same apply.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sheetcrm.model.changes import AddColumns, AppendRow, Op, SetCell
from sheetcrm.model.grid import TabGrid, header_key
from sheetcrm.model.ids import new_id
from sheetcrm.model.tabs import BASE_TABS
from sheetcrm.model.values import is_blank
from sheetcrm.run.result import Conflict, Quarantined

AUDIT, CONFLICTS, QUARANTINE = "_audit", "_conflicts", "_quarantine"
MAX_SUMMARY = 45_000  # characters: well under a Sheets cell's 50,000
#: A quarantined row's raw input is kept whole up to this (it fits an .xlsx cell, 32,767,
#: and a Sheets one, 50,000); a longer one is cut and marked with ``CUT`` (never retried).
MAX_RAW = 32_000
MAX_VALUE = 2_000  # the ``value`` column shows the bad value, shortened past this
CUT = "…cut"  # the key a shortened raw row lists its shortened columns under
OPEN, RESOLVED = "open", "resolved"
_DONE = {RESOLVED, "closed", "done", "fixed", "ignored"}  # what a teammate may type instead

#: The journal tabs' columns, as the schema declares them (``model.tabs``).
_DECLARED = {t.name: tuple(t.columns) for t in BASE_TABS if t.system}
QUARANTINE_COLUMNS, CONFLICT_COLUMNS = _DECLARED[QUARANTINE], _DECLARED[CONFLICTS]
#: What an update of an entry compares and rewrites (``at`` and the key stay).
_UPDATED = ("column", "value", "reason", "raw", "status", "kind", "tab", "spec")


def stable_id(prefix: str, *parts: Any) -> str:
    """An ID derived from the row itself, so the same row seen twice gets the same ID."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16].upper()
    return f"{prefix}-F{digest}"


def now(timezone: str | None = None) -> dt.datetime:
    """The wall-clock time to the second, in ``timezone`` (an IANA name; the machine's own
    zone when None), without tzinfo: how the sheet holds a moment."""
    if timezone is None:
        return dt.datetime.now().replace(microsecond=0)
    return dt.datetime.now(ZoneInfo(timezone)).replace(tzinfo=None, microsecond=0)


def existing_ids(grid: TabGrid | None, id_field: str) -> set[str]:
    """The IDs already in a journal tab (its ID column found by name)."""
    if grid is None:
        return set()
    header = [header_key(h) for h in grid.header]
    if id_field not in header:
        return set()
    return {str(v) for v in grid.column(header.index(id_field)) if not is_blank(v)}


def missing_columns(tab: str, grid: TabGrid | None, columns: Sequence[str]) -> list[Op]:
    """An ``AddColumns`` for the columns an existing journal tab (written by an older
    sheetcrm) lacks; nothing for a tab that does not exist yet (it is created whole)."""
    if grid is None:
        return []
    present = {header_key(h) for h in grid.header}
    missing = tuple(c for c in columns if c not in present)
    return [AddColumns(tab, missing)] if missing else []


def conflict_rows(conflicts: Iterable[Conflict], grid: TabGrid | None, at: dt.datetime) -> list[Op]:
    """An ``_conflicts`` row for each conflict not recorded yet (and the ``kind`` column
    when an older tab lacks it)."""
    seen = existing_ids(grid, "conflict_id")
    out: list[Op] = []
    for x in conflicts:
        xid = stable_id("X", x.tab, x.record_id, x.field, text(x.sheet_value), text(x.source_value))
        if xid in seen:
            continue
        seen.add(xid)
        row = {
            "conflict_id": xid,
            "at": at,
            "tab": x.tab,
            "record_id": x.record_id,
            "field": x.field,
            "sheet_value": text(x.sheet_value),
            "source_value": text(x.source_value),
            "resolution": x.resolution,
            "kind": x.kind,
        }
        out.append(AppendRow(CONFLICTS, row))
    return [*missing_columns(CONFLICTS, grid, CONFLICT_COLUMNS), *out] if out else []


# -- _quarantine -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One ``_quarantine`` row as read (``cells``: its values by column name, as typed)."""

    cells: Mapping[str, Any]
    index: int  # its place among the tab's rows (later rows are newer)

    def get(self, name: str) -> str:
        return text(self.cells.get(name))

    @property
    def id(self) -> str:
        return self.get("quarantine_id")

    @property
    def source(self) -> str:
        return self.get("source")

    @property
    def row(self) -> int:
        value = self.cells.get("row")
        try:
            return int(float(str(value)))
        except (TypeError, ValueError):
            return 0

    @property
    def tab(self) -> str:
        return self.get("tab")

    @property
    def kind(self) -> str:
        return self.get("kind") or "row"  # older rows were all whole rows

    @property
    def status(self) -> str:
        """open or resolved: blank (rows older sheetcrm wrote) is open; a teammate's own
        word for done (``Resolved``, ``closed``, ``fixed``…) is resolved."""
        typed = self.get("status").strip().casefold()
        return RESOLVED if typed in _DONE else OPEN

    @property
    def open(self) -> bool:
        return self.status != RESOLVED

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.source, self.row, self.get("column") if self.kind == "cell" else "")

    def raw(self) -> dict[str, Any] | None:
        """The input row as recorded, or None when it cannot be used as input again (not
        JSON, or cut to fit a cell)."""
        try:
            data = json.loads(self.get("raw") or "null")
        except ValueError:
            return None
        if not isinstance(data, dict) or CUT in data:
            return None
        return data

    def spec(self) -> dict[str, Any]:
        """How it was imported (tab, preset, map, on_conflict); {} for rows older sheetcrm
        wrote, which did not record it."""
        try:
            data = json.loads(self.get("spec") or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def set(self, values: Mapping[str, Any], at: dt.datetime) -> list[Op]:
        """Cell edits for the values that differ (plus ``last_seen``); none when equal."""
        ops: list[Op] = [
            SetCell(QUARANTINE, self.id, name, value, self.cells.get(name))
            for name, value in values.items()
            if text(value) != self.get(name)
        ]
        if ops:
            ops.append(SetCell(QUARANTINE, self.id, "last_seen", at, self.cells.get("last_seen")))
        return ops


@dataclass(frozen=True)
class Ledger:
    """The entries of ``_quarantine``: the newest per key, and older rows of the same key
    (written by older sheetcrm, which appended one row per distinct raw input)."""

    current: Mapping[tuple[str, int, str], Entry]
    older: Mapping[tuple[str, int, str], Sequence[Entry]]

    @classmethod
    def of(cls, grid: TabGrid | None) -> Ledger:
        current: dict[tuple[str, int, str], Entry] = {}
        older: dict[tuple[str, int, str], list[Entry]] = {}
        for entry in read_entries(grid):
            if not entry.id:
                continue  # no ID to address it by: left as it is
            previous = current.get(entry.key)
            if previous is not None:
                older.setdefault(entry.key, []).append(previous)
            current[entry.key] = entry
        return cls(current, older)

    def entries(self) -> list[Entry]:
        return sorted(self.current.values(), key=lambda e: e.index)

    def close(self, key: tuple[str, int, str], at: dt.datetime, *, keep: bool) -> list[Op]:
        """Resolve the entry of ``key`` (unless ``keep``) and every older row of it."""
        ops: list[Op] = []
        doomed = [*self.older.get(key, ()), *([] if keep else [self.current[key]])]
        for entry in doomed:
            if entry.open:
                ops += entry.set({"status": RESOLVED}, at)
        return ops


def read_entries(grid: TabGrid | None) -> list[Entry]:
    """Every row of ``_quarantine`` (columns found by name, so older headers read too)."""
    if grid is None:
        return []
    names = [header_key(h) for h in grid.header]
    out = []
    for i, row in enumerate(grid.rows):
        cells = {n: row[c] for c, n in enumerate(names) if n and c < len(row)}
        if any(not is_blank(v) for v in cells.values()):
            out.append(Entry(cells, i))
    return out


def quarantine_id(key: tuple[str, int, str]) -> str:
    """The ID of a new entry: from its key, so it is the same wherever it is first seen."""
    return stable_id("Q", *key)


def raw_text(raw: Mapping[str, Any]) -> str:
    """The input row as JSON, whole when it fits ``MAX_RAW``; else its longest values are
    shortened (and listed under ``CUT``, so retry knows not to use it)."""
    out = json.dumps(raw, default=str, ensure_ascii=False)
    if len(out) <= MAX_RAW:
        return out
    values = {k: v for k, v in raw.items()}
    cut: list[str] = []
    for name in sorted(values, key=lambda k: -len(str(values[k]))):
        values[name] = str(values[name])[:200] + "…"
        cut.append(name)
        out = json.dumps({**values, CUT: cut}, default=str, ensure_ascii=False)
        if len(out) <= MAX_RAW:
            return out
    return json.dumps({CUT: cut[:100]}, ensure_ascii=False)[:MAX_RAW]


def entry_values(q: Quarantined) -> dict[str, Any]:
    """What an entry says about ``q`` (besides its ID, key and times)."""
    value = text(q.value)
    return {
        "column": q.column,
        "value": value if len(value) <= MAX_VALUE else value[:MAX_VALUE] + "…",
        "reason": q.reason,
        "raw": raw_text(q.raw),
        "status": OPEN,
        "kind": q.kind,
        "tab": q.tab,
        "spec": json.dumps(q.spec, ensure_ascii=False, sort_keys=True) if q.spec else "",
    }


def _canonical(values: Mapping[str, Any]) -> str:
    """A row's values as one comparable text (as ``raw`` keeps them)."""
    plain = json.loads(json.dumps(dict(values), default=str, ensure_ascii=False))
    return json.dumps(plain, sort_keys=True, ensure_ascii=False)


def same_input(raw: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool:
    """Whether ``values`` (the row now at an entry's place in its source) are the input
    the entry is about (``raw``: its ``Entry.raw()``), fixed or not, rather than another
    row that took its number (a sorted export, a sorted responses tab): at least half of
    the entry's non-blank values are still there, column by column. A fixed row differs in
    a cell or two."""
    if raw is None:
        return True  # nothing to compare against: the row number is all there is
    now = json.loads(_canonical(values))
    kept = [c for c, v in raw.items() if not is_blank(v)]
    same = sum(text(raw[c]).strip() == text(now.get(c)).strip() for c in kept)
    return 2 * same >= len(kept)


def quarantine_rows(
    entries: Iterable[Quarantined],
    grid: TabGrid | None,
    at: dt.datetime,
    seen: Mapping[str, Mapping[int, Mapping[str, Any]]] | None = None,
) -> list[Op]:
    """The ``_quarantine`` writes of a run: a new entry for what was set aside for the
    first time, an update (or re-opening) of the entry for what was set aside before, and
    resolving the open entries of the input rows in ``seen`` (source → row number → the
    values the run looked at) that went in this time, when they are the same input
    (``same_input``). So after a run that looked at every row of a source, its open
    entries are exactly what that run set aside: a cell entry of a row now set aside
    whole is closed too (the row's own entry holds the whole row, that cell included,
    and a retry that takes the row in re-opens what still fails). Rows not in ``seen``
    are left alone (a poll of a responses tab sees only its new rows)."""
    ledger = Ledger.of(grid)
    now_set: dict[tuple[str, int, str], Quarantined] = {}
    for q in entries:
        now_set.setdefault(q.key, q)
    ops: list[Op] = []
    for key, q in now_set.items():
        values = entry_values(q)
        old = ledger.current.get(key)
        if old is None:
            row = {"quarantine_id": quarantine_id(key), "at": at, "source": q.source}
            ops.append(AppendRow(QUARANTINE, {**row, "row": q.row, **values, "last_seen": at}))
        else:
            ops += old.set(values, at)
        ops += ledger.close(key, at, keep=True) if old else []
    looked_at = seen or {}
    moved: dict[str, set[str]] = {}  # source → its rows' canonical texts, when needed
    for key, entry in ledger.current.items():
        rows = looked_at.get(entry.source, {})
        current = rows.get(entry.row)
        if key in now_set or current is None:
            continue
        raw = entry.raw()
        if not same_input(raw, current):
            # another row took its number: resolved only if its input is still there,
            # unchanged, at another row (which went in, or has an entry of its own now)
            texts = moved.get(entry.source)
            if texts is None:
                texts = moved[entry.source] = {_canonical(v) for v in rows.values()}
            if raw is None or _canonical(raw) not in texts:
                continue
        ops += ledger.close(key, at, keep=False)
    return [*missing_columns(QUARANTINE, grid, QUARANTINE_COLUMNS), *ops] if ops else []


def audit_row(command: str, summary: Mapping[str, Any], at: dt.datetime) -> AppendRow:
    """The one ``_audit`` row of a writing run."""
    row = {
        "run_id": new_id("A"),
        "at": at,
        "user": user(),
        "host": socket.gethostname(),
        "command": command,
        "summary": json.dumps(summary, ensure_ascii=False, default=str)[:MAX_SUMMARY],
    }
    return AppendRow(AUDIT, row)


def text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def user() -> str:
    try:
        return os.getlogin()
    except OSError:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "unknown"
