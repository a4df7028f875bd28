"""The set's own outputs: the overview (HTML and PDF) and one data package of all documents.

* ``overzicht.html`` / ``overzicht.pdf``: per policy field and programme VAK and VEK for BA,
  BA-JR and BU with utilisation, the government total, the provisions and the transfers between
  documents, and a link to each document. Rendered from ``set/overview.html.j2`` in the template
  folder, in the shared sandbox (:func:`bbt.render.templates.render_template`: autoescape,
  ``StrictUndefined``, the Dutch filters); the PDF through :func:`bbt.render.pdf.render_pdf`
  with only the template and set folders allowed.
* ``open-data/credits.csv`` and ``open-data/datapackage.json``: the rows of
  :func:`bbt.exchange.export.rows` for every document, under the same Table Schema as the
  single-document export, so one document's export and the set's can be stacked.

Totals use each document's programme figures as the document shows them (published totals
where it declares them), so every row agrees with its own document; the government total is
the exact sum of those rows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bbt.calculation import Figures, total
from bbt.model import EXPENDITURE_CREDITS
from bbt.set.model import OPEN_DATA_DIR, OVERVIEW_STEM, BudgetSet
from bbt.set.view import SetView

if TYPE_CHECKING:
    from bbt.pipeline import BuildOptions

TEMPLATE = "set/overview.html.j2"
"""The overview's entry template, relative to the template folder."""


def _figures(figs: Figures) -> dict[str, Any]:
    return {"ba": figs.ba, "ba_jr": figs.ba_jr, "bu": figs.bu, "benutting": figs.benutting}


def _created(view: SetView) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (BBT305 when it is not a Unix time), else the latest
    document date: same input, same bytes."""
    from bbt.render.html import document_day, source_date

    days = [document_day(e.doc) for e in view.entries]
    return source_date(max(days, default=dt.date(1970, 1, 1)))


def overview_context(
    view: SetView, budget_set: BudgetSet, formats: tuple[str, ...], links: bool = True
) -> dict[str, Any]:
    """Plain data for the template (no model object reaches the sandbox).

    ``links``: the documents' files as links (the HTML beside them) or as names (the PDF).
    """
    documents = []
    for entry in view.entries:
        shown = entry.calculation.programme
        documents.append(
            {
                "name": entry.name,
                "programme_code": entry.doc.programme_code,
                "programme_title": entry.doc.programme_title,
                "files": [f"{entry.member.stem}.{fmt}" for fmt in _shown(formats, links)],
                **{c: _figures(shown[c]) for c in EXPENDITURE_CREDITS},
            }
        )
    government = {
        c: _figures(total(e.calculation.programme[c] for e in view.entries))
        for c in EXPENDITURE_CREDITS
    }
    years = sorted({e.doc.year for e in view.entries})
    return {
        "title": budget_set.title,
        "year": str(budget_set.year if budget_set.year is not None else years[0]),
        "created": _created(view).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "documents": documents,
        "government": government,
        "provisions": _provisions(view),
        "transfers": _transfers(view),
        "open_data": f"{OPEN_DATA_DIR}/datapackage.json",
        "links": links,
    }


def _shown(formats: tuple[str, ...], links: bool) -> tuple[str, ...]:
    """The files to name: every format on screen; on paper the PDF, the printed form."""
    return formats if links or "pdf" not in formats else ("pdf",)


def _provisions(view: SetView) -> list[dict[str, Any]]:
    """Per checked provision: what each document drew, the total, what set.yaml says it released."""
    from bbt.set.rules import draws_from, total_of

    out = []
    for key in sorted(view.provisions):
        declared = view.set.provisions.get(key)
        draws = draws_from(view, key)
        rows = [
            {"name": view.entries[n].name, **_credit_cells(total_of(bookings))}
            for n, bookings in sorted(draws.items())
        ]
        drawn = total_of(b for bookings in draws.values() for b in bookings)
        released = {c: a for c, (a, _loc) in declared.released.items()} if declared else None
        out.append(
            {
                "key": key,
                "title": declared.title if declared else key,
                "rows": rows,
                "drawn": _credit_cells(drawn),
                "released": _credit_cells(released) if released is not None else None,
            }
        )
    return out


def _credit_cells(amounts: dict[str, Decimal]) -> dict[str, Decimal | None]:
    return {c: amounts.get(c) for c in EXPENDITURE_CREDITS}


def _transfers(view: SetView) -> list[dict[str, Any]]:
    """Each transfer between two documents once, from the giving to the receiving end."""
    from bbt.set.rules import transfer_sides

    booked, _ends = transfer_sides(view)
    out = []
    for (mine, theirs), side in sorted(booked.items()):
        if mine > theirs and (theirs, mine) in booked:
            continue  # the pair is listed from its other side
        mirror = booked.get((theirs, mine))
        gives = sum(side.amounts.values()) < 0
        giver, taker = (side, mirror) if gives else (mirror, side)
        received = {c: -v for c, v in side.amounts.items()} if gives else dict(side.amounts)
        out.append(
            {
                "from": giver.label if giver else "",
                "to": taker.label if taker else "",
                **_credit_cells(received),
            }
        )
    return out


def render_overview_html(
    view: SetView,
    budget_set: BudgetSet,
    templates: Path,
    formats: tuple[str, ...] = ("html",),
    links: bool = True,
) -> str:
    """The overview as one self-contained HTML page; ``formats``: the documents' files it names."""
    from bbt.render.templates import render_template

    ctx = overview_context(view, budget_set, formats, links)
    return render_template(TEMPLATE, ctx, templates, "BBT650")


