"""Charts: utilisation and movements per ISE, as lean inline SVG with real text and numbers."""

from __future__ import annotations

import html as htmllib
import io
import itertools
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from budgetkit import ARTICLE, DOCUMENT, article_with, make_budget
from fontTools.ttLib import TTFont
from markupsafe import escape

from bbt.calculation import Calculation
from bbt.format import procent
from bbt.model import CREDIT_LABELS, EXPENDITURE_CREDITS
from bbt.pipeline import DEFAULT_TEMPLATES, Result, check
from bbt.render import charts
from bbt.render.chart import Chart
from bbt.render.charts import PDF_FONT_FAMILY, WIDTH, movements_chart, utilisation_chart
from bbt.render.html import render_html
from bbt.render.kept_charts import document_charts
from bbt.render.pdf import render_pdf

PDF_CSS = DEFAULT_TEMPLATES / "bbt" / "pdf.css"
TEXT = re.compile(r"<text ([^>]*)>([^<]*)</text>")
NUMBER = re.compile(r"[-+]?\d[\d.]*(?:,\d+)?%?")


@pytest.fixture(scope="module")
def calculation(example_result: Result) -> Calculation:
    assert example_result.calculation is not None
    return example_result.calculation


@pytest.fixture(scope="module")
def example_charts(calculation: Calculation) -> dict[str, list[dict[str, object]]]:
    return document_charts(calculation)


def small(
    tmp_path: Path, files: dict[str, str] | None = None, *, article: str = ARTICLE
) -> Calculation:
    result = check(make_budget(tmp_path, files, article=article))
    assert result.calculation is not None and not result.failed(), result.findings
    return result.calculation


def activering_utilisation(calculation: Calculation) -> Chart:
    """The utilisation chart of ISE activering (the example's and the small budgets')."""
    ise = calculation.ise("activering")
    chart = utilisation_chart(ise, calculation.document.settings.explain_below)
    assert chart is not None
    return chart


def texts(svg: object) -> list[str]:
    """The words of the chart, one entry per ``<text>`` element, unescaped."""
    return [htmllib.unescape(m.group(2)) for m in TEXT.finditer(str(svg))]


def attribute(element: str, name: str) -> str:
    found = re.search(rf'(?<![\w-]){name}="([^"]*)"', element)
    assert found is not None, (name, element[:80])
    return found.group(1)


def all_charts(found: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    return [c for per_ise in found.values() for c in per_ise]


def test_utilisation_shows_each_articles_figure_as_the_document_prints_it(
    calculation: Calculation,
) -> None:
    ise = calculation.ise("activering")
    chart = activering_utilisation(calculation)
    words = texts(chart.svg)
    for a in ise.expenditure:
        for credit in EXPENDITURE_CREDITS:
            figs = a.credits[credit]
            shown = procent(figs.benutting)
            row = [r for r in chart.rows if r[:2] == (a.code, CREDIT_LABELS[credit])]
            assert len(row) == 1 and shown in row[0][4], (a.code, credit, row)
            assert any(shown in w for w in words), (a.code, credit)
    # the published document (seed) prints these two for Collectief maatwerk
    assert ("JB0-1JEC2HA-WT", "VAK", "552.289", "588.293", "93,9%") in chart.rows
    assert ("JB0-1JEC2HA-WT", "VEK", "552.157", "586.978", "94,1%") in chart.rows
    assert "552.289 / 588.293" in words and "93,9%" in words and "94,1%" in words


def test_negative_utilisation_is_written_out_not_drawn(calculation: Calculation) -> None:
    chart = activering_utilisation(calculation)
    reason = "n.v.t.: negatieve uitvoering (-1.936,3%)"
    assert ("JB0-1JEC2HE-WT", "VAK", "-2.188", "113", reason) in chart.rows
    assert ("JB0-1JEC2HE-WT", "VEK", "-2.188", "113", reason) in chart.rows
    assert texts(chart.svg).count(reason) == 2
    # 5 articles x VAK/VEK = 10 rows; the gesco article's two get no bar
    assert str(chart.svg).count("<rect") == 8
    assert f"VAK {reason}, BU -2.188 van BA-JR 113" in chart.alt


def test_zero_base_and_absurd_utilisation(tmp_path: Path) -> None:
    calculation = small(tmp_path, article=article_with((0, 0, 0), (100, 100, 250)))
    ise = calculation.ise("activering")
    chart = activering_utilisation(calculation)
    assert ("JB0-1JEC2HA-WT", "VAK", "0", "0", "n.v.t.: BA-JR is 0") in chart.rows
    assert ("JB0-1JEC2HA-WT", "VEK", "250", "100", "n.v.t.: hoger dan 200% (250,0%)") in chart.rows
    assert "<rect" not in str(chart.svg)
    assert movements_chart(ise) is None


def test_over_execution_below_the_cap_is_a_bar_on_a_longer_axis(tmp_path: Path) -> None:
    chart = activering_utilisation(
        small(tmp_path, article=article_with((100, 100, 150), (100, 100, 75)))
    )
    assert "150,0%" in texts(chart.svg) and "75,0%" in texts(chart.svg)
    widths = [float(w) for w in re.findall(r'<rect [^>]*\swidth="([\d.]+)"', str(chart.svg))]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1], abs=0.2)


