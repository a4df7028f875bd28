"""Dutch formats for the document's readers, built on Babel (locale nl_BE).

The only place where numbers become text: amounts in keuro with Dutch grouping (``580.966``,
``-2.188``), percentages with one decimal and a comma (``93,9%``), dates in words
(``22 maart 2024``).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal, localcontext
from functools import cache
from typing import TYPE_CHECKING

from bbt.files import Cache, module_file
from bbt.money import ZERO, Percent, round_half_up, wide_enough

if TYPE_CHECKING:
    from babel.core import Locale
    from babel.numbers import NumberPattern

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


@cache
def _locale() -> Locale:
    """nl_BE parsed once (Babel parses a locale name again on every call that gets one)."""
    from babel.core import Locale  # Babel: only when a string is not kept (see _Kept)

    return Locale.parse(LOCALE)


@cache
def _pattern(pattern: str) -> NumberPattern:
    """A number pattern parsed once."""
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


class _Kept:
    """The strings Babel made for this version of Babel in earlier runs, by value and pattern.

    A string depends on the value, the pattern and Babel's locale data alone, so it is kept in
    the cache folder (bbt.files :class:`~bbt.files.Cache`, kind ``formats``) like a compiled
    template: a warm ``bbt check`` then loads no locale data at all (about 20 ms). The first
    use reads the entry; strings made in this run are added to it when the process ends.
    """

    LIMIT = 20_000  # strings kept (about 1 MB); past it the oldest go
    _STORE = Cache("formats", limit=10)

    def __init__(self) -> None:
        self.name = f"babel-{babel_release()}-{LOCALE}-2"
        self.known: dict[str, str] | None = None
        self.new = 0

    def _load(self) -> dict[str, str]:
        return self._STORE.recall(self.name, self._decoded) or {}

    def _decoded(self, data: bytes) -> dict[str, str]:
        stored = json.loads(data)
        if not isinstance(stored, dict) or len(stored) > self.LIMIT:
            raise ValueError("not kept strings")
        return {str(k): str(v) for k, v in stored.items()}

    def text(self, key: str, make: Callable[[], str]) -> str:
        """The string kept for ``key``, else ``make()`` (then kept)."""
        if self.known is None:
            self.known = self._load()
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = make()
            if not self.new:
                atexit.register(self.save)
            self.new += 1
        return found

    def save(self) -> None:
        known = self.known or {}
        if len(known) > self.LIMIT:  # bounded: the newest strings stay
            known = dict(list(known.items())[-self.LIMIT :])
        # in the order they were made (not sorted), so that the next cut drops the oldest
        self._STORE.put(self.name, json.dumps(known).encode())
        self.new = 0


@cache
def babel_release() -> str:
    """A digest of Babel's ``__init__`` (it carries the version), read without importing it."""
    try:
        with open(module_file("babel") or "", "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()[:16]
    except OSError:
        return "unknown"


_KEPT = _Kept()


def _babel(value: Decimal, pattern: str, places: int) -> str:
    """Babel's Dutch form of ``value``, in a decimal context wide enough for any amount."""

    def make() -> str:
        from babel.numbers import format_decimal

        with localcontext(wide_enough(value, places)):
            return format_decimal(value, _pattern(pattern), locale=_locale())

    return _KEPT.text(f"{pattern} {places} {value}", make)


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

    def make() -> str:
        from babel.dates import format_date  # with zoneinfo: only when no string is kept

        return format_date(value, "d MMMM y", _locale())

    return _KEPT.text(f"date {value.isoformat()}", make)


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
