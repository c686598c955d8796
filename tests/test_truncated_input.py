"""A file cut off mid-line (a download that stopped, a copy interrupted) never writes its
fragment: the complete rows are imported and the cut one is quarantined with its row
number and the reason "file ends mid-line", on every backend. A short row that does end
its line is an exporter that dropped empty trailing cells, and is imported as before."""

from __future__ import annotations

import json

import pytest
from support import run_sheetcrm

from sheetcrm.errors import InputError
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.readers import read_source

HEADER = ("customer_id", "name", "city")
WHOLE = [("C-1", "Ann Lee", "Tehran"), ("C-2", "Customer Two", "Shiraz")]


def shapes():
    """(id, file name, bytes): CSV and TSV, Unix and Windows line ends, with and without a
    BOM; each ends in a cut copy of row 3 ("C-2" and half its name)."""
    for sep, suffix in ((",", "csv"), ("\t", "tsv")):
        for newline in ("\n", "\r\n"):
            for bom in ("", "\ufeff"):
                rows = [HEADER, WHOLE[0]]
                text = bom + "".join(sep.join(r) + newline for r in rows) + f"C-2{sep}Custo"
                ends = "crlf" if newline == "\r\n" else "lf"
                case = f"{suffix}-{ends}{'-bom' if bom else ''}"
                yield case, f"cut.{suffix}", text.encode()


SHAPES = list(shapes())


