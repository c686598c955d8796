"""The Google Ads campaign report into Campaigns, as the CSV and as "CSV for Excel"
(UTF-16, tab separated): title lines above the header, ``--`` for blank, totals rows left
out and said so, fractional conversions, Cost → budget, Conv. value → conversion_value,
and a campaign matched by its name; and what a campaign's revenue falls back to."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm.analytics.campaigns import campaign_metrics
from sheetcrm.cli import cli
from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.presets import PRESETS
from sheetcrm.ingest.presets.ads import prepare_google_ads
from sheetcrm.ingest.readers import read_bytes
from sheetcrm.model.values import ValueContext

TITLE = ["Campaign report", "1 September 2025 - 30 September 2025"]
HEADER = [
    "Campaign status",
    "Campaign",
    "Budget",
    "Budget type",
    "Campaign type",
    "Impr.",
    "Clicks",
    "Interactions",
    "Interaction rate",
    "Avg. cost",
    "Cost",
    "Conv. rate",
    "Conversions",
    "Cost / conv.",
    "Conv. value",
    "Currency code",
]
ROWS = [
    "Enabled,Diwali Sarees,500.00,Daily,Search,12345,678,678,5.49%,₹4.12,2793.45,3.32%,"
    "22.50,124.15,18450.00,INR",
    "Enabled,Baluchari Week,750.00,Daily,Performance Max,48210,1204,1204,2.50%,₹3.05,"
    "3672.20,2.74%,33.50,111.28,102350.00,INR",
    "Paused,Brand,--,--,Search,2118,311,311,14.68%,₹1.46,454.06,6.11%,19.00,23.90,9980.00,INR",
    "Total: Account,--,--,--,--,62673,2193,2193,3.50%,₹3.15,6919.71,3.42%,75.00,92.26,"
    "130780.00,INR",
    "Total: Search,--,--,--,--,14463,989,989,6.84%,₹3.28,3247.51,4.20%,41.50,78.25,28430.00,INR",
]
#: name → (budget = Cost, impressions, clicks, conversions, conversion_value)
EXPECTED = {
    "Diwali Sarees": (2793.45, 12345, 678, 22.5, 18450.0),
    "Baluchari Week": (3672.2, 48210, 1204, 33.5, 102350.0),
    "Brand": (454.06, 2118, 311, 19.0, 9980.0),
}


def _quoted(row: str) -> str:
    """A CSV row as Google Ads writes it: grouped thousands in quotes."""
    cells = row.split(",")
    out = []
    for cell in cells:
        try:
            number = float(cell)
        except ValueError:
            out.append(cell)
            continue
        out.append(f'"{number:,.2f}"' if number >= 1000 and "." in cell else cell)
    return ",".join(out)


def csv_report() -> bytes:
    lines = [*TITLE, ",".join(HEADER), *(_quoted(r) for r in ROWS)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def excel_report() -> bytes:
    """ "CSV for Excel": UTF-16 LE with a BOM, tab separated, CRLF."""
    lines = [*TITLE, "\t".join(HEADER), *(r.replace(",", "\t") for r in ROWS)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-16")


REPORTS = {"csv": csv_report, "excel": excel_report}


@pytest.mark.parametrize("shape", sorted(REPORTS))
def test_the_report_is_read_below_its_title_lines(shape):
    table = read_bytes(REPORTS[shape](), "campaigns.csv")
    assert table.title == TITLE
    assert table.columns == HEADER
    assert [r.number for r in table] == [4, 5, 6, 7, 8]
    assert table.rows[0].values["Cost"] in ("2,793.45", "2793.45")


@pytest.mark.parametrize("shape", sorted(REPORTS))
def test_totals_rows_are_left_out_and_dashes_are_blank(shape):
    table = prepare_google_ads(read_bytes(REPORTS[shape](), "campaigns.csv"))
    assert [r.values["Campaign"] for r in table] == list(EXPECTED)
    assert table.rows[2].values["Budget"] == "" and table.rows[2].values["Budget type"] == ""
    assert table.left_out == [
        "row 7, a totals row (Total: Account)",
        "row 8, a totals row (Total: Search)",
    ]


@pytest.fixture
def rupee_crm(harness, tmp_path, monkeypatch):
    """An initialised CRM kept in rupees, on each backend."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    crm = CRM(
        backend=harness.backend, config=Config(values=ValueContext(region="IN", currency="INR"))
    )
    crm.init()
    return crm


def _campaigns(crm):
    frame = crm.frames(["Campaigns"])["Campaigns"]
    return {r["name"]: r for r in frame.to_dict("records")}


@pytest.mark.parametrize("shape", sorted(REPORTS))
def test_the_report_becomes_campaigns_and_a_second_import_writes_nothing(
    rupee_crm, tmp_path, shape
):
    path = tmp_path / "campaigns.csv"
    path.write_bytes(REPORTS[shape]())
    result = import_file(rupee_crm, path)
    assert result.preset == "google-ads"
    assert result.detected == "looks like a Google Ads campaign report (--preset google-ads)"
    assert result.counts.created == 3 and result.counts.rows == 3
    assert not result.quarantine
    got = _campaigns(rupee_crm)
    assert set(got) == set(EXPECTED)
    for name, (budget, impressions, clicks, conversions, value) in EXPECTED.items():
        row = got[name]
        assert float(row["budget"]) == pytest.approx(budget)
        assert int(row["impressions"]) == impressions and int(row["clicks"]) == clicks
        assert float(row["conversions"]) == pytest.approx(conversions)
        assert float(row["conversion_value"]) == pytest.approx(value)
        assert row["channel"] == "google_ads"
    again = import_file(rupee_crm, path)
    assert not again.changed and again.counts.created == 0


