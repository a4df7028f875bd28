"""BBT002 for the outline: a document's own chapter titles name chapters that exist."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.checks import text_rule
from bbt.errors import Finding, Severity, did_you_mean
from bbt.outline import Outline, default_definition


@text_rule
def check_outline_titles(outline: Outline) -> Iterator[Finding]:
    """BBT002: ``outline:`` in bbt.yaml names a chapter key the outline does not have."""
    keys = [chapter["key"] for chapter in default_definition()["chapters"]]
    for key, title in outline.calculation.document.outline.items():
        if key in keys:
            continue
        hint = did_you_mean(key, keys, f"; chapters: {', '.join(keys)}")
        yield Finding(
            "BBT002", Severity.ERROR, title.loc, f"outline: unknown chapter {key!r}{hint}"
        )
