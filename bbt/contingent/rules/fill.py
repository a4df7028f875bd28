"""Fill rate: filled / allocated over the same period, from summed figures, never an average
of percentages (docs/contingent.md)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from decimal import Decimal

import msgspec

from bbt.contingent.model import FLANDERS, PROVINCES, Entry, Register
from bbt.errors import BbtError
from bbt.money import ZERO, Percent, ratio_percent


class ContingentError(BbtError):
    """The register cannot answer the question asked (unknown measure, no figures, ...)."""


class FillRate(msgspec.Struct, frozen=True):
    """Filled / allocated of one measure over one period, exact.

    Attributes:
        measure: measure key.
        period: the period as the register writes it (``2023``).
        scope: ``Vlaanderen``, a province name or an organisation.
        filled: numerator, summed over the entries used.
        allocated: denominator, summed over the same entries.
        unit: the measure's unit key.
        entries: the register entries the figures come from.
    """

    measure: str
    period: str
    scope: str
    filled: Decimal
    allocated: Decimal
    unit: str = ""
    entries: tuple[Entry, ...] = ()

    @property
    def percent(self) -> Percent:
        """The exact percentage (None when nothing was allocated), with numerator and base."""
        return Percent(ratio_percent(self.filled, self.allocated), self.filled, self.allocated)

    def rounded(self, places: int = 1) -> Decimal | None:
        """Half-up to ``places`` decimals of a percent: 71,9 (text) or 93 (indicator card)."""
        return self.percent.rounded(places)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.source for e in self.entries if e.source))


def _complete(entries: Sequence[Entry]) -> bool:
    return bool(entries) and all(e.allocated is not None and e.filled is not None for e in entries)


def fill_rate(
    register: Register, measure: str, period: str | int, province: str | None = None
) -> FillRate:
    """The fill rate of ``measure`` over ``period`` (optionally of one province).

    Uses the most aggregated level that has both figures: the whole measure, else the sum of
    the provinces, else the sum of the organisations. Raises :class:`ContingentError` when the
    register has no complete figures for that period.
    """
    try:
        m = register.measure(measure)
    except KeyError as exc:
        raise ContingentError(str(exc.args[0])) from None
    text = str(period)
    entries = [e for e in m.entries if e.period.text == text]
    if province is not None:
        entries = [e for e in entries if e.province == province]
    if not entries:
        periods = ", ".join(dict.fromkeys(e.period.text for e in m.entries)) or "(none)"
        where = f" in {province}" if province else ""
        raise ContingentError(
            f"measure {measure!r} has no entry for period {text!r}{where}; periods: {periods}"
        )
    levels = ("province", "organisation") if province else (FLANDERS, "province", "organisation")
    for level in levels:
        chosen = [e for e in entries if e.scope == level]
        if not chosen:
            continue
        if _complete(chosen):
            filled = sum((e.filled or ZERO for e in chosen), ZERO)
            allocated = sum((e.allocated or ZERO for e in chosen), ZERO)
            scope = PROVINCES.get(province, province) if province else "Vlaanderen"
            if len(chosen) == 1:
                scope = chosen[0].scope_label
            return FillRate(m.key, text, scope, filled, allocated, m.unit, tuple(chosen))
        if any(e.filled is not None for e in chosen):
            missing = [str(e.loc) for e in chosen if e.filled is None or e.allocated is None]
            raise ContingentError(
                f"measure {measure!r}, {text}: allocated and filled are not both known for every "
                f"{level} entry (see {', '.join(missing)}); a fill rate needs the same coverage above and below"
            )
    raise ContingentError(
        f"measure {measure!r}, {text}: the register has no filled figure for this period"
    )


def fill_rates(
    register: Register, measure: str | None = None, period: str | None = None
) -> list[FillRate]:
    """Every fill rate the register can give: each entry with both figures, and the total of
    a period whose entries are per province or organisation only."""
    out: list[FillRate] = []
    for m in register.measures.values():
        if measure is not None and m.key != measure:
            continue
        periods = dict.fromkeys(e.period.text for e in m.entries)
        for p in periods:
            if period is not None and p != period:
                continue
            rows = [
                e
                for e in m.entries
                if e.period.text == p and e.allocated is not None and e.filled is not None
            ]
            for e in rows:
                out.append(
                    FillRate(
                        m.key, p, e.scope_label, e.filled or ZERO, e.allocated or ZERO, m.unit, (e,)
                    )
                )
            if len(rows) > 1 and not any(e.scope == FLANDERS for e in rows):
                with contextlib.suppress(ContingentError):
                    out.append(fill_rate(register, m.key, p))
    return out
