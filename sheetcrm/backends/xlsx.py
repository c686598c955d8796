"""The local ``.xlsx`` backend (openpyxl): the embedded default, ``crm.xlsx``.

Reads stream the file in read-only mode; writes load it fully, apply the ChangeSet through
the shared adapter rules, and save atomically (temp file in the same folder, fsync, rename),
so a crash or a bad value never leaves a half-written workbook. Text is written as text:
a value starting with ``=`` stays a literal string (and gets Excel's quote prefix), dates
are real dates with a date format, and existing formulas are kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formatting.rule import ColorScaleRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sheetcrm.backends.base import ApplyReport, SheetAdapter, WorkbookAdapter, apply_changes
from sheetcrm.errors import ValueParseError, WorkbookError
from sheetcrm.model.changes import (
    CellFormula,
    ChangeSet,
    ChartSpec,
    Protect,
    SetLayout,
    SetStyles,
    StyleRule,
    Unprotect,
)
from sheetcrm.model.grid import NUMBER_FORMATS, HeaderMap, Layout, TabGrid, Validation
from sheetcrm.model.schema import Field, Schema, TabSchema
from sheetcrm.model.values import looks_like_formula

MAX_ROW = 1_048_576
PROMPT_TITLE = "Computed by sheetcrm"
MAX_CELL_TEXT = 32_767
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_SYSTEM_FILL = PatternFill("solid", fgColor="7F7F7F")
_BOOL_FORMULAS = {"=TRUE()": True, "=FALSE()": False, "=TRUE": True, "=FALSE": False}
_WIDTHS = {
    "id": 23,
    "email": 30,
    "phone": 17,
    "date": 12,
    "datetime": 17,
    "money": 13,
    "bool": 9,
    "enum": 13,
    "integer": 10,
    "number": 10,
    "percent": 10,
}


def needs_quote_prefix(text: str) -> bool:
    """True for text a spreadsheet would otherwise treat as a formula when edited."""
    return looks_like_formula(text)


class XlsxBackend:
    """A workbook in a local .xlsx file."""

    name = "xlsx"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.saves = 0

    def describe(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    # -- reading -------------------------------------------------------------------------

    def _load(self, **kw: Any) -> openpyxl.Workbook:
        try:
            return openpyxl.load_workbook(self.path, **kw)
        except FileNotFoundError:
            raise
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
            raise WorkbookError(f"{self.path} is not a readable .xlsx workbook ({exc})") from None

    def read(
        self, tabs: Iterable[str] | None = None, *, layout: bool = False, values_only: bool = False
    ) -> dict[str, TabGrid]:
        if not self.path.exists():
            return {}
        wb = self._load(read_only=not layout, data_only=False)
        try:
            names = wb.sheetnames if tabs is None else [t for t in tabs if t in wb.sheetnames]
            grids = {n: _read_sheet(wb[n], layout) for n in names}
            if layout:
                for tab, specs in _declared_charts(wb).items():
                    if tab in grids:
                        grids[tab].layout.charts = {c.key for c in specs}
        finally:
            if not layout:
                wb.close()
        if any(g.formulas for g in grids.values()):
            self._fill_cached_values(grids)
        return grids

    def _fill_cached_values(self, grids: dict[str, TabGrid]) -> None:
        """Formula cells carry the value last computed by Excel/LibreOffice, if any."""
        wb = self._load(read_only=True, data_only=True)
        try:
            for name, grid in grids.items():
                if not grid.formulas:
                    continue
                wanted = {r for r, _ in grid.formulas}
                for r, row in enumerate(wb[name].iter_rows(min_row=2, values_only=True)):
                    if r in wanted:
                        for (fr, fc), _ in grid.formulas.items():
                            if fr == r and fc < len(row):
                                grid.rows[r][fc] = _typed(row[fc], None)
        finally:
            wb.close()

    # -- writing -------------------------------------------------------------------------

    def apply(self, changes: ChangeSet, schema: Schema) -> ApplyReport:
        if not changes:
            return ApplyReport()
        if self.path.exists():
            wb = self._load()
        else:
            wb = openpyxl.Workbook()
            wb.remove(wb.active)
        report = apply_changes(_XlsxBook(wb, schema), changes, schema)
        _draw_charts(wb)
        _ensure_visible_active(wb)
        self._save(wb)
        report.requests = 1
        return report

    def _save(self, wb: openpyxl.Workbook) -> None:
        folder = self.path.parent if str(self.path.parent) else Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            wb.save(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if self.path.exists():
                os.chmod(tmp, self.path.stat().st_mode & 0o7777)
            else:
                os.chmod(tmp, 0o644 & ~_umask())
            os.replace(tmp, self.path)
            with contextlib.suppress(OSError):
                dfd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(dfd)
                finally:
                    os.close(dfd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.saves += 1


def _declared_charts(wb: openpyxl.Workbook) -> dict[str, list[ChartSpec]]:
    """Charts declared in ``_meta`` (``charts:<Tab>`` → JSON list of ChartSpec)."""
    if "_meta" not in wb.sheetnames:
        return {}
    out: dict[str, list[ChartSpec]] = {}
    for key, value in wb["_meta"].iter_rows(min_row=2, max_col=2, values_only=True):
        if isinstance(key, str) and key.startswith("charts:") and value:
            try:
                out[key[7:]] = [ChartSpec.from_json(d) for d in json.loads(value)]
            except (ValueError, KeyError, TypeError):
                continue  # a hand-edited declaration: draw nothing rather than fail the save
    return out


def _draw_charts(wb: openpyxl.Workbook) -> None:
    """openpyxl drops charts when it loads a file, so every save draws them again from
    their declaration in ``_meta`` — never from a previous run's memory."""
    for tab, specs in _declared_charts(wb).items():
        if tab not in wb.sheetnames:
            continue
        ws = wb[tab]
        ws._charts = []
        for spec in specs:
            ws.add_chart(
                _chart(ws, spec), f"{get_column_letter(spec.anchor[1] + 1)}{spec.anchor[0] + 1}"
            )


