"""Exact amounts and percentages, and the other kinds of number a document prints.

All amounts are :class:`decimal.Decimal` in the document's unit (keuro). Rounding happens
in one place (:func:`round_half_up`), formatting only at the edge (:mod:`bbt.format`), where
the *kind* of a number decides its form: an amount (``580.966``; a count of things prints the
same way, ``5.022``), a :class:`Percent` (``93,9%``), a :class:`Year` (``2024``, never
``2.024``) or a date (``22 maart 2024``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, getcontext
from fractions import Fraction

ZERO = Decimal(0)
HUNDRED = Decimal(100)

MAX_DECIMALS = 3
"""Amounts are in keuro: three decimals are euro precision, more is a typing or float error."""

MAX_AMOUNT = Decimal(10) ** 18
"""Amounts are below 10^18 keuro in absolute value (the Flemish budget is about 10^8 keuro;
the bound leaves room for amounts in euro typed by mistake, which the checks then report).

With at most :data:`MAX_DECIMALS` decimals an amount has at most 21 digits, so sums of up to
ten million amounts stay exact within the 28 digits of the default :mod:`decimal` context, and
rounding (:func:`round_half_up`, :meth:`Percent.rounded`) widens the context as a result needs:
no operation of the calculation can overflow or raise.
"""

_PLAIN_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


class AmountError(ValueError):
    """A value that is not an exact amount; the message says why, ``code`` which finding it is."""

    def __init__(self, message: str, code: str = "BBT009") -> None:
        super().__init__(message)
        self.code = code


def parse_amount(text: str) -> Decimal:
    """Parse the source text of a YAML number or string as an exact amount.

    ``"580966"`` and ``"1.5"`` are accepted; exponents, ``.inf``/``.nan``, Dutch-formatted
    strings (``"580.966,5"``), digit separators (``5_000``), digits other than 0-9, more than
    :data:`MAX_DECIMALS` decimals and amounts of :data:`MAX_AMOUNT` or more are refused.
    """
    clean = text.strip()
    if not _PLAIN_NUMBER.match(clean):
        if re.match(r"^[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$", clean) or "," in clean:
            raise AmountError(
                f"{text!r} is written in Dutch number format; write it as a plain number, e.g. 580966"
            )
        if "_" in clean and _PLAIN_NUMBER.match(clean.replace("_", "")):
            raise AmountError(
                f"{text!r} is not an amount: '_' is not a digit separator; write {clean.replace('_', '')}"
            )
        raise AmountError(f"{text!r} is not an amount; write a plain number such as 580966 or 12.5")
    try:
        value = Decimal(clean)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        raise AmountError(f"{text!r} is not an amount") from None
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_DECIMALS:
        raise AmountError(
            f"{text!r} has {-exponent} decimals; amounts in keuro have at most {MAX_DECIMALS} "
            "(more usually means a floating-point value was pasted)"
        )
    if abs(value) >= MAX_AMOUNT:
        raise AmountError(
            f"{text[:40]!r}{'...' if len(text) > 40 else ''} is 10^18 keuro or more; amounts in "
            "keuro stay below that bound (is a unit or a digit too many?)",
            "BBT026",
        )
    return value


def wide_enough(value: Decimal, places: int) -> Context:
    """A decimal context precise enough to hold ``value`` with ``places`` decimals exactly."""
    digits = max(value.adjusted(), 0) + places + 2 if value.is_finite() else 0
    return Context(prec=max(getcontext().prec, digits), rounding=ROUND_HALF_UP)


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round half away from zero, as budget tables do (``Decimal.quantize`` with ROUND_HALF_UP).

    Never raises for a large value: the context is widened to hold the result.
    """
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=wide_enough(value, places))


def ratio_percent(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """``numerator / denominator`` in percent, exact to 28 digits; None when the base is zero."""
    if denominator == 0:
        return None
    return numerator * HUNDRED / denominator


@dataclass(frozen=True)
class Percent:
    """A percentage kept exact; ``value`` is None when the base is zero ("n.v.t.").

    Attributes:
        value: exact percentage (``93.8799...``), or None.
        numerator / denominator: what it was computed from, for messages and tooltips.
    """

    value: Decimal | None
    numerator: Decimal = ZERO
    denominator: Decimal = ZERO

    def rounded(self, places: int = 1) -> Decimal | None:
        """Half-up to ``places`` decimals of a percent (the document shows one).

        Rounded from the exact ratio of numerator and denominator (a fraction), not from
        ``value``, whose 28 digits could carry a ...4999 repeating past them over a half.
        """
        if self.value is None:
            return None
        if self.denominator == 0:
            return round_half_up(self.value, places)
        exact = Fraction(self.numerator) * 100 / Fraction(self.denominator)
        scaled = abs(exact) * 10**places
        whole = int(scaled + Fraction(1, 2))  # half away from zero
        sign = -1 if exact < 0 else 1
        return Decimal(sign * whole).scaleb(-places, context=wide_enough(Decimal(whole), 0))


class Year(int):
    """A year: printed as its four digits, never grouped like an amount (``2024``)."""
