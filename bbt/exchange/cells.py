"""What a spreadsheet cell holds, read exactly: amounts, number formats, formula-like text.

* An amount is an exact :class:`~decimal.Decimal` in keuro. A typed number (an XLSX numeric
  cell, a JSON number) is a value, not text to parse; text is parsed in the number format of
  its whole column, never cell by cell (a value must not change a thousandfold because a
  neighbour looks different).
* Text that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a
  tab or a carriage return) is refused on import and escaped on export the OWASP way: a single
  quote in front. :func:`escape_text` and :func:`unescape_text` are exact inverses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from bbt.money import MAX_DECIMALS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection)."""

EXCEL_DIGITS = 15
"""Significant digits Excel keeps of a number; an XLSX numeric cell is read at this precision."""


@dataclass(frozen=True)
class Odd:
    """A cell that is neither text nor a number: a formula, a date, a boolean or an error.

    Attributes:
        what: ``formula``, ``date``, ``boolean`` or ``error``.
        text: the cell as the file holds it (``=SUM(B2:B3)``, ``2024-01-01``, ``#DIV/0!``).
    """

    what: str
    text: str


Value = str | Decimal | Odd
"""A non-empty cell: text (stripped), an exact typed number, or something else."""


# -- formula-like text --------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """True for text a spreadsheet would evaluate: ``=1+1``, ``@SUM(A1)``, ``-2+3``, ``\\t=x``."""
    return text.lstrip(" ")[:1] in FORMULA_START


def escape_text(text: str) -> str:
    """Text for a CSV or XLSX cell: a leading quote when it starts like a formula.

    Text that already starts with a quote followed by such a character (or by a quote) gets one
    more, so :func:`unescape_text` gives back exactly the original.
    """
    if text[:1] in FORMULA_START or (text[:1] == "'" and text[1:2] in (*FORMULA_START, "'")):
        return "'" + text
    return text


def unescape_text(text: str) -> str:
    """The inverse of :func:`escape_text`: ``'=x`` -> ``=x``, ``''=x`` -> ``'=x``; else unchanged."""
    if text[:1] == "'" and text[1:2] in (*FORMULA_START, "'") and text[1:2] != "":
        return text[1:]
    return text


# -- number formats -----------------------------------------------------------------------


@dataclass(frozen=True)
class NumberFormat:
    """How a text amount is written.

    Attributes:
        name: ``nl`` or ``plain`` (the names of the mapping file and ``--number-format``).
        decimal: the decimal sign (``,`` or ``.``).
        grouping: the thousands separator, or "" when the format has none.
        label: for messages (``Dutch (1.234,5)``).
    """

    name: str
    decimal: str
    grouping: str
    label: str

    @property
    def pattern(self) -> re.Pattern[str]:
        whole = r"\d{1,3}(?:\.\d{3})+|\d+" if self.grouping == "." else r"\d+"
        return re.compile(rf"^[+-]?(?:{whole})(?:{re.escape(self.decimal)}\d+)?$")

    def accepts(self, text: str) -> bool:
        return bool(self.pattern.match(_compact(text)))

    def parse(self, text: str) -> Decimal:
        """The exact amount ``text`` stands for; ValueError (with a message) otherwise."""
        clean = _compact(text)
        if not clean:
            raise ValueError("the amount is empty")
        if not self.pattern.match(clean):
            raise ValueError(f"{text!r} is not an amount in {self.label} number format")
        if self.grouping:
            clean = clean.replace(self.grouping, "")
        return exact(Decimal(clean.replace(self.decimal, ".")), text)


NL = NumberFormat("nl", ",", ".", "Dutch (1.234,5)")
PLAIN = NumberFormat("plain", ".", "", "plain (1234.5)")
NL_EXPORT = NumberFormat("nl", ",", "", "decimal comma without grouping (1234,5)")
FORMATS = {"nl": NL, "plain": PLAIN}


