"""The typed ``_meta`` store: every key round-trips through each backend, unknown keys are
kept and ignored, damaged values are ignored safely (or, for the schema version, refused
with a clear message), and backends get chart declarations, never ``_meta`` keys."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from contract.harness import HARNESSES, Harness

from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.errors import WorkbookError
from sheetcrm.model.changes import (
    ANY,
    AppendRow,
    ChangeSet,
    ChartSpec,
    Expect,
    Op,
    SetCell,
    SetCharts,
)
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import TAB, Lease, Meta
from sheetcrm.model.schema import SCHEMA_VERSION
from sheetcrm.workbook.refresh import refresh

DAY = dt.date(2026, 11, 21)
LINE = ChartSpec("Revenue by month", "line", (14, 0), (0, 15, 27), ((1, 15, 27),))
PIE = ChartSpec("Leads by source", "pie", (30, 6), (0, 31, 38), ((1, 31, 38),), (400, 300))
STYLES = {"formula:0-20:=$K2>=1000|#FFF2CC|", "scale:0-1:0=#F8696B;50=#FFEB84;100=#63BE7B"}


@contextlib.contextmanager
def workbook(backend: str, tmp_path: Path) -> Iterator[tuple[Harness, CRM]]:
    harness = HARNESSES[backend](tmp_path)
    try:
        crm = CRM(backend=harness.backend)
        crm.init()
        yield harness, crm
    finally:
        harness.close()


def meta(crm: CRM) -> Meta:
    return Meta.of(crm.read([TAB]))


def put(crm: CRM, *ops: Op) -> None:
    crm.backend.apply(ChangeSet(list(ops)), crm.schema)


@pytest.mark.parametrize("backend", ["memory", "xlsx", "gsheets"])
def test_every_key_round_trips(backend, tmp_path):
    with workbook(backend, tmp_path) as (_, crm):
        m = meta(crm)
        assert m.schema_version() == SCHEMA_VERSION  # init recorded it
        assert m.writer() is not None and m.writer().startswith("init · ")
        assert not m.is_demo() and m.styles("Leads") == frozenset() and m.charts("Dashboard") == ()
        put(
            crm,
            *m.mark_demo(),
            *m.set_styles("Leads", STYLES),
            *m.set_styles("Tasks", ["formula:0-8:=AND($D2<TODAY())|#F4CCCC|#990000 — سررسید"]),
            *m.set_charts("Dashboard", [LINE, PIE]),
            *m.claim_writer("refresh · host pid 1 · 2026-11-21T08:00:00"),
        )
        back = meta(crm)
        assert back.is_demo() and back.styles("Leads") == STYLES
        assert back.styles("Tasks") == {"formula:0-8:=AND($D2<TODAY())|#F4CCCC|#990000 — سررسید"}
        assert back.charts("Dashboard") == (LINE, PIE)
        assert back.writer() == "refresh · host pid 1 · 2026-11-21T08:00:00"
        assert back.schema_version() == SCHEMA_VERSION
        # saying the same again is no change at all; saying something new edits the row
        assert back.mark_demo() == [] and back.set_styles("Leads", sorted(STYLES)) == []
        assert back.set_charts("Dashboard", [LINE, PIE]) == []
        assert back.set_schema_version(SCHEMA_VERSION) == []
        (edit,) = back.set_charts("Dashboard", [PIE])
        assert isinstance(edit, SetCell) and edit.key == "charts:Dashboard"
        put(crm, edit)
        assert meta(crm).charts("Dashboard") == (PIE,)


def test_claiming_the_writer_expects_what_was_read():
    fresh = Meta(None)
    assert fresh.claim_writer("me") == [
        Expect(TAB, "writer", "value", None),
        AppendRow(TAB, {"key": "writer", "value": "me"}),
    ]
    taken = Meta(TabGrid(TAB, ["key", "value"], [["writer", "them"]]))
    assert taken.claim_writer("me") == [
        Expect(TAB, "writer", "value", "them"),
        SetCell(TAB, "writer", "value", "me", "them"),
    ]


UTC = dt.UTC
SINCE = dt.datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_a_lease_reads_back_from_its_text():
    lease = Lease.new("import people · 2.csv", "laptop.local", 4242, SINCE, 900)
    assert lease.text() == (
        "import people · 2.csv · laptop.local pid 4242 · since 2026-11-21T08:00:00Z"
        " · until 2026-11-21T08:15:00Z"
    )
    assert Lease.parse(lease.text()) == lease
    assert lease.describe() == (
        "another run on laptop.local since 2026-11-21T08:00:00Z (import people · 2.csv); "
        "it expires at 2026-11-21T08:15:00Z"
    )
    assert not lease.expired(SINCE + dt.timedelta(minutes=14))
    assert lease.expired(SINCE + dt.timedelta(minutes=15))
    # a time zone other than UTC is understood; written back in UTC
    tehran = dt.timezone(dt.timedelta(hours=3, minutes=30))
    local = Lease.new("refresh", "h", 1, SINCE.astimezone(tehran))
    assert local.since == SINCE and "since 2026-11-21T08:00:00Z" in local.text()


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "a teammate's note",
        "x · h pid 1 · since soon · until later",
        "x · h · a · b",
        "x · h pid one · since 2026-11-21T08:00:00Z · until 2026-11-21T08:15:00Z",
    ],
)
def test_anything_else_in_the_lease_row_reads_as_no_lease(text):
    m = Meta(TabGrid(TAB, ["key", "value"], [["lease", text]]))
    assert m.lease() is None
    # taking it still expects exactly what was there
    mine = Lease.new("init", "h", 1, SINCE)
    expect, put = m.take_lease(mine)
    assert expect == Expect(TAB, "lease", "value", "" if text is None else text)
    assert put == SetCell(TAB, "lease", "value", mine.text(), ANY)


def test_taking_holding_and_releasing_the_lease():
    mine = Lease.new("init", "h", 1, SINCE)
    assert Meta(None).take_lease(mine) == [
        Expect(TAB, "lease", "value", None),
        AppendRow(TAB, {"key": "lease", "value": mine.text()}),
    ]
    assert Meta.holds_lease(mine) == [Expect(TAB, "lease", "value", mine.text())]
    assert Meta.holds_lease(None) == [Expect(TAB, "lease", "value", None)]
    assert Meta.release_lease(mine) == [SetCell(TAB, "lease", "value", "", mine.text())]
    assert Meta(None).add_lease_row() == [AppendRow(TAB, {"key": "lease", "value": ""})]


def test_columns_are_found_by_header_and_unknown_keys_are_ignored():
    grid = TabGrid(
        TAB,
        ["Value", "Key", "note"],
        [["3", "schema_version", ""], ["keep me", "teammate: backup", "x"], [None, None, None]],
    )
    m = Meta(grid)
    assert m.schema_version() == 3 and m.text("teammate: backup") == "keep me"
    assert m.keys() == ["schema_version", "teammate: backup"]
    assert Meta(None).keys() == [] and Meta(None).schema_version() is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("styles:Leads", "not json"),
        ("styles:Leads", '{"a": 1}'),
        ("styles:Leads", "[1, 2]"),
        ("charts:Dashboard", "[{"),
        ("charts:Dashboard", '[{"title": "x"}]'),
        ("charts:Dashboard", '"a string"'),
        ("charts:Dashboard", "[[1, 2]]"),
    ],
)
def test_a_damaged_declaration_reads_as_nothing_of_ours(key, value):
    m = Meta(TabGrid(TAB, ["key", "value"], [[key, value]]))
    assert m.styles("Leads") == frozenset() and m.charts("Dashboard") == ()
    # and it is rewritten in place (not appended twice) the next time it is declared
    if key.startswith("styles"):
        assert m.set_styles("Leads", ["s"]) == [SetCell(TAB, key, "value", '["s"]', value)]
    else:
        text = json.dumps([LINE.as_json()], ensure_ascii=False)
        assert m.set_charts("Dashboard", [LINE]) == [SetCell(TAB, key, "value", text, value)]


@pytest.mark.parametrize("value", ["abc", "1.2.3", "inf", "nan"])
def test_a_damaged_schema_version_is_a_clear_error(value, tmp_path):
    with workbook("memory", tmp_path) as (harness, crm):
        tab = harness.backend.tabs[TAB]
        row = next(r for r in tab.rows if r[0] == "schema_version")
        row[1] = value
        with pytest.raises(WorkbookError, match=r"schema_version .* is not a version number"):
            crm.init()


def test_refresh_repairs_a_damaged_chart_record(tmp_path):
    with workbook("memory", tmp_path) as (harness, crm):
        write_demo(crm, DAY)
        refresh(crm, DAY)
        declared = meta(crm).charts("Dashboard")
        assert len(declared) == 3
        row = next(r for r in harness.backend.tabs[TAB].rows if r[0] == "charts:Dashboard")
        row[1] = "{damaged"
        again = refresh(crm, DAY)
        assert again.changed  # only the record is written again; no chart is dropped
        assert not any(isinstance(op, SetCharts) for op in again.changes.ops)
        assert meta(crm).charts("Dashboard") == declared
        assert not refresh(crm, DAY).changed


def _chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))


def test_the_xlsx_backend_draws_from_declarations_not_from_meta_keys(tmp_path):
    path = tmp_path / "crm.xlsx"
    with workbook("xlsx", tmp_path) as (_, crm):
        write_demo(crm, DAY)
        refresh(crm, DAY)
        assert len(_chart_parts(path)) == 3
        # the domain's record in _meta is not what the backend draws from
        (drop,) = meta(crm).set_charts("Dashboard", [])
        put(crm, drop)
        assert meta(crm).charts("Dashboard") == ()
        assert len(_chart_parts(path)) == 3
        assert len(crm.read(["Dashboard"], layout=True)["Dashboard"].layout.charts) == 3
        # a SetCharts declaration is: dropping one leaves two, on every later save too
        key = next(iter(crm.read(["Dashboard"], layout=True)["Dashboard"].layout.charts))
        put(crm, SetCharts("Dashboard", (), (key,)))
        crm.upsert("Customers", [{"customer_id": "C-X", "name": "Another save"}])
        assert len(_chart_parts(path)) == 2
        assert key not in crm.read(["Dashboard"], layout=True)["Dashboard"].layout.charts