@pytest.mark.parametrize(("name", "data"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_a_last_line_cut_short_is_kept_apart(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    table = read_source(path)
    assert table.columns == list(HEADER)
    assert [tuple(r.values.values()) for r in table] == [WHOLE[0]]
    assert table.cut is not None and table.cut.number == 3
    assert table.cut.values == {"customer_id": "C-2", "name": "Custo", "city": ""}
    assert table.cut_reason == "file ends mid-line"


#: (case, text, the rows read, the cut row's number or None)
WHOLE_FILES = [
    ("no final line end, all cells", "a,b,c\n1,2,3\n4,5,6", [("1", "2", "3"), ("4", "5", "6")]),
    ("a short row mid-file", "a,b,c\n1,2\n4,5,6\n", [("1", "2", ""), ("4", "5", "6")]),
    ("a short last row, line ended", "a,b,c\n1,2,3\n4,5\n", [("1", "2", "3"), ("4", "5", "")]),
    ("a short last row, Windows", "a,b,c\r\n1,2,3\r\n4,5\r\n", [("1", "2", "3"), ("4", "5", "")]),
    ("a closed quote at the end", 'a,b,c\n1,2,"x\ny"', [("1", "2", "x\ny")]),
]


@pytest.mark.parametrize(
    ("text", "rows"), [w[1:] for w in WHOLE_FILES], ids=[w[0] for w in WHOLE_FILES]
)
def test_whole_files_read_as_before(tmp_path, text, rows):
    path = tmp_path / "in.csv"
    path.write_bytes(text.encode())
    table = read_source(path)
    assert [tuple(r.values.values()) for r in table] == rows
    assert table.cut is None


def test_a_quoted_cell_left_open_at_the_end(tmp_path):
    path = tmp_path / "open.csv"
    path.write_bytes(b'id,name,notes\r\nC-1,Ann,fine\r\nC-2,Bob,"call back\r\nC-3,Cy,ok\r\n')
    table = read_source(path)
    assert [r.values["id"] for r in table] == ["C-1"]
    assert table.cut is not None and table.cut.number == 3
    assert table.cut.values["notes"] == "call back\r\nC-3,Cy,ok\r\n"  # swallowed, not imported
    assert table.cut_reason == "file ends mid-line (a quoted cell is never closed)"


FORM_FA = ("مهر زمان", "نام و نام خانوادگی", "شماره موبایل", "ایمیل", "توضیحات")
FORM_ROWS = [
    ("2025/10/04 10:00:00", "سارا محمدی", "09123456789", "sara@example.com", "ارسال به شیراز"),
    ("2025/10/05 11:30:00", "رضا کریمی", "09351234567", "reza@example.com", "تماس بگیرید"),
]


def form_csv(cut_at: int) -> bytes:
    """A Google Forms response sheet in Persian as 'Download → CSV' writes it (CRLF, no
    final line end), the bytes stopping ``cut_at`` bytes before the end."""
    text = "\r\n".join(",".join(r) for r in [FORM_FA, *FORM_ROWS])
    data = text.encode("utf-8")
    return data[:-cut_at]


def test_a_persian_form_cut_inside_a_letter(tmp_path):
    """Every cell is there, but the bytes stop inside the last letter: still a fragment."""
    path = tmp_path / "form.csv"
    path.write_bytes(form_csv(1))  # the last Persian letter loses its second byte
    table = read_source(path)
    assert [r.values["ایمیل"] for r in table] == ["sara@example.com"]
    assert table.cut is not None and table.cut.number == 3
    assert table.cut.values["توضیحات"] == "تماس بگیری"
    assert table.cut_reason == "file ends mid-line"


def test_utf16_cut_inside_a_character(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes("a\tb\r\n1\t2\r\n3\t4".encode("utf-16")[:-1])
    table = read_source(path)
    assert [tuple(r.values.values()) for r in table] == [("1", "2")]
    assert table.cut is not None and table.cut.values == {"a": "3", "b": ""}


def seed(crm):
    from sheetcrm.ingest.importer import import_table
    from sheetcrm.ingest.readers import SourceRow, SourceTable

    rows = [SourceRow(i + 2, dict(zip(HEADER, r, strict=True))) for i, r in enumerate(WHOLE)]
    import_table(crm, SourceTable("seed", list(HEADER), rows), tab="Customers")


def test_the_fragment_never_overwrites_a_field_on_any_backend(harness, crm, tmp_path):
    seed(crm)
    path = tmp_path / "update.csv"
    path.write_bytes(b"customer_id,name,city\r\nC-1,Ann Lee,Isfahan\r\nC-2,Custo")
    result = import_file(crm, path, tab="Customers")
    c = result.counts
    assert (c.rows, c.updated, c.quarantined) == (2, 1, 1) and c.accounted() == c.rows
    people = {r["customer_id"]: r for _, r in crm.frame("Customers").iterrows()}
    assert people["C-1"]["city"] == "Isfahan"
    assert people["C-2"]["name"] == "Customer Two" and people["C-2"]["city"] == "Shiraz"
    q = crm.frame("_quarantine")
    assert [(r["row"], r["column"], r["value"], r["reason"]) for _, r in q.iterrows()] == [
        (3, "name", "Custo", "file ends mid-line")
    ]


def test_a_cut_form_imports_its_whole_rows_on_any_backend(harness, crm, tmp_path):
    path = tmp_path / "form.csv"
    path.write_bytes(form_csv(7))  # cut in the middle of the last answer
    result = import_file(crm, path, preset="google-form")
    assert (result.counts.created, result.counts.quarantined) == (1, 1)
    leads = crm.frame("Leads")
    assert list(leads["email"]) == ["sara@example.com"]
    assert list(crm.frame("_quarantine")["row"]) == [3]


def cli(tmp_path, target, *args, env=None):
    return run_sheetcrm(*args, *target, env=env, cwd=tmp_path)


@pytest.fixture(params=["xlsx", "gsheets"])
def workbook(request, tmp_path):
    """(the --xlsx/--sheet options, the environment) of a workbook a fresh process uses:
    a local .xlsx file, or a spreadsheet of the emulator over loopback HTTP."""
    if request.param == "xlsx":
        yield ("--xlsx", str(tmp_path / "crm.xlsx")), {}
        return
    emu = request.getfixturevalue("emu")
    sheet = emu.create_spreadsheet("crm")
    yield ("--sheet", sheet.id), {"SHEETCRM_API_ENDPOINT": emu.url}


def test_the_cli_quarantines_the_cut_row(workbook, tmp_path):
    target, env = workbook
    assert cli(tmp_path, target, "init", env=env).returncode == 0
    seed_file = tmp_path / "seed.csv"
    seed_file.write_text("".join(",".join(r) + "\n" for r in [HEADER, *WHOLE]))
    seeded = cli(tmp_path, target, "import", str(seed_file), "--tab", "Customers", env=env)
    assert seeded.returncode == 0, seeded.stderr
    cut = tmp_path / "cut.csv"
    cut.write_bytes(b"customer_id,name,city\r\nC-1,Ann Lee,Isfahan\r\nC-2,Custo")
    done = cli(tmp_path, target, "import", str(cut), "--tab", "Customers", env=env)
    assert done.returncode == 8, done.stderr  # done, the fragment set aside
    assert "quarantined row 3, column 'name': 'Custo' (file ends mid-line)" in done.stdout
    shown = cli(tmp_path, target, "show", "Customers", "--format", "json", env=env)
    names = {r["customer_id"]: (r["name"], r["city"]) for r in json.loads(shown.stdout)}
    assert names == {"C-1": ("Ann Lee", "Isfahan"), "C-2": ("Customer Two", "Shiraz")}


def test_ndjson_cut_in_its_last_line(tmp_path):
    path = tmp_path / "people.ndjson"
    path.write_bytes(b'{"customer_id": "C-1", "name": "Ann"}\n{"customer_id": "C-2", "na')
    table = read_source(path)
    assert [r.values["customer_id"] for r in table] == ["C-1"]
    assert table.cut is not None and table.cut.number == 2
    assert table.cut.values == {"customer_id": '{"customer_id": "C-2", "na', "name": None}
    assert table.cut_reason == "file ends mid-line"
    whole_but_broken = tmp_path / "broken.ndjson"
    whole_but_broken.write_bytes(b'{"name": "Ann"}\n{oops\n')  # ends its line: refused
    with pytest.raises(InputError, match="line 2 is not JSON"):
        read_source(whole_but_broken)
