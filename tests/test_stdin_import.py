"""``sheetcrm import -``: an import from standard input (a pipe, as a shell makes one), its
format given or sniffed from the bytes, and ``--encoding`` for the CSVs Excel saves in a
Windows code page. A byte the encoding cannot read is one line naming its offset and line,
exit 3, and the workbook is untouched."""

from __future__ import annotations

import hashlib
import io
import json
import shlex
import subprocess
from pathlib import Path

import pytest
from support import SHEETCRM, one_line, run_sheetcrm

from sheetcrm.errors import ConfigError, InputError
from sheetcrm.ingest.readers import STDIN, read_bytes, read_source

ME = " ".join(shlex.quote(part) for part in SHEETCRM)

#: A Mailchimp audience export, as people download it.
MAILCHIMP = (
    "Email Address,First Name,Last Name,Phone Number,MEMBER_RATING,OPTIN_TIME,LEID\n"
    "ana.lima@example.com,Ana,Lima,+447400123456,2,2025-03-04 10:00:00,11\n"
    "reza@example.ir,رضا,احمدی,+989121234567,3,2025-03-05 11:00:00,12\n"
    "sourav@example.in,সৌরভ,দাস,+919830012345,1,2025-03-06 12:00:00,13\n"
)


def sheetcrm(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """sheetcrm as a fresh process, fed ``stdin`` as raw bytes (a code-page CSV, an xlsx)."""
    done = subprocess.run([*SHEETCRM, *args], input=stdin, capture_output=True, cwd=cwd)
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


def shell(cwd: Path, line: str) -> subprocess.CompletedProcess[str]:
    """A shell pipeline, ``sheetcrm`` standing for this Python's ``-m sheetcrm``; the exit
    status is the last command's (``pipefail``: the first failing one's)."""
    script = "set -o pipefail\n" + line.replace("sheetcrm ", f"{ME} ")
    return subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, cwd=cwd, timeout=180
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path) -> Path:
    """A workbook whose customers came in by an import (so nothing is left to baseline)."""
    assert run_sheetcrm("init", "-q", cwd=tmp_path).returncode == 0
    source = tmp_path / "audience.csv"
    source.write_text(MAILCHIMP, encoding="utf-8")
    done = run_sheetcrm("import", str(source), "--preset", "mailchimp", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path


@pytest.mark.parametrize("fmt", ["csv", "json", "ndjson"])
def test_export_piped_into_a_dry_run_import_plans_nothing(book, fmt):
    before = digest(book / "crm.xlsx")
    line = f"sheetcrm export Customers --format {fmt} | sheetcrm import - --tab Customers --dry-run"
    done = shell(book, line)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("No changes.\n"), done.stdout
    assert "Would import <stdin> into Customers — 3 rows: 3 unchanged" in done.stdout
    planned = shell(book, line + " --format json")
    assert planned.returncode == 0, planned.stderr
    plan = json.loads(planned.stdout)["plan"]
    assert plan["ops"] == [] and not any(plan["counts"].values())
    assert digest(book / "crm.xlsx") == before


def test_an_xlsx_export_on_stdin_is_sniffed_by_its_bytes(book):
    exported = run_sheetcrm("export", "Customers", "--format", "xlsx", "-o", "c.xlsx", cwd=book)
    assert exported.returncode == 0, exported.stderr
    done = shell(book, "cat c.xlsx | sheetcrm import - --tab Customers --dry-run")
    assert done.returncode == 0, done.stderr
    assert "3 rows: 3 unchanged" in done.stdout


def test_export_piped_on_google_sheets_plans_nothing(served, tmp_path):
    url, sheet = served
    env = {"SHEETCRM_API_ENDPOINT": url}
    assert run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path).returncode == 0
    source = tmp_path / "audience.csv"
    source.write_text(MAILCHIMP, encoding="utf-8")
    argv = ("import", str(source), "--preset", "mailchimp", "--sheet", sheet)
    assert run_sheetcrm(*argv, env=env, cwd=tmp_path).returncode == 0
    line = (
        f"SHEETCRM_API_ENDPOINT={url} sheetcrm export Customers --sheet {sheet} | "
        f"SHEETCRM_API_ENDPOINT={url} sheetcrm import - --tab Customers --sheet {sheet} "
        "--dry-run --format json"
    )
    done = shell(tmp_path, line)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["counts"]["unchanged"] == 3 and out["plan"]["ops"] == []


