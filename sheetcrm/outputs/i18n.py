"""What outputs say in the user's language: the gettext catalogs (``.po`` files in
``sheetcrm/templates/locale/<lang>/LC_MESSAGES/sheetcrm.po``, read with Babel when first
needed and kept), the text direction and fonts of a language, and how numbers, money,
percentages, dates and months are written there (``LocalFormat``).

The catalogs are made with Babel's tools from the templates and the Python sources
(``babel.cfg``); a test keeps them in step with the sources, so an English string cannot
ship untranslated. Money is ``model.money``'s (the workbook's currency, Babel's patterns,
lakh grouping, rials and tomans whole: ``۱۵٬۰۰۰٬۰۰۰ تومان``); dates, month names and
native digits are ``model.calendars``' (Gregorian or Jalali).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from sheetcrm.analytics import periods
from sheetcrm.model import calendars, money

if TYPE_CHECKING:
    import gettext as gettext_module

    from babel import Locale

    from sheetcrm.config import Config

DOMAIN = "sheetcrm"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "templates" / "locale"

#: Font families that cover a language's script, first in a page's font list. The
#: browser or WeasyPrint falls back along the list, so a missing one costs nothing.
SCRIPT_FONTS = {
    "fa": ("Noto Sans Arabic", "Noto Naskh Arabic", "Vazirmatn", "Tahoma"),
    "ar": ("Noto Sans Arabic", "Noto Naskh Arabic", "Tahoma"),
    "bn": ("Noto Sans Bengali", "Noto Serif Bengali", "Vrinda"),
}
BASE_FONTS = ("DejaVu Sans", "Noto Sans", "Noto Sans Arabic", "Noto Sans Bengali", "Arial")

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def lang_of(language: str) -> str:
    """The language part of a locale name: ``fa`` for ``fa_IR``, ``bn`` for ``bn-BD``."""
    return language.replace("-", "_").split("_")[0].lower() or "en"


def translations(language: str) -> gettext_module.NullTranslations:
    """The catalog of ``language`` (``fa``, ``fa_IR``, ``bn_BD``, ``en``) read from its
    ``.po`` file once; a language with no catalog says everything in English."""
    return _catalog(lang_of(language))


@functools.cache
def _catalog(lang: str) -> gettext_module.NullTranslations:
    import gettext

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries left out: they are not translations yet
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str, language: str = "en") -> str:
    """``message`` in ``language`` (English when it has no translation)."""
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int, language: str = "en") -> str:
    """The form of a message for ``n`` in ``language``, by that language's plural rule."""
    return translations(language).ngettext(singular, plural, n)


