"""The command line: the README's commands, output formats, one-line errors, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sheetcrm.cli import cli
from sheetcrm.errors import EXIT_CONFIG, EXIT_USER


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    runner = CliRunner()

    def invoke(*args, code=0):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return invoke


def test_demo_builds_crm_xlsx_and_prints_a_summary(run, tmp_path):
    out = run("demo", "--as-of", "2026-11-21").output
    assert (tmp_path / "crm.xlsx").exists()
    assert f"Demo CRM in {tmp_path.resolve() / 'crm.xlsx'}:" in out
    assert "Customers    300" in out and "Top products by revenue" in out
    again = run("demo", "--as-of", "2026-11-21").output
    assert "nothing to change" in again


def test_demo_refuses_to_pollute_a_real_crm(run, tmp_path):
    run("init")
    from sheetcrm.backends.xlsx import XlsxBackend
    from sheetcrm.crm import CRM

    CRM(backend=XlsxBackend(tmp_path / "crm.xlsx")).upsert(
        "Customers", [{"customer_id": "C-1", "name": "Real customer"}]
    )
    result = run("demo", code=EXIT_USER)
    assert "not the demo" in result.output
    assert result.output.count("\n") == 1  # one line, no traceback


def test_init_dry_run_writes_nothing(run, tmp_path):
    out = run("init", "--dry-run").output
    assert out.startswith("Plan: 10 tabs added")
    assert not (tmp_path / "crm.xlsx").exists()
    run("init", "--xlsx", "books/shop.xlsx")
    assert (tmp_path / "books" / "shop.xlsx").exists()
    assert "nothing to change" in run("init", "--xlsx", "books/shop.xlsx").output
    assert run("init", "-q", "--xlsx", "books/shop.xlsx").output == ""


def test_show_formats(run):
    run("demo", "-q", "--as-of", "2026-11-21")
    table = run("show", "Customers", "--limit", "3", "--columns", "customer_id,name").output
    assert table.splitlines()[0].split() == ["customer_id", "name"]
    assert len(table.splitlines()) == 4
    csv_out = run("show", "leads", "--format", "csv", "--limit", "2").output
    assert csv_out.splitlines()[0].startswith("lead_id,name,email")
    records = json.loads(run("show", "Tasks", "--format", "json").output)
    assert len(records) == 60 and isinstance(records[0]["done"], bool)
    assert len(run("show", "Campaigns", "--format", "ndjson").output.splitlines()) == 8


def test_show_unknown_tab_and_column(run):
    run("init", "-q")
    result = run("show", "Invoices", code=EXIT_USER)
    assert "no tab 'Invoices'" in result.output
    result = run("show", "Customers", "--columns", "nope", code=2)
    assert "no column 'nope'" in result.output


def test_xlsx_and_sheet_together_is_a_usage_error(run):
    assert "not both" in run("init", "--xlsx", "a.xlsx", "--sheet", "x", code=2).output


def test_bad_target_and_bad_config_are_config_errors(run, tmp_path):
    assert "ending in .xlsx" in run("init", "--xlsx", "crm.csv", code=EXIT_CONFIG).output
    (tmp_path / "sheetcrm.toml").write_text("[locale]\nregion = 'Narnia'\n")
    result = run("init", code=EXIT_CONFIG)
    assert "region" in result.output and "Traceback" not in result.output


def test_config_file_sets_the_default_workbook(run, tmp_path):
    (tmp_path / "sheetcrm.toml").write_text('spreadsheet = "data/shop.xlsx"\n')
    run("init", "-q")
    assert (tmp_path / "data" / "shop.xlsx").exists()


def test_corrupt_workbook_is_one_line(run, tmp_path):
    (tmp_path / "crm.xlsx").write_bytes(b"not a zip")
    result = run("show", "Customers", code=EXIT_USER)
    assert result.output.startswith("sheetcrm: error: crm.xlsx is not a readable .xlsx")


def test_help_lists_exit_codes(run):
    out = run("--help").output
    assert "Exit codes" in out and "5 locked" in out
    for command in ("init", "demo", "show", "summary"):
        assert command in out


def test_import_export_and_exit_codes(run, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    run("init", "-q")
    people = tmp_path / "people.csv"
    people.write_text(
        "Name,Email,City,Colour\nSara,sara@example.com,Tehran,red\nBob,bob@,London,\n,,,\n",
        encoding="utf-8",
    )
    out = run("import", str(people), "--tab", "Customers", "--dry-run").output
    assert out.startswith("Plan: ") and "Would import people.csv into Customers" in out
    out = run("import", str(people), "--tab", "Customers", code=8).output  # a row set aside
    assert "3 rows: 1 created, 1 empty, 1 quarantined" in out
    assert "ignored columns: Colour" in out
    assert "quarantined row 3, column 'Email': 'bob@'" in out
    assert (
        "3 rows: 1 unchanged, 1 empty, 1 quarantined"
        in run("import", str(people), "--tab", "Customers", code=8).output
    )
    exported = run("export", "Customers", "--format", "csv").output
    assert exported.splitlines()[1].split(",")[1:3] == ["Sara", "sara@example.com"]
    rid = exported.splitlines()[1].split(",")[0]
    from sheetcrm.backends.xlsx import XlsxBackend
    from sheetcrm.crm import CRM

    CRM(backend=XlsxBackend(tmp_path / "crm.xlsx")).upsert(
        "Customers", [{"customer_id": rid, "city": "Isfahan"}]
    )
    people.write_text("Name,Email,City\nSara,sara@example.com,Shiraz\n", encoding="utf-8")
    result = run("import", str(people), "--tab", "Customers", code=4)
    assert "sheetcrm: 1 conflict with teammates' edits" in result.output
    assert "error" not in result.output.lower()


def test_import_usage_errors(run, tmp_path):
    run("init", "-q")
    assert "FILE or --from-tab" in run("import", code=2).output
    (tmp_path / "x.csv").write_text("a,b\n1,2\n")
    assert "say which tab" in run("import", str(tmp_path / "x.csv"), code=7).output
    assert (
        "--map 'x'"
        in run("import", str(tmp_path / "x.csv"), "--tab", "Leads", "--map", "x", code=7).output
    )


def test_global_quiet_and_json_logs(run, tmp_path):
    result = run("--quiet", "--log-json", "init")
    import json as _json

    lines = [line for line in result.output.splitlines() if line.startswith("{")]
    assert _json.loads(lines[-1])["event"] == "done"
    assert _json.loads(lines[-1])["command"] == "init"
    assert "Initialised" not in result.output
    failed = run("--log-json", "show", "Invoices", code=3)
    record = _json.loads(failed.output.splitlines()[-1])
    assert record["event"] == "failed" and record["exit"] == 3 and "Invoices" in record["error"]


def test_demo_writes_the_report(run, tmp_path):
    run("demo", "-q", "--as-of", "2026-11-21")
    html = (tmp_path / "crm-report.html").read_text(encoding="utf-8")
    assert (
        "Demo shop" in html and html.count("data:image/svg+xml;base64,") == 3
    )  # SVG charts in HTML
