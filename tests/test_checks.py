"""Each check with small YAML written here; the prose rule on the seed's full text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from budgetkit import ARTICLE, DOCUMENT, EXAMPLE, copy_example, make_budget
from click.testing import CliRunner

from bbt.checks.numbers import stated_numbers
from bbt.checks.stated import parse_dutch
from bbt.cli import main
from bbt.pipeline import check

A = "articles/JB0-1JEC2HA-WT.yaml"
SEED_TEXT = Path(__file__).parent / "data" / "seed-literal" / "text"
DOCUMENT_WITH_PROVISION = DOCUMENT + "provisions:\n  CB0-1CBD2AB-PR:\n    vak: 7327\n"


def findings(
    tmp_path: Path, files: dict[str, str | None] | None = None, article: str | None = ARTICLE
):
    root = make_budget(tmp_path / "b", files, article=article)
    return check(root).findings


def codes(found) -> list[str]:
    return [f.code for f in found if f.severity.name != "INFO"]


def test_small_budget_is_clean(tmp_path):
    assert codes(findings(tmp_path)) == []


def test_shipped_example_passes(tmp_path):
    result = check(EXAMPLE)
    assert result.calculation is not None
    assert not result.failed(strict=True), [str(f) for f in result.findings]
    # The published totals that differ from the sum of their lines are reported as rounding.
    rounding = [f for f in result.findings if f.code == "BBT104"]
    assert len(rounding) == 3 and all(
        "rounding difference of -1 keuro" in f.message for f in rounding
    )


def test_movement_identity(tmp_path):
    found = findings(tmp_path, {A: ARTICLE.replace("ba_jr: 586978", "ba_jr: 586979")})
    [f] = [f for f in found if f.code == "BBT101"]
    assert f.location.line == 7
    assert (
        "BA 580.966 +6.012 movements = 586.978, but BA-JR is 586.979 (difference +1)" in f.message
    )


def test_reallocation_booked_on_one_side_only(tmp_path):
    other = (
        "code: JB0-1JEC2GA-WT\ntitle: Ondersteuning\nise: activering\n"
        "credits:\n  vak: {ba: 10, ba_jr: 10, bu: 10}\n  vek: {ba: 10, ba_jr: 10, bu: 10}\n"
    )
    article = ARTICLE.replace("to: Elders", "to: JB0-1JEC2GA-WT")
    found = findings(tmp_path, {A: article, "articles/JB0-1JEC2GA-WT.yaml": other})
    [f] = [f for f in found if f.code == "BBT102"]
    assert "JB0-1JEC2GA-WT has no movement with JB0-1JEC2HA-WT" in f.message
    assert f.location.line == 11


def test_reallocation_amounts_must_mirror(tmp_path):
    other = (
        "code: JB0-1JEC2GA-WT\ntitle: Ondersteuning\nise: activering\n"
        "credits:\n  vak: {ba: 10, ba_jr: 10, bu: 10}\n  vek: {ba: 10, ba_jr: 1325, bu: 10}\n"
        "movements:\n  - {vek: 1315, from: JB0-1JEC2HA-WT}\n"
        "toelichting: Herverdeling vanuit collectief maatwerk.\n"
    )
    article = ARTICLE.replace("to: Elders", "to: JB0-1JEC2GA-WT")
    assert codes(findings(tmp_path, {A: article, "articles/JB0-1JEC2GA-WT.yaml": other})) == []
    unequal = other.replace("vek: 1315, from", "vek: 1351, from").replace(
        "ba_jr: 1325", "ba_jr: 1361"
    )
    found = findings(tmp_path / "2", {A: article, "articles/JB0-1JEC2GA-WT.yaml": unequal})
    [f] = [f for f in found if f.code == "BBT102"]
    assert (
        "does not balance for VEK" in f.message and "-1.315" in f.message and "+1.351" in f.message
    )


def test_movement_sign_must_fit_direction(tmp_path):
    found = findings(
        tmp_path,
        {
            A: ARTICLE.replace("vek: -1315, to", "vek: 1315, to").replace(
                "ba_jr: 586978", "ba_jr: 589608"
            )
        },
    )
    assert "BBT105" in codes(found)


def test_published_total_beyond_rounding_is_an_error(tmp_path):
    ise = "title: Activering\nods:\n  - {code: OD17, title: x}\npublished:\n  vak: {bu: 552200}\n"
    found = findings(tmp_path, {"ises/activering.yaml": ise})
    [f] = [f for f in found if f.code == "BBT103"]
    assert (
        "differs from the sum of the 1 lines 552.289 by -89 keuro" in f.message
        and f.location.line == 5
    )
    ise_ok = ise.replace("552200", "552288")
    [info] = [
        f for f in findings(tmp_path / "2", {"ises/activering.yaml": ise_ok}) if f.code == "BBT104"
    ]
    assert "rounding difference of -1 keuro" in info.message and "tolerance 1 keuro" in info.message


def test_over_execution_is_a_warning_with_the_amount(tmp_path):
    found = findings(tmp_path, {A: ARTICLE.replace("bu: 552157", "bu: 590000")})
    [f] = [f for f in found if f.code == "BBT110"]
    assert f.severity.name == "WARNING" and "over-executed by 3.022 keuro" in f.message


def test_receipts_above_their_estimate_are_no_over_execution(tmp_path):
    # The example's receipts article (AO: BA-JR 131, BU 45) with more received than estimated.
    root = copy_example(tmp_path / "b")
    path = root / "articles/JB0-9JECAGA-OW.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("ao: {ba: 131, ba_jr: 131, bu: 45}", "ao: {ba: 131, ba_jr: 131, bu: 200}")
    )
    result = check(root)
    assert [f for f in result.findings if f.code == "BBT110"] == []
    [note] = [f for f in result.findings if f.code == "BBT113"]
    assert note.severity.name == "INFO" and note.location.line == 5
    assert note.message == (
        "JB0-9JECAGA-OW AO receipts exceeded the estimate by 69 keuro: BU 200 against BA-JR 131 "
        "(152,7%); receipts are estimates, not limits, so this is no over-execution"
    )
    assert not result.failed(strict=True)


def test_receipts_within_their_estimate_get_no_note():
    assert [f for f in check(EXAMPLE).findings if f.code in ("BBT110", "BBT113")] == []


def test_explanation_owed(tmp_path):
    article = ARTICLE.split("toelichting:")[0]
    found = findings(tmp_path, {A: article})
    [f] = [f for f in found if f.code == "BBT111"]
    assert "it had reallocations" in f.message
    low = (
        article.replace("bu: 552289", "bu: 400000")
        .replace("to: Elders", "from: Elders")
        .replace("-1315", "1315")
        .replace("ba_jr: 586978", "ba_jr: 589608")
    )
    [f] = [f for f in findings(tmp_path / "2", {A: low}) if f.code == "BBT111"]
    assert "VAK utilisation 68,0% is below 90%" in f.message


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("Bedroeg {{ vak.bux }} keuro.", "BBT202", "vak has no 'bux'; did you mean 'bu'?"),
        ("{{ ''.__class__.__mro__ }}", "BBT203", "unsafe"),
        ("{% if %}", "BBT201", "syntax"),
        ("Alles {{ vak }}.", "BBT202", "group of figures"),
    ],
)
def test_narrative_expressions(tmp_path, text, code, words):
    article = ARTICLE.split("toelichting:")[0] + f"toelichting: |\n  Eerste regel.\n  {text}\n"
    [f] = [f for f in findings(tmp_path, {A: article}) if f.code == code]
    assert words in f.message and f.location.line == 15


def test_stated_amount_that_matches_no_figure(tmp_path):
    text = "De uitvoering bedroeg 552.289 keuro VAK of 93,9% van het beschikbare VAK-krediet en 522.157 keuro VEK of 94,1% van het beschikbare VEK-krediet."
    article = ARTICLE.split("toelichting:")[0] + f"toelichting: |\n  Inleiding.\n\n  {text}\n"
    found = [f for f in findings(tmp_path, {A: article}) if f.code.startswith("BBT21")]
    assert [str(f.location.line) + " " + f.message for f in found] == [
        "16 522.157 matches no figure of article JB0-1JEC2HA-WT; BU VEK is 552.157 (94,1% of 586.978)"
    ]


def test_stated_utilisation_that_disagrees(tmp_path):
    article = ARTICLE.split("toelichting:")[0] + (
        "toelichting: |\n  De uitvoering bedroeg 552.157 keuro VEK.\n"
        "  Dat is 95,1% van het beschikbare krediet.\n"
    )
    [f] = [f for f in findings(tmp_path, {A: article}) if f.code.startswith("BBT21")]
    assert f.code == "BBT211" and f.location.line == 15
    assert f.message == (
        "95,1% is no VEK utilisation of article JB0-1JEC2HA-WT; "
        "VEK utilisation is 94,1% (552.157 of 586.978)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In 2024 werden 5.022 aanvragen goedgekeurd bij 2.564 bedrijven.", []),
        ("op 1 januari 2025 met 39 regisseurs en 1.680,33 trajecten", []),
        ("meer dan 148.000 werkloosheidsdagen, 28 procentpunt", []),
        ("bedroeg 580.966 keuro VAK/VEK", [("580.966", "amount", "VAK/VEK")]),
        (
            "(24.016 VAK en 24.300 keuro VEK)",
            [("24.016", "amount", "VAK"), ("24.300", "amount", "VEK")],
        ),
        (
            "12.912 VEK-middelen en -2.188 keuro",
            [("12.912", "amount", "VEK"), ("-2.188", "amount", "")],
        ),
        ("BA 2024 {{ vak.ba }} keuro", []),
        ("invullingspercentage van 71,9% in 2024", [("71,9", "percent", "")]),
    ],
)
def test_what_counts_as_an_amount(text, expected):
    got = [(s.text, s.kind, s.credit) for s in stated_numbers(text)]
    assert got == expected


def test_dutch_parse_roundtrip():
    from decimal import Decimal

    from bbt.format import bedrag

    for value in ("580966", "-2188", "1207.64", "0", "1000000.5"):
        assert parse_dutch(bedrag(Decimal(value))) == Decimal(value)


@pytest.fixture
def pasted(tmp_path):
    """The example with the seed's literal text pasted back (numbers typed, not bound)."""
    root = copy_example(tmp_path / "pasted")
    shutil.rmtree(root / "text")
    shutil.copytree(SEED_TEXT, root / "text")
    return root


