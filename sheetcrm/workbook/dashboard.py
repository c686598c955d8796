"""The Dashboard tab, and writing every generated tab: KPIs a small-business owner reads
at a glance, the tops of the tables by source, campaign and assignee, SPARKLINE trends and
native charts; the summary tabs (``summary_tabs``) and the seller surfaces (``sellers``)
beside it.

Every figure is one ``analytics.kpis`` computes (once per refresh, in ``Insights``); the
blocks are laid out by the modules beside this one (``headline``, ``sellers``,
``summary_tabs``). Everything is written cell by cell only where it changed; teammates'
tabs are never touched. Charts are declared (``ChartSpec``) and the declaration is
recorded in ``_meta`` (``model.meta``), so a chart sheetcrm no longer draws is removed
while teammates' own charts are left alone. A chart's ranges name the rows its block is
laid out at, so a block that moves takes its chart along (a new key: redrawn once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetcrm.analytics import kpis
from sheetcrm.model.changes import (
    AddTab,
    CellFormula,
    ChangeSet,
    ChartSpec,
    Formatted,
    Protect,
    PutCells,
    SetCharts,
)
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import Meta
from sheetcrm.model.values import is_blank, values_equal
from sheetcrm.workbook.cells import Put, cash, percent, rows_of
from sheetcrm.workbook.headline import KPI_ROW, MONTH_ROW, kpi_rows, put_kpis, spark
from sheetcrm.workbook.look import PLAIN, Look
from sheetcrm.workbook.sellers import (
    SELLER_GENERATED,
    channel_chart,
    has_earnings,
    has_orders,
    put_channels,
    put_earnings,
    seller_grids,
)
from sheetcrm.workbook.summary_tabs import source_rows, summary_grids
from sheetcrm.workbook.today import put_satisfaction, put_today

if TYPE_CHECKING:
    from sheetcrm.analytics.insights import Insights
    from sheetcrm.crm import CRM

__all__ = [
    "ALL_GENERATED",
    "GENERATED",
    "SELLER_GENERATED",
    "dashboard_grid",
    "diff_cells",
    "kpi_rows",
    "plan_dashboard",
    "seller_grids",
    "spark",
    "summary_grids",
]

GENERATED = (
    "Dashboard",
    "By source",
    "By segment",
    "By campaign",
    "By product",
    "By region",
    "By month",
)
#: Every tab this module may write (what a refresh reads).
ALL_GENERATED = (*GENERATED, *SELLER_GENERATED)
GENERATED_NOTE = "sheetcrm generates this tab"
#: The side tables' first column, their rows and the charts' column (0-based).
SOURCE_COL, SIDE_ROW, TASK_ROW, CHART_COL = 6, 14, 22, 11


def _put_side_tables(put: Put, ins: Insights, look: Look) -> tuple[int, int]:
    """Leads by source, best campaigns and overdue tasks per assignee; the number of source
    and campaign rows (the charts' ranges)."""
    by_source = source_rows(ins)[:8]
    put(KPI_ROW, SOURCE_COL, ["Source", "Leads", "Converted", "Conversion rate (%)"])
    for i, row in enumerate(by_source):
        put(KPI_ROW + 1 + i, SOURCE_COL, row[:4])
    table = kpis.by_roi(ins.campaign_table)
    best = table[table["roi"].notna()].head(5)
    put(SIDE_ROW, SOURCE_COL, ["Best campaigns", "ROI (%)", "Revenue", "Budget"])
    for i, c in enumerate(best.to_dict("records")):
        row = [c["name"], percent(c["roi"]), cash(look, c["revenue"]), cash(look, c["budget"])]
        put(SIDE_ROW + 1 + i, SOURCE_COL, row)
    put(TASK_ROW, SOURCE_COL, ["Assignee", "Overdue tasks"])
    for i, (who, n) in enumerate(kpis.overdue_by_assignee(ins.overdue).items()):
        put(TASK_ROW + 1 + i, SOURCE_COL, [who, n])
    return len(by_source), len(best)


def _charts(months: int, sources: int, campaigns: int) -> list[ChartSpec]:
    first, end = MONTH_ROW + 1, MONTH_ROW + 1 + months
    charts = [
        ChartSpec(
            "Revenue by month", "line", (KPI_ROW, CHART_COL), (0, first, end), ((3, first, end),)
        ),
        ChartSpec(
            "Leads by source",
            "pie",
            (KPI_ROW + 18, CHART_COL),
            (SOURCE_COL, KPI_ROW + 1, KPI_ROW + 1 + sources),
            ((SOURCE_COL + 1, KPI_ROW + 1, KPI_ROW + 1 + sources),),
        ),
        ChartSpec(
            "Campaign ROI (%)",
            "bar",
            (KPI_ROW + 36, CHART_COL),
            (SOURCE_COL, SIDE_ROW + 1, SIDE_ROW + 1 + campaigns),
            ((SOURCE_COL + 1, SIDE_ROW + 1, SIDE_ROW + 1 + campaigns),),
        ),
    ]
    return [c for c in charts if c.domain[2] > c.domain[1]]


def dashboard_grid(
    ins: Insights,
    look: Look = PLAIN,
    satisfaction: kpis.SatisfactionSettings | None = None,
) -> tuple[list[list[Any]], list[ChartSpec]]:
    """The Dashboard's cells (row 0 first) and its charts. Below the month table: Today,
    then customer satisfaction (``[satisfaction]``), then the seller blocks; the rows
    above them (and the charts drawn from them) stay where they always were."""
    grid: dict[tuple[int, int], Any] = {}

    def put(r: int, c: int, values: list[Any]) -> None:
        for i, v in enumerate(values):
            grid[(r, c + i)] = v

    put(0, 0, ["Dashboard", f"as of {look.day(ins.as_of)}"])
    if look.marker:
        put(0, 2, [look.marker])
    put_kpis(put, ins, look)
    sources, campaigns = _put_side_tables(put, ins, look)
    charts = _charts(len(ins.monthly), sources, campaigns)
    top = MONTH_ROW + 2 + len(ins.monthly)
    top += put_today(put, top, ins) + 1
    top += put_satisfaction(put, top, ins, look, satisfaction) + 1
    if has_orders(ins):
        channels = put_channels(put, top, ins, look)
        charts.append(channel_chart(top, channels, (KPI_ROW + 54, CHART_COL)))
        top += channels + 3
    if has_earnings(ins):
        put_earnings(put, top, ins, look)
    return rows_of(grid), charts


def _same(current: Any, formula: str | None, wanted: Any, restyle: bool) -> bool:
    if isinstance(wanted, CellFormula):
        return formula == wanted.text or values_equal(current, wanted.fallback)
    if isinstance(wanted, Formatted):
        return not restyle and formula is None and values_equal(current, wanted.value)
    return formula is None and values_equal(current, wanted)


def diff_cells(
    grid: TabGrid | None, rows: list[list[Any]], *, restyle: bool = False
) -> tuple[tuple[int, int, Any], ...]:
    """Cells of a generated tab to write: changed ones, and stale ones to clear
    (``restyle``: every amount too, because the money format changed)."""
    current: dict[tuple[int, int], tuple[Any, str | None]] = {}
    if grid is not None:
        for c, v in enumerate(grid.header):
            current[(0, c)] = (v, None)
        for r, row in enumerate(grid.rows, start=1):
            for c, v in enumerate(row):
                current[(r, c)] = (v, grid.formulas.get((r - 1, c)))
        for (r, c), text in grid.formulas.items():
            current[(r + 1, c)] = (current.get((r + 1, c), (None, None))[0], text)
    out = []
    wanted = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row)}
    for key, value in wanted.items():
        have, formula = current.get(key, (None, None))
        if not _same(have, formula, value, restyle):
            out.append((*key, value))
    for key, (have, formula) in current.items():
        if key not in wanted and (not is_blank(have) or formula):
            out.append((*key, None))
    return tuple(sorted(out, key=lambda t: (t[0], t[1])))


