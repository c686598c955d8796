"""Option decorators shared by every command (sqlite-utils style), and the CRM they build."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import IO, Any

import click

from sheetcrm.analytics import periods
from sheetcrm.cli.feedback import waiting_notice
from sheetcrm.config import load_config
from sheetcrm.crm import CRM
from sheetcrm.errors import ConfigError, InputError
from sheetcrm.ingest import rejections
from sheetcrm.ingest.decoding import check_encoding
from sheetcrm.ingest.importer import ImportSpec
from sheetcrm.ingest.mapping import PRESETS, parse_overrides
from sheetcrm.ingest.readers import FORMATS
from sheetcrm.model import calendars


def backend_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--xlsx / --sheet / --config; the command receives a ready ``crm`` argument."""

    @click.option(
        "--xlsx",
        "xlsx_path",
        type=click.Path(dir_okay=False),
        help="Use a local .xlsx workbook (default: ./crm.xlsx, or sheetcrm.toml's spreadsheet).",
    )
    @click.option("--sheet", "sheet", metavar="ID_OR_URL", help="Use a Google Sheets spreadsheet.")
    @click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, exists=True),
        help="Path to sheetcrm.toml (default: ./sheetcrm.toml, or $SHEETCRM_CONFIG).",
    )
    @functools.wraps(fn)
    def wrapper(
        *args: Any, xlsx_path: str | None, sheet: str | None, config_path: str | None, **kw: Any
    ) -> Any:
        if xlsx_path and sheet:
            raise click.UsageError("give either --xlsx or --sheet, not both")
        config = load_config(config_path)
        target = xlsx_path or sheet
        if xlsx_path and not xlsx_path.lower().endswith(".xlsx"):
            raise ConfigError(f"--xlsx expects a path ending in .xlsx, got {xlsx_path!r}")
        crm = CRM(config=config, target=target, notify=waiting_notice(kw.get("quiet")))
        backend: Any = crm.backend
        if kw.get("force") and hasattr(backend, "force_open"):
            backend.force_open = True  # an .xlsx: save even if an office app has it open
        if "as_of" in kw:  # --as-of: the given day, else today in the workbook's time zone
            kw["as_of"] = crm.as_of(kw["as_of"])
        return fn(*args, crm=crm, **kw)

    return wrapper


def run_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--dry-run and --quiet, for commands that write."""
    fn = click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")(fn)
    return click.option(
        "--dry-run", is_flag=True, help="Print the planned changes and write nothing."
    )(fn)


#: What ``--force`` does for every command that writes (besides the command's own safeguard).
FORCE_OPEN = "save even if Excel or LibreOffice seems to have the .xlsx open"


def force_option(first: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--force for a command that writes: past the command's own safeguard (``first``, e.g.
    many deletions), and past an office lock file beside the .xlsx (exit 5 otherwise)."""
    text = f"{first}; {FORCE_OPEN}." if first else f"{FORCE_OPEN[0].upper()}{FORCE_OPEN[1:]}."
    return click.option("--force", is_flag=True, help=text)


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--format / --limit / --columns, for commands that print records."""
    fn = click.option(
        "--columns",
        metavar="A,B,…",
        help="Only these columns, in this order (comma-separated).",
    )(fn)
    fn = click.option("--limit", type=click.IntRange(min=0), help="At most this many rows.")(fn)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "json", "ndjson"]),
        default="table",
        show_default=True,
        help="Output format.",
    )(fn)


class BadValue(click.BadParameter):
    """A bad option value said in one line ("sheetcrm: error: Invalid value for '--as-of':
    …", exit 2): the value and the forms accepted, without click's usage block."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"sheetcrm: error: {self.format_message()}", file=file, err=file is None)


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A day as typed: ISO or with slashes, any digits, Jalali for a year below 1600
    (``1404-08-29`` and ``۱۴۰۴/۰۸/۲۹`` are 2025-11-20); exit 2 otherwise."""
    if value is None:
        return None
    try:
        return calendars.typed_day(value)
    except ValueError as exc:
        raise BadValue(str(exc), ctx, param) from None


def as_of_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--as-of DATE, so results are reproducible. Without it the command gets None here, and
    ``backend_options`` resolves it with ``CRM.as_of`` (today in the workbook's time zone)."""
    return click.option(
        "--as-of",
        metavar="DATE",
        callback=_day,
        help="Compute as of this date (YYYY-MM-DD, or a Jalali date such as 1404-08-29; "
        "default: today in the workbook's time zone).",
    )(fn)


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A period ``parse_period`` reads (checked before anything is read; exit 2)."""
    if value is None:
        return None
    try:
        return periods.check_period(value)
    except InputError as exc:
        raise BadValue(str(exc), ctx, param) from None


def period_option(
    default: str | None = periods.DEFAULT_PERIOD,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--period: the period words of ``analytics.periods`` (this-month, last-month,
    last-7/30/90-days; week, month, quarter as the last 7, 30, 91 days), a calendar month
    (2025-10, 1404-07) or a range of days, Gregorian or Jalali, in any digits."""
    return click.option(
        "--period",
        default=default,
        show_default=default is not None,
        callback=_period,
        help="this-month (1st to --as-of), last-month (the whole month before), "
        "last-7-days, last-30-days, last-90-days (ending with --as-of; week, month, "
        "quarter mean the last 7, 30, 91 days), a month (2025-10, or 1404-07 for Mehr) "
        "or FIRST..LAST days (2025-10-01..2025-10-31, 1404-07-01..1404-07-30).",
    )


