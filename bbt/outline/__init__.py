"""The outline of the document: one tree, built once, read by everything.

:func:`build_outline` turns a calculation into chapters, sections and parts, numbered and
ordered from one outline definition held as data (``execution.yaml``; a document may override
its titles). The renderer draws it, the checks read its texts with their contexts, the
glossary counts its words, the live preview explains its figures.
"""

from __future__ import annotations

from bbt.calculation import Calculation
from bbt.outline.build import build_outline, default_definition
from bbt.outline.tree import Heading, Outline, Part, Text


def outline_of(calculation: Calculation) -> Outline:
    """The outline of a calculation, with the names installed extensions add to narratives."""
    from bbt.extension import hooks

    providers = [provide for _extension, provide in hooks("narrative_context")]
    return build_outline(calculation, providers)


__all__ = [
    "Heading",
    "Outline",
    "Part",
    "Text",
    "build_outline",
    "default_definition",
    "outline_of",
]
