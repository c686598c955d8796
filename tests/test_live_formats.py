"""The colours a teammate sees agree with the columns refresh computes: every formula
installed as a conditional format, evaluated on the tab's cells (see live_formula.py),
picks exactly the rows pandas marked — segments, overdue follow-ups, overdue tasks and
campaigns losing money."""

from __future__ import annotations

import datetime as dt

import pytest
from live_formula import live_rows

from sheetcrm.analytics.segments import DEFAULT_SEGMENTS
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import CRM
from sheetcrm.demo import write_demo
from sheetcrm.workbook.refresh import refresh

AS_OF = dt.date(2026, 11, 21)  # the as-of day of refresh and of the live formulas' TODAY()
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workbook as of AS_OF, plus the edge cases a teammate might type."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, AS_OF)
    crm.upsert(
        "Tasks",
        [
            {
                "task_id": "T-E1",
                "title": "ticked, not closed",
                "due_date": AS_OF - DAY,
                "status": "todo",
                "done": True,
            },
            {
                "task_id": "T-E2",
                "title": "closed, not ticked",
                "due_date": AS_OF - DAY,
                "status": "done",
                "done": False,
            },
            {
                "task_id": "T-E3",
                "title": "open, no box",
                "due_date": AS_OF - DAY,
                "status": "in_progress",
            },
            {"task_id": "T-E4", "title": "due today", "due_date": AS_OF, "status": "todo"},
            {"task_id": "T-E5", "title": "no due date", "status": "todo"},
        ],
    )
    crm.upsert(
        "Leads",
        [
            {
                "lead_id": "L-E1",
                "name": "late",
                "status": "qualified",
                "next_action_date": AS_OF - DAY,
            },
            {
                "lead_id": "L-E2",
                "name": "late but lost",
                "status": "lost",
                "next_action_date": AS_OF - DAY,
            },
            {"lead_id": "L-E3", "name": "today", "status": "new", "next_action_date": AS_OF},
        ],
    )
    refresh(crm, AS_OF)
    yield crm, crm.read(layout=True)
    mp.undo()


def formulas_of(grids, tab):
    """Installed formula rules of a tab: {(fill, font): formula}."""
    out = {}
    for signature in grids[tab].layout.styles:
        kind, _, rest = signature.partition(":")
        if kind != "formula":
            continue
        text, fill, font = rest.split(":", 1)[1].rsplit("|", 2)
        out[(fill, font)] = text
    return out


def test_segment_colours_follow_the_segment_column(demo):
    crm, grids = demo
    installed = formulas_of(grids, "Customers")
    customers = crm.frame("Customers").set_index("customer_id")
    coloured: set[str] = set()
    for spec in DEFAULT_SEGMENTS:
        if not spec.get("color"):
            continue
        text = installed[(spec["color"], spec.get("font", ""))]
        # earlier rules win
        first_match = live_rows(text, grids["Customers"], today=AS_OF) - coloured
        assert first_match == set(customers.index[customers["segment"] == spec["name"]])
        coloured |= first_match
    assert {"VIP", "inactive"} <= set(customers["segment"])


def test_overdue_task_colour_follows_the_overdue_column(demo):
    crm, grids = demo
    (text,) = formulas_of(grids, "Tasks").values()
    tasks = crm.frame("Tasks").set_index("task_id")
    want = set(tasks.index[tasks["overdue"] == True])  # noqa: E712 - a checkbox column
    assert live_rows(text, grids["Tasks"], today=AS_OF) == want
    assert "T-E3" in want and not want & {"T-E1", "T-E2", "T-E4", "T-E5"}


def test_overdue_follow_up_colour_follows_lead_urgency(demo):
    crm, grids = demo
    text = next(t for t in formulas_of(grids, "Leads").values() if "TODAY()" in t)
    leads = crm.frame("Leads").set_index("lead_id")
    want = set(leads.index[leads["urgency"] == "overdue"])
    assert live_rows(text, grids["Leads"], today=AS_OF) == want
    assert "L-E1" in want and not want & {"L-E2", "L-E3"}


def test_losing_money_colour_follows_roi(demo):
    crm, grids = demo
    (text,) = formulas_of(grids, "Campaigns").values()
    campaigns = crm.frame("Campaigns").set_index("campaign_id")
    roi = campaigns["roi"].astype(float)
    assert live_rows(text, grids["Campaigns"], today=AS_OF) == set(campaigns.index[roi < 0])
    assert (roi < 0).any() and roi.isna().any()
