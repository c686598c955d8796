"""Cell values as Google Sheets stores, parses and renders them.

A stored cell is one of: None (empty), ``str``, ``float``/``int``, ``bool``, or a
``Formula`` (kept as text, never evaluated; its ``cached`` value is what a reader sees).
Number formats travel separately. Parsing follows the documented ``RAW`` and
``USER_ENTERED`` rules for the en_US locale; rendering follows ``FORMATTED_VALUE``,
``UNFORMATTED_VALUE`` and ``FORMULA`` with serial dates counted from 1899-12-30.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from .patterns import format_number

EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Formula:
    """A formula as typed; ``cached`` stands in for the value Sheets would compute."""

    text: str
    cached: Any = None


@dataclass(frozen=True)
class NumberFormat:
    type: str  # NUMBER, PERCENT, CURRENCY, DATE, TIME, DATE_TIME, SCIENTIFIC, TEXT
    pattern: str = ""

    def as_json(self) -> dict[str, str]:
        out = {"type": self.type}
        if self.pattern:
            out["pattern"] = self.pattern
        return out


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def serial(moment: dt.datetime) -> float:
    delta = moment - EPOCH
    value = delta.days + delta.seconds / 86400
    return int(value) if value == int(value) else value


def from_serial(value: float) -> dt.datetime:
    return EPOCH + dt.timedelta(days=value)


def parse_user_entered(value: Any) -> tuple[Any, NumberFormat | None]:
    """What typing ``value`` into a cell stores, and the number format it implies."""
    if not isinstance(value, str):
        return value, None
    text = value
    if text.startswith("'"):
        return text[1:], None
    if text.startswith("=") and len(text) > 1:
        return Formula(text, constant_value(text)), None
    stripped = text.strip()
    if not stripped:
        return text if text else None, None
    upper = stripped.upper()
    if upper in ("TRUE", "FALSE"):
        return upper == "TRUE", None
    number = _number(stripped)
    if number is not None:
        return number
    moment = _date(stripped)
    if moment is not None:
        return moment
    return text, None


_ARITH = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.UAdd,
)


def constant_value(formula: str) -> float | None:
    """The value of a formula made only of numbers and + - * / ^ ( ), else None.

    Sheets formulas are not evaluated in general; constant arithmetic is, so that
    ``=1+1`` reads back as 2 the way it does from Google. Parsed with ``ast`` and a
    whitelist of node types: nothing is ever passed to ``eval``.
    """
    text = formula[1:].strip().replace("^", "**")
    if not text or len(text) > 200:
        return None
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    if not all(isinstance(node, _ARITH) for node in ast.walk(tree)):
        return None
    if any(
        isinstance(n, ast.Constant) and not isinstance(n.value, (int, float))
        for n in ast.walk(tree)
    ):
        return None
    try:
        value = _arith(tree.body)
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


def _arith(node: ast.AST) -> float:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # the caller admits only numeric constants
        return node.value
    if isinstance(node, ast.UnaryOp):
        v = _arith(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    assert isinstance(node, ast.BinOp)
    a, b = _arith(node.left), _arith(node.right)
    if isinstance(node.op, ast.Pow) and abs(b) > 64:
        raise OverflowError
    if isinstance(node.op, ast.Add):
        return a + b
    if isinstance(node.op, ast.Sub):
        return a - b
    if isinstance(node.op, ast.Mult):
        return a * b
    if isinstance(node.op, ast.Div):
        return a / b
    return float(a**b)


def _number(text: str) -> tuple[Any, NumberFormat | None] | None:
    fmt = None
    body = text
    if body.endswith("%"):
        body, fmt = body[:-1].strip(), NumberFormat("PERCENT", "0.00%")
    elif body.startswith(("$", "-$")):
        negative = body.startswith("-")
        body = ("-" if negative else "") + body.lstrip("-")[1:]
        fmt = NumberFormat("CURRENCY", '"$"#,##0.00')
    if not body or not _NUMBER.match(body) or body in ("+", "-", "."):
        return None
    number = float(body.replace(",", ""))
    if fmt and fmt.type == "PERCENT":
        number /= 100
    if "," in body and fmt is None:
        fmt = NumberFormat("NUMBER", "#,##0" + (".00" if "." in body else ""))
    if number == int(number) and "e" not in body.lower() and abs(number) < 2**53:
        return int(number), fmt
    return number, fmt


def _date(text: str) -> tuple[Any, NumberFormat] | None:
    try:
        m = _ISO_DATE.match(text)
        if m:
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
            if m[4]:
                moment = dt.datetime(y, mo, d, int(m[4]), int(m[5]), int(m[6] or 0))
                return serial(moment), NumberFormat("DATE_TIME", "yyyy-mm-dd hh:mm:ss")
            return serial(dt.datetime(y, mo, d)), NumberFormat("DATE", "yyyy-mm-dd")
        m = _SLASH_DATE.match(text)
        if m:  # en_US: month first
            moment = dt.datetime(int(m[3]), int(m[1]), int(m[2]))
            if m[4]:
                moment = moment.replace(hour=int(m[4]), minute=int(m[5]), second=int(m[6] or 0))
                return serial(moment), NumberFormat("DATE_TIME", "M/d/yyyy H:mm:ss")
            return serial(moment), NumberFormat("DATE", "M/d/yyyy")
        m = _YMD_SLASH.match(text)
        if m:
            return serial(dt.datetime(int(m[1]), int(m[2]), int(m[3]))), NumberFormat(
                "DATE", "yyyy/M/d"
            )
        m = _TIME.match(text)
        if m:
            seconds = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3] or 0)
            if int(m[1]) < 24:
                return seconds / 86400, NumberFormat("TIME", "h:mm:ss am/pm")
    except ValueError:
        return None
    return None


def to_extended(value: Any) -> dict[str, Any]:
    """The ExtendedValue JSON of a stored value."""
    if isinstance(value, Formula):
        return {"formulaValue": value.text}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if value is None:
        return {}
    return {"stringValue": str(value)}


def from_extended(ev: dict[str, Any]) -> Any:
    """A stored value from ExtendedValue JSON (an empty object clears the cell)."""
    if "formulaValue" in ev:
        return Formula(ev["formulaValue"])
    if "boolValue" in ev:
        return bool(ev["boolValue"])
    if "numberValue" in ev:
        n = ev["numberValue"]
        return int(n) if isinstance(n, float) and n.is_integer() and abs(n) < 2**53 else n
    if "stringValue" in ev:
        return ev["stringValue"]
    if "errorValue" in ev:
        return "#ERROR!"
    return None


def effective(value: Any) -> Any:
    return value.cached if isinstance(value, Formula) else value


def render(
    value: Any, fmt: NumberFormat | None, option: str, date_option: str = "SERIAL_NUMBER"
) -> Any:
    """A stored value as the values API returns it for a value render option."""
    if option == "FORMULA" and isinstance(value, Formula):
        return value.text
    value = effective(value)
    if value is None:
        return ""
    if option == "FORMATTED_VALUE":
        return format_value(value, fmt)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        dated = fmt is not None and fmt.type in ("DATE", "TIME", "DATE_TIME")
        if date_option == "FORMATTED_STRING" and dated:
            return format_value(value, fmt)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def format_value(value: Any, fmt: NumberFormat | None) -> str:
    """FORMATTED_VALUE rendering for the number formats sheetcrm and gspread use."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    if fmt is None or fmt.type == "TEXT" or not fmt.pattern:
        return _general(value)
    pattern = fmt.pattern
    unquoted = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", pattern)
    if fmt.type in ("DATE", "TIME", "DATE_TIME") or re.search(r"[yd]", unquoted):
        return _date_pattern(from_serial(value), pattern)
    return format_number(value, pattern)


