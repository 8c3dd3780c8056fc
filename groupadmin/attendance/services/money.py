"""Money: amounts in a currency's minor units, as people type them and as pages and spreadsheets show
them, in the reader's language. Also the digits any phone keyboard types."""

from __future__ import annotations

import functools
import re
import unicodedata
from decimal import Decimal

from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)
from flask_babel import lazy_gettext as _l

# A sane ceiling for one collection (in the currency's major unit).
MAX_AMOUNT_MAJOR = 1_000_000

SPACES = re.compile(r"[\s\u00a0\u202f']+")
_AMOUNT = re.compile(r"^[0-9][0-9.,]*$|^[.,][0-9]+$")


def precision(currency: str) -> int:
    return get_currency_precision(currency)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-precision(currency))


@functools.lru_cache(maxsize=8192)
def format_money(minor: int | None, currency: str, locale: str, *, whole: bool = False) -> str:
    """ "$45.50" in the reader's language ("45,50 US$" in Spanish); `whole` drops the minor units."""
    if minor is None:
        return ""
    if whole:
        return format_currency(
            round(to_major(minor, currency)), currency, format="¤#,##0", locale=locale, currency_digits=False
        )
    return format_currency(to_major(minor, currency), currency, locale=locale)


def plain_amount(minor: int | None, currency: str) -> str:
    """ "45.50": an amount as a spreadsheet reads it (no symbol, no grouping, a dot)."""
    if minor is None:
        return ""
    return f"{to_major(minor, currency):.{precision(currency)}f}"


def amount_for_input(minor: int | None, currency: str, locale: str) -> str:
    """An amount as the form shows it again for editing, in the reader's decimal symbol."""
    if minor is None:
        return ""
    text = plain_amount(minor, currency)
    return text.replace(".", get_decimal_symbol(locale)) if "." in text else text


def ascii_digits(text: str) -> str:
    """Digits of any script (a phone's Arabic-Indic keyboard) as 0-9; other characters unchanged."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def parse_amount(text: str | None, *, currency: str, locale: str) -> int | None:
    """The minor units of what someone typed ("45", "45.50", "45,50", "$1,250.00", "1.250,00 €"), or
    None when nothing was typed. Raises ValueError with a translated message."""
    value = ascii_digits((text or "").strip())
    if not value:
        return None
    value = _without_symbols(value, currency, locale)
    if value.startswith("-"):
        raise ValueError(_l("An amount can't be negative."))
    if not _AMOUNT.match(value):
        raise _not_an_amount(currency, locale)
    whole, fraction = _split_decimal(value, currency, locale)
    digits = precision(currency)
    fraction = fraction.rstrip("0") if len(fraction) > digits else fraction
    if len(fraction) > digits:
        if digits == 0:
            raise ValueError(_l("This currency has no decimal places: enter a whole amount."))
        raise ValueError(_l("Use at most %(n)d decimal places.", n=digits))
    if not whole.isdigit():
        raise _not_an_amount(currency, locale)
    minor = int(whole) * 10**digits + int((fraction or "0").ljust(digits, "0") or "0")
    if minor > MAX_AMOUNT_MAJOR * 10**digits:
        raise ValueError(
            _l(
                "That is more than %(max)s: check the amount.",
                max=format_money(MAX_AMOUNT_MAJOR * 10**digits, currency, locale, whole=True),
            )
        )
    return minor


def _without_symbols(value: str, currency: str, locale: str) -> str:
    """What was typed, without currency symbols, codes and spaces."""
    for token in {get_currency_symbol(currency, locale=locale), currency, "$", "€", "£", "¥"}:
        value = value.replace(token, "")
    return SPACES.sub("", value)


def _decimal_mark(value: str, locale: str) -> str | None:
    """Which of "." and "," separates the minor units in `value`, if either does."""
    last_dot, last_comma = value.rfind("."), value.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        return "." if last_dot > last_comma else ","
    if last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        after = value.rsplit(mark, 1)[1]
        grouping = value.count(mark) > 1 or (len(after) == 3 and mark == get_group_symbol(locale))
        return None if grouping else mark
    return None


def _split_decimal(value: str, currency: str, locale: str) -> tuple[str, str]:
    """The whole part (its grouping marks checked and dropped) and the fraction, as typed."""
    decimal_mark = _decimal_mark(value, locale)
    if decimal_mark is None:
        whole, fraction = value, ""
    else:
        whole, fraction = value.rsplit(decimal_mark, 1)
    # What is left of the whole part may use the other mark to group thousands: 1,250 or 1.250.000.
    groups = re.split(r"[.,]", whole)
    if (
        not all(g.isdigit() for g in groups[1:])
        or any(len(g) != 3 for g in groups[1:])
        or (len(groups) > 1 and not 1 <= len(groups[0]) <= 3)
        or (fraction and not fraction.isdigit())
    ):
        raise _not_an_amount(currency, locale)
    return "".join(groups) or "0", fraction


def _not_an_amount(currency: str, locale: str) -> ValueError:
    return ValueError(_l("Enter an amount such as %(example)s.", example=_example(currency, locale)))


def _example(currency: str, locale: str) -> str:
    digits = precision(currency)
    pattern = "0." + "0" * digits if digits else "0"
    return format_decimal(Decimal(4550).scaleb(-digits), format=pattern, locale=locale)
