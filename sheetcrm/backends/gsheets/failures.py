"""Every way a Google request fails, turned into one line a person can act on.

One place for the whole request path: API error responses (Google's error envelope,
``details`` included), connection failures, and the token refresh that google-auth runs
inside a request (``RefreshError``, ``TransportError``). ``classify`` makes a
``RemoteFailure`` the retry policy understands; ``final`` makes the ``SheetCRMError``
the CLI prints once the policy has given up or the failure is not worth retrying.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from google.auth import exceptions as auth_exceptions

from sheetcrm.backends.gsheets.retry import RemoteFailure
from sheetcrm.errors import (
    AccessError,
    ApiDisabledError,
    NotASpreadsheetError,
    NotFoundError,
    NotSharedError,
    OfflineError,
    SheetCRMError,
    SignInError,
    TransientError,
    WorkbookError,
)

SIGN_IN_AGAIN = "sign in again: sheetcrm auth login"
#: who to share a spreadsheet with when the credentials do not say their e-mail
SIGNED_IN_ACCOUNT = "the Google account you signed in with (see `sheetcrm auth status`)"
XLSX_IN_DRIVE = "This operation is not supported for this document"
_LINK = re.compile(r"https://console\.(?:developers|cloud)\.google\.com/\S+?(?=[\s,]|$)")


def from_response(response: requests.Response) -> RemoteFailure:
    """A failure from Google's error envelope: status, message, reason and help link."""
    retry_after = response.headers.get("Retry-After")
    try:
        error: dict[str, Any] = response.json()["error"]
        message = str(error["message"])
    except (ValueError, KeyError, TypeError):
        error, message = {}, response.text[:200]
    details = [d for d in error.get("details") or [] if isinstance(d, dict)]
    reason = next((d.get("reason") for d in details if d.get("reason")), None)
    return RemoteFailure(
        message,
        status=response.status_code,
        retry_after=retry_after_seconds(retry_after),
        reason=reason or _legacy_reason(error) or error.get("status"),
        link=_enable_link(details, message),
    )


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; None when unparseable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _legacy_reason(error: dict[str, Any]) -> str | None:
    """The v1-style ``errors[0].reason`` (e.g. ``failedPrecondition``), when present."""
    errors = error.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        reason = errors[0].get("reason")
        return str(reason) if reason else None
    return None


def _enable_link(details: list[dict[str, Any]], message: str) -> str | None:
    """Where to enable the API: ErrorInfo's activationUrl, a Help link, or the message."""
    for detail in details:
        url = (detail.get("metadata") or {}).get("activationUrl")
        if url:
            return str(url)
    for detail in details:
        for link in detail.get("links") or []:
            if isinstance(link, dict) and link.get("url"):
                return str(link["url"])
    found = _LINK.search(message)
    return found.group(0) if found else None


def classify(exc: Exception) -> RemoteFailure | None:
    """A transport or token-refresh exception as a failure; None if it is neither."""
    if isinstance(exc, auth_exceptions.RefreshError):
        return _refresh_failure(exc)
    if isinstance(exc, auth_exceptions.TransportError):
        # the token refresh could not connect: the request itself was never sent
        return RemoteFailure("no connection", offline=True, reason="token endpoint")
    if isinstance(exc, auth_exceptions.InvalidOperation):
        # a 401 to anonymous credentials: google-auth tried to refresh what cannot be
        return RemoteFailure("Google asks for credentials and sheetcrm has none", status=401)
    if isinstance(exc, requests.ConnectTimeout):
        return RemoteFailure("no connection (timed out connecting)", offline=True)
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return RemoteFailure("no connection", offline=True)
    if isinstance(exc, requests.Timeout):
        return RemoteFailure("no answer in time", ambiguous=True)
    if isinstance(exc, requests.ConnectionError):
        return RemoteFailure("the connection dropped", ambiguous=True)
    return None


def _never_connected(exc: requests.ConnectionError) -> bool:
    """Refused, unreachable or unresolvable: the request did not leave this machine."""
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        # a captive portal's certificate, or a proxy that would not connect: nothing was sent
        return True
    text = repr(exc.args[0] if exc.args else exc)
    return any(
        marker in text
        for marker in ("NewConnectionError", "NameResolutionError", "Failed to resolve")
    )