def test_seed_full_text_gives_exactly_the_line_755_finding(pasted):
    result = check(pasted)
    prose = [f for f in result.findings if f.code.startswith("BBT2")]
    assert len(prose) == 1, [str(f) for f in prose]
    [f] = prose
    assert f.location.file.endswith("JB0-1JEC2HA-WT.toelichting.md") and f.location.line == 3
    assert (
        f.message
        == "522.157 matches no figure of article JB0-1JEC2HA-WT; BU VEK is 552.157 (94,1% of 586.978)"
    )


def test_fix_binds_pasted_numbers_and_keeps_the_text(pasted):
    from bbt.narrative import expand
    from bbt.outline import outline_of

    before = {
        p.key: expand(p.narrative, p.context)
        for p in outline_of(check(pasted).calculation).texts()
        if p.narrative
    }
    runner = CliRunner()
    dry = runner.invoke(main, ["check", str(pasted), "--fix", "--dry-run"])
    assert (
        "+De uitvoering op dit begrotingsartikel bedroeg {{ vak.bu }} keuro VAK of {{ vak.benutting }}"
        in dry.output
    )
    assert (pasted / "text/articles/JB0-1JEC2HA-WT.toelichting.md").read_text().count(
        "{{"
    ) == 0  # dry run: unchanged
    result = runner.invoke(main, ["check", str(pasted), "--fix"])
    assert result.exit_code == 1  # the 522.157 typo matches nothing, so it stays and is reported
    after = check(pasted)
    for piece in outline_of(after.calculation).texts():
        if piece.narrative and piece.key in before:
            assert expand(piece.narrative, piece.context) == before[piece.key], piece.key
    bound = (pasted / "text/articles/JB0-1JEC2HF-WT.toelichting.md").read_text()
    assert "{{ mv.index_apr24.vak }}" in bound and "{{ figures.sine_raming }}" in bound


