"""``sheetcrm quarantine list|retry|clear``: what imports set aside, tried again or closed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
import pandas as pd

from sheetcrm.cli.options import backend_options, force_option, format_choice, run_options
from sheetcrm.cli.output import report_run
from sheetcrm.crm import CRM
from sheetcrm.errors import ConflictsRecorded
from sheetcrm.ingest import quarantine as ledger
from sheetcrm.ingest.rejections import describe
from sheetcrm.run import plural
from sheetcrm.run.journal import Entry

#: The columns ``list`` shows in a table (``--format json`` gives every field).
SHOWN = ("quarantine_id", "status", "source", "row", "kind", "tab", "column", "value", "reason")
REASON_WIDTH = 100  # a reason says what to do; wider than ``show``'s cells


@click.group()
def quarantine() -> None:
    """Input rows and cells imports set aside (the _quarantine tab): list them, retry them
    with today's sheetcrm.toml, or close them.

    \b
    Exit codes: retry exits 8 when entries stay open, 4 when it recorded conflicts.
    """


def _source_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--source", metavar="FILE", help=help_text)


@quarantine.command("list")
@backend_options
@click.option("--all", "everything", is_flag=True, help="Resolved entries too.")
@_source_option("Only entries from this source (a file name or a tab, as in the source column).")
@format_choice("table", "json", help="Output format (json: every field, with raw and spec parsed).")
def list_(crm: CRM, everything: bool, source: str | None, fmt: str) -> None:
    """List the open entries of _quarantine, oldest first: what, where and why."""
    found = ledger.entries(crm, everything=everything, source=source)
    if fmt == "json":
        click.echo(json.dumps([_json(e) for e in found], ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("No open entries in _quarantine." if not everything else "(no entries)")
        return
    frame = pd.DataFrame([[_cell(e, c) for c in SHOWN] for e in found], columns=list(SHOWN))
    click.echo(frame.to_string(index=False, max_colwidth=REASON_WIDTH))


def _cell(entry: Entry, column: str) -> Any:
    special: dict[str, Any] = {"row": entry.row, "status": entry.status, "kind": entry.kind}
    return special[column] if column in special else entry.get(column)


def _json(entry: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {name: entry.get(name) for name in entry.cells}
    out.update(
        row=entry.row, status=entry.status, kind=entry.kind, raw=entry.raw(), spec=entry.spec()
    )
    return out


@quarantine.command()
@backend_options
@run_options
@_source_option("Only entries from this source.")
@force_option("Allow deleting or blanking many rows")
def retry(crm: CRM, dry_run: bool, quiet: bool, source: str | None, force: bool) -> None:
    """Import the open entries again, with today's sheetcrm.toml ([vocab], custom fields)
    and the options each was imported with; what now parses goes in and is resolved,
    what still fails stays open with its new reason (exit 8)."""
    done = ledger.retry(crm, source=source, dry_run=dry_run, force=force)
    for run in done.runs:
        result = run.result
        if dry_run:
            click.echo(result.changes.render())
        if quiet and not dry_run:
            continue
        verb = "Would retry" if dry_run else "Retried"
        click.echo(f"{verb} {run.source} into {result.tab} — {result.counts.line()}")
        for q in result.quarantine[:10]:
            click.echo(f"  still set aside: {describe(q)}")
        for line in result.skipped[:10]:
            click.echo(f"  skipped: {line}")
    if not quiet or dry_run:
        for entry, why in done.skipped[:10]:
            click.echo(f"  not retried: {entry.id} ({entry.source} row {entry.row}): {why}")
        click.echo(done.line() if done.runs or done.skipped else "No open entries to retry.")
    conflicts = sum(len(r.result.conflicts) for r in done.runs)
    if conflicts and not dry_run:
        raise ConflictsRecorded(
            f"{plural(conflicts, 'conflict')} with teammates' edits; see the _conflicts tab"
        )
    error = done.rejected()
    if error is not None:
        raise error


@quarantine.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@backend_options
@run_options
@_source_option("Every entry from this source.")
@click.option("--all", "everything", is_flag=True, help="Every entry.")
@click.option(
    "--resolved",
    is_flag=True,
    help="Remove the chosen entries that are resolved (a snapshot is kept first) instead "
    "of resolving open ones.",
)
def clear(
    crm: CRM,
    ids: tuple[str, ...],
    dry_run: bool,
    quiet: bool,
    source: str | None,
    everything: bool,
    resolved: bool,
) -> None:
    """Mark entries resolved (by ID, --source or --all): someone fixed the record by hand
    or decided the row is not wanted (an import that sets the same input aside again
    re-opens it: fix the file to end it). Entries are kept as evidence; --resolved
    removes resolved ones, after a snapshot `sheetcrm restore` can put back."""
    result = ledger.clear(
        crm, ids, source=source, everything=everything, resolved=resolved, dry_run=dry_run
    )
    counts = result.changes.counts()
    if resolved:
        lines = [f"{plural(counts['rows_deleted'], 'resolved entry', 'resolved entries')} removed"]
    else:
        marked = sum(1 for op in result.changes.ops if getattr(op, "field", "") == "status")
        lines = [f"{plural(marked, 'entry', 'entries')} marked resolved"]
    report_run(result, quiet, "Cleared _quarantine", lines=lines)
