"""The PDF, from the HTML of :func:`bbt.render.html.render_html`, with WeasyPrint.

* Resources come only through :class:`SafeFetcher`: files under the allowed folders (the
  budget and the templates), ``data:`` URIs, nothing else: no network, no ``..`` escape, no
  symlink out. A refused or missing resource stops the build with a :class:`RenderError`
  (``BBT302`` refused, ``BBT303`` missing).
* Fonts are embedded from ``templates/bbt/fonts`` through ``templates/bbt/pdf.css``, never
  taken from the system, so every machine produces the same file.
* Repeatable: dates come from the HTML's ``dcterms.created`` meta (``SOURCE_DATE_EPOCH`` or the
  document's date) and the file identifier is a hash of the content: same input, same bytes.
* Tagged as PDF/UA-1 (``pdf_variant="pdf/ua-1"``: structure tree, ``MarkInfo``, language,
  title shown in the window), then completed and audited by :func:`bbt.render.pdfua.conform`:
  the file claims PDF/UA-1 only when the audit finds nothing; otherwise each failed check is a
  ``BBT304`` warning (docs/accessibility.md).
* Fast: the garbage collector is paused while WeasyPrint lays out (it allocates millions of
  short-lived objects and spends about a quarter of its time in cyclic GC otherwise).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

with warnings.catch_warnings():
    # WeasyPrint warns at import when libharfbuzz-subset is missing (it falls back on
    # fontTools): a fact about the machine, not something a budget author can act on.
    warnings.simplefilter("ignore", DeprecationWarning)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from bbt.errors import Finding, Location, RenderError, Severity, relpath
from bbt.files import InputRefused, confine, exists, read_input, shown
from bbt.render.html import gc_paused
from bbt.render.pdfua import conform, summary

PDF_STYLESHEET = Path("bbt") / "pdf.css"
"""The PDF-only stylesheet (embedded fonts), looked up in the allowed folders."""

PDF_VARIANT = "pdf/ua-1"


class RefusedResource(FatalURLFetchingError):  # type: ignore[misc]
    """A URL the fetcher will not serve; stops the rendering (WeasyPrint lets it through)."""

    def __init__(self, url: str, code: str, reason: str) -> None:
        super().__init__(f"{reason}: {url}")
        self.url = url
        self.code = code
        self.reason = reason


class SafeFetcher(URLFetcher):  # type: ignore[misc]
    """Serves ``file:`` URLs under ``allowed_dirs`` and ``data:`` URIs; refuses everything else."""

    def __init__(self, allowed_dirs: Sequence[Path]) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols={"file", "data"})
        self.allowed = tuple(Path(d).resolve() for d in allowed_dirs)

    def path_of(self, url: str) -> Path:
        """The local file a ``file:`` URL names, if it is inside an allowed folder."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise RefusedResource(url, "BBT302", "refused resource on another host")
        raw = unquote(parts.path)
        if ".." in Path(raw).parts:
            raise RefusedResource(url, "BBT302", "refused resource with '..' in its path")
        path = Path(raw)
        if not exists(path):
            raise RefusedResource(url, "BBT303", "missing resource")
        try:  # resolves links: one pointing out is refused
            return confine(path, self.allowed, "the budget and template folders")
        except InputRefused:
            raise RefusedResource(
                url, "BBT302", "refused resource outside the budget and template folders"
            ) from None

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedResource(
                url, "BBT302", "refused network resource (only files of the budget and templates)"
            )
        path = self.path_of(url)
        try:  # the confined reader: no pipe, no device, at most the size limit
            data = read_input(path, self.allowed, within="the budget and template folders")
        except InputRefused as exc:
            raise RefusedResource(url, exc.code, f"refused resource ({exc.reason})") from None
        mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})


