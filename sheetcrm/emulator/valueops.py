"""The ``spreadsheets.values`` routes: get, batchGet, update, batchUpdate, append, clear."""

from __future__ import annotations

from typing import Any

from . import filters
from .a1 import Bounds, format_range
from .cells import parse_user_entered, render
from .model import Sheet, Spreadsheet, bad

#: Google's limit on the characters of one cell
CELL_CHARS = 50_000
CELL_TOO_LONG = (
    f"Your input contains more than the maximum of {CELL_CHARS} characters in a single cell."
)


def _one(params: dict[str, list[str]], name: str, default: str) -> str:
    values = params.get(name)
    return values[-1] if values else default


def read(ss: Spreadsheet, text: str, params: dict[str, list[str]]) -> dict[str, Any]:
    """One ValueRange as values.get returns it (trailing empties trimmed)."""
    option = _one(params, "valueRenderOption", "FORMATTED_VALUE")
    dates = _one(params, "dateTimeRenderOption", "SERIAL_NUMBER")
    major = _one(params, "majorDimension", "ROWS")
    if major == "DIMENSION_UNSPECIFIED":
        major = "ROWS"
    sheet, bounds = ss.resolve(text)
    r0, r1, c0, c1 = bounds.clip(sheet.row_count, sheet.col_count)
    return read_block(sheet, r0, r1, c0, c1, option, dates, major)


def read_block(
    sheet: Sheet, r0: int, r1: int, c0: int, c1: int, option: str, dates: str, major: str
) -> dict[str, Any]:
    """The ValueRange of a grid-bounded block, rendered with ``option``."""
    grid: list[list[Any]] = []
    rows = sheet.rows
    fast = option != "FORMATTED_VALUE" and not sheet.cell_formats and not sheet.range_formats
    for r in range(r0, min(r1, len(rows))):
        row = rows[r][c0:c1]
        if fast:
            cells = [render(v, None, option, dates) for v in row]
        else:
            cells = [
                render(v, sheet.number_format(r, c0 + i), option, dates) for i, v in enumerate(row)
            ]
        grid.append(cells)
    if major == "COLUMNS":
        width = max((len(r) for r in grid), default=0)
        grid = [[r[c] if c < len(r) else "" for r in grid] for c in range(width)]
    for line in grid:
        while line and line[-1] == "":
            line.pop()
    while grid and not grid[-1]:
        grid.pop()
    out: dict[str, Any] = {
        "range": format_range(sheet.title, r0, r1, c0, c1),
        "majorDimension": major,
    }
    if grid:
        out["values"] = grid
    return out


def check_cell_sizes(values: list[list[Any]]) -> None:
    """Google's 400 for a cell over 50,000 characters (checked before anything is written)."""
    for row in values:
        for cell in row:
            if isinstance(cell, str) and len(cell) > CELL_CHARS:
                raise bad(CELL_TOO_LONG)


def _size_check(
    sheet: Sheet, bounds: Bounds, values: list[list[Any]], text: str
) -> tuple[int, int]:
    r0, c0 = bounds.start_row or 0, bounds.start_col or 0
    height = len(values)
    width = max((len(r) for r in values), default=0)
    if bounds.end_row is not None and r0 + height > bounds.end_row and bounds.end_row - r0 > 1:
        raise bad(
            f"Requested writing within range [{text}], but tried writing to row [{r0 + height}]"
        )
    if bounds.end_col is not None and c0 + width > bounds.end_col and bounds.end_col - c0 > 1:
        from .a1 import index_to_col

        raise bad(
            f"Requested writing within range [{text}], but tried writing to column "
            f"[{index_to_col(c0 + width - 1)}]"
        )
    if r0 + height > sheet.row_count or c0 + width > sheet.col_count:
        raise bad(
            f"Range ({format_range(sheet.title, r0, r0 + height, c0, c0 + max(width, 1))}) "
            f"exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
        )
    return height, width


def orient(values: list[list[Any]], major: str | None) -> list[list[Any]]:
    """Values given by columns, as rows."""
    if major != "COLUMNS":
        return values
    height = max((len(c) for c in values), default=0)
    return [[col[r] if r < len(col) else None for col in values] for r in range(height)]


def _write(sheet: Sheet, r0: int, c0: int, values: list[list[Any]], option: str) -> int:
    return write_cells(sheet, r0, c0, values, option)[2]


def write_cells(
    sheet: Sheet, r0: int, c0: int, values: list[list[Any]], option: str
) -> tuple[int, int, int]:
    """Write a block (a JSON null leaves its cell alone, "" clears it); returns the rows,
    columns and cells written."""
    cells = 0
    rows_hit: set[int] = set()
    cols_hit: set[int] = set()
    for dr, row in enumerate(values):
        for dc, raw in enumerate(row):
            if raw is None:  # JSON null: leave the cell as it is
                continue
            cells += 1
            rows_hit.add(dr)
            cols_hit.add(dc)
            r, c = r0 + dr, c0 + dc
            if option == "RAW":
                sheet.set(r, c, raw if raw != "" else None)
                continue
            value, fmt = parse_user_entered(raw)
            sheet.set(r, c, value)
            if fmt is not None and sheet.number_format(r, c) is None:
                sheet.cell_formats.setdefault((r, c), {})["numberFormat"] = fmt.as_json()
    return len(rows_hit), len(cols_hit), cells


