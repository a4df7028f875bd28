"""Where every figure of the document comes from, for the hover tooltips of ``bbt serve``.

A figure is either *read* from the data (its ``file:line``: :attr:`bbt.model.Series.locs`,
``Movement.loc``, ``Figure.loc``, ``Published.locs``) or *computed* (its formula with the
numbers: ``Σ 5 artikels: 552.289 + 4.499 + … = 635.306``, ``BU / BA-JR = 552.289 / 588.293``).

Two uses, both only when :func:`bbt.render.html.render_html` is given a :class:`Sources` (it
implements :class:`bbt.render.html.FigureSource`):

* table cells: :meth:`Sources.cell` wraps a figure in ``<span class="src" title=…
  data-source=…>``, knowing it by the origin the outline gives each table figure;
* prose: :func:`render_sourced` renders a narrative with a context whose figures remember
  their source (:class:`SourcedDecimal`, :class:`SourcedPercent`); the Jinja ``finalize`` marks
  each printed figure with private-use characters that pass through Markdown untouched and are
  turned into the same ``<span>`` afterwards. The published document never goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, Template
from markupsafe import Markup, escape

from bbt.article_codes import ESR_CATEGORIES
from bbt.calculation import ArticleFigures, Calculation, Figures
from bbt.errors import Location
from bbt.format import bedrag, procent
from bbt.model import CREDIT_LABELS, PHASE_LABELS, Narrative
from bbt.money import Percent
from bbt.narrative.sandbox import compiled_template, has_expressions
from bbt.outline import Text

_OPEN, _MID, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARK = re.compile(f"{_OPEN}(\\d+){_MID}(.*?){_CLOSE}", re.S)
_MAX_TERMS = 6


def span(text: str, source: str) -> Markup:
    """``text`` with its source as tooltip (``title``) and as ``data-source``."""
    s = escape(source)
    return Markup(f'<span class="src" title="{s}" data-source="{s}">{escape(text)}</span>')


def _sum(what: str, values: Iterable[Decimal], result: Decimal) -> str:
    """``Σ 5 artikels BU VAK: 552.289 + 4.499 + … = 635.306``."""
    terms = [bedrag(v) for v in values]
    if len(terms) > _MAX_TERMS:
        terms = [*terms[: _MAX_TERMS - 1], "…"]
    return f"Σ {what}: {' + '.join(terms) or 'geen'} = {bedrag(result)}"


@cache
def _lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text("utf-8").splitlines())
    except OSError:
        return ()


def _key_line(loc: Location, key: str) -> str:
    """``file:line`` of the first ``key:`` in the file of ``loc`` (data the model keeps no line for)."""
    for n, line in enumerate(_lines(loc.file), start=1):
        if re.match(rf"^\s*{re.escape(key)}\s*:", line):
            return f"{loc.file}:{n}"
    return str(loc)


@dataclass(frozen=True)
class Sources:
    """Explains the figures of one calculation; every method returns one line of text."""

    calculation: Calculation
    shared: dict[str, tuple[object, object]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Names every text shares, annotated once: name -> (value, annotated copy)."""

    # -- read from the data ------------------------------------------------------------------

    def article(self, code: str, credit: str, phase: str) -> str:
        a = self.calculation.articles[code]
        series = a.article.credits.get(credit)
        loc = series.locs.get(phase) if series is not None else None
        what = f"{PHASE_LABELS[phase]} {CREDIT_LABELS[credit]} {code}"
        return f"{loc}: {what}" if loc else f"{a.article.loc}: {what} (niet opgegeven: 0)"

    def movement(self, code: str, ident: str, credit: str) -> str:
        a = self.calculation.articles[code]
        m = next((m for m in a.article.movements if m.id == ident), None)
        if m is None:
            return str(a.article.loc)
        return f"{m.loc}: beweging {ident} {CREDIT_LABELS.get(credit, credit)} ({m.reason})"

    def figure(self, code: str, name: str) -> str:
        a = self.calculation.articles[code]
        fig = a.article.figures.get(name)
        if fig is None:
            return str(a.article.loc)
        return f"{fig.loc}: {fig.label or name}"

    def accrual(self, code: str, credit: str) -> str:
        a = self.calculation.articles[code]
        return (
            f"{_key_line(a.article.loc, 'accruals')}: overlopende rekening {CREDIT_LABELS[credit]}"
        )

    # -- computed ----------------------------------------------------------------------------

    def derived(self, figs: Figures, name: str, credit: str, where: str) -> str:
        c = CREDIT_LABELS.get(credit, credit)
        if name == "benutting":
            return f"BU / BA-JR = {bedrag(figs.bu)} / {bedrag(figs.ba_jr)} ({c} {where})"
        if name == "delta":
            return f"BA-JR − BA = {bedrag(figs.ba_jr)} − {bedrag(figs.ba)} ({c} {where})"
        return f"BA-JR − BU = {bedrag(figs.ba_jr)} − {bedrag(figs.bu)} ({c} {where})"

    def movements_sum(self, code: str, kind: str, credit: str) -> str:
        a = self.calculation.articles[code]
        moves = [
            m
            for m in a.article.movements
            if credit in m.amounts and (m.kind == "index") == (kind == "index")
        ]
        label = "indexbewegingen" if kind == "index" else "herverdelingen"
        total = sum((m.amounts[credit] for m in moves), Decimal(0))
        where = ", ".join(str(m.loc) for m in moves)
        text = _sum(
            f"{len(moves)} {label} {CREDIT_LABELS[credit]}",
            (m.amounts[credit] for m in moves),
            total,
        )
        return f"{text} ({where})" if where else text

    def _articles_sum(
        self, arts: Iterable[ArticleFigures], credit: str, phase: str, what: str
    ) -> str:
        values = [a.credits[credit].get(phase) for a in arts if credit in a.credits]
        return _sum(f"{len(values)} artikels {what}", values, sum(values, Decimal(0)))

    def ise(self, key: str, credit: str, phase: str) -> str:
        """An ISE total as shown: published where declared, else the sum of its articles."""
        ise_figs = self.calculation.ise(key)
        computed = self._articles_sum(
            ise_figs.expenditure, credit, phase, f"{PHASE_LABELS[phase]} {CREDIT_LABELS[credit]}"
        )
        loc = ise_figs.ise.published.locs.get((credit, phase))
        if loc is not None:
            return f"{loc}: gepubliceerd totaal; berekend {computed}"
        return computed

    def ise_computed(self, key: str, credit: str, phase: str) -> str:
        ise_figs = self.calculation.ise(key)
        what = f"{PHASE_LABELS[phase]} {CREDIT_LABELS[credit]}"
        return self._articles_sum(ise_figs.expenditure, credit, phase, what)

    def ise_row(self, key: str, row: str, credit: str, phase: str) -> str:
        ise_figs = self.calculation.ise(key)
        arts = [a for a in ise_figs.expenditure if a.article.code.esr_category == row]
        label = next((lbl for k, lbl, _ in ESR_CATEGORIES if k == row), row)
        what = f"{PHASE_LABELS[phase]} {CREDIT_LABELS[credit]}, {label}"
        return self._articles_sum(arts, credit, phase, what)

    def ise_receipts(self, key: str, credit: str, phase: str) -> str:
        ise_figs = self.calculation.ise(key)
        arts = [a for a in ise_figs.articles if a.article.code.is_receipt]
        what = f"{PHASE_LABELS[phase]} {CREDIT_LABELS[credit]}"
        return self._articles_sum(arts, credit, phase, what)

    def ise_movements(self, key: str, kind: str, credit: str) -> str:
        ise_figs = self.calculation.ise(key)
        source = ise_figs.index if kind == "index" else ise_figs.realloc
        values = [
            (a.index if kind == "index" else a.realloc).get(credit, Decimal(0))
            for a in ise_figs.expenditure
        ]
        label = "indexering" if kind == "index" else "herverdelingen"
        return _sum(
            f"{label} {CREDIT_LABELS[credit]} van {len(values)} artikels",
            values,
            source.get(credit, Decimal(0)),
        )

    def programme(self, credit: str, phase: str) -> str:
        arts = [a for a in self.calculation.articles.values() if credit in a.credits]
        computed = self._articles_sum(
            arts, credit, phase, f"{PHASE_LABELS[phase]} {CREDIT_LABELS[credit]}"
        )
        loc = self.calculation.document.published.locs.get((credit, phase))
        if loc is not None:
            return f"{loc}: gepubliceerd totaal; berekend {computed}"
        return computed

    def cell(self, value: Decimal, origin: tuple[str, ...]) -> Markup:
        """A table cell's figure with its source; ``origin`` as the outline names it."""
        kind, *rest = origin
        explain: dict[str, Callable[..., str]] = {
            "programme": self.programme,
            "article": self.article,
            "ise": self.ise,
            "ise_row": self.ise_row,
        }
        return span(bedrag(value), explain[kind](*rest))

    def text(self, text: Text) -> Markup:
        """A narrative with each printed figure marked with its source."""
        return render_sourced(text.narrative, text.context, self, text.key)

    # -- a narrative's names -----------------------------------------------------------------

    def of_path(self, path: tuple[str, ...], scope: dict[str, str]) -> str | None:
        """The source of the figure a narrative reaches by ``path`` (None when unknown).

        ``scope`` gives the piece's own ISE (``ise``) and article (``article``), which the
        short names (``vak.bu``, ``ise.vak.bu``) refer to.
        """
        head, rest = path[0], path[1:]
        if head == "art" and rest:
            return self._article_path(rest[0], rest[1:])
        if head == "article" and "article" in scope:
            return self._article_path(scope["article"], rest)
        if head in _ARTICLE_NAMES and "article" in scope:
            return self._article_path(scope["article"], path)
        if head == "ises" and rest:
            return self._ise_path(rest[0], rest[1:])
        if head == "ise" and "ise" in scope:
            return self._ise_path(scope["ise"], rest)
        if head == "programme" and len(rest) == 2:
            credit, name = rest
            figs = self.calculation.programme.get(credit, Figures())
            if name in PHASE_LABELS:
                return self.programme(credit, name)
            return self.derived(figs, name, credit, "programma")
        if head == "year":
            return f"{self.calculation.document.loc.file}: year"
        if head not in _CORE_NAMES:
            # a name an extension adds (the contingent register's fill rates, ...)
            return f"{head}: gegevens naast de begroting ({head}), berekend door bbt"
        return None

    def _article_path(self, code: str, rest: tuple[str, ...]) -> str | None:
        a = self.calculation.articles.get(code)
        if a is None or not rest:
            return None
        head = rest[0]
        if head in a.credits and len(rest) == 2:
            if rest[1] in PHASE_LABELS:
                return self.article(code, head, rest[1])
            return self.derived(a.credits[head], rest[1], head, code)
        if head == "accruals" and len(rest) == 2:
            return self.accrual(code, rest[1])
        if head in ("index", "realloc") and len(rest) == 2:
            return self.movements_sum(code, head, rest[1])
        if head == "mv" and len(rest) == 3:
            return self.movement(code, rest[1], rest[2])
        if head == "figures" and len(rest) >= 2:
            return self.figure(code, rest[1])
        return None

    def _ise_path(self, key: str, rest: tuple[str, ...]) -> str | None:
        try:
            ise_figs = self.calculation.ise(key)
        except StopIteration:
            return None
        if not rest:
            return None
        head = rest[0]
        if head in ise_figs.shown and len(rest) == 2:
            if rest[1] in PHASE_LABELS:
                return self.ise(key, head, rest[1])
            return self.derived(ise_figs.shown[head], rest[1], head, f"ISE {ise_figs.ise.title}")
        if head in ("computed", "receipts") and len(rest) == 3:
            figs = (ise_figs.computed if head == "computed" else ise_figs.receipts).get(
                rest[1], Figures()
            )
            if rest[2] in PHASE_LABELS:
                fn = self.ise_computed if head == "computed" else self.ise_receipts
                return fn(key, rest[1], rest[2])
            return self.derived(figs, rest[2], rest[1], f"ISE {ise_figs.ise.title}")
        if head == "rows" and len(rest) == 4:
            row, credit, name = rest[1:]
            if name in PHASE_LABELS:
                return self.ise_row(key, row, credit, name)
            return self.derived(
                ise_figs.rows[row][credit], name, credit, f"ISE {ise_figs.ise.title}"
            )
        if head in ("index", "realloc") and len(rest) == 2:
            return self.ise_movements(key, head, rest[1])
        return None


