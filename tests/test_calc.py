"""The calculator on the real 2024 figures: utilisation, ISE tables, programme, rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from budgetkit import EXAMPLE

from bbt.calculation import calculate, rounding_tolerance, utilisation
from bbt.format import procent
from bbt.load.budget import load


@pytest.fixture(scope="module")
def calculation():
    return calculate(load(EXAMPLE))


# The utilisation percentages the seed states, with where it states them.
SEED_PERCENTAGES = [
    ("JB0-1JEC2HA-WT", "vak", "93,9%"),  # line 754
    ("JB0-1JEC2HA-WT", "vek", "94,1%"),  # line 755
    ("JB0-1JEC2HC-WT", "vak", "73,9%"),  # line 857
    ("JB0-1JEC2HC-WT", "vek", "73,6%"),  # line 859
    ("JB0-1JEC2HF-WT", "vak", "64,2%"),  # line 1047
    ("JB0-1JEC2HF-WT", "vek", "64,7%"),  # line 1049
    ("JB0-1JEC2HG-WT", "vak", "93,4%"),  # line 1316 (VAK/VEK)
    ("JB0-1JEC2HG-WT", "vek", "93,4%"),
    ("JB0-1JEC2GA-WT", "vak", "97,2%"),  # line 1901
    ("JB0-1JEC2GA-WT", "vek", "99,9%"),  # line 1920
    ("ise:activering", "vak", "91,0%"),  # line 677
    ("ise:duurzame-arbeidsmarkt", "vak", "76,8%"),  # line 1763
    ("ise:duurzame-arbeidsmarkt", "vek", "86,8%"),  # line 1764
]


@pytest.mark.parametrize(("where", "credit", "stated"), SEED_PERCENTAGES)
def test_seed_percentages_are_reproduced(calculation, where, credit, stated):
    if where.startswith("ise:"):
        figures = calculation.ise(where[4:]).shown[credit]
    else:
        figures = calculation.articles[where].credits[credit]
    assert procent(figures.benutting) == stated


def test_utilisation_is_exact_and_rounds_half_up():
    pct = utilisation(Decimal(552289), Decimal(588293))
    assert pct.value == Decimal(552289) * 100 / Decimal(588293)
    assert utilisation(Decimal(1), Decimal(8)).rounded(1) == Decimal("12.5")
    assert utilisation(Decimal("0.9995"), Decimal(1)).rounded(1) == Decimal(
        "100.0"
    )  # half-up, not banker's


def test_zero_base_gives_no_percentage():
    assert utilisation(Decimal(5), Decimal(0)).value is None
    assert procent(utilisation(Decimal(5), Decimal(0))) == "n.v.t."


def test_negative_execution_stays_negative(calculation):
    gesco = calculation.articles["JB0-1JEC2HE-WT"].credits["vak"]
    assert gesco.bu == -2188
    assert gesco.benutting.value < 0


def test_ise_activering_table(calculation):
    ise = calculation.ise("activering")
    row = ise.rows["esr_uitgaven"]
    assert (row["vak"].ba, row["vak"].ba_jr, row["vak"].bu) == (694180, 697955, 635306)
    assert (row["vek"].ba, row["vek"].ba_jr, row["vek"].bu) == (694180, 696640, 635442)
    assert ise.rows["toelagen"]["vak"].ba == 0 and ise.rows["overige"]["vek"].bu == 0
    # The published Totaal row (seed line 644) is rounded from euros: one keuro less.
    assert (ise.shown["vak"].bu, ise.shown["vek"].bu) == (635305, 635441)
    assert (ise.computed["vak"].bu, ise.computed["vek"].bu) == (635306, 635442)
    assert ise.index == {"vak": 8275, "vek": 8275}
    assert ise.realloc == {"vak": -4500, "vek": -5815}


def test_ise_duurzame_arbeidsmarkt_table(calculation):
    ise = calculation.ise("duurzame-arbeidsmarkt")
    assert (ise.rows["esr_uitgaven"]["vek"].ba_jr, ise.rows["overige"]["vak"].ba) == (33168, 5000)
    total = ise.shown
    assert (total["vak"].ba, total["vak"].ba_jr, total["vak"].bu) == (23144, 23813, 18278)
    assert (total["vek"].ba, total["vek"].ba_jr, total["vek"].bu) == (23272, 38168, 33122)
    assert ise.receipts["ao"].bu == 45


def test_programme_summary(calculation):
    p = calculation.programme
    assert (p["ao"].ba, p["ao"].ba_jr, p["ao"].bu) == (131, 131, 45)
    assert (p["to"].bu, p["lo"].bu) == (0, 0)
    assert (p["vak"].ba, p["vak"].ba_jr, p["vak"].bu) == (717324, 721768, 653583)
    assert (p["vek"].ba, p["vek"].ba_jr, p["vek"].bu) == (717452, 734808, 668564)
    # Invariant before display rounding: the programme is the sum of the articles.
    assert calculation.programme_computed["vak"].bu == sum(
        a.credits["vak"].bu for a in calculation.articles.values() if "vak" in a.credits
    )


def test_index_tranches(calculation):
    tranches = calculation.index_tranches
    assert tranches[("CB0-1CBD2AB-PR", "2024-04")]["vak"] == 7458
    assert tranches[("CB0-1CBD2AB-PR", "2025-01")]["vek"] == 817


def test_rounding_tolerance():
    assert rounding_tolerance(1) == 1
    assert rounding_tolerance(5) == 3


def test_calc_tables_caption_without_scope(tmp_path):
    """An ISE without a scope has no stray comma in ``bbt calc`` (``ACTIVERING (duizend euro)``)."""
    from budgetkit import make_budget

    from bbt.pipeline import check
    from bbt.report import calc_tables

    tables = calc_tables(check(make_budget(tmp_path / "b")).calculation)
    assert "ACTIVERING (duizend euro)" in tables
    assert "ACTIVERING, (" not in tables
