"""Build the outline tree from the calculation and the outline definition.

The definition (``execution.yaml``, overridable per document) gives the chapters' order,
titles and running headers; the builders here turn each chapter ``kind`` into parts. This is
the only place that orders and numbers the document: chapter numerals, ``1.3.1.`` section
numbers, heading levels and anchors. An absent optional part is left out, and the numbers
of its siblings close up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from bbt.article_codes import ESR_CATEGORIES, ESR_CATEGORY_LABELS
from bbt.calculation import ArticleFigures, Calculation, Figures, IseFigures
from bbt.errors import Finding
from bbt.load.nodes import plain
from bbt.load.yamlsrc import parse_yaml_text
from bbt.model import (
    CREDIT_LABELS,
    EXPENDITURE_CREDITS,
    PHASE_LABELS,
    PHASES,
    RECEIPT_CREDITS,
    Document,
    Narrative,
)
from bbt.narrative.context import ContextProvider, article_ctx, global_ctx, ise_ctx
from bbt.outline.tree import Heading, Outline, Part, Text

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV")


@cache
def default_definition() -> dict[str, Any]:
    """The shipped outline of an execution BBT (``bbt/outline/execution.yaml``)."""
    text = Path(__file__).with_name("execution.yaml").read_text(encoding="utf-8")
    findings: list[Finding] = []
    # through bbt's own reader: its tree is kept in the cache like a budget file's
    node = parse_yaml_text(text, "bbt/outline/execution.yaml", findings)
    if node is None or findings:  # pragma: no cover - the shipped file is tested
        raise ValueError(f"bbt/outline/execution.yaml: {findings}")
    definition: dict[str, Any] = plain(node)
    return definition


def definition_for(document: Document) -> dict[str, Any]:
    """The outline definition with the document's own titles laid over it."""
    base = default_definition()
    chapters = []
    for chapter in base["chapters"]:
        own = document.outline.get(chapter["key"])
        titles = {"title": own.title, "running": own.running} if own else {}
        chapters.append({**chapter, **{k: v for k, v in titles.items() if v}})
    return {**base, "chapters": chapters}


