"""Merges that cannot eat people: a phone shared by two people with different e-mails never
makes them one record, in a file or against the sheet. The pair is kept apart and put to a
teammate in ``_conflicts`` (kind ``possible-duplicate``) once; ``same person`` written there
merges the other one's rows into the first from then on, anything else keeps them apart
without asking again."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from contract.harness import HARNESSES
from samples import write
from support import run_sheetcrm

from sheetcrm.config import Config
from sheetcrm.crm import CRM
from sheetcrm.ingest.importer import import_file
from sheetcrm.ingest.review import POSSIBLE_DUPLICATE, Reviews
from sheetcrm.model.changes import ChangeSet, DeleteRow
from sheetcrm.model.grid import TabGrid
from sheetcrm.model.ids import derived_id
from sheetcrm.model.values import ValueContext
from sheetcrm.run.journal import CONFLICT_COLUMNS

#: One family phone, written three ways (Bengali digits, dashes, spaces): one number.
FAMILY = "+880 1712-345678"
FAMILY_BN = "+৮৮০ ১৭১২ ৩৪৫৬৭৮"
FAMILY_E164 = "+8801712345678"
OTHER_E164 = "+8801911223344"
MOUMITA = "moumita.das@example.com"
SOURAV = "sourav.das@example.com"
RIYA = "riya.das@example.com"
RAHUL = "rahul@example.com"
HEADER = "Name,Email,Phone,City\n"


def cid(email: str) -> str:
    """The ID an import derives for a customer from her e-mail (the same on any machine)."""
    return derived_id("C", "Customers", "email", email)


def new_crm(tmp_path: Path, kind: str = "memory") -> CRM:
    crm = CRM(backend=HARNESSES[kind](tmp_path).backend, config=Config(values=ValueContext()))
    crm.init()
    return crm


def plain(value: object) -> object:
    """A frame's cell as a value: a blank one (NaN, NA, None) is None."""
    return None if value is None or bool(pd.isna(value)) else value


def people(crm: CRM, tab: str = "Customers") -> list[tuple[object, ...]]:
    """Everyone in ``tab`` as (name, e-mail, phone, city), by e-mail."""
    df = crm.frame(tab)
    rows = [
        tuple(plain(r.get(c)) for c in ("name", "email", "phone", "city")) for _, r in df.iterrows()
    ]
    return sorted(rows, key=lambda r: (str(r[1] or ""), str(r[0])))


def reviews(result: object) -> list[tuple[str, str, str, str, str]]:
    return [
        (c.record_id, c.field, c.sheet_value, c.source_value, c.resolution)
        for c in result.conflicts  # type: ignore[attr-defined]
        if c.kind == POSSIBLE_DUPLICATE
    ]


def pair(there: str, other: str, field: str = "phone") -> tuple[str, str, str, str, str]:
    return (cid(there), field, f"{cid(there)} {there}", f"{cid(other)} {other}", "kept apart")


