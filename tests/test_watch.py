"""``sheetcrm watch``: live intake of form responses.

The library loop runs on a memory workbook with an injected clock, waits and randomness
(nothing sleeps); the command runs as a person runs it, a separate process against the
Sheets API emulator over loopback HTTP, while a teammate (gspread) adds responses
between polls and the emulator fails, drops and refuses requests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import queue
import random
import re
import signal
import socket
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import run_sheetcrm

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.cli import cli
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import EXIT_CONFIG, EXIT_USAGE, TransientError
from sheetcrm.ingest.importer import ImportSpec, import_from_tab
from sheetcrm.ingest.readers import table_from_grid
from sheetcrm.ingest.responses import Marks, identify
from sheetcrm.ingest.watch import Watch, parse_every, poll
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.values import ValueContext
from sheetcrm.run import RunResult

FORM = "Form Responses 1"
HEADER = ["Timestamp", "Email Address", "Your name", "Phone number", "Message"]
ANA = ["2025-10-04 10:00:00", "ana@example.com", "Ana", "+44 7400 123456", "Do you ship?"]
BEN = ["2025-10-04 11:30:00", "ben@example.com", "Ben", "", ""]
ANA_AGAIN = ["2025-10-05 09:00:00", "ana@example.com", "Ana", "", "Do you ship?"]  # resubmitted
BAD = ["2025-10-05 09:30:00", "not-an-email", "Cy", "", ""]

# -- the library: identity of response rows ---------------------------------------------


def table(*rows: list[object]):
    return table_from_grid(FORM, HEADER, [list(r) for r in rows])


def test_parse_every():
    assert [parse_every(t) for t in ("30s", "5m", "1h", "1h30m", "90", " 2M ")] == [
        30,
        300,
        3600,
        5400,
        90,
        120,
    ]
    for bad in ("", "5x", "m5", "1.5m", "-3s", "5m 2s"):
        with pytest.raises(ValueError):
            parse_every(bad)


def test_a_row_keeps_its_identity_when_rows_are_sorted_deleted_or_edited():
    ids = identify(table(ANA, BEN, BAD))
    keys = {ids[n].key for n in ids}
    marks = Marks({rid.key: (rid.hash, False) for rid in ids.values()})
    shuffled = table(BAD, BEN)  # Ana's row deleted, the rest sorted the other way
    assert marks.fresh(shuffled, identify(shuffled)) == []
    edited = table([*BEN[:4], "typo fixed"], ANA)
    assert marks.fresh(edited, identify(edited)) == []  # an edit is not a new submission
    grown = table(BEN, ANA, ANA_AGAIN)
    assert [r.values["Timestamp"] for r in marks.fresh(grown, identify(grown))] == [ANA_AGAIN[0]]
    assert all(k.startswith(f"row:{FORM}:2025-10-0") for k in keys)


def test_rows_sharing_a_timestamp_or_lacking_one_are_told_apart():
    same = [ANA[0], "x@example.com", "X", "", ""]
    blank = ["", "y@example.com", "Y", "", ""]
    ids = identify(table(ANA, same, blank, blank))
    assert len({rid.key for rid in ids.values()}) == 4
    assert ids[2].key.endswith(".1") and ids[3].key.endswith(".2")
    assert "#" in ids[4].key and ids[4].key != ids[5].key


def test_persian_and_bengali_form_headers_are_a_google_form():
    fa = table_from_grid(
        "پاسخ‌های فرم ۱", ["مهر زمان", "نشانی ایمیل", "نام"], [["t1", "a@b.ir", "سارا"]]
    )
    bn = table_from_grid(
        "ফর্মের উত্তর ১", ["টাইমস্ট্যাম্প", "ইমেল ঠিকানা", "নাম"], [["t2", "c@d.bd", "রহিম"]]
    )
    assert identify(fa)[2].key == "row:پاسخ‌های فرم ۱:t1.1"
    assert identify(bn)[2].key == "row:ফর্মের উত্তর ১:t2.1"


# -- the library: polls on a memory workbook ----------------------------------------------


def memory_crm() -> tuple[CRM, MemoryBackend]:
    backend = MemoryBackend()
    crm = CRM(backend=backend, config=Config(values=ValueContext(region="GB")))
    crm.init()
    backend.tabs[FORM] = TabGrid(FORM, list(HEADER), [])
    return crm, backend


def respond(backend: MemoryBackend, *rows: list[object], tab: str = FORM) -> None:
    """A form submission: Google Forms appends a row to the responses tab."""
    backend.tabs[tab].rows.extend(list(r) for r in rows)


def leads(crm: CRM) -> list[str]:
    return sorted(crm.frame("Leads")["email"])


def sync_keys(crm: CRM) -> list[str]:
    return [k for k in crm.frame("_sync")["key"] if k.startswith("row:")]


def test_a_poll_takes_in_only_new_rows_and_a_restart_continues(monkeypatch):
    crm, backend = memory_crm()
    respond(backend, ANA, BEN)
    first = poll(crm, FORM, ImportSpec(preset="google-form"))
    assert (first.seen, first.new, first.imported, first.merged) == (2, 2, 2, 0)
    respond(backend, ANA_AGAIN, BAD)
    again = CRM(backend=backend, config=crm.config)  # a restart, or another machine
    second = poll(again, FORM, ImportSpec(preset="google-form"))
    assert (second.seen, second.new, second.imported) == (4, 2, 0)
    assert (second.merged, second.quarantined) == (1, 1)
    assert leads(crm) == ["ana@example.com", "ben@example.com"]
    quiet = poll(again, FORM, ImportSpec(preset="google-form"))
    assert (quiet.new, quiet.results) == (0, [])
    assert len(sync_keys(crm)) == 4 and len(crm.frame("_quarantine")) == 1
    audit = list(crm.frame("_audit")["command"])
    assert audit.count(f"watch --from-tab {FORM}") == 2  # the quiet poll wrote nothing


def test_a_quarantined_row_is_tried_again_once_someone_fixes_it():
    crm, backend = memory_crm()
    respond(backend, BAD)
    assert poll(crm, FORM, ImportSpec(preset="google-form")).quarantined == 1
    assert poll(crm, FORM, ImportSpec(preset="google-form")).new == 0
    backend.tabs[FORM].rows[0][1] = "cy@example.com"  # a teammate fixes the address
    fixed = poll(crm, FORM, ImportSpec(preset="google-form"))
    assert (fixed.new, fixed.imported) == (1, 1)
    assert leads(crm) == ["cy@example.com"] and len(sync_keys(crm)) == 1


def test_import_from_tab_and_watch_agree_on_the_records():
    crm, backend = memory_crm()
    respond(backend, ANA, BEN, ANA_AGAIN)
    import_from_tab(crm, FORM)  # a one-off import first: the watch then merges into it
    report = poll(crm, FORM, ImportSpec(preset="google-form"))
    assert (report.new, report.imported, report.merged) == (3, 0, 3)
    assert leads(crm) == ["ana@example.com", "ben@example.com"]


def test_a_resubmission_updates_its_lead_on_every_backend_without_a_conflict(harness, crm):
    from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet
    from sheetcrm.model.schema import Field, Schema, TabSchema

    tabs = dict(crm.schema.tabs)
    tabs[FORM] = TabSchema(FORM, "F", tuple(Field(h) for h in HEADER))
    rows = [AppendRow(FORM, dict(zip(HEADER, r, strict=True))) for r in (ANA, BEN)]
    crm.backend.apply(ChangeSet([AddTab(FORM, tuple(HEADER)), *rows]), Schema(tabs))
    assert poll(crm, FORM, ImportSpec(preset="google-form")).imported == 2
    crm.backend.apply(
        ChangeSet([AppendRow(FORM, dict(zip(HEADER, ANA_AGAIN, strict=True)))]), Schema(tabs)
    )
    again = poll(crm, FORM, ImportSpec(preset="google-form"))
    assert (again.seen, again.new, again.merged, again.conflicts) == (3, 1, 1, 0)
    ana = crm.frame("Leads").set_index("email").loc["ana@example.com"]
    assert ana["contact_date"] == dt.date(2025, 10, 5)


# -- the library: the loop, with an injected clock -----------------------------------------


class Clock:
    """Monotonic time that moves only when the loop waits; stops after ``polls`` waits."""

    def __init__(self, stop_after: int) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.stop_after = stop_after
        self.between: list = []  # callables run at the n-th wait (a teammate's hands)

    def monotonic(self) -> float:
        return self.now

    def is_set(self) -> bool:
        return len(self.waits) >= self.stop_after

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(float(timeout or 0))
        self.now += float(timeout or 0)
        if self.between:
            self.between.pop(0)()
        return self.is_set()


class Flaky(MemoryBackend):
    """A memory workbook whose next reads or applies fail as the network would."""

    def __init__(self, tabs: dict[str, TabGrid]) -> None:
        super().__init__()
        self.tabs = tabs
        self.failures: list[str] = []  # "read" or "apply", consumed in order

    def _maybe_fail(self, what: str) -> None:
        if self.failures and self.failures[0] == what:
            self.failures.pop(0)
            raise TransientError("cannot reach Google (offline?)")

    def read(self, tabs=None, *, layout=False, values_only=False, maybe_missing=()):
        self._maybe_fail("read")
        return super().read(tabs, layout=layout, values_only=values_only)

    def apply(self, changes, schema):
        self._maybe_fail("apply")
        return super().apply(changes, schema)


def test_the_loop_backs_off_and_resumes_without_doubling_a_row():
    crm, backend = memory_crm()
    flaky = Flaky(backend.tabs)
    crm = CRM(backend=flaky, config=crm.config)
    respond(flaky, ANA)
    clock = Clock(stop_after=8)
    clock.between = [
        lambda: respond(flaky, BEN, BAD),
        lambda: flaky.failures.extend(["read", "apply", "read", "read"]),
        lambda: respond(flaky, ANA_AGAIN),
    ]
    messages: list[str] = []
    refreshed: list[dt.date] = []
    loop = Watch(
        crm,
        [FORM],
        ImportSpec(preset="google-form"),
        every=60,
        refresh=lambda day: refreshed.append(day) or RunResult("refresh"),
        stop=clock,
        on_wait=messages.append,
        monotonic=clock.monotonic,
        today=lambda: dt.date(2025, 10, 6),
        rng=random.Random(7),
    )
    totals = loop.run()
    assert (totals.imported, totals.merged, totals.quarantined, totals.failures) == (2, 1, 1, 4)
    assert leads(crm) == ["ana@example.com", "ben@example.com"]
    assert len(sync_keys(crm)) == 4 and len(crm.frame("_quarantine")) == 1
    assert len(messages) == 4 and all("trying again in" in m for m in messages)
    # after 1, 2, 3, 4 failures: 5 s · 2ⁿ⁻¹, each between half and all of it
    backoffs = clock.waits[2:6]
    assert [lo / 2 <= w <= lo for w, lo in zip(backoffs, [5, 10, 20, 40], strict=True)] == [
        True
    ] * 4
    assert refreshed == [dt.date(2025, 10, 6)] * 3  # the first poll, then each that changed


def test_two_machines_watching_one_sheet_take_each_row_in_once():
    crm, backend = memory_crm()
    respond(backend, ANA, BEN)

    class OtherMachine(MemoryBackend):
        def describe(self) -> str:
            return "the same workbook, seen from another machine"  # a lease of its own

    class Racing(MemoryBackend):
        """The other machine polls between this one's read and its write."""

        raced = False

        def apply(self, changes, schema):
            if not self.raced:
                self.raced = True
                other = OtherMachine()
                other.tabs = self.tabs
                poll(CRM(backend=other, config=crm.config), FORM, ImportSpec(preset="google-form"))
            return super().apply(changes, schema)

    racing = Racing()
    racing.tabs = backend.tabs
    clock = Clock(stop_after=2)
    messages: list[str] = []
    loop = Watch(
        CRM(backend=racing, config=crm.config),
        [FORM],
        every=60,
        stop=clock,
        on_wait=messages.append,
        monotonic=clock.monotonic,
    )
    totals = loop.run()
    assert totals.imported == 0 and len(messages) == 1 and "another run" in messages[0]
    assert leads(crm) == ["ana@example.com", "ben@example.com"] and len(sync_keys(crm)) == 2


