"""What a rendered HTML may refer to: its own anchors and files inside the budget folder.

A document is read in browsers and printed to PDF; anything it makes them load (an image from
the web, a stylesheet on another host, a file of the build machine) leaks the reader or the
machine, or changes what is published. :func:`references` lists every such reference of an
HTML text: ``src``, ``srcset``, ``poster``, ``background``, ``data``, the ``href`` of
``<link>``, ``<base>`` and SVG images, ``url(...)`` and ``@import`` in style attributes and
``<style>``, ``<meta http-equiv="refresh">``, and refuses embedded content (``<iframe>``,
``<object>``, ``<embed>`` ...), scripts and event handlers outright. A link (``<a href>``) is
not loaded and may point anywhere but at ``javascript:``. :func:`judge` says what is wrong
with one reference; :func:`narrative_findings` turns a narrative's problems into ``BBT204``
findings at the line of the text that made them (the renderer applies the same rules to the
whole document in :mod:`bbt.render.policy`).
"""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple
from urllib.parse import unquote, urlsplit

from bbt.errors import Finding, Severity
from bbt.files import InputRefused, confine, exists
from bbt.load.cache import Cache, fingerprint, key
from bbt.model import Narrative
from bbt.narrative.reference import SCRIPT_URL, Reference

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_SAFE_DATA = re.compile(r"^data:(image/(png|jpeg|gif|webp)|font/[a-z0-9]+)[;,]", re.I)
_IMAGE_SOURCE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


def references(html: str) -> list[Reference]:
    """Every reference of ``html`` that a browser would load, and every refused element."""
    return list(_references(html))


@lru_cache(maxsize=128)
def _references(html: str) -> tuple[Reference, ...]:
    # Kept by the HTML, in this process and in the cache between runs (bbt.load.cache): the
    # checks and the renderer read the same texts, the renderer and the live preview the same
    # document, and an unchanged text is not parsed again (html.parser is pure Python).
    return _FOUND.remember(
        key(_fingerprint(), html),
        lambda: _in_pieces(html),
        lambda found: json.dumps(found).encode("utf-8"),  # a Reference is a tuple: a row
        lambda data: _refs(json.loads(data)),
    )


def _refs(rows: list[list[Any]]) -> tuple[Reference, ...]:
    return tuple(Reference(*row) for row in rows)


_PIECE = re.compile(r"(?<=\n)(?=[ \t]*<(?:section|h[1-6])\b)")
"""Where a document may be cut into pieces: before a line that opens a section or heading."""

_MAX_PIECES = 1_000
"""More pieces than this (the example has 76, ten times the example about 700) are not kept
one by one: a document of countless headings would fill the cache folder with entries."""


def _in_pieces(html: str) -> tuple[Reference, ...]:
    """The references of ``html``, parsed piece by piece, each piece kept by its text.

    After an edit of one narrative, the rendered document differs in one piece: only that piece
    is parsed again (the whole example takes html.parser about 20 ms). A piece counts only when
    the parser ends it in its first state (no tag, comment or character reference left open,
    not inside ``<style>`` or ``<script>``); otherwise the rest of the text, from that piece on,
    is read in one go (so an element a template never closes costs one more reading, not one
    per piece). Every piece is read as the whole text would read it, and lines are counted
    from the text's start.
    """
    pieces = _PIECE.split(html)
    if not 1 < len(pieces) <= _MAX_PIECES:
        return _parsed(html, final=True)[0]
    found: list[Reference] = []
    start = 1
    for n, piece in enumerate(pieces):
        refs, clean = _piece(piece, final=n == len(pieces) - 1)
        if not clean:
            refs, _clean = _piece("".join(pieces[n:]), final=True)
        found += [ref._replace(line=ref.line + start - 1) for ref in refs]
        if not clean:
            break
        start += piece.count("\n")
    return tuple(found)


def _piece(text: str, final: bool) -> tuple[tuple[Reference, ...], bool]:
    def encode(parsed: tuple[tuple[Reference, ...], bool]) -> bytes:
        return json.dumps([parsed[1], parsed[0]]).encode("utf-8")

    def decode(data: bytes) -> tuple[tuple[Reference, ...], bool]:
        clean, rows = json.loads(data)
        return _refs(rows), bool(clean)

    name = key(_fingerprint(), "piece", str(final), text)
    return _FOUND.remember(name, lambda: _parsed(text, final), encode, decode)


def _parsed(text: str, final: bool) -> tuple[tuple[Reference, ...], bool]:
    """The references of ``text`` and whether the parser ended it in its first state."""
    from bbt.narrative.htmlscan import Collector  # html.parser: only for a text not yet read

    collector = Collector()
    collector.feed(text)
    if final:
        collector.close()
        return tuple(collector.found), True
    # html.parser keeps what it could not finish in ``rawdata``; ``cdata_elem`` is set inside
    # <style> and <script> (attributes since Python 2, not documented: should a Python lack
    # them, no piece counts and every text is read whole).
    unfinished = getattr(collector, "rawdata", None) != ""
    inside = getattr(collector, "cdata_elem", "?") is not None
    clean = not (unfinished or inside)
    return tuple(collector.found), clean


