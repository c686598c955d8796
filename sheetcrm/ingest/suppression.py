"""The suppression list: people ``sheetcrm person forget`` removed, kept only as salted
hashes so a later import does not bring them back (counted as "suppressed", not an error).

It lives in the hidden ``_sync`` tab, beside the sync state (one reader and writer of
``_sync`` rows' format is ``syncstate``; this module owns the ``forget:`` keys):

- ``key`` = ``forget:<hash>``, ``fields`` = ``kind=email`` (or ``phone``), ``at`` = when;
- ``key`` = ``forget-salt``, ``fields`` = the workbook's random salt (hex), written with the
  first entry. A hash of a bare e-mail address can be reversed by guessing addresses; with
  a salt kept in the workbook, the list says nothing to someone who only has a copy of it
  without the salt, and the same person hashes alike on every machine that runs the CRM.

A record is suppressed by its e-mail when it has one; by its phone only when it has no
e-mail. Phones are shared (a family's, a shop's landline) and change hands: a record with
a forgotten phone but an e-mail of its own is someone else. ``person forget`` adds the
phone only when no one kept in the workbook has it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.errors import ValueParseError
from sheetcrm.model.changes import AppendRow, Op
from sheetcrm.model.codecs import CODECS
from sheetcrm.model.grid import TabGrid, header_key
from sheetcrm.model.values import ValueContext, is_blank
from sheetcrm.run.result import Counts, Quarantined

SYNC = "_sync"
PREFIX = "forget:"
SALT_KEY = "forget-salt"
#: The fields that say who a person is, normalised as their codecs parse them.
KINDS = ("email", "phone")
PHONE = CODECS["phone"]


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
        kind = "email" if not is_blank(record.get("email")) else "phone"
        value = record.get(kind)
        return not is_blank(value) and self._hash(kind, value) in self.hashes

    def matches_raw(self, values: Mapping[str, Any], ctx: ValueContext) -> bool:
        """``matches`` for an input row that did not parse: its e-mail is any cell with an
        @ in it, its phone any cell that reads as one (only when it has no e-mail)."""
        if not self.hashes:
            return False
        cells = [str(v).strip() for v in values.values() if not is_blank(v)]
        emails = [c for c in cells if "@" in c]
        if emails:
            return any(self.matches({"email": e}) for e in emails)
        for cell in cells:
            try:
                phone = PHONE.parse(cell, ctx)
            except ValueParseError:
                continue
            if self.matches({"phone": phone}):
                return True
        return False

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


def drop_suppressed(
    parsed: Iterable[tuple[int, dict[str, Any]]],
    quarantine: list[Quarantined],
    grid: TabGrid | None,
    counts: Counts,
    ctx: ValueContext,
) -> list[tuple[int, dict[str, Any]]]:
    """An import's parsed rows less those of forgotten people, each counted in
    ``counts.suppressed`` (a row outcome: the counts still add up). Nothing of theirs goes
    to ``_quarantine`` either: their rows' cell issues are dropped, and a row of theirs
    set aside whole (its raw input names a forgotten e-mail or phone) counts as
    suppressed instead of quarantined."""
    rows = list(parsed)
    suppression = Suppression.from_grid(grid)
    if not suppression.hashes:
        return rows
    gone = {n for n, record in rows if suppression.matches(record)}
    whole = [q for q in quarantine if q.kind == "row" and suppression.matches_raw(q.raw, ctx)]
    counts.suppressed += len(gone) + len(whole)
    counts.quarantined -= len(whole)
    quarantine[:] = [q for q in quarantine if q.row not in gone and q not in whole]
    return [(n, record) for n, record in rows if n not in gone]
