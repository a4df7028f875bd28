"""How findings are written out: one printer for people, tools and CI annotations."""

from __future__ import annotations

import json
from pathlib import Path

from budgetkit import ARTICLE, make_budget
from click.testing import CliRunner

from bbt.cli import main
from bbt.errors import Finding, Location, Severity
from bbt.findings import as_github, format_findings


def test_a_file_name_cannot_forge_or_break_an_annotation(tmp_path: Path) -> None:
    """A file name with a newline, a comma or '::' (issue "Hostile input", class 10) stays one
    annotation: the property values are escaped (%0A, %2C, %3A) as GitHub documents."""
    root = make_budget(tmp_path / "b", article=None)
    forged = "x,line=1\n::error file=README.md::all good.yaml"
    (root / "articles").mkdir()
    (root / "articles" / forged).write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(root), "--format", "github"])
    lines = result.output.splitlines()
    assert all(line.startswith("::") for line in lines), lines
    assert not any(line.startswith("::error file=README.md") for line in lines)
    [annotation] = [line for line in lines if "BBT015" in line]
    assert "x%2Cline=1%0A%3A%3Aerror file=README.md%3A%3Aall good.yaml" in annotation
    assert annotation.startswith("::warning file=") and ",title=BBT015::" in annotation


def test_messages_keep_their_lines_in_an_annotation() -> None:
    finding = Finding("BBT101", Severity.ERROR, Location("a.yaml", 7, 3), "50% of\nthe credit")
    assert (
        as_github(finding) == "::error file=a.yaml,line=7,col=3,title=BBT101::50%25 of%0Athe credit"
    )


def test_text_groups_by_file_and_points_at_line_and_column() -> None:
    findings = [
        Finding("BBT101", Severity.ERROR, Location("a.yaml", 7, 28), "BA-JR differs"),
        Finding("BBT015", Severity.WARNING, Location("a.yaml", 2), "misnamed"),
        Finding("BBT014", Severity.ERROR, Location("b"), "not a budget"),
    ]
    assert format_findings(findings).splitlines() == [
        "a.yaml",
        "  a.yaml:7:28: error: BA-JR differs [BBT101]",
        "  a.yaml:2: warning: misnamed [BBT015]",
        "b",
        "  b: error: not a budget [BBT014]",
    ]


def test_json_is_a_versioned_document_with_columns(tmp_path: Path) -> None:
    root = make_budget(
        tmp_path / "b",
        {"articles/JB0-1JEC2HA-WT.yaml": ARTICLE.replace("ba_jr: 586978", "ba_jr: 586979")},
    )
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json"])
    document = json.loads(result.output)
    assert document["version"] == 1
    [finding] = [f for f in document["findings"] if f["code"] == "BBT101"]
    assert (finding["line"], finding["column"], finding["severity"]) == (7, 28, "error")
