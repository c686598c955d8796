"""Value codecs: turn what people type into typed values, and typed values back into text.

One codec per field type. Every parser accepts Persian (۰–۹), Arabic-Indic (٠–٩) and
Bengali (০–৯) digits with their separators, and raises ``ValueParseError`` naming what was
expected; callers add the tab, row and column.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import email_validator
import phonenumbers

from sheetcrm.model.dates import DateCodec, DateTimeCodec
from sheetcrm.model.numbers import (
    IntegerCodec,
    MoneyCodec,
    NumberCodec,
    PercentCodec,
    ScoreCodec,
)
from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    Codec,
    ValueContext,
    is_blank,
    normalize_token,
    to_ascii_digits,
)
from sheetcrm.model.vocab import bool_words


class TextCodec(Codec):
    name = "text"
    expected = "text"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if is_blank(raw):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, dt.datetime):
            return raw.isoformat(sep=" ")
        if isinstance(raw, dt.date):
            return raw.isoformat()
        return str(raw).strip()


class IdCodec(TextCodec):
    name = "id"
    expected = "an ID (letters, digits, '-', '_' or '.')"
    _ok = re.compile(r"^[\w.\-/#]+$")
    _canonical = re.compile(r"[A-Za-z0-9_.\-/#]+")  # ASCII only: nothing left to normalise

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if isinstance(raw, str) and self._canonical.fullmatch(raw):
            return raw
        text = super().parse(raw, ctx)
        if text is None:
            return None
        text = to_ascii_digits(text).strip()
        if not self._ok.match(text):
            raise self.fail(raw)
        return text


class EmailCodec(Codec):
    name = "email"
    expected = "a valid e-mail address"

    # The form ``parse`` returns for plain ASCII addresses. Reading back what sheetcrm wrote
    # is most of the e-mail parsing on a large tab, and the validator costs ~20 µs a call.
    _canonical = re.compile(
        r"[a-z0-9_%+\-]+(?:\.[a-z0-9_%+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+"
        r"([a-z]{2,63})"
    )

    def _is_canonical(self, text: str) -> bool:
        m = self._canonical.fullmatch(text)
        return bool(
            m
            and len(text) <= 254
            and text.index("@") <= 64
            and "xn--" not in text  # the validator turns IDNA labels into Unicode
            and m.group(1) not in email_validator.SPECIAL_USE_DOMAIN_NAMES
        )

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if isinstance(raw, str) and self._is_canonical(raw):
            return raw
        if is_blank(raw):
            return None
        text = to_ascii_digits(str(raw)).strip().strip("<>").strip()
        if text.lower().startswith("mailto:"):
            text = text[7:]
        try:
            info = email_validator.validate_email(
                text, check_deliverability=False, allow_smtputf8=True
            )
        except email_validator.EmailNotValidError as exc:
            raise self.fail(raw, f"a valid e-mail address ({exc})") from None
        # Lower-case the whole address: CRMs match people by e-mail, and mailbox
        # providers treat the local part case-insensitively in practice.
        return info.normalized.lower()


class PhoneCodec(Codec):
    name = "phone"
    expected = "a phone number"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if is_blank(raw):
            return None
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        text = to_ascii_digits(str(raw)).strip()
        if text.startswith("00"):
            text = "+" + text[2:]
        region = None if text.startswith("+") else ctx.region
        try:
            number = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException as exc:
            raise self.fail(raw, f"a phone number ({exc._msg})") from None
        if not phonenumbers.is_valid_number(number):
            where = f" for region {ctx.region}" if region else ""
            raise self.fail(raw, f"a valid phone number{where} (wrong length or prefix)")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class BoolCodec(Codec):
    """A checkbox: TRUE/FALSE, 1/0, ✓/✗ and yes/no in every built-in language
    (``vocab.bool_words``: بله/خیر, হ্যাঁ/না …); blank is no value."""

    name = "bool"
    expected = "TRUE or FALSE"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> bool | None:
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            return None
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        text = str(raw)
        if not text.strip():
            return None
        true, false = bool_words()
        folded = normalize_token(text) or text.strip()  # ✓ and ☐ are all punctuation-free
        if folded in true:
            return True
        if folded in false:
            return False
        raise self.fail(raw)

    def format(self, value: Any) -> str:
        return "" if value is None else ("TRUE" if value else "FALSE")


@dataclass
class EnumCodec(Codec):
    """One of a fixed list of values; matching ignores case and spacing and knows synonyms.

    ``field_key`` (``Leads.source``) names the field in the ``[vocab]`` line an unknown value's
    message suggests.
    """

    values: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    name: str = "enum"
    field_key: str = ""

    def __post_init__(self) -> None:
        lookup = {normalize_token(v): v for v in self.values}
        for alias, target in self.synonyms.items():
            if target in self.values:
                lookup.setdefault(normalize_token(alias), target)
        self._lookup = lookup
        # The same words run together: "درحال انجام" for "در حال انجام", "inprogress".
        # A squashed spelling two values share is left out rather than guessed.
        squashed: dict[str, str | None] = {}
        for folded, target in lookup.items():
            key = folded.replace("_", "")
            squashed[key] = target if squashed.get(key, target) == target else None
        self._squashed = {k: v for k, v in squashed.items() if v is not None}

    @property
    def expected(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(self.values)

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> str | None:
        if is_blank(raw):
            return None
        folded = normalize_token(str(raw))
        found = self._lookup.get(folded)
        if found is None:
            found = self._squashed.get(folded.replace("_", ""))
        if found is None:
            raise self.fail(raw, f"{self.expected}; {self.vocab_hint(str(raw))}")
        return found

    def vocab_hint(self, typed: str) -> str:
        """The sheetcrm.toml line that would accept ``typed``: the nearest value's list of
        spellings, or a placeholder for the value (one of the field's, or a new one)."""
        target = self.nearest(typed)
        table = ".".join(_toml_key(p) for p in (self.field_key or "Tab.field").split("."))
        value = _toml_key(target) if target else "<value>"
        line = f"{value} = [{_toml_str(typed.strip())}]"
        hint = f"to accept it, add the line {line} under [vocab.{table}] in sheetcrm.toml"
        if target is None:
            hint += ", <value> being one of the values or a new value of its own"
        return hint

    def nearest(self, typed: str) -> str | None:
        """The value a typed spelling most likely means: one of its words is a value or a
        known spelling ("Instagram DM"), or it is close to one ("instagarm"); else None."""
        folded = normalize_token(typed)
        for word in re.split(r"[\W_]+", folded):
            if word in self._lookup:
                return self._lookup[word]
        close = difflib.get_close_matches(folded, self._lookup, n=1, cutoff=0.75)
        return self._lookup[close[0]] if close else None


def _toml_key(text: str) -> str:
    """``text`` as a TOML key: bare when it can be, else a quoted string."""
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _toml_str(text)


def _toml_str(text: str) -> str:
    """``text`` as a TOML basic string: JSON's escapes are all valid TOML ones, and DEL,
    which JSON leaves as it is and TOML refuses, is escaped too."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


CODECS: dict[str, Codec] = {
    c.name: c
    for c in (
        TextCodec(),
        IdCodec(),
        EmailCodec(),
        PhoneCodec(),
        DateCodec(),
        DateTimeCodec(),
        NumberCodec(),
        IntegerCodec(),
        MoneyCodec(),
        PercentCodec(),
        ScoreCodec(),
        BoolCodec(),
    )
}

FIELD_TYPES = (*CODECS, "enum")

DATE_TYPES = ("date", "datetime")

_DATE_CODECS: dict[tuple[str, bool, str], DateCodec] = {}


def date_codec(kind: str, *, partial: bool = False, field_key: str = "") -> DateCodec:
    """The date codec of one field: whether it reads partial dates against
    ``ValueContext.date_reference`` (``[dates] partial``), and its ``Tab.field`` name for
    the hint when it refuses them."""
    key = (kind, partial, field_key)
    codec = _DATE_CODECS.get(key)
    if codec is None:
        made = DateTimeCodec if kind == "datetime" else DateCodec
        codec = _DATE_CODECS[key] = made(partial=partial, field_key=field_key)
    return codec


#: The date codecs of a column ``[dates] partial`` lists: "5 Mar", "yesterday" and
#: "Friday" read against ``ValueContext.date_reference`` instead of refused.
PARTIAL_DATE_CODECS: dict[str, Codec] = {k: date_codec(k, partial=True) for k in DATE_TYPES}
