"""One bad cell costs that cell, not the person: which bad values set a whole row aside
(identity, required fields) and which only the cell (the rest of the row is imported),
on every backend, with the ``_quarantine`` entry naming the column, the raw value and why."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from samples import write_csv
from support import run_sheetcrm

from sheetcrm.ingest.importer import import_file


def blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or value == ""


LEAD_HEADER = ("نام", "Email", "Mobile", "Budget", "Source", "Interest", "Contact date")
GOOD_LEAD = ("Sara Ahmadi", "sara@example.com", "0912 345 6789", "8000000", "instagram", "high")


@pytest.mark.parametrize(
    ("column", "raw", "field"),
    [
        ("Budget", "توافقی", "value"),  # "negotiable", as Divar ads price: no amount
        ("Source", "TV show", "source"),  # not one of the sources
        ("Interest", "very keen", "interest"),  # not low/medium/high
        ("Contact date", "31/02/2024", "contact_date"),  # no such day
        ("Contact date", "yesterday", "contact_date"),  # depends on today
    ],
)
def test_a_bad_optional_lead_cell_is_left_blank_and_the_lead_imported(
    crm, tmp_path, column, raw, field
):
    values = dict(zip(LEAD_HEADER, (*GOOD_LEAD, "2024-03-05"), strict=True))
    values[column] = raw
    path = write_csv(tmp_path, "leads.csv", LEAD_HEADER, list(values.values()))
    result = import_file(crm, path, tab="Leads", overrides={"Budget": "value"})
    c = result.counts
    assert (c.rows, c.created, c.quarantined, c.cells_set_aside) == (1, 1, 0, 1)
    assert c.accounted() == c.rows and "1 cell set aside" in c.line()
    [q] = result.quarantine
    assert (q.kind, q.tab, q.row, q.column, q.value) == ("cell", "Leads", 2, column, raw)
    assert q.reason.startswith("expected ") and "left blank" in q.reason
    assert q.raw[column] == raw  # the whole input row is kept, for a retry
    [lead] = crm.frame("Leads").to_dict("records")
    assert (lead["name"], lead["email"], lead["phone"]) == (
        "Sara Ahmadi",
        "sara@example.com",
        "+989123456789",
    )
    assert blank(lead[field])
    kept = [f for f in ("value", "source", "interest", "contact_date") if f != field]
    assert all(not blank(lead[f]) for f in kept)
    stored = crm.frame("_quarantine").to_dict("records")
    assert [(r["kind"], r["column"], r["value"]) for r in stored] == [("cell", column, raw)]


@pytest.mark.parametrize(
    ("email", "phone", "kind", "column"),
    [
        ("bob@", "0912 111 2233", "cell", "Email"),  # the phone still says who Bob is
        ("bob@example.com", "12", "cell", "Mobile"),  # the e-mail does
        ("bob@", "", "row", "Email"),  # nothing else identifies him: the whole row
        ("bob@", "12", "row", "Email"),  # no usable key at all
    ],
)
def test_a_bad_key_costs_the_row_only_when_nothing_else_identifies_it(
    crm, tmp_path, email, phone, kind, column
):
    header = ("Name", "Email", "Mobile", "City")
    path = write_csv(tmp_path, "c.csv", header, ("Bob", email, phone, "Tabriz"))
    result = import_file(crm, path, tab="Customers")
    [q] = result.quarantine
    assert (q.kind, q.column) == (kind, column)
    assert ("nothing else in the row says which record it is" in q.reason) == (kind == "row")
    created = 1 if kind == "cell" else 0
    assert (result.counts.created, result.counts.quarantined) == (created, 1 - created)
    assert result.counts.cells_set_aside == created
    assert len(crm.frame("Customers")) == created


def test_a_bad_id_is_a_cell_when_the_email_finds_the_record(crm, tmp_path):
    header = ("customer_id", "Name", "Email", "City")
    first = write_csv(tmp_path, "a.csv", header, ("C-1", "Bob", "bob@example.com", "Tabriz"))
    import_file(crm, first, tab="Customers")
    fixed = write_csv(tmp_path, "b.csv", header, ("C 1 !", "Bob", "bob@example.com", "Shiraz"))
    result = import_file(crm, fixed, tab="Customers")
    assert (result.counts.updated, result.counts.created, result.counts.cells_set_aside) == (
        1,
        0,
        1,
    )
    assert result.quarantine[0].column == "customer_id"
    [bob] = crm.frame("Customers").to_dict("records")
    assert (bob["customer_id"], bob["city"]) == ("C-1", "Shiraz")


def test_a_blank_required_field_costs_a_new_row_but_not_an_update(crm, tmp_path):
    header = ("Name", "Email", "City")
    seed = write_csv(tmp_path, "a.csv", header, ("Bob", "bob@example.com", "Tabriz"))
    import_file(crm, seed, tab="Customers")
    path = write_csv(
        tmp_path,
        "b.csv",
        header,
        ("", "bob@example.com", "Shiraz"),  # Bob is there: the city is news, the name stays
        ("", "new@example.com", "Yazd"),  # a new record needs a name
    )
    result = import_file(crm, path, tab="Customers")
    assert (result.counts.updated, result.counts.quarantined) == (1, 1)
    [q] = result.quarantine
    assert (q.kind, q.row, q.column) == ("row", 3, "Name") and "required" in q.reason
    people = crm.frame("Customers").to_dict("records")
    assert [(p["name"], p["city"]) for p in people] == [("Bob", "Shiraz")]


def test_cells_of_a_row_set_aside_whole_are_not_listed_twice(crm, tmp_path):
    header = ("Name", "Email", "City", "Signup date")
    path = write_csv(tmp_path, "c.csv", header, ("", "new@example.com", "Yazd", "yesterday"))
    result = import_file(crm, path, tab="Customers")
    assert [(q.kind, q.column) for q in result.quarantine] == [("row", "Name")]
    assert result.counts.cells_set_aside == 0 and result.counts.quarantined == 1


def test_several_bad_cells_in_one_row_are_each_listed(crm, tmp_path):
    path = write_csv(
        tmp_path,
        "leads.csv",
        LEAD_HEADER,
        ("Sara", "sara@example.com", "0912 345 6789", "توافقی", "TV show", "", "soon"),
    )
    result = import_file(crm, path, tab="Leads", overrides={"Budget": "value"})
    assert result.counts.created == 1 and result.counts.cells_set_aside == 3
    assert sorted(q.column for q in result.quarantine) == ["Budget", "Contact date", "Source"]
    assert "3 cells set aside" in result.counts.line()


@pytest.mark.parametrize(
    ("column", "raw", "kind"),
    [
        ("amount", "lots", "cell"),  # optional money
        ("next_action_date", "Friday", "cell"),  # a weekday is no date
        ("type", "coffee chat", "row"),  # required: what happened is unknown
        ("date", "sometime", "row"),  # required
    ],
)
def test_interactions_required_and_optional_cells(crm, tmp_path, column, raw, kind):
    header = ("date", "type", "summary", "amount", "next_action_date")
    row = dict(zip(header, ("2024-03-05", "call", "asked for prices", "120", ""), strict=True))
    row[column] = raw
    path = write_csv(tmp_path, "log.csv", header, list(row.values()))
    result = import_file(crm, path, tab="Interactions")
    [q] = result.quarantine
    assert (q.kind, q.column, q.value) == (kind, column, raw)
    assert result.counts.created == (kind == "cell") and result.counts.accounted() == 1


# --- transactions -----------------------------------------------------------------------

ORDERS = ("InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice")
ORDERS += ("CustomerID", "Country", "Email")


@pytest.mark.parametrize(
    ("column", "raw", "kind"),
    [
        ("CustomerID", "17850 / 17851", "cell"),  # sale kept, anonymous
        ("Email", "not-an-email", "cell"),
        ("Quantity", "six", "row"),  # the amount cannot be known
        ("InvoiceDate", "", "row"),  # required
        ("InvoiceNo", "", "row"),  # which order?
    ],
)
def test_transactions_bad_cells(crm, tmp_path, column, raw, kind):
    line = dict.fromkeys(ORDERS, "")
    line.update(
        InvoiceNo="536365",
        StockCode="85123A",
        Description="WHITE HANGING HEART",
        Quantity="6",
        InvoiceDate="2010-12-01 08:26",
        UnitPrice="2.55",
        CustomerID="17850",
        Country="United Kingdom",
        Email="buyer@example.com",
    )
    other = {**line, "InvoiceNo": "536366", "Quantity": "2"}
    line[column] = raw
    path = write_csv(tmp_path, "orders.csv", ORDERS, list(line.values()), list(other.values()))
    result = import_file(crm, path, preset="transactions")
    [q] = result.quarantine
    assert (q.kind, q.row, q.column, q.value, q.tab) == (kind, 2, column, raw, "Orders")
    assert q.reason.startswith("expected ")
    orders = crm.frame("Orders").to_dict("records")
    wanted = {"536366"} | ({"536365"} if kind == "cell" else set())
    assert {o["order_id"] for o in orders} == wanted
    assert result.counts.accounted() == result.counts.rows == 2
    if column == "CustomerID":
        sale = next(o for o in orders if o["order_id"] == "536365")
        # the unreadable id is left out; the line's e-mail still says who bought it
        people = crm.frame("Customers").set_index("customer_id")
        assert people.loc[sale["customer_id"], "email"] == "buyer@example.com"
        assert sale["line_total"] == 15.3 and sale["line_id"] == "536365-1"


# --- a missing column ----------------------------------------------------------------------


def test_no_column_for_a_required_field_fails_once_with_the_map_to_type(crm, tmp_path):
    header = ("زمان ثبت", "type", "summary", "یادداشت")
    rows = [
        ("2024-03-05 10:00", "call", "asked about prices", "x"),
        ("2024-03-06 11:00", "email", "sent the catalogue", "y"),
    ]
    path = write_csv(tmp_path, "log.csv", header, *rows)
    before = crm.frame("_quarantine")
    with pytest.raises(Exception) as caught:
        import_file(crm, path, tab="Interactions")
    message = str(caught.value)
    assert type(caught.value).__name__ == "InputError"
    assert "no column maps to 'date'" in message
    assert "(2 rows, none of them in Interactions yet" in message
    assert "'زمان ثبت', 'یادداشت'" in message  # the one whose values are dates first
    assert message.endswith("--map 'زمان ثبت=date'")
    assert "\n" not in message
    assert crm.frame("Interactions").empty and len(crm.frame("_quarantine")) == len(before)
    typed = import_file(crm, path, tab="Interactions", overrides={"زمان ثبت": "date"})
    assert typed.counts.created == 2


@pytest.mark.parametrize(
    ("header", "guess"),
    [
        (("Nmae", "Email", "City"), "Nmae"),  # a typo of the field's name
        (("Email", "City", "Nombre completo"), "Nombre completo"),  # the only one unused
        (("Email", "نام کامل مشتری", "Notes", "City"), None),  # 'full name of the customer'
    ],
)
def test_the_guess_for_a_missing_name_column(crm, tmp_path, header, guess):
    row = {"Email": "a@example.com", "City": "Tehran"}
    path = write_csv(tmp_path, "c.csv", header, [row.get(h, "Ana") for h in header])
    with pytest.raises(Exception, match="no column maps to 'name'") as caught:
        import_file(crm, path, tab="Customers")
    if guess is not None:
        assert str(caught.value).endswith(f"--map '{guess}=name'")


def test_a_persian_date_header_maps_to_the_interaction_date(crm, tmp_path):
    path = write_csv(tmp_path, "log.csv", ("تاریخ", "نوع", "summary"), ("2024-03-05", "call", "hi"))
    result = import_file(crm, path, tab="Interactions", overrides={"نوع": "type"})
    assert result.counts.created == 1


def test_updates_need_no_column_for_a_required_field(crm, tmp_path):
    seed = write_csv(tmp_path, "a.csv", ("Name", "Email"), ("Ana", "ana@example.com"))
    import_file(crm, seed, tab="Customers")
    path = write_csv(
        tmp_path,
        "b.csv",
        ("Email", "City"),
        ("ana@example.com", "Tehran"),
        ("new@example.com", "Yazd"),  # matches no one: set aside with the hint
    )
    result = import_file(crm, path, tab="Customers")
    assert (result.counts.updated, result.counts.quarantined) == (1, 1)
    [q] = result.quarantine
    assert q.row == 3 and "no column maps to name" in q.reason and "--map" in q.reason
    only_updates = write_csv(tmp_path, "c.csv", ("Email", "City"), ("ana@example.com", "Qom"))
    assert import_file(crm, only_updates, tab="Customers").counts.updated == 1


def test_transactions_without_a_quantity_column_say_which_to_map(crm, tmp_path):
    header = ("InvoiceNo", "Description", "Units", "InvoiceDate", "UnitPrice")
    path = write_csv(tmp_path, "o.csv", header, ("536365", "MUG", "6", "2010-12-01", "2.5"))
    with pytest.raises(Exception, match="no column maps to quantity") as caught:
        import_file(crm, path, preset="transactions")
    assert str(caught.value).endswith("Try: --map 'Units=quantity'")
    assert crm.frame("Orders").empty


# --- the CLI, as a person runs it ------------------------------------------------------------


def test_cli_imports_a_lead_with_a_bad_budget_and_says_so(tmp_path):
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IR"\n', encoding="utf-8")
    book = ("--xlsx", str(tmp_path / "crm.xlsx"))
    assert run_sheetcrm("init", *book, cwd=tmp_path).returncode == 0
    path = write_csv(
        tmp_path,
        "leads.csv",
        ("نام", "ایمیل", "موبایل", "بودجه"),  # a Persian form: budget maps to value
        ("سارا", "sara@example.com", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "توافقی"),
        ("Ali", "ali@example.com", "", "5000000"),
    )
    done = run_sheetcrm("import", str(path), "--tab", "Leads", *book, cwd=tmp_path)
    assert done.returncode == 8, (done.stdout, done.stderr)  # something was set aside
    assert "2 rows: 2 created; 1 cell set aside" in done.stdout, done.stdout
    assert "Traceback" not in done.stderr
    shown = run_sheetcrm("show", "Leads", "--format", "json", *book, cwd=tmp_path)
    leads = {r["email"]: r for r in json.loads(shown.stdout)}
    assert leads["sara@example.com"]["phone"] == "+989123456789"
    assert blank(leads["sara@example.com"]["value"]) and leads["ali@example.com"]["value"]
    kept = run_sheetcrm("show", "_quarantine", "--format", "json", *book, cwd=tmp_path)
    [entry] = json.loads(kept.stdout)
    assert (entry["kind"], entry["column"], entry["value"]) == ("cell", "بودجه", "توافقی")
    assert entry["tab"] == "Leads" and "left blank" in entry["reason"]


def test_cli_missing_column_is_one_line_exit_3(tmp_path):
    book = ("--xlsx", str(tmp_path / "crm.xlsx"))
    assert run_sheetcrm("init", *book, cwd=tmp_path).returncode == 0
    path = write_csv(tmp_path, "log.csv", ("Datum", "type"), ("2024-03-05", "call"))
    done = run_sheetcrm("import", str(path), "--tab", "Interactions", *book, cwd=tmp_path)
    assert done.returncode == 3 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert "no column maps to 'date'" in line and line.endswith("--map 'Datum=date'")


def test_a_refused_save_writes_neither_the_lead_nor_its_cell_issue(tmp_path):
    """A fault on the write path (the workbook is open in Excel): exit 5, nothing of the
    import in the file, and once it is closed the same import goes in whole, the cell
    issue with it, once."""
    (tmp_path / "sheetcrm.toml").write_text('[locale]\nregion = "IR"\n', encoding="utf-8")
    book = ("--xlsx", str(tmp_path / "crm.xlsx"))
    assert run_sheetcrm("init", *book, cwd=tmp_path).returncode == 0
    path = write_csv(
        tmp_path, "leads.csv", ("نام", "ایمیل", "بودجه"), ("سارا", "sara@example.com", "توافقی")
    )
    excel = tmp_path / "~$crm.xlsx"  # what Excel leaves beside a file it has open
    excel.write_bytes(b"\x00" * 165)
    refused = run_sheetcrm("import", str(path), "--tab", "Leads", *book, cwd=tmp_path)
    assert refused.returncode == 5, (refused.stdout, refused.stderr)
    assert "Traceback" not in refused.stderr

    def show(tab):
        shown = run_sheetcrm("show", tab, "--format", "json", *book, cwd=tmp_path)
        return json.loads(shown.stdout)

    assert show("Leads") == [] and show("_quarantine") == []
    excel.unlink()
    for _ in range(2):  # the second time changes nothing and lists the cell once
        done = run_sheetcrm("import", str(path), "--tab", "Leads", *book, cwd=tmp_path)
        assert done.returncode == 8, (done.stdout, done.stderr)
    assert [lead["email"] for lead in show("Leads")] == ["sara@example.com"]
    assert [(q["kind"], q["column"]) for q in show("_quarantine")] == [("cell", "بودجه")]