def _general(value: float) -> str:
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if whole and abs(value) < 1e15:
        return str(int(value))
    if math.isinf(value) or math.isnan(value):
        return "#NUM!"
    text = f"{value:.10g}"
    return text.upper() if "e" in text else text


_TOKENS = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("mmmm", "%B"),
    ("mmm", "%b"),
    ("dddd", "%A"),
    ("ddd", "%a"),
    ("hh", "%H"),
    ("ss", "%S"),
]


def _date_pattern(moment: dt.datetime, pattern: str) -> str:
    out, i, seen_hour = "", 0, False
    p = pattern.replace("\\", "").replace(" am/pm", "").replace("AM/PM", "")
    while i < len(p):
        rest = p[i:]
        low = rest.lower()
        for token, code in _TOKENS:
            if low.startswith(token):
                out += moment.strftime(code)
                seen_hour |= token == "hh"
                i += len(token)
                break
        else:
            ch = rest[0]
            if low.startswith("mm"):
                out += f"{moment.minute:02d}" if seen_hour else f"{moment.month:02d}"
                i += 2
            elif ch in "Mm":
                out += str(moment.minute if seen_hour and ch == "m" else moment.month)
                i += 1
            elif low.startswith("dd"):
                out += f"{moment.day:02d}"
                i += 2
            elif ch in "dD":
                out += str(moment.day)
                i += 1
            elif ch in "hH":
                out += str(moment.hour)
                seen_hour = True
                i += 1
            elif ch == "s":
                out += str(moment.second)
                i += 1
            else:
                out += ch
                i += 1
    return out
