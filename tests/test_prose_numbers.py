"""The prose rule on every common Dutch way of stating a figure, with the example's real figures.

The variants in tests/data/prose-variants/ are real paragraphs of the example rewritten in other
phrasings; planted mistakes declare the finding they must give (see the README there).
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from budgetkit import ARTICLE, copy_example, make_budget

from bbt.checks.numbers import read_numbers, stated_numbers
from bbt.pipeline import check

VARIANTS = Path(__file__).parent / "data" / "prose-variants"
VARIANT_FILES = sorted(VARIANTS.glob("*.md"))
VARIANT_FILES = [f for f in VARIANT_FILES if f.name != "README.md"]
_TARGET = re.compile(r"\{#\s*variant of (\S+)\s*#\}")
_EXPECT = re.compile(r"\{#\s*expect (BBT\d{3}):\s*(.*?)\s*#\}")
A = "articles/JB0-1JEC2HA-WT.yaml"


def expectations(path: Path) -> list[tuple[int, str, str]]:
    """(line, code, message part) declared in a variant."""
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found += [(number, code, text) for code, text in _EXPECT.findall(line)]
    return found


@pytest.fixture(scope="module")
def example_copy(tmp_path_factory):
    return copy_example(tmp_path_factory.mktemp("variants") / "budget")


def prose_findings(root: Path, variant: Path) -> list[tuple[int, str, str]]:
    """Lay ``variant`` over its narrative in ``root``; the prose findings in that file."""
    target = _TARGET.search(variant.read_text(encoding="utf-8"))
    assert target, f"{variant.name} does not name the narrative it replaces"
    destination = root / target.group(1)
    original = destination.read_bytes()
    shutil.copyfile(variant, destination)
    try:
        result = check(root)
    finally:
        destination.write_bytes(original)
    return [
        (f.location.line, f.code, f.message)
        for f in result.findings
        if f.code.startswith("BBT2") and Path(f.location.file).resolve() == destination.resolve()
    ]


@pytest.mark.parametrize("variant", VARIANT_FILES, ids=lambda p: p.stem)
def test_variant_gives_exactly_its_planted_findings(example_copy, variant):
    found = prose_findings(example_copy, variant)
    expected = expectations(variant)
    missed = [
        e
        for e in expected
        if not any(line == e[0] and code == e[1] and e[2] in msg for line, code, msg in found)
    ]
    unexpected = [
        f
        for f in found
        if not any(f[0] == line and f[1] == code and part in f[2] for line, code, part in expected)
    ]
    assert not missed, f"planted but not found: {missed}; found: {found}"
    assert not unexpected, f"false positives: {unexpected}"


def test_variants_cover_clean_and_planted_texts():
    planted = [e for f in VARIANT_FILES for e in expectations(f)]
    clean = [f for f in VARIANT_FILES if not expectations(f)]
    assert len(planted) >= 30 and len(clean) >= 8


# -- how numbers are read -------------------------------------------------------------------


def read(text: str) -> list[tuple[str, str, Decimal, str, str]]:
    return [(s.text, s.kind, s.value, s.credit, s.phase) for s in stated_numbers(text, 2024)]


@pytest.mark.parametrize(
    ("text", "value", "quantum"),
    [
        ("bedroeg 552.289 keuro", "552289", "1"),
        ("bedroeg 552.289 k€", "552289", "1"),
        ("bedroeg 552.289 duizend euro", "552289", "1"),
        ("bedroeg 552.289.000 euro", "552289", "0.001"),
        ("bedroeg € 552.289.000", "552289", "0.001"),
        ("bedroeg EUR 552.289.000", "552289", "0.001"),
        ("bedroeg 552,3 miljoen euro", "552300", "100"),
        ("bedroeg 552,3 mln. euro", "552300", "100"),
        ("bedroeg € 552,3 miljoen", "552300", "100"),
        ("bedroeg 552 miljoen euro", "552000", "1000"),
        ("bedroeg 0,65 miljard euro", "650000", "10000"),
        ("bedroeg 552\u00a0289 keuro", "552289", "1"),
    ],
)
def test_every_way_of_writing_an_amount_is_read_in_keuro(text, value, quantum):
    [stated] = read_numbers(text, 2024)
    assert stated.kind == "amount"
    assert stated.value == Decimal(value) and stated.quantum == Decimal(quantum)


@pytest.mark.parametrize(
    "text",
    [
        "In 2024 werden 5.022 aanvragen goedgekeurd bij 2.564 bedrijven.",
        "op 1 januari 2025 met 39 regisseurs en 1.680,33 trajecten",
        "meer dan 148.000 werkloosheidsdagen, 28 procentpunt, 2,1 %-punt",
        "werd in 2023, 573 werknemers aangeworven",
        "de vragen 244, 293, 316 en 725",
        "per geïnvesteerde euro",
    ],
)
def test_years_dates_counts_and_points_are_not_amounts(text):
    assert [s for s in stated_numbers(text, 2024) if s.kind == "amount"] == []
    assert all(not s.utilisation for s in stated_numbers(text, 2024))


def test_the_issue_enumeration_ties_each_percentage_to_its_credit():
    text = (
        "De benuttingsgraad bedroeg 93,9% voor VAK en 94,1% voor VEK van het beschikbare krediet."
    )
    got = [(s.text, s.credit, s.utilisation) for s in stated_numbers(text, 2024)]
    assert got == [("93,9", "VAK", True), ("94,1", "VEK", True)]


def test_a_percentage_joined_to_its_amount_shares_its_credit():
    text = (
        "De uitvoering bedroeg 552.289 keuro VAK of 93,9% en 552.157 keuro VEK of 94,1% "
        "van het beschikbare krediet."
    )
    numbers = read_numbers(text, 2024)
    assert [(s.text, s.credit, s.tie) for s in numbers] == [
        ("552.289", "VAK", 1),
        ("93,9", "VAK", 0),
        ("552.157", "VEK", 3),
        ("94,1", "VEK", 2),
    ]
    assert [s.utilisation for s in numbers if s.kind == "percent"] == [True, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "De benuttingsgraad voor VAK en VEK bedroeg respectievelijk 93,9% en 94,1%.",
            [("93,9", "VAK", ""), ("94,1", "VEK", "")],
        ),
        (
            "Het BA, het BA-JR en de uitvoering bedroegen respectievelijk 580.966, 588.293 en 552.289 keuro VAK.",
            [("580.966", "VAK", "ba"), ("588.293", "VAK", "ba_jr"), ("552.289", "VAK", "bu")],
        ),
        (
            "Het beschikbare budget, na uitvoering van bovenstaande herverdelingen, bedroeg 54.579 keuro VAK/VEK.",
            [("54.579", "VAK/VEK", "ba_jr")],
        ),
        (
            "Het totaal beschikbaar krediet bij BA 2024 bedroeg 18.144 keuro VAK en 18.272 keuro VEK.",
            [("18.144", "VAK", "ba"), ("18.272", "VEK", "ba")],
        ),
        (
            "Daarnaast werd het VEK-krediet verminderd met 1.315 keuro.",
            [("1.315", "VEK", "")],
        ),
        (
            "De VAK-uitvoering bedroeg 18.278 keuro (oftewel 97,2% realisatiegraad).",
            [("18.278", "VAK", "bu"), ("97,2", "VAK", "")],
        ),
        (
            "Zowel aan VAK- als aan VEK-zijde werd 2.000 keuro herverdeeld.",
            [("2.000", "VAK/VEK", "")],
        ),
    ],
)
def test_credit_type_and_phase_whatever_the_clause_order(text, expected):
    assert [(s.text, s.credit, s.phase) for s in stated_numbers(text, 2024)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Een budgettair invullingspercentage van 71,9%, terwijl de benuttingsgraad 93,9% bedroeg.",
        "De benuttingsgraad steeg met 2,1% ten opzichte van 2023 en bedroeg 93,9%.",
        "De benuttingsgraad steeg van 91,0% naar 93,9%.",
        "De benuttingsgraad bedroeg 91,2% in 2023 en 93,9% in 2024.",
        "De uitstroom naar werk bedroeg 31%, de benuttingsgraad 93,9%.",
    ],
)
def test_only_this_years_utilisation_is_a_claim(text):
    claims = [s.text for s in stated_numbers(text, 2024) if s.utilisation]
    assert claims == ["93,9"]


@pytest.mark.parametrize(
    "text",
    [
        "De uitvoering bedroeg ruim 550 miljoen euro.",
        "De benuttingsgraad is net iets hoger dan 91,0% van het totale beschikbare krediet.",
        "Er ging tussen 5 en 10 miljoen euro naar de oproep.",
        "De uitvoering bedroeg 5 à 6 miljoen euro.",
    ],
)
def test_bounds_and_estimates_are_not_compared(text):
    found = list(stated_numbers(text, 2024))
    assert found and all(s.approximate for s in found)


# -- what the rule reports, on the example's figures -----------------------------------------


def prose(tmp_path: Path, text: str) -> list[str]:
    article = ARTICLE.split("toelichting:")[0] + f"toelichting: |\n  {text}\n"
    root = make_budget(tmp_path / "b", {A: article})
    return [f.message for f in check(root).findings if f.code.startswith("BBT21")]


def test_rounded_amount_matches_when_the_figure_rounds_to_it(tmp_path):
    # 552.289 keuro is 552,3 miljoen euro (half-up), 552.157 keuro is 552,2.
    assert (
        prose(tmp_path, "De uitvoering bedroeg 552,3 miljoen euro VAK en 552,2 miljoen euro VEK.")
        == []
    )
    assert prose(tmp_path / "2", "De uitvoering bedroeg 552 miljoen euro VAK.") == []
    [message] = prose(tmp_path / "3", "De uitvoering bedroeg 552,4 miljoen euro VEK.")
    assert message == (
        "552,4 miljoen euro matches no figure of article JB0-1JEC2HA-WT; "
        "BU VEK is 552.157 keuro (552,2 miljoen euro; 94,1% of 586.978)"
    )


def test_half_up_at_the_stated_precision(tmp_path):
    # 18.188 keuro accruals: 18,2 miljoen (half-up from 18,188), never 18,1.
    assert (
        prose(tmp_path, "Een bedrag van 18,2 miljoen euro werd op de overlopende rekening geboekt.")
        == []
    )
    [message] = prose(
        tmp_path / "2", "Een bedrag van 18,1 miljoen euro werd op de overlopende rekening geboekt."
    )
    assert "accruals VAK is 18.188 keuro (18,2 miljoen euro)" in message


def test_swapped_credit_types_are_found(tmp_path):
    [message] = prose(
        tmp_path,
        "Het beschikbare budget op het jaareinde bedroeg 586.978 keuro VAK en 586.978 keuro VEK.",
    )
    assert message == (
        "586.978 matches no BA-JR VAK figure of article JB0-1JEC2HA-WT; it is BA-JR VEK; "
        "BA-JR VAK is 588.293"
    )


def test_euro_in_full_must_equal_the_figure(tmp_path):
    assert prose(tmp_path, "Het BA bedroeg 580.966.000 euro VAK/VEK.") == []
    [message] = prose(tmp_path / "2", "Het BA bedroeg 580.966.500 euro VAK/VEK.")
    assert message.startswith("580.966.500 euro matches no figure")


def test_utilisation_in_words_is_checked(tmp_path):
    assert prose(tmp_path, "Van het beschikbare VEK-krediet werd 94,1 procent benut.") == []
    [message] = prose(tmp_path / "2", "Van het beschikbare krediet werd 95,1 procent benut.")
    assert message.startswith("95,1% is no utilisation of article JB0-1JEC2HA-WT")


def test_a_share_of_the_available_credit_is_checked_as_a_share(tmp_path):
    # Accruals 18.188 keuro of BA-JR VAK 588.293 is 3,1%.
    text = "De uitvoering omvat 18.188 keuro VAK of {} van het beschikbare krediet op de overlopende rekening."
    assert prose(tmp_path, text.format("3,1%")) == []
    [message] = prose(tmp_path / "2", text.format("3,5%"))
    assert message == (
        "3,5% is not the share of the available credit of article JB0-1JEC2HA-WT; "
        "accruals VAK 18.188 is 3,1% of BA-JR 588.293"
    )


def test_a_share_of_something_else_is_not_compared(tmp_path):
    text = "Van de uitvoering ging 18.188 keuro VAK, of 40,0% van de afrekening, naar de overlopende rekening."
    assert prose(tmp_path, text) == []


def test_a_text_full_of_wrong_numbers_stops_after_50_findings(tmp_path):
    article = ARTICLE.split("toelichting:")[0] + "toelichting: text/t.md\n"
    text = "Het BA bedroeg 123.456 keuro VAK.\n\n" * 60
    root = make_budget(tmp_path / "b", {A: article, "text/t.md": text})
    found = [f for f in check(root).findings if f.code.startswith("BBT21")]
    assert len(found) == 51 and all(f.code == "BBT210" for f in found)
    # BA VAK is 580.966: no figure said of BA and VAK is near 123.456.
    assert found[0].message.startswith(
        "123.456 matches no figure of article JB0-1JEC2HA-WT (credits,"
    )
    assert found[-1].location.line == 101
    assert found[-1].message == (
        "more than 50 numbers in this text disagree with article JB0-1JEC2HA-WT; "
        "checking stopped here: is this the text of article JB0-1JEC2HA-WT?"
    )