class _Anchors:
    """Hands out unique heading ids (``h-`` and a slug of the heading's key)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def heading(self, text: str, level: int, slug: str, **extra: Any) -> Heading:
        ident = base = "h-" + re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-")
        n = 1
        while ident in self.used:
            n += 1
            ident = f"{base}-{n}"
        self.used.add(ident)
        return Heading(text, level, ident, **extra)


class _Builder:
    # Plain classes, not dataclasses: a builder is never compared or printed, and each
    # dataclass costs about a millisecond to create on every start of bbt.
    def __init__(self, calculation: Calculation, context: dict[str, object]) -> None:
        self.calculation = calculation
        self.context = context
        self.anchors = _Anchors()

    @property
    def doc(self) -> Document:
        return self.calculation.document

    def programme_local(self) -> dict[str, object]:
        return {"programme": self.context["programme"], "year": self.context["year"]}

    def text(
        self,
        key: str,
        narrative: Narrative,
        level: int,
        context: dict[str, object] | None = None,
        local: dict[str, object] | None = None,
        label: str = "",
    ) -> Part:
        """A text part (the checks read it even when empty; it renders nothing then)."""
        text = Text(
            key,
            narrative,
            self.context if context is None else context,
            self.programme_local() if local is None else local,
            level,
        )
        return Part("text", key, text=text, label=label)

    # -- chapters -----------------------------------------------------------------------

    def chapter(self, spec: Mapping[str, Any], numeral: str) -> Part:
        title = str(spec["title"]).replace("{policy_field}", self.doc.policy_field.upper())
        running = str(spec.get("running") or title)
        heading = self.anchors.heading(
            f"{numeral}. {title}", 1, f"{numeral}-{spec['key']}", running=f"{numeral}. {running}"
        )
        part = Part("chapter", f"chapter:{spec['key']}", heading=heading)
        part.data = {"annex": spec["kind"] in _ANNEXES, "nvt": spec["kind"] in _ANNEXES}
        part.children = _BUILDERS[spec["kind"]](self, spec)
        return part

    def introduction(self, spec: Mapping[str, Any]) -> list[Part]:
        return [
            self.text("chapter:inleiding", self.doc.chapters.get("inleiding", Narrative("")), 1),
            Part("signature", "signature", data={"name": self.doc.minister.name}),
        ]

    def summary(self, spec: Mapping[str, Any]) -> list[Part]:
        table = programme_table(self.calculation)
        return [
            Part("simple_table", "programme:table", table=table, data={"style": "programme"}),
            self.text(
                "chapter:samenvatting", self.doc.chapters.get("samenvatting", Narrative("")), 1
            ),
        ]

    def objectives(self, spec: Mapping[str, Any]) -> list[Part]:
        titles = spec["sections"]
        parts = []
        for n, key in enumerate(("transversaal", "overkoepelend"), start=1):
            heading = self.anchors.heading(f"{n}. {titles[key]}", 2, key)
            parts.append(Part("section", f"section:{key}", heading=heading))
            parts.append(self.text(f"chapter:{key}", self.doc.chapters.get(key, Narrative("")), 2))
        for sd in self.doc.sds:
            heading = self.anchors.heading(f"SD {sd.number}: {sd.title}", 3, f"sd-{sd.number}")
            parts.append(Part("section", f"sd:{sd.code}", heading=heading))
            parts.append(self.text(f"sd:{sd.code}", sd.text, 3))
        return parts

    def policy_field(self, spec: Mapping[str, Any]) -> list[Part]:
        return [
            self.ise(n, ise_figs, spec["sections"])
            for n, ise_figs in enumerate(self.calculation.ises, start=1)
        ]

    def ise(self, n: int, figs: IseFigures, titles: Mapping[str, str]) -> Part:
        ise = figs.ise
        context = {**self.context, "ise": ise_ctx(figs)}
        # An ISE text may cite its articles' movements and figures: they are its own section too.
        local = {
            "ise": context["ise"],
            "art": {a.code: article_ctx(a) for a in figs.articles},
            "year": self.context["year"],
        }
        heading = self.anchors.heading(f"{n}. ISE {ise.title.upper()}", 2, f"ise-{ise.key}")
        part = Part("ise", f"ise:{ise.key}", heading=heading)
        sections = _Numbers(f"{n}.")
        if ise.strategy:
            strategy = self.anchors.heading(
                f"{sections.next()} {titles['strategy']}", 3, f"ise-{ise.key}-sd"
            )
            part.children += [
                Part("section", f"ise:{ise.key}:sd", heading=strategy),
                self.text(f"ise:{ise.key}:strategy", ise.strategy, 3, context, local),
            ]
        if ise.ods:
            ods = self.anchors.heading(f"{sections.next()} {titles['ods']}", 3, f"ise-{ise.key}-od")
            part.children.append(Part("section", f"ise:{ise.key}:ods", heading=ods))
        for od in ise.ods:
            heading = self.anchors.heading(
                f"OD {od.number}: {od.title}", 4, f"od-{od.number}", note=od.footnote
            )
            part.children += [
                Part("section", f"od:{od.code}", heading=heading),
                self.text(f"ise:{ise.key}:{od.code}", od.text, 4, context, local),
            ]
        part.children += self.kader(figs, sections.next(), titles, context, local)
        return part

    def kader(
        self,
        figs: IseFigures,
        number: str,
        titles: Mapping[str, str],
        context: dict[str, object],
        local: dict[str, object],
    ) -> list[Part]:
        ise = figs.ise
        heading = self.anchors.heading(f"{number} {titles['kader']}", 3, f"ise-{ise.key}-kader")
        parts = [
            Part("section", f"ise:{ise.key}:kader-heading", heading=heading),
            Part("ise_table", f"ise:{ise.key}:table", table=ise_table(figs, self.doc.year)),
            self.text(
                f"ise:{ise.key}:kader", ise.kader, 3, context, local, label=titles["toelichting"]
            ),
        ]
        if self.doc.settings.charts:
            parts.append(Part("charts", f"ise:{ise.key}:charts", data={"ise": ise.key}))
        if ise.entity_heading:
            entity = self.anchors.heading(
                f"{number}1. {ise.entity_heading}", 4, f"ise-{ise.key}-entiteit"
            )
            parts.append(Part("section", f"ise:{ise.key}:entity", heading=entity))
        # "Ontvangsten"/"Uitgaven" sit below the entity heading (n.3.1) when there is one, else
        # directly below n.3: a heading level is never skipped (WCAG 1.3.1, PDF/UA 7.4.2).
        level = 5 if ise.entity_heading else 4
        for title_key, receipt in (("receipts", True), ("expenditure", False)):
            arts = [a for a in figs.articles if a.article.code.is_receipt is receipt]
            if not arts:
                continue
            title = titles[title_key]
            heading = self.anchors.heading(
                title, level, f"ise-{ise.key}-{title}", toc=False, style="group"
            )
            group = Part("section", f"ise:{ise.key}:{title_key}", heading=heading)
            group.children = [self.article(a, context, titles, level + 1) for a in arts]
            parts.append(group)
        return parts

    def article(
        self, a: ArticleFigures, ise_context: dict[str, object], titles: Any, level: int = 6
    ) -> Part:
        actx = article_ctx(a)
        context = {**ise_context, "article": actx, **actx}
        local = {**actx, "year": self.context["year"]}
        heading = self.anchors.heading(
            f"{a.code} – {a.article.title.upper()}", level, a.code, toc=False, style="article-title"
        )
        table = execution_table(a.credits, a.article.code.is_receipt, self.doc.year, a.code)
        return Part(
            "article",
            f"article:{a.code}",
            heading=heading,
            children=[
                self.text(
                    f"article:{a.code}:korte_inhoud",
                    a.article.korte_inhoud,
                    level,
                    context,
                    local,
                    label=titles["korte_inhoud"],
                ),
                Part("execution_table", f"article:{a.code}:table", table=table),
                self.text(
                    f"article:{a.code}:toelichting",
                    a.article.toelichting,
                    level,
                    context,
                    local,
                    label=titles["toelichting"],
                ),
            ],
        )

    def glossary(self, spec: Mapping[str, Any]) -> list[Part]:
        # The entries the document uses are decided when it is rendered (bbt.glossary).
        return [Part("glossary", "glossary")]

    def regulations(self, spec: Mapping[str, Any]) -> list[Part]:
        entities: list[Part] = []
        for group in self.doc.annexes.regelgeving:
            if not entities or entities[-1].data["name"] != group.entity:
                heading = self.anchors.heading(
                    f"{len(entities) + 1}. {group.entity}",
                    2,
                    f"regelgeving-{group.entity}",
                    toc=False,
                )
                entity = Part("section", f"regelgeving:{group.entity}", heading=heading)
                entity.data = {"name": group.entity}
                entities.append(entity)
            siblings = entities[-1].children
            heading = self.anchors.heading(
                f"{len(siblings) + 1}. {group.title}", 3, f"regelgeving-{group.title}", toc=False
            )
            siblings.append(
                Part(
                    "regulations",
                    f"regelgeving:{group.entity}:{group.title}",
                    heading=heading,
                    data={"regulations": list(group.items)},
                )
            )
        return entities

    def resolutions(self, spec: Mapping[str, Any]) -> list[Part]:
        parts = []
        for n, res in enumerate(self.doc.annexes.resoluties, start=1):
            heading = self.anchors.heading(
                res.title, 2, f"resolutie-{n}", toc=False, style="resolution-title"
            )
            part = Part("resolution", f"resolutie:{n}", heading=heading)
            part.data = {
                "authors": list(res.authors),
                "reference": res.reference,
                "adopted": res.adopted,
            }
            part.children = [self.text(f"resolutie:{n}", res.text, 2)]
            parts.append(part)
        return parts

    def annex_items(self, spec: Mapping[str, Any]) -> list[Part]:
        items = getattr(self.doc.annexes, spec["key"])
        return [
            Part("annex_item", f"{spec['key']}:{n}", data={"markdown": item.source})
            for n, item in enumerate(items, start=1)
        ]

    def indicators(self, spec: Mapping[str, Any]) -> list[Part]:
        groups = []
        for ise_figs in self.calculation.ises:
            ise = ise_figs.ise
            cards = [self.card(ind) for ind in self.doc.indicators if ind.ise == ise.key]
            if not cards:
                continue
            heading = self.anchors.heading(
                f"ISE {ise.title}", 2, f"indicatoren-{ise.key}", toc=False, style="indicator-ise"
            )
            groups.append(
                Part("section", f"indicatoren:{ise.key}", heading=heading, children=cards)
            )
        return groups

    def card(self, ind: Any) -> Part:
        note = ind.note
        if ind.source_url:
            note = f"{note}: {ind.source_url}" if note else ind.source_url
        values = [
            Part(
                "measurement",
                f"indicator:{ind.id}:value:{n}",
                text=Text(
                    f"indicator:{ind.id}:value:{n}",
                    Narrative(value, ind.loc),
                    self.context,
                    self.programme_local(),
                    3,
                    inline=True,
                ),
            )
            for n, value in enumerate(ind.values)
        ]
        return Part(
            "indicator_card",
            f"indicator:{ind.id}",
            data={
                "id": ind.id,
                "title": ind.title,
                "note": note,
                "target": ind.target,
                "frequency": ind.frequency,
                "measurement_label": f"(CIJFER VOOR BBT BU {self.doc.year})",
            },
            children=[
                *values,
                self.text(f"indicator:{ind.id}:definition", ind.definition, 3),
                self.text(f"indicator:{ind.id}:source", ind.source, 3),
            ],
        )


_ANNEXES = frozenset({"regulations", "resolutions", "annex_items", "indicators"})

_BUILDERS: dict[str, Callable[[_Builder, Mapping[str, Any]], list[Part]]] = {
    "introduction": _Builder.introduction,
    "summary": _Builder.summary,
    "objectives": _Builder.objectives,
    "policy_field": _Builder.policy_field,
    "glossary": _Builder.glossary,
    "regulations": _Builder.regulations,
    "resolutions": _Builder.resolutions,
    "annex_items": _Builder.annex_items,
    "indicators": _Builder.indicators,
}
"""Which builder makes the parts of each chapter kind of the outline definition."""


class _Numbers:
    """Section numbers under a prefix: ``1.1.``, ``1.2.``, ..."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n}."


