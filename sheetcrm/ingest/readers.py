"""Read what people import: CSV (any delimiter; UTF-8 with or without BOM, UTF-16, or any
encoding named), XLSX, JSON and NDJSON, from a file or from bytes (standard input) — into
rows of raw values with their row numbers in the file.

Values stay as they were written (text stays text, ``00123`` keeps its zeros); parsing is
the codecs' job. A file that cannot be read as a table fails here, before anything is
written anywhere.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetcrm.errors import ConfigError, InputError, NotFoundError
from sheetcrm.ingest.decoding import decode_cut
from sheetcrm.model.tablefile import unescape
from sheetcrm.model.values import is_blank

_DELIMITERS = ",;\t|"
#: How much of a file the delimiter is guessed from: this many records, or characters.
_SAMPLE_RECORDS = 50
_SAMPLE_CHARS = 64_000
#: The most columns any sheet holds: Google Sheets' 18,278 (``backends.limits.GOOGLE``; an
#: xlsx sheet holds 16,384). A wider header is no table for any backend; the backends
#: check their own limits before writing.
MAX_COLUMNS = 18_278


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
    #: The file's last row when the file ends mid-line (a cut-off download): never
    #: imported, but quarantined with ``cut_reason`` so the complete rows still go in.
    cut: SourceRow | None = None
    cut_reason: str = ""
    #: Column → the day/month order ("DMY", "MDY") its dates are read in, fixed for it
    #: beforehand or by its values or header (``ingest.dateorder``): a retry of rows set
    #: aside reads them in the order their whole column was read in.
    date_orders: dict[str, str] = field(default_factory=dict)
    #: Title lines above the header (a Google Ads report's name and date range), as read.
    title: list[str] = field(default_factory=list)
    #: What was left out of the rows on purpose, one line each (a report's totals rows:
    #: ``presets.ads``), for the import to say.
    left_out: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[SourceRow]:
        return iter(self.rows)


def _unescape(text: str) -> str:
    """A CSV cell exported as '=… (OWASP's apostrophe, ``model.tablefile``) comes back as
    the text =…; a phone or number was exported as itself and stays so."""
    return unescape(text)


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


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first records of the file most consistently.

    Each candidate must split the header; then wins the one under which most data rows have
    the header's width, then the one whose cells rarely start with a space (a ", " is prose,
    not a separator), then the one giving more columns. So a tab-separated file whose header
    says "City, State" is read as tab-separated, even if every row has a comma too.
    """
    sample = text[:_SAMPLE_CHARS]
    partial = len(text) > len(sample)
    best, best_score = ",", (-1.0, 0.0, 0, 0)
    for index, delimiter in enumerate(_DELIMITERS):
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            records = list(itertools.islice(reader, _SAMPLE_RECORDS + 1))
        except csv.Error:
            continue
        if partial and len(records) > 1:
            records.pop()  # the sample may end inside it
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        rows = [r for r in records[1:] if any(c.strip() for c in r)]
        agree = sum(len(r) == width for r in rows) / len(rows) if rows else 1.0
        cells = [c for r in records for c in r if c]
        spaced = sum(c[0].isspace() for c in cells) / len(cells) if cells else 0.0
        score = (agree, -spaced, width, -index)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _header_width(text: str, delimiter: str, name: str) -> None:
    """Refuse a header wider than any sheet, before splitting it into cells (a 10 MB line
    of commas would otherwise become ten million column names)."""
    end = text.find("\n")
    line = text[: end if end >= 0 else len(text)]
    if line.count(delimiter) < MAX_COLUMNS:
        return
    width = re.sub(r'"[^"]*"', "", line).count(delimiter) + 1
    if width > MAX_COLUMNS:
        raise InputError(
            f"{name}: the header has {width:,} columns; no sheet holds more than "
            f"{MAX_COLUMNS:,} (is this the right file?)"
        )


class _Lines:
    """The file's lines for ``csv.reader``, keeping those of the record being read (so the
    last record can be checked for a missing end)."""

    def __init__(self, text: str) -> None:
        self._lines = iter(io.StringIO(text, newline=""))
        self.record: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.record.append(line)
        return line


def _unfinished(lines: list[str], cells: int, width: int, cut: bool) -> str | None:
    """Why the file's last record is a fragment, or None when it is whole: a line with
    no line end and fewer cells than the header (or bytes that stop mid-character), or a
    quoted cell never closed. A short row that ends its line is a row whose exporter
    dropped empty trailing cells, and is read as before."""
    text = "".join(lines)
    try:
        list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            return "file ends mid-line (a quoted cell is never closed)"
    if text.endswith(("\n", "\r")):
        return None
    return "file ends mid-line" if cut or cells < width else None