_CORE_NAMES = frozenset({"art", "article", "ises", "ise", "programme", "year"})

_ARTICLE_NAMES = frozenset(
    {"accruals", "index", "realloc", "mv", "figures", "vak", "vek", "ao", "to", "lo"}
)


# -- figures that remember their source --------------------------------------------------------

Explain = Callable[[], "str | None"]
"""Works out a figure's source when it is printed (most figures a text could reach are not)."""


class SourcedDecimal(Decimal):
    """A Decimal that knows its source; arithmetic gives plain Decimals, negation keeps it.

    ``source`` is worked out when first asked (None: a figure whose source is unknown).
    """

    _explain: Explain
    _source: str | None

    def __new__(cls, value: Decimal, source: str | Explain) -> SourcedDecimal:
        obj = super().__new__(cls, value)
        obj._explain = source if callable(source) else (lambda: source)
        return obj

    @property
    def source(self) -> str | None:
        if not hasattr(self, "_source"):
            self._source = self._explain()
        return self._source

    def __neg__(self, context: Any = None) -> SourcedDecimal:
        def negated() -> str | None:
            return None if self.source is None else f"− ({self.source})"

        return SourcedDecimal(Decimal(self).__neg__(), negated)


@dataclass(frozen=True)
class SourcedPercent(Percent):
    """A :class:`~bbt.calculation.Percent` with its formula (worked out when printed)."""

    explain: Callable[[], str] = field(default=lambda: "", compare=False, repr=False)

    @property
    def source(self) -> str:
        return self.explain()


