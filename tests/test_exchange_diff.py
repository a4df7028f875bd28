"""bbt diff: a change report in budget terms, between folders or git revisions."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from bbt.exchange.cli import COMMANDS
from bbt.resources import EXAMPLE

DIFF = next(c for c in COMMANDS if c.name == "diff")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
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
    result = CliRunner().invoke(DIFF, [str(old), str(new)])
    assert result.exit_code == 0, result.output
    out = result.stdout
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


def test_html_report(pair: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = pair
    page = tmp_path / "out" / "changes.html"
    result = CliRunner().invoke(DIFF, [str(old), str(new), "--html", str(page)])
    assert result.exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert "<h2>Figures</h2>" in html and "<td class=num>522.157</td>" in html
    assert "<td class=num>89,0%</td>" in html


def test_no_changes(pair: tuple[Path, Path]) -> None:
    old, _ = pair
    result = CliRunner().invoke(DIFF, [str(old), str(EXAMPLE)])
    assert result.exit_code == 0
    assert "No changes in figures" in result.stdout


def test_a_version_that_does_not_load(tmp_path: Path) -> None:
    result = CliRunner().invoke(DIFF, [str(EXAMPLE), str(tmp_path)])
    assert result.exit_code == 1
    assert "[BBT014]" in result.stderr and result.stdout == ""


def test_usage() -> None:
    assert CliRunner().invoke(DIFF, [str(EXAMPLE)]).exit_code == 2
    assert CliRunner().invoke(DIFF, ["--git", "a", "b", "x", "y"]).exit_code == 2
    assert "bbt diff --git origin/main HEAD" in CliRunner().invoke(DIFF, ["--help"]).output


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_two_git_revisions(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    folder = Path(shutil.copytree(EXAMPLE, repo / "budgets" / "2024"))

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    edit(folder / "articles" / "JB0-1JEC2HE-WT.yaml", "bu: -2188}   #", "bu: -2187}   #")
    git("commit", "-q", "-am", "two")
    result = CliRunner().invoke(DIFF, ["--git", "HEAD~1", "HEAD", str(folder)])
    assert result.exit_code == 0, result.output
    assert (
        "| JB0-1JEC2HE-WT Doelgroepvermindering gesco's sociale werkplaatsen | VAK | BU | -2.188 | -2.187 | +1 |"
        in result.stdout
    )
    assert "1 figure(s) changed in 1 article(s)" in result.stdout
    result = CliRunner().invoke(DIFF, ["--git", "HEAD~1", "nope", str(folder)])
    assert result.exit_code == 1 and "unknown git revision 'nope' [BBT530]" in result.stderr
    result = CliRunner().invoke(DIFF, ["--git", "--upload-pack=x", "HEAD", str(folder)])
    assert result.exit_code == 1 and "[BBT530]" in result.stderr
