"""`bbt preview`: page images, contact sheet, and the pages a change touched.

Pages are rendered with PDFium (pypdfium2, a dependency): these tests run on a machine without
poppler or any other system tool, and never skip.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from budgetkit import ARTICLE, make_budget
from click.testing import CliRunner
from conftest import PreviewRun
from pypdf import PdfReader

from bbt.cli import main
from bbt.preview.preview import render_pages


@pytest.fixture(scope="module")
def example(example_preview: PreviewRun) -> tuple[Path, PreviewRun]:
    """The shipped example, previewed once for the test run (tests/conftest.py)."""
    return example_preview.folder, example_preview


def test_every_pdf_page_becomes_a_png(example: tuple[Path, PreviewRun]) -> None:
    out, result = example
    assert result.exit_code == 0, result.output
    pages = len(PdfReader(out / "2024-sociale-economie.pdf").pages)
    images = sorted((out / "pages").glob("page-*.png"))
    assert pages > 20 and len(images) == pages
    assert images[0].read_bytes().startswith(b"\x89PNG")
    assert f"{pages} page(s)" in result.output and "(rendered with pypdfium2)" in result.output
    # 80 dpi: an A4 page (595 x 842 pt) is 662 x 936 pixels (PNG width and height at bytes 16-24)
    header = images[0].read_bytes()[16:24]
    assert (int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")) == (662, 936)


def test_the_same_pdf_gives_byte_identical_pages(
    example: tuple[Path, PreviewRun], tmp_path: Path
) -> None:
    out, _result = example
    again, renderer = render_pages(out / "2024-sociale-economie.pdf", tmp_path / "pages")
    first = sorted((out / "pages").glob("page-*.png"))
    assert renderer == "pypdfium2" and [p.name for p in again] == [p.name for p in first]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again, first, strict=True))


def test_contact_sheet_links_pages_pdf_and_html(example: tuple[Path, PreviewRun]) -> None:
    out, _result = example
    sheet = (out / "index.html").read_text("utf-8")
    for image in (out / "pages").glob("page-*.png"):
        assert f'<a href="pages/{image.name}"><img src="pages/{image.name}"' in sheet
    assert '<a href="2024-sociale-economie.pdf">The document as PDF (' in sheet
    assert '<a href="2024-sociale-economie.html">The document as HTML (' in sheet


class _Sheet(HTMLParser):
    """What an accessibility review looks at: language, landmarks, headings, alt and link texts."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.mains = 0
        self.headings: list[int] = []
        self.images_without_alt = 0
        self.links: list[str] = []
        self._link: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "main":
            self.mains += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            self.images_without_alt += not (a.get("alt") or "").strip()
            if self._link is not None:
                self._link.append(a.get("alt") or "")
        elif tag == "a":
            self._link = []

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append(" ".join(self._link).strip())
            self._link = None


def _check_sheet(html: str) -> _Sheet:
    from tinyhtml5.parser import HTMLParser as Html5

    html5 = Html5()
    html5.parse(html)
    assert html5.errors == []  # valid HTML: the HTML5 parser reports no error
    sheet = _Sheet()
    sheet.feed(html)
    assert sheet.lang == "en" and sheet.mains == 1
    assert sheet.headings[0] == 1 and sheet.headings.count(1) == 1
    assert all(
        b - a <= 1 for a, b in zip(sheet.headings, sheet.headings[1:], strict=False)
    )  # none skipped
    assert sheet.images_without_alt == 0
    assert sheet.links and all(len(text) >= 4 for text in sheet.links), sheet.links
    return sheet


def test_contact_sheet_is_valid_accessible_html(example: tuple[Path, PreviewRun]) -> None:
    out, _result = example
    sheet = _check_sheet((out / "index.html").read_text("utf-8"))
    assert "Page 1, full size" in sheet.links


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
    links = _check_sheet(sheet).links
    assert "What changed, in budget terms (diff.html)" in links
    assert sum(1 for text in links if re.fullmatch(r"page \d+ in the base", text)) == marked


def test_errors_stop_the_preview(tmp_path: Path) -> None:
    bad = make_budget(tmp_path / "b", {"bbt.yaml": "title: [unclosed\n"})
    result = CliRunner().invoke(main, ["preview", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "bbt.yaml:2: error" in result.output
    assert not (tmp_path / "out" / "index.html").exists()


def test_an_unreadable_pdf_is_a_clear_error(tmp_path: Path) -> None:
    from bbt.preview.preview import PreviewError

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a pdf")
    with pytest.raises(PreviewError, match=r"cannot read broken\.pdf to render its pages"):
        render_pages(broken, tmp_path / "pages")