def import_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--tab / --preset / --map / --on-conflict, for commands that import; the command
    receives them as one ``spec`` (an ``ImportSpec``)."""

    @click.option("--tab", help="Tab to import into (Customers, Leads, …); presets choose one.")
    @click.option("--preset", type=click.Choice(sorted(PRESETS)), help="A known export layout.")
    @click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="SRC=FIELD",
        help="Map an input column to a field; repeatable.",
    )
    @click.option(
        "--on-conflict",
        type=click.Choice(["sheet", "source"]),
        default="sheet",
        show_default=True,
        help="Whose value wins when both sides changed a field.",
    )
    @click.option(
        "--max-rejected",
        metavar="N|P%",
        callback=_limit,
        help="Tolerate up to N rows (or P% of them) set aside: exit 0, not 8; more "
        "than that: import nothing, exit 3.",
    )
    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        tab: str | None,
        preset: str | None,
        mapping: tuple[str, ...],
        on_conflict: str,
        max_rejected: str | None,
        **kw: Any,
    ) -> Any:
        overrides = parse_overrides(mapping)
        spec = ImportSpec(tab, preset, overrides, on_conflict, max_rejected=max_rejected)
        return fn(*args, spec=spec, **kw)

    return wrapper


def _limit(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--max-rejected``: a count (``10``) or a share (``5%``) of the rows; checked as the
    import checks it (``ingest.rejections.parse``), before anything is read (exit 2)."""
    try:
        rejections.parse(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value.strip() if value is not None else None


def input_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--input-format / --encoding, for commands that read a file or standard input."""
    fn = click.option(
        "--encoding",
        metavar="NAME",
        callback=_encoding,
        help="The text's encoding (cp1252, cp1256, utf-16…; default: UTF-8, or UTF-16 by its BOM).",
    )(fn)
    return click.option(
        "--input-format",
        type=click.Choice(FORMATS),
        help="What the input is (default: by the file's extension, else sniffed).",
    )(fn)


def _encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An encoding Python knows (exit 2 otherwise, before anything is read)."""
    if value is None:
        return None
    try:
        check_encoding(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    return value


def format_choice(
    *choices: str, help: str = "Output format."
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format CHOICE (the first is the default), passed to the command as ``fmt``: the
    one spelling of the option every printing command shares."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )


#: --format text|json: what the command prints (JSON: one document, nothing else on
#: standard output; see ``model.shape``).
format_option = format_choice(
    "text", "json", help="Print text, or one JSON document (for scripts; the README documents it)."
)
