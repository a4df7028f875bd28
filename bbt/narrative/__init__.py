"""Narrative: Markdown with Jinja expressions bound to the data, rendered in a sandbox.

The layer that both the checks and the renderer stand on: :func:`expand` evaluates a text's
expressions (errors become findings at the text's ``file:line``), :func:`markdown` turns the
result into HTML, and :mod:`bbt.narrative.context` says which names a text may use.
"""

from __future__ import annotations

from markupsafe import Markup

from bbt.errors import Location
from bbt.model import Narrative
from bbt.narrative.context import article_ctx, figures_ctx, global_ctx, ise_ctx
from bbt.narrative.markdown import markdown, render_inline
from bbt.narrative.sandbox import NarrativeError, expand, finalize, make_environment


def render(narrative: Narrative, context: dict[str, object]) -> Markup:
    """Expand expressions, then Markdown: the HTML of one narrative (empty when there is none)."""
    if not narrative:
        return Markup("")
    return markdown(expand(narrative, context))


def render_value(text: str, context: dict[str, object], loc: Location) -> Markup:
    """A short value that may be an expression (an indicator's latest measurement), as HTML."""
    if "{" not in text:
        return Markup.escape(text)
    # The sandbox autoescapes: what expand() returns is already safe HTML.
    return Markup(expand(Narrative(text, loc), context))


__all__ = [
    "NarrativeError",
    "article_ctx",
    "expand",
    "figures_ctx",
    "finalize",
    "global_ctx",
    "ise_ctx",
    "make_environment",
    "markdown",
    "render",
    "render_inline",
    "render_value",
]
