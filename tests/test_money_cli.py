"""The money rules as a person meets them: a fresh ``sheetcrm import`` of a lead list into
a rial workbook, where a range goes in as its lower bound with the typed text in the notes
and a euro amount is set aside as a cell, naming both currencies."""

from __future__ import annotations

import json

from samples import write_csv
from support import run_sheetcrm


def test_import_keeps_a_range_and_sets_a_euro_amount_aside(tmp_path):
    (tmp_path / "sheetcrm.toml").write_text(
        '[locale]\nregion = "IR"\ncurrency = "IRR"\n', encoding="utf-8"
    )
    book = ("--xlsx", str(tmp_path / "crm.xlsx"))
    assert run_sheetcrm("init", *book, cwd=tmp_path).returncode == 0
    path = write_csv(
        tmp_path,
        "leads.csv",
        ("name", "email", "value", "notes"),
        ("سارا محمدی", "sara@example.com", "۳ تا ۵ میلیون", "از اینستاگرام"),
        ("Hans Becker", "hans@example.de", "€1.250,00", ""),
        ("رضا کریمی", "reza@example.com", "۱۵ میلیون تومان", ""),
    )
    done = run_sheetcrm("import", str(path), "--tab", "Leads", *book, cwd=tmp_path)
    assert done.returncode == 8, (done.stdout, done.stderr)  # a cell was set aside
    assert "Traceback" not in done.stderr
    assert "3 created" in done.stdout and "1 cell" in done.stdout, done.stdout

    shown = run_sheetcrm("show", "Leads", "--format", "json", *book, cwd=tmp_path)
    leads = {lead["email"]: lead for lead in json.loads(shown.stdout)}
    sara, hans, reza = (
        leads[k] for k in ("sara@example.com", "hans@example.de", "reza@example.com")
    )
    assert sara["value"] == 3_000_000  # the lower bound, in rials as typed (no marker)
    assert sara["notes"] == "از اینستاگرام; value: ۳ تا ۵ میلیون"
    assert hans["value"] in (None, "")  # set aside, not mixed in as 1,250 rials
    assert reza["value"] == 150_000_000  # toman → rial

    kept = run_sheetcrm("show", "_quarantine", "--format", "json", *book, cwd=tmp_path)
    [entry] = json.loads(kept.stdout)
    assert (entry["kind"], entry["tab"], entry["column"], entry["value"]) == (
        "cell",
        "Leads",
        "value",
        "€1.250,00",
    )
    assert "an amount in IRR (it is in EUR" in entry["reason"], entry["reason"]