def _chart(ws: Worksheet, spec: ChartSpec) -> Any:
    from openpyxl.chart import BarChart, LineChart, PieChart, Reference

    col, r0, r1 = spec.domain
    chart = {"line": LineChart, "pie": PieChart, "bar": BarChart}[spec.kind]()
    chart.title = spec.title
    chart.width, chart.height = spec.size[0] / 37.8, spec.size[1] / 37.8  # px → cm
    for scol, s0, s1 in spec.series:
        chart.add_data(
            Reference(ws, min_col=scol + 1, min_row=s0 + 1, max_row=s1), titles_from_data=False
        )
    chart.set_categories(Reference(ws, min_col=col + 1, min_row=r0 + 1, max_row=r1))
    if spec.kind != "pie":
        chart.legend = None
    return chart


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _typed(value: Any, number_format: str | None) -> Any:
    """openpyxl's value, with date-only datetimes turned back into dates."""
    date_only = number_format and "h" not in number_format.lower()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0) and date_only:
        return value.date()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _read_sheet(ws: Any, layout: bool) -> TabGrid:
    rows: list[list[Any]] = []
    formulas: dict[tuple[int, int], str] = {}
    header: list[Any] = []
    for r, row in enumerate(ws.iter_rows()):
        values: list[Any] = []
        for c, cell in enumerate(row):
            value = cell.value
            if cell.data_type == "f" or (
                not isinstance(value, (str, int, float, bool, dt.date)) and value is not None
            ):
                text = value if isinstance(value, str) else getattr(value, "text", str(value))
                literal = _BOOL_FORMULAS.get(text.replace(" ", "").upper())
                if literal is not None:  # LibreOffice saves TRUE/FALSE cells as =TRUE()
                    values.append(literal)
                    continue
                if r > 0:
                    formulas[(r - 1, c)] = text if text.startswith("=") else "=" + text
                values.append(None)
            else:
                values.append(_typed(value, getattr(cell, "number_format", None)))
        if r == 0:
            header = values
        else:
            rows.append(values)
    while header and header[-1] is None:
        header.pop()
    while (
        rows
        and all(v is None or v == "" for v in rows[-1])
        and not any(k[0] == len(rows) - 1 for k in formulas)
    ):
        rows.pop()
    grid = TabGrid(ws.title, header, rows, formulas)
    grid.layout = _read_layout(ws, header) if layout else Layout(hidden=ws.sheet_state != "visible")
    return grid


