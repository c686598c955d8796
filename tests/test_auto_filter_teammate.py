"""The filter on Google Sheets while a teammate works the tab between sheetcrm's
requests: she sorts and inserts rows inside it, deletes one, inserts a column before her
filtered one; sheetcrm (fresh CLI processes over HTTP) keeps the filter spanning every
row and never wipes her criteria. Plus the emulator's own filter rules, in-process."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from support import run_sheetcrm

from sheetcrm.emulator import ApiError, Emulator, LoopbackServer
from sheetcrm.emulator import filters as emu_filters
from sheetcrm.emulator.structure import append_dimension, delete_dimension, insert_dimension
from sheetcrm.emulator.teammate import Teammate

CUSTOMERS = (
    "name,email,phone,first_contact\n"
    "Naz Rahimi,naz@example.com,+98 912 000 1111,2025-09-01\n"
    "Arjun Sen,arjun@example.com,+91 98300 00001,2025-09-02\n"
    "Rupa Akter,rupa@example.com,+880 1711 000001,2025-10-03\n"
)
MORE = (
    "name,email,phone,first_contact\n"
    "Tom Hale,tom@example.com,+44 7911 123456,2025-10-04\n"
    "Shirin Karimi,shirin@example.com,+98 912 000 2222,2025-10-05\n"
)
HERS = {"columnIndex": 1, "filterCriteria": {"hiddenValues": ["Arjun Sen"]}}


def ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)


def test_teammate_sorts_and_inserts_between_requests(tmp_path: Path) -> None:
    emulator = Emulator()
    sid = emulator.create_spreadsheet("crm").id
    with LoopbackServer(emulator) as server:

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            env = {"SHEETCRM_API_ENDPOINT": server.url}
            return run_sheetcrm(*args, "--sheet", sid, env=env, cwd=tmp_path)

        ok(cli("init"))
        (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
        ok(cli("import", str(tmp_path / "c.csv"), "--tab", "Customers"))
        mate = Teammate(emulator, sid)
        sheet = mate.sheet("Customers")
        assert sheet.basic_filter is not None
        sheet.basic_filter["filterSpecs"] = [HERS]  # she hides a name in the UI

        def meddle() -> None:
            mate.sort("Customers", 2, descending=True)
            mate.insert_rows("Customers", 3)  # a blank row inside the filter
            mate.delete_rows("Customers", 3)

        mate.before("batchUpdate", meddle)
        (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
        ok(cli("import", str(tmp_path / "more.csv"), "--tab", "Customers"))
        ok(cli("refresh"))
        flt = sheet.basic_filter
        assert flt is not None
        used = len([r for r in sheet.rows if any(v not in (None, "") for v in r)])
        assert used == 6
        assert flt["range"]["startRowIndex"] == 0
        assert flt["range"]["endRowIndex"] >= used
        assert flt["filterSpecs"] == [HERS]

        mate.add_column("Customers", "her notes", at=1)  # before her filtered column
        assert sheet.basic_filter["filterSpecs"][0]["columnIndex"] == 2
        ok(cli("refresh"))
        assert sheet.basic_filter["filterSpecs"][0]["columnIndex"] == 2


def test_emulator_filter_follows_the_grid() -> None:
    emulator = Emulator()
    ss = emulator.create_spreadsheet("crm")
    sheet = ss.sheets[0]
    emu_filters.set_basic_filter(
        ss,
        {
            "filter": {
                "range": {"sheetId": sheet.id, "startRowIndex": 0, "endColumnIndex": 4},
                "criteria": {"3": {"hiddenValues": ["x"]}},
            }
        },
    )
    flt = sheet.basic_filter
    assert flt is not None
    assert flt["range"]["endRowIndex"] == sheet.row_count  # bounded by the grid
    assert flt["filterSpecs"] == [{"columnIndex": 3, "filterCriteria": {"hiddenValues": ["x"]}}]
    insert_dimension(ss, sheet, "ROWS", 5, 7)
    assert flt["range"]["endRowIndex"] == sheet.row_count
    append_dimension(ss, {"sheetId": sheet.id, "dimension": "ROWS", "length": 10})
    assert flt["range"]["endRowIndex"] == sheet.row_count  # it reached the end: it grows
    delete_dimension(ss, sheet, "COLUMNS", 3, 4)  # her filtered column is gone
    assert sheet.basic_filter is not None
    assert sheet.basic_filter["range"]["endColumnIndex"] == 3
    assert "filterSpecs" not in sheet.basic_filter
    delete_dimension(ss, sheet, "COLUMNS", 0, 3)
    assert sheet.basic_filter is None  # every column of it deleted
    with pytest.raises(ApiError, match="exceeds grid limits"):
        emu_filters.set_basic_filter(
            ss, {"filter": {"range": {"sheetId": sheet.id, "endColumnIndex": 500}}}
        )
