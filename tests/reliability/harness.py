"""The reliability suite's machinery: a workbook on each backend, sheetcrm as a child
process with faults placed at exact boundaries, and one comparable view of a workbook.

Google Sheets is the emulator served over loopback HTTP from this process (``Stage``),
so a hook here sees each request of a child by number and can hold it, drop its answer
or SIGKILL the child at that exact point. xlsx has no requests; its boundaries are the
workbook's loads and the steps of its save, numbered inside the child by
``site_faults.py`` (installed as the child's ``sitecustomize``). Nothing is timed: a
boundary is a count, and a wait is for an event, never for a duration.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sheetcrm.emulator import Emulator, LoopbackServer
from sheetcrm.emulator.routes import WRITE_METHODS, route

HERE = Path(__file__).parent
SHEETCRM = (sys.executable, "-m", "sheetcrm")
AS_OF = "2026-11-21"

# -- the emulator, with every request of each client numbered ---------------------------


@dataclass(frozen=True)
class Call:
    """One request as the stage sees it: which client sent it and its number (1-based)."""

    client: str
    index: int
    method_id: str

    @property
    def writes(self) -> bool:
        return self.method_id in WRITE_METHODS


Gate = Callable[[Call], None]
After = Callable[[Call], bool]


class Stage(Emulator):
    """The emulator with each client (one loopback server per client) counted apart, and
    hooks on both sides of handling a request: ``gates`` run before it, outside the
    emulator's lock (so one may wait while another client goes on); ``afters`` run from
    the emulator's own ``on_response`` boundary, once the request is handled and applied
    and before the answer leaves (a true return loses the answer)."""

    def __init__(self) -> None:
        super().__init__()
        self.ports: dict[int, str] = {}
        self.counts: Counter[str] = Counter()
        self.calls: list[Call] = []
        self.gates: list[Gate] = []
        self.afters: list[After] = []
        self._count = threading.Lock()
        self._current = threading.local()  # the call this server thread is serving
        self.on_response(self._after_hook)

    def _after_hook(self, event: Any, status: int) -> bool:
        call = getattr(self._current, "call", None)
        if call is None:
            return False
        return any([after(call) for after in list(self.afters)])

    def handle(self, http_method: str, url: str, body: Any = None, *args: Any, **kw: Any) -> Any:
        parts = urlsplit(url)
        client = self.ports.get(parts.port or 0, "?")
        try:
            method_id = route(http_method.upper(), parts.path)[0]
        except Exception:  # an unknown route: the emulator answers it as Google would
            method_id = f"{http_method} {parts.path}"
        with self._count:
            self.counts[client] += 1
            call = Call(client, self.counts[client], method_id)
            self.calls.append(call)
        for gate in list(self.gates):
            gate(call)
        self._current.call = call
        try:
            return super().handle(http_method, url, body, *args, **kw)
        finally:
            self._current.call = None

    def reset_hooks(self) -> None:
        self.gates.clear()
        self.afters.clear()
        self.faults.clear()


# -- workbooks ---------------------------------------------------------------------------


class World:
    """One workbook on one backend, as the children and the test see it."""

    kind: str
    root: Path

    def args(self) -> list[str]:
        raise NotImplementedError

    def env(self, client: str) -> dict[str, str]:
        """The environment of a child that plays ``client`` (its own machine's folders)."""
        home = self.root / "hosts" / client
        return {
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_STATE_HOME": str(home / "state"),
            "SHEETCRM_SNAPSHOTS": str(home / "snapshots"),
            "NO_GCE_CHECK": "true",
            "PYTHONUNBUFFERED": "1",
        }

    def save(self) -> Any:
        raise NotImplementedError

    def restore(self, saved: Any) -> None:
        raise NotImplementedError

    def book(self) -> Book:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the world started."""


class SheetsWorld(World):
    """A spreadsheet in the emulator; each client reaches it through its own loopback port."""

    kind = "gsheets"

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.emu = Stage()
        self.sid = self.emu.create_spreadsheet("crm").id
        self.servers: dict[str, LoopbackServer] = {}

    def url(self, client: str) -> str:
        if client not in self.servers:
            server = LoopbackServer(self.emu).start()
            self.servers[client] = server
            self.emu.ports[int(urlsplit(server.url).port or 0)] = client
        return self.servers[client].url

    def args(self) -> list[str]:
        return ["--sheet", self.sid]

    def env(self, client: str) -> dict[str, str]:
        return {**super().env(client), "SHEETCRM_API_ENDPOINT": self.url(client)}

    @property
    def ss(self) -> Any:
        return self.emu.spreadsheets[self.sid]

    def save(self) -> Any:
        return copy.deepcopy(self.ss)

    def restore(self, saved: Any) -> None:
        """Make the spreadsheet ``saved`` the one the children open (hooks cleared)."""
        from sheetcrm.emulator import drive

        self.sid = saved.id
        self.emu.spreadsheets[self.sid] = copy.deepcopy(saved)
        now = drive._now()
        self.emu.files.setdefault(self.sid, {"createdTime": now, "modifiedTime": now})
        self.emu.reset_hooks()

    def book(self) -> Book:
        return sheets_book(self.ss)

    def mate(self) -> Any:
        from sheetcrm.emulator.teammate import Teammate

        return Teammate(self.emu, self.sid)

    def close(self) -> None:
        for server in self.servers.values():
            server.stop()


class XlsxWorld(World):
    """A local ``crm.xlsx``."""

    kind = "xlsx"

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / "crm.xlsx"

    def args(self) -> list[str]:
        return ["--xlsx", str(self.path)]

    def save(self) -> Any:
        return self.path.read_bytes() if self.path.exists() else None

    def restore(self, saved: Any) -> None:
        if saved is None:
            self.path.unlink(missing_ok=True)
        else:
            self.path.write_bytes(saved)

    def book(self) -> Book:
        return xlsx_book(self.path)

    def temp_files(self) -> list[str]:
        """Temp files a save leaves beside the workbook (none, once a run has finished)."""
        return sorted(p.name for p in self.root.glob(f".{self.path.name}.*.tmp"))


WORLDS: dict[str, type[World]] = {"gsheets": SheetsWorld, "xlsx": XlsxWorld}


# -- sheetcrm as a child process ---------------------------------------------------------


@dataclass
class Ran:
    """A finished child: how it ended and what it said."""

    returncode: int
    stdout: str
    stderr: str
    args: Sequence[str] = ()

    @property
    def killed(self) -> bool:
        return self.returncode == -signal.SIGKILL

    def __str__(self) -> str:
        said = (self.stderr.strip().splitlines() or [""])[-1]
        return f"exit {self.returncode} of sheetcrm {' '.join(self.args)}: {said}"


class Child:
    """``sheetcrm ARGS`` as a fresh process on ``world`` playing ``client``, with the
    test's faults inside it (``spec``: see site_faults.py) or around it (``limit``: the
    largest file it may write, RLIMIT_FSIZE, so a save fails with a real EFBIG)."""

    def __init__(
        self,
        world: World,
        *args: str,
        client: str = "a",
        spec: Mapping[str, Any] | None = None,
        limit: int | None = None,
        cwd: Path | None = None,
    ) -> None:
        site = world.root / "site"
        if not (site / "sitecustomize.py").exists():
            site.mkdir(parents=True, exist_ok=True)
            shutil.copy(HERE / "site_faults.py", site / "sitecustomize.py")
        env = {**os.environ, **world.env(client)}
        env.pop("SHEETCRM_CONFIG", None)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
        env["SHEETCRM_REL"] = json.dumps(dict(spec or {}))
        self.args = [*args, *world.args()]

        def rlimit() -> None:
            if limit is not None:
                import resource

                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        if isinstance(world, SheetsWorld):
            with world.emu._count:
                world.emu.counts[client] = 0  # this child's requests are numbered from 1
        folder = cwd or world.root / "hosts" / client
        folder.mkdir(parents=True, exist_ok=True)
        self.popen = subprocess.Popen(
            [*SHEETCRM, *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=folder,
            env=env,
            preexec_fn=rlimit if limit is not None else None,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def kill(self) -> None:
        """SIGKILL, and wait until it is gone (so it sends nothing more)."""
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def finish(self, timeout: float = 180) -> Ran:
        out, err = self.popen.communicate(timeout=timeout)
        return Ran(self.popen.returncode, out, err, self.args)


def run(world: World, *args: str, **kw: Any) -> Ran:
    """Run sheetcrm to the end (no faults unless ``spec``/``limit`` say so)."""
    return Child(world, *args, **kw).finish()


def ok(ran: Ran) -> Ran:
    assert ran.returncode == 0, f"{ran}\n{ran.stderr}"
    assert "Traceback" not in ran.stderr, ran.stderr
    return ran


def events(world: World, *args: str) -> list[str]:
    """The workbook boundaries of an xlsx run in order (``load``, ``tmp``, ``zip``, …);
    the run completes (use on a copy of the state you then restore)."""
    log = world.root / "events.log"
    log.unlink(missing_ok=True)
    ok(run(world, *args, spec={"workbook": str(world.path), "log": str(log)}))  # type: ignore[attr-defined]
    return [line.split()[1] for line in log.read_text().splitlines()]


def requests_of(world: SheetsWorld, *args: str, client: str = "a") -> list[Call]:
    """The requests of one uninterrupted Google Sheets run, in order."""
    start = len(world.emu.calls)
    ok(run(world, *args, client=client))
    return [c for c in world.emu.calls[start:] if c.client == client]


def kill_after(world: SheetsWorld, client: str, n: int, child: list[Child]) -> After:
    """An after-hook: SIGKILL ``client``'s child once request ``n`` is applied, before
    its answer leaves."""

    def after(call: Call) -> bool:
        if call.client == client and call.index == n and child:
            child[0].kill()
            return True
        return False

    return after


def drop_after(client: str, n: int) -> After:
    """An after-hook: apply ``client``'s request ``n`` and lose its answer."""

    def after(call: Call) -> bool:
        return call.client == client and call.index == n

    return after


