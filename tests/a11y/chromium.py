"""Headless Chromium driven over its DevTools pipe: run axe-core on a page, take a screenshot.

Chromium is started with ``--remote-debugging-pipe``: it reads DevTools commands (JSON, each
ended by a NUL byte) on file descriptor 3 and answers on descriptor 4. No browser library, no
network port, no Node at run time: Node is only needed to install axe-core (``setup.sh``).
Every wait is bounded; a browser that does not answer is killed.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
"""The axe rules run: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices."""

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-pipe",
)


def browser() -> str | None:
    """The Chromium binary: ``$CHROMIUM``, else Debian's ``chromium`` on the PATH."""
    return (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


def _high(fd: int) -> int:
    """``fd`` moved to a descriptor number of at least 10 (closed on exec unless passed)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chromium:
    """One headless browser with one tab; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 60) -> None:  # float-ok: seconds
        self.timeout = timeout
        self.profile = tempfile.TemporaryDirectory(prefix="bbt-chromium-")
        # The browser reads on descriptor 3 and writes on 4: bash puts the pipe's ends there
        # (dash takes only one-digit descriptors; preexec_fn is unsafe with threads).
        to_child, self._write = (_high(fd) for fd in os.pipe())
        self._read, from_child = (_high(fd) for fd in os.pipe())
        self.proc = subprocess.Popen(
            [
                shutil.which("bash") or "/bin/bash",
                "-c",
                f'exec "$@" 3<&{to_child} 4>&{from_child}',
                "bash",
                binary,
                *FLAGS,
                f"--user-data-dir={self.profile.name}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_child, from_child),
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._id = 0
        self.session = ""
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        try:
            targets = self.call("Target.getTargets")["targetInfos"]
            page = next(t for t in targets if t["type"] == "page")
            attached = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)
            self.session = attached["sessionId"]
            self.call("Page.enable")
        except BaseException:
            self.__exit__()  # a browser that does not start leaves no process or pipe behind
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close", session=False)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._write)
        os.close(self._read)
        self.profile.cleanup()

    # -- the DevTools protocol ---------------------------------------------------------------

    def call(self, method: str, session: bool = True, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are kept in order)."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._next()
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def _next(self) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError(f"Chromium did not answer within {self.timeout} s")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def wait_for(self, event: str) -> None:
        for i, message in enumerate(self.events):
            if message.get("method") == event:
                del self.events[: i + 1]
                return
        while (message := self._next()).get("method") != event:
            pass

    # -- what the tests use ------------------------------------------------------------------

    def open(self, url: str, width: int = 1280, height: int = 900, mobile: bool = False) -> None:
        """Load ``url`` in a window of ``width`` x ``height`` CSS px (a phone when ``mobile``)."""
        self.events = []
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=2 if mobile else 1,
            mobile=mobile,
        )
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises are awaited)."""
        answer = self.call(
            "Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"JavaScript error: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's violations on the loaded page, rules of :data:`TAGS`."""
        self.evaluate(AXE.read_text("utf-8"))
        options = {"runOnly": {"type": "tag", "values": list(TAGS)}, "resultTypes": ["violations"]}
        found = self.evaluate(
            f"axe.run(document, {json.dumps(options)}).then(r => r.violations.map(v => ("
            "{id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))})))"
        )
        return list(found)

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        shot = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
        path.write_bytes(base64.b64decode(shot["data"]))


def axe_version() -> str:
    return str(json.loads((AXE.parent / "package.json").read_text("utf-8"))["version"])