def _read_layout(ws: Worksheet, header: list[Any]) -> Layout:
    by_letter = {get_column_letter(i + 1): h for i, h in enumerate(header) if h}
    lay = Layout(hidden=ws.sheet_state != "visible")
    if ws.freeze_panes:
        lay.frozen_rows = CellRange(ws.freeze_panes).min_row - 1
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            lay.styles.add(_rule_signature(cf.sqref, rule))
    for dv in ws.data_validations.dataValidation:
        if dv.promptTitle == PROMPT_TITLE and dv.prompt:
            rng = next(iter(dv.sqref.ranges))
            whole = rng.min_row == rng.max_row == 1
            lay.protections[dv.prompt] = (None, None) if whole else (rng.min_col - 1, rng.max_col)
            continue
        if dv.type != "list" or not dv.formula1:
            continue
        rule = _rule_from_formula(dv.formula1)
        for rng in dv.sqref.ranges:
            if rng.min_col == rng.max_col and rng.min_row <= 2 and rng.max_row >= MAX_ROW // 2:
                h = by_letter.get(get_column_letter(rng.min_col))
                if h:
                    lay.validations[str(h)] = rule
    for dim in ws.column_dimensions.values():
        fmt = (dim.number_format or "").replace("\\", "")  # LibreOffice writes yyyy\-mm\-dd
        if not fmt or fmt == "General" or not dim.min:
            continue
        for col in range(dim.min, (dim.max or dim.min) + 1):
            h = by_letter.get(get_column_letter(col))
            if h:
                lay.number_formats[str(h)] = fmt
    return lay


def _hex(color: Any) -> str | None:
    rgb = getattr(color, "rgb", None)
    return "#" + rgb[-6:].upper() if isinstance(rgb, str) and len(rgb) >= 6 else None


def _rule_signature(sqref: Any, rule: Any) -> str:
    """The ``StyleRule.signature`` of a conditional format read from a workbook."""
    rng = next(iter(sqref.ranges)) if hasattr(sqref, "ranges") else CellRange(str(sqref))
    cols = f"{rng.min_col - 1}-{rng.max_col}"
    if rule.type == "colorScale" and rule.colorScale is not None:
        values = [float(c.val) for c in rule.colorScale.cfvo]
        colors = [_hex(c) for c in rule.colorScale.color]
        body = ";".join(f"{v:g}={c}" for v, c in zip(values, colors, strict=False))
        return f"scale:{cols}:{body}"
    dxf = rule.dxf
    fill = _hex(dxf.fill.fgColor) if dxf is not None and dxf.fill is not None else None
    font = _hex(dxf.font.color) if dxf is not None and dxf.font is not None else None
    text = "=" + (rule.formula[0] if rule.formula else "")
    return f"formula:{cols}:{text}|{fill or ''}|{font or ''}"


def _openpyxl_rule(rule: StyleRule) -> Any:
    if rule.kind == "scale":
        (v0, c0), (v1, c1), (v2, c2) = rule.points
        return ColorScaleRule(
            start_type="num",
            start_value=v0,
            start_color=c0[1:],
            mid_type="num",
            mid_value=v1,
            mid_color=c1[1:],
            end_type="num",
            end_value=v2,
            end_color=c2[1:],
        )
    fill = (
        PatternFill(start_color=rule.fill[1:], end_color=rule.fill[1:], fill_type="solid")
        if rule.fill
        else None
    )
    font = Font(color=rule.font[1:]) if rule.font else None
    return FormulaRule(formula=[rule.formula.lstrip("=")], fill=fill, font=font)


def _rule_from_formula(formula: str) -> Validation:
    items = tuple(v.strip() for v in formula.strip('"').split(","))
    if items == ("TRUE", "FALSE"):
        return Validation("bool")
    return Validation("list", items)


def _formula_for(rule: Validation) -> str:
    values = ("TRUE", "FALSE") if rule.kind == "bool" else rule.values
    return '"' + ",".join(values) + '"'


