"""bbt new: next year's skeleton from the 2024 example."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bbt.exchange.cli import COMMANDS
from bbt.load.budget import load
from bbt.pipeline import check
from bbt.resources import EXAMPLE

DATA = Path(__file__).resolve().parent / "data" / "exchange"
NEW = next(c for c in COMMANDS if c.name == "new")
MARKER = "{# draft: tekst van 2024, herschrijven #}"


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("new") / "2025-sociale-economie"
    result = CliRunner().invoke(NEW, ["2025", "--from", str(EXAMPLE), "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert (
        "8 articles with figures cleared, 39 narratives marked as drafts of 2024" in result.output
    )
    return target


def test_skeleton_keeps_structure_and_clears_last_years_figures(skeleton: Path) -> None:
    doc = load(skeleton)
    old = load(EXAMPLE)
    assert doc.year == 2025 and doc.subtitle == "Uitvoering begrotingsjaar 2025"
    assert [a.code.text for a in doc.articles] == [a.code.text for a in old.articles]
    assert [i.key for i in doc.ises] == [i.key for i in old.ises]
    for article in doc.articles:
        assert article.movements == () and article.accruals == {} and article.figures == {}
        assert set(article.credits) == set(old.article(article.code.text).credits)  # type: ignore[union-attr]
        assert all(
            s.ba is None and s.ba_jr is None and s.bu is None for s in article.credits.values()
        )
    assert doc.published.amounts == {} and doc.stamp == ""
    text = (skeleton / "articles" / "JB0-1JEC2HA-WT.yaml").read_text(encoding="utf-8")
    assert (
        "# 2024: VAK BA 580966, BA-JR 588293, BU 552289; VEK BA 580966, BA-JR 586978, BU 552157"
        in text
    )
    assert "  vak: {}\n" in text and "movements" not in text


def test_every_narrative_is_a_draft_and_check_lists_drafts_and_missing_phases(
    skeleton: Path,
) -> None:
    toelichting = (skeleton / "text" / "articles" / "JB0-1JEC2HA-WT.toelichting.md").read_text()
    original = (EXAMPLE / "text" / "articles" / "JB0-1JEC2HA-WT.toelichting.md").read_text()
    assert toelichting == f"{MARKER}\n{original}"
    result = check(skeleton)  # never crashes
    assert result.calculation is not None
    codes = [f.code for f in result.findings]
    assert codes.count("BBT130") == 39
    missing = [f for f in result.findings if f.code == "BBT107"]
    assert len(missing) == 17  # every credit type of every article
    assert all(f.code in {"BBT107"} for f in result.errors)


def test_inline_narratives_get_the_marker_inside_the_yaml(tmp_path: Path) -> None:
    source = tmp_path / "b2024"
    shutil.copytree(EXAMPLE, source)
    article = source / "articles" / "JB0-1JEC2GB-PA.yaml"
    article.write_text(
        article.read_text().replace(
            "toelichting: text/articles/JB0-1JEC2GB-PA.toelichting.md",
            "toelichting: |\n  Er werden geen leningen verstrekt.\n",
        )
    )
    result = CliRunner().invoke(NEW, ["2025", "--from", str(source)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "b2025"
    assert target.is_dir()
    text = (target / "articles" / "JB0-1JEC2GB-PA.yaml").read_text()
    assert f"toelichting: |\n  {MARKER}\n  Er werden geen leningen verstrekt.\n" in text
    assert any(
        f.code == "BBT130" and "JB0-1JEC2GB-PA.yaml" in f.location.file
        for f in check(target).findings
    )


def test_skeleton_filled_by_import_has_the_figures_back(skeleton: Path, tmp_path: Path) -> None:
    target = Path(shutil.copytree(skeleton, tmp_path / "filled"))
    importer = next(c for c in COMMANDS if c.name == "import")
    result = CliRunner().invoke(
        importer, [str(DATA / "figures-2024.csv"), "--into", str(target), "--yes"]
    )
    assert result.exit_code == 0, result.output
    text = (target / "articles" / "JB0-1JEC2HA-WT.yaml").read_text()
    assert "  vek: {ba: 580966, ba_jr: 586978, bu: 552157}\n" in text
    assert {a.code.text: a.credits for a in load(target).articles} == {
        a.code.text: a.credits for a in load(EXAMPLE).articles
    }


def test_refusals(skeleton: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(NEW, ["2025", "--from", str(EXAMPLE), "--to", str(skeleton)])
    assert result.exit_code == 2 and "already exists" in result.output
    result = CliRunner().invoke(NEW, ["2024", "--from", str(EXAMPLE), "--to", str(tmp_path / "x")])
    assert result.exit_code == 1 and "[BBT520]" in result.stderr
    assert not (tmp_path / "x").exists()
    result = CliRunner().invoke(NEW, ["2025", "--from", str(tmp_path), "--to", str(tmp_path / "y")])
    assert result.exit_code == 1 and "[BBT014]" in result.stderr
    assert CliRunner().invoke(NEW, ["twenty"]).exit_code == 2
    assert list(tmp_path.iterdir()) == []
    assert (
        "bbt new 2025 --from budgets/2024-sociale-economie"
        in CliRunner().invoke(NEW, ["--help"]).output
    )
