"""The document's charts, kept between runs by what they are drawn from.

A chart depends only on the figures, titles and movements it shows: :func:`ise_charts` finds
it in this process or in the cache (bbt.load.cache, kind ``charts``) and draws it with
:mod:`bbt.render.charts` only when it is not there, so a build after a text was edited (or a
second build) does not even import the drawing code.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from markupsafe import Markup

from bbt.calculation import Calculation, IseFigures
from bbt.load.cache import Cache, fingerprint
from bbt.load.cache import key as cache_key
from bbt.render.chart import Chart


def _drawn(icalc: IseFigures, explain_below: Decimal) -> tuple[Chart, ...]:
    # the drawing code: imported only for a chart not kept
    from bbt.render.charts import movements_chart, utilisation_chart

    drawn = [utilisation_chart(icalc, explain_below), movements_chart(icalc)]
    return tuple(c for c in drawn if c is not None)


def ise_charts(icalc: IseFigures, explain_below: Decimal) -> list[Chart]:
    """The charts of one ISE, in the order they appear.

    Kept by what they show (:func:`_drawn_from`): ``bbt serve`` redraws them only when one of
    their figures, titles or movements changed, not after every edit of a text.
    """
    key = _drawn_from(icalc, explain_below)
    charts = _KEPT.get(key)
    if charts is None:
        charts = _STORED.remember(
            _entry(key), lambda: _drawn(icalc, explain_below), _encoded, _decoded
        )
        if len(_KEPT) >= _KEEP:
            _KEPT.clear()
        _KEPT[key] = charts
    return list(charts)


_KEEP = 256
_KEPT: dict[tuple[object, ...], tuple[Chart, ...]] = {}
_STORED = Cache("charts")
"""Charts between runs (bbt.load.cache), by what they are drawn from."""


@cache
def _fingerprint() -> str:
    # The drawing code, the Dutch formats of its labels, the credit labels (bbt/model.py) and
    # the utilisation it shows (bbt/calculation.py) decide the bytes.
    import bbt.calculation as calculation
    import bbt.format as formats
    import bbt.model as model

    here = Path(__file__)
    return fingerprint(
        str(here),
        str(here.with_name("charts.py")),
        str(here.with_name("chart.py")),
        formats.__file__,
        model.__file__,
        calculation.__file__,
        versions=f"babel {formats.babel_release()}",
    )


def _entry(key: tuple[object, ...]) -> str:
    return cache_key(_fingerprint(), json.dumps(key, ensure_ascii=False))


def _decoded(data: bytes) -> tuple[Chart, ...]:
    """The charts of an entry; raises when it holds anything else (then they are drawn)."""
    return tuple(
        Chart(
            c["id"],
            c["title"],
            c["alt"],
            Markup(c["svg"]),
            tuple(c["columns"]),
            tuple(tuple(r) for r in c["rows"]),
        )
        for c in json.loads(data)
    )


def _encoded(charts: tuple[Chart, ...]) -> bytes:
    rows = [
        {"id": c.id, "title": c.title, "alt": c.alt, "svg": str(c.svg), "columns": c.columns}
        | {"rows": c.rows}
        for c in charts
    ]
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def _drawn_from(icalc: IseFigures, explain_below: Decimal) -> tuple[object, ...]:
    """Everything the ISE's charts are drawn from, as text (``1.0`` and ``1`` stay apart)."""
    articles = tuple(
        (
            str(a.code),
            a.article.title,
            tuple((c, str(f.ba), str(f.ba_jr), str(f.bu)) for c, f in a.credits.items()),
            tuple(
                (m.kind, tuple((c, str(v)) for c, v in m.amounts.items()))
                for m in a.article.movements
            ),
        )
        for a in icalc.expenditure
    )
    return (icalc.ise.key, icalc.ise.title, str(explain_below), articles)


def document_charts(calculation: Calculation) -> dict[str, list[dict[str, object]]]:
    """ISE key -> its charts as plain data; empty when the document switches charts off."""
    settings = calculation.document.settings
    if not settings.charts:
        return {}
    return {
        i.ise.key: [c.as_ctx() for c in ise_charts(i, settings.explain_below)]
        for i in calculation.ises
    }


__all__ = ["Chart", "document_charts", "ise_charts"]
