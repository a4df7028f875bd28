"""What many tests read: the shipped example, checked and built once per test session.

Building the example's PDF takes seconds; the PDF, layout and structure tests all read
the same build instead of making their own, and the preview tests one ``bbt preview`` of it
(which also proves that a second build gives the same bytes). Under pytest-xdist the workers
share both: see :func:`once_per_run`.
"""

from __future__ import annotations

import compileall
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import pytest

from bbt.errors import Finding
from bbt.pipeline import Result, build, check
from bbt.resources import EXAMPLE

ROOT = Path(__file__).resolve().parent.parent
"""The repository: its ``bbt`` package is the one the tests run."""

T = TypeVar("T")

_OWN_CACHE = "_bbt_test_cache"


def pytest_configure(config: pytest.Config) -> None:
    """One fresh cache folder per run (bbt/load/cache.py), never the user's own: the suite
    neither evicts nor trusts what earlier runs kept. xdist workers inherit it.

    bbt is byte-compiled once, before the workers start: the suite runs ``bbt`` in hundreds
    of fresh processes, and where ``PYTHONDONTWRITEBYTECODE`` is set (as on CI machines) each
    of them would otherwise compile every module it imports again (about 0.3 s a process).
    """
    if not hasattr(config, "workerinput"):
        compileall.compile_dir(ROOT / "bbt", quiet=1)
    if "BBT_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="bbt-test-cache-")
        os.environ["BBT_CACHE_DIR"] = folder
        setattr(config, _OWN_CACHE, folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, _OWN_CACHE, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop("BBT_CACHE_DIR", None)


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


def once_per_run(
    factory: pytest.TempPathFactory, worker_id: str, name: str, make: Callable[[Path], T]
) -> tuple[Path, T]:
    """``make(folder)`` once per test run, in a folder ``name``; its answer is pickled.

    Under pytest-xdist the first worker to ask makes it, under a file lock in the run's common
    temporary folder, and the others read that folder and the answer (the recipe of
    pytest-xdist's documentation). Without xdist, or without ``fcntl`` (Windows), once per process.
    """
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    if worker_id == "master" or fcntl is None:
        folder = factory.mktemp(name)
        return folder, make(folder)
    folder = factory.getbasetemp().parent / name
    answer = folder.parent / f"{name}.pickle"
    with open(folder.parent / f"{name}.lock", "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not answer.is_file():
            folder.mkdir(exist_ok=True)  # a worker whose make() failed may have made it
            answer.write_bytes(pickle.dumps(make(folder)))
    return folder, cast(T, pickle.loads(answer.read_bytes()))


def _build_example(folder: Path) -> list[Finding]:
    result = build(EXAMPLE, folder, ("html", "pdf"))
    assert not result.failed(), [str(f) for f in result.findings]
    return result.findings


@pytest.fixture(scope="session")
def example_build(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> ExampleBuild:
    folder, findings = once_per_run(tmp_path_factory, worker_id, "example-build", _build_example)
    return ExampleBuild(findings, folder)


@dataclass(frozen=True)
class PreviewRun:
    """``bbt preview`` of the shipped example into ``folder``: its exit status and output."""

    folder: Path
    exit_code: int
    output: str


def _preview_example(folder: Path) -> tuple[int, str]:
    from click.testing import CliRunner

    from bbt.cli import main

    result = CliRunner().invoke(main, ["preview", str(EXAMPLE), "-o", str(folder)])
    return result.exit_code, result.output


@pytest.fixture(scope="session")
def example_preview(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> PreviewRun:
    """The example previewed: a second full build of it, and an image of every page."""
    folder, (code, output) = once_per_run(
        tmp_path_factory, worker_id, "example-preview", _preview_example
    )
    return PreviewRun(folder, code, output)


@pytest.fixture(scope="session")
def example_page_texts(example_build: ExampleBuild) -> list[str]:
    """The text of every page of the example's PDF (PDFium: fast and faithful)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(example_build.pdf)
    try:
        return [document[n].get_textpage().get_text_range() for n in range(len(document))]
    finally:
        document.close()
