"""``remind --drafts``: one win-back letter per customer, a text file named for them.

Everything in a draft that comes from the sheet is attacker-controlled: a web form fills in
the name. So each value is put on one line (a name with a line break could otherwise add a
``Subject:`` or ``Bcc:`` line, or a paragraph of its own, to a letter the shop sends under
its name), and the file name is made from the customer ID with nothing that leaves the
folder (IDs may hold ``/`` and ``.``: ``../../.bashrc`` is a valid one), starts like a
command-line option or a hidden file, or is a name Windows reserves. Two IDs that come out
the same (``a/b`` and ``a_b``, or ``C-1`` and ``c-1`` on a case-insensitive disk) get
``-2``, ``-3``. Drafts hold customer data: private files (``tablefile.save``).

A draft from an earlier run whose customer is no longer on the list (they bought again, or
**opted out** since) must not stay in the folder to be sent by mistake. The folder keeps a
list of the drafts sheetcrm wrote and a hash of each (``.sheetcrm-drafts.json``): such a
draft is removed if it is as sheetcrm wrote it. A draft someone edited is theirs: never
rewritten nor removed, but named (``Drafts.edited``) so they can see to it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sheetcrm.errors import DiskError
from sheetcrm.model.tablefile import save
from sheetcrm.outputs.templates import one_line

#: What a file stem keeps: letters and digits of any script, ``-``, ``_`` and ``.``.
_UNSAFE = re.compile(r"[^\w.\-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(10))}
#: Room for ``-NN.txt`` under the 255-byte name limit, with letters of up to 3 UTF-8 bytes.
_MAX_STEM = 80
#: The drafts sheetcrm wrote into a folder, with the hash of each as written.
MANIFEST = ".sheetcrm-drafts.json"


@dataclass
class Drafts:
    """What ``write_drafts`` did: the drafts written, in the customers' order; earlier
    drafts removed (their customer is no longer on the list); earlier drafts kept because
    someone edited them."""

    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    edited: list[Path] = field(default_factory=list)


def file_stem(customer_id: Any) -> str:
    """A file name (without ``.txt``) for a customer's draft that stays in its folder."""
    stem = _UNSAFE.sub("_", one_line(customer_id)).lstrip(".-_")[:_MAX_STEM].rstrip(".")
    if not stem:
        return "customer"
    if stem.split(".")[0].casefold() in _RESERVED:
        return "_" + stem
    return stem


def write_drafts(
    folder: Path,
    customers: Iterable[Mapping[str, Any]],
    render: Callable[[dict[str, Any]], str],
) -> Drafts:
    """Write ``render(customer)`` for each customer into ``folder/<stem>.txt``, the
    customer's text put on one line first; then take away the earlier run's drafts that
    are no longer wanted (see the module's docstring)."""
    done = Drafts()
    before = _manifest(folder)
    now: dict[str, str] = {}
    taken: set[str] = set()
    for customer in customers:
        stem = file_stem(customer.get("customer_id"))
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        path = folder / f"{name}.txt"
        if _edited(path, before.get(path.name)):
            done.edited.append(path)  # someone's own letter now: theirs, not rewritten
            now[path.name] = before[path.name]
            continue
        flat = {k: one_line(v) if isinstance(v, str) else v for k, v in customer.items()}
        text = render(flat)
        done.written.append(save(path, text))
        now[path.name] = _digest(text.encode("utf-8"))
    for name, digest in before.items():
        path = folder / name
        if name in now or not _ours(name) or not path.is_file() or path.is_symlink():
            continue
        if _edited(path, digest):
            done.edited.append(path)
            now[name] = digest  # still listed, so a later run can tell it apart again
            continue
        try:
            path.unlink()
        except OSError as exc:
            raise DiskError(f"could not remove the stale draft {path} ({exc.strerror})") from None
        done.removed.append(path)
    save(folder / MANIFEST, json.dumps(now, ensure_ascii=False, indent=0, sort_keys=True))
    return done


def _ours(name: str) -> bool:
    """A name a draft of ours can have: a ``.txt`` file right in the folder (the list is a
    file in a folder others may write to; it never sends a removal elsewhere)."""
    return Path(name).name == name and name.endswith(".txt") and not name.startswith(".")


def _edited(path: Path, digest: str | None) -> bool:
    """Whether a draft sheetcrm wrote (``digest`` is its hash then) was changed since."""
    if digest is None or not path.is_file() or path.is_symlink():
        return False
    return _digest(path.read_bytes()) != digest


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(folder: Path) -> dict[str, str]:
    """The drafts an earlier run wrote here; none if there is no list or it is unreadable
    (then nothing is removed: a file not known to be ours is never deleted)."""
    with contextlib.suppress(OSError, ValueError):
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if isinstance(found, dict):
            return {str(k): str(v) for k, v in found.items()}
    return {}
