"""sheetcrm: one spreadsheet (Google Sheets or a local .xlsx) as a small-business CRM.

The public API is what ``__all__`` names; everything else lives in private-by-convention
modules whose layout may change. Names are imported lazily, so ``import sheetcrm`` stays
cheap (pandas, openpyxl and gspread load only when used)::

    import sheetcrm
    crm = sheetcrm.open_crm("crm.xlsx")
    crm.init()
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sheetcrm.config import Config, load_config, parse_config
    from sheetcrm.crm import CRM, open_crm
    from sheetcrm.errors import (
        AccessError,
        ConfigError,
        ConflictsRecorded,
        HeaderError,
        InputError,
        LockedError,
        NotFoundError,
        PlanRefusedError,
        RateLimitedError,
        SheetCRMError,
        TransientError,
        ValueParseError,
        WorkbookError,
    )
    from sheetcrm.run import WriteRun
    from sheetcrm.run.result import RunResult

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
    "ConflictsRecorded": "sheetcrm.errors",
    "LockedError": "sheetcrm.errors",
    "TransientError": "sheetcrm.errors",
    "RateLimitedError": "sheetcrm.errors",
}

__all__ = [
    "CRM",
    "AccessError",
    "Config",
    "ConfigError",
    "ConflictsRecorded",
    "HeaderError",
    "InputError",
    "LockedError",
    "NotFoundError",
    "PlanRefusedError",
    "RateLimitedError",
    "RunResult",
    "SheetCRMError",
    "TransientError",
    "ValueParseError",
    "WorkbookError",
    "WriteRun",
    "__version__",
    "load_config",
    "open_crm",
    "parse_config",
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