def test_long_titles_are_complete(example_charts: dict[str, list[dict[str, object]]]) -> None:
    svg = " ".join(str(c["svg"]) for c in all_charts(example_charts))
    words = " ".join(texts(svg))
    for title in (
        "JB0-1JEC2HC-WT Arbeidsmatige activiteiten in de sociale economie (AMA SE)",
        "JB0-1JEC2GA-WT Ondersteuningsmaatregelen sociale economie en duurzaam en sociaal ondernemerschap",
        "JB0-1JEC2GB-PA Het verstrekken van leningen in het kader van de sociale economie en het duurzaam ondernemerschap",
    ):
        assert title in words
    assert "…" not in svg and "..." not in svg


def test_a_word_wider_than_the_chart_is_broken_not_cut(tmp_path: Path) -> None:
    word = "Arbeidsmarktintegratieondersteuningsmaatregelenbegrotingsartikelverantwoording"
    article = article_with((100, 100, 90), (100, 100, 90), title=f"{word} 2024")
    chart = activering_utilisation(small(tmp_path, article=article))
    words = texts(chart.svg)
    assert word in "".join(words)  # every letter, in order
    assert not any(word in w for w in words)  # over two lines
    assert all(charts.text_width(w, bold=True) <= WIDTH for w in words)


def _font_files() -> dict[str, Path]:
    """The regular, bold and italic files pdf.css declares for the charts' family."""
    css = PDF_CSS.read_text("utf-8")
    found = {}
    for block in re.findall(r"@font-face\s*{([^}]*)}", css):
        if f'"{PDF_FONT_FAMILY}"' not in block:
            continue
        src = re.search(r'url\("([^"]+)"\)', block)
        assert src is not None
        bold = "font-weight: bold" in block
        italic = "font-style: italic" in block
        key = "bold" if bold and not italic else "italic" if italic and not bold else None
        if key or not (bold or italic):
            found[key or "regular"] = PDF_CSS.parent / src.group(1)
    return found


def test_pdf_stylesheet_declares_the_charts_family() -> None:
    assert set(_font_files()) == {"regular", "bold", "italic"}


def test_every_label_fits_in_the_chart_in_the_embedded_typeface(
    example_charts: dict[str, list[dict[str, object]]],
) -> None:
    """Measured with the font the PDF embeds: no label runs out of the viewBox."""
    fonts = {}
    for key, path in _font_files().items():
        font = TTFont(path)
        fonts[key] = (font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm)
    for chart in all_charts(example_charts):
        size = float(attribute(str(chart["svg"]), "font-size"))
        lines: dict[str, list[tuple[float, float, str]]] = {}
        for m in TEXT.finditer(str(chart["svg"])):
            attrs, text = m.group(1), htmllib.unescape(m.group(2))
            style = "bold" if "bold" in attrs else "italic" if "italic" in attrs else "regular"
            cmap, hmtx, upm = fonts[style]
            width = sum(hmtx[cmap[ord(c)]][0] for c in text) / upm * size
            x = float(attribute(attrs, "x"))
            left = x - width if 'text-anchor="end"' in attrs else x
            assert left >= 0 and left + width <= WIDTH + 0.5, (chart["id"], text)
            lines.setdefault(attribute(attrs, "y"), []).append((left, left + width, text))
        for placed in lines.values():  # labels on one line never overlap
            placed.sort()
            for (_, end, text), (start, _, following) in itertools.pairwise(placed):
                assert end <= start, (chart["id"], text, following)


