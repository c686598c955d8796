"""Bytes to text for imports: UTF-16 and UTF-8 (with or without BOM) by themselves, any
other encoding by name (``--encoding``), and a decoding failure as one line naming the
line, the byte and its offset, with the encoding to try."""

from __future__ import annotations

import codecs

from sheetcrm.errors import ConfigError, InputError


def check_encoding(name: str) -> str:
    """The codec to read ``name`` with (``cp1252`` for ``windows-1252``; UTF-8 with its BOM
    removed); an unknown name is a configuration error, said before any input is read."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ConfigError(
            f"unknown encoding {name!r} (e.g. utf-8, utf-16, cp1252, cp1256, latin-1)"
        ) from None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib …: bytes to bytes
        raise ConfigError(f"{name!r} is not a text encoding")
    return "utf-8-sig" if info.name == "utf-8" else info.name


#: What a decoder says when the bytes stop in the middle of a character.
_CUT_REASONS = ("unexpected end of data", "truncated data", "incomplete multibyte sequence")


def decode_cut(data: bytes, name: str, encoding: str | None = None) -> tuple[str, bool]:
    """The text, and whether the bytes stop in the middle of a character: a download cut
    off there is cut mid-line, so its last line is a fragment even when no cell is missing.

    Without ``encoding``: UTF-16 when the file starts with its BOM, else UTF-8 (BOM or
    not). A byte the encoding cannot read is one error naming its offset and line."""
    guessed = encoding is None
    if encoding is None:
        encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    else:
        encoding = check_encoding(encoding)
    try:
        return data.decode(encoding).removeprefix("\ufeff"), False
    except UnicodeDecodeError as exc:
        if _cut_off(data, encoding, exc):
            try:
                return data[: exc.start].decode(encoding).removeprefix("\ufeff"), True
            except UnicodeDecodeError as inner:
                exc = inner
        raise InputError(_undecodable(data, name, encoding, exc, guessed)) from None


def _cut_off(data: bytes, encoding: str, exc: UnicodeDecodeError) -> bool:
    """Whether the error is only the bytes stopping inside the last character (for UTF-16,
    an odd byte at the end; a lone surrogate there is broken text)."""
    if exc.end != len(data) or exc.start <= len(data) - 4:
        return False
    if encoding.startswith("utf-16"):
        return exc.reason == "truncated data"
    return exc.reason in _CUT_REASONS


def _undecodable(
    data: bytes, name: str, encoding: str, exc: UnicodeDecodeError, guessed: bool
) -> str:
    """``f.csv: line 3 is not UTF-8 (byte 0xe9 at offset 57); …``: where, and what to do."""
    line = data[: exc.start].count(b"\n") + 1
    where = f"byte {data[exc.start]:#04x} at offset {exc.start:,}"
    if encoding.startswith("utf-16"):
        return f"{name}: broken UTF-16 text at line {line} ({where}: {exc.reason})"
    if guessed:
        return (
            f"{name}: line {line} is not UTF-8 ({where}); save the file as UTF-8 (or "
            "UTF-16), or say its encoding, e.g. --encoding cp1252 (Excel's Western) or "
            "--encoding cp1256 (Arabic/Persian)"
        )
    return (
        f"{name}: line {line} is not {encoding} text ({where}); "
        "is the file in another encoding? (--encoding)"
    )