_FOUND = Cache("references")


@cache
def _fingerprint() -> str:
    here = Path(__file__)
    return fingerprint(__file__, *(str(here.with_name(n)) for n in ("htmlscan.py", "reference.py")))


class Verdict(NamedTuple):
    """Why a reference is not allowed.

    Attributes:
        code: ``BBT302`` refused, ``BBT303`` a missing file.
        kind: ``network``, ``outside``, ``missing`` or ``refused`` (scripts, embedded content ...).
        reason: one clause for a message.
    """

    code: str
    kind: str
    reason: str


def judge(ref: Reference, root: Path) -> Verdict | None:
    """What is wrong with a reference; None when it is allowed.

    Allowed: the document's own anchors (``#...``), raster images and fonts as ``data:`` URIs,
    and relative paths to files inside ``root`` (the budget folder; links resolved).
    """
    url = ref.url
    if not url:
        if ref.attribute.startswith("on"):
            return Verdict("BBT302", "refused", f"event handler {ref.attribute} on <{ref.element}>")
        if ref.element == "meta":
            return None
        what = "a script" if ref.element == "script" else "embedded content"
        return Verdict("BBT302", "refused", f"{what} (<{ref.element}>); the document loads nothing")
    if url.startswith("#"):
        return None
    if SCRIPT_URL.match(url):
        return Verdict(
            "BBT302", "refused", "a script address (javascript:); the document runs nothing"
        )
    if ref.element == "base":
        return Verdict("BBT302", "refused", "<base> changes where every address points")
    if _SAFE_DATA.match(url):
        return None
    if url.startswith("//") or _SCHEME.match(url):
        if url.lower().startswith("file:"):
            return Verdict(
                "BBT302", "network", "refused resource outside the budget and template folders"
            )
        return Verdict(
            "BBT302", "network", "refused network resource (only files of the budget and templates)"
        )
    path = unquote(urlsplit(url).path)
    if path.startswith("/") or ".." in PurePosixPath(path).parts:
        return Verdict("BBT302", "outside", "refused resource outside the budget folder")
    target = root / path
    if not exists(target):
        return Verdict("BBT303", "missing", "missing resource (not in the budget folder)")
    try:
        confine(target, (root,))
    except InputRefused as exc:
        return Verdict("BBT302", "outside", f"refused resource: {exc.reason}")
    return None


# -- narrative ------------------------------------------------------------------------------

_NARRATIVE_REASONS = {
    "network": "{what} {url!r} is a URL; bbt never fetches from the network or outside the budget folder: put the file in the budget folder and refer to it by its relative path",
    "outside": "{what} {url!r} lies outside the budget folder; refer to a file inside it",
    "missing": "{what} {url!r} does not exist in the budget folder",
    "refused": "{what} refused: {reason}",
}


def _line_in(url: str, *sources: str) -> int | None:
    """The 0-based line of the first source text that shows ``url`` (or its decoded form)."""
    needles = [n for n in dict.fromkeys((url, unquote(url), url[:40])) if n]
    for source in sources:
        for needle in needles:
            at = source.find(needle)
            if at >= 0:
                return source.count("\n", 0, at)
    return None


def narrative_findings(
    html: str, narrative: Narrative, root: Path, expanded: str | None = None
) -> list[Finding]:
    """BBT204 for every reference of a narrative's HTML that is not a file of the budget folder.

    ``expanded`` is the text after its expressions were evaluated (its lines are the
    narrative's lines): it locates an address built by an expression, and inline images that
    Markdown did not render (``file:`` and ``data:`` addresses) are refused from it too.
    """
    sources = [s for s in (expanded, narrative.source) if s]
    found: dict[tuple[int, str], Finding] = {}
    refs = references(html)
    refs += [Reference(url, "img", "src", 0) for url in _IMAGE_SOURCE.findall(expanded or "")]
    for ref in refs:
        verdict = judge(ref, root)
        if verdict is None:
            continue
        line = _line_in(ref.url, *sources) if ref.url else None
        message = _narrative_message(ref, verdict)
        loc = narrative.loc.at_line(line or 0)
        found.setdefault((loc.line, ref.url), Finding("BBT204", Severity.ERROR, loc, message))
    return list(found.values())


def _narrative_message(ref: Reference, verdict: Verdict) -> str:
    what = "image" if ref.element == "img" else f"<{ref.element} {ref.attribute}>"
    return _NARRATIVE_REASONS[verdict.kind].format(what=what, url=ref.url, reason=verdict.reason)


__all__ = ["Reference", "Verdict", "judge", "narrative_findings", "references"]
