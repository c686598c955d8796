"""``sheetcrm import``: bring a file (or a responses tab) into a tab without losing a row.

Every input row ends up created, updated, merged into another row, skipped as an exact
duplicate or as already up to date, skipped because it is empty, or quarantined in the
``_quarantine`` tab with its row number, column, value and what was expected. The counts
add up to the number of input rows. Conflicts with teammates' edits go to ``_conflicts``.
An import is one ``WriteRun``: one ``_audit`` row when it writes, nothing at all when there
is nothing to change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError, RowsRejected
from sheetcrm.ingest import earnings, orders, rejections
from sheetcrm.ingest.intake import plan_records, preset_named
from sheetcrm.ingest.mapping import Preset
from sheetcrm.ingest.presets import detect_preset
from sheetcrm.ingest.readers import SourceTable, read_source, table_from_grid
from sheetcrm.ingest.syncstate import SYNC
from sheetcrm.ingest.transactions import PLAN_TABS, plan_transactions
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.schema import TabSchema
from sheetcrm.run import Counts, RunResult, WriteRun

__all__ = [
    "Counts",
    "ImportSpec",
    "RunResult",
    "import_file",
    "import_from_tab",
    "import_table",
    "rejected",
]

#: A responses tab with neither ``tab`` nor ``preset`` is read as a Google Form's.
FORM_PRESET = "google-form"


@dataclass(frozen=True)
class ImportSpec:
    """Where an import goes and how its columns map: the options every import shares."""

    tab: str | None = None
    preset: str | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    on_conflict: str = "sheet"
    #: how much may be set aside before the import is refused: "N" input rows or "P%" of
    #: them (see ``rejections``); None: any amount (the run then ends with ``RowsRejected``)
    max_rejected: str | None = None
    #: source column → day/month order its dates were read in (a retry: as the first run)
    date_orders: Mapping[str, str] = field(default_factory=dict)

    def target(self, crm: CRM) -> tuple[TabSchema, Preset | None]:
        """The data tab the rows go to, and the preset (checked before anything is read)."""
        if self.on_conflict not in ("sheet", "source"):
            raise ConfigError(
                f"--on-conflict must be 'sheet' or 'source', not {self.on_conflict!r}"
            )
        rejections.parse(self.max_rejected)
        chosen = preset_named(self.preset)
        name = self.tab or (chosen.tab if chosen else None)
        if not name:
            raise ConfigError("say which tab to import into: --tab Customers (or use a --preset)")
        schema_tab = crm.schema.tab(name)
        if schema_tab.system:
            raise ConfigError(f"{schema_tab.name} is kept by sheetcrm; import into a data tab")
        return schema_tab, chosen

    def or_form(self) -> ImportSpec:
        """This spec, reading a Google Form's responses when it names no tab or preset (how
        ``import --from-tab`` and ``watch`` read a responses tab by default)."""
        named = self.tab is not None or self.preset is not None
        return self if named else replace(self, preset=FORM_PRESET)

    def tabs(self, crm: CRM) -> list[str]:
        """Every tab planning reads, so a caller can fetch them in the run's one read."""
        schema_tab, chosen = self.target(crm)
        _, tabs = _planner(schema_tab, chosen)
        return [*(tabs or [schema_tab.name]), SYNC]

    def detected(self, table: SourceTable) -> tuple[ImportSpec, str]:
        """This spec with the preset the table's header says it is, when it names none
        (and names no tab, or the preset's tab), and what to print about it ("looks like
        a Flipkart orders report (--preset flipkart-orders)"); else itself and ""."""
        if self.preset is not None:
            return self, ""
        found = detect_preset(table.columns)
        if found is None or (self.tab is not None and self.tab.casefold() != found.tab.casefold()):
            return self, ""
        said = f"looks like {found.label or found.description or found.name}"
        return replace(self, preset=found.name), f"{said} (--preset {found.name})"

    def plan(self, crm: CRM, run: WriteRun, table: SourceTable) -> RunResult:
        """The import of ``table`` as a plan, inside ``run`` (not applied). What it sets
        aside carries the tab and this spec (so ``quarantine retry`` can import it the same
        way), and the rows it looked at are noted (so ``_quarantine`` entries of rows that
        went in this time are resolved)."""
        schema_tab, chosen = self.target(crm)
        if chosen is not None and chosen.prepare is not None:
            table = chosen.prepare(table)
        plan, _ = _planner(schema_tab, chosen)
        table.date_orders.update(self.date_orders)
        result = plan(crm, run, table, schema_tab, chosen, self.overrides, self.on_conflict)
        result.preset = chosen.name if chosen else None
        result.left_out = list(table.left_out)
        recorded = self.recorded(schema_tab.name)
        if table.date_orders:
            recorded["date_orders"] = dict(sorted(table.date_orders.items()))
        result.quarantine = [
            replace(q, tab=q.tab or schema_tab.name, spec=recorded) for q in result.quarantine
        ]
        seen = result.rows_seen.setdefault(table.name, {})
        seen.update((row.number, row.values) for row in table if not row.empty)
        return result

    def recorded(self, tab: str) -> dict[str, Any]:
        """This spec as ``_quarantine`` keeps it (JSON), for a retry: ``from_recorded``."""
        return {
            "tab": tab,
            "preset": self.preset,
            "map": dict(self.overrides),
            "on_conflict": self.on_conflict,
        }

    @classmethod
    def from_recorded(cls, data: Mapping[str, Any]) -> ImportSpec:
        """The spec ``recorded`` kept (ConfigError when it is not one)."""
        try:
            overrides = {str(k): str(v) for k, v in dict(data.get("map") or {}).items()}
            orders = {str(k): str(v) for k, v in dict(data.get("date_orders") or {}).items()}
            return cls(
                tab=data.get("tab") or None,
                preset=data.get("preset") or None,
                overrides=overrides,
                on_conflict=str(data.get("on_conflict") or "sheet"),
                date_orders=orders,
            )
        except (TypeError, ValueError, AttributeError):
            raise ConfigError(f"not a recorded import: {data!r}") from None

    def refuse_over_limit(self, result: RunResult) -> None:
        """``TooManyRejected`` (nothing written) when the plan sets aside more than
        ``max_rejected`` allows."""
        rejections.refuse(result, self.max_rejected)