#: (case, the file's rows, the people afterwards as (name, e-mail, phone, city),
#:  (created, merged, exact duplicates), the reviews recorded).
WITHIN_ONE_FILE = [
    (
        "same phone, different e-mails: two people",
        f"Moumita Das,{MOUMITA},{FAMILY},Kolkata\nSourav Das,{SOURAV},{FAMILY},\n",
        [
            ("Moumita Das", MOUMITA, FAMILY_E164, "Kolkata"),
            ("Sourav Das", SOURAV, FAMILY_E164, None),  # the family phone on both
        ],
        (2, 0, 0),
        [pair(MOUMITA, SOURAV)],
    ),
    (
        "the phone written differently is still one phone",
        f"Moumita Das,{MOUMITA},{FAMILY_BN},\nSourav Das,{SOURAV.upper()},{FAMILY},\n",
        [
            ("Moumita Das", MOUMITA, FAMILY_E164, None),
            ("Sourav Das", SOURAV, FAMILY_E164, None),
        ],
        (2, 0, 0),
        [pair(MOUMITA, SOURAV)],
    ),
    (
        "a family of three: each later one kept apart from the first",
        f"Moumita Das,{MOUMITA},{FAMILY},\nSourav Das,{SOURAV},{FAMILY},\n"
        f"Riya Das,{RIYA},{FAMILY},\n",
        [
            ("Moumita Das", MOUMITA, FAMILY_E164, None),
            ("Riya Das", RIYA, FAMILY_E164, None),
            ("Sourav Das", SOURAV, FAMILY_E164, None),
        ],
        (3, 0, 0),
        [pair(MOUMITA, SOURAV), pair(MOUMITA, RIYA)],
    ),
    (
        "same phone, the later e-mail blank: one person",
        f"Moumita Das,{MOUMITA},{FAMILY},\nMoumita Das,,{FAMILY},Kolkata\n",
        [("Moumita Das", MOUMITA, FAMILY_E164, "Kolkata")],
        (1, 1, 0),
        [],
    ),
    (
        "same phone, the earlier e-mail blank: one person",
        f"Moumita Das,,{FAMILY},Kolkata\nMoumita Das,{MOUMITA},{FAMILY},\n",
        [("Moumita Das", MOUMITA, FAMILY_E164, "Kolkata")],
        (1, 1, 0),
        [],
    ),
    (
        "same e-mail, different phones: one person, the later phone",
        f"Moumita Das,{MOUMITA},{FAMILY},Kolkata\nMoumita Das,{MOUMITA.upper()},{OTHER_E164},\n",
        [("Moumita Das", MOUMITA, OTHER_E164, "Kolkata")],
        (1, 1, 0),
        [],
    ),
    (
        "a later row without an e-mail goes to the holder of its name",
        f"Moumita Das,{MOUMITA},{FAMILY},\nSourav Das,{SOURAV},{FAMILY},\n"
        f"Sourav Das,,{FAMILY},Howrah\n",
        [
            ("Moumita Das", MOUMITA, FAMILY_E164, None),
            ("Sourav Das", SOURAV, FAMILY_E164, "Howrah"),
        ],
        (2, 1, 0),
        [pair(MOUMITA, SOURAV)],
    ),
    (
        "a row that brings the phone to its e-mail later in the file joins the phone's row",
        f"Rahul Das,{RAHUL},,\nRahul D.,,{FAMILY},Dhaka\nRahul Das,{RAHUL},{FAMILY},\n",
        [("Rahul D.", RAHUL, FAMILY_E164, "Dhaka")],
        (1, 2, 0),
        [],
    ),
    (
        "a later e-mail for the phone never replaces the first one's",
        f"Moumita Das,{MOUMITA},{FAMILY},Kolkata\nMoumita Das,,{FAMILY},\n"
        f"Sourav Das,{SOURAV},{FAMILY},Howrah\n",
        [
            ("Moumita Das", MOUMITA, FAMILY_E164, "Kolkata"),
            ("Sourav Das", SOURAV, FAMILY_E164, "Howrah"),
        ],
        (2, 0, 1),
        [pair(MOUMITA, SOURAV)],
    ),
]


@pytest.mark.parametrize(
    ("rows", "after", "counts", "recorded"),
    [case[1:] for case in WITHIN_ONE_FILE],
    ids=[case[0] for case in WITHIN_ONE_FILE],
)
def test_within_one_file(tmp_path, rows, after, counts, recorded):
    crm = new_crm(tmp_path)
    path = write(tmp_path, "family.csv", HEADER + rows)
    result = import_file(crm, path, tab="Customers")
    assert people(crm) == after
    c = result.counts
    assert (c.created, c.merged, c.duplicates) == counts
    assert result.counts.accounted() == result.counts.rows
    assert sorted(reviews(result)) == sorted(recorded)
    assert len(result.conflicts) == len(recorded)  # nothing else is a conflict here
    table = crm.frame("_conflicts")
    assert sorted(table["record_id"]) == sorted(r[0] for r in recorded)
    assert set(table["kind"]) <= {POSSIBLE_DUPLICATE}
    again = import_file(crm, path, tab="Customers")  # the same file: nothing to do or ask
    assert not again.changes and not again.conflicts and again.report is None
    assert people(crm) == after and len(crm.frame("_conflicts")) == len(recorded)


