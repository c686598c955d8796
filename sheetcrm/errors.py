"""The one error tree of sheetcrm, and the exit code each branch maps to.

Every failure a user can cause or fix is a ``SheetCRMError``; anything else is a bug and
keeps its traceback. The CLI prints ``str(error)`` on one line and exits with
``error.exit_code``::

    SheetCRMError                      exit 3  something the user can fix
    ├── ConfigError                    exit 7  bad sheetcrm.toml, option or credentials
    │   └── AccessError                exit 7  not shared / no permission / bad key
    │       ├── SignInError            exit 7  sign-in expired or revoked: sign in again
    │       ├── ApiDisabledError       exit 7  the Sheets API is off in the Cloud project
    │       └── NotSharedError         exit 7  the spreadsheet is not shared with us
    ├── InputError                     exit 3  data that cannot be used as given
    │   ├── ValueParseError            exit 3  one cell: tab, row, column, value
    │   │   └── ApproximateValue       exit 3  a range ("3 to 5 million"): one value is
    │   │                                      usable, an import keeps the text in notes
    │   └── HeaderError                exit 3  missing / duplicated / blank header
    ├── WorkbookError                  exit 3  the workbook cannot be read or saved
    │   ├── NotFoundError              exit 3  no such file, spreadsheet or tab
    │   │   └── Forgotten              exit 3  no one: `person forget` removed them
    │   └── NotASpreadsheetError       exit 3  an Excel file in Drive, not a Google Sheet
    ├── PlanRefusedError               exit 3  e.g. too many deletions without --force
    │   └── TooManyRejected            exit 3  more set aside than --max-rejected allows
    ├── ConflictsRecorded              exit 4  run finished; conflicts went to _conflicts
    ├── PartialResult                  exit 8  run finished, but part of it was set aside
    │   ├── RowsRejected               exit 8  rows or cells went to _quarantine
    │   └── NotDelivered               exit 8  a message could not be sent to someone
    ├── LockedError                    exit 5  another run holds the lock, or the file is
    │                                          open in Excel/LibreOffice or saved meanwhile
    └── TransientError                 exit 6  worth retrying later (network, 5xx)
        ├── OfflineError               exit 6  cannot connect at all (offline?)
        ├── RateLimitedError           exit 6  quota exhausted after our own retries
        └── DiskError                  exit 6  a save failed (disk full, too large, no
                                               permission): nothing was changed

When a run both recorded conflicts and set input aside, exit 4 wins (someone must look
at ``_conflicts`` first). Exit code 0 is success, 1 an unexpected internal error, 2 a
command-line usage error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_USER = 3
EXIT_CONFLICTS = 4
EXIT_LOCKED = 5
EXIT_TRANSIENT = 6
EXIT_CONFIG = 7
EXIT_PARTIAL = 8


class SheetCRMError(Exception):
    """Base of every error a user can act on."""

    exit_code = EXIT_USER


class ConfigError(SheetCRMError):
    """The configuration, an option or the credentials are wrong."""

    exit_code = EXIT_CONFIG


class AccessError(ConfigError):
    """The backend refused us: not shared, no permission, unusable key."""


class SignInError(AccessError):
    """The saved sign-in no longer works (expired or revoked): the fix is to sign in again."""


class ApiDisabledError(AccessError):
    """The Sheets API is not enabled in the Cloud project of the credentials."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url  # where to enable it


class NotSharedError(AccessError):
    """The spreadsheet exists but is not shared with the identity sheetcrm uses."""

    def __init__(self, message: str, *, email: str | None = None) -> None:
        super().__init__(message)
        self.email = email  # whom to share it with, when known