_MIME = {
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


_CREATED = re.compile(r'<meta name="dcterms.created" content="([^"]+)"')


@contextmanager
def source_date(html: str) -> Iterator[None]:
    """Make ``SOURCE_DATE_EPOCH`` hold the document's date while the PDF is written.

    fontTools stamps every embedded font subset with "now" unless ``SOURCE_DATE_EPOCH`` is
    set; without this, two builds differ in the fonts' ``head`` tables and the PDF /ID.
    An epoch set by the caller wins (the HTML's date was derived from it anyway).
    """
    if os.environ.get("SOURCE_DATE_EPOCH") or not (match := _CREATED.search(html)):
        yield
        return
    stamp = dt.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    os.environ["SOURCE_DATE_EPOCH"] = str(int(stamp.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _stylesheet(allowed_dirs: Sequence[Path]) -> Path | None:
    for folder in allowed_dirs:
        candidate = Path(folder) / PDF_STYLESHEET
        if exists(candidate):
            return candidate
    return None


def _read_stylesheet(sheet: Path, allowed_dirs: Sequence[Path]) -> str:
    """The PDF stylesheet's text, through the confined reader (a link out is refused)."""
    try:
        data = read_input(sheet, allowed_dirs, within="the budget and template folders")
        return data.decode("utf-8")
    except InputRefused as exc:
        finding = Finding(exc.code, Severity.ERROR, Location(shown(sheet)), exc.reason)
    except UnicodeDecodeError:
        message = "stylesheet is not UTF-8; save it as UTF-8"
        finding = Finding("BBT301", Severity.ERROR, Location(shown(sheet)), message)
    raise RenderError([finding])


def render_pdf(
    html: str, *, allowed_dirs: list[Path], findings: list[Finding] | None = None
) -> bytes:
    """Lay out ``html`` as an A4 PDF; relative URLs resolve against the first allowed folder.

    The PDF is made PDF/UA-1 where WeasyPrint falls short (:func:`bbt.render.pdfua.conform`)
    and claims it only when the audit passes. When it does not, the PDF is still returned,
    without the claim, and one ``BBT304`` warning per failed check is appended to
    ``findings`` (if given): the caller decides whether a warning fails the build.
    """
    fetcher = SafeFetcher(allowed_dirs)
    base = Path(allowed_dirs[0]).resolve() if allowed_dirs else Path.cwd()
    try:
        with gc_paused(), source_date(html):
            fonts = FontConfiguration()
            stylesheets = []
            sheet = _stylesheet(allowed_dirs)
            if sheet is not None:
                stylesheets.append(
                    CSS(
                        string=_read_stylesheet(sheet, allowed_dirs),
                        base_url=sheet.resolve().parent.as_uri() + "/",
                        url_fetcher=fetcher,
                        font_config=fonts,
                    )
                )
            document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
            data: bytes = document.write_pdf(
                stylesheets=stylesheets,
                font_config=fonts,
                pdf_variant=PDF_VARIANT,
                pdf_identifier=True,
                uncompressed_pdf=False,
            )
    except RefusedResource as exc:
        raise RenderError(
            [Finding(exc.code, Severity.ERROR, Location(relpath(base)), f"{exc.reason}: {exc.url}")]
        ) from None
    except FatalURLFetchingError as exc:
        cause = exc.__cause__
        if isinstance(cause, RefusedResource):
            raise RenderError(
                [
                    Finding(
                        cause.code,
                        Severity.ERROR,
                        Location(relpath(base)),
                        f"{cause.reason}: {cause.url}",
                    )
                ]
            ) from None
        raise RenderError(
            [Finding("BBT303", Severity.ERROR, Location(relpath(base)), str(exc))]
        ) from None
    data, problems = conform(data)
    if findings is not None:
        findings += [
            Finding(
                "BBT304", Severity.WARNING, Location(relpath(base)), f"PDF/UA-1 not claimed: {line}"
            )
            for line in summary(problems)
        ]
    return data


__all__ = ["PDF_VARIANT", "RefusedResource", "SafeFetcher", "render_pdf"]
