"""PDF/UA-1: what bbt.render.pdfua fixes in WeasyPrint's PDF, and what its audit detects.

The example is rendered once per module (WeasyPrint takes seconds). The detection tests render
small documents with WeasyPrint itself, so they see its raw output: each class of problem must
be found there, so the audit cannot pass by looking away.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import ExampleBuild
from weasyprint import HTML  # after bbt.render.pdf, which imports it with its warning muted

from bbt.errors import Finding, Severity
from bbt.pipeline import DEFAULT_TEMPLATES
from bbt.render.pdf import render_pdf
from bbt.render.pdfua import Problem, audit, claims_pdfua, conform, fix_structure

FIXED_HERE = ("document", "furniture", "structure", "headers", "scope")
"""The checks fix_structure makes pass; headings and figures are the templates' part."""

PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
PAGE = "@page { size: A6; @top-left { content: 'Kop' } @bottom-right { content: counter(page) } }"
GROUPED_TABLE = """
<table><caption>Krediet (duizend euro)</caption>
<thead>
  <tr><td></td><th scope="colgroup" colspan="2">VAK</th><th scope="colgroup" colspan="2">VEK</th></tr>
  <tr><td></td><th scope="col">BA</th><th scope="col">BU</th><th scope="col">BA</th><th scope="col">BU</th></tr>
</thead>
<tbody>
  <tr><th scope="row">Uitgaven</th><td>580.966</td><td>552.289</td><td>580.966</td><td>552.157</td></tr>
</tbody>
</table>"""


def page_html(body: str, *, lang: str = ' lang="nl-BE"', title: str = "Proef") -> str:
    return (
        f"<!DOCTYPE html><html{lang}><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{PAGE}</style></head><body>{body}</body></html>"
    )


def weasyprint_pdf(body: str, **kwargs: str) -> bytes:
    """What WeasyPrint writes for PDF/UA-1, before bbt's post-processing."""
    data: bytes = HTML(string=page_html(body, **kwargs)).write_pdf(pdf_variant="pdf/ua-1")
    return data


def checks(problems: list[Problem]) -> set[str]:
    return {p.check for p in problems}


# -- reading a PDF independently of the code under test ----------------------------------------


def texts_by_mcid(pdf: bytes) -> dict[tuple[int, int], str]:
    """(page index, MCID) -> text, read with PDFium.

    Only the page's own text objects: a chart is drawn in form XObjects painted inside its
    /Figure's marked content, so its text belongs to that figure (PDFium gives it no MCID).
    """
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    document = pdfium.PdfDocument(pdf)
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        objects = page.get_objects(
            filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT], max_depth=1, textpage=textpage
        )
        for obj in objects:
            found[index, pdfium.raw.FPDFPageObj_GetMarkedContentID(obj)].append(obj.extract())
    document.close()
    return {key: " ".join(" ".join(parts).split()) for key, parts in found.items()}


