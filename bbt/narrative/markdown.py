"""Markdown to HTML for the document: CommonMark without raw HTML, with footnotes and tables."""

from __future__ import annotations

from functools import cache, lru_cache

import markdown_it
import mdit_py_plugins
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin

from bbt.load.cache import Cache, fingerprint, key

# No raw HTML: narrative cannot inject markup.
_MD = MarkdownIt("commonmark", {"html": False}).use(footnote_plugin).enable("table")
_RENDERER: RendererHTML = _MD.renderer  # type: ignore[assignment]


def _footnote_bodies(tokens: list[Token]) -> tuple[list[Token], dict[int, str]]:
    """Split the footnote block off; return the remaining tokens and each footnote's inline HTML."""
    bodies: dict[int, str] = {}
    kept: list[Token] = []
    current: int | None = None
    inside = False
    parts: list[str] = []
    for token in tokens:
        if token.type == "footnote_block_open":
            inside = True
            continue
        if token.type == "footnote_block_close":
            inside = False
            continue
        if not inside:
            kept.append(token)
            continue
        if token.type == "footnote_open":
            current, parts = int(token.meta["id"]), []
        elif token.type == "footnote_close" and current is not None:
            bodies[current] = " ".join(parts)
            current = None
        elif token.type == "inline" and current is not None:
            children = [c for c in (token.children or []) if c.type != "footnote_anchor"]
            parts.append(_RENDERER.renderInline(children, _MD.options, {}).strip())
    return kept, bodies


_HTML = Cache("markdown")
"""HTML of Markdown texts, by their source (bbt.load.cache)."""


@cache
def _fingerprint() -> str:
    versions = (
        f"markdown-it-py {markdown_it.__version__} mdit-py-plugins {mdit_py_plugins.__version__}"
    )
    return fingerprint(__file__, versions=versions)


@lru_cache(maxsize=512)
def markdown(source: str) -> Markup:
    """Markdown to HTML. A footnote becomes ``<span class="footnote">`` at its reference.

    The span carries the note's text so the PDF can float it to the page bottom
    (``float: footnote``) and the HTML can show it as a numbered note. The HTML depends on
    the source alone: it is kept in this process and in the cache between runs.
    """
    html = _HTML.remember(
        key(_fingerprint(), source), lambda: _render(source), str.encode, bytes.decode
    )
    return Markup(html)


def _render(source: str) -> str:
    env: dict[str, object] = {}
    tokens = _MD.parse(source, env)
    tokens, bodies = _footnote_bodies(tokens)
    for i, token in enumerate(tokens[:-1]):
        if token.type == "heading_open":
            # The PDF bookmark of a heading in the text: its words, without footnote calls.
            words = "".join(
                c.content for c in tokens[i + 1].children or [] if c.type in ("text", "code_inline")
            )
            token.attrSet("data-bookmark", words.strip())
    for token in tokens:
        for child in token.children or []:
            if child.type == "footnote_ref":
                ident = int(child.meta["id"])
                child.type = "html_inline"
                child.content = f'<span class="footnote">{bodies.get(ident, "")}</span>'
    html: str = _MD.renderer.render(tokens, _MD.options, env)
    return html


def render_inline(text: str) -> Markup:
    """Inline Markdown (a footnote on a heading, a table cell) to HTML without a paragraph."""
    return Markup(_MD.renderInline(text))
