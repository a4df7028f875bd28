"""BBT002 for the outline: a document's own chapter titles name chapters that exist."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.checks import text_rule
from bbt.errors import Finding, Severity
from bbt.outline import Outline, default_definition


@text_rule
def check_outline_titles(outline: Outline) -> Iterator[Finding]:
    """BBT002: ``outline:`` in bbt.yaml names a chapter key the outline does not have."""
    keys = [chapter["key"] for chapter in default_definition()["chapters"]]
    for key, title in outline.calculation.document.outline.items():
        if key in keys:
            continue
        import difflib  # only for a mistake: a suggestion

        close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f"; chapters: {', '.join(keys)}"
        yield Finding(
            "BBT002", Severity.ERROR, title.loc, f"outline: unknown chapter {key!r}{hint}"
        )
