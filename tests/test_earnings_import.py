"""Earnings imports: affiliate commission, reseller margins and referral rewards become
Earnings rows keyed by programme + reference; a re-import writes nothing, a newer report
updates statuses in place; rates like ``8.00`` are 8 %; buyers are linked to the existing
customer or lead; bad input is set aside by cell or row, and a failed write changes
nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from contract.harness import HARNESSES

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import InputError, SheetCRMError
from sheetcrm.ingest import earnings as earnings_mod
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.mapping import PRESETS, Preset
from sheetcrm.model.values import ValueContext

FIXTURES = Path(__file__).parent / "fixtures" / "sellers"

#: The three earnings exports as a preset maps them (the planner's contract; the built-in
#: presets of the same names may map more columns).
AFFILIATE = Preset(
    name="test-affiliate",
    tab="Earnings",
    kind="earnings",
    columns={
        "Order Date": "date",
        "Order Item ID": "reference",
        "Product Name": "product",
        "Price (INR)": "sale_amount",
        "Commission Rate": "rate",
        "Commission (INR)": "amount",
        "Status": "status",
        "Tracking ID (affExtParam1)": "tracking_id",
    },
    defaults={"source": "affiliate", "programme": "Flipkart Affiliate"},
)
SHOPSY = Preset(
    name="test-shopsy",
    tab="Earnings",
    kind="earnings",
    columns={
        "Order ID": "reference",
        "Order Date": "date",
        "Product": "product",
        "Customer Name": "buyer_name",
        "Customer Phone": "phone",
        "Selling Price": "sale_amount",
        "Your Margin": "amount",
        "Order Status": "order_status",
        "Margin Status": "status",
    },
    defaults={"source": "reseller", "programme": "Shopsy"},
)
REFERRALS = Preset(
    name="test-referrals",
    tab="Earnings",
    kind="earnings",
    columns={
        "Referral code": "reference",
        "Referred friend": "buyer_name",
        "Phone": "phone",
        "Joined on": "date",
        "Reward (₹)": "amount",
        "Status": "status",
    },
    defaults={"source": "referral", "programme": "Refer a friend"},
)


@pytest.fixture(params=["memory", "xlsx"])
def harness(request, tmp_path):
    made = HARNESSES[request.param](tmp_path)
    yield made
    made.close()


@pytest.fixture
def crm(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for preset in (AFFILIATE, SHOPSY, REFERRALS):
        monkeypatch.setitem(PRESETS, preset.name, preset)
    config = Config(values=ValueContext(region="IN", currency="INR", date_order="DMY"))
    c = CRM(backend=harness.backend, config=config)
    c.init()
    return c


def writes(harness) -> object:
    emulator = getattr(harness, "emulator", None)
    return emulator.stats.writes if emulator else harness.state()


def expected_affiliate(path: Path) -> pd.DataFrame:
    """The affiliate file read by pandas alone: rate as a fraction, amounts as numbers."""
    raw = pd.read_csv(path, dtype=str)
    out = pd.DataFrame()
    out["reference"] = raw["Order Item ID"]
    out["amount"] = raw["Commission (INR)"].str.replace(",", "").astype(float)
    out["sale_amount"] = raw["Price (INR)"].str.replace(",", "").astype(float)
    out["rate"] = raw["Commission Rate"].str.rstrip("%").astype(float) / 100
    out["status"] = raw["Status"].str.lower()
    out["tracking_id"] = raw["Tracking ID (affExtParam1)"]
    out["date"] = pd.to_datetime(raw["Order Date"], format="%Y-%m-%d")
    return out


def test_affiliate_report_becomes_earnings_rows(crm, tmp_path):
    path = FIXTURES / "flipkart_affiliate.csv"
    result = import_file(crm, path, preset="test-affiliate")
    want = expected_affiliate(path)
    assert result.counts.created == len(want) and result.counts.quarantined == 0
    got = crm.frame("Earnings").set_index("reference").loc[want["reference"]]
    assert list(got["amount"]) == pytest.approx(list(want["amount"]))
    assert list(got["sale_amount"]) == pytest.approx(list(want["sale_amount"]))
    assert list(got["rate"]) == pytest.approx(list(want["rate"]))  # 8.00 and 8% are 8 %
    assert list(got["status"]) == list(want["status"])
    assert list(got["tracking_id"]) == list(want["tracking_id"])
    assert set(got["source"]) == {"affiliate"} and set(got["programme"]) == {"Flipkart Affiliate"}
    assert [d.date() for d in got["date"]] == [d.date() for d in want["date"]]


def test_the_same_report_again_writes_nothing_and_a_newer_one_updates_statuses(
    crm, harness, tmp_path
):
    path = FIXTURES / "flipkart_affiliate.csv"
    import_file(crm, path, preset="test-affiliate")
    before = writes(harness)
    again = import_file(crm, path, preset="test-affiliate")
    assert (again.counts.created, again.counts.updated) == (0, 0)
    assert again.counts.unchanged == len(pd.read_csv(path))
    assert writes(harness) == before  # nothing planned, nothing written
    # a month later: the pending ones were approved, an approved one was paid
    raw = pd.read_csv(path, dtype=str)
    newer = raw.copy()
    newer.loc[newer["Status"] == "Pending", "Status"] = "Approved"
    newer.loc[newer["Order Item ID"] == "OI2025090512004458", "Status"] = "Paid"
    later = tmp_path / "affiliate_later.csv"
    newer.to_csv(later, index=False)
    result = import_file(crm, later, preset="test-affiliate")
    changed = (raw["Status"] != newer["Status"]).sum()
    assert (result.counts.created, result.counts.updated) == (0, changed)
    got = crm.frame("Earnings").set_index("reference")
    assert len(got) == len(raw)  # updated in place, not appended
    want = newer.set_index("Order Item ID")["Status"].str.lower()
    assert got.loc[want.index, "status"].tolist() == want.tolist()


def test_reseller_margins_link_buyers_and_cancel_undone_orders(crm, tmp_path):
    crm.upsert(
        "Customers",
        [
            {"customer_id": "C-SREYA", "name": "Sreya Pal", "phone": "+919874455667"},
            {"customer_id": "C-MOU", "name": "মৌমিতা সাহা", "phone": "+919836122113"},
        ],
    )
    crm.upsert("Leads", [{"lead_id": "L-NABA", "name": "Nabanita Kar", "phone": "9051234567"}])
    path = FIXTURES / "shopsy_margin.csv"
    result = import_file(crm, path, preset="test-shopsy")
    raw = pd.read_csv(path, dtype=str)
    assert result.counts.created == len(raw) and result.counts.quarantined == 0
    got = crm.frame("Earnings").set_index("reference").loc[raw["Order ID"]]
    # independent reading: margin status Credited → paid, Pending → pending; an order that
    # was cancelled or returned cancels a margin not yet credited
    status = raw["Margin Status"].map({"Credited": "paid", "Pending": "pending"})
    undone = raw["Order Status"].isin(["Cancelled", "Returned"]) & (status != "paid")
    status[undone] = "cancelled"
    assert got["status"].tolist() == status.tolist()
    assert got["amount"].tolist() == pytest.approx(raw["Your Margin"].astype(float).tolist())
    phones = {"9874455667": "C-SREYA", "+91 98361 22113": "C-MOU"}
    want_customer = raw["Customer Phone"].map(phones)
    assert got["customer_id"].fillna("").tolist() == want_customer.fillna("").tolist()
    assert got["lead_id"].fillna("").tolist() == [
        "L-NABA" if p == "9051234567" else "" for p in raw["Customer Phone"]
    ]
    paromita = got.loc["SHPSY2510010926"]
    assert paromita["notes"] == "buyer: Paromita Das, +918017654321"  # nobody has her
    assert set(got["programme"]) == {"Shopsy"} and set(got["source"]) == {"reseller"}
    assert result.also["People"] == (
        "linked 4 to customers, 1 to leads; 1 buyer matched no customer or lead (named in notes)"
    )


def test_referral_rewards_one_row_per_friend_even_when_codes_repeat(crm, tmp_path):
    crm.upsert("Leads", [{"lead_id": "L-SOHINI", "name": "Sohini Basu", "phone": "9007044556"}])
    path = FIXTURES / "referrals.csv"
    result = import_file(crm, path, preset="test-referrals")
    raw = pd.read_csv(path, dtype=str)
    assert raw["Referral code"].duplicated().any()  # the trap: one code, two friends
    assert result.counts.created == len(raw)
    got = crm.frame("Earnings")
    assert got["earning_id"].is_unique and len(got) == len(raw)
    sohini = got[got["notes"].isna() | (got["notes"] == "")]
    assert sohini["lead_id"].tolist() == ["L-SOHINI"]
    assert set(got["source"]) == {"referral"}
    assert got["amount"].sum() == pytest.approx(raw["Reward (₹)"].astype(float).sum())
    again = import_file(crm, path, preset="test-referrals")
    assert (again.counts.created, again.counts.updated) == (0, 0)


def test_a_customer_named_by_email_or_phone_in_the_customer_id_column(crm, tmp_path):
    crm.upsert("Customers", [{"customer_id": "C-ANANYA", "name": "Ananya", "email": "a@x.in"}])
    path = tmp_path / "earned.csv"
    path.write_text(
        "Date,Amount,Customer,Programme,Reference\n"
        "2025-09-01,120,A@X.IN,Direct referral,R1\n"
        "2025-09-02,80,nobody@x.in,Direct referral,R2\n"
        "2025-09-03,60,C-ANANYA,Direct referral,R3\n",
        encoding="utf-8",
    )
    result = import_file(crm, path, tab="Earnings", overrides={"Customer": "customer_id"})
    got = crm.frame("Earnings").set_index("reference")
    assert got.loc["R1", "customer_id"] == "C-ANANYA"
    assert got.loc["R3", "customer_id"] == "C-ANANYA"
    assert pd.isna(got.loc["R2", "customer_id"]) or got.loc["R2", "customer_id"] == ""
    [cell] = [q for q in result.quarantine if q.kind == "cell"]
    assert (cell.row, cell.column, cell.value) == (3, "Customer", "nobody@x.in")
    assert "no customer has nobody@x.in" in cell.reason


def test_bad_rows_and_cells_are_set_aside_and_the_rest_goes_in(crm, tmp_path):
    path = tmp_path / "affiliate_bad.csv"
    raw = pd.read_csv(FIXTURES / "flipkart_affiliate.csv", dtype=str).head(4)
    raw.loc[1, "Commission (INR)"] = "lots"  # the amount: the row is set aside
    raw.loc[2, "Commission Rate"] = "eight"  # the rate alone: left blank
    raw.loc[3, "Order Date"] = "someday"  # the date: the row is set aside
    raw.to_csv(path, index=False)
    result = import_file(crm, path, preset="test-affiliate")
    c = result.counts
    assert (c.rows, c.created, c.quarantined, c.cells_set_aside) == (4, 2, 2, 1)
    assert c.accounted() == c.rows
    by_row = {(q.row, q.kind): q for q in result.quarantine}
    assert by_row[(3, "row")].column == "Commission (INR)" and by_row[(3, "row")].value == "lots"
    assert by_row[(5, "row")].column == "Order Date"
    assert by_row[(4, "cell")].column == "Commission Rate"
    got = crm.frame("Earnings").set_index("reference")
    assert pd.isna(got.loc[raw.loc[2, "Order Item ID"], "rate"])
    assert sorted(crm.frame("_quarantine")["row"]) == [3, 4, 5]


def test_no_amount_column_fails_before_anything_is_written(crm, harness, tmp_path):
    path = tmp_path / "no_amount.csv"
    path.write_text("When,Payout ref,Money\n2025-09-01,P1,100\n", encoding="utf-8")
    before = writes(harness)
    with pytest.raises(InputError, match=r"no column maps to amount, .*Try: --map 'Money=amount'"):
        import_file(crm, path, tab="Earnings", overrides={"Payout ref": "reference"})
    assert writes(harness) == before


def test_amount_from_sale_and_rate_when_the_report_has_none(crm, tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(
        "Date,Reference,Sale amount,Rate,Programme\n"
        '2025-09-01,X1,"1,12,500.00",8.00,Amazon Associates\n'
        "2025-09-02,X2,999,4.5%,Amazon Associates\n",
        encoding="utf-8",
    )
    import_file(crm, path, tab="Earnings")
    got = crm.frame("Earnings").set_index("reference")
    assert got.loc["X1", "amount"] == pytest.approx(112500 * 0.08)
    assert got.loc["X2", "amount"] == 44.96  # 44.955 rounded half up, to the cent
    assert got.loc["X1", "rate"] == pytest.approx(0.08)


def test_rate_reading():
    pct = earnings_mod.percentage
    assert [pct("8.00"), pct("8%"), pct(" 6.5 "), pct(8), pct(0.08), pct(None)] == [
        "8.00%",
        "8%",
        "6.5%",
        "8%",
        0.08,
        None,
    ]


def test_a_failed_write_changes_nothing_and_the_rerun_converges(tmp_path, monkeypatch):
    """Google Sheets: a write that keeps failing leaves no Earnings row behind; one whose
    answer is lost is not appended twice; the re-run gives exactly the clean run's rows."""
    from contract.harness import no_sleep

    from sheetcrm.backends.gsheets.retry import RetryPolicy
    from sheetcrm.errors import TransientError

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(PRESETS, AFFILIATE.name, AFFILIATE)
    harness = HARNESSES["gsheets"](tmp_path)
    try:
        config = Config(values=ValueContext(region="IN", currency="INR"))
        crm = CRM(backend=harness.backend, config=config)
        crm.init()
        crm.backend.retry = RetryPolicy(sleep=no_sleep, attempts=2)
        path = FIXTURES / "flipkart_affiliate.csv"
        harness.emulator.fail("values.batchUpdate", 500, times=2)  # both attempts
        with pytest.raises(TransientError):
            import_file(crm, path, preset="test-affiliate")
        assert crm.frame("Earnings").empty  # nothing half-written
        harness.emulator.drop_response("values.batchUpdate")
        rerun = import_file(crm, path, preset="test-affiliate")
        want = expected_affiliate(path)
        got = crm.frame("Earnings")
        assert len(got) == len(want) and got["earning_id"].is_unique
        assert sorted(got["reference"]) == sorted(want["reference"])
        assert rerun.counts.created == len(want)
        assert (import_file(crm, path, preset="test-affiliate").counts.created) == 0
    finally:
        harness.close()


