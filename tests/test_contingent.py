"""The contingent register: seed figures, loader findings, checks, CLI and the overview."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from bbt.contingent import (
    DEFAULT_REGISTER,
    ContingentError,
    Register,
    check_register,
    fill_rate,
    load_register,
)
from bbt.contingent.cli import contingent
from bbt.contingent.render import render_overview_html, write_overview
from bbt.contingent.rules import reconcile_reductions
from bbt.errors import Severity
from bbt.format import procent

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def register() -> Register:
    reg, findings = load_register(DEFAULT_REGISTER)
    assert reg is not None, findings
    return reg


def write(tmp_path: Path, text: str, name: str = "contingenten.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# -- the shipped register reproduces the seeds -------------------------------------------


def test_shipped_register_loads_and_passes_its_checks(register: Register) -> None:
    _, findings = load_register(DEFAULT_REGISTER)
    assert findings == []
    assert check_register(register) == []


def test_ama_se_2024_is_71_9_percent(register: Register) -> None:
    rate = fill_rate(register, "ama-se", "2024")
    assert (rate.filled, rate.allocated) == (Decimal("1207.64"), Decimal("1680.33"))
    assert rate.rounded(1) == Decimal("71.9")
    assert procent(rate.percent) == "71,9%"
    assert rate.sources == ("seed 003:865-869",)


def test_cmw_2023_indicator_card_is_93_percent(register: Register) -> None:
    rate = fill_rate(register, "cmw", 2023)
    assert (rate.filled, rate.allocated) == (Decimal("76476.81"), Decimal("82456.46"))
    assert rate.rounded(0) == Decimal("93")
    assert procent(rate.percent, 0) == "93%"
    assert rate.unit == "vte"


@pytest.mark.parametrize(
    ("measure", "filled", "allocated", "shown"),
    [
        ("beschutte-werkplaatsen", "13899.29", "14507.3", "95,8%"),
        ("sociale-werkplaatsen", "3905.32", "3969", "98,4%"),
    ],
)
def test_workshop_fill_q4_2017(
    register: Register, measure: str, filled: str, allocated: str, shown: str
) -> None:
    rate = fill_rate(register, measure, "2017-Q4")
    assert (rate.filled, rate.allocated) == (Decimal(filled), Decimal(allocated))
    assert procent(rate.percent) == shown


def test_reductions_of_1_july_2023_per_province(register: Register) -> None:
    checks = reconcile_reductions(register.measure("ama-se"), dt.date(2023, 7, 1))
    published = {c.province: (c.organisations, int(c.published)) for c in checks}
    assert published == {
        "antwerpen": (12, 69),
        "limburg": (4, 21),
        "oost-vlaanderen": (7, 25),
        "vlaams-brabant": (5, 15),
        "west-vlaanderen": (3, 13),
    }
    # Every province's drop 1/4/2023 -> 1/7/2023 in the snapshots equals its published reduction.
    assert all(c.matches for c in checks)
    assert sum(c.change or 0 for c in checks) == 143  # Eindtotaal, seed 000:57
    assert sum(c.organisations or 0 for c in checks) == 31


def test_snapshot_totals_per_date(register: Register) -> None:
    m = register.measure("ama-se")
    totals: dict[str, Decimal] = {}
    for e in m.entries:
        if e.period.kind == "date":
            totals[e.period.text] = totals.get(e.period.text, Decimal(0)) + (e.allocated or 0)
    assert totals == {
        "2021-04-01": 1787,
        "2022-01-01": 1787,
        "2023-01-01": 1787,
        "2023-04-01": 2059,
        "2023-07-01": 1916,
        "2024-01-01": 1916,
    }


def test_units_are_explicit(register: Register) -> None:
    units = {k: m.unit for k, m in register.measures.items()}
    assert units["ama-se"] == "traject"
    assert units["cmw"] == units["lde"] == "vte"
    assert units["arbeidszorg-structureel"] == "vte30"
    lde = [e.allocated for e in register.measure("lde").entries]
    assert lde[0] == Decimal("1868.0") and lde[-1] == Decimal("2100.7") and len(lde) == 7


def test_every_shipped_figure_names_its_source(register: Register) -> None:
    for m in register.measures.values():
        for e in m.entries:
            assert re.match(r"seed 00[0-4]:\d+", e.source), e
        for r in m.reductions:
            assert r.source.startswith("seed 000:")


def test_fill_rate_questions_it_cannot_answer(register: Register) -> None:
    with pytest.raises(ContingentError, match="no measure 'nope'"):
        fill_rate(register, "nope", "2023")
    with pytest.raises(ContingentError, match="no entry for period '2022'"):
        fill_rate(register, "cmw", "2022")
    with pytest.raises(ContingentError, match="no filled figure"):
        fill_rate(register, "lde", "2018")


def test_folded_text_has_no_fold_marks(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE.replace(
            "    source: test\n", "    source: test\n    note: >-\n      a long\n      note\n"
        )
        + "      - {period: '2023', allocated: 1}\n",
    )
    reg, findings = load_register(path)
    assert reg is not None, findings
    assert reg.measure("x").note == "a long note"


def test_fill_rate_sums_provinces_never_averages_percentages(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        measures:
          x:
            title: X
            unit: vte
            source: test
            entries:
              - {period: "2023", province: limburg, allocated: 10, filled: 1}
              - {period: "2023", province: antwerpen, allocated: 90, filled: 89}
        """,
    )
    reg, findings = load_register(path)
    assert reg is not None, findings
    rate = fill_rate(reg, "x", "2023")
    assert rate.percent.value == Decimal(90)  # 90/100, not the mean of 10% and 98,9%
    assert fill_rate(reg, "x", "2023", province="limburg").percent.value == Decimal(10)


