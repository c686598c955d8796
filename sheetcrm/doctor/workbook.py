"""The doctor's workbook checks: the config, a local .xlsx file, and the five data tabs.

Headers are judged by the CRM's own header mapping (``map_header``), so the doctor and
every command agree on what a valid tab is.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sheetcrm.backends import spreadsheet_id
from sheetcrm.config import CONFIG_FILE, Config, load_config
from sheetcrm.crm import CRM
from sheetcrm.doctor.result import CheckResult, failed, passed
from sheetcrm.errors import HeaderError, SheetCRMError
from sheetcrm.model.grid import TabGrid, map_header
from sheetcrm.model.schema import Schema, TabSchema


def init_hint(target: str | None) -> str:
    """The ``sheetcrm init`` command for this target, as the user would type it."""
    if target is None:
        return "sheetcrm init"
    option = "--sheet" if spreadsheet_id(target) else "--xlsx"
    return f"sheetcrm init {option} {target}"


def check_config(path: str | None) -> tuple[Config | None, CheckResult]:
    """The config the commands would use (``--config``, $SHEETCRM_CONFIG, ./sheetcrm.toml)."""
    try:
        config = load_config(path)
    except SheetCRMError as exc:
        named = path or os.environ.get("SHEETCRM_CONFIG")
        if named and not Path(named).exists():
            fix = "give an existing file, or none to use ./sheetcrm.toml or the defaults"
        else:
            fix = "correct what the message names (the README's Configuration section lists "
            fix += "every key), or move the file aside to use the defaults"
        return None, failed("config", str(exc), fix)
    if config.path is None:
        return config, passed("config", f"no {CONFIG_FILE} here; using defaults")
    return config, passed("config", f"{config.path} is valid")


def check_xlsx(
    config: Config, where: str, hint: str
) -> tuple[CheckResult, Mapping[str, TabGrid] | None]:
    """The .xlsx file exists and reads as a workbook; its data tabs as read."""
    if not where.lower().endswith(".xlsx"):
        why = f"{where!r} is neither an .xlsx path nor a Google Sheets ID or URL"
        return failed("spreadsheet", why, "pass --xlsx PATH.xlsx or --sheet ID_OR_URL"), None
    path = Path(where)
    if not path.exists():
        fix = f"run `{hint}` to create it (or `sheetcrm demo` for a demo CRM)"
        return failed("spreadsheet", f"{path} does not exist", fix), None
    try:
        crm = CRM(config=config, target=where)
        grids = crm.read([t.name for t in crm.schema.data_tabs])
    except SheetCRMError as exc:
        fix = "open it in Excel or LibreOffice and save it as .xlsx, or point --xlsx elsewhere"
        return failed("spreadsheet", str(exc), fix), None
    return passed("spreadsheet", f"{path} is a readable workbook"), grids


def check_tabs(schema: Schema, grids: Mapping[str, TabGrid], hint: str) -> CheckResult:
    """Each data tab is there and its header maps onto the schema."""
    problems: list[str] = []
    by_init = False  # a missing tab or column, which `sheetcrm init` adds
    by_hand: list[str] = []
    for tab in schema.data_tabs:
        grid = grids.get(tab.name)
        if grid is None and tab.optional:
            continue  # a seller tab: made by the first import of orders or earnings
        found = _Problem(f"no {tab.name} tab") if grid is None else _header_problem(grid, tab)
        if found is None:
            continue
        problems.append(found.text)
        by_init = by_init or found.init_repairs
        by_hand += [found.by_hand] if found.by_hand else []
    if not problems:
        names = ", ".join(t.name for t in schema.data_tabs if t.name in grids)
        return passed("tabs", f"{names}: present, headers valid")
    steps = by_hand + [f"run `{hint}` to add what is missing (it changes nothing else)"] * by_init
    return failed("tabs", "; ".join(problems), "; then ".join(steps))


@dataclass(frozen=True)
class _Problem:
    text: str
    init_repairs: bool = True  # `sheetcrm init` adds what is missing
    by_hand: str | None = None  # what to do first, by hand


def _header_problem(grid: TabGrid, tab: TabSchema) -> _Problem | None:
    """What is wrong with a tab's header. A column that is missing may have been renamed:
    then it should be renamed back, or ``init`` would add a second, blank one."""
    try:
        header = map_header(grid, tab, allow_missing=True)
    except HeaderError as exc:  # a blank or doubled header, or no ID column above data
        return _Problem(str(exc), init_repairs=False, by_hand="fix the header row by hand")
    if not header.missing:
        return None
    missing = ", ".join(repr(m) for m in header.missing)
    plural = "s" if len(header.missing) > 1 else ""
    text = f"{tab.name}: column{plural} {missing} missing"
    unknown = ", ".join(repr(str(grid.header[i])) for i in header.foreign)
    if not unknown:
        return _Problem(text)
    return _Problem(
        f"{text} (columns sheetcrm does not know: {unknown})",
        by_hand=f"if a column of {tab.name} ({unknown}) is a renamed {missing}, rename it back",
    )
