"""The bad-input corpus (tests/bad_inputs/): every mistake gives a clear error and loses nothing.

Each case folder has ``case.yaml`` (what to run and what to expect) and ``files/`` laid over a
small valid budget (``_base``). For every case: the expected exit status, finding code, file and
line and words in the message; no traceback; and the output folder, which holds a previous good
build, is left exactly as it was. A new case is a new folder; see tests/bad_inputs/README.md.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bbt.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
RESULTS: dict[str, bool] = {}


def _alias_bomb() -> str:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def prepare(case: dict, name: str, tmp_path: Path) -> Path:
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
        if kind == "alias_bomb":
            (budget / target).write_text(_alias_bomb())
        elif kind == "huge":
            with open(budget / target, "wb") as stream:  # 50 MB of harmless YAML comments
                block = b"# " + b"x" * 1021 + b"\n"
                for _ in range(50 * 1024):
                    stream.write(block)
    return budget


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("name", CASES)
def test_case(name, tmp_path):
    RESULTS[name] = False
    case = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
    expect = case["expect"]
    budget = prepare(case, name, tmp_path)
    out = tmp_path / "output"
    out.mkdir()
    (out / "budget.html").write_text("<p>previous good build</p>")
    (out / "budget.pdf").write_bytes(b"%PDF-previous")
    before = snapshot(out)
    args = [case["command"], str(budget)]
    if case["command"] == "build":
        args += ["-o", str(out), "--format", case.get("formats", "html")]
    if case.get("templates"):  # a user-supplied template folder (as from a pull request)
        args += ["--templates", str(CORPUS / name / "templates")]
    result = CliRunner().invoke(main, args)
    output = result.output
    assert result.exit_code == expect["exit"], output
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    if case.get("templates"):
        where = r"\S*"  # the finding points at the template or the refused URL
    elif expect["file"]:
        where = re.escape(str(budget / expect["file"]))
    else:
        where = re.escape(str(budget))
    if expect["line"]:
        where += f":{expect['line']}"
    pattern = rf"{where}: \w+: [^\n]*{re.escape(expect['message'])}[^\n]*\[{expect['code']}\]"
    assert re.search(pattern, output), f"expected {pattern!r} in:\n{output}"
    if case["command"] == "build" and expect["exit"] != 0:
        assert snapshot(out) == before, "a failed build changed the output folder"
    RESULTS[name] = True


def test_zz_corpus_summary(capsys):
    """Runs last (by name): the corpus is big enough and every case gave its clear error."""
    clear = sum(RESULTS.values())
    with capsys.disabled():
        print(f"\nbad-input corpus: {len(CASES)} cases, {clear} clear errors")
    assert len(CASES) >= 40
    if len(RESULTS) == len(CASES):
        assert clear == len(CASES)
