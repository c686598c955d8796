"""The Google Sheets backend against the emulator: request budget, retries, faults,
teammates between read and write, and the errors a user meets."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from contract.harness import no_sleep, sheets_backend

from sheetcrm.backends.gsheets.retry import RemoteFailure, RetryPolicy
from sheetcrm.crm import CRM
from sheetcrm.emulator import Emulator
from sheetcrm.emulator.teammate import Teammate
from sheetcrm.errors import (
    AccessError,
    NotFoundError,
    RateLimitedError,
    TransientError,
)


@pytest.fixture
def ss(emu):
    return emu.create_spreadsheet("crm")


@pytest.fixture
def crm(emu, ss):
    c = CRM(backend=sheets_backend(emu, ss.id))
    c.init()
    return c


def fill(emu, ss, crm, n):
    """Put n customers straight into the emulated sheet (a fast, realistic fixture)."""
    sheet = next(s for s in ss.sheets if s.title == "Customers")
    header = crm.schema["Customers"].columns
    sheet.props["gridProperties"]["rowCount"] = n + 1  # full: appends must grow the grid
    for i in range(n):
        row = [None] * len(header)
        row[0], row[1] = f"C-{i:06d}", f"Customer {i}"
        row[header.index("city")] = "Tehran" if i % 2 else "Dhaka"
        sheet.set(i + 1, 0, None)
        sheet.rows.append(row)


def _budget(rows: int) -> tuple[Counter[str], Counter[str]]:
    """Requests per method for a fresh read and a 1%-changed, 0.5%-new sync of ``rows``."""
    emu = Emulator()
    ss = emu.create_spreadsheet("crm")
    crm = CRM(backend=sheets_backend(emu, ss.id))
    crm.init()
    fill(emu, ss, crm, rows)
    fresh = CRM(backend=sheets_backend(emu, ss.id))
    emu.stats.reset()
    grid = fresh.read()["Customers"]
    read = Counter(emu.stats.requests)
    emu.stats.reset()
    changes = fresh.plan_upsert(
        "Customers",
        [{"customer_id": f"C-{i:06d}", "city": "Shiraz"} for i in range(0, rows, 100)]
        + [{"name": f"New {i}"} for i in range(rows // 200)],
        grid=grid,
    )
    report = fresh.backend.apply(changes, fresh.schema)
    assert report.cells_written == rows // 100 + rows // 200 * 2
    sync = Counter(emu.stats.requests)
    emu.stats.reset()
    again = CRM(backend=fresh.backend)
    assert not again.plan_upsert(
        "Customers", [{"customer_id": f"C-{i:06d}", "city": "Shiraz"} for i in range(0, rows, 100)]
    )
    assert emu.stats.writes == 0
    return read, sync


def test_request_budget_does_not_grow_with_rows():
    small, large = _budget(1_000), _budget(50_000)
    assert small == large
    read, sync = small
    assert read == {"sheets.spreadsheets.values.batchGet": 1, "sheets.spreadsheets.get": 1}
    assert sync == {
        "sheets.spreadsheets.values.batchGet": 1,  # find rows by ID
        # batch #1 tags the edited rows; batch #2 appends the new rows (appendCells grows
        # the grid itself) and deletes the tags
        "sheets.spreadsheets.batchUpdate": 2,
        "sheets.spreadsheets.values.batchGetByDataFilter": 1,  # where the tagged rows are now
        "sheets.spreadsheets.values.batchUpdateByDataFilter": 1,  # the edits, by tag
    }


def test_no_change_rerun_sends_no_writes(emu, ss, crm):
    records = [{"customer_id": "C-1", "name": "سارا", "first_contact": "۱۴۰۳/۰۱/۱۵"}]
    crm.upsert("Customers", records)
    emu.stats.reset()
    result = crm.upsert("Customers", records)
    assert not result.changed
    assert emu.stats.writes == 0
    emu.stats.reset()
    assert not crm.init().changed
    assert emu.stats.writes == 0


def test_text_is_written_raw(emu, ss, crm):
    crm.upsert(
        "Customers",
        [
            {
                "customer_id": "C-1",
                "name": '=IMPORTXML("http://x","//a")',
                "phone": "+44 7400 123456",
                "notes": "00123",
            }
        ],
    )
    mate = Teammate(emu, ss.id)
    col = mate.column_of("Customers", "name")
    assert mate.sheet("Customers").get(1, col - 1) == '=IMPORTXML("http://x","//a")'  # a str
    df = crm.frame("Customers")
    assert df.iloc[0]["name"].startswith("=IMPORTXML") and df.iloc[0]["notes"] == "00123"
    assert crm.grid("Customers").formulas == {}


def test_a_429_storm_is_retried_with_jittered_backoff(emu, ss, crm):
    policy = RetryPolicy(sleep=no_sleep, rng=random.Random(3))
    crm.backend.retry = policy
    emu.fail("values.batchUpdate", 429, times=4, retry_after=1)
    crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    assert len(policy.waits) == 4
    assert all(1 <= w <= policy.cap for w in policy.waits)  # Retry-After honoured, capped
    assert crm.frame("Customers").iloc[0]["name"] == "A"


def test_backoff_is_full_jitter_and_bounded():
    policy = RetryPolicy(sleep=no_sleep, rng=random.Random(1), attempts=5)
    calls = []

    def always_busy():
        calls.append(1)
        raise RemoteFailure("busy", status=503)

    with pytest.raises(TransientError, match="step X did not complete after 5 attempts"):
        policy.run(always_busy, idempotent=True, step="step X")
    assert len(calls) == 5 and len(policy.waits) == 4
    assert len(set(policy.waits)) == 4  # jittered, not a fixed schedule
    assert all(0 <= w <= min(policy.cap, policy.base * 2**i) for i, w in enumerate(policy.waits))


def test_deadline_stops_retrying():
    now = [0.0]
    policy = RetryPolicy(
        sleep=lambda s: now.__setitem__(0, now[0] + s),
        clock=lambda: now[0],
        deadline=5,
        attempts=100,
    )

    def busy():
        raise RemoteFailure("quota", status=429, retry_after=2)

    with pytest.raises(RateLimitedError, match="rate limited: writing did not complete"):
        policy.run(busy, idempotent=True, step="writing")
    assert now[0] <= 5


def test_rate_limit_exhausted_is_a_clear_error(emu, ss, crm):
    crm.backend.retry = RetryPolicy(sleep=no_sleep, attempts=3)
    emu.fail("values.batchUpdate", 429, times=10)
    with pytest.raises(RateLimitedError, match="rate limited: writing cell values") as info:
        crm.upsert("Customers", [{"customer_id": "C-1", "name": "A"}])
    assert info.value.exit_code == 6


def test_dropped_response_after_a_write_makes_no_duplicates(emu, ss, crm):
    emu.drop_response("values.batchUpdate")
    crm.upsert(
        "Customers", [{"customer_id": "C-1", "name": "A"}, {"customer_id": "C-2", "name": "B"}]
    )
    assert list(crm.frame("Customers")["customer_id"]) == ["C-1", "C-2"]


def test_dropped_response_while_creating_tabs_does_not_create_twice(emu):
    ss = emu.create_spreadsheet("fresh")
    crm = CRM(backend=sheets_backend(emu, ss.id))
    emu.drop_response("spreadsheets.batchUpdate")
    crm.init()
    titles = [s.title for s in ss.sheets]
    assert len(titles) == len(set(titles)) == 11  # Sheet1 + 10 sheetcrm tabs, each once
    assert not crm.init().changed


def test_failed_write_half_way_then_rerun_converges(emu, ss, crm):
    crm.backend.retry = RetryPolicy(sleep=no_sleep, attempts=2)
    records = [{"customer_id": f"C-{i}", "name": f"N{i}"} for i in range(5)]
    emu.fail("values.batchUpdate", 500, times=2)  # both attempts of the first run
    with pytest.raises(TransientError):
        crm.upsert("Customers", records)
    assert crm.frame("Customers").empty  # the values write never landed
    crm.upsert("Customers", records)
    assert list(crm.frame("Customers")["customer_id"]) == [f"C-{i}" for i in range(5)]


def test_teammate_edits_between_read_and_write(emu, ss, crm):
    crm.upsert(
        "Customers", [{"customer_id": f"C-{i}", "name": f"N{i}", "city": "X"} for i in range(5)]
    )
    mate = Teammate(emu, ss.id)
    changes = crm.plan_upsert(
        "Customers",
        [
            {"customer_id": "C-3", "city": "Shiraz"},
            {"customer_id": "C-1", "company": "Acme"},
            {"customer_id": "C-9", "name": "New"},
        ],
    )
    # meanwhile, in the browser:
    mate.sort("Customers", 1, descending=True)
    mate.insert_rows("Customers", 2, 2)
    extra = mate.add_column("Customers", "Favourite tea", at=3)
    mate.set("Customers", 4, extra, "Darjeeling")
    company = mate.column_of("Customers", "company")
    row_c1 = [r[0] if r else None for r in mate.sheet("Customers").rows].index("C-1") + 1
    mate.set("Customers", row_c1, company, '=UPPER("acme ltd")')
    report = crm.backend.apply(changes, crm.schema)
    df = crm.frame("Customers")
    by_id = {r["customer_id"]: r for _, r in df.iterrows() if r["customer_id"]}
    assert by_id["C-3"]["city"] == "Shiraz"
    assert by_id["C-9"]["name"] == "New"
    assert mate.get("Customers", row_c1, company) == '=UPPER("acme ltd")'  # formula kept
    assert "formula kept" in " ".join(report.skipped)
    assert mate.get("Customers", 4, extra) == "Darjeeling"
    assert mate.header("Customers")[extra - 1] == "Favourite tea"


def test_spreadsheet_not_found(emu):
    crm = CRM(backend=sheets_backend(emu, "1" + "x" * 40))
    with pytest.raises(NotFoundError, match="was not found"):
        crm.init()


def test_not_shared_names_the_account(emu, ss):
    emu.deny(ss.id)
    backend = sheets_backend(emu, ss.id)
    backend.account = "sheetcrm@proj.iam.gserviceaccount.com"
    with pytest.raises(AccessError, match=r"share it with sheetcrm@proj\.iam\.gserviceaccount"):
        CRM(backend=backend).init()
