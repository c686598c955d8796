"""One writing run: every command and library call that writes goes through ``WriteRun``.

::

    with WriteRun(crm, "import people.csv", force=force, dry_run=dry_run) as run:
        grids = run.read(["Customers", "_sync"])
        result = plan(grids)  # a RunResult, or just a ChangeSet
        return run.apply(result)

Inside the block the run holds the workbook's lease (``sheetcrm.lock``; a dry run takes
none), so no other sheetcrm run on this machine or folder writes between its read and its
write. ``apply`` then, in this order:

1. adds the journal rows the plan carries (``_quarantine``, ``_conflicts``; IDs derived from
   their content, so a repeated run adds none);
2. refuses to delete or blank more than 10% of a tab without ``force``, and keeps a 0600
   snapshot of the tabs a destructive change touches (``guard``);
3. returns without writing anything when there is nothing to change, or for a dry run;
4. otherwise claims the workbook in ``_meta`` (expecting the writer it read: a run on
   another machine that wrote meanwhile stops this one before anything is written), adds
   the run's one ``_audit`` row, and sends it all in one backend apply;
5. records edits a teammate made between the read and the write as ``_conflicts`` (their
   value stays).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import asdict
from types import TracebackType
from typing import Any, Protocol

from sheetcrm.backends.base import Backend
from sheetcrm.lock import lease
from sheetcrm.model.changes import ChangeSet, SetCell
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import TAB as META
from sheetcrm.model.meta import Meta
from sheetcrm.model.schema import Schema
from sheetcrm.run.guard import check, guard, read_snapshot, write_snapshot
from sheetcrm.run.journal import (
    CONFLICTS,
    QUARANTINE,
    audit_row,
    conflict_rows,
    quarantine_rows,
    stable_id,
)
from sheetcrm.run.result import Conflict, Counts, Quarantined, RunResult, plural

JOURNAL = (META, CONFLICTS, QUARANTINE)  # read by every run; _audit is only appended to
LATE = "sheet value kept (edited during the run)"


class Workbook(Protocol):
    """What a run needs of the CRM it writes to."""

    @property
    def backend(self) -> Backend: ...

    @property
    def schema(self) -> Schema: ...

    def describe(self) -> str: ...

    #: The wall clock for audit, conflict and quarantine stamps (injected so that a
    #: benchmark can make the byte counts of its runs repeat; IDs still differ).
    clock: Callable[[], dt.datetime]


class WriteRun:
    """The lease, the read and the one apply of a writing run (see the module docstring)."""

    def __init__(
        self, crm: Workbook, command: str, *, force: bool = False, dry_run: bool = False
    ) -> None:
        self.crm = crm
        self.command = command
        self.force = force
        self.dry_run = dry_run
        self.grids: dict[str, TabGrid] = {}
        self._read = False
        self._applied = False
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> WriteRun:
        if not self.dry_run:
            self._stack.enter_context(lease(self.crm.describe(), self.command))
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def read(self, tabs: Iterable[str], *, layout: bool = False) -> dict[str, TabGrid]:
        """The tabs the plan needs plus the run's journal tabs, in one read."""
        names = list(dict.fromkeys([*tabs, *JOURNAL]))
        self.grids = self.crm.backend.read(names, layout=layout)
        self._read = True
        return self.grids

    def apply(self, plan: RunResult | ChangeSet) -> RunResult:
        """Journal, guard, claim, audit and send the plan (see the module docstring)."""
        if not self._read or self._applied:
            raise RuntimeError("a WriteRun reads first, then applies once")
        self._applied = True
        result = plan if isinstance(plan, RunResult) else RunResult(self.command, plan)
        result.command, result.dry_run = self.command, self.dry_run
        at = self.crm.clock()
        changes = result.changes
        changes.extend(quarantine_rows(result.quarantine, self.grids.get(QUARANTINE), at))
        changes.extend(conflict_rows(result.conflicts, self.grids.get(CONFLICTS), at))
        result.snapshot = guard(
            self.crm, changes, self.grids, force=self.force, dry_run=self.dry_run
        )
        if self.dry_run or not changes:
            return result
        sent = ChangeSet(list(changes.ops), list(changes.notes))
        sent.extend(Meta.of(self.grids).claim_writer(self._me()))
        audit = audit_row(self.command, summary(result), at)
        result.audit_id = str(audit.values["run_id"])
        sent.add(audit)
        result.report = self.crm.backend.apply(sent, self.crm.schema)
        self._late_conflicts(result)
        return result

    def _me(self) -> str:
        when = self.crm.clock().isoformat(timespec="seconds")
        return f"{self.command} · {socket.gethostname()} pid {os.getpid()} · {when}"

    def _late_conflicts(self, result: RunResult) -> None:
        """Edits a teammate made between our read and our write: their value stayed;
        record each as a conflict (one small extra write, only when it happens)."""
        meanwhile = result.report.changed_meanwhile if result.report else []
        if not meanwhile:
            return
        planned = {
            (op.tab, op.key, op.field): op.value
            for op in result.changes.ops
            if isinstance(op, SetCell)
        }
        late = [
            Conflict(tab, key, name, current, planned.get((tab, key, name)), LATE)
            for tab, key, name, current in meanwhile
        ]
        result.conflicts += late
        extra = ChangeSet(list(conflict_rows(late, self.grids.get(CONFLICTS), self.crm.clock())))
        if extra:
            self.crm.backend.apply(extra, self.crm.schema)


def summary(result: RunResult) -> dict[str, Any]:
    """What the ``_audit`` row says about a run."""
    out: dict[str, Any] = {}
    if result.source:
        out["source"] = result.source
    if result.tab:
        out["tab"] = result.tab
    if result.counts.rows:
        out.update(asdict(result.counts))
    out["changes"] = {k: v for k, v in result.changes.counts().items() if v}
    out["conflicts"] = len(result.conflicts)
    if result.also:
        out["also"] = result.also
    if result.merges:
        out["merges"] = result.merges[:50]
        out["more_merges"] = max(0, len(result.merges) - 50)
    if result.snapshot:
        out["snapshot"] = str(result.snapshot)
    return out


__all__ = [
    "Conflict",
    "Counts",
    "Quarantined",
    "RunResult",
    "Workbook",
    "WriteRun",
    "check",
    "plural",
    "read_snapshot",
    "stable_id",
    "summary",
    "write_snapshot",
]
