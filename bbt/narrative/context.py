"""The names a narrative may use: plain data built from the calculation (docs/format.md).

* everywhere: ``year``, ``programme.vak.bu``, ``ises['activering'].vak.bu``,
  ``art['JB0-1JEC2HA-WT'].vek.bu``, and the names extensions add (``contingent[...]``);
* in an ISE text: ``ise.vak.ba``, ``ise.index.vak``, ``ise.realloc.vek``, ``ise.rows.overige.vak.ba``;
* in an article text: ``vak.ba``, ``vak.ba_jr``, ``vak.bu``, ``vak.benutting``, ``vak.delta``,
  ``accruals.vak``, ``index.vak``, ``realloc.vek``, ``mv.<id>.vak``, ``figures.<name>.vak`` or
  ``figures.<name>`` (a figure without credit type).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bbt.calculation import ArticleFigures, Calculation, Figures, IseFigures
from bbt.money import Year

ContextProvider = Callable[[Calculation], dict[str, object]]
"""Adds names for every narrative (an extension's ``narrative_context``)."""


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


def global_ctx(
    calculation: Calculation, providers: Iterable[ContextProvider] = ()
) -> dict[str, object]:
    """The names every narrative may use; ``providers`` add their own (extensions)."""
    ctx: dict[str, object] = {
        "year": Year(calculation.document.year),
        "programme": {c: figures_ctx(f) for c, f in calculation.programme.items()},
        "ises": {i.ise.key: ise_ctx(i) for i in calculation.ises},
        "art": {code: article_ctx(a) for code, a in calculation.articles.items()},
    }
    for provide in providers:
        ctx.update(provide(calculation))
    return ctx