def test_the_backoff_is_capped_and_never_longer_than_needed():
    loop = Watch(CRM(backend=MemoryBackend()), [FORM], every=30, rng=random.Random(1))
    waits = [loop.backoff(n) for n in range(1, 20)]
    assert max(waits) <= 15 * 60 and waits[-1] >= 15 * 60 / 2
    assert all(w <= 1 for w in [Watch(loop.crm, [FORM], every=1).backoff(1)])


def test_a_stop_during_a_poll_ends_the_loop_after_it():
    crm, backend = memory_crm()
    respond(backend, ANA, BEN)
    stop = threading.Event()
    loop = Watch(crm, [FORM], ImportSpec(preset="google-form"), every=60, stop=stop)
    loop.on_poll = lambda report: stop.set()  # Ctrl-C while the first poll runs
    totals = loop.run()
    assert (totals.polls, totals.imported) == (1, 2)


def test_an_interrupted_poll_writes_nothing():
    crm, backend = memory_crm()
    respond(backend, ANA)
    before = json.dumps({n: t.rows for n, t in backend.tabs.items()}, default=str)

    class Interrupted(MemoryBackend):
        def apply(self, changes, schema):
            raise KeyboardInterrupt  # the second Ctrl-C, just before the write

    cut = Interrupted()
    cut.tabs = backend.tabs
    with pytest.raises(KeyboardInterrupt):
        poll(CRM(backend=cut, config=crm.config), FORM, ImportSpec(preset="google-form"))
    assert json.dumps({n: t.rows for n, t in backend.tabs.items()}, default=str) == before
    assert poll(crm, FORM, ImportSpec(preset="google-form")).imported == 1  # the lease is free


