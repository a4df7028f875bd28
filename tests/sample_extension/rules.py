"""The sample extension's rule (registered when the ``rules`` hook imports this module)."""

from __future__ import annotations

from collections.abc import Iterator

from bbt.calculation import Calculation
from bbt.checks import rule
from bbt.errors import Finding, Severity


@rule
def check_every_article_has_an_od(calculation: Calculation) -> Iterator[Finding]:
    if "Uitbreidingstest" not in calculation.document.title:
        return
    for article in calculation.document.articles:
        if article.od is None:
            yield Finding(
                "WSE001",
                Severity.WARNING,
                article.loc,
                f"{article.code} names no OD; link it to the objective it serves",
            )