def test_two_machines_make_the_same_two_people(tmp_path):
    """The records a kept-apart pair becomes have IDs derived from their e-mails: two
    workbooks importing the same file get the same two IDs and the same review."""
    rows = HEADER + f"Moumita Das,{MOUMITA},{FAMILY},\nSourav Das,{SOURAV},{FAMILY},\n"
    path = write(tmp_path, "family.csv", rows)
    seen = []
    for machine in ("a", "b"):
        (tmp_path / machine).mkdir()
        crm = new_crm(tmp_path / machine)
        result = import_file(crm, path, tab="Customers")
        seen.append((sorted(crm.frame("Customers")["customer_id"]), reviews(result)))
    assert seen[0] == seen[1]
    assert seen[0][0] == sorted([cid(MOUMITA), cid(SOURAV)])


def family_member(tmp_path: Path, name: str, email: str, city: str = "", phone: str = FAMILY):
    return write(
        tmp_path, f"{name.split()[0].lower()}.csv", HEADER + f"{name},{email},{phone},{city}\n"
    )


def test_against_the_sheet_the_phone_holder_is_not_eaten(harness, crm, tmp_path):
    import_file(crm, family_member(tmp_path, "Moumita Das", MOUMITA, "Kolkata"), tab="Customers")
    sourav = family_member(tmp_path, "Sourav Das", SOURAV)
    result = import_file(crm, sourav, tab="Customers")
    assert (result.counts.created, result.counts.updated, result.counts.merged) == (1, 0, 0)
    assert reviews(result) == [pair(MOUMITA, SOURAV)]
    assert people(crm) == [
        ("Moumita Das", MOUMITA, "+8801712345678", "Kolkata"),  # e-mail and name unchanged
        ("Sourav Das", SOURAV, "+8801712345678", None),
    ]
    row = crm.frame("_conflicts").iloc[0]
    assert (row["kind"], row["field"], row["resolution"]) == (
        POSSIBLE_DUPLICATE,
        "phone",
        "kept apart",
    )
    assert row["sheet_value"] == f"{cid(MOUMITA)} {MOUMITA}"
    assert row["source_value"] == f"{cid(SOURAV)} {SOURAV}"
    again = import_file(crm, sourav, tab="Customers")
    assert not again.changes and not again.conflicts and again.counts.unchanged == 1
    assert len(crm.frame("Customers")) == 2 and len(crm.frame("_conflicts")) == 1


@pytest.mark.parametrize(
    ("second", "after"),
    [
        ("Moumita D.,,{phone},Kolkata", ("Moumita Das", MOUMITA, FAMILY_E164, "Kolkata")),
        (
            f"Moumita Das,{MOUMITA.upper()},{OTHER_E164},",
            ("Moumita Das", MOUMITA, OTHER_E164, None),
        ),
    ],
    ids=["one e-mail blank: merged", "same e-mail, another phone: merged"],
)
def test_against_the_sheet_what_still_merges(tmp_path, second, after):
    crm = new_crm(tmp_path)
    import_file(crm, family_member(tmp_path, "Moumita Das", MOUMITA), tab="Customers")
    path = write(tmp_path, "second.csv", HEADER + second.format(phone=FAMILY) + "\n")
    result = import_file(crm, path, tab="Customers")
    assert result.counts.updated == 1 and not result.conflicts
    name, email, phone, city = after
    got = people(crm)
    assert len(got) == 1 and got[0][1:] == (email, phone, city)
    assert got[0][0] in (name, "Moumita D.")  # the name follows the usual merge rule


def resolve(harness, crm: CRM, text: str) -> None:
    """A teammate types ``text`` into the review's resolution cell."""
    header = [str(h) for h in harness.header("_conflicts")]
    harness.set_cell("_conflicts", 2, header.index("resolution") + 1, text)


