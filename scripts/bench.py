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
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # sheetcrm from this checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench_* modules beside it

from bench_approaches import SCENARIOS, read_sheetcrm, refresh_sheetcrm, sync_sheetcrm
from bench_harness import (
    NAIVE_LIMIT,
    TABS,
    Data,
    Result,
    World,
    changed,
    dataset,
    header,
    measure,
)


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
    # a sync is the lease's small apply (locate, take) plus the anchored write: locate,
    # tag, re-read and write by data filter, appendCells (+ the lease release with it)
    out.append(("sync ≤ 12 requests", all(v <= 12 for v in sync_req.values()), str(sync_req)))
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
                (f"sync bytes ≤ 10% of gspread-dataframe ({n:,})", ratio <= 0.10, f"{ratio:.2%}")
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