#: How many title lines above a header are looked for (Google Ads writes two).
MAX_TITLE_LINES = 5


def _cells(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _header_at(lines: list[str], index: int, delimiter: str) -> bool:
    """Whether ``lines[index]`` is a header of several cells that the next line matches
    in width (so a one-column table whose first value holds a comma is not taken for a
    title and a header)."""
    cells = _cells(lines[index], delimiter)
    if sum(bool(c.strip()) for c in cells) < 2:
        return False
    after = lines[index + 1] if index + 1 < len(lines) else None
    return after is None or len(_cells(after, delimiter)) == len(cells)


def title_lines(text: str, delimiter: str | None = None) -> int:
    """How many lines at the top of ``text`` are a title above the header: lines of at
    most one cell followed, within ``MAX_TITLE_LINES``, by a header (several cells, the
    next line as wide) under ``delimiter`` or any delimiter. 0 when there are none (a
    table of one column has no title lines)."""
    delimiters = delimiter or _DELIMITERS
    lines = text[:_SAMPLE_CHARS].splitlines()
    for index, line in enumerate(lines[: MAX_TITLE_LINES + 1]):
        if any(sum(bool(c.strip()) for c in _cells(line, d)) >= 2 for d in delimiters):
            return index if any(_titled(lines, index, d) for d in delimiters) else 0
    return 0


def _titled(lines: list[str], index: int, delimiter: str) -> bool:
    """Whether the lines above ``lines[index]`` are titles of the header there: it is a
    header, and none of them is as wide as it (``Name,,`` is a header with blank column
    names, not a title)."""
    if not _header_at(lines, index, delimiter):
        return False
    width = len(_cells(lines[index], delimiter))
    return all(len(_cells(line, delimiter)) != width for line in lines[:index])


def read_csv_text(
    text: str, name: str, *, cut: bool = False, delimiter: str | None = None
) -> SourceTable:
    """A CSV/TSV text as a table (``delimiter``: sniffed when not given). ``cut``: the bytes
    stopped mid-character (``_decode``). A last record that is a fragment is kept apart in
    ``SourceTable.cut``, never in rows. Title lines above the header (``title_lines``)
    are kept in ``SourceTable.title``; row numbers still count them."""
    if not text or text.isspace():
        raise InputError(f"{name}: the file is empty")
    skip = title_lines(text, delimiter)
    raw_title = text.splitlines(keepends=True)[:skip]
    text = text[sum(map(len, raw_title)) :]
    delimiter = delimiter or sniff_delimiter(text)
    _header_width(text, delimiter, name)
    lines = _Lines(text)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = next(reader)
        columns = _unique([_unescape(h) for h in header], name)
        table = SourceTable(name, columns, title=[t.rstrip("\r\n") for t in raw_title])
        width = len(columns)
        last: tuple[int, list[str], list[str]] | None = None
        for number, (cells, raw) in enumerate(_records(reader, lines), start=2 + skip):
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                raise InputError(
                    f"{name}: row {number} has {len(cells):,} cells but the header has "
                    f"{width:,} columns (is the delimiter {delimiter!r} right?)"
                )
            if last is not None:
                table.rows.append(_row(last[0], last[1], columns))
            last = (number, cells, raw)
    except csv.Error as exc:
        raise InputError(f"{name}: not a readable CSV table ({exc})") from None
    if last is not None:
        reason = _unfinished(last[2], len(last[1]), width, cut)
        row = _row(last[0], last[1], columns)
        if reason is None:
            table.rows.append(row)
        else:
            table.cut, table.cut_reason = row, reason
    if len(columns) < 2 and not table.rows and table.cut is None:
        raise InputError(f"{name}: no table found (a header row and data rows are needed)")
    return table


def _records(reader: Iterator[list[str]], lines: _Lines) -> Iterator[tuple[list[str], list[str]]]:
    """The reader's records, each with the lines of the file it was read from."""
    while True:
        lines.record = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        yield cells, lines.record


def _row(number: int, cells: list[str], columns: list[str]) -> SourceRow:
    values = {c: _unescape(cells[i]) if i < len(cells) else "" for i, c in enumerate(columns)}
    return SourceRow(number, values)


def read_json_text(text: str, name: str, *, cut: bool = False) -> SourceTable:
    """A JSON list of objects (or one object holding one list), or NDJSON. An NDJSON file
    whose last line is cut off (no line end, not JSON) keeps that line in ``cut``."""
    stripped = text.strip()
    records: list[Any]
    fragment: str | None = None
    try:
        data = json.loads(stripped)
        if isinstance(data, dict):
            lists = [v for v in data.values() if isinstance(v, list)]
            records = lists[0] if len(lists) == 1 else [data]
        else:
            records = data
    except json.JSONDecodeError:
        records, fragment = _ndjson(text, name, cut)
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
    if fragment is not None:
        table.cut = SourceRow(
            len(records) + 1, {c: fragment if c == columns[0] else None for c in columns}
        )
        table.cut_reason = "file ends mid-line"
    return table


def _ndjson(text: str, name: str, cut: bool) -> tuple[list[Any], str | None]:
    """NDJSON records, and the last line when it is a cut-off fragment (see ``_unfinished``):
    not JSON, no line end, after at least one whole record."""
    lines = text.splitlines()
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    ended = text.endswith(("\n", "\r")) and not cut
    records: list[Any] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            if number - 1 == last and not ended and records:
                return records, line
            raise InputError(f"{name}: line {number} is not JSON ({exc.msg})") from None
    return records, None


def read_xlsx(source: Path | bytes, sheet: str | None = None, name: str = "") -> SourceTable:
    """The first sheet (or ``sheet``) of an .xlsx workbook: a file, or its bytes (stdin)."""
    import pandas as pd

    name = name or (source.name if isinstance(source, Path) else STDIN)
    data = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        frame = pd.read_excel(data, sheet_name=sheet or 0, dtype=object, header=None)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None
    except Exception as exc:  # zip or XML damage: report it as unreadable, one line
        raise InputError(f"{name}: not a readable .xlsx workbook ({exc})") from None
    if frame.empty:
        raise InputError(f"{name}: the sheet is empty")
    rows = frame.astype(object).where(frame.notna(), None).values.tolist()
    columns = _unique([str(h) if h is not None else "" for h in rows[0]], name)
    table = SourceTable(name, columns)
    for number, cells in enumerate(rows[1:], start=2):
        table.rows.append(SourceRow(number, dict(zip(columns, cells, strict=True))))
    return table


#: The input formats ``--input-format`` names (None: by the file's extension, or sniffed).
FORMATS = ("csv", "tsv", "json", "ndjson", "xlsx")
#: The name standard input goes by, in messages, ``_quarantine`` and ``_audit``.
STDIN = "<stdin>"
_SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json", ".ndjson": "ndjson"}
_SUFFIXES |= {".jsonl": "ndjson", ".tsv": "tsv", ".tab": "tsv"}
#: How every .xlsx (a zip archive) starts.
_ZIP = b"PK\x03\x04"


def read_source(
    path: str | Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
) -> SourceTable:
    """Read a CSV, TSV, XLSX, JSON or NDJSON file: as ``fmt`` says, else by its extension,
    else by its content (see ``read_bytes``)."""
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"no such file: {p}")
    if p.is_dir():
        raise InputError(f"{p} is a folder, not a file to import")
    fmt = fmt or _SUFFIXES.get(p.suffix.lower())
    if fmt == "xlsx":
        return _not_empty(read_xlsx(p, sheet))
    return read_bytes(p.read_bytes(), p.name, sheet=sheet, encoding=encoding, fmt=fmt)


