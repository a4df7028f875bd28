"""Numbers in the prose: every narrative renders, and its literal figures agree with the data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from msgspec.structs import replace

from bbt.calculation import utilisation
from bbt.checks import text_rule
from bbt.checks.figures import (
    DataFigure,
    agrees,
    counterpart,
    credit_of,
    describe,
    digit_distance,
    fits,
    flatten,
    in_unit,
    matching,
    phase_of,
    rank,
    required_credits,
    utilisations,
)
from bbt.checks.numbers import read_numbers
from bbt.checks.stated import Stated
from bbt.errors import Finding, Severity
from bbt.format import bedrag, procent
from bbt.money import Percent
from bbt.narrative import NarrativeError, render_value
from bbt.outline import Outline, Text

DRAFT_MARKER = re.compile(r"\{#\s*draft\b(?P<note>.*?)#\}", re.S)
"""A narrative carried over from last year (``bbt new``) starts with ``{# draft: ... #}``."""


@text_rule
def check_drafts(outline: Outline) -> Iterator[Finding]:
    """BBT130: a narrative still marked as last year's draft."""
    for piece in outline.texts():
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


@text_rule
def check_narrative_renders(outline: Outline) -> Iterator[Finding]:
    """BBT201-203: every expression in a narrative is valid, known and safe.

    In a draft (BBT130) a broken expression is a warning: last year's text may cite a movement
    that does not exist yet.
    """
    for piece in outline.texts(inline=True):
        if not piece.narrative:
            continue
        try:
            if piece.inline:
                render_value(piece.narrative.source, piece.context, piece.narrative.loc)
            else:
                outline.expanded(piece)
        except NarrativeError as exc:
            finding = exc.finding
            if DRAFT_MARKER.search(piece.narrative.source) and finding.code == "BBT202":
                finding = Finding(
                    finding.code, Severity.WARNING, finding.location, "draft: " + finding.message
                )
            yield finding


def _section_name(key: str) -> str:
    kind, _, rest = key.partition(":")
    if kind == "article":
        return f"article {rest.split(':')[0]}"
    if kind == "ise":
        return f"ISE {rest.split(':')[0]}"
    return "the programme"


MAX_PROSE_FINDINGS = 50
"""Per narrative: past this many, a text is most likely another article's, and the rest of it
is not checked (a finding says so), which also bounds the time spent on it."""


@text_rule
def check_stated_numbers(outline: Outline) -> Iterator[Finding]:
    """BBT210: a stated amount matches no figure of its section; BBT211: a utilisation disagrees.

    How numbers are read and tied to figures: bbt/checks/numbers.py and bbt/checks/figures.py.
    """
    year = outline.calculation.document.year
    for piece in outline.texts():
        if not piece.narrative:
            continue
        found = sorted(_stated_findings(piece, year), key=lambda item: item[0])
        yield from (finding for _, finding in found[:MAX_PROSE_FINDINGS])
        if len(found) > MAX_PROSE_FINDINGS:
            section = _section_name(piece.key)
            yield Finding(
                "BBT210",
                Severity.ERROR,
                found[MAX_PROSE_FINDINGS][1].location,
                f"more than {MAX_PROSE_FINDINGS} numbers in this text disagree with {section}; checking "
                f"stopped here: is this the text of {section}?",
            )


def _stated_findings(piece: Text, year: int) -> list[tuple[int, Finding]]:
    """The prose findings of one narrative, by the index of their number (at most one past the cap)."""
    statements = read_numbers(piece.narrative.source, year)
    if not statements:
        return []  # most texts state no figure: nothing to compare
    figures = list(flatten(piece.local))
    rates = list(utilisations(piece.local))
    section = _section_name(piece.key)
    found: list[tuple[int, Finding]] = []
    # Amounts first: a percentage is checked against the figure its amount matched.
    matched: dict[int, list[DataFigure]] = {}
    for index, stated in enumerate(statements):
        if stated.kind != "amount" or stated.approximate or len(found) > MAX_PROSE_FINDINGS:
            continue
        hits = matching(stated, figures)
        if all(hits.values()):
            matched[index] = [f for fs in hits.values() for f in fs]
            continue
        message = _amount_message(stated, figures, piece.local, section)
        loc = piece.narrative.loc.at_line(stated.line - 1)
        found.append((index, Finding("BBT210", Severity.ERROR, loc, message)))
    for index, stated in enumerate(statements):
        if stated.kind != "percent" or not stated.utilisation or not rates:
            continue
        if len(found) > MAX_PROSE_FINDINGS:
            break
        wrong = _utilisation_message(stated, rates, matched.get(stated.tie), figures, section)
        if wrong:
            loc = piece.narrative.loc.at_line(stated.line - 1)
            found.append((index, Finding("BBT211", Severity.ERROR, loc, wrong)))
    return found


def _utilisation_message(
    stated: Stated,
    rates: list[tuple[str, Percent]],
    tied: list[DataFigure] | None,
    figures: list[DataFigure],
    section: str,
) -> str | None:
    """Why a utilisation claim disagrees with the data, or None when it agrees.

    A claim tied to an amount (``552.289 keuro VAK of 93,9%``) is the share of BA-JR of the
    figure that amount matched (for BU: its utilisation); otherwise any utilisation of its
    credit type in the section.
    """
    candidates = rates
    if tied:
        candidates = _shares(stated, tied, rates, figures)
        if not candidates:
            return None  # the share of something else than the available credit
    places = stated.decimals
    for credit in required_credits(stated):
        pool = [(p, r) for p, r in candidates if not credit or credit_of(p) in (credit, "")]
        if not pool or any(r.rounded(places) == stated.value for _, r in pool):
            continue
        path, rate = min(pool, key=lambda pr: abs((pr[1].value or Decimal(0)) - stated.value))
        which = f"{credit.upper()} " if credit else ""
        if path.endswith(".benutting"):
            return (
                f"{stated.text}% is no {which}utilisation of {section}; {describe(path.replace('.benutting', ''))} "
                f"utilisation is {procent(rate)} ({bedrag(rate.numerator)} of {bedrag(rate.denominator)})"
            )
        return (
            f"{stated.text}% is not the share of the available credit of {section}; {describe(path)} "
            f"{bedrag(rate.numerator)} is {procent(rate)} of BA-JR {bedrag(rate.denominator)}"
        )
    return None


def _shares(
    stated: Stated,
    tied: list[DataFigure],
    rates: list[tuple[str, Percent]],
    figures: list[DataFigure],
) -> list[tuple[str, Percent]]:
    """What the tied amount's figures are of BA-JR: a BU figure's utilisation; for others
    (under-utilisation, accruals, components) their share, when the text says "van het
    beschikbare krediet"."""
    by_path = {f.path: f.value for f in figures}
    by_rate = dict(rates)
    shares = []
    for figure in tied:
        if phase_of(figure.path) == "bu":
            path = figure.path[: -len(".bu")] + ".benutting"
            if path in by_rate:
                shares.append((path, by_rate[path]))
            continue
        if stated.base != "available":
            continue
        for credit in [credit_of(figure.path)] if credit_of(figure.path) else ["vak", "vek"]:
            ba_jr = by_path.get(_owner(figure.path) + f"{credit}.ba_jr")
            if ba_jr:
                shares.append((figure.path, utilisation(abs(figure.value), ba_jr)))
    return shares


def _owner(path: str) -> str:
    """The section prefix of a figure: ``art['X'].``, ``ise.``, ``programme.`` or ``""``."""
    if path.startswith("art['"):
        return path[: path.index("']") + 2] + "."
    head = path.split(".", 1)[0]
    return f"{head}." if head in ("ise", "programme") else ""


def _written(stated: Stated) -> str:
    """How a message quotes a stated amount: ``522.157`` for keuro, else as typed with its unit."""
    return stated.text if stated.scale == 1 else stated.written


_UNIT_WORDS = {
    Decimal("0.001"): "euro",
    Decimal(1000): "miljoen euro",
    Decimal(10**6): "miljard euro",
}


def _shown(figure: DataFigure, stated: Stated, local: dict[str, object]) -> str:
    """A figure for a message: ``552.157 (94,1% of 586.978)``, in the text's unit if not keuro."""
    notes = []
    if stated.scale != 1:
        notes.append(f"{in_unit(figure.value, stated)} {_UNIT_WORDS.get(stated.scale, '')}")
    if figure.path.endswith(".bu"):
        rate = dict(utilisations(local)).get(figure.path[: -len(".bu")] + ".benutting")
        if rate is not None and rate.value is not None:
            notes.append(f"{procent(rate)} of {bedrag(rate.denominator)}")
    keuro = " keuro" if stated.scale != 1 else ""
    return f"{bedrag(figure.value)}{keuro}" + (f" ({'; '.join(notes)})" if notes else "")


def _ties(stated: Stated) -> str:
    """``BA-JR VEK`` for an amount said of BA-JR and VEK: the words of a wrong tie."""
    words = {"ba": "BA", "ba_jr": "BA-JR", "bu": "BU"}.get(stated.phase, "")
    return " ".join(w for w in (words, stated.credit) if w)


def _amount_message(
    stated: Stated, figures: list[DataFigure], local: dict[str, object], section: str
) -> str:
    """Why a stated amount matches nothing, naming the figure the text most likely meant."""
    written = _written(stated)
    # For "VAK/VEK", speak of the credit type that has no matching figure.
    failed = next((c for c, found in matching(stated, figures).items() if not found), "")
    stated = replace(stated, credit=failed.upper()) if failed else stated
    twins = [f for f in figures if agrees(stated, f.value)]
    if twins:
        # The number is right, its credit type or phase is not (a swap of VAK and VEK, BA and BA-JR).
        twin = rank(twins, stated)[0]
        message = (
            f"{written} matches no {_ties(stated)} figure of {section}; it is {describe(twin.path)}"
        )
        meant = counterpart(twin, stated, figures)
        if meant is not None:
            message += f"; {describe(meant.path)} is {_shown(meant, stated, local)}"
        return message
    fitting = [f for f in figures if any(fits(stated, f, c) for c in required_credits(stated))]

    def distance(f: DataFigure) -> tuple[int, int]:
        # A typo changes digits more often than it drops one: equal distance, same length first.
        shown = in_unit(f.value, stated)
        digits = len(re.sub(r"\D", "", shown)) - len(re.sub(r"\D", "", stated.text))
        return digit_distance(stated.text, shown), abs(digits)

    close = [f for f in fitting or figures if distance(f)[0] <= 2]
    if not close:
        return (
            f"{written} matches no figure of {section} (credits, movements, accruals, figures); "
            "cite the data with an expression, or add the amount under figures"
        )
    best = sorted(rank(close, stated), key=distance)[0]
    return f"{written} matches no figure of {section}; {describe(best.path)} is {_shown(best, stated, local)}"
