"""Everything a text shows is inside the document: no image from the web or outside the folder.

The rule renders what the document will render, every narrative (after its expressions ran, so
an address built by an expression counts), every footnote on a heading and every annex item, and
applies the resource policy of :mod:`bbt.narrative.policy` to the HTML: ``bbt check`` finds at
``file:line`` every reference that would stop the build (BBT204), reference-style images and
images in footnotes included.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from bbt.checks import text_rule
from bbt.errors import Finding, Location
from bbt.model import Document, Narrative
from bbt.narrative import NarrativeError, markdown, render_inline, render_value
from bbt.narrative.policy import narrative_findings
from bbt.outline import Outline, Text


@text_rule
def check_resources(outline: Outline) -> Iterator[Finding]:
    """BBT204: every image (or other resource) a text shows is a file in the budget folder."""
    document = outline.calculation.document
    root = document.root
    for piece in outline.texts(inline=True):
        if piece.narrative:
            yield from _text_findings(outline, piece, root)
    notes = _footnotes(document)
    annexes = {n.source: n for n in (*document.annexes.rekenhof, *document.annexes.arresten)}
    for part in outline.walk():
        if part.heading is not None and part.heading.note.strip():
            note = Narrative(part.heading.note, notes.get(part.heading.note, document.loc))
            yield from narrative_findings(str(render_inline(note.source)), note, root)
        if part.kind == "annex_item":
            source = str(part.data.get("markdown", ""))
            item = annexes.get(source, Narrative(source, document.loc))
            yield from narrative_findings(str(markdown(source)), item, root, source)


def _text_findings(outline: Outline, piece: Text, root: Path) -> list[Finding]:
    try:
        if piece.inline:
            html = str(render_value(piece.narrative.source, piece.context, piece.narrative.loc))
            expanded = html
        else:
            expanded = outline.expanded(piece)
            html = str(markdown(expanded))
    except NarrativeError:  # reported by check_narrative_renders
        return []
    return narrative_findings(html, piece.narrative, root, expanded)


def _footnotes(document: Document) -> dict[str, Location]:
    """Where each heading footnote is written: the objective that carries it."""
    objectives = [*document.sds, *(od for ise in document.ises for od in ise.ods)]
    return {o.footnote: o.loc for o in objectives if o.footnote}
