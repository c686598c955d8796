"""``sheetcrm emulator serve``: the Sheets API emulator on loopback HTTP, for trying the
Google Sheets backend offline (``SHEETCRM_API_ENDPOINT=<url> sheetcrm init --sheet <id>``)."""

from __future__ import annotations

import os

import click

from sheetcrm.errors import ConfigError

#: the tokens ``--require-token`` accepts, comma-separated (a command line is visible to
#: every user of the machine, an environment is not)
TOKENS_ENV = "SHEETCRM_EMULATOR_TOKENS"
#: a token that turns on the loopback-only fault-scripting route (/_emulator/faults) for
#: tests that drive fresh processes against a served emulator; unset, the route is off
CONTROL_ENV = "SHEETCRM_EMULATOR_CONTROL_TOKEN"


@click.group()
def emulator() -> None:
    """A local, in-memory Google Sheets API for offline use and tests."""


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0 picks a free one).",
)
@click.option(
    "--spreadsheets",
    "count",
    default=1,
    show_default=True,
    type=click.IntRange(0, 100),
    help="Blank spreadsheets to create at start.",
)
@click.option("--quota", type=click.IntRange(min=1), help="Writes per minute per user (429 above).")
@click.option(
    "--require-token",
    "tokens",
    multiple=True,
    metavar="TOKEN",
    help="Accept only requests bearing this OAuth access token (repeatable; or list them, "
    "comma-separated, in $SHEETCRM_EMULATOR_TOKENS, which keeps them off the command line); "
    "others get Google's 401.",
)
def serve(host: str, port: int, count: int, quota: int | None, tokens: tuple[str, ...]) -> None:
    """Serve the emulator until stopped (Ctrl-C); prints its URL and spreadsheet IDs."""
    listed = os.environ.get(TOKENS_ENV, "")
    tokens = (*tokens, *(t.strip() for t in listed.split(",") if t.strip()))
    try:
        from sheetcrm.emulator import Emulator, LoopbackServer
        from sheetcrm.emulator.discovery import EmulatorDependencyError, document
    except ImportError as exc:  # pragma: no cover - requests ships with gspread
        raise click.ClickException(str(exc)) from None
    try:  # fail now, not on the first request, if the discovery document is missing
        document()
    except EmulatorDependencyError as exc:  # an extra not installed: one line, exit 7
        raise ConfigError(str(exc)) from None
    emu = Emulator(tokens=tokens or None)
    emu.write_quota = quota
    ids = [emu.create_spreadsheet(f"Spreadsheet {i + 1}").id for i in range(count)]
    server = LoopbackServer(emu, host, port, control_token=os.environ.get(CONTROL_ENV) or None)
    click.echo(f"Sheets API emulator listening on {server.url}")
    for sid in ids:
        click.echo(f"spreadsheet: {sid}")
    click.echo(
        f"try: SHEETCRM_API_ENDPOINT={server.url} sheetcrm demo --sheet {ids[0] if ids else 'ID'}"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.httpd.server_close()
