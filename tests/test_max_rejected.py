"""``ImportSpec.max_rejected`` and ``importer.rejected``: how much an import may set aside
before it is refused (nothing written, exit 3 with every reason at hand), and what tells
cron that rows or cells went to ``_quarantine`` (exit 8)."""

from __future__ import annotations

import hashlib

import pytest
from contract.harness import HARNESSES
from samples import write

from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import (
    EXIT_PARTIAL,
    EXIT_USER,
    ConfigError,
    PlanRefusedError,
    RowsRejected,
    TooManyRejected,
)
from sheetcrm.ingest.importer import ImportSpec, import_file, rejected
from sheetcrm.ingest.rejections import parse
from sheetcrm.run import Counts, Quarantined, RunResult

#: A Mailchimp audience export (the columns Mailchimp writes), ten people: three with an
#: e-mail no one can write to (a whole row each), one with a bad phone (a cell).
HEADER = (
    "Email Address,First Name,Last Name,Phone Number,Address,Birthday,MEMBER_RATING,"
    "OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,"
    "CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
)


def person(email: str, first: str, phone: str = "") -> str:
    tail = ",,,,,,GB,,2024-05-01 10:00:00,1,abc,,"
    return f"{email},{first},Smith,{phone},,,2,2024-04-30 09:00:00,,2024-04-30 09:05:00,{tail}\n"


GOOD = [person(f"p{i}@example.co.uk", f"Person{i}", f"+4474001234{i:02d}") for i in range(6)]
BAD = [person("jo@", "Jo"), person("kim@@example.com", "Kim"), person("lee", "Lee")]
CELL = [person("max@example.co.uk", "Max", "call me")]
AUDIENCE = HEADER + "".join(GOOD + BAD + CELL)


@pytest.fixture(params=["xlsx", "gsheets"])
def book(request, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    made = HARNESSES[request.param](tmp_path)
    crm = CRM(backend=made.backend, config=parse_config({"locale": {"region": "GB"}}))
    crm.init()
    yield made, crm
    made.close()


def state(made) -> str:
    """Everything the workbook holds (the xlsx file's bytes, or the emulated sheets)."""
    emulator = getattr(made, "emulator", None)
    if emulator is not None:
        return repr([s.rows for s in made.ss.sheets])
    return hashlib.sha256(made.path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("abc", "not 'abc'"),
        ("-1", "not '-1'"),
        ("1.5", "not '1.5'"),
        ("150%", "at most 100%"),
        ("", "not ''"),
    ],
)
def test_a_bad_limit_is_a_config_error_before_anything_is_read(book, tmp_path, text, says):
    made, crm = book
    before = state(made)
    path = write(tmp_path, "audience.csv", AUDIENCE)
    with pytest.raises(ConfigError, match=says) as caught:
        import_file(crm, path, ImportSpec(preset="mailchimp", max_rejected=text))
    assert caught.value.exit_code == 7 and "--max-rejected" in str(caught.value)
    assert state(made) == before


@pytest.mark.parametrize("limit", ["3", "30%", "0", "0%", "2"])
def test_over_the_limit_nothing_is_written_and_every_reason_is_at_hand(book, tmp_path, limit):
    made, crm = book
    before = state(made)
    path = write(tmp_path, "audience.csv", AUDIENCE)
    with pytest.raises(TooManyRejected) as caught:
        import_file(crm, path, ImportSpec(preset="mailchimp", max_rejected=limit))
    error = caught.value
    assert isinstance(error, PlanRefusedError) and error.exit_code == EXIT_USER
    message = str(error)
    assert message.startswith("4 of 10 rows rejected (3 whole, 1 with 1 cell set aside)")
    assert f"more than --max-rejected {limit}; nothing written" in message
    assert "\n" not in message
    lines = error.lines()
    assert len(lines) == 4
    assert any("row 8, column 'Email Address': 'jo@'" in line for line in lines)
    assert any("cell 11, column 'Phone Number': 'call me'" in line for line in lines)
    assert state(made) == before  # not one cell, not a _quarantine row, not an audit row


