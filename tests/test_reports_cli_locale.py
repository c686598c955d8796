"""The commands speak the workbook's language: ``demo``, ``summary``, ``report`` and
``remind --drafts`` with ``[locale]`` set to Persian tomans in the Jalali calendar, and
to rials in English (where ``summary`` used to print ``$62,500,000.00``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from sheetcrm.cli import cli

PERSIAN = """[locale]
language = "fa_IR"
currency = "IRT"
calendar = "jalali"
digits = "native"
"""


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def test_a_persian_workbook_from_demo_to_drafts(run, tmp_path):
    (tmp_path / "sheetcrm.toml").write_text(PERSIAN, encoding="utf-8")
    out = run("demo", "--as-of", "1405-08-30")  # a Jalali day: 2026-11-21
    assert "مشتریان      ۳۰۰ (" in out and "تومان" in out and "$" not in out
    report = (tmp_path / "crm-report.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl">' in report and "مشتریان برتر این دوره" in report
    summary = run("summary", "--as-of", "۱۴۰۵-۰۸-۳۰")
    assert summary.splitlines()[0] == "crm.xlsx — تا \u2066۱۴۰۵-۰۸-۳۰\u2069"
    assert "سفارش‌ها" in summary and "درآمد" in summary and "تومان" in summary
    text = run("report", "--format", "txt", "--as-of", "1405-08-30", "--period", "1405-08")
    assert text.startswith(
        "گزارش فروش و پیگیری\nگزارش آبان ۱۴۰۵، \u2066۱۴۰۵-۰۸-۰۱\u2069 تا \u2066۱۴۰۵-۰۸-۳۰\u2069\n"
    )
    segments = run("segments", "--as-of", "1405-08-30")
    assert segments.startswith("بخش‌های مشتریان تا \u2066۱۴۰۵-۰۸-۳۰\u2069:\n")
    assert "بخش‌های RFM:" in segments
    run("remind", "--as-of", "1405-08-30", "--drafts", "drafts", "-q")
    letters = [p.read_text(encoding="utf-8") for p in (tmp_path / "drafts").glob("*.txt")]
    assert letters and all(t.startswith("سلام ") and "با احترام" in t for t in letters)


def test_summary_of_an_irr_workbook_prints_rials(run, tmp_path):
    (tmp_path / "sheetcrm.toml").write_text('[locale]\ncurrency = "IRR"\n', encoding="utf-8")
    run("demo", "--as-of", "2026-11-21", "-q")
    out = run("summary", "--as-of", "2026-11-21")
    assert " rial" in out and "$" not in out and ".00" not in out
    assert "Customers    300" in out  # English, as configured
