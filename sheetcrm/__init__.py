"""sheetcrm: one spreadsheet (Google Sheets or a local .xlsx) as a small-business CRM.

The public API is what ``__all__`` names; everything else lives in private-by-convention
modules whose layout may change. Names are imported lazily, so ``import sheetcrm`` stays
cheap (pandas, openpyxl and gspread load only when used)::

    from pathlib import Path

    import sheetcrm
    crm = sheetcrm.open_crm("crm.xlsx")
    crm.init()
    sheetcrm.import_file(crm, "orders.csv", preset="transactions")
    sheetcrm.refresh(crm)  # as of today in the workbook's time zone
    sheetcrm.make_report(crm, period="week", output=Path("week.html"))

Every command is one of these calls (``sheetcrm demo`` is ``run_demo``, ``doctor`` is
``diagnose``, ``watch`` is a ``Watch`` loop); every writing call returns a ``RunResult``.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetcrm.config import Config, load_config, parse_config
    from sheetcrm.crm import CRM, open_crm
    from sheetcrm.demo import DemoResult, run_demo, write_demo
    from sheetcrm.doctor import diagnose
    from sheetcrm.doctor.result import CheckResult
    from sheetcrm.errors import (
        AccessError,
        ConfigError,
        ConflictsRecorded,
        HeaderError,
        InputError,
        LockedError,
        NotDelivered,
        NotFoundError,
        PartialResult,
        PlanRefusedError,
        RateLimitedError,
        RowsRejected,
        SheetCRMError,
        TooManyRejected,
        TransientError,
        ValueParseError,
        WorkbookError,
    )
    from sheetcrm.ingest.export import export_tab
    from sheetcrm.ingest.forget import forget
    from sheetcrm.ingest.importer import ImportSpec, import_file, import_from_tab
    from sheetcrm.ingest.person_export import person_export
    from sheetcrm.ingest.restore import restore
    from sheetcrm.ingest.watch import Watch
    from sheetcrm.outputs.reminders import RemindResult, remind
    from sheetcrm.outputs.report import ReportResult, make_report
    from sheetcrm.outputs.summary import Summary, make_summary, summarize
    from sheetcrm.run import WriteRun
    from sheetcrm.run.result import RunResult
    from sheetcrm.workbook.refresh import count_segments, explain, refresh

try:
    __version__ = version("sheetcrm")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

#: Public name -> the module that defines it, one group per module. A new public name goes
#: here, in the ``TYPE_CHECKING`` imports above and in ``__all__`` (which
#: tests/test_exported_members.py pins).
_EXPORTS: dict[str, str] = {
    # the CRM service
    "CRM": "sheetcrm.crm",
    "open_crm": "sheetcrm.crm",
    # the one writing run, and what every writing call returns
    "WriteRun": "sheetcrm.run",
    "RunResult": "sheetcrm.run.result",
    # records in and out: import, export, restore a snapshot, live intake of form responses
    "import_file": "sheetcrm.ingest.importer",
    "import_from_tab": "sheetcrm.ingest.importer",
    "ImportSpec": "sheetcrm.ingest.importer",
    "export_tab": "sheetcrm.ingest.export",
    "restore": "sheetcrm.ingest.restore",
    "Watch": "sheetcrm.ingest.watch",
    # a person's data on request: everything held about them, and their removal everywhere
    "person_export": "sheetcrm.ingest.person_export",
    "forget": "sheetcrm.ingest.forget",
    # computed columns, segments, the Dashboard; a lead's score
    "refresh": "sheetcrm.workbook.refresh",
    "count_segments": "sheetcrm.workbook.refresh",
    "explain": "sheetcrm.workbook.refresh",
    # what people read: the summary, the report, the reminders
    "make_summary": "sheetcrm.outputs.summary",
    "summarize": "sheetcrm.outputs.summary",
    "Summary": "sheetcrm.outputs.summary",
    "make_report": "sheetcrm.outputs.report",
    "ReportResult": "sheetcrm.outputs.report",
    "remind": "sheetcrm.outputs.reminders",
    "RemindResult": "sheetcrm.outputs.reminders",
    # the demo shop, and the setup checks
    "run_demo": "sheetcrm.demo",
    "write_demo": "sheetcrm.demo",
    "DemoResult": "sheetcrm.demo",
    "diagnose": "sheetcrm.doctor",
    "CheckResult": "sheetcrm.doctor.result",
    # configuration
    "Config": "sheetcrm.config",
    "load_config": "sheetcrm.config",
    "parse_config": "sheetcrm.config",
    # the error tree (drawn in sheetcrm/errors.py)
    "SheetCRMError": "sheetcrm.errors",
    "ConfigError": "sheetcrm.errors",
    "AccessError": "sheetcrm.errors",
    "InputError": "sheetcrm.errors",
    "ValueParseError": "sheetcrm.errors",
    "HeaderError": "sheetcrm.errors",
    "WorkbookError": "sheetcrm.errors",
    "NotFoundError": "sheetcrm.errors",
    "PlanRefusedError": "sheetcrm.errors",
    "TooManyRejected": "sheetcrm.errors",
    "ConflictsRecorded": "sheetcrm.errors",
    "PartialResult": "sheetcrm.errors",
    "RowsRejected": "sheetcrm.errors",
    "NotDelivered": "sheetcrm.errors",
    "LockedError": "sheetcrm.errors",
    "TransientError": "sheetcrm.errors",
    "RateLimitedError": "sheetcrm.errors",
}

__all__ = [
    "CRM",
    "AccessError",
    "CheckResult",
    "Config",
    "ConfigError",
    "ConflictsRecorded",
    "DemoResult",
    "HeaderError",
    "ImportSpec",
    "InputError",
    "LockedError",
    "NotDelivered",
    "NotFoundError",
    "PartialResult",
    "PlanRefusedError",
    "RateLimitedError",
    "RemindResult",
    "ReportResult",
    "RowsRejected",
    "RunResult",
    "SheetCRMError",
    "Summary",
    "TooManyRejected",
    "TransientError",
    "ValueParseError",
    "Watch",
    "WorkbookError",
    "WriteRun",
    "__version__",
    "count_segments",
    "diagnose",
    "explain",
    "export_tab",
    "forget",
    "import_file",
    "import_from_tab",
    "load_config",
    "make_report",
    "make_summary",
    "open_crm",
    "parse_config",
    "person_export",
    "refresh",
    "remind",
    "restore",
    "run_demo",
    "summarize",
    "write_demo",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'sheetcrm' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