def _compact(text: str) -> str:
    """Spaces (also no-break and narrow ones) out, the Unicode minus as ``-``."""
    return re.sub(r"[ \u00a0\u202f]", "", text.strip()).replace("\u2212", "-")


def exact(value: Decimal, shown: object = None) -> Decimal:
    """``value`` if it is a finite amount with at most three decimals; ValueError otherwise."""
    text = shown if isinstance(shown, str) else str(value)
    if not value.is_finite():
        raise ValueError(f"{text!r} is not an amount")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_DECIMALS and value != value.quantize(Decimal(1).scaleb(-MAX_DECIMALS)):
        raise ValueError(
            f"{text!r} has more than {MAX_DECIMALS} decimals (euro precision in keuro); "
            "round it, or check that it is the right figure"
        )
    # 12.5000 is 12.5: keep three decimals at most (the value does not change)
    return value.quantize(Decimal(1).scaleb(-MAX_DECIMALS)) if -exponent > MAX_DECIMALS else value


def excel_number(value: int | float) -> Decimal:  # float-ok: an XLSX numeric cell
    """An XLSX numeric cell as the exact amount Excel shows (15 significant digits)."""
    if isinstance(value, int):
        return Decimal(value)
    try:
        number = Decimal(format(value, f".{EXCEL_DIGITS}g"))
    except InvalidOperation:  # pragma: no cover - format() of a float is always a number
        raise ValueError(f"{value!r} is not an amount") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    return number if number != number.to_integral_value() else number.quantize(Decimal(1))


def fits_excel(value: Decimal) -> bool:
    """True when an XLSX numeric cell holds ``value`` exactly (at most 15 significant digits)."""
    digits = value.normalize().as_tuple().digits
    return len(digits) <= EXCEL_DIGITS


# -- one format per column ----------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """The number format found for one column of text amounts.

    Attributes:
        format: the format to read the column with (None: two formats in one column).
        how: what decided it, for the import's report (``detected from F3 '4.499,5'``).
        ambiguous: a value that reads differently in the two formats, when nothing decided
            (the default, Dutch, was used).
        conflict: two values that only one format each accepts (the column is refused).
    """

    format: NumberFormat | None
    how: str
    ambiguous: str = ""
    conflict: tuple[str, str] | None = None


def detect(values: list[tuple[str, str]]) -> Detection:
    """The format of a column from its text values ``(text, where)``; see :class:`Detection`.

    Values no format accepts (``veel``) do not take part: they are refused cell by cell.
    """
    only_nl = next(((t, w) for t, w in values if NL.accepts(t) and not PLAIN.accepts(t)), None)
    only_plain = next(((t, w) for t, w in values if PLAIN.accepts(t) and not NL.accepts(t)), None)
    if only_nl and only_plain:
        return Detection(
            None,
            "two number formats",
            conflict=(f"{only_nl[0]!r} ({only_nl[1]})", f"{only_plain[0]!r} ({only_plain[1]})"),
        )
    if only_nl:
        return Detection(NL, f"{NL.label}, detected from {only_nl[1]} {only_nl[0]!r}")
    if only_plain:
        return Detection(PLAIN, f"{PLAIN.label}, detected from {only_plain[1]} {only_plain[0]!r}")
    both = [(t, w) for t, w in values if NL.accepts(t) and NL.parse(t) != PLAIN.parse(t)]
    if both:
        text, where = both[0]
        return Detection(
            NL,
            f"{NL.label}, the default: no value tells the formats apart",
            ambiguous=f"{text!r} ({where}) is read as {NL.parse(text)}",
        )
    return Detection(NL, "whole numbers only")


__all__ = [
    "FORMATS",
    "FORMULA_START",
    "NL",
    "NL_EXPORT",
    "PLAIN",
    "Detection",
    "NumberFormat",
    "Odd",
    "Value",
    "detect",
    "escape_text",
    "exact",
    "excel_number",
    "fits_excel",
    "looks_like_formula",
    "unescape_text",
]
