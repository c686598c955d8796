"""``sheetcrm watch``: live intake of form responses, one poll at a time, for as long as it
is left running.

Each poll is one ``WriteRun`` per responses tab: one read (the responses, the target tab,
``_sync`` and the journal tabs), then the rows not taken in before (``responses``) are
imported and marked in ``_sync`` in the same apply — so a poll stopped or cut off never
takes a response in twice (on Google an apply is more than one request: what a poll cut
off did not finish, the next one completes); a poll that finds nothing new writes nothing.
After a poll that changed records, and once a day (overdue flags and recency move with the
date), the injected ``refresh`` recomputes the computed columns.

A poll never refuses responses for being bad: it takes in what it can and sets the rest
aside in ``_quarantine`` (a refused poll would refuse the same rows at every poll). The
spec's ``max_rejected`` therefore only decides whether ``watch --once`` reports them
(``importer.rejected``), never whether they are written.

A ``TransientError`` (the network, a 5xx, a quota) makes the loop back off — exponential
with jitter, capped — and try again; nothing is lost or doubled, because the rows it was
taking in are still unmarked and are read afresh. A ``LockedError`` (another run is
writing) waits one interval. Stopping is asked through ``stop`` and honoured between polls.
The clock, the waiting and the randomness are injected so tests need not wait.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Protocol

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, LockedError, TransientError
from sheetcrm.ingest.importer import FORM_PRESET, ImportSpec, source_table
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.ingest.responses import SYNC, Marks, identify
from sheetcrm.run import RunResult, WriteRun, plural

#: The shortest interval against Google: even a quiet poll costs a few read requests (the
#: first one more, listing the tabs), and a user has 60 a minute for every program they
#: run. Elsewhere (a local workbook, an emulator).
MIN_EVERY_GOOGLE = 10.0
MIN_EVERY_LOCAL = 1.0
BACKOFF_BASE = 5.0  # first wait after a failure (or the interval, if shorter)
BACKOFF_CAP = 15 * 60.0  # longest wait between attempts (or the interval, if longer)

_UNITS = {"s": 1, "m": 60, "h": 3600}


def parse_every(text: str) -> float:
    """``30s``, ``5m``, ``1h``, ``1h30m`` or plain seconds → seconds (ValueError if not)."""
    spec = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", spec):
        return float(spec)
    parts = re.findall(r"(\d+)([hms])", spec)
    if not parts or "".join(n + u for n, u in parts) != spec:
        raise ValueError(f"{text!r} is not a duration (e.g. 30s, 5m, 1h)")
    return float(sum(int(n) * _UNITS[u] for n, u in parts))


def minimum_every(crm: CRM) -> float:
    """The shortest interval allowed for this workbook (see ``MIN_EVERY_GOOGLE``)."""
    google = crm.describe().startswith("https://docs.google.com/")
    return MIN_EVERY_GOOGLE if google else MIN_EVERY_LOCAL


@dataclass
class PollReport:
    """What one poll of one or more responses tabs found and did."""

    seen: int = 0  # non-empty response rows
    new: int = 0  # rows not taken in before
    imported: int = 0  # new records created
    merged: int = 0  # rows that went into an existing record (or another new row)
    quarantined: int = 0
    conflicts: int = 0
    refreshed: bool = False
    results: list[RunResult] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(r.counts.created or r.counts.updated for r in self.results)

    def add(self, new: int, result: RunResult) -> None:
        c = result.counts
        self.new += new
        self.imported += c.created
        self.quarantined += c.quarantined
        self.merged += new - c.created - c.quarantined - c.empty
        self.conflicts += len(result.conflicts)
        self.results.append(result)

    def line(self) -> str:
        text = (
            f"{self.seen} seen, {self.new} new: {self.imported} imported, "
            f"{self.merged} merged, {self.quarantined} quarantined"
        )
        if self.conflicts:
            text += f", {plural(self.conflicts, 'conflict')} (see _conflicts)"
        return text + ("; computed columns refreshed" if self.refreshed else "")


def poll(crm: CRM, source: str, spec: ImportSpec, report: PollReport | None = None) -> PollReport:
    """Take in the new rows of one responses tab (one writing run; see the module doc)."""
    report = report or PollReport()
    with WriteRun(crm, f"watch --from-tab {source}") as run:
        grids = run.read([source, *spec.tabs(crm)])
        table = source_table(crm, grids, source)
        ids = identify(table)
        marks = Marks.from_grid(grids.get(SYNC))
        fresh = marks.fresh(table, ids)
        report.seen += len(ids)
        if not fresh:
            return report
        result = spec.plan(crm, run, SourceTable(table.name, table.columns, fresh))
        bad = {q.row for q in result.quarantine}
        result.changes.extend(marks.record(fresh, ids, bad, crm.clock()))
        report.add(len(fresh), run.apply(result))
    return report


class Stop(Protocol):
    """When to stop, and a wait that a stop request ends early (``threading.Event``)."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass
