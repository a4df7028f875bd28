"""The contingent rules as pure functions with explicit parameters (docs/contingent.md).

* :func:`fill_rate`: filled / allocated over the same period, from summed figures, never an
  average of percentages.
* :func:`apply_fill_rule`: the AMA WSE 80% rule: an organisation whose annual fill stayed below
  the threshold loses contingent from 1 July of the next year.
* :func:`reconcile_reductions`: published reductions against the change of the province
  contingents around the reduction date.
* :func:`split_largest_remainder` and :func:`distribute`: the 2018 procedure for a growth path
  (seed 004): provinces by weight, then equal whole shares over the applicants that filled at
  least the threshold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from bbt.contingent.model import FLANDERS, PROVINCES, Entry, Measure, Register
from bbt.errors import UNKNOWN, BbtError, Location
from bbt.money import ZERO, Percent, ratio_percent, round_half_up


class ContingentError(BbtError):
    """The register cannot answer the question asked (unknown measure, no figures, ...)."""


class DistributionError(BbtError):
    """A growth path cannot be distributed under the rule (too small for the minimum, ...)."""


# -- fill rate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FillRate:
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


# -- the 80% rule ---------------------------------------------------------------------------

Rounding = Literal["up", "down", "half-up"]
_ROUNDING = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "half-up": ROUND_HALF_UP}


@dataclass(frozen=True)
class OrgFill:
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


@dataclass(frozen=True)
class FillRule:
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


@dataclass(frozen=True)
class Cut:
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


@dataclass(frozen=True)
class ProvinceCut:
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


# -- published reductions against the snapshots ----------------------------------------


@dataclass(frozen=True)
class ReductionCheck:
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


# -- distribution of a growth path ------------------------------------------------------

TieBreak = Literal["name", "input"]


def split_largest_remainder(
    total: int, weights: Mapping[str, Decimal | int], tie_break: TieBreak = "name"
) -> dict[str, int]:
    """Split ``total`` whole units over keys in proportion to ``weights`` (Hamilton's method).

    Each key gets the whole part of its exact quota ``total * weight / sum(weights)``; the
    units left over go one each to the largest fractional remainders. Equal remainders: the
    larger weight first, then by name (``tie_break="name"``) or by input order (``"input"``).
    The result always sums to ``total``; keys keep the input order.
    """
    if total < 0:
        raise DistributionError(f"the growth path is {total}; it cannot be negative")
    if any(Decimal(w) < 0 for w in weights.values()):
        raise DistributionError("a weight is negative; weights are sizes of a target group")
    exact = {k: Fraction(Decimal(w)) for k, w in weights.items()}
    base = sum(exact.values(), Fraction(0))
    if base == 0:
        if total == 0:
            return dict.fromkeys(weights, 0)
        raise DistributionError(f"no province has a weight above 0; {total} cannot be split")
    quotas = {k: total * w / base for k, w in exact.items()}
    shares = {k: int(q) for k, q in quotas.items()}  # floor: quotas are not negative
    left = total - sum(shares.values())
    position = {k: i for i, k in enumerate(weights)}

    def order(k: str) -> tuple[Fraction, Fraction, str | int]:
        second: str | int = k if tie_break == "name" else position[k]
        return (-(quotas[k] - shares[k]), -exact[k], second)

    for k in sorted(weights, key=order)[:left]:
        shares[k] += 1
    return shares


@dataclass(frozen=True)
class Applicant:
    """An organisation that asks for part of a growth path.

    Attributes:
        name: organisation name (unique within its province).
        province: province key.
        fill: its fill in percent over the reference period (exact).
        request: how many whole units it asked for, or None when it did not say.
        loc: where it comes from.
    """

    name: str
    province: str
    fill: Decimal
    request: int | None = None
    loc: Location = UNKNOWN


@dataclass(frozen=True)
class DistributionRule:
    """Parameters of the 2018 procedure (seed 004, sociale werkplaatsen).

    Attributes:
        threshold: minimum fill in percent to take part (``95``: "95% of meer").
        minimum: whole units every taking part applicant gets at least (``1`` VTE).
        tie_break: order among applicants with equal fill when the remainder is handed out
            (and among provinces with equal remainders): ``name`` or ``input`` order.
        cap_at_request: never give an applicant more than it asked for; what nobody can take
            stays unassigned (and is reported).
    """

    threshold: Decimal = Decimal(95)
    minimum: int = 1
    tie_break: TieBreak = "name"
    cap_at_request: bool = True


@dataclass(frozen=True)
class Share:
    """One applicant's part of the growth path.

    Attributes:
        applicant: who.
        units: whole units granted.
        extra: True when it got one of the remainder units on top of the equal share.
    """

    applicant: Applicant
    units: int
    extra: bool = False


@dataclass(frozen=True)
class Distribution:
    """The outcome of :func:`distribute`.

    Attributes:
        path: the growth path distributed.
        provinces: each province's part (largest remainder over the weights).
        shares: the applicants' shares, per province in the order of ``provinces``, highest
            fill first.
        excluded: applicants below the threshold.
        unassigned: per province, units nobody could take (no eligible applicant, or every
            eligible applicant at its request); sum(shares) + sum(unassigned) == path.
    """

    path: int
    provinces: dict[str, int]
    shares: tuple[Share, ...]
    excluded: tuple[Applicant, ...]
    unassigned: dict[str, int]


def _ranked(applicants: Sequence[Applicant], tie_break: TieBreak) -> list[Applicant]:
    position = {id(a): i for i, a in enumerate(applicants)}

    def key(a: Applicant) -> tuple[Decimal, str | int]:
        return (-a.fill, a.name if tie_break == "name" else position[id(a)])

    return sorted(applicants, key=key)


def share_equally(
    units: int, applicants: Sequence[Applicant], rule: DistributionRule
) -> tuple[list[Share], int]:
    """Equal whole shares of ``units`` over ``applicants`` (all eligible), then the remainder
    one unit at a time from the highest fill down; returns the shares and what is left.

    With ``cap_at_request`` an applicant never exceeds its request: requests below the equal
    share are served in full and the rest is shared again among the others (water-filling).
    Raises :class:`DistributionError` when ``units`` cannot give everyone ``rule.minimum``.
    """
    ranked = _ranked(applicants, rule.tie_break)
    if not ranked:
        return [], units
    need = rule.minimum * len(ranked)
    if units < need:
        province = ranked[0].province
        raise DistributionError(
            f"{PROVINCES.get(province, province)}: {units} unit(s) for {len(ranked)} applicant(s) "
            f"that filled at least {rule.threshold}%; the minimum of {rule.minimum} each needs {need}"
        )

    def cap(a: Applicant) -> int | None:
        return a.request if rule.cap_at_request and a.request is not None else None

    granted: dict[int, int] = {}
    open_ = list(ranked)
    left = units
    while open_:
        equal = left // len(open_)
        served = [a for a in open_ if (c := cap(a)) is not None and c <= equal]
        if not served:
            break
        for a in served:
            granted[id(a)] = cap(a) or 0
            left -= granted[id(a)]
        served_ids = {id(a) for a in served}
        open_ = [a for a in open_ if id(a) not in served_ids]
    extra: set[int] = set()
    if open_:
        equal = left // len(open_)
        for a in open_:
            granted[id(a)] = equal
        left -= equal * len(open_)
        for a in open_[:left]:  # every open applicant can take one more (its cap > equal)
            granted[id(a)] += 1
            extra.add(id(a))
        left = 0
    shares = [Share(a, granted[id(a)], id(a) in extra) for a in ranked]
    return shares, left


def distribute(
    path: int,
    weights: Mapping[str, Decimal | int],
    applicants: Sequence[Applicant],
    rule: DistributionRule = DistributionRule(),
) -> Distribution:
    """Distribute a growth path of ``path`` whole units (seed 004).

    1. Split the path over the provinces in proportion to ``weights`` (the potential target
       group) with :func:`split_largest_remainder`.
    2. In each province, the applicants that filled at least ``rule.threshold`` share the
       province's part equally in whole units, at least ``rule.minimum`` each; the remainder
       goes one unit at a time to the highest fill first (:func:`share_equally`).

    Raises :class:`DistributionError` when an applicant's province has no weight, a name is
    used twice in a province, or a province's part is too small for the minimum.
    """
    seen: set[tuple[str, str]] = set()
    for a in applicants:
        if a.province not in weights:
            raise DistributionError(
                f"applicant {a.name!r} is in {a.province!r}, which has no weight"
            )
        if (a.province, a.name) in seen:
            raise DistributionError(f"applicant {a.name!r} appears twice in {a.province!r}")
        seen.add((a.province, a.name))
        if a.request is not None and a.request < 0:
            raise DistributionError(
                f"applicant {a.name!r} requests {a.request}; a request cannot be negative"
            )
    provinces = split_largest_remainder(path, weights, rule.tie_break)
    shares: list[Share] = []
    excluded: list[Applicant] = []
    unassigned: dict[str, int] = {}
    for province, units in provinces.items():
        mine = [a for a in applicants if a.province == province]
        eligible = [a for a in mine if a.fill >= rule.threshold]
        excluded.extend(a for a in mine if a.fill < rule.threshold)
        got, left = share_equally(units, eligible, rule)
        shares.extend(got)
        if left:
            unassigned[province] = left
    return Distribution(path, provinces, tuple(shares), tuple(excluded), unassigned)


def fill_percent(allocated: Decimal, filled: Decimal) -> Decimal:
    """An applicant's fill in percent, exact (0 when nothing was allocated)."""
    return ratio_percent(filled, allocated) or ZERO


__all__ = [
    "Applicant",
    "ContingentError",
    "Cut",
    "Distribution",
    "DistributionError",
    "DistributionRule",
    "FillRate",
    "FillRule",
    "OrgFill",
    "ProvinceCut",
    "ReductionCheck",
    "Share",
    "apply_fill_rule",
    "cuts_by_province",
    "distribute",
    "fill_percent",
    "fill_rate",
    "fill_rates",
    "reconcile_reductions",
    "round_half_up",
    "share_equally",
    "split_largest_remainder",
]