Planner = Callable[
    [CRM, WriteRun, SourceTable, TabSchema, Preset | None, Mapping[str, str], str], RunResult
]

#: A tab whose rows are planned by their own planner even without a preset.
_TAB_KINDS = {"Orders": "orders", "Returns": "returns", "Earnings": "earnings"}


def _planner(schema_tab: TabSchema, chosen: Preset | None) -> tuple[Planner, tuple[str, ...]]:
    """The planner of a preset's kind (or of the tab's, without one) and the tabs it
    reads (none: just the target tab)."""
    kind = chosen.kind if chosen is not None else _TAB_KINDS.get(schema_tab.name, "records")
    if kind == "transactions":
        return plan_transactions, PLAN_TABS
    if kind == "orders":
        return orders.plan_orders, orders.ORDER_TABS
    if kind == "returns":
        return orders.plan_returns, orders.RETURN_TABS
    if kind == "earnings":
        return earnings.plan_earnings, earnings.PLAN_TABS
    return plan_records, ()


def import_file(
    crm: CRM, path: str | Path, spec: ImportSpec | None = None, **options: Any
) -> RunResult:
    """Import a CSV/XLSX/JSON/NDJSON file (``sheet``: which sheet of an .xlsx; see
    ``import_table`` for the rest)."""
    table = read_source(path, sheet=options.pop("sheet", None))
    return import_table(crm, table, spec, **options)


def import_from_tab(
    crm: CRM,
    source: str,
    spec: ImportSpec | None = None,
    *,
    dry_run: bool = False,
    force: bool = False,
    command: str | None = None,
    **fields: Any,
) -> RunResult:
    """Import a tab of the same spreadsheet, e.g. 'Form Responses 1' (read as a Google
    Form's unless the spec names a tab or preset), in the run's one read."""
    spec = _spec(spec, fields).or_form()
    command = command or f"import --from-tab {source}"
    with WriteRun(crm, command, force=force, dry_run=dry_run) as run:
        grids = run.read([source, *spec.tabs(crm)])
        table = source_table(crm, grids, source)
        return _apply(crm, run, spec, table)


def source_table(crm: CRM, grids: Mapping[str, TabGrid], source: str) -> SourceTable:
    """A tab of the workbook, as read, as the rows of an import."""
    grid = grids.get(source)
    if grid is None:
        raise InputError(f"{crm.describe()} has no tab {source!r}")
    return table_from_grid(source, grid.header, grid.rows)


def import_table(
    crm: CRM,
    table: SourceTable,
    spec: ImportSpec | None = None,
    *,
    dry_run: bool = False,
    force: bool = False,
    command: str = "import",
    **fields: Any,
) -> RunResult:
    """Plan (and unless ``dry_run``, apply) the import of ``table`` as ``spec`` says (or,
    without one, as ``ImportSpec(**fields)``: ``tab=``, ``preset=``, ``on_conflict=``…)."""
    spec, detected = _spec(spec, fields).detected(table)
    spec.target(crm)  # a wrong option fails before the lease is taken
    with WriteRun(crm, command, force=force, dry_run=dry_run) as run:
        result = _apply(crm, run, spec, table)
        result.detected = detected
        return result


def _apply(crm: CRM, run: WriteRun, spec: ImportSpec, table: SourceTable) -> RunResult:
    """Plan, refuse when too much was set aside (before anything is written), apply."""
    result = spec.plan(crm, run, table)
    spec.refuse_over_limit(result)
    return run.apply(result)


def rejected(result: RunResult, spec: ImportSpec) -> RowsRejected | None:
    """What tells cron an import set input aside (exit 8), or None: nothing was set aside,
    it was a dry run, or the spec's ``max_rejected`` tolerates it (a run over the limit
    was refused before it wrote: ``TooManyRejected``)."""
    return rejections.rejected(result, spec.max_rejected)


def _spec(spec: ImportSpec | None, fields: Mapping[str, Any]) -> ImportSpec:
    """The spec given, or one made of ``ImportSpec``'s own keywords (not both)."""
    if spec is not None and fields:
        raise TypeError(f"give an ImportSpec or its fields, not both ({', '.join(fields)})")
    if spec is not None:
        return spec
    if fields.get("overrides") is None:
        fields = {**fields, "overrides": {}}
    return ImportSpec(**fields)
