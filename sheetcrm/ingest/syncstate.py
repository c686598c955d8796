"""The last-synced state, kept inside the workbook in the hidden ``_sync`` tab.

For every record an import has touched, one row holds a short hash of each field's value
as of that import (``key`` = ``Tab:record_id``, ``fields`` = ``email=3f9a…;city=…``).
Comparing hashes tells, per field, whether the source changed, the sheet changed (a
teammate edited it), or both — the three-way merge — on whichever machine runs next.

The same tab holds the marks of the form-responses rows ``watch`` has taken in
(``key`` = ``row:<tab>:<identity>``, ``fields`` = ``hash=…`` and ``quarantined=1`` when it
was), read and written here too: one parser and one writer for ``_sync``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from sheetcrm.model.changes import AppendRow, Op, SetCell
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema, TabSchema
from sheetcrm.model.tabs import BASE_TABS
from sheetcrm.model.values import is_blank

#: The system tab this module reads and writes (``model.tabs`` defines its columns).
SYNC = "_sync"
#: The key prefix of a responses row's mark (the rest is ``<tab>:<identity>``).
ROW_PREFIX = "row:"
_SYNC_TAB: TabSchema = next(t for t in BASE_TABS if t.name == SYNC)


def canonical(value: Any) -> str:
    """The text a value is hashed as: equal for 1 and 1.0, a date and its midnight."""
    if is_blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def digest(value: Any) -> str:
    return hashlib.sha1(canonical(value).encode()).hexdigest()[:10]


def encode_hashes(hashes: Mapping[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(hashes.items()))


def decode_hashes(text: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in str(text or "").split(";"):
        name, sep, value = part.partition("=")
        if sep:
            out[name] = value
    return out


@dataclass
class SyncState:
    """Field hashes per record as of the last import, the responses rows taken in, and
    which keys have a row in ``_sync`` (so a write updates that row instead of adding one)."""

    marks: dict[str, tuple[str, bool]] = field(default_factory=dict)  # row key → hash, bad
    hashes: dict[str, dict[str, str]] = field(default_factory=dict)  # key → field → hash
    stored: dict[str, str] = field(default_factory=dict)  # key → encoded text as read
    present: set[str] = field(default_factory=set)  # keys that have a row in _sync

    @classmethod
    def from_grid(cls, grid: TabGrid | None, schema: Schema | None = None) -> Self:
        """The state as read from the ``_sync`` grid (absent or empty: nothing synced yet)."""
        state = cls()
        if grid is None or not grid.rows:
            return state
        tab = schema[SYNC] if schema is not None else _SYNC_TAB
        hm = map_header(grid, tab, allow_missing=True)
        k, f = hm.columns.get("key"), hm.columns.get("fields")
        if k is None or f is None:
            return state
        for row in grid.rows:
            key = row[k] if k < len(row) else None
            if is_blank(key):
                continue
            key, text = str(key), str((row[f] if f < len(row) else "") or "")
            state.present.add(key)
            state.stored[key] = text
            state.hashes[key] = decode_hashes(text)
            if key.startswith(ROW_PREFIX):
                fields = state.hashes[key]
                state.marks[key] = (fields.get("hash", ""), fields.get("quarantined") == "1")
        return state

    def write(self, key: str, text: str, at: dt.datetime) -> list[Op]:
        """The one way a ``_sync`` row is written: ``key``'s row updated in place when it
        has one, else appended (and remembered, so a second write in this run updates it)."""
        self.stored[key] = text
        self.hashes[key] = decode_hashes(text)
        if key in self.present:
            return [SetCell(SYNC, key, "fields", text), SetCell(SYNC, key, "at", at)]
        self.present.add(key)
        return [AppendRow(SYNC, {"key": key, "fields": text, "at": at})]

    def is_new(self, key: str, content: str) -> bool:
        """A responses row never taken in, or quarantined and edited since."""
        if key not in self.marks:
            return True
        old, quarantined = self.marks[key]
        return quarantined and old != content

    def mark(self, key: str, content: str, quarantined: bool, at: dt.datetime) -> list[Op]:
        """The writes that mark a responses row as taken in (``quarantined``: it was bad)."""
        values = {"hash": content, **({"quarantined": "1"} if quarantined else {})}
        self.marks[key] = (content, quarantined)
        return self.write(key, encode_hashes(values), at)

    def base(self, tab: str, record_id: str) -> dict[str, str]:
        return self.hashes.get(f"{tab}:{record_id}", {})

    def updated(
        self, tab: str, record_id: str, values: Mapping[str, Any]
    ) -> tuple[str, str] | None:
        """(key, new text) when the stored hashes for these values would change, else None."""
        key = f"{tab}:{record_id}"
        merged = dict(self.hashes.get(key, {}))
        merged.update({name: digest(v) for name, v in values.items()})
        text = encode_hashes(merged)
        if self.stored.get(key) == text:
            return None
        self.hashes[key] = merged
        self.stored[key] = text
        return key, text
