"""bbt diff: a change report in budget terms, between folders or git revisions."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from budgetkit import git
from click.testing import CliRunner

from bbt.exchange.cli import COMMANDS
from bbt.resources import EXAMPLE

DIFF = next(c for c in COMMANDS if c.name == "diff")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def diff(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(DIFF, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example, and a copy with the seed's typo in the data and more (it fails bbt check)."""
    root = tmp_path_factory.mktemp("diff")
    old = Path(shutil.copytree(EXAMPLE, root / "old"))
    new = Path(shutil.copytree(EXAMPLE, root / "new"))
    article = new / "articles" / "JB0-1JEC2HA-WT.yaml"
    edit(article, "bu: 552157}", "bu: 522157}")  # the seed's typo, now in the data
    edit(
        article,
        "  - {id: index_jan25, vak: 723, vek: 723",
        "  - {id: extra, vak: 10, vek: 10, from: Relanceprovisie, reason: test}\n"
        "  - {id: index_jan25, vak: 723, vek: 723",
    )
    (new / "articles" / "JB0-1JEC2GB-PA.yaml").unlink()
    kader = new / "text" / "activering" / "kader.md"
    kader.write_text(kader.read_text(encoding="utf-8") + "\nEen nieuwe zin.\n", encoding="utf-8")
    return old, new


def test_markdown_report_of_two_folders(pair: tuple[Path, Path]) -> None:
    old, new = pair
    code, out, err = diff(old, new, "--allow-errors")
    assert code == 0, err
    assert "comparing despite" in err and "[BBT101]" in err
    assert out.startswith(
        "## Budget changes: Beleids- en begrotingstoelichting Sociale Economie 2024"
    )
    assert (
        "| JB0-1JEC2HA-WT Collectief maatwerk | VEK | BU | 552.157 | 522.157 | -30.000 | 94,1% | 89,0% |"
        in out
    )
    assert "| JB0-1JEC2HA-WT | added | extra: from Relanceprovisie | – | VAK +10, VEK +10 |" in out
    assert "### Articles removed" in out and "| JB0-1JEC2GB-PA |" in out
    assert "| Activering (Sociale Economie) | VEK | BU | 635.442 | 605.442 | -30.000 |" in out
    assert "| Programme JE | VEK | BU |" in out
    assert "| ise:activering:kader | changed | +2 −0 | text/activering/kader.md |" in out
    assert "|---|---|---|---:|---:|---:|---:|---:|" in out


def test_a_version_with_errors_is_refused(pair: tuple[Path, Path]) -> None:
    old, new = pair
    code, out, err = diff(old, new)
    assert code == 1 and out == ""
    assert re.search(
        r"new/articles/JB0-1JEC2HA-WT\.yaml:\d+:\d+: error: JB0-1JEC2HA-WT VAK: BA 580\.966 "
        r"\+7\.337 movements = 588\.303, but BA-JR is 588\.293 .*\[BBT101\]",
        err,
    ), err
    assert "error(s) in the data (bbt check); no report: fix them, or pass --allow-errors" in err


