"""Narrative: Markdown with Jinja expressions bound to the data, rendered in a sandbox.

Writers cite figures as expressions (``{{ vak.bu }} keuro``, ``{{ vak.benutting }}``) instead of
typing numbers. Each narrative is rendered with a context of plain data (dicts, Decimals,
:class:`~bbt.calc.Percent`): no model object with methods that reach files or Python internals
is ever handed to a template, and the Jinja sandbox refuses ``__class__`` and friends on top.

Which names a narrative may use depends on where it stands (docs/format.md, "Expressions"):

* everywhere: ``year``, ``programme.vak.bu``, ``ises['activering'].vak.bu``,
  ``art['JB0-1JEC2HA-WT'].vek.bu``;
* in an ISE text: ``ise.vak.ba``, ``ise.index.vak``, ``ise.realloc.vek``, ``ise.rows.overige.vak.ba``;
* in an article text: ``vak.ba``, ``vak.ba_jr``, ``vak.bu``, ``vak.benutting``, ``vak.delta``,
  ``accruals.vak``, ``index.vak``, ``realloc.vek``, ``mv.<id>.vak``, ``figures.<name>.vak`` or
  ``figures.<name>`` (a figure without credit type).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin

from bbt.calculation import ArticleFigures, Calculation, Figures, IseFigures
from bbt.errors import Finding, Location, Severity
from bbt.format import FILTERS, bedrag, procent
from bbt.model import Narrative
from bbt.money import Percent


def finalize(value: object) -> object:
    """How a bare ``{{ expression }}`` prints: amounts and percentages in Dutch."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int):
        return bedrag(value)
    if isinstance(value, Percent):
        return procent(value)
    if isinstance(value, dict):
        raise NarrativeValueError(
            "an expression names a group of figures, not one figure "
            f"(it has {', '.join(map(str, value))}); add one of them, e.g. .{next(iter(value), 'vak')}"
        )
    return value


class NarrativeValueError(ValueError):
    """An expression that does not end on a single figure."""


def make_environment(**options: Any) -> ImmutableSandboxedEnvironment:
    """The sandbox every user-supplied text and template is rendered in."""
    env = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=StrictUndefined,
        finalize=finalize,
        keep_trailing_newline=True,
        **options,
    )
    env.filters.update(FILTERS)
    return env


_ENV = make_environment()

# Markdown: CommonMark without raw HTML (narrative cannot inject markup), with footnotes and tables.
_MD = MarkdownIt("commonmark", {"html": False}).use(footnote_plugin).enable("table")
_RENDERER: RendererHTML = _MD.renderer  # type: ignore[assignment]


# -- contexts ---------------------------------------------------------------------------


def figures_ctx(f: Figures) -> dict[str, object]:
    return {
        "ba": f.ba,
        "ba_jr": f.ba_jr,
        "bu": f.bu,
        "benutting": f.benutting,
        "delta": f.delta,
        "onderbenutting": f.onderbenutting,
    }


def article_ctx(a: ArticleFigures) -> dict[str, object]:
    article = a.article
    figures: dict[str, object] = {}
    for name, fig in article.figures.items():
        figures[name] = fig.amounts["value"] if set(fig.amounts) == {"value"} else dict(fig.amounts)
    ctx: dict[str, object] = {
        "code": article.code.text,
        "title": article.title,
        "accruals": dict(article.accruals),
        "index": dict(a.index),
        "realloc": dict(a.realloc),
        "mv": {k: dict(v) for k, v in a.mv.items()},
        "figures": figures,
    }
    for credit, figs in a.credits.items():
        ctx[credit] = figures_ctx(figs)
    return ctx


def ise_ctx(i: IseFigures) -> dict[str, object]:
    ctx: dict[str, object] = {
        "key": i.ise.key,
        "title": i.ise.title,
        "index": dict(i.index),
        "realloc": dict(i.realloc),
        "rows": {k: {c: figures_ctx(f) for c, f in row.items()} for k, row in i.rows.items()},
        "computed": {c: figures_ctx(f) for c, f in i.computed.items()},
        "receipts": {c: figures_ctx(f) for c, f in i.receipts.items()},
    }
    for credit, figs in i.shown.items():
        ctx[credit] = figures_ctx(figs)
    return ctx