def test_a_stalled_connection_fails_and_is_retried_instead_of_hanging(monkeypatch):
    """A network that stops answering without closing (Wi-Fi gone mid-request) must end
    in a TransientError the loop backs off from, not block a poll for ever."""
    from sheetcrm.backends.gsheets import backend as gsheets
    from sheetcrm.backends.gsheets.retry import RetryPolicy

    with socket.socket() as stalled:  # connections are accepted, and never answered
        stalled.bind(("127.0.0.1", 0))
        stalled.listen(16)
        monkeypatch.setenv("SHEETCRM_API_ENDPOINT", f"http://127.0.0.1:{stalled.getsockname()[1]}")
        monkeypatch.setattr(gsheets, "TIMEOUT", (2.0, 0.2))
        book = gsheets.GSheetsBackend.open("1" + "x" * 43)
        book.retry = RetryPolicy(attempts=3, sleep=lambda _s: None)
        with pytest.raises(TransientError):
            book.read(["Leads"])
        assert book.requests == 3


# -- the command on a local workbook --------------------------------------------------------


@pytest.fixture
def local(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["init", "-q"]).exit_code == 0
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    sheet = book.create_sheet(FORM)
    for row in (HEADER, ANA, BEN, BAD):
        sheet.append(row)
    book.save(tmp_path / "crm.xlsx")
    return runner


