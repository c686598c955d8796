"""The locale settings as a person uses them: every command a fresh process, against
``sheetcrm emulator serve`` over HTTP and against an .xlsx file. Rupees with lakh
grouping and Persian labels show in the sheet; the figures are the same; a re-run sends no
write; changing sheetcrm.toml and refreshing converts the workbook, once."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pytest
import requests
from support import emulator_serve, run_sheetcrm

from sheetcrm.model import vocab
from sheetcrm.model.numformat import money_format

LEADS = (
    "lead_id,name,email,source,status,value\n"
    "L-1,Aarav,aarav@example.in,instagram,converted,123456\n"
    "L-2,Diya,diya@example.in,referral,qualified,12345678\n"
    "L-3,Kabir,kabir@example.in,website,تبدیل شده,999\n"
)
AS_OF = ("--as-of", "2025-10-04")
CONVERTED = vocab.label("Leads.status", "converted", "fa")


def settings(folder: Path, **locale: str) -> None:
    lines = "\n".join(f'{k} = "{v}"' for k, v in locale.items())
    (folder / "sheetcrm.toml").write_text(f"[locale]\n{lines}\n", encoding="utf-8")


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "leads.csv").write_text(LEADS, encoding="utf-8")
    return tmp_path


def test_rupees_and_persian_labels_through_the_sheets_api(folder):
    settings(folder, currency="INR", labels="fa")
    with emulator_serve(folder) as (url, [sheet]):

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            return ok(run_sheetcrm(*args, env={"SHEETCRM_API_ENDPOINT": url}, cwd=folder))

        def stats() -> dict:
            return requests.get(url + "/_emulator/stats", timeout=10).json()

        def shown(range_: str) -> list[list[str]]:
            got = requests.get(f"{url}/v4/spreadsheets/{sheet}/values/{range_}", timeout=10)
            return got.json().get("values", [])

        cli("init", "--sheet", sheet)
        cli("import", "leads.csv", "--tab", "Leads", "--sheet", sheet)
        cli("refresh", "--sheet", sheet, *AS_OF)
        rows = shown("Leads!A1:Z4")
        header = rows[0]
        by_id = {r[0]: dict(zip(header, r, strict=False)) for r in rows[1:]}
        assert by_id["L-1"]["value"] == "₹1,23,456.00"
        assert by_id["L-2"]["value"] == "₹1,23,45,678.00"
        assert by_id["L-3"]["value"] == "₹999.00"
        assert {r["status"] for r in by_id.values()} >= {CONVERTED}
        assert "converted" not in {r["status"] for r in by_id.values()}
        leads = json.loads(cli("show", "Leads", "--sheet", sheet, "--format", "json").stdout)
        assert sorted(r["status"] for r in leads) == ["converted", "converted", "qualified"]

        before = stats()["writes"]
        again = cli("refresh", "--sheet", sheet, *AS_OF, "--format", "json")
        assert stats()["writes"] == before, again.stdout

        settings(folder, currency="GBP")
        cli("refresh", "--sheet", sheet, *AS_OF)
        by_id = {r[0]: dict(zip(header, r, strict=False)) for r in shown("Leads!A1:Z4")[1:]}
        assert by_id["L-2"]["value"] == "£12,345,678.00"
        assert {r["status"] for r in by_id.values()} == {"converted", "qualified"}
        before = stats()["writes"]
        cli("refresh", "--sheet", sheet, *AS_OF)
        assert stats()["writes"] == before


def test_tomans_and_jalali_months_in_an_xlsx_file(folder):
    settings(folder, currency="IRT", language="fa_IR", labels="fa")
    book = ("--xlsx", str(folder / "crm.xlsx"))
    ok(run_sheetcrm("init", *book, cwd=folder))
    ok(run_sheetcrm("import", "leads.csv", "--tab", "Leads", *book, cwd=folder))
    ok(run_sheetcrm("refresh", *book, "--as-of", "1404-07-12", cwd=folder))
    wb = openpyxl.load_workbook(folder / "crm.xlsx")
    ws = wb["Leads"]
    header = [c.value for c in ws[1]]
    value = ws.cell(row=2, column=header.index("value") + 1)
    assert value.value == 123456 and value.number_format == money_format("IRT")
    assert ws.cell(row=2, column=header.index("status") + 1).value == CONVERTED
    assert wb["Dashboard"]["B1"].value == "as of 1404-07-12"
    assert wb["By month"]["A13"].value == "مهر 1404"
    plan = ok(run_sheetcrm("refresh", *book, "--as-of", "1404-07-12", "--dry-run", cwd=folder))
    assert "No changes" in plan.stdout, plan.stdout
