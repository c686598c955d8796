"""The locale a workbook is kept in: which languages, calendars, digits and label languages
``[locale]`` may name, each checked with a one-line error, and what one setting implies
for another when it is left out (``fa`` → region IR → currency IRR, calendar Jalali)."""

from __future__ import annotations

from typing import Any

from sheetcrm.errors import ConfigError
from sheetcrm.model.calendars import GREGORIAN, JALALI
from sheetcrm.model.vocab import LANGUAGES

DIGITS = ("latin", "native")


def choice(value: Any, allowed: tuple[str, ...], where: str) -> str:
    """``value`` lower-cased if it is one of ``allowed``, else the refusal naming them."""
    text = str(value).strip().lower()
    if text not in allowed:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(allowed)}")
    return text


def check_language(value: Any, where: str) -> str:
    """``[locale] language``: a locale Babel knows (``fa``, ``fa_IR``, ``bn_BD``, ``en_GB``),
    checked when the file is read so a typo does not surface at the first report."""
    from babel import Locale, UnknownLocaleError

    text = str(value).strip().replace("-", "_")
    try:
        Locale.parse(text)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ConfigError(
            f"{where} [locale] language: {value!r} is not a locale (e.g. en, fa_IR, bn_BD)"
        ) from None
    return text


def check_labels(value: Any, where: str) -> str | None:
    """``[locale] labels``: which language the sheet shows choice values in; ``canonical``
    (the default) shows the values formulas and metrics use."""
    if value is None or str(value).strip().lower() == "canonical":
        return None
    return choice(value, LANGUAGES, f"{where} [locale] labels (or canonical)")


def default_calendar(language: Any) -> str:
    """Jalali for Persian, the calendar Iranians date things in; Gregorian otherwise."""
    return JALALI if str(language).strip().lower().startswith("fa") else GREGORIAN


def language_region(language: Any) -> str:
    """The country a language setting implies when ``region`` is not given: its own
    (``fa_IR`` → IR, ``en_IN`` → IN), else the language's likeliest (``fa`` → IR,
    ``bn`` → BD, ``en`` → US), so a Persian workbook reads ۰۹۱۲… phones without more."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    try:
        locale = Locale.parse(str(language).strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return "US"  # the language itself is refused, with its own message
    likely = str(get_global("likely_subtags").get(locale.language, "")).split("_")
    return locale.territory or (likely[-1] if len(likely) > 1 else "US")


def territory_currency(region: str) -> str:
    """The currency a country pays in (CLDR, via Babel): the default when ``[locale]``
    names a region but no currency, so an Indian shop is in INR without saying so."""
    from babel.numbers import get_territory_currencies

    found = get_territory_currencies(region, tender=True)
    return "IRR" if region == "IR" else (found[0] if found else "USD")