def test_same_person_merges_the_next_import_into_the_first(harness, crm, tmp_path):
    import_file(crm, family_member(tmp_path, "Moumita Das", MOUMITA), tab="Customers")
    import_file(crm, family_member(tmp_path, "Sourav Das", SOURAV), tab="Customers")
    resolve(harness, crm, "Same person")
    later = family_member(tmp_path, "Sourav Das", SOURAV, "Howrah")
    result = import_file(crm, later, tab="Customers")
    assert not result.conflicts and result.counts.updated == 1
    assert people(crm) == [
        ("Moumita Das", MOUMITA, FAMILY_E164, "Howrah"),  # filled, not renamed or re-mailed
        ("Sourav Das", SOURAV, FAMILY_E164, None),  # left for a teammate to delete
    ]
    assert import_file(crm, later, tab="Customers").changes.ops == []
    crm.backend.apply(ChangeSet([DeleteRow("Customers", cid(SOURAV))]), crm.schema)
    gone = import_file(crm, later, tab="Customers")  # deleted: not made again, still merged
    assert not gone.changes and not gone.conflicts and len(crm.frame("Customers")) == 1
    both = write(
        tmp_path,
        "both.csv",
        HEADER + f"Moumita Das,{MOUMITA},{FAMILY},\nSourav Das,{SOURAV},{FAMILY},Howrah\n",
    )
    joined = import_file(crm, both, tab="Customers")  # in one file too: one person
    assert joined.counts.merged == 1 and not joined.conflicts and not joined.changes
    assert any("same person per _conflicts" in m for m in joined.merges)
    assert len(crm.frame("_conflicts")) == 1


@pytest.mark.parametrize("verdict", ["kept apart", "different people", "  Different People. "])
def test_any_other_verdict_keeps_them_apart_without_asking_again(tmp_path, verdict):
    harness = HARNESSES["xlsx"](tmp_path)
    crm = CRM(backend=harness.backend, config=Config(values=ValueContext()))
    crm.init()
    import_file(crm, family_member(tmp_path, "Moumita Das", MOUMITA), tab="Customers")
    import_file(crm, family_member(tmp_path, "Sourav Das", SOURAV), tab="Customers")
    resolve(harness, crm, verdict)
    crm.backend.apply(ChangeSet([DeleteRow("Customers", cid(SOURAV))]), crm.schema)
    back = import_file(crm, family_member(tmp_path, "Sourav Das", SOURAV), tab="Customers")
    assert back.counts.created == 1 and not back.conflicts  # made again, not asked again
    assert [p[1] for p in people(crm)] == [MOUMITA, SOURAV]
    assert len(crm.frame("_conflicts")) == 1


def test_reviews_read_from_the_conflicts_tab():
    header = [c for c in CONFLICT_COLUMNS if c != "kind"]  # as older sheetcrm wrote it
    a, b = f"{cid(MOUMITA)} {MOUMITA}", f"{cid(SOURAV)} {SOURAV}"
    grid = TabGrid(
        "_conflicts",
        header,
        [
            ["X-1", None, "Customers", cid(MOUMITA), "phone", a, b, "SAME PERSON!"],
            ["X-2", None, "Customers", "C-9", "city", "Pune", "Delhi", "same person"],  # an edit
            ["X-3", None, "Leads", "L-1", "phone", "L-1 x@example.com", "L-2 y@example.com", ""],
        ],
    )
    got = Reviews.from_grid(grid)
    assert got.verdict("Customers", (None, SOURAV), (None, MOUMITA)) is True
    assert got.merged_into("Customers", cid(SOURAV), "") == cid(MOUMITA)
    assert got.merged_into("Customers", None, SOURAV) == cid(MOUMITA)
    assert (
        got.verdict("Leads", ("L-2", "nobody@example.com"), ("L-1", "other@example.com")) is False
    )
    assert got.verdict("Customers", (None, "pune@example.com"), (None, "delhi@example.com")) is None
    assert got.merged_into("Leads", "L-2", "y@example.com") is None


