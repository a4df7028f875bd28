"""The calculations of an execution BBT: pure functions over the model, exact Decimal.

* utilisation (benuttingsgraad) = BU / BA-JR, per article, per ISE, for the programme;
* the ISE "budgettair kader": rows by ESR category, columns VAK and VEK x BA, BA-JR, BU;
* the programme summary: AO, TO, LO, VAK, VEK x BA, BA-JR, BU;
* movement sums (index tranches, other reallocations) per article, ISE and tranche.

Rounding policy (docs/format.md, "Totals and rounding"): every total is computed as the exact
sum of the article figures. Where the data declares a *published* total (the official document
rounds each total from euro amounts), the published figure is what the document shows and
what the narrative cites; the difference to the computed sum is reported by the checks as a
rounding difference when it stays within :func:`rounding_tolerance`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

import msgspec

from bbt.article_codes import ESR_CATEGORIES
from bbt.model import (
    EXPENDITURE_CREDITS,
    PHASES,
    RECEIPT_CREDITS,
    Article,
    Document,
    Ise,
    Published,
    Series,
)
from bbt.money import ZERO, Percent, ratio_percent

PROGRAMME_CREDITS = (*RECEIPT_CREDITS, *EXPENDITURE_CREDITS)


class Figures(msgspec.Struct, frozen=True):
    """BA, BA-JR and BU of one credit type, with what follows from them.

    Attributes:
        ba / ba_jr / bu: the three phases (0 where the data has none).
    """

    ba: Decimal = ZERO
    ba_jr: Decimal = ZERO
    bu: Decimal = ZERO

    @property
    def benutting(self) -> Percent:
        """Utilisation BU / BA-JR."""
        return utilisation(self.bu, self.ba_jr)

    @property
    def delta(self) -> Decimal:
        """BA-JR - BA: the net effect of all movements."""
        return self.ba_jr - self.ba

    @property
    def onderbenutting(self) -> Decimal:
        """BA-JR - BU: what was not used (negative when over-executed)."""
        return self.ba_jr - self.bu

    def get(self, phase: str) -> Decimal:
        value: Decimal = getattr(self, phase)
        return value

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.ba + other.ba, self.ba_jr + other.ba_jr, self.bu + other.bu)


def utilisation(bu: Decimal, ba_jr: Decimal) -> Percent:
    """BU / BA-JR in percent, exact; no percentage when BA-JR is zero. Negative BU stays negative."""
    return Percent(ratio_percent(bu, ba_jr), bu, ba_jr)


def figures_of(series: Series | None) -> Figures:
    if series is None:
        return Figures()
    return Figures(series.ba or ZERO, series.ba_jr or ZERO, series.bu or ZERO)


def total(items: Iterable[Figures]) -> Figures:
    result = Figures()
    for item in items:
        result = result + item
    return result


def overlay(computed: dict[str, Figures], published: Published) -> dict[str, Figures]:
    """The figures as the document shows them: published totals replace computed ones."""
    out = {}
    for credit, figs in computed.items():
        values = {p: published.amounts.get((credit, p), figs.get(p)) for p in PHASES}
        out[credit] = Figures(values["ba"], values["ba_jr"], values["bu"])
    return out


def rounding_tolerance(lines: int) -> Decimal:
    """Largest difference (keuro) between a total and the sum of its rounded lines that we call rounding.

    Each of ``lines`` figures is rounded to whole keuro independently, so each is off by at most
    0.5; their sum is off by at most ``lines / 2``. We accept ``ceil(lines / 2)`` keuro, and at
    least 1.
    """
    return Decimal(max(1, math.ceil(lines / 2)))


class ArticleFigures(msgspec.Struct, frozen=True):
    """Computed figures of one article.

    Attributes:
        article: the article.
        credits: :class:`Figures` per credit type of the article.
        index: sum of index movements per credit type.
        realloc: sum of the other movements per credit type.
        mv: amounts of each named movement, by movement id.
    """

    article: Article
    credits: dict[str, Figures]
    index: dict[str, Decimal]
    realloc: dict[str, Decimal]
    mv: dict[str, dict[str, Decimal]]

    @property
    def code(self) -> str:
        return self.article.code.text


class IseFigures(msgspec.Struct, frozen=True):
    """Computed budgettair kader of one ISE.

    Attributes:
        ise: the ISE.
        articles: its articles' calculations in document order.
        rows: ESR category key -> credit (vak, vek) -> :class:`Figures` (expenditure only).
        computed: exact totals per credit type (sum of the expenditure articles).
        shown: totals as the document shows them (published where declared).
        receipts: totals of receipt articles per credit type (ao, to, lo).
        index / realloc: movement sums over the ISE's expenditure articles.
    """

    ise: Ise
    articles: tuple[ArticleFigures, ...]
    rows: dict[str, dict[str, Figures]]
    computed: dict[str, Figures]
    shown: dict[str, Figures]
    receipts: dict[str, Figures]
    index: dict[str, Decimal]
    realloc: dict[str, Decimal]

    @property
    def expenditure(self) -> tuple[ArticleFigures, ...]:
        return tuple(a for a in self.articles if not a.article.code.is_receipt)


class Calculation(msgspec.Struct, frozen=True):
    """Everything computed from one document.

    Attributes:
        document: the input.
        articles: by code.
        ises: in document order.
        programme_computed: AO, TO, LO, VAK, VEK summed over the articles.
        programme: the same as the document shows it (published where declared).
        index_tranches: (counterpart, tranche) -> credit -> sum, over all index movements.
    """

    document: Document
    articles: dict[str, ArticleFigures]
    ises: tuple[IseFigures, ...]
    programme_computed: dict[str, Figures]
    programme: dict[str, Figures]
    index_tranches: dict[tuple[str, str], dict[str, Decimal]] = msgspec.field(default_factory=dict)

    def ise(self, key: str) -> IseFigures:
        return next(i for i in self.ises if i.ise.key == key)


def article_figures(article: Article) -> ArticleFigures:
    credits = {c: figures_of(article.credits.get(c)) for c in article.credit_types}
    index = {c: ZERO for c in article.credit_types}
    realloc = {c: ZERO for c in article.credit_types}
    mv: dict[str, dict[str, Decimal]] = {}
    for movement in article.movements:
        bucket = index if movement.kind == "index" else realloc
        for credit, amount in movement.amounts.items():
            bucket[credit] = bucket.get(credit, ZERO) + amount
        if movement.id:
            mv[movement.id] = dict(movement.amounts)
    return ArticleFigures(article, credits, index, realloc, mv)


def _sum_dicts(items: Iterable[dict[str, Decimal]], keys: tuple[str, ...]) -> dict[str, Decimal]:
    out = {k: ZERO for k in keys}
    for item in items:
        for key, value in item.items():
            out[key] = out.get(key, ZERO) + value
    return out


def ise_figures(ise: Ise, articles: tuple[ArticleFigures, ...]) -> IseFigures:
    expenditure = [a for a in articles if not a.article.code.is_receipt]
    receipts = [a for a in articles if a.article.code.is_receipt]
    rows = {
        key: {
            c: total(a.credits[c] for a in expenditure if a.article.code.esr_category == key)
            for c in EXPENDITURE_CREDITS
        }
        for key, _label, _aggregates in ESR_CATEGORIES
    }
    computed = {c: total(a.credits[c] for a in expenditure) for c in EXPENDITURE_CREDITS}
    return IseFigures(
        ise=ise,
        articles=articles,
        rows=rows,
        computed=computed,
        shown=overlay(computed, ise.published),
        receipts={c: total(a.credits[c] for a in receipts) for c in RECEIPT_CREDITS},
        index=_sum_dicts((a.index for a in expenditure), EXPENDITURE_CREDITS),
        realloc=_sum_dicts((a.realloc for a in expenditure), EXPENDITURE_CREDITS),
    )


def calculate(document: Document) -> Calculation:
    """Compute every figure of the document."""
    articles = {a.code.text: article_figures(a) for a in document.articles}
    ises = tuple(
        ise_figures(ise, tuple(articles[a.code.text] for a in document.ise_articles(ise.key)))
        for ise in document.ises
    )
    computed = {
        c: total(a.credits[c] for a in articles.values() if c in a.credits)
        for c in PROGRAMME_CREDITS
    }
    tranches: dict[tuple[str, str], dict[str, Decimal]] = {}
    for article in document.articles:
        for movement in article.movements:
            if movement.kind != "index":
                continue
            key = (movement.counterpart, movement.tranche or "")
            bucket = tranches.setdefault(key, {})
            for credit, amount in movement.amounts.items():
                bucket[credit] = bucket.get(credit, ZERO) + amount
    return Calculation(
        document=document,
        articles=articles,
        ises=ises,
        programme_computed=computed,
        programme=overlay(computed, document.published),
        index_tranches=tranches,
    )
