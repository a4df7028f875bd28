"""The README's examples work as printed, and leave nothing untracked behind.

Every ```sh block of README.md runs line by line in a fresh copy of the repository (the files git
knows, committed into a new git repository), each block starting at its root: ``bbt ...`` runs
through the real command group, ``cd`` changes the folder for the lines after it. A line runs
after its ``#`` comment is cut off and must exit 0. Not run: ``bbt serve`` (it serves until
stopped) and the install and test commands of "Start here", which must instead be what .ci/run
runs. At the end ``git status`` of the copy must be clean: every default output folder is ignored.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from budgetkit import git, tracked_files
from click.testing import CliRunner

from bbt.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"^```sh\n(.*?)^```", README, flags=re.M | re.S)
NOT_RUN = ("bbt serve",)  # serves until stopped


def _lines(block: str) -> list[list[str]]:
    """Each line's commands (``a && b`` is two), as argument lists, comments cut off."""
    out = []
    for line in block.splitlines():
        for part in line.split(" && "):
            words = shlex.split(part, comments=True)
            if words:
                out.append(words)
    return out


def test_the_readme_has_blocks_to_run() -> None:
    commands = [words for block in BLOCKS for words in _lines(block)]
    bbt = [w for w in commands if w[0] == "bbt"]
    assert len(BLOCKS) >= 4 and len(bbt) >= 15
    for needed in ("init", "check", "build", "preview", "export", "import", "new", "diff"):
        assert any(w[1] == needed for w in bbt), needed


def test_the_install_and_test_commands_are_what_ci_runs() -> None:
    start = _lines(BLOCKS[0])
    pip, pytest_ = ["python", "-m", "pip"], ["python", "-m", "pytest"]
    assert [w[:3] for w in start] == [pip, ["bbt", "build"], pip, pytest_]
    ci = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    test_line = next(line for line in BLOCKS[0].splitlines() if "pytest" in line)
    for part in test_line.split(" && "):
        assert part.strip() in ci, part
    # the same pins for the user's install as for CI's
    assert "-c constraints.txt" in BLOCKS[0].splitlines()[0]


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the repository: the files git knows, committed."""
    names = tracked_files(ROOT)
    if names is None:
        pytest.skip("not a git checkout")
    copy = tmp_path_factory.mktemp("readme") / "bbt"
    for name in names:
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            (copy / name).write_bytes(source.read_bytes())
    git(copy, "init", "-q")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "fresh checkout")
    return copy


def _run_block(repository: Path, number: int, monkeypatch: pytest.MonkeyPatch) -> int:
    here, ran = repository, 0
    for words in _lines(BLOCKS[number]):
        if words[0] == "cd":
            here = (here / words[1]).resolve()
            continue
        line = shlex.join(words)
        if line.startswith(NOT_RUN):
            continue
        assert words[0] == "bbt", f"README block {number}: cannot run {line!r}"
        monkeypatch.chdir(here)
        result = CliRunner().invoke(main, words[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        assert "Traceback" not in result.output, line
        ran += 1
    return ran


def test_every_example_runs_as_printed_and_leaves_nothing_untracked(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran = [_run_block(repository, number, monkeypatch) for number in range(1, len(BLOCKS))]
    assert all(ran), ran  # every block had something to run
    # what the examples wrote in the repository is all in ignored folders
    assert (repository / "output").is_dir() and (repository / "preview").is_dir()
    assert git(repository, "status", "--porcelain", "--untracked-files=all") == ""
    # and "Your own budget" made a budget beside the repository, not in it
    assert (repository.parent / "mijn-begroting" / "output" / "mijn-begroting.pdf").is_file()
