"""The whole document as one HTML file, from the calculation and the templates.

Two steps, both free of file access inside the templates:

1. :func:`document_ctx` turns the calculation into *plain data* (dicts, lists, strings,
   :class:`~decimal.Decimal`, :class:`~bbt.calc.Percent`, dates and pre-rendered narrative
   :class:`~markupsafe.Markup`). No model object (they hold paths) reaches a template.
2. :func:`render_html` renders ``bbt/document.html.j2`` from the template folder in the same
   Jinja sandbox as the narrative (autoescape, ``StrictUndefined``, Dutch filters) and inlines
   the stylesheet, so the result is one self-contained file.

Numbering (II ... XI, ``1.3.1.``), heading levels and the table of contents are decided here,
so the templates only lay things out. Every table figure comes from :mod:`bbt.calc`.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from bbt.article_codes import ESR_CATEGORIES, ESR_CATEGORY_LABELS
from bbt.calculation import Calculation, Figures
from bbt.errors import Finding, Location, RenderError, Severity, relpath
from bbt.format import bedrag, datum
from bbt.glossary import used_entries
from bbt.model import CREDIT_LABELS, EXPENDITURE_CREDITS, PHASE_LABELS, PHASES, RECEIPT_CREDITS
from bbt.render.narrative import (
    NarrativeError,
    global_ctx,
    make_environment,
    pieces,
    render,
    render_inline,
    render_value,
)

DOCUMENT_TEMPLATE = "bbt/document.html.j2"
"""The entry template, relative to the template folder."""

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")

_FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.S)
_HEADING = re.compile(r"<(/?)h([1-6])>")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (reference counting still frees memory).

    Rendering allocates many short-lived objects and no cycles worth collecting; WeasyPrint
    spends about a quarter of its layout time in the collector otherwise.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- footnotes and headings inside narrative -----------------------------------------------------


@dataclass
class Notes:
    """Numbers footnotes through the whole document.

    In the PDF a footnote is the ``<span class="footnote">`` at its reference point
    (``float: footnote``, numbered by WeasyPrint in the same order). On screen the span is
    hidden; a superscript link at the reference point leads to the numbered note printed
    under the section (:func:`section`).
    """

    count: int = 0

    def number(self, html: str) -> tuple[Markup, list[dict[str, object]]]:
        notes: list[dict[str, object]] = []

        def replace(match: re.Match[str]) -> str:
            self.count += 1
            n = self.count
            body = match.group(1)
            notes.append({"n": str(n), "html": Markup(body)})
            return (
                f'<a class="fn-ref" href="#fn-{n}" id="fnref-{n}" aria-describedby="fn-{n}">{n}</a>'
                f'<span class="footnote">{body}</span>'
            )

        return Markup(_FOOTNOTE.sub(replace, html)), notes


def nest(html: str, level: int) -> str:
    """Shift the narrative's own headings (``####``) so the highest becomes ``h<level+1>``."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels:
        return html
    shift = level + 1 - min(levels)

    def replace(match: re.Match[str]) -> str:
        return f"<{match.group(1)}h{min(6, max(1, int(match.group(2)) + shift))}>"

    return _HEADING.sub(replace, html)


# -- the table of contents ----------------------------------------------------------------------