def test_leads_from_a_bengali_google_form(tmp_path):
    """The rule holds on Leads too: two form responses from one family phone."""
    crm = new_crm(tmp_path)
    form = (
        "Timestamp,পুরো নাম,ইমেইল,ফোন নম্বর,মন্তব্য\n"
        f"2025-10-04 10:00:00,মৌমিতা দাস,{MOUMITA},{FAMILY_BN},শাড়ি\n"
        f"2025-10-05 11:30:00,সৌরভ দাস,{SOURAV},{FAMILY_BN},\n"
    )
    result = import_file(crm, write(tmp_path, "form.csv", form), preset="google-form")
    assert result.counts.created == 2
    ids = dict(zip(crm.frame("Leads")["email"], crm.frame("Leads")["lead_id"], strict=True))
    assert reviews(result) == [
        (
            ids[MOUMITA],
            "phone",
            f"{ids[MOUMITA]} {MOUMITA}",
            f"{ids[SOURAV]} {SOURAV}",
            "kept apart",
        )
    ]
    assert sorted(crm.frame("Leads")["phone"]) == [FAMILY_E164, FAMILY_E164]


# -- as a person runs it: a fresh process on an .xlsx workbook and on Google Sheets -------


def cli(cwd: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"SHEETCRM_API_ENDPOINT": url} if url else {}
    return run_sheetcrm(*args, env=env, cwd=cwd)


def family_file(tmp_path: Path) -> Path:
    """A Mailchimp audience export in which a couple share the family phone."""
    header = "Email Address,First Name,Last Name,Phone Number,OPTIN_TIME,LEID\n"
    rows = (
        f"{MOUMITA},Moumita,Das,{FAMILY},2025-01-04 10:00:00,11\n"
        f"{SOURAV},Sourav,Das,{FAMILY},2025-01-05 11:00:00,12\n"
    )
    return write(tmp_path, "audience.csv", header + rows)


def check_cli_story(tmp_path: Path, where: list[str], url: str | None = None) -> None:
    assert cli(tmp_path, "init", *where, url=url).returncode == 0
    path = str(family_file(tmp_path))
    first = cli(tmp_path, "import", path, "--preset", "mailchimp", *where, url=url)
    assert first.returncode == 4, (first.stdout, first.stderr)  # a review is waiting
    assert "Traceback" not in first.stderr
    shown = cli(tmp_path, "show", "Customers", *where, "--format", "json", url=url)
    assert shown.returncode == 0, shown.stderr
    got = sorted((r["email"], r["phone"]) for r in json.loads(shown.stdout))
    assert got == [(MOUMITA, FAMILY_E164), (SOURAV, FAMILY_E164)]
    again = cli(tmp_path, "import", path, "--preset", "mailchimp", *where, url=url)
    assert again.returncode == 0, (again.stdout, again.stderr)  # asked once, not every run
    conflicts = cli(tmp_path, "show", "_conflicts", *where, "--format", "json", url=url)
    rows = json.loads(conflicts.stdout)
    assert [(r["kind"], r["record_id"], r["resolution"]) for r in rows] == [
        (POSSIBLE_DUPLICATE, cid(MOUMITA), "kept apart")
    ]


def test_cli_on_xlsx_keeps_both_people_and_exits_4(tmp_path):
    check_cli_story(tmp_path, [])
    book = tmp_path / "crm.xlsx"
    wb = openpyxl.load_workbook(book)
    sheet = wb["_conflicts"]
    header = [c.value for c in sheet[1]]
    sheet.cell(2, header.index("resolution") + 1, "same person")
    wb.save(book)
    later = write(tmp_path, "later.csv", HEADER + f"Sourav Das,{SOURAV},{FAMILY},Howrah\n")
    merged = cli(tmp_path, "import", str(later), "--tab", "Customers")
    assert merged.returncode == 0, (merged.stdout, merged.stderr)
    shown = json.loads(cli(tmp_path, "show", "Customers", "--format", "json").stdout)
    assert {r["email"]: r["city"] for r in shown} == {MOUMITA: "Howrah", SOURAV: None}


def test_cli_on_google_sheets_keeps_both_people_and_exits_4(served, tmp_path):
    url, sheet = served
    check_cli_story(tmp_path, ["--sheet", sheet], url=url)