def _input_option(params: dict[str, list[str]], body: dict[str, Any] | None = None) -> str:
    option = (body or {}).get("valueInputOption") or _one(params, "valueInputOption", "")
    if option in ("", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise bad("'valueInputOption' is required but not specified")
    return option


def _update_one(ss: Spreadsheet, vr: dict[str, Any], text: str, option: str) -> dict[str, Any]:
    sheet, bounds = ss.resolve(text)
    values = orient(vr.get("values", []), vr.get("majorDimension"))
    check_cell_sizes(values)
    height, width = _size_check(sheet, bounds, values, text)
    r0, c0 = bounds.start_row or 0, bounds.start_col or 0
    cells = _write(sheet, r0, c0, values, option)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if height and width:
        out.update(
            updatedRange=format_range(sheet.title, r0, r0 + height, c0, c0 + width),
            updatedRows=height,
            updatedColumns=width,
            updatedCells=cells,
        )
    return out


def update(ss: Spreadsheet, text: str, body: dict[str, Any], params: dict[str, list[str]]) -> Any:
    option = _input_option(params)
    if body.get("range") and ss.resolve(body["range"]) != ss.resolve(text):
        raise bad(f"Requested entity range {body['range']} does not match the URL range {text}")
    return _update_one(ss, body, text, option)


def batch_update(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    option = _input_option({}, body)
    data = body.get("data", [])
    for vr in data:  # check every range before writing any: the batch is atomic
        if "range" not in vr:
            raise bad("Invalid data[0].range: must be set")
        sheet, bounds = ss.resolve(vr["range"])
        values = orient(vr.get("values", []), vr.get("majorDimension"))
        check_cell_sizes(values)
        _size_check(sheet, bounds, values, vr["range"])
    responses = [_update_one(ss, vr, vr["range"], option) for vr in data]
    totals = {"totalUpdatedRows": 0, "totalUpdatedColumns": 0, "totalUpdatedCells": 0}
    for r in responses:
        totals["totalUpdatedRows"] += r.get("updatedRows", 0)
        totals["totalUpdatedColumns"] += r.get("updatedColumns", 0)
        totals["totalUpdatedCells"] += r.get("updatedCells", 0)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if responses and totals["totalUpdatedCells"]:
        out |= totals | {
            "totalUpdatedSheets": len(
                {r["updatedRange"].split("!")[0] for r in responses if "updatedRange" in r}
            )
        }
    out["responses"] = responses
    return out


def _empty_row(sheet: Sheet, r: int, c0: int, c1: int) -> bool:
    if r >= len(sheet.rows):
        return True
    return all(v is None for v in sheet.rows[r][c0:c1])


def append(ss: Spreadsheet, text: str, body: dict[str, Any], params: dict[str, list[str]]) -> Any:
    """Find the table at the range and write after its last row (growing the grid)."""
    option = _input_option(params)
    insert = _one(params, "insertDataOption", "OVERWRITE")
    sheet, bounds = ss.resolve(text)
    values = orient(body.get("values", []), body.get("majorDimension"))
    check_cell_sizes(values)
    width = max((len(r) for r in values), default=0)
    c0 = bounds.start_col or 0
    c_end = bounds.end_col if bounds.end_col is not None else sheet.col_count
    start = bounds.start_row or 0
    table_end = start
    used_rows, _ = sheet.used_extent()
    while table_end < used_rows and not _empty_row(sheet, table_end, c0, c_end):
        table_end += 1
    if table_end == start and bounds.start_row is None:
        table_end = used_rows  # a whole-sheet or whole-column range: after the last data
    if table_end > start and bounds.start_col is None:
        # Google's table is the last run of filled cells in the table's first row
        first = sheet.rows[start] if start < len(sheet.rows) else []
        run_start = c0
        for i, v in enumerate(first):
            if v is not None and (i == 0 or first[i - 1] is None):
                run_start = i
        c0 = run_start
    target = table_end
    need_rows = target + len(values) - sheet.row_count
    from .structure import insert_dimension

    if insert == "INSERT_ROWS" and values:
        insert_dimension(ss, sheet, "ROWS", target, target + len(values))
    elif need_rows > 0:
        sheet.props["gridProperties"]["rowCount"] += need_rows
        filters.grew(sheet, sheet.row_count - need_rows)
    if c0 + width > sheet.col_count:
        sheet.props["gridProperties"]["columnCount"] = c0 + width
    ss.check_cells()
    cells = _write(sheet, target, c0, values, option)
    out: dict[str, Any] = {"spreadsheetId": ss.id}
    if table_end > start:
        table_c1 = max(c0 + width, c0 + 1)
        out["tableRange"] = format_range(sheet.title, start, table_end, c0, table_c1)
    out["updates"] = {"spreadsheetId": ss.id}
    if values:
        out["updates"] |= {
            "updatedRange": format_range(sheet.title, target, target + len(values), c0, c0 + width),
            "updatedRows": len(values),
            "updatedColumns": width,
            "updatedCells": cells,
        }
    return out


def clear(ss: Spreadsheet, text: str) -> dict[str, Any]:
    sheet, bounds = ss.resolve(text)
    r0, r1, c0, c1 = bounds.clip(sheet.row_count, sheet.col_count)
    for r in range(r0, min(r1, len(sheet.rows))):
        row = sheet.rows[r]
        for c in range(c0, min(c1, len(row))):
            row[c] = None
    return {"spreadsheetId": ss.id, "clearedRange": format_range(sheet.title, r0, r1, c0, c1)}


def batch_clear(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    ranges = body.get("ranges", [])
    for text in ranges:
        ss.resolve(text)
    cleared = [clear(ss, text)["clearedRange"] for text in ranges]
    return {"spreadsheetId": ss.id, "clearedRanges": cleared}


def batch_get(ss: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    ranges = params.get("ranges", [])
    return {"spreadsheetId": ss.id, "valueRanges": [read(ss, t, params) for t in ranges]}
