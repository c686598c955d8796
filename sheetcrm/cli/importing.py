"""What an import tells the person who ran it, and what it tells cron.

The summary says where every row went, which cells were set aside (the row still went in),
which people look alike but were kept apart, and ends with one line saying whether anything
needs a look. The exit code says the same to a script: 4 when ``_conflicts`` needs a look
(teammates' edits, possible duplicates), else 8 when rows or cells went to ``_quarantine``
(unless ``--max-rejected`` tolerates them), else 0. With ``--webhook`` (or
``[notify.webhook] on_rejected = true``) the set-aside rows are posted as a notice too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import click

from sheetcrm.crm import CRM
from sheetcrm.errors import ConflictsRecorded, SheetCRMError, TooManyRejected
from sheetcrm.ingest.importer import ImportSpec, rejected
from sheetcrm.ingest.mapping import describe_ignored
from sheetcrm.outputs.notify import (
    NotifySettings,
    deliver,
    notify_settings,
    rejected_notice,
    require,
)
from sheetcrm.run import Conflict, Quarantined, RunResult, plural
from sheetcrm.run.journal import text

#: How many set-aside rows, cells and possible duplicates the summary lists (the rest: in
#: the tabs).
SHOWN = 5
DUPLICATE = "possible-duplicate"
T = TypeVar("T")


def print_import(result: RunResult, quiet: bool) -> None:
    """The plan (a dry run), the counts line, then what needs a look, and a final line.
    ``quiet``: nothing, unless it is a dry run (whose plan is the output)."""
    if result.dry_run:
        click.echo(result.changes.render())
    if quiet and not result.dry_run:
        return
    if result.detected:
        click.echo(f"{result.source} {result.detected}")
    verb = "Would import" if result.dry_run else "Imported"
    click.echo(f"{verb} {result.source} into {result.tab} — {result.counts.line()}")
    for tab, summary in result.also.items():
        click.echo(f"  {tab}: {summary}")
    if result.ignored_columns:
        click.echo("  ignored columns: " + describe_ignored(result.ignored_columns))
    for line in result.left_out[:SHOWN]:
        click.echo(f"  left out: {line}")
    if len(result.left_out) > SHOWN:
        click.echo(f"  … {len(result.left_out) - SHOWN} more rows left out")
    _listed([q for q in result.quarantine if q.kind != "cell"], _row_line, "_quarantine")
    _listed([q for q in result.quarantine if q.kind == "cell"], _cell_line, "_quarantine")
    _listed(duplicates(result), _duplicate_line, "_conflicts")
    edits = [c for c in result.conflicts if c.kind != DUPLICATE]
    _listed(edits, _edit_line, "_conflicts")
    if result.snapshot:
        click.echo(f"  snapshot before the change: {result.snapshot}")
    for line in result.skipped[:10]:
        click.echo(f"  skipped: {line}")
    click.echo(final_line(result))


def _listed(items: Sequence[T], line: Callable[[T], str], tab: str) -> None:
    for item in items[:SHOWN]:
        click.echo("  " + line(item))
    if len(items) > SHOWN:
        click.echo(f"  … {len(items) - SHOWN} more in the {tab} tab")


def _row_line(q: Quarantined) -> str:
    column = f", column {q.column!r}" if q.column else ""
    return f"quarantined row {q.row}{column}: {q.value!r} ({q.reason})"


def _cell_line(q: Quarantined) -> str:
    said = "imported" in q.reason  # the reason may say what became of the row already
    return f"row {q.row}, column {q.column!r}: {q.value!r} set aside ({q.reason})" + (
        "" if said else "; the row was imported"
    )


def _duplicate_line(c: Conflict) -> str:
    """``possible duplicate kept apart: C-3 <m@…> and C-9 <s@…> share phone …``."""
    shared = f"{c.field}" if c.field else "a key"
    return (
        f"possible duplicate kept apart: {_who(c.sheet_value)} and {_who(c.source_value)} "
        f"share {shared} (in {c.tab}); write 'same person' in its _conflicts row to merge them"
    )


def _edit_line(c: Conflict) -> str:
    """``conflict in Customers C-3, city: the sheet has 'York', the file 'Bristol' (…)``."""
    what = "a formula in the sheet" if c.kind == "formula" else "a teammate's edit"
    return (
        f"conflict in {c.tab} {c.record_id}, {c.field}: the sheet has {_shown(c.sheet_value)}, "
        f"the file {_shown(c.source_value)} ({what}; {c.resolution})"
    )


def _shown(value: object) -> str:
    """A value as the sheet shows it, quoted: '2026-09-30', not datetime.date(2026, 9, 30)."""
    return repr(text(value))


def _who(value: object) -> str:
    """``"C-3 m@example.com"`` → ``C-3 <m@example.com>``; anything else as it is."""
    text = str(value or "").strip()
    first, _, rest = text.partition(" ")
    return f"{first} <{rest.strip()}>" if "@" in rest and not rest.startswith("<") else text


def duplicates(result: RunResult) -> list[Conflict]:
    """The possible duplicates a run kept apart (``Conflict.kind == "possible-duplicate"``)."""
    return [c for c in result.conflicts if c.kind == DUPLICATE]


def final_line(result: RunResult) -> str:
    """One line: done (or what a dry run would do), and what needs a look, where."""
    twins = len(duplicates(result))
    edits = len(result.conflicts) - twins
    parts = []
    if result.quarantine:
        what = set_aside(result.quarantine)
        parts.append(f"{what} set aside in _quarantine (sheetcrm quarantine list)")
    if twins:
        parts.append(f"{plural(twins, 'possible duplicate')} to review in _conflicts")
    if edits:
        parts.append(f"{plural(edits, 'conflict')} with teammates' edits in _conflicts")
    head = "Dry run, nothing written" if result.dry_run else "Done"
    if not parts:
        return f"{head}: every row accounted for, nothing set aside."
    return f"{head}: " + "; ".join(parts) + "."


@contextmanager
def reasons_on_refusal(quiet: bool) -> Iterator[None]:
    """An import over ``--max-rejected`` wrote nothing; before its error line, stderr
    lists what it would have set aside (the first ``SHOWN * 2``), so the fix is in view."""
    try:
        yield
    except TooManyRejected as exc:
        lines = exc.lines()
        if not quiet:
            for line in lines[: SHOWN * 2]:
                click.echo(f"  {line}", err=True)
            if len(lines) > SHOWN * 2:
                click.echo(f"  … and {len(lines) - SHOWN * 2} more", err=True)
        raise


def set_aside(entries: Sequence[Quarantined]) -> str:
    """``2 rows and 1 cell``: what went to ``_quarantine``, in words."""
    rows = sum(q.kind != "cell" for q in entries)
    cells = len(entries) - rows
    return " and ".join(plural(n, unit) for n, unit in ((rows, "row"), (cells, "cell")) if n)


def raise_outcome(results: Sequence[RunResult], spec: ImportSpec) -> None:
    """Exit 4 when conflicts were recorded, else exit 8 when input was set aside beyond
    what ``--max-rejected`` tolerates (``importer.rejected``); nothing for a dry run."""
    done = [r for r in results if not r.dry_run]
    conflicts = [c for r in done for c in r.conflicts]
    if conflicts:
        twins = sum(c.kind == DUPLICATE for c in conflicts)
        edits = len(conflicts) - twins
        kept = "the sheet's" if spec.on_conflict == "sheet" else "the file's"
        parts = []
        if edits:
            parts.append(f"{plural(edits, 'conflict')} with teammates' edits ({kept} value kept)")
        if twins:
            parts.append(f"{plural(twins, 'possible duplicate')} kept apart")
        aside = [q for r in done for q in r.quarantine]
        also = f"; {set_aside(aside)} set aside in _quarantine too" if aside else ""
        raise ConflictsRecorded(" and ".join(parts) + f"; see the _conflicts tab{also}")
    for result in done:
        error = rejected(result, spec)
        if error is not None:
            raise error


def import_webhook(crm: CRM, webhook: bool) -> NotifySettings | None:
    """Where an import that sets rows aside posts its notice: with ``--webhook``, or
    ``[notify.webhook] on_rejected = true``. Checked before anything is read (exit 7)."""
    if webhook:
        return require(notify_settings(crm.config))
    table = crm.config.features.get("notify")
    hooked = table.get("webhook") if isinstance(table, dict) else None
    if not (isinstance(hooked, dict) and hooked.get("on_rejected") is True):
        return None  # an import that posts nothing needs no [notify] secrets
    settings = notify_settings(crm.config)
    hook = settings.webhook
    return settings if hook is not None and hook.on_rejected else None


def finish_import(
    crm: CRM,
    results: Sequence[RunResult],
    spec: ImportSpec,
    hook: NotifySettings | None,
    quiet: bool,
) -> None:
    """Post the set-aside rows (when ``hook``), then exit as ``raise_outcome`` says; a
    notice not delivered is exit 8 too (said on stderr when another exit code wins)."""
    notice = rejected_notice(crm, list(results), crm.as_of()) if hook else None
    posted = deliver(hook, [notice], strict=False) if hook and notice else None
    if posted and not quiet:
        click.echo(posted.line(), err=True)
    failed = posted.error() if posted else None
    try:
        raise_outcome(results, spec)
    except SheetCRMError:
        if failed is not None:
            click.echo(f"sheetcrm: {failed}", err=True)
        raise
    if failed is not None:
        raise failed
