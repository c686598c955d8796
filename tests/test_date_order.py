"""One day/month order per date column (issue 16, decision 8): a value with a day above 12
settles the column, else a header naming the order, else ``[locale] date_order``; a column
whose values contradict each other is refused, naming the file, the column and two
examples with their rows, before anything is written."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from contract.harness import HARNESSES
from support import run_sheetcrm

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.errors import InputError
from sheetcrm.ingest.dateorder import column_orders, header_order, value_order
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.readers import SourceRow, SourceTable
from sheetcrm.model.tabs import build_schema
from sheetcrm.model.values import ValueContext

DMY = ValueContext(region="IN", currency="INR", date_order="DMY")
MDY = ValueContext(region="US", date_order="MDY")
INTERACTIONS = build_schema()["Interactions"]


def table(column: str, values: list[object], name: str = "orders.csv") -> SourceTable:
    """A one-column table; row numbers as a person counts them (the header is row 1)."""
    rows = [SourceRow(i + 2, {column: v, "Type": "purchase"}) for i, v in enumerate(values)]
    return SourceTable(name, [column, "Type"], rows)


def dates(t: SourceTable, ctx: ValueContext, field: str = "date") -> list[object]:
    """The column read as the import reads it: with the context ``column_orders`` gives."""
    column = t.columns[0]
    got = column_orders(t, {column: field, "Type": "type"}, INTERACTIONS, ctx)
    f = INTERACTIONS.field(field)
    return [f.parse(r.values[column], got.get(field, ctx)) for r in t.rows]


# -- what one header and one value say --------------------------------------------------


@pytest.mark.parametrize(
    ("header", "order"),
    [
        ("Invoice Date (mm/dd/yy)", "MDY"),
        ("Date (dd/mm/yyyy)", "DMY"),
        ("MM-DD-YYYY", "MDY"),
        ("Ship date (m/d/y)", "MDY"),
        ("Datum d.m.y", "DMY"),
        ("Order date (MDY)", "MDY"),
        ("order date dmy", "DMY"),
        ("Date DD-MM-YY", "DMY"),
        ("Ordered On", None),
        ("Dispatch by date", None),
        ("Date (DD-MMM-YYYY)", None),  # the month in words: either order reads it
        ("yyyy-mm-dd", None),
        ("Commodity", None),  # "mdy" inside a word is no order
        ("تاریخ (روز/ماه/سال)", "DMY"),
        ("تاریخ فاکتور (ماه/روز/سال)", "MDY"),
        ("তারিখ (দিন/মাস/বছর)", "DMY"),
        ("অর্ডারের তারিখ (মাস-দিন-বছর)", "MDY"),
        ("ماه تولد", None),
    ],
)
def test_a_header_names_the_order(header, order):
    assert header_order(header) == order


@pytest.mark.parametrize(
    ("value", "order"),
    [
        ("09/21/25", "MDY"),
        ("21/09/25", "DMY"),
        ("09/03/25", None),  # both 12 or less: ambiguous
        ("13.09.2025 14:22", "DMY"),
        ("09-21-2025 3:15 PM", "MDY"),
        ("۰۹/۲۱/۲۵", "MDY"),  # Persian digits
        ("১৩/০৯/২০২৫", "DMY"),  # Bengali digits
        ("15/07/1403", "DMY"),  # a Jalali date, year last
        ("1403/07/15", None),  # year first: no day/month question
        ("2025-09-21", None),
        ("2025-09-03T10:15:32+00:00", None),
        ("2025-09-03 10:15:32 +0100", None),
        ("Sep 03, 2025", None),
        ("۲۰ مهر ۱۴۰۴", None),
        ("21/21/25", None),  # no date in either order: the codec refuses it
        ("", None),
    ],
)
def test_a_value_settles_the_order_only_with_a_day_above_12(value, order):
    assert value_order(value) == order


# -- a column ---------------------------------------------------------------------------


def test_the_issue_column_a_value_settles_it_against_the_workbook_order():
    """``09/03/25`` and ``09/21/25`` under DMY were 9 March and 21 September."""
    t = table("Invoice Date", ["09/03/25", "09/21/25", "", "09/03/25"])
    assert dates(t, DMY) == [
        dt.datetime(2025, 9, 3),
        dt.datetime(2025, 9, 21),
        None,
        dt.datetime(2025, 9, 3),
    ]


def test_an_ambiguous_column_follows_its_header():
    t = table("Invoice Date (mm/dd/yy)", ["09/03/25", "10/04/25"])
    assert dates(t, DMY) == [dt.datetime(2025, 9, 3), dt.datetime(2025, 10, 4)]
    t = table("Date (dd/mm/yyyy)", ["09/03/2025", "10/04/2025"])
    assert dates(t, MDY) == [dt.datetime(2025, 3, 9), dt.datetime(2025, 4, 10)]


def test_values_that_settle_it_win_over_the_header():
    t = table("Invoice Date (mm/dd/yy)", ["09/03/25", "21/09/25"])
    assert dates(t, MDY) == [dt.datetime(2025, 3, 9), dt.datetime(2025, 9, 21)]


def test_an_ambiguous_column_without_a_header_order_follows_the_workbook():
    t = table("Date", ["09/03/25", "10/04/25"])
    assert column_orders(t, {"Date": "date"}, INTERACTIONS, DMY) == {}
    assert dates(t, DMY) == [dt.datetime(2025, 3, 9), dt.datetime(2025, 4, 10)]
    assert dates(t, MDY) == [dt.datetime(2025, 9, 3), dt.datetime(2025, 10, 4)]


def test_a_column_read_in_the_workbook_order_needs_no_context_of_its_own():
    t = table("Invoice Date (mm/dd/yy)", ["09/21/25"])
    assert column_orders(t, {t.columns[0]: "date"}, INTERACTIONS, MDY) == {}


def test_the_context_of_a_column_keeps_the_rest_of_the_workbook_context():
    ref = ValueContext(region="IR", currency="IRR", date_reference=dt.date(2025, 1, 1))
    t = table("Date", ["09/21/25"])
    got = column_orders(t, {"Date": "date"}, INTERACTIONS, ref)["date"]
    assert got == ValueContext(
        region="IR", currency="IRR", date_order="MDY", date_reference=dt.date(2025, 1, 1)
    )


def test_each_date_column_has_its_own_order():
    rows = [
        SourceRow(2, {"When": "21/09/25", "Follow up (mm/dd/yyyy)": "10/01/2025"}),
        SourceRow(3, {"When": "09/03/25", "Follow up (mm/dd/yyyy)": "10/02/2025"}),
    ]
    t = SourceTable("notes.csv", ["When", "Follow up (mm/dd/yyyy)"], rows)
    fields = {"When": "date", "Follow up (mm/dd/yyyy)": "next_action_date"}
    got = column_orders(t, fields, INTERACTIONS, MDY)
    assert set(got) == {"date"} and got["date"].date_order == "DMY"
    got = column_orders(t, fields, INTERACTIONS, DMY)
    assert set(got) == {"next_action_date"} and got["next_action_date"].date_order == "MDY"


def test_only_date_fields_are_looked_at():
    rows = [SourceRow(2, {"Summary (mm/dd/yy)": "09/21/25"}), SourceRow(3, {"Summary": "x"})]
    t = SourceTable("notes.csv", ["Summary (mm/dd/yy)"], rows)
    assert column_orders(t, {"Summary (mm/dd/yy)": "summary"}, INTERACTIONS, DMY) == {}
    # a virtual field an import reads (no field of the tab) is no date column either
    assert column_orders(t, {"Summary (mm/dd/yy)": "buyer_name"}, INTERACTIONS, DMY) == {}


@pytest.mark.parametrize(
    "values",
    [
        ["2025-09-03", "2025-09-21 14:22:10", "2025-09-03T10:15:32+00:00"],
        ["Sep 03, 2025", "21 September 2025"],
        ["1403/07/15", "۱۴۰۳/۰۷/۲۰", "۲۰ مهر ۱۴۰۴"],
        [dt.datetime(2025, 9, 21), dt.date(2025, 9, 3), 45903.5],  # cells held as dates
    ],
)
def test_dates_that_read_the_same_in_either_order_are_left_alone(values):
    t = table("Ordered On", values)
    assert column_orders(t, {"Ordered On": "date"}, INTERACTIONS, DMY) == {}
    assert column_orders(t, {"Ordered On": "date"}, INTERACTIONS, MDY) == {}


def test_a_mixed_column_of_iso_and_settled_dates_takes_the_settled_order():
    t = table("Date", ["2025-09-03 14:22:10", "۰۹/۲۱/۲۵ ۱۴:۲۲", "09/03/25"])
    assert dates(t, DMY) == [
        dt.datetime(2025, 9, 3, 14, 22, 10),
        dt.datetime(2025, 9, 21, 14, 22),
        dt.datetime(2025, 9, 3),
    ]


def test_a_jalali_column_with_the_year_last_is_settled_like_any_other():
    t = table("تاریخ", ["۱۵/۰۷/۱۴۰۳", "۰۵/۰۷/۱۴۰۳"])
    got = dates(t, MDY)
    assert got == [dt.datetime(2024, 10, 6), dt.datetime(2024, 9, 26)]  # 15 and 5 Mehr 1403


# -- contradictions ---------------------------------------------------------------------


def test_a_contradicting_column_is_refused_naming_file_column_and_two_rows():
    t = table(
        "Invoice Date (mm/dd/yy)",
        ["09/03/25", "09/21/25", "09/21/25", "", "21/09/25", "22/09/25"],
        name="flipkart_orders.csv",
    )
    with pytest.raises(InputError) as caught:
        column_orders(t, {t.columns[0]: "date"}, INTERACTIONS, DMY)
    said = str(caught.value)
    assert said.startswith("flipkart_orders.csv: column 'Invoice Date (mm/dd/yy)' ")
    assert "row 3 has '09/21/25', which is month first (MDY)" in said
    assert "row 6 has '21/09/25', which is day first (DMY)" in said
    assert "\n" not in said


def test_the_earlier_example_comes_first_whichever_order_it_needs():
    t = table("Date", ["13/01/2025 10:00", "01/13/2025 11:00"])
    with pytest.raises(InputError, match=r"row 2 has '13/01/2025 10:00', which is day first"):
        column_orders(t, {"Date": "date"}, INTERACTIONS, MDY)


def test_native_digits_contradict_like_ascii_ones():
    t = table("তারিখ", ["১৩/০৯/২০২৫", "09/21/2025"])
    with pytest.raises(InputError, match=r"row 2 has '১৩/০৯/২০২৫'.*row 3 has '09/21/2025'"):
        column_orders(t, {"তারিখ": "date"}, INTERACTIONS, DMY)


# -- speed: work per distinct value -----------------------------------------------------


def test_a_100k_row_column_is_settled_per_distinct_value():
    """100,000 date-times over one month (every cell distinct by its time): classified by
    the date part, so the column costs about as much as its 30 days."""
    values = [
        f"09/{1 + i % 30:02d}/2025 {i % 24:02d}:{i % 60:02d}:{i % 59:02d}" for i in range(100_000)
    ]
    t = table("Ordered On", values)
    start = time.perf_counter()
    got = column_orders(t, {"Ordered On": "date"}, INTERACTIONS, DMY)
    took = time.perf_counter() - start
    assert got["date"].date_order == "MDY"
    assert took < 1.0, took  # about 0.08 s alone


class _Unread(dict[str, object]):
    """The values of a row the scan must not reach."""

    def get(self, *args: object) -> object:
        raise AssertionError("the scan went on after the contradiction")


def test_a_contradiction_stops_the_scan():
    t = table("Date", ["09/21/25", "09/21/25", "21/09/25"])
    t.rows.extend(SourceRow(5 + i, _Unread(Date="09/03/25")) for i in range(3))
    with pytest.raises(InputError, match=r"row 2 has '09/21/25'.*row 4 has '21/09/25'"):
        column_orders(t, {"Date": "date"}, INTERACTIONS, DMY)


# -- through an import ------------------------------------------------------------------


def _memory_crm(tmp_path, ctx: ValueContext) -> CRM:
    crm = CRM(backend=HARNESSES["memory"](tmp_path).backend, config=Config(values=ctx))
    crm.init()
    return crm


def test_an_import_reads_the_column_in_its_order(tmp_path):
    crm = _memory_crm(tmp_path, DMY)
    path = tmp_path / "notes.csv"
    path.write_text(
        "Date,Type,Summary\n09/03/25,call,first\n09/21/25,call,second\n", encoding="utf-8"
    )
    result = import_file(crm, path, tab="Interactions")
    assert result.counts.created == 2
    frame = crm.frame("Interactions")
    assert sorted(zip(frame["summary"], frame["date"], strict=True)) == [
        ("first", dt.datetime(2025, 9, 3)),
        ("second", dt.datetime(2025, 9, 21)),
    ]


def test_an_import_of_a_contradicting_column_writes_nothing(tmp_path):
    crm = _memory_crm(tmp_path, DMY)
    path = tmp_path / "notes.csv"
    path.write_text(
        "Date,Type,Summary\n09/21/25,call,first\n21/09/25,call,second\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"notes\.csv: column 'Date' mixes day/month orders"):
        import_file(crm, path, tab="Interactions")
    assert crm.frame("Interactions").empty
    assert crm.frame("_quarantine").empty


# -- the CLI, every command a fresh process, on an xlsx workbook ------------------------

ORDERS_CSV = (
    "Order Id,Invoice Date (mm/dd/yy),Product,Type\n"
    "OD101,09/03/25,Jamdani Saree (Red),purchase\n"
    "OD102,10/04/25,Tant Saree,purchase\n"
)

SWAPPED_CSV = (
    "Order Id,Invoice Date (mm/dd/yy),Product,Type\n"
    "OD101,09/03/25,Jamdani Saree (Red),purchase\n"
    "OD102,09/21/25,Tant Saree,purchase\n"
    "OD103,21/09/25,Baluchari Saree,purchase\n"
)

MAP = ("--map", "Invoice Date (mm/dd/yy)=date", "--map", "Order Id=order_id")


def _workbook(tmp_path):
    (tmp_path / "sheetcrm.toml").write_text(
        '[locale]\nregion = "IN"\ndate_order = "DMY"\n', encoding="utf-8"
    )
    done = run_sheetcrm("init", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (book,) = tmp_path.glob("*.xlsx")
    return book


def test_cli_imports_an_ambiguous_column_in_its_header_order(tmp_path):
    _workbook(tmp_path)
    source = tmp_path / "orders.csv"
    source.write_text(ORDERS_CSV, encoding="utf-8")
    done = run_sheetcrm("import", str(source), "--tab", "Interactions", *MAP, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    shown = run_sheetcrm("show", "Interactions", "--format", "json", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    got = sorted((r["order_id"], r["date"][:10]) for r in json.loads(shown.stdout))
    assert got == [("OD101", "2025-09-03"), ("OD102", "2025-10-04")]


def test_cli_refuses_a_contradicting_column_and_writes_nothing(tmp_path):
    book = _workbook(tmp_path)
    before = book.read_bytes()
    source = tmp_path / "orders.csv"
    source.write_text(SWAPPED_CSV, encoding="utf-8")
    done = run_sheetcrm("import", str(source), "--tab", "Interactions", *MAP, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert done.returncode == 3, said
    assert "orders.csv: column 'Invoice Date (mm/dd/yy)' mixes day/month orders" in said
    assert "row 3 has '09/21/25', which is month first (MDY)" in said
    assert "row 4 has '21/09/25', which is day first (DMY)" in said
    assert book.read_bytes() == before


# -- the seller planners read their date columns the same way ---------------------------

SELLER_FILES = {
    "Orders": "order_id,Invoice Date (mm/dd/yy),product,quantity,line_total,status\n"
    "OD1,{0},Jamdani Saree,1,4850.00,delivered\n"
    "OD2,{1},Tant Saree,1,1299.00,delivered\n",
    "Returns": "return_id,Return Date (mm/dd/yy),order_id,kind,status,amount\n"
    "RT1,{0},OD1,refund,completed,4850.00\n"
    "RT2,{1},OD2,refund,completed,1299.00\n",
    "Earnings": "reference,Order Date (mm/dd/yy),source,programme,amount,status\n"
    "FK1,{0},affiliate,Flipkart Affiliate,388.00,approved\n"
    "FK2,{1},affiliate,Flipkart Affiliate,104.00,approved\n",
}


def _seller_import(tmp_path, tab: str, first: str, second: str):
    crm = _memory_crm(tmp_path, DMY)
    path = tmp_path / f"{tab.lower()}.csv"
    text = SELLER_FILES[tab].format(first, second)
    path.write_text(text, encoding="utf-8")
    header = text.split("\n", 1)[0].split(",")[1]
    return crm, import_file(crm, path, tab=tab, overrides={header: "date"}), header


@pytest.mark.parametrize("tab", sorted(SELLER_FILES))
def test_a_seller_import_reads_an_ambiguous_column_in_its_header_order(tmp_path, tab):
    crm, result, _ = _seller_import(tmp_path, tab, "09/03/25", "10/04/25")
    assert result.counts.created == 2, result.quarantine
    got = sorted(crm.frame(tab)["date"].tolist())
    assert [d.date() if isinstance(d, dt.datetime) else d for d in got] == [
        dt.date(2025, 9, 3),
        dt.date(2025, 10, 4),
    ]


@pytest.mark.parametrize("tab", sorted(SELLER_FILES))
def test_a_seller_import_of_a_contradicting_column_writes_nothing(tmp_path, tab):
    crm = _memory_crm(tmp_path, DMY)
    before = {name: crm.frame(name).copy() for name in ("Customers", "Interactions")}
    path = tmp_path / f"{tab.lower()}.csv"
    text = SELLER_FILES[tab].format("09/21/25", "21/09/25")
    path.write_text(text, encoding="utf-8")
    header = text.split("\n", 1)[0].split(",")[1]
    with pytest.raises(InputError) as caught:
        import_file(crm, path, tab=tab, overrides={header: "date"})
    said = str(caught.value)
    assert said.startswith(f"{tab.lower()}.csv: column {header!r} mixes day/month orders")
    assert "row 2 has '09/21/25'" in said and "row 3 has '21/09/25'" in said
    assert crm.frame(tab).empty  # the optional tab, if made at all, holds nothing
    for name, frame in before.items():
        assert crm.frame(name).equals(frame)


def test_a_transactions_log_with_swapped_invoice_dates_is_refused(tmp_path):
    crm = _memory_crm(tmp_path, DMY)
    path = tmp_path / "retail.csv"
    path.write_text(
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,TEA LIGHT HOLDER,6,12/01/10 08:26,2.55,17850,United Kingdom\n"
        "536366,71053,METAL LANTERN,6,12/13/10 08:28,3.39,17850,United Kingdom\n"
        "536367,84406B,CREAM CUPID HEARTS,8,13/12/10 09:01,2.75,13047,United Kingdom\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"retail\.csv: column 'InvoiceDate' mixes"):
        import_file(crm, path, preset="transactions")
    for tab in ("Interactions", "Orders", "Returns", "Customers"):
        assert crm.frame(tab).empty, tab


def test_cli_a_retried_row_is_read_in_the_order_of_its_whole_column(tmp_path):
    """Row 3 was set aside for its type; its column was read month first (row 2 settled
    it), so the retry reads 09/03/25 as 3 September too, not by the workbook's DMY."""
    _workbook(tmp_path)
    notes = tmp_path / "notes.csv"
    notes.write_text("Date,Type,Summary\n09/21/25,call,first\n09/03/25,ringup,second\n")
    done = run_sheetcrm("import", str(notes), "--tab", "Interactions", cwd=tmp_path)
    assert done.returncode == 8, done.stdout + done.stderr
    with (tmp_path / "sheetcrm.toml").open("a", encoding="utf-8") as toml:
        toml.write('[vocab.Interactions.type]\ncall = ["ringup"]\n')
    retried = run_sheetcrm("quarantine", "retry", cwd=tmp_path)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    shown = run_sheetcrm("show", "Interactions", "--format", "json", cwd=tmp_path)
    got = sorted((r["summary"], r["date"][:10]) for r in json.loads(shown.stdout))
    assert got == [("first", "2025-09-21"), ("second", "2025-09-03")]


def test_cli_an_orders_import_with_swapped_invoice_dates_makes_no_orders_tab(tmp_path):
    """Into Orders, which the workbook does not have yet: refused before the tab is made."""
    book = _workbook(tmp_path)
    before = book.read_bytes()
    source = tmp_path / "orders.csv"
    source.write_text(SELLER_FILES["Orders"].format("09/21/25", "21/09/25"), encoding="utf-8")
    done = run_sheetcrm(
        "import",
        str(source),
        "--tab",
        "Orders",
        "--map",
        "Invoice Date (mm/dd/yy)=date",
        cwd=tmp_path,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 3, said
    assert "orders.csv: column 'Invoice Date (mm/dd/yy)' mixes day/month orders" in said
    assert book.read_bytes() == before
