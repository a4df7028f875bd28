"""bbt export: tidy CSV, JSON and a Frictionless data package of the 2024 figures."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from bbt.exchange.cli import COMMANDS
from bbt.resources import EXAMPLE

EXPORT = next(c for c in COMMANDS if c.name == "export")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("od")
    result = CliRunner().invoke(EXPORT, [str(EXAMPLE), "--to", str(out)])
    assert result.exit_code == 0, result.output
    assert "51 rows" in result.output
    return out


def test_tidy_csv_has_exact_amounts_and_the_fiscal_phases(exported: Path) -> None:
    text = (exported / "credits.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 51
    key = {(r["article_code"], r["credit_type"], r["phase"]): r for r in rows}
    hx = key[("JB0-1JEC2HA-WT", "VEK", "BU")]
    assert hx["amount"] == "552157"
    assert hx["fiscal_phase"] == "executed"
    assert (hx["ise"], hx["programme_code"], hx["esr_aggregate"], hx["budget_year"]) == (
        "activering",
        "JE",
        "WT",
        "2024",
    )
    assert key[("JB0-1JEC2HA-WT", "VAK", "BA")]["amount"] == "580966"
    assert key[("JB0-1JEC2HA-WT", "VEK", "BA-JR")]["fiscal_phase"] == "adjusted"
    assert key[("JB0-1JEC2HE-WT", "VAK", "BU")]["amount"] == "-2188"
    assert key[("JB0-9JECAGA-OW", "AO", "BU")]["direction"] == "revenue"
    assert ",580966\n" in text and ",-2188\n" in text
    assert "580966.0" not in text and "e+" not in text.lower()


def test_json_has_the_same_rows_with_exact_numbers(exported: Path) -> None:
    text = (exported / "credits.json").read_text(encoding="utf-8")
    records = json.loads(text, parse_float=Decimal)
    csv_rows = list(csv.DictReader((exported / "credits.csv").read_text().splitlines()))
    assert len(records) == len(csv_rows)
    for record, row in zip(records, csv_rows, strict=True):
        assert str(record["amount"]) == row["amount"]
        assert record["article_code"] == row["article_code"]
    assert '"amount": -2188}' in text


TYPES = {
    "string": lambda v: isinstance(v, str),
    "year": lambda v: re.fullmatch(r"\d{4}", v) is not None,
    "number": lambda v: re.fullmatch(r"-?\d+(\.\d+)?", v) is not None,
}


def test_descriptor_follows_the_table_schema(exported: Path) -> None:
    """Our own check of the Table Schema rules (always runs, frictionless or not)."""
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["profile"] == "tabular-data-package"
    (resource,) = package["resources"]
    schema = resource["schema"]
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    assert set(schema["primaryKey"]) <= set(names)
    amount = next(f for f in fields if f["name"] == "amount")
    assert amount["type"] == "number" and amount["decimalChar"] == "."
    phase = next(f for f in fields if f["name"] == "fiscal_phase")
    assert phase["constraints"]["enum"] == ["approved", "adjusted", "executed"]
    rows = list(csv.reader((exported / resource["path"]).read_text().splitlines()))
    assert rows[0] == names
    keys = set()
    for row in rows[1:]:
        for value, spec in zip(row, fields, strict=True):
            assert TYPES[spec["type"]](value), (spec["name"], value)
            if spec["constraints"].get("required"):
                assert value != ""
            if "enum" in spec["constraints"]:
                assert value in spec["constraints"]["enum"]
        key = tuple(row[names.index(k)] for k in schema["primaryKey"])
        assert key not in keys
        keys.add(key)


def test_frictionless_validates_the_package(exported: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(exported / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_a_budget_that_does_not_load_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "od"
    result = CliRunner().invoke(EXPORT, [str(tmp_path), "--to", str(out)])
    assert result.exit_code == 1
    assert "[BBT014]" in result.stderr
    assert not out.exists()


def test_export_needs_to() -> None:
    result = CliRunner().invoke(EXPORT, [str(EXAMPLE)])
    assert result.exit_code == 2
    assert "bbt export --to open-data" in CliRunner().invoke(EXPORT, ["--help"]).output


def test_export_imports_back(exported: Path, tmp_path: Path) -> None:
    import shutil

    from bbt.load.budget import load

    root = Path(shutil.copytree(EXAMPLE, tmp_path / "b"))
    shutil.rmtree(root / "articles")
    shutil.rmtree(root / "text" / "articles")
    importer = next(c for c in COMMANDS if c.name == "import")
    result = CliRunner().invoke(
        importer, [str(exported / "credits.csv"), "--into", str(root), "--yes"]
    )
    assert result.exit_code == 0, result.output
    assert {a.code.text: a.credits for a in load(root).articles} == {
        a.code.text: a.credits for a in load(EXAMPLE).articles
    }