# -- tables (plain data: Decimals with where each comes from) ---------------------------------


def _phase_label(phase: str, year: int) -> str:
    return f"{PHASE_LABELS[phase]} {year}"


def _cells(
    figures: Mapping[str, Figures], credits: Iterable[str], origin: tuple[str, ...]
) -> list[dict[str, object]]:
    """Table cells: each figure with its origin, ``(*origin, credit, phase)``."""
    return [
        {"value": figures[c].get(p), "origin": (*origin, c, p)} for c in credits for p in PHASES
    ]


def programme_table(calculation: Calculation) -> dict[str, object]:
    doc = calculation.document
    credits = (*RECEIPT_CREDITS, *EXPENDITURE_CREDITS)
    return {
        "caption": f"PROGRAMMA {doc.programme_code} – {doc.programme_title.upper()}",
        "columns": [CREDIT_LABELS[c] for c in credits],
        "rows": [
            {
                "label": _phase_label(p, doc.year),
                "cells": [
                    {"value": calculation.programme[c].get(p), "origin": ("programme", c, p)}
                    for c in credits
                ],
            }
            for p in PHASES
        ],
    }


def execution_table(
    credits: Mapping[str, Figures], receipt: bool, year: int, code: str
) -> dict[str, object]:
    """The "Begrotingsuitvoering" table of one article."""
    if receipt:
        return {
            "kind": "receipts",
            "columns": [CREDIT_LABELS[c] for c in RECEIPT_CREDITS],
            "rows": [
                {
                    "label": _phase_label(p, year),
                    "cells": [
                        {"value": credits[c].get(p), "origin": ("article", code, c, p)}
                        for c in RECEIPT_CREDITS
                    ],
                }
                for p in PHASES
            ],
        }
    return {
        "kind": "expenditure",
        "groups": [CREDIT_LABELS[c] for c in EXPENDITURE_CREDITS],
        "phases": [_phase_label(p, year) for p in PHASES],
        "rows": [
            {"label": "Uitgaven", "cells": _cells(credits, EXPENDITURE_CREDITS, ("article", code))}
        ],
    }