def test_stdin_csv_ndjson_and_xlsx_go_in(tmp_path):
    assert run_sheetcrm("init", "-q", cwd=tmp_path).returncode == 0
    csv_in = sheetcrm(
        tmp_path, "import", "-", "--preset", "mailchimp", stdin=MAILCHIMP.encode("utf-8-sig")
    )
    assert csv_in.returncode == 0, csv_in.stderr
    assert "Imported <stdin> into Customers — 3 rows: 3 created" in csv_in.stdout
    ndjson = "".join(
        json.dumps({"name": n, "email": e, "city": c}, ensure_ascii=False) + "\n"
        for n, e, c in [("Moumita", "moumita@example.in", "Kolkata"), ("Sara", "s@x.ir", "Tehran")]
    )
    nd = sheetcrm(tmp_path, "import", "-", "--tab", "Customers", stdin=ndjson.encode())
    assert nd.returncode == 0 and "2 rows: 2 created" in nd.stdout, nd.stderr
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Name", "Email", "Phone"])
    book.active.append(["Tanvir", "tanvir@example.com", "+8801712345678"])
    buf = io.BytesIO()
    book.save(buf)
    xl = sheetcrm(tmp_path, "import", "-", "--tab", "Customers", stdin=buf.getvalue())
    assert xl.returncode == 0 and "1 row: 1 created" in xl.stdout, xl.stderr
    shown = json.loads(run_sheetcrm("show", "Customers", "--format", "json", cwd=tmp_path).stdout)
    names = {r["name"] for r in shown}
    assert {"Ana Lima", "رضا احمدی", "সৌরভ দাস", "Moumita", "Sara", "Tanvir"} <= names
    audit = json.loads(run_sheetcrm("show", "_audit", "--format", "json", cwd=tmp_path).stdout)
    assert [r["command"] for r in audit].count("import -") == 3


def test_a_set_aside_stdin_row_is_named_stdin(tmp_path):
    assert run_sheetcrm("init", "-q", cwd=tmp_path).returncode == 0
    text = "name,email\nAna,ana@example.com\n,not-an-email\n"
    done = sheetcrm(tmp_path, "import", "-", "--tab", "Customers", stdin=text.encode())
    assert done.returncode == 8, done.stderr
    rows = json.loads(run_sheetcrm("show", "_quarantine", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["source"], r["row"]) for r in rows] == [(STDIN, 3)]


def test_feeds_piped_in_under_their_own_names_are_kept_apart(tmp_path):
    """Row 3 of one feed is not row 3 of another: a good row 3 in the second must not
    resolve the first's entry."""
    assert run_sheetcrm("init", "-q", cwd=tmp_path).returncode == 0
    shop = "name,email\nAna,ana@example.com\n,not-an-email\n"
    argv = ("import", "-", "--tab", "Customers", "--stdin-name")
    first = sheetcrm(tmp_path, *argv, "shopify-feed", stdin=shop.encode())
    assert first.returncode == 8 and "Imported shopify-feed into Customers" in first.stdout
    other = "name,email\nBen,ben@example.com\nCara,cara@example.com\n"
    second = sheetcrm(tmp_path, *argv, "newsletter", stdin=other.encode())
    assert second.returncode == 0, second.stderr
    listed = run_sheetcrm("quarantine", "list", "--format", "json", cwd=tmp_path)
    entries = json.loads(listed.stdout)
    assert [(e["source"], e["row"]) for e in entries] == [("shopify-feed", 3)], entries
    misused = run_sheetcrm(
        "import", "x.csv", "--tab", "Customers", "--stdin-name", "a", cwd=tmp_path
    )
    assert misused.returncode == 2 and "--stdin-name" in misused.stderr