def _ensure_visible_active(wb: openpyxl.Workbook) -> None:
    visible = [i for i, ws in enumerate(wb.worksheets) if ws.sheet_state == "visible"]
    if not visible:
        wb.worksheets[0].sheet_state = "visible"
        visible = [0]
    if wb.active is None or wb.active.sheet_state != "visible":
        wb.active = visible[0]
    for ws in wb.worksheets:  # a hidden tab must not stay selected, or Excel shows it
        ws.sheet_view.tabSelected = ws is wb.active


class _XlsxSheet(SheetAdapter):
    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._grid: TabGrid | None = None

    def grid(self) -> TabGrid:
        if self._grid is None:
            self._grid = _read_sheet(self.ws, layout=False)
        return self._grid

    def write(self, row: int, col: int, value: Any, field_type: str) -> None:
        cell = self.ws.cell(row=row + 2, column=col + 1)
        where = (self.ws.title, row + 2, str(self.grid_header(col)))
        _set_cell(cell, value, field_type, where)
        if self._grid is not None:  # keep the cached view in step for appends
            g = self._grid
            while len(g.rows) <= row:
                g.rows.append([])
            while len(g.rows[row]) <= col:
                g.rows[row].append(None)
            g.rows[row][col] = value
            g.formulas.pop((row, col), None)

    def grid_header(self, col: int) -> Any:
        g = self.grid()
        return g.header[col] if col < len(g.header) else get_column_letter(col + 1)

    def write_header(self, col: int, text: str) -> None:
        cell = self.ws.cell(row=1, column=col + 1, value=text)
        _style_header(cell, system=self.ws.title.startswith("_"))
        self.ws.column_dimensions[get_column_letter(col + 1)].width = column_width(text, None)
        self._grid = None

    def delete_row(self, row: int) -> None:
        self.ws.delete_rows(row + 2)
        self._grid = None

    def set_styles(self, op: SetStyles) -> None:
        ws = self.ws
        if op.drop:
            kept = ConditionalFormattingList()
            for cf in ws.conditional_formatting:
                for rule in cf.rules:
                    if _rule_signature(cf.sqref, rule) not in op.drop:
                        kept.add(str(cf.sqref), rule)
            ws.conditional_formatting = kept
        for rule in op.install:
            first = get_column_letter(rule.first_col + 1)
            last = get_column_letter(max(rule.last_col, rule.first_col + 1))
            ws.conditional_formatting.add(f"{first}2:{last}{MAX_ROW}", _openpyxl_rule(rule))

    def put(self, row: int, col: int, value: Any) -> None:
        """Generated cells; a formula Excel/LibreOffice lack (SPARKLINE) gets its fallback."""
        if isinstance(value, CellFormula):
            value = value.fallback
        cell = self.ws.cell(row=row + 1, column=col + 1)
        _set_cell(cell, value, "text", (self.ws.title, row + 1, get_column_letter(col + 1)))
        if isinstance(value, float):
            cell.number_format = "#,##0.00"
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = "#,##0"
        if row == 0 and col < 2:
            cell.font = Font(bold=True, size=14 if col == 0 else 11)
        self._grid = None

    def protect(self, op: Protect | Unprotect) -> None:
        """xlsx has no warning-only protection: a prompt on the cells says they are computed
        (shown by Excel and LibreOffice when a cell is selected); nothing is locked."""
        ws = self.ws
        ws.data_validations.dataValidation = [
            dv
            for dv in ws.data_validations.dataValidation
            if not (dv.promptTitle == PROMPT_TITLE and dv.prompt == op.description)
        ]
        if isinstance(op, Protect):
            if op.first_col is None:
                sqref = "A1"  # a whole generated tab: the note sits on its title cell
            else:
                first = get_column_letter(op.first_col + 1)
                last = get_column_letter(max(op.last_col or 0, op.first_col + 1))
                sqref = f"{first}2:{last}{MAX_ROW}"
            ws.add_data_validation(
                DataValidation(
                    showInputMessage=True,
                    promptTitle=PROMPT_TITLE,
                    prompt=op.description,
                    sqref=sqref,
                )
            )

    def set_layout(self, op: SetLayout, hm: HeaderMap, tab: TabSchema) -> None:
        ws = self.ws
        if op.frozen_rows is not None:
            ws.freeze_panes = f"A{op.frozen_rows + 1}" if op.frozen_rows else None
        if op.hidden is not None:
            ws.sheet_state = "hidden" if op.hidden else "visible"
        for name, rule in op.validations:
            if name not in hm.columns:
                continue
            letter = get_column_letter(hm.index(name) + 1)
            _drop_validations(ws, hm.index(name) + 1)
            dv = DataValidation(
                type="list",
                formula1=_formula_for(rule),
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=f"{name}: not allowed",
                error=f"Choose one of: {', '.join(rule.values or ('TRUE', 'FALSE'))}"[:255],
                sqref=f"{letter}2:{letter}{MAX_ROW}",
            )
            ws.add_data_validation(dv)
        for name, fmt in op.number_formats:
            if name not in hm.columns:
                continue
            col = hm.index(name) + 1
            ws.column_dimensions[get_column_letter(col)].number_format = fmt
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                if cell.data_type != "s" or fmt == "@":
                    cell.number_format = fmt


