"""``sheetcrm doctor``: run the setup checks and print what to fix, as text or JSON."""

from __future__ import annotations

import json

import click

from sheetcrm.cli.options import format_choice
from sheetcrm.doctor import CheckResult, Status, diagnose, failures
from sheetcrm.errors import SheetCRMError

#: How each status is marked in the text report.
MARKS = {
    Status.PASS: "ok",
    Status.NOT_NEEDED: "--",
    Status.SKIPPED: "skip",
    Status.FAIL: "FAIL",
}


@click.command()
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(dir_okay=False),
    help="Check a local .xlsx workbook (default: ./crm.xlsx, or sheetcrm.toml's spreadsheet).",
)
@click.option("--sheet", metavar="ID_OR_URL", help="Check a Google Sheets spreadsheet.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Path to sheetcrm.toml (default: ./sheetcrm.toml, or $SHEETCRM_CONFIG).",
)
@format_choice(
    "text", "json", help="Output format (json: a list of {check, title, status, detail, fix})."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    default=5.0,
    show_default=True,
    help="Seconds to wait for Google and the SMTP server.",
)
def doctor(
    xlsx_path: str | None, sheet: str | None, config_path: str | None, fmt: str, timeout: float
) -> None:
    """Check the setup in order and say what to do about each failure: config, Google
    credentials, token, Sheets API, spreadsheet and sharing, the five tabs and their
    headers, fonts for reports, and SMTP (when configured). Writes nothing.

    \b
    Exit codes: 0 every check passed (or was not needed), 3 a check failed
    (stderr names the failed checks), 2 usage.
    """
    if xlsx_path and sheet:
        raise click.UsageError("give either --xlsx or --sheet, not both")
    results = diagnose(config_path, xlsx_path or sheet, timeout=timeout)
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print(result)
    bad = [r for r in failures(results) if r.status is Status.FAIL]
    if bad:
        names = ", ".join(r.name for r in bad)
        # the report above says what to do; the error is the one line (and exit code 3)
        raise SheetCRMError(f"{len(bad)} of {len(results)} checks failed ({names})")


def _print(result: CheckResult) -> None:
    click.echo(f"{MARKS[result.status]:<5} {result.title:<17} {result.detail}")
    if result.fix:
        click.echo(f"{'':<23} fix: {result.fix}")