def satisfaction_of(crm: CRM) -> kpis.SatisfactionSettings:
    """``[satisfaction]`` as the Dashboard reads it (``owner`` is for ``remind``: who
    follows up; the figures do not depend on it)."""
    return kpis.satisfaction_settings(crm.config.features.get("satisfaction"))


def plan_dashboard(crm: CRM, grids: dict[str, TabGrid], ins: Insights) -> ChangeSet:
    """Create missing generated tabs and write what changed in them; declare the charts."""
    changes = ChangeSet()
    look = Look.of(crm)
    dash, charts = dashboard_grid(ins, look, satisfaction_of(crm))
    present = frozenset(t for t in SELLER_GENERATED if grids.get(t) is not None)
    tabs = {"Dashboard": dash, **summary_grids(ins, look), **seller_grids(ins, look, present)}
    current = grids.get("Dashboard")
    noted = current.header[2] if current is not None and len(current.header) > 2 else None
    restyle = current is not None and (noted or "") != look.marker
    for name, rows in tabs.items():
        grid = grids.get(name)
        if grid is None:
            changes.add(AddTab(name, ()))
        cells = diff_cells(grid, rows, restyle=restyle)
        if cells:
            changes.add(PutCells(name, cells))
        if grid is None or grid.layout.protections.get(GENERATED_NOTE) != (None, None):
            changes.add(Protect(name, GENERATED_NOTE))
    have = current.layout.charts if current is not None else set()
    want = {c.key: c for c in charts}
    meta = Meta.of(grids)
    install = tuple(c for k, c in want.items() if k not in have)
    drop = tuple(
        sorted(c.key for c in meta.charts("Dashboard") if c.key not in want and c.key in have)
    )
    if install or drop:
        changes.add(SetCharts("Dashboard", install, drop))
    changes.extend(meta.set_charts("Dashboard", charts))
    return changes
