"""``sheetcrm demo`` as one library call: a realistic, reproducible demo CRM (``shop``)
written in one run, refreshed, reported on and summarised (``run_demo``).

The same seed and as-of date always give the same records (IDs included), so running it
twice changes nothing. A workbook that holds a CRM of its own is refused unless ``force``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sheetcrm.crm import CRM
from sheetcrm.demo.shop import DemoData, build_demo
from sheetcrm.errors import PlanRefusedError
from sheetcrm.model.changes import ChangeSet
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.meta import Meta
from sheetcrm.outputs.report import ReportResult, make_report
from sheetcrm.outputs.summary import Summary, summarize
from sheetcrm.run import RunResult, WriteRun
from sheetcrm.workbook.refresh import refresh

__all__ = [
    "REPORT_FILE",
    "TITLE",
    "DemoData",
    "DemoResult",
    "build_demo",
    "plan_demo",
    "run_demo",
    "write_demo",
]

TITLE = "Demo shop"
REPORT_FILE = "crm-report.html"


def plan_demo(
    crm: CRM,
    as_of: dt.date | None = None,
    *,
    force: bool = False,
    grids: dict[str, TabGrid] | None = None,
) -> ChangeSet:
    """One ChangeSet that initialises the workbook and upserts the demo records."""
    grids = grids if grids is not None else crm.read(layout=True)
    customers = grids.get("Customers")
    meta = Meta.of(grids)
    if customers and customers.rows and not meta.is_demo() and not force:
        raise PlanRefusedError(
            f"{crm.describe()} already holds a CRM that is not the demo; "
            "pass another path (e.g. --xlsx demo.xlsx) or --force to add demo records to it"
        )
    changes = crm.plan_init(grids)
    data = build_demo(crm.as_of(as_of), currency=crm.ctx.currency)
    for tab, records in data.tabs.items():
        grid = grids.get(tab) or TabGrid(tab, crm.schema[tab].columns)
        changes.extend(crm.plan_upsert(tab, records, grid=grid).ops)
    changes.extend(meta.mark_demo())
    return changes


def write_demo(
    crm: CRM, as_of: dt.date | None = None, *, force: bool = False, dry_run: bool = False
) -> RunResult:
    """Initialise the workbook and write the demo records, as one writing run."""
    with WriteRun(crm, "demo", dry_run=dry_run) as run:
        grids = run.read(crm.schema.tabs, layout=True)
        changes = plan_demo(crm, as_of, force=force, grids=grids)
        return run.apply(RunResult(run.command, changes, source="demo"))


@dataclass
class DemoResult:
    """What ``run_demo`` did. A dry run only plans the records: no refresh, report or
    summary."""

    written: RunResult  # the demo records (the plan, for a dry run)
    where: str  # the workbook: an absolute path for an .xlsx
    refreshed: RunResult | None = None
    report: ReportResult | None = None  # crm-report.html next to the workbook
    summary: Summary | None = None


def run_demo(
    crm: CRM,
    as_of: dt.date | None = None,
    *,
    force: bool = False,
    dry_run: bool = False,
    report_dir: Path | None = None,
) -> DemoResult:
    """Write the demo records, refresh, write ``crm-report.html`` next to the workbook (or
    into ``report_dir``) and summarise it: what ``sheetcrm demo`` does. The report and the
    summary share one read of the refreshed workbook."""
    as_of = crm.as_of(as_of)
    written = write_demo(crm, as_of, force=force, dry_run=dry_run)
    where = crm.describe()
    if Path(where).exists():
        where = str(Path(where).resolve())
    if dry_run:
        return DemoResult(written, where)
    refreshed = refresh(crm, as_of)
    folder = report_dir or (Path(where).parent if Path(where).exists() else Path.cwd())
    frames = crm.frames()
    report = make_report(crm, as_of=as_of, output=folder / REPORT_FILE, title=TITLE, frames=frames)
    return DemoResult(written, where, refreshed, report, summarize(frames, as_of))
