"""What a writing run returns: one type for every command and library call that writes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sheetcrm.backends.base import ApplyReport
from sheetcrm.model import shape
from sheetcrm.model.changes import ChangeSet


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows`` (``many`` for irregular plurals)."""
    return f"{n} {one if n == 1 else many or one + 's'}"


@dataclass
class Counts:
    """Where every input record went; the categories add up to ``rows``."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    merged: int = 0
    duplicates: int = 0
    unchanged: int = 0
    empty: int = 0
    suppressed: int = 0  # people a ``person forget`` asked never to bring back
    quarantined: int = 0  # whole rows set aside (cells set aside are not a row outcome)
    #: optional cells left blank and set aside in rows that went in (those rows are
    #: counted where they went: created, updated…)
    cells_set_aside: int = 0

    def accounted(self) -> int:
        return sum(v for k, v in asdict(self).items() if k not in _NOT_OUTCOMES)

    def line(self) -> str:
        parts = [f"{v} {k}" for k, v in asdict(self).items() if k not in _NOT_OUTCOMES and v]
        text = f"{plural(self.rows, 'row')}: " + (", ".join(parts) or "nothing")
        cells = self.cells_set_aside
        return text + (f"; {plural(cells, 'cell')} set aside" if cells else "")


_NOT_OUTCOMES = ("rows", "cells_set_aside")  # Counts fields that are not where a row went


@dataclass(frozen=True)
class Conflict:
    """A field both a teammate and the input changed, and which value was kept."""

    tab: str
    record_id: str
    field: str
    sheet_value: Any
    source_value: Any
    resolution: str
    kind: str = "edit"  # edit · formula · possible-duplicate


@dataclass(frozen=True)
class Quarantined:
    """Input that could not be used, and why (kept in ``_quarantine``): a whole row
    (``kind="row"``: its identity or a required field is unusable) or one optional cell
    (``kind="cell"``: the row was imported with that cell left blank)."""

    source: str
    row: int
    column: str
    value: Any
    reason: str
    raw: dict[str, Any]
    kind: str = "row"  # row · cell
    tab: str = ""  # the tab the row was for
    spec: dict[str, Any] = field(default_factory=dict)  # how it was imported (for retry)

    @property
    def key(self) -> tuple[str, int, str]:
        """What the entry is about, stable across runs: source + row (+ column for a cell)."""
        return (self.source, self.row, self.column if self.kind == "cell" else "")


@dataclass
class RunResult:
    """What a writing run planned and, unless it was a dry run, what it wrote.

    ``changes`` is the command's own plan (records, layout, journal rows); the run adds its
    bookkeeping (writer claim, audit row) only when there is something to write, and
    sends both in one apply. ``report`` is None when nothing was sent.
    """

    command: str
    changes: ChangeSet = field(default_factory=ChangeSet)
    dry_run: bool = False
    source: str = ""  # where the records came from: a file, a tab, a snapshot
    tab: str = ""  # the tab they went into
    counts: Counts = field(default_factory=Counts)
    conflicts: list[Conflict] = field(default_factory=list)
    quarantine: list[Quarantined] = field(default_factory=list)
    #: source → row number → values of the input rows this run looked at: an open
    #: ``_quarantine`` entry of one of them (the same input) not set aside again went in
    rows_seen: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)
    also: dict[str, str] = field(default_factory=dict)  # other tabs touched → summary
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)  # e.g. per segment
    report: ApplyReport | None = None
    snapshot: Path | None = None  # written before a destructive change
    audit_id: str | None = None
    #: the preset the rows were read with, and how it was chosen when ``--preset`` did
    #: not name it ("looks like a Flipkart orders report")
    preset: str | None = None
    detected: str = ""
    #: rows of the input that are not records, left out by the preset and said so
    #: ("row 7 is a totals row (Total: Account), left out")
    left_out: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def requests(self) -> int:
        return self.report.requests if self.report else 0

    @property
    def bytes_sent(self) -> int:
        return self.report.bytes_sent if self.report else 0

    @property
    def skipped(self) -> list[str]:
        """Edits the backend left alone (formula cells, rows deleted or edited meanwhile)."""
        return self.report.skipped if self.report else []

    def to_dict(self) -> dict[str, Any]:
        """The run as ``--format json`` prints it (``schema: sheetcrm.run``, version 1; the
        README's "Scripting" section documents every key). A dry run carries its plan."""
        body: dict[str, Any] = {
            "command": self.command,
            "dry_run": self.dry_run,
            "source": self.source or None,
            "tab": self.tab or None,
            "counts": asdict(self.counts),
            "changes": self.changes.counts(),
            "quarantine": [_quarantined(q) for q in self.quarantine],
            "conflicts": self.conflicts,  # every field (``shape.jsonable``)
            "ignored_columns": self.ignored_columns,
            "merges": self.merges,
            "also": self.also,
            "breakdown": self.breakdown,
            "snapshot": self.snapshot,
            "skipped": self.skipped,
            "requests": self.requests,
            "bytes_sent": self.bytes_sent,
            "audit_id": self.audit_id,
            "preset": self.preset,
            "detected": self.detected or None,
            "left_out": self.left_out,
        }
        if self.dry_run:
            body["plan"] = shape.plan(self.changes)
        return shape.document("run", body)


def _quarantined(q: Quarantined) -> dict[str, Any]:
    """One set-aside row or cell, without its raw row (that stays in ``_quarantine``)."""
    return {
        "kind": q.kind,
        "source": q.source,
        "tab": q.tab or None,
        "row": q.row,
        "column": q.column or None,
        "value": q.value,
        "reason": q.reason,
    }