def structure(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every structure element in reading order."""
    stack = list(reversed(pdf.Root.StructTreeRoot.K))
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            yield element
            kids = element.get("/K", [])
            stack += reversed(list(kids) if isinstance(kids, pikepdf.Array) else [kids])


Cell = tuple[str, str | None, list[str]]


def table_cells(data: bytes) -> dict[str, list[Cell]]:
    """Cell text -> every (TH or TD, /Scope, texts of its /Headers resolved through the /IDTree)
    of the cells with that text."""
    texts = texts_by_mcid(data)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        root = pdf.Root.StructTreeRoot
        ids = dict(pikepdf.NameTree(root.IDTree).items()) if "/IDTree" in root else {}

        def text(element: pikepdf.Object) -> str:
            page = pages[element.Pg.objgen]
            kids = element.get("/K")
            kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
            return " ".join(
                text(kid) if isinstance(kid, pikepdf.Dictionary) else texts.get((page, kid), "")
                for kid in kids
            ).strip()

        cells: dict[str, list[Cell]] = defaultdict(list)
        for element in structure(pdf):
            if element.S in (pikepdf.Name.TH, pikepdf.Name.TD):
                attributes = element.get("/A", {})
                scope = attributes.get("/Scope")
                heads = [text(ids[str(h)]) for h in attributes.get("/Headers", [])]
                cells[text(element)].append((str(element.S)[1:], scope and str(scope)[1:], heads))
    return cells


def page_images(pdf: bytes) -> list[bytes]:
    document = pdfium.PdfDocument(pdf)
    images = [document[n].render(scale=2).to_pil().tobytes() for n in range(len(document))]
    document.close()
    return images


# -- the example -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(example_build: ExampleBuild) -> tuple[bytes, list[Finding]]:
    """The example's PDF as ``bbt build`` writes it, and what its PDF step reported."""
    return example_build.pdf, example_build.pdf_findings


@pytest.fixture(scope="module")
def example_problems(example: tuple[bytes, list[Finding]]) -> list[Problem]:
    return audit(example[0])


def test_example_passes_every_check_we_fix(example_problems: list[Problem]) -> None:
    assert [str(p) for p in example_problems if p.check in FIXED_HERE] == []


def test_example_claims_pdfua_only_when_the_audit_is_clean(
    example: tuple[bytes, list[Finding]], example_problems: list[Problem]
) -> None:
    pdf, findings = example
    assert claims_pdfua(pdf) == (example_problems == [])
    # one BBT304 warning per failed check, and none when the audit is clean
    assert {(f.code, f.severity) for f in findings} <= {("BBT304", Severity.WARNING)}
    assert len(findings) == len(checks(example_problems))
    assert all(f.message.startswith("PDF/UA-1 not claimed: ") for f in findings)


def test_example_running_headers_and_page_numbers_are_artifacts(
    example: tuple[bytes, list[Finding]],
) -> None:
    pdf = example[0]
    with pikepdf.open(io.BytesIO(pdf)) as document:
        page = document.pages[10]
        pagination = [
            i
            for i in pikepdf.parse_content_stream(page, "BDC")
            if i.operands[0] == pikepdf.Name.Artifact
            and i.operands[1].get("/Type") == pikepdf.Name.Pagination
        ]
    assert len(pagination) == 4  # title, chapter, document stamp, page number
    # their text is outside every structure element (PDFium: no MCID), and nothing else is
    assert texts_by_mcid(pdf)[10, -1] == (
        "Beleids- en begrotingstoelichting Sociale Economie V. BELEIDSVELD: SOCIALE ECONOMIE"
        " VR 2025 1605 MED.0170/1 11"
    )


def test_example_ise_table_cells_name_their_group_column_and_row(
    example: tuple[bytes, list[Finding]],
) -> None:
    cells = table_cells(example[0])
    # ISE Activering, VAK and VEK BA-JR: the group header (colspan 3) counts too
    assert cells["697.955"] == [
        ("TD", None, ["VAK 2024", "BA-JR", "ESR-uitgaven"]),
        ("TD", None, ["VAK 2024", "BA-JR", "Totaal"]),
    ]
    assert cells["696.640"] == [
        ("TD", None, ["VEK 2024", "BA-JR", "ESR-uitgaven"]),
        ("TD", None, ["VEK 2024", "BA-JR", "Totaal"]),
    ]
    assert cells["ESR-uitgaven"] == [("TH", "Row", []), ("TH", "Row", [])]  # both ISEs
    assert cells["VAK 2024"][0] == ("TH", "Column", [])
    assert cells["Totaal"][0] == ("TH", "Row", [])  # scope="row" colspan="2"


def test_example_heading_levels_do_not_skip(example_problems: list[Problem]) -> None:
    assert [str(p) for p in example_problems if p.check == "headings"] == []


def test_example_charts_have_more_than_their_title(example_problems: list[Problem]) -> None:
    assert [str(p) for p in example_problems if p.check == "figures"] == []


def test_example_claims_pdf_ua_and_passes_the_audit(example: tuple[bytes, list[Finding]]) -> None:
    pdf, findings = example
    assert audit(pdf) == []
    assert claims_pdfua(pdf)
    assert not [f for f in findings if f.code == "BBT304"]


# -- the audit detects each class of problem ----------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check", "message"),
    [
        ("<h1>Begroting</h1><p>x</p>", "furniture", "running headers, footers and page numbers"),
        (GROUPED_TABLE, "headers", "do not resolve to a /TH through the /IDTree"),
        (GROUPED_TABLE, "scope", "header cells (/TH) have no /Scope"),
        ("<h1>T</h1><div><div></div></div><p>x</p>", "structure", "empty structure elements"),
    ],
)
def test_audit_finds_what_weasyprint_leaves_and_fix_structure_mends_it(
    body: str, check: str, message: str
) -> None:
    raw = weasyprint_pdf(body)
    found = [p for p in audit(raw) if p.check == check]
    assert found and message in found[0].message
    assert [str(p) for p in audit(fix_structure(raw))] == []


