"""Reading import files: the delimiter and encoding are found from the file itself, values
stay exactly as written, and a file that is not a table fails before anything is written."""

from __future__ import annotations

import pytest
from samples import MESSY, write

from sheetcrm.errors import InputError
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.readers import read_source

PEOPLE = [
    ("Full Name", "E-mail", "Mobile", "City"),
    ("Sara Mohammadi", "sara@example.com", "09123456789", "تهران"),
    ("রাহুল দাস", "rahul@example.com", "+8801712345678", "ঢাকা"),
    ("Ana", "ana@example.com", "00123", "Lisbon"),
]


def lines(sep: str, newline: str = "\n") -> str:
    return "".join(sep.join(row) + newline for row in PEOPLE)


#: (case, file name, bytes as a program or person saved them)
FILES = [
    ("comma, UTF-8", "p.csv", lines(",").encode()),
    ("semicolon, UTF-8 (Excel in many locales)", "p.csv", lines(";").encode()),
    ("tab, UTF-8", "p.tsv", lines("\t").encode()),
    ("pipe, UTF-8", "p.csv", lines("|").encode()),
    ("comma, UTF-8 with BOM (Excel 'CSV UTF-8')", "p.csv", lines(",").encode("utf-8-sig")),
    ("semicolon, UTF-8 with BOM", "p.csv", lines(";").encode("utf-8-sig")),
    ("tab, UTF-16 LE (Excel 'Unicode Text')", "p.txt", lines("\t", "\r\n").encode("utf-16")),
    ("comma, UTF-16 BE with BOM", "p.csv", b"\xfe\xff" + lines(",").encode("utf-16-be")),
    ("semicolon, UTF-16 LE", "p.csv", lines(";").encode("utf-16")),
    ("comma, Windows line ends", "p.csv", lines(",", "\r\n").encode()),
    ("comma, no final newline", "p.csv", lines(",").rstrip("\n").encode()),
]


@pytest.mark.parametrize(("name", "data"), [f[1:] for f in FILES], ids=[f[0] for f in FILES])
def test_delimiter_and_encoding_are_sniffed(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    table = read_source(path)
    assert table.columns == list(PEOPLE[0])
    assert [tuple(r.values.values()) for r in table] == PEOPLE[1:]
    assert [r.number for r in table] == [2, 3, 4]  # as a person counts rows in the file


#: (case, text, the columns, the values of the first row)
QUOTING = [
    (
        "a delimiter inside quotes",
        'name;"City, State";notes\nSara;"Tehran, IR";"a;b"\n',
        ["name", "City, State", "notes"],
        ["Sara", "Tehran, IR", "a;b"],
    ),
    (
        "commas in semicolon data",
        "name;notes\nSara;likes tea, coffee, and cake\n",
        ["name", "notes"],
        ["Sara", "likes tea, coffee, and cake"],
    ),
    (
        "a line break inside quotes",
        'name,notes\r\nSara,"first line\r\nsecond line"\r\n',
        ["name", "notes"],
        ["Sara", "first line\r\nsecond line"],
    ),
    ("one column", "email\nsara@example.com\n", ["email"], ["sara@example.com"]),
    (
        "a short row is padded",
        "name,email,city\nSara,sara@example.com\n",
        ["name", "email", "city"],
        ["Sara", "sara@example.com", ""],
    ),
    (
        "a blank header cell gets a name",
        "name,,city\nSara,x,Tehran\n",
        ["name", "column 2", "city"],
        ["Sara", "x", "Tehran"],
    ),
    (
        "text stays text",
        "id,phone,notes\n00123,+989121234567,'=1+2\n",
        ["id", "phone", "notes"],
        ["00123", "+989121234567", "=1+2"],  # the exporter's apostrophe is undone
    ),
]


@pytest.mark.parametrize(
    ("text", "columns", "first"), [q[1:] for q in QUOTING], ids=[q[0] for q in QUOTING]
)
def test_quoting_and_shapes(tmp_path, text, columns, first):
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8", newline="")
    table = read_source(path)
    assert table.columns == columns
    assert list(table.rows[0].values.values()) == first


#: (case, bytes, the error)
UNREADABLE = [
    ("empty", b"", "the file is empty"),
    ("only blank lines", b"\n\n  \n", "the file is empty"),
    ("Latin-1", "name,city\nJosé,Málaga\n".encode("latin-1"), "line 2 is not UTF-8"),
    ("Windows-1256", "نام,شهر\n".encode("cp1256"), "line 1 is not UTF-8"),
    ("a repeated column", b"name,email,name\na,b,c\n", "names column 'name' twice"),
    ("too many cells", b"name,city\na,b,c,d\n", "row 2 has 4 cells"),
    ("broken UTF-16", b"\xff\xfen\x00a\x00\x00\xd8", "broken UTF-16"),
]


@pytest.mark.parametrize(
    ("data", "message"), [u[1:] for u in UNREADABLE], ids=[u[0] for u in UNREADABLE]
)
def test_unreadable_files_say_why(tmp_path, data, message):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_source(path)


@pytest.mark.parametrize(
    ("encoding", "sep"), [("utf-8-sig", ","), ("utf-16", "\t"), ("utf-8", "|")]
)
def test_encodings_and_delimiters(crm, tmp_path, encoding, sep):
    text = MESSY.replace(";", sep)
    result = import_file(crm, write(tmp_path, "p.csv", text, encoding), tab="Customers")
    c = result.counts  # as test_import's messy file: the same rows, whatever the encoding
    assert (c.created, c.quarantined, c.cells_set_aside) == (5, 2, 1)


def test_unreadable_files_fail_before_writing(harness, crm, tmp_path):
    before = harness.state()
    latin = write(tmp_path, "latin.csv", "name,city\nJosé,Málaga\n", "latin-1")
    with pytest.raises(InputError, match="not UTF-8"):
        import_file(crm, latin, tab="Customers")
    ragged = write(tmp_path, "ragged.csv", "name,city\na,b,c,d\n")
    with pytest.raises(InputError, match="row 2 has 4 cells"):
        import_file(crm, ragged, tab="Customers")
    with pytest.raises(InputError, match="none of its columns"):
        import_file(crm, write(tmp_path, "x.csv", "foo,bar\n1,2\n"), tab="Customers")
    with pytest.raises(InputError, match="not JSON"):
        import_file(crm, write(tmp_path, "x.ndjson", '{"name": "a"}\n{oops\n'), tab="Leads")
    assert harness.state() == before
