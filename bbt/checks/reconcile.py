"""Reconciliation rules: movements, both sides of a reallocation, totals, execution."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from bbt.calculation import Calculation, Figures, rounding_tolerance
from bbt.checks import rule
from bbt.errors import Finding, Location, Severity
from bbt.format import bedrag, procent
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES, Published
from bbt.money import ZERO


def _signed(value: Decimal) -> str:
    return ("+" if value >= 0 else "") + bedrag(value)


@rule
def check_phases_present(calculation: Calculation) -> Iterator[Finding]:
    """BBT107: an execution BBT needs BA, BA-JR and BU for every credit type."""
    for a in calculation.document.articles:
        for credit, series in a.credits.items():
            missing = [PHASE_LABELS[p] for p in PHASES if series.get(p) is None]
            if missing:
                yield Finding(
                    "BBT107",
                    Severity.ERROR,
                    a.loc,
                    f"{a.code} {CREDIT_LABELS[credit]} has no {', '.join(missing)}; an execution BBT needs BA, BA-JR and BU",
                )


@rule
def check_not_negative(calculation: Calculation) -> Iterator[Finding]:
    """BBT108: an approved or available credit (BA, BA-JR) cannot be negative; BU can."""
    for a in calculation.document.articles:
        for credit, series in a.credits.items():
            for phase in ("ba", "ba_jr"):
                value = series.get(phase)
                if value is not None and value < 0:
                    yield Finding(
                        "BBT108",
                        Severity.ERROR,
                        series.locs.get(phase, a.loc),
                        f"{a.code} {PHASE_LABELS[phase]} {CREDIT_LABELS[credit]} is {bedrag(value)}; a credit cannot be negative "
                        "(only the execution BU can)",
                    )


@rule
def check_movement_identity(calculation: Calculation) -> Iterator[Finding]:
    """BBT101: per article and credit type, BA + all movements = BA-JR."""
    for a in calculation.document.articles:
        for credit, series in a.credits.items():
            if series.ba is None or series.ba_jr is None:
                continue
            moved = sum((m.amounts.get(credit, ZERO) for m in a.movements), ZERO)
            expected = series.ba + moved
            if expected != series.ba_jr:
                yield Finding(
                    "BBT101",
                    Severity.ERROR,
                    series.locs.get("ba_jr", a.loc),
                    f"{a.code} {CREDIT_LABELS[credit]}: BA {bedrag(series.ba)} {_signed(moved)} movements = "
                    f"{bedrag(expected)}, but BA-JR is {bedrag(series.ba_jr)} (difference {_signed(series.ba_jr - expected)})",
                )


@rule
def check_movement_sign(calculation: Calculation) -> Iterator[Finding]:
    """BBT105: credit that comes 'from' somewhere is positive, credit that goes 'to' is negative."""
    for a in calculation.document.articles:
        for m in a.movements:
            for credit, amount in m.amounts.items():
                wrong = amount < 0 if m.direction == "from" else amount > 0
                if wrong:
                    should = "positive" if m.direction == "from" else "negative"
                    yield Finding(
                        "BBT105",
                        Severity.ERROR,
                        m.loc,
                        f"{a.code}: movement {m.direction} {m.counterpart} has {CREDIT_LABELS[credit]} {bedrag(amount)}; "
                        f"amounts are the effect on this article, so a movement {m.direction} another is {should}",
                    )


@rule
def check_movement_ids(calculation: Calculation) -> Iterator[Finding]:
    """BBT112: movement ids are unique within an article (the narrative cites them)."""
    for a in calculation.document.articles:
        seen: set[str] = set()
        for m in a.movements:
            if m.id and m.id in seen:
                yield Finding(
                    "BBT112", Severity.ERROR, m.loc, f"{a.code}: movement id {m.id!r} is used twice"
                )
            if m.id:
                seen.add(m.id)


@rule
def check_both_sides(calculation: Calculation) -> Iterator[Finding]:
    """BBT102: a reallocation between two articles of the document is booked on both sides, equally."""
    doc = calculation.document
    codes = {a.code.text for a in doc.articles}
    # (this article, counterpart) -> credit -> sum of signed amounts, and where it was booked
    booked: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
        lambda: defaultdict(lambda: ZERO)
    )
    where: dict[tuple[str, str], Location] = {}
    for a in doc.articles:
        for m in a.movements:
            if m.counterpart in codes:
                pair = (a.code.text, m.counterpart)
                for credit, amount in m.amounts.items():
                    booked[pair][credit] += amount
                where.setdefault(pair, m.loc)
    for (this, other), amounts in sorted(booked.items()):
        mirror = booked.get((other, this))
        if mirror is None:
            yield Finding(
                "BBT102",
                Severity.ERROR,
                where[(this, other)],
                f"{this} books a reallocation with {other}, but {other} has no movement with {this}; "
                "a reallocation within the document is booked on both sides",
            )
            continue
        if this > other:
            continue  # report each pair once
        for credit in sorted(set(amounts) | set(mirror)):
            mine, theirs = amounts.get(credit, ZERO), mirror.get(credit, ZERO)
            if mine + theirs != 0:
                yield Finding(
                    "BBT102",
                    Severity.ERROR,
                    where[(this, other)],
                    f"reallocation {this} / {other} does not balance for {CREDIT_LABELS[credit]}: "
                    f"{this} books {_signed(mine)}, {other} books {_signed(theirs)}",
                )


@rule
def check_index_movements(calculation: Calculation) -> Iterator[Finding]:
    """BBT106: index tranches come from the index provision, and each names its tranche."""
    provision = calculation.document.settings.index_provision
    for a in calculation.document.articles:
        for m in a.movements:
            if m.kind == "index" and m.counterpart != provision:
                yield Finding(
                    "BBT106",
                    Severity.WARNING,
                    m.loc,
                    f"{a.code}: index movement with {m.counterpart}, but the index provision of this document is {provision}",
                )
            if m.kind == "index" and m.direction != "from":
                yield Finding(
                    "BBT106",
                    Severity.WARNING,
                    m.loc,
                    f"{a.code}: an index tranche goes to the article, not from it",
                )


@rule
def check_provisions(calculation: Calculation) -> Iterator[Finding]:
    """BBT109: the movements drawn from a provision add up to the total declared for it."""
    doc = calculation.document
    for code, declared in doc.provisions.items():
        for credit, (amount, loc) in declared.items():
            drawn = sum(
                (
                    m.amounts.get(credit, ZERO)
                    for a in doc.articles
                    for m in a.movements
                    if m.counterpart == code
                ),
                ZERO,
            )
            if drawn != amount:
                tranches = {
                    t: v.get(credit, ZERO)
                    for (p, t), v in sorted(calculation.index_tranches.items())
                    if p == code
                }
                detail = ", ".join(f"{t or 'no tranche'} {bedrag(v)}" for t, v in tranches.items())
                yield Finding(
                    "BBT109",
                    Severity.ERROR,
                    loc,
                    f"provision {code}: the articles' movements draw {bedrag(drawn)} keuro {CREDIT_LABELS[credit]}"
                    f"{f' ({detail})' if detail else ''}, but {bedrag(amount)} is declared",
                )


def _compare_published(
    what: str, computed: dict[str, Figures], published: Published, line_counts: dict[str, int]
) -> Iterator[Finding]:
    for (credit, phase), value in sorted(published.amounts.items()):
        lines = line_counts.get(credit, 0)
        tolerance = rounding_tolerance(lines)
        loc = published.locs[(credit, phase)]
        if credit not in computed:
            yield Finding(
                "BBT103",
                Severity.ERROR,
                loc,
                f"{what}: published {credit} total, but no article has {credit}",
            )
            continue
        exact = computed[credit].get(phase)
        diff = value - exact
        label = f"{what} {PHASE_LABELS[phase]} {CREDIT_LABELS[credit]}"
        if diff == 0:
            yield Finding(
                "BBT104",
                Severity.INFO,
                loc,
                f"{label}: published total {bedrag(value)} equals the sum of the lines; the declaration can go",
            )
        elif abs(diff) <= tolerance:
            yield Finding(
                "BBT104",
                Severity.INFO,
                loc,
                f"{label}: rounding difference of {_signed(diff)} keuro: published {bedrag(value)}, sum of the "
                f"{lines} lines {bedrag(exact)} (tolerance {bedrag(tolerance)} keuro for {lines} rounded lines)",
            )
        else:
            yield Finding(
                "BBT103",
                Severity.ERROR,
                loc,
                f"{label}: published total {bedrag(value)} differs from the sum of the {lines} lines {bedrag(exact)} "
                f"by {_signed(diff)} keuro, more than rounding explains (tolerance {bedrag(tolerance)})",
            )


@rule
def check_totals(calculation: Calculation) -> Iterator[Finding]:
    """BBT103/BBT104: published ISE and programme totals against the sums of their lines."""
    for i in calculation.ises:
        counts = {c: len(i.expenditure) for c in i.computed}
        yield from _compare_published(f"ISE {i.ise.key}", i.computed, i.ise.published, counts)
    doc = calculation.document
    counts = {
        c: sum(1 for a in doc.articles if c in a.credits) for c in calculation.programme_computed
    }
    yield from _compare_published(
        f"programme {doc.programme_code}", calculation.programme_computed, doc.published, counts
    )


@rule
def check_over_execution(calculation: Calculation) -> Iterator[Finding]:
    """BBT110: BU above BA-JR for a credit (VAK, VEK); receipts are left to BBT113.

    A credit is a limit, so spending beyond it needs attention; a receipts estimate (AO, TO,
    LO) is not a limit, and receiving more than estimated is no over-execution.
    """
    for loc, what, excess in _above_ba_jr(calculation, receipts=False):
        yield Finding("BBT110", Severity.WARNING, loc, f"{what} is over-executed by {excess}")


@rule
def check_receipts_above_estimate(calculation: Calculation) -> Iterator[Finding]:
    """BBT113 (info): receipts above their estimate (BU above BA-JR), for the explanation.

    Not a problem to fix, so never a warning: the note reminds the writer that the explanation
    usually says where the extra receipts came from, as it does for receipts that fall short.
    """
    for loc, what, excess in _above_ba_jr(calculation, receipts=True):
        message = (
            f"{what} receipts exceeded the estimate by {excess}; "
            "receipts are estimates, not limits, so this is no over-execution"
        )
        yield Finding("BBT113", Severity.INFO, loc, message)


def _above_ba_jr(calculation: Calculation, receipts: bool) -> Iterator[tuple[Location, str, str]]:
    """Articles (receipts or expenditure) whose BU exceeds BA-JR, per credit type: where (the
    BU), what (``JB0-1JEC2HA-WT VAK``) and by how much, worded once for BBT110 and BBT113."""
    for a in calculation.articles.values():
        if a.article.code.is_receipt is not receipts:
            continue
        for credit, figs in a.credits.items():
            if figs.bu > figs.ba_jr:
                excess = (
                    f"{bedrag(figs.bu - figs.ba_jr)} keuro: BU {bedrag(figs.bu)} against "
                    f"BA-JR {bedrag(figs.ba_jr)} ({procent(figs.benutting)})"
                )
                loc = a.article.credits[credit].locs.get("bu", a.article.loc)
                yield loc, f"{a.code} {CREDIT_LABELS[credit]}", excess


@rule
def check_explanation_owed(calculation: Calculation) -> Iterator[Finding]:
    """BBT111: low or over-utilisation, or reallocations, need an explanation."""
    threshold = calculation.document.settings.explain_below
    for a in calculation.articles.values():
        if a.article.toelichting:
            continue
        reasons = []
        for credit, figs in a.credits.items():
            pct = figs.benutting
            if pct.value is None or a.article.code.is_receipt:
                continue
            if pct.value < threshold:
                reasons.append(
                    f"{CREDIT_LABELS[credit]} utilisation {procent(pct)} is below {bedrag(threshold)}%"
                )
            elif pct.value > 100:
                reasons.append(f"{CREDIT_LABELS[credit]} utilisation {procent(pct)} is above 100%")
        if any(m.kind != "index" for m in a.article.movements):
            reasons.append("it had reallocations")
        if reasons:
            yield Finding(
                "BBT111",
                Severity.WARNING,
                a.article.loc,
                f"{a.code} has no explanation (toelichting), but {'; '.join(reasons)}",
            )
