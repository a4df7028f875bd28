"""The 2018 procedure for a growth path (seed 004): provinces by weight (largest remainder),
then equal whole shares over the applicants that filled at least the threshold
(docs/contingent.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import msgspec

from bbt.contingent.model import PROVINCES
from bbt.errors import UNKNOWN, BbtError, Location
from bbt.money import ZERO, ratio_percent


class DistributionError(BbtError):
    """A growth path cannot be distributed under the rule (too small for the minimum, ...)."""


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


class Applicant(msgspec.Struct, frozen=True):
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


class DistributionRule(msgspec.Struct, frozen=True):
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


class Share(msgspec.Struct, frozen=True):
    """One applicant's part of the growth path.

    Attributes:
        applicant: who.
        units: whole units granted.
        extra: True when it got one of the remainder units on top of the equal share.
    """

    applicant: Applicant
    units: int
    extra: bool = False


class Distribution(msgspec.Struct, frozen=True):
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
