"""Order lines and returns in: marketplace and shop exports become ``Orders`` lines with a
status and a channel, their buyers customers, and returns ``Returns`` records linked to
the line they undo (``ingest.buyers`` finds the customer of each order)."""

from __future__ import annotations

from collections.abc import Mapping

from sheetcrm.crm import CRM
from sheetcrm.ingest.mapping import Preset
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.model.schema import TabSchema
from sheetcrm.run import RunResult, WriteRun

#: The tabs an orders import reads (besides ``_sync``), and a returns import.
ORDER_TABS = ("Orders", "Customers")
RETURN_TABS = ("Returns", "Orders", "Customers")


def plan_orders(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Order lines → Orders lines and the customers who bought them."""
    raise NotImplementedError


def plan_returns(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Returns and refunds → Returns records linked to the Orders line each undoes."""
    raise NotImplementedError
