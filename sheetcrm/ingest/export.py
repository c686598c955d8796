"""``sheetcrm export``: a tab as CSV, JSON, NDJSON or XLSX, for round trips and other tools.

CSV goes through ``model.tablefile``, the writer of every table sheetcrm writes for people:
free text a spreadsheet would run as a formula (``=cmd|' /C calc'!A0``, ``=HYPERLINK(…)``,
``@SUM(…)``, text led by a tab or a line break, the full-width ＝ ＋ － ＠) gets OWASP's
leading apostrophe, while phones, numbers, money, dates and booleans are written exactly as
the sheet holds them (``+447400194875``, ``-5.00``). The CSV importer removes the apostrophe
again, so export → import is a round trip. ``raw=True`` (``export --raw``) writes text as
it is, for programs that read the CSV rather than people who open it. JSON and NDJSON (one
record a line) are for programs: values as ``show --format json`` gives them, never
escaped. In an XLSX export formula-looking text is a text cell marked as typed with an
apostrophe (Excel's "quote prefix"): its value is unchanged for every program, and Excel
keeps it text even when someone edits the cell. A file written with ``-o`` holds customer
data, so it is private to its owner.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from sheetcrm.crm import CRM, open_crm
from sheetcrm.errors import ConfigError
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet, SetLayout
from sheetcrm.model.display import as_json
from sheetcrm.model.schema import Field, Schema, TabSchema
from sheetcrm.model.tablefile import csv_text, save
from sheetcrm.model.values import is_blank

FORMATS = ("csv", "json", "ndjson", "xlsx")


def export_tab(
    crm: CRM, tab: str, fmt: str, out: Path | None = None, *, raw: bool = False
) -> str | None:
    """Export ``tab``; returns the text for csv/json/ndjson when ``out`` is None. ``raw``:
    CSV text cells exactly as stored, formula-looking ones included."""
    schema_tab = crm.schema.tab(tab)
    df = crm.frame(schema_tab.name)
    columns = list(df.columns)
    codecs = {f.name: f.codec for f in schema_tab.fields}
    if fmt == "csv":
        text = csv_text(columns, df.itertuples(index=False, name=None), codecs, raw=raw)
    elif fmt in ("json", "ndjson"):
        records = [
            {c: as_json(v, codecs.get(c)) for c, v in zip(columns, row, strict=True)}
            for row in df.itertuples(index=False, name=None)
        ]
        if fmt == "json":
            text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        else:
            text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif fmt == "xlsx":
        if out is None:
            raise ConfigError("--format xlsx needs an output file: -o FILE.xlsx")
        _write_xlsx(crm, schema_tab.name, columns, df, out)
        return None
    else:
        raise ConfigError(f"unknown export format {fmt!r} (csv, json, ndjson or xlsx)")
    if out is None:
        return text
    save(out, text)
    return None


def _write_xlsx(crm: CRM, tab: str, columns: list[str], df: Any, out: Path) -> None:
    """A one-tab workbook written by the xlsx backend (text stays text, dates are dates).
    It is a new file, not the CRM: no lease or journal, just the records. Built in a
    private temporary folder, then saved as every file for people is (``tablefile.save``:
    private, and an older export stays whole until the new one is complete)."""
    if not str(out).lower().endswith(".xlsx"):
        raise ConfigError(f"{out}: an xlsx export needs a file name ending in .xlsx")
    with tempfile.TemporaryDirectory(prefix="sheetcrm-export-") as folder:
        built = Path(folder) / "export.xlsx"
        copy = open_crm(str(built), config=crm.config)
        copy.schema = _lenient(crm.schema, tab, columns)
        changes = ChangeSet([AddTab(tab, tuple(columns)), SetLayout(tab, frozen_rows=1)])
        for row in df.itertuples(index=False, name=None):
            values = {c: v for c, v in zip(columns, row, strict=True) if not is_blank(v)}
            changes.add(AppendRow(tab, values))
        copy.backend.apply(changes, copy.schema)
        save(out, built.read_bytes())


def _lenient(schema: Schema, tab: str, columns: list[str]) -> Schema:
    """The schema with the tab's extra (teammate) columns added as text fields."""
    base = schema[tab]
    extra = tuple(Field(c) for c in columns if base.get(c) is None)
    tabs = dict(schema.tabs)
    tabs[tab] = TabSchema(base.name, base.id_prefix, base.fields + extra)
    return Schema(tabs)
