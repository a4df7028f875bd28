"""The contingent rules on worked examples and as properties (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bbt.contingent.rules import (
    Applicant,
    DistributionError,
    DistributionRule,
    FillRule,
    OrgFill,
    apply_fill_rule,
    cuts_by_province,
    distribute,
    share_equally,
    split_largest_remainder,
)

# -- the 80% rule --------------------------------------------------------------------------


def test_fill_rule_cuts_down_to_what_was_filled() -> None:
    fills = [
        OrgFill("A", "limburg", Decimal(20), Decimal("15.2")),  # 76%: keeps 16
        OrgFill("B", "limburg", Decimal(10), Decimal(8)),  # exactly 80%: not affected
        OrgFill("C", "antwerpen", Decimal(10), Decimal("7.9")),  # 79%: keeps 8
        OrgFill("D", "antwerpen", Decimal(0), Decimal(0)),  # no contingent: not evaluated
    ]
    cuts = apply_fill_rule(fills)
    got = [(c.organisation, int(c.new_allocated), int(c.cut)) for c in cuts]
    assert got == [("A", 16, 4), ("C", 8, 2)]
    down = apply_fill_rule(fills, FillRule(rounding="down"))
    assert [(c.organisation, int(c.cut)) for c in down] == [("A", 5), ("C", 3)]
    stricter = apply_fill_rule(fills, FillRule(threshold=Decimal(90)))
    assert [c.organisation for c in stricter] == ["A", "B", "C"]
    totals = cuts_by_province(cuts)
    assert [(t.province, t.organisations, int(t.cut)) for t in totals] == [
        ("antwerpen", 1, 2),
        ("limburg", 1, 4),
    ]


@settings(max_examples=75, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 500), st.integers(0, 50_000)),
        max_size=20,
    ),
    st.sampled_from(["up", "down", "half-up"]),
)
def test_fill_rule_properties(rows: list[tuple[int, int]], rounding: str) -> None:
    fills = [OrgFill(f"o{i}", None, Decimal(a), Decimal(f) / 100) for i, (a, f) in enumerate(rows)]
    cuts = apply_fill_rule(fills, FillRule(rounding=rounding))  # type: ignore[arg-type]
    for c in cuts:
        assert c.filled * 100 < c.allocated * 80  # only those below 80%
        assert 0 <= c.cut <= c.allocated
        assert c.new_allocated == int(c.new_allocated)  # whole units
        assert abs(c.new_allocated - c.filled) < 1
    affected = {c.organisation for c in cuts}
    assert all(f.filled * 100 >= f.allocated * 80 for f in fills if f.organisation not in affected)


# -- largest remainder ---------------------------------------------------------------------


def test_largest_remainder_worked_example() -> None:
    # 149 over 3:2:1 -> quotas 74,5 / 49,67 / 24,83; floors 147; the 2 left go to c and b.
    assert split_largest_remainder(149, {"a": 3, "b": 2, "c": 1}) == {"a": 74, "b": 50, "c": 25}


def test_largest_remainder_ties() -> None:
    # Equal remainders: larger weight first ...
    assert split_largest_remainder(1, {"a": 1, "b": 1, "c": 2}) == {"a": 0, "b": 0, "c": 1}
    assert split_largest_remainder(2, {"a": 1, "b": 2, "c": 1, "d": 2}) == {
        "a": 0,
        "b": 1,
        "c": 0,
        "d": 1,
    }
    # ... then by name or by input order.
    assert split_largest_remainder(1, {"b": 1, "a": 1}) == {"b": 0, "a": 1}
    assert split_largest_remainder(1, {"b": 1, "a": 1}, tie_break="input") == {"b": 1, "a": 0}


def test_largest_remainder_refuses_nonsense() -> None:
    with pytest.raises(DistributionError, match="no province has a weight"):
        split_largest_remainder(3, {"a": 0})
    with pytest.raises(DistributionError, match="negative"):
        split_largest_remainder(3, {"a": -1, "b": 2})
    assert split_largest_remainder(0, {"a": 0}) == {"a": 0}


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 1000),
    st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 10_000), min_size=1).filter(
        lambda w: sum(w.values()) > 0
    ),
)
def test_largest_remainder_properties(total: int, weights: dict[str, int]) -> None:
    shares = split_largest_remainder(total, weights)
    assert sum(shares.values()) == total
    base = sum(weights.values())
    for k, w in weights.items():
        quota = Fraction(total * w, base)
        assert int(quota) <= shares[k] <= int(quota) + 1  # quota rule
    assert split_largest_remainder(total, weights) == shares


# -- distribution --------------------------------------------------------------------------


def app(name: str, fill: str, request: int | None = None, province: str = "limburg") -> Applicant:
    return Applicant(name, province, Decimal(fill), request)


def test_equal_shares_remainder_to_highest_fill() -> None:
    applicants = [app("B", "97"), app("A", "99"), app("C", "96"), app("D", "90")]
    result = distribute(7, {"limburg": 1}, applicants)
    assert [(s.applicant.name, s.units, s.extra) for s in result.shares] == [
        ("A", 3, True),
        ("B", 2, False),
        ("C", 2, False),
    ]
    assert [a.name for a in result.excluded] == ["D"]
    assert result.unassigned == {}


def test_sociale_werkplaatsen_2018_shape() -> None:
    # 149 VTE over two provinces (weights invented: the NWWZ counts are not in the seeds).
    applicants = [app(f"L{i}", "96") for i in range(4)] + [
        app(f"A{i}", str(95 + i), province="antwerpen") for i in range(3)
    ]
    result = distribute(149, {"limburg": 40, "antwerpen": 60}, applicants)
    assert result.provinces == {"limburg": 60, "antwerpen": 89}
    by_name = {s.applicant.name: s.units for s in result.shares}
    assert [by_name[f"L{i}"] for i in range(4)] == [15, 15, 15, 15]
    assert (by_name["A2"], by_name["A1"], by_name["A0"]) == (30, 30, 29)  # 89 = 3 x 29 + 2


def test_tie_break_on_equal_fill() -> None:
    applicants = [app("B", "98"), app("A", "98")]
    by_name = distribute(3, {"limburg": 1}, applicants)
    assert [(s.applicant.name, s.units) for s in by_name.shares] == [("A", 2), ("B", 1)]
    by_input = distribute(3, {"limburg": 1}, applicants, DistributionRule(tie_break="input"))
    assert [(s.applicant.name, s.units) for s in by_input.shares] == [("B", 2), ("A", 1)]


def test_cap_at_request() -> None:
    applicants = [app("A", "99", request=1), app("B", "98"), app("C", "97")]
    result = distribute(10, {"limburg": 1}, applicants)
    assert [(s.applicant.name, s.units) for s in result.shares] == [("A", 1), ("B", 5), ("C", 4)]
    uncapped = distribute(10, {"limburg": 1}, applicants, DistributionRule(cap_at_request=False))
    assert [s.units for s in uncapped.shares] == [4, 3, 3]
    everyone_capped = distribute(10, {"limburg": 1}, [app("A", "99", 2), app("B", "98", 3)])
    assert [s.units for s in everyone_capped.shares] == [2, 3]
    assert everyone_capped.unassigned == {"limburg": 5}


def test_path_too_small_for_the_minimum() -> None:
    applicants = [app("A", "99"), app("B", "98"), app("C", "97")]
    with pytest.raises(
        DistributionError, match=r"Limburg: 2 unit\(s\) for 3 applicant\(s\).*needs 3"
    ):
        distribute(2, {"limburg": 1}, applicants)
    with pytest.raises(DistributionError, match="needs 6"):
        distribute(5, {"limburg": 1}, applicants, DistributionRule(minimum=2))


def test_bad_applicants() -> None:
    with pytest.raises(DistributionError, match="has no weight"):
        distribute(3, {"antwerpen": 1}, [app("A", "99")])
    with pytest.raises(DistributionError, match="twice"):
        distribute(3, {"limburg": 1}, [app("A", "99"), app("A", "98")])


def test_province_without_eligible_applicants_keeps_its_part_unassigned() -> None:
    result = distribute(10, {"limburg": 1, "antwerpen": 1}, [app("A", "99")])
    assert result.unassigned == {"antwerpen": 5}
    assert [s.units for s in result.shares] == [5]


PROVINCE_KEYS = ["antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant", "west-vlaanderen"]

applicant_lists = st.lists(
    st.tuples(
        st.sampled_from(PROVINCE_KEYS[:3]),
        st.integers(9000, 10_000),  # fill in hundredths of a percent: 90,00% .. 100,00%
        st.one_of(st.none(), st.integers(0, 30)),
    ),
    max_size=12,
)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 200),
    st.lists(st.integers(0, 100), min_size=3, max_size=3).filter(lambda w: sum(w) > 0),
    applicant_lists,
    st.integers(1, 3),
    st.booleans(),
    st.sampled_from(["name", "input"]),
)
def test_distribution_properties(
    path: int,
    weights: list[int],
    rows: list[tuple[str, int, int | None]],
    minimum: int,
    cap: bool,
    tie_break: str,
) -> None:
    table = dict(zip(PROVINCE_KEYS[:3], weights, strict=True))
    applicants = [Applicant(f"org{i}", p, Decimal(f) / 100, r) for i, (p, f, r) in enumerate(rows)]
    rule = DistributionRule(minimum=minimum, cap_at_request=cap, tie_break=tie_break)  # type: ignore[arg-type]
    parts = split_largest_remainder(path, table, rule.tie_break)
    eligible = {
        p: [a for a in applicants if a.province == p and a.fill >= rule.threshold] for p in table
    }
    try:
        result = distribute(path, table, applicants, rule)
    except DistributionError as exc:
        # Only when some province's part cannot give every eligible applicant the minimum.
        assert any(parts[p] < minimum * len(eligible[p]) for p in table), exc
        assert "needs" in str(exc)
        return
    assert all(parts[p] >= minimum * len(eligible[p]) for p in table)
    # Shares (plus what nobody could take) add up to the growth path, per province and in total.
    assert sum(s.units for s in result.shares) + sum(result.unassigned.values()) == path
    for p in table:
        mine = [s for s in result.shares if s.applicant.province == p]
        assert sum(s.units for s in mine) + result.unassigned.get(p, 0) == parts[p]
        if result.unassigned.get(p):
            # Left over only when nobody eligible can take more.
            assert all(
                rule.cap_at_request
                and s.applicant.request is not None
                and s.units == s.applicant.request
                for s in mine
            )
        uncapped = [
            s.units
            for s in mine
            if not (cap and s.applicant.request is not None and s.units == s.applicant.request)
        ]
        if uncapped:
            assert max(uncapped) - min(uncapped) <= 1  # equal shares, remainder one unit each
    for s in result.shares:
        assert isinstance(s.units, int) and s.units >= 0  # whole units only
        assert s.applicant.fill >= rule.threshold
        floor = (
            min(minimum, s.applicant.request)
            if cap and s.applicant.request is not None
            else minimum
        )
        assert s.units >= floor  # nobody below the minimum (unless it asked for less)
        if cap and s.applicant.request is not None:
            assert s.units <= s.applicant.request  # caps respected
    assert {a.name for a in result.excluded} == {
        a.name for a in applicants if a.fill < rule.threshold
    }
    assert distribute(path, table, applicants, rule) == result  # deterministic


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 60), st.lists(st.integers(9500, 10_000), max_size=8))
def test_share_equally_is_order_independent_with_name_tie_break(
    units: int, fills: list[int]
) -> None:
    applicants = [app(f"o{i}", str(Decimal(f) / 100)) for i, f in enumerate(fills)]
    rule = DistributionRule()
    try:
        forward, left = share_equally(units, applicants, rule)
    except DistributionError:
        assert units < len(applicants)
        return
    backward, left_back = share_equally(units, list(reversed(applicants)), rule)
    assert forward == backward and left == left_back