class Totals:
    """Everything a watch did until it stopped."""

    polls: int = 0
    imported: int = 0
    merged: int = 0
    quarantined: int = 0
    failures: int = 0

    def add(self, report: PollReport) -> None:
        self.polls += 1
        self.imported += report.imported
        self.merged += report.merged
        self.quarantined += report.quarantined

    def line(self) -> str:
        return (
            f"{plural(self.polls, 'poll')}, {self.imported} imported, {self.merged} merged, "
            f"{self.quarantined} quarantined"
            + (f", {plural(self.failures, 'failed attempt')}" if self.failures else "")
        )


@dataclass
class Watch:
    """The loop: poll, report, wait ``every`` seconds, until ``stop`` is set."""

    crm: CRM
    sources: Sequence[str]
    spec: ImportSpec = field(default_factory=lambda: ImportSpec(preset=FORM_PRESET))
    every: float = 300.0
    refresh: Callable[[dt.date], RunResult] | None = None
    stop: Stop = field(default_factory=threading.Event)
    on_poll: Callable[[PollReport], None] = lambda _r: None
    on_wait: Callable[[str], None] = lambda _m: None  # back-off and lock messages
    today: Callable[[], dt.date] | None = None  # None: the workbook's today (CRM.as_of)
    monotonic: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)
    totals: Totals = field(default_factory=Totals)
    _refreshed_on: dt.date | None = None
    _refresh_due: bool = False

    def __post_init__(self) -> None:
        """Refuse an interval below the minimum, or a wrong import option, before polling."""
        least = minimum_every(self.crm)
        if self.every < least:
            raise ConfigError(f"--every must be at least {least:g}s for {self.crm.describe()}")
        self.spec.target(self.crm)

    def _today(self) -> dt.date:
        return self.today() if self.today is not None else self.crm.as_of()

    def poll_once(self) -> PollReport:
        """One poll of every source, then the refresh if one is due."""
        report = PollReport()
        try:
            for source in self.sources:
                poll(self.crm, source, self.spec, report)
        finally:  # what the sources polled before a failure took in still counts
            self.totals.add(report)
            self._refresh_due |= report.changed
        today = self._today()
        self._refresh_due |= self._refreshed_on != today
        if self.refresh is not None and self._refresh_due:
            report.refreshed = self.refresh(today).changed
            self._refresh_due, self._refreshed_on = False, today
        return report

    def backoff(self, failures: int) -> float:
        """Exponential, with jitter (between half and all of it), capped."""
        base = min(BACKOFF_BASE, self.every)
        cap = max(BACKOFF_CAP, self.every)
        return min(cap, base * 2.0 ** (failures - 1)) * self.rng.uniform(0.5, 1.0)

    def run(self, *, once: bool = False) -> Totals:
        """Poll until stopped. ``once``: a single poll, whose failure is raised, and which
        refreshes only if it changed records (cron runs ``refresh`` on its own schedule)."""
        failures = 0
        if once:
            self._refreshed_on = self._today()
        while not self.stop.is_set():
            started = self.monotonic()
            try:
                self.on_poll(self.poll_once())
            except TransientError as exc:
                if once:
                    raise
                failures += 1
                self.totals.failures += 1
                delay = self.backoff(failures)
                self.on_wait(f"{exc}; trying again in {delay:.0f} s (failure {failures})")
                self.stop.wait(delay)
                continue
            except LockedError as exc:
                if once:
                    raise
                self.on_wait(f"{exc}; trying again in {self.every:.0f} s")
                self.stop.wait(self.every)
                continue
            failures = 0
            if once:
                break
            self.stop.wait(max(0.0, self.every - (self.monotonic() - started)))
        return self.totals

    def run_until_signalled(self, on_stop: Callable[[], None] | None = None) -> Totals:
        """``run`` until SIGINT or SIGTERM (see ``stop_on_signals``); ``on_stop`` is called
        at once on the first Ctrl-C, so a person knows the poll under way is being finished."""
        with stop_on_signals(threading.Event(), on_stop) as stop:
            self.stop = stop
            return self.run()


@contextmanager
def stop_on_signals(
    stop: threading.Event, on_stop: Callable[[], None] | None = None
) -> Iterator[threading.Event]:
    """SIGINT and SIGTERM set ``stop`` (the poll under way finishes, then the loop ends);
    SIGINT (a person's Ctrl-C) calls ``on_stop`` too; a second one interrupts at once
    (``KeyboardInterrupt``: a poll cut off before its apply has written nothing). The
    previous handlers come back afterwards."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        if on_stop is not None and signum == signal.SIGINT:
            on_stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