def fix_text(tmp_path: Path, text: str) -> tuple[str, str]:
    """Run ``bbt check --fix`` on an article explanation; the file after, and how both render."""
    from bbt.narrative import expand
    from bbt.outline import outline_of

    article = ARTICLE.split("toelichting:")[0] + "toelichting: text/t.md\n"
    root = make_budget(tmp_path / "b", {A: article, "text/t.md": text + "\n"})

    def rendered() -> str:
        calculation = check(root).calculation
        [piece] = [p for p in outline_of(calculation).texts() if p.key.endswith(":toelichting")]
        return expand(piece.narrative, piece.context)

    before = rendered()
    assert CliRunner().invoke(main, ["check", str(root), "--fix"]).exit_code in (0, 1)
    assert rendered() == before  # binding never changes what the reader sees
    return (root / "text/t.md").read_text(encoding="utf-8").strip(), before


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("Het BA bedroeg 580.966 k€ VEK.", "Het BA bedroeg {{ vek.ba }} k€ VEK."),
        (
            "De uitvoering bedroeg 552.289 duizend euro.",
            "De uitvoering bedroeg {{ vak.bu }} duizend euro.",
        ),
        (
            "Het BA-JR bedroeg 588.293.000 euro VAK en € 586.978.000 VEK.",
            "Het BA-JR bedroeg {{ vak.ba_jr * 1000 }} euro VAK en € {{ vek.ba_jr * 1000 }} VEK.",
        ),
        (
            "Het VEK-krediet werd verminderd met 1.315 keuro.",
            "Het VEK-krediet werd verminderd met {{ -realloc.vek }} keuro.",
        ),
        (
            "De uitvoering bedroeg 552.157 keuro VEK of 94,1% van het beschikbare krediet.",
            "De uitvoering bedroeg {{ vek.bu }} keuro VEK of {{ vek.benutting }} van het beschikbare krediet.",
        ),
    ],
)
def test_fix_binds_every_exact_form(tmp_path, text, bound):
    after, _ = fix_text(tmp_path, text)
    assert after == bound


