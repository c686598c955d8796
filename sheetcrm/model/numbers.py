"""Number, integer, money and percent codecs: numbers as people type them.

The reading rules (magnitude words, lakh and crore, ranges, estimates, currency markers)
are ``model.amounts``'; a codec adds what its type means: a number takes no currency, an
integer no fraction, and money is in the workbook's currency (``ValueContext.currency``):
an amount marked with another one is refused naming both, toman and rial convert, and
amounts round half up to the currency's smallest unit (``model.money``).
"""

from __future__ import annotations

import functools
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sheetcrm.errors import ApproximateValue, ValueParseError
from sheetcrm.model import money
from sheetcrm.model.amounts import GROUPED, PLAIN, NotANumber, Reading, read
from sheetcrm.model.values import (
    DEFAULT_CONTEXT,
    Codec,
    ValueContext,
    is_blank,
    normalize_token,
    to_ascii_digits,
)
from sheetcrm.model.vocab import LANGUAGES, builtin


class NumberCodec(Codec):
    name = "number"
    expected = "a number"
    #: What a range or an estimate is not, in the refusal a strict parse gives.
    one = "one number"

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> int | float | None:
        if isinstance(raw, str) and PLAIN.fullmatch(raw):
            fast = self._plain(raw, ctx)
            if fast is not None:
                return fast
        if is_blank(raw):
            return None
        if isinstance(raw, bool):
            raise self.fail(raw, self.expecting(ctx))
        if isinstance(raw, (int, float)):
            if isinstance(raw, float) and math.isinf(raw):
                raise self.fail(raw, self.expecting(ctx))
            try:
                return self._result(Decimal(str(raw)), ctx)
            except InvalidOperation:
                raise self.fail(raw, self.expecting(ctx)) from None
        text = str(raw)
        percent = text.strip().endswith(("%", "٪"))
        if percent:
            text = text.strip()[:-1]
        try:
            reading = self._reading(text, ctx)
            number = self._in_currency(reading, raw, ctx)
            if percent:
                number /= 100
            result = self._result(number, ctx)
        except (NotANumber, InvalidOperation):  # InvalidOperation: 1e30 has no cents
            raise self.fail(raw, self.expecting(ctx)) from None
        if reading.approximate:
            raise ApproximateValue(self._approximate(reading, result, ctx), raw, kept=result)
        return result

    def _plain(self, raw: str, ctx: ValueContext) -> int | float | None:
        """A plain ``123`` or ``-12.5`` read without the rules (most cells of a large
        import); None to take the long way."""
        return int(raw) if "." not in raw else self._result(Decimal(raw), ctx)

    def expecting(self, ctx: ValueContext) -> str:
        """What the refusal says was expected (money names the workbook's currency)."""
        return self.expected

    def _reading(self, text: str, ctx: ValueContext) -> Reading:
        return read(text, money_allowed=False)

    def _in_currency(self, reading: Reading, raw: Any, ctx: ValueContext) -> Decimal:
        return reading.value

    def _approximate(self, reading: Reading, kept: Any, ctx: ValueContext) -> str:
        shown = self._show(kept, ctx)
        if reading.approximate == "range":
            kept_text = f"an import keeps its lower bound, {shown}, and notes the text"
            return f"{self.one} (a range: {kept_text})"
        return f"{self.one} (an estimate: an import keeps {shown} and notes the text)"

    def _show(self, value: Any, ctx: ValueContext) -> str:
        return f"{value:,}"

    def _result(self, number: Decimal, ctx: ValueContext) -> int | float:
        return self._shape(number)

    def _shape(self, number: Decimal) -> int | float:
        whole = number == number.to_integral_value() and abs(number) < 2**53
        return int(number) if whole else float(number)


class IntegerCodec(NumberCodec):
    name = "integer"
    expected = "a whole number"

    def _shape(self, number: Decimal) -> int:
        if number != number.to_integral_value():
            raise ValueError(number)
        return int(number)

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> int | None:
        try:
            number = super().parse(raw, ctx)
        except ValueError:  # a fraction, rejected by _shape
            raise self.fail(raw) from None
        return None if number is None else int(number)


