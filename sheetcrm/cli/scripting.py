"""``--format json``: one JSON document on standard output and nothing else there (waits,
warnings and errors go to stderr), so ``sheetcrm … --format json | jq`` always parses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import click

from sheetcrm.model.shape import dumps
from sheetcrm.run import RunResult


def echo_doc(doc: Mapping[str, Any]) -> None:
    """Print one document (``model.shape``)."""
    click.echo(dumps(doc))


def printed_as_json(result: RunResult, fmt: str, quiet: bool) -> bool:
    """With ``--format json``, print the run (``RunResult.to_dict``) and say so; ``quiet``
    keeps a run that wrote silent, as in text, but a dry run's plan is always printed."""
    if fmt != "json":
        return False
    if result.dry_run or not quiet:
        echo_doc(result.to_dict())
    return True