@pytest.mark.parametrize(
    "text",
    [
        "De uitvoering bedroeg 552,3 miljoen euro VAK.",  # rounded: an expression prints 552.289
        "De benuttingsgraad bedroeg 93,9 procent.",  # the expression prints 93,9%
        "De uitvoering bedroeg ruim 552.289 keuro.",  # a bound, not a claim of equality
        "Het BA-JR bedroeg 588.293.500 euro VAK.",  # not equal to the figure
    ],
)
def test_fix_leaves_rounded_spelled_and_bounded_numbers(tmp_path, text):
    after, _ = fix_text(tmp_path, text)
    assert after == text


def test_cli_exit_codes_and_formats(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["check"])
    assert ok.exit_code == 0 and "0 error(s)" in ok.output
    root = make_budget(tmp_path / "b", {A: ARTICLE.replace("ba_jr: 586978", "ba_jr: 586979")})
    bad = runner.invoke(main, ["check", str(root), "--format", "github"])
    assert bad.exit_code == 1
    line = next(x for x in bad.output.splitlines() if "BBT101" in x)
    assert line.startswith("::error file=") and ",line=7,col=28,title=BBT101::" in line
    as_json = json.loads(runner.invoke(main, ["check", str(root), "--format", "json"]).output)
    assert as_json["version"] == 1
    first = as_json["findings"][0]
    assert first["code"] == "BBT101" and first["line"] == 7 and first["column"] > 0
    assert runner.invoke(main, ["check", "--format", "xml"]).exit_code == 2
    warn = make_budget(tmp_path / "w", {A: ARTICLE.replace("bu: 552157", "bu: 590000")})
    assert runner.invoke(main, ["check", str(warn)]).exit_code == 0
    assert runner.invoke(main, ["check", str(warn), "--strict"]).exit_code == 1