def test_a_failed_save_leaves_the_workbook_as_it_was(tmp_path, monkeypatch):
    """xlsx: the disk refuses the save; the file is byte for byte what it was."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(PRESETS, AFFILIATE.name, AFFILIATE)
    harness = HARNESSES["xlsx"](tmp_path)
    try:
        crm = CRM(backend=harness.backend, config=Config(values=ValueContext(region="IN")))
        crm.init()
        book = Path(harness.backend.path)
        before = book.read_bytes()
        import openpyxl.workbook.workbook as wb

        def full(*_a, **_k):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(wb.Workbook, "save", full)
        with pytest.raises(SheetCRMError) as failed:
            import_file(crm, FIXTURES / "flipkart_affiliate.csv", preset="test-affiliate")
        assert "nothing was changed" in str(failed.value), failed.value
        assert book.read_bytes() == before
        monkeypatch.undo()
        monkeypatch.setitem(PRESETS, AFFILIATE.name, AFFILIATE)
        result = import_file(crm, FIXTURES / "flipkart_affiliate.csv", preset="test-affiliate")
        assert result.counts.created == 8
    finally:
        harness.close()


def test_a_lead_named_by_phone_in_the_lead_id_column(crm, tmp_path):
    crm.upsert("Leads", [{"lead_id": "L-ISHITA", "name": "Ishita Paul", "phone": "8336011224"}])
    path = tmp_path / "rewards.csv"
    path.write_text(
        "Date,Reward,Friend phone,Code\n2025-10-02,150,+91 83360 11224,TANTUJA-SUMI\n",
        encoding="utf-8",
    )
    overrides = {"Reward": "amount", "Friend phone": "lead_id", "Code": "reference"}
    result = import_file(crm, path, tab="Earnings", overrides=overrides)
    assert result.counts.created == 1 and not result.quarantine
    assert crm.frame("Earnings").iloc[0]["lead_id"] == "L-ISHITA"


BUILT_IN = {
    "flipkart_affiliate.csv": ("flipkart-affiliate", "test-affiliate"),
    "shopsy_margin.csv": ("shopsy-margin", "test-shopsy"),
    "referrals.csv": ("referrals", "test-referrals"),
}


@pytest.mark.parametrize("name", sorted(BUILT_IN))
def test_the_built_in_presets_give_the_same_rows(name, tmp_path, monkeypatch):
    """The built-in earnings presets and the mapping this file's contract presets spell
    out make the same Earnings rows (IDs, amounts, statuses) from the same export."""
    built_in, contract = BUILT_IN[name]
    if built_in not in PRESETS:
        pytest.skip(f"no built-in preset {built_in!r} in this tree")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for preset in (AFFILIATE, SHOPSY, REFERRALS):
        monkeypatch.setitem(PRESETS, preset.name, preset)
    rows = {}
    for which in (built_in, contract):
        crm = CRM(backend=HARNESSES["memory"](tmp_path / which).backend, config=Config())
        crm.init()
        import_file(crm, FIXTURES / name, preset=which)
        got = crm.frame("Earnings").set_index("earning_id").sort_index()
        rows[which] = got[["reference", "amount", "status", "source", "programme", "rate"]]
    pd.testing.assert_frame_equal(rows[built_in], rows[contract])


def test_re_import_makes_no_request_that_writes_on_sheets(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setitem(PRESETS, SHOPSY.name, SHOPSY)
    harness = HARNESSES["gsheets"](tmp_path)
    try:
        config = Config(values=ValueContext(region="IN", currency="INR", date_order="DMY"))
        crm = CRM(backend=harness.backend, config=config)
        crm.init()
        first = import_file(crm, FIXTURES / "shopsy_margin.csv", preset="test-shopsy")
        assert first.counts.created == 6
        before = harness.emulator.stats.writes
        again = import_file(crm, FIXTURES / "shopsy_margin.csv", preset="test-shopsy")
        assert again.counts.unchanged == 6
        assert harness.emulator.stats.writes == before
    finally:
        harness.close()
