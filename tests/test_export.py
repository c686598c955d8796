"""Exports: CSV that a spreadsheet opens without running anything, and that imports
back to the same records; JSON for programs."""

from __future__ import annotations

import json

from contract.harness import HARNESSES
from samples import MESSY, write

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import import_file
from sheetcrm.model.values import ValueContext


def test_export_csv_escapes_and_round_trips(crm, tmp_path):
    import_file(crm, write(tmp_path, "people.csv", MESSY), tab="Customers")
    text = export_tab(crm, "Customers", "csv")
    assert "'=HYPERLINK(" in text and "\n'=" not in text.replace(",'=", "")
    out = tmp_path / "export.csv"
    out.write_text(text, encoding="utf-8")
    fresh = CRM(
        backend=HARNESSES["memory"](tmp_path).backend,
        config=Config(values=ValueContext(region="IR")),
    )
    fresh.init()
    again = import_file(fresh, out, tab="Customers")
    assert again.counts.created == 5 and again.counts.quarantined == 0
    original = crm.frame("Customers").set_index("customer_id")
    copied = fresh.frame("Customers").set_index("customer_id")
    assert list(copied.index) == list(original.index)
    for column in ("name", "email", "phone", "notes", "first_contact"):
        assert list(copied[column]) == list(original[column]), column
    assert json.loads(export_tab(crm, "Customers", "json"))[0]["customer_id"]
