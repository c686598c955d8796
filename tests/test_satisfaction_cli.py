"""Satisfaction as a person gets it, every command a fresh ``sheetcrm`` process: a Google
Forms feedback export imported (on a local .xlsx and on ``sheetcrm emulator serve``), the
scores in ``show Customers`` after ``refresh``, the "unhappy" segment, the call-back in
the e-mailed digest (a real local SMTP server), and bad scores set aside with a message
that names the row, the column, the value and the fix."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from mail_support import Mailbox
from support import emulator_serve, run_sheetcrm

FIXTURES = Path(__file__).parent / "fixtures" / "feedback"
AS_OF = "2025-10-20"
UK = '[locale]\nregion = "GB"\ncurrency = "GBP"\ndate_order = "DMY"\n'
TEHRAN = (
    '[locale]\nlanguage = "fa_IR"\nregion = "IR"\ncurrency = "IRT"\n'
    'timezone = "Asia/Tehran"\ncalendar = "jalali"\ndate_order = "YMD"\n'
)


def cli(folder: Path, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"XDG_DATA_HOME": str(folder / "data"), "SHEETCRM_SNAPSHOTS": str(folder / "snap")}
    if url is not None:
        env["SHEETCRM_API_ENDPOINT"] = url
    return run_sheetcrm(*args, env=env, cwd=folder)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def customers(folder: Path, *where: str, url: str | None = None) -> dict[str, tuple]:
    shown = ok(cli(folder, "show", "Customers", "--format", "json", *where, url=url))
    return {r["name"]: (r["satisfaction"], r["last_satisfaction"]) for r in json.loads(shown)}


def segment_count(listing: str, name: str) -> int:
    for line in listing.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] == name:
            return int(words[1])
    raise AssertionError(f"no {name!r} in {listing!r}")


def test_a_feedback_export_on_xlsx_reaches_customers_segments_and_the_digest(tmp_path):
    with Mailbox() as box:
        (tmp_path / "sheetcrm.toml").write_text(
            UK + '\n[smtp]\nhost = "127.0.0.1"\n'
            f'port = {box.port}\nsecurity = "none"\nfrom = "Shop <shop@example.com>"\n'
            '\n[team]\nSophie = "sophie@example.com"\nArif = "arif@example.com"\n',
            encoding="utf-8",
        )
        ok(cli(tmp_path, "init", "-q"))
        ok(cli(tmp_path, "import", str(FIXTURES / "customers_en.csv"), "--tab", "Customers"))
        said = ok(cli(tmp_path, "import", str(FIXTURES / "feedback_en.csv")))
        assert "(--preset feedback)" in said and "4 created" in said, said
        ok(cli(tmp_path, "refresh", "--as-of", AS_OF, "-q"))
        assert customers(tmp_path) == {
            "Olivia Hart": (5, 5),
            "Tom Rowe": (4, 4),
            "Priya Shah": (1, 1),  # her response gave only a phone
            "Callum Reid": (4, 4),  # ★★★★☆
        }
        listing = ok(cli(tmp_path, "segments", "--as-of", AS_OF))
        assert listing.splitlines()[1].split()[0] == "unhappy"  # the first rule
        assert segment_count(listing, "unhappy") == 1
        sent = cli(tmp_path, "remind", "--email", "--as-of", AS_OF)
        assert sent.returncode == 0, sent.stdout + sent.stderr
    to_sophie = [m for to, m in box.messages if to == ["sophie@example.com"]]
    assert len(to_sophie) == 1, [to for to, _ in box.messages]
    text = to_sophie[0].get_body(("plain",)).get_content()
    html = to_sophie[0].get_body(("html",)).get_content()
    assert "Unhappy customers to call back:" in text
    assert (
        "  - Priya Shah: last score 1 of 5 on 2025-10-15, +447911123403 "
        "<priya.shah@example.co.uk>: “Parcel arrived damaged, nobody answered my email; "
        "would recommend us: 2 of 10”\r\n"  # e-mail lines end in CRLF
    ) in text
    assert "Priya Shah: last score 1 of 5" in html
    assert all("Priya" not in m.get_body(("plain",)).get_content() for _, m in box.messages[1:])


def test_a_persian_feedback_export_on_the_emulator_reaches_customers_and_segments(tmp_path):
    (tmp_path / "sheetcrm.toml").write_text(TEHRAN, encoding="utf-8")
    with emulator_serve(tmp_path) as (url, [sheet]):
        where = ("--sheet", sheet)
        ok(cli(tmp_path, "init", "-q", *where, url=url))
        ok(
            cli(
                tmp_path,
                "import",
                str(FIXTURES / "customers_fa.csv"),
                "--tab",
                "Customers",
                *where,
                url=url,
            )
        )
        said = ok(cli(tmp_path, "import", str(FIXTURES / "feedback_fa.csv"), *where, url=url))
        assert "(--preset feedback)" in said and "3 created" in said, said
        ok(cli(tmp_path, "refresh", "--as-of", AS_OF, "-q", *where, url=url))
        assert customers(tmp_path, *where, url=url) == {
            "سارا محمدی": (5, 5),
            "رضا کریمی": (2, 2),  # by phone, ۲
            "مریم حسینی": (4, 4),  # ۴ از ۵
        }
        listing = ok(cli(tmp_path, "segments", "--as-of", AS_OF, *where, url=url))
        shown = ok(cli(tmp_path, "show", "Interactions", "--format", "json", *where, url=url))
    assert segment_count(listing, "unhappy") == 1
    days = sorted(r["date"][:10] for r in json.loads(shown))
    assert days == ["2025-10-12", "2025-10-13", "2025-10-14"]  # 20–22 Mehr 1404
    assert {r["type"] for r in json.loads(shown)} == {"feedback"}


def test_a_9_on_scale_5_and_a_word_are_set_aside_with_the_fix(tmp_path):
    (tmp_path / "sheetcrm.toml").write_text(UK + "\n[satisfaction]\nscale = 5\n", encoding="utf-8")
    ok(cli(tmp_path, "init", "-q"))
    ok(cli(tmp_path, "import", str(FIXTURES / "customers_en.csv"), "--tab", "Customers"))
    done = cli(tmp_path, "import", str(FIXTURES / "feedback_bad_en.csv"))
    assert done.returncode == 8, done.stdout + done.stderr  # 8: done but rows set aside (--help)
    lines = done.stdout.splitlines()
    column = "column 'How satisfied are you with your order?'"
    nine = [line for line in lines if line.strip().startswith(f"row 2, {column}: '9'")]
    assert len(nine) == 1, done.stdout
    assert "[satisfaction] scale = 10" in nine[0]
    very = [line for line in lines if line.strip().startswith(f"row 3, {column}: 'very'")]
    assert len(very) == 1 and "a score from 0 to" in very[0], done.stdout
    shown = json.loads(ok(cli(tmp_path, "show", "Interactions", "--format", "json")))
    assert [r["satisfaction"] for r in shown] == [None, None]  # the comments still went in
