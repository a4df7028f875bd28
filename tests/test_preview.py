"""`bbt preview`: page images, contact sheet, and the pages a change touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from budgetkit import ARTICLE, make_budget
from click.testing import CliRunner, Result
from pypdf import PdfReader

from bbt.cli import main
from bbt.pipeline import DEFAULT_BUDGET

pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The shipped example, previewed once for the module (a full PDF build)."""
    out = tmp_path_factory.mktemp("preview")
    return out, CliRunner().invoke(main, ["preview", str(DEFAULT_BUDGET), "-o", str(out)])


def test_every_pdf_page_becomes_a_png(example: tuple[Path, Result]) -> None:
    out, result = example
    assert result.exit_code == 0, result.output
    pages = len(PdfReader(out / "2024-sociale-economie.pdf").pages)
    images = sorted((out / "pages").glob("page-*.png"))
    assert pages > 20 and len(images) == pages
    assert images[0].read_bytes().startswith(b"\x89PNG")
    assert f"{pages} page(s)" in result.output and "pdftoppm" in result.output


def test_contact_sheet_links_pages_pdf_and_html(example: tuple[Path, Result]) -> None:
    out, _result = example
    sheet = (out / "index.html").read_text("utf-8")
    for image in (out / "pages").glob("page-*.png"):
        assert f'<a href="pages/{image.name}"><img src="pages/{image.name}"' in sheet
    assert '<a href="2024-sociale-economie.pdf">PDF</a>' in sheet
    assert '<a href="2024-sociale-economie.html">HTML</a>' in sheet


def test_base_version_marks_changed_pages_and_writes_the_diff(tmp_path: Path) -> None:
    base = make_budget(tmp_path / "base")
    new = make_budget(
        tmp_path / "new", {"articles/JB0-1JEC2HA-WT.yaml": ARTICLE.replace("552289", "540000")}
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["preview", str(new), "-o", str(out), "--base", str(base)])
    assert result.exit_code == 0, result.output
    pages = sorted((out / "pages").glob("*.png"))
    assert "changed against" in result.output
    diff = (out / "diff.md").read_text("utf-8")
    assert "552.289" in diff and "540.000" in diff
    sheet = (out / "index.html").read_text("utf-8")
    assert 'class="changed"' in sheet and '<a href="diff.html">' in sheet
    # only the pages that show the article changed: the title page did not
    marked = sheet.count('class="changed"')
    assert 1 <= marked < len(pages) and '<li id="page-1">' in sheet
    assert f"{len(pages)} page(s), {marked} changed against {base}" in result.output


def test_errors_stop_the_preview(tmp_path: Path) -> None:
    bad = make_budget(tmp_path / "b", {"bbt.yaml": "title: [unclosed\n"})
    result = CliRunner().invoke(main, ["preview", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "bbt.yaml:2: error" in result.output
    assert not (tmp_path / "out" / "index.html").exists()


def test_no_page_renderer_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bbt.preview.preview as preview

    monkeypatch.setattr(preview.shutil, "which", lambda _name: None)

    def no_module(name: str) -> object:
        raise ImportError(name)

    monkeypatch.setattr(preview.importlib, "import_module", no_module)
    result = CliRunner().invoke(
        main, ["preview", str(make_budget(tmp_path / "b")), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "install poppler-utils (pdftoppm)" in result.output and "pypdfium2" in result.output
