"""The Tehran studio's CRM (``tests/fixtures/locale/fa``) with ``[locale] labels = "fa"``:
the sheet shows Persian labels for choice values (``فعال``, not ``active``) — written by
the imports, and kept by ``refresh`` —, yet the
figures are the ones the canonical values give, a second import of the same file changes
nothing, and nothing is set aside for want of vocabulary. Each command a fresh process,
on an ``.xlsx`` and on the emulator over HTTP."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import Any

import pytest
from locale_support import (
    BACKENDS,
    FA_IGNORABLE,
    Book,
    Imported,
    fa_build,
    fa_customer_rows,
    fa_expected_summary,
    fa_lead_sources,
    fold,
    opened,
)

#: The Persian a reader expects for each customer status (compared as ``fold`` does).
STATUS_LABELS = {"active": "فعال", "prospect": "بالقوه", "inactive": "غیرفعال"}


CHOICES = (
    ("Customers", "status"),
    ("Customers", "lead_source"),
    ("Leads", "source"),
    ("Interactions", "type"),
)


@dataclass(frozen=True)
class Labelled:
    book: Book
    runs: dict[str, Imported]
    imported: dict[str, list[dict[str, Any]]]  # each tab's cells right after the imports
    refreshed: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module", params=BACKENDS)
def labelled(request, tmp_path_factory):
    """The three imports, the cells they left, then ``refresh`` (the nightly job)."""
    folder = tmp_path_factory.mktemp(f"fa-labels-{request.param}")
    with opened("fa", request.param, folder, locale_extra='labels = "fa"') as book:
        built = fa_build(book)
        cells = {tab: book.cells(tab) for tab in ("Customers", "Leads", "Interactions")}
        refreshed = book.run("refresh", "--as-of", "2025-11-20", "-q")
        yield Labelled(book, built.runs, cells, refreshed)


def persian(text: object) -> bool:
    return bool(re.search(r"[\u0600-\u06ff]", str(text))) and not re.search(r"[a-z]", str(text))


@pytest.mark.parametrize("name", FA_IGNORABLE)
def test_each_file_goes_in_with_nothing_set_aside_for_vocabulary(labelled, name):
    run = labelled.runs[name]
    assert run.doc, (run.done.returncode, run.done.stderr)
    assert run.vocabulary_trouble(FA_IGNORABLE[name]) == []
    assert run.doc["counts"]["quarantined"] == 0, run.quarantine()


def test_the_sheet_shows_persian_labels(labelled):
    want = fa_customer_rows().set_index("name")["status"]
    cells = labelled.book.cells("Customers")
    assert {fold(c["name"]): fold(c["status"]) for c in cells} == {
        name: fold(STATUS_LABELS[status]) for name, status in want.items()
    }
    for tab, column in (
        ("Customers", "lead_source"),
        ("Leads", "source"),
        ("Interactions", "type"),
    ):
        shown = [c[column] for c in labelled.book.cells(tab)]
        assert all(persian(v) for v in shown), (tab, column, shown)


def test_summary_figures_are_the_canonical_ones(labelled):
    """The same figures as canonical values give: computed from the files, with the
    open sources' canonical values as ``show`` reads them back."""
    want = fa_expected_summary(fa_lead_sources(labelled.book.json("show", "Leads")))
    got = labelled.book.json("summary", "--as-of", "2025-11-20")
    assert got["customers_by_status"] == want["customers_by_status"]
    assert got["leads_by_source"] == want["leads_by_source"]
    assert (got["orders"], got["open_leads"]) == (want["orders"], want["open_leads"])
    assert got["revenue_total"] == pytest.approx(want["revenue_total"])
    assert got["revenue_30d"] == pytest.approx(want["revenue_30d"])


def test_importing_the_same_list_again_changes_nothing(labelled):
    """The sheet's labels read back as the values they stand for: no churn, no conflict."""
    again = labelled.book.imported("customers.csv", "--tab", "Customers")
    assert again.done.returncode == 0, again.done.stderr
    counts = again.doc["counts"]
    assert counts["unchanged"] == counts["rows"] == len(fa_customer_rows()), counts
    assert again.doc["changes"]["cells_changed"] == 0