# -- loader findings -----------------------------------------------------------------------

BASE = """\
measures:
  x:
    title: X
    unit: vte
    source: test
    entries:
"""


def codes(path: Path) -> list[tuple[str, int, Severity]]:
    reg, findings = load_register(path)
    if reg is not None:
        findings += check_register(reg)
    return [(f.code, f.location.line, f.severity) for f in findings]


def test_float_with_too_many_decimals(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + "      - {period: '2023', allocated: 12.345}\n      - {period: '2022', allocated: 0.1000000001}\n",
    )
    got = codes(path)
    assert ("BBT420", 7, Severity.ERROR) in got
    assert ("BBT409", 8, Severity.ERROR) in got
    reg, findings = load_register(path)
    assert reg is None
    assert str(findings[0]).startswith(f"{findings[0].location.file}:7: error:")


def test_unknown_key_with_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "      - period: '2023'\n        alocated: 12\n")
    reg, findings = load_register(path)
    assert reg is None
    unknown = [f for f in findings if f.code == "BBT402"]
    assert (
        unknown
        and unknown[0].location.line == 8
        and "did you mean 'allocated'" in unknown[0].message
    )


def test_filled_above_allocated_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "      - {period: '2023', allocated: 10, filled: 11}\n")
    reg, findings = load_register(path)
    assert reg is not None and findings == []
    [warning] = check_register(reg)
    assert (warning.code, warning.severity, warning.location.line) == (
        "BBT430",
        Severity.WARNING,
        7,
    )


def test_missing_fields(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "      - {allocated: 10}\n      - {period: '2023'}\n")
    got = codes(path)
    assert ("BBT404", 7, Severity.ERROR) in got  # no period
    assert ("BBT404", 8, Severity.ERROR) in got  # neither allocated nor filled
    path = write(tmp_path, "measures:\n  x:\n    unit: vte\n")
    assert ("BBT404", 3, Severity.ERROR) in codes(path)  # no title


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, BASE + "      - {period: '2023', allocated: 1\n")
    [(code, line, _)] = codes(path)
    assert code == "BBT401" and line > 0


def test_no_source_is_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE.replace("    source: test\n", "") + "      - {period: '2023', allocated: 1}\n",
    )
    assert codes(path) == [("BBT424", 6, Severity.WARNING)]


