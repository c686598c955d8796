"""SIGKILL at every boundary of an import and a refresh: the rerun converges.

Google Sheets: the child is killed once the emulator has applied its request N, before
the answer leaves, for every N of the uninterrupted run. xlsx: the child kills itself at
each step of each save (temp file made, mid-way through writing it, before the rename,
after it). Either way a second run must leave the workbook exactly as one uninterrupted
run does: the same records, each ID once, no doubled formats, protections or charts; and
an xlsx is at every moment the old workbook or the new one, never a broken file, with no
temp file surviving the next run.
"""

from __future__ import annotations

from typing import Any

import pytest

from .harness import (
    Child,
    World,
    XlsxWorld,
    assert_converged,
    differences,
    kill_after,
    ok,
    run,
    spread,
    xlsx_book,
)

RUNS = ["import", "refresh"]


def kill_points(steps: list[str]) -> list[int]:
    """The save boundaries worth a kill: each temp file made, the middle member written
    into it, each rename (before and after)."""
    points: list[int] = []
    zips: list[int] = []
    for n, kind in enumerate(steps, start=1):
        if kind == "zip":
            zips.append(n)
            continue
        if zips:
            points.append(zips[len(zips) // 2])
            zips = []
        if kind in ("tmp", "replace", "replaced"):
            points.append(n)
    return points


def report(failures: list[str], total: int) -> str:
    return f"{len(failures)} of {total} kill points:\n" + "\n".join(failures)


@pytest.mark.parametrize("name", RUNS)
def test_sigkill_at_every_request_then_rerun_converges_gsheets(name, tmp_path, baselines):
    base = baselines("gsheets", name)
    args = baselines.args(name)
    assert base.steps, "the uninterrupted run sent no request"

    def case(sheets: Any, n: int) -> str | None:
        where = f"after request {n} ({base.steps[n - 1].method_id})"
        sheets.restore(base.pre)
        child: list[Child] = []
        sheets.emu.afters.append(kill_after(sheets, "a", n, child))
        child.append(Child(sheets, *args))
        first = child[0].finish()
        sheets.emu.reset_hooks()
        if not first.killed:
            return f"{where}: not killed: {first}"
        again = run(sheets, *args)
        if again.returncode != 0:
            return f"{where}: rerun {again}"
        said = differences(sheets.book(), base.post)
        return f"{where}: " + "; ".join(said) if said else None

    points = list(range(1, len(base.steps) + 1))
    failures = spread("gsheets", tmp_path, points, case)
    assert not failures, report(failures, len(points))


@pytest.mark.parametrize("name", RUNS)
def test_sigkill_at_every_save_step_then_rerun_converges_xlsx(name, tmp_path, baselines):
    base = baselines("xlsx", name)
    args = baselines.args(name)
    points = kill_points(base.steps)
    assert points, f"no save in the uninterrupted run: {base.steps}"

    def case(xlsx: Any, n: int) -> str | None:
        where = f"kill at {base.steps[n - 1]} (boundary {n})"
        xlsx.restore(base.pre)
        pre_book = xlsx.book() if base.pre is not None else None
        first = run(xlsx, *args, spec={"workbook": str(xlsx.path), "kill": n})
        if not first.killed:
            return f"{where}: not killed: {first}"
        found: list[str] = []
        try:  # the file is the old workbook or the new one, never broken
            now = xlsx_book(xlsx.path)
            if differences(now, base.post) and (pre_book is None or differences(now, pre_book)):
                found.append("neither the old nor the new workbook")
        except Exception as exc:
            found.append(f"the workbook does not open: {exc!r}")
        again = run(xlsx, *args)
        if again.returncode != 0:
            found.append(f"rerun {again}")
        else:
            found += differences(xlsx.book(), base.post)
        if xlsx.temp_files():
            found.append(f"temp files survive the rerun: {xlsx.temp_files()}")
        return f"{where}: " + "; ".join(found) if found else None

    failures = spread("xlsx", tmp_path, points, case)
    assert not failures, report(failures, len(points))


def test_an_uninterrupted_run_converges_with_itself(world: World, baselines):
    """The yardstick: rerunning a finished import changes nothing (else every kill case
    would be measured against a moving target)."""
    base = baselines(world.kind, "import")
    world.restore(base.pre)
    ok(run(world, *baselines.args("import")))
    assert_converged(world.book(), base.post)
    ok(run(world, *baselines.args("import")))
    assert_converged(world.book(), base.post, "a second run changed the workbook")
    if isinstance(world, XlsxWorld):
        assert world.temp_files() == []
