"""The whole document as one HTML file, from the outline and the templates.

Two steps, both free of file access inside the templates:

1. :class:`_Plain` walks the outline (:mod:`bbt.outline`) in document order and turns every
   part into *plain data* (dicts, lists, strings, :class:`~decimal.Decimal`,
   :class:`~bbt.money.Percent`, dates and rendered narrative :class:`~markupsafe.Markup`),
   numbering footnotes as it goes. No model object (they hold paths) reaches a template.
2. :func:`render_html` renders ``bbt/document.html.j2``, which walks the parts with one small
   template per kind (``bbt/parts/<kind>.html.j2``), in the same Jinja sandbox as the
   narrative (autoescape, ``StrictUndefined``, Dutch filters), and inlines the stylesheet, so
   the result is one self-contained file.

The outline decides order, numbers and headings; the templates only lay things out.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from markupsafe import Markup

from bbt.calculation import Calculation
from bbt.errors import Finding, Location, RenderError, Severity
from bbt.format import datum
from bbt.glossary import used_entries
from bbt.model import Document
from bbt.narrative import (
    NarrativeError,
    markdown,
    render_inline,
    render_value,
)
from bbt.outline import Heading, Outline, Part, Text, outline_of
from bbt.render.policy import check_narrative_html
from bbt.render.templates import render_template

DOCUMENT_TEMPLATE = "bbt/document.html.j2"
"""The entry template, relative to the template folder."""

_FOOTNOTE = re.compile(r'<span class="footnote">(.*?)</span>', re.S)
_HEADING = re.compile(r"<(/?)h([1-6])(\s[^>]*)?>")


class FigureSource(Protocol):
    """Says where figures come from, for the live preview's tooltips (``bbt serve``).

    ``cell`` marks a table figure by its origin (``("article", code, credit, phase)``, see
    :mod:`bbt.outline.build`); ``text`` renders a narrative with its figures marked.
    """

    def cell(self, value: Any, origin: tuple[str, ...]) -> Markup: ...

    def text(self, text: Text) -> Markup: ...


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


def nest(html: str, level: int) -> str:
    """Shift the narrative's own headings (``####``) so the highest becomes ``h<level+1>``."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels:
        return html
    shift = level + 1 - min(levels)

    def replace(match: re.Match[str]) -> str:
        level = min(6, max(1, int(match.group(2)) + shift))
        return f"<{match.group(1)}h{level}{match.group(3) or ''}>"

    return _HEADING.sub(replace, html)


class _Notes:
    """Numbers footnotes through the whole document.

    In the PDF a footnote is the ``<span class="footnote">`` at its reference point
    (``float: footnote``, numbered by WeasyPrint in the same order). On screen the span is
    hidden; a superscript link at the reference point leads to the numbered note printed
    under the part that holds it.
    """

    # Plain classes, not dataclasses: never compared or printed, and each dataclass costs
    # about a millisecond to create on every build.
    def __init__(self) -> None:
        self.count = 0

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


