"""The filter buttons on the data tabs, kept by ``refresh``: a tab whose filter is gone,
or misses rows or columns (a teammate set one over part of the tab, columns were added),
gets one over the header row and every data row again, with that teammate's criteria
and sort carried over. A tab whose filter already covers it plans nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from sheetcrm.model.changes import ChangeSet, SetLayout
from sheetcrm.model.diff import filter_wanted
from sheetcrm.model.grid import TabGrid

if TYPE_CHECKING:
    from sheetcrm.crm import CRM


def plan_filters(crm: CRM, grids: Mapping[str, TabGrid]) -> ChangeSet:
    """A ``SetLayout`` with the filter for each data tab read whose filter is missing or
    short (``grids`` read with ``layout=True``); tabs the workbook lacks are left out."""
    changes = ChangeSet()
    for tab in crm.schema.data_tabs:
        grid = grids.get(tab.name)
        if grid is None or not grid.exists:
            continue
        wanted = filter_wanted(grid, tab)
        if wanted is not None:
            changes.add(SetLayout(tab.name, auto_filter=wanted))
    return changes
