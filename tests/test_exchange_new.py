"""bbt new: next year's skeleton from the 2024 example."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from budgetkit import ARTICLE, make_budget
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bbt.calculation import calculate
from bbt.exchange.cli import COMMANDS
from bbt.exchange.skeleton import build_skeleton, neutralise_text, placeholder, write_skeleton
from bbt.load.budget import load
from bbt.narrative import expand, render
from bbt.outline import outline_of
from bbt.pipeline import check
from bbt.resources import EXAMPLE

DATA = Path(__file__).resolve().parent / "data" / "exchange"
NEW = next(c for c in COMMANDS if c.name == "new")
MARKER = "{# draft: tekst van 2024, herschrijven #}"


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("new") / "2025-sociale-economie"
    result = CliRunner().invoke(NEW, ["2025", "--from", str(EXAMPLE), "--to", str(target)])
    assert result.exit_code == 0, result.output
    assert (
        "8 articles with figures cleared, 39 narratives marked as drafts of 2024, 64 expression(s) "
        "replaced by [[invullen: ...]]" in result.output
    )
    return target


def test_skeleton_keeps_structure_and_clears_last_years_figures(skeleton: Path) -> None:
    doc = load(skeleton)
    old = load(EXAMPLE)
    assert doc.year == 2025 and doc.subtitle == "Uitvoering begrotingsjaar 2025"
    assert [a.code.text for a in doc.articles] == [a.code.text for a in old.articles]
    assert [i.key for i in doc.ises] == [i.key for i in old.ises]
    for article in doc.articles:
        assert article.movements == () and article.accruals == {} and article.figures == {}
        assert set(article.credits) == set(old.article(article.code.text).credits)  # type: ignore[union-attr]
        assert all(
            s.ba is None and s.ba_jr is None and s.bu is None for s in article.credits.values()
        )
    assert doc.published.amounts == {} and doc.stamp == ""
    text = (skeleton / "articles" / "JB0-1JEC2HA-WT.yaml").read_text(encoding="utf-8")
    assert (
        "# 2024: VAK BA 580966, BA-JR 588293, BU 552289; VEK BA 580966, BA-JR 586978, BU 552157"
        in text
    )
    assert "  vak: {}\n" in text and "movements" not in text


def test_every_narrative_is_a_draft_and_check_lists_drafts_and_missing_phases(
    skeleton: Path,
) -> None:
    toelichting = (skeleton / "text" / "articles" / "JB0-1JEC2HA-WT.toelichting.md").read_text()
    original = (EXAMPLE / "text" / "articles" / "JB0-1JEC2HA-WT.toelichting.md").read_text()
    for removed in ("mv.index_apr24.vak", "mv.index_jan25.vak", "accruals.vak"):
        original = original.replace(f"{{{{ {removed} }}}}", f"[[invullen: {removed}]]")
    assert toelichting == f"{MARKER}\n{original}"  # figures that still exist stay expressions
    assert "{{ vak.ba }}" in toelichting and "{{ -realloc.vek }}" in toelichting
    result = check(skeleton)  # never crashes
    assert result.calculation is not None
    codes = [f.code for f in result.findings]
    assert codes.count("BBT130") == 39
    assert "BBT202" not in codes  # no expression left that cannot evaluate
    missing = [f for f in result.findings if f.code == "BBT107"]
    assert len(missing) == 17  # every credit type of every article
    assert all(f.code in {"BBT107"} for f in result.errors)


def test_every_narrative_of_the_skeleton_renders(skeleton: Path) -> None:
    calculation = calculate(load(skeleton))
    rendered = [expand(p.narrative, p.context) for p in outline_of(calculation).texts()]
    assert len(rendered) == 39
    kader = next(
        p for p in outline_of(calculation).texts() if p.key == "ise:duurzame-arbeidsmarkt:kader"
    )
    assert "{{ ise.vak.ba }}" in kader.narrative.source
    assert (
        "[[invullen: art['JB0-1JEC2GA-WT'].mv.relance.vek]]" in kader.narrative.source
    )  # an ISE text citing an article's movement
    html = render(kader.narrative, kader.context)  # Markdown leaves it as visible text
    assert "[[invullen: art['JB0-1JEC2GA-WT'].mv.relance.vek]]" in html.unescape()


def test_inline_narratives_get_the_marker_inside_the_yaml(tmp_path: Path) -> None:
    source = tmp_path / "b2024"
    shutil.copytree(EXAMPLE, source)
    article = source / "articles" / "JB0-1JEC2GB-PA.yaml"
    article.write_text(
        article.read_text().replace(
            "toelichting: text/articles/JB0-1JEC2GB-PA.toelichting.md",
            "toelichting: |\n  Er werden geen leningen verstrekt.\n",
        )
    )
    result = CliRunner().invoke(NEW, ["2025", "--from", str(source)])
    assert result.exit_code == 0, result.output
    target = tmp_path / "b2025"
    assert target.is_dir()
    text = (target / "articles" / "JB0-1JEC2GB-PA.yaml").read_text()
    assert f"toelichting: |\n  {MARKER}\n  Er werden geen leningen verstrekt.\n" in text
    assert any(
        f.code == "BBT130" and "JB0-1JEC2GB-PA.yaml" in f.location.file
        for f in check(target).findings
    )


def test_skeleton_filled_by_import_has_the_figures_back(skeleton: Path, tmp_path: Path) -> None:
    target = Path(shutil.copytree(skeleton, tmp_path / "filled"))
    importer = next(c for c in COMMANDS if c.name == "import")
    result = CliRunner().invoke(
        importer, [str(DATA / "figures-2024.csv"), "--into", str(target), "--yes"]
    )
    assert result.exit_code == 0, result.output
    text = (target / "articles" / "JB0-1JEC2HA-WT.yaml").read_text()
    assert "  vek: {ba: 580966, ba_jr: 586978, bu: 552157}\n" in text
    assert {a.code.text: a.credits for a in load(target).articles} == {
        a.code.text: a.credits for a in load(EXAMPLE).articles
    }


def test_refusals(skeleton: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(NEW, ["2025", "--from", str(EXAMPLE), "--to", str(skeleton)])
    assert result.exit_code == 2 and "already exists" in result.output
    result = CliRunner().invoke(NEW, ["2024", "--from", str(EXAMPLE), "--to", str(tmp_path / "x")])
    assert result.exit_code == 1 and "[BBT520]" in result.stderr
    assert not (tmp_path / "x").exists()
    result = CliRunner().invoke(NEW, ["2025", "--from", str(tmp_path), "--to", str(tmp_path / "y")])
    assert result.exit_code == 1 and "[BBT014]" in result.stderr
    assert CliRunner().invoke(NEW, ["twenty"]).exit_code == 2
    assert list(tmp_path.iterdir()) == []
    assert (
        "bbt new 2025 --from budgets/2024-sociale-economie"
        in CliRunner().invoke(NEW, ["--help"]).output
    )


def test_a_source_with_errors_is_refused_unless_allowed(tmp_path: Path) -> None:
    source = make_budget(
        tmp_path / "b2024",
        {"articles/JB0-1JEC2HA-WT.yaml": ARTICLE.replace("ba_jr: 588293", "ba_jr: 588294")},
    )
    result = CliRunner().invoke(NEW, ["2025", "--from", str(source)])
    assert result.exit_code == 1
    assert "[BBT101]" in result.stderr and "error(s) in the data (bbt check)" in result.stderr
    assert not (tmp_path / "b2025").exists()
    result = CliRunner().invoke(NEW, ["2025", "--from", str(source), "--allow-errors"])
    assert result.exit_code == 0 and "starting from the source despite 1 error(s)" in result.stderr
    assert (tmp_path / "b2025" / "bbt.yaml").is_file()


def test_a_symbolic_link_in_the_source_is_not_followed(tmp_path: Path) -> None:
    source = make_budget(tmp_path / "b2024")
    outside = tmp_path / "secret.txt"
    outside.write_text("not budget data\n")
    (source / "notes.txt").symlink_to(outside)
    result = CliRunner().invoke(NEW, ["2025", "--from", str(source)])
    assert result.exit_code == 1
    assert "notes.txt: error: a symbolic link in the source folder" in result.stderr
    assert "[BBT522]" in result.stderr and not (tmp_path / "b2025").exists()


def test_a_target_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("mine\n")
    result = CliRunner().invoke(NEW, ["2025", "--from", str(EXAMPLE), "--to", str(target)])
    assert result.exit_code == 1
    assert f"{target}: error: {target} is a file [BBT515]" in result.stderr
    assert target.read_text() == "mine\n" and sorted(tmp_path.iterdir()) == [target]


def test_placeholders_are_plain_visible_text() -> None:
    assert placeholder(" mv.index_apr24.vak ") == "[[invullen: mv.index_apr24.vak]]"
    assert placeholder("x | bedrag") == "[[invullen: x \\| bedrag]]"  # safe in a table cell
    assert placeholder("{'a': 1}['a']") == "[[invullen: \\{'a': 1\\}['a']]]"  # never Jinja
    assert neutralise_text("{{ a.b }} en {{ c }}", {"c": 1}) == ("[[invullen: a.b]] en {{ c }}", 1)
    # A statement that cannot evaluate: every expression and statement of the text goes.
    text, count = neutralise_text("{% if mv.x %}ja{% endif %} {{ c }}", {"c": 1, "mv": {}})
    assert "{%" not in text and "{{" not in text and count == 3


# -- generated budgets: every narrative of their skeleton renders ------------------------------


@st.composite
def cited_budgets(draw: st.DrawFn) -> dict[str, str]:
    """A valid budget whose narratives cite movements, accruals and figures in many ways."""
    files: dict[str, str] = {}
    kader: list[str] = ["{{ ise.vak.bu }} keuro"]
    for letter in draw(st.lists(st.sampled_from("ABCDEF"), min_size=1, max_size=3, unique=True)):
        code = f"JB0-1JEC2H{letter}-WT"
        moves = draw(st.lists(st.integers(-500, 500).filter(bool), max_size=3))
        ba = draw(st.integers(0, 100_000)) + sum(-m for m in moves if m < 0)
        ba_jr = ba + sum(moves)
        bu = draw(st.integers(-100, ba_jr))
        said = ["{{ vak.bu }} keuro of {{ vak.benutting }}", "{{ accruals.vak }}"]
        said += ["{{ figures.extra.vak }}", "{{ figures.raming | bedrag }}", "{{ -realloc.vek }}"]
        if moves:
            said += [
                "{{ mv.m0.vak }}",
                "| a | b |\n  |---|---|\n  | x | {{ mv.m0.vek | bedrag }} |",
            ]
            said += ["{% if mv.m0.vak > 0 %}meer{% else %}minder{% endif %}"]
            kader.append(f"{{{{ art['{code}'].mv.m0.vak }}}}")
        chosen = draw(st.lists(st.sampled_from(said), min_size=1, max_size=5))
        movements = "".join(
            f"  - {{id: m{i}, vak: {m}, vek: {m}, {'from' if m > 0 else 'to'}: Elders, reason: r}}\n"
            for i, m in enumerate(moves)
        )
        files[f"articles/{code}.yaml"] = (
            f"code: {code}\ntitle: Artikel {letter}\nise: activering\ncredits:\n"
            f"  vak: {{ba: {ba}, ba_jr: {ba_jr}, bu: {bu}}}\n"
            f"  vek: {{ba: {ba}, ba_jr: {ba_jr}, bu: {bu}}}\n"
            + (f"movements:\n{movements}" if moves else "")
            + "accruals: {vak: 12, vek: 12}\n"
            + "figures:\n  extra: {vak: 7, vek: 7}\n  raming: {value: 3}\n"
            + "toelichting: |\n  "
            + "\n\n  ".join(chosen)
            + "\n"
        )
    files["ises/activering.yaml"] = (
        "title: Activering\nods:\n  - {code: OD17, title: Collectief maatwerk}\n"
        "kader: |\n  " + " en ".join(kader) + "\n"
    )
    return files


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cited_budgets())
def test_every_narrative_of_a_generated_skeleton_renders(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        source = make_budget(Path(temp) / "b2024", files, article=None)
        assert check(source).errors == [], [str(f) for f in check(source).errors]
        skeleton = build_skeleton(source, 2025)
        write_skeleton(skeleton, Path(temp) / "b2025")
        calculation = calculate(load(Path(temp) / "b2025"))
        for piece in outline_of(calculation).texts():
            expand(piece.narrative, piece.context)  # raises nothing
        texts = {p.key: p.narrative.source for p in outline_of(calculation).texts()}
        for name, text in files.items():
            if name.startswith("articles/") and "{{ vak.bu }}" in text and "{%" not in text:
                key = f"article:{name[9:-5]}:toelichting"
                assert "{{ vak.bu }}" in texts[key]  # data that still exists stays cited


def test_from_the_shipped_example_into_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(NEW, ["2026"])
    assert result.exit_code == 0, result.output
    assert "wrote 2026-sociale-economie:" in result.output
    assert load(tmp_path / "2026-sociale-economie").year == 2026
    assert not (EXAMPLE.parent / "2026-sociale-economie").exists()
