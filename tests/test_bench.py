"""The benchmark's request and byte accounting (deterministic), and its request budgets.
No timing is asserted here: times are reported by scripts/bench.py as ratios."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("gspread_dataframe")


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    import os

    os.environ.setdefault("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    path = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"
    spec = importlib.util.spec_from_file_location("sheetcrm_bench", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["sheetcrm_bench"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def results(bench):
    out = []
    for n in (200, 800):
        out += bench.run_size(n, "inproc", memory=False, log=lambda _: None)
    return out


def test_budgets_hold_and_do_not_grow(bench, results):
    checks = {name: ok for name, ok, _ in bench.targets(results, [200, 800])}
    assert checks["read ≤ 2 requests"]
    assert checks["sync ≤ 12 requests"]
    assert checks["requests constant in rows"]
    assert checks["no-change re-run: 0 writes"]
    assert checks["sync bytes ≤ 10% of gspread-dataframe (800)"]


def test_accounting_is_deterministic(bench, results):
    again = bench.run_size(200, "inproc", memory=False, log=lambda _: None)
    first = [
        (r.scenario, r.approach, r.requests, r.writes, r.sent) for r in results if r.size == 200
    ]
    assert first == [(r.scenario, r.approach, r.requests, r.writes, r.sent) for r in again]


def test_the_baselines_really_ran(bench, results):
    naive = bench.find(results, "initial load", "naive", 200)
    rows = sum(len(v) for v in bench.dataset(200).values())
    assert naive.requests > rows  # one append per row, plus setup
    frame = bench.find(results, "incremental", "dataframe", 800)
    ours = bench.find(results, "incremental", "sheetcrm", 800)
    # anchored writes name each edited row by its tag, so a sync sends more than the
    # positional write did; still an order of magnitude under a dataframe rewrite
    assert frame.sent > 10 * ours.sent
    assert bench.find(results, "no-change", "sheetcrm", 800).writes == 0
    assert bench.find(results, "no-change", "dataframe", 800).writes > 0


def test_quick_mode_runs_and_prints_targets(bench, capsys, tmp_path):
    out = tmp_path / "bench.json"
    assert (
        bench.main(
            [
                "--sizes",
                "150",
                "--transport",
                "http",
                "--no-memory",
                "--scale",
                "0",
                "--json",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "PASS  read ≤ 2 requests" in printed and "| scenario |" in printed
    import json

    data = json.loads(out.read_text())
    assert data["results"] and all(t["pass"] for t in data["targets"])