@dataclass
class Outline:
    """Hands out heading ids and records the entries of the table of contents."""

    entries: list[dict[str, object]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def heading(self, text: str, level: int, slug: str, toc: bool = True) -> dict[str, object]:
        ident = base = "h-" + re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")
        n = 1
        while ident in self.used:
            n += 1
            ident = f"{base}-{n}"
        self.used.add(ident)
        item: dict[str, object] = {"id": ident, "text": text, "level": level, "running": ""}
        if toc:
            self.entries.append(item)
        return item


# -- tables (plain data, never typed) ----------------------------------------------------------


def _phase_label(phase: str, year: int) -> str:
    return f"{PHASE_LABELS[phase]} {year}"


Source = Callable[[str, str], str]
"""``(credit, phase) -> where the figure comes from``, for the provenance tooltips."""


def _cell(figures: dict[str, Figures], credit: str, phase: str, source: Source | None) -> object:
    """A table figure: a Decimal, or with ``source`` the figure marked with its origin."""
    value = figures[credit].get(phase)
    if source is None:
        return value
    from bbt.preview.provenance import span

    return span(bedrag(value), source(credit, phase))


def programme_table(calculation: Calculation, source: Source | None = None) -> dict[str, object]:
    doc = calculation.document
    credits = (*RECEIPT_CREDITS, *EXPENDITURE_CREDITS)
    return {
        "caption": f"PROGRAMMA {doc.programme_code} – {doc.programme_title.upper()}",
        "columns": [CREDIT_LABELS[c] for c in credits],
        "rows": [
            {
                "label": _phase_label(p, doc.year),
                "cells": [_cell(calculation.programme, c, p, source) for c in credits],
            }
            for p in PHASES
        ],
    }


def _six(figures: dict[str, Figures], source: Source | None = None) -> list[object]:
    return [_cell(figures, c, p, source) for c in EXPENDITURE_CREDITS for p in PHASES]


def execution_table(
    credits: dict[str, Figures], receipt: bool, year: int, source: Source | None = None
) -> dict[str, object]:
    """The "Begrotingsuitvoering" table of one article."""
    if receipt:
        return {
            "kind": "receipts",
            "columns": [CREDIT_LABELS[c] for c in RECEIPT_CREDITS],
            "rows": [
                {
                    "label": _phase_label(p, year),
                    "cells": [_cell(credits, c, p, source) for c in RECEIPT_CREDITS],
                }
                for p in PHASES
            ],
        }
    return {
        "kind": "expenditure",
        "groups": [CREDIT_LABELS[c] for c in EXPENDITURE_CREDITS],
        "phases": [_phase_label(p, year) for p in PHASES],
        "rows": [{"label": "Uitgaven", "cells": _six(credits, source)}],
    }


# -- the context ----------------------------------------------------------------------------


def _document_date(calculation: Calculation) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the document's own date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    day = calculation.document.date or dt.date(calculation.document.year + 1, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _and_list(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def document_ctx(calculation: Calculation, *, provenance: bool = False) -> dict[str, Any]:
    """Everything the templates show, as plain data; narrative already rendered to HTML.

    With ``provenance`` (the live preview of ``bbt serve``) every figure in a table and in the
    prose is a ``<span class="src" title="…">`` saying where it comes from: the data file
    and line, or the formula that computed it (:mod:`bbt.preview.provenance`).
    """
    doc = calculation.document
    sources = None
    if provenance:
        from bbt.preview.provenance import Sources, render_sourced

        sources = Sources(calculation)
    texts = {}
    for piece in pieces(calculation):
        try:
            texts[piece.key] = render(piece.narrative, piece.context)
        except NarrativeError as exc:
            raise RenderError([exc.finding]) from None
        if sources is not None:
            texts[piece.key] = render_sourced(piece.narrative, piece.context, sources, piece.key)
    charts: dict[str, list[dict[str, object]]] = {}
    if doc.settings.charts:
        from bbt.render.charts import document_charts

        charts = document_charts(calculation)
    notes = Notes()
    outline = Outline()

    def section(
        key: str, level: int, extra_notes: list[dict[str, object]] | None = None
    ) -> dict[str, object]:
        html, found = notes.number(nest(str(texts.get(key, "")), level))
        return {"html": html, "notes": (extra_notes or []) + found}

    def heading_note(md: str) -> tuple[Markup, list[dict[str, object]]]:
        if not md.strip():
            return Markup(""), []
        return notes.number(f'<span class="footnote">{render_inline(md)}</span>')

    chapters: dict[str, dict[str, object]] = {}
    numerals = iter(ROMAN[1:])

    def chapter(key: str, title: str, running: str = "") -> dict[str, object]:
        numeral = next(numerals)
        item = outline.heading(f"{numeral}. {title}", 1, f"{numeral}-{key}")
        item["running"] = f"{numeral}. {running or title}"  # short form for the running header
        chapters[key] = item
        return item

    ctx: dict[str, Any] = {}
    created = _document_date(calculation)
    ctx["doc"] = {
        "title": doc.title,
        "subtitle": doc.subtitle,
        "year": str(doc.year),
        "policy_field": doc.policy_field,
        "programme": f"{doc.programme_code} – {doc.programme_title}",
        "department": doc.department,
        "minister": {"name": doc.minister.name, "role": doc.minister.role},
        "stamp": doc.stamp,
        "date": datum(doc.date) if doc.date else "",
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }

    # II, III
    chapter("inleiding", "INLEIDING DOOR DE MINISTER")
    ctx["inleiding"] = section("chapter:inleiding", 1)
    chapter("samenvatting", "SAMENVATTING")
    ctx["programme_table"] = programme_table(calculation, sources.programme if sources else None)
    ctx["samenvatting"] = section("chapter:samenvatting", 1)

    # IV
    chapter(
        "doelstellingen",
        "TRANSVERSALE, HORIZONTALE EN OVERKOEPELENDE STRATEGISCHE DOELSTELLINGEN",
        "STRATEGISCHE DOELSTELLINGEN",
    )
    ctx["transversaal_h"] = outline.heading(
        "1. Transversale, horizontale doelstellingen", 2, "transversaal"
    )
    ctx["transversaal"] = section("chapter:transversaal", 2)
    ctx["overkoepelend_h"] = outline.heading(
        "2. Overkoepelende strategische doelstellingen", 2, "overkoepelend"
    )
    ctx["overkoepelend"] = section("chapter:overkoepelend", 2)
    ctx["sds"] = [
        {
            "h": outline.heading(f"SD {sd.number}: {sd.title}", 3, f"sd-{sd.number}"),
            "text": section(f"sd:{sd.code}", 3),
        }
        for sd in doc.sds
    ]

    # V
    chapter("beleidsveld", f"BELEIDSVELD: {doc.policy_field.upper()}")
    ises = []
    for n, ise_figs in enumerate(calculation.ises, start=1):
        ise = ise_figs.ise
        item: dict[str, Any] = {
            "h": outline.heading(f"{n}. ISE {ise.title.upper()}", 2, f"ise-{ise.key}"),
            "h_strategy": outline.heading(
                f"{n}.1. Strategische doelstellingen op het niveau van het inhoudelijk structuurelement",
                3,
                f"ise-{ise.key}-sd",
            ),
            "strategy": section(f"ise:{ise.key}:strategy", 3),
            "h_ods": outline.heading(f"{n}.2. Operationele doelstellingen", 3, f"ise-{ise.key}-od"),
        }
        ods = []
        for od in ise.ods:
            note_html, note_list = heading_note(od.footnote)
            ods.append(
                {
                    "h": outline.heading(f"OD {od.number}: {od.title}", 4, f"od-{od.number}"),
                    "note": note_html,
                    "text": section(f"ise:{ise.key}:{od.code}", 4, note_list),
                }
            )
        item["ods"] = ods
        item["h_kader"] = outline.heading(
            f"{n}.3. Budgettair kader voor het begrotingsjaar", 3, f"ise-{ise.key}-kader"
        )
        item["table"] = {
            "caption": f"{ise.title.upper()}, {ise.scope}" if ise.scope else ise.title.upper(),
            "groups": [f"{CREDIT_LABELS[c]} {doc.year}" for c in EXPENDITURE_CREDITS],
            "phases": [PHASE_LABELS[p] for p in PHASES],
            "corner": str(doc.year),
            "rows": [
                {"label": label, "esr": ESR_CATEGORY_LABELS[key], "cells": _six(ise_figs.rows[key])}
                for key, label, _aggregates in ESR_CATEGORIES
            ],
            "total": _six(ise_figs.shown, partial(sources.ise, ise.key) if sources else None),
        }
        if sources is not None:
            item["table"]["rows"] = [
                {
                    "label": label,
                    "esr": ESR_CATEGORY_LABELS[key],
                    "cells": _six(ise_figs.rows[key], partial(sources.ise_row, ise.key, key)),
                }
                for key, label, _aggregates in ESR_CATEGORIES
            ]
        item["charts"] = charts.get(ise.key, [])
        item["kader"] = section(f"ise:{ise.key}:kader", 3)
        item["h_entity"] = outline.heading(
            f"{n}.3.1. {ise.entity_heading}", 4, f"ise-{ise.key}-entiteit"
        )
        groups = []
        for title, receipt in (("Ontvangsten", True), ("Uitgaven", False)):
            arts = [a for a in ise_figs.articles if a.article.code.is_receipt is receipt]
            if not arts:
                continue
            groups.append(
                {
                    "h": outline.heading(title, 5, f"ise-{ise.key}-{title}", toc=False),
                    "articles": [
                        {
                            "h": outline.heading(
                                f"{a.code} – {a.article.title.upper()}", 6, a.code, toc=False
                            ),
                            "korte_inhoud": section(f"article:{a.code}:korte_inhoud", 6),
                            "table": execution_table(
                                a.credits,
                                receipt,
                                doc.year,
                                partial(sources.article, a.code) if sources else None,
                            ),
                            "toelichting": section(f"article:{a.code}:toelichting", 6),
                        }
                        for a in arts
                    ],
                }
            )
        item["groups"] = groups
        ises.append(item)
    ctx["ises"] = ises

    # VI
    chapter("afkortingen", "LIJST MET AFKORTINGEN")
    ctx["glossary"] = [{"term": e.term, "meaning": e.meaning} for e in used_entries(calculation)]

    # VII
    chapter(
        "regelgeving",
        "BIJLAGE ‘OVERZICHT BELEIDS- EN REGELGEVINGSINITIATIEVEN’",
        "BIJLAGE REGELGEVING",
    )
    entities: list[dict[str, Any]] = []
    for group in doc.annexes.regelgeving:
        if not entities or entities[-1]["name"] != group.entity:
            entities.append(
                {
                    "name": group.entity,
                    "h": outline.heading(
                        f"{len(entities) + 1}. {group.entity}",
                        2,
                        f"regelgeving-{group.entity}",
                        toc=False,
                    ),
                    "groups": [],
                }
            )
        groups_of = entities[-1]["groups"]
        groups_of.append(
            {
                "h": outline.heading(
                    f"{len(groups_of) + 1}. {group.title}",
                    3,
                    f"regelgeving-{group.title}",
                    toc=False,
                ),
                "regulations": [
                    {
                        "date": datum(r.date),
                        "kind": r.kind,
                        "title": r.title,
                        "staatsblad": datum(r.staatsblad) if r.staatsblad else "",
                    }
                    for r in group.items
                ],
            }
        )
    ctx["regelgeving"] = entities

    # VIII
    chapter(
        "resoluties",
        "BIJLAGE ‘OVERZICHT VAN DE RESOLUTIES EN MOTIES VAN HET VLAAMS PARLEMENT’",
        "BIJLAGE RESOLUTIES EN MOTIES",
    )
    ctx["resoluties"] = [
        {
            "h": outline.heading(res.title, 2, f"resolutie-{n}", toc=False),
            "authors": _and_list(res.authors),
            "reference": res.reference,
            "adopted": datum(res.adopted),
            "text": section(f"resolutie:{n}", 2),
        }
        for n, res in enumerate(doc.annexes.resoluties, start=1)
    ]

    # IX, X: Markdown items without data bindings
    from bbt.render.narrative import markdown

    chapter(
        "rekenhof",
        "BIJLAGE ‘OVERZICHT VAN DE AANBEVELINGEN VAN HET REKENHOF’",
        "BIJLAGE AANBEVELINGEN REKENHOF",
    )
    ctx["rekenhof"] = [notes.number(str(markdown(item.source)))[0] for item in doc.annexes.rekenhof]
    chapter(
        "arresten",
        "BIJLAGE ‘OVERZICHT VAN DE ARRESTEN VAN HET GRONDWETTELIJK HOF EN VAN HET HOF VAN JUSTITIE’",
        "BIJLAGE ARRESTEN",
    )
    ctx["arresten"] = [notes.number(str(markdown(item.source)))[0] for item in doc.annexes.arresten]

    # XI
    chapter("indicatoren", "BIJLAGE ‘ISE-indicatoren’")
    cards_by_ise = []
    values_ctx = global_ctx(calculation)

    def measurement(text: str, loc: Location) -> str:
        try:
            return render_value(text, values_ctx, loc)
        except NarrativeError as exc:
            raise RenderError([exc.finding]) from None

    for ise_figs in calculation.ises:
        ise = ise_figs.ise
        cards = []
        for ind in doc.indicators:
            if ind.ise != ise.key:
                continue
            note = ind.note
            if ind.source_url:
                note = f"{note}: {ind.source_url}" if note else ind.source_url
            cards.append(
                {
                    "id": ind.id,
                    "title": ind.title,
                    "measurements": [measurement(v, ind.loc) for v in ind.values],
                    "note": note,
                    "target": ind.target,
                    "definition": section(f"indicator:{ind.id}:definition", 3),
                    "source": section(f"indicator:{ind.id}:source", 3),
                    "frequency": ind.frequency,
                }
            )
        if cards:
            cards_by_ise.append(
                {
                    "h": outline.heading(
                        f"ISE {ise.title}", 2, f"indicatoren-{ise.key}", toc=False
                    ),
                    "cards": cards,
                }
            )
    ctx["indicators"] = cards_by_ise
    ctx["measurement_label"] = f"(CIJFER VOOR BBT BU {doc.year})"

    ctx["chapters"] = chapters
    ctx["toc"] = outline.entries
    return ctx


# -- rendering -------------------------------------------------------------------------------


def _template_finding(exc: BaseException, template_dir: Path, message: str) -> Finding:
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if not (name and line):
        import traceback

        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".j2", ".html", ".css")):
                name, line = frame.filename, frame.lineno
                break
    file = relpath(Path(name)) if name else relpath(template_dir / DOCUMENT_TEMPLATE)
    return Finding("BBT301", Severity.ERROR, Location(file, line or 0), message)


