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
  serves only the files the page itself refers to (narrative images), read through the
  confined reader: never a dotfile, YAML, Markdown or template, never outside the folder.
* It answers only to a ``Host`` that is ``localhost``, an IP address or the ``--host`` given,
  so a web page cannot reach it through a name of its own (DNS rebinding); a malformed
  address (a NUL character, invalid UTF-8) is a 400, never an error in the server.
* A watched folder that disappears is a failed build ("does not exist") shown on the page,
  and the document comes back when the folder does; the watcher never stops.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import mimetypes
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from bbt.errors import Finding
from bbt.files import InputRefused, read_input
from bbt.narrative.policy import judge, references
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


NEVER_SERVED = (".yaml", ".yml", ".md", ".j2", ".py")
"""Suffixes of the sources, never served even when the page names them."""


def snapshot(folders: tuple[Path, ...]) -> dict[Path, tuple[int, int]]:
    """Modification time and size of every watched file under ``folders``.

    Never raises: a folder that is gone (or not a folder) is recorded as such, so its
    disappearance and its return are both changes.
    """
    files: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        if not os.path.isdir(folder):
            files[folder] = (-1, -1)
            continue
        for where, _dirs, names in os.walk(folder):  # errors (a vanished subfolder) are skipped
            for name in names:
                path = Path(where) / name
                if path.suffix not in WATCHED:
                    continue
                try:
                    stat = path.stat()
                except OSError:  # removed between listing and stat, or a broken link
                    continue
                files[path] = (stat.st_mtime_ns, stat.st_size)
    return files


def assets(page: str, root: Path) -> frozenset[str]:
    """The files of the budget folder the page refers to (relative paths), and nothing else."""
    found = set()
    for ref in references(page):
        if ref.url and judge(ref, root) is None and not ref.url.startswith(("#", "data:")):
            path = PurePosixPath(unquote(urlsplit(ref.url).path))
            if not any(part.startswith(".") for part in path.parts) and (
                path.suffix.lower() not in NEVER_SERVED
            ):
                found.add(str(path))
    return frozenset(found)


def error_page(findings: list[Finding] | list[str], title: str) -> str:
    """The page shown instead of the document: each finding as ``file:line: …: message [code]``."""
    lines = "\n".join(html.escape(str(f)) for f in findings)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Build failed: {html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem}"
        "pre{background:#fdecea;padding:1rem;white-space:pre-wrap}</style></head>"
        f"<body><main><h1>Build failed</h1><p>{len(findings)} problem(s) in {html.escape(title)}; "
        "the page reloads when they are fixed.</p>\n"
        f'<pre class="findings">{lines}</pre>\n</main></body></html>\n'
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
    seconds: float = 0.0  # float-ok: a duration
    files: frozenset[str] = frozenset()
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def rebuild(self) -> None:
        """Check and render the HTML (no PDF); on errors the page lists the findings."""
        start = time.perf_counter()
        try:
            page, ok = self._render()
            files = assets(page, self.budget) if ok else frozenset()
        except Exception as exc:  # a bug must not stop the watcher: show it on the page
            page, ok = error_page([f"internal error: {exc!r}"], str(self.budget)), False
            files = frozenset()
        with self._lock:
            self.version += 1
            self.ok = ok
            self.files = files
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
            try:
                now = snapshot(self.folders)
                if now != self.seen:
                    self.seen = now
                    self.on_change()
            except Exception:  # the watcher must outlive any one bad moment of the folder
                continue

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
        self.httpd = ThreadingHTTPServer((host, port), _handler(self.document, host))
        self.httpd.daemon_threads = True
        self.watcher = Watcher((Path(budget), Path(templates)), self._changed)
        # a short poll: stop() waits for the loop to notice, 0.5 s by default
        serve = functools.partial(self.httpd.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="bbt-serve-http", daemon=True)

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


def host_allowed(header: str | None, host: str) -> bool:
    """Whether a ``Host`` header names this server: ``localhost``, an IP address or ``host``.

    A page on another site reaches a local server through a DNS name of its own pointing at
    127.0.0.1 (DNS rebinding); such a name is refused. IP addresses cannot be rebound.
    """
    if not header:
        return False
    name = header.strip()
    if name.startswith("["):  # [::1]:8000
        name = name[1 : name.find("]")] if "]" in name else name
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    name = name.lower().rstrip(".")
    if name in ("localhost", host.lower()):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _handler(document: LiveDocument, host: str = "127.0.0.1") -> type[BaseHTTPRequestHandler]:
    root = document.budget

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                self._get()
            except Exception:  # never a traceback in the terminal, never a dropped answer
                self._send(500, b"internal error", "text/plain; charset=utf-8")

        def _get(self) -> None:
            if not host_allowed(self.headers.get("Host"), host):
                self._send(
                    421,
                    b"unknown host; bbt serve answers only to this machine",
                    "text/plain; charset=utf-8",
                )
                return
            path = _path_of(self.path)
            if path is None:
                self._send(400, b"malformed address", "text/plain; charset=utf-8")
            elif path in ("/", "/index.html"):
                _version, page = document.current()
                self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/__version":
                version, _page = document.current()
                self._send(200, str(version).encode(), "text/plain; charset=utf-8")
            else:
                self._file(path)

        def _file(self, path: str) -> None:
            """A file the page refers to (a narrative image), read inside the budget folder."""
            relative = path.lstrip("/")
            if relative not in document.files:
                self._send(404, b"not found", "text/plain; charset=utf-8")
                return
            try:
                data = read_input(root / relative, (root,))
            except InputRefused:
                self._send(404, b"not found", "text/plain; charset=utf-8")
                return
            kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            self._send(200, data, kind)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows rebuilds, not every poll

    return Handler


def _path_of(target: str) -> str | None:
    """The decoded path of a request target, or None when it is malformed."""
    if not target.startswith("/") or "\0" in target:
        return None
    try:
        path = unquote(urlsplit(target).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if "\0" in path or "\\" in path or ".." in PurePosixPath(path).parts:
        return None
    return path


__all__ = ["LiveDocument", "Server", "Watcher", "assets", "error_page", "host_allowed", "snapshot"]
