"""The doctor's Google checks: credentials, token, Sheets API and spreadsheet, in order.

The credentials come from ``credential_status`` (the same lookup every command makes).
Imported only for a Google target, so checking an .xlsx workbook never loads gspread.
The API and the spreadsheet are tried with the read every command starts with (the five
data tabs, values only), so the doctor sees what a command would see: Google's answer,
translated by the backend into one typed error, says which check failed.
"""

from __future__ import annotations

from collections.abc import Mapping

from sheetcrm.backends.gsheets.auth import (
    ANONYMOUS,
    NONE,
    CredentialStatus,
    credential_status,
)
from sheetcrm.backends.gsheets.backend import GSheetsBackend
from sheetcrm.backends.gsheets.endpoint import endpoint_of
from sheetcrm.backends.gsheets.failures import SIGN_IN_AGAIN, SIGNED_IN_ACCOUNT
from sheetcrm.backends.gsheets.retry import RetryPolicy
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.doctor.result import CheckResult, Status, failed, passed, skipped
from sheetcrm.errors import (
    AccessError,
    ApiDisabledError,
    NotASpreadsheetError,
    NotFoundError,
    NotSharedError,
    SheetCRMError,
    TransientError,
)
from sheetcrm.model.grid import TabGrid

Grids = Mapping[str, TabGrid]
Outcome = tuple[CheckResult, CheckResult, Grids | None]  # API, spreadsheet, the tabs read


def check_google(
    config: Config, sid: str, timeout: float
) -> tuple[list[CheckResult], CheckResult, Grids | None]:
    """Credentials, token and API results; the spreadsheet's; its data tabs when read."""
    status = credential_status(config)
    creds = _credentials(status)
    if not creds.ok:
        why = "needs usable credentials (see the credentials check)"
        return (
            [creds, skipped("token", why), skipped("api", why)],
            skipped("spreadsheet", why),
            None,
        )
    token = _token(config, status, timeout)
    if not token.ok:
        why = "needs a fresh token (see the token check)"
        return [creds, token, skipped("api", why)], skipped("spreadsheet", why), None
    api, reached, grids = _probe(config, sid, status.email, timeout)
    return [creds, token, api], reached, grids


def _credentials(status: CredentialStatus) -> CheckResult:
    where = f"{status.source} ({status.path})" if status.path else status.source
    if status.problem:
        if status.kind != NONE:
            detail = f"{status.kind} from {where}"
        else:
            detail = f"none usable: {where}" if status.path else "no Google credentials found"
        return failed("credentials", detail, status.problem)
    who = f", identity {status.email}" if status.email else ""
    return passed("credentials", f"{status.kind} from {where}{who}")


def _token(config: Config, status: CredentialStatus, timeout: float) -> CheckResult:
    """A token valid now, or one the token endpoint refreshes (asked once)."""
    if status.kind == ANONYMOUS:
        return CheckResult("token", Status.NOT_NEEDED, "the emulator takes no token")
    if not status.fresh:
        status = credential_status(config, refresh=True, timeout=timeout)
        if status.problem:
            return failed("token", "the token could not be refreshed", status.problem)
    until = f" until {status.expiry:%Y-%m-%d %H:%M} UTC" if status.expiry else ""
    return passed("token", f"valid{until}")


def _probe(config: Config, sid: str, email: str | None, timeout: float) -> Outcome:
    """Read the data tabs once; Google's answer decides the API and spreadsheet checks."""
    answered = passed("api", f"the Sheets API at {_host(config)} answered")
    no_api = skipped("spreadsheet", "needs the Sheets API (see the API check)")
    try:
        crm = _open(config, sid, timeout)
        grids = crm.read([t.name for t in crm.schema.data_tabs], values_only=True)
    except ApiDisabledError as exc:
        fix = f"enable it at {exc.url}, wait a minute, and run `sheetcrm doctor` again"
        return failed("api", str(exc), fix), no_api, None
    except NotSharedError as exc:
        fix = f"{_share(exc.email or email)} (the Share button in Google Sheets)"
        return answered, failed("spreadsheet", str(exc), fix), None
    except NotFoundError as exc:
        fix = f"check the spreadsheet ID or URL; if it is right, {_share(email)}"
        return answered, failed("spreadsheet", str(exc), fix), None
    except NotASpreadsheetError as exc:  # an .xlsx file stored in Drive
        return answered, failed("spreadsheet", str(exc), str(exc)), None
    except AccessError as exc:  # Google refused the token (expired, revoked)
        return failed("api", str(exc), SIGN_IN_AGAIN), no_api, None
    except TransientError as exc:  # offline, or Google busy
        fix = f"check the network connection to {_host(config)}, then run `sheetcrm doctor` again"
        return failed("api", str(exc), fix), no_api, None
    except SheetCRMError as exc:
        fix = "open the spreadsheet in a browser to check it, then run `sheetcrm doctor` again"
        return answered, failed("spreadsheet", str(exc), fix), None
    who = f" by {email}" if email else ""
    return answered, passed("spreadsheet", f"{crm.describe()} is readable{who}"), grids


def _open(config: Config, sid: str, timeout: float) -> CRM:
    """The CRM on a backend that gives up quickly: a doctor should not wait minutes."""
    retry = RetryPolicy(attempts=2, deadline=timeout)
    backend = GSheetsBackend.open(sid, config=config, timeout=timeout, retry=retry)
    return CRM(backend, config=config)


def _share(email: str | None) -> str:
    return f"share it with {email or SIGNED_IN_ACCOUNT} as an Editor"


def _host(config: Config) -> str:
    return endpoint_of(config) or "sheets.googleapis.com"
