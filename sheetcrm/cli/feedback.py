"""What a person hears while a command waits: one stderr line per noticeable wait (a retry
after a rate limit or a Google hiccup), unless ``--quiet`` was given anywhere."""

from __future__ import annotations

from collections.abc import Callable

import click


def waiting_notice(quiet: object = False) -> Callable[[str], None] | None:
    """The callable the backend's retry policy reports to, or None under ``--quiet``
    (the command's own flag or the global one)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root().obj if ctx is not None else None
    if quiet or (isinstance(root, dict) and root.get("quiet")):
        return None
    return say


def say(message: str) -> None:
    """One line on stderr, so stdout stays the command's output."""
    click.echo(f"sheetcrm: {message}", err=True)
