"""``report`` and ``remind``: the weekly report and the follow-up reminders."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from sheetcrm.cli.options import as_of_option, backend_options, format_option, period_option
from sheetcrm.cli.scripting import echo_doc
from sheetcrm.crm import CRM
from sheetcrm.errors import NotDelivered
from sheetcrm.outputs.i18n import local_format
from sheetcrm.outputs.mail import check_address, check_header
from sheetcrm.outputs.notify import (
    NotifySettings,
    Posted,
    deliver,
    notify_settings,
    remind_notice,
    report_notice,
    require,
)
from sheetcrm.outputs.reminders import remind as remind_crm
from sheetcrm.outputs.report import make_report
from sheetcrm.outputs.shapes import remind_doc
from sheetcrm.run import plural


@contextlib.contextmanager
def quiet_logs(quiet: bool) -> Iterator[None]:
    """With ``--quiet``, warnings (a script the charts have no font for) stay out of the
    output too, so a cron job's mail is empty; errors still show."""
    logger = logging.getLogger("sheetcrm")
    before = logger.level
    if quiet:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def webhook_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--webhook``: post ``what`` to every configured notification (``outputs.notify``)."""
    return click.option(
        "--webhook",
        is_flag=True,
        help=f"Post {what} to [notify.webhook] (Slack or generic JSON) and [notify.trello].",
    )


def webhook_settings(webhook: bool, crm: CRM) -> NotifySettings | None:
    """``[notify]`` checked before anything is read or sent (exit 7), when asked for."""
    return require(notify_settings(crm.config)) if webhook else None


@click.command()
@backend_options
@as_of_option
@click.option("--template", help="Template name (from [report] templates or the built-ins).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md", "txt", "pdf"]),
    default="html",
    show_default=True,
)
@period_option()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here (default: standard output).",
)
@click.option(
    "--email",
    "emails",
    multiple=True,
    metavar="ADDR",
    help="E-mail the report (HTML + text) to ADDR; repeatable.",
)
@click.option("--title", help="The report's title.")
@webhook_option("the report's figures")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
def report(
    crm: CRM,
    as_of: dt.date,
    template: str | None,
    fmt: str,
    period: str,
    output: Path | None,
    emails: tuple[str, ...],
    title: str | None,
    webhook: bool,
    quiet: bool,
) -> None:
    """Render a report (HTML with charts, Markdown, plain text or PDF) and send it.

    With --webhook, exit 8 when the notification could not be delivered after its
    retries (the e-mails and other notifications are still sent)."""
    if fmt == "pdf" and output is None and not emails:
        raise click.UsageError("a PDF report needs -o FILE.pdf (or --email)")
    for address in emails:  # before anything is read, written or sent (exit 3)
        check_address(address)
    if emails and title:
        check_header("subject", title)
    hook = webhook_settings(webhook, crm)
    with quiet_logs(quiet):
        result = make_report(
            crm,
            as_of=as_of,
            period=period,
            fmt=fmt,
            template=template,
            output=output,
            emails=emails,
            title=title,
        )
    posted = deliver(hook, [report_notice(crm, result.data)], strict=False) if hook else None
    if output is None and not emails and not hook and isinstance(result.content, str):
        click.echo(result.content, nl=False)
    elif not quiet:
        if result.path:
            click.echo(f"Wrote {result.path}")
        if result.delivery:
            d = result.delivery
            click.echo(f"E-mailed {len(d.sent)}; already sent earlier: {len(d.already_sent)}")
        if posted:
            click.echo(posted.line())
    failed = posted.error() if posted else None
    if failed is not None:
        raise failed


@click.command()
@backend_options
@as_of_option
@click.option("--email", is_flag=True, help="E-mail each person their digest ([team] addresses).")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the re-engagement list (mail-merge ready) to this CSV file.",
)
@click.option(
    "--drafts",
    "drafts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write a personal win-back draft per customer into this folder.",
)
@webhook_option("the follow-ups and unhappy customers")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success.")
@format_option
def remind(
    crm: CRM,
    as_of: dt.date,
    email: bool,
    csv_path: Path | None,
    drafts_dir: Path | None,
    webhook: bool,
    quiet: bool,
    fmt: str,
) -> None:
    """Digest per person of overdue and upcoming follow-ups; win-back list of inactive
    customers (opted-out customers are never included).

    With --email, exit 8 when someone's digest could not be delivered (no address in
    [team], or refused by the server): the others are sent. --webhook posts the day's
    follow-ups and the unhappy customers to call back (exit 8 when it could not).
    """
    hook = webhook_settings(webhook, crm)
    result = remind_crm(crm, as_of=as_of, email=email, csv_path=csv_path, drafts_dir=drafts_dir)
    posted: Posted | None = None
    if hook is not None:
        notice = remind_notice(crm, result, as_of, local_format(crm.config))
        posted = deliver(hook, [notice], strict=False)
    missed = result.undelivered
    if fmt == "json":
        if not quiet:
            echo_doc(remind_doc(result, as_of))
    elif not quiet:
        click.echo(result.text, nl=False)
        if result.csv_path:
            click.echo(f"Re-engagement list: {result.csv_path} ({len(result.reengage)} customers)")
        if result.drafts:
            click.echo(f"Drafts: {len(result.drafts)} in {drafts_dir}")
        if result.delivery:
            click.echo(f"E-mailed {len(result.delivery.sent)} digest(s)")
        for person in result.unknown_people:
            click.echo(f"  no e-mail for {person!r}: add it to [team] in sheetcrm.toml")
    if posted and not quiet:  # beside a JSON document, on stderr
        click.echo(posted.line(), err=fmt == "json")
    failed = posted.error() if posted else None
    if failed is not None and not missed:
        raise failed
    if failed is not None:
        click.echo(f"sheetcrm: {failed}", err=True)
    if missed:
        who = ", ".join(str(m) for m in missed[:5]) + (" …" if len(missed) > 5 else "")
        sent = len(result.delivery.sent) if result.delivery else 0
        raise NotDelivered(
            f"{plural(len(missed), 'digest')} not delivered ({who}); {plural(sent, 'other')} sent"
        )
