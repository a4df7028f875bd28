"""``bbt preview``: the document as page images and a contact sheet, for reviewers and CI.

1. build HTML and PDF with :func:`bbt.pipeline.build` (nothing is previewed when the data has
   errors: the findings are the result);
2. render every PDF page to PNG (``pdftoppm`` from poppler-utils, else the ``pypdfium2``
   package; a clear error when neither is there);
3. with a base version (a folder or a git revision): build it too, write the ``bbt diff``
   report (:mod:`bbt.exchange.diff`) and mark the pages whose image changed;
4. write ``index.html``: the thumbnails, each linking to its full page, and links to the PDF,
   the HTML and the report.

The folder it writes::

    DIR/index.html            the contact sheet
    DIR/<name>.pdf, .html     the document
    DIR/pages/page-001.png    one image per PDF page
    DIR/base/page-001.png     the base version's pages (with a base)
    DIR/diff.md, diff.html    what changed, in budget terms (with a base)
"""

from __future__ import annotations

import contextlib
import html
import importlib
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bbt.errors import BbtError, Finding, Severity
from bbt.pipeline import DEFAULT_TEMPLATES, build, write_atomic

DPI = 80
"""Page image resolution: an A4 page is 661 × 935 pixels, readable and light."""


class PreviewError(BbtError):
    """The preview cannot be made (no page renderer, a base that does not exist)."""


@dataclass
class Preview:
    """What ``bbt preview`` wrote.

    Attributes:
        out: the preview folder.
        findings: the build's findings (the preview is empty when they hold errors).
        pages: the page images, in page order.
        renderer: ``pdftoppm`` or ``pypdfium2``.
        changed: 1-based numbers of the pages whose image differs from the base's.
        base_pages: how many pages the base version has (None without a base).
        notes: things the reader of the contact sheet should know (a base that failed).
    """

    out: Path
    findings: list[Finding] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)
    renderer: str = ""
    changed: list[int] = field(default_factory=list)
    base_pages: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)


# -- pages ------------------------------------------------------------------------------------


def page_renderer() -> tuple[str, Callable[[Path, Path, int], list[Path]]]:
    """The first available way to turn PDF pages into PNG: pdftoppm, then pypdfium2."""
    if shutil.which("pdftoppm"):
        return "pdftoppm", _pdftoppm
    try:
        importlib.import_module("pypdfium2")
    except ImportError:
        raise PreviewError(
            "cannot render PDF pages to images: install poppler-utils (pdftoppm), "
            "e.g. 'apt-get install poppler-utils' or 'brew install poppler', "
            "or the Python package pypdfium2 ('pip install pypdfium2')"
        ) from None
    return "pypdfium2", _pypdfium2


def _pdftoppm(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    with tempfile.TemporaryDirectory(prefix="bbt-pages-") as temp:
        done = subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(Path(temp) / "p")],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise PreviewError(f"pdftoppm failed on {pdf.name}: {done.stderr.strip()}")
        # pdftoppm pads the numbers to the page count's width (p-1.png or p-01.png ...)
        images = sorted(Path(temp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1]))
        return [_keep(image.read_bytes(), folder, n) for n, image in enumerate(images, start=1)]


def _pypdfium2(
    pdf: Path, folder: Path, dpi: int
) -> list[Path]:  # pragma: no cover - CI has poppler
    import io

    pdfium = importlib.import_module("pypdfium2")
    document = pdfium.PdfDocument(str(pdf))
    pages = []
    for n, page in enumerate(document, start=1):
        buffer = io.BytesIO()
        page.render(scale=dpi / 72).to_pil().save(buffer, format="PNG")
        pages.append(_keep(buffer.getvalue(), folder, n))
    return pages


