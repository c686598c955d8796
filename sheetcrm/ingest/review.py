"""Possible duplicates: records that share a phone but not an e-mail, and what teammates
decided about them in ``_conflicts``.

An e-mail address (or the tab's own ID) says who a record is; a phone only suggests it,
since a family or a shop shares one. So a match by phone never joins two records whose
e-mails are both present and differ: the import keeps them apart (both records exist, the
phone on both) and records the pair once in ``_conflicts`` as a ``possible-duplicate``
(``record_id``: the one already there or first in the file; ``field``: the shared key;
``sheet_value`` / ``source_value``: ``"<id> <email>"`` of each; ``resolution``:
``kept apart``). A teammate who finds they are one person writes ``same person`` (or
``same``, any case) into ``resolution``: later imports then merge the other one's input
rows into ``record_id``, where they fill what that record lacks and never change its
e-mail, name or anything else it holds (the other address stays in the ``_conflicts``
row). Any other resolution (``kept apart`` left as is, ``different people``) keeps them
apart without asking again. sheetcrm never deletes a record because of a resolution: the
one made while the pair was kept apart stays (a dry run notes it) until a teammate
deletes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sheetcrm.model.grid import TabGrid, header_key
from sheetcrm.model.ids import KEYS
from sheetcrm.model.values import is_blank
from sheetcrm.run import Conflict
from sheetcrm.run.journal import CONFLICTS

__all__ = [
    "KEPT_APART",
    "MAX_HOLDERS",
    "POSSIBLE_DUPLICATE",
    "SAME_PERSON",
    "Pair",
    "Reviews",
    "clash",
    "email_of",
    "pick",
    "possible_duplicate",
    "weak_keys",
]

POSSIBLE_DUPLICATE = "possible-duplicate"
KEPT_APART = "kept apart"
SAME_PERSON = "same person"
#: Identifying fields that only suggest who a record is (when the tab keys by e-mail too).
WEAK = ("phone",)
#: How many holders of one phone a record is compared with (``ingest.matching``).
MAX_HOLDERS = 25
_SAME = {SAME_PERSON, "same"}
_PUNCTUATION = re.compile(r"[\s.!]+")

T = TypeVar("T")

#: One side of a pair: the record's ID (None while a new one has none yet) and e-mail.
Pair = tuple[str | None, str]


def weak_keys(tab: str) -> tuple[str, ...]:
    """The identifying fields of ``tab`` a match by which must not join two e-mails: its
    phone, on tabs that also key by e-mail (Customers, Leads)."""
    keys = KEYS.get(tab, ())
    return tuple(k for k in keys if k in WEAK) if "email" in keys else ()


def email_of(record: Mapping[str, Any]) -> str:
    """The record's e-mail as compared: trimmed and case-folded, "" when blank."""
    value = record.get("email")
    return "" if is_blank(value) else str(value).strip().casefold()


def clash(a: str, b: str) -> bool:
    """Whether two (compared) e-mails say these are two people: both present, different."""
    return bool(a and b and a != b)


def pick(candidates: list[T], name: str, name_of: Callable[[T], Any]) -> T:
    """The candidate a phone match goes to: the one whose name is the record's, else the
    first (the phone's first holder: the same on every machine)."""
    wanted = name.strip().casefold()
    if wanted:
        for c in candidates:
            if str(name_of(c) or "").strip().casefold() == wanted:
                return c
    return candidates[0]


def describe(rid: str | None, email: Any) -> str:
    """One side of a pair as ``_conflicts`` shows it: ``"<id> <email>"``."""
    return f"{rid or ''} {'' if is_blank(email) else str(email).strip()}".strip()


def _side(text: Any) -> Pair | None:
    """``"<id> <email>"`` read back (None when it is not that shape)."""
    words = str(text or "").split()
    emails = [w for w in words if "@" in w]
    if len(emails) != 1:
        return None
    ids = [w for w in words if "@" not in w]
    return (ids[0] if len(ids) == 1 else None), emails[0].casefold()