class Hold:
    """Hold ``client``'s request ``n`` (before it is handled) until released; ``reached``
    tells when it got there (or the client finished without sending it)."""

    def __init__(self, client: str, n: int) -> None:
        self.client, self.n = client, n
        self.reached = threading.Event()
        self.go = threading.Event()

    def __call__(self, call: Call) -> None:
        if call.client == self.client and call.index == self.n:
            self.reached.set()
            assert self.go.wait(300), "held request never released"


# -- one comparable view of a workbook ---------------------------------------------------

#: Tabs that are a journal of runs (who, when): a killed run may leave one more line.
JOURNALS = {"_audit", "_meta"}
#: Columns that say when, not what.
WHEN = {"at"}


@dataclass
class Book:
    """What a workbook holds, with what differs between equally good runs taken out:
    record IDs (minted afresh by each run) are replaced by the record they name, and run
    journals and time stamps are left out. Two books compare equal when the records, the
    generated tabs and the decorations (formats, protections, charts) are the same."""

    tabs: dict[str, list[tuple[Any, ...]]]
    ids: dict[str, list[Any]]
    decor: dict[str, dict[str, int]]
    metadata: list[tuple[str, str]] = field(default_factory=list)

    def duplicate_ids(self) -> dict[str, list[Any]]:
        return {
            tab: sorted(i for i, n in Counter(ids).items() if n > 1)
            for tab, ids in self.ids.items()
            if len(set(ids)) != len(ids)
        }

    def records(self, tab: str) -> list[tuple[Any, ...]]:
        return self.tabs.get(tab, [])

    def column(self, tab: str, name: str, raw: Mapping[str, list[list[Any]]]) -> list[Any]:
        header = raw[tab][0]
        return [r[header.index(name)] for r in raw[tab][1:]]