def render_overview_pdf(html: str, templates: Path, set_root: Path) -> bytes:
    """The PDF of the overview; resources only from the template and set folders."""
    from bbt.render.pdf import render_pdf

    # The template folder comes first: its bbt/pdf.css embeds the document fonts.
    pdf: bytes = render_pdf(html, allowed_dirs=[templates, set_root])
    return pdf


def open_data(view: SetView, budget_set: BudgetSet) -> dict[str, bytes]:
    """``credits.csv`` of every document's article figures and its ``datapackage.json``."""
    from bbt.exchange.export import (
        CSV_FORMATS,
        CSV_NAME,
        PACKAGE_NAME,
        credits_resource,
        csv_bytes,
        rows,
    )

    # One CSV of every document, in the single-document export's format and Table Schema,
    # with the codes of every document of the set.
    fmt = CSV_FORMATS["nl"]
    table = csv_bytes([r for e in view.entries for r in rows(e.calculation)], fmt)
    resource = credits_resource([e.calculation.document for e in view.entries], fmt)
    year = budget_set.year if budget_set.year is not None else view.entries[0].doc.year
    slug = re.sub(r"[^a-z0-9._-]+", "-", budget_set.root.resolve().name.lower()).strip("-")
    descriptor = {
        "profile": "tabular-data-package",
        "name": f"bbt-set-{slug or 'set'}",
        "title": f"{budget_set.title} {year}".strip(),
        "description": (
            f"Credits of {len(view.entries)} BBTs of budget year {year} "
            f"({', '.join(e.name for e in view.entries)}): BA, BA-JR and BU per budget article "
            "and credit type, in thousand euro."
        ),
        "keywords": ["begroting", "BBT", str(year)],
        "fiscalPeriod": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        "currency": "EUR",
        "unit": "keuro",
        "resources": [resource],
    }
    return {
        CSV_NAME: table,
        PACKAGE_NAME: (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    }


def set_outputs(view: SetView, budget_set: BudgetSet, options: BuildOptions) -> dict[Path, bytes]:
    """Every file of the set itself, rendered in memory by its path: the overview in the
    options' formats and the open data (written as a set by :func:`bbt.files.write_outputs`)."""
    from bbt.resources import TEMPLATES as SHIPPED

    out_dir, formats, templates = options.out_dir, options.formats, options.templates
    if not (templates / TEMPLATE).is_file():
        templates = SHIPPED  # a document template folder without set/: the shipped overview
    files: dict[Path, bytes] = {}
    html = render_overview_html(view, budget_set, templates, formats)
    if "html" in formats:
        files[out_dir / f"{OVERVIEW_STEM}.html"] = html.encode("utf-8")
    if "pdf" in formats:
        # Links to the documents only work beside the HTML: the PDF names the files instead.
        printable = render_overview_html(view, budget_set, templates, formats, links=False)
        files[out_dir / f"{OVERVIEW_STEM}.pdf"] = render_overview_pdf(
            printable, templates, budget_set.root
        )
    for name, data in open_data(view, budget_set).items():
        files[out_dir / OPEN_DATA_DIR / name] = data
    return files
