"""``remind --drafts``: a letter per customer that stays in its folder (IDs like
``../../x``, ``CON``, ``-rf``; a planted symlink), keeps sheet text on its lines (a name
that tries to add ``Subject:``/``Bcc:`` lines), and does not outlive its customer's place
on the list (opted out since) unless someone made it their own by editing it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from test_safe_files import AS_OF, OWASP, hostile_crm

from sheetcrm.outputs.drafts import MANIFEST, file_stem, write_drafts
from sheetcrm.outputs.reminders import remind


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_drafts_stay_in_their_folder_and_on_their_lines(tmp_path):
    crm = hostile_crm(tmp_path)
    crm.upsert(
        "Customers",
        [
            {
                "customer_id": "../../escaped",
                "name": "Bob\nSubject: you won\r\nBcc: all@evil.example",
                "email": "bob@example.com",
                "products": "tea\u2028\u202eabc",
            },
            {"customer_id": "..", "name": "Dots", "email": "dots@example.com"},
            {"customer_id": "CON", "name": "Con", "email": "con@example.com"},
            {"customer_id": "c-1", "name": "Lower", "email": "lower@example.com"},
        ],
    )
    crm.upsert(
        "Interactions",
        [
            {
                "interaction_id": f"J-{n}",
                "date": "2025-01-10",
                "type": "purchase",
                "customer_id": cid,
                "amount": 10,
            }
            for n, cid in enumerate(["../../escaped", "..", "CON", "c-1"])
        ],
    )
    folder = tmp_path / "deep" / "drafts"
    (tmp_path / "deep").mkdir()
    target = tmp_path / "deep" / "victim.txt"
    target.write_text("mine", encoding="utf-8")
    folder.mkdir()
    (folder / "C-2.txt").symlink_to(target)
    result = remind(crm, as_of=AS_OF, drafts_dir=folder)
    assert target.read_text(encoding="utf-8") == "mine"  # the link was replaced, not followed
    names = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)
    assert names == sorted(p.name for p in result.drafts)
    assert all(p.parent == folder and not p.is_symlink() for p in result.drafts)
    assert {"escaped.txt", "customer.txt", "_CON.txt", "C-1.txt", "c-1-2.txt"} <= set(names)
    assert len(names) == len(OWASP) + 4 and not (tmp_path / "escaped.txt").exists()
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in result.drafts)
    bob = (folder / "escaped.txt").read_text(encoding="utf-8")
    assert bob.startswith("Hello Bob Subject: you won Bcc: all@evil.example,\n")
    assert not any(line.startswith(("Subject:", "Bcc:")) for line in bob.splitlines())
    assert "enjoying tea abc." in bob  # no line separator, no right-to-left override
    for path in result.drafts:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("Hello ") and first.endswith(",")


def test_drafts_of_people_no_longer_on_the_list_go_unless_someone_edited_them(tmp_path):
    crm = hostile_crm(tmp_path)
    folder = tmp_path / "d"
    first = remind(crm, as_of=AS_OF, drafts_dir=folder)
    assert len(first.drafts) == len(OWASP) and not first.stale_drafts
    (folder / "mine.txt").write_text("the user's own file", encoding="utf-8")
    (folder / "C-5.txt").write_text("Dear Eve, I edited this one.", encoding="utf-8")
    (folder / "C-7.txt").write_text("Dear Gus, and this one.", encoding="utf-8")
    crm.upsert(
        "Customers",
        [
            {"customer_id": "C-3", "opt_out": True},  # must not be mailed any more
            {"customer_id": "C-5", "opt_out": True},  # ... but its draft was edited
        ],
    )
    bought = {"interaction_id": "I-99", "date": "2026-11-20", "type": "purchase"}
    crm.upsert("Interactions", [{**bought, "customer_id": "C-4", "amount": 10}])
    again = remind(crm, as_of=AS_OF, drafts_dir=folder)
    assert sorted(p.name for p in again.stale_drafts) == ["C-3.txt", "C-4.txt"]
    assert sorted(p.name for p in again.edited_drafts) == ["C-5.txt", "C-7.txt"]
    assert not (folder / "C-3.txt").exists() and not (folder / "C-4.txt").exists()
    assert (folder / "C-5.txt").read_text(encoding="utf-8") == "Dear Eve, I edited this one."
    assert (folder / "C-7.txt").read_text(encoding="utf-8") == "Dear Gus, and this one."
    assert (folder / "mine.txt").read_text(encoding="utf-8") == "the user's own file"
    assert len(again.drafts) == len(OWASP) - 4  # C-3, C-4 off the list; C-5, C-7 kept
    (folder / "C-7.txt").unlink()  # the user sent theirs and threw it away
    (folder / MANIFEST).write_text("{not json", encoding="utf-8")  # and broke the list
    crm.upsert("Customers", [{"customer_id": "C-6", "opt_out": True}])
    third = remind(crm, as_of=AS_OF, drafts_dir=folder)
    assert not third.stale_drafts and (folder / "C-6.txt").exists()  # not known: kept
    assert (folder / "C-7.txt").exists()  # rewritten: C-7 is still on the list


@pytest.mark.parametrize(
    ("customer_id", "stem"),
    [
        ("C-0001", "C-0001"),
        ("../../etc/passwd", "etc_passwd"),
        ("/abs/path", "abs_path"),
        ("a\\b", "a_b"),
        ("-rf", "rf"),
        (".bashrc", "bashrc"),
        ("..", "customer"),
        ("", "customer"),
        (None, "customer"),
        ("nul.txt", "_nul.txt"),
        ("LPT1", "_LPT1"),
        ("م-۱۲", "م-۱۲"),  # letters and digits of any script stay
        ("x" * 300, "x" * 80),
        ("a\nb", "a_b"),
    ],
)
def test_file_stem(customer_id, stem):
    assert file_stem(customer_id) == stem


def test_write_drafts_numbers_names_that_collide():
    seen: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sheetcrm.outputs.drafts.save", lambda path, text: seen.append(path.name))
        write_drafts(
            Path("/nowhere"),
            [{"customer_id": c} for c in ("a/b", "a_b", "A_B", "a_b-2")],
            lambda customer: "",
        )
    assert seen == ["a_b.txt", "a_b-2.txt", "A_B-3.txt", "a_b-2-2.txt", MANIFEST]


def test_a_planted_list_removes_nothing_outside_the_drafts(tmp_path):
    """The list is a file in a folder others may write to: even with the right hashes it
    removes only ``.txt`` files right in the folder."""
    import hashlib
    import json

    folder = tmp_path / "d"
    (folder / "sub").mkdir(parents=True)
    victims = {
        "../victim.txt": tmp_path / "victim.txt",
        "sub/x.txt": folder / "sub" / "x.txt",
        ".hidden.txt": folder / ".hidden.txt",
        "notes.md": folder / "notes.md",
    }
    for path in victims.values():
        path.write_text("keep me", encoding="utf-8")
    digest = hashlib.sha256(b"keep me").hexdigest()
    (folder / MANIFEST).write_text(json.dumps(dict.fromkeys(victims, digest)), encoding="utf-8")
    done = write_drafts(folder, [{"customer_id": "C-1", "name": "Ann"}], lambda c: c["name"])
    assert [p.name for p in done.written] == ["C-1.txt"] and not done.removed
    assert all(p.read_text(encoding="utf-8") == "keep me" for p in victims.values())
    assert json.loads((folder / MANIFEST).read_text(encoding="utf-8")) == {
        "C-1.txt": hashlib.sha256(b"Ann").hexdigest()
    }
