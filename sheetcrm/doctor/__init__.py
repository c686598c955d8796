"""``sheetcrm doctor``: check, in order, everything a command needs, and say what to fix.

Each check returns a ``CheckResult``; a check that needs an earlier one that failed is
reported as skipped (with the reason), never run against a broken premise. The checks:
config, credentials, token, Sheets API, spreadsheet, tabs and headers, report fonts, SMTP.
For an ``.xlsx`` workbook the Google checks are "not needed". Nothing is written anywhere.
"""

from __future__ import annotations

from sheetcrm.backends import spreadsheet_id
from sheetcrm.config import Config
from sheetcrm.doctor.environment import check_fonts, check_smtp
from sheetcrm.doctor.result import CHECKS, CheckResult, Status, failed, failures, skipped
from sheetcrm.doctor.workbook import check_config, check_tabs, check_xlsx, init_hint

#: The Google checks, which an .xlsx workbook does not need.
GOOGLE = ("credentials", "token", "api")


def diagnose(
    config_path: str | None = None, target: str | None = None, *, timeout: float = 5.0
) -> list[CheckResult]:
    """Run every check in order. ``config_path`` and ``target`` are what ``--config`` and
    ``--xlsx``/``--sheet`` say (None: the usual defaults); ``timeout`` bounds each network
    check (seconds)."""
    config, first = check_config(config_path)
    results = [first]
    if config is None:
        why = "needs a valid sheetcrm.toml (see the config check)"
        results += [skipped(name, why) for name in CHECKS[1:6]]
    else:
        results += _workbook(config, target, timeout)
    results.append(check_fonts())
    if config is None:
        results.append(skipped("smtp", "needs a valid sheetcrm.toml (see the config check)"))
    else:
        results.append(check_smtp(config, timeout))
    return results


def _workbook(config: Config, target: str | None, timeout: float) -> list[CheckResult]:
    """Credentials, token, API, spreadsheet, and the tabs read from it."""
    where = target or config.default_target()
    hint = init_hint(target)
    sid = spreadsheet_id(where)
    if sid is None and not where.lower().endswith(".xlsx"):
        # neither: the first check fails, and says so, instead of "needs no Google sign-in"
        why = f"{where!r} is neither an .xlsx path nor a Google Sheets ID or URL"
        fix = "pass --xlsx PATH.xlsx, or --sheet with the spreadsheet's URL or its ID"
        needs = "needs an .xlsx path or a Google Sheets ID or URL (see the credentials check)"
        results = [failed(GOOGLE[0], why, fix)]
        results += [skipped(name, needs) for name in (*GOOGLE[1:], "spreadsheet", "tabs")]
        return results
    if sid is None:
        results = [
            CheckResult(name, Status.NOT_NEEDED, "a local .xlsx workbook needs no Google sign-in")
            for name in GOOGLE
        ]
        reached, grids = check_xlsx(config, where, hint)
    else:
        from sheetcrm.doctor.google import check_google

        results, reached, grids = check_google(config, sid, timeout)
    results.append(reached)
    if grids is None:
        # skipped for the reason the spreadsheet check was, or because it failed
        why = reached.detail if reached.status is Status.SKIPPED else "needs a readable spreadsheet"
        results.append(skipped("tabs", why))
    else:
        results.append(check_tabs(config.schema(), grids, hint))
    return results


__all__ = ["CHECKS", "CheckResult", "Status", "diagnose", "failures"]
