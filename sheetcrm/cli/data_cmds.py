"""``import``, ``export`` and ``restore``: moving records in and out without losing any."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sheetcrm.cli.importing import (
    finish_import,
    import_webhook,
    print_import,
    reasons_on_refusal,
)
from sheetcrm.cli.options import (
    backend_options,
    force_option,
    format_option,
    import_options,
    input_options,
    run_options,
)
from sheetcrm.cli.output import report_run
from sheetcrm.cli.scripting import printed_as_json
from sheetcrm.crm import CRM
from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import ImportSpec, import_from_tab, import_table
from sheetcrm.ingest.readers import STDIN, SourceTable, read_bytes, read_source
from sheetcrm.ingest.restore import restore as restore_snapshot
from sheetcrm.run import plural


@click.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@backend_options
@run_options
@import_options
@input_options
@click.option(
    "--stdin-name",
    metavar="NAME",
    help=f"What standard input is called in messages and _quarantine (default {STDIN}); "
    "give each feed piped in its own, so their set-aside rows are kept apart.",
)
@format_option
@click.option(
    "--from-tab", metavar="TAB", help="Import a tab of the same workbook (e.g. 'Form Responses 1')."
)
@force_option("Allow deleting or blanking many rows")
@click.option(
    "--webhook",
    is_flag=True,
    help="Post the rows set aside to [notify.webhook] / [notify.trello] "
    "(always, with [notify.webhook] on_rejected = true).",
)
def import_(
    crm: CRM,
    file: str | None,
    dry_run: bool,
    quiet: bool,
    spec: ImportSpec,
    input_format: str | None,
    encoding: str | None,
    stdin_name: str | None,
    fmt: str,
    from_tab: str | None,
    force: bool,
    webhook: bool,
) -> None:
    """Import FILE (CSV, TSV, XLSX, JSON, NDJSON; - reads standard input) into a tab:
    upsert, dedupe, merge.

    Every row is created, updated, merged, skipped (duplicate, unchanged or empty) or
    quarantined in _quarantine with the reason; a bad optional cell is set aside there and
    the row imported. The counts add up. Exit 4 when a teammate's edit conflicted with the
    file or two people look alike (in _conflicts); else 8 when rows or cells were set
    aside (unless --max-rejected tolerates them).

    Without --tab or --preset, a known export (Flipkart, Amazon, Shopify, Google Ads,
    Mailchimp, a Google Form …) is recognised by its header, and the import says so.
    """
    if bool(file) == bool(from_tab):
        raise click.UsageError(
            "give a FILE or --from-tab TAB (one of them; FILE - reads standard input)"
        )
    if from_tab and (input_format or encoding):
        raise click.UsageError("--input-format and --encoding are for a FILE, not --from-tab")
    if stdin_name is not None and (file != "-" or not stdin_name.strip()):
        raise click.UsageError("--stdin-name names standard input: use it with FILE -")
    hook = import_webhook(crm, webhook)  # a bad [notify] is exit 7 before anything is read
    with reasons_on_refusal(quiet):
        if from_tab:
            command = f"import --from-tab {from_tab}"
            result = import_from_tab(
                crm, from_tab, spec, dry_run=dry_run, force=force, command=command
            )
        else:
            if spec.tab is not None or spec.preset is not None:
                spec.target(crm)  # a wrong --tab or --preset fails before stdin is read
            # neither: the file's header may say which export it is (ImportSpec.detected)
            table = _read(str(file), input_format, encoding, stdin_name)
            command = f"import {file}"
            result = import_table(crm, table, spec, dry_run=dry_run, force=force, command=command)
    if not printed_as_json(result, fmt, quiet):
        print_import(result, quiet)
    elif result.detected and not quiet:  # the JSON is stdout's; the recognition is said aside
        click.echo(f"{result.source} {result.detected}", err=True)
    finish_import(crm, [result], spec, hook, quiet)


def _read(file: str, fmt: str | None, encoding: str | None, name: str | None = None) -> SourceTable:
    """The table in FILE, or on standard input for ``-`` (read whole, before the run)."""
    if file != "-":
        return read_source(file, encoding=encoding, fmt=fmt)
    stream = sys.stdin.buffer
    if stream.isatty():
        raise click.UsageError("import - reads standard input; pipe a file into it")
    return read_bytes(stream.read(), (name or "").strip() or STDIN, encoding=encoding, fmt=fmt)


@click.command()
@click.argument("tab")
@backend_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "ndjson", "xlsx"]),
    default="csv",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output; required for xlsx).",
)
@click.option(
    "--raw", is_flag=True, help="CSV: formula-looking text as stored, without the apostrophe."
)
def export(crm: CRM, tab: str, fmt: str, output: Path | None, raw: bool) -> None:
    """Export TAB as CSV (formula-looking text escaped), JSON, NDJSON or XLSX."""
    text = export_tab(crm, tab, fmt, output, raw=raw)
    if text is not None:
        click.echo(text, nl=False)


@click.command()
@click.argument("snapshot", type=click.Path(dir_okay=False, exists=True))
@backend_options
@run_options
@format_option
@force_option()
def restore(crm: CRM, snapshot: str, dry_run: bool, quiet: bool, fmt: str, force: bool) -> None:
    """Put back the records saved in SNAPSHOT (written before a destructive change)."""
    result = restore_snapshot(crm, snapshot, dry_run=dry_run)
    if printed_as_json(result, fmt, quiet):
        return
    counts = result.changes.counts()
    cells, rows = counts["cells_changed"], counts["rows_appended"]
    done = f"Restored from {snapshot}"
    report_run(
        result, quiet, done, lines=[f"{plural(cells, 'cell')}, {plural(rows, 'row')} re-added"]
    )
