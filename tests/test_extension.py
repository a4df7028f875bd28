"""A department plugs its own rule into bbt through the extension hook (docs/extensions.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from budgetkit import ARTICLE, DOCUMENT, make_budget
from click.testing import CliRunner

import bbt.extension
from bbt.cli import main
from bbt.findings import registry


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample extension as if its package were installed (an entry point of its own)."""
    from sample_extension import EXTENSION

    shipped = bbt.extension.extensions()
    monkeypatch.setattr(bbt.extension, "extensions", lambda: (*shipped, EXTENSION))


def test_a_departments_rule_runs_with_bbt_check(installed: None, tmp_path: Path) -> None:
    document = DOCUMENT.replace("Test\n", "Uitbreidingstest\n", 1)
    article = ARTICLE.replace("od: OD17\n", "").replace(
        "toelichting: |\n", "toelichting: |\n  Opgesteld door {{ huisstijl.afdeling }}.\n"
    )
    root = make_budget(
        tmp_path / "b", {"bbt.yaml": document, "articles/JB0-1JEC2HA-WT.yaml": article}
    )
    result = CliRunner().invoke(main, ["check", str(root), "--format", "json", "--strict"])
    assert result.exit_code == 1  # a warning under --strict
    codes = [f["code"] for f in json.loads(result.output)["findings"]]
    assert codes == ["WSE001"]  # and the name it adds to narratives renders
    assert registry()["WSE001"].severity == "warning"
