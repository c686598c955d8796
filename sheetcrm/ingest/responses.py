"""Which rows of a form-responses tab are new: each row's identity, and the marks the
``watch`` keeps for the rows it has taken in, in the workbook's ``_sync`` tab.

A row is identified by the form's **Timestamp** (the moment Google Forms wrote it) and,
for rows sharing a timestamp, its place among them — not by its row number, and not by
its content:

- row numbers move when a teammate sorts, filters or deletes rows of the responses tab,
  so a new row could take the number of one already seen and never be imported;
- the content changes when a teammate fixes a typo in a response, and that row must not
  come back as a new one (content is kept beside the key, as a hash, for this reason).

A row without a timestamp (a tab typed by hand) falls back to its content hash: editing
it makes it new again, and the import then merges it into the record it made (by e-mail
or phone) rather than losing anything. A row that was quarantined is tried again once
its content changes (someone fixed the bad value); rows imported stay imported.

Marks live in ``_sync`` next to the import's field hashes, as ``row:<tab>:<identity>``
keys, so another machine, or this one after a restart, continues where the last run left
off; they are written in the same apply as the records they stand for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sheetcrm.ingest.mapping import TIMESTAMP_HEADERS
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.ingest.syncstate import ROW_PREFIX, SYNC, SyncState, canonical, digest
from sheetcrm.model.changes import Op
from sheetcrm.model.values import is_blank, normalize_token

__all__ = ["SYNC", "Marks", "RowId", "content_hash", "identify", "timestamp_column"]


def timestamp_column(columns: Iterable[str]) -> str | None:
    """The column Google Forms writes the submission time to (in any of its languages)."""
    wanted = {normalize_token(h) for h in TIMESTAMP_HEADERS}
    return next((c for c in columns if normalize_token(c) in wanted), None)


def content_hash(row: SourceRow) -> str:
    return digest("\x1f".join(canonical(v) for v in row.values.values()))


@dataclass(frozen=True)
class RowId:
    """A responses row's key in ``_sync`` and the hash of its content now."""

    key: str
    hash: str


def identify(table: SourceTable) -> dict[int, RowId]:
    """Row number → identity, for every non-empty row (see the module docstring)."""
    stamp_col = timestamp_column(table.columns)
    ordinal: dict[str, int] = {}
    out: dict[int, RowId] = {}
    for row in table:
        if row.empty:
            continue
        h = content_hash(row)
        stamp = row.values.get(stamp_col) if stamp_col else None
        base = canonical(stamp) if not is_blank(stamp) else f"#{h}"
        ordinal[base] = ordinal.get(base, 0) + 1
        out[row.number] = RowId(f"{ROW_PREFIX}{table.name}:{base}.{ordinal[base]}", h)
    return out


class Marks(SyncState):
    """The ``_sync`` state seen from a responses tab: which of its rows are new, and the
    marks that take them in (kept on ``SyncState.marks``, written by ``SyncState.mark``)."""

    def fresh(self, table: SourceTable, ids: Mapping[int, RowId]) -> list[SourceRow]:
        return [row for row in table if row.number in ids and self.is_new(*_key(ids[row.number]))]

    def record(
        self, rows: Iterable[SourceRow], ids: Mapping[int, RowId], bad: set[int], at: dt.datetime
    ) -> list[Op]:
        """The ``_sync`` writes that mark ``rows`` as taken in (``bad``: quarantined)."""
        ops: list[Op] = []
        for row in rows:
            ops += self.mark(*_key(ids[row.number]), row.number in bad, at)
        return ops


def _key(rid: RowId) -> tuple[str, str]:
    return rid.key, rid.hash