def _refresh_failure(exc: auth_exceptions.RefreshError) -> RemoteFailure:
    data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
    error = str(data.get("error") or "unusable")
    message = str(exc.args[0]) if exc.args else str(exc)
    if getattr(exc, "retryable", False):
        return RemoteFailure(f"the token endpoint is busy ({message})", unsent=True)
    return RemoteFailure(message, reason="refresh:" + error)


def final(
    failure: RemoteFailure,
    *,
    sid: str,
    step: str,
    account: str | None = None,
    endpoint: str | None = None,
    kind: str | None = None,
) -> SheetCRMError:
    """The one-line error for a failure the policy will not (or no longer) retry."""
    reason = failure.reason or ""
    if reason.startswith("refresh:"):
        return refresh_error(failure, account=account)
    if failure.offline and reason == "token endpoint":
        return offline(None, "could not refresh the sign-in")
    if failure.offline:
        return offline(endpoint, f"{step} failed")
    if failure.status == 404:
        return NotFoundError(f"spreadsheet {sid} was not found (check the ID or URL)")
    if failure.status == 403:
        return _forbidden(failure, sid, account, kind)
    if failure.status == 401:
        return SignInError(f"Google rejected the credentials ({failure}); {SIGN_IN_AGAIN}")
    if failure.status == 400 and XLSX_IN_DRIVE in str(failure):
        return NotASpreadsheetError(
            f"spreadsheet {sid} is an Excel file stored in Google Drive, which the Sheets API "
            "cannot edit: open it in Google Sheets, choose File → Save as Google Sheets, and "
            "use the new spreadsheet's URL"
        )
    return WorkbookError(f"{step} failed: {failure}")


def _forbidden(
    failure: RemoteFailure, sid: str, account: str | None, kind: str | None
) -> SheetCRMError:
    reason = failure.reason or ""
    if reason == "SERVICE_DISABLED" or "has not been used in project" in str(failure):
        where = (
            failure.link or "https://console.cloud.google.com/apis/library/sheets.googleapis.com"
        )
        return ApiDisabledError(
            f"the Google Sheets API is not enabled for these credentials' Cloud project: "
            f"enable it at {where}, wait a minute, then run again",
            url=where,
        )
    if reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
        return SignInError(
            f"the credentials may not use Google Sheets ({failure}); {scope_fix(kind)}"
        )
    who = account or SIGNED_IN_ACCOUNT
    return NotSharedError(
        f"no access to spreadsheet {sid}: share it with {who} as an Editor ({failure})",
        email=account,
    )


#: what gives each kind of credentials (auth.USER, auth.ADC, …) the Sheets scope
_SCOPE_FIXES = {
    "ADC": "sign in with sheetcrm auth login, or run `gcloud auth application-default login "
    "--scopes=https://www.googleapis.com/auth/cloud-platform,"
    "https://www.googleapis.com/auth/spreadsheets` (on a Google Cloud VM: give its service "
    "account the Sheets access scope)",
    "service account": "use the service account's JSON key file as [google] credentials",
}


def scope_fix(kind: str | None) -> str:
    """How to get credentials that may use Google Sheets, for the kind in use."""
    return _SCOPE_FIXES.get(
        kind or "", "sign in again, allowing Google Sheets on the consent page: sheetcrm auth login"
    )


def refresh_error(failure: RemoteFailure, *, account: str | None = None) -> SheetCRMError:
    """Google refused to refresh the token: for a person, signing in again is the fix."""
    if account and account.endswith(".gserviceaccount.com"):
        return AccessError(
            f"Google refused the key of {account} ({failure}): the key was deleted or the "
            "account disabled; create a new key in the Cloud Console"
        )
    return SignInError(f"Google refused the saved sign-in ({failure}); {SIGN_IN_AGAIN}")


def offline(endpoint: str | None, what: str) -> OfflineError:
    """Nothing could be sent: name where we tried (Google, or an emulator's address)."""
    if endpoint:
        return OfflineError(f"cannot reach {endpoint} (offline, or not running?): {what}")
    return OfflineError(f"cannot reach Google (offline?): {what}")


def credentials_error(exc: Exception, *, account: str | None = None) -> SheetCRMError:
    """For requests outside the backend (auth status, login, logout): one line for a
    refresh or connection failure; anything else is a bug and is raised again."""
    failure = classify(exc)
    if failure is None:
        raise exc
    if failure.offline:
        return offline(None, "could not refresh the sign-in")
    if failure.unsent or failure.ambiguous:
        return TransientError(f"Google did not answer ({failure}); run again later")
    return refresh_error(failure, account=account)
