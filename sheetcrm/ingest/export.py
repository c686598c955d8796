"""``sheetcrm export``: a tab as CSV, JSON or XLSX, for round trips and other tools.

CSV cells that a spreadsheet would run as a formula (text starting with = + - @, a tab or
a carriage return, or their full-width forms ＝ ＋ － ＠: DDE payloads such as
``=cmd|' /C calc'!A0`` and ``=HYPERLINK(…)`` among them) get a leading apostrophe, as
OWASP advises against CSV injection; the CSV importer removes that apostrophe again, so
export → import is a round trip. ``raw=True`` (``export --raw``) writes them as they are,
for programs that read the CSV rather than people who open it. Numbers are numbers, not
text, and are never prefixed: -5 stays -5. In an XLSX export such text is a text cell
marked as typed with an apostrophe (Excel's "quote prefix"): its value is unchanged for
every program, and Excel keeps it text even when someone edits the cell.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from sheetcrm.crm import CRM, open_crm
from sheetcrm.errors import ConfigError
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet, SetLayout
from sheetcrm.model.display import as_json, as_text
from sheetcrm.model.schema import Field, Schema, TabSchema
from sheetcrm.model.values import Codec, is_blank, looks_like_formula


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would treat as a formula."""
    return "'" + text if looks_like_formula(text) else text


def _cell(value: Any, codec: Codec | None, raw: bool) -> str:
    """A CSV cell: text neutralised (unless ``raw``), anything else as ``show`` prints it
    (``model.display``)."""
    if isinstance(value, str):
        return value if raw else neutralise(value)
    return as_text(value, codec)


def export_tab(
    crm: CRM, tab: str, fmt: str, out: Path | None = None, *, raw: bool = False
) -> str | None:
    """Export ``tab``; returns the text for csv/json when ``out`` is None. ``raw``: CSV
    text cells exactly as stored, formula-looking ones included."""
    schema_tab = crm.schema.tab(tab)
    df = crm.frame(schema_tab.name)
    columns = list(df.columns)
    codecs = {f.name: f.codec for f in schema_tab.fields}
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for row in df.itertuples(index=False, name=None):
            writer.writerow(
                [_cell(v, codecs.get(c), raw) for c, v in zip(columns, row, strict=True)]
            )
        text = buf.getvalue()
    elif fmt == "json":
        records = [
            {c: as_json(v, codecs.get(c)) for c, v in zip(columns, row, strict=True)}
            for row in df.itertuples(index=False, name=None)
        ]
        text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "xlsx":
        if out is None:
            raise ConfigError("--format xlsx needs an output file: -o FILE.xlsx")
        _write_xlsx(crm, schema_tab.name, columns, df, out)
        return None
    else:
        raise ConfigError(f"unknown export format {fmt!r} (csv, json or xlsx)")
    if out is None:
        return text
    out.write_text(text, encoding="utf-8")
    return None


def _write_xlsx(crm: CRM, tab: str, columns: list[str], df: Any, out: Path) -> None:
    """A one-tab workbook written by the xlsx backend (text stays text, dates are dates).
    It is a new file, not the CRM: no lease or journal, just the records."""
    if not str(out).lower().endswith(".xlsx"):
        raise ConfigError(f"{out}: an xlsx export needs a file name ending in .xlsx")
    if out.exists():
        out.unlink()
    copy = open_crm(str(out), config=crm.config)
    copy.schema = _lenient(crm.schema, tab, columns)
    changes = ChangeSet([AddTab(tab, tuple(columns)), SetLayout(tab, frozen_rows=1)])
    for row in df.itertuples(index=False, name=None):
        values = {c: v for c, v in zip(columns, row, strict=True) if not is_blank(v)}
        changes.add(AppendRow(tab, values))
    copy.backend.apply(changes, copy.schema)


def _lenient(schema: Schema, tab: str, columns: list[str]) -> Schema:
    """The schema with the tab's extra (teammate) columns added as text fields."""
    base = schema[tab]
    extra = tuple(Field(c) for c in columns if base.get(c) is None)
    tabs = dict(schema.tabs)
    tabs[tab] = TabSchema(base.name, base.id_prefix, base.fields + extra)
    return Schema(tabs)
