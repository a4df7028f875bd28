"""The bad-input corpus (tests/bad_inputs/): every mistake gives a clear error and loses nothing.

Each case folder has ``case.yaml`` (what to run and what to expect) and ``files/`` laid over a
small valid budget (``_base``); see tests/bad_inputs/README.md. For every case: the expected
exit status, finding code, file and line and words in the message; no traceback; a secret
planted in the environment and in a file beside the budget folder appears in no message and
no output file; and the output folder, which holds a previous good build, is left exactly as
it was (the budget folder too, for commands that write into it). Cases marked ``isolate`` run
in a subprocess under a memory limit (RLIMIT_AS) and a timeout.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from budgetkit import bounded_bbt
from click.testing import CliRunner

from bbt.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
ROOT = Path(__file__).resolve().parent.parent

SECRET = "BBT-TEST-SECRET-7f3a9c"
"""Planted in BBT_TEST_SECRET and in ``outside/secret.yaml`` beside the budget folder."""

MEMORY_LIMIT = 1024**3
"""Address space of an isolated case (RLIMIT_AS): bbt builds the base budget's PDF in 100 MB."""

TIMEOUT = 120
"""Seconds an isolated case may take; each finishes in a few."""

CLASSES = {"links", "work", "resources", "tracebacks", "confusable", "output", "yaml"}
"""The classes of hostile input of the issue "Hostile input"; each has cases (``class:``)."""


def _alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _generate(kind: str, target: Path) -> None:
    if kind == "alias_bomb":
        target.write_text(_alias_bomb())
    elif kind == "huge":
        with open(target, "wb") as stream:  # 50 MB of harmless YAML comments
            block = b"# " + b"x" * 1021 + b"\n"
            for _ in range(50 * 1024):
                stream.write(block)
    elif kind == "deep":  # flow collections nested 999 deep (libyaml stops at 1000)
        target.write_text("title: " + "[" * 999 + "]" * 999 + "\n")
    else:
        raise ValueError(f"unknown generator {kind!r}")


def _link_target(spec: str, place: Path, tmp_path: Path) -> str:
    """Where a link of a case points: the planted secret, a device, itself ..."""
    named = {
        "{secret}": str(tmp_path / "outside" / "secret.yaml"),
        "{outside}": str(tmp_path / "outside"),
        "{loop}": str(place),
        "{missing}": str(tmp_path / "outside" / "nothing.yaml"),
    }
    return named.get(spec, spec)


def _special_files(case: dict, folder: Path, tmp_path: Path) -> None:
    """Links, named pipes and long names that git cannot (or should not) store."""
    for name, spec in (case.get("links") or {}).items():
        place = folder / name
        place.parent.mkdir(parents=True, exist_ok=True)
        if place.is_dir() and not place.is_symlink():
            shutil.rmtree(place)
        place.unlink(missing_ok=True)
        place.symlink_to(_link_target(spec, place, tmp_path))
    for name in case.get("fifos") or []:
        place = folder / name
        place.unlink(missing_ok=True)
        os.mkfifo(place)


