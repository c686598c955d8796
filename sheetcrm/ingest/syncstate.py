"""The last-synced state, kept inside the workbook in the hidden ``_sync`` tab.

For every record an import has touched, one row holds a short hash of each field's value
as of that import (``key`` = ``Tab:record_id``, ``fields`` = ``email=3f9a…;city=…``).
Comparing hashes tells, per field, whether the source changed, the sheet changed (a
teammate edited it), or both — the three-way merge — on whichever machine runs next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema
from sheetcrm.model.values import is_blank


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
    """Field hashes per record as of the last import, and the rows they came from."""

    hashes: dict[str, dict[str, str]] = field(default_factory=dict)  # key → field → hash
    stored: dict[str, str] = field(default_factory=dict)  # key → encoded text as read
    present: set[str] = field(default_factory=set)  # keys that have a row in _sync

    @classmethod
    def from_grid(cls, grid: TabGrid | None, schema: Schema) -> SyncState:
        state = cls()
        if grid is None or not grid.rows:
            return state
        hm = map_header(grid, schema["_sync"], allow_missing=True)
        k, f = hm.columns.get("key"), hm.columns.get("fields")
        if k is None or f is None:
            return state
        for row in grid.rows:
            key = row[k] if k < len(row) else None
            if is_blank(key):
                continue
            text = row[f] if f < len(row) else ""
            state.present.add(str(key))
            state.stored[str(key)] = str(text or "")
            state.hashes[str(key)] = decode_hashes(text)
        return state

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
