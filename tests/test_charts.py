"""Charts: utilisation and movements per ISE, as inline SVG with a text alternative."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from budgetkit import DOCUMENT, make_budget

from bbt.calc import Calculation
from bbt.pipeline import DEFAULT_BUDGET, DEFAULT_TEMPLATES, check
from bbt.render.charts import movements_chart, utilisation_chart
from bbt.render.html import render_html


@pytest.fixture(scope="module")
def calc() -> Calculation:
    result = check(DEFAULT_BUDGET)
    assert result.calculation is not None
    return result.calculation


def small(tmp_path: Path, files: dict[str, str] | None = None) -> Calculation:
    result = check(make_budget(tmp_path, files))
    assert result.calculation is not None and not result.failed(), result.findings
    return result.calculation


def test_utilisation_chart_states_the_numbers(calc: Calculation) -> None:
    chart = utilisation_chart(calc.ise("activering"), calc.document.settings.explain_below)
    assert chart is not None
    assert ("JB0-1JEC2HA-WT", "VAK", "552.289", "588.293", "93,9%") in chart.rows
    assert ("JB0-1JEC2HA-WT", "VEK", "552.157", "586.978", "94,1%") in chart.rows
    # the gesco article: negative execution is stated, not hidden
    assert ("JB0-1JEC2HE-WT", "VAK", "-2.188", "113", "-1.936,3%") in chart.rows
    assert "VAK 93,9% (552.289 / 588.293)" in chart.desc
    assert "-1.936,3%" in chart.desc and "Onder 90%" in chart.desc
    svg = str(chart.svg)
    assert svg.startswith('<svg id="chart-activering-benutting" class="chart-svg" role="img"')
    assert (
        'aria-labelledby="chart-activering-benutting-title chart-activering-benutting-desc"' in svg
    )
    title = re.search(r"<title[^>]*>(.*?)</title>", svg)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    assert title and "ISE Activering" in title.group(1)
    assert desc and "552.289 / 588.293" in desc.group(1)


def test_movements_chart_splits_index_and_reallocations(calc: Calculation) -> None:
    chart = movements_chart(calc.ise("activering"))
    assert chart is not None
    # BA 580.966 + index 7.327 - 1.315 reallocated = BA-JR 586.978 (VEK)
    assert ("JB0-1JEC2HA-WT", "VEK", "580.966", "7.327", "0", "-1.315", "586.978") in chart.rows
    other = movements_chart(calc.ise("duurzame-arbeidsmarkt"))
    assert other is not None
    assert ("JB0-1JEC2GA-WT", "VEK", "18.272", "0", "16.227", "-1.331", "33.168") in other.rows
    # only articles that had movements: the loans article JB0-1JEC2GB-PA had none
    assert all(row[0] != "JB0-1JEC2GB-PA" for row in other.rows)


def test_svg_is_deterministic_and_self_contained(calc: Calculation) -> None:
    ise = calc.ise("activering")
    first = utilisation_chart(ise, calc.document.settings.explain_below)
    again = utilisation_chart(ise, calc.document.settings.explain_below)
    assert first is not None and again is not None
    assert str(first.svg).encode() == str(again.svg).encode()
    svg = str(first.svg)
    assert "url(" not in svg and "<metadata" not in svg and "<?xml" not in svg
    assert "<text" not in svg  # text drawn as paths: no system font reaches the PDF
    ids = re.findall(r'\bid="([^"]+)"', svg)
    assert ids and all(i.startswith("chart-activering-benutting") for i in ids)
    assert len(ids) == len(set(ids))


def test_zero_base_and_no_movements(tmp_path: Path) -> None:
    article = """\
code: JB0-1JEC2HA-WT
title: Collectief maatwerk
ise: activering
credits:
  vak: {ba: 0, ba_jr: 0, bu: 0}
  vek: {ba: 100, ba_jr: 100, bu: 250}
"""
    calc = small(tmp_path, {"articles/JB0-1JEC2HA-WT.yaml": article})
    ise = calc.ise("activering")
    chart = utilisation_chart(ise, calc.document.settings.explain_below)
    assert chart is not None
    assert ("JB0-1JEC2HA-WT", "VAK", "0", "0", "n.v.t.") in chart.rows
    assert ("JB0-1JEC2HA-WT", "VEK", "250", "100", "250,0%") in chart.rows  # beyond the axis
    assert movements_chart(ise) is None


def test_document_places_charts_and_can_switch_them_off(tmp_path: Path) -> None:
    html = render_html(small(tmp_path / "on"), template_dir=DEFAULT_TEMPLATES)
    assert html.count('<figure class="chart"') == 2
    start = html.index('id="h-ise-activering-kader"')
    ise = html[start : html.index('id="h-ise-activering-entiteit"')]
    assert "Benuttingsgraad per artikel (BU / BA-JR), ISE Activering" in ise
    assert '<table class="visually-hidden">' in ise and "<td>93,9%</td>" in ise
    off = DOCUMENT + "settings: {charts: false}\n"
    html = render_html(small(tmp_path / "off", {"bbt.yaml": off}), template_dir=DEFAULT_TEMPLATES)
    assert "<figure" not in html and "<svg" not in html


def test_check_does_not_import_matplotlib() -> None:
    code = (
        "import sys; from bbt.pipeline import check; import bbt.cli; check(); "
        "print([m for m in ('matplotlib', 'bbt.render.charts') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