def ise_table(figs: IseFigures, year: int) -> dict[str, object]:
    """The budgettair kader of one ISE: rows by ESR category, the total as shown."""
    ise = figs.ise
    return {
        "caption": f"{ise.title.upper()}, {ise.scope}" if ise.scope else ise.title.upper(),
        "groups": [f"{CREDIT_LABELS[c]} {year}" for c in EXPENDITURE_CREDITS],
        "phases": [PHASE_LABELS[p] for p in PHASES],
        "corner": str(year),
        "rows": [
            {
                "label": label,
                "esr": ESR_CATEGORY_LABELS[key],
                "cells": _cells(figs.rows[key], EXPENDITURE_CREDITS, ("ise_row", ise.key, key)),
            }
            for key, label, _aggregates in ESR_CATEGORIES
        ],
        "total": _cells(figs.shown, EXPENDITURE_CREDITS, ("ise", ise.key)),
    }


def build_outline(calculation: Calculation, providers: Iterable[ContextProvider] = ()) -> Outline:
    """The document as a tree, numbered, from the outline definition and the calculation.

    ``providers`` add names to every narrative's context (extensions, e.g. contingents).
    """
    context = global_ctx(calculation, providers)
    builder = _Builder(calculation, context)
    definition = definition_for(calculation.document)
    first = ROMAN.index(definition.get("first_numeral", "II"))
    chapters = [
        builder.chapter(spec, ROMAN[first + n]) for n, spec in enumerate(definition["chapters"])
    ]
    return Outline(calculation, chapters, context)