def column_width(header: str, f: Field | None) -> int:
    """A readable default width: by field type, never narrower than the header."""
    base = _WIDTHS.get(f.type, 22) if f else 14
    if f and f.name in ("notes", "summary", "description", "products", "title"):
        base = 34
    return max(base, len(header) + 3)


def _drop_validations(ws: Worksheet, col: int) -> None:
    """Remove the parts of existing dropdowns that cover column ``col`` (ours or stale)."""
    keep = []
    for dv in ws.data_validations.dataValidation:
        ranges = [r for r in dv.sqref.ranges if not (r.min_col <= col <= r.max_col)]
        if len(ranges) == len(dv.sqref.ranges):
            keep.append(dv)
        elif ranges:
            dv.sqref = " ".join(r.coord for r in ranges)
            keep.append(dv)
    ws.data_validations.dataValidation = keep


def _style_header(cell: Any, *, system: bool) -> None:
    cell.font = _HEADER_FONT
    cell.fill = _SYSTEM_FILL if system else _HEADER_FILL
    cell.alignment = Alignment(vertical="center")


def _set_cell(cell: Any, value: Any, field_type: str, where: tuple[str, int, str]) -> None:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        value = None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        if len(text) > MAX_CELL_TEXT:
            raise ValueParseError(
                f"text of at most {MAX_CELL_TEXT} characters",
                text[:40] + "…",
                tab=where[0],
                row=where[1],
                column=where[2],
            )
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the first character
        cell.quotePrefix = needs_quote_prefix(text)
        if field_type in ("phone", "id"):
            cell.number_format = "@"
        return
    cell.value = value
    if cell.quotePrefix:
        cell.quotePrefix = False
    fmt = NUMBER_FORMATS.get(field_type)
    if isinstance(value, dt.datetime):
        fmt = (
            NUMBER_FORMATS["datetime"]
            if value.time() != dt.time(0) or field_type == "datetime"
            else NUMBER_FORMATS["date"]
        )
    elif isinstance(value, dt.date):
        fmt = NUMBER_FORMATS["date"]
    if fmt and fmt != "@" and value is not None and not isinstance(value, bool):
        cell.number_format = fmt


class _XlsxBook(WorkbookAdapter):
    def __init__(self, wb: openpyxl.Workbook, schema: Schema) -> None:
        self.wb = wb
        self.schema = schema
        self._sheets: dict[str, _XlsxSheet] = {}

    def sheet(self, name: str) -> SheetAdapter | None:
        if name not in self.wb.sheetnames:
            return None
        if name not in self._sheets:
            self._sheets[name] = _XlsxSheet(self.wb[name])
        return self._sheets[name]

    def add_sheet(self, name: str, header: Sequence[str], hidden: bool) -> SheetAdapter:
        ws = self.wb.create_sheet(title=name)
        tab = self.schema.tabs.get(name)
        for i, text in enumerate(header):
            cell = ws.cell(row=1, column=i + 1, value=text)
            _style_header(cell, system=name.startswith("_"))
            f = tab.get(text) if tab else None
            ws.column_dimensions[get_column_letter(i + 1)].width = column_width(text, f)
        if tab is None:  # a generated tab: room for labels and figures
            ws.column_dimensions["A"].width = 34
            for i in range(2, 12):
                ws.column_dimensions[get_column_letter(i)].width = 16
        if hidden:
            ws.sheet_state = "hidden"
        return self.sheet(name)  # type: ignore[return-value]
