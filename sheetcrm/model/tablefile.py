"""The one writer of tables people open in a spreadsheet: ``export`` CSV, ``remind --csv``,
``show --format csv``.

A spreadsheet runs a cell as a formula when its text starts with ``=`` ``+`` ``-`` ``@``, a
tab, a line break or their full-width forms (``values.looks_like_formula``): a DDE payload
such as ``=cmd|' /C calc'!A0`` or ``=HYPERLINK(…)`` typed into a web form would run on the
computer of whoever opens the file. Such **free text** gets a leading apostrophe, as OWASP
advises. Values whose type says what they are, and whose text has that shape, are written
as themselves, byte for byte as the sheet holds them: an E.164 phone (``+447400194875``)
in a phone column, a number (``-5``, ``-1,234.50``) in a number or money column or stored
as a number, dates, booleans. A spreadsheet reads those as a number or as text, never as a
formula, so an apostrophe would only corrupt them. A phone or number column that holds
anything else (a teammate typed ``+44 7400 194875`` or ``=1+1`` there) is free text again;
so are e-mail addresses and IDs, whose rules allow ``=cmd|'/C`` characters, and every
column sheetcrm does not know.

The CSV importer takes the apostrophe off again (``unescape``), so export → import gives
back exactly the text that was exported: text that itself starts with apostrophes before
a formula (``'=x``) gets one more, which is the one taken off.
"""

from __future__ import annotations

import csv
import io
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sheetcrm.errors import DiskError
from sheetcrm.files import write_private
from sheetcrm.model.display import as_text
from sheetcrm.model.values import FORMULA_LEADS, Codec, looks_like_formula

#: What a phone column holds once parsed: E.164 (``PhoneCodec``), read by a spreadsheet
#: as a number at worst.
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
#: A number as the number codecs and ``str`` write it (a sign, digits with optional
#: thousands commas, decimals, an exponent, a percent sign): a spreadsheet's number.
NUMBER = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?%?")
#: Field types whose values are numbers.
NUMERIC = frozenset({"number", "integer", "money", "percent", "score"})


#: The first characters of text that may need the apostrophe (a formula's leads, the
#: spaces ``looks_like_formula`` looks past, the apostrophe): most cells start otherwise.
_SUSPECT = frozenset("".join(FORMULA_LEADS) + "' \u00a0")


def needs_escape(text: str) -> bool:
    """Whether free text needs the apostrophe: it reads as a formula, or it is apostrophes
    before one (so that ``unescape`` gives it back whole)."""
    return bool(text) and text[0] in _SUSPECT and looks_like_formula(text.lstrip("'"))


def escape(text: str) -> str:
    """Free text made inert: ``=1+1`` → ``'=1+1``; anything else unchanged."""
    return "'" + text if needs_escape(text) else text


def unescape(text: str) -> str:
    """What ``escape`` was given: one leading apostrophe off text that needed it. A cell
    from any other program that reads ``'=…`` or ``'+44…`` loses that apostrophe too,
    which is what a spreadsheet shows of it."""
    return text[1:] if text.startswith("'") and needs_escape(text[1:]) else text


def _inert(value: Any, text: str, kind: str | None) -> bool:
    """A value that is what its type says, in a shape no spreadsheet reads as a formula."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return NUMBER.fullmatch(text) is not None
    if kind == "phone":
        return E164.fullmatch(text) is not None
    if kind in NUMERIC:
        return NUMBER.fullmatch(text) is not None
    return False


def cell(value: Any, codec: Codec | None = None, *, raw: bool = False) -> str:
    """The text of one cell: as ``show`` prints it (``model.display``), escaped where it is
    free text a spreadsheet would run. ``raw``: never escaped (for programs, not people)."""
    text = as_text(value, codec)
    if raw or not needs_escape(text):
        return text
    return text if _inert(value, text, codec.name if codec is not None else None) else "'" + text


def header(name: Any) -> str:
    """A column name: free text (a teammate may name a column anything)."""
    return escape(str(name))


def csv_text(
    columns: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    codecs: Mapping[Any, Codec] | None = None,
    *,
    raw: bool = False,
    delimiter: str = ",",
) -> str:
    """A header and rows of typed values as CSV (``\\n`` line ends, cells quoted where CSV
    needs it), each cell through ``cell`` with its column's codec."""
    codecs = codecs or {}
    kinds = [codecs.get(c) for c in columns]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", delimiter=delimiter)
    writer.writerow([str(c) if raw else header(c) for c in columns])
    for row in rows:
        writer.writerow([cell(v, k, raw=raw) for v, k in zip(row, kinds, strict=True)])
    return buf.getvalue()


def write_csv(
    path: Path,
    columns: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    codecs: Mapping[Any, Codec] | None = None,
    *,
    raw: bool = False,
    bom: bool = False,
) -> Path:
    """Write ``csv_text`` to ``path``: private (it holds customer data; the folder is the
    user's), whole or not at all. ``bom``: start with a UTF-8 byte-order mark, without which
    Excel reads a double-clicked CSV in the computer's legacy code page and Persian or
    Bengali names come out as mojibake."""
    return save(path, ("\ufeff" if bom else "") + csv_text(columns, rows, codecs, raw=raw))


def save(path: Path, data: str | bytes) -> Path:
    """Write a file for people (a CSV, a draft, an export, a report) in a folder the user
    chose: private, and whole or not at all. A failure is one line (``DiskError``, exit 6)
    and leaves any older file there as it was."""
    try:
        return write_private(path, data, own_folder=False)
    except OSError as exc:
        said = exc.strerror or str(exc) or type(exc).__name__
        raise DiskError(f"could not write {path} ({said}); nothing was written") from None
