"""The ``_quarantine`` ledger's lifecycle on an .xlsx workbook and on Google Sheets (the
emulator): one entry per input row (or cell) set aside, updated in place by a re-import,
resolved when the row goes in, re-opened when it fails again; older workbooks' headers and
rows folded in; ``quarantine retry`` and ``clear`` through the ordinary write path."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest
from contract.harness import HARNESSES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import write

from sheetcrm.config import parse_config
from sheetcrm.crm import CRM
from sheetcrm.errors import DiskError, InputError, WorkbookError
from sheetcrm.ingest import quarantine as ledger
from sheetcrm.ingest.importer import ImportSpec, import_file
from sheetcrm.model.changes import AddTab, AppendRow, ChangeSet
from sheetcrm.run import Conflict, Quarantined, RunResult, WriteRun
from sheetcrm.run.journal import MAX_RAW, stable_id

GB = {"locale": {"region": "GB"}}
VOCAB = {**GB, "vocab": {"Leads.source": {"TV show": "ads", "IG Live": "instagram"}}}

#: A Google Form's responses export, as a shop downloads it: two leads whose "how did you
#: hear" answers no built-in spelling knows, one bad e-mail, one good row.
FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,ana@example.com,Ana Lopes,+447400123456,Instagram,Do you ship?\n"
    "2025-10-04 11:30:00,ben@example.com,Ben Okafor,,TV show,\n"
    "2025-10-05 09:30:00,cy@,Cy Tran,,a friend,\n"
    "2025-10-05 12:00:00,dee@example.com,Dee Rahman,,IG Live,Price list?\n"
)
SPEC = ImportSpec(preset="google-form")


@pytest.fixture(params=["xlsx", "gsheets"])
def book(request, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    made = HARNESSES[request.param](tmp_path)
    crm = CRM(backend=made.backend, config=parse_config(GB))
    crm.init()
    yield made, crm
    made.close()


def entries(crm: CRM, **kw):
    return ledger.entries(crm, everything=True, **kw)


def by_row(crm: CRM) -> dict[int, list]:
    out: dict[int, list] = {}
    for e in entries(crm):
        out.setdefault(e.row, []).append(e)
    return out


def test_a_reimport_updates_resolves_and_reopens_one_entry_per_row(book, tmp_path):
    _made, crm = book
    path = write(tmp_path, "form.csv", FORM)
    first = import_file(crm, path, SPEC)
    assert first.quarantine
    opened = {e.key: e.id for e in entries(crm)}
    assert all(e.open and e.tab == "Leads" for e in entries(crm))
    cy = by_row(crm)[4][0]
    assert cy.kind == "row" and cy.get("value") == "cy@" and cy.spec()["preset"] == "google-form"
    assert json.loads(cy.get("raw"))["Email Address"] == "cy@"

    again = import_file(crm, path, SPEC)  # the same file: nothing new, nothing written
    assert not again.changes and again.report is None
    assert {e.key: e.id for e in entries(crm)} == opened

    # Cy's address typed differently: the same entry, its value and reason rewritten
    path.write_text(FORM.replace("cy@,", "cy@@example.com,"), encoding="utf-8")
    changed = import_file(crm, path, SPEC)
    appended = [op for op in changed.changes.ops if isinstance(op, AppendRow)]
    assert not [op for op in appended if op.tab == "_quarantine"]
    cy2 = by_row(crm)[4]
    assert len(cy2) == 1 and cy2[0].id == cy.id and cy2[0].get("value") == "cy@@example.com"
    assert cy2[0].get("at") == cy.get("at")  # first seen stays

    # fixed: the row goes in and its entry is resolved (not deleted)
    path.write_text(FORM.replace("cy@,", "cy@example.com,"), encoding="utf-8")
    import_file(crm, path, SPEC)
    cy3 = by_row(crm)[4]
    assert [(e.id, e.status) for e in cy3] == [(cy.id, "resolved")]
    assert "cy@example.com" in set(crm.frame("Leads")["email"])
    assert 4 not in [e.row for e in ledger.entries(crm)]

    # broken again: the same entry re-opened, still one row in the tab
    path.write_text(FORM.replace("cy@,", "cy-at-example,"), encoding="utf-8")
    import_file(crm, path, SPEC)
    cy4 = by_row(crm)[4]
    assert [(e.id, e.status, e.get("value")) for e in cy4] == [(cy.id, "open", "cy-at-example")]
    assert len(crm.frame("_quarantine")) == len(opened)


def test_another_source_and_rows_not_looked_at_are_left_alone(book, tmp_path):
    _made, crm = book
    import_file(crm, write(tmp_path, "form.csv", FORM), SPEC)
    before = {e.key: e.status for e in entries(crm)}
    # a different file with Cy fixed does not resolve form.csv's entry for row 4
    import_file(crm, write(tmp_path, "other.csv", FORM.replace("cy@,", "cy@example.com,")), SPEC)
    assert {e.key: e.status for e in entries(crm, source="form.csv")} == before


def test_a_re_sorted_export_moves_entries_and_never_resolves_the_wrong_one(book, tmp_path):
    """Row numbers are the key, but a downloaded export may come sorted another way: an
    entry whose row number now holds someone else is resolved only when its own input is
    still in the file, unchanged, at another row (which has its own entry now)."""
    _made, crm = book
    path = write(tmp_path, "form.csv", FORM)
    import_file(crm, path, SPEC)
    header, *rows = FORM.splitlines(keepends=True)
    path.write_text(header + "".join(reversed(rows)), encoding="utf-8")  # Dee, Cy, Ben, Ana
    import_file(crm, path, SPEC)
    opened = sorted((e.row, e.kind, e.raw()["Your name"]) for e in ledger.entries(crm))
    assert opened == [(2, "cell", "Dee Rahman"), (3, "row", "Cy Tran"), (4, "cell", "Ben Okafor")]
    # Cy fixed and moved to row 5, Ana (fine) now at Cy's old row 4: Cy's old entry cannot
    # be told resolved from the file (it might be anyone's), so it stays open
    path.write_text(
        header + rows[1] + rows[3] + rows[0] + rows[2].replace("cy@,", "cy@example.com,"),
        encoding="utf-8",
    )
    import_file(crm, path, SPEC)
    now = sorted((e.row, e.raw()["Your name"]) for e in ledger.entries(crm))
    assert now == [(2, "Ben Okafor"), (3, "Cy Tran"), (3, "Dee Rahman")]
    assert "cy@example.com" in set(crm.frame("Leads")["email"])


def test_cell_entries_resolve_with_their_cell_or_their_row(book):
    """Built on the ``Quarantined`` contract (kind="cell", key with its column) straight
    through a ``WriteRun``, whichever way intake produces them."""
    _made, crm = book
    raw = {"Name": "Moumita", "Email": "m@example.com", "Budget": "৮ লাখ"}

    def run(quarantine: list[Quarantined], seen: set[int]) -> RunResult:
        rows = {number: raw for number in seen}
        with WriteRun(crm, "import leads.csv") as w:
            w.read(["Leads"])
            result = RunResult("import", source="leads.csv", tab="Leads")
            result.quarantine, result.rows_seen = quarantine, {"leads.csv": rows}
            return w.apply(result)

    budget = Quarantined("leads.csv", 2, "Budget", "৮ লাখ", "expected money", raw, "cell", "Leads")
    phone = Quarantined("leads.csv", 2, "Phone", "12", "expected a phone", raw, "cell", "Leads")
    whole = Quarantined("leads.csv", 2, "Email", "m@", "expected an e-mail", raw, "row", "Leads")
    run([budget, phone], {2})
    assert sorted((e.get("column"), e.kind, e.status) for e in entries(crm)) == [
        ("Budget", "cell", "open"),
        ("Phone", "cell", "open"),
    ]
    run([whole], {2})  # the row set aside whole: its entry holds the row, cells and all
    assert sorted((e.get("column"), e.status) for e in entries(crm)) == [
        ("Budget", "resolved"),
        ("Email", "open"),
        ("Phone", "resolved"),
    ]
    run([], {3})  # a poll that did not look at row 2 resolves nothing of it
    assert [e.get("column") for e in entries(crm) if e.open] == ["Email"]
    run([phone], {2})  # row 2 went in with only its phone set aside (re-opened)
    assert sorted((e.get("column"), e.status) for e in entries(crm)) == [
        ("Budget", "resolved"),
        ("Email", "resolved"),
        ("Phone", "open"),
    ]
    assert len(entries(crm)) == 3  # the same three entries throughout


OLD_QUARANTINE = ("quarantine_id", "at", "source", "row", "column", "value", "reason", "raw")
OLD_CONFLICTS = (
    "conflict_id",
    "at",
    "tab",
    "record_id",
    "field",
    "sheet_value",
    "source_value",
    "resolution",
)


def legacy(made, crm: CRM, rows: list[list[object]]) -> None:
    """``_quarantine`` and ``_conflicts`` as sheetcrm 0.x left them: the old headers, one
    row per distinct raw input (so the same input row twice, with an old and a new reason)."""
    for tab in ("_quarantine", "_conflicts"):
        made.delete_tab(tab)
    crm.backend.apply(
        ChangeSet(
            [AddTab("_quarantine", OLD_QUARANTINE, True), AddTab("_conflicts", OLD_CONFLICTS, True)]
        ),
        crm.schema,
    )
    made.backend = crm.backend
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            made.set_cell("_quarantine", r, c, value)


def legacy_row(reason: str, raw: dict[str, str]) -> list[object]:
    raw_text = json.dumps(raw)
    qid = stable_id("Q", "form.csv", 4, json.dumps(raw, sort_keys=True))
    return [
        qid,
        "2025-10-06T08:00:00",
        "form.csv",
        4,
        "Email Address",
        raw["Email Address"],
        reason,
        raw_text,
    ]


def test_an_old_workbook_gains_the_columns_and_its_duplicate_rows_fold(book, tmp_path):
    made, crm = book
    old = {"Timestamp": "2025-10-05 09:30:00", "Email Address": "cy", "Your name": "Cy Tran"}
    newer = {**old, "Email Address": "cy@"}
    legacy(
        made,
        crm,
        [legacy_row("expected an e-mail", old), legacy_row("expected a valid e-mail", newer)],
    )
    assert [e.status for e in entries(crm)] == ["open"]  # read as open, the newest of the key
    assert len(ledger.entries(crm)) == 1

    path = write(tmp_path, "form.csv", FORM)
    import_file(crm, path, SPEC)
    header = [str(h) for h in crm.grid("_quarantine").header]
    assert header[: len(OLD_QUARANTINE)] == list(OLD_QUARANTINE)
    assert {"status", "kind", "tab", "last_seen", "spec"} <= set(header)
    assert "kind" not in [str(h) for h in crm.grid("_conflicts").header]  # nothing to write
    pair = Conflict("Leads", "L-1", "phone", "L-1 a@example.com", "L-2 b@example.com", "kept apart")
    with WriteRun(crm, "import form.csv") as w:
        w.read(["Leads"])
        w.apply(RunResult("import", conflicts=[replace(pair, kind="possible-duplicate")]))
    conflicts = crm.frame("_conflicts")
    assert list(conflicts["kind"]) == ["possible-duplicate"]
    frame = crm.frame("_quarantine")
    cy = frame[frame["row"] == 4]
    assert len(cy) == 2  # no third row for the same input row
    assert sorted(cy["status"]) == ["open", "resolved"]  # the older one folded in
    current = cy[cy["status"] == "open"].iloc[0]
    assert current["value"] == "cy@" and current["spec"] and current["kind"] == "row"
    assert not import_file(crm, path, SPEC).changes  # and then it is settled

    path.write_text(FORM.replace("cy@,", "cy@example.com,"), encoding="utf-8")
    import_file(crm, path, SPEC)
    assert set(crm.frame("_quarantine").query("row == 4")["status"]) == {"resolved"}


def test_the_raw_row_is_kept_whole_for_a_retry_or_marked_cut(book, tmp_path):
    _made, crm = book
    long_note = "ঢাকা থেকে অর্ডার " * 600  # ~10,000 characters of a real customer note
    text = FORM + f'2025-10-06 10:00:00,eve@,Eve,,Instagram,"{long_note}"\n'
    text += f'2025-10-06 11:00:00,fay@,Fay,,Instagram,"{"x" * (MAX_RAW + 10)}"\n'
    import_file(crm, write(tmp_path, "form.csv", text), SPEC)
    rows = by_row(crm)
    assert rows[6][0].raw()["Message"] == long_note  # whole: retry can use it
    assert rows[7][0].raw() is None and len(rows[7][0].get("raw")) <= MAX_RAW
    assert len(rows[7][0].get("value")) < 2_100
    done = ledger.retry(crm, source="form.csv")
    assert [(e.row, why) for e, why in done.skipped] == [
        (7, "its input row was too long to keep whole; import it again")
    ]


def test_retry_imports_what_the_new_config_accepts_and_keeps_the_rest_open(book, tmp_path):
    made, crm = book
    import_file(crm, write(tmp_path, "form.csv", FORM), SPEC)
    assert len(ledger.entries(crm)) >= 3  # Ben's and Dee's "how did you hear", Cy's e-mail
    fixed = CRM(backend=made.backend, config=parse_config(VOCAB))  # [vocab] added
    done = ledger.retry(fixed)
    assert done.resolved >= 2 and done.still_open == 1
    assert [e.row for e in ledger.entries(fixed)] == [4]  # Cy's e-mail cannot be guessed
    assert "e-mail" in ledger.entries(fixed)[0].get("reason")
    leads = fixed.frame("Leads").set_index("email")
    assert leads.loc["ben@example.com", "source"] == "ads"
    assert leads.loc["dee@example.com", "source"] == "instagram"
    assert done.rejected() is not None and done.rejected().exit_code == 8
    audit = list(fixed.frame("_audit")["command"])
    assert audit[-1] == "quarantine retry form.csv"
    again = ledger.retry(fixed)  # nothing more parses: nothing written
    assert again.resolved == 0 and not again.runs[0].result.changes


@contextmanager
def failing_save(made, monkeypatch, code: int) -> Iterator[None]:
    """The one save of the block fails, and must raise: on .xlsx the fsync of the finished
    temporary file (the disk's error ``code``: full, over quota); on Sheets Google answers
    the cell write with a 400. Either way the workbook must be as it was."""
    if made.name == "xlsx":
        real = os.fsync

        def full(fd: int) -> None:
            if os.readlink(f"/proc/self/fd/{fd}").endswith(".tmp"):
                raise OSError(code, os.strerror(code))
            real(fd)

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(DiskError, match="nothing was changed"):
            yield
        monkeypatch.setattr(os, "fsync", real)
    else:
        made.emulator.fail("spreadsheets.values.batchUpdate", 400, times=1)
        with pytest.raises(WorkbookError, match="writing cell values failed"):
            yield


def test_a_retry_whose_save_fails_writes_nothing(book, tmp_path, monkeypatch):
    made, crm = book
    import_file(crm, write(tmp_path, "form.csv", FORM), SPEC)
    before = [(e.id, e.status, e.get("reason")) for e in entries(crm)]
    leads_before = len(crm.frame("Leads"))
    fixed = CRM(backend=made.backend, config=parse_config(VOCAB))
    with failing_save(made, monkeypatch, errno.ENOSPC):
        ledger.retry(fixed)
    fresh = CRM(backend=made.fresh(), config=parse_config(VOCAB))
    assert [(e.id, e.status, e.get("reason")) for e in entries(fresh)] == before
    assert len(fresh.frame("Leads")) == leads_before
    assert ledger.retry(fresh).resolved >= 2  # and a retry afterwards does it all


def test_clear_marks_resolved_keeps_evidence_and_removes_only_on_request(book, tmp_path):
    _made, crm = book
    import_file(crm, write(tmp_path, "form.csv", FORM), SPEC)
    first = ledger.entries(crm)[0]
    with pytest.raises(InputError, match="say which entries"):
        ledger.clear(crm)
    with pytest.raises(InputError, match="no entry 'Q-NOPE'"):
        ledger.clear(crm, ["Q-NOPE", first.id])
    assert all(e.open for e in entries(crm))  # a bad ID clears nothing
    with pytest.raises(InputError, match="still open"):
        ledger.clear(crm, [first.id], resolved=True)
    ledger.clear(crm, [first.id])
    assert [e.id for e in entries(crm) if not e.open] == [first.id]
    total = len(entries(crm))
    ledger.clear(crm, source="form.csv")
    assert len(entries(crm)) == total and not ledger.entries(crm)
    removed = ledger.clear(crm, everything=True, resolved=True)
    assert removed.snapshot is not None and removed.snapshot.exists()
    assert entries(crm) == []


def test_a_watch_poll_resolves_only_the_rows_it_looked_at():
    """A poll takes in only new responses: an entry of an older row stays open until
    that row is looked at again (a teammate fixes it, so the watch takes it in again)."""
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.ingest.watch import poll
    from sheetcrm.model.grid import TabGrid

    backend = MemoryBackend()
    crm = CRM(backend=backend, config=parse_config(GB))
    crm.init()
    header, *lines = FORM.splitlines()
    name = "Form Responses 1"
    backend.tabs[name] = TabGrid(name, header.split(","), [])
    backend.tabs[name].rows += [line.split(",") for line in lines[:3]]  # Ana, Ben, Cy
    poll(crm, name, SPEC)
    assert sorted(e.row for e in ledger.entries(crm)) == [3, 4]
    backend.tabs[name].rows.append(lines[3].split(","))  # Dee responds
    poll(crm, name, SPEC)
    assert sorted(e.row for e in ledger.entries(crm)) == [3, 4, 5]  # Ben and Cy untouched
    backend.tabs[name].rows[2][1] = "cy@example.com"  # a teammate fixes Cy's address
    poll(crm, name, SPEC)
    assert sorted(e.row for e in ledger.entries(crm)) == [3, 5]
    assert [e.status for e in entries(crm) if e.row == 4] == ["resolved"]


def test_a_teammate_closes_an_entry_in_the_sheet_in_their_own_words(book, tmp_path):
    made, crm = book
    path = write(tmp_path, "form.csv", FORM)
    import_file(crm, path, SPEC)
    header = [str(h) for h in crm.grid("_quarantine").header]
    cy = next(i for i, e in enumerate(entries(crm)) if e.row == 4)
    made.set_cell("_quarantine", cy + 2, header.index("status") + 1, "Done ")
    assert 4 not in [e.row for e in ledger.entries(crm)]
    assert [e.status for e in entries(crm) if e.row == 4] == ["resolved"]
    # the same input set aside again by a later import is open again: that import did
    # not take it in (and exits 8 saying so); only fixing the input ends it
    again = import_file(crm, path, SPEC)
    assert [op.field for op in again.changes.ops] == ["status", "last_seen"]
    assert [(e.row, e.status) for e in ledger.entries(crm) if e.row == 4] == [(4, "open")]


def test_a_source_with_no_entries_is_named_not_passed_over(book, tmp_path):
    _made, crm = book
    import_file(crm, write(tmp_path, "form.csv", FORM), SPEC)
    for call in (
        lambda: ledger.entries(crm, source="forms.csv"),
        lambda: ledger.retry(crm, source="forms.csv"),
        lambda: ledger.clear(crm, source="./form.csv"),
    ):
        with pytest.raises(InputError, match=r"no entries from .* \(sources: form.csv\)"):
            call()


def test_entries_an_older_sheetcrm_wrote_are_not_retried_but_say_why(book, tmp_path):
    made, crm = book
    old = {"Timestamp": "2025-10-05 09:30:00", "Email Address": "cy@", "Your name": "Cy Tran"}
    legacy(made, crm, [legacy_row("expected an e-mail", old)])
    done = ledger.retry(crm)
    assert done.runs == [] and [why for _e, why in done.skipped] == [
        "recorded without its import options (an older sheetcrm); import it again"
    ]
    assert str(done.rejected()) == (
        "1 entry still open in _quarantine; see `sheetcrm quarantine list`"
    )


def test_a_clear_whose_save_fails_changes_nothing(book, tmp_path, monkeypatch):
    made, crm = book
    import_file(crm, write(tmp_path, "form.csv", FORM), SPEC)
    before = [(e.id, e.status) for e in entries(crm)]
    with failing_save(made, monkeypatch, errno.EDQUOT):
        ledger.clear(crm, everything=True)
    fresh = CRM(backend=made.fresh(), config=parse_config(GB))
    assert [(e.id, e.status) for e in entries(fresh)] == before


# -- a property: the ledger is the last import's verdict ---------------------------------

EMAILS = ["ana@example.com", "ana@", "ben@example.com", "ben@@x", "", "cy@example.com"]
SOURCES = ["Instagram", "TV show", "a friend", ""]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=1, max_value=5).flatmap(
        lambda n: st.lists(
            st.lists(
                st.tuples(st.sampled_from(EMAILS), st.sampled_from(SOURCES)),
                min_size=n,
                max_size=n,
            ),
            min_size=1,
            max_size=4,
        )
    )
)
def test_after_each_import_the_open_entries_are_what_it_set_aside(versions):
    """Whatever versions of one file come in (its people fixing or breaking their e-mail
    and answer), in whatever order: after each import the open entries of that file are
    exactly what it set aside (one per key, none left over from an earlier version), and
    importing it again writes nothing to _quarantine. (A row gone from the file keeps its
    entry open: the run did not look at it; `quarantine clear` closes it.)"""
    from sheetcrm.backends.memory import MemoryBackend
    from sheetcrm.ingest.importer import import_table
    from sheetcrm.ingest.readers import SourceRow, SourceTable

    crm = CRM(backend=MemoryBackend(), config=parse_config(GB))
    crm.init()
    columns = ["Timestamp", "Your name", "Phone number", "Email Address", "How did you hear?"]
    for version in versions:  # people fix (or break) their e-mail and answer, row by row
        table = SourceTable("form.csv", columns)
        for i, (email, source) in enumerate(version):
            person = [f"2025-10-0{i + 1} 10:00:00", f"Person {i}", f"+44740012345{i}"]
            values = dict(zip(columns, [*person, email, source], strict=True))
            table.rows.append(SourceRow(i + 2, values))
        result = import_table(crm, table, SPEC)
        expected = {q.key for q in result.quarantine}
        open_keys = [e.key for e in ledger.entries(crm)]
        assert len(open_keys) == len(set(open_keys))
        assert set(open_keys) == expected
        again = import_table(crm, table, SPEC).changes.ops
        assert [op for op in again if op.tab == "_quarantine"] == []
