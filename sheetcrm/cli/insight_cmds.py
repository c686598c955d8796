"""``refresh``, ``segments`` and ``explain``: the computed side of the CRM."""

from __future__ import annotations

import datetime as dt

import click

from sheetcrm.cli.options import (
    as_of_option,
    backend_options,
    force_option,
    format_option,
    run_options,
)
from sheetcrm.cli.output import report_run
from sheetcrm.cli.scripting import echo_doc, printed_as_json
from sheetcrm.crm import CRM
from sheetcrm.model import vocab
from sheetcrm.outputs.i18n import gettext, local_format
from sheetcrm.outputs.shapes import explain_doc, segments_doc
from sheetcrm.workbook.refresh import count_segments
from sheetcrm.workbook.refresh import explain as explain_lead
from sheetcrm.workbook.refresh import refresh as refresh_crm


@click.command()
@backend_options
@run_options
@as_of_option
@format_option
@force_option()
def refresh(crm: CRM, dry_run: bool, quiet: bool, as_of: dt.date, fmt: str, force: bool) -> None:
    """Recompute computed columns, segments, RFM, scores, colours and the dashboard."""
    result = refresh_crm(crm, as_of, dry_run=dry_run)
    if not printed_as_json(result, fmt, quiet):
        report_run(result, quiet, f"Refreshed {crm.describe()} as of {as_of}")


@click.command()
@backend_options
@as_of_option
@format_option
def segments(crm: CRM, as_of: dt.date, fmt: str) -> None:
    """Print how many customers are in each segment and RFM segment."""
    counts = count_segments(crm, as_of)
    if fmt == "json":
        echo_doc(segments_doc(counts, as_of))
        return
    local = local_format(crm.config)
    click.echo(gettext("Segments as of %(day)s:", local.language) % {"day": local.date(as_of)})
    for name, n in counts["segment"].items():
        shown = vocab.label("Customers.segment", str(name), local.lang)
        click.echo(f"  {shown:<20} {local.number(n):>7}")
    click.echo(gettext("RFM segments:", local.language))
    for name, n in sorted(counts["rfm_segment"].items(), key=lambda kv: -kv[1]):
        click.echo(f"  {name:<20} {local.number(n):>7}")


@click.command()
@click.argument("lead_id")
@backend_options
@as_of_option
@format_option
def explain(crm: CRM, lead_id: str, as_of: dt.date, fmt: str) -> None:
    """Show how a lead's score (0–100) is made up."""
    score, reasons = explain_lead(crm, lead_id, as_of)
    if fmt == "json":
        echo_doc(explain_doc(lead_id, score, reasons, as_of))
        return
    click.echo(f"{lead_id}: score {score}")
    for label, points in reasons:
        click.echo(f"  {points:>+6g}  {label}")
    if not reasons:
        click.echo("  (nothing scores: no source, interest, contacts or campaign)")
