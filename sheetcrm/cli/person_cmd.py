"""``person export`` and ``person forget``: a person's data on request."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sheetcrm.cli.options import backend_options, force_option, run_options
from sheetcrm.crm import CRM
from sheetcrm.errors import PlanRefusedError
from sheetcrm.files import write_private
from sheetcrm.ingest.forget import forget as forget_person
from sheetcrm.ingest.person_export import person_export
from sheetcrm.outputs.mail import Outbox
from sheetcrm.run import RunResult


@click.group()
def person() -> None:
    """A person's data on request: everything held about them, or forget them."""


@person.command("export")
@click.argument("who", metavar="EMAIL|PHONE|ID")
@backend_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file, readable only by you (default: standard output).",
)
def export(crm: CRM, who: str, output: Path | None) -> None:
    """Write everything held about one person as JSON ("version": 1): their Customers and
    Leads rows, linked Interactions and Tasks, the _sync, _conflicts, _quarantine and
    _audit rows about them, local snapshots and the e-mail outbox.

    EMAIL|PHONE|ID: an e-mail (any case), a phone (read with the workbook's [locale]
    region) or a customer or lead ID. The JSON's shape: sheetcrm.ingest.person_export."""

    data = person_export(crm, who, ledgers=[Outbox()])
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    write_private(output, text, own_folder=False)
    click.echo(f"Wrote what is held about {who} to {output} (mode 600)", err=True)


@person.command("forget")
@click.argument("who", metavar="EMAIL|PHONE|ID")
@backend_options
@run_options
@click.option("--yes", is_flag=True, help="Do it without asking (for scripts).")
@click.option(
    "--drop-sales",
    is_flag=True,
    help="Delete their purchases and returns too (default: kept for revenue, without them).",
)
@force_option()
def forget(
    crm: CRM, who: str, dry_run: bool, quiet: bool, yes: bool, drop_sales: bool, force: bool
) -> None:
    """Remove one person everywhere: their records, linked interactions and tasks (sales
    kept without them), their _sync/_conflicts/_quarantine rows, their e-mail and phone in
    _audit, local snapshots and the outbox; a salted hash keeps later imports from bringing
    them back ("suppressed"). No snapshot is kept to undo it, so it asks first (--yes: do
    not ask).

    EMAIL|PHONE|ID: an e-mail (any case), a phone (read with the workbook's [locale]
    region) or a customer or lead ID. What stays and why: sheetcrm.ingest.forget."""

    def run(dry: bool) -> RunResult:
        return forget_person(crm, who, dry_run=dry, keep_sales=not drop_sales, ledgers=[Outbox()])

    if not dry_run and not yes:
        plan = run(True)
        if not can_ask():
            raise PlanRefusedError(
                f"person forget deletes for good and keeps no snapshot to undo it; look at "
                f"it with --dry-run, then re-run with --yes ({_what(plan)})"
            )
        click.echo(f"This removes {who}: {_what(plan)}.")
        click.confirm("Forget them for good? No snapshot is kept to undo this", abort=True)
    result = run(dry_run)
    if dry_run:
        click.echo(result.changes.render())
        click.echo(f"Would forget {who}: {_what(result)}")
        return
    if not quiet:
        click.echo(f"Forgot {who}: {_what(result)}; on the suppression list.")
        for line in [*result.changes.notes, *result.skipped[:10]]:
            click.echo(f"  note: {line}")


def can_ask() -> bool:
    """Whether someone is at a terminal to confirm (cron and pipes are not)."""
    return sys.stdin.isatty()


def _what(result: RunResult) -> str:
    return "; ".join(f"{k}: {v}" for k, v in result.also.items()) or "nothing held"
