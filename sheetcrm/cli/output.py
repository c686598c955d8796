"""Printing records as a table, CSV, JSON or NDJSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import click
import pandas as pd

from sheetcrm.model.display import as_json, for_table
from sheetcrm.model.tablefile import csv_text
from sheetcrm.model.values import Codec
from sheetcrm.run import RunResult, plural


def emit(
    df: pd.DataFrame,
    fmt: str,
    *,
    codecs: Mapping[str, Codec] | None = None,
    currency: str | None = None,
    language: str = "en",
) -> None:
    """Write a frame to stdout in the chosen format, each column shown by its field's codec
    (``model.display``; a column without one is shown as it is). The table for people
    shows amounts in ``currency``; CSV and JSON keep plain numbers for programs."""
    codecs = codecs or {}
    columns: list[Any] = list(df.columns)
    if fmt in ("json", "ndjson"):
        records = [
            {c: as_json(v, codecs.get(c)) for c, v in zip(columns, row, strict=True)}
            for row in df.itertuples(index=False, name=None)
        ]
        if fmt == "json":
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        else:
            for rec in records:
                click.echo(json.dumps(rec, ensure_ascii=False))
        return
    if fmt == "csv":  # a file for people, like ``export``: free text made inert
        click.echo(csv_text(columns, df.itertuples(index=False, name=None), codecs), nl=False)
        return
    text = pd.DataFrame(
        {c: [for_table(v, codecs.get(c), currency, language) for v in df[c]] for c in columns},
        columns=columns,
    )
    if text.empty:
        click.echo("(no rows)")
        return
    click.echo(text.to_string(index=False, max_colwidth=40))


#: How each count of ``ChangeSet.counts()`` reads, singular and plural.
_UNITS = {
    "tabs_added": ("tab added", "tabs added"),
    "columns_added": ("column added", "columns added"),
    "layout_changes": ("layout change", "layout changes"),
    "cells_changed": ("cell changed", "cells changed"),
    "rows_appended": ("row appended", "rows appended"),
    "rows_deleted": ("row deleted", "rows deleted"),
    "generated_cells": ("generated cell", "generated cells"),
    "charts_changed": ("chart changed", "charts changed"),
}


def change_counts(result: RunResult) -> str:
    """``2 cells changed, 1 row appended``: what a run's plan does, in words."""
    counts = result.changes.counts()
    return ", ".join(
        plural(n, *_UNITS.get(k, (k.replace("_", " "),) * 2)) for k, n in counts.items() if n
    )


def report_run(result: RunResult, quiet: bool, done: str, *, lines: Sequence[str] = ()) -> None:
    """What a writing command did: the plan for --dry-run, else one line (``lines``, when
    given, say it in words instead of counts) and what the backend had to skip."""
    if result.dry_run:
        click.echo(result.changes.render())
        return
    if quiet:
        return
    if not result.changes:
        click.echo(f"{done}: nothing to change.")
        return
    click.echo(f"{done}: {'; '.join(lines) if lines else change_counts(result)}.")
    for line in result.skipped[:10]:
        click.echo(f"  skipped: {line}")
    if result.snapshot:
        click.echo(f"  snapshot before the change: {result.snapshot}")
