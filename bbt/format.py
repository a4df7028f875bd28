"""Dutch formats for the document's readers, built on Babel (locale nl_BE).

The only place where numbers become text: amounts in keuro with Dutch grouping (``580.966``,
``-2.188``), percentages with one decimal and a comma (``93,9%``), dates in words
(``22 maart 2024``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext

from babel.dates import format_date
from babel.numbers import format_decimal

from bbt.money import ZERO, Percent, round_half_up, wide_enough

LOCALE = "nl_BE"
NOT_APPLICABLE = "n.v.t."

_SHOWN_DECIMALS = 3
"""The most decimals an amount or number is printed with (``#,##0.###``)."""


def _unsigned_zero(value: Decimal, places: int) -> Decimal:
    """``value``, or 0 when it prints as zero with ``places`` decimals: never ``-0``.

    Babel keeps the sign of ``Decimal("-0")`` and of ``-0.0001`` shown without decimals.
    """
    if value.is_finite() and abs(value) <= Decimal(5).scaleb(-(places + 1)):
        return ZERO
    return value


def _babel(value: Decimal, pattern: str, places: int) -> str:
    """Babel's Dutch form of ``value``, in a decimal context wide enough for any amount."""
    with localcontext(wide_enough(value, places)):
        return format_decimal(value, pattern, locale=LOCALE)


def bedrag(value: Decimal | int) -> str:
    """An amount in keuro: ``580.966``, ``-2.188``, ``1.207,64`` (decimals only when present)."""
    shown = _unsigned_zero(Decimal(value), _SHOWN_DECIMALS)
    return _babel(shown, "#,##0.###", _SHOWN_DECIMALS)


def procent(value: Percent | Decimal | None, places: int = 1) -> str:
    """A percentage rounded half-up: ``93,9%``; ``n.v.t.`` when there is no base."""
    exact = value.value if isinstance(value, Percent) else value
    if exact is None:
        return NOT_APPLICABLE
    pattern = "#,##0" + ("." + "0" * places if places else "")
    rounded = _unsigned_zero(round_half_up(exact, places), places)
    return _babel(rounded, pattern, places) + "%"


def getal(value: Decimal | int, places: int | None = None) -> str:
    """A plain number (counts, VTE): ``1.680,33``; ``places`` fixes the decimals."""
    if places is None:
        return bedrag(value)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    rounded = _unsigned_zero(round_half_up(Decimal(value), places), places)
    return _babel(rounded, pattern, places)


def datum(value: dt.date) -> str:
    """A date in words: ``22 maart 2024``."""
    return format_date(value, "d MMMM y", locale=LOCALE)


def datum_kort(value: dt.date) -> str:
    """A date in digits as the Staatsblad references print it: ``05 april 2024`` -> ``5/4/2024``."""
    return f"{value.day}/{value.month}/{value.year}"


def opsomming(items: list[str] | tuple[str, ...]) -> str:
    """Names as a Dutch enumeration: ``A, B en C``."""
    names = [str(i) for i in items]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " en " + names[-1]


FILTERS = {
    "bedrag": bedrag,
    "procent": procent,
    "getal": getal,
    "datum": datum,
    "datum_kort": datum_kort,
    "opsomming": opsomming,
}