class InputError(SheetCRMError):
    """Data that cannot be used as given."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class ValueParseError(InputError):
    """One cell could not be parsed; names where it is and what was expected."""

    def __init__(
        self,
        expected: str,
        value: Any,
        *,
        tab: str | None = None,
        row: int | None = None,
        column: str | None = None,
        record: str | None = None,
    ) -> None:
        self.expected = expected
        self.value = value
        self.tab = tab
        self.row = row
        self.column = column
        self.record = record  # the record's ID, where a row is known by it rather than a number
        super().__init__(self._message())

    def where(self) -> str:
        parts = []
        if self.tab:
            parts.append(self.tab)
        if self.record:
            parts.append(f"record {self.record}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def _message(self) -> str:
        where = self.where()
        prefix = f"{where}: " if where else ""
        return f"{prefix}{_show(self.value)} is not {self.expected}"

    def located(
        self,
        *,
        tab: str | None = None,
        row: int | None = None,
        column: str | None = None,
        record: str | None = None,
    ) -> ValueParseError:
        """Return a copy with the location filled in (keeps what is already known, and
        the kind of error: an ``ApproximateValue`` stays one)."""
        copy = type(self).__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.tab = self.tab or tab
        copy.row = self.row if self.row is not None else row
        copy.column = self.column or column
        copy.record = self.record or record
        copy.args = (copy._message(),)
        return copy


class ApproximateValue(ValueParseError):
    """A value typed as a range or an estimate (``۳ تا ۵ میلیون``, ``10k-20k``): not one
    amount, so a strict parse refuses it, but an import keeps ``kept`` (what the codec's
    documented rule takes, e.g. the lower bound) and the typed text in the row's notes."""

    def __init__(self, expected: str, value: Any, kept: Any) -> None:
        self.kept = kept
        super().__init__(expected, value)


class HeaderError(InputError):
    """A sheetcrm tab's header row is missing, duplicates or leaves blank a column."""


class WorkbookError(SheetCRMError):
    """The workbook cannot be read or saved as a workbook."""


class NotFoundError(WorkbookError):
    """No such file, spreadsheet or tab."""


class Forgotten(NotFoundError):
    """No one matches, because ``person forget`` removed them (their hash is in ``_sync``)."""


class NotASpreadsheetError(WorkbookError):
    """The ID names a file Google Sheets shows but the API cannot use (an .xlsx in Drive)."""


class PlanRefusedError(SheetCRMError):
    """The plan would do something destructive that needs explicit consent."""


class TooManyRejected(PlanRefusedError):
    """An import would set aside more than ``max_rejected`` allows, so nothing was written.
    ``entries`` are what it would have set aside; ``lines()`` says each on one line, for the
    user to read before this error's own line."""

    def __init__(
        self, message: str, entries: Sequence[Any] = (), lines: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.entries = list(entries)
        self._lines = list(lines)

    def lines(self) -> list[str]:
        return list(self._lines)


class ConflictsRecorded(SheetCRMError):
    """The run finished, but teammates' edits conflicted and were recorded."""

    exit_code = EXIT_CONFLICTS


class PartialResult(SheetCRMError):
    """The run finished and wrote what it could, but part of its input was set aside (the
    rest is safe): cron must not read that as success."""

    exit_code = EXIT_PARTIAL


class RowsRejected(PartialResult):
    """An import finished; rows or cells it could not use are in ``_quarantine``."""


class NotDelivered(PartialResult):
    """A message (digest, report) could not be delivered to someone: no address, refused."""


class LockedError(SheetCRMError):
    """Another run holds the workbook's lock."""

    exit_code = EXIT_LOCKED


class TransientError(SheetCRMError):
    """A temporary failure; running again later may succeed."""

    exit_code = EXIT_TRANSIENT


class OfflineError(TransientError):
    """No connection at all: nothing was sent, so running again later is safe."""


class RateLimitedError(TransientError):
    """The API quota was exhausted even after our own backoff."""

    def __init__(self, message: str, *, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at  # when the server said to try again (epoch seconds), if it did


class DiskError(TransientError):
    """Writing a file failed (disk full, file too large, no permission, read-only disk);
    nothing was changed: the old file is intact and the temporary one removed."""