def _keep(data: bytes, folder: Path, number: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(folder / f"page-{number:03d}.png", data)


def render_pages(pdf: Path, folder: Path, dpi: int = DPI) -> tuple[list[Path], str]:
    """Every page of ``pdf`` as ``folder/page-NNN.png``; returns the images and the renderer."""
    name, render = page_renderer()
    for old in folder.glob("page-*.png"):
        old.unlink()
    return render(pdf, folder, dpi), name


# -- the base version ---------------------------------------------------------------------------


@contextlib.contextmanager
def base_version(base: str, budget: Path, templates: Path) -> Iterator[tuple[Path, Path, str]]:
    """The base budget folder and templates: ``base`` is a folder, or a git revision.

    Yields ``(budget, templates, label)``. For a revision, the budget folder and (when they
    are in the repository) the templates are taken from that revision.
    """
    if Path(base).is_dir():
        yield Path(base), templates, base
        return
    from bbt.exchange import ExchangeError
    from bbt.exchange.diff import git_checkout

    try:
        with contextlib.ExitStack() as stack:
            old_budget = stack.enter_context(git_checkout(base, budget))
            try:
                old_templates = stack.enter_context(git_checkout(base, templates))
            except ExchangeError:  # templates outside the repository or new: use today's
                old_templates = templates
            yield old_budget, old_templates, f"{base}:{budget.name}"
    except ExchangeError as exc:
        reasons = "; ".join(f.message for f in exc.findings)
        raise PreviewError(
            f"base {base!r} is neither a folder nor a usable git revision: {reasons}"
        ) from None


# -- the whole preview -------------------------------------------------------------------------


def make_preview(
    path: Path,
    out: Path,
    *,
    base: str | None = None,
    templates: Path = DEFAULT_TEMPLATES,
    dpi: int = DPI,
    progress: Callable[[str], None] = lambda _msg: None,
) -> Preview:
    """Build the document into ``out`` with its page images and contact sheet (see module doc)."""
    page_renderer()  # fail before a long build when no renderer is installed
    out.mkdir(parents=True, exist_ok=True)
    # A preview shows work in progress: a document with drafts builds, stamped ONTWERP.
    result = build(path, out, ("html", "pdf"), templates, progress=progress, draft=True)
    preview = Preview(out, list(result.findings))
    if result.failed():
        return preview
    pdf = next(p for p in result.written if p.suffix == ".pdf")
    progress("rendering pages")
    preview.pages, preview.renderer = render_pages(pdf, out / "pages", dpi)
    if base is not None:
        _compare_with_base(preview, base, path, templates, dpi, progress)
    write_atomic(out / "index.html", contact_sheet(preview, path, result.written).encode("utf-8"))
    return preview


def _compare_with_base(
    preview: Preview,
    base: str,
    path: Path,
    templates: Path,
    dpi: int,
    progress: Callable[[str], None],
) -> None:
    from bbt.exchange import ExchangeError
    from bbt.exchange.diff import diff_folders, to_html, to_markdown

    out = preview.out
    with base_version(base, path, templates) as (old, old_templates, label):
        try:
            report = diff_folders(old, path, label, str(path))
            write_atomic(out / "diff.md", to_markdown(report).encode("utf-8"))
            write_atomic(out / "diff.html", to_html(report).encode("utf-8"))
        except ExchangeError as exc:
            preview.notes.append("no diff report: " + "; ".join(str(f) for f in exc.findings[:5]))
        progress(f"building the base ({label})")
        with tempfile.TemporaryDirectory(prefix="bbt-base-") as temp:
            old_result = build(old, temp, ("pdf",), old_templates, draft=True)
            if old_result.failed():
                preview.notes.append(
                    f"the base {label} does not build ({len(old_result.errors)} error(s)): "
                    "every page is shown as changed"
                )
                preview.changed = list(range(1, len(preview.pages) + 1))
                return
            old_pdf = next(p for p in old_result.written if p.suffix == ".pdf")
            old_pages, _ = render_pages(old_pdf, out / "base", dpi)
    preview.base_pages = len(old_pages)
    preview.changed = [
        n
        for n, page in enumerate(preview.pages, start=1)
        if n > len(old_pages) or page.read_bytes() != old_pages[n - 1].read_bytes()
    ]


# -- the contact sheet ------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
p.meta { margin: .2rem 0 1rem; }
ul.pages { list-style: none; padding: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
ul.pages li { text-align: center; font-size: .85rem; }
ul.pages img { width: 100%; height: auto; border: 1px solid #999; display: block; }
ul.pages li.changed img { border: 3px solid #b00020; }
ul.pages li.changed .tag { font-weight: bold; color: #b00020; }
.notes { background: #fff4e5; padding: .5rem 1rem; }
"""


def contact_sheet(preview: Preview, path: Path, written: list[Path]) -> str:
    """``index.html``: the page thumbnails with links, the changed pages marked."""
    e = html.escape
    links = [f'<a href="{e(p.name)}">{e(p.suffix[1:].upper())}</a>' for p in written]
    if (preview.out / "diff.html").exists():
        links.append('<a href="diff.html">changes (diff.html)</a>')
        links.append('<a href="diff.md">diff.md</a>')
    if preview.base_pages is None:
        summary = f"{len(preview.pages)} pages"
    elif preview.changed:
        numbers = ", ".join(str(n) for n in preview.changed)
        summary = (
            f"{len(preview.pages)} pages ({preview.base_pages} in the base); "
            f"{len(preview.changed)} changed: {numbers}"
        )
    else:
        summary = f"{len(preview.pages)} pages; no page changed"
    items = []
    for n, page in enumerate(preview.pages, start=1):
        rel = page.relative_to(preview.out).as_posix()
        changed = n in preview.changed
        tag = ' <span class="tag">changed</span>' if changed else ""
        base = preview.out / "base" / page.name
        compare = f' · <a href="base/{e(page.name)}">base</a>' if changed and base.exists() else ""
        cls = ' class="changed"' if changed else ""
        items.append(
            f'<li id="page-{n}"{cls}>'
            f'<a href="{e(rel)}"><img src="{e(rel)}" alt="page {n}" loading="lazy"></a>'
            f"page {n}{tag}{compare}</li>"
        )
    notes = "".join(f"<p>{e(note)}</p>" for note in preview.notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Preview: {e(path.name)}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>Preview: {e(path.name)}</h1>\n"
        f'<p class="meta">{e(summary)} · {" · ".join(links)} · pages rendered with '
        f"{e(preview.renderer)}</p>\n"
        + (f'<div class="notes">{notes}</div>\n' if notes else "")
        + '<ul class="pages">\n'
        + "\n".join(items)
        + "\n</ul>\n</body></html>\n"
    )


__all__ = ["Preview", "PreviewError", "contact_sheet", "make_preview", "render_pages"]
