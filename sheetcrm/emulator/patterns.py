"""FORMATTED_VALUE of a number under a Sheets number format pattern (en_US locale).

Follows Google's documented number format tokens: ``0`` ``#`` ``?`` digit placeholders,
``.`` the decimal point, ``,`` between digit placeholders for thousands grouping, ``%``,
``"text"`` and ``\\x`` literals, ``_x`` (a space) and ``*x`` (ignored), up to four
``;``-separated sections (positive; negative; zero; text) or sections with conditions
such as ``[<100000]``; colours (``[Red]``) are ignored. Choices the documentation leaves
open: a section chosen by its condition shows a negative value with its minus sign (so
does the condition-less section that follows conditioned ones), and a literal between two
digit placeholders is shown only when a digit stands to its left (the lakh format
``##\\,##\\,##0`` never shows a stray comma). Dates are ``cells._date_pattern``'s.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?)\]")
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "<>": operator.ne,
}


@dataclass(frozen=True)
class Section:
    """One ``;``-separated part of a pattern: its condition (if any) and its tokens."""

    condition: tuple[str, float] | None
    tokens: tuple[tuple[str, str], ...]  # (kind, text): lit, digit, dot, comma, pct

    def holds(self, value: float) -> bool:
        return self.condition is not None and _OPS[self.condition[0]](value, self.condition[1])


def split_sections(pattern: str) -> list[str]:
    """The pattern's sections, split at ``;`` outside quotes, brackets and escapes."""
    out, part, i, quoted = [], "", 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and not quoted and i + 1 < len(pattern):
            part += pattern[i : i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            out.append(part)
            part = ""
            i += 1
            continue
        part += ch
        i += 1
    return [*out, part]


def parse_section(text: str) -> Section:
    condition = None
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "[":
            end = text.find("]", i)
            end = len(text) - 1 if end < 0 else end
            m = _CONDITION.fullmatch(text[i : end + 1])
            if m:
                condition = (m[1], float(m[2]))
            i = end + 1  # a colour or a locale tag: not shown
        elif ch == '"':
            end = text.find('"', i + 1)
            end = len(text) if end < 0 else end
            tokens.append(("lit", text[i + 1 : end]))
            i = end + 1
        elif ch == "\\" and i + 1 < len(text):
            tokens.append(("lit", text[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < len(text):
            tokens.append(("lit", " "))
            i += 2
        elif ch == "*" and i + 1 < len(text):
            i += 2
        else:
            kind = {"0": "digit", "#": "digit", "?": "digit", ".": "dot", ",": "comma"}
            tokens.append((kind.get(ch, "pct" if ch == "%" else "lit"), ch))
            i += 1
    return Section(condition, tuple(tokens))


def choose(sections: list[Section], value: float) -> tuple[Section, bool]:
    """The section a value is shown with, and whether its minus sign is shown."""
    if any(s.condition for s in sections):
        for s in sections:
            if s.holds(value):
                return s, True
        rest = [s for s in sections if s.condition is None]
        return (rest[0] if rest else sections[-1]), True
    if len(sections) == 1 or value > 0 or (value == 0 and len(sections) == 2):
        return sections[0], len(sections) == 1
    if value < 0:
        return sections[1], False
    return sections[2], False


def format_number(value: float, pattern: str) -> str:
    """``value`` shown under the number format ``pattern``."""
    sections = [parse_section(s) for s in split_sections(pattern)[:4]]
    numeric = sections[:3] if len(sections) == 4 else sections
    section, signed = choose(numeric, value)
    body = _render(abs(value), section.tokens)
    return "-" + body if signed and value < 0 and re.search(r"[1-9]", body) else body


def _render(value: float, tokens: tuple[tuple[str, str], ...]) -> str:
    digit_at = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    if not digit_at:
        return "".join(t for kind, t in tokens if kind in ("lit", "pct"))
    if any(kind == "pct" for kind, _ in tokens):
        value *= 100
    dot = next((i for i, (kind, _) in enumerate(tokens) if kind == "dot"), None)
    first, last = digit_at[0], digit_at[-1]
    int_end = dot if dot is not None else last + 1
    places = [tokens[i][1] for i in digit_at if dot is not None and i > dot]
    inner = tokens[first:int_end]
    grouped = any(kind == "comma" for kind, _ in inner[1:-1])
    step = Decimal(1).scaleb(-len(places))
    rounded = Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    while places and places[-1] == "#" and frac.endswith("0"):
        places, frac = places[:-1], frac[:-1]
    integer = _integer(whole, [t for t in inner if t[0] != "comma"], grouped)
    prefix = "".join(t for kind, t in tokens[:first] if kind in ("lit", "pct"))
    suffix = "".join(t for kind, t in tokens[last + 1 :] if kind in ("lit", "pct"))
    point = "." if dot is not None and (frac or dot < last) else ""
    return prefix + integer + point + frac + suffix


def _integer(whole: str, items: list[tuple[str, str]], grouped: bool) -> str:
    """The integer digits laid into the placeholders from the right; extra digits go
    into the leftmost one; a literal shows only with a digit to its left."""
    digits = whole.lstrip("0")
    holders = [t for kind, t in items if kind == "digit"]
    padded = sum(1 for h in holders if h == "0")
    digits = digits.rjust(padded, "0") if len(digits) < padded else digits
    out: list[str] = []
    pending: list[str] = []
    left = len(digits)
    for kind, text in reversed(items):
        if kind != "digit":
            pending.append(text)
            continue
        if left > 0:
            out.extend(reversed(pending))
            pending = []
            out.append(digits[left - 1])
            left -= 1
    body = digits[:left] + "".join(reversed(out))
    if grouped:
        body = f"{int(body):,}" if body else ""
    return body