def test_a_stdin_cell_set_aside_is_retried_from_what_was_kept(tmp_path):
    """Standard input cannot be read again: ``quarantine retry`` works from the raw row
    ``_quarantine`` kept, with today's sheetcrm.toml."""
    assert run_sheetcrm("init", "-q", cwd=tmp_path).returncode == 0
    text = "name,email,lead source\nAna,ana@example.com,instagram\nBob,bob@example.com,TV show\n"
    done = sheetcrm(tmp_path, "import", "-", "--tab", "Leads", stdin=text.encode())
    assert done.returncode == 8 and "'TV show' set aside" in done.stdout, done.stderr
    (tmp_path / "sheetcrm.toml").write_text(
        '[vocab."Leads.source"]\n"TV show" = "ads"\n', encoding="utf-8"
    )
    retried = run_sheetcrm("quarantine", "retry", cwd=tmp_path)
    assert retried.returncode == 0, retried.stderr
    leads = json.loads(run_sheetcrm("show", "Leads", "--format", "json", cwd=tmp_path).stdout)
    assert {r["name"]: r["source"] for r in leads} == {"Ana": "instagram", "Bob": "ads"}


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("cp1252", "name,city,notes\nJosé Müller,Málaga,€ 40 — paid\n", ("José Müller", "Málaga")),
        ("windows-1252", "name,city\nFrançoise,Besançon\n", ("Françoise", "Besançon")),
        ("cp1256", "name,city\nعلي رضايي,طهران\n", ("علي رضايي", "طهران")),
        ("utf-16-le", "name\tcity\nসৌরভ\tকলকাতা\n", ("সৌরভ", "কলকাতা")),
    ],
)
def test_a_code_page_file_reads_with_encoding(tmp_path, encoding, text, expected):
    assert run_sheetcrm("init", "-q", cwd=tmp_path).returncode == 0
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode(encoding))
    if encoding != "utf-16-le":  # without --encoding: refused, naming what to try
        guessed = run_sheetcrm("import", str(path), "--tab", "Customers", cwd=tmp_path)
        assert "is not UTF-8" in one_line(guessed, 3) and "--encoding" in guessed.stderr
    done = run_sheetcrm(
        "import", str(path), "--tab", "Customers", "--encoding", encoding, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    piped = sheetcrm(
        tmp_path,
        "import",
        "-",
        "--tab",
        "Customers",
        "--encoding",
        encoding,
        "--dry-run",
        stdin=text.encode(encoding),
    )
    assert "1 row: 1 unchanged" in piped.stdout, piped.stderr
    shown = json.loads(run_sheetcrm("show", "Customers", "--format", "json", cwd=tmp_path).stdout)
    assert [(r["name"], r["city"]) for r in shown] == [expected]


def test_a_bad_byte_names_its_offset_and_writes_nothing(book):
    before = digest(book / "crm.xlsx")
    data = "name,city\nJosé,Málaga\n".encode("cp1252") + b"Bad\x81Byte,Lyon\n"
    path = book / "bad.csv"
    path.write_bytes(data)
    offset = data.index(b"\x81")
    done = run_sheetcrm("import", str(path), "--tab", "Customers", "--encoding", "cp1252", cwd=book)
    line = one_line(done, 3)
    assert f"byte 0x81 at offset {offset}" in line and "line 3" in line and "cp1252" in line
    piped = sheetcrm(book, "import", "-", "--tab", "Customers", stdin=data)
    line = one_line(piped, 3)
    assert line.startswith("sheetcrm: error: <stdin>: line 2 is not UTF-8")
    first_bad = data.index(b"\xe9")
    assert f"offset {first_bad}" in line
    assert digest(book / "crm.xlsx") == before
    audit = json.loads(run_sheetcrm("show", "_audit", "--format", "json", cwd=book).stdout)
    assert len(audit) == 2  # init and the first import: the failed ones wrote nothing


def test_stdin_into_a_workbook_open_in_libreoffice_writes_nothing(book):
    """A fault on the way out: the .xlsx is open elsewhere. Standard input was read (it
    cannot be read twice), nothing was written, exit 5; run again once it is closed."""
    before = digest(book / "crm.xlsx")
    (book / ".~lock.crm.xlsx#").write_text("alice,laptop,alice,17.03.2026 10:15,", "utf-8")
    text = "name,email\nNew Person,new@example.com\n"
    done = sheetcrm(book, "import", "-", "--tab", "Customers", stdin=text.encode())
    assert "open in LibreOffice" in one_line(done, 5)
    assert digest(book / "crm.xlsx") == before
    (book / ".~lock.crm.xlsx#").unlink()
    again = sheetcrm(book, "import", "-", "--tab", "Customers", stdin=text.encode())
    assert again.returncode == 0 and "1 row: 1 created" in again.stdout, again.stderr


def test_usage_errors(book):
    unknown = run_sheetcrm("import", "-", "--tab", "Customers", "--encoding", "klingon", cwd=book)
    assert unknown.returncode == 2 and "unknown encoding 'klingon'" in unknown.stderr
    both = run_sheetcrm("import", "--from-tab", "X", "--encoding", "cp1252", cwd=book)
    assert both.returncode == 2 and "not --from-tab" in both.stderr
    empty = sheetcrm(book, "import", "-", "--tab", "Customers", stdin=b"")
    assert one_line(empty, 3) == "sheetcrm: error: <stdin>: the file is empty"
    wrong_tab = sheetcrm(book, "import", "-", "--tab", "Nope", stdin=MAILCHIMP.encode())
    assert wrong_tab.returncode in (3, 7) and "Nope" in wrong_tab.stderr


#: (what, bytes, format given, the columns read)
SNIFFED = [
    ("csv", b"name,email\nA,a@x.io\n", None, ["name", "email"]),
    ("semicolons", b"name;email\nA;a@x.io\n", None, ["name", "email"]),
    ("json list", b'[{"name": "A", "email": "a@x.io"}]', None, ["name", "email"]),
    ("ndjson", b'{"name": "A"}\n{"name": "B", "city": "C"}\n', None, ["name", "city"]),
    ("tsv forced", b"name\tcity\nA, B\tC, D\n", "tsv", ["name", "city"]),
    ("utf-16 BOM", "name,city\nরাহুল,ঢাকা\n".encode("utf-16"), None, ["name", "city"]),
]


@pytest.mark.parametrize(
    ("data", "fmt", "columns"), [s[1:] for s in SNIFFED], ids=[s[0] for s in SNIFFED]
)
def test_the_format_is_sniffed_from_the_bytes(data, fmt, columns):
    table = read_bytes(data, fmt=fmt)
    assert table.name == STDIN and table.columns == columns and len(table) >= 1


def test_a_format_or_encoding_that_does_not_fit_fails_clearly(tmp_path):
    with pytest.raises(InputError, match=r"not a readable \.xlsx"):
        read_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"not JSON|list of objects"):
        read_bytes(b"name,city\nA,B\n", fmt="json")
    with pytest.raises(ConfigError, match="unknown encoding"):
        read_bytes(b"a,b\n1,2\n", encoding="nope")
    with pytest.raises(ConfigError, match="not a text encoding"):
        read_bytes(b"a,b\n1,2\n", encoding="base64")
    as_csv = tmp_path / "really.xlsx.csv"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["name", "email"])
    book.active.append(["A", "a@x.io"])
    book.save(as_csv)
    assert read_source(as_csv).columns == ["name", "email"]  # a zip by its bytes


@pytest.mark.parametrize("tab", ["Customers", "Leads", "Interactions", "Campaigns", "Tasks"])
def test_the_demo_exported_and_piped_back_plans_nothing(tmp_path, tab):
    """The demo's records were never imported (no baselines), two of its leads share an
    e-mail and two of its order lines share an order id: none of it makes a plan."""
    made = run_sheetcrm("demo", "-q", cwd=tmp_path, timeout=300)
    assert made.returncode == 0, made.stderr
    before = digest(tmp_path / "crm.xlsx")
    ran = shell(
        tmp_path,
        f"sheetcrm export {tab} | sheetcrm import - --tab {tab} --dry-run --format json",
    )
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert doc["plan"]["ops"] == [], doc["plan"]["ops"][:5]
    assert not any(doc["changes"].values()), doc["changes"]
    assert doc["conflicts"] == [] and doc["counts"]["merged"] == 0, doc["counts"]
    assert doc["counts"]["unchanged"] == doc["counts"]["rows"]
    assert digest(tmp_path / "crm.xlsx") == before