E, W = Severity.ERROR, Severity.WARNING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            BASE
            + "      - {period: '2023', province: limbrug, allocated: 10}\n"
            + "      - {period: '2023-Q5', allocated: 10}\n"
            + "      - {period: '2023', allocated: -1}\n"
            + "      - {period: '2023', allocated: '1.234,5'}\n",
            [("BBT422", 7, E), ("BBT422", 8, E), ("BBT421", 9, E), ("BBT409", 10, E)],
            id="bad values",
        ),
        pytest.param(
            BASE.replace("unit: vte", "unit: fte")
            + "      - {period: '2023', allocated: 1}\n      - {period: '2023', allocated: 2}\n",
            [("BBT422", 4, E), ("BBT423", 8, E)],
            id="duplicate entry and unknown unit",
        ),
        pytest.param(
            BASE
            + "      - {period: 2023-04-01, province: limburg, organisations: 3, allocated: 100}\n"
            + "      - {period: 2023-07-01, province: limburg, organisations: 3, allocated: 90}\n"
            + "    reductions:\n"
            + "      - {date: 2023-07-01, fill_year: 2022, province: limburg, organisations: 4, reduced: 12}\n",
            [("BBT432", 10, W), ("BBT433", 10, W)],
            id="a reduction that does not match the snapshots",
        ),
    ],
)
def test_register_findings(
    tmp_path: Path, text: str, expected: list[tuple[str, int, Severity]]
) -> None:
    got = codes(write(tmp_path, text))
    for finding in expected:
        assert finding in got, got


def test_province_entries_must_add_up(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        BASE
        + "      - {period: '2023', allocated: 100, filled: 50}\n"
        + "      - {period: '2023', province: limburg, allocated: 60, filled: 30}\n"
        + "      - {period: '2023', province: antwerpen, allocated: 30, filled: 20}\n",
    )
    got = codes(path)
    assert ("BBT431", 7, Severity.WARNING) in got
    assert [c for c in got if c[0] == "BBT431"] == [("BBT431", 7, Severity.WARNING)]


# -- CLI -----------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(contingent, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_cli_fill_table() -> None:
    code, out = run("fill")
    assert code == 0
    assert "1.207,64" in out and "1.680,33" in out and "71,9%" in out
    assert "76.476,81" in out and "92,7%" in out
    assert "95,8%" in out and "98,4%" in out


def test_cli_fill_json_and_csv() -> None:
    code, out = run("fill", "--measure", "cmw", "--period", "2023", "--format", "json")
    assert code == 0
    [row] = json.loads(out)
    assert row["filled"] == "76476.81" and row["allocated"] == "82456.46" and row["fill"] == "92.7"
    code, out = run("fill", "--measure", "ama-se", "--format", "csv")
    assert out.splitlines()[1].startswith("ama-se,2024,Vlaanderen,1207.64,1680.33,trajecten,71.9,")


def test_cli_fill_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "fill.csv"
    path.write_text("organisation;allocated;filled\nA;10;8\nB;10;10.5\n", encoding="utf-8")
    code, out = run("fill", "--csv", str(path), "--format", "json")
    assert code == 0
    assert [r["fill"] for r in json.loads(out)] == ["80.0", "105.0"]


def test_cli_usage_and_data_errors(tmp_path: Path) -> None:
    assert run("fill", "--format", "xml")[0] == 2
    assert run("distribute")[0] == 2
    code, out = run("fill", "--measure", "nope")
    assert code == 1 and "no measure 'nope'" in out
    bad = write(tmp_path, BASE + "      - {period: '2023', allocated: 12.345}\n")
    code, out = run("fill", "--register", str(bad))
    assert code == 1
    assert re.search(r"contingenten\.yaml:7(?::\d+)?: .*12\.345 has 3 decimals.* \[BBT420\]", out)
    assert "Traceback" not in out
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("allocated,filled\n10,abc\n", encoding="utf-8")
    code, out = run("fill", "--csv", str(csv_path))
    assert code == 1 and "bad.csv:2:" in out and "[BBT409]" in out


def test_cli_reduce_on_the_register_compares_with_snapshots() -> None:
    code, out = run("reduce")
    assert code == 0
    assert "cannot be applied" in out
    assert "total: 31 organisations, 143 published, 143 drop in the snapshots" in out
    code, out = run("reduce", "--format", "json")
    rows = json.loads(out[out.index("[") :])
    assert {r["province"]: r["published"] for r in rows}["antwerpen"] == "69"


