"""What many tests read: the shipped example, checked and built once per test session.

Building the example's PDF takes seconds; the PDF, layout, structure, preview and chart tests
all read the same build instead of making their own. Under pytest-xdist the workers share it
too: the first to need it builds it under a file lock in the run's common temporary folder,
the others read the files and the findings it left there.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from bbt.errors import Finding
from bbt.pipeline import Result, build, check
from bbt.resources import EXAMPLE


@dataclass(frozen=True)
class ExampleBuild:
    """The example built with ``bbt.pipeline.build`` (HTML and PDF) into ``folder``."""

    findings: list[Finding]
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
        return [f for f in self.findings if f.code.startswith("BBT30")]


@pytest.fixture(scope="session")
def example_result() -> Result:
    result = check(EXAMPLE)
    assert result.calculation is not None and not result.failed(), result.findings
    return result


def _build_example(folder: Path) -> list[Finding]:
    result = build(EXAMPLE, folder, ("html", "pdf"))
    assert not result.failed(), [str(f) for f in result.findings]
    return result.findings


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> ExampleBuild:
    try:
        import fcntl
    except ImportError:  # Windows: each worker builds its own
        fcntl = None  # type: ignore[assignment]
    if worker_id == "master" or fcntl is None:
        folder = tmp_path_factory.mktemp("example-build")
        return ExampleBuild(_build_example(folder), folder)
    # the folder every worker of this run shares (pytest-xdist's documented recipe)
    shared = tmp_path_factory.getbasetemp().parent / "example-build"
    findings_file = shared / "findings.pickle"
    with open(shared.parent / "example-build.lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not findings_file.is_file():
            shared.mkdir(exist_ok=True)
            findings_file.write_bytes(pickle.dumps(_build_example(shared)))
    findings: list[Finding] = pickle.loads(findings_file.read_bytes())
    return ExampleBuild(findings, shared)


@pytest.fixture(scope="session")
def example_page_texts(example_build: ExampleBuild) -> list[str]:
    """The text of every page of the example's PDF (PDFium: fast and faithful)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(example_build.pdf)
    try:
        return [document[n].get_textpage().get_text_range() for n in range(len(document))]
    finally:
        document.close()
