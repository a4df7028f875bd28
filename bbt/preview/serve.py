"""``bbt serve``: the document in the browser, rebuilt and reloaded while you write.

* The page is the HTML of :func:`bbt.render.html.render_html` with ``provenance=True``: every
  figure in a table or in the prose shows on hover where it comes from (file and line, or
  the formula). A small script polls ``/__version`` and reloads the page (keeping the scroll
  position) when a rebuild finished.
* A watcher thread polls the modification times of the budget folder and the templates
  (no extra dependency) and rebuilds the HTML only, when a file changed.
* A failed build replaces the page with its findings (``file:line: error: message [code]``),
  never a stale document; the next good build brings the document back.
* Loopback by default (``127.0.0.1``): it serves a draft, not a website. Besides the page it
  serves only files inside the budget folder (narrative images), never outside it.
"""

from __future__ import annotations

import html
import mimetypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bbt.errors import Finding
from bbt.pipeline import DEFAULT_TEMPLATES, check, render

POLL_SECONDS = 0.3
"""How often the watcher looks at the files, and the page at ``/__version``."""

WATCHED = (".yaml", ".yml", ".md", ".j2", ".html", ".css")

_RELOAD = """<script>
(function () {
  var version = "%(version)s";
  var key = "bbt-serve-scroll";
  var saved = sessionStorage.getItem(key);
  if (saved !== null) { sessionStorage.removeItem(key); window.scrollTo(0, parseInt(saved, 10)); }
  setInterval(function () {
    fetch("/__version", {cache: "no-store"}).then(function (r) { return r.text(); })
      .then(function (v) {
        if (v !== version) { sessionStorage.setItem(key, String(window.scrollY)); location.reload(); }
      }).catch(function () {});
  }, %(interval)d);
})();
</script>
"""

_STYLE = """<style>
.src { text-decoration: underline dotted #888; text-underline-offset: 2px; cursor: help; }
.src:hover { background: #fff3b0; }
</style>
"""


def snapshot(folders: tuple[Path, ...]) -> dict[Path, tuple[int, int]]:
    """Modification time and size of every watched file under ``folders``."""
    files: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.suffix in WATCHED and path.is_file():
                try:
                    stat = path.stat()
                except OSError:  # removed between listing and stat
                    continue
                files[path] = (stat.st_mtime_ns, stat.st_size)
    return files


def error_page(findings: list[Finding] | list[str], title: str) -> str:
    """The page shown instead of the document: each finding as ``file:line: …: message [code]``."""
    lines = "\n".join(html.escape(str(f)) for f in findings)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Build failed: {html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}"
        "pre{background:#fdecea;padding:1rem;white-space:pre-wrap}</style></head>"
        f"<body><h1>Build failed</h1><p>{len(findings)} problem(s) in {html.escape(title)}; "
        "the page reloads when they are fixed.</p>\n"
        f'<pre class="findings">{lines}</pre>\n</body></html>\n'
    )


@dataclass
class LiveDocument:
    """The current page of one budget: rebuilt on demand, versioned for the reloader.

    Attributes:
        budget / templates: what is rendered.
        version: increases with every rebuild.
        page: the HTML served at ``/`` (the document, or the error page).
        ok: whether the last build succeeded.
    """

    budget: Path
    templates: Path = DEFAULT_TEMPLATES
    version: int = 0
    page: str = ""
    ok: bool = False
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rebuild(self) -> None:
        """Check and render the HTML (no PDF); on errors the page lists the findings."""
        start = time.perf_counter()
        try:
            page, ok = self._render()
        except Exception as exc:  # a bug must not stop the watcher: show it on the page
            page, ok = error_page([f"internal error: {exc!r}"], str(self.budget)), False
        with self._lock:
            self.version += 1
            self.ok = ok
            self.seconds = time.perf_counter() - start
            self.page = _inject(page, self.version)

    def _render(self) -> tuple[str, bool]:
        from bbt.preview.provenance import Sources

        result = check(self.budget)
        sources = Sources(result.calculation) if result.calculation is not None else None
        drafts = any(f.code == "BBT130" for f in result.findings)
        outputs = render(result, ("html",), self.templates, source=sources, draft=drafts)
        if not outputs:
            return error_page(result.errors or result.findings, str(self.budget)), False
        return outputs["html"].decode("utf-8"), True

    def current(self) -> tuple[int, str]:
        with self._lock:
            return self.version, self.page


def _inject(page: str, version: int) -> str:
    script = _RELOAD % {"version": version, "interval": int(POLL_SECONDS * 1000)}
    page = page.replace("</head>", _STYLE + "</head>", 1)
    if "</body>" in page:
        return page.replace("</body>", script + "</body>", 1)
    return page + script


class Watcher(threading.Thread):
    """Polls the watched folders; calls ``on_change`` once per batch of changes."""

    def __init__(self, folders: tuple[Path, ...], on_change: Callable[[], None]) -> None:
        super().__init__(name="bbt-serve-watcher", daemon=True)
        self.folders = folders
        self.on_change = on_change
        self.stopped = threading.Event()
        self.seen = snapshot(folders)

    def run(self) -> None:
        while not self.stopped.wait(POLL_SECONDS):
            now = snapshot(self.folders)
            if now != self.seen:
                self.seen = now
                self.on_change()

    def stop(self) -> None:
        self.stopped.set()


class Server:
    """The HTTP server, the watcher and the live document, started and stopped together."""

    def __init__(
        self,
        budget: Path,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        templates: Path = DEFAULT_TEMPLATES,
        log: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        self.document = LiveDocument(Path(budget), Path(templates))
        self.log = log
        self.document.rebuild()
        self.httpd = ThreadingHTTPServer((host, port), _handler(self.document))
        self.httpd.daemon_threads = True
        self.watcher = Watcher((Path(budget), Path(templates)), self._changed)
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="bbt-serve-http", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def _changed(self) -> None:
        self.document.rebuild()
        state = "ok" if self.document.ok else "failed"
        self.log(f"rebuilt ({state}, {self.document.seconds:.1f} s)")

    def start(self) -> Server:
        self._thread.start()
        self.watcher.start()
        return self

    def stop(self) -> None:
        self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.watcher.join(timeout=5)
        self._thread.join(timeout=5)


def _handler(document: LiveDocument) -> type[BaseHTTPRequestHandler]:
    root = document.budget.resolve()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path in ("/", "/index.html"):
                _version, page = document.current()
                self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/__version":
                version, _page = document.current()
                self._send(200, str(version).encode(), "text/plain; charset=utf-8")
            else:
                self._file(path)

        def _file(self, path: str) -> None:
            """A file of the budget folder (an image the narrative shows), nothing else."""
            target = (root / path.lstrip("/")).resolve()
            if ".." in Path(path).parts or not target.is_relative_to(root) or not target.is_file():
                self._send(404, b"not found", "text/plain; charset=utf-8")
                return
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            self._send(200, target.read_bytes(), kind)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows rebuilds, not every poll

    return Handler


__all__ = ["LiveDocument", "Server", "Watcher", "error_page", "snapshot"]