def read_bytes(
    data: bytes,
    name: str = STDIN,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    fmt: str | None = None,
) -> SourceTable:
    """Read an input given as bytes (standard input, a download): as ``fmt`` says, else
    sniffed — an .xlsx by its zip signature, JSON/NDJSON by a leading ``[`` or ``{``, else
    delimited text (the delimiter sniffed too)."""
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown input format {fmt!r}: one of {', '.join(FORMATS)}")
    if fmt == "xlsx" or (fmt is None and data.startswith(_ZIP)):
        return _not_empty(read_xlsx(data, sheet, name))
    text, cut = decode_cut(data, name, encoding)
    if fmt in ("json", "ndjson") or (fmt is None and text.lstrip().startswith(("{", "["))):
        table = read_json_text(text, name, cut=cut)
    else:
        table = read_csv_text(text, name, cut=cut, delimiter="\t" if fmt == "tsv" else None)
    return _not_empty(table)


def _not_empty(table: SourceTable) -> SourceTable:
    """An empty export is nearly always the wrong file or a failed download: say so."""
    if not table.rows and table.cut is None:
        what = "only a header" if table.columns else "no records"
        raise InputError(f"{table.name}: {what}, no rows to import")
    return table


def table_from_grid(name: str, header: list[Any], rows: list[list[Any]]) -> SourceTable:
    """A tab of the same spreadsheet (e.g. 'Form Responses 1') as a source table."""
    columns = _unique([str(h) if h is not None else "" for h in header], name)
    table = SourceTable(name, columns)
    for number, cells in enumerate(rows, start=2):
        values = {c: (cells[i] if i < len(cells) else None) for i, c in enumerate(columns)}
        table.rows.append(SourceRow(number, values))
    return table