@pytest.mark.parametrize(
    ("body", "check", "message"),
    [
        (
            "<h1>Begroting</h1><h3>Artikel</h3>",
            "headings",
            "heading level skips from H1 to H3: ‘Artikel’ follows ‘Begroting’",
        ),
        ("<h2>Begroting</h2>", "headings", "the first heading is H2, not H1: ‘Begroting’"),
        (
            f'<h1>T</h1><figure><img src="{PIXEL}" width="20" height="10">'
            "<figcaption>Omzet</figcaption></figure>",
            "figures",
            "a figure has no alternative text",
        ),
        (
            f'<h1>T</h1><figure><img alt="Omzet 2024" src="{PIXEL}" width="20" height="10">'
            "<figcaption>Omzet 2024</figcaption></figure>",
            "figures",
            "the alternative text of a figure is only its caption (‘Omzet 2024’)",
        ),
        (
            "<style>@page { @top-center { content: element(kop) } } .kop { position: running(kop) }"
            '</style><div class="kop"><a href="https://example.org/">Bron</a></div><h1>T</h1>',
            "structure",
            "1 annotations (links) are outside the structure tree",
        ),
    ],
)
def test_audit_finds_what_only_the_templates_can_fix(body: str, check: str, message: str) -> None:
    fixed = fix_structure(weasyprint_pdf(body))
    (problem,) = audit(fixed)
    assert (problem.check, problem.page) == (check, 1)
    assert problem.message.startswith(message)


@pytest.mark.parametrize(
    "figure",
    [
        '<img alt="Omzet 2024: 5 keuro in januari, 7 keuro in februari" src="{0}">',
        '<img alt="Omzet 2024" src="{0}"><figcaption>Omzet 2024</figcaption>'
        '<table><tr><th scope="col">Maand</th><th scope="col">Omzet</th></tr>'
        "<tr><td>januari</td><td>5</td></tr></table>",
    ],
)
def test_a_figure_with_its_content_or_its_data_table_passes(figure: str) -> None:
    body = f"<h1>T</h1><figure>{figure.format(PIXEL)}<figcaption>Omzet 2024</figcaption></figure>"
    assert audit(fix_structure(weasyprint_pdf(body))) == []


def test_untagged_content_is_found() -> None:
    fixed = fix_structure(weasyprint_pdf("<h1>Begroting</h1>"))
    with pikepdf.open(io.BytesIO(fixed)) as pdf:
        page = pdf.pages[0]
        page.contents_add(pdf.make_stream(b"0 0 m 10 10 l S"))  # a line outside marked content
        out = io.BytesIO()
        pdf.save(out)
    (problem,) = audit(out.getvalue())
    assert problem.check == "furniture"
    assert (
        problem.message == "1 text or drawing operations are neither /Artifact nor tagged content"
    )


