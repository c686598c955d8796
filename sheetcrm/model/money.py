"""Currencies: which codes a workbook may be kept in (ISO 4217, and ``IRT`` for the Iranian
toman, the unit people in Iran actually price in; one toman is ten rials)."""

from __future__ import annotations

import functools

from sheetcrm.errors import ConfigError

#: The Iranian toman: not an ISO 4217 code, but what Iranian shops and freelancers use.
TOMAN = "IRT"


@functools.cache
def _iso_codes() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


def check_currency(code: str, where: str = "currency") -> str:
    """``code`` upper-cased if it is an ISO 4217 currency (or ``IRT``), else the refusal."""
    text = code.strip().upper()
    if text != TOMAN and text not in _iso_codes():
        raise ConfigError(
            f"{where}: {code!r} is not an ISO 4217 currency code (e.g. USD, GBP, EUR, INR, "
            f"BDT, IRR; {TOMAN} for toman)"
        )
    return text
