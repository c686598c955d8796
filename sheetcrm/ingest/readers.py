"""Read what people import: CSV (any delimiter; UTF-8 with or without BOM, or UTF-16),
XLSX, JSON and NDJSON — into rows of raw values with their row numbers in the file.

Values stay as they were written (text stays text, ``00123`` keeps its zeros); parsing is
the codecs' job. A file that cannot be read as a table fails here, before anything is
written anywhere.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetcrm.errors import InputError, NotFoundError
from sheetcrm.model.values import is_blank, looks_like_formula

_DELIMITERS = ",;\t|"


@dataclass
class SourceRow:
    """One input row: its number in the file (as a person would count it) and its values."""

    number: int
    values: dict[str, Any]

    @property
    def empty(self) -> bool:
        return all(is_blank(v) for v in self.values.values())


@dataclass
class SourceTable:
    """An imported table: where it came from, its columns in order, and its rows."""

    name: str
    columns: list[str]
    rows: list[SourceRow] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SourceRow]:
        return iter(self.rows)


def decode(data: bytes, name: str) -> str:
    """Decode a text file: UTF-16 (with BOM), UTF-8 with or without BOM; nothing else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: broken UTF-16 text ({exc.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{name}: line {line} is not UTF-8 (byte {data[exc.start]:#04x}); "
            "save the file as UTF-8 (or UTF-16) and import it again"
        ) from None


def _unescape(text: str) -> str:
    """A CSV cell exported as '=… (OWASP's apostrophe) comes back as the text =…."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text


def _unique(columns: list[str], name: str) -> list[str]:
    out, seen = [], set()
    for i, col in enumerate(columns):
        col = (col or "").strip().lstrip("\ufeff")
        if not col:
            col = f"column {i + 1}"
        if col in seen:
            raise InputError(f"{name}: the header names column {col!r} twice")
        seen.add(col)
        out.append(col)
    return out


def read_csv_text(text: str, name: str) -> SourceTable:
    sample = text[:64_000]
    if not sample.strip():
        raise InputError(f"{name}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(sample.split("\n", 20)[0] + "\n", delimiters=_DELIMITERS)
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        columns = _unique(header, name)
        table = SourceTable(name, columns)
        for number, cells in enumerate(reader, start=2):
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
                raise InputError(
                    f"{name}: row {number} has {len(cells)} cells but the header has "
                    f"{len(columns)} columns (is the delimiter {delimiter!r} right?)"
                )
            values = {
                c: _unescape(cells[i]) if i < len(cells) else "" for i, c in enumerate(columns)
            }
            table.rows.append(SourceRow(number, values))
    except csv.Error as exc:
        raise InputError(f"{name}: not a readable CSV table ({exc})") from None
    if len(columns) < 2 and not table.rows:
        raise InputError(f"{name}: no table found (a header row and data rows are needed)")
    return table


def read_json_text(text: str, name: str) -> SourceTable:
    stripped = text.strip()
    records: list[Any]
    try:
        data = json.loads(stripped)
        if isinstance(data, dict):
            lists = [v for v in data.values() if isinstance(v, list)]
            records = lists[0] if len(lists) == 1 else [data]
        else:
            records = data
    except json.JSONDecodeError:
        records = []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise InputError(f"{name}: line {number} is not JSON ({exc.msg})") from None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(f"{name}: expected a list of objects (or one object per line)")
    columns: list[str] = []
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(str(key))
    table = SourceTable(name, columns)
    for number, record in enumerate(records, start=1):
        values = {
            c: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
            for c, v in ((c, record.get(c)) for c in columns)
        }
        table.rows.append(SourceRow(number, values))
    return table


def read_xlsx(path: Path, sheet: str | None = None) -> SourceTable:
    import pandas as pd

    try:
        frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, header=None)
    except ValueError as exc:
        raise InputError(f"{path.name}: {exc}") from None
    except Exception as exc:  # zip or XML damage: report it as unreadable, one line
        raise InputError(f"{path.name}: not a readable .xlsx workbook ({exc})") from None
    if frame.empty:
        raise InputError(f"{path.name}: the sheet is empty")
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    columns = _unique([str(h) if h is not None else "" for h in rows[0]], path.name)
    table = SourceTable(path.name, columns)
    for number, cells in enumerate(rows[1:], start=2):
        table.rows.append(SourceRow(number, dict(zip(columns, cells, strict=True))))
    return table


def read_source(path: str | Path, *, sheet: str | None = None) -> SourceTable:
    """Read a CSV, TSV, XLSX, JSON or NDJSON file by its extension (or content)."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"no such file: {p}")
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(p, sheet)
    text = decode(p.read_bytes(), p.name)
    if suffix in (".json", ".ndjson", ".jsonl") or text.lstrip().startswith(("{", "[")):
        return read_json_text(text, p.name)
    return read_csv_text(text, p.name)


def table_from_grid(name: str, header: list[Any], rows: list[list[Any]]) -> SourceTable:
    """A tab of the same spreadsheet (e.g. 'Form Responses 1') as a source table."""
    columns = _unique([str(h) if h is not None else "" for h in header], name)
    table = SourceTable(name, columns)
    for number, cells in enumerate(rows, start=2):
        values = {c: (cells[i] if i < len(cells) else None) for i, c in enumerate(columns)}
        table.rows.append(SourceRow(number, values))
    return table
