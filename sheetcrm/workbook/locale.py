"""The workbook in its locale settings: money columns in ``[locale] currency``'s format,
choice dropdowns and cells in ``[locale] labels``' language (or canonical values).

``refresh`` repairs both after a setting changed, as ``init`` does: only sheetcrm's own
columns, only where they differ, each edit a planned, counted change; teammates' columns
and formats are never touched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sheetcrm.model.changes import ChangeSet, SetLayout
from sheetcrm.model.diff import diff_layout, relabel_cells
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.tabs import DATA_TABS

if TYPE_CHECKING:
    from sheetcrm.crm import CRM


def plan_locale(crm: CRM, grids: dict[str, TabGrid]) -> ChangeSet:
    """Number formats and dropdowns that do not match the settings, and choice cells
    shown in another language than ``[locale] labels``."""
    changes = ChangeSet()
    labels = crm.config.labels
    for name in DATA_TABS:
        grid = grids.get(name)
        if grid is None:
            continue
        tab = crm.schema[name]
        layout = diff_layout(grid, tab, crm.ctx, labels)
        if layout is not None and (layout.number_formats or layout.validations):
            changes.add(
                SetLayout(
                    name, validations=layout.validations, number_formats=layout.number_formats
                )
            )
        changes.extend(relabel_cells(grid, tab, crm.ctx, labels))
    return changes
