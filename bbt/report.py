"""Terminal tables: utilisation per article, ISE and programme; the computed ISE and programme tables.

Dutch number formats (the figures are the document's); English headings (the terminal is ours).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bbt.article_codes import ESR_CATEGORIES, ESR_CATEGORY_LABELS
from bbt.calculation import Calculation, Figures
from bbt.format import bedrag, procent
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None
) -> str:
    """A plain text table with aligned columns (numbers right-aligned)."""
    right = right or [i > 0 for i in range(len(headers))]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            (str(c).rjust(w) if right[i] else str(c).ljust(w))
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def utilisation_table(
    calculation: Calculation, below: Decimal | None = None, credit: str | None = None
) -> str:
    """Utilisation per article, per ISE and for the programme; ``below`` filters articles."""
    credits = (credit,) if credit else ("vak", "vek")
    headers = ["", "title"]
    for c in credits:
        label = CREDIT_LABELS[c]
        headers += [f"BA-JR {label}", f"BU {label}", f"% {label}"]
    rows: list[list[str]] = []

    def row(label: str, title: str, figures: dict[str, Figures]) -> list[str]:
        cells = [label, title]
        for c in credits:
            f = figures[c]
            cells += [bedrag(f.ba_jr), bedrag(f.bu), procent(f.benutting)]
        return cells

    for i in calculation.ises:
        for a in i.expenditure:
            values = [a.credits[c].benutting.value for c in credits]
            if below is None or any(v is not None and v < below for v in values):
                rows.append(row(a.code, a.article.title[:40], a.credits))
        if below is None:
            rows.append(row(f"ISE {i.ise.key}", "(total)", i.shown))
    if below is None:
        rows.append(
            row(
                f"programme {calculation.document.programme_code}", "(total)", calculation.programme
            )
        )
    title = "Utilisation (BU / BA-JR), keuro"
    if below is not None:
        title += f": articles below {bedrag(below)}%"
        if not rows:
            return title + "\n(none)"
    return title + "\n" + table(headers, rows, [False, False] + [True] * (len(headers) - 2))


def calc_tables(calculation: Calculation) -> str:
    """The programme summary, each ISE's budgettair kader, and the index tranches."""
    doc = calculation.document
    out = [f"PROGRAMMA {doc.programme_code} – {doc.programme_title.upper()} (duizend euro)"]
    credits = ("ao", "to", "lo", "vak", "vek")
    rows = [
        [
            f"{PHASE_LABELS[p]} {doc.year}",
            *(bedrag(calculation.programme[c].get(p)) for c in credits),
        ]
        for p in PHASES
    ]
    out.append(table(["", *(CREDIT_LABELS[c] for c in credits)], rows))
    for i in calculation.ises:
        out.append("")
        caption = f"{i.ise.title.upper()}, {i.ise.scope}" if i.ise.scope else i.ise.title.upper()
        out.append(f"{caption} (duizend euro)")
        headers = [
            "",
            "",
            *(f"{PHASE_LABELS[p]} {c.upper()}" for c in ("vak", "vek") for p in PHASES),
        ]
        rows = []
        for key, label, _aggregates in ESR_CATEGORIES:
            row = i.rows[key]
            rows.append(
                [
                    label,
                    ESR_CATEGORY_LABELS[key],
                    *(bedrag(row[c].get(p)) for c in ("vak", "vek") for p in PHASES),
                ]
            )
        rows.append(
            ["Totaal", "", *(bedrag(i.shown[c].get(p)) for c in ("vak", "vek") for p in PHASES)]
        )
        out.append(table(headers, rows, [False, False] + [True] * 6))
        notes = [
            f"  {PHASE_LABELS[p]} {CREDIT_LABELS[c]}: published {bedrag(i.shown[c].get(p))}, sum of lines {bedrag(i.computed[c].get(p))}"
            for c in ("vak", "vek")
            for p in PHASES
            if i.shown[c].get(p) != i.computed[c].get(p)
        ]
        if notes:
            out.append("rounding differences:")
            out.extend(notes)
        out.append(
            f"movements: index {bedrag(i.index['vak'])} VAK / {bedrag(i.index['vek'])} VEK, "
            f"other reallocations {bedrag(i.realloc['vak'])} VAK / {bedrag(i.realloc['vek'])} VEK"
        )
    if calculation.index_tranches:
        out.append("")
        out.append("Index tranches")
        rows = [
            [
                provision,
                tranche or "(no tranche)",
                bedrag(amounts.get("vak", Decimal(0))),
                bedrag(amounts.get("vek", Decimal(0))),
            ]
            for (provision, tranche), amounts in sorted(calculation.index_tranches.items())
        ]
        out.append(table(["provision", "tranche", "VAK", "VEK"], rows, [False, False, True, True]))
    return "\n".join(out)
