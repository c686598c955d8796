"""What one doctor check found: its name, status, what it saw and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: Every check, in the order the doctor runs them, with the title it prints.
TITLES = {
    "config": "Config",
    "credentials": "Credentials",
    "token": "Token",
    "api": "Sheets API",
    "spreadsheet": "Spreadsheet",
    "tabs": "Tabs and headers",
    "fonts": "Report fonts",
    "smtp": "SMTP",
}
CHECKS = tuple(TITLES)


class Status(StrEnum):
    """``not_needed`` is a pass: the check does not apply (e.g. Google sign-in for .xlsx)."""

    PASS = "pass"
    FAIL = "fail"
    SKIPPED = "skipped"
    NOT_NEEDED = "not_needed"


@dataclass(frozen=True)
class CheckResult:
    """One check: ``detail`` says what was found, ``fix`` (on a failure) what to do."""

    name: str
    status: Status
    detail: str
    fix: str | None = None

    @property
    def title(self) -> str:
        return TITLES[self.name]

    @property
    def ok(self) -> bool:
        return self.status in (Status.PASS, Status.NOT_NEEDED)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``sheetcrm doctor --format json`` (one object per check)."""
        return {
            "check": self.name,
            "title": self.title,
            "status": str(self.status),
            "detail": self.detail,
            "fix": self.fix,
        }


def passed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, Status.PASS, detail)


def failed(name: str, detail: str, fix: str) -> CheckResult:
    return CheckResult(name, Status.FAIL, detail, fix)


def skipped(name: str, why: str) -> CheckResult:
    """A check not run because one it depends on failed; ``why`` names that one."""
    return CheckResult(name, Status.SKIPPED, why)


def failures(results: list[CheckResult]) -> list[CheckResult]:
    """The checks that failed or could not run; the doctor passes when this is empty."""
    return [r for r in results if not r.ok]
