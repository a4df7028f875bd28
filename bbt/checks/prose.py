"""Numbers in the prose: every narrative renders, and its literal figures agree with the data."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.calc import Calculation
from bbt.checks import rule
from bbt.errors import Finding
from bbt.render.narrative import NarrativeError, expand, pieces


@rule
def check_narrative_renders(calc: Calculation) -> Iterator[Finding]:
    """BBT201-203: every expression in a narrative is valid, known and safe."""
    for piece in pieces(calc):
        if not piece.narrative:
            continue
        try:
            expand(piece.narrative, piece.context)
        except NarrativeError as exc:
            yield exc.finding