def _clean(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if v == "":
        return None
    return v


def normalize(grids: Mapping[str, list[list[Any]]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(tabs, ids) of ``Book`` from raw grids (header row first, cells as read)."""
    data: dict[str, tuple[list[Any], list[list[Any]]]] = {}
    for tab, rows in grids.items():
        rows = [[_clean(v) for v in r] for r in rows]
        if not rows:
            continue
        header, body = rows[0], [r for r in rows[1:] if any(v is not None for v in r)]
        data[tab] = (header, body)
    record_tabs = [
        t
        for t, (h, _) in data.items()
        if not t.startswith("_") and h and isinstance(h[0], str) and h[0].endswith("_id")
    ]
    names: dict[Any, str] = {}
    ids: dict[str, list[Any]] = {}
    # a record is named by its content; references to it (another tab's customer_id, a
    # _sync key) by that name. Customers first: other tabs point at them.
    order = sorted(record_tabs, key=lambda t: (t != "Customers", t))
    for tab in order:
        header, body = data[tab]
        ids[tab] = [r[0] if r else None for r in body]
        for r in body:
            if not r or r[0] is None:
                continue  # a row a teammate typed, no ID yet
            named = tuple(names.get(v, v) for v in r[1 : len(header)] if v is not None)
            names[r[0]] = f"{tab}<{named[:3]}>"
    tabs: dict[str, list[tuple[Any, ...]]] = {}
    for tab, (header, body) in data.items():
        if tab in JOURNALS:
            continue
        keep = [i for i, h in enumerate(header) if h not in WHEN]
        if tab.startswith("_") and str(header[0]).endswith("_id"):
            keep = [i for i in keep if i != 0]  # a journal line's own ID says nothing
        rows_out = []
        for r in body:
            cells = [r[i] if i < len(r) else None for i in keep]
            cells = [_rename(v, names) for v in cells]
            while cells and cells[-1] is None:
                cells.pop()
            rows_out.append(tuple(cells))
        head = tuple(header[i] for i in keep)
        generated = tab not in record_tabs and not tab.startswith("_")
        tabs[tab] = [head, *(rows_out if generated else sorted(rows_out, key=repr))]
    return tabs, ids


def _rename(v: Any, names: Mapping[Any, str]) -> Any:
    if v is not None and v in names:
        return names[v]
    if isinstance(v, str) and ":" in v:  # a _sync key: "Customers:C-…"
        tab, _, rid = v.partition(":")
        if rid in names:
            return f"{tab}:{names[rid]}"
    return v


def sheets_book(ss: Any) -> Book:
    from sheetcrm.emulator.cells import Formula

    grids: dict[str, list[list[Any]]] = {}
    decor: dict[str, dict[str, int]] = {}
    for sheet in ss.sheets:
        grids[sheet.title] = [
            [v.text if isinstance(v, Formula) else v for v in row] for row in sheet.rows
        ]
        decor[sheet.title] = {
            "conditional formats": len(sheet.conditional_formats),
            "protected ranges": len(sheet.protected_ranges),
            "charts": len(sheet.charts),
            "validations": len(sheet.validations),
            "merges": len(sheet.merges),
        }
    tabs, ids = normalize(grids)
    metadata = sorted(
        (str(m.get("metadataKey")), str(m.get("metadataValue"))) for m in ss.developer_metadata
    )
    return Book(tabs, ids, decor, metadata)


def xlsx_book(path: Path) -> Book:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    grids: dict[str, list[list[Any]]] = {}
    decor: dict[str, dict[str, int]] = {}
    with zipfile.ZipFile(path) as z:
        members = z.namelist()
    for ws in wb.worksheets:
        grids[ws.title] = [list(r) for r in ws.iter_rows(values_only=True)]
        decor[ws.title] = {
            "conditional formats": sum(len(cf.rules) for cf in ws.conditional_formatting),
            "protected": int(bool(ws.protection.sheet)),
            "validations": len(ws.data_validations.dataValidation),
            "merges": len(ws.merged_cells.ranges),
        }
    decor["(file)"] = {"charts": sum(m.startswith("xl/charts/chart") for m in members)}
    tabs, ids = normalize(grids)
    return Book(tabs, ids, decor)


def differences(now: Book, want: Book) -> list[str]:
    """What ``now`` lacks or has more than ``want``, one line each (empty: the same)."""
    said: list[str] = []
    for tab in sorted(set(now.tabs) | set(want.tabs)):
        a, b = now.tabs.get(tab), want.tabs.get(tab)
        if a == b:
            continue
        if a is None or b is None:
            said.append(f"{tab}: {'missing' if a is None else 'not expected'}")
            continue
        extra = Counter(a) - Counter(b)
        lacking = Counter(b) - Counter(a)
        if not extra and not lacking:
            said.append(f"{tab}: rows in another order")
        if extra:
            said.append(f"{tab}: {sum(extra.values())} rows more, e.g. {next(iter(extra))}")
        if lacking:
            said.append(f"{tab}: {sum(lacking.values())} rows lacking, e.g. {next(iter(lacking))}")
    for tab in sorted(set(now.decor) | set(want.decor)):
        if now.decor.get(tab) != want.decor.get(tab):
            said.append(f"{tab}: decorations {now.decor.get(tab)} != {want.decor.get(tab)}")
    for tab, dupes in now.duplicate_ids().items():
        said.append(f"{tab}: IDs more than once: {dupes[:3]}")
    metadata = Counter(now.metadata)
    if any(n > 1 for n in metadata.values()):
        said.append(f"developer metadata twice: {[m for m, n in metadata.items() if n > 1][:3]}")
    return said


def assert_converged(now: Book, want: Book, what: str = "") -> None:
    said = differences(now, want)
    assert not said, (what + "\n  " if what else "") + "\n  ".join(said)


# -- files for the runs ------------------------------------------------------------------


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


CUSTOMER_HEADER = ["name", "email", "phone", "city", "notes"]


def customer(i: int, city: str = "London", prefix: str = "c") -> list[Any]:
    return [
        f"{prefix.upper()}{i:02d} Person",
        f"{prefix}{i:02d}@example.com",
        f"+44 7400 1{ord(prefix[0]) % 10}{i:04d}",
        city,
        f"note {prefix}{i}",
    ]


def seed_rows() -> list[list[Any]]:
    """The customers a workbook starts with."""
    return [customer(i) for i in range(10)]


def import_rows(
    prefix: str = "n", count: int = 20, moved: Sequence[int] = range(5), city: str = "Leeds"
) -> list[list[Any]]:
    """An import: existing customers ``moved`` to ``city``, ``count`` new ones (one of
    them twice in the file)."""
    rows = [customer(i, city) for i in moved]
    rows += [customer(i, "Bristol", prefix) for i in range(count)]
    rows.append(customer(min(3, count - 1), "Bristol", prefix))
    return rows


TRANSACTION_HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]


def transaction_rows() -> list[list[Any]]:
    """Orders of eight customers over the year before the as-of day (one return)."""
    rows: list[list[Any]] = []
    for k in range(24):
        who = 17000 + k % 8
        month = 1 + k % 11
        rows.append(
            [
                f"5{k:05d}",
                f"S{k % 5}",
                f"ITEM {k % 5}",
                1 + k % 3,
                f"2026-{month:02d}-{1 + k % 27:02d} 10:00:00",
                f"{2 + k % 4}.50",
                who,
                "United Kingdom",
            ]
        )
    rows.append(
        ["C500003", "S3", "ITEM 3", -1, "2026-06-10 10:00:00", "5.50", 17003, "United Kingdom"]
    )
    return rows


@dataclass
class Baseline:
    """A run's starting state, its requests (or xlsx boundaries) when nothing goes wrong,
    and where it ends."""

    pre: Any
    steps: list[Any]
    post: Book
    post_raw: Any = None


#: Boundaries are independent (each its own workbook and emulator), so a few run at once:
#: the children are processes, the test only waits for them.
WORKERS = int(os.environ.get("SHEETCRM_REL_WORKERS", "3"))


def spread(
    kind: str, root: Path, points: Sequence[Any], case: Callable[[World, Any], str | None]
) -> list[str]:
    """Run ``case(world, point)`` for every point, each on a fresh world of ``kind``;
    the findings (one line each, None when the point passed) in the points' order."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[int, Any]) -> str | None:
        world = WORLDS[kind](root / f"p{item[0]}")
        try:
            return case(world, item[1])
        finally:
            world.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        found = list(pool.map(one, enumerate(points)))
    return [f for f in found if f]


def each(items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
    """1-based positions, as the boundaries are numbered."""
    return enumerate(items, start=1)


def row_of(rows: Sequence[tuple[Any, ...]], email: str) -> int:
    """Where the (normalized) record with ``email`` is, 0 being the header."""
    found = [i for i, r in enumerate(rows) if i and email in r]
    assert len(found) == 1, (email, found)
    return found[0]


def with_cell(rows: list[tuple[Any, ...]], email: str, column: str, value: Any) -> None:
    i = row_of(rows, email)
    at = list(rows[0]).index(column)
    cells = list(rows[i]) + [None] * (at + 1 - len(rows[i]))
    cells[at] = value
    while cells and cells[-1] is None:
        cells.pop()
    rows[i] = tuple(cells)


def wait_for(done: Callable[[], bool], child: Child | None = None) -> bool:
    """Wait until ``done()`` (an event, not a duration); False if ``child`` ended first."""
    import time

    while not done():
        if child is not None and child.popen.poll() is not None:
            return done()
        time.sleep(0.01)
    return True
