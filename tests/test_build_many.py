"""`bbt build` over several documents: in parallel, one line per document off a terminal."""

from __future__ import annotations

from pathlib import Path

from budgetkit import make_budget
from click.testing import CliRunner

from bbt.cli import main
from bbt.pipeline import build_many


def test_two_documents_in_parallel(tmp_path: Path) -> None:
    a = make_budget(tmp_path / "a-2024")
    b = make_budget(tmp_path / "b-2024")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", str(a), str(b), "-o", str(out), "--format", "html", "-j", "2"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["a-2024.html", "b-2024.html"]
    assert "552.289" in (out / "b-2024.html").read_text("utf-8")
    lines = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert sorted(lines) == [f"[1/2] {a}: 1 file(s)", f"[2/2] {b}: 1 file(s)"] or sorted(lines) == [
        f"[1/2] {b}: 1 file(s)",
        f"[2/2] {a}: 1 file(s)",
    ]


def test_a_failing_document_does_not_stop_the_others(tmp_path: Path) -> None:
    good = make_budget(tmp_path / "good")
    bad = make_budget(tmp_path / "bad", {"bbt.yaml": "title: [unclosed\n"})
    seen: list[Path] = []
    results = build_many(
        [bad, good], tmp_path / "out", ("html",), jobs=2, progress=lambda p, _r: seen.append(p)
    )
    assert [r.failed() for r in results] == [True, False]  # in input order
    assert sorted(seen) == sorted([bad, good])
    assert [p.name for p in results[1].written] == ["good.html"]
    cli = CliRunner().invoke(
        main, ["build", str(bad), str(good), "-o", str(tmp_path / "o2"), "--format", "html"]
    )
    assert cli.exit_code == 1
    assert f"{bad}: build failed" in cli.stderr and f"[2/2] {good}: 1 file(s)" in cli.stderr