class _Plain:
    """Turns outline parts into plain data for the templates, in document order."""

    def __init__(
        self,
        outline: Outline,
        source: FigureSource | None = None,
        charts: dict[str, list[dict[str, object]]] | None = None,
    ) -> None:
        self.outline = outline
        self.source = source
        self.charts = charts if charts is not None else {}
        self.notes = _Notes()
        self.pending: list[dict[str, object]] = []
        """Notes of a heading, printed with the notes of the text that follows it."""

    def part(self, part: Part) -> dict[str, object]:
        plain: dict[str, object] = {
            "kind": part.kind,
            "key": part.key,
            "heading": self.heading(part.heading),
            "label": part.label,
            "data": self.data(part),
        }
        plain["text"] = self.text(part.text)
        plain["table"] = self.table(part.table)
        plain["children"] = [self.part(child) for child in part.children]
        return plain

    def heading(self, heading: Heading | None) -> dict[str, object] | None:
        if heading is None:
            return None
        note = Markup("")
        if heading.note.strip():
            note, found = self.notes.number(
                f'<span class="footnote">{render_inline(heading.note)}</span>'
            )
            self.pending.extend(found)
        return {
            "id": heading.anchor,
            "text": heading.text,
            "level": heading.level,
            "running": heading.running,
            "style": heading.style,
            "note": note,
        }

    def text(self, text: Text | None) -> dict[str, object] | None:
        if text is None:
            return None
        try:
            if text.inline:
                value = render_value(text.narrative.source, text.context, text.narrative.loc)
                self.confine(str(value), text)
                return {"html": value}
            html = markdown(self.outline.expanded(text)) if text.narrative else Markup("")
        except NarrativeError as exc:
            raise RenderError([exc.finding]) from None
        self.confine(str(html), text)
        if self.source is not None:
            html = self.source.text(text)
        numbered, notes = self.notes.number(nest(str(html), text.level))
        notes, self.pending = self.pending + notes, []
        return {"html": numbered, "notes": notes}

    def confine(self, html: str, text: Text) -> None:
        """A narrative may refer only to files of its own budget folder (BBT204)."""
        root = self.outline.calculation.document.root
        refused = check_narrative_html(html, text.narrative, root)
        if refused:
            raise RenderError(refused)

    def table(self, table: dict[str, object] | None) -> dict[str, object] | None:
        if table is None:
            return None
        return {key: self.cells(value) for key, value in table.items()}

    def cells(self, value: object) -> object:
        """Table figures: a Decimal (printed as an amount), or marked with its source."""
        if isinstance(value, dict) and "origin" in value:
            if self.source is None:
                return value["value"]
            return self.source.cell(value["value"], value["origin"])
        if isinstance(value, dict):
            return {k: self.cells(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.cells(v) for v in value]
        return value

    def data(self, part: Part) -> dict[str, object]:
        data = dict(part.data)
        if part.kind == "charts":
            data["charts"] = self.charts.get(str(part.data["ise"]), [])
        elif part.kind == "annex_item":
            data["html"] = self.notes.number(str(markdown(str(part.data["markdown"]))))[0]
        elif part.kind == "glossary":
            data["entries"] = [
                {"term": e.term, "meaning": e.meaning} for e in used_entries(self.outline)
            ]
        return data


def _document_date(calculation: Calculation) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the document's own date."""
    return source_date(document_day(calculation.document))


def document_day(document: Document) -> dt.date:
    """The document's date, or 1 January after its budget year when it names none."""
    return document.date or dt.date(document.year + 1, 1, 1)


def source_date(day: dt.date) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set (reproducible builds), else midnight UTC of ``day``.

    An epoch that is not a Unix time (whole seconds since 1970, before the year 10000) is a
    BBT305 error rather than silently ignored: a build meant to be reproducible would not be.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is not None and raw.strip():
        epoch = raw.strip()
        if epoch.isascii() and epoch.isdigit() and int(epoch) < 253402300800:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        message = (
            f"SOURCE_DATE_EPOCH={raw[:40]!r} is not a Unix time (whole seconds since 1970); "
            "fix it or unset it"
        )
        raise RenderError(
            [Finding("BBT305", Severity.ERROR, Location("SOURCE_DATE_EPOCH"), message)]
        )
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def document_ctx(
    outline: Outline, source: FigureSource | None = None, draft: bool = False
) -> dict[str, Any]:
    """Everything the templates show, as plain data; narrative already rendered to HTML.

    ``draft`` marks a document built on purpose while texts are still drafts (ONTWERP).
    """
    calculation = outline.calculation
    doc = calculation.document
    charts: dict[str, list[dict[str, object]]] = {}
    if any(part.kind == "charts" for part in outline.walk()):
        from bbt.render.kept_charts import document_charts

        charts = document_charts(calculation)
    plain = _Plain(outline, source, charts)
    chapters = [plain.part(chapter) for chapter in outline.chapters]
    created = _document_date(calculation)
    return {
        "doc": {
            "title": doc.title,
            "subtitle": doc.subtitle,
            "year": str(doc.year),
            "policy_field": doc.policy_field,
            "programme": f"{doc.programme_code} – {doc.programme_title}",
            "department": doc.department,
            "minister": {
                "name": doc.minister.name,
                "role": doc.minister.role,
                "title": doc.minister.title or doc.minister.role,
            },
            "stamp": doc.stamp,
            "date": datum(doc.date) if doc.date else "",
            "parliament": {
                "stuk": doc.parliament.stuk,
                "session": doc.parliament.session,
                "submitted": datum(doc.parliament.submitted) if doc.parliament.submitted else "",
            },
            "draft": draft,
            "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "toc": [{"id": h.anchor, "text": h.text, "level": h.level} for h in outline.toc()],
        "chapters": chapters,
    }


def render_html(
    document: Outline | Calculation,
    *,
    template_dir: Path,
    source: FigureSource | None = None,
    draft: bool = False,
) -> str:
    """The complete document as one self-contained HTML string (byte-identical per input).

    ``document`` is the outline (as the pipeline builds it once), or a calculation to build
    it from.

    ``source`` marks every figure with where it comes from, for the live preview; the
    published document is rendered without. ``draft`` stamps the document ONTWERP.

    Raises :class:`~bbt.errors.RenderError` (``BBT301``) when a template is missing, has a
    syntax error, refers to unknown data or tries to reach Python internals.
    """
    outline = document if isinstance(document, Outline) else outline_of(document)
    with gc_paused():
        ctx = document_ctx(outline, source, draft)
        return render_template(DOCUMENT_TEMPLATE, ctx, template_dir)


__all__ = ["FigureSource", "document_ctx", "render_html", "source_date"]