def test_cli_not_a_budget(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert (
        result.exit_code == 1
        and "not a budget folder" in result.output
        and "Traceback" not in result.output
    )


def test_utilisation_and_calc_commands():
    runner = CliRunner()
    below = runner.invoke(main, ["utilisation", "--below", "80"])
    assert below.exit_code == 0
    assert (
        "JB0-1JEC2HC-WT" in below.output
        and "73,9%" in below.output
        and "JB0-1JEC2HA-WT" not in below.output
    )
    calculation = runner.invoke(main, ["calc"]).output
    assert (
        "653.583" in calculation and "668.564" in calculation and "635.306  694.180" in calculation
    )
    assert "BU VAK: published 635.305, sum of lines 635.306" in calculation


def test_check_does_not_import_heavy_modules():
    import subprocess
    import sys

    code = "import sys; from bbt.pipeline import check; check(); print(sorted(m for m in ('weasyprint','pandas','matplotlib') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_draft_marker_is_flagged_and_softens_expressions(tmp_path):
    article = (
        ARTICLE.split("toelichting:")[0]
        + "toelichting: |\n  {# draft: tekst van 2023 #}\n  Verhoogd met {{ mv.oud.vak }} keuro.\n"
    )
    found = findings(tmp_path, {A: article})
    draft = [f for f in found if f.code == "BBT130"]
    assert len(draft) == 1 and "tekst van 2023" in draft[0].message and draft[0].location.line == 14
    [expr] = [f for f in found if f.code == "BBT202"]
    assert expr.severity.name == "WARNING" and expr.message.startswith("draft:")


def test_index_tranches_add_up_per_provision(tmp_path):
    declared = DOCUMENT_WITH_PROVISION.replace("7327", "7328")
    [f] = [f for f in findings(tmp_path, {"bbt.yaml": declared}) if f.code == "BBT109"]
    assert (
        "draw 7.327 keuro VAK" in f.message
        and "7.328 is declared" in f.message
        and f.location.line == 10
    )
    assert "BBT109" not in codes(findings(tmp_path / "ok", {"bbt.yaml": DOCUMENT_WITH_PROVISION}))


def test_unknown_data_is_explained_in_the_documents_words(tmp_path):
    """BBT202 names the figure and the movement, not Jinja's "'dict object' has no attribute"."""
    cases = {
        "{{ mv.index_apr42.vak }}": "this article has no movement with id 'index_apr42'; did you mean 'index_apr24'?",
        "{{ vak.buu }}": "vak has no 'buu'; did you mean 'bu'?",
        "{{ art['JB0-1JEC2HA-WX'].vak.bu }}": "this document has no article JB0-1JEC2HA-WX; did you mean 'JB0-1JEC2HA-WT'?",
        "{{ figures.raming }}": "this article has no figure 'raming' under `figures:` (there is none)",
    }
    for n, (expression, words) in enumerate(cases.items()):
        root = make_budget(tmp_path / str(n), {A: ARTICLE.replace("{{ vak.bu }}", expression)})
        [finding] = [f for f in check(root).findings if f.code == "BBT202"]
        assert finding.message == f"{expression}: {words}"
        assert "dict object" not in finding.message
        assert finding.location.line == 14