def test_alt_text_carries_every_number(
    example_charts: dict[str, list[dict[str, object]]], calculation: Calculation
) -> None:
    for chart in all_charts(example_charts):
        alt = str(chart["alt"])
        assert f'<title id="{chart["id"]}-title">{escape(alt)}</title>' in str(chart["svg"])
        for word in texts(chart["svg"]):
            for number in NUMBER.findall(word):
                assert number.lstrip("+") in alt, (chart["id"], number)
    activering = str(example_charts["activering"][0]["alt"])
    for a in calculation.ise("activering").expenditure:
        assert f"{a.article.title} ({a.code})" in activering
    assert (
        "Collectief maatwerk (JB0-1JEC2HA-WT): VAK 93,9%, BU 552.289 van BA-JR 588.293"
        in activering
    )
    moves = str(example_charts["activering"][1]["alt"])
    assert "VEK van BA 580.966 naar BA-JR 586.978: +7.327 (indexering)" in moves
    assert "-1.315 (herverdeling uit het artikel), netto +6.012" in moves


def test_the_threshold_line_is_labelled(calculation: Calculation, tmp_path: Path) -> None:
    chart = utilisation_chart(calculation.ise("activering"), Decimal(90))
    assert chart is not None
    svg = str(chart.svg)
    assert "90%: daaronder wordt de onderbenutting toegelicht" in texts(svg)
    assert 'stroke-dasharray="3 2"' in svg
    assert "De stippellijn op 90% is de grens" in chart.alt
    custom = utilisation_chart(calculation.ise("activering"), Decimal("87.5"))
    assert custom is not None and "87,5%: daaronder" in " ".join(texts(custom.svg))
    none = utilisation_chart(calculation.ise("activering"), Decimal(0))
    assert none is not None and "stroke-dasharray" not in str(none.svg)


def test_movements_split_index_and_reallocations(calculation: Calculation) -> None:
    chart = movements_chart(calculation.ise("activering"))
    assert chart is not None
    # BA 580.966 + index 7.327 - 1.315 reallocated = BA-JR 586.978 (VEK)
    assert ("JB0-1JEC2HA-WT", "VEK", "580.966", "7.327", "0", "-1.315", "586.978") in chart.rows
    words = texts(chart.svg)
    assert {"+7.327", "-1.315", "580.966", "586.978", "indexering"} <= set(words)
    other = movements_chart(calculation.ise("duurzame-arbeidsmarkt"))
    assert other is not None
    assert ("JB0-1JEC2GA-WT", "VEK", "18.272", "0", "16.227", "-1.331", "33.168") in other.rows
    assert "+16.227" in texts(other.svg)
    # only articles that had movements: the loans article JB0-1JEC2GB-PA had none
    assert all(row[0] != "JB0-1JEC2GB-PA" for row in other.rows)


def test_svg_is_lean_self_contained_and_real_text(
    example_charts: dict[str, list[dict[str, object]]],
) -> None:
    ids_seen: set[str] = set()
    for chart in all_charts(example_charts):
        svg, cid = str(chart["svg"]), str(chart["id"])
        assert svg.startswith(f'<svg id="{cid}" class="chart-svg" role="img"')
        assert f'aria-labelledby="{cid}-title"' in svg
        assert f'<title id="{cid}-title">{escape(chart["alt"])}</title>' in svg
        assert str(chart["alt"]).startswith(str(chart["title"]))
        assert "url(" not in svg and "<style" not in svg and "<?xml" not in svg
        assert "<path" not in svg and "<text" in svg  # real text, no glyphs drawn as paths
        assert f'font-family="{PDF_FONT_FAMILY}, sans-serif"' in svg
        assert f'viewBox="0 0 {WIDTH} ' in svg and f'width="{WIDTH}"' in svg
        ids = re.findall(r'\bid="([^"]+)"', svg)
        assert all(i.startswith(cid) for i in ids) and not ids_seen & set(ids)
        ids_seen |= set(ids)
        assert len(svg.encode()) < 12_000  # matplotlib's were 50 to 110 KB each
    # 12 px text: 9 pt in print at natural size, >= 11 px in a 370 px wide phone column
    assert charts.FONT * 0.75 >= 8 and charts.FONT * 370 / WIDTH >= 11


def test_svg_is_deterministic_and_self_contained(calculation: Calculation) -> None:
    first = document_charts(calculation)
    again = document_charts(calculation)
    svgs = [str(c["svg"]).encode() for c in all_charts(first)]
    assert len(svgs) == 4 and svgs == [str(c["svg"]).encode() for c in all_charts(again)]
    assert [c["alt"] for c in all_charts(first)] == [c["alt"] for c in all_charts(again)]
    assert not any(b"url(" in svg for svg in svgs)


