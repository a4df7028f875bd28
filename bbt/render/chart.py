"""One chart, ready for the template: what bbt.render.charts draws and
bbt.render.kept_charts keeps between runs."""

from __future__ import annotations

import msgspec
from markupsafe import Markup


class Chart(msgspec.Struct, frozen=True):
    """One chart, ready for the template.

    Attributes:
        id: unique in the document (``chart-activering-benutting``); prefixes the SVG's ids.
        title: the figure caption (Dutch, plain text).
        alt: the chart's numbers in plain Dutch text (also the SVG's ``<title>``).
        svg: the inline ``<svg>`` element.
        columns / rows: the chart's data as a table of formatted Dutch strings.
    """

    id: str
    title: str
    alt: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def as_ctx(self) -> dict[str, object]:
        """Plain data for the templates (``desc`` is the former name of ``alt``)."""
        return {
            "id": self.id,
            "title": self.title,
            "alt": self.alt,
            "desc": self.alt,
            "svg": self.svg,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


__all__ = ["Chart"]
