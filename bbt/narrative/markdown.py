"""Markdown to HTML for the document: CommonMark without raw HTML, with footnotes and tables."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

from markupsafe import Markup

from bbt.files import module_file
from bbt.load.cache import Cache, fingerprint, key

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.token import Token

_LIBRARIES = ("markdown_it", "mdit_py_plugins")
"""The Markdown parser and its plugins: imported only when a text is not in the cache."""


@cache
def _parser() -> MarkdownIt:
    """CommonMark with footnotes and tables, and no raw HTML: narrative cannot inject markup."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    return MarkdownIt("commonmark", {"html": False}).use(footnote_plugin).enable("table")


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
            md = _parser()
            renderer: RendererHTML = md.renderer  # type: ignore[assignment]
            parts.append(renderer.renderInline(children, md.options, {}).strip())
    return kept, bodies


_HTML = Cache("markdown")
"""HTML of Markdown texts, by their source (bbt.load.cache)."""


@cache
def _fingerprint() -> str:
    """This module and the libraries' own files (found without importing them: a warm run of
    ``bbt check`` never loads the parser), so that another version of either misses."""
    return fingerprint(__file__, *(module_file(name) for name in _LIBRARIES))


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
    md = _parser()
    env: dict[str, object] = {}
    tokens = md.parse(source, env)
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
    html: str = md.renderer.render(tokens, md.options, env)
    return html


@lru_cache(maxsize=512)
def render_inline(text: str) -> Markup:
    """Inline Markdown (a footnote on a heading, a table cell) to HTML without a paragraph."""
    html = _HTML.remember(
        key(_fingerprint(), "inline", text),
        lambda: str(_parser().renderInline(text)),
        str.encode,
        bytes.decode,
    )
    return Markup(html)
