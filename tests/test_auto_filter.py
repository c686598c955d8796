"""Filter buttons on every data tab, kept through init, import and refresh: on a local
.xlsx (``ws.auto_filter.ref``) and on ``sheetcrm emulator serve`` over HTTP (the
``basicFilter`` of ``spreadsheets.get``), each step a fresh ``sheetcrm`` process.

The filter spans the header row and every data row; an import that appends rows grows
it; a steady refresh sends no filter request; a teammate's criteria are never wiped."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.filters import CustomFilter, CustomFilters, FilterColumn
from support import emulator_serve, run_sheetcrm

from sheetcrm.backends.memory import MemoryBackend
from sheetcrm.crm import open_crm
from sheetcrm.model.grid import column_letter

DATA_TABS = ("Customers", "Leads", "Interactions", "Campaigns", "Tasks")
CUSTOMERS = (
    "name,email,phone,first_contact\n"
    "Naz Rahimi,naz@example.com,+98 912 000 1111,2025-09-01\n"
    "Arjun Sen,arjun@example.com,+91 98300 00001,2025-09-02\n"
)
MORE = (
    "name,email,phone,first_contact\n"
    "Rupa Akter,rupa@example.com,+880 1711 000001,2025-10-03\n"
    "Tom Hale,tom@example.com,+44 7911 123456,2025-10-04\n"
    "Shirin Karimi,shirin@example.com,+98 912 000 2222,2025-10-05\n"
)


def ok(done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)


def widths() -> dict[str, int]:
    crm = open_crm(backend=MemoryBackend())
    return {t: len(crm.schema[t].columns) for t in DATA_TABS}


# -- .xlsx --------------------------------------------------------------------------------


def xlsx(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_sheetcrm(*args, "--xlsx", str(folder / "crm.xlsx"), cwd=folder)


def test_xlsx_filter_after_init_and_grown_by_imports(tmp_path: Path) -> None:
    ok(xlsx(tmp_path, "init"))
    wb = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    for tab, width in widths().items():
        assert wb[tab].auto_filter.ref == f"A1:{column_letter(width - 1)}1", tab
    assert wb["_meta"].auto_filter.ref is None  # system tabs get no buttons
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    ok(xlsx(tmp_path, "import", str(tmp_path / "c.csv"), "--tab", "Customers"))
    last = column_letter(widths()["Customers"] - 1)
    ws = openpyxl.load_workbook(tmp_path / "crm.xlsx")["Customers"]
    assert ws.auto_filter.ref == f"A1:{last}3"

    # a teammate filters the tab in Excel; the next import grows the range, keeps hers
    wb = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    ws = wb["Customers"]
    mine = CustomFilters(customFilter=[CustomFilter(operator="equal", val="Naz*")])
    ws.auto_filter.filterColumn.append(FilterColumn(colId=1, customFilters=mine))
    wb.save(tmp_path / "crm.xlsx")
    (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
    ok(xlsx(tmp_path, "import", str(tmp_path / "more.csv"), "--tab", "Customers"))
    ws = openpyxl.load_workbook(tmp_path / "crm.xlsx")["Customers"]
    assert ws.auto_filter.ref == f"A1:{last}6"
    (kept,) = ws.auto_filter.filterColumn
    assert kept.colId == 1 and kept.customFilters.customFilter[0].val == "Naz*"

    # init and refresh repair a filter someone removed, and leave a whole one alone
    wb = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    wb["Leads"].auto_filter.ref = None
    wb.save(tmp_path / "crm.xlsx")
    ok(xlsx(tmp_path, "refresh"))
    wb = openpyxl.load_workbook(tmp_path / "crm.xlsx")
    assert wb["Leads"].auto_filter.ref == f"A1:{column_letter(widths()['Leads'] - 1)}1"
    assert wb["Customers"].auto_filter.filterColumn[0].colId == 1
    again = xlsx(tmp_path, "init", "--dry-run")
    ok(again)
    assert "filter" not in again.stdout


@pytest.mark.libreoffice
def test_libreoffice_opens_the_filtered_workbook(tmp_path: Path) -> None:
    """LibreOffice reads the filter and writes it back (a round trip through soffice)."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    ok(xlsx(tmp_path, "init"))
    (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
    ok(xlsx(tmp_path, "import", str(tmp_path / "c.csv"), "--tab", "Customers"))
    out = tmp_path / "lo"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(tmp_path / "crm.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    ws = openpyxl.load_workbook(out / "crm.xlsx")["Customers"]
    assert ws.auto_filter.ref == f"A1:{column_letter(widths()['Customers'] - 1)}3"


# -- Google Sheets (the emulator over HTTP) ----------------------------------------------


def _get(url: str, path: str) -> Any:
    with urllib.request.urlopen(f"{url}{path}", timeout=30) as answer:
        return json.loads(answer.read().decode("utf-8"))


def _post(url: str, path: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        f"{url}{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read().decode("utf-8"))


def filters(url: str, sheet: str) -> dict[str, dict[str, Any]]:
    """Each tab's basicFilter, read as any API client would (with a fields mask)."""
    mask = urllib.parse.quote("sheets(properties(sheetId,title),basicFilter)")
    doc = _get(url, f"/v4/spreadsheets/{sheet}?fields={mask}")
    return {
        s["properties"]["title"]: {**s.get("basicFilter", {}), "id": s["properties"]["sheetId"]}
        for s in doc["sheets"]
    }


def filter_requests(url: str) -> int:
    return int(_get(url, "/_emulator/stats")["batch_requests"].get("setBasicFilter", 0))


def rows_of(url: str, sheet: str, tab: str) -> int:
    rng = urllib.parse.quote(f"'{tab}'", safe="")
    return len(_get(url, f"/v4/spreadsheets/{sheet}/values/{rng}").get("values", []))


def test_sheets_filter_set_once_grown_by_import_and_criteria_kept(tmp_path: Path) -> None:
    with emulator_serve(tmp_path) as (url, [sheet]):
        env = {"SHEETCRM_API_ENDPOINT": url}

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return run_sheetcrm(*args, "--sheet", sheet, env=env, cwd=tmp_path)

        ok(cli("init"))
        found = filters(url, sheet)
        for tab, width in widths().items():
            rng = found[tab]["range"]
            assert rng["startRowIndex"] == 0 and rng["startColumnIndex"] == 0, tab
            assert rng["endColumnIndex"] == width, tab
        assert "range" not in found["_meta"]
        assert filter_requests(url) == len(DATA_TABS)

        (tmp_path / "c.csv").write_text(CUSTOMERS, encoding="utf-8")
        ok(cli("import", str(tmp_path / "c.csv"), "--tab", "Customers"))
        rows = rows_of(url, sheet, "Customers")
        assert rows == 3
        assert filters(url, sheet)["Customers"]["range"]["endRowIndex"] >= rows

        ok(cli("refresh"))  # steady: the import kept the filter whole, nothing to send
        assert filter_requests(url) == len(DATA_TABS)

        # a teammate narrows the filter to two rows and hides one value in column B
        cid = found["Customers"]["id"]
        spec = {"columnIndex": 1, "filterCriteria": {"hiddenValues": ["Arjun Sen"]}}
        teammate = {
            "setBasicFilter": {
                "filter": {
                    "range": {"sheetId": cid, "startRowIndex": 0, "endRowIndex": 2},
                    "filterSpecs": [spec],
                    "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "ASCENDING"}],
                }
            }
        }
        _post(url, f"/v4/spreadsheets/{sheet}:batchUpdate", {"requests": [teammate]})
        (tmp_path / "more.csv").write_text(MORE, encoding="utf-8")
        ok(cli("import", str(tmp_path / "more.csv"), "--tab", "Customers"))
        ok(cli("refresh"))  # repairs the range, carrying her criteria and sort over
        after = filters(url, sheet)["Customers"]
        assert after["range"]["endRowIndex"] >= rows_of(url, sheet, "Customers") == 6
        assert after["range"]["endColumnIndex"] == widths()["Customers"]
        assert after["filterSpecs"] == [spec]
        assert after["criteria"] == {"1": spec["filterCriteria"]}
        assert after["sortSpecs"] == [{"dimensionIndex": 1, "sortOrder": "ASCENDING"}]
        assert filter_requests(url) == len(DATA_TABS) + 2  # hers, then the one repair
