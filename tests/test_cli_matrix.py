"""Every registered command × {a local .xlsx workbook, Google Sheets}, each call a fresh
process as a person runs it, on a realistic workbook: ``init``, the demo shop, and a
Google Form's responses tab a teammate added. Google Sheets is ``sheetcrm emulator serve``
(its own process, on a free loopback port), so a command that needs state an earlier
call in the same process left behind fails here.

The commands are discovered from the click group: a new command without a row in
``CALLS`` (or a reason in ``EXCLUDED``) fails ``test_every_command_has_a_row``.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from support import commands, emulator_serve, run_sheetcrm

from sheetcrm.cli import cli

AS_OF = "2026-11-21"
FORM = "Form Responses 1"
FORM_ROWS = [
    ["Timestamp", "Email Address", "Your name", "How did you hear about us?"],
    ["2026-11-20 10:00:00", "nika@example.ir", "نیکا رضایی", "Instagram"],
    ["2026-11-20 12:30:00", "tanvir@example.com", "তানভীর আহমেদ", "a friend"],
    ["2026-11-21 09:00:00", "not-an-email", "Cy", ""],
]
PEOPLE = (
    "name,email,phone,city\n"
    "Mina Karimi,mina@example.ir,+98 912 000 1111,Tehran\n"
    "Rafi Hasan,rafi@example.com,+880 1711 222333,Dhaka\n"
)

#: Commands not run here, and why.
EXCLUDED = {
    "auth login": "a browser consent against Google's OAuth endpoints; tests/test_auth_login.py "
    "drives it end to end against the loopback OAuth server in tests/oauth_server.py",
    "emulator serve": "runs until stopped; it is the server this file's Google column runs on",
}


@dataclass(frozen=True)
class Call:
    """One invocation: ``{…}`` in args and texts is filled from the workbook's facts;
    ``codes`` are the exit codes it may end with per backend (default 0), ``says`` text
    stdout holds on success, ``fails`` the one line stderr holds when it exits non-zero."""

    args: tuple[str, ...]
    says: str = ""
    codes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    fails: str = ""


CALLS: dict[str, list[Call]] = {
    "init": [Call(("init",), "nothing to change")],
    "demo": [Call(("demo", "--as-of", AS_OF), "nothing to change")],
    "show": [
        Call(("show", "Customers", "--limit", "2", "--columns", "customer_id,name"), "{customer}")
    ],
    "summary": [Call(("summary", "--as-of", AS_OF), "Customers")],
    "import": [
        Call(("import", "{people}", "--tab", "Customers"), "2 rows: 2 created"),
        # a response set aside: done, but cron must know (exit 8)
        Call(
            ("import", "--from-tab", FORM),
            "3 rows: 2 created, 1 quarantined",
            {"xlsx": (8,), "gsheets": (8,)},
        ),
    ],
    "export": [Call(("export", "Leads", "--format", "csv"), "lead_id")],
    "restore": [Call(("restore", "{snapshot}"), "1 cell")],
    # the form's bad e-mail (when import --from-tab ran first) stays open: exit 8
    "quarantine list": [Call(("quarantine", "list", "--all", "--format", "json"), "[")],
    "quarantine retry": [
        Call(
            ("quarantine", "retry"),
            "entries",  # "No open entries to retry." or "N entries retried: …"
            codes={"xlsx": (0, 8), "gsheets": (0, 8)},
            fails="still open in _quarantine; see `sheetcrm quarantine list`",
        )
    ],
    "quarantine clear": [Call(("quarantine", "clear", "--all"), "Cleared _quarantine")],
    "person export": [Call(("person", "export", "{customer}"), '"version": 1')],
    # Mina came in with import's people.csv (run alone, without it: no one matches, exit 3)
    "person forget": [
        Call(
            ("person", "forget", "mina@example.ir", "--yes"),
            "Forgot mina@example.ir: Customers: 1 row deleted",
            codes={"xlsx": (0, 3), "gsheets": (0, 3)},
            fails="no one matches 'mina@example.ir'",
        )
    ],
    "watch": [
        Call(
            ("watch", "--from-tab", FORM, "--once", "--no-refresh"),
            "3 seen",
            {"xlsx": (8,), "gsheets": (8,)},
        )
    ],
    "refresh": [Call(("refresh", "--as-of", AS_OF), f"as of {AS_OF}: ")],
    "segments": [Call(("segments", "--as-of", AS_OF), f"Segments as of {AS_OF}:\n  unhappy")],
    "explain": [Call(("explain", "{lead_id}", "--as-of", AS_OF), "{lead_id}: score ")],
    "report": [
        Call(
            ("report", "--format", "md", "-o", "{folder}/report.md", "--as-of", AS_OF),
            "Wrote {folder}/report.md",
        )
    ],
    "remind": [
        Call(
            ("remind", "--as-of", AS_OF, "--csv", "{folder}/winback.csv"),
            "Re-engagement list: {folder}/winback.csv",
        )
    ],
    # 3: a check failed that has nothing to do with the workbook (fonts, SMTP); see below
    "doctor": [
        Call(("doctor", "--format", "json"), '"check"', {"xlsx": (0, 3), "gsheets": (0, 3)})
    ],
    # on a local workbook there are no Google credentials to show: exit 7, by design; on
    # the emulator the credentials are anonymous
    "auth status": [
        Call(
            ("auth", "status"),
            "credentials: anonymous (emulator)",
            codes={"xlsx": (7,)},
            fails="error: no Google credentials: sign in with `sheetcrm auth login`",
        )
    ],
    "auth logout": [Call(("auth", "logout"), "Not signed in")],
}

#: Commands that take no --xlsx / --sheet (they are not about one workbook).
UNBOUND = {"auth status", "auth logout"}


def unlisted(group: click.Group) -> list[str]:
    return sorted(set(commands(group)) - set(CALLS) - set(EXCLUDED))


def test_every_command_has_a_row():
    missing = unlisted(cli)
    assert not missing, f"add a row to CALLS (or a reason to EXCLUDED) for: {missing}"
    assert not set(CALLS) & set(EXCLUDED)
    assert not set(CALLS) - set(commands()), "a row for a command that no longer exists"


def test_a_new_command_without_a_row_is_caught():
    planted = click.Group(commands=dict(cli.commands))
    planted.add_command(click.Command("frobnicate"))
    nested = click.Group("emulator", commands={"serve": click.Command("serve")})
    nested.add_command(click.Command("record"))
    planted.add_command(nested)
    assert unlisted(planted) == ["emulator record", "frobnicate"]


# -- the two workbooks --------------------------------------------------------------------


def environment(home: Path, **extra: str) -> dict[str, str]:
    """A process of the user's: nothing of the tester's own setup or sign-in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHEETCRM_", "GOOGLE_APPLICATION_CREDENTIALS"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        SHEETCRM_SNAPSHOTS=str(home / "snapshots"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


