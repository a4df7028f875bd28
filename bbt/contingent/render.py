"""The contingent overview: a measure per province over its reference dates, with reductions.

The layout follows the answer in seed 000: one table with the provinces down and, per
reference date, the number of organisations and the contingent; a total row; then the
reductions per province. HTML is rendered in the shared sandbox
(:func:`bbt.render.templates.render_template`) from ``templates/contingent``; the PDF is made
from that HTML by :func:`bbt.render.pdf.render_pdf` (imported only when a PDF is asked for).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bbt.contingent.model import PROVINCES, Entry, Measure, Register
from bbt.contingent.rules.fill import fill_rates
from bbt.contingent.rules.reductions import reconcile_reductions
from bbt.files import write_set
from bbt.money import ZERO
from bbt.resources import TEMPLATES as SHIPPED_TEMPLATES

TEMPLATES = SHIPPED_TEMPLATES / "contingent"
"""The shipped overview template and its CSS."""
TEMPLATE = "overview.html.j2"


def overview_context(register: Register, measure: str) -> dict[str, object]:
    """Plain data for the template (no model objects reach the sandbox)."""
    m: Measure = register.measure(measure)
    snapshots = [e for e in m.entries if e.period.kind == "date" and e.scope == "province"]
    dates: list[dt.date] = sorted({e.period.start for e in snapshots})
    provinces = list(dict.fromkeys(e.province for e in snapshots if e.province))
    cells = {(e.province, e.period.start): e for e in snapshots}
    rows = [
        {
            "province": PROVINCES.get(p, p),
            "cells": [_snapshot_cell(cells.get((p, d))) for d in dates],
        }
        for p in provinces
    ]
    totals = [_snapshot_total([cells.get((p, d)) for p in provinces]) for d in dates]
    rates = [
        {
            "period": f.period,
            "scope": f.scope,
            "filled": f.filled,
            "allocated": f.allocated,
            "percent": f.percent,
            "note": f.entries[0].note if len(f.entries) == 1 else "",
        }
        for f in fill_rates(register, measure)
    ]
    sources = list(
        dict.fromkeys([*(e.source for e in m.entries), *(r.source for r in m.reductions)])
    )
    return {
        "register_title": register.title,
        "title": m.title,
        "key": m.key,
        "unit": m.unit_label,
        "note": m.note,
        "dates": dates,
        "rows": rows,
        "totals": totals,
        "reductions": [_reductions_of(m, day) for day in sorted({r.date for r in m.reductions})],
        "rates": rates,
        "sources": [s for s in sources if s],
    }


def _snapshot_cell(entry: Entry | None) -> dict[str, object]:
    return {
        "organisations": entry.organisations if entry else None,
        "allocated": entry.allocated if entry else None,
    }


def _snapshot_total(column: list[Entry | None]) -> dict[str, object]:
    """The total of a reference date; unknown (None) when a province or a figure is missing."""
    present = [c for c in column if c is not None]
    orgs = [c.organisations for c in present]
    alloc = [c.allocated for c in present]
    complete = len(present) == len(column)
    return {
        "organisations": sum(o for o in orgs if o is not None)
        if complete and None not in orgs
        else None,
        "allocated": sum((a for a in alloc if a is not None), ZERO)
        if complete and None not in alloc
        else None,
    }


def _reductions_of(m: Measure, day: dt.date) -> dict[str, object]:
    """The reductions published for one date, per province, with their check."""
    checks = {c.province: c for c in reconcile_reductions(m, day)}
    items = [r for r in m.reductions if r.date == day and r.organisation is None and r.province]
    lines = [
        {
            "province": PROVINCES.get(r.province or "", r.province or ""),
            "organisations": r.organisations,
            "reduced": r.reduced,
            "matches": checks[r.province].matches if r.province in checks else None,
        }
        for r in items
    ]
    orgs_known = all(r.organisations is not None for r in items)
    return {
        "date": day,
        "fill_year": str(items[0].fill_year) if items else None,
        "rows": lines,
        "total_organisations": sum(r.organisations or 0 for r in items) if orgs_known else None,
        "total_reduced": sum((r.reduced for r in items), ZERO),
    }


def render_overview_html(register: Register, measure: str, templates: Path = TEMPLATES) -> str:
    """The overview of ``measure`` as a self-contained HTML page (CSS inlined).

    Raises :class:`~bbt.errors.RenderError` with the template's file and line on a template
    mistake, :class:`KeyError` for an unknown measure.
    """
    from bbt.render.templates import render_template

    return render_template(TEMPLATE, overview_context(register, measure), templates, "BBT450")


def render_overview_pdf(html: str, templates: Path = TEMPLATES) -> bytes:
    """The PDF of an overview page (WeasyPrint via :func:`bbt.render.pdf.render_pdf`)."""
    from bbt.render.pdf import render_pdf  # type: ignore[import-not-found,unused-ignore]

    # The templates root comes second: its bbt/pdf.css embeds the document fonts.
    pdf: bytes = render_pdf(html, allowed_dirs=[templates, templates.parent])
    return pdf


def write_overview(
    register: Register,
    measure: str,
    out_dir: Path,
    formats: tuple[str, ...] = ("html",),
    templates: Path = TEMPLATES,
) -> list[Path]:
    """Render and write ``contingent-<measure>.html`` (and ``.pdf``); returns the files written.

    Everything is rendered in memory first and written as a set (bbt.files), so nothing is
    written when rendering or writing fails.
    """
    html = render_overview_html(register, measure, templates)
    outputs: dict[str, bytes] = {"html": html.encode("utf-8")}
    if "pdf" in formats:
        outputs["pdf"] = render_overview_pdf(html, templates)
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_set(
        {out_dir / f"contingent-{measure}.{fmt}": data for fmt, data in outputs.items()}
    )