@dataclass(frozen=True)
class Verdict:
    """One possible-duplicate row of ``_conflicts``: the pair, and whether a teammate said
    they are one person."""

    tab: str
    record_id: str
    there: Pair
    other: Pair
    same: bool


class Reviews:
    """The possible-duplicate pairs recorded in ``_conflicts`` (read in the run's one read),
    found by their e-mails or by their IDs."""

    def __init__(self, verdicts: Iterable[Verdict] = ()) -> None:
        self._pairs: dict[tuple[str, frozenset[str]], bool] = {}
        self._into: dict[tuple[str, str], str] = {}  # (tab, other's id or e-mail) → record_id
        for v in verdicts:  # later rows win
            (a_id, a_mail), (b_id, b_mail) = v.there, v.other
            self._pairs[(v.tab, frozenset((a_mail, b_mail)))] = v.same
            if a_id and b_id:
                self._pairs[(v.tab, frozenset((a_id, b_id)))] = v.same
            for name in (b_id, b_mail):
                if not name:
                    continue
                if v.same:
                    self._into[(v.tab, name.casefold())] = v.record_id
                else:
                    self._into.pop((v.tab, name.casefold()), None)

    @classmethod
    def of(cls, grids: Mapping[str, TabGrid]) -> Reviews:
        """The pairs in the ``_conflicts`` tab of a run's read (every run reads it)."""
        return cls.from_grid(grids.get(CONFLICTS))

    @classmethod
    def from_grid(cls, grid: TabGrid | None) -> Reviews:
        """The pairs in a ``_conflicts`` grid (absent, or written before ``kind`` existed:
        rows whose two values read as ``"<id> <email>"`` and whose field is a phone)."""
        if grid is None or not grid.rows:
            return cls()
        header = {header_key(h): i for i, h in enumerate(grid.header) if not is_blank(h)}
        needed = ("tab", "record_id", "field", "sheet_value", "source_value", "resolution")
        if any(n not in header for n in needed):
            return cls()
        verdicts = []
        for r in range(len(grid.rows)):
            cell = {n: grid.cell(r, i) for n, i in header.items()}
            kind = str(cell.get("kind") or "").strip()
            if kind not in ("", POSSIBLE_DUPLICATE):
                continue
            there, other = _side(cell["sheet_value"]), _side(cell["source_value"])
            rid = str(cell["record_id"] or "").strip()
            if there is None or other is None or not rid:
                continue
            if not kind and str(cell["field"] or "").strip() not in WEAK:
                continue
            resolution = _PUNCTUATION.sub(" ", str(cell["resolution"] or "")).strip()
            verdicts.append(
                Verdict(str(cell["tab"] or ""), rid, there, other, resolution.casefold() in _SAME)
            )
        return cls(verdicts)

    def verdict(self, tab: str, a: Pair, b: Pair) -> bool | None:
        """True when a teammate said the pair is one person, False when they are known to
        be two (reviewed, or waiting for review), None when the pair was never recorded."""
        found = self._pairs.get((tab, frozenset((a[1], b[1]))))
        if found is None and a[0] and b[0]:
            found = self._pairs.get((tab, frozenset((a[0], b[0]))))
        return found

    def merged_into(self, tab: str, rid: str | None, email: str) -> str | None:
        """The record a ``same person`` verdict merges the record ``rid`` (or the e-mail
        ``email``) into, if any."""
        for name in (rid, email):
            if name and (tab, name.casefold()) in self._into:
                return self._into[(tab, name.casefold())]
        return None


def possible_duplicate(
    tab: str, field: str, there: str, there_email: Any, other: str, other_email: Any
) -> Conflict:
    """The ``_conflicts`` entry of a pair kept apart: ``there`` is the record already there
    (or first in the file), ``other`` the one kept apart from it."""
    return Conflict(
        tab,
        there,
        field,
        describe(there, there_email),
        describe(other, other_email),
        KEPT_APART,
        kind=POSSIBLE_DUPLICATE,
    )
