"""Transitional alias of :mod:`bbt.narrative` while branches that import it are merged."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.calculation import Calculation
from bbt.narrative import NarrativeError, expand, markdown, render, render_inline, render_value
from bbt.outline import Text, outline_of


def global_ctx(calculation: Calculation) -> dict[str, object]:
    return outline_of(calculation).context


def pieces(calculation: Calculation) -> Iterator[Text]:
    return outline_of(calculation).texts()


__all__ = [
    "NarrativeError",
    "expand",
    "global_ctx",
    "markdown",
    "pieces",
    "render",
    "render_inline",
    "render_value",
]
