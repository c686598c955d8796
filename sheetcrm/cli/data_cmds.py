"""``import``, ``export`` and ``restore``: moving records in and out without losing any."""

from __future__ import annotations

from pathlib import Path

import click

from sheetcrm.cli.options import backend_options, force_option, import_options, run_options
from sheetcrm.cli.output import report_run
from sheetcrm.crm import CRM
from sheetcrm.errors import ConflictsRecorded
from sheetcrm.ingest.export import export_tab
from sheetcrm.ingest.importer import ImportSpec, import_file, import_from_tab
from sheetcrm.ingest.mapping import describe_ignored
from sheetcrm.ingest.restore import restore as restore_snapshot
from sheetcrm.run import RunResult, plural


def _print(result: RunResult, quiet: bool) -> None:
    if result.dry_run:
        click.echo(result.changes.render())
    if quiet and not result.dry_run:
        return
    verb = "Would import" if result.dry_run else "Imported"
    click.echo(f"{verb} {result.source} into {result.tab} — {result.counts.line()}")
    for tab, summary in result.also.items():
        click.echo(f"  {tab}: {summary}")
    if result.ignored_columns:
        click.echo("  ignored columns: " + describe_ignored(result.ignored_columns))
    for q in result.quarantine[:5]:
        click.echo(f"  quarantined row {q.row}, column {q.column!r}: {q.value!r} ({q.reason})")
    if len(result.quarantine) > 5:
        click.echo(f"  … {len(result.quarantine) - 5} more in the _quarantine tab")
    if result.snapshot:
        click.echo(f"  snapshot before the change: {result.snapshot}")
    for line in result.skipped[:10]:
        click.echo(f"  skipped: {line}")


@click.command("import")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@backend_options
@run_options
@import_options
@click.option(
    "--from-tab", metavar="TAB", help="Import a tab of the same workbook (e.g. 'Form Responses 1')."
)
@force_option("Allow deleting or blanking many rows")
def import_(
    crm: CRM,
    file: str | None,
    dry_run: bool,
    quiet: bool,
    spec: ImportSpec,
    from_tab: str | None,
    force: bool,
) -> None:
    """Import FILE (CSV, TSV, XLSX, JSON, NDJSON) into a tab: upsert, dedupe, merge.

    Every row is created, updated, merged, skipped (duplicate, unchanged or empty) or
    quarantined in _quarantine with the reason; the counts add up. Exit code 4 when a
    teammate's edit conflicted with the file (recorded in _conflicts).
    """
    if bool(file) == bool(from_tab):
        raise click.UsageError("give a FILE or --from-tab TAB (one of them)")
    if from_tab:
        command = f"import --from-tab {from_tab}"
        result = import_from_tab(crm, from_tab, spec, dry_run=dry_run, force=force, command=command)
    else:
        command = f"import {file}"
        result = import_file(crm, str(file), spec, dry_run=dry_run, force=force, command=command)
    _print(result, quiet)
    if result.conflicts and not dry_run:
        kept = "the sheet's" if spec.on_conflict == "sheet" else "the file's"
        raise ConflictsRecorded(
            f"{plural(len(result.conflicts), 'conflict')} with teammates' edits ({kept} value "
            "kept); see the _conflicts tab"
        )


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
@force_option()
def restore(crm: CRM, snapshot: str, dry_run: bool, quiet: bool, force: bool) -> None:
    """Put back the records saved in SNAPSHOT (written before a destructive change)."""
    result = restore_snapshot(crm, snapshot, dry_run=dry_run)
    counts = result.changes.counts()
    cells, rows = counts["cells_changed"], counts["rows_appended"]
    done = f"Restored from {snapshot}"
    report_run(
        result, quiet, done, lines=[f"{plural(cells, 'cell')}, {plural(rows, 'row')} re-added"]
    )
