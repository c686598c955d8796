"""Printing records as a table, CSV, JSON or NDJSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import Any

import click
import pandas as pd

from sheetcrm.model.values import is_blank
from sheetcrm.run import RunResult, plural


def _jsonable(value: Any) -> Any:
    if is_blank(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def emit(df: pd.DataFrame, fmt: str, *, formatters: dict[str, Any] | None = None) -> None:
    """Write a frame to stdout in the chosen format."""
    formatters = formatters or {}
    columns: list[Any] = list(df.columns)
    if fmt in ("json", "ndjson"):
        records = [
            {c: _jsonable(v) for c, v in zip(columns, row, strict=True)}
            for row in df.itertuples(index=False, name=None)
        ]
        if fmt == "json":
            click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        else:
            for rec in records:
                click.echo(json.dumps(rec, ensure_ascii=False))
        return
    text = pd.DataFrame(
        {c: [formatters.get(c, _plain)(v) for v in df[c]] for c in columns}, columns=columns
    )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(text.itertuples(index=False, name=None))
        click.echo(buf.getvalue(), nl=False)
        return
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


def _plain(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