@functools.cache
def _locale(language: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    from sheetcrm.errors import ConfigError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ConfigError(f"[locale] language {language!r} is not a locale Babel knows") from None


def direction(language: str) -> str:
    """``rtl`` for a language written right to left (Persian, Arabic), else ``ltr``."""
    return "rtl" if _locale(language).character_order == "right-to-left" else "ltr"


def font_stack(language: str) -> Markup:
    """A CSS ``font-family`` list with the fonts of the language's script first; in single
    quotes, so it fits a ``<style>`` block and a ``style="…"`` attribute alike."""
    first = SCRIPT_FONTS.get(lang_of(language), ())
    names = list(dict.fromkeys((*first, *BASE_FONTS)))
    return Markup(", ".join(f"'{n}'" for n in names) + ", sans-serif")  # names of ours


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def local_format(config: Config) -> LocalFormat:
    """How the workbook ``config`` describes writes its figures (``[locale]``)."""
    return LocalFormat(config.language, config.values.currency, config.calendar, config.digits)


@dataclass(frozen=True)
class LocalFormat:
    """How a workbook's outputs write figures: its language, currency, calendar and
    digits (``latin``, or ``native``: ۱۲۳ in Persian, ১২৩ in Bengali)."""

    language: str = "en"
    currency: str = "USD"
    calendar: str = calendars.GREGORIAN
    digits: str = "latin"

    @property
    def lang(self) -> str:
        return lang_of(self.language)

    @property
    def locale(self) -> Locale:
        return _locale(self.language)

    def native(self, text: str) -> str:
        """``text`` with ASCII digits in the locale's own digits, when digits are native."""
        return calendars.native_digits(text, self.lang, self.digits)

    def numerals(self, text: str) -> str:
        """A number Babel wrote with Latin digits, in the locale's own numbering system
        when digits are native: its digits and its separators (``۱۵٬۰۰۰٫۵`` in Persian)."""
        text = text.replace("\u200e", "")  # CLDR's marks around signs: the page sets the direction
        if self.digits != "native":
            return text
        symbols = self.locale.number_symbols
        latin, own = symbols["latn"], symbols[self.locale.default_numbering_system]
        swap = {}
        for kind in ("group", "decimal", "percentSign"):
            with contextlib.suppress(KeyError):  # a system with CLDR's symbols inherited
                swap[latin[kind]] = own[kind].replace("\u200e", "")
        text = "".join(swap.get(c, c) for c in text)
        return self.native(text)

    def number(self, value: Any, decimals: int = 0) -> str:
        from babel.numbers import format_decimal

        if _blank(value):
            return "–"
        pattern = None
        if decimals:  # the locale's own pattern (lakh grouping in bn) with fixed decimals
            pattern = self.locale.decimal_formats[None].pattern.split(".")[0]
            pattern = pattern.split(";")[0] + "." + "0" * decimals
        return self.numerals(format_decimal(float(value), format=pattern, locale=self.locale))

    def money(self, value: Any, currency: str | None = None) -> str:
        """An amount in ``currency`` (the workbook's by default) as its readers write it
        (``model.money``: toman and rial whole, lakh grouping, the sign or word)."""
        if _blank(value):
            return "–"
        code = (currency or self.currency).upper()
        return self.numerals(money.format_money(float(value), code, self.language))

    def percent(self, value: Any) -> str:
        from babel.numbers import format_percent

        if _blank(value):
            return "–"
        return self.numerals(format_percent(float(value), "#,##0.0%", locale=self.locale))

    def change(self, value: Any) -> str:
        """A change against the previous period: ▲ 12%, ▼ 5%, ■ 0%."""
        from babel.numbers import format_percent

        if _blank(value):
            return ""
        arrow = "▲" if value > 0 else "▼" if value < 0 else "■"
        shown = format_percent(abs(float(value)), "#,##0%", locale=self.locale)
        return f"{arrow} {self.numerals(shown)}"

    def date(self, value: Any) -> str:
        """A day in the workbook's calendar (``model.calendars``), also one given as an ISO
        ``YYYY-MM-DD`` text; other text passes as it is."""
        if isinstance(value, str) and _ISO_DAY.match(value):
            with contextlib.suppress(ValueError):
                value = dt.date.fromisoformat(value)
        if isinstance(value, (dt.date, dt.datetime)):
            shown = calendars.format_date(value, self.calendar, self.lang, self.digits)
            return self.isolated(shown)
        return "" if _blank(value) else str(value)

    def isolated(self, text: str) -> str:
        """``text`` (a numeric date) kept left to right inside right-to-left prose: the
        bidi algorithm would otherwise show ``۱۴۰۵-۰۸-۰۱`` after an Arabic letter as
        ``۰۱-۰۸-۱۴۰۵`` (its digits count as Arabic numbers, the hyphens as neutral)."""
        if direction(self.language) != "rtl" or not text:
            return text
        return f"\u2066{text}\u2069"  # LEFT-TO-RIGHT ISOLATE … POP DIRECTIONAL ISOLATE

    def month(self, key: str, calendar: str | None = None) -> str:
        """A ``YYYY-MM`` month key (in ``calendar``, the workbook's by default) named."""
        return calendars.month_label(key, calendar or self.calendar, self.lang, self.digits)

    def period(self, period: periods.Period) -> str:
        """A period in words with its exact first and last day, in the reader's language
        and the workbook's calendar (``analytics.periods``): "the last 30 days, 2025-09-16
        to 2025-10-15", "this month (Mehr 1404), 1404-07-01 to 1404-07-23", "last month
        (…), …", "Mehr 1404, …", else just the days."""
        start, last = self.date(period.start), self.date(period.last)
        lang = self.language
        dates = start if start == last else self._dates(start, last)
        if period.kind == periods.DAYS:
            words = gettext("the last %(num)s days, %(dates)s", lang)
            return words % {"num": self.number(period.days), "dates": dates}
        month = self._month_of(period, whole=period.kind in ("", periods.LAST_MONTH))
        if period.kind == periods.THIS_MONTH:
            words = gettext("this month (%(month)s), %(dates)s", lang)
        elif period.kind == periods.LAST_MONTH:
            words = gettext("last month (%(month)s), %(dates)s", lang)
        elif period.kind == periods.MONTH or month is not None:
            words = gettext("%(month)s, %(dates)s", lang)
        else:
            return dates
        return words % {"month": month or "", "dates": dates}

    def _dates(self, start: str, last: str) -> str:
        return gettext("%(start)s to %(end)s", self.language) % {"start": start, "end": last}

    def _month_of(self, period: periods.Period, *, whole: bool) -> str | None:
        """The name of the calendar month ``period`` starts on the 1st of (the workbook's
        calendar first), when it runs to that month's end (``whole``) or no further;
        else None."""
        for calendar in dict.fromkeys((self.calendar, calendars.GREGORIAN, calendars.JALALI)):
            key = calendars.month_key(period.start, calendar)
            start, end = calendars.month_start(key, calendar), calendars.month_end(key, calendar)
            if period.start == start and (period.end == end or (not whole and period.end < end)):
                return self.month(key, calendar)
        return None
