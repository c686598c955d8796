"""``sheetcrm watch``: keep importing new form responses until stopped (Ctrl-C, SIGTERM)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import click

from sheetcrm.cli.importing import raise_outcome
from sheetcrm.cli.options import backend_options, force_option, import_options
from sheetcrm.crm import CRM
from sheetcrm.ingest.importer import ImportSpec
from sheetcrm.ingest.watch import PollReport, Watch, parse_every
from sheetcrm.workbook.refresh import refresh


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> float:
    """``30s``, ``5m``, ``1h`` (or seconds) → seconds."""
    try:
        return parse_every(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


@click.command()
@backend_options
@click.option(
    "--from-tab",
    "sources",
    multiple=True,
    required=True,
    metavar="TAB",
    help="The responses tab to take rows from (e.g. 'Form Responses 1'); repeatable.",
)
@click.option(
    "--every",
    default="5m",
    show_default=True,
    callback=_duration,
    metavar="DURATION",
    help="Poll interval: 30s, 5m, 1h…",
)
@click.option("--once", is_flag=True, help="Poll once and exit (for cron and tests).")
@import_options
@click.option("--no-refresh", is_flag=True, help="Do not recompute computed columns.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@force_option()
@click.pass_context
def watch(
    ctx: click.Context,
    crm: CRM,
    sources: tuple[str, ...],
    every: float,
    once: bool,
    spec: ImportSpec,
    no_refresh: bool,
    quiet: bool,
    force: bool,
) -> None:
    """Keep importing the new rows of a form-responses tab, every 5 minutes (--every).

    Only rows not taken in before are imported (they are remembered in _sync, so a
    restart or another machine continues where it left off); computed columns are
    refreshed when records changed. On a network failure it backs off and tries again.
    Ctrl-C or SIGTERM stops it between polls (a second Ctrl-C stops it at once).
    With --once, the exit code is an import's: 4 for conflicts, 8 for rows set aside.
    """
    quiet = quiet or bool((ctx.obj or {}).get("quiet"))
    say = _printer(quiet)
    polls: list[PollReport] = []

    def on_poll(report: PollReport) -> None:
        polls.append(report)
        say(report.line())

    loop = Watch(
        crm,
        sources,
        spec.or_form(),
        every,
        refresh=None if no_refresh else (lambda day: refresh(crm, day)),
        on_poll=on_poll,
        on_wait=lambda message: say(message, err=True),
    )
    if once:
        loop.run(once=True)
        raise_outcome([r for report in polls for r in report.results], spec)
        return
    if not quiet:
        click.echo(f"Watching {', '.join(sources)} in {crm.describe()} every {every:g} s")
    totals = loop.run_until_signalled(
        on_stop=lambda: say("stopping after this poll (Ctrl-C again to stop now)", err=True)
    )
    if not quiet:
        click.echo(f"Stopped: {totals.line()}")


def _printer(quiet: bool) -> Callable[..., None]:
    """One timestamped line per poll (stdout) or wait (stderr); nothing under --quiet."""

    def say(message: str, *, err: bool = False) -> None:
        if not quiet:
            stamp = dt.datetime.now().strftime("%H:%M:%S")
            click.echo(f"{stamp} watch: {message}", err=err)

    return say
