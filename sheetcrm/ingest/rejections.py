"""How much of an import was set aside, and ``max_rejected``: the limit past which an
import is refused rather than written.

What counts against the limit is **input rows that lost something**: a row set aside
whole, or a row imported with one or more cells set aside (a row with three bad cells
counts once: one person's record is incomplete). The share is of the input's non-empty
rows (a blank line is not a record). ``"N"`` allows up to N such rows, ``"P%"`` up to P
percent of them; ``"0"`` refuses any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sheetcrm.errors import ConfigError, RowsRejected, TooManyRejected
from sheetcrm.run import Quarantined, RunResult, plural

__all__ = ["Limit", "TooManyRejected", "parse", "refuse", "rejected", "tally"]

_LIMIT = re.compile(r"(\d+(?:\.\d+)?)\s*(%?)")


@dataclass(frozen=True)
class Limit:
    """``max_rejected`` parsed: a count of rows, or a percentage of them."""

    text: str
    amount: float
    percent: bool

    def allows(self, rejected: int, rows: int) -> bool:
        if self.percent:
            return rejected * 100 <= self.amount * max(rows, 0)
        return rejected <= self.amount


def parse(text: str | None) -> Limit | None:
    """``"10"`` or ``"5%"`` (or None: no limit); anything else is a ``ConfigError``."""
    if text is None:
        return None
    found = _LIMIT.fullmatch(text.strip())
    if not found or (not found[2] and "." in found[1]):
        raise ConfigError(
            f"--max-rejected must be a number of rows (e.g. 10) or a share of them "
            f"(e.g. 5%), not {text!r}"
        )
    amount = float(found[1])
    if found[2] and amount > 100:
        raise ConfigError(f"--max-rejected {text}: a share is at most 100%")
    return Limit(text.strip(), amount, bool(found[2]))


@dataclass(frozen=True)
class Tally:
    """What an import set aside: whole rows, cells, and the rows that lost something."""

    rows: int  # non-empty input rows
    whole: int  # rows set aside whole
    cells: int  # cells set aside (their rows went in)
    affected: int  # distinct rows with anything set aside

    @property
    def any(self) -> bool:
        return self.affected > 0


def tally(result: RunResult) -> Tally:
    entries = result.quarantine
    whole = {q.key for q in entries if q.kind != "cell"}
    cells = {q.key for q in entries if q.kind == "cell"}
    affected = {(q.source, q.row) for q in entries}
    rows = max(result.counts.rows - result.counts.empty, len(affected))
    return Tally(rows, len(whole), len(cells), len(affected))


def describe(q: Quarantined) -> str:
    """``row 6, column 'E-mail': 'bob@' (expected an e-mail address)``."""
    what = "cell" if q.kind == "cell" else "row"
    value = str(q.value if q.value is not None else "")
    value = value if len(value) <= 80 else value[:80] + "…"
    return f"{q.source} {what} {q.row}, column {q.column!r}: {value!r} ({q.reason})"


def refuse(result: RunResult, text: str | None) -> None:
    """Raise ``TooManyRejected`` when the plan sets aside more than ``text`` allows."""
    limit = parse(text)
    if limit is None:
        return
    t = tally(result)
    if limit.allows(t.affected, t.rows):
        return
    raise TooManyRejected(
        f"{t.affected} of {plural(t.rows, 'row')} rejected{_cells(t)}, more than "
        f"--max-rejected {limit.text}; nothing written — see the reasons above, fix them "
        "(or the --map, or [vocab] in sheetcrm.toml) and run again",
        list(result.quarantine),
        [describe(q) for q in result.quarantine],
    )


def _cells(t: Tally) -> str:
    if not t.cells:
        return ""
    return f" ({t.whole} whole, {t.affected - t.whole} with {plural(t.cells, 'cell')} set aside)"


def rejected(result: RunResult, text: str | None) -> RowsRejected | None:
    """``RowsRejected`` (exit 8) when the run set input aside, unless it was a dry run or
    ``text`` (a ``max_rejected``) tolerates it; else None."""
    t = tally(result)
    if result.dry_run or not t.any:
        return None
    limit = parse(text)
    if limit is not None and limit.allows(t.affected, t.rows):
        return None
    whole = f"{t.whole} of {plural(t.rows, 'row')}" if t.whole else ""
    cells = ""
    if t.cells:
        went = plural(t.affected - t.whole, "row")
        cells = f"{plural(t.cells, 'cell')} (in {went} that went in)"
    what = f"{whole}, and {cells}," if whole and cells else whole or cells
    return RowsRejected(f"{what} set aside in _quarantine; see `sheetcrm quarantine list`")