def test_watch_once_on_a_workbook_then_nothing_new(local):
    out = local.invoke(cli, ["watch", "--from-tab", FORM, "--once"])
    assert out.exit_code == 8, out.output  # a response set aside: cron must know
    assert "3 seen, 3 new: 2 imported, 0 merged, 1 quarantined" in out.output
    out = local.invoke(cli, ["watch", "--from-tab", FORM, "--once"])
    assert out.exit_code == 0 and "3 seen, 0 new" in out.output, out.output
    assert local.invoke(cli, ["-q", "watch", "--from-tab", FORM, "--once"]).output == ""


def test_sigterm_stops_a_running_watch_between_polls(local, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SHEETCRM_CONFIG", None)
    watch = Process(["watch", "--from-tab", FORM, "--every", "1s"], env, tmp_path)
    assert "3 seen, 3 new" in watch.until(" seen")
    watch.until("3 seen, 0 new")  # it keeps polling
    watch.popen.send_signal(signal.SIGTERM)
    assert watch.popen.wait(timeout=60) == 0
    assert watch.rest("out")[-1].startswith("Stopped: "), watch.seen
    assert watch.rest("err") == []


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--every", "5x"], EXIT_USAGE, "is not a duration"),
        (["--every", "0s"], EXIT_CONFIG, "--every must be at least 1s"),
        (["--preset", "mailchimp", "--tab", "_audit"], EXIT_CONFIG, "kept by sheetcrm"),
        ([], EXIT_USAGE, "Missing option '--from-tab'"),
    ],
)
def test_watch_refuses_bad_options_in_one_line(local, args, code, says):
    from_tab = [] if not args else ["--from-tab", FORM]
    out = local.invoke(cli, ["watch", *from_tab, *args, "--once"])
    assert out.exit_code == code and says in out.output, out.output


# -- the command as a person runs it: a process against the emulator over HTTP -------------

