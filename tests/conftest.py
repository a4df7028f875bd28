"""What many tests read: the shipped example, checked and built once per test session.

Building the example's PDF takes seconds; the PDF, layout, structure and render tests all read
the same build instead of making their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from bbt.errors import Finding
from bbt.pipeline import Result, build, check
from bbt.resources import EXAMPLE


@dataclass(frozen=True)
class ExampleBuild:
    """The example built with ``bbt.pipeline.build`` (HTML and PDF) into ``folder``."""

    result: Result
    folder: Path

    @property
    def html(self) -> str:
        return (self.folder / f"{EXAMPLE.name}.html").read_text(encoding="utf-8")

    @property
    def pdf_path(self) -> Path:
        return self.folder / f"{EXAMPLE.name}.pdf"

    @property
    def pdf(self) -> bytes:
        return self.pdf_path.read_bytes()

    @property
    def pdf_findings(self) -> list[Finding]:
        """What the PDF step reported (BBT304 when the PDF/UA audit fails)."""
        return [f for f in self.result.findings if f.code.startswith("BBT30")]


@pytest.fixture(scope="session")
def example_result() -> Result:
    result = check(EXAMPLE)
    assert result.calculation is not None and not result.failed(), result.findings
    return result


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory) -> ExampleBuild:
    folder = tmp_path_factory.mktemp("example-build")
    result = build(EXAMPLE, folder, ("html", "pdf"))
    assert not result.failed(), [str(f) for f in result.findings]
    return ExampleBuild(result, folder)


@pytest.fixture(scope="session")
def example_page_texts(example_build: ExampleBuild) -> list[str]:
    """The text of every page of the example's PDF (PDFium: fast and faithful)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(example_build.pdf)
    try:
        return [document[n].get_textpage().get_text_range() for n in range(len(document))]
    finally:
        document.close()
