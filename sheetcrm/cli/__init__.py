"""The ``sheetcrm`` command line: thin click commands over the library.

User errors (``SheetCRMError``) print one line and exit with their documented code;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import EXIT_CONFLICTS, EXIT_INTERNAL, SheetCRMError
from .commands import register


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SheetCRMError as exc:
            label = "" if exc.exit_code == EXIT_CONFLICTS else "error: "
            click.echo(f"sheetcrm: {label}{exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("sheetcrm: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sheetcrm")
def cli() -> None:
    """sheetcrm: a spreadsheet (Google Sheets or a local .xlsx) as a small-business CRM.

    \b
    Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input or workbook,
    4 conflicts recorded, 5 locked by another run, 6 temporary failure (retry),
    7 configuration or credentials.
    """


register(cli)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="sheetcrm")
    except SystemExit:
        raise
    except Exception:  # pragma: no cover - a bug: keep the traceback, use exit code 1
        import traceback

        traceback.print_exc()
        sys.exit(EXIT_INTERNAL)
