"""Cut the Online Retail fixture from the 40,000-line sample (run by hand, reads a local file).

Whole customers and whole invoices are kept, so repeat purchases, cancellations and
per-invoice totals stay as real as in the full sample. Membership is a hash of the ID, so
the cut is the same on every machine and does not depend on row order.

    python tests/data/subset.py ../shared/data/online_retail_sample.csv \
        > tests/data/online_retail_subset.csv
"""

from __future__ import annotations

import csv
import hashlib
import sys

#: One customer in CUSTOMER_EVERY, and one anonymous invoice in ANONYMOUS_EVERY.
CUSTOMER_EVERY = 12
ANONYMOUS_EVERY = 8


def bucket(key: str, every: int) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % every == 0


def keep(record: dict[str, str]) -> bool:
    if record["CustomerID"]:
        return bucket(record["CustomerID"], CUSTOMER_EVERY)
    return bucket(record["InvoiceNo"], ANONYMOUS_EVERY)


def main(source: str) -> None:
    """Copy the header and the kept lines byte for byte (the sample has no multi-line fields)."""
    with open(source, newline="", encoding="utf-8") as f:
        header, *lines = f.readlines()
    names = next(csv.reader([header]))
    sys.stdout.write(header)
    for line in lines:
        if keep(dict(zip(names, next(csv.reader([line])), strict=True))):
            sys.stdout.write(line)


if __name__ == "__main__":
    main(sys.argv[1])