def annotate(
    value: object, sources: Sources, scope: dict[str, str], path: tuple[str, ...] = ()
) -> object:
    """A copy of a narrative context where figures can say where they come from."""
    if isinstance(value, dict):
        return {k: annotate(v, sources, scope, (*path, str(k))) for k, v in value.items()}
    if isinstance(value, Percent):
        percent = value

        def formula() -> str:
            return sources.of_path(path, scope) or _percent_formula(percent)

        return SourcedPercent(value.value, value.numerator, value.denominator, formula)
    if isinstance(value, Decimal) and path:
        return SourcedDecimal(value, lambda: sources.of_path(path, scope))
    return value


def _annotated(
    context: dict[str, object], sources: Sources, scope: dict[str, str]
) -> dict[str, object]:
    """:func:`annotate` of a whole context; the names every text shares (``art``, ``ises``,
    ``programme`` ...) are annotated once per :class:`Sources`, not once per text."""
    out: dict[str, object] = {}
    for name, value in context.items():
        if name in _SCOPED:
            out[name] = annotate(value, sources, scope, (name,))
            continue
        kept = sources.shared.get(name)
        if kept is None or kept[0] is not value:
            kept = sources.shared[name] = (value, annotate(value, sources, {}, (name,)))
        out[name] = kept[1]
    return out


