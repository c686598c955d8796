"""The as-of day without ``--as-of`` is today in the workbook's time zone, never the machine's
date: every command and library call resolves it in one place (``CRM.as_of``).

The commands run in fresh processes whose ``TZ`` is Pacific/Kiritimati (UTC+14) against a
workbook in Etc/GMT+12 (UTC-12): 26 hours apart, the two are on different days at any
moment, so a command that used the machine's date would print another day."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support import one_line, run_sheetcrm

from sheetcrm.backends.xlsx import XlsxBackend
from sheetcrm.config import Config, parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError
from sheetcrm.ingest.watch import Watch

MACHINE = "Pacific/Kiritimati"
WORKBOOK = "Etc/GMT+12"


def _day(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A folder whose sheetcrm.toml puts the workbook in Etc/GMT+12."""
    path = tmp_path_factory.mktemp("as_of")
    (path / "sheetcrm.toml").write_text(f'[locale]\ntimezone = "{WORKBOOK}"\n', encoding="utf-8")
    return path


def sheetcrm(folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "SHEETCRM_CONFIG"}
    env.update(
        TZ=MACHINE,
        XDG_CACHE_HOME=str(folder / "cache"),
        XDG_DATA_HOME=str(folder / "data"),
        SHEETCRM_SNAPSHOTS=str(folder / "snapshots"),
    )
    done = run_sheetcrm(*args, env=env, cwd=folder, inherit=False, timeout=180)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout


def test_the_commands_agree_on_the_workbook_day_not_the_machine_day(folder):
    before = _day(WORKBOOK)
    machine = subprocess.run(
        [sys.executable, "-c", "import datetime; print(datetime.date.today())"],
        capture_output=True,
        text=True,
        env={**os.environ, "TZ": MACHINE},
        check=True,
    ).stdout.strip()
    sheetcrm(folder, "demo", "-q")
    printed = {
        "summary": re.search(r"as of (\S+)$", sheetcrm(folder, "summary").splitlines()[0])[1],
        "report": re.search(
            r"the last 30 days, \S+ to (\S+)", sheetcrm(folder, "report", "--format", "txt")
        )[1],
        "refresh": re.search(r"as of (\d{4}-\d\d-\d\d)", sheetcrm(folder, "refresh"))[1],
        "segments": re.search(r"Segments as of (\S+):", sheetcrm(folder, "segments"))[1],
    }
    dashboard = CRM(backend=XlsxBackend(folder / "crm.xlsx")).backend.read(["Dashboard"])
    printed["Dashboard"] = str(dashboard["Dashboard"].header[1]).removeprefix("as of ")
    days = {before.isoformat(), _day(WORKBOOK).isoformat()}  # a run across midnight
    assert machine not in days  # the machine is on another day
    assert set(printed.values()) <= days, printed
    assert len(set(printed.values())) == 1, printed


def test_the_library_resolves_an_absent_as_of_day_in_the_workbook_zone():
    crm = CRM(backend=XlsxBackend(Path("unused.xlsx")), config=Config(timezone=WORKBOOK))
    before = _day(WORKBOOK)
    resolved = crm.as_of()
    watched = Watch(crm, ["Form Responses 1"])._today()  # the daily refresh of a watch too
    days = {before, _day(WORKBOOK)}  # a run across midnight
    assert resolved in days and watched in days
    assert _day(MACHINE) not in days
    assert crm.as_of(dt.date(2025, 1, 2)) == dt.date(2025, 1, 2)


def test_an_unknown_time_zone_is_a_config_error_when_the_file_is_read():
    with pytest.raises(ConfigError, match=r"crm.toml \[locale\]: unknown timezone 'Mars/Olympus'"):
        parse_config({"locale": {"timezone": "Mars/Olympus"}}, Path("/x/crm.toml"))
    bad = CRM(backend=XlsxBackend(Path("unused.xlsx")), config=Config(timezone="Mars/Olympus"))
    with pytest.raises(ConfigError, match="unknown timezone 'Mars/Olympus'"):
        bad.as_of()


# -- --as-of typed in the Jalali calendar or native digits ----------------------------------


@pytest.fixture(scope="module")
def jalali_book(tmp_path_factory) -> Path:
    """A demo workbook whose sheetcrm.toml keeps it in Tehran, in the Jalali calendar."""
    path = tmp_path_factory.mktemp("as_of_jalali")
    (path / "sheetcrm.toml").write_text(
        '[locale]\ntimezone = "Asia/Tehran"\ncalendar = "jalali"\n', encoding="utf-8"
    )
    sheetcrm(path, "demo", "-q")
    return path


@pytest.mark.parametrize("command", ["summary", "segments"])
def test_as_of_reads_jalali_dates_and_native_digits(jalali_book, command):
    """1404-08-29 is 2025-11-20 however it is typed (a year below 1600 is Jalali)."""
    book = str(jalali_book / "crm.xlsx")
    printed = {
        typed: sheetcrm(jalali_book, command, "--as-of", typed, "--xlsx", book)
        for typed in ("2025-11-20", "1404-08-29", "۱۴۰۴-۰۸-۲۹", "۱۴۰۴/۰۸/۲۹", "২০২৫-১১-২০")
    }
    assert len(set(printed.values())) == 1, printed
    other = sheetcrm(jalali_book, command, "--as-of", "2025-11-19", "--xlsx", book)
    assert other != printed["2025-11-20"]  # the day typed is the day used


@pytest.mark.parametrize("typed", ["1404-08-31", "۱۴۰۴-۱۳-۰۱", "20/11/2025", "next week"])
def test_a_bad_as_of_is_a_usage_error_naming_the_value_and_the_forms(jalali_book, typed):
    done = run_sheetcrm("summary", "--as-of", typed, cwd=jalali_book, timeout=120)
    error = one_line(done, 2)
    assert error.startswith("sheetcrm: error: Invalid value for '--as-of': "), error
    assert repr(typed) in error and "YYYY-MM-DD or YYYY/MM/DD" in error, error
    assert "Jalali" in error and done.stdout == ""


def test_report_periods_typed_in_jalali_are_the_same_days(jalali_book):
    """Mehr 1404 is 2025-09-23..2025-10-22: the report's figures are the same typed
    either way (the heading may name the period as it was typed)."""
    book = ("--xlsx", str(jalali_book / "crm.xlsx"), "--format", "txt")
    jalali = sheetcrm(jalali_book, "report", *book, "--period", "۱۴۰۴-۰۷", "--as-of", "۱۴۰۴/۰۸/۲۹")
    gregorian = sheetcrm(
        jalali_book, "report", *book, "--period", "2025-09-23..2025-10-22", "--as-of", "2025-11-20"
    )
    assert jalali.splitlines()[2:] == gregorian.splitlines()[2:]
    assert len(jalali.splitlines()) > 5
    other = sheetcrm(jalali_book, "report", *book, "--period", "1404-06", "--as-of", "1404-08-29")
    assert other.splitlines()[2:] != gregorian.splitlines()[2:]  # Shahrivar is another month
