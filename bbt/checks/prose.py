"""Numbers in the prose: every narrative renders, and its literal figures agree with the data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from bbt.calc import Calculation
from bbt.checks import rule
from bbt.checks.numbers import (
    DataFigure,
    Stated,
    describe,
    digit_distance,
    flatten,
    rank,
    stated_numbers,
    utilisations,
)
from bbt.errors import Finding, Severity
from bbt.render.filters import bedrag, procent
from bbt.render.narrative import NarrativeError, expand, global_ctx, pieces, render_value

DRAFT_MARKER = re.compile(r"\{#\s*draft\b(?P<note>.*?)#\}", re.S)
"""A narrative carried over from last year (``bbt new``) starts with ``{# draft: ... #}``."""


@rule
def check_drafts(calc: Calculation) -> Iterator[Finding]:
    """BBT130: a narrative still marked as last year's draft."""
    for piece in pieces(calc):
        match = DRAFT_MARKER.search(piece.narrative.source)
        if match:
            line = piece.narrative.source[: match.start()].count("\n")
            note = match.group("note").strip(" :-")
            yield Finding(
                "BBT130",
                Severity.WARNING,
                piece.narrative.loc.at_line(line),
                f"narrative is a draft carried over from last year{f' ({note})' if note else ''}; "
                "rewrite it for this year and remove the {# draft #} marker",
            )


_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


@rule
def check_images(calc: Calculation) -> Iterator[Finding]:
    """BBT204: images in narrative are files inside the budget folder, never URLs or other paths."""
    root = calc.document.root.resolve()
    for piece in pieces(calc):
        for number, line in enumerate(piece.narrative.source.splitlines()):
            for match in _IMAGE.finditer(line):
                target = match.group(1)
                loc = piece.narrative.loc.at_line(number)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                    yield Finding(
                        "BBT204",
                        Severity.ERROR,
                        loc,
                        f"image {target!r} is a URL; bbt never fetches from the network or outside the budget folder: put the file in the budget folder and refer to it by its relative path",
                    )
                    continue
                path = (root / target).resolve()
                if target.startswith("/") or not path.is_relative_to(root):
                    yield Finding(
                        "BBT204",
                        Severity.ERROR,
                        loc,
                        f"image {target!r} lies outside the budget folder; refer to a file inside it",
                    )
                elif not path.is_file():
                    yield Finding(
                        "BBT204",
                        Severity.ERROR,
                        loc,
                        f"image {target!r} does not exist in the budget folder",
                    )


@rule
def check_narrative_renders(calc: Calculation) -> Iterator[Finding]:
    """BBT201-203: every expression in a narrative is valid, known and safe.

    In a draft (BBT130) a broken expression is a warning: last year's text may cite a movement
    that does not exist yet.
    """
    for piece in pieces(calc):
        if not piece.narrative:
            continue
        try:
            expand(piece.narrative, piece.context)
        except NarrativeError as exc:
            finding = exc.finding
            if DRAFT_MARKER.search(piece.narrative.source) and finding.code == "BBT202":
                finding = Finding(
                    finding.code, Severity.WARNING, finding.location, "draft: " + finding.message
                )
            yield finding
    context = global_ctx(calc)
    for indicator in calc.document.indicators:
        for value in indicator.values:
            try:
                render_value(value, context, indicator.loc)
            except NarrativeError as exc:
                yield exc.finding


def _section_name(key: str) -> str:
    kind, _, rest = key.partition(":")
    if kind == "article":
        return f"article {rest.split(':')[0]}"
    if kind == "ise":
        return f"ISE {rest.split(':')[0]}"
    return "the programme"


@rule
def check_stated_numbers(calc: Calculation) -> Iterator[Finding]:
    """BBT210: a stated amount matches no figure of its section; BBT211: a utilisation disagrees."""
    for piece in pieces(calc):
        if not piece.narrative:
            continue
        figures = list(flatten(piece.local))
        values = {abs(f.value) for f in figures}
        rates = list(utilisations(piece.local))
        section = _section_name(piece.key)
        for stated in stated_numbers(piece.narrative.source):
            loc = piece.narrative.loc.at_line(stated.line - 1)
            if stated.kind == "amount":
                if abs(stated.value) in values:
                    continue
                yield Finding(
                    "BBT210",
                    Severity.ERROR,
                    loc,
                    _amount_message(stated, figures, piece.local, section),
                )
            elif stated.utilisation and rates:
                places = len(stated.text.split(",")[1]) if "," in stated.text else 0
                if any(r.rounded(places) == stated.value for _, r in rates):
                    continue
                best = min(rates, key=lambda r: abs((r[1].value or Decimal(0)) - stated.value))
                yield Finding(
                    "BBT211",
                    Severity.ERROR,
                    loc,
                    f"{stated.text}% is no utilisation of {section}; {describe(best[0].replace('.benutting', ''))} "
                    f"utilisation is {procent(best[1])} ({bedrag(best[1].numerator)} of {bedrag(best[1].denominator)})",
                )


def _amount_message(
    stated: Stated, figures: list[DataFigure], local: dict[str, object], section: str
) -> str:
    close = [f for f in figures if digit_distance(stated.text, bedrag(abs(f.value))) <= 2]
    if not close:
        return (
            f"{stated.text} keuro matches no figure of {section} (credits, movements, accruals, figures); "
            "cite the data with an expression, or add the amount under figures"
        )
    best = rank(
        sorted(close, key=lambda f: digit_distance(stated.text, bedrag(abs(f.value)))), stated
    )
    best.sort(key=lambda f: digit_distance(stated.text, bedrag(abs(f.value))))
    fig = best[0]
    extra = ""
    if fig.path.endswith(".bu"):
        base = fig.path[: -len(".bu")]
        rate = dict(utilisations(local)).get(base + ".benutting")
        if rate is not None and rate.value is not None:
            extra = f" ({procent(rate)} of {bedrag(rate.denominator)})"
    return f"{stated.text} matches no figure of {section}; {describe(fig.path)} is {bedrag(fig.value)}{extra}"
