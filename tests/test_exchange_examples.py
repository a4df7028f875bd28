"""Every example of ``bbt import/export/new/diff --help`` and of docs/exchange.md runs as printed.

The examples run in a sandbox laid out like a budget repository: ``budgets/2024-sociale-economie``
(the shipped example), the sample spreadsheets under the names the examples use, two folders
``old`` and ``new``, and a git history with ``origin/main`` one commit behind ``HEAD``. Each
line runs through the real ``bbt`` command group; ``> file`` redirects its output.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from budgetkit import git
from click.testing import CliRunner

from bbt.cli import main
from bbt.exchange.cli import COMMANDS
from bbt.resources import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "exchange"
DOCS = ROOT / "docs" / "exchange.md"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    budget = Path(shutil.copytree(EXAMPLE, tmp_path / "budgets" / "2024-sociale-economie"))
    shutil.copy(DATA / "figures-2024.xlsx", tmp_path / "figures-2025.xlsx")
    shutil.copy(DATA / "figures-2024.csv", tmp_path / "figures.csv")
    shutil.copy(DATA / "accounting-export.csv", tmp_path / "accounting.csv")
    shutil.copy(DATA / "mapping-example.yaml", tmp_path / "mapping.yaml")
    shutil.copytree(EXAMPLE, tmp_path / "old")
    new = Path(shutil.copytree(EXAMPLE, tmp_path / "new"))
    edit(new / "articles" / "JB0-1JEC2HA-WT.yaml", "accruals: {vak: 18188", "accruals: {vak: 18190")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "budgets")
    git(tmp_path, "commit", "-q", "-m", "2024 as published")
    git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    edit(budget / "glossary.yaml", "meaning: Alle Hens Aan Dek", "meaning: Alle hens aan dek")
    git(tmp_path, "commit", "-q", "-am", "glossary")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_line(line: str, sandbox: Path) -> None:
    """Run one example line: ``bbt ...`` commands joined by ``&&``, ``> file`` redirected."""
    for part in line.split("&&"):
        words = shlex.split(part, comments=True)
        target = None
        if ">" in words:
            words, target = words[: words.index(">")], words[words.index(">") + 1]
        if words[0] == "frictionless":
            frictionless = pytest.importorskip("frictionless")
            assert frictionless.validate(words[-1]).valid, line
            continue
        assert words[0] == "bbt", line
        result = CliRunner().invoke(main, words[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if target is not None:
            (sandbox / target).write_text(result.stdout, encoding="utf-8")


def help_examples(name: str) -> list[str]:
    command = next(c for c in COMMANDS if c.name == name)
    text = CliRunner().invoke(command, ["--help"]).output
    examples = text.split("Examples:", 1)[1]
    return [line.strip() for line in examples.splitlines() if line.strip().startswith("bbt ")]


def test_help_examples_run_as_printed(sandbox: Path) -> None:
    ran = []
    for name in ("new", "export", "import", "diff"):  # the order a year goes in
        lines = help_examples(name)
        assert len(lines) >= 2, name
        for line in lines:
            run_line(line, sandbox)
            ran.append(line)
    assert (sandbox / "budgets" / "2025-sociale-economie" / "bbt.yaml").is_file()
    assert (sandbox / "open-data" / "credits.xlsx").is_file()
    assert (
        "| AHAD | Alle Hens Aan Dek | Alle hens aan dek |" in (sandbox / "comment.md").read_text()
    )
    assert "<h2>Accruals</h2>" in (sandbox / "changes.html").read_text()
    assert len(ran) >= 12


def docs_examples() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_docs_examples_run_as_printed(sandbox: Path) -> None:
    lines = docs_examples()
    assert len(lines) >= 6
    for line in lines:
        run_line(line, sandbox)
    comment = (sandbox / "comment.md").read_text(encoding="utf-8")
    assert comment.startswith("## Budget changes:") and "### Glossary" in comment
    figures = sandbox / "budgets" / "2025-sociale-economie" / "articles" / "JB0-1JEC2HA-WT.yaml"
    assert "vek: {ba: 580966, ba_jr: 586978, bu: 552157}" in figures.read_text(encoding="utf-8")
