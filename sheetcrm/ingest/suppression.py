"""The suppression list: people ``sheetcrm person forget`` removed, kept only as salted
hashes so a later import does not bring them back (counted as "suppressed", not an error).

It lives in the hidden ``_sync`` tab, beside the sync state (one reader and writer of
``_sync`` rows' format is ``syncstate``; this module owns the ``forget:`` keys):

- ``key`` = ``forget:<hash>``, ``fields`` = ``kind=email`` (or ``phone``), ``at`` = when;
- ``key`` = ``forget-salt``, ``fields`` = the workbook's random salt (hex), written with the
  first entry. A hash of a bare e-mail address can be reversed by guessing addresses; with
  a salt kept in the workbook, the list says nothing to someone who only has a copy of it
  without the salt, and the same person hashes alike on every machine that runs the CRM.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.model.changes import AppendRow, Op
from sheetcrm.model.grid import TabGrid, header_key
from sheetcrm.model.values import is_blank

SYNC = "_sync"
PREFIX = "forget:"
SALT_KEY = "forget-salt"
#: The fields that say who a person is, normalised as their codecs parse them.
KINDS = ("email", "phone")


@dataclass
class Suppression:
    """The salted hashes of forgotten people's e-mails and phones."""

    salt: str = ""
    hashes: set[str] = field(default_factory=set)
    new_salt: bool = False  # the salt was made now: it must be written with the first entry

    @classmethod
    def from_grid(cls, grid: TabGrid | None) -> Suppression:
        """The list as the ``_sync`` tab holds it (empty when there is none)."""
        found = cls()
        if grid is None:
            return found
        header = [header_key(h) for h in grid.header]
        if "key" not in header or "fields" not in header:
            return found
        k, f = header.index("key"), header.index("fields")
        for row in grid.rows:
            key = str(row[k]) if k < len(row) and not is_blank(row[k]) else ""
            if key == SALT_KEY and f < len(row) and not is_blank(row[f]):
                found.salt = str(row[f]).strip()
            elif key.startswith(PREFIX):
                found.hashes.add(key[len(PREFIX) :])
        return found

    def _hash(self, kind: str, value: Any) -> str:
        text = f"{self.salt}\x1f{kind}\x1f{str(value).strip().casefold()}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def matches(self, record: Mapping[str, Any]) -> bool:
        """True when the parsed ``record``'s e-mail or phone belongs to a forgotten person."""
        if not self.hashes:
            return False
        return any(
            not is_blank(record.get(kind)) and self._hash(kind, record[kind]) in self.hashes
            for kind in KINDS
        )

    def add(self, record: Mapping[str, Any], at: dt.datetime) -> list[Op]:
        """The ``_sync`` rows that suppress ``record``'s e-mail and phone from now on."""
        ops: list[Op] = []
        if not self.salt:
            self.salt, self.new_salt = secrets.token_hex(16), True
            ops.append(AppendRow(SYNC, {"key": SALT_KEY, "fields": self.salt, "at": at}))
        for kind in KINDS:
            value = record.get(kind)
            if is_blank(value):
                continue
            digest = self._hash(kind, value)
            if digest in self.hashes:
                continue
            self.hashes.add(digest)
            ops.append(
                AppendRow(SYNC, {"key": PREFIX + digest, "fields": f"kind={kind}", "at": at})
            )
        return ops
