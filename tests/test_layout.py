"""The PDF's pages, read back as text per line: what a program can check of the layout.

Every rule the stylesheet keeps by CSS (docs/rendering.md, "Breaks") is checked here on the
example and on a second, generated document:

* no page is filled under a quarter of the median page, except the title page and an annex
  that says only "nvt";
* no heading or label is the last line of a page (it keeps its first lines of text);
* an article's table keeps the first lines of its explanation on its page;
* an indicator card that continues on the next page repeats its name there;
* no line of the table of contents is a leader (dots) and a page number alone;
* a draft says ONTWERP on every page (and at the top of the HTML), a final document nowhere.

A line is read with PDFium: its characters, their baseline, size and font. Headings and
labels are the bold lines of at least the body size (10.5 pt); footnotes are smaller than 8.5 pt.
"""

from __future__ import annotations

import ctypes
import itertools
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import yaml
from budgetkit import copy_example
from conftest import ExampleBuild

from bbt.pipeline import build
from bbt.render.pdfua import audit

MM = 72 / 25.4  # float-ok: page geometry in pt, never money
PAGE_TOP = 22 * MM  # the @page margins of style.css
PAGE_BOTTOM = 22 * MM
BODY_SIZE = 10.4  # headings and labels are bold and at least the body size (10.5 pt)
FOOTNOTE_SIZE = 8.5
CHAPTER_SIZE = 13.5  # h1


@dataclass(frozen=True)
class Line:
    """One printed line: distance of its baseline from the page top (pt), size, weight, text."""

    y: float  # float-ok: pt
    size: float  # float-ok: pt
    bold: bool
    text: str

    @property
    def heading(self) -> bool:
        return self.bold and self.size >= BODY_SIZE

    @property
    def footnote(self) -> bool:
        return self.size < FOOTNOTE_SIZE


