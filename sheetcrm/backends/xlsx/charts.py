"""Native charts in an .xlsx file, drawn from their declaration on every save.

``SetCharts`` hands the backend ``ChartSpec`` declarations. openpyxl does not keep charts
faithfully when it loads a file, so the backend keeps the declarations it was given in a
custom document property of the workbook itself (its own record, in its own format: what
other code keeps in ``_meta`` is none of its business) and redraws every declared chart
before each save. Reading it back tells ``read(layout=True)`` which charts a tab carries.

Drawn honestly and alike in Excel and LibreOffice: every line series says
``<c:smooth val="0"/>`` (without it LibreOffice curves the line and invents revenue in
empty months), the value axis is in the series cells' own number format without decimals
(the workbook currency), and categories are text (a month's name is one label).
"""

from __future__ import annotations

import json
import re

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.chart._chart import ChartBase
from openpyxl.chart.data_source import AxDataSource, NumFmt, StrRef
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RichTextProperties,
)
from openpyxl.packaging.custom import CustomPropertyList, StringProperty
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sheetcrm.model.changes import ChartSpec, SetCharts

PROPERTY = "sheetcrm charts"  # JSON: tab → list of ChartSpec.as_json()
#: The line's colour: the report's revenue line's (``outputs.charts.PALETTE[0]``).
LINE = "305496"
_KINDS: dict[str, type[ChartBase]] = {"line": LineChart, "pie": PieChart, "bar": BarChart}


def _props(wb: openpyxl.Workbook) -> CustomPropertyList[str]:
    """The workbook's custom document properties (openpyxl ≥ 3.1; not in its stubs)."""
    props: CustomPropertyList[str] = wb.custom_doc_props  # type: ignore[attr-defined]
    return props


def declared(wb: openpyxl.Workbook) -> dict[str, list[ChartSpec]]:
    """The charts the workbook's own record declares, per tab ({} when it has none)."""
    props = _props(wb)
    if PROPERTY not in props.names:
        return {}
    try:
        data = json.loads(str(props[PROPERTY].value))
        return {str(tab): [ChartSpec.from_json(d) for d in specs] for tab, specs in data.items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged record: draw nothing rather than fail the save


def update(wb: openpyxl.Workbook, op: SetCharts) -> None:
    """Record the charts ``op`` adds to and drops from its tab."""
    charts = declared(wb)
    keep = [c for c in charts.get(op.tab, []) if c.key not in op.drop]
    keys = {c.key for c in keep}
    charts[op.tab] = keep + [c for c in op.install if c.key not in keys]
    if not charts[op.tab]:
        del charts[op.tab]
    props = _props(wb)
    if PROPERTY in props.names:
        del props[PROPERTY]
    if charts:
        text = json.dumps({t: [c.as_json() for c in s] for t, s in charts.items()})
        props.append(StringProperty(name=PROPERTY, value=text))


def draw(wb: openpyxl.Workbook) -> None:
    """Replace the charts of every tab that has declarations with freshly drawn ones."""
    for tab, specs in declared(wb).items():
        if tab not in wb.sheetnames:
            continue
        ws: Worksheet = wb[tab]
        ws._charts = []  # type: ignore[attr-defined]  # openpyxl has no public way to remove
        for spec in specs:
            anchor = f"{get_column_letter(spec.anchor[1] + 1)}{spec.anchor[0] + 1}"
            ws.add_chart(_chart(ws, spec), anchor)


def _chart(ws: Worksheet, spec: ChartSpec) -> ChartBase:
    col, r0, r1 = spec.domain
    chart = _KINDS[spec.kind]()
    chart.title = spec.title
    chart.width = spec.size[0] / 37.8  # type: ignore[assignment]  # cm; stubs say int
    chart.height = spec.size[1] / 37.8  # px → cm
    for scol, s0, s1 in spec.series:
        chart.add_data(
            Reference(ws, min_col=scol + 1, min_row=s0 + 1, max_row=s1), titles_from_data=False
        )
    labels = Reference(ws, min_col=col + 1, min_row=r0 + 1, max_row=r1)
    for series in chart.series:
        # text categories: a month label ("مهر ۱۴۰۴", "October 2025") is one label, never
        # read as a number or a date and split ("2025 / -10")
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
        if spec.kind == "line":
            series.smooth = False  # <c:smooth val="0"/>: absent, LibreOffice draws curves
            series.marker = Marker(symbol="circle", size=5)
            series.graphicalProperties.line.solidFill = LINE
            series.graphicalProperties.line.width = 25_400  # EMU: 2 pt, as the report's
            series.marker.graphicalProperties = GraphicalProperties(solidFill=LINE)
            series.marker.graphicalProperties.line.solidFill = LINE
    if spec.kind != "pie":
        chart.legend = None
        _axes(ws, chart, spec)
    return chart


def _axes(ws: Worksheet, chart: ChartBase, spec: ChartSpec) -> None:
    """Honest axes, alike in Excel and LibreOffice: both shown (openpyxl ≥ 3.1 leaves
    ``delete`` unset, which Excel reads as hidden), values in the series cells' own
    format without decimals, from zero when nothing is negative, and category labels
    turned to fit in one piece, at the low end (never over a negative bar)."""
    x_axis, y_axis = chart.x_axis, chart.y_axis  # type: ignore[attr-defined]  # not on ChartBase
    x_axis.delete = False
    y_axis.delete = False
    cells = [ws.cell(row=r + 1, column=c + 1) for c, r0, r1 in spec.series for r in range(r0, r1)]
    y_axis.numFmt = NumFmt(formatCode=axis_format(cells), sourceLinked=False)
    numbers = [c.value for c in cells if isinstance(c.value, int | float)]
    if numbers and min(numbers) >= 0:
        y_axis.scaling.min = 0
    x_axis.tickLblPos = "low"
    x_axis.txPr = RichText(
        bodyPr=RichTextProperties(rot=-2_700_000, vert="horz"),
        p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties()), endParaRPr=None)],
    )


def axis_format(cells: list[Cell | MergedCell]) -> str:
    """The value axis's number format: the first formatted series cell's (the workbook
    currency of money cells, as Google Sheets' axis follows its source cells), whole
    numbers only — ``"£"#,##0.00`` gives ``"£"#,##0``, a lakh format keeps its sections."""
    code = next((c.number_format for c in cells if c.number_format != "General"), "#,##0")
    return whole(code)


def whole(code: str) -> str:
    """``code`` without decimal places: ``.00`` after digit placeholders dropped, and the
    bounds of conditional sections moved to half a unit (``[<99999.995]`` → ``[<99999.5]``,
    as ``model.numformat`` writes them for a currency without decimals)."""
    code = re.sub(r"\[<(\d+)\.\d+\]", lambda m: f"[<{m[1]}.5]", code)
    return re.sub(r"(?<=[0#])\.0+", "", code)
