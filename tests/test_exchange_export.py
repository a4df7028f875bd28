"""bbt export: CSV for a Dutch Excel (or plain), XLSX, JSON and a Frictionless data package."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from budgetkit import ARTICLE, make_budget
from click.testing import CliRunner

from bbt.exchange.cli import COMMANDS
from bbt.resources import EXAMPLE

EXPORT = next(c for c in COMMANDS if c.name == "export")
FILES = ["credits.csv", "credits.xlsx", "credits.json", "datapackage.json"]


def export(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(EXPORT, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("od")
    code, stdout, stderr = export(EXAMPLE, "--to", out)
    assert code == 0, stderr
    assert "51 rows" in stdout
    return out


def dutch_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the file as UTF-8 only with a BOM
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_opens_in_a_dutch_excel(exported: Path) -> None:
    raw = (exported / "credits.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfbudget_year;programme_code;")
    assert b"\r\n" in raw and raw.count(b"\r\n") == raw.count(b"\n")  # CRLF, as Excel writes
    rows = dutch_rows(exported / "credits.csv")
    assert len(rows) == 51
    key = {(r["article_code"], r["credit_type"], r["phase"]): r for r in rows}
    hx = key[("JB0-1JEC2HA-WT", "VEK", "BU")]
    assert hx["amount"] == "552157" and hx["fiscal_phase"] == "executed"
    assert (hx["ise"], hx["programme_code"], hx["esr_aggregate"], hx["budget_year"]) == (
        "activering",
        "JE",
        "WT",
        "2024",
    )
    assert key[("JB0-1JEC2HA-WT", "VAK", "BA")]["amount"] == "580966"
    assert key[("JB0-1JEC2HE-WT", "VAK", "BU")]["amount"] == "-2188"  # a number, not escaped
    assert key[("JB0-9JECAGA-OW", "AO", "BU")]["direction"] == "revenue"
    assert key[("JB0-1JEC2HG-WT", "VAK", "BU")]["article_title"] == "IMW - loonpremies"


def test_json_has_the_same_rows_with_exact_numbers(exported: Path) -> None:
    text = (exported / "credits.json").read_text(encoding="utf-8")
    records = json.loads(text, parse_float=Decimal)
    rows = dutch_rows(exported / "credits.csv")
    assert len(records) == len(rows) == 51
    for record, row in zip(records, rows, strict=True):
        assert str(record["amount"]) == row["amount"]
        assert record["article_code"] == row["article_code"]
    assert '"amount": -2188}' in text


def test_xlsx_has_numbers_as_numbers_and_text_as_text(exported: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(exported / "credits.xlsx")
    sheet = book["credits"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "budget_year" and rows[0][-1] == "amount"
    assert len(rows) == 52
    gesco = next(r for r in rows if r[5] == "JB0-1JEC2HE-WT" and r[9] == "VAK" and r[10] == "BU")
    assert gesco[-1] == -2188 and gesco[0] == 2024
    assert all(c.data_type == "s" for c in sheet[2][1:12])
    assert book.properties.creator == "bbt"


def test_the_same_budget_gives_the_same_bytes(exported: Path, tmp_path: Path) -> None:
    code, _, _ = export(EXAMPLE, "--to", tmp_path)
    assert code == 0
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (exported / name).read_bytes(), name
    with zipfile.ZipFile(tmp_path / "credits.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_plain_csv_for_data_tools(tmp_path: Path) -> None:
    code, _, _ = export(EXAMPLE, "--to", tmp_path, "--csv", "plain")
    assert code == 0
    raw = (tmp_path / "credits.csv").read_bytes()
    assert raw.startswith(b"budget_year,programme_code,")
    assert b",552157\r\n" in raw and b",-2188\r\n" in raw
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = package["resources"]
    assert resource["dialect"]["delimiter"] == ","
    amount = next(f for f in resource["schema"]["fields"] if f["name"] == "amount")
    assert amount["decimalChar"] == "."


TYPES = {
    "string": lambda v: isinstance(v, str),
    "year": lambda v: re.fullmatch(r"\d{4}", v) is not None,
    "number": lambda v: re.fullmatch(r"-?\d+(,\d+)?", v) is not None,
}


def test_descriptor_follows_the_table_schema(exported: Path) -> None:
    """Our own check of the Table Schema rules (always runs, frictionless or not)."""
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[a-z0-9._-]+", package["name"])
    assert package["profile"] == "tabular-data-package"
    (resource,) = package["resources"]
    assert resource["dialect"] == {"delimiter": ";", "header": True}
    schema = resource["schema"]
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    assert set(schema["primaryKey"]) <= set(names)
    amount = next(f for f in fields if f["name"] == "amount")
    assert amount["type"] == "number" and amount["decimalChar"] == ","
    phase = next(f for f in fields if f["name"] == "fiscal_phase")
    assert phase["constraints"]["enum"] == ["approved", "adjusted", "executed"]
    rows = dutch_rows(exported / resource["path"])
    keys = set()
    for row in rows:
        for spec in fields:
            value = row[spec["name"]]
            assert TYPES[spec["type"]](value), (spec["name"], value)
            if "enum" in spec["constraints"]:
                assert value in spec["constraints"]["enum"]
        key = tuple(row[k] for k in schema["primaryKey"])
        assert key not in keys
        keys.add(key)


def test_the_package_describes_the_documents_own_programme(exported: Path, tmp_path: Path) -> None:
    package = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["programme_code"]["description"] == (
        "Programme code: JE (Sociale economie), policy field Sociale Economie"
    )
    assert fields["ise"]["constraints"]["enum"] == ["activering", "duurzame-arbeidsmarkt"]
    other = make_budget(
        tmp_path / "b",
        {
            "bbt.yaml": "title: BBT Werk\nyear: 2024\npolicy_field: Werk\n"
            "programme: {code: JA, title: Werk}\ndepartment: D\nminister: {name: M}\n"
            "ises: [activering]\n"
        },
    )
    code, _, err = export(other, "--to", tmp_path / "od")
    assert code == 0, err
    package = json.loads((tmp_path / "od" / "datapackage.json").read_text(encoding="utf-8"))
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert fields["programme_code"]["description"] == "Programme code: JA (Werk), policy field Werk"
    assert fields["programme_code"]["constraints"]["enum"] == ["JA"]


@pytest.mark.parametrize("flavour", ["nl", "plain"])
def test_frictionless_validates_the_package(tmp_path: Path, flavour: str) -> None:
    frictionless = pytest.importorskip("frictionless")
    budget = make_budget(
        tmp_path / "b",
        {"articles/JB0-1JEC2HA-WT.yaml": ARTICLE.replace("bu: 552157", "bu: 552157.5")},
    )
    code, _, err = export(budget, "--to", tmp_path / "od", "--csv", flavour)
    assert code == 0, err
    report = frictionless.validate(str(tmp_path / "od" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = frictionless.Package(str(tmp_path / "od" / "datapackage.json")).resources[0].read_rows()
    assert Decimal("552157.5") in [r["amount"] for r in rows]


def test_text_that_looks_like_a_formula_is_escaped(tmp_path: Path) -> None:
    article = ARTICLE.replace(
        "title: Collectief maatwerk", 'title: "=HYPERLINK(\\"http://x.example\\") – €"'
    )
    budget = make_budget(tmp_path / "b", {"articles/JB0-1JEC2HA-WT.yaml": article})
    code, _, err = export(budget, "--to", tmp_path / "od")
    assert code == 0, err
    rows = dutch_rows(tmp_path / "od" / "credits.csv")
    assert {r["article_title"] for r in rows} == {'\'=HYPERLINK("http://x.example") – €'}
    with zipfile.ZipFile(tmp_path / "od" / "credits.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # never a formula cell
    openpyxl = pytest.importorskip("openpyxl")
    cell = openpyxl.load_workbook(tmp_path / "od" / "credits.xlsx")["credits"]["G2"]
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://x.example") – €', "s")
    records = json.loads((tmp_path / "od" / "credits.json").read_text(encoding="utf-8"))
    assert records[0]["article_title"] == '=HYPERLINK("http://x.example") – €'  # JSON: as is


def test_data_with_errors_is_not_published(tmp_path: Path) -> None:
    broken = ARTICLE.replace("ba_jr: 588293", "ba_jr: 588294")  # BA + movements != BA-JR
    budget = make_budget(tmp_path / "b", {"articles/JB0-1JEC2HA-WT.yaml": broken})
    out = tmp_path / "od"
    code, stdout, err = export(budget, "--to", out)
    assert code == 1 and stdout == ""
    assert re.search(r"articles/JB0-1JEC2HA-WT\.yaml:\d+(:\d+)?: error: .*\[BBT101\]", err), err
    assert (
        "error(s) in the data (bbt check); nothing exported: fix them, or pass --allow-errors"
        in err
    )
    assert not out.exists()
    code, stdout, err = export(budget, "--to", out, "--allow-errors")
    assert code == 0 and "[BBT101]" in err and "exporting despite 1 error(s)" in err
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)


def test_a_budget_that_does_not_load_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "od"
    code, _, err = export(tmp_path, "--to", out, "--allow-errors")
    assert code == 1 and "[BBT014]" in err
    assert not out.exists()


def test_an_output_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "od"
    target.write_text("mine\n")
    code, stdout, err = export(EXAMPLE, "--to", target)
    assert code == 1 and stdout == ""
    assert (
        err.splitlines()[1]
        == f"  {target}: error: cannot write into {target}: it is a file, not a folder [BBT515]"
    )
    assert target.read_text() == "mine\n"
    code, _, err = export(EXAMPLE, "--to", target / "sub")
    assert code == 1 and "is a file [BBT515]" in err


def test_export_needs_to() -> None:
    code, _, _ = export(EXAMPLE)
    assert code == 2


def test_export_imports_back(exported: Path, tmp_path: Path) -> None:
    from bbt.load.budget import load

    root = Path(shutil.copytree(EXAMPLE, tmp_path / "b"))
    shutil.rmtree(root / "articles")
    shutil.rmtree(root / "text" / "articles")
    importer = next(c for c in COMMANDS if c.name == "import")
    for name in ("credits.csv", "credits.xlsx", "credits.json"):
        result = CliRunner().invoke(importer, [str(exported / name), "--into", str(root), "--yes"])
        assert result.exit_code == 0, result.output
        assert {a.code.text: a.credits for a in load(root).articles} == {
            a.code.text: a.credits for a in load(EXAMPLE).articles
        }
