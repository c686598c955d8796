"""The local outbox: one line per message sheetcrm delivered (an e-mail, a webhook post, a
Trello card), so running the same job again after a failure never sends a second copy.

Each line is a JSON object with ``key`` (a hash identifying the message to its
recipient), ``to`` (an e-mail address, or ``webhook <host>`` / ``trello``: never a
secret) and ``subject``. ``person export`` and ``forget`` read it through ``Outbox``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from sheetcrm.files import write_private


def outbox_path() -> Path:
    """``$XDG_DATA_HOME/sheetcrm/outbox.jsonl`` (default ``~/.local/share``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sheetcrm" / "outbox.jsonl"


def sent_keys(path: Path | None = None) -> set[str]:
    """The keys of every message delivered so far (unreadable lines are skipped)."""
    path = path or outbox_path()
    if not path.exists():
        return set()
    keys = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            keys.add(json.loads(line)["key"])
        except (ValueError, KeyError, TypeError):
            continue
    return keys


def record(key: str, to: str, subject: str, path: Path | None = None) -> None:
    """Log one delivered message, on disk before the next is sent (a run killed now does
    not send it twice). The file stays private (0600)."""
    line = json.dumps({"key": key, "to": to, "subject": subject}, ensure_ascii=False)
    write_private(path or outbox_path(), line + "\n", append=True)


@dataclass
class Outbox:
    """The outbox seen by ``person export`` and ``forget``: each line is one delivered
    message (``key``, ``to``, ``subject``); a person's lines are those addressed to one of
    their e-mails (compared case-insensitively, display names ignored)."""

    path: Path | None = None
    name: str = "outbox"

    def _where(self) -> Path:
        return self.path or outbox_path()

    def _lines(self) -> list[tuple[str, dict[str, Any] | None]]:
        path = self._where()
        if not path.exists():
            return []
        out: list[tuple[str, dict[str, Any] | None]] = []
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            out.append((line, entry if isinstance(entry, dict) else None))
        return out

    @staticmethod
    def _to(entry: dict[str, Any] | None, emails: set[str]) -> bool:
        return entry is not None and parseaddr(str(entry.get("to", "")))[1].casefold() in emails

    def entries(self, emails: set[str]) -> list[dict[str, Any]]:
        """The messages sent to any of ``emails`` (casefolded)."""
        return [e for _line, e in self._lines() if e is not None and self._to(e, emails)]

    def forget(self, emails: set[str], *, dry_run: bool = False) -> int:
        """Take the messages sent to ``emails`` out of the outbox (rewritten atomically,
        private); how many there were. Other lines stay byte-identical."""
        lines = self._lines()
        kept = [line for line, e in lines if not self._to(e, emails)]
        gone = len(lines) - len(kept)
        if gone and not dry_run:
            write_private(self._where(), "".join(kept))
        return gone
