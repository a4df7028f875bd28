"""``bbt preview``: the document as page images and a contact sheet, for reviewers and CI.

1. build HTML and PDF with :func:`bbt.pipeline.build` (nothing is previewed when the data has
   errors: the findings are the result);
2. render every PDF page to PNG with PDFium (the ``pypdfium2`` package, a dependency of bbt:
   no system tool is needed, and the same PDF gives byte-identical images);
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
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bbt.errors import BbtError, Finding, Severity
from bbt.files import unwritable
from bbt.pipeline import DEFAULT_TEMPLATES, build, write_atomic

DPI = 80
"""Page image resolution: an A4 page is 662 × 936 pixels, readable and light."""


class PreviewError(BbtError):
    """The preview cannot be made (an unreadable PDF, a base that does not exist)."""


@dataclass
class Preview:
    """What ``bbt preview`` wrote.

    Attributes:
        out: the preview folder.
        findings: the build's findings (the preview is empty when they hold errors).
        pages: the page images, in page order.
        renderer: the page renderer (``pypdfium2``).
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

RENDERER = "pypdfium2"
"""The one page renderer: PDFium through pypdfium2, a dependency, so previews need no system tool."""


def _render(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        raise PreviewError(f"cannot read {pdf.name} to render its pages: {exc}") from None
    pages = []
    try:
        for n in range(len(document)):
            page = document[n]
            image = page.render(scale=dpi / 72).to_pil()
            buffer = io.BytesIO()
            # Pillow writes no time or other varying chunk: the same page gives the same bytes.
            image.save(buffer, format="PNG")
            pages.append(_keep(buffer.getvalue(), folder, n + 1))
            page.close()
    finally:
        document.close()
    return pages


def _keep(data: bytes, folder: Path, number: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(folder / f"page-{number:03d}.png", data)


def render_pages(pdf: Path, folder: Path, dpi: int = DPI) -> tuple[list[Path], str]:
    """Every page of ``pdf`` as ``folder/page-NNN.png``; returns the images and the renderer."""
    for old in folder.glob("page-*.png"):
        old.unlink()
    return _render(pdf, folder, dpi), RENDERER


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
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the way: the same finding as for bbt build
        return Preview(out, [unwritable(out, exc)])
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
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1a1a1a; background: #fff; }
h1 { font-size: 1.3rem; margin: 0 0 .3rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
a { color: #0b4f9c; }
a:focus-visible { outline: 3px solid #0b4f9c; outline-offset: 2px; }
ul.files { padding-left: 1.2rem; }
ul.pages { list-style: none; padding: 0; display: grid; gap: 1rem;
  grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
ul.pages li { text-align: center; font-size: .9rem; }
ul.pages img { width: 100%; height: auto; border: 1px solid #767676; display: block; }
ul.pages li.changed img { border: 3px solid #b00020; }
ul.pages li.changed .tag { font-weight: bold; color: #b00020; }
.notes { background: #fff4e5; padding: .5rem 1rem; }
"""


def _summary(preview: Preview) -> str:
    if preview.base_pages is None:
        return f"{len(preview.pages)} pages"
    if preview.changed:
        numbers = ", ".join(str(n) for n in preview.changed)
        return (
            f"{len(preview.pages)} pages ({preview.base_pages} in the base); "
            f"{len(preview.changed)} changed: {numbers}"
        )
    return f"{len(preview.pages)} pages; no page changed"


def _file_links(preview: Preview, written: list[Path]) -> list[str]:
    e = html.escape
    kinds = {".pdf": "The document as PDF", ".html": "The document as HTML"}
    links = [
        f'<a href="{e(p.name)}">{e(kinds.get(p.suffix, "The document"))} ({e(p.name)})</a>'
        for p in written
    ]
    if (preview.out / "diff.html").exists():
        links.append('<a href="diff.html">What changed, in budget terms (diff.html)</a>')
        links.append('<a href="diff.md">The same report as Markdown (diff.md)</a>')
    return links


def _page_item(preview: Preview, n: int, page: Path) -> str:
    e = html.escape
    rel = page.relative_to(preview.out).as_posix()
    changed = n in preview.changed
    tag = ' <span class="tag">changed</span>' if changed else ""
    base = preview.out / "base" / page.name
    compare = ""
    if changed and base.exists():
        compare = f' · <a href="base/{e(page.name)}">page {n} in the base</a>'
    cls = ' class="changed"' if changed else ""
    # The image is the link's only content, so its alt text names where the link goes.
    return (
        f'<li id="page-{n}"{cls}>'
        f'<a href="{e(rel)}"><img src="{e(rel)}" alt="Page {n}, full size" loading="lazy"></a>'
        f"page {n}{tag}{compare}</li>"
    )


def contact_sheet(preview: Preview, path: Path, written: list[Path]) -> str:
    """``index.html``: the page thumbnails with links, the changed pages marked.

    An accessible page: a language, one ``main``, headings in order, alt text on every image
    and link texts that say where they lead.
    """
    e = html.escape
    name = e(path.resolve().name)
    files = "".join(f"<li>{link}</li>" for link in _file_links(preview, written))
    notes = "".join(f"<p>{e(note)}</p>" for note in preview.notes)
    notes_section = (
        f'<section class="notes" aria-labelledby="notes"><h2 id="notes">Notes</h2>{notes}</section>\n'
        if notes
        else ""
    )
    items = "\n".join(_page_item(preview, n, p) for n, p in enumerate(preview.pages, start=1))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Preview: {name}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>Preview: {name}</h1>\n"
        f"<p>{e(_summary(preview))}; pages rendered with {e(preview.renderer)}.</p>\n"
        f'<h2>Files</h2>\n<ul class="files">{files}</ul>\n'
        f"{notes_section}"
        '<h2>Pages</h2>\n<ul class="pages">\n'
        f"{items}\n</ul>\n</main>\n</body>\n</html>\n"
    )


__all__ = ["Preview", "PreviewError", "contact_sheet", "make_preview", "render_pages"]
