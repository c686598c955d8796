"""The ``sheetcrm`` command line: thin click commands over the library.

User errors (``SheetCRMError``) print one line and exit with their documented code.
Anything else is a bug: one line saying so and how to report it, exit 1; the traceback
goes to a file (and to stderr with $SHEETCRM_DEBUG set). A reader that stops reading
(``sheetcrm show Customers | head -1``) is no error at all: exit 0, nothing printed.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from sheetcrm.cli.commands import register
from sheetcrm.errors import EXIT_CONFLICTS, EXIT_INTERNAL, EXIT_PARTIAL, SheetCRMError
from sheetcrm.files import write_private


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        started = time.monotonic()
        try:
            result = super().invoke(ctx)
        except SheetCRMError as exc:
            label = "" if exc.exit_code in (EXIT_CONFLICTS, EXIT_PARTIAL) else "error: "
            click.echo(f"sheetcrm: {label}{exc}", err=True)
            _log(ctx, "failed", started, exit=exc.exit_code, error=str(exc))
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("sheetcrm: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            if not stdout_closed():
                raise  # a socket, say: not the reader of our output
            stop_writing_stdout()
            _log(ctx, "done", started, exit=0, stdout="closed by the reader")
            ctx.exit(0)
        _log(ctx, "done", started, exit=0)
        return result


def stdout_closed() -> bool:
    """Whether standard output is a pipe whose reader has gone (``| head``): its descriptor
    polls as an error. Where that cannot be asked (Windows), a broken pipe is taken as it."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    if not hasattr(select, "poll"):
        return True
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))


def stop_writing_stdout() -> None:
    """Python's recipe for a closed pipe: point standard output at the null device, so the
    interpreter's last flush of what is still buffered does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def _log(ctx: click.Context, event: str, started: float, **fields: Any) -> None:
    """One JSON line on stderr per run (with --log-json), for cron and log collectors."""
    if not (ctx.obj or {}).get("log_json"):
        return
    record = {
        "event": event,
        "command": ctx.invoked_subcommand,
        "argv": sys.argv[1:],
        "seconds": round(time.monotonic() - started, 3),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **fields,
    }
    click.echo(json.dumps(record, ensure_ascii=False), err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sheetcrm")
@click.option("--log-json", is_flag=True, help="Log each run as one JSON line on stderr.")
@click.option(
    "--quiet",
    "-q",
    "quiet_all",
    is_flag=True,
    help="Print nothing but errors (for cron); works with every command.",
)
@click.pass_context
def cli(ctx: click.Context, log_json: bool, quiet_all: bool) -> None:
    """sheetcrm: a spreadsheet (Google Sheets or a local .xlsx) as a small-business CRM.

    \b
    Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input or workbook,
    4 conflicts recorded, 5 locked by another run, 6 temporary failure (retry),
    7 configuration or credentials, 8 done but rows set aside or messages undelivered.
    """
    ctx.obj = {"log_json": log_json, "quiet": quiet_all}
    if quiet_all:
        logging.getLogger("sheetcrm").setLevel(logging.ERROR)  # warnings too: cron mail stays empty
        devnull = open(os.devnull, "w")  # noqa: SIM115 - closed when the command ends
        ctx.call_on_close(devnull.close)
        ctx.call_on_close(lambda: setattr(sys, "stdout", sys.__stdout__))
        sys.stdout = devnull


register(cli)


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="sheetcrm")
    except SystemExit:
        _flush()
        raise
    except Exception as exc:  # a bug: one line here, the traceback kept in a file
        click.echo(bug_report(exc), err=True)
        sys.exit(EXIT_INTERNAL)


def _flush() -> None:
    """Flush standard output now, while a closed pipe can still be told from a bug."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        stop_writing_stdout()
    except (OSError, ValueError):
        pass


def bug_report(exc: BaseException) -> str:
    """The one line a bug prints. The traceback (secrets blanked) goes to a private file in
    the user log dir; with $SHEETCRM_DEBUG set it is printed on stderr as well."""
    import traceback

    import platformdirs

    from sheetcrm.backends.gsheets.redact import redact

    text = redact("".join(traceback.format_exception(exc)))
    if os.environ.get("SHEETCRM_DEBUG"):
        click.echo(text, err=True, nl=False)
    folder = Path(platformdirs.user_log_dir("sheetcrm", appauthor=False))
    path = folder / f"crash-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    try:
        write_private(path, f"sheetcrm {sys.argv[1:]!r}\n{text}")
        where = f"with the traceback saved in {path}"
    except OSError:
        where = "with the traceback (run again with SHEETCRM_DEBUG=1 to see it)"
    what = (str(exc).splitlines() or [""])[0][:200]
    return (
        f"sheetcrm: internal error (a bug in sheetcrm, not in your data): "
        f"{type(exc).__name__}: {redact(what)}; please report it {where}"
    )