def contingent_ctx(calculation: Calculation) -> dict[str, dict[str, dict[str, object]]]:
    """``contingent['cmw']['2023'].percent``: the register's fill rates for all of Flanders."""
    register = calculation.document.register
    if register is None:
        return {}
    from bbt.contingent import ContingentError, fill_rate

    out: dict[str, dict[str, dict[str, object]]] = {}
    for measure in register.measures.values():
        for period in dict.fromkeys(e.period.text for e in measure.entries):
            try:
                rate = fill_rate(register, measure.key, period)
            except ContingentError:
                continue
            out.setdefault(measure.key, {})[period] = {
                "filled": rate.filled,
                "allocated": rate.allocated,
                "percent": rate.percent,
            }
    return out


def global_ctx(calculation: Calculation) -> dict[str, object]:
    return {
        "year": calculation.document.year,
        "contingent": contingent_ctx(calculation),
        "programme": {c: figures_ctx(f) for c, f in calculation.programme.items()},
        "ises": {i.ise.key: ise_ctx(i) for i in calculation.ises},
        "art": {code: article_ctx(a) for code, a in calculation.articles.items()},
    }


@dataclass(frozen=True)
class Piece:
    """One narrative with the context it is rendered in.

    Attributes:
        key: where it belongs (``article:JB0-1JEC2HA-WT:toelichting``, ``ise:activering:kader``).
        narrative: the text.
        context: names the text may use.
        local: the figures of its own section (article, ISE or programme), for the prose checks.
    """

    key: str
    narrative: Narrative
    context: dict[str, object]
    local: dict[str, object]


def pieces(calculation: Calculation) -> Iterator[Piece]:
    """Every narrative of the document, in document order, with its context."""
    doc = calculation.document
    base = global_ctx(calculation)
    programme_local = {"programme": base["programme"], "year": doc.year}
    for key, narrative in doc.chapters.items():
        yield Piece(f"chapter:{key}", narrative, base, programme_local)
    for sd in doc.sds:
        yield Piece(f"sd:{sd.code}", sd.text, base, programme_local)
    for i in calculation.ises:
        ictx = ise_ctx(i)
        context = {**base, "ise": ictx}
        # An ISE text may cite its articles' movements and figures: they are its own section too.
        local = {"ise": ictx, "art": {a.code: article_ctx(a) for a in i.articles}, "year": doc.year}
        yield Piece(f"ise:{i.ise.key}:strategy", i.ise.strategy, context, local)
        for od in i.ise.ods:
            yield Piece(f"ise:{i.ise.key}:{od.code}", od.text, context, local)
        yield Piece(f"ise:{i.ise.key}:kader", i.ise.kader, context, local)
        for a in i.articles:
            actx = article_ctx(a)
            context = {**base, "ise": ictx, "article": actx, **actx}
            alocal = {**actx, "year": doc.year}
            yield Piece(f"article:{a.code}:korte_inhoud", a.article.korte_inhoud, context, alocal)
            yield Piece(f"article:{a.code}:toelichting", a.article.toelichting, context, alocal)
    for n, res in enumerate(doc.annexes.resoluties, start=1):
        yield Piece(f"resolutie:{n}", res.text, base, programme_local)
    for ind in doc.indicators:
        yield Piece(f"indicator:{ind.id}:definition", ind.definition, base, programme_local)
        yield Piece(f"indicator:{ind.id}:source", ind.source, base, programme_local)


# -- rendering ------------------------------------------------------------------------------