def test_document_places_charts_and_can_switch_them_off(tmp_path: Path) -> None:
    html = render_html(small(tmp_path / "on"), template_dir=DEFAULT_TEMPLATES)
    assert html.count('<figure class="chart"') == 2
    start = html.index('id="h-ise-activering-kader"')
    ise = html[start : html.index("</section>", start)]
    assert "Benuttingsgraad per artikel (BU / BA-JR), ISE Activering" in ise
    assert '<table class="visually-hidden">' in ise and "<td>93,9%</td>" in ise
    assert "url(" not in html
    off = DOCUMENT + "settings: {charts: false}\n"
    calculation = small(tmp_path / "off", {"bbt.yaml": off})
    assert document_charts(calculation) == {}
    html = render_html(calculation, template_dir=DEFAULT_TEMPLATES)
    assert "<figure" not in html and "<svg" not in html


def test_pdf_chart_text_is_real_text_in_the_documents_font(tmp_path: Path) -> None:
    from pypdf import PdfReader

    calculation = small(tmp_path / "b")
    html = render_html(calculation, template_dir=DEFAULT_TEMPLATES)
    pdf = PdfReader(io.BytesIO(render_pdf(html, allowed_dirs=[tmp_path / "b", DEFAULT_TEMPLATES])))
    text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "daaronder wordt de onderbenutting toegelicht" in text
    assert "552.289 / 588.293" in text and "netto effect" in text
    fonts = {
        str(font["/BaseFont"]).split("+")[-1]
        for page in pdf.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(f.startswith(PDF_FONT_FAMILY.replace(" ", "-")) for f in fonts), fonts


def test_check_and_drawing_do_not_import_a_drawing_library() -> None:
    code = (
        "import sys; from bbt.pipeline import check; import bbt.cli; result = check(); "
        "print([m for m in ('matplotlib', 'bbt.render.charts') if m in sys.modules]); "
        "from bbt.render.kept_charts import document_charts; document_charts(result.calculation); "
        "print([m for m in ('matplotlib', 'pygal', 'PIL') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "[]"]


def test_movements_stack_from_zero_and_a_negative_index_goes_left(tmp_path: Path) -> None:
    movements = """\
movements:
  - {vak: 100, from: CB0-1CBD2AB-PR, reason: spilindex}
  - {vak: 50, from: JB0-1JDE2CB-WT, reason: bijkomende middelen}
  - {vak: -20, vek: -20, to: JB0-1JDE2CB-WT, reason: oproep}
  - {vek: -5, to: CB0-1CBD2AB-PR, kind: index, reason: indexcorrectie}
"""
    article = article_with((1000, 1130, 1000), (1000, 975, 900), more=movements)
    calculation = small(tmp_path, article=article)
    chart = movements_chart(calculation.ise("activering"))
    assert chart is not None
    assert ("JB0-1JEC2HA-WT", "VAK", "1.000", "100", "50", "-20", "1.130") in chart.rows
    assert ("JB0-1JEC2HA-WT", "VEK", "1.000", "-5", "0", "-20", "975") in chart.rows
    assert "+150 (indexering 100, herverdeling naar het artikel 50)" in chart.alt
    assert "-20 (herverdeling uit het artikel), netto +130" in chart.alt
    assert "-25 (indexering -5, herverdeling uit het artikel -20), netto -25" in chart.alt
    assert {"+150", "-20", "-25", "1.130", "975"} <= set(texts(chart.svg))
    found = re.findall(
        r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="([\d.]+)" fill="([^"]+)"',
        str(chart.svg),
    )
    bars = [(float(x), float(w), fill) for x, w, h, fill in found if float(h) == charts.BAR]
    # VAK: index then incoming to the right of zero, outgoing to the left; VEK: the negative
    # index next to zero, the outgoing reallocation beyond it (index nearest zero on both sides)
    assert [fill for *_, fill in bars] == [
        charts.DARK,
        charts.LIGHT,
        charts.WHITE,
        charts.DARK,
        charts.WHITE,
    ]
    zero, unit = bars[0][0], bars[0][1] / 100
    assert bars[1][0] == pytest.approx(zero + 100 * unit, abs=0.2)
    assert bars[1][1] == pytest.approx(50 * unit, abs=0.2)
    assert bars[2][0] + bars[2][1] == pytest.approx(zero, abs=0.2)
    assert bars[3][0] + bars[3][1] == pytest.approx(zero, abs=0.2)
    assert bars[3][1] == pytest.approx(5 * unit, abs=0.2)
    assert bars[4][0] + bars[4][1] == pytest.approx(bars[3][0], abs=0.2)
    assert bars[4][1] == pytest.approx(20 * unit, abs=0.2)