def test_html_report(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    page = tmp_path / "out" / "changes.html"
    markdown = tmp_path / "out" / "changes.md"
    code, out, _ = diff(old, new, "--html", page, "-o", markdown, "--allow-errors")
    assert code == 0 and out == ""
    html = page.read_text(encoding="utf-8")
    assert "<h2>Figures</h2>" in html and "<td class=num>522.157</td>" in html
    assert "<td class=num>89,0%</td>" in html
    assert "| 552.157 | 522.157 |" in markdown.read_text(encoding="utf-8")


def test_every_printed_figure_and_text_is_compared(tmp_path: Path) -> None:
    """Published totals, provisions, accruals, cited figures, titles, glossary, indicators
    and contingents: the report names each change with the example's real figures."""
    new = Path(shutil.copytree(EXAMPLE, tmp_path / "new"))
    edit(new / "ises" / "activering.yaml", "vak: {bu: 635305}", "vak: {bu: 635306}")
    edit(new / "bbt.yaml", "vak: {bu: 653583}", "vak: {bu: 653584}")
    edit(new / "bbt.yaml", "{vak: 8275, vek: 8275}", "{vak: 8276, vek: 8275}")
    article = new / "articles" / "JB0-1JEC2HA-WT.yaml"
    edit(article, "accruals: {vak: 18188, vek: 18188}", "accruals: {vak: 18190, vek: 18188}")
    edit(article, "title: Collectief maatwerk", "title: Collectief maatwerk (CMW)")
    edit(
        new / "articles" / "JB0-1JEC2HF-WT.yaml",
        "begeleidingspremie: {vak: 3602, vek: 3602",
        "begeleidingspremie: {vak: 3603, vek: 3602",
    )
    edit(
        new / "glossary.yaml",
        "{term: AHAD, meaning: Alle Hens Aan Dek}",
        "{term: AHAD, meaning: Alle hens aan dek}",
    )
    edit(new / "indicators.yaml", '"Kwalitatieve streefwaarde: stijging"', '"Stijging"')
    edit(new / "contingenten.yaml", "filled: 76476.81", "filled: 76476.91")
    code, out, err = diff(EXAMPLE, new, "--allow-errors")
    assert code == 0, err
    assert "[BBT109]" in err  # the provision no longer adds up: printed, allowed
    for row in (
        "| Activering (Sociale Economie) | VAK | BU | 635.305 | 635.306 | +1 |",
        "| Programme JE | VAK | BU | 653.583 | 653.584 | +1 |",
        "| CB0-1CBD2AB-PR | VAK | 8.275 | 8.276 | +1 |",
        "| JB0-1JEC2HA-WT | VAK | 18.188 | 18.190 | +2 |",
        "| JB0-1JEC2HF-WT | begeleidingspremie | VAK | 3.602 | 3.603 | +1 |",
        "| JB0-1JEC2HA-WT | title | Collectief maatwerk | Collectief maatwerk (CMW) |",
        "| AHAD | Alle Hens Aan Dek | Alle hens aan dek |",
        "| werkzaamheidsgraad-pmah | target | Kwalitatieve streefwaarde: stijging | Stijging |",
        "| cmw | 2023 | 76.476,81 / 82.456,46 = 92,7% | 76.476,91 / 82.456,46 = 92,7% |",
    ):
        assert row in out, row
    for section in ("Published totals", "Provisions", "Accruals", "Cited figures", "Glossary"):
        assert f"### {section}" in out
    assert "1 published total change(s)" not in out and "2 published total change(s)" in out
    assert "0 figure(s) changed" in out


def test_no_changes(pair: tuple[Path, Path]) -> None:
    old, _ = pair
    code, out, _ = diff(old, EXAMPLE)
    assert code == 0
    assert "No changes in figures" in out


def test_a_version_that_does_not_load(tmp_path: Path) -> None:
    code, out, err = diff(EXAMPLE, tmp_path, "--allow-errors")
    assert code == 1
    assert "[BBT014]" in err and out == ""


def test_report_paths_that_cannot_be_written(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = pair
    (tmp_path / "file").write_text("x")
    code, out, err = diff(old, EXAMPLE, "-o", tmp_path / "file" / "r.md")
    assert code == 1 and out == ""
    assert "is a file [BBT515]" in err
    code, _, err = diff(old, EXAMPLE, "--html", tmp_path, "-o", tmp_path / "r.md")
    assert code == 1 and "it is a folder [BBT515]" in err
    assert not (tmp_path / "r.md").exists()  # the two files come together, or not at all


def test_usage() -> None:
    assert diff(EXAMPLE)[0] == 2
    assert diff("--git", "a", "b", "x", "y")[0] == 2


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo / "budgets" / "2024")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    return repo


def test_two_git_revisions(repo: Path) -> None:
    folder = repo / "budgets" / "2024"
    edit(folder / "articles" / "JB0-1JEC2HE-WT.yaml", "bu: -2188}   #", "bu: -2187}   #")
    git(repo, "commit", "-q", "-am", "two")
    code, out, err = diff("--git", "HEAD~1", "HEAD", folder)
    assert code == 0, err
    assert (
        "| JB0-1JEC2HE-WT Doelgroepvermindering gesco's sociale werkplaatsen | VAK | BU | -2.188 | -2.187 | +1 |"
        in out
    )
    assert "1 figure(s) changed in 1 article(s)" in out
    code, _, err = diff("--git", "HEAD~1", "nope", folder)
    assert code == 1 and "unknown git revision 'nope' [BBT530]" in err
    code, _, err = diff("--git", "--upload-pack=x", "HEAD", folder)
    assert code == 1 and "[BBT530]" in err
