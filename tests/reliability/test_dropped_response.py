"""A lost answer after every write request of an import, a refresh and the demo.

The emulator applies the write and drops its response (as a timeout would). The run
must reconcile (look at what the lost request did and send only what is missing) and
finish, or stop with exit 6 so that the next run finishes; either way the workbook ends
as one uninterrupted run leaves it: no record twice, no doubled formats, protections or
charts. xlsx has no network, so these cases are Google Sheets only.
"""

from __future__ import annotations

from typing import Any

import pytest

from .harness import differences, drop_after, run, spread


@pytest.mark.parametrize("name", ["import", "refresh", "demo"])
def test_a_dropped_response_after_each_write_converges_gsheets(name, tmp_path, baselines):
    base = baselines("gsheets", name)
    args = baselines.args(name)
    points = [n for n, call in enumerate(base.steps, start=1) if call.writes]
    assert points, "the uninterrupted run wrote nothing"

    def case(sheets: Any, n: int) -> str | None:
        where = f"answer to request {n} ({base.steps[n - 1].method_id}) lost"
        sheets.restore(base.pre)
        sheets.emu.afters.append(drop_after("a", n))
        first = run(sheets, *args)
        sheets.emu.reset_hooks()
        if "Traceback" in first.stderr:
            return f"{where}: {first}"
        if first.returncode == 6:
            again = run(sheets, *args)
            if again.returncode != 0:
                return f"{where}: exit 6, then rerun {again}"
        elif first.returncode != 0:
            return f"{where}: {first}"
        said = differences(sheets.book(), base.post)
        return f"{where} (exit {first.returncode}): " + "; ".join(said) if said else None

    failures = spread("gsheets", tmp_path, points, case)
    assert not failures, f"{len(failures)} of {len(points)} writes:\n" + "\n".join(failures)
