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
    columns: Sequence[str] = list(df.columns)
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


def report_run(result: Any, quiet: bool, done: str) -> None:
    """What a writing command did: the plan for --dry-run, else one line of counts."""
    if result.dry_run:
        click.echo(result.changes.render())
        return
    if quiet:
        return
    if not result.changes:
        click.echo(f"{done}: nothing to change.")
        return
    counts = ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in result.changes.counts().items() if v
    )
    click.echo(f"{done}: {counts}.")
    report = getattr(result, "report", None)
    for line in (report.skipped if report else [])[:10]:
        click.echo(f"  skipped: {line}")


def _plain(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
