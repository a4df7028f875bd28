"""The AMA WSE 80% rule: an organisation whose annual fill stayed below the threshold loses
contingent from 1 July of the next year (docs/contingent.md)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

import msgspec

from bbt.contingent.model import PROVINCES
from bbt.errors import UNKNOWN, Location
from bbt.money import ZERO, Percent, ratio_percent

Rounding = Literal["up", "down", "half-up"]
_ROUNDING = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "half-up": ROUND_HALF_UP}


class OrgFill(msgspec.Struct, frozen=True):
    """An organisation's contingent and its fill over one evaluation year.

    Attributes:
        organisation: name.
        province: province key, or None.
        allocated: contingent over the year (same basis as ``filled``).
        filled: filled contingent over the year.
        loc: where the figures come from.
    """

    organisation: str
    province: str | None
    allocated: Decimal
    filled: Decimal
    loc: Location = UNKNOWN


class FillRule(msgspec.Struct, frozen=True):
    """Parameters of the AMA WSE fill rule (seed 000: "minder dan 80% ... automatisch dalen").

    Attributes:
        threshold: fill in percent below which (strictly) an organisation loses contingent.
        rounding: how the filled figure becomes the new contingent in whole units: ``up`` (the
            default: the organisation keeps every place that was in use, 7,2 filled keeps 8),
            ``down`` or ``half-up``. The seed does not say; this is a parameter.
        unit: size of a whole unit (1 trajectory).
    """

    threshold: Decimal = Decimal(80)
    rounding: Rounding = "up"
    unit: Decimal = Decimal(1)


class Cut(msgspec.Struct, frozen=True):
    """What the rule takes from one organisation.

    Attributes:
        organisation / province: who.
        allocated / filled: the figures of the evaluation year.
        new_allocated: the contingent after the cut (the filled figure in whole units).
        cut: ``allocated - new_allocated`` (0 when rounding leaves nothing to take).
        loc: where the figures come from.
    """

    organisation: str
    province: str | None
    allocated: Decimal
    filled: Decimal
    new_allocated: Decimal
    cut: Decimal
    loc: Location = UNKNOWN

    @property
    def percent(self) -> Percent:
        return Percent(ratio_percent(self.filled, self.allocated), self.filled, self.allocated)


def apply_fill_rule(fills: Iterable[OrgFill], rule: FillRule = FillRule()) -> list[Cut]:
    """The organisations whose fill stayed below ``rule.threshold`` and what they lose.

    The new contingent is the filled figure rounded to whole units (``rule.rounding``), never
    more than what was allocated; organisations without contingent are not evaluated. The
    result keeps the input order.
    """
    cuts = []
    for f in fills:
        percent = ratio_percent(f.filled, f.allocated)
        if percent is None or percent >= rule.threshold:
            continue
        units = (f.filled / rule.unit).quantize(Decimal(1), rounding=_ROUNDING[rule.rounding])
        new = min(units * rule.unit, f.allocated)
        cuts.append(
            Cut(f.organisation, f.province, f.allocated, f.filled, new, f.allocated - new, f.loc)
        )
    return cuts


class ProvinceCut(msgspec.Struct, frozen=True):
    """Cuts summed per province.

    Attributes:
        province: province key, or None for organisations without one.
        organisations: number of organisations that lose contingent (cut above 0).
        cut: total contingent taken.
    """

    province: str | None
    organisations: int
    cut: Decimal


def cuts_by_province(cuts: Iterable[Cut]) -> list[ProvinceCut]:
    """Per province (in the order of :data:`PROVINCES`, then unknown): count and total cut."""
    totals: dict[str | None, tuple[int, Decimal]] = {}
    for c in cuts:
        if c.cut <= 0:
            continue
        n, total = totals.get(c.province, (0, ZERO))
        totals[c.province] = (n + 1, total + c.cut)
    order = [*PROVINCES, None]
    return [
        ProvinceCut(p, *totals[p])
        for p in sorted(totals, key=lambda p: order.index(p) if p in order else len(order))
    ]
