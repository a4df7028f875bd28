"""Every HTML page bbt writes passes axe-core: WCAG 2.0/2.1 A and AA, and best practices.

axe-core (pinned in tests/a11y/package.json, installed by tests/a11y/setup.sh) runs in
Debian's headless Chromium, driven over its DevTools pipe (tests/a11y/chromium.py). Pages:
the document (the example, a draft and a generated document), the documents and the overview
of a set, the contingent overview, the diff page, the preview's index.html and the page of
``bbt serve``. Outside CI the tests skip when Chromium or axe-core is missing; with CI=true
they never skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from a11y.chromium import AXE, Chromium, axe_version, browser
from budgetkit import copy_example
from click.testing import CliRunner

from bbt.cli import main
from bbt.resources import EXAMPLE

HERE = Path(__file__).resolve().parent


def _need_tools() -> str:
    binary = browser()
    missing = [
        what
        for what, there in (
            ("Chromium (apt-get install chromium)", binary),
            ("axe-core (bash tests/a11y/setup.sh)", AXE.is_file()),
        )
        if not there
    ]
    if missing:
        message = "accessibility tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    assert binary is not None
    return binary


@pytest.fixture(scope="module")
def chromium() -> Iterator[Chromium]:
    with Chromium(_need_tools()) as browser_tab:
        yield browser_tab


def _run(args: list[str]) -> None:
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The HTML pages bbt writes, by name (made once for the module)."""
    from test_layout import generated_budget

    from bbt.pipeline import check
    from bbt.render.html import render_html
    from bbt.resources import TEMPLATES

    root = tmp_path_factory.mktemp("pages")
    _run(["build", str(EXAMPLE), "-o", str(root / "example"), "--format", "html"])
    draft = root / "draft.html"
    draft.write_text(
        render_html(check(EXAMPLE).outline, template_dir=TEMPLATES, draft=True), "utf-8"
    )
    generated = generated_budget(root)
    _run(["build", str(generated), "-o", str(root / "generated"), "--format", "html"])
    _run(["build", str(HERE / "data" / "set" / "consistent"), "-o", str(root / "set")])
    _run(["contingent", "overview", "-o", str(root / "contingent")])
    changed = generated  # the example against the generated document: every kind of change
    _run(
        [
            "diff",
            str(EXAMPLE),
            str(changed),
            "--html",
            str(root / "diff.html"),
            "-o",
            str(root / "diff.md"),
        ]
    )
    return {
        "document": root / "example" / "2024-sociale-economie.html",
        "draft document": draft,
        "generated document": root / "generated" / "generated.html",
        "set document": root / "set" / "cultuur.html",
        "set overview": root / "set" / "overzicht.html",
        "contingent overview": root / "contingent" / "contingent-ama-se.html",
        "diff page": root / "diff.html",
    }


def _report(violations: list[dict[str, object]]) -> str:
    lines = []
    for v in violations:
        nodes = v["nodes"]
        assert isinstance(nodes, list)
        lines.append(f"{v['id']} ({v['impact']}, {len(nodes)} nodes): {v['help']}")
        lines += [f"    {n['target']}: {n['summary']}" for n in nodes[:3]]
    return "\n".join(lines)


PHONE = {"width": 390, "height": 844, "mobile": True}


@pytest.mark.parametrize(
    ("name", "screen"),
    [
        ("document", {}),
        ("document", PHONE),
        ("draft document", {}),
        ("generated document", {}),
        ("set document", {}),
        ("set overview", {}),
        ("set overview", PHONE),
        ("contingent overview", {}),
        ("diff page", {}),
    ],
    ids=lambda value: "phone" if value == PHONE else ("" if value == {} else value),
)
def test_page_has_no_axe_violations(
    chromium: Chromium, pages: dict[str, Path], name: str, screen: dict[str, Any]
) -> None:
    chromium.open(pages[name].as_uri(), **screen)
    violations = chromium.axe()
    assert violations == [], f"axe-core {axe_version()} on the {name}:\n{_report(violations)}"


def test_preview_index_has_no_axe_violations(chromium: Chromium, tmp_path: Path) -> None:
    _run(["preview", str(EXAMPLE), "-o", str(tmp_path / "preview"), "--dpi", "30"])
    chromium.open((tmp_path / "preview" / "index.html").as_uri())
    violations = chromium.axe()
    assert violations == [], _report(violations)


def _serve_violations(chromium: Chromium, budget: Path) -> list[dict[str, Any]]:
    from bbt.preview.serve import Server

    live = Server(budget, port=0).start()
    try:
        chromium.open(live.url)
        return chromium.axe()
    finally:
        live.stop()


def test_serve_page_has_no_axe_violations(chromium: Chromium) -> None:
    """The document as ``bbt serve`` shows it: figure sources marked, the reloader added."""
    violations = _serve_violations(chromium, EXAMPLE)
    assert violations == [], _report(violations)


def test_serve_error_page_has_no_axe_violations(chromium: Chromium, tmp_path: Path) -> None:
    """The page ``bbt serve`` shows while the budget has errors."""
    broken = copy_example(tmp_path / "broken")
    (broken / "bbt.yaml").write_text("year: [2024\n", "utf-8")
    violations = _serve_violations(chromium, broken)
    assert violations == [], _report(violations)


def test_the_phone_view_keeps_text_legible(chromium: Chromium, pages: dict[str, Path]) -> None:
    """At 390 px: no text smaller than 11 px (charts included), captions not clipped, row
    headers stay in view while a table scrolls, no sideways scrolling of the page."""
    chromium.open(pages["document"].as_uri(), **PHONE)
    smallest = chromium.evaluate(
        """(() => {
          let min = 99, where = '';
          for (const t of document.querySelectorAll('figure.chart svg text')) {
            const r = t.getBoundingClientRect();
            const svg = t.ownerSVGElement, box = svg.viewBox.baseVal;
            const px = parseFloat(getComputedStyle(t).fontSize) * svg.getBoundingClientRect().width / box.width;
            if (r.width > 0 && px < min) { min = px; where = t.textContent; }
          }
          return [min, where];
        })()"""
    )
    assert smallest[0] >= 11, smallest
    assert chromium.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    clipped = chromium.evaluate(
        """[...document.querySelectorAll('table.fin caption')].filter(c => {
             const r = c.getBoundingClientRect(); return r.right > window.innerWidth + 1;
           }).map(c => c.textContent)"""
    )
    assert clipped == []
    stuck = chromium.evaluate(
        """(() => {
          const box = [...document.querySelectorAll('.table-scroll')].find(b => b.scrollWidth > b.clientWidth);
          const th = box.querySelector('tbody th');
          const before = th.getBoundingClientRect().left;
          box.scrollLeft = box.scrollWidth;
          return [before, th.getBoundingClientRect().left, box.scrollLeft];
        })()"""
    )
    assert stuck[2] > 0 and abs(stuck[0] - stuck[1]) < 1, stuck
