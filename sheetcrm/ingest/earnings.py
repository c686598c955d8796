"""Commission and rewards in: affiliate reports, reseller margins and referral payouts
become ``Earnings`` rows, one per event."""

from __future__ import annotations

from collections.abc import Mapping

from sheetcrm.crm import CRM
from sheetcrm.ingest.mapping import Preset
from sheetcrm.ingest.readers import SourceTable
from sheetcrm.model.schema import TabSchema
from sheetcrm.run import RunResult, WriteRun

#: The tabs an earnings import reads (besides ``_sync``).
PLAN_TABS = ("Earnings", "Customers", "Leads")


def plan_earnings(
    crm: CRM,
    run: WriteRun,
    table: SourceTable,
    schema_tab: TabSchema,
    chosen: Preset | None,
    overrides: Mapping[str, str],
    on_conflict: str,
) -> RunResult:
    """Commission and reward events → Earnings rows."""
    raise NotImplementedError