def test_reviews_ignore_what_a_teammate_mangled():
    """Junk in ``_conflicts`` (a cut row, a value that is not ``<id> <email>``, a renamed
    column) is no verdict: the pair is still kept apart, and nothing fails."""
    header = list(CONFLICT_COLUMNS)
    a, b = f"{cid(MOUMITA)} {MOUMITA}", f"{cid(SOURAV)} {SOURAV}"
    rows = [
        ["X-1", None, "Customers", cid(MOUMITA), "phone"],  # cut short
        ["X-2", None, "Customers", cid(MOUMITA), "phone", "Moumita", b, "same person", ""],
        ["X-3", None, "Customers", "", "phone", a, b, "same person", POSSIBLE_DUPLICATE],
        [None] * 9,
    ]
    got = Reviews.from_grid(TabGrid("_conflicts", header, rows))
    assert got.verdict("Customers", (None, MOUMITA), (None, SOURAV)) is None
    assert got.merged_into("Customers", cid(SOURAV), SOURAV) is None
    renamed = [h if h != "resolution" else "what we decided" for h in header]
    good = [["X-4", None, "Customers", cid(MOUMITA), "phone", a, b, "same person", ""]]
    assert (
        Reviews.from_grid(TabGrid("_conflicts", renamed, good)).verdict(
            "Customers", (None, MOUMITA), (None, SOURAV)
        )
        is None
    )
    assert Reviews.from_grid(None).merged_into("Customers", None, SOURAV) is None


def test_a_nameless_mailchimp_member_sharing_the_phone_is_flagged_too(tmp_path):
    """Mailchimp members without a name are created under their e-mail's name in a second
    pass; that pass still sees the people the first one made."""
    crm = new_crm(tmp_path)
    audience = (
        "Email Address,First Name,Last Name,Phone Number\n"
        f"{MOUMITA},Moumita,Das,{FAMILY}\n{SOURAV},,,{FAMILY}\n"
    )
    result = import_file(crm, write(tmp_path, "audience.csv", audience), preset="mailchimp")
    assert result.counts.created == 2
    assert reviews(result) == [pair(MOUMITA, SOURAV)]
    assert people(crm) == [
        ("Moumita Das", MOUMITA, FAMILY_E164, None),
        ("sourav.das", SOURAV, FAMILY_E164, None),
    ]


def test_a_lost_answer_or_a_failed_write_still_makes_two_people_and_one_review(tmp_path):
    """Google Sheets: the write lands but its answer is lost (the retry must not append the
    second person or the review twice); then a write fails outright and the re-run
    converges."""
    from contract.harness import no_sleep

    from sheetcrm.backends.gsheets.retry import RetryPolicy
    from sheetcrm.errors import TransientError

    harness = HARNESSES["gsheets"](tmp_path)
    crm = CRM(backend=harness.backend, config=Config(values=ValueContext()))
    crm.init()
    crm.backend.retry = RetryPolicy(sleep=no_sleep, attempts=2)
    import_file(crm, family_member(tmp_path, "Moumita Das", MOUMITA), tab="Customers")
    harness.emulator.drop_response("values.batchUpdate")
    result = import_file(crm, family_member(tmp_path, "Sourav Das", SOURAV), tab="Customers")
    assert reviews(result) == [pair(MOUMITA, SOURAV)]
    assert [p[1] for p in people(crm)] == [MOUMITA, SOURAV]
    assert len(crm.frame("_conflicts")) == 1
    riya = family_member(tmp_path, "Riya Das", RIYA)
    harness.emulator.fail("values.batchUpdate", 500, times=2)  # both attempts
    with pytest.raises(TransientError):
        import_file(crm, riya, tab="Customers")
    assert [p[1] for p in people(crm)] == [MOUMITA, SOURAV]  # nothing half-written
    rerun = import_file(crm, riya, tab="Customers")
    assert reviews(rerun) == [pair(MOUMITA, RIYA)]
    assert [p[1] for p in people(crm)] == [MOUMITA, RIYA, SOURAV]
    assert sorted(crm.frame("_conflicts")["source_value"]) == sorted(
        [f"{cid(RIYA)} {RIYA}", f"{cid(SOURAV)} {SOURAV}"]
    )


