"""``remind --drafts``: one win-back letter per customer, a text file named for them.

Everything in a draft that comes from the sheet is attacker-controlled: a web form fills in
the name. So each value is put on one line (a name with a line break could otherwise add a
``Subject:`` or ``Bcc:`` line, or a paragraph of its own, to a letter the shop sends under
its name), and the file name is made from the customer ID with nothing that leaves the
folder (IDs may hold ``/`` and ``.``: ``../../.bashrc`` is a valid one), starts like a
command-line option or a hidden file, or is a name Windows reserves. Two IDs that come out
the same (``a/b`` and ``a_b``, or ``C-1`` and ``c-1`` on a case-insensitive disk) get
``-2``, ``-3``. Drafts hold customer data: private files (``tablefile.save``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sheetcrm.model.tablefile import save
from sheetcrm.outputs.templates import one_line

#: What a file stem keeps: letters and digits of any script, ``-``, ``_`` and ``.``.
_UNSAFE = re.compile(r"[^\w.\-]+")
_RESERVED = {"con", "prn", "aux", "nul", *(f"{d}{i}" for d in ("com", "lpt") for i in range(10))}
#: Room for ``-NN.txt`` under the 255-byte name limit, with letters of up to 3 UTF-8 bytes.
_MAX_STEM = 80


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
) -> list[Path]:
    """Write ``render(customer)`` for each customer into ``folder/<stem>.txt``, the
    customer's text put on one line first; the paths, in the customers' order."""
    taken: set[str] = set()
    paths = []
    for customer in customers:
        stem = file_stem(customer.get("customer_id"))
        name, n = stem, 1
        while name.casefold() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.casefold())
        path = folder / f"{name}.txt"
        flat = {k: one_line(v) if isinstance(v, str) else v for k, v in customer.items()}
        paths.append(save(path, render(flat)))
    return paths
