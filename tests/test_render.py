"""The HTML document: outline, tables with the published figures, sandbox, atomic output."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bbt.calculation import Calculation
from bbt.cli import main
from bbt.errors import RenderError
from bbt.format import bedrag
from bbt.glossary import used_entries
from bbt.outline import outline_of
from bbt.pipeline import DEFAULT_BUDGET, DEFAULT_TEMPLATES, build, check
from bbt.render.html import render_html


@pytest.fixture(scope="module")
def calculation() -> Calculation:
    result = check(DEFAULT_BUDGET)
    assert result.calculation is not None
    return result.calculation


@pytest.fixture(scope="module")
def html(calculation: Calculation) -> str:
    return render_html(calculation, template_dir=DEFAULT_TEMPLATES)


def cells(html: str) -> list[str]:
    """The text of every table cell, in order."""
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)
    ]


def table_after(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</table>", start)]


def rows_from(table: str, first: str) -> list[str]:
    """The cells of ``table`` from the row whose first cell is ``first`` to its end."""
    values = cells(table)
    return values[values.index(first) :]


def test_document_is_dutch_and_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="nl-BE">' in html
    assert '<meta name="viewport"' in html
    assert "<style>" in html
    # no external references: no links, scripts, images or url() in the stylesheet
    assert not re.search(r"<link\b|<script\b|<img\b|url\(", html)


def test_outline_follows_the_reference(html: str) -> None:
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h1[^>]*>(.*?)</h1>", html)]
    assert headings == [
        "INHOUDSTAFEL",
        "II. INLEIDING DOOR DE MINISTER",
        "III. SAMENVATTING",
        "IV. TRANSVERSALE, HORIZONTALE EN OVERKOEPELENDE STRATEGISCHE DOELSTELLINGEN",
        "V. BELEIDSVELD: SOCIALE ECONOMIE",
        "VI. LIJST MET AFKORTINGEN",
        "VII. BIJLAGE ‘OVERZICHT BELEIDS- EN REGELGEVINGSINITIATIEVEN’",
        "VIII. BIJLAGE ‘OVERZICHT VAN DE RESOLUTIES EN MOTIES VAN HET VLAAMS PARLEMENT’",
        "IX. BIJLAGE ‘OVERZICHT VAN DE AANBEVELINGEN VAN HET REKENHOF’",
        "X. BIJLAGE ‘OVERZICHT VAN DE ARRESTEN VAN HET GRONDWETTELIJK HOF EN VAN HET HOF VAN JUSTITIE’",
        "XI. BIJLAGE ‘ISE-indicatoren’",
    ]
    for text in (
        "1. Transversale, horizontale doelstellingen",
        "SD 1: Meer mensen aan het werk",
        "1. ISE ACTIVERING (SOCIALE ECONOMIE)",
        "1.1. Strategische doelstellingen op het niveau van het inhoudelijk structuurelement",
        "OD 16: Individueel maatwerk invoeren",
        "1.3. Budgettair kader voor het begrotingsjaar",
        "1.3.1. Departement en IVA’s zonder rechtspersoonlijkheid (excl. DAB’s)",
        "2. ISE DUURZAME ARBEIDSMARKT (SOCIALE ECONOMIE)",
        "OD 18: Sociaal ondernemerschap ondersteunen",
        "JB0-1JEC2HA-WT – COLLECTIEF MAATWERK",
    ):
        assert f">{text}<" in html or f">{text}<a" in html, text
    # every TOC entry links to a heading that exists
    for target in re.findall(r'<li class="toc-l\d"><a href="#([^"]+)"', html):
        assert f'id="{target}"' in html
    assert '<p class="signature">Hilde Crevits</p>' in html


def test_programme_table_has_published_values(html: str) -> None:
    raw = table_after(html, "PROGRAMMA JE – SOCIALE ECONOMIE")
    assert '<span class="unit">(duizend euro)</span>' in raw
    assert rows_from(raw, "BA 2024") == [
        "BA 2024", "131", "0", "0", "717.324", "717.452",
        "BA-JR 2024", "131", "0", "0", "721.768", "734.808",
        "BU 2024", "45", "0", "0", "653.583", "668.564",
    ]  # fmt: skip


def test_ise_table_shows_published_total(html: str) -> None:
    table = table_after(html, "ACTIVERING (SOCIALE ECONOMIE), MVG excl. DAB")
    assert '<th scope="colgroup" colspan="3" class="group">VAK 2024</th>' in table
    # The computed ESR rows; the total row is the published one (635.305, not 635.306).
    assert rows_from(table, "ESR-uitgaven") == [
        "ESR-uitgaven", "WT, LO, PR", "694.180", "697.955", "635.306", "694.180", "696.640", "635.442",
        "Toelagen", "IS", "0", "0", "0", "0", "0", "0",
        "Overige", "LE, PA, andere", "0", "0", "0", "0", "0", "0",
        "Totaal", "694.180", "697.955", "635.305", "694.180", "696.640", "635.441",
    ]  # fmt: skip


def test_every_article_shows_its_six_figures(calculation: Calculation, html: str) -> None:
    for code, a in calculation.articles.items():
        table = cells(table_after(html, f"{code} – "))
        if a.article.code.is_receipt:
            for phase in ("ba", "ba_jr", "bu"):
                row = [bedrag(a.credits[c].get(phase)) for c in ("ao", "to", "lo")]
                assert " ".join(row) in " ".join(table), (code, phase)
        else:
            six = [
                bedrag(a.credits[c].get(p)) for c in ("vak", "vek") for p in ("ba", "ba_jr", "bu")
            ]
            assert table[table.index("Uitgaven") + 1 :][:6] == six, code
    # Two articles as the seed prints them; the gesco article's BU is negative.
    seed = {
        "JB0-1JEC2HE-WT": ["111", "113", "-2.188", "111", "113", "-2.188"],
        "JB0-1JEC2HA-WT": ["580.966", "588.293", "552.289", "580.966", "586.978", "552.157"],
    }
    for code, six in seed.items():
        table = cells(table_after(html, f"{code} – "))
        assert table[table.index("Uitgaven") + 1 :][:6] == six, code


def test_tables_are_accessible(html: str) -> None:
    assert html.count('<caption id="cap-') == 1 + 2  # programme, 2 ISEs
    # the 8 articles' tables: their caption is a label, sized as "Inhoudelijke toelichting:",
    # and tells a screen reader which article it is
    assert html.count('<caption class="label-caption" id="cap-article-') == 8
    assert (
        '<span class="caption-title">Begrotingsuitvoering:<span class="visually-hidden">'
        " JB0-1JEC2HA-WT</span></span>"
    ) in html
    # on a narrow screen a table scrolls in a named region the keyboard can reach
    assert html.count('role="region" aria-labelledby="cap-') == html.count('<table class="fin')
    assert '<th scope="row">Uitgaven</th>' in html
    assert '<th scope="col">BA-JR 2024</th>' in html
    assert html.count('<div class="table-scroll') == html.count('<table class="fin')


def test_glossary_lists_exactly_the_used_terms(calculation: Calculation, html: str) -> None:
    start = html.index('<table class="glossary">')
    section = html[start : html.index("</table>", start)]
    terms = re.findall(r'<tr><th scope="row">([^<]+)</th>', section)
    assert terms == [e.term for e in used_entries(outline_of(calculation))]


def test_footnotes_are_numbered_notes(html: str) -> None:
    refs = re.findall(r'<a class="fn-ref" href="#fn-(\d+)"', html)
    assert refs == [str(n) for n in range(1, len(refs) + 1)]
    assert len(refs) >= 8
    for n in refs:
        assert f'<li id="fn-{n}" value="{n}">' in html
    # the OD heading's note (Objective.footnote) is a footnote on the heading
    assert re.search(
        r"OD 16: Individueel maatwerk invoeren<a class=\"fn-ref\"[^>]*>\d+</a><span class=\"footnote\">Zie ook begroting",
        html,
    )


def test_annexes(html: str) -> None:
    assert "22 maart 2024. - Decreet over de ondersteuning van sociale economie" in html
    assert "- BS 29 april 2024" in html
    assert "Aangenomen in de plenaire vergadering van 14 juli 2021." in html
    assert (
        "van Robrecht Bothuyne, Axel Ronse, Tom Ongena, Allessia Claes, Loes Vandromme en Philippe Muyters"
        in html
    )
    assert html.count('<p class="nvt">nvt</p>') == 2  # IX and X
    assert "MEEST RECENTE METING" in html and "(CIJFER VOOR BBT BU 2024)" in html
    assert "47,3% (meest recente jaarcijfer 2023: https://www.vlaanderen.be/" in html


def test_html_is_byte_identical(calculation: Calculation, html: str) -> None:
    assert render_html(calculation, template_dir=DEFAULT_TEMPLATES) == html


def test_source_date_epoch_sets_the_dates(
    calculation: Calculation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    html = render_html(calculation, template_dir=DEFAULT_TEMPLATES)
    assert '<meta name="dcterms.created" content="2023-11-14T22:13:20Z">' in html


@pytest.fixture
def templates_copy(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(
        DEFAULT_TEMPLATES / "bbt", target / "bbt", ignore=shutil.ignore_patterns("fonts")
    )
    return target


def test_hostile_template_is_refused(calculation: Calculation, templates_copy: Path) -> None:
    doc = templates_copy / "bbt" / "document.html.j2"
    doc.write_text(
        doc.read_text("utf-8").replace("<main>", "<main>{{ ''.__class__.__mro__ }}", 1), "utf-8"
    )
    with pytest.raises(RenderError) as caught:
        render_html(calculation, template_dir=templates_copy)
    (finding,) = caught.value.findings
    assert finding.code == "BBT301"
    assert "refused" in finding.message and "__class__" in finding.message
    assert finding.location.file.endswith("document.html.j2") and finding.location.line > 1


def test_template_syntax_error_points_at_the_line(
    calculation: Calculation, templates_copy: Path
) -> None:
    macros = templates_copy / "bbt" / "macros.html.j2"
    lines = macros.read_text("utf-8").splitlines()
    lines[4] = "{% if %}"
    macros.write_text("\n".join(lines), "utf-8")
    with pytest.raises(RenderError) as caught:
        render_html(calculation, template_dir=templates_copy)
    (finding,) = caught.value.findings
    assert (finding.code, finding.location.line) == ("BBT301", 5)
    assert finding.location.file.endswith("macros.html.j2")


def test_failing_build_keeps_the_old_output(tmp_path: Path, templates_copy: Path) -> None:
    out = tmp_path / "out"
    good = build(DEFAULT_BUDGET, out, ("html",))
    assert not good.failed() and [p.name for p in good.written] == ["2024-sociale-economie.html"]
    written = out / "2024-sociale-economie.html"
    before = written.read_bytes()
    # broken data: the same budget with an unreadable bbt.yaml
    broken = tmp_path / "2024-sociale-economie"
    shutil.copytree(DEFAULT_BUDGET, broken)
    (broken / "bbt.yaml").write_text("title: [unclosed\n", "utf-8")
    bad = build(broken, out, ("html",))
    assert bad.failed() and not bad.written
    # a hostile template: the render fails, nothing written
    doc = templates_copy / "bbt" / "document.html.j2"
    doc.write_text(
        doc.read_text("utf-8").replace("<main>", "<main>{{ ''.__class__.__mro__ }}", 1), "utf-8"
    )
    hostile = build(DEFAULT_BUDGET, out, ("html",), templates=templates_copy)
    assert hostile.failed() and not hostile.written
    assert any(f.code == "BBT301" for f in hostile.findings)
    assert written.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["2024-sociale-economie.html"]


def test_cli_build_html(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "-o", str(tmp_path), "--format", "html"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "2024-sociale-economie.html").read_text("utf-8")
    assert "580.966" in html and "635.305" in html


def test_headings_nest_without_skips(html: str) -> None:
    """Every heading closes at its own level, and no level is skipped going down.

    The narrative's own headings (``####`` in Markdown, with a data-bookmark attribute) are
    shifted below the part that holds them: "Groeipad" in OD 17 (h4) becomes an h5.
    """
    tags = re.findall(r"<(/?)h([1-6])[\s>]", html)
    opened = [int(level) for close, level in tags if not close]
    closed = [int(level) for close, level in tags if close]
    assert opened == closed
    for before, after in itertools.pairwise(opened):
        assert after <= before + 1, (before, after)
    assert re.search(r'<h5 data-bookmark="Groeipad">Groeipad</h5>', html)
    assert re.search(r'<h3 data-bookmark="Het Vlaams Energie- en Klimaatplan 2021-2030">', html)


def test_absent_optional_parts_render_nothing(tmp_path: Path) -> None:
    """No strategy text, no ODs, no entity heading, no korte inhoud or toelichting: no empty
    numbered headings, no orphan labels, and the section numbers close up."""
    from budgetkit import ARTICLE, make_budget

    bare = ARTICLE.split("toelichting:")[0]
    root = make_budget(
        tmp_path / "b",
        {
            "ises/activering.yaml": "title: Activering\n",
            "articles/JB0-1JEC2HA-WT.yaml": bare.replace("od: OD17\n", ""),
        },
    )
    result = check(root)
    assert not result.errors, result.errors
    html = render_html(result.calculation, template_dir=DEFAULT_TEMPLATES)
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", html)]
    assert "1.1. Budgettair kader voor het begrotingsjaar" in headings
    assert not any(h.startswith(("1.2.", "1.3.")) for h in headings), headings
    assert not any(h.rstrip().endswith(".") and h[:1].isdigit() for h in headings), headings
    assert 'class="label"' not in html
    assert "Operationele doelstellingen" not in html


def test_years_are_printed_as_years(html: str, calculation: Calculation) -> None:
    """``{{ year }}`` prints 2024, never 2.024; every grouped number that looks like a year is
    an amount of the data (seed: "in 2024 binnen contingent 1.207,64 trajecten")."""
    from bbt.checks.figures import flatten
    from bbt.outline import outline_of

    text = re.sub(r"<[^>]+>", " ", html)
    assert "werden er in 2024 binnen contingent" in text
    amounts = {bedrag(abs(f.value)) for f in flatten(outline_of(calculation).context)}
    grouped_years = re.findall(r"(?<![\d.,])(1\.9\d\d|2\.0\d\d)(?![\d,]|\.\d)", text)
    assert all(g in amounts for g in grouped_years), sorted(set(grouped_years) - amounts)