@dataclass(frozen=True)
class Page:
    number: int
    height: float  # float-ok: pt
    lines: tuple[Line, ...]
    """The lines of the text area (running header and footer left out), top to bottom."""

    @property
    def body(self) -> list[Line]:
        return [line for line in self.lines if not line.footnote]

    @property
    def fill(self) -> float:  # float-ok: a share of the page's height, not money
        """How far down the text area the last line reaches (0 empty, 1 full)."""
        if not self.lines:
            return 0.0  # float-ok
        area = self.height - PAGE_TOP - PAGE_BOTTOM
        return (self.lines[-1].y - PAGE_TOP) / area

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def read_pages(pdf: Path | bytes) -> list[Page]:
    """Every page as its lines of text, with size and weight (PDFium)."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for number, page in enumerate(document, start=1):
        height = page.get_height()
        textpage = page.get_textpage()
        rows: dict[int, list[tuple[float, str, float, bool]]] = {}
        name, flags = ctypes.create_string_buffer(128), ctypes.c_int()
        for i in range(textpage.count_chars()):
            char = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i))
            if char in "\r\n\ufffe" or pdfium_c.FPDFText_IsGenerated(textpage.raw, i) == 1:
                continue
            x, y = ctypes.c_double(), ctypes.c_double()
            pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, x, y)
            # WeasyPrint draws in CSS px (0.75 pt); the font's name says its weight.
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i) * 0.75
            pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, name, len(name), flags)
            bold = b"Bold" in name.value or char.isspace()
            rows.setdefault(round(height - y.value), []).append((x.value, char, size, bold))
        lines = []
        for top in sorted(rows):
            if not PAGE_TOP < top < height - PAGE_BOTTOM + 2:
                continue  # running header, page number, stamp
            chars = sorted(rows[top])
            text = "".join(c for _, c, _, _ in chars).strip()
            if text:
                lines.append(
                    Line(
                        float(top),
                        max(s for _, _, s, _ in chars),
                        all(b for _, _, _, b in chars),
                        re.sub(r"\s+", " ", text),
                    )
                )
        pages.append(Page(number, height, tuple(lines)))
    return pages


# -- the rules -------------------------------------------------------------------------------


def _nvt(page: Page) -> bool:
    return [line.text for line in page.body][-1:] == ["nvt"]


def underfilled(pages: list[Page]) -> list[int]:
    """Pages filled under a quarter of the median page (title page and "nvt" annexes apart)."""
    median = statistics.median(page.fill for page in pages)
    return [
        page.number
        for page in pages[1:]
        if page.fill < median / 4 and not _nvt(page)  # float-ok
    ]


def stranded_headings(pages: list[Page]) -> list[tuple[int, str]]:
    """Headings and labels that end a page, their text on the next (a chapter's end apart)."""
    found = []
    for page, following in zip(pages, [*pages[1:], None], strict=True):
        body = page.body
        if not body or not body[-1].heading:
            continue
        chapter_follows = following is None or (
            bool(following.body) and following.body[0].size >= CHAPTER_SIZE
        )
        if not chapter_follows:
            found.append((page.number, body[-1].text))
    return found


_AMOUNTS = re.compile(r"^(Uitgaven|BA(-JR)? \d{4}|BU \d{4})( -?[\d.]+)+$")


def tables_without_explanation(pages: list[Page]) -> list[int]:
    """Pages ending with an article's table whose explanation starts the next page."""
    found = []
    for page, following in itertools.pairwise(pages):
        if (
            page.body
            and following.body
            and _AMOUNTS.match(page.body[-1].text)
            and following.body[0].text == "Inhoudelijke toelichting:"
        ):
            found.append(page.number)
    return found


_CARD_ROWS = ("MEEST RECENTE", "STREEFWAARDE", "DEFINITIE EN", "BRON EN", "MEETFREQUENTIE")


def cards_without_name(pages: list[Page]) -> list[int]:
    """Pages where an indicator card continues without its name (the INDICATOR row)."""
    return [page.number for page in pages if page.body and page.body[0].text.startswith(_CARD_ROWS)]


def lonely_leaders(pages: list[Page]) -> list[tuple[int, str]]:
    """Table-of-contents lines that are only dots and a page number."""
    return [
        (page.number, line.text)
        for page in pages
        for line in page.lines
        if re.fullmatch(r"[. ]*\.[. ]*\d+", line.text)
    ]


def problems(pages: list[Page]) -> dict[str, object]:
    found: dict[str, object] = {
        "pages under a quarter of the median": underfilled(pages),
        "headings ending a page": stranded_headings(pages),
        "tables whose explanation starts the next page": tables_without_explanation(pages),
        "cards continued without their name": cards_without_name(pages),
        "contents lines of dots alone": lonely_leaders(pages),
    }
    return {rule: where for rule, where in found.items() if where}


# -- the documents ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_pages(example_build: ExampleBuild) -> list[Page]:
    return read_pages(example_build.pdf_path)


def generated_budget(root: Path) -> Path:
    """The example changed into another document: no parliamentary identification, no charts,
    no strategic objectives, a longer introduction, every article's explanation twice and
    the indicator cards of one ISE only."""
    budget = copy_example(root / "generated")
    doc = budget / "bbt.yaml"
    text = doc.read_text("utf-8")
    text = re.sub(r"\nparliament:\n(  .*\n)+", "\n", text)
    text = re.sub(r"\nsds:\n(  - .*\n)+", "\n", text)
    text = text.replace("settings:\n", "settings:\n  charts: false\n")
    doc.write_text(text, "utf-8")
    inleiding = budget / "text" / "inleiding.md"
    body = inleiding.read_text("utf-8")
    inleiding.write_text(body + "\n" + body.split("\n\n", 1)[1], "utf-8")
    for toelichting in (budget / "text" / "articles").glob("*.toelichting.md"):
        body = toelichting.read_text("utf-8")
        toelichting.write_text(body + "\n" + body, "utf-8")
    indicators = budget / "indicators.yaml"
    cards = yaml.safe_load(indicators.read_text("utf-8"))
    kept = [card for card in cards if card["ise"] == "activering"]
    indicators.write_text(yaml.safe_dump(kept, allow_unicode=True, sort_keys=False), "utf-8")
    return budget


@pytest.fixture(scope="module")
def generated_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    budget = generated_budget(root)
    result = build(budget, root / "out", ("pdf",))
    assert not [f for f in result.findings if f.severity.name == "ERROR"], result.findings
    return root / "out" / "generated.pdf"


@pytest.fixture(scope="module")
def generated_pages(generated_pdf: Path) -> list[Page]:
    return read_pages(generated_pdf)


# -- tests -----------------------------------------------------------------------------------


def test_the_example_keeps_every_break_rule(example_pages: list[Page]) -> None:
    assert problems(example_pages) == {}


def test_a_generated_document_keeps_every_break_rule(generated_pages: list[Page]) -> None:
    assert len(generated_pages) > 20
    assert problems(generated_pages) == {}


def test_a_generated_document_passes_the_pdfua_audit(generated_pdf: Path) -> None:
    assert audit(generated_pdf.read_bytes()) == []


def test_the_rules_find_what_they_look_for() -> None:
    """Each rule on a hand-made page sequence: the checks above can fail."""
    text = Line(100, 10.5, False, "Gewone tekst die doorloopt.")
    heading = Line(700, 12.5, True, "2. ISE DUURZAME ARBEIDSMARKT")
    chapter = Line(70, 14, True, "VI. LIJST MET AFKORTINGEN")
    full = Page(2, 842, (text, Line(760, 10.5, False, "Slot.")))
    short = Page(3, 842, (Line(80, 10.5, False, "Drie regels."),))
    ends_in_heading = Page(4, 842, (text, heading))
    table_end = Page(5, 842, (text, Line(700, 9, False, "Uitgaven 580.966 588.293 552.289")))
    label_first = Page(6, 842, (Line(70, 10.5, True, "Inhoudelijke toelichting:"), text))
    card = Page(7, 842, (Line(70, 9.5, True, "BRON EN BEREKENINGSWIJZE"), text))
    toc = Page(8, 842, (Line(70, 10.5, False, ". . . . . . . . 31"),))
    title = Page(1, 842, ())
    pages = [title, full, short, full, ends_in_heading, full, table_end, label_first, card, toc]
    assert 3 in underfilled(pages)
    assert stranded_headings(pages) == [(4, "2. ISE DUURZAME ARBEIDSMARKT")]
    assert stranded_headings([ends_in_heading, Page(5, 842, (chapter,))]) == []
    assert tables_without_explanation(pages) == [5]
    assert cards_without_name(pages) == [7]
    assert lonely_leaders(pages) == [(8, ". . . . . . . . 31")]


def test_a_draft_says_ontwerp_on_every_page_and_a_final_document_nowhere(
    tmp_path: Path, example_pages: list[Page]
) -> None:
    from budgetkit import ARTICLE, make_budget

    drafted = ARTICLE.replace(
        "toelichting: |\n", "toelichting: |\n  {# draft: tekst van 2023, herschrijven #}\n"
    )
    budget = make_budget(tmp_path / "b", {"articles/JB0-1JEC2HA-WT.yaml": drafted})
    build(budget, tmp_path / "out", ("html", "pdf"), draft=True)
    document = pdfium.PdfDocument(tmp_path / "out" / "b.pdf")
    texts = [page.get_textpage().get_text_range() for page in document]
    assert len(texts) >= 3 and all("ONTWERP" in text for text in texts)
    # the stamp is page furniture (an artifact), not content: the PDF/UA audit still passes
    assert audit((tmp_path / "out" / "b.pdf").read_bytes()) == []
    html = (tmp_path / "out" / "b.html").read_text("utf-8")
    assert '<header class="draft-banner">\n  <p>ONTWERP' in html
    assert not any("ONTWERP" in page.text() for page in example_pages)


def test_a_final_document_has_no_draft_banner(example_build: ExampleBuild) -> None:
    html = example_build.html
    body = html.split("</style>", 1)[1]
    assert "ONTWERP" not in body and "draft-banner" not in body
    assert '@bottom-center { content: "ONTWERP"' not in html


@pytest.mark.parametrize(
    ("parliament", "shown", "absent"),
    [
        ("{stuk: 42 – Nr. 1, session: 2024-2025}", "Stuk 42 – Nr. 1 (zitting 2024-2025)", "ingediend op"),
        ("{stuk: 42 (2024-2025) – Nr. 1, session: 2024-2025}", "Stuk 42 (2024-2025) – Nr. 1<", "(zitting"),
        ("{session: 2024-2025, submitted: 2025-05-30}", "Zitting 2024-2025", "Stuk"),
    ],
)  # fmt: skip
def test_the_cover_shows_every_identification_field_the_budget_gives(
    tmp_path: Path, parliament: str, shown: str, absent: str
) -> None:
    from budgetkit import DOCUMENT, make_budget

    budget = make_budget(tmp_path / "b", {"bbt.yaml": DOCUMENT + f"parliament: {parliament}\n"})
    build(budget, tmp_path / "out", ("html",))
    html = (tmp_path / "out" / "b.html").read_text(encoding="utf-8")
    cover = html.split('class="title-page"', 1)[1].split("</section>", 1)[0]
    assert shown in cover and absent not in cover