FA = "پاسخ‌های فرم ۱"
FA_HEADER = ["مهر زمان", "نشانی ایمیل", "نام و نام خانوادگی", "شماره تلفن", "توضیحات"]
SARA = [
    "۲۰۲۵-۱۰-۰۴ ۰۹:۱۵:۰۰",
    "sara@example.ir",
    "سارا محمدی",
    "+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹",
    "ارسال به شیراز؟",
]
BN = "ফর্মের উত্তর ১"
BN_HEADER = ["টাইমস্ট্যাম্প", "ইমেল ঠিকানা", "নাম", "ফোন নম্বর", "মন্তব্য"]
RAHIM = ["2025-10-05 12:00:00", "rahim@example.com", "রহিম উদ্দিন", "+৮৮০ ১৭১১ ০০০০০০", "দাম কত?"]


def person(day: int, name: str) -> list[str]:
    return [f"2025-10-{day:02d} 08:00:00", f"{name.lower()}@example.com", name, "", ""]


class Google:
    """The Sheets API emulator on loopback HTTP (the server ``sheetcrm emulator serve``
    runs, held here so faults can be scripted) and a teammate's gspread client."""

    def __init__(self) -> None:
        import gspread
        from google.auth.credentials import AnonymousCredentials

        from sheetcrm.backends.gsheets.endpoint import mount_endpoint
        from sheetcrm.emulator import Emulator, LoopbackServer

        self.emulator = Emulator()
        self.sheet = self.emulator.create_spreadsheet("Shop").id
        self.server = LoopbackServer(self.emulator).start()
        client = gspread.Client(AnonymousCredentials())
        mount_endpoint(client.http_client.session, self.server.url)
        self.book = client.open_by_key(self.sheet)

    def form(self, tab: str, header: list[str]) -> None:
        self.book.add_worksheet(tab, rows=100, cols=len(header)).append_row(header)

    def respond(self, tab: str, *rows: list[str]) -> None:
        """What Google Forms does with a submission: a row appended to the responses."""
        sheet = self.book.worksheet(tab)
        for row in rows:
            sheet.append_row(row, value_input_option="USER_ENTERED", table_range="A1")


