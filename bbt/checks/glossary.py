"""BBT120: abbreviations the document uses must be in the glossary (chapter VI)."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.checks import text_rule
from bbt.errors import Finding, Severity
from bbt.glossary import missing_terms
from bbt.outline import Outline


@text_rule
def check_glossary(outline: Outline) -> Iterator[Finding]:
    """BBT120: a capitalised abbreviation used in the text is missing from glossary.yaml."""
    if not outline.calculation.document.glossary:
        return
    for term, loc in sorted(missing_terms(outline).items(), key=lambda t: (t[1].file, t[1].line)):
        yield Finding(
            "BBT120",
            Severity.WARNING,
            loc,
            f"abbreviation {term} is used but not in glossary.yaml; add it so the list of abbreviations explains it",
        )
