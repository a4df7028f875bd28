"""Drafts never reach Parliament looking final: bbt build refuses them unless --draft."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bbt.cli import main
from bbt.resources import EXAMPLE


def test_a_document_with_drafts_builds_only_as_a_draft(tmp_path: Path) -> None:
    from budgetkit import ARTICLE, make_budget

    drafted = ARTICLE.replace(
        "toelichting: |\n", "toelichting: |\n  {# draft: tekst van 2023, herschrijven #}\n"
    )
    budget = make_budget(tmp_path / "b", {"articles/JB0-1JEC2HA-WT.yaml": drafted})
    runner = CliRunner()
    out = tmp_path / "out"
    refused = runner.invoke(main, ["build", str(budget), "-o", str(out), "--format", "html"])
    assert refused.exit_code == 1
    assert "[BBT131]" in refused.output and "1 text(s) are still drafts" in refused.output
    assert "JB0-1JEC2HA-WT.yaml:14: warning: narrative is a draft" in refused.output
    assert not out.exists() or not any(out.iterdir())
    built = runner.invoke(
        main, ["build", str(budget), "-o", str(out), "--format", "html", "--draft"]
    )
    assert built.exit_code == 0, built.output
    assert (out / "b.html").is_file()


def test_a_final_document_builds_without_the_flag(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "-o", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "BBT131" not in result.output


def test_a_set_with_a_draft_document_builds_only_with_the_flag(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "set"
    shutil.copytree(Path(__file__).parent / "data" / "set" / "consistent", root)
    listing = root / "set.yaml"  # its relative way to the shipped example holds in tests/ only
    relative = "../../../../bbt/examples"
    listing.write_text(
        listing.read_text(encoding="utf-8").replace(relative, EXAMPLE.parent.as_posix()),
        encoding="utf-8",
    )
    article = root / "financien" / "articles" / "CB0-1CBD2AB-PR.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(
        text.replace("toelichting: |\n", "toelichting: |\n  {# draft: nog nakijken #}\n"),
        encoding="utf-8",
    )
    runner = CliRunner()
    out = tmp_path / "out"
    command = ["build", str(root), "-o", str(out), "--format", "html"]
    refused = runner.invoke(main, command)
    assert refused.exit_code == 1
    assert "[BBT131]" in refused.output
    assert not (out / "financien.html").exists()
    built = runner.invoke(main, [*command, "--draft"])
    assert built.exit_code == 0, built.output

    def body(name: str) -> str:  # the stylesheet names ONTWERP in every document
        return (out / name).read_text(encoding="utf-8").split("</style>", 1)[1]

    assert "ONTWERP" in body("financien.html")
    assert "ONTWERP" not in body("cultuur.html")
