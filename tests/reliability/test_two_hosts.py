"""Two imports from two machines at once, interleaved at each request of the first.

Host A's request N is held until host B's whole import has finished, for every N of
A's uninterrupted run (xlsx: A waits before each load and each save of the workbook
while B runs). Afterwards nothing is lost: a run that exited 0 or 4 has all its records
in the workbook, a run that was refused (exit 5, the other's lease) or stopped (exit 6)
writes them when run again, and every record is there once.
"""

from __future__ import annotations

from typing import Any

from .harness import Child, Hold, SheetsWorld, XlsxWorld, run, spread, wait_for

NEW_A = [f"a{i:02d}@example.com" for i in range(8)]
NEW_B = [f"b{i:02d}@example.com" for i in range(8)]
SEED = [f"c{i:02d}@example.com" for i in range(10)]


def verdict(world: Any, files: dict[str, Any], a: Any, b: Any) -> list[str]:
    found: list[str] = []
    for ran in (a, b):
        if ran.returncode not in (0, 4, 5, 6) or "Traceback" in ran.stderr:
            found.append(str(ran))

    def emails() -> list[Any]:
        rows = world.book().tabs["Customers"]
        at = list(rows[0]).index("email")
        return [r[at] for r in rows[1:] if at < len(r)]

    have = emails()
    for ran, mine, who in ((a, NEW_A, "A"), (b, NEW_B, "B")):
        if ran.returncode in (0, 4):
            lost = [e for e in mine if e not in have]
            if lost:
                found.append(
                    f"{who} exited {ran.returncode} but {len(lost)} of its records are gone"
                )
    for ran, key in ((a, "host-a"), (b, "host-b")):
        if ran.returncode in (5, 6):
            again = run(world, "import", str(files[key]), "--tab", "Customers", client=key[-1])
            if again.returncode not in (0, 4):
                found.append(f"rerun of {key}: {again}")
    have = emails()
    for e in NEW_A + NEW_B + SEED:
        if have.count(e) != 1:
            found.append(f"{e} is there {have.count(e)} times")
    if world.book().duplicate_ids():
        found.append(f"IDs more than once: {world.book().duplicate_ids()}")
    return found


def test_two_hosts_interleaved_at_each_request_gsheets(tmp_path, baselines, files):
    base = baselines("gsheets", "import-a")
    args_a = ["import", str(files["host-a"]), "--tab", "Customers"]
    args_b = ["import", str(files["host-b"]), "--tab", "Customers"]

    def case(sheets: Any, n: int) -> str | None:
        assert isinstance(sheets, SheetsWorld)
        where = f"A held before request {n} ({base.steps[n - 1].method_id})"
        sheets.restore(base.pre)
        hold = Hold("a", n)
        sheets.emu.gates.append(hold)
        a = Child(sheets, *args_a, client="a", spec={"host": "host-a"})
        wait_for(hold.reached.is_set, a)
        b = run(sheets, *args_b, client="b", spec={"host": "host-b"})
        hold.go.set()
        ran_a = a.finish()
        sheets.emu.reset_hooks()
        found = verdict(sheets, files, ran_a, b)
        return (
            f"{where} (A {ran_a.returncode}, B {b.returncode}): " + "; ".join(found)
            if found
            else None
        )

    points = list(range(1, len(base.steps) + 1))
    failures = spread("gsheets", tmp_path, points, case)
    assert not failures, f"{len(failures)} of {len(points)} requests:\n" + "\n".join(failures)


def test_two_hosts_interleaved_at_each_load_and_save_xlsx(tmp_path, baselines, files):
    base = baselines("xlsx", "import-a")
    args_a = ["import", str(files["host-a"]), "--tab", "Customers"]
    args_b = ["import", str(files["host-b"]), "--tab", "Customers"]
    points = [n for n, s in enumerate(base.steps, start=1) if s in ("load", "tmp", "replace")]

    def case(xlsx: Any, n: int) -> str | None:
        assert isinstance(xlsx, XlsxWorld)
        where = f"A held at {base.steps[n - 1]} (boundary {n})"
        xlsx.restore(base.pre)
        gates = xlsx.root / "gates"
        gates.mkdir()
        spec = {"workbook": str(xlsx.path), "gates": [n], "gate_dir": str(gates), "host": "host-a"}
        a = Child(xlsx, *args_a, client="a", spec=spec)
        wait_for(lambda: (gates / f"waiting-{n}").exists(), a)
        b = run(xlsx, *args_b, client="b", spec={"host": "host-b"})
        (gates / f"go-{n}").write_text("go")
        ran_a = a.finish()
        found = verdict(xlsx, files, ran_a, b)
        return (
            f"{where} (A {ran_a.returncode}, B {b.returncode}): " + "; ".join(found)
            if found
            else None
        )

    failures = spread("xlsx", tmp_path, points, case)
    assert not failures, f"{len(failures)} of {len(points)} boundaries:\n" + "\n".join(failures)
