"""The loader: the real 2024 data loads exactly, and every kind of mistake points at its line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from budgetkit import ARTICLE, DOCUMENT, EXAMPLE, make_budget

from bbt.errors import LoadError
from bbt.load.budget import load, load_with_findings
from bbt.model import Settings

# Each article's six figures as published in the seed (BA, BA-JR, BU for VAK, then VEK).
SEED_ARTICLES = {
    "JB0-1JEC2HA-WT": ((580966, 588293, 552289), (580966, 586978, 552157)),
    "JB0-1JEC2HC-WT": ((6005, 6089, 4499), (6005, 6089, 4483)),
    "JB0-1JEC2HE-WT": ((111, 113, -2188), (111, 113, -2188)),
    "JB0-1JEC2HF-WT": ((56427, 54579, 35043), (56427, 54579, 35327)),
    "JB0-1JEC2HG-WT": ((50671, 48881, 45663), (50671, 48881, 45663)),
    "JB0-1JEC2GA-WT": ((18144, 18813, 18278), (18272, 33168, 33122)),
    "JB0-1JEC2GB-PA": ((5000, 5000, 0), (5000, 5000, 0)),
}


@pytest.fixture(scope="module")
def example():
    return load(EXAMPLE)


def test_example_has_all_eight_articles(example):
    codes = {a.code.text for a in example.articles}
    assert codes == {*SEED_ARTICLES, "JB0-9JECAGA-OW"}
    assert [i.key for i in example.ises] == ["activering", "duurzame-arbeidsmarkt"]


@pytest.mark.parametrize("code", sorted(SEED_ARTICLES))
def test_each_article_has_the_six_seed_figures(example, code):
    article = example.article(code)
    for credit, expected in zip(("vak", "vek"), SEED_ARTICLES[code], strict=True):
        series = article.credits[credit]
        assert (series.ba, series.ba_jr, series.bu) == tuple(Decimal(v) for v in expected)
        assert all(isinstance(v, Decimal) for v in (series.ba, series.ba_jr, series.bu))


def test_receipts_article(example):
    article = example.article("JB0-9JECAGA-OW")
    assert article.code.is_receipt
    ao = article.credits["ao"]
    assert (ao.ba, ao.ba_jr, ao.bu) == (131, 131, 45)


def test_movement_identity_holds_for_every_article_and_credit(example):
    for article in example.articles:
        for credit, series in article.credits.items():
            moved = sum((m.amounts.get(credit, Decimal(0)) for m in article.movements), Decimal(0))
            assert series.ba + moved == series.ba_jr, (article.code, credit)


def test_index_movements_come_from_the_provision(example):
    index = [m for a in example.articles for m in a.movements if m.kind == "index"]
    assert len(index) == 10
    assert sum(m.amounts["vak"] for m in index) == 8275  # seed: "ten belope van 8.275 keuro"


@pytest.mark.parametrize(
    "written",
    ["{}", "{explain_below: 75}", "{charts: false}", "{index_provision: CB0-1CBD2AB-PR}"],
)
def test_a_setting_left_out_takes_its_default(tmp_path, written):
    document = load(make_budget(tmp_path, {"bbt.yaml": DOCUMENT + f"settings: {written}\n"}))
    defaults = Settings()
    given = {
        "explain_below": Decimal(75),
        "charts": False,
        "index_provision": "CB0-1CBD2AB-PR",
    }
    for key, value in given.items():
        expected = value if key in written else getattr(defaults, key)
        assert getattr(document.settings, key) == expected, key
    assert isinstance(document.settings.explain_below, Decimal)
    assert isinstance(document.settings.charts, bool)


def test_movements_from_the_index_provision_are_index_when_the_settings_do_not_name_it(
    tmp_path,
):
    # the starter's settings: explain_below only (bbt/starter/bbt.yaml)
    budget = make_budget(tmp_path, {"bbt.yaml": DOCUMENT + "settings: {explain_below: 90}\n"})
    kinds = [m.kind for m in load(budget).articles[0].movements]
    assert kinds == ["index", "index", "herverdeling"]


def test_every_object_knows_its_line(example):
    article = example.article("JB0-1JEC2HA-WT")
    assert article.loc.file.endswith("articles/JB0-1JEC2HA-WT.yaml")
    assert article.credits["vek"].locs["bu"].line == 7
    assert article.toelichting.loc.file.endswith("JB0-1JEC2HA-WT.toelichting.md")


def test_narrative_chapters_loaded(example):
    assert "Hilde Crevits" not in example.chapters["inleiding"].source
    assert example.chapters["inleiding"].source.startswith(
        "In deze beleids- en begrotingstoelichting"
    )
    assert len(example.glossary) >= 54
    assert {i.id for i in example.indicators} == {
        "werkzaamheidsgraad-pmah",
        "invulling-contingent",
        "leefbaarheid-cmw",
    }
    assert len(example.annexes.resoluties) == 3
    assert example.annexes.rekenhof == () and example.annexes.arresten == ()


# -- mistakes: each yields its code at its line -------------------------------------------


def _one(tmp_path: Path, files: dict[str, str | None], article: str | None = ARTICLE):
    root = make_budget(tmp_path / "b", files, article=article)
    document, findings = load_with_findings(root)
    errors = [f for f in findings if f.severity.name == "ERROR"]
    assert document is None and errors, findings
    return errors


A = "articles/JB0-1JEC2HA-WT.yaml"


def edited(old: str, new: str) -> dict[str, str | None]:
    """The test budget with one edit of its article: ``old`` replaced by ``new``."""
    assert old in ARTICLE, old
    return {A: ARTICLE.replace(old, new)}


@pytest.mark.parametrize(
    ("change", "code", "line", "words"),
    [
        (edited("title: Collectief", "title: [Collectief"), "BBT001", 3, "YAML syntax error"),
        (edited("od: OD17", "odd: OD17"), "BBT002", 4, "did you mean 'od'"),
        (edited("accruals:", "acruals:"), "BBT002", 12, "did you mean 'accruals'"),
        (
            edited("ba: 580966, ba_jr: 588293", "ba: [1], ba_jr: 588293"),
            "BBT003",
            6,
            "must be an amount",
        ),
        (edited("bu: 552289", "bu: 552289.0000001"), "BBT009", 6, "decimals"),
        (edited("bu: 552289", "bu: '552.289,5'"), "BBT009", 6, "Dutch number format"),
        (edited("bu: 552289", "bu: veel"), "BBT009", 6, "not an amount"),
        (edited("title: Collectief maatwerk\n", ""), "BBT004", 1, "has no 'title'"),
        (edited("code: JB0-1JEC2HA-WT", "code: JB0-1JEC2HA-OW"), "BBT005", 1, "receipts aggregate"),
        (
            edited("code: JB0-1JEC2HA-WT", "code: JB01JEC2HA"),
            "BBT005",
            1,
            "not a budget article code",
        ),
        ({"articles/copy.yaml": ARTICLE}, "BBT006", 1, "defined twice"),
        (edited("ise: activering", "ise: activeringg"), "BBT007", 3, "did you mean 'activering'"),
        (edited("od: OD17", "od: OD99"), "BBT007", 4, "OD 'OD99' does not exist"),
        (edited("to: Elders, ", ""), "BBT008", 11, "neither 'from' nor 'to'"),
        (
            edited("to: Elders", "to: JB0-1JEC2ZZ-WT"),
            "BBT007",
            11,
            "must name an article of this document",
        ),
        ({A: "code: JB0-1JEC2HA-WT\n\ttitle: x\n"}, "BBT001", 2, "tab used for indentation"),
        (
            edited("title: Collectief maatwerk", "title: !!python/object/apply:os.system [ls]"),
            "BBT011",
            2,
            "not allowed",
        ),
        ({A: ARTICLE + "title: again\n"}, "BBT013", 15, "appears twice"),
        ({"bbt.yaml": None}, "BBT014", 0, "not a budget folder"),
        ({"bbt.yaml": "title: x\nyear: twenty\n"}, "BBT003", 2, "whole number"),
        ({"ises/activering.yaml": None}, "BBT007", 0, "does not exist"),
        (
            edited("toelichting: |", "toelichting: text/missing.md\nx: |"),
            "BBT007",
            13,
            "does not exist",
        ),
    ],
)
def test_mistake_points_at_its_line(tmp_path, change, code, line, words):
    errors = _one(tmp_path, change)
    match = [f for f in errors if f.code == code]
    assert match, errors
    finding = match[0]
    assert words in finding.message
    if line:
        assert finding.location.line == line, finding


def test_all_mistakes_of_a_run_are_reported_together(tmp_path):
    broken = ARTICLE.replace("od: OD17", "odd: OD17").replace("bu: 552289", "bu: x")
    errors = _one(tmp_path, {A: broken, "articles/other.yaml": "code: nope\n"})
    assert {f.code for f in errors} >= {"BBT002", "BBT009", "BBT005"}


def test_latin1_file(tmp_path):
    root = make_budget(tmp_path / "b")
    (root / A).write_bytes(ARTICLE.replace("Collectief", "Coll\u00e9ctief").encode("latin-1"))
    errors = load_with_findings(root)[1]
    assert errors[0].code == "BBT012" and errors[0].location.line == 2


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    errors = _one(tmp_path, {"glossary.yaml": "\n".join(lines) + "\n"})
    assert errors[0].code == "BBT011" and "alias" in errors[0].message


def test_load_raises_with_all_findings(tmp_path):
    root = make_budget(tmp_path / "b", edited("od: OD17", "odd: OD17"))
    with pytest.raises(LoadError) as info:
        load(root)
    assert "BBT002" in str(info.value)


def test_format_doc_example_passes(tmp_path):
    """docs/format.md carries a complete small budget; it must load and check clean."""
    import re

    from bbt.pipeline import check

    text = (Path(__file__).parent.parent / "docs" / "format.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml file=(\S+)\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    root = tmp_path / "doc-example"
    for name, body in blocks:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    result = check(root)
    assert not result.failed(strict=True), [str(f) for f in result.findings]


def test_an_unknown_od_is_reported_at_its_own_line_and_od_codes_ignore_spaces(tmp_path):
    """BBT007 points at the ``od:`` line, not the top of the file; ``OD 17`` is ``OD17``."""
    from bbt.pipeline import check

    spaced = make_budget(
        tmp_path / "a", {"articles/JB0-1JEC2HA-WT.yaml": ARTICLE.replace("od: OD17", "od: OD 17")}
    )
    result = check(spaced)
    assert not result.errors
    assert result.calculation.document.articles[0].od == "OD17"
    wrong = make_budget(
        tmp_path / "b", {"articles/JB0-1JEC2HA-WT.yaml": ARTICLE.replace("od: OD17", "od: OD71")}
    )
    [finding] = [f for f in check(wrong).findings if f.code == "BBT007"]
    assert finding.location.line == 4 and "OD 'OD71' does not exist" in finding.message


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("|\n  een\n  twee\n  drie\u200b\n", 5),
        (">\n  een\n  twee\n  drie\u200b\n", 5),  # folded: YAML joined the lines
        ('"een\n  twee\n  drie\u200b"\n', 4),  # a quoted scalar over several lines
        ('"een \\u200b"\n', 2),  # written as an escape: the scalar's own line
    ],
)
def test_an_invisible_character_is_reported_at_its_own_line(value: str, line: int) -> None:
    from bbt.load.yamlsrc import parse_yaml_text

    findings: list = []
    parse_yaml_text(f"title: x\ntoelichting: {value}", "a.yaml", findings)
    assert [(f.code, f.location.line) for f in findings] == [("BBT025", line)]
