"""bbt as a package: the wheel is complete and works from the user's own folder.

The wheel test builds the wheel from a clean copy of the tree (the files git knows), installs it
into a temporary folder with ``pip install --target`` (never into the environment running the
tests), and runs ``python -m bbt build`` and the ``bbt`` console script from an empty folder
outside the repository. The build needs setuptools 77 or later (the test extra brings it).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
import yaml
from budgetkit import ARTICLE, make_budget, tracked_files
from click.testing import CliRunner

from bbt.cli import main
from bbt.console import find_budget

ROOT = Path(__file__).resolve().parent.parent
A = "articles/JB0-1JEC2HA-WT.yaml"
PIP = (sys.executable, "-m", "pip", "-q", "--disable-pip-version-check")


# -- where commands find the budget ---------------------------------------------------------------


def test_a_command_uses_the_budget_of_the_current_folder_or_a_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_budget(tmp_path / "b", {A: ARTICLE.replace("ba_jr: 586978", "ba_jr: 586979")})
    (root / "text").mkdir()
    monkeypatch.chdir(root / "text")
    assert find_budget() == Path("..")
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    # the finding names the file as seen from where the user stands
    assert f"{Path('..') / A}:7:28: error:" in result.output
    assert "shipped example" not in result.output


def test_without_a_budget_the_example_is_used_and_stderr_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_budget() is None
    text = CliRunner().invoke(main, ["check", "-q"])
    assert text.exit_code == 0
    assert "using the shipped example 2024-sociale-economie" in text.stderr
    assert "using the shipped example" not in text.stdout
    for fmt in ("json", "github"):
        result = CliRunner().invoke(main, ["check", "--format", fmt])
        assert result.exit_code == 0 and result.stderr == "", fmt
    parsed = json.loads(CliRunner().invoke(main, ["check", "--format", "json"]).stdout)
    assert parsed["version"] == 1


def test_the_hook_fails_where_no_budget_is_found_instead_of_checking_the_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = next(h["entry"] for h in hooks if h["id"] == "bbt-check").split()
    assert entry[:2] == ["bbt", "check"]
    monkeypatch.chdir(tmp_path)
    refused = CliRunner().invoke(main, [*entry[1:], "--strict"])
    assert refused.exit_code == 2
    assert "no bbt.yaml in this folder or above it: name the budget folder" in refused.stderr
    make_budget(tmp_path / "budgets" / "2025")
    named = CliRunner().invoke(main, [*entry[1:], "budgets/2025", "--strict"])
    assert named.exit_code == 0, named.output
    monkeypatch.chdir(tmp_path / "budgets" / "2025")
    assert CliRunner().invoke(main, [*entry[1:], "--strict"]).exit_code == 0


def _output_defaults(command: click.Command, path: str) -> list[tuple[str, Path]]:
    """Every folder option of every command whose default is a relative path."""
    found = []
    for param in command.params:
        if isinstance(param.default, Path) and not param.default.is_absolute():
            found.append((f"{path} {param.name}", param.default))
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None
            found += _output_defaults(sub, f"{path} {name}")
    return found


def test_every_default_output_folder_is_ignored_by_git() -> None:
    defaults = _output_defaults(main, "bbt")
    written = {d.parts[0] for _name, d in defaults if d != Path(".")}
    assert written == {"output", "preview"}, defaults
    ignored = (ROOT / ".gitignore").read_text("utf-8").split()
    assert sorted(f"{folder}/" for folder in written if f"{folder}/" not in ignored) == []


def test_build_writes_into_output_where_the_user_stands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_budget(tmp_path / "mijn-begroting")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert (root / "output" / "mijn-begroting.html").is_file()
    assert "mijn-begroting: rendering HTML" in result.stderr


# -- the wheel ------------------------------------------------------------------------------------


def _clean_copy(target: Path) -> Path:
    """The files a fresh clone would hold (tracked and new, not ignored), copied to ``target``."""
    names = tracked_files(ROOT)
    if names is None:
        pytest.skip("not a git checkout")  # an unpacked sdist: nothing to compare with
    for name in names:
        source = ROOT / name
        if source.is_file():  # a file deleted in the work tree is still listed
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _setuptools_can_build() -> bool:
    try:
        major = int(importlib.metadata.version("setuptools").split(".")[0])
    except importlib.metadata.PackageNotFoundError:
        return False
    return major >= 77


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a clean copy of the tree, offline, with this environment's setuptools."""
    if not _setuptools_can_build():
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have setuptools>=77 (the test extra) to build the wheel")
        pytest.skip("setuptools>=77 is not installed (pip install -e '.[test]' brings it)")
    tree = _clean_copy(tmp_path_factory.mktemp("clone"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(tree)],
        check=True,
        capture_output=True,
    )
    (built,) = dist.glob("bbt-*.whl")
    return built


def test_the_wheel_holds_every_file_of_the_package(wheel: Path) -> None:
    # the package files _clean_copy gives the wheel build, listed without copying them again
    names = tracked_files(ROOT) or []
    wanted = {n for n in names if n.startswith("bbt/") and (ROOT / n).is_file()}
    names = set(zipfile.ZipFile(wheel).namelist())
    assert sorted(wanted - names) == []
    for needed in (
        "bbt/templates/bbt/document.html.j2",
        "bbt/templates/bbt/fonts/NotoSans-Regular.ttf",
        "bbt/examples/2024-sociale-economie/bbt.yaml",
        "bbt/outline/execution.yaml",
        "bbt/starter/bbt.yaml",
    ):
        assert needed in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode("utf-8")
    assert "bbt = bbt.guard:main" in text and "[bbt.extensions]" in text


def test_the_installed_wheel_builds_the_example_from_an_empty_folder(
    wheel: Path, tmp_path: Path
) -> None:
    target, here = tmp_path / "site", tmp_path / "empty"
    here.mkdir()
    subprocess.run(
        [*PIP, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    # The wheel's copy comes first; the test environment gives the dependencies.
    env = {**os.environ, "PYTHONPATH": str(target), "NO_COLOR": "1"}

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=here, env=env, capture_output=True, text=True, check=False, timeout=300
        )

    where = run(sys.executable, "-c", "import bbt; print(bbt.__file__)")
    assert Path(where.stdout.strip()).is_relative_to(target), where

    built = run(sys.executable, "-m", "bbt", "build")
    assert built.returncode == 0, built.stderr
    assert "using the shipped example 2024-sociale-economie" in built.stderr
    pdf = here / "output" / "2024-sociale-economie.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")

    checked = run(str(target / "bin" / "bbt"), "check", "--strict", "--format", "json")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["version"] == 1 and checked.stderr == ""

    started = run(sys.executable, "-m", "bbt", "init", "mijn-begroting", "--year", "2025")
    assert started.returncode == 0, started.stderr
    assert run(sys.executable, "-m", "bbt", "check", "--strict", "mijn-begroting").returncode == 0
    assert sorted(p.name for p in here.iterdir()) == ["mijn-begroting", "output"]
