"""`bbt serve`: the live preview rebuilds on change, shows errors, and traces every figure."""

from __future__ import annotations

import http.client
import re
import socket
import time
import urllib.parse
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


PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _status(url: str, host: str | None = None) -> int:
    """The status of a GET; ``host`` replaces the Host header (as a rebinding page would)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.putrequest("GET", parts.path or "/", skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _raw_status(server: Server, request_line: bytes) -> int:
    """The status for a request line sent as bytes (what a client library would refuse)."""
    host, port = server.httpd.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=10) as sock:
        sock.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = sock.recv(100)
    return int(answer.split(b" ")[1])


def test_only_files_the_page_refers_to_are_served(tmp_path: Path) -> None:
    budget = make_budget(
        tmp_path / "budget",
        {A: ARTICLE + "\n  ![grafiek](images/grafiek.png)\n", ".env": "BBT_TEST_SECRET=x\n"},
    )
    (budget / "images").mkdir()
    (budget / "images" / "grafiek.png").write_bytes(PIXEL)
    (budget / "images" / "other.png").write_bytes(PIXEL)
    (tmp_path / "secret.png").write_bytes(b"BBT-TEST-SECRET")
    (budget / "images" / "link.png").symlink_to(tmp_path / "secret.png")
    live = Server(budget, port=0).start()
    try:
        with urllib.request.urlopen(live.url + "images/grafiek.png", timeout=10) as response:
            assert response.read() == PIXEL
            assert response.headers["Content-Type"] == "image/png"
        for path in (
            "bbt.yaml",  # the sources are never served
            A,
            ".env",  # nor a dotfile
            "images/other.png",  # nor a file the page does not show
            "images/link.png",  # nor a link out of the folder
            "../budget/bbt.yaml",
            "%2e%2e/%2e%2e/etc/passwd",
            "nothing.png",
        ):
            assert _status(live.url + path) in (400, 404), path
    finally:
        live.stop()


def test_host_header_is_checked(server: Server) -> None:
    port = server.httpd.server_address[1]
    assert _status(server.url) == 200
    assert _status(server.url, f"localhost:{port}") == 200
    assert _status(server.url, f"[::1]:{port}") == 200
    # a page of another site that renamed itself to 127.0.0.1 (DNS rebinding) gets nothing
    assert _status(server.url, f"attacker.example:{port}") == 421
    assert _status(server.url + "__version", "attacker.example") == 421


def test_malformed_addresses_are_400(server: Server) -> None:
    for line in (b"GET /%00 HTTP/1.1", b"GET /a%00.png HTTP/1.1", b"GET /%ff%fe HTTP/1.1"):
        assert _raw_status(server, line) == 400, line
    assert _raw_status(server, b"GET / HTTP/1.1") == 200  # and the server still answers


def test_a_vanished_folder_is_shown_and_the_document_returns(
    server: Server, tmp_path: Path
) -> None:
    budget = tmp_path / "budget"
    budget.rename(tmp_path / "away")
    page = wait_for(server.url, lambda p: "Build failed" in p)
    assert "does not exist" in page and "[BBT014]" in page
    (tmp_path / "away").rename(budget)
    assert "552.289" in wait_for(server.url, lambda p: "552.289" in p)
    assert server.watcher.is_alive()


def test_marker_characters_in_a_narrative_cannot_break_the_page(
    server: Server, tmp_path: Path
) -> None:
    article = tmp_path / "budget" / A
    typed = ARTICLE.replace("De uitvoering", "De \ue0000\ue001x\ue002 uitvoering")
    article.write_text(typed, "utf-8")
    page = wait_for(server.url, lambda p: "Build failed" in p)
    assert re.search(
        r"JB0-1JEC2HA-WT\.yaml:14: error: private-use character U\+E000.*\[BBT025\]", page
    )
    assert "\ue000" not in page and "\ue001" not in page


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