def render_html(calculation: Calculation, *, template_dir: Path, provenance: bool = False) -> str:
    """The complete document as one self-contained HTML string (byte-identical per input).

    ``provenance=True`` marks every figure with its source for the live preview (see
    :func:`document_ctx`); the published document is rendered without.

    Raises :class:`~bbt.errors.RenderError` (``BBT301``) when a template is missing, has a
    syntax error, refers to unknown data or tries to reach Python internals.
    """
    with gc_paused():
        return _render_html(calculation, template_dir, provenance)


def _render_html(calculation: Calculation, template_dir: Path, provenance: bool) -> str:
    ctx = document_ctx(calculation, provenance=provenance)
    env = make_environment(loader=FileSystemLoader(str(template_dir)), auto_reload=False)
    try:
        template = env.get_template(DOCUMENT_TEMPLATE)
        html = template.render(ctx)
    except TemplateNotFound as exc:
        raise RenderError(
            [
                Finding(
                    "BBT301",
                    Severity.ERROR,
                    Location(relpath(template_dir)),
                    f"template not found: {exc.name} (looked in {relpath(template_dir)})",
                )
            ]
        ) from None
    except TemplateSyntaxError as exc:
        raise RenderError(
            [_template_finding(exc, template_dir, f"template syntax error: {exc.message}")]
        ) from None
    except SecurityError as exc:
        raise RenderError(
            [
                _template_finding(
                    exc,
                    template_dir,
                    f"refused: {exc} (templates may only use the document's data)",
                )
            ]
        ) from None
    except (TemplateError, TypeError, ValueError, ArithmeticError) as exc:
        message = str(getattr(exc, "message", None) or exc)
        if "unsafe" in message:
            message = f"refused: {message} (templates may only use the document's data)"
        else:
            message = f"template error: {message}"
        raise RenderError([_template_finding(exc, template_dir, message)]) from None
    return html


__all__ = ["document_ctx", "render_html"]
