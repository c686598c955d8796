"""``sheetcrm import``: bring a file (or a responses tab) into a tab without losing a row.

Every input row ends up created, updated, merged into another row, skipped as an exact
duplicate or as already up to date, skipped because it is empty, or quarantined in the
``_quarantine`` tab with its row number, column, value and what was expected. The counts
add up to the number of input rows. Conflicts with teammates' edits go to ``_conflicts``.
An import is one ``WriteRun``: one ``_audit`` row when it writes, nothing at all when there
is nothing to change.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError
from sheetcrm.ingest.intake import plan_records, preset_named
from sheetcrm.ingest.readers import SourceTable, read_source, table_from_grid
from sheetcrm.ingest.transactions import plan_transactions
from sheetcrm.run import Counts, RunResult, WriteRun

__all__ = ["Counts", "RunResult", "import_file", "import_from_tab", "import_table"]


def import_file(crm: CRM, path: str | Path, **options: Any) -> RunResult:
    """Import a CSV/XLSX/JSON/NDJSON file (see ``import_table`` for the options)."""
    return import_table(crm, read_source(path, sheet=options.pop("sheet", None)), **options)


def import_from_tab(crm: CRM, tab: str, **options: Any) -> RunResult:
    """Import a tab of the same spreadsheet, e.g. 'Form Responses 1' (Google Form preset)."""
    grid = crm.backend.read([tab]).get(tab)
    if grid is None:
        raise InputError(f"{crm.describe()} has no tab {tab!r}")
    options.setdefault("preset", "google-form")
    options.setdefault("command", f"import --from-tab {tab}")
    return import_table(crm, table_from_grid(tab, grid.header, grid.rows), **options)


def import_table(
    crm: CRM,
    table: SourceTable,
    *,
    tab: str | None = None,
    preset: str | None = None,
    overrides: Mapping[str, str] | None = None,
    on_conflict: str = "sheet",
    dry_run: bool = False,
    force: bool = False,
    command: str = "import",
) -> RunResult:
    """Plan (and unless ``dry_run``, apply) the import of ``table``."""
    if on_conflict not in ("sheet", "source"):
        raise ConfigError(f"--on-conflict must be 'sheet' or 'source', not {on_conflict!r}")
    chosen = preset_named(preset)
    plan = plan_transactions if chosen and chosen.name == "transactions" else plan_records
    target = tab or (chosen.tab if chosen else None)
    if not target:
        raise ConfigError("say which tab to import into: --tab Customers (or use a --preset)")
    schema_tab = crm.schema.tab(target)
    if schema_tab.system:
        raise ConfigError(f"{schema_tab.name} is kept by sheetcrm; import into a data tab")
    with WriteRun(crm, command, force=force, dry_run=dry_run) as run:
        result = plan(crm, run, table, schema_tab, chosen, overrides or {}, on_conflict)
        return run.apply(result)