def prepare(case: dict, name: str, tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    # A key the loader would name in "unknown key" if it ever read the file.
    (outside / "secret.yaml").write_text(f"{SECRET}: {SECRET}\n", "utf-8")
    budget = tmp_path / "budget"
    if case["base"] == "base":
        shutil.copytree(CORPUS / "_base", budget)
    elif case["base"] == "file":
        budget.write_text("not a folder\n")
        return budget
    else:
        budget.mkdir()
    files = CORPUS / name / "files"
    if files.is_dir():
        shutil.copytree(files, budget, dirs_exist_ok=True)
    for gone in case.get("delete", []):
        (budget / gone).unlink()
    for kind, target in (case.get("generate") or {}).items():
        _generate(kind, budget / target)
    _special_files(case, budget, tmp_path)
    if case.get("templates"):  # a user-supplied template folder (as from a pull request)
        templates = tmp_path / "templates"
        shutil.copytree(CORPUS / name / "templates", templates)
        _special_files(case.get("templates_special") or {}, templates, tmp_path)
    for copy in case.get("copies") or []:  # more budgets beside it (a build of several)
        shutil.copytree(budget, tmp_path / copy, symlinks=True)
    for name, content in (case.get("outside_files") or {}).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, "utf-8")
    for name in case.get("outside_folders") or []:
        (tmp_path / name).mkdir(parents=True)
    return budget


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed: a planted pipe must not block)."""
    found: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(folder))] = os.readlink(path).encode()
        elif path.is_file():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def _args(case: dict, budget: Path, out: Path, tmp_path: Path) -> list[str]:
    if case.get("args"):
        places = {
            "budget": budget,
            "out": out,
            "tmp": tmp_path,
            "templates": tmp_path / "templates",
        }
        return [str(a).format(**places) for a in case["args"]]
    args = [case["command"], str(budget)]
    if case["command"] == "build":
        args += ["-o", str(out), "--format", case.get("formats", "html")]
    if case.get("templates"):
        args += ["--templates", str(tmp_path / "templates")]
    return args


def run(case: dict, args: list[str], tmp_path: Path) -> tuple[int, str]:
    """Exit status and output of ``bbt args``: in this process, or isolated under limits."""
    env = {"BBT_TEST_SECRET": SECRET, "NO_COLOR": "1", **(case.get("env") or {})}
    if not case.get("isolate"):
        result = CliRunner().invoke(main, args, env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(
            result.exception
        )
        return result.exit_code, result.output
    return bounded_bbt(args, memory=MEMORY_LIMIT, timeout=TIMEOUT, env=env)


def _where(case: dict, budget: Path, tmp_path: Path) -> str:
    expect = case["expect"]
    file = expect["file"]
    if file.startswith("{templates}/"):
        where = re.escape(str(tmp_path / "templates" / file.split("/", 1)[1]))
    elif file.startswith("{tmp}/"):
        where = re.escape(str(tmp_path / file.split("/", 1)[1]))
    elif case.get("templates") and not file:
        where = r"\S*"  # the finding points at the template or the refused URL
    elif file:
        where = re.escape(str(budget / file))
    else:
        where = re.escape(str(budget))
    if expect["line"]:
        where += f":{expect['line']}(?::\\d+)?"
    return where


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, tmp_path: Path, corpus_summary: dict[str, bool]) -> None:
    corpus_summary[name] = False
    case = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
    expect = case["expect"]
    budget = prepare(case, name, tmp_path)
    out = tmp_path / "output"
    out.mkdir()
    (out / "budget.html").write_text("<p>previous good build</p>")
    (out / "budget.pdf").write_bytes(b"%PDF-previous")
    before = snapshot(out)
    budget_before = snapshot(budget) if case.get("snapshot_budget") else None
    watched = {w: snapshot(tmp_path / w) for w in case.get("watch") or []}
    status, output = run(case, _args(case, budget, out, tmp_path), tmp_path)
    assert status == expect["exit"], output
    assert "Traceback" not in output, output
    pattern = rf"{_where(case, budget, tmp_path)}: \w+: [^\n]*{re.escape(expect['message'])}[^\n]*\[{expect['code']}\]"
    assert re.search(pattern, output), f"expected {pattern!r} in:\n{output}"
    assert SECRET not in output, "a secret reached the messages"
    after = snapshot(out)
    assert not any(SECRET.encode() in data for data in after.values()), "a secret was written"
    if expect["exit"] != 0:
        assert after == before, "a failed command changed the output folder"
    if budget_before is not None:
        assert snapshot(budget) == budget_before, "a failed command changed the budget folder"
    for folder, files in watched.items():
        assert snapshot(tmp_path / folder) == files, f"a failed command changed {folder}"
    corpus_summary[name] = True


class _Summary:
    """Reports, at the end of the run, how many cases ran and gave their clear error."""

    def __init__(self) -> None:
        self.results: dict[str, bool] = {}

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        clear = sum(self.results.values())
        terminalreporter.write_line(
            f"bad-input corpus: {len(self.results)} of {len(CASES)} cases run, {clear} clear errors"
        )


@pytest.fixture(scope="module")
def corpus_summary(request: pytest.FixtureRequest) -> dict[str, bool]:
    """Which cases ran and gave their clear error (a summary line ends the run)."""
    summary = _Summary()
    request.config.pluginmanager.register(summary, "bbt-bad-input-summary")
    return summary.results


def test_corpus_covers_every_class_of_hostile_input() -> None:
    """Big enough, and each class of the issue "Hostile input" has cases (whatever ran first)."""
    classes: dict[str, int] = {}
    for name in CASES:
        case = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
        kind = case.get("class")
        if kind is not None:
            assert kind in CLASSES, f"{name}: unknown class {kind!r}"
            assert case["expect"]["exit"] in (1, 2), name
            classes[kind] = classes.get(kind, 0) + 1
    assert len(CASES) >= 80
    assert set(classes) == CLASSES, f"classes without a case: {CLASSES - set(classes)}"