_SCOPED = frozenset({"article", "ise"}) | _ARTICLE_NAMES
"""Names whose source depends on the text's own article or ISE (:meth:`Sources.of_path`)."""


def _percent_formula(p: Percent) -> str:
    return f"{bedrag(p.numerator)} / {bedrag(p.denominator)}"


def scope_of(key: str) -> dict[str, str]:
    """The piece's own ISE and article from its key (``article:CODE:toelichting``)."""
    parts = key.split(":")
    if parts[0] == "ise":
        return {"ise": parts[1]}
    if parts[0] == "article":
        return {"article": parts[1]}
    return {}


def render_sourced(
    narrative: Narrative, context: dict[str, object], sources: Sources, key: str
) -> Markup:
    """A narrative as HTML where each figure printed by an expression has its source on hover.

    The caller renders the narrative normally first (so errors are reported as usual); this
    renders it again in an environment whose ``finalize`` marks sourced figures.
    """
    from bbt.narrative import markdown, render

    if not narrative or not has_expressions(narrative.source):
        return render(narrative, context)  # no figure printed: the text as published
    scope = scope_of(key)
    # the ISE of an article piece (``ise.vak.bu`` inside an article text)
    if "article" in scope:
        article = sources.calculation.articles.get(scope["article"])
        if article is not None:
            scope["ise"] = article.article.ise
    found: list[str] = []
    token = _FOUND.set(found)
    try:
        source = _template(narrative.source).render(_annotated(context, sources, scope))
    finally:
        _FOUND.reset(token)
    html = str(markdown(source))

    def replace(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number >= len(found):  # the text's own private-use characters, not a mark
            return match.group(0)
        return str(span(Markup(match.group(2)).unescape(), found[number]))

    return Markup(_MARK.sub(replace, html))


_FOUND: ContextVar[list[str]] = ContextVar("bbt_sourced_figures")
"""The sources of the figures the current render printed, in order."""


def _marked(value: object) -> object:
    """``finalize`` of the sourced render: a figure with a source is printed with a mark."""
    from bbt.narrative import finalize

    if isinstance(value, SourcedDecimal) and value.source is not None:
        source, text = value.source, bedrag(value)
    elif isinstance(value, SourcedPercent):
        source, text = value.source, procent(value)
    elif isinstance(value, Percent):
        source, text = _percent_formula(value), procent(value)
    else:
        return finalize(value)
    found = _FOUND.get()
    found.append(source)
    return f"{_OPEN}{len(found) - 1}{_MID}{text}{_CLOSE}"


@cache
def _environment() -> Environment:
    from bbt.narrative import make_environment

    env = make_environment()
    env.finalize = _marked
    return env


@lru_cache(maxsize=1024)
def _template(source: str) -> Template:
    """A narrative compiled for the sourced render, by its source (and in bbt's cache)."""
    return compiled_template(_environment(), source)


__all__ = [
    "SourcedDecimal",
    "SourcedPercent",
    "Sources",
    "annotate",
    "render_sourced",
    "span",
]
