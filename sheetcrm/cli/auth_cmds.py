"""``sheetcrm auth login | status | logout``: sign in with a Google account, see which
credentials are in use, sign out. Each calls one function of the Google backend."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from sheetcrm.cli.options import format_choice
from sheetcrm.config import load_config
from sheetcrm.errors import ConfigError


@click.group()
def auth() -> None:
    """Sign in to Google Sheets with your Google account, and see which credentials are used."""


@auth.command()
@click.option(
    "--client-secret",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The Desktop app OAuth client JSON from the Cloud Console "
    "(default: client_secret.json in sheetcrm's config folder).",
)
@click.option(
    "--no-browser",
    is_flag=True,
    help="Do not open a browser: print the address, and accept the address Google "
    "redirects to pasted back (for a machine without a browser).",
)
def login(client_secret: Path | None, no_browser: bool) -> None:
    """Sign in with your Google account (access to your spreadsheets only)."""
    from sheetcrm.backends.gsheets.oauth import login as sign_in

    done = sign_in(
        client_secret,
        open_browser=not no_browser,
        say=lambda text: click.echo(text, err=True),
        paste=sys.stdin.readline,
    )
    who = f" as {done.email}" if done.email else ""
    click.echo(f"Signed in{who}; the token is in {done.path} (readable only by you).")
    if done.saved_client:
        click.echo(f"Kept the OAuth client in {done.saved_client} for the next sign-in.")
    click.echo("Next: sheetcrm init --sheet <your spreadsheet's URL>")


@auth.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True),
    help="Path to sheetcrm.toml (default: ./sheetcrm.toml, or $SHEETCRM_CONFIG).",
)
@format_choice("text", "json", help="Output format.")
def status(config_path: str | None, fmt: str) -> None:
    """Show which Google credentials sheetcrm uses (never a secret); exit 7 if unusable."""
    from sheetcrm.backends.gsheets.auth import credential_status

    state = credential_status(load_config(config_path))
    if fmt == "json":
        click.echo(json.dumps(state.as_dict(), indent=2))
    else:
        where = f" ({state.path})" if state.path else ""
        click.echo(f"credentials: {state.kind}, from {state.source}{where}")
        click.echo(f"account:     {state.email or 'unknown'}")
        click.echo(f"scopes:      {', '.join(state.scopes) or '-'}")
        click.echo(f"expires:     {_expiry(state.expiry, state.fresh)}")
    if state.problem:
        raise ConfigError(state.problem)


def _expiry(expiry: dt.datetime | None, fresh: bool) -> str:
    if expiry is None:
        return "fetched on first use" if not fresh else "never"
    when = expiry.isoformat(timespec="minutes")
    return when if fresh else f"{when} (expired; refreshed on next use)"


@auth.command()
def logout() -> None:
    """Revoke the sign-in of `sheetcrm auth login` at Google and delete its token."""
    from sheetcrm.backends.gsheets.oauth import logout as sign_out

    done = sign_out()
    if not done.removed:
        click.echo(f"Not signed in (no token at {done.path}).")
        return
    if done.problem:
        click.echo(f"sheetcrm: warning: {done.problem}; the token was deleted here", err=True)
    state = "revoked and deleted" if done.revoked else "deleted"
    click.echo(f"Signed out: the token was {state} ({done.path}).")
