"""The request budget, counted the way a user spends it: every CLI command a fresh process
against ``sheetcrm emulator serve`` over HTTP, the requests read from the emulator's own
counters (``GET /_emulator/stats``). Each command reads the workbook once; no request
fails, not even the first read of a brand-new spreadsheet. On ``.xlsx`` every step loads
the workbook once.

Reading costs, on Google Sheets: a command that only reads sends one ``values.batchGet``
(formulas as computed). A writing run first lists the tabs (one ``spreadsheets.get``: sheet
ids and sizes, so its values read names only tabs that exist), then one ``values.batchGet``,
plus one ``spreadsheets.get`` for the layout (``init``, ``refresh``) or for cells that start
with ``=``.

Writing costs: a run takes the workbook's lease in ``_meta`` (a small apply), then sends
the main apply (which expects that lease and releases it). An apply that edits cells is
anchored to record IDs: it locates the rows (``values.batchGet``), tags the rows it edits
in batch #1 (``batchUpdate``, with any tabs and layout), re-reads them by tag
(``values.batchGetByDataFilter``), writes them by tag (``values.batchUpdateByDataFilter``)
and, when it adds rows, appends them and deletes its tags in batch #2 (``batchUpdate``).
So the lease costs 4 requests (locate, tag, re-read, write: it appends nothing) and the
main apply 5 (its ``_audit`` row is appended). An apply that only appends is the locate
and one ``batchUpdate``.
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from click.testing import CliRunner
from support import emulator_serve, run_sheetcrm

from sheetcrm.cli import cli

GET = "get"
VALUES_GET = "values.batchGet"
UPDATE = "batchUpdate"
VALUES_UPDATE = "values.batchUpdate"
REREAD = "values.batchGetByDataFilter"
WRITE = "values.batchUpdateByDataFilter"
#: taking the lease: locate _meta, tag its row, re-read it by tag, write it by tag
LEASE = {VALUES_GET: 1, UPDATE: 1, REREAD: 1, WRITE: 1}
AS_OF = ("--as-of", "2025-10-04")

FORM = (
    "Timestamp,Email Address,Your name,Phone number,How did you hear about us?,Message\n"
    "2025-10-04 10:00:00,ana@example.com,Ana,+447400123456,Instagram,Do you ship abroad?\n"
    "2025-10-05 11:30:00,ben@example.com,Ben,,a friend,\n"
)
RESPONSES_AT = "'Form Responses 1'!A1"
RESPONSES = [
    ["Timestamp", "Email Address", "Your name", "How did you hear about us?"],
    ["2025-10-06 09:00:00", "cy@example.com", "Cy", "Facebook"],
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``sheetcrm emulator serve --port 0 --spreadsheets 3``: its URL and spreadsheet IDs."""
    with emulator_serve(tmp_path_factory.mktemp("server"), "--spreadsheets", "3", sheets=3) as up:
        yield up


def _stats(url: str) -> dict[str, object]:
    with urllib.request.urlopen(f"{url}/_emulator/stats", timeout=10) as response:
        data: dict[str, object] = json.load(response)
        return data