def test_document_entries_are_checked() -> None:
    fixed = fix_structure(weasyprint_pdf("<h1>Begroting</h1>"))
    with pikepdf.open(io.BytesIO(fixed)) as pdf:
        del pdf.Root["/Lang"]
        del pdf.Root["/ViewerPreferences"]
        pdf.Root.MarkInfo.Marked = False
        del pdf.docinfo["/Title"]
        out = io.BytesIO()
        pdf.save(out)
    assert sorted(p.message for p in audit(out.getvalue())) == [
        "/MarkInfo /Marked is not true",
        "/ViewerPreferences /DisplayDocTitle is not true",
        "the document language (/Lang) is not set",
        "the document title is missing (Info /Title, XMP dc:title)",
    ]


# -- what fix_structure does, and does not change -----------------------------------------------


def test_tags_written_otherwise_than_weasyprint_does_are_fixed_too() -> None:
    # Property lists with a second entry: the fast substitution does not apply, the parser does.
    raw = weasyprint_pdf("<h1>Begroting</h1><p>Tekst</p>")
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        page = pdf.pages[0]
        instructions = list(pikepdf.parse_content_stream(page))
        for instruction in instructions:
            if str(instruction.operator) == "BDC" and len(instruction.operands) == 2:
                instruction.operands[1].Lang = pikepdf.String("nl-BE")
        page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))
        out = io.BytesIO()
        pdf.save(out)
    respelled = out.getvalue()
    assert "furniture" in checks(audit(respelled))
    assert audit(fix_structure(respelled)) == []


def test_table_headers_get_scope_and_resolvable_ids() -> None:
    cells = table_cells(fix_structure(weasyprint_pdf(f"<h1>T</h1>{GROUPED_TABLE}")))
    assert cells["552.289"] == [("TD", None, ["VAK", "BU", "Uitgaven"])]
    assert cells["552.157"] == [("TD", None, ["VEK", "BU", "Uitgaven"])]
    assert cells["580.966"] == [
        ("TD", None, ["VAK", "BA", "Uitgaven"]),
        ("TD", None, ["VEK", "BA", "Uitgaven"]),
    ]
    scopes = {text: cell[1] for text, found in cells.items() for cell in found if cell[0] == "TH"}
    assert scopes == {
        "VAK": "Column",
        "VEK": "Column",
        "BA": "Column",
        "BU": "Column",
        "Uitgaven": "Row",
    }


def test_fix_structure_keeps_the_printed_pages_and_is_repeatable() -> None:
    raw = weasyprint_pdf(f"<h1>Begroting</h1>{GROUPED_TABLE}<p>{'Tekst. ' * 300}</p>")
    fixed = fix_structure(raw)
    assert len(page_images(raw)) > 1
    assert page_images(fixed) == page_images(raw)  # pixel for pixel
    assert fix_structure(raw) == fixed
    with pikepdf.open(io.BytesIO(fixed)) as pdf:
        fonts = [f for page in pdf.pages for f in page.Resources.Font.values()]
        descriptors = [f.DescendantFonts[0].FontDescriptor for f in fonts]
        assert descriptors and all("/FontFile2" in d for d in descriptors)


def test_render_pdf_withdraws_the_claim_and_reports_bbt304() -> None:
    findings: list[Finding] = []
    html = page_html("<h1>Begroting</h1><h3>Artikel</h3>")
    pdf = render_pdf(html, allowed_dirs=[DEFAULT_TEMPLATES], findings=findings)
    assert not claims_pdfua(pdf)
    (finding,) = findings
    assert (finding.code, finding.severity) == ("BBT304", Severity.WARNING)
    assert finding.message == (
        "PDF/UA-1 not claimed: heading level skips from H1 to H3: ‘Artikel’ follows"
        " ‘Begroting’ (page 1)"
    )
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert b"pdfuaid" not in document.Root.Metadata.read_bytes()


def test_a_clean_document_keeps_its_claim() -> None:
    raw = weasyprint_pdf(f"<h1>Begroting</h1><h2>Artikel</h2>{GROUPED_TABLE}")
    assert claims_pdfua(raw)
    pdf, problems = conform(raw)
    assert problems == []
    assert claims_pdfua(pdf)