def test_a_shop_phone_on_every_row_keeps_everyone_and_stays_linear(tmp_path, monkeypatch):
    """A phone on hundreds of rows (a shop's, a placeholder): everyone is kept, each asked
    about once against its first holder, and each row is compared with at most
    ``MAX_HOLDERS`` holders, so the import does not grow with the square of the file."""
    from sheetcrm.ingest import matching
    from sheetcrm.ingest.review import MAX_HOLDERS

    looked: list[str] = []
    real = matching.SheetIndex.value

    def counted(self, record_id, name):
        looked.append(record_id)
        return real(self, record_id, name)

    monkeypatch.setattr(matching.SheetIndex, "value", counted)
    crm = new_crm(tmp_path)
    rows = "".join(f"Guest {i},guest{i}@example.com,{FAMILY}\n" for i in range(300))
    path = write(tmp_path, "guests.csv", "Name,Email,Phone\n" + rows)
    result = import_file(crm, path, tab="Customers")
    assert result.counts.created == 300 and len(reviews(result)) == 299
    assert {r[0] for r in reviews(result)} == {cid("guest0@example.com")}
    assert len(looked) <= 300 * (MAX_HOLDERS + 1)
    again = import_file(crm, path, tab="Customers")
    assert not again.changes and not again.conflicts


def test_an_explicit_id_is_identity_even_with_another_e_mail(tmp_path):
    """A row that names a record by its ID is that record: its new e-mail is an update,
    not a second person (in one file, and against the sheet)."""
    crm = new_crm(tmp_path)
    rows = (
        "customer_id,Name,Email,Phone\n"
        f"C-1,Moumita Das,{MOUMITA},{FAMILY}\nC-1,Moumita Das,moumita@example.org,{FAMILY}\n"
    )
    result = import_file(crm, write(tmp_path, "ids.csv", rows), tab="Customers")
    assert (result.counts.created, result.counts.merged, result.conflicts) == (1, 1, [])
    assert people(crm) == [("Moumita Das", "moumita@example.org", FAMILY_E164, None)]
    moved = f"customer_id,Name,Email,Phone\nC-1,Moumita Das,{MOUMITA},{OTHER_E164}\n"
    again = import_file(crm, write(tmp_path, "moved.csv", moved), tab="Customers")
    assert again.counts.updated == 1 and not again.conflicts
    assert people(crm) == [("Moumita Das", MOUMITA, OTHER_E164, None)]


def test_same_person_on_form_responses_that_carry_their_own_ids(tmp_path):
    """Google Form responses carry an ID per response; a ``same person`` verdict still
    sends the second one's responses to the first lead (filling only what it lacks)."""
    harness = HARNESSES["memory"](tmp_path)
    crm = CRM(backend=harness.backend, config=Config(values=ValueContext()))
    crm.init()
    header = "Timestamp,পুরো নাম,ইমেইল,ফোন নম্বর,মন্তব্য\n"
    first = (
        f"2025-10-04 10:00:00,মৌমিতা দাস,{MOUMITA},{FAMILY_BN},\n"
        f"2025-10-05 11:30:00,সৌরভ দাস,{SOURAV},{FAMILY_BN},শাড়ি কত?\n"
    )
    form = write(tmp_path, "form.csv", header + first)
    assert len(import_file(crm, form, preset="google-form").conflicts) == 1
    resolve(harness, crm, "same person")
    result = import_file(crm, form, preset="google-form")
    assert not result.conflicts and result.counts.updated == 1
    leads = {r["email"]: r for _, r in crm.frame("Leads").iterrows()}
    assert leads[MOUMITA]["name"] == "মৌমিতা দাস" and leads[MOUMITA]["notes"] == "শাড়ি কত?"
    assert import_file(crm, form, preset="google-form").changes.ops == []