def _call(url: str, method: str, path: str, body: object) -> None:
    request = urllib.request.Request(
        f"{url}/v4/spreadsheets/{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


class Budget:
    """Runs sheetcrm as a fresh process and says what each run cost, by method."""

    def __init__(self, url: str, cwd: Path) -> None:
        self.url, self.cwd = url, cwd

    def run(self, sheet: str, *args: str) -> tuple[dict[str, int], str]:
        env = {"SHEETCRM_API_ENDPOINT": self.url, "SHEETCRM_SNAPSHOTS": str(self.cwd / "snapshots")}
        before = _stats(self.url)
        done = run_sheetcrm(*args, "--sheet", sheet, env=env, cwd=self.cwd, timeout=180)
        after = _stats(self.url)
        assert done.returncode == 0, (args, done.stderr)
        assert after["errors"] == before["errors"], (args, after["errors"])
        cost = Counter(after["requests"]) - Counter(before["requests"])  # type: ignore[arg-type]
        return {k.removeprefix("sheets.spreadsheets."): n for k, n in cost.items()}, done.stdout


@pytest.fixture(scope="module")
def budget(served, tmp_path_factory):
    return Budget(served[0], tmp_path_factory.mktemp("cli"))


def test_demo_on_a_new_spreadsheet_costs_fourteen_requests_none_failing(served, budget):
    sheet = served[1][0]
    cost, out = budget.run(sheet, "demo", *AS_OF)
    assert "Customers    300" in out
    # build (a new spreadsheet: no lease to take, nothing to edit): list the tabs (none
    # yet), locate, one batchUpdate creating and filling them (get 1, values.batchGet 1,
    # batchUpdate 1); refresh: read values and layout (get 1, values.batchGet 1), take the
    # lease (LEASE), the main apply (values.batchGet 1, batchUpdate 2: tags with colours,
    # protections, charts and the dashboard; appends and untagging; re-read 1, write 1);
    # then one read for the report and the summary (values.batchGet 1)
    assert cost == {GET: 2, VALUES_GET: 4, UPDATE: 4, REREAD: 2, WRITE: 2}
    assert sum(cost.values()) == 14
    again, out = budget.run(sheet, "demo", *AS_OF)
    assert "nothing to change" in out
    assert again == {GET: 3, VALUES_GET: 3}


#: command → what it costs, in the order a new user runs them on a new spreadsheet.
#: A writing run after the first: listing and read (GET 1 + VALUES_GET 1), the lease
#: (LEASE), the main apply (VALUES_GET 1, UPDATE 2, REREAD 1, WRITE 1).
WRITING = {GET: 1, VALUES_GET: 3, UPDATE: 3, REREAD: 2, WRITE: 2}
#: A command that reads every tab, the seller tabs included: list the tabs (a workbook may
#: not have the seller tabs yet, and a values read naming a missing tab fails), then read.
READ_ALL = {GET: 1, VALUES_GET: 1}
STORY: list[tuple[tuple[str, ...], dict[str, int]]] = [
    # a new spreadsheet: list the tabs, one batchUpdate creates them with their headers
    (("init",), {GET: 1, UPDATE: 1}),
    (("init",), {GET: 2, VALUES_GET: 1}),
    (("import", "form.csv", "--preset", "google-form"), WRITING),
    (("import", "form.csv", "--preset", "google-form"), {GET: 1, VALUES_GET: 1}),
    (("import", "--from-tab", "Form Responses 1", "--preset", "google-form"), WRITING),
    (("refresh", *AS_OF), {**WRITING, GET: 2}),  # + the layout read
    (("refresh", *AS_OF), {GET: 2, VALUES_GET: 1}),
    (("summary", *AS_OF), READ_ALL),
    (("report", *AS_OF, "--format", "md", "-o", "report.md"), READ_ALL),
    (("remind", *AS_OF, "--csv", "reengage.csv"), READ_ALL),
    (("show", "Leads", "--format", "json"), {VALUES_GET: 1}),
    (("show", "Dashboard", "--formulas"), {GET: 2, VALUES_GET: 1}),
    (("segments", *AS_OF), READ_ALL),
    (("explain", "{lead}", *AS_OF), {VALUES_GET: 1}),
    (("export", "Leads"), {GET: 1, VALUES_GET: 1}),
    (("restore", "{snapshot}"), WRITING),
]


def test_every_command_reads_once_and_writes_once_per_step(served, budget):
    url, sheets = served
    sheet = sheets[1]
    (budget.cwd / "form.csv").write_text(FORM, encoding="utf-8")
    _call(url, "POST", f"{sheet}:batchUpdate", {"requests": [_add("Form Responses 1")]})
    _call(
        url,
        "PUT",
        f"{sheet}/values/{quote(RESPONSES_AT)}?valueInputOption=RAW",
        {"values": RESPONSES},
    )
    found: list[tuple[tuple[str, ...], dict[str, int]]] = []
    for args, _expected in STORY:
        cost, _ = budget.run(sheet, *(_fill(a, budget, sheet) for a in args))
        found.append((args, cost))
    assert found == STORY
    for args, cost in found:  # what the README promises per writing step
        assert cost.get(VALUES_UPDATE, 0) == 0, args  # every value write is anchored
        assert cost.get(UPDATE, 0) <= 3 and cost.get(WRITE, 0) <= 2, args


def _add(title: str) -> dict[str, object]:
    return {"addSheet": {"properties": {"title": title}}}


def _fill(arg: str, budget: Budget, sheet: str) -> str:
    """``{lead}``: a lead's ID; ``{snapshot}``: a snapshot renaming it (to put back)."""
    if arg not in ("{lead}", "{snapshot}"):
        return arg
    _, out = budget.run(sheet, "show", "Leads", "--format", "json")
    lead = json.loads(out)[0]
    if arg == "{lead}":
        return str(lead["lead_id"])
    snapshot = budget.cwd / "snapshot.json"
    tabs = {"Leads": {"header": ["lead_id", "name"], "rows": [[lead["lead_id"], "Ana B."]]}}
    snapshot.write_text(json.dumps({"target": sheet, "tabs": tabs}), encoding="utf-8")
    return str(snapshot)


# -- .xlsx: one load of the workbook per step -------------------------------------------


@pytest.fixture
def loads(monkeypatch, tmp_path):
    """Every ``openpyxl.load_workbook`` call, in a folder holding ``form.csv``."""
    calls: list[dict[str, object]] = []
    real = openpyxl.load_workbook

    def counting(*args: object, **kw: object) -> object:
        calls.append(kw)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(openpyxl, "load_workbook", counting)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.setenv("SHEETCRM_SNAPSHOTS", str(tmp_path / "snapshots"))
    (tmp_path / "form.csv").write_text(FORM, encoding="utf-8")
    return calls


def _xlsx(calls: list[dict[str, object]], *args: str) -> tuple[int, str]:
    calls.clear()
    result = CliRunner().invoke(cli, [*args, "--xlsx", "crm.xlsx"], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    return len(calls), result.output


def test_each_xlsx_command_loads_the_workbook_once_and_again_after_the_lease(loads):
    # a new file: the build step has nothing to load; refresh loads to read and once more
    # to write, since taking the lease saved the file; the report and the summary share
    # one read
    assert _xlsx(loads, "demo", *AS_OF)[0] == 3
    assert _xlsx(loads, "demo", *AS_OF)[0] == 3  # three steps, nothing to write, one load each
    lead = json.loads(_xlsx(loads, "show", "Leads", "--format", "json")[1])[0]["lead_id"]
    assert _xlsx(loads, "init")[0] == 1  # nothing to change: no lease taken
    for args in (("import", "form.csv", "--preset", "google-form"), ("refresh", *AS_OF)):
        assert _xlsx(loads, *args)[0] == 2, args  # the read, and the write after the lease
    for args in (
        ("summary", *AS_OF),
        ("report", *AS_OF, "--format", "txt"),
        ("remind", *AS_OF),
        ("show", "Customers", "--limit", "3"),
        ("segments", *AS_OF),
        ("explain", lead, *AS_OF),
        ("export", "Leads"),
    ):
        assert _xlsx(loads, *args)[0] == 1, args


def test_a_write_loads_again_when_the_file_changed_after_the_read(tmp_path):
    """The workbook kept from a read is reused only while the file is unchanged."""
    from sheetcrm.backends.xlsx import XlsxBackend
    from sheetcrm.crm import CRM
    from sheetcrm.model.changes import AppendRow, ChangeSet

    path = tmp_path / "crm.xlsx"
    CRM(XlsxBackend(path)).init()
    crm = CRM(XlsxBackend(path))
    crm.backend.read(["Customers"])
    other = CRM(XlsxBackend(path))  # a teammate's save between our read and our write
    other.upsert("Customers", [{"customer_id": "C-1", "name": "Sara"}])
    crm.backend.apply(
        ChangeSet([AppendRow("Customers", {"customer_id": "C-2", "name": "Reza"})]), crm.schema
    )
    names = sorted(crm.frames(["Customers"])["Customers"]["name"])
    assert names == ["Reza", "Sara"]