def test_cli_reduce_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "fill.csv"
    path.write_text(
        "organisation,province,allocated,filled\nA,limburg,20,15.2\nB,limburg,10,8\nC,antwerpen,10,7.9\n",
        encoding="utf-8",
    )
    code, out = run("reduce", "--csv", str(path), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [(o["organisation"], o["new_allocated"], o["cut"]) for o in data["organisations"]] == [
        ("A", "16", "4"),
        ("C", "8", "2"),
    ]
    assert data["provinces"] == [
        {"province": "antwerpen", "organisations": 1, "cut": "2"},
        {"province": "limburg", "organisations": 1, "cut": "4"},
    ]
    code, out = run("reduce", "--csv", str(path), "--rounding", "down")
    assert code == 0 and "Totaal" in out


def test_cli_distribute(tmp_path: Path) -> None:
    applicants = tmp_path / "aanvragen.csv"
    applicants.write_text(
        "province,applicant,fill,request\n"
        "limburg,A,99,\nlimburg,B,97,\nlimburg,C,96,\nlimburg,D,90,\n"
        "antwerpen,E,100,2\nantwerpen,F,95,\n",
        encoding="utf-8",
    )
    code, out = run(
        "distribute",
        "--path",
        "12",
        "--applicants",
        str(applicants),
        "--weight",
        "limburg=7",
        "--weight",
        "antwerpen=5",
        "--format",
        "json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["provinces"] == {"limburg": 7, "antwerpen": 5}
    assert [(s["applicant"], s["units"]) for s in data["shares"]] == [
        ("A", 3),
        ("B", 2),
        ("C", 2),
        ("E", 2),
        ("F", 3),
    ]
    assert data["excluded"] == [{"province": "limburg", "applicant": "D", "fill": "90"}]
    code, out = run(
        "distribute",
        "--path",
        "2",
        "--applicants",
        str(applicants),
        "--weight",
        "limburg=1",
        "--weight",
        "antwerpen=1",
    )
    assert code == 1 and "the minimum of 1 each needs 3" in out
    code, out = run("distribute", "--path", "5", "--applicants", str(applicants))
    assert code == 2 and "several provinces" in out


def test_cli_help_has_examples() -> None:
    for command in ("fill", "reduce", "distribute", "overview"):
        code, out = run(command, "--help")
        assert code == 0 and "Examples:" in out and f"bbt contingent {command}" in out


# -- the overview document -------------------------------------------------------------


def test_overview_html(register: Register) -> None:
    html = render_overview_html(register, "ama-se")
    assert "1/4/2021" in html and "1/1/2024" in html
    assert "Oost-Vlaanderen" in html and '<td class="num">501</td>' in html
    assert "1.787" in html and "2.059" in html and "1.916" in html
    assert "Vermindering op 1/7/2023 op basis van invulling 2022" in html
    assert '<td class="num">143</td>' in html and "71,9%" in html
    assert "<script" not in html


def test_overview_cli_writes_html(tmp_path: Path) -> None:
    code, _ = run("overview", "-o", str(tmp_path))
    assert code == 0
    assert (
        (tmp_path / "contingent-ama-se.html")
        .read_text(encoding="utf-8")
        .startswith("<!DOCTYPE html>")
    )
    assert run("overview", "--measure", "nope", "-o", str(tmp_path))[0] == 1


def test_overview_pdf(register: Register, tmp_path: Path) -> None:
    pytest.importorskip("bbt.render.pdf")
    written = write_overview(register, "ama-se", tmp_path, ("html", "pdf"))
    pdf = tmp_path / "contingent-ama-se.pdf"
    assert pdf in written and pdf.read_bytes().startswith(b"%PDF")


# -- docs ----------------------------------------------------------------------------------


def test_every_finding_code_is_documented() -> None:
    docs = (ROOT / "docs" / "contingent.md").read_text(encoding="utf-8")
    source = "".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "bbt" / "contingent").glob("*.py")
    )
    used = set(re.findall(r"BBT4\d\d", source))
    assert used, "no codes found"
    missing = sorted(c for c in used if c not in docs)
    assert not missing, f"undocumented codes: {missing}"
