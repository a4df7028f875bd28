"""The HTML reader behind :func:`bbt.narrative.policy.references` (html.parser).

Apart from the policy so that a run that finds every text's references in the cache (a second
``bbt check``) never imports html.parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

from bbt.narrative.reference import SCRIPT_URL, Reference

_LOADED = {
    "src": None,  # on any element: img, script, iframe, audio, video, source, track, input ...
    "srcset": None,
    "poster": None,
    "background": None,
    "data": ("object",),
    "ping": None,
    "href": ("link", "base", "image", "feimage", "use"),
    "xlink:href": None,
    "action": ("form",),
    "formaction": None,
}
"""Attributes whose URL a reader's browser loads (None: on every element)."""

_EMBEDDED = {"iframe", "frame", "frameset", "object", "embed", "applet", "portal"}

_CSS_URL = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""", re.I
)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\";]+)", re.I)


class Collector(HTMLParser):
    """Collects the references of an HTML text as html.parser reads it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Reference] = []
        self.in_style = False

    def add(self, url: str, element: str, attribute: str) -> None:
        self.found.append(Reference(url.strip(), element, attribute, self.getpos()[0]))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _EMBEDDED or tag == "script":
            self.add("", tag, "")
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            where = _LOADED.get(name, ())
            if name.startswith("on"):
                self.add("", tag, name)
            elif name == "srcset":
                for candidate in value.split(","):
                    self.add(candidate.strip().split(" ")[0], tag, name)
            elif name == "style":
                for url in _css_urls(value):
                    self.add(url, tag, name)
            elif where is None or tag in where or SCRIPT_URL.match(value):
                self.add(value, tag, name)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            match = _REFRESH_URL.search(values.get("content", ""))
            self.add(match.group(1) if match else "", tag, "http-equiv")
        self.in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.in_style = False

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            for url in _css_urls(data):
                self.add(url, "style", "(text)")


def _css_urls(css: str) -> Iterator[str]:
    for match in _CSS_URL.finditer(css):
        yield next(group for group in match.groups() if group is not None)
