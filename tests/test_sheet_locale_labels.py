"""``[locale] labels``: the sheet shows choice values in Persian (or Bengali), while
formulas, colours and metrics keep working — and switching the setting converts the
cells, dropdowns and colours sheetcrm owns, as counted changes, with no flip-flop."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from live_formula import live_rows

from sheetcrm.analytics.segments import DEFAULT_SEGMENTS
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.model import vocab
from sheetcrm.model.changes import AppendRow, SetCell
from sheetcrm.model.diff import labelled
from sheetcrm.workbook.dashboard import kpi_rows
from sheetcrm.workbook.refresh import compute, refresh

AS_OF = dt.date(2026, 11, 21)
CONVERTED = vocab.label("Leads.status", "converted", "fa")


def config(labels: str | None):
    return parse_config({"locale": {"labels": labels} if labels else {}})


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_the_labels_are_real_persian():
    """The vocabulary gives labels; without them this file would test nothing."""
    assert CONVERTED != "converted" and vocab.label("Tasks.status", "done", "fa") != "done"


def demo(backend, labels):
    crm = CRM(backend=backend, config=config(labels))
    write_demo(crm, AS_OF)
    refresh(crm, AS_OF)
    return crm


def column(crm, tab, name):
    grid = crm.read([tab])[tab]
    col = grid.header.index(name)
    return [r[col] for r in grid.rows if col < len(r)]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    plain, fa = demo(MemoryBackend(), None), demo(MemoryBackend(), "fa")
    yield plain, fa
    mp.undo()


def test_cells_show_labels_and_parse_to_canonical(both):
    plain, fa = both
    shown = column(fa, "Leads", "status")
    assert CONVERTED in shown and "converted" not in shown
    assert set(column(plain, "Leads", "status")) <= set(fa.schema["Leads"].field("status").values)
    frame = fa.frame("Leads")
    assert frame.attrs["issues"] == []
    assert list(frame["status"]) == column(plain, "Leads", "status")


def test_metrics_are_the_same_either_way(both):
    plain, fa = both
    figures = [kpi_rows(compute(c, c.read(), AS_OF)) for c in both]
    assert figures[0] == figures[1]
    assert column(plain, "Dashboard", "Dashboard") == column(fa, "Dashboard", "Dashboard")


def test_summary_tabs_name_sources_and_channels_as_the_sheet_does(both):
    plain, fa = both
    sources = column(plain, "By source", "Source")
    assert column(fa, "By source", "Source") == [
        vocab.label("Leads.source", s, "fa") for s in sources
    ]
    assert vocab.label("Leads.source", "instagram", "fa") in column(fa, "By source", "Source")
    assert column(fa, "By source", "Leads") == column(plain, "By source", "Leads")
    channels = column(plain, "By campaign", "Channel")
    assert column(fa, "By campaign", "Channel") == [
        vocab.label("Campaigns.channel", c, "fa") for c in channels
    ]


def test_a_rerun_writes_nothing(both):
    _, fa = both
    counts = refresh(fa, AS_OF).changes.counts()
    assert counts["cells_changed"] == counts["layout_changes"] == counts["rows_appended"] == 0


def test_an_import_writes_labels_and_rests(both):
    _, fa = both
    fa.upsert("Leads", [{"lead_id": "L-N1", "name": "Sara", "status": "تبدیل شده"}])
    ops = labelled(
        [AppendRow("Leads", {"lead_id": "L-N2", "status": "converted"})], fa.schema, "fa"
    )
    assert ops[0].values["status"] == CONVERTED
    assert labelled(ops, fa.schema, "fa") == ops  # idempotent
    same = SetCell("Leads", "L-1", "status", "lost")
    assert labelled([same], fa.schema, None) == [same]
    assert not fa.plan_upsert("Leads", [{"lead_id": "L-N1", "status": "converted"}])


def test_colours_follow_the_labelled_cells(both):
    for crm in both:
        grids = crm.read(layout=True)
        leads = crm.frame("Leads").set_index("lead_id")
        texts = [s.split("|")[0].split(":", 2)[2] for s in grids["Leads"].layout.styles]
        converted = next(t for t in texts if "TODAY" not in t and "converted" in t)
        want = set(leads.index[leads["status"] == "converted"])
        assert want and live_rows(converted, grids["Leads"], today=AS_OF) == want
        overdue = next(t for t in texts if "TODAY" in t)
        late = set(leads.index[leads["urgency"] == "overdue"])
        assert live_rows(overdue, grids["Leads"], today=AS_OF) == late
        tasks = crm.frame("Tasks").set_index("task_id")
        (task_rule,) = [s.split("|")[0].split(":", 2)[2] for s in grids["Tasks"].layout.styles]
        assert live_rows(task_rule, grids["Tasks"], today=AS_OF) == set(
            tasks.index[tasks["overdue"] == True]  # noqa: E712 - a checkbox column
        )
        customers = crm.frame("Customers").set_index("customer_id")
        rules = {
            s.rsplit("|", 2)[1]: s.split("|")[0].split(":", 2)[2]
            for s in grids["Customers"].layout.styles
            if s.startswith("formula:")
        }
        coloured: set[str] = set()
        for spec in DEFAULT_SEGMENTS:
            if spec.get("color") and spec["color"] in rules:
                hit = live_rows(rules[spec["color"]], grids["Customers"], today=AS_OF) - coloured
                assert hit == set(customers.index[customers["segment"] == spec["name"]])
                coloured |= hit
        assert coloured


def test_switching_labels_converts_the_sheet_as_counted_changes(tmp_path):
    path = tmp_path / "crm.xlsx"
    crm = CRM(backend=XlsxBackend(path), config=config(None))
    write_demo(crm, AS_OF)
    refresh(crm, AS_OF)
    choices = sum(
        1
        for tab in crm.schema.core_tabs
        for f in tab.fields
        if f.type == "enum" and not f.computed
        for v in column(crm, tab.name, f.name)
        if v and vocab.label(f"{tab.name}.{f.name}", v, "fa") != v
    )
    assert choices > 100

    fa = CRM(backend=XlsxBackend(path), config=config("fa"))
    plan = refresh(fa, AS_OF, dry_run=True).changes
    data = {t.name for t in crm.schema.data_tabs}
    assert sum(isinstance(op, SetCell) and op.tab in data for op in plan.ops) == choices
    assert "Leads" in plan.render(limit=2000) and CONVERTED in plan.render(limit=2000)
    refresh(fa, AS_OF)
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    letter = openpyxl.utils.get_column_letter([c.value for c in ws[1]].index("status") + 1)
    dv = next(d for d in ws.data_validations.dataValidation if letter in str(d.sqref))
    assert CONVERTED in dv.formula1 and "converted" not in dv.formula1
    assert CONVERTED in {c.value for c in ws[letter]}
    again = refresh(fa, AS_OF).changes.counts()
    assert again["cells_changed"] == 0 and again["layout_changes"] == 0

    back = CRM(backend=XlsxBackend(path), config=config(None))
    undo = refresh(back, AS_OF).changes
    assert sum(isinstance(op, SetCell) and op.tab in data for op in undo.ops) == choices
    assert "converted" in column(back, "Leads", "status")
    assert refresh(back, AS_OF).changes.counts()["cells_changed"] == 0


def test_a_spelling_people_typed_is_left_as_typed(tmp_path):
    path = tmp_path / "crm.xlsx"
    crm = CRM(backend=XlsxBackend(path), config=config(None))
    write_demo(crm, AS_OF)
    wb = openpyxl.load_workbook(path)
    ws = wb["Leads"]
    col = [c.value for c in ws[1]].index("source") + 1
    ws.cell(row=2, column=col, value="IG")  # typed by a teammate, in the sheet
    ws.cell(row=3, column=col, value="instagram")
    wb.save(path)
    refresh(CRM(backend=XlsxBackend(path), config=config("fa")), AS_OF)
    ws = openpyxl.load_workbook(path)["Leads"]
    assert ws.cell(row=2, column=col).value == "IG"
    assert ws.cell(row=3, column=col).value == vocab.label("Leads.source", "instagram", "fa")
