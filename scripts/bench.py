"""Benchmarks: sheetcrm against the usual gspread approaches, on the Sheets API emulator.

    python scripts/bench.py --quick               # ≤ 2 minutes: 1k customers, in-process
    python scripts/bench.py --json bench.json     # full: 1k, 10k, 100k, both transports, 10M cells

Every scenario runs sheetcrm and each baseline on the same generated data in the same
process and reports, per approach: HTTP requests, bytes sent and received (counted by the
emulator), wall time, peak memory (a second, traced run), and the ratio sheetcrm/baseline.
Baselines are written the way their documentation shows:
  naive      gspread: append_row per new record, update per changed record
  dataframe  gspread-dataframe: get_as_dataframe to read, set_with_dataframe to write back
  batch      gspread by hand: one batch_get, a whole-range update of every tab
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import gspread
from google.auth.credentials import AnonymousCredentials
from gspread.utils import ValueInputOption

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sheetcrm.backends.gsheets.backend import GSheetsBackend
from sheetcrm.backends.gsheets.retry import RetryPolicy, Throttle
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.emulator import Emulator, LoopbackServer, mount
from sheetcrm.workbook.refresh import refresh

AS_OF = dt.date(2026, 11, 21)
TABS = ("Customers", "Leads", "Interactions", "Campaigns", "Tasks")
NAIVE_LIMIT = 1_000  # above this the naive approach would send thousands of requests

Record = dict[str, Any]
RAW = ValueInputOption.raw
Data = dict[str, list[Record]]  # tab -> records


def no_sleep(_: float) -> None:
    """The emulator has no quota here: nothing to wait for."""


# -- data ----------------------------------------------------------------------------------


def dataset(n: int, seed: int = 1) -> Data:
    """n customers with n/2 leads, 2n purchases, 10 campaigns and n/10 tasks (deterministic)."""
    rng = random.Random(seed)
    start = dt.date(2025, 1, 1)
    cities = ["Tehran", "Dhaka", "London", "Shiraz", "Kolkata", "Leeds"]
    customers = [
        {
            "customer_id": f"C-{i:07d}",
            "name": f"Customer {i}",
            "email": f"c{i}@example.com",
            "phone": f"+4474{i:08d}",
            "city": rng.choice(cities),
            "country": "United Kingdom",
            "first_contact": start + dt.timedelta(days=rng.randrange(600)),
            "lead_source": rng.choice(["website", "instagram", "referral", "ads"]),
            "status": "active",
        }
        for i in range(n)
    ]
    campaigns = [
        {
            "campaign_id": f"K-{i:03d}",
            "name": f"Campaign {i}",
            "channel": "instagram",
            "budget": 500.0,
            "impressions": 10000,
            "clicks": 300,
            "conversions": 12,
        }
        for i in range(10)
    ]
    leads = [
        {
            "lead_id": f"L-{i:07d}",
            "name": f"Lead {i}",
            "email": f"l{i}@example.com",
            "source": rng.choice(["website", "instagram", "referral"]),
            "campaign_id": f"K-{i % 10:03d}",
            "interest": rng.choice(["low", "high"]),
            "contact_date": start + dt.timedelta(days=rng.randrange(680)),
            "status": rng.choice(["new", "contacted", "converted"]),
            "value": 100.0,
        }
        for i in range(n // 2)
    ]
    acts = [
        {
            "interaction_id": f"I-{i:08d}",
            "date": dt.datetime(2025, 1, 1) + dt.timedelta(hours=rng.randrange(16000)),
            "type": "purchase",
            "customer_id": f"C-{rng.randrange(n):07d}",
            "amount": round(rng.uniform(5, 200), 2),
            "product": f"Product {rng.randrange(50)}",
            "quantity": 1,
        }
        for i in range(2 * n)
    ]
    tasks = [
        {
            "task_id": f"T-{i:07d}",
            "title": f"Task {i}",
            "assignee": "Maryam",
            "due_date": AS_OF + dt.timedelta(days=rng.randrange(-20, 20)),
            "status": "todo",
        }
        for i in range(max(n // 10, 1))
    ]
    return {
        "Customers": customers,
        "Leads": leads,
        "Interactions": acts,
        "Campaigns": campaigns,
        "Tasks": tasks,
    }


def changed(data: Data) -> tuple[list[Record], list[Record]]:
    """1% of customers with a new city, and 0.5% new customers."""
    n = len(data["Customers"])
    edits = [{"customer_id": c["customer_id"], "city": "Isfahan"} for c in data["Customers"][::100]]
    new = [
        {
            "customer_id": f"C-N{i:06d}",
            "name": f"New {i}",
            "email": f"new{i}@example.com",
            "city": "Sylhet",
            "status": "prospect",
        }
        for i in range(max(n // 200, 1))
    ]
    return edits, new


# -- measurement ---------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    size: int
    transport: str
    approach: str
    requests: int = 0
    writes: int = 0
    sent: int = 0
    received: int = 0
    seconds: float = 0.0
    peak_mb: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


class World:
    """One emulator and the clients of every approach, in-process or over loopback HTTP."""

    def __init__(self, transport: str) -> None:
        self.emu = Emulator()
        self.transport = transport
        self.server = LoopbackServer(self.emu).start() if transport == "http" else None

    def close(self) -> None:
        if self.server:
            self.server.stop()

    def client(self) -> gspread.Client:
        client = gspread.Client(AnonymousCredentials())
        if self.server:
            from sheetcrm.backends.gsheets.endpoint import mount_endpoint

            mount_endpoint(client.http_client.session, self.server.url)
        else:
            mount(client.http_client.session, self.emu)
        return client

    def crm(self, sid: str) -> CRM:
        backend = GSheetsBackend(
            self.client(),
            sid,
            retry=RetryPolicy(sleep=no_sleep),
            throttle=Throttle(per_minute=10**9, sleep=no_sleep),
        )
        return CRM(backend=backend, config=Config())

    def fresh(self) -> str:
        ss = self.emu.create_spreadsheet("bench")
        return ss.id


def measure(world: World, fn: Callable[[], Any], *, memory: bool) -> tuple[dict[str, Any], Any]:
    gc.collect()
    world.emu.stats.reset()
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    s = world.emu.stats
    return {
        "requests": s.total,
        "writes": s.writes,
        "sent": s.sent,
        "received": s.received,
        "seconds": round(seconds, 3),
        "peak_mb": peak,
    }, value


# -- the approaches ------------------------------------------------------------------------


def load_sheetcrm(world: World, sid: str, data: Data) -> None:
    crm = world.crm(sid)
    grids = crm.read(layout=True)
    changes = crm.plan_init(grids)
    from sheetcrm.model.grid import TabGrid

    for tab in TABS:
        grid = grids.get(tab) or TabGrid(tab, crm.schema[tab].columns)
        changes.extend(crm.plan_upsert(tab, data[tab], grid=grid).ops)
    crm.backend.apply(changes, crm.schema)


def header(tab: str) -> list[str]:
    from sheetcrm.model.schema import build_schema

    return build_schema()[tab].columns


def _cell(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else value


def rows_of(tab: str, records: list[Record]) -> list[list[Any]]:
    cols = header(tab)
    return [cols] + [[_cell(r.get(c)) for c in cols] for r in records]


def prepare_tabs(sh: gspread.Spreadsheet, data: Data) -> None:
    """Tabs sized for the data, with a header row (what every baseline starts from)."""
    first = sh.sheet1
    for i, tab in enumerate(TABS):
        ws = (
            first
            if i == 0
            else sh.add_worksheet(tab, rows=len(data[tab]) + 10, cols=len(header(tab)))
        )
        if i == 0:
            ws.update_title(tab)
            ws.resize(len(data[tab]) + 10, len(header(tab)))
        ws.update([header(tab)], "A1", value_input_option=RAW)


def load_batch(world: World, sid: str, data: Data) -> None:
    sh = world.client().open_by_key(sid)
    prepare_tabs(sh, data)
    sh.values_batch_update(
        {
            "valueInputOption": "RAW",
            "data": [{"range": f"'{tab}'!A1", "values": rows_of(tab, data[tab])} for tab in TABS],
        }
    )


def load_dataframe(world: World, sid: str, data: Data) -> None:
    import pandas as pd
    from gspread_dataframe import set_with_dataframe

    sh = world.client().open_by_key(sid)
    prepare_tabs(sh, data)
    for tab in TABS:
        frame = pd.DataFrame(
            [[_cell(r.get(c)) for c in header(tab)] for r in data[tab]], columns=header(tab)
        )
        set_with_dataframe(sh.worksheet(tab), frame, resize=True)


def load_naive(world: World, sid: str, data: Data) -> None:
    sh = world.client().open_by_key(sid)
    prepare_tabs(sh, data)
    for tab in TABS:
        ws = sh.worksheet(tab)
        for rec in data[tab]:
            ws.append_row([_cell(rec.get(c)) for c in header(tab)], value_input_option=RAW)


def sync_sheetcrm(world: World, sid: str, edits: list[Record], new: list[Record]) -> Any:
    crm = world.crm(sid)
    return crm.upsert("Customers", edits + new)


def sync_dataframe(world: World, sid: str, edits: list[Record], new: list[Record]) -> None:
    import pandas as pd
    from gspread_dataframe import get_as_dataframe, set_with_dataframe

    ws = world.client().open_by_key(sid).worksheet("Customers")
    frame = get_as_dataframe(ws, evaluate_formulas=True, dtype=str)
    frame = frame.dropna(how="all")
    by_id = {e["customer_id"]: e for e in edits}
    mask = frame["customer_id"].isin(list(by_id))
    frame.loc[mask, "city"] = frame.loc[mask, "customer_id"].map(lambda i: by_id[i]["city"])
    frame = pd.concat([frame, pd.DataFrame(new)], ignore_index=True)
    set_with_dataframe(ws, frame.fillna(""), resize=True)


def sync_batch(world: World, sid: str, edits: list[Record], new: list[Record]) -> None:
    sh = world.client().open_by_key(sid)
    values = sh.values_batch_get(["'Customers'"])["valueRanges"][0].get("values", [])
    head = values[0]
    idc, cityc = head.index("customer_id"), head.index("city")
    by_id = {e["customer_id"]: e["city"] for e in edits}
    for row in values[1:]:
        if row and row[idc] in by_id:
            row += [""] * (len(head) - len(row))
            row[cityc] = by_id[row[idc]]
    values += [[_cell(r.get(c)) for c in head] for r in new]
    ws = sh.worksheet("Customers")
    if len(values) > ws.row_count:
        ws.add_rows(len(values) - ws.row_count)
    sh.values_batch_update(
        {"valueInputOption": "RAW", "data": [{"range": "'Customers'!A1", "values": values}]}
    )


def sync_naive(world: World, sid: str, edits: list[Record], new: list[Record]) -> None:
    ws = world.client().open_by_key(sid).worksheet("Customers")
    ids = ws.col_values(1)
    city = header("Customers").index("city") + 1
    for e in edits:
        ws.update_cell(ids.index(e["customer_id"]) + 1, city, e["city"])
    for rec in new:
        ws.append_row([_cell(rec.get(c)) for c in header("Customers")], value_input_option=RAW)


def read_sheetcrm(world: World, sid: str) -> Any:
    crm = world.crm(sid)
    grids = crm.read(list(TABS))
    return {t: crm.frame(t, grids[t]) for t in TABS}


def read_dataframe(world: World, sid: str) -> Any:
    from gspread_dataframe import get_as_dataframe

    sh = world.client().open_by_key(sid)
    return {t: get_as_dataframe(sh.worksheet(t), evaluate_formulas=True) for t in TABS}


def read_batch(world: World, sid: str) -> Any:
    import pandas as pd

    sh = world.client().open_by_key(sid)
    ranges = [f"'{t}'" for t in TABS]
    response = sh.values_batch_get(ranges, params={"valueRenderOption": "UNFORMATTED_VALUE"})
    blocks = response["valueRanges"]
    out = {}
    for tab, block in zip(TABS, blocks, strict=True):
        values = block.get("values", [[]])
        width = len(values[0])
        out[tab] = pd.DataFrame(
            [r + [None] * (width - len(r)) for r in values[1:]], columns=values[0]
        )
    return out


def refresh_sheetcrm(world: World, sid: str) -> Any:
    return refresh(world.crm(sid), AS_OF)


def refresh_dataframe(world: World, sid: str) -> None:
    """The usual way: read the tab, compute the same columns in pandas, write it all back."""
    from gspread_dataframe import get_as_dataframe, set_with_dataframe

    from sheetcrm.analytics.metrics import customer_metrics

    sh = world.client().open_by_key(sid)
    frames = read_sheetcrm(world, sid)
    metrics = customer_metrics(frames["Customers"], frames["Interactions"], AS_OF)
    ws = sh.worksheet("Customers")
    frame = get_as_dataframe(ws, evaluate_formulas=True, dtype=str).dropna(how="all")
    for col in metrics.columns:
        frame[col] = frame["customer_id"].map(metrics[col])
    set_with_dataframe(ws, frame.astype(object).where(frame.notna(), ""), resize=True)


SCENARIOS: dict[str, dict[str, Callable[..., Any]]] = {
    "initial load": {
        "sheetcrm": load_sheetcrm,
        "naive": load_naive,
        "dataframe": load_dataframe,
        "batch": load_batch,
    },
    "incremental sync (1% changed, 0.5% new)": {
        "sheetcrm": sync_sheetcrm,
        "naive": sync_naive,
        "dataframe": sync_dataframe,
        "batch": sync_batch,
    },
    "no-change re-run": {
        "sheetcrm": lambda w, s, e, n: sync_sheetcrm(w, s, e, []),
        "dataframe": lambda w, s, e, n: sync_dataframe(w, s, [], []),
        "batch": lambda w, s, e, n: sync_batch(w, s, [], []),
    },
    "refresh": {"sheetcrm": refresh_sheetcrm, "dataframe": refresh_dataframe},
    "full read into DataFrames": {
        "sheetcrm": read_sheetcrm,
        "dataframe": read_dataframe,
        "batch": read_batch,
    },
}


def run_size(n: int, transport: str, *, memory: bool, log: Callable[[str], None]) -> list[Result]:
    """Every scenario for every approach at one size; each approach gets its own sheet."""
    data = dataset(n)
    edits, new = changed(data)
    out: list[Result] = []
    world = World(transport)
    try:
        for approach in ("sheetcrm", "naive", "dataframe", "batch"):
            if approach == "naive" and n > NAIVE_LIMIT:
                rows = sum(len(v) for v in data.values())
                out.append(
                    Result(
                        "initial load",
                        n,
                        transport,
                        "naive",
                        requests=rows,
                        note=f"not run: one request per row ({rows:,})",
                    )
                )
                continue
            sid = world.fresh()
            for scenario, approaches in SCENARIOS.items():
                fn = approaches.get(approach)
                if fn is None:
                    continue
                if scenario == "initial load":
                    call = lambda fn=fn, sid=sid: fn(world, sid, data)  # noqa: E731
                elif scenario.startswith(("incremental", "no-change")):
                    call = lambda fn=fn, sid=sid: fn(world, sid, edits, new)  # noqa: E731
                else:
                    call = lambda fn=fn, sid=sid: fn(world, sid)  # noqa: E731
                if memory and scenario.startswith(("incremental", "no-change")):
                    snapshot = _copy_sheet(world, sid)
                stats, _ = measure(world, call, memory=False)
                result = Result(
                    scenario,
                    n,
                    transport,
                    approach,
                    **{k: v for k, v in stats.items() if k != "peak_mb"},
                )
                if memory and scenario != "initial load":
                    if scenario.startswith(("incremental", "no-change")):
                        world.emu.spreadsheets[sid] = snapshot
                    mem, _ = measure(world, call, memory=True)
                    result.peak_mb = round(mem["peak_mb"], 1)
                out.append(result)
                log(
                    f"  {n:>7,} {transport:<6} {approach:<10} {scenario:<42} "
                    f"{result.requests:>6} req {result.sent / 1e6:>8.2f} MB sent "
                    f"{result.seconds:>8.2f} s"
                )
    finally:
        world.close()
    return out


def _copy_sheet(world: World, sid: str) -> Any:
    import copy

    return copy.deepcopy(world.emu.spreadsheets[sid])


# -- the 10-million-cell scenario ---------------------------------------------------------


def fill_directly(world: World, sid: str, data: Data) -> None:
    """Put the data straight into the emulator's grids (loading 10M cells over the API is
    not what this scenario measures)."""
    from sheetcrm.backends.gsheets.requests import encode

    crm = world.crm(sid)
    crm.init()
    ss = world.emu.spreadsheets[sid]
    for tab in TABS:
        cols = header(tab)
        sheet = ss.sheet(title=tab)
        sheet.props["gridProperties"]["rowCount"] = len(data[tab]) + 1
        sheet.props["gridProperties"]["columnCount"] = len(cols)
        sheet.rows = [list(cols)] + [
            [encode(r.get(c)) if r.get(c) is not None else None for c in cols] for r in data[tab]
        ]
    total = sum(s.row_count * s.col_count for s in ss.sheets)
    world.extra_cells = total  # type: ignore[attr-defined]


def scale(n: int, log: Callable[[str], None]) -> list[Result]:
    """Read, a 1% sync and a refresh on a workbook near the 10-million-cell limit."""
    import resource

    data = dataset(n)
    data["Interactions"] = data["Interactions"][: 2 * n]
    world = World("inproc")
    sid = world.fresh()
    fill_directly(world, sid, data)
    cells = world.extra_cells  # type: ignore[attr-defined]
    log(f"  scale: {cells:,} cells in the workbook")
    edits, new = changed(data)
    out = []
    for name, call in (
        ("read", lambda: read_sheetcrm(world, sid)),
        ("incremental sync (1% changed, 0.5% new)", lambda: sync_sheetcrm(world, sid, edits, new)),
        ("refresh", lambda: refresh_sheetcrm(world, sid)),
    ):
        stats, _ = measure(world, call, memory=False)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB
        result = Result(
            f"10M cells: {name}",
            n,
            "inproc",
            "sheetcrm",
            **{k: v for k, v in stats.items() if k != "peak_mb"},
        )
        result.peak_mb = round(peak, 1)
        result.extra["cells"] = cells
        result.note = "peak = whole process (sheetcrm + the in-process emulator)"
        out.append(result)
        log(
            f"  scale {name:<42} {result.requests:>4} req {result.seconds:>8.1f} s "
            f"peak {peak:,.0f} MB"
        )
    return out


# -- targets and reporting -----------------------------------------------------------------


def find(
    results: list[Result], scenario: str, approach: str, size: int, transport: str = "inproc"
) -> Result | None:
    for r in results:
        if (
            r.scenario.startswith(scenario)
            and r.approach == approach
            and r.size == size
            and r.transport == transport
        ):
            return r
    return None


def targets(results: list[Result], sizes: list[int]) -> list[tuple[str, bool, str]]:
    out: list[tuple[str, bool, str]] = []
    reads = {n: find(results, "full read", "sheetcrm", n) for n in sizes}
    syncs = {n: find(results, "incremental", "sheetcrm", n) for n in sizes}
    rerun = {n: find(results, "no-change", "sheetcrm", n) for n in sizes}
    read_req = {n: r.requests for n, r in reads.items() if r}
    sync_req = {n: r.requests for n, r in syncs.items() if r}
    out.append(("read ≤ 2 requests", all(v <= 2 for v in read_req.values()), str(read_req)))
    out.append(("sync ≤ 5 requests", all(v <= 5 for v in sync_req.values()), str(sync_req)))
    constant = len(set(read_req.values())) <= 1 and len(set(sync_req.values())) <= 1
    out.append(("requests constant in rows", constant, f"read {read_req}, sync {sync_req}"))
    writes = {n: r.writes for n, r in rerun.items() if r}
    out.append(("no-change re-run: 0 writes", all(v == 0 for v in writes.values()), str(writes)))
    for n in sizes:
        ours, theirs = (
            find(results, "incremental", "sheetcrm", n),
            find(results, "incremental", "dataframe", n),
        )
        if ours and theirs and theirs.sent:
            ratio = ours.sent / theirs.sent
            out.append(
                (f"sync bytes ≤ 5% of gspread-dataframe ({n:,})", ratio <= 0.05, f"{ratio:.2%}")
            )
    big = max(sizes)
    if big >= 100_000:
        for scenario, limit in (("incremental", 0.5), ("full read", 1.0)):
            ours, theirs = (
                find(results, scenario, "sheetcrm", big),
                find(results, scenario, "dataframe", big),
            )
            if ours and theirs and theirs.seconds:
                ratio = ours.seconds / theirs.seconds
                out.append(
                    (
                        f"{scenario} time ≤ {limit}× gspread-dataframe ({big:,})",
                        ratio <= limit,
                        f"{ratio:.2f}×",
                    )
                )
    scaled = [r for r in results if r.scenario.startswith("10M")]
    if scaled:
        peak = max(r.peak_mb or 0 for r in scaled)
        out.append(
            ("10M cells: completes, peak memory < 4 GB", peak < 4096, f"peak {peak:,.0f} MB")
        )
    return out


def table(results: list[Result]) -> str:
    lines = [
        "| scenario | rows | transport | approach | requests | MB sent | MB received | "
        "seconds | peak MB | sheetcrm ÷ this |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ours = find(results, r.scenario, "sheetcrm", r.size, r.transport)
        ratio = ""
        if ours and r.approach != "sheetcrm" and r.seconds:
            parts = [f"time {ours.seconds / r.seconds:.2f}×"]
            if r.sent:
                parts.append(f"bytes {ours.sent / r.sent:.1%}")
            ratio = ", ".join(parts)
        peak = f"{r.peak_mb:,.0f}" if r.peak_mb is not None else ""
        lines.append(
            f"| {r.scenario} | {r.size:,} | {r.transport} | {r.approach} | "
            f"{r.requests:,} | {r.sent / 1e6:.2f} | {r.received / 1e6:.2f} | "
            f"{r.seconds:.2f} | {peak} | {ratio or r.note} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k customers, in-process only")
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        help="customers per run, e.g. 1000,10000",
    )
    parser.add_argument("--transport", choices=["inproc", "http", "both"], default=None)
    parser.add_argument("--no-memory", action="store_true", help="skip the traced memory runs")
    parser.add_argument(
        "--memory-up-to",
        type=int,
        default=10_000,
        help="trace peak memory up to this many customers",
    )
    parser.add_argument(
        "--scale", type=int, default=None, help="customers for the 10M-cell scenario (0 to skip)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000] if args.quick else [1_000, 10_000, 100_000])
    transports = {
        "both": ["inproc", "http"],
        None: ["inproc"] if args.quick else ["inproc", "http"],
    }.get(args.transport, [args.transport])
    scale_n = args.scale if args.scale is not None else (0 if args.quick else 150_000)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    results: list[Result] = []
    for transport in transports:
        for n in sizes:
            if transport == "http" and n > 10_000:
                continue  # loopback HTTP at 100k measures the socket, not the approaches
            traced = not args.no_memory and n <= args.memory_up_to
            results += run_size(n, transport, memory=traced, log=log)
    if scale_n:
        results += scale(scale_n, log)
    checks = targets(results, sizes)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nsheetcrm benchmark — {machine}; {time.perf_counter() - started:.0f} s\n")
    print(table(results))
    print()
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'MISS'}  {name}: {detail}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": machine,
                    "results": [asdict(r) for r in results],
                    "targets": [{"target": n, "pass": ok, "detail": d} for n, ok, d in checks],
                },
                indent=2,
                default=str,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    tempfile.tempdir = tempfile.gettempdir()
    raise SystemExit(main())