#: "4/5", "4 out of 5", "۴ از ۵", "৫-এর মধ্যে ৪" / "৫ এর মধ্যে ৪": a score and its scale.
_OUT_OF = (
    re.compile(r"(?P<n>[0-9.]+)\s*(?:/|out of|of|از)\s*(?P<d>[0-9]+)", re.IGNORECASE),
    re.compile(r"(?P<d>[0-9]+)\s*-?\s*(?:এর|এ)\s*মধ্যে\s*(?P<n>[0-9.]+)"),
)
#: Star ratings as people paste them: ★★★★☆, ⭐⭐⭐⭐, ✩ for an empty star.
_FULL_STARS, _EMPTY_STARS = "★⭐", "☆✩"
_STARS = re.compile(f"[{_FULL_STARS}{_EMPTY_STARS}\ufe0f\\s]+")


class ScoreCodec(NumberCodec):
    """A satisfaction score (``Interactions.satisfaction``): a number from 0 to 10, so a
    1–5 rating and a 0–10 "how likely are you to recommend us" both fit; which scale a
    workbook uses is ``[satisfaction] scale`` (``kpis.satisfaction``).

    Read as people and forms write scores: ``4``, ``۴``, ``৪``, ``4/5``, ``4 out of 5``,
    ``۴ از ۵``, ``৫-এর মধ্যে ৪``, ``★★★★☆``, and the answer words of a multiple-choice
    question ("Very satisfied" 5 … "Very dissatisfied" 1, «راضی», «অসন্তুষ্ট»: the
    vocabularies' ``[satisfaction]``, scores of 5). A score "out of" a scale is kept as the score
    (never rescaled: 4/5 is 4) and only when that scale is the workbook's. When the context
    knows the workbook's scale (``ValueContext.score_scale``), a score above it is refused
    naming the setting that would take it (a 9 in a 1–5 workbook: ``[satisfaction] scale
    = 10``)."""

    name = "score"
    expected = "a score from 0 to 10 (e.g. 4 on a 1–5 scale, 9 on 0–10)"
    one = "one score"
    low, high = 0, 10

    def parse(self, raw: Any, ctx: ValueContext = DEFAULT_CONTEXT) -> int | float | None:
        scale = _scale_of(ctx)
        if isinstance(raw, str) and not is_blank(raw):
            text = to_ascii_digits(raw).strip()
            stars = _stars(text) or _word(text)
            if stars is not None:
                return self._checked(raw, stars[0], stars[1], scale)
            for pattern in _OUT_OF:
                found = pattern.fullmatch(text)
                if found:
                    given = super().parse(found["n"], ctx)
                    return self._checked(raw, given, int(found["d"]), scale)
        return self._checked(raw, super().parse(raw, ctx), None, scale)

    def _checked(
        self, raw: Any, number: int | float | None, out_of: int | None, scale: int | None
    ) -> int | float | None:
        if number is None:
            return None
        if out_of is not None and (number > out_of or out_of not in (5, 10)):
            raise self.fail(raw, self.expected)
        if scale is not None and out_of is not None and out_of != scale:
            raise self.fail(raw, _on_scale(scale, f"it is out of {out_of}"))
        if not self.low <= number <= self.high:
            raise self.fail(raw, self.expected if scale is None else _on_scale(scale))
        if scale is not None and number > scale:
            raise self.fail(raw, _on_scale(scale))
        return number


def _scale_of(ctx: ValueContext) -> int | None:
    """The workbook's scale (5 or 10) when the context carries ``[satisfaction] scale``."""
    scale = getattr(ctx, "score_scale", None)
    return scale if scale in (5, 10) else None


def _on_scale(scale: int, why: str = "") -> str:
    """What a score must be in this workbook, and the setting for the other scale."""
    aside = f"; {why}" if why else ""
    if scale == 5:
        return (
            f"a score from 0 to 5, this workbook's scale{aside} "
            "(scores from 0 to 10 need [satisfaction] scale = 10 in sheetcrm.toml)"
        )
    return (
        f"a score from 0 to 10, this workbook's scale{aside} "
        "(1–5 ratings need [satisfaction] scale = 5 in sheetcrm.toml)"
    )


@functools.cache
def _score_words() -> dict[str, int]:
    """Folded answer words → their score of 5 (``[satisfaction]`` in the built-in
    vocabularies: "Very satisfied", «خیلی راضی», «খুব সন্তুষ্ট»…)."""
    words: dict[str, int] = {}
    for language in LANGUAGES:
        for score, spellings in builtin(language).get("satisfaction", ()):
            words.update(dict.fromkeys((normalize_token(w) for w in spellings), int(score)))
    return words


