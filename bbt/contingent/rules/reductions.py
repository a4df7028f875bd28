"""Published reductions against the change of the province contingents around the reduction
date (docs/contingent.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import msgspec

from bbt.contingent.model import Measure
from bbt.errors import UNKNOWN, Location
from bbt.money import ZERO


class ReductionCheck(msgspec.Struct, frozen=True):
    """A published reduction next to the change of the contingent around its date.

    Attributes:
        province: province key (None: the whole measure).
        date: the day the reduction took effect.
        organisations: number of organisations reduced, as published.
        published: the published reduction.
        before / after: the contingent at the last reference date before ``date`` and on it
            (None when the register has no such snapshot).
        before_date: that earlier reference date.
        loc: where the reduction stands.
    """

    province: str | None
    date: dt.date
    organisations: int | None
    published: Decimal
    before: Decimal | None
    after: Decimal | None
    before_date: dt.date | None
    loc: Location = UNKNOWN

    @property
    def change(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.before - self.after

    @property
    def matches(self) -> bool | None:
        change = self.change
        return None if change is None else change == self.published


def _snapshot(measure: Measure, province: str | None, day: dt.date) -> Decimal | None:
    rows = [
        e
        for e in measure.entries
        if e.period.kind == "date"
        and e.period.start == day
        and e.allocated is not None
        and e.organisation is None
    ]
    if province is not None:
        rows = [e for e in rows if e.province == province]
        return rows[0].allocated if rows else None
    whole = [e for e in rows if e.province is None]
    if whole:
        return whole[0].allocated
    return sum((e.allocated or ZERO for e in rows), ZERO) if rows else None


def reconcile_reductions(measure: Measure, date: dt.date | None = None) -> list[ReductionCheck]:
    """Each published province reduction (on ``date``, or all) against the snapshots.

    A reduction that is the only change between two reference dates must equal the drop of
    the contingent between them: 1/4/2023 -> 1/7/2023 for the AMA WSE reductions of 2023.
    """
    dates = sorted({e.period.start for e in measure.entries if e.period.kind == "date"})
    out = []
    for r in measure.reductions:
        if r.organisation is not None or (date is not None and r.date != date):
            continue
        earlier = [d for d in dates if d < r.date]
        before_date = earlier[-1] if earlier else None
        before = _snapshot(measure, r.province, before_date) if before_date else None
        after = _snapshot(measure, r.province, r.date)
        out.append(
            ReductionCheck(
                r.province, r.date, r.organisations, r.reduced, before, after, before_date, r.loc
            )
        )
    return out
