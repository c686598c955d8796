"""Files at the edges: empty ones, a header of ten million commas, a big file, and the
delimiter of a TSV whose header has commas in it. Each either imports or fails with one
line and exit code 3 (bad input) before anything is written."""

from __future__ import annotations

import hashlib

import pytest
from support import one_line, run_sheetcrm

from sheetcrm.errors import InputError
from sheetcrm.ingest.mapping import describe_ignored
from sheetcrm.ingest.readers import MAX_COLUMNS, read_source, sniff_delimiter

#: (case, bytes, the one line said)
EMPTY = [
    ("0 bytes", b"", "e.csv: the file is empty"),
    ("only a BOM", b"\xef\xbb\xbf", "e.csv: the file is empty"),
    ("only a UTF-16 BOM", b"\xff\xfe", "e.csv: the file is empty"),
    ("only line ends", b"\r\n\r\n", "e.csv: the file is empty"),
    ("only a header", b"name,email\r\n", "e.csv: only a header, no rows to import"),
    ("a BOM and a header", b"\xef\xbb\xbfname,email", "e.csv: only a header, no rows to import"),
]


@pytest.mark.parametrize(("data", "said"), [e[1:] for e in EMPTY], ids=[e[0] for e in EMPTY])
def test_empty_files_say_so(tmp_path, data, said):
    path = tmp_path / "e.csv"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_source(path)
    assert str(caught.value) == said


def test_empty_json_and_xlsx(tmp_path):
    import openpyxl

    (tmp_path / "e.json").write_text("[]")
    with pytest.raises(InputError, match=r"^e\.json: no records, no rows to import$"):
        read_source(tmp_path / "e.json")
    book = openpyxl.Workbook()
    book.active.append(["name", "email"])
    book.save(tmp_path / "e.xlsx")
    with pytest.raises(InputError, match=r"^e\.xlsx: only a header, no rows to import$"):
        read_source(tmp_path / "e.xlsx")


def test_a_header_wider_than_any_sheet_is_refused_at_once(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"name" + b"," * 10_000_000 + b"\nAnn\n")
    with pytest.raises(InputError) as caught:
        read_source(path)
    said = str(caught.value)
    assert said == (
        "wide.csv: the header has 10,000,001 columns; no sheet holds more than 18,278 "
        "(is this the right file?)"
    )


def test_commas_inside_quotes_do_not_count_as_columns(tmp_path):
    path = tmp_path / "q.csv"
    path.write_bytes(b'name,"' + b"," * (MAX_COLUMNS + 5) + b'"\nAnn,x\n')
    table = read_source(path)
    assert len(table.columns) == 2 and table.rows[0].values["name"] == "Ann"


def test_ignored_columns_are_named_briefly():
    assert describe_ignored(["a", "b"]) == "a, b"
    many = [f"column {i}" for i in range(1, 18_001)]
    assert describe_ignored(many) == (
        "column 1, column 2, column 3, column 4, column 5 and 17,995 more"
    )
    assert describe_ignored(["x" * 500]) == "x" * 40 + "…"


