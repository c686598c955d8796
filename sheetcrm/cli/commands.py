"""The commands: each parses options, calls one library function and prints the result."""

from __future__ import annotations

import datetime as dt

import click
import pandas as pd

from sheetcrm.cli.options import (
    as_of_option,
    backend_options,
    force_option,
    format_option,
    output_options,
    run_options,
)
from sheetcrm.cli.output import emit
from sheetcrm.cli.output import report_run as _report
from sheetcrm.cli.report_cmds import quiet_logs
from sheetcrm.cli.scripting import echo_doc, printed_as_json
from sheetcrm.crm import CRM, repairs
from sheetcrm.demo import TITLE as DEMO_TITLE
from sheetcrm.demo import run_demo
from sheetcrm.model.grid import TabGrid
from sheetcrm.outputs.shapes import summary_doc
from sheetcrm.outputs.summary import make_summary, summary_text


@click.command()
@backend_options
@run_options
@format_option
@force_option()
@click.option(
    "--seller",
    is_flag=True,
    help="Add the Orders, Returns and Earnings tabs now (the first import of orders or "
    "earnings adds them otherwise).",
)
def init(crm: CRM, dry_run: bool, quiet: bool, fmt: str, force: bool, seller: bool) -> None:
    """Create the CRM tabs, or repair what is missing (changes nothing else)."""
    result = crm.init(dry_run=dry_run, seller=seller)
    if printed_as_json(result, fmt, quiet):
        return
    made = [t for t in crm.schema.tabs.values() if seller or not t.optional]
    if result.changes and result.changes.counts()["tabs_added"] < len(made):
        _report(result, quiet, f"Repaired {crm.describe()}", lines=repairs(result.changes))
    else:
        _report(result, quiet, f"Initialised {crm.describe()}")


@click.command()
@backend_options
@run_options
@as_of_option
@force_option("Add demo records even to a non-demo workbook")
def demo(crm: CRM, dry_run: bool, quiet: bool, as_of: dt.date, force: bool) -> None:
    """Build a realistic demo CRM (a small online shop), refresh it, write crm-report.html
    next to it and print a summary."""
    with quiet_logs(quiet):
        done = run_demo(crm, as_of, force=force, dry_run=dry_run)
    _report(done.written, quiet, f"Demo CRM in {done.where}")  # a dry run: the plan
    if quiet or done.refreshed is None or done.report is None or done.summary is None:
        return
    if done.refreshed.changes:
        click.echo("Computed columns, segments, colours and the Dashboard tab refreshed.")
    click.echo(f"Report: {done.report.path} (open it in a browser)")
    click.echo()
    click.echo(summary_text(crm, done.summary, DEMO_TITLE))
    click.echo(f"Open {crm.describe()} in Excel or LibreOffice, or try: sheetcrm show Customers")


@click.command()
@backend_options
@as_of_option
@format_option
def summary(crm: CRM, as_of: dt.date, fmt: str) -> None:
    """Print the CRM's headline figures."""
    figures = make_summary(crm, as_of=as_of)
    if fmt == "json":
        currency = crm.config.values.currency
        echo_doc(summary_doc(figures, currency=currency, workbook=crm.describe()))
        return
    click.echo(summary_text(crm, figures))


@click.command()
@click.argument("tab")
@backend_options
@output_options
@click.option("--formulas", is_flag=True, help="Show formulas instead of their values.")
def show(
    crm: CRM, tab: str, fmt: str, limit: int | None, columns: str | None, formulas: bool
) -> None:
    """Print TAB (e.g. Customers) as a table, CSV, JSON or NDJSON."""
    name = crm.schema.tab(tab).name if _known(crm, tab) else tab
    grid = crm.grid(name, values_only=not formulas)
    df = crm.frame(name, grid) if _known(crm, tab) else _raw_frame(grid)
    if formulas:
        for (r, c), text in grid.formulas.items():
            header = grid.header[c] if c < len(grid.header) else None
            key = crm.schema[name].get(str(header)) if _known(crm, tab) else None
            column = key.name if key else str(header)
            if column in df.columns:
                df[column] = df[column].astype(object)
                df.at[r, column] = text
    if columns:
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in df.columns]
        if unknown:
            raise click.BadParameter(f"no column {unknown[0]!r} in {name}", param_hint="--columns")
        df = df[wanted]
    if limit is not None:
        df = df.head(limit)
    fields = crm.schema[name].fields if _known(crm, tab) else ()
    emit(
        df,
        fmt,
        codecs={f.name: f.codec for f in fields},
        currency=crm.ctx.currency,
        language=crm.config.lang,
    )


def _known(crm: CRM, tab: str) -> bool:
    try:
        crm.schema.tab(tab)
    except Exception:
        return False
    return True


def _raw_frame(grid: TabGrid) -> pd.DataFrame:
    width = grid.width
    header = [str(h) if h else f"col{i + 1}" for i, h in enumerate(grid.header + [None] * width)]
    return pd.DataFrame(
        [list(r) + [None] * (width - len(r)) for r in grid.rows], columns=header[:width]
    )


def register(group: click.Group) -> None:
    from sheetcrm.cli.auth_cmds import auth
    from sheetcrm.cli.data_cmds import export, import_, restore
    from sheetcrm.cli.doctor_cmd import doctor
    from sheetcrm.cli.emulator_cmd import emulator
    from sheetcrm.cli.insight_cmds import explain, refresh, segments
    from sheetcrm.cli.person_cmd import person
    from sheetcrm.cli.quarantine_cmd import quarantine
    from sheetcrm.cli.report_cmds import remind, report
    from sheetcrm.cli.watch_cmd import watch

    for command in (
        init,
        demo,
        show,
        summary,
        import_,
        export,
        restore,
        quarantine,
        watch,
        refresh,
        segments,
        explain,
        report,
        remind,
        person,
        auth,
        doctor,
        emulator,
    ):
        group.add_command(command)
