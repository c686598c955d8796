"""Segment rules: every operator picks the expected rows in pandas, and the live formula
sheetcrm installs as a conditional format picks the same rows when a spreadsheet engine
evaluates it on the same cells (see live_formula.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from live_formula import letters, live_rows

from sheetcrm.analytics.segments import evaluate, formula, parse_rules
from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import CRM

AS_OF = dt.date(2026, 11, 21)  # pandas and the live formulas' TODAY() both take this day


def ago(days: int) -> dt.date:
    return AS_OF - dt.timedelta(days=days)


#: Customers as a workbook holds them; None is an empty cell.
PEOPLE = [
    {"id": "C-1", "total_spent": 0.0, "orders": 0, "last_contact": ago(0), "city": "Tehran"},
    {"id": "C-2", "total_spent": 50, "orders": 1, "last_contact": ago(29), "city": "TEHRAN"},
    {"id": "C-3", "total_spent": 100, "orders": 2, "last_contact": ago(30), "city": "Tehranpars"},
    {"id": "C-4", "total_spent": 100.5, "orders": 3, "last_contact": ago(31), "city": "Shiraz"},
    {"id": "C-5", "total_spent": 250, "orders": 5, "last_contact": ago(180), "city": "Isfahan"},
    {"id": "C-6", "total_spent": 1000, "orders": 10, "last_contact": ago(181), "city": None},
    {"id": "C-7", "total_spent": None, "orders": None, "last_contact": None, "city": "تهران"},
    {"id": "C-8", "total_spent": 20, "orders": 1, "last_contact": ago(400), "city": "ঢাকা"},
    {"id": "C-9", "total_spent": 5000, "orders": 40, "last_contact": ago(3), "city": "Kish"},
]
STATUS = {"C-1": "active", "C-2": "inactive", "C-3": "prospect", "C-5": "active"}
EVERYONE = {p["id"] for p in PEOPLE}

#: (field, op, value, the customers the rule selects)
OPERATORS = [
    ("total_spent", ">", 100, {"C-4", "C-5", "C-6", "C-9"}),
    ("total_spent", ">=", 100, {"C-3", "C-4", "C-5", "C-6", "C-9"}),
    ("total_spent", "<", 50, {"C-1", "C-8"}),
    ("total_spent", "<=", 50, {"C-1", "C-2", "C-8"}),
    ("total_spent", ">", 100.25, {"C-4", "C-5", "C-6", "C-9"}),
    ("total_spent", "top percent", 25, {"C-6", "C-9"}),
    ("total_spent", "bottom percent", 25, {"C-1", "C-8"}),
    ("orders", "==", 1, {"C-2", "C-8"}),
    ("orders", "!=", 1, {"C-1", "C-3", "C-4", "C-5", "C-6", "C-9"}),
    ("last_contact", "within days", 30, {"C-1", "C-2", "C-3", "C-9"}),
    ("last_contact", "older than days", 180, {"C-6", "C-8"}),
    ("last_contact", "older than days", 0, EVERYONE - {"C-1", "C-7"}),
    ("city", "==", "tehran", {"C-1", "C-2"}),
    ("city", "!=", "Tehran", {"C-3", "C-4", "C-5", "C-7", "C-8", "C-9"}),
    ("city", "in", ["Shiraz", "isfahan"], {"C-4", "C-5"}),
    ("city", "not in", ["Shiraz", "Isfahan"], {"C-1", "C-2", "C-3", "C-7", "C-8", "C-9"}),
    ("city", "contains", "tehran", {"C-1", "C-2", "C-3"}),
    ("city", "contains", "RA", {"C-1", "C-2", "C-3", "C-4"}),
    ("city", "contains", "تهر", {"C-7"}),
    ("city", "contains", "ঢা", {"C-8"}),
    ("city", "is blank", None, {"C-6"}),
    ("city", "not blank", None, EVERYONE - {"C-6"}),
    ("status", "==", "active", {"C-1", "C-5"}),
    ("status", "in", ["inactive", "prospect"], {"C-2", "C-3"}),
    ("status", "is blank", None, {"C-4", "C-6", "C-7", "C-8", "C-9"}),
]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    """The customers written through a backend: the frame pandas sees, the cells a sheet has."""
    mp = pytest.MonkeyPatch()
    mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    crm = CRM(backend=MemoryBackend())
    crm.init()
    records = [
        {"customer_id": p["id"], "name": p["id"], "status": STATUS.get(p["id"])}
        | {k: v for k, v in p.items() if k != "id"}
        for p in PEOPLE
    ]
    crm.upsert("Customers", records)
    yield crm.frame("Customers").set_index("customer_id", drop=False), crm.grid("Customers")
    mp.undo()


def rule(conditions, match="all"):
    tab = CRM(backend=MemoryBackend()).schema["Customers"]
    specs = [{"name": "r", "match": match, "when": conditions}]
    return parse_rules(specs, tab, "test")[0]


def pandas_and_live(r, workbook) -> tuple[set[str], set[str]]:
    frame, grid = workbook
    ev = evaluate(r, frame, AS_OF)
    return set(frame.index[ev.mask]), live_rows(formula(r, letters(grid), ev), grid, today=AS_OF)


@pytest.mark.parametrize(
    ("field", "op", "value", "want"),
    OPERATORS,
    ids=[f"{f} {op} {v}" for f, op, v, _ in OPERATORS],
)
def test_operator_in_pandas_and_in_the_live_formula(workbook, field, op, value, want):
    condition = {"field": field, "op": op} | ({} if value is None else {"value": value})
    in_pandas, live = pandas_and_live(rule([condition]), workbook)
    assert in_pandas == want
    assert live == want


@pytest.mark.parametrize(
    ("match", "want"),
    [("all", {"C-3"}), ("any", {"C-1", "C-2", "C-3", "C-4", "C-5", "C-6", "C-9"})],
)
def test_all_and_any_combine_the_same_way_live(workbook, match, want):
    conditions = [
        {"field": "city", "op": "contains", "value": "tehran"},
        {"field": "total_spent", "op": ">=", "value": 100},
    ]
    in_pandas, live = pandas_and_live(rule(conditions, match), workbook)
    assert in_pandas == live == want


def test_a_rule_without_conditions_matches_everyone(workbook):
    r = rule([])
    assert formula(r, letters(workbook[1])) == "=TRUE"
    assert pandas_and_live(r, workbook) == (EVERYONE, EVERYONE)


def test_contains_selects_rows_whose_text_includes_the_value(workbook):
    """`contains` is a case-insensitive substring test, in pandas and in the live colour,
    and blank cells never match."""
    r = rule([{"field": "city", "op": "contains", "value": "Tehran"}])
    in_pandas, live = pandas_and_live(r, workbook)
    assert in_pandas == live == {"C-1", "C-2", "C-3"}
    assert "C-6" not in in_pandas  # blank city
    assert "C-4" not in live  # Shiraz


def test_older_than_days_live_formula_colours_only_old_rows(workbook):
    """The live formula of `older than days` colours rows strictly older than N days,
    never the recent ones and never a row without a date."""
    frame, grid = workbook
    r = rule([{"field": "last_contact", "op": "older than days", "value": 180}])
    text = formula(r, letters(grid))
    live = live_rows(text, grid, today=AS_OF)
    assert live == {"C-6", "C-8"}  # 181 and 400 days ago
    assert not live & {"C-1", "C-5", "C-7"}  # today, exactly 180 days ago, no date
    assert live == set(frame.index[evaluate(r, frame, AS_OF).mask])
    a_day_later = live_rows(text, grid, today=AS_OF + dt.timedelta(days=1))
    assert a_day_later == {"C-5", "C-6", "C-8"}  # the pinned day is the one evaluated
