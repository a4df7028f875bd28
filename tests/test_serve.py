"""`bbt serve`: the live preview rebuilds on change, shows errors, and traces every figure."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from budgetkit import ARTICLE, make_budget
from click.testing import CliRunner

from bbt.cli import main
from bbt.pipeline import DEFAULT_BUDGET, DEFAULT_TEMPLATES, check
from bbt.preview.provenance import Sources
from bbt.preview.serve import Server
from bbt.render.html import render_html

A = "articles/JB0-1JEC2HA-WT.yaml"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        text: str = response.read().decode("utf-8")
        return text


def wait_for(url: str, ready: Callable[[str], bool], timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    while True:
        page = fetch(url)
        if ready(page) or time.monotonic() > deadline:
            return page
        time.sleep(0.2)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(make_budget(tmp_path / "budget"), port=0).start()
    try:
        yield live
    finally:
        live.stop()


def test_page_reloads_on_change_and_shows_errors(server: Server, tmp_path: Path) -> None:
    assert server.url.startswith("http://127.0.0.1:")  # loopback by default
    page = fetch(server.url)
    assert "552.289" in page and 'fetch("/__version"' in page
    version = fetch(server.url + "__version")
    # the writer changes a figure: the page follows
    article = tmp_path / "budget" / A
    article.write_text(ARTICLE.replace("bu: 552289", "bu: 552290"), "utf-8")
    page = wait_for(server.url, lambda p: "552.290" in p)
    assert "552.290" in page and "552.289" not in page
    assert fetch(server.url + "__version") != version
    # a mistake: the page lists it as file:line: message [code], not the stale document
    article.write_text(ARTICLE.replace("bu: 552289", "bu: 552290.0001"), "utf-8")
    page = wait_for(server.url, lambda p: "Build failed" in p)
    assert "Build failed" in page and "keuro VAK" not in page
    assert re.search(r"JB0-1JEC2HA-WT\.yaml:6: error: .*has 4 decimals.*\[BBT\d+\]", page)
    # fixed again: the document is back
    article.write_text(ARTICLE, "utf-8")
    assert "552.289" in wait_for(server.url, lambda p: "552.289" in p)


def test_figures_show_their_source_on_hover(server: Server) -> None:
    page = fetch(server.url)
    # table cell: read from the data, file and line
    assert re.search(
        r'title="[^"]*JB0-1JEC2HA-WT\.yaml:6: BU VAK JB0-1JEC2HA-WT"[^>]*>552\.289<', page
    )
    # prose: the percentage with its formula
    assert 'title="BU / BA-JR = 552.289 / 588.293 (VAK JB0-1JEC2HA-WT)"' in page


def test_only_files_of_the_budget_are_served(server: Server) -> None:
    assert "ises:" in fetch(server.url + "bbt.yaml")
    for path in ("../budget/bbt.yaml", "%2e%2e/%2e%2e/etc/passwd", "nothing.png"):
        with pytest.raises(urllib.error.HTTPError) as caught:
            fetch(server.url + path)
        assert caught.value.code == 404
        caught.value.close()


def test_provenance_of_the_example() -> None:
    calculation = check(DEFAULT_BUDGET).calculation
    assert calculation is not None
    html = render_html(calculation, template_dir=DEFAULT_TEMPLATES, source=Sources(calculation))
    sources = dict(
        (value, title)
        for title, value in re.findall(
            r'<span class="src" title="([^"]*)"[^>]*>([^<]*)</span>', html
        )
    )
    # the published ISE total: where it is declared, and the sum it rounds
    assert sources["635.305"].startswith(
        "bbt/examples/2024-sociale-economie/ises/activering.yaml:19: gepubliceerd totaal"
    )
    assert "552.289 + 4.499 + -2.188 + 35.043 + 45.663 = 635.306" in sources["635.305"]
    assert sources["694.180"].endswith("580.966 + 6.005 + 111 + 56.427 + 50.671 = 694.180")
    # "verminderd met {{ -mv.lokaal_activeringspact.vak }}": the movement's line, negated
    assert sources["1.331"].startswith(
        "− (bbt/examples/2024-sociale-economie/articles/JB0-1JEC2GA-WT.yaml:12: beweging"
    )
    # the published document carries none of it
    plain = render_html(calculation, template_dir=DEFAULT_TEMPLATES)
    assert 'class="src"' not in plain


def test_serve_command_is_documented() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.output