class NarrativeError(Exception):
    """A narrative failed to render; ``finding`` says where and why."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


def _template_line(exc: BaseException, name: str) -> int:
    line = getattr(exc, "lineno", None)
    if isinstance(line, int) and line:
        return line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == name and frame.lineno:
            return frame.lineno
    return 1


def expand(narrative: Narrative, context: dict[str, object]) -> str:
    """Evaluate the Jinja expressions of a narrative; the result is Markdown source."""
    loc = narrative.loc
    name = f"{loc.file}@{loc.line}"
    try:
        template = _ENV.from_string(narrative.source)
        template.name = template.filename = name  # so tracebacks point into this text
        return template.render(context)
    except TemplateSyntaxError as exc:
        raise _error(
            loc, exc.lineno or 1, "BBT201", f"template syntax error: {exc.message}"
        ) from None
    except SecurityError as exc:
        raise _error(
            loc,
            _template_line(exc, name),
            "BBT203",
            f"refused: {exc} (narrative may only use the budget's figures)",
        ) from None
    except UndefinedError as exc:
        message = str(exc.message or exc)
        if "unsafe" in message:
            raise _error(
                loc,
                _template_line(exc, name),
                "BBT203",
                f"refused: {message} (narrative may only use the budget's figures)",
            ) from None
        raise _error(
            loc,
            _template_line(exc, name),
            "BBT202",
            f"expression refers to unknown data: {message}",
        ) from None
    except NarrativeValueError as exc:
        raise _error(loc, _template_line(exc, name), "BBT202", str(exc)) from None
    except (TemplateError, TypeError, ArithmeticError, ValueError) as exc:
        raise _error(
            loc, _template_line(exc, name), "BBT202", f"expression failed: {exc}"
        ) from None


def _error(loc: Location, line: int, code: str, message: str) -> NarrativeError:
    return NarrativeError(Finding(code, Severity.ERROR, loc.at_line(line - 1), message))


def _footnote_bodies(tokens: list[Token]) -> tuple[list[Token], dict[int, str]]:
    """Split the footnote block off; return the remaining tokens and each footnote's inline HTML."""
    bodies: dict[int, str] = {}
    kept: list[Token] = []
    current: int | None = None
    inside = False
    parts: list[str] = []
    for token in tokens:
        if token.type == "footnote_block_open":
            inside = True
            continue
        if token.type == "footnote_block_close":
            inside = False
            continue
        if not inside:
            kept.append(token)
            continue
        if token.type == "footnote_open":
            current, parts = int(token.meta["id"]), []
        elif token.type == "footnote_close" and current is not None:
            bodies[current] = " ".join(parts)
            current = None
        elif token.type == "inline" and current is not None:
            children = [c for c in (token.children or []) if c.type != "footnote_anchor"]
            parts.append(_RENDERER.renderInline(children, _MD.options, {}).strip())
    return kept, bodies


def markdown(source: str) -> Markup:
    """Markdown to HTML. A footnote becomes ``<span class="footnote">`` at its reference.

    The span carries the note's text so the PDF can float it to the page bottom
    (``float: footnote``) and the HTML can show it as a numbered note.
    """
    env: dict[str, object] = {}
    tokens = _MD.parse(source, env)
    tokens, bodies = _footnote_bodies(tokens)
    for i, token in enumerate(tokens[:-1]):
        if token.type == "heading_open":
            # The PDF bookmark of a heading in the text: its words, without footnote calls.
            words = "".join(
                c.content for c in tokens[i + 1].children or [] if c.type in ("text", "code_inline")
            )
            token.attrSet("data-bookmark", words.strip())
    for token in tokens:
        for child in token.children or []:
            if child.type == "footnote_ref":
                ident = int(child.meta["id"])
                child.type = "html_inline"
                child.content = f'<span class="footnote">{bodies.get(ident, "")}</span>'
    html = _MD.renderer.render(tokens, _MD.options, env)
    return Markup(html)


def render(narrative: Narrative, context: dict[str, object]) -> Markup:
    """Expand expressions, then Markdown: the HTML of one narrative (empty when there is none)."""
    if not narrative:
        return Markup("")
    return markdown(expand(narrative, context))


def render_value(text: str, context: dict[str, object], loc: Location) -> Markup:
    """A short value that may be an expression (an indicator's latest measurement), as HTML."""
    if "{" not in text:
        return Markup.escape(text)
    # The sandbox autoescapes: what expand() returns is already safe HTML.
    return Markup(expand(Narrative(text, loc), context))


def render_inline(text: str) -> Markup:
    """Inline Markdown (a footnote on a heading, a table cell) to HTML without a paragraph."""
    return Markup(_MD.renderInline(text))
