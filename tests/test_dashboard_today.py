"""The Dashboard's Today block (follow-ups due today, overdue tasks, hot leads), its
customer satisfaction block and its period columns labelled with their exact days, as a
person gets them: ``sheetcrm demo`` / ``refresh`` in fresh processes on an .xlsx file and
on ``sheetcrm emulator serve`` over HTTP, the Dashboard read back and checked against the
data tabs counted here with pandas; the charts still draw from the rows they name."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
import urllib.request
from collections import Counter
from typing import Any

import pandas as pd
import pytest
from support import emulator_serve, run_sheetcrm

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.crm import CRM
from sheetcrm.model.changes import ChartSpec
from sheetcrm.workbook.dashboard import dashboard_grid

AS_OF = dt.date(2025, 10, 15)
ASOF = ("--as-of", AS_OF.isoformat())
OPEN = ("new", "contacted", "qualified")
HEADER = [
    "KPI",
    "This month\n(2025-10-01 – 2025-10-15)",
    "Last month\n(2025-09-01 – 2025-09-30)",
    "Same days last month\n(2025-09-01 – 2025-09-15)",
    "Change vs\nsame days (%)",
    "Trend (12 months)",
]


def _day(value: Any) -> dt.date | None:
    if value is None or value == "" or (isinstance(value, float) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _done(task: pd.Series) -> bool:
    return task.get("status") == "done" or task.get("done") is True


def expected(frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """What the Dashboard should say, counted from the data tabs."""
    leads, tasks, acts = frames["Leads"], frames["Tasks"], frames["Interactions"]
    open_ = leads[leads["status"].isin(OPEN)]
    next_day = open_["next_action_date"].map(_day)
    due = tasks["due_date"].map(_day)
    not_done = ~tasks.apply(_done, axis=1)
    follow = int((next_day == AS_OF).sum()) + int(((due == AS_OF) & not_done).sum())
    overdue = int((due.map(lambda d: d is not None and d < AS_OF) & not_done).sum())
    waiting = next_day.map(lambda d: d is not None and d <= AS_OF)
    hot = (open_["score"].astype(float) >= 70) | ((open_["interest"] == "high") & waiting)
    when = acts["date"].map(_day)
    scored = acts[acts["satisfaction"].notna() & when.map(lambda d: d is not None and d <= AS_OF)]
    month = scored[scored["date"].map(_day) >= dt.date(2025, 10, 1)]["satisfaction"].astype(float)
    every = scored["satisfaction"].astype(float)
    last = frames["Customers"]["last_satisfaction"].astype(float)
    return {
        "Follow-ups due today": follow,
        "Overdue tasks": overdue,
        "hot": int(hot.sum()),
        "Responses": [len(month), len(every)],
        "Average score (of 5)": [round(month.mean(), 2), round(every.mean(), 2)],
        "Happy (4–5 of 5) (%)": [
            round(100 * (month >= 4).mean(), 1),
            round(100 * (every >= 4).mean(), 1),
        ],
        "unhappy": int((last <= 2).sum()),
    }


def check(rows: list[list[Any]], frames: dict[str, pd.DataFrame]) -> None:
    """The Dashboard ``rows`` (row 0 first, numbers as numbers) against the data tabs."""
    want = expected(frames)
    assert rows[2][:6] == HEADER
    by = {str(r[0]): r for r in rows if r and r[0]}
    today = next(i for i, r in enumerate(rows) if r and r[0] == "Today")
    assert rows[today][:3] == ["Today", "Count", "First few"]
    block = {str(r[0]): r for r in rows[today + 1 : today + 4]}
    assert block["Follow-ups due today"][1] == want["Follow-ups due today"] > 0
    assert block["Overdue tasks"][1] == want["Overdue tasks"] == by["Overdue tasks"][1]
    hot = next(r for k, r in block.items() if k.startswith("Hot leads"))
    assert hot[1] == want["hot"] > 0
    for row in block.values():  # the first few names, at most three
        assert 0 < len(str(row[2]).split(", ")) <= 3
    sat = next(i for i, r in enumerate(rows) if r and r[0] == "Customer satisfaction")
    assert rows[sat][1:3] == ["This month\n(2025-10-01 – 2025-10-15)", "All time (to 2025-10-15)"]
    for label in ("Responses", "Average score (of 5)", "Happy (4–5 of 5) (%)"):
        assert [float(v) for v in by[label][1:3]] == pytest.approx(want[label]), label
    assert want["Responses"][1] > want["Responses"][0] > 0
    assert by["Unhappy customers (last score 2 or less)"][2] == want["unhappy"] > 0
    assert "Net Promoter Score (−100 to 100)" not in by  # a 1–5 workbook has no NPS


def frames_of(crm: CRM) -> dict[str, pd.DataFrame]:
    return {t: crm.frame(t) for t in ("Leads", "Tasks", "Interactions", "Customers")}


def test_demo_and_refresh_on_xlsx_show_today_satisfaction_and_dated_periods(tmp_path):
    book = tmp_path / "crm.xlsx"
    made = run_sheetcrm("demo", "--xlsx", str(book), *ASOF, "-q", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    again = run_sheetcrm("refresh", "--xlsx", str(book), *ASOF, cwd=tmp_path)
    assert again.returncode == 0 and "nothing to change" in again.stdout, again.stdout
    crm = CRM(backend=XlsxBackend(book))
    grid = crm.backend.read(["Dashboard"])["Dashboard"]
    check([grid.header, *grid.rows], frames_of(crm))


def _month_of(rows: list[list[Any]], spec: ChartSpec) -> list[Any]:
    col, first, end = spec.domain
    return [rows[r][col] for r in range(first, end)]


def test_charts_still_draw_from_the_month_source_and_campaign_rows(tmp_path):
    """The new blocks sit below the month table: each chart's ranges still name the rows
    of its own data (month names and revenue, sources and leads, campaigns and ROI)."""
    book = tmp_path / "crm.xlsx"
    assert run_sheetcrm("demo", "--xlsx", str(book), *ASOF, "-q", cwd=tmp_path).returncode == 0
    crm = CRM(backend=XlsxBackend(book))
    from sheetcrm.workbook.refresh import compute

    rows, charts = dashboard_grid(compute(crm, crm.backend.read(), AS_OF))
    by_title = {c.title: c for c in charts}
    line = by_title["Revenue by month"]
    assert rows[line.domain[1] - 1][0] == "Month" and len(_month_of(rows, line)) == 12
    assert rows[line.series[0][1] - 1][line.series[0][0]] == "Revenue"
    pie = by_title["Leads by source"]
    assert rows[pie.domain[1] - 1][pie.domain[0]] == "Source"
    assert rows[pie.series[0][1] - 1][pie.series[0][0]] == "Leads"
    bar = by_title["Campaign ROI (%)"]
    assert rows[bar.domain[1] - 1][bar.domain[0]] == "Best campaigns"
    assert rows[bar.series[0][1] - 1][bar.series[0][0]] == "ROI (%)"
    today = next(i for i, r in enumerate(rows) if r and r[0] == "Today")
    assert today > line.domain[2]  # below the month table, not inside any chart's range


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_demo_and_refresh_on_the_emulator_over_http(tmp_path):
    with emulator_serve(tmp_path) as (url, [sheet]):
        env = {"SHEETCRM_API_ENDPOINT": url, "SHEETCRM_SNAPSHOTS": str(tmp_path / "snap")}

        def cli(*args: str) -> str:
            dated = ASOF if args[0] in ("demo", "refresh") else ()
            done = run_sheetcrm(*args, "--sheet", sheet, *dated, env=env, cwd=tmp_path)
            assert done.returncode == 0, (args, done.stderr)
            return done.stdout

        cli("demo", "-q")
        cli("refresh")
        before = _get(f"{url}/_emulator/stats")["requests"]
        assert "nothing to change" in cli("refresh")
        first = Counter(_get(f"{url}/_emulator/stats")["requests"]) - Counter(before)
        middle = _get(f"{url}/_emulator/stats")["requests"]
        cli("refresh")
        second = Counter(_get(f"{url}/_emulator/stats")["requests"]) - Counter(middle)
        assert first == second and not any("batchUpdate" in k for k in second), second
        query = urllib.parse.urlencode({"valueRenderOption": "UNFORMATTED_VALUE"})
        values = _get(f"{url}/v4/spreadsheets/{sheet}/values/Dashboard?{query}")["values"]
        shown = json.loads(cli("show", "Leads", "--format", "json"))
        frames = {"Leads": pd.DataFrame(shown)}
        for tab in ("Tasks", "Interactions", "Customers"):
            frames[tab] = pd.DataFrame(json.loads(cli("show", tab, "--format", "json")))
    width = max(len(r) for r in values)
    check([[*r, *[None] * (width - len(r))] for r in values], frames)


# --- the definitions, on hand-made frames ------------------------------------------------


def test_same_days_last_month_compares_like_with_like():
    from sheetcrm.analytics.kpis._month_to_date import same_days_last_month
    from sheetcrm.analytics.periods import last_month, this_month
    from sheetcrm.model.calendars import JALALI

    mid = same_days_last_month(AS_OF)
    assert (mid.start, mid.last) == (dt.date(2025, 9, 1), dt.date(2025, 9, 15))
    end = same_days_last_month(dt.date(2025, 3, 31))  # February has no 29th–31st
    assert (end.start, end.last) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    day = dt.date(2025, 10, 4)  # 12 Mehr 1404: the Jalali month is 12 days old
    jalali = same_days_last_month(day, JALALI)
    assert jalali.start == last_month(day, JALALI).start and jalali.days == 12
    assert this_month(day, JALALI).days == 12


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[r.get(c) for c in columns] for r in rows], columns=columns, dtype=object)


def test_today_counts_follow_ups_overdue_tasks_and_hot_leads():
    from sheetcrm.analytics.kpis._today import today

    lead_cols = ["lead_id", "name", "status", "interest", "next_action_date"]
    leads = _frame(
        [
            {"lead_id": "L1", "name": "Sara", "status": "new", "next_action_date": AS_OF},
            {
                "lead_id": "L2",
                "name": "Omid",
                "status": "qualified",
                "interest": "high",
                "next_action_date": AS_OF - dt.timedelta(days=3),
            },
            {"lead_id": "L3", "name": "Rina", "status": "contacted"},
            {"lead_id": "L4", "name": "Won", "status": "converted", "next_action_date": AS_OF},
            {"lead_id": "L5", "name": "Cold", "status": "new", "interest": "high"},
        ],
        lead_cols,
    )
    scores = pd.Series({"L1": 20, "L2": 40, "L3": 85, "L4": 95, "L5": 30})
    task_cols = ["task_id", "title", "status", "done", "due_date"]
    tasks = _frame(
        [
            {"task_id": "T1", "title": "Call back", "due_date": AS_OF},
            {"task_id": "T2", "title": "Sent", "status": "done", "due_date": AS_OF},
            {"task_id": "T3", "title": "Ship", "due_date": AS_OF - dt.timedelta(days=1)},
            {"task_id": "T4", "title": "Ticked", "done": True, "due_date": dt.date(2025, 1, 1)},
        ],
        task_cols,
    )
    now = today(leads, scores, tasks, AS_OF)
    assert (now.follow_ups.count, now.follow_ups.names) == (2, ("Sara", "Call back"))
    assert (now.overdue_tasks.count, now.overdue_tasks.names) == (1, ("Ship",))
    assert (now.hot_leads.count, now.hot_leads.names) == (2, ("Rina", "Omid"))


def test_a_0_to_10_workbook_shows_the_net_promoter_score():
    from sheetcrm.analytics import kpis
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.demo import write_demo
    from sheetcrm.workbook.refresh import compute

    crm = CRM(backend=MemoryBackend())
    write_demo(crm, AS_OF)
    ins = compute(crm, crm.backend.read(), AS_OF)
    ten = kpis.SatisfactionSettings(scale=10, unhappy_at=6)
    rows, _ = dashboard_grid(ins, satisfaction=ten)
    by = {str(r[0]): r for r in rows if r and r[0]}
    nps = kpis.satisfaction(ins.frames["Interactions"], AS_OF, None, ten).nps
    assert nps is not None and by["Net Promoter Score (−100 to 100)"][2] == nps
    assert "Happy (9–10 of 10) (%)" in by and "Average score (of 10)" in by
    assert "Unhappy customers (last score 6 or less)" in by


def test_a_jalali_workbook_labels_its_period_columns_in_its_calendar():
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.demo import write_demo
    from sheetcrm.model.calendars import JALALI
    from sheetcrm.workbook.look import Look
    from sheetcrm.workbook.refresh import compute

    day = dt.date(2025, 10, 4)  # 12 Mehr 1404
    crm = CRM(backend=MemoryBackend())
    write_demo(crm, day)
    rows, _ = dashboard_grid(compute(crm, crm.backend.read(), day), Look(calendar=JALALI))
    assert rows[2][1:4] == [
        "This month\n(1404-07-01 – 1404-07-12)",
        "Last month\n(1404-06-01 – 1404-06-31)",  # Shahrivar has 31 days
        "Same days last month\n(1404-06-01 – 1404-06-12)",
    ]
    sat = next(r for r in rows if r and r[0] == "Customer satisfaction")
    assert sat[1:3] == ["This month\n(1404-07-01 – 1404-07-12)", "All time (to 1404-07-12)"]