def test_a_big_file_reads_in_one_pass(tmp_path):
    """200,000 rows (12 MB): read whole, every row numbered; a quadratic reader would not
    finish in the suite's time."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("customer_id,name,email,city,notes\r\n")
        for i in range(200_000):
            fh.write(f'C-{i},Person {i},p{i}@example.com,Tehran,"note, {i}"\r\n')
    table = read_source(path)
    assert len(table) == 200_000 and table.cut is None
    assert table.rows[-1].number == 200_001
    assert table.rows[-1].values == {
        "customer_id": "C-199999",
        "name": "Person 199999",
        "email": "p199999@example.com",
        "city": "Tehran",
        "notes": "note, 199999",
    }


#: (case, text, the delimiter)
SNIFFED = [
    (
        "a TSV whose header says 'City, State'",
        "Name\tCity, State\tEmail\nAnn\tAustin\tann@example.com\nBo\tBoise\tbo@example.com\n",
        "\t",
    ),
    (
        "a TSV with a comma in every row too",
        "Name\tCity, State\tEmail\nAnn\tAustin, TX\tann@example.com\n"
        "Bo\tBoise, ID\tbo@example.com\n",
        "\t",
    ),
    (
        "a TSV whose header and rows have two commas each",
        "Name\tStreet, City, State\nAnn\t1 Main St, Austin, TX\nBo\t2 Elm St, Boise, ID\n",
        "\t",
    ),
    (
        "semicolons with decimal commas",
        "name;amount, EUR\nAnn;1,50\nBo;2,75\n",
        ";",
    ),
    ("commas with a semicolon in the header", "name,notes; misc\nAnn,a\nBo,b\n", ","),
    ("quoted commas in a comma file", 'name,city\nAnn,"Austin, TX"\nBo,"Boise, ID"\n', ","),
    ("pipes", "name|city\nAnn|Austin\n", "|"),
    ("one column", "email\nann@example.com\n", ","),
]


@pytest.mark.parametrize(
    ("text", "delimiter"), [s[1:] for s in SNIFFED], ids=[s[0] for s in SNIFFED]
)
def test_the_delimiter_is_sniffed_from_several_lines(tmp_path, text, delimiter):
    assert sniff_delimiter(text) == delimiter
    path = tmp_path / "in.txt"
    path.write_text(text, encoding="utf-8", newline="")
    table = read_source(path)
    assert all(set(r.values) == set(table.columns) for r in table)


def test_a_tsv_with_city_state_imports_its_cities(tmp_path):
    path = tmp_path / "people.tsv"
    path.write_text(SNIFFED[1][1], encoding="utf-8")
    table = read_source(path)
    assert table.columns == ["Name", "City, State", "Email"]
    assert [r.values["City, State"] for r in table] == ["Austin, TX", "Boise, ID"]


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_empty_and_giant_files_exit_3_writing_nothing(tmp_path):
    book = tmp_path / "crm.xlsx"
    assert run_sheetcrm("init", "--xlsx", str(book), cwd=tmp_path).returncode == 0
    before = digest(book)
    files = {"empty.csv": b"", "bom.csv": b"\xef\xbb\xbf", "header.csv": b"name,email\n"}
    files["wide.csv"] = b"name" + b"," * 10_000_000 + b"\n"
    said = {}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        done = run_sheetcrm("import", name, "--tab", "Customers", "--xlsx", str(book), cwd=tmp_path)
        said[name] = one_line(done, 3)
        assert done.stdout == ""
    assert said == {
        "empty.csv": "sheetcrm: error: empty.csv: the file is empty",
        "bom.csv": "sheetcrm: error: bom.csv: the file is empty",
        "header.csv": "sheetcrm: error: header.csv: only a header, no rows to import",
        "wide.csv": "sheetcrm: error: wide.csv: the header has 10,000,001 columns; no sheet "
        "holds more than 18,278 (is this the right file?)",
    }
    assert digest(book) == before


def test_cli_a_wide_header_prints_a_short_line(emu, tmp_path):
    """17,000 columns (a sheet can hold them), two of them known: the import says which
    columns it ignored in one short line, not 17,000 names."""
    sheet = emu.create_spreadsheet("crm").id
    env = {"SHEETCRM_API_ENDPOINT": emu.url}
    assert run_sheetcrm("init", "--sheet", sheet, env=env, cwd=tmp_path).returncode == 0
    extra = [f"q{i}" for i in range(17_000)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["name", "email", *extra]) + "\nAnn,ann@example.com\n")
    done = run_sheetcrm(
        "import", str(path), "--tab", "Customers", "--sheet", sheet, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "  ignored columns: q0, q1, q2, q3, q4 and 16,995 more\n" in done.stdout
    assert len(done.stdout) < 400


def test_the_widest_header_is_the_widest_sheet():
    from sheetcrm.backends.limits import GOOGLE, XLSX

    assert max(GOOGLE.columns, XLSX.columns) == MAX_COLUMNS
