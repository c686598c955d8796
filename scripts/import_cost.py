"""CPU seconds of importing a generated 5,000-row Customers CSV into a fresh in-memory CRM,
and of importing it again (nothing to change): the cost of parsing, set-aside cells,
grouping and the three-way merge, without any backend I/O.

Compare two checkouts on the same file (the file is written on the first run)::

    PYTHONPATH=/path/to/old python scripts/import_cost.py /tmp/c.csv [--messy]
    PYTHONPATH=.            python scripts/import_cost.py /tmp/c.csv [--messy]

``--messy`` writes a file with a bad phone in every tenth row, a bad e-mail in every
seventh, unknown lead sources and partial dates (set aside cell by cell since #14).
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

from sheetcrm import CRM, import_file
from sheetcrm.backends.memory import MemoryBackend


def write(path: Path, messy: bool) -> None:
    rng = random.Random(7)
    sources = ["website", "instagram", "referral"] + (["Google search"] if messy else [])
    dates = ["2025-03-04", "۱۴۰۴/۰۷/۱۲", "24 September 2025"] + (["5 Mar"] if messy else [])
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["Name", "Email", "Phone", "City", "Lead source", "First contact", "Notes"])
        for i in range(5000):
            email = f"c{i}@" if messy and i % 7 == 0 else f"c{i}@example.com"
            phone = "call me" if messy and i % 10 == 0 else f"+44 7400 {100000 + i}"
            city = rng.choice(["Leeds", "York", "Hull", "تهران", "কলকাতা"])
            note = '=HYPERLINK("x")' if i % 50 == 0 else "note"
            out.writerow(
                [f"Customer {i}", email, phone, city, rng.choice(sources), rng.choice(dates), note]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--messy", action="store_true")
    args = parser.parse_args()
    if not args.file.exists():
        write(args.file, args.messy)
    runs = []
    for _ in range(3):
        crm = CRM(backend=MemoryBackend())
        crm.init()
        started = time.process_time()
        first = import_file(crm, args.file, tab="Customers")
        middle = time.process_time()
        again = import_file(crm, args.file, tab="Customers")
        runs.append((middle - started, time.process_time() - middle))
    print(
        f"first import {min(r[0] for r in runs):.2f} s, again {min(r[1] for r in runs):.2f} s "
        f"(best of 3); {first.counts.line()}; the second wrote: {again.changed}"
    )


if __name__ == "__main__":
    main()
