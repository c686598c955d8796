"""Input files the import tests share: a messy contact list as people really send one
(three scripts, native digits, duplicates, bad rows, formula-looking text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

MESSY = (
    "Full Name;E-mail;Mobile;City;Signup Date;Favourite colour;notes\n"
    "Sara Mohammadi; Sara@Example.com ;۰۹۱۲ ۳۴۵ ۶۷۸۹;Tehran;۱۴۰۳/۰۱/۱۵;blue;\n"
    "سارا محمدی;sara@example.com;+98 912 345 6789;تهران;2024-04-03;;same person\n"
    "রাহুল দাস;RAHUL@example.com;+৮৮০ ১৭১২ ৩৪৫৬৭৮;Dhaka;03/04/2024;green;"
    '"=HYPERLINK(""http://evil"",""x"")"\n'
    ";;;;;;\n"
    "Bob;bob@;;London;2024-01-01;;bad e-mail\n"
    "Alice;ALICE@example.org;+44 7400 123456;London;5 Mar 2024;;+1 call me\n"
    ";no-name@example.com;;;;;missing name\n"
    "Alice;alice@example.org;;London;;;\n"
    "Eve;eve@example.com;;Paris;yesterday;;bad date\n"
    '" Mallory";mallory@example.com;;;;;"\t=cmd|\' /C calc\'!A0"\n'
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def write_csv(tmp_path: Path, name: str, header: Sequence[str], *rows: Iterable[str]) -> Path:
    """A CSV file as a spreadsheet saves one (quoted where needed), from a header and rows."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return write(tmp_path, name, buf.getvalue())


#: The member columns every Mailchimp audience export starts with (Audience → Export
#: audience); the subscribed, unsubscribed and cleaned files each add their own after them.
MAILCHIMP_MEMBER = (
    "Email Address",
    "First Name",
    "Last Name",
    "Address",
    "Phone Number",
    "Birthday",
    "MEMBER_RATING",
    "OPTIN_TIME",
    "OPTIN_IP",
    "CONFIRM_TIME",
    "CONFIRM_IP",
    "LATITUDE",
    "LONGITUDE",
    "GMTOFF",
    "DSTOFF",
    "TIMEZONE",
    "CC",
    "REGION",
)