def test_amounts_in_another_currency_are_set_aside_as_cells(crm, tmp_path):
    """The shared ``crm`` is kept in dollars: a rupee report's Cost and Conv. value go to
    _quarantine, the campaigns' counts still go in."""
    path = tmp_path / "campaigns.csv"
    path.write_bytes(csv_report())
    result = import_file(crm, path, preset="google-ads")
    assert result.counts.created == 3
    aside = {(q.row, q.column) for q in result.quarantine}
    assert (4, "Cost") in aside and (4, "Conv. value") in aside
    assert all(q.kind == "cell" for q in result.quarantine)
    got = _campaigns(crm)
    assert int(got["Diwali Sarees"]["clicks"]) == 678


@pytest.mark.parametrize("harness", ["memory"], indirect=True)
def test_a_campaign_already_there_is_updated_by_its_name(rupee_crm, tmp_path):
    seed = tmp_path / "seed.csv"
    seed.write_text("campaign_id,name,channel,goal\nK-1,Diwali Sarees,google_ads,sales\n")
    import_file(rupee_crm, seed, tab="Campaigns")
    path = tmp_path / "campaigns.csv"
    path.write_bytes(csv_report())
    result = import_file(rupee_crm, path)
    assert result.counts.created == 2 and result.counts.updated == 1
    got = _campaigns(rupee_crm)
    assert got["Diwali Sarees"]["campaign_id"] == "K-1" and got["Diwali Sarees"]["goal"] == "sales"
    assert float(got["Diwali Sarees"]["conversions"]) == pytest.approx(22.5)


def test_the_cli_says_which_export_it_recognised_and_what_it_left_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IN"\ncurrency = "INR"\n')
    (tmp_path / "campaigns.csv").write_bytes(excel_report())
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], catch_exceptions=False).exit_code == 0
    done = runner.invoke(cli, ["import", "campaigns.csv"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    first = done.output.splitlines()[0]
    assert first == "campaigns.csv looks like a Google Ads campaign report (--preset google-ads)"
    assert "into Campaigns" in done.output and "3 created" in done.output
    assert "  left out: row 7, a totals row (Total: Account)" in done.output
    assert "  left out: row 8, a totals row (Total: Search)" in done.output


def test_a_campaigns_revenue_falls_back_to_its_conversion_value():
    campaigns = pd.DataFrame(
        [
            {"campaign_id": "K-1", "budget": 1000.0, "conversion_value": 18450.0},
            {"campaign_id": "K-2", "budget": 500.0, "conversion_value": 9980.0},
            {"campaign_id": "K-3", "budget": 200.0, "conversion_value": None},
        ],
        dtype=object,
    )
    leads = pd.DataFrame(
        [
            {
                "lead_id": "L-1",
                "campaign_id": "K-2",
                "status": "converted",
                "customer_id": "C-1",
                "contact_date": None,
            }
        ]
    )
    sales = pd.DataFrame(
        [{"customer_id": "C-1", "amount": 2500.0, "day": pd.Timestamp("2025-09-10")}]
    )
    out = campaign_metrics(campaigns, leads, sales)
    assert out.loc["K-1", "revenue"] == 18450.0  # nothing attributed: what Google Ads reports
    assert out.loc["K-1", "roi"] == pytest.approx(17.45)
    assert out.loc["K-2", "revenue"] == 2500.0  # an attributed sale wins, never added
    assert out.loc["K-3", "revenue"] == 0.0


def test_the_google_ads_preset_reads_cost_as_what_was_spent():
    preset = PRESETS["google-ads"]
    assert preset.columns["Cost"] == "budget" and preset.columns["Budget"] == ""
    assert preset.tab == "Campaigns" and preset.kind == "records"


@pytest.mark.parametrize(
    ("text", "columns", "title"),
    [
        ("Name,,\nAli,1,2\nBo,3,4\n", ["Name", "column 2", "column 3"], []),
        ("email\na@example.com\nb@example.com\n", ["email"], []),
        ("Report\n\nA;B;C\n1;2;3\n", ["A", "B", "C"], ["Report", ""]),
        ("A,B\n1,2\n", ["A", "B"], []),
    ],
)
def test_only_narrower_lines_above_a_header_are_title_lines(text, columns, title):
    table = read_bytes(text.encode(), "x.csv")
    assert table.columns == columns and table.title == title
    assert table.rows[0].number == len(title) + 2


def test_with_json_output_the_recognition_goes_to_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IN"\ncurrency = "INR"\n')
    (tmp_path / "campaigns.csv").write_bytes(csv_report())
    runner = CliRunner()
    assert runner.invoke(cli, ["init"], catch_exceptions=False).exit_code == 0
    done = runner.invoke(
        cli, ["import", "campaigns.csv", "--format", "json"], catch_exceptions=False
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["tab"] == "Campaigns"
    assert done.stderr == (
        "campaigns.csv looks like a Google Ads campaign report (--preset google-ads)\n"
    )