@pytest.mark.parametrize("limit", ["4", "40%", "100%"])
def test_within_the_limit_it_is_written_and_tolerated(book, tmp_path, limit):
    _made, crm = book
    spec = ImportSpec(preset="mailchimp", max_rejected=limit)
    result = import_file(crm, write(tmp_path, "audience.csv", AUDIENCE), spec)
    assert result.counts.created == 7 and result.counts.quarantined == 3
    assert rejected(result, spec) is None  # exit 0: the caller said this much is fine
    assert len(crm.frame("_quarantine")) == 4


def test_without_a_limit_the_run_is_written_and_exits_8(book, tmp_path):
    _made, crm = book
    spec = ImportSpec(preset="mailchimp")
    result = import_file(crm, write(tmp_path, "audience.csv", AUDIENCE), spec)
    error = rejected(result, spec)
    assert isinstance(error, RowsRejected) and error.exit_code == EXIT_PARTIAL
    assert str(error) == (
        "3 of 10 rows, and 1 cell (in 1 row that went in), set aside in _quarantine; "
        "see `sheetcrm quarantine list`"
    )
    dry = import_file(crm, write(tmp_path, "audience.csv", AUDIENCE), spec, dry_run=True)
    assert rejected(dry, spec) is None  # a dry run set nothing aside yet


def test_a_clean_import_is_not_rejected(book, tmp_path):
    _made, crm = book
    spec = ImportSpec(preset="mailchimp", max_rejected="0")
    result = import_file(crm, write(tmp_path, "audience.csv", HEADER + "".join(GOOD)), spec)
    assert result.counts.created == 6 and rejected(result, spec) is None


def _result(rows: int, empty: int, *entries: tuple[int, str]) -> RunResult:
    result = RunResult("import", counts=Counts(rows=rows, empty=empty))
    result.quarantine = [
        Quarantined("leads.csv", row, column, "?", "bad", {}, "cell" if column else "row")
        for row, column in entries
    ]
    return result


def test_how_rows_and_cells_count():
    """A row counts once however many of its cells were set aside; blank lines are not
    input rows; only cells: the message says so."""
    cells = _result(11, 1, (2, "budget"), (2, "source"), (3, "budget"))
    assert str(rejected(cells, ImportSpec())) == (
        "3 cells (in 2 rows that went in) set aside in _quarantine; see `sheetcrm quarantine list`"
    )
    assert rejected(cells, ImportSpec(max_rejected="2")) is None  # rows 2 and 3
    assert rejected(cells, ImportSpec(max_rejected="20%")) is None
    spec = ImportSpec(max_rejected="1")
    with pytest.raises(TooManyRejected, match=r"^2 of 10 rows rejected \(0 whole, 2 with 3"):
        spec.refuse_over_limit(cells)
    assert rejected(_result(5, 0), ImportSpec()) is None
    assert parse(" 5 % ") is not None and parse("5%").percent and not parse("5").percent


def test_a_watch_poll_takes_in_what_it_can_whatever_the_limit():
    """A live intake never refuses responses (it would refuse them at every poll): the
    limit only decides whether the run reports what it set aside (watch --once's exit)."""
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.ingest.watch import Watch
    from sheetcrm.model.grid import TabGrid

    backend = MemoryBackend()
    crm = CRM(backend=backend, config=parse_config({"locale": {"region": "GB"}}))
    crm.init()
    header = ["Timestamp", "Email Address", "Your name"]
    rows = [["2025-10-04 10:00:00", "ana@example.com", "Ana"], ["2025-10-04 11:00:00", "bo@", "Bo"]]
    backend.tabs["Form Responses 1"] = TabGrid("Form Responses 1", header, rows)
    spec = ImportSpec(preset="google-form", max_rejected="0")
    watch = Watch(crm, ["Form Responses 1"], spec, every=60)
    watch.run(once=True)
    assert watch.totals.imported == 1 and watch.totals.quarantined == 1
    assert list(crm.frame("_quarantine")["row"]) == [3]