class Process:
    """A CLI process whose output lines arrive in queues, one per stream."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "sheetcrm", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.queues: dict[str, queue.Queue[str]] = {"out": queue.Queue(), "err": queue.Queue()}
        self.seen: dict[str, list[str]] = {"out": [], "err": []}
        for name, stream in (("out", self.popen.stdout), ("err", self.popen.stderr)):
            threading.Thread(target=self._pump, args=(stream, name), daemon=True).start()

    def _pump(self, stream, name: str) -> None:
        for line in stream:
            self.queues[name].put(line.rstrip("\n"))

    def until(self, text: str, stream: str = "out", timeout: float = 120) -> str:
        """The next line containing ``text`` (stdout: a poll that got that far)."""
        while True:
            try:
                line = self.queues[stream].get(timeout=timeout)
            except queue.Empty:
                self.popen.kill()
                raise AssertionError(f"no line with {text!r}; saw {self.seen}") from None
            self.seen[stream].append(line)
            if text in line:
                return line

    def taken_in_until(self, text: str) -> str:
        """What the polls up to the line containing ``text`` took in, added up: rows that
        land between two polls are split across them, as they are for users."""
        start = len(self.seen["out"])
        self.until(text)
        totals: Counter[str] = Counter()
        for line in self.seen["out"][start:]:
            for n, what in re.findall(r"(\d+) (new|imported|merged|quarantined)", line):
                totals[what] += int(n)
        return (
            f"{totals['new']} new: {totals['imported']} imported, "
            f"{totals['merged']} merged, {totals['quarantined']} quarantined"
        )

    def rest(self, stream: str) -> list[str]:
        """Every line of ``stream`` (once the process has ended)."""
        while not self.queues[stream].empty():
            self.seen[stream].append(self.queues[stream].get())
        return self.seen[stream]


class Cable:
    """The network between the watch and Google: a TCP relay that can be unplugged (open
    connections cut, new ones refused) and plugged back in on the same port."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.removeprefix("http://").split(":")
        self.upstream = (host, int(port))
        self.port = 0
        self.open: list[socket.socket] = []
        self.plug()
        self.url = f"http://127.0.0.1:{self.port}"

    def plug(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        self.listener.listen()
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def unplug(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept, refuses the rest
        self.listener.close()
        for conn in self.open:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                near, _ = listener.accept()
            except OSError:
                return  # unplugged
            far = socket.create_connection(self.upstream)
            self.open += [near, far]
            for a, b in ((near, far), (far, near)):
                threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    @staticmethod
    def _relay(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def cli_env(url: str) -> dict[str, str]:
    env = {**os.environ, "SHEETCRM_API_ENDPOINT": url, "PYTHONUNBUFFERED": "1"}
    env.pop("SHEETCRM_CONFIG", None)
    return env


def sheetcrm(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sheetcrm(*args, env=env, cwd=cwd, inherit=False)


@pytest.fixture
def google():
    world = Google()
    yield world
    world.server.stop()


def test_watch_takes_in_every_response_once_through_faults_and_a_restart(google, tmp_path):
    cable = Cable(google.server.url)  # the watch's network; the teammate's is not cut
    env, sheet = cli_env(cable.url), google.sheet
    assert sheetcrm(env, tmp_path, "init", "--sheet", sheet).returncode == 0
    google.form(FORM, HEADER)
    google.form(FA, FA_HEADER)
    google.form(BN, BN_HEADER)
    google.respond(FORM, ANA, BEN)
    google.respond(FA, SARA)
    tabs = ["--from-tab", FORM, "--from-tab", FA, "--from-tab", BN]
    watch = Process(["watch", "--sheet", sheet, *tabs, "--every", "1s"], env, tmp_path)
    assert "3 new: 3 imported" in watch.until("3 seen")
    google.respond(FORM, ANA_AGAIN, BAD)  # a duplicate submission and a bad e-mail
    google.respond(BN, RAHIM)
    assert "3 new: 1 imported, 1 merged, 1 quarantined" in watch.taken_in_until("6 seen")
    # the write lands but its answer is lost: the retry must not add the row twice
    google.emulator.drop_response("values.batchUpdate")
    google.respond(FORM, person(6, "Dara"))
    watch.until("7 seen")
    # the network goes while responses keep coming; the watch backs off, says so on
    # stderr, and takes them in once it is back
    cable.unplug()
    google.respond(FA, person(7, "Elif"))
    watch.until("trying again in", "err")
    google.respond(BN, person(8, "Farid"))
    cable.plug()
    watch.until("9 seen")
    # Google answers 503 to a couple of writes (the backend's own retries ride it out)
    google.emulator.fail("values.batchUpdate", 503, times=2)
    google.respond(FORM, person(9, "Gul"))
    watch.until("10 seen")
    watch.popen.send_signal(signal.SIGINT)
    assert watch.popen.wait(timeout=60) == 0, watch.seen
    out, err = watch.rest("out"), watch.rest("err")
    assert out[-1].startswith("Stopped: ") and "failed attempt" in out[-1], out
    assert not [line for line in err if "Traceback" in line], err
    assert any("stopping after this poll (Ctrl-C again to stop now)" in line for line in err), err

    # stopped and started again (or another machine): it continues where it left off
    google.respond(FORM, person(10, "Hana"))
    again = sheetcrm(env, tmp_path, "watch", "--sheet", sheet, *tabs, "--once")
    assert again.returncode == 0 and "11 seen, 1 new: 1 imported" in again.stdout, again
    google.book.worksheet(FORM).update_acell("E2", "Do you ship to Mashhad?")  # an edit
    quiet = sheetcrm(env, tmp_path, "watch", "--sheet", sheet, *tabs, "--once")
    assert "11 seen, 0 new" in quiet.stdout, quiet

    def show(tab: str) -> list[dict[str, object]]:
        shown = sheetcrm(env, tmp_path, "show", tab, "--sheet", sheet, "--format", "json")
        assert shown.returncode == 0, shown.stderr
        return json.loads(shown.stdout)

    emails = sorted(str(r["email"]) for r in show("Leads"))
    names = ["ana", "ben", "dara", "elif", "farid", "gul", "hana"]
    expected = sorted(
        [f"{n}@example.com" for n in names] + ["rahim@example.com", "sara@example.ir"]
    )
    assert emails == expected  # every person once, whatever failed on the way
    people = {str(r["email"]): r for r in show("Leads")}
    assert people["sara@example.ir"]["name"] == "سارا محمدی"
    assert people["sara@example.ir"]["phone"] == "+989123456789"
    assert people["rahim@example.com"]["phone"] == "+8801711000000"
    marks = [r for r in show("_sync") if str(r["key"]).startswith("row:")]
    assert len(marks) == len({r["key"] for r in marks}) == 11  # each response marked once
    assert show("_conflicts") == []  # a resubmission's later date is no teammate's edit
    quarantined = show("_quarantine")
    assert [(r["row"], r["value"]) for r in quarantined] == [(5, "not-an-email")]