def _word(text: str) -> tuple[int, int] | None:
    """(score, 5) of an answer word, or None when ``text`` is none of them."""
    score = _score_words().get(normalize_token(text))
    return None if score is None else (score, 5)


def _stars(text: str) -> tuple[int, int] | None:
    """(filled stars, all stars) of a star rating, or None when ``text`` is no stars."""
    if (
        not text
        or not _STARS.fullmatch(text)
        or not any(c in _FULL_STARS + _EMPTY_STARS for c in text)
    ):
        return None
    full = sum(c in _FULL_STARS for c in text)
    empty = sum(c in _EMPTY_STARS for c in text)
    return full, 5 if full + empty <= 5 else full + empty


_EXAMPLES = {
    "IRR": "1,250,000 or ۸ میلیون",
    "IRT": "1,250,000 or ۸ میلیون تومان",
    "INR": "1,23,456.50 or 2.5 lakh",
    "BDT": "১,২৫০ or ১.২৫ লাখ",
}


class MoneyCodec(NumberCodec):
    name = "money"
    expected = "an amount of money (e.g. 1,250.50)"
    one = "one amount"

    def expecting(self, ctx: ValueContext) -> str:
        example = _EXAMPLES.get(ctx.currency, "1,250.50 or 12k")
        return f"an amount of money in {ctx.currency} (e.g. {example})"

    def _plain(self, raw: str, ctx: ValueContext) -> int | float | None:
        point = raw.find(".")
        if point < 0 or len(raw) - point - 1 <= money.decimals(ctx.currency):
            return float(raw)  # nothing to round
        if GROUPED.fullmatch(raw) and money.decimals(ctx.currency) == 0:
            return None  # 250.000 toman
        return self._result(Decimal(raw), ctx)

    def _reading(self, text: str, ctx: ValueContext) -> Reading:
        return read(text, money_allowed=True, whole=money.decimals(ctx.currency) == 0)

    def _in_currency(self, reading: Reading, raw: Any, ctx: ValueContext) -> Decimal:
        shown: set[Decimal] = set()
        for marker in reading.markers:
            converted = money.in_workbook_currency(reading.value, marker, ctx.currency)
            if converted is None:
                raise self._foreign(raw, marker, ctx.currency)
            shown.add(converted)
        if len(shown) > 1:
            raise NotANumber(str(raw))  # "۵ تومان ریال": which?
        return shown.pop() if shown else reading.value

    def _foreign(self, raw: Any, marker: str, workbook: str) -> ValueParseError:
        what, unit = money.describe(marker)
        first = money.marker_codes(marker)[0]
        return self.fail(
            raw,
            f"an amount in {workbook} (it is in {what}; convert it, or keep {unit} amounts "
            "in a column of their own; a workbook kept in "
            f'{first} says [locale] currency = "{first}")',
        )

    def _show(self, value: Any, ctx: ValueContext) -> str:
        return money.format_money(value, ctx.currency)  # ₹3,00,000.00, 3,000,000 rial

    def _result(self, number: Decimal, ctx: ValueContext) -> float:
        return float(money.quantize(number, ctx.currency))

    #: The currency ``format`` writes decimals for (``for_currency``); None: two, as before
    #: cells carried a currency.
    currency: str | None = None

    @classmethod
    def for_currency(cls, code: str) -> MoneyCodec:
        """A money codec whose ``format`` writes ``code``'s decimals: ``1,250,000`` for
        rials and tomans, ``1,250.50`` for pounds (text that parses back the same)."""
        codec = cls()
        codec.currency = code
        return codec

    def format(self, value: Any) -> str:
        if is_blank(value):
            return ""
        places = 2 if self.currency is None else money.decimals(self.currency)
        return f"{float(value):,.{places}f}"


class PercentCodec(NumberCodec):
    name = "percent"
    expected = "a percentage (e.g. 12.5%)"

    def _shape(self, number: Decimal) -> float:
        return float(number)

    def format(self, value: Any) -> str:
        return "" if is_blank(value) else f"{float(value):.1%}"
