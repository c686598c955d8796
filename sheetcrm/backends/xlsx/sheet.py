"""The adapters that let the shared write rules (``backends.base.apply_changes``) edit an
openpyxl workbook: one ``XlsxSheet`` per tab, ``XlsxBook`` for the workbook."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openpyxl
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sheetcrm.backends.base import SheetAdapter, WorkbookAdapter
from sheetcrm.backends.xlsx import charts, filters
from sheetcrm.backends.xlsx.cells import column_width, read_sheet, set_cell, style_header
from sheetcrm.backends.xlsx.layout import (
    MAX_ROW,
    PROMPT_TITLE,
    drop_validations,
    formula_for,
    openpyxl_rule,
    rule_signature,
)
from sheetcrm.model.changes import (
    CellFormula,
    Formatted,
    Protect,
    SetCharts,
    SetLayout,
    SetStyles,
    Unprotect,
)
from sheetcrm.model.grid import HeaderMap, TabGrid
from sheetcrm.model.schema import Schema, TabSchema


class XlsxSheet(SheetAdapter):
    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self._grid: TabGrid | None = None

    def grid(self) -> TabGrid:
        if self._grid is None:
            self._grid = read_sheet(self.ws, layout=False)
        return self._grid

    def write(self, row: int, col: int, value: Any, field_type: str) -> None:
        cell = self.ws.cell(row=row + 2, column=col + 1)
        column_format = None
        if field_type == "money":
            column_format = self.ws.column_dimensions[get_column_letter(col + 1)].number_format
        set_cell(cell, value, field_type, column_format)
        if self._grid is not None:  # keep the cached view in step for appends
            g = self._grid
            while len(g.rows) <= row:
                g.rows.append([])
            while len(g.rows[row]) <= col:
                g.rows[row].append(None)
            g.rows[row][col] = value
            g.formulas.pop((row, col), None)

    def write_header(self, col: int, text: str) -> None:
        cell = self.ws.cell(row=1, column=col + 1, value=text)
        style_header(cell, system=self.ws.title.startswith("_"))
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
                    if rule_signature(cf.sqref, rule) not in op.drop:
                        kept.add(str(cf.sqref), rule)
            ws.conditional_formatting = kept
        for rule in op.install:
            first = get_column_letter(rule.first_col + 1)
            last = get_column_letter(max(rule.last_col, rule.first_col + 1))
            ws.conditional_formatting.add(f"{first}2:{last}{MAX_ROW}", openpyxl_rule(rule))

    def put(self, row: int, col: int, value: Any) -> None:
        """Generated cells; a formula Excel/LibreOffice lack (SPARKLINE) gets its fallback."""
        if isinstance(value, CellFormula):
            value = value.fallback
        code = value.number_format if isinstance(value, Formatted) else None
        value = value.value if isinstance(value, Formatted) else value
        cell = self.ws.cell(row=row + 1, column=col + 1)
        set_cell(cell, value, "text")
        if code is not None and isinstance(value, (int, float)):
            cell.number_format = code
        elif isinstance(value, float):
            cell.number_format = "#,##0.00"
        elif isinstance(value, int) and not isinstance(value, bool):
            cell.number_format = "#,##0"
        if row == 0 and col < 2:
            cell.font = Font(bold=True, size=14 if col == 0 else 11)
        self._grid = None

    def set_charts(self, op: SetCharts) -> None:
        """Record the declarations; ``charts.draw`` draws them all just before the save."""
        if self.ws.parent is not None:
            charts.update(self.ws.parent, op)

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
        if op.auto_filter is not None:
            filters.set_filter(ws, op.auto_filter)
        for name, rule in op.validations:
            if name not in hm.columns:
                continue
            letter = get_column_letter(hm.index(name) + 1)
            drop_validations(ws, hm.index(name) + 1)
            dv = DataValidation(
                type="list",
                formula1=formula_for(rule),
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


class XlsxBook(WorkbookAdapter):
    def __init__(self, wb: openpyxl.Workbook, schema: Schema) -> None:
        self.wb = wb
        self.schema = schema
        self._sheets: dict[str, XlsxSheet] = {}

    def sheet(self, name: str) -> SheetAdapter | None:
        if name not in self.wb.sheetnames:
            return None
        if name not in self._sheets:
            self._sheets[name] = XlsxSheet(self.wb[name])
        return self._sheets[name]

    def add_sheet(self, name: str, header: Sequence[str], hidden: bool) -> SheetAdapter:
        ws = self.wb.create_sheet(title=name)
        tab = self.schema.tabs.get(name)
        for i, text in enumerate(header):
            cell = ws.cell(row=1, column=i + 1, value=text)
            style_header(cell, system=name.startswith("_"))
            f = tab.get(text) if tab else None
            ws.column_dimensions[get_column_letter(i + 1)].width = column_width(text, f)
        if tab is None:  # a generated tab: room for labels and figures
            ws.column_dimensions["A"].width = 44
            for i in range(2, 12):  # the Dashboard's period columns: "(2025-10-01 – 2025-10-15)"
                wide = name == "Dashboard" and i <= 5
                ws.column_dimensions[get_column_letter(i)].width = 26 if wide else 16
        if hidden:
            ws.sheet_state = "hidden"
        return self.sheet(name)  # type: ignore[return-value]