@dataclass
class Workbook:
    """A workbook and how to reach it from a fresh process."""

    backend: str
    folder: Path
    target: tuple[str, ...]  # --xlsx PATH or --sheet ID
    env: dict[str, str]
    facts: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, bound: bool = True) -> subprocess.CompletedProcess[str]:
        target = self.target if bound else ()
        return run_sheetcrm(
            *args, *target, env=self.env, cwd=self.folder, inherit=False, timeout=300
        )

    def ok(self, *args: str) -> str:
        done = self.run(*args)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return done.stdout

    def realistic(self) -> None:
        """init, the demo shop, then the facts the calls need."""
        self.ok("init")
        self.ok("demo", "--as-of", AS_OF)
        (self.folder / "people.csv").write_text(PEOPLE, encoding="utf-8")
        customer = json.loads(self.ok("show", "Customers", "--limit", "1", "--format", "json"))
        lead = json.loads(self.ok("show", "Leads", "--limit", "1", "--format", "json"))
        self.facts.update(
            people=str(self.folder / "people.csv"),
            folder=str(self.folder),
            lead_id=str(lead[0]["lead_id"]),
            customer=str(customer[0]["customer_id"]),
            snapshot=str(self._snapshot(str(customer[0]["customer_id"]))),
        )

    def _snapshot(self, customer_id: str) -> Path:
        """What sheetcrm keeps before a destructive run: here, one customer's notes."""
        path = self.folder / "snapshot.json"
        tab = {"header": ["customer_id", "notes"], "rows": [[customer_id, "prefers e-mail"]]}
        path.write_text(json.dumps({"target": " ".join(self.target), "tabs": {"Customers": tab}}))
        return path


@pytest.fixture(scope="module")
def xlsx(tmp_path_factory) -> Workbook:
    import openpyxl

    folder = tmp_path_factory.mktemp("xlsx")
    book = Workbook("xlsx", folder, ("--xlsx", "crm.xlsx"), environment(folder / "home"))
    book.realistic()
    wb = openpyxl.load_workbook(folder / "crm.xlsx")  # a teammate adds the form's tab
    sheet = wb.create_sheet(FORM)
    for row in FORM_ROWS:
        sheet.append(row)
    wb.save(folder / "crm.xlsx")
    return book


@pytest.fixture(scope="module")
def gsheets(tmp_path_factory) -> Iterator[Workbook]:
    import gspread
    from google.auth.credentials import AnonymousCredentials

    from sheetcrm.backends.gsheets.endpoint import mount_endpoint

    folder = tmp_path_factory.mktemp("gsheets")
    with emulator_serve(folder, env=environment(folder / "home")) as (url, [sheet]):
        env = environment(folder / "home", SHEETCRM_API_ENDPOINT=url)
        book = Workbook("gsheets", folder, ("--sheet", sheet), env)
        book.realistic()
        client = gspread.Client(AnonymousCredentials())
        mount_endpoint(client.http_client.session, url)
        form = client.open_by_key(sheet).add_worksheet(FORM, rows=20, cols=4)
        form.update(FORM_ROWS, "A1", value_input_option="USER_ENTERED")
        yield book


# -- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["xlsx", "gsheets"])
@pytest.mark.parametrize("command", sorted(commands()))
def test_command_runs_on_a_realistic_workbook(command, backend, request):
    if command in EXCLUDED:
        pytest.skip(EXCLUDED[command])
    assert command in CALLS, f"{command}: add a row to CALLS (or a reason to EXCLUDED)"
    book: Workbook = request.getfixturevalue(backend)
    for call in CALLS[command]:
        args = [a.format(**book.facts) for a in call.args]
        done = book.run(*args, bound=command not in UNBOUND)
        codes = call.codes.get(backend, (0,))
        assert done.returncode in codes, (args, done.stdout[-2000:], done.stderr[-2000:])
        if done.returncode == 0:
            assert call.says.format(**book.facts) in done.stdout, (args, done.stdout[-2000:])
        else:  # a documented failure: one line on stderr, no traceback
            assert done.stderr.count("\n") <= 1 and "Traceback" not in done.stderr, done.stderr
            if call.fails:
                assert done.stderr.count("\n") == 1, done.stderr
                assert call.fails.format(**book.facts) in done.stderr, done.stderr
    if command == "doctor":
        checks = {c["check"]: c["status"] for c in json.loads(done.stdout)}
        assert checks["spreadsheet"] == checks["tabs"] == "pass", checks
