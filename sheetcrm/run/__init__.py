"""One writing run: every command and library call that writes goes through ``WriteRun``.

::

    with WriteRun(crm, "import people.csv", force=force, dry_run=dry_run) as run:
        grids = run.read(["Customers", "_sync"])
        result = plan(grids)  # a RunResult, or just a ChangeSet
        return run.apply(result)

Inside the block the run holds the local lock (``sheetcrm.lock``; a dry run takes none),
so no other sheetcrm run on this machine or folder writes between its read and its write.
``apply`` then, in this order:

1. adds the journal rows the plan carries: ``_conflicts`` (IDs derived from their content,
   so a repeated run adds none) and ``_quarantine`` (one entry per thing set aside, updated
   or resolved by a later run that looks at the same input row: ``run.journal``);
2. refuses to delete or blank more than 10% of a tab without ``force``, and keeps a 0600
   snapshot of the tabs a destructive change touches (``guard``);
3. returns without writing anything when there is nothing to change, or for a dry run;
4. otherwise takes the workbook's lease in ``_meta`` in one small apply that also expects
   the writer it read (another host's live lease, or a run that wrote meanwhile, stops
   this one before anything is written, exit 5: ``run.lease``), claims ``_meta``'s writer,
   adds the run's one ``_audit`` row, and sends it all in one backend apply that expects
   our lease and releases it;
5. records edits a teammate (or another host) made between the read and the write as
   ``_conflicts`` (their value stays): the loser of a true conflict is this run, and the
   commands that report conflicts exit 4.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict
from types import TracebackType
from typing import Any, Protocol

from sheetcrm.backends.base import Backend
from sheetcrm.config import Config
from sheetcrm.errors import LockedError
from sheetcrm.lock import lease as local_lock
from sheetcrm.model.changes import ChangeSet, SetCell
from sheetcrm.model.diff import labelled
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
from sheetcrm.run.lease import SheetLease
from sheetcrm.run.result import Conflict, Counts, Quarantined, RunResult, plural

JOURNAL = (META, CONFLICTS, QUARANTINE)  # read by every run; _audit is only appended to
LATE = "sheet value kept (edited during the run)"


class Workbook(Protocol):
    """What a run needs of the CRM it writes to."""

    @property
    def backend(self) -> Backend: ...

    @property
    def schema(self) -> Schema: ...

    @property
    def config(self) -> Config: ...

    def describe(self) -> str: ...

    #: The wall clock for audit, conflict and quarantine stamps (injected so that a
    #: benchmark can make the byte counts of its runs repeat; IDs still differ).
    clock: Callable[[], dt.datetime]


class WriteRun:
    """The lease, the read and the one apply of a writing run (see the module docstring)."""

    def __init__(
        self,
        crm: Workbook,
        command: str,
        *,
        force: bool = False,
        dry_run: bool = False,
        snapshot: bool = True,
    ) -> None:
        self.crm = crm
        self.command = command
        self.force = force
        self.dry_run = dry_run
        #: keep a snapshot before a destructive change (off only for ``person forget``,
        #: which asks for confirmation instead: a snapshot would keep the person it removes)
        self.snapshot = snapshot
        self.grids: dict[str, TabGrid] = {}
        self._read = False
        self._applied = False
        self._stack = contextlib.ExitStack()
        #: this run's claim on the workbook's lease (who it is, what it took)
        self.lease = SheetLease(command)

    def __enter__(self) -> WriteRun:
        if not self.dry_run:
            self._stack.enter_context(local_lock(self.crm.describe(), self.command))
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
        changes.ops = labelled(changes.ops, self.crm.schema, self.crm.config.labels)
        journal = self.grids.get(QUARANTINE)
        changes.extend(quarantine_rows(result.quarantine, journal, at, result.rows_seen))
        changes.extend(conflict_rows(result.conflicts, self.grids.get(CONFLICTS), at))
        result.snapshot = guard(
            self.crm,
            changes,
            self.grids,
            force=self.force,
            dry_run=self.dry_run,
            snapshot=self.snapshot,
        )
        if self.dry_run or not changes:
            return result
        backend, schema = self.crm.backend, self.crm.schema
        claim = Meta.of(self.grids).claim_writer(self._me())
        sent = ChangeSet(self.lease.guard(backend, schema, self.grids, claim), list(changes.notes))
        sent.extend(changes.ops)
        audit = audit_row(self.command, summary(result), at)
        sent.add(audit)
        sent.extend(self.lease.release_ops())
        try:
            result.report = backend.apply(sent, schema)
        except LockedError as exc:
            error = self.lease.explain(backend, exc)
            if error is exc:  # not stopped by another lease: ours is still there
                self.lease.release(backend, schema)
            raise error from None
        except BaseException:
            self.lease.release(backend, schema)
            raise
        result.audit_id = str(audit.values["run_id"])
        self._late_conflicts(result)
        return result

    def _me(self) -> str:
        when = self.crm.clock().isoformat(timespec="seconds")
        return f"{self.command} · {self.lease.host} pid {self.lease.pid} · {when}"

    def _late_conflicts(self, result: RunResult) -> None:
        """Edits a teammate made between our read and our write: their value stayed;
        record each as a conflict (one small extra write, only when it happens)."""
        system = {t.name for t in self.crm.schema.system_tabs}
        # a system tab's cell changed meanwhile (a lease taken over) is no one's edit
        report = result.report.changed_meanwhile if result.report else []
        meanwhile = [m for m in report if m[0] not in system]
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
