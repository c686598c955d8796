"""The run's journal tabs: ``_audit`` (one row per writing run), ``_conflicts`` and
``_quarantine``. Conflict and quarantine rows get IDs derived from their content, so a
repeated run adds none; audit rows are new each run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Mapping
from typing import Any

from sheetcrm.model.changes import AppendRow
from sheetcrm.model.grid import TabGrid, header_key
from sheetcrm.model.ids import new_id
from sheetcrm.model.values import is_blank
from sheetcrm.run.result import Conflict, Quarantined

AUDIT, CONFLICTS, QUARANTINE = "_audit", "_conflicts", "_quarantine"
MAX_SUMMARY = 45_000  # characters: well under a Sheets cell's 50,000


def stable_id(prefix: str, *parts: Any) -> str:
    """An ID derived from the row itself, so the same row seen twice gets the same ID."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:16].upper()
    return f"{prefix}-F{digest}"


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def existing_ids(grid: TabGrid | None, id_field: str) -> set[str]:
    """The IDs already in a journal tab (its ID column found by name)."""
    if grid is None:
        return set()
    header = [header_key(h) for h in grid.header]
    if id_field not in header:
        return set()
    return {str(v) for v in grid.column(header.index(id_field)) if not is_blank(v)}


def conflict_rows(
    conflicts: Iterable[Conflict], grid: TabGrid | None, at: dt.datetime
) -> list[AppendRow]:
    """An ``_conflicts`` row for each conflict not recorded yet."""
    seen = existing_ids(grid, "conflict_id")
    out = []
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
        }
        out.append(AppendRow(CONFLICTS, row))
    return out


def quarantine_rows(
    entries: Iterable[Quarantined], grid: TabGrid | None, at: dt.datetime
) -> list[AppendRow]:
    """A ``_quarantine`` row for each bad input row not quarantined yet."""
    seen = existing_ids(grid, "quarantine_id")
    out = []
    for q in entries:
        qid = stable_id("Q", q.source, q.row, json.dumps(q.raw, default=str, sort_keys=True))
        if qid in seen:
            continue
        seen.add(qid)
        row = {
            "quarantine_id": qid,
            "at": at,
            "source": q.source,
            "row": q.row,
            "column": q.column,
            "value": text(q.value),
            "reason": q.reason,
            "raw": json.dumps(q.raw, default=str, ensure_ascii=False)[:2000],
        }
        out.append(AppendRow(QUARANTINE, row))
    return out


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
