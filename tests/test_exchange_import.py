"""bbt import: spreadsheets of the 2024 figures into a budget folder, and the bad-input cases."""

from __future__ import annotations

import difflib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from bbt.exchange.cli import COMMANDS
from bbt.load.budget import load
from bbt.resources import EXAMPLE

DATA = Path(__file__).resolve().parent / "data" / "exchange"
CSV = DATA / "figures-2024.csv"
XLSX = DATA / "figures-2024.xlsx"
IMPORT = next(c for c in COMMANDS if c.name == "import")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(IMPORT, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def full(tmp_path: Path) -> Path:
    """A copy of the shipped example."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "full"))


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """The example without articles: bbt.yaml, ises/ and the non-article narrative."""
    root = Path(shutil.copytree(EXAMPLE, tmp_path / "empty"))
    shutil.rmtree(root / "articles")
    shutil.rmtree(root / "text" / "articles")
    return root


def credits_of(path: Path) -> dict[str, dict[str, object]]:
    return {a.code.text: a.credits for a in load(path).articles}


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("sheet", [CSV, XLSX], ids=["csv-long", "xlsx-wide"])
def test_round_trip_into_an_empty_dataset_gives_the_example(sheet: Path, empty: Path) -> None:
    if sheet.suffix == ".xlsx":
        pytest.importorskip("openpyxl")
    code, out, err = run(sheet, "--into", empty, "--yes")
    assert code == 0, err
    assert "51 figure(s) to write: 8 new article(s)" in out
    assert "VEK BU" in out and "552.157" in out
    assert credits_of(empty) == credits_of(EXAMPLE)
    gesco = load(empty).article("JB0-1JEC2HE-WT")
    assert gesco is not None and gesco.credits["vak"].bu == Decimal(-2188)
    assert gesco.title == "Doelgroepvermindering gesco's sociale werkplaatsen"
    assert gesco.ise == "activering"


def test_importing_the_same_figures_changes_nothing(full: Path) -> None:
    before = snapshot(full)
    code, out, _ = run(CSV, "--into", full, "--yes")
    assert code == 0
    assert "51 figure(s) already equal" in out and "nothing to change" in out
    assert snapshot(full) == before


def test_one_changed_figure_changes_one_line_and_keeps_comments(full: Path, tmp_path: Path) -> None:
    text = CSV.read_text(encoding="utf-8")
    line = (
        "JB0-1JEC2HE-WT;Doelgroepvermindering gesco's sociale werkplaatsen;activering;VAK;BU;-2.188"
    )
    assert line in text
    sheet = tmp_path / "changed.csv"
    sheet.write_text(text.replace(line, line.replace("-2.188", "-2.187")), encoding="utf-8")
    before = snapshot(full)
    code, out, _ = run(sheet, "--into", full, "--yes")
    assert code == 0
    assert "VAK BU" in out and "-2.188 ->" in out and "-2.187" in out
    after = snapshot(full)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == ["articles/JB0-1JEC2HE-WT.yaml"]
    old, new = before[changed[0]].splitlines(), after[changed[0]].splitlines()
    diff = [d for d in difflib.ndiff(old, new) if d[:1] in "+-"]
    assert diff == [
        "-   vak: {ba: 111, ba_jr: 113, bu: -2188}   # negative: a settlement of 2023 booked in 2024",
        "+   vak: {ba: 111, ba_jr: 113, bu: -2187}   # negative: a settlement of 2023 booked in 2024",
    ]


def test_folded_text_and_comments_of_a_busy_article_survive(full: Path, tmp_path: Path) -> None:
    path = full / "articles" / "JB0-1JEC2HF-WT.yaml"
    before = path.read_text(encoding="utf-8")
    sheet = tmp_path / "hf.csv"
    sheet.write_text(
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC2HF-WT;VEK;BU;35.328\n",
        encoding="utf-8",
    )
    assert run(sheet, "--into", full, "--yes")[0] == 0
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("bu: 35327}", "bu: 35328}")
    assert "# The components of the execution that the explanation cites." in after


def test_dry_run_and_refused_confirmation_write_nothing(full: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "one.csv"
    sheet.write_text(
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC2HA-WT;VEK;BU;552.158\n",
        encoding="utf-8",
    )
    before = snapshot(full)
    code, out, _ = run(sheet, "--into", full, "--dry-run")
    assert code == 0 and "552.157 ->      552.158" in out and "dry run" in out
    result = CliRunner().invoke(IMPORT, [str(sheet), "--into", str(full)], input="n\n")
    assert result.exit_code == 1
    assert snapshot(full) == before


def test_mapping_file_reads_another_layout(full: Path) -> None:
    code, out, err = run(
        DATA / "accounting-export.csv",
        "--into",
        full,
        "--mapping",
        DATA / "mapping-example.yaml",
        "--yes",
    )
    assert code == 0, err
    assert "1 figure(s) to write" in out
    gesco = load(full).article("JB0-1JEC2HE-WT")
    assert gesco is not None and gesco.credits["vek"].bu == Decimal("-2188.5")
    assert "bu: -2188.5}" in (full / "articles" / "JB0-1JEC2HE-WT.yaml").read_text(encoding="utf-8")


def test_new_article_needs_an_ise(full: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "new.csv"
    sheet.write_text(
        "Begrotingsartikel;Titel;Krediettype;Fase;Bedrag\n"
        "JB0-1JEC2HB-WT;Nieuw artikel;VAK;BA;1.000\n",
        encoding="utf-8",
    )
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert "new.csv:2:1: error: JB0-1JEC2HB-WT is a new article and the sheet gives no ISE" in err
    assert "[BBT507]" in err
    code, out, _ = run(sheet, "--into", full, "--ise", "activering", "--yes")
    assert code == 0 and "new article: Nieuw artikel, ISE activering" in out
    article = load(full).article("JB0-1JEC2HB-WT")
    assert article is not None and article.credits["vak"].ba == Decimal(1000)
    code, _, err = run(sheet, "--into", full, "--ise", "onbekend", "--yes")
    assert code == 1 and "BBT507" in err


BAD = {
    "unknown column": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag;Opmerking\nJB0-1JEC2HA-WT;VEK;BU;552.157;x\n",
        "bad.csv:1:5: error: unknown column 'Opmerking'",
        "BBT502",
    ),
    "text in an amount cell": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC2HA-WT;VEK;BU;veel\n",
        "bad.csv:2:4: error: JB0-1JEC2HA-WT VEK BU: 'veel' is not an amount",
        "BBT503",
    ),
    "two number formats in one column": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag\n"
        "JB0-1JEC2HA-WT;VEK;BU;552.15\nJB0-1JEC2HC-WT;VAK;BU;4.499,5\n",
        "bad.csv:1:4: error: column D 'Bedrag' mixes number formats: '4.499,5' (D3) is Dutch "
        "(1.234,5), '552.15' (D2) is plain (1234.5)",
        "BBT503",
    ),
    "a formula in a title": (
        "Begrotingsartikel;Titel;Krediettype;Fase;Bedrag\n"
        'JB0-1JEC2HA-WT;=HYPERLINK("http://x.example/");VEK;BU;552157\n'
        "JB0-1JEC2HE-WT;Gesco;VAK;BU;-1\n",
        "bad.csv:2:2: error: '=HYPERLINK(\"http://x.example/\")' starts like a formula",
        "BBT513",
    ),
    "a code twice with different values": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag\n"
        "JB0-1JEC2HA-WT;VEK;BU;552.157\nJB0-1JEC2HA-WT;VEK;BU;522.157\n",
        "bad.csv:3:4: error: JB0-1JEC2HA-WT VEK BU is 522.157 here and 552.157 on row 2",
        "BBT506",
    ),
    "invalid article code": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC7HA-WT;VEK;BU;552.157\n",
        "bad.csv:2:1: error: 'JB0-1JEC7HA-WT': unexpected credit kind '7'",
        "BBT504",
    ),
    "credit type of receipts on expenditure": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC2HA-WT;AO;BU;45\n",
        "bad.csv:2:4: error: JB0-1JEC2HA-WT is an expenditure article",
        "BBT505",
    ),
    "unknown phase": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC2HA-WT;VEK;BX;1\n",
        "bad.csv:2:3: error: 'BX' is not a phase",
        "BBT505",
    ),
    "long and wide mixed": (
        "Begrotingsartikel;Krediettype;Fase;Bedrag;VAK BA\nJB0-1JEC2HA-WT;VEK;BU;1;2\n",
        "bad.csv:1:1: error: the sheet mixes a long layout",
        "BBT502",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_refused_with_a_location_and_nothing_is_written(
    case: str, full: Path, tmp_path: Path
) -> None:
    content, message, finding = BAD[case]
    sheet = tmp_path / "bad.csv"
    # plus a good row: a partial write would change JB0-1JEC2HE-WT
    if content.startswith("Begrotingsartikel;Krediettype;Fase;Bedrag\n"):
        content += "JB0-1JEC2HE-WT;VAK;BU;-1\n"
    sheet.write_text(content, encoding="utf-8")
    before = snapshot(full)
    code, out, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert message in err
    assert f"[{finding}]" in err
    assert "nothing written" in err and out == ""
    assert snapshot(full) == before


def test_all_problems_are_reported_together(full: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "many.csv"
    sheet.write_text(
        "Begrotingsartikel;Krediettype;Fase;Bedrag\n"
        "JB0-1JEC2HA-WT;VEK;BU;veel\n"
        "XX;VAK;BA;1\n"
        "JB0-1JEC2HC-WT;VAK;BU;4.499,5\n",
        encoding="utf-8",
    )
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert "many.csv:2:4:" in err and "many.csv:3:1:" in err
    assert "3:4" not in err.split("many.csv:3:1:")[0]  # the Dutch decimal row is fine
    assert "2 problem(s)" in err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(IMPORT, []).exit_code == 2
    no_target = CliRunner().invoke(IMPORT, [str(CSV)])  # never into the shipped example
    assert no_target.exit_code == 2 and "--into" in no_target.output
    assert (
        CliRunner().invoke(IMPORT, [str(CSV), "--mapping", str(tmp_path / "nope.yaml")]).exit_code
        == 2
    )


def test_missing_spreadsheet_and_not_a_budget(full: Path, tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "nope.csv", "--into", full)
    assert code == 1 and "the spreadsheet does not exist [BBT501]" in err
    code, _, err = run(CSV, "--into", tmp_path)
    assert code == 1 and "[BBT508]" in err


def test_bad_mapping_file(full: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("columns:\n  Artikel: kode\nnumber_format: us\n", encoding="utf-8")
    code, _, err = run(CSV, "--into", full, "--mapping", mapping)
    assert code == 1
    assert "m.yaml:2:3: error: column 'Artikel': 'kode' is not a field" in err
    assert "m.yaml:3:1: error: number_format must be nl (1.234,5) or plain (1234.5) [BBT510]" in err


def test_help_has_examples() -> None:
    result = CliRunner().invoke(IMPORT, ["--help"])
    assert result.exit_code == 0
    assert (
        "bbt import figures-2025.xlsx --into budgets/2025-sociale-economie --dry-run"
        in result.output
    )


# -- number formats: decided per column, never cell by cell ----------------------------------


def sheet_of(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_ambiguous_column_is_read_as_dutch_with_a_warning(
    full: Path, tmp_path: Path
) -> None:
    sheet = sheet_of(
        tmp_path,
        "one.csv",
        "Begrotingsartikel;Krediettype;Fase;Bedrag\nJB0-1JEC2HA-WT;VEK;BU;552.158\n",
    )
    code, out, err = run(sheet, "--into", full, "--dry-run")
    assert code == 0
    assert (
        "one.csv:1:4: warning: column D 'Bedrag': no value tells Dutch (1.234,5) from plain "
        "(1234.5) number format; read as Dutch, the default, so '552.158' (D2) is read as 552158"
    ) in err
    assert "[BBT514]" in err
    assert "amounts in column D 'Bedrag': Dutch (1.234,5), the default" in out
    assert "552.157 ->      552.158" in out
    # Said out loud, the same cell is 552,158 keuro: the user decides, not a guess.
    code, out, err = run(sheet, "--into", full, "--number-format", "plain", "--dry-run")
    assert code == 0 and err == ""
    assert "declared by --number-format" in out
    assert "552.157 ->      552,158" in out


def test_one_decisive_value_decides_the_whole_column(full: Path, tmp_path: Path) -> None:
    sheet = sheet_of(
        tmp_path,
        "plain.csv",
        "Begrotingsartikel;Krediettype;Fase;Bedrag\n"
        "JB0-1JEC2HA-WT;VEK;BU;552.157\n"
        "JB0-1JEC2HE-WT;VAK;BU;-2188.5\n",
    )
    code, out, err = run(sheet, "--into", full, "--dry-run")
    assert code == 0, err
    assert "amounts in column D 'Bedrag': plain (1234.5), detected from D3 '-2188.5'" in out
    assert "552.157 ->      552,157" in out  # row 2 is read in the column's format
    assert err == ""


def test_each_wide_column_has_its_own_format(full: Path, tmp_path: Path) -> None:
    sheet = sheet_of(
        tmp_path,
        "wide.csv",
        "Begrotingsartikel;VAK BU;VEK BU\nJB0-1JEC2HA-WT;552.289,5;552157.25\n",
    )
    code, out, err = run(sheet, "--into", full, "--dry-run")
    assert code == 0, err
    assert "column B 'VAK BU': Dutch (1.234,5), detected from B2 '552.289,5'" in out
    assert "column C 'VEK BU': plain (1234.5), detected from C2 '552157.25'" in out
    assert "552.289 ->    552.289,5" in out and "552.157 ->   552.157,25" in out


def test_bbt_exports_fix_their_own_format(full: Path, tmp_path: Path) -> None:
    header = (
        "budget_year{0}programme_code{0}programme_title{0}ise{0}ise_title{0}article_code{0}"
        "article_title{0}esr_aggregate{0}direction{0}credit_type{0}phase{0}fiscal_phase{0}amount\n"
    )
    row = (
        "2024{0}JE{0}Sociale economie{0}activering{0}Activering{0}JB0-1JEC2HA-WT{0}"
        "Collectief maatwerk{0}WT{0}expenditure{0}VEK{0}BU{0}executed{0}{1}\n"
    )
    # The case: 552.157 keuro in the plain export is 552,157 keuro, never 552157.
    plain = sheet_of(tmp_path, "p.csv", header.format(",") + row.format(",", "552.157"))
    code, out, _ = run(plain, "--into", full, "--dry-run")
    assert code == 0
    assert "plain (1234.5), as in every ','-separated bbt export" in out
    assert "552.157 ->      552,157" in out
    dutch = sheet_of(tmp_path, "n.csv", header.format(";") + row.format(";", "552,157"))
    code, out, _ = run(dutch, "--into", full, "--dry-run")
    assert code == 0 and "552.157 ->      552,157" in out
    # bbt's Dutch export never groups thousands: a dot there was not written by bbt.
    bad = sheet_of(tmp_path, "b.csv", header.format(";") + row.format(";", "552.157"))
    code, _, err = run(bad, "--into", full, "--dry-run")
    assert code == 1
    assert (
        "b.csv:2:13: error: JB0-1JEC2HA-WT VEK BU: '552.157' is not an amount in decimal comma without grouping (1234,5) number format [BBT503]"
        in err
    )


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_excel_numbers_are_values_not_text(full: Path, tmp_path: Path) -> None:
    sheet = xlsx(
        tmp_path / "n.xlsx",
        [
            ["Begrotingsartikel", "VAK BU", "VEK BU"],
            ["JB0-1JEC2HA-WT", 552289.5, 552.157],  # float cells, as Excel stores them
            ["JB0-1JEC2HE-WT", -2188, "-2.187"],  # an int cell; a text cell
        ],
    )
    code, out, err = run(sheet, "--into", full, "--dry-run")
    assert code == 0, err
    assert "column B 'VAK BU': numeric cells, exact" in out
    assert (
        "column C 'VEK BU': numeric cells, exact; text cells: Dutch (1.234,5), the default" in out
    )
    assert "552.289 ->    552.289,5" in out
    assert "552.157 ->      552,157" in out  # the number 552.157, never 552157
    assert "-2.188 ->       -2.187" in out


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("=B3+1", "is a formula (=B3+1); bbt imports values"),
        (True, "is TRUE, not an amount"),
        (1.0000005, "'1.0000005' has more than 3 decimals"),
    ],
)
def test_odd_excel_cells_are_refused(
    full: Path, tmp_path: Path, cell: object, message: str
) -> None:
    sheet = xlsx(tmp_path / "o.xlsx", [["Begrotingsartikel", "VEK BU"], ["JB0-1JEC2HA-WT", cell]])
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert f"o.xlsx:2:2: error: JB0-1JEC2HA-WT VEK BU: {message}" in err


def test_a_date_cell_is_not_an_amount(full: Path, tmp_path: Path) -> None:
    import datetime as dt

    sheet = xlsx(
        tmp_path / "d.xlsx",
        [["Begrotingsartikel", "VEK BU"], ["JB0-1JEC2HA-WT", dt.date(2024, 5, 1)]],
    )
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1 and "is a date (2024-05-01 00:00:00), not an amount [BBT503]" in err


# -- formula injection ------------------------------------------------------------------------


NEW_ROW = "Begrotingsartikel;Titel;ISE;Krediettype;Fase;Bedrag\nJB0-1JEC2HB-WT;{};{};VAK;BA;-1315\n"


@pytest.mark.parametrize(
    ("title", "ise"),
    [
        ("=cmd|' /C calc'!A0", "activering"),
        ("+1+1", "activering"),
        ("@SUM(A1:A9)", "activering"),
        ("\t=1+1", "activering"),
        ("Nieuw artikel", "-activering"),
    ],
)
def test_formula_like_text_is_refused(full: Path, tmp_path: Path, title: str, ise: str) -> None:
    sheet = sheet_of(tmp_path, "f.csv", NEW_ROW.format(title, ise))
    before = snapshot(full)
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert "starts like a formula (=, +, -, @, tab or carriage return)" in err
    assert "[BBT513]" in err and "f.csv:2:" in err
    assert snapshot(full) == before


def test_escaped_formula_text_and_negative_amounts_are_fine(full: Path, tmp_path: Path) -> None:
    sheet = sheet_of(tmp_path, "e.csv", NEW_ROW.format("'=Nieuw (€)", "activering"))
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 0, err
    article = load(full).article("JB0-1JEC2HB-WT")
    assert article is not None
    assert article.title == "=Nieuw (€)"  # the quote only said: this is text
    assert article.credits["vak"].ba == Decimal(-1315)


def test_an_excel_formula_in_a_title_is_refused(full: Path, tmp_path: Path) -> None:
    sheet = xlsx(
        tmp_path / "f.xlsx",
        [
            ["Begrotingsartikel", "Titel", "ISE", "VAK BA"],
            ["JB0-1JEC2HB-WT", '=HYPERLINK("http://x.example","klik")', "activering", 1],
        ],
    )
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert "f.xlsx:2:2: error: a formula (=HYPERLINK(" in err and "[BBT513]" in err


# -- JSON ---------------------------------------------------------------------------------


def test_json_records_with_exact_numbers(full: Path, tmp_path: Path) -> None:
    sheet = sheet_of(
        tmp_path,
        "c.json",
        '[\n  {"article_code": "JB0-1JEC2HA-WT", "credit_type": "VEK", "phase": "BU", "amount": 552157.125},\n'
        '  {"article_code": "JB0-1JEC2HE-WT", "credit_type": "VAK", "phase": "BU", "amount": -2188}\n]\n',
    )
    code, out, err = run(sheet, "--into", full, "--yes")
    assert code == 0, err
    assert "amounts in key 'amount': numeric cells, exact" in out
    vek = load(full).article("JB0-1JEC2HA-WT").credits["vek"]  # type: ignore[union-attr]
    assert vek.bu == Decimal("552157.125")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": 1}', "c.json:1: error: a JSON file to import is an array of records"),
        (
            '[{"article_code": {"x": 1}}]',
            "c.json:1: error: each record must be an object of plain values",
        ),
        (
            '[\n {"article_code": "JB0-1JEC2HA-WT", "amount": NaN}]',
            "not valid JSON: NaN is not a number",
        ),
        ("[" * 100_000, "c.json:1: error: not valid JSON: nested too deeply"),
        (
            '[{"article_code": "JB0-1JEC2HA-WT", "credit_type": "VEK", "phase": "BU", "amount": 1},\n'
            ' {"article_code": "JB0-1JEC2HA-WT", "extra": 2}]',
            "c.json:2: error: key 'extra' is not in the first record [BBT502]",
        ),
    ],
)
def test_bad_json_is_refused(full: Path, tmp_path: Path, text: str, message: str) -> None:
    code, _, err = run(sheet_of(tmp_path, "c.json", text), "--into", full, "--yes")
    assert code == 1 and message in err, err


def test_a_csv_that_is_not_utf8_is_refused_at_its_line(full: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "ansi.csv"
    rows = ["Begrotingsartikel;Titel;ISE;Krediettype;Fase;Bedrag"]
    rows += ["JB0-1JEC2HA-WT;Collectief maatwerk;activering;VEK;BU;552.157"] * 400
    rows += ["JB0-1JEC2HB-WT;Gecreëerd;activering;VAK;BA;1"]  # Windows-1252, as Excel saves "CSV"
    sheet.write_bytes("\r\n".join(rows).encode("cp1252"))
    code, _, err = run(sheet, "--into", full, "--yes")
    assert code == 1
    assert "ansi.csv:402: error: the CSV file is not UTF-8; save it as 'CSV UTF-8" in err
