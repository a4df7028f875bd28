"""The PDF: table of contents with page numbers, bookmarks, tags, fonts, safety, repeatability.

The document is built once per test session (tests/conftest.py); the repeatability test
compares that build with the one ``bbt preview`` makes of it for its own tests.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from conftest import ExampleBuild, PreviewRun
from pypdf import PdfReader

from bbt.errors import RenderError
from bbt.pipeline import DEFAULT_BUDGET, DEFAULT_TEMPLATES
from bbt.render.pdf import SafeFetcher, render_pdf

ALLOWED = [DEFAULT_BUDGET, DEFAULT_TEMPLATES]


@pytest.fixture(scope="module")
def pdf(example_build: ExampleBuild) -> bytes:
    return example_build.pdf


@pytest.fixture(scope="module")
def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_text(reader: PdfReader, index: int) -> str:
    return reader.pages[index].extract_text() or ""


def test_a4_with_metadata(reader: PdfReader) -> None:
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    meta = reader.metadata
    assert meta is not None
    assert meta.title and meta.title.startswith(
        "Beleids- en begrotingstoelichting Sociale Economie"
    )
    assert meta.author == "Departement Werk en Sociale Economie"
    assert reader.trailer["/Root"]["/Lang"] == "nl-BE"
    assert len(reader.pages) > 20


def test_toc_has_page_numbers(reader: PdfReader) -> None:
    toc = page_text(reader, 1)
    assert "INHOUDSTAFEL" in toc
    for title in (
        "II. INLEIDING DOOR DE MINISTER",
        "III. SAMENVATTING",
        "VI. LIJST MET AFKORTINGEN",
        "OD 16: Individueel maatwerk invoeren",
    ):
        assert re.search(re.escape(title) + r"[ .]*\d+", toc), title
    # the page a TOC entry names is the page the heading is on
    number = int(re.search(r"III\. SAMENVATTING[ .]*(\d+)", toc).group(1))  # type: ignore[union-attr]
    assert "III. SAMENVATTING" in page_text(reader, number - 1)


def test_bookmarks_for_every_heading(reader: PdfReader) -> None:
    def titles(items: list[object]) -> list[str]:
        out: list[str] = []
        for item in items:
            if isinstance(item, list):
                out += titles(item)
            else:
                out.append(item.title)  # type: ignore[attr-defined]
        return out

    found = titles(reader.outline)
    for title in (
        "II. INLEIDING DOOR DE MINISTER",
        "1. ISE ACTIVERING (SOCIALE ECONOMIE)",
        "OD 16: Individueel maatwerk invoeren",
        "JB0-1JEC2HA-WT – COLLECTIEF MAATWERK",
        "XI. BIJLAGE ‘ISE-indicatoren’",
        # headings inside the narrative, with their figures and without footnote calls
        "Werk- en zorgtrajecten",
        "Begeleidingspremie (3.602 keuro VAK)",
    ):
        assert title in found, title
    assert not any("Zie ook begroting" in t for t in found)  # a heading's footnote is not its title
    # A narrative heading nests under the article it belongs to.
    outline = reader.outline
    flat = [(depth, t) for depth, t in _walk(outline)]
    article = next(i for i, (_, t) in enumerate(flat) if t.startswith("JB0-1JEC2HF-WT"))
    premie = next(i for i, (_, t) in enumerate(flat) if t.startswith("Begeleidingspremie"))
    assert premie == article + 1 and flat[premie][0] == flat[article][0] + 1


def _walk(items: list[object], depth: int = 0) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for item in items:
        if isinstance(item, list):
            out += _walk(item, depth + 1)
        else:
            out.append((depth, item.title))  # type: ignore[attr-defined]
    return out


def test_tagged_pdf(reader: PdfReader) -> None:
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    # The pdfuaid (PDF/UA) claim is made only when the audit passes: tests/test_pdf_structure.py.
    assert b"dc:title" in root["/Metadata"].get_object().get_data()


def test_fonts_are_embedded_from_the_repository(reader: PdfReader) -> None:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    # our @font-face (Noto Sans, and DejaVu Sans for the symbols Noto lacks), not a system font
    assert any("+BBT-Sans" in n for n in names), names
    assert all("+BBT-Sans" in n or "+BBT-Symbols" in n for n in names), names


def test_tables_and_footnotes_in_pdf_text(example_page_texts: list[str]) -> None:
    text = "\n".join(example_page_texts)
    for figure in ("580.966", "552.157", "-2.188", "635.305", "653.583", "668.564"):
        assert figure in text
    # footnotes are page footnotes: each note's text is on the page of its call
    for index, content in enumerate(example_page_texts):
        if index > 1 and "OD 16: Individueel maatwerk invoeren" in content:  # not the TOC
            assert "Zie ook begroting: JB0-1JEC2HF-WT, p.14" in content, index


def test_two_builds_are_byte_identical(
    example_build: ExampleBuild, example_preview: PreviewRun
) -> None:
    assert example_preview.exit_code == 0, example_preview.output
    name = "2024-sociale-economie"
    assert (example_preview.folder / f"{name}.pdf").read_bytes() == example_build.pdf
    assert (example_preview.folder / f"{name}.html").read_text("utf-8") == example_build.html


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd" alt="">',
        '<link rel="stylesheet" href="file:///etc/passwd">',
        '<img src="https://example.org/logo.png" alt="">',
    ],
)
def test_outside_resources_are_refused(markup: str) -> None:
    html = f'<!DOCTYPE html><html lang="nl-BE"><head>{markup}</head><body><p>x</p>{markup}</body></html>'
    with pytest.raises(RenderError) as caught:
        render_pdf(html, allowed_dirs=ALLOWED)
    (finding,) = caught.value.findings
    assert finding.code == "BBT302"
    assert re.search(r"(file:///etc/passwd|https://example.org/logo.png)$", finding.message)


def test_missing_resource(tmp_path: Path) -> None:
    html = '<!DOCTYPE html><html lang="nl-BE"><body><img src="nergens.png" alt=""></body></html>'
    with pytest.raises(RenderError) as caught:
        render_pdf(html, allowed_dirs=[tmp_path])
    assert caught.value.findings[0].code == "BBT303"


def test_fetcher_resolves_symlinks_and_refuses_dotdot(tmp_path: Path) -> None:
    allowed = tmp_path / "budget"
    allowed.mkdir()
    (allowed / "ok.css").write_text("p {}", "utf-8")
    (allowed / "escape.css").symlink_to("/etc/passwd")
    fetcher = SafeFetcher([allowed])
    assert fetcher.path_of((allowed / "ok.css").as_uri()) == (allowed / "ok.css").resolve()
    for url in (
        (allowed / "escape.css").as_uri(),
        f"file://{allowed}/../budget/ok.css",
        "file://other-host/etc/passwd",
    ):
        with pytest.raises(BaseException) as caught:
            fetcher.path_of(url)
        assert getattr(caught.value, "code", None) == "BBT302", url


def test_allowed_data_uri_and_local_file(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_TEMPLATES / "bbt" / "fonts" / "OFL-NotoSans.txt", tmp_path / "note.txt")
    pixel = "data:image/gif;base64,R0lGODlhAQABAAAAACw="
    html = f'<!DOCTYPE html><html lang="nl-BE"><head><title>t</title></head><body><p>x<img src="{pixel}" alt=""></p></body></html>'
    assert render_pdf(html, allowed_dirs=[tmp_path]).startswith(b"%PDF-")
