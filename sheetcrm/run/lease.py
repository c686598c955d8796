"""The workbook's lease in ``_meta``: one writing run at a time across machines.

The local lock (``sheetcrm.lock``) keeps two runs on one machine (or one shared folder)
apart; this lease, in the spreadsheet itself, is what a run on another machine sees. A
``WriteRun`` with something to send:

1. refuses (``LockedError``, exit 5: "another run on HOST since TIME (command); it expires
   at TIME") when what it read holds another run's live lease. A lease is dead when it has
   expired, or comes from this host and its process is gone (or is this very process: its
   local lock says no other run of it is writing);
2. takes the lease in one small apply that expects the lease and the ``writer`` it read, so
   of two hosts that both read "free", only one gets it on a check-then-write backend, and
   a run that another one overtook while it planned stops (``model.meta`` says why);
3. sends its changes in one apply that expects its own lease (a host that took the lease
   meanwhile, because ours looked dead to it, stops us before any record is written) and
   releases the lease in the same apply: one extra write per run, the take.

A run with nothing to change writes nothing, lease included. A workbook without ``_meta``
(one sheetcrm has not set up, e.g. before the first ``init``) has no lease to take: its
one apply just expects that no lease appeared meanwhile. A failed apply releases the lease
when it still can; a killed run leaves a lease that expires after ``LEASE_SECONDS``.

Nothing renews the lease: it is held across one apply only (taken right before it), and
an apply is bounded by the backend's deadlines, well inside the 15 minutes. A run that
overran its lease anyway could have a second host writing beside it, and even then
nothing of either is overwritten: edits carry the value they replace, rows are found by
ID, and a record already there is not appended twice.

Hosts are told apart by name (``socket.gethostname()``): containers must not share one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from sheetcrm.backends.base import Backend
from sheetcrm.errors import LockedError
from sheetcrm.files import alive
from sheetcrm.model.changes import ChangeSet, Expect, Op
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import LEASE_SECONDS, TAB, Lease, Meta
from sheetcrm.model.schema import Schema


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class SheetLease:
    """One run's claim on the workbook's lease: who it is, and the lease it took."""

    command: str
    host: str = field(default_factory=lambda: socket.gethostname())  # looked up per run
    pid: int = field(default_factory=os.getpid)
    seconds: float = LEASE_SECONDS
    clock: Callable[[], dt.datetime] = utc_now
    held: Lease | None = None  # ours, once taken

    def is_dead(self, lease: Lease) -> bool:
        """Expired, or from this host and no process (but this one) holds it."""
        if lease.expired(self.clock()):
            return True
        if lease.host != self.host:
            return False
        return lease.pid == self.pid or not alive(lease.pid)

    def check(self, lease: Lease | None) -> None:
        """``LockedError`` when ``lease`` is another run's live lease."""
        if lease is not None and not self.is_dead(lease):
            raise LockedError(f"locked: {lease.describe()}; nothing was written")

    def guard(
        self, backend: Backend, schema: Schema, grids: dict[str, TabGrid], claim: list[Op]
    ) -> list[Op]:
        """Take the lease (or, without ``_meta``, expect none), checking ``claim``'s
        expectations (the writer's) in the same apply; the operations the main apply then
        carries: expect our lease, and the rest of ``claim``."""
        expects = [op for op in claim if isinstance(op, Expect)]
        puts = [op for op in claim if not isinstance(op, Expect)]
        if TAB not in grids:
            return [*Meta.holds_lease(None), *claim]
        meta = Meta.of(grids)
        self.check(meta.lease())
        mine = Lease.new(self.command, self.host, self.pid, self.clock(), self.seconds)
        try:
            backend.apply(ChangeSet([*expects, *meta.take_lease(mine)]), schema)
        except LockedError as exc:
            raise self.explain(backend, exc) from None
        self.held = mine
        return [*Meta.holds_lease(mine), *puts]

    def release_ops(self) -> list[Op]:
        return Meta.release_lease(self.held) if self.held else []

    def release(self, backend: Backend, schema: Schema) -> None:
        """After a failed apply: blank our lease if we still can (else it expires)."""
        if self.held is None:
            return
        with contextlib.suppress(Exception):
            backend.apply(ChangeSet(self.release_ops()), schema)
        self.held = None

    def explain(self, backend: Backend, exc: LockedError) -> LockedError:
        """The lease that stopped us, said the way a person reads it (one re-read of
        ``_meta``, only when an apply was refused); the original error otherwise."""
        try:
            meta = Meta.of(backend.read([TAB]))
        except Exception:
            return exc
        lease = meta.lease()
        if lease == self.held:
            return exc
        if lease is None:
            return LockedError(
                f"locked: another run wrote to the workbook after this run read it "
                f"({meta.writer() or 'unknown'}); nothing was written — run again"
            )
        return LockedError(f"locked: {lease.describe()}; nothing was written")
