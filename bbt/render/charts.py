"""Charts of the document: utilisation per article and movements BA -> BA-JR, per ISE.

Drawn with matplotlib (imported lazily: ``bbt check`` never loads it) as vector SVG that the
HTML embeds inline and WeasyPrint lays out in the PDF. The rules the charts keep:

* **Dutch**: every label is formatted by :mod:`bbt.render.filters` (``93,9%``, ``552.289``,
  ``-1.315``), never by matplotlib's tick formatter.
* **Black and white**: bars differ by grey value *and* outline, every bar carries a direct
  label (its value, its credit type), so nothing depends on colour.
* **Accessible**: the ``<svg>`` has ``role="img"`` with a ``<title>`` and a ``<desc>`` that
  states the numbers; the template adds a visually hidden data table.
* **Deterministic**: text is drawn as paths from matplotlib's own DejaVu Sans (no system
  font, no font in the PDF), ``svg.hashsalt`` is fixed and the metadata (date, creator) is
  dropped: the same input gives the same bytes.
* **Self-contained**: no clipping paths or hatch patterns, so the SVG holds no ``url(...)``
  reference; ids are prefixed per chart so several charts can share one HTML page.
* **Robust**: a negative utilisation (``-1.936,3%``) is drawn as an empty bar with its value
  written at zero, a utilisation above the axis is cut with an arrow, a zero base says
  "n.v.t.".

Geometry is computed in floats: they only place ink on the page; every printed number comes
from the exact :class:`~decimal.Decimal` figures.
"""

from __future__ import annotations

import io
import re
import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from markupsafe import Markup, escape

from bbt.calc import ArticleCalc, Calculation, IseCalc, Percent
from bbt.model import CREDIT_LABELS, EXPENDITURE_CREDITS
from bbt.render.filters import bedrag, procent

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_IN = 6.5
"""Chart width in inches: the A4 text width (166 mm) minus a little air."""

AXIS_MAX = 120
"""Utilisation axis limit (percent); bars beyond are cut and marked."""

INK = "#1a1a1a"
DARK = "#4d4d4d"
LIGHT = "#c8c8c8"
WHITE = "#ffffff"

RC: dict[str, Any] = {
    "svg.fonttype": "path",
    "svg.hashsalt": "bbt",
    "svg.image_inline": True,
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.unicode_minus": False,
    "axes.edgecolor": INK,
    "axes.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "path.simplify": False,
}

_LOCK = threading.Lock()  # matplotlib's rcParams are global: one chart at a time


@dataclass(frozen=True)
class Chart:
    """One chart, ready for the template.

    Attributes:
        id: unique in the document (``chart-activering-benutting``); prefixes the SVG's ids.
        title: the figure caption (Dutch).
        desc: the numbers in one paragraph, for screen readers.
        svg: the inline ``<svg>`` element.
        columns / rows: the chart's data as a table (cells are text), visually hidden.
    """

    id: str
    title: str
    desc: str
    svg: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def as_ctx(self) -> dict[str, object]:
        """Plain data for the templates."""
        return {
            "id": self.id,
            "title": self.title,
            "desc": self.desc,
            "svg": self.svg,
            "columns": list(self.columns),
            "rows": [list(r) for r in self.rows],
        }


# -- SVG post-processing -----------------------------------------------------------------------


def _to_svg(fig: Figure, chart_id: str, title: str, desc: str) -> Markup:
    """Serialise ``fig`` to one inline ``<svg>`` element with a text alternative."""
    for ax in fig.axes:  # no clipping paths: they would be url(#...) references
        for artist in ax.get_children():
            artist.set_clip_on(False)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # matplotlib's global "*{stroke-linejoin…}" would style the whole HTML page: scope it.
    text = text.replace("*{", f"#{chart_id} *{{")
    # ids unique in the document: prefix every id and every reference to it
    ids = set(re.findall(r'\bid="([^"]+)"', text))
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', text)
    text = re.sub(
        r'xlink:href="#([^"]+)"',
        lambda m: f'xlink:href="#{chart_id}-{m.group(1)}"' if m.group(1) in ids else m.group(0),
        text,
    )
    if "url(" in text:  # pragma: no cover - guarded by tests/test_charts.py
        raise AssertionError(f"chart {chart_id} refers to a url(); the HTML must not")
    # fixed pixel size -> scalable: the viewBox keeps the proportions
    text = re.sub(r'\swidth="[^"]*pt"\s+height="[^"]*pt"', "", text, count=1)
    opening = (
        f'<svg id="{chart_id}" class="chart-svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
    )
    text = text.replace("<svg ", opening, 1)
    head = text.index(">", text.index("<svg")) + 1
    alt = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return Markup(text[:head] + alt + text[head:].rstrip() + "\n")


def _float(value: Decimal) -> float:  # float-ok: geometry only, never printed
    return float(value)  # float-ok: chart geometry


def _short(text: str, limit: int = 27) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _article_label(a: ArticleCalc) -> str:
    return f"{a.code}\n{_short(a.article.title)}"


def _new_figure(rows: int) -> tuple[Figure, Axes, float]:
    from matplotlib.figure import Figure

    height = 0.62 + 0.19 * rows
    fig = Figure(figsize=(WIDTH_IN, height), dpi=72)
    # fixed margins (no tight_layout: same geometry every time, no layout warnings)
    left, right = 2.15 / WIDTH_IN, 1.55 / WIDTH_IN
    bottom, top = 0.36 / height, 0.26 / height
    ax = fig.add_axes((left, bottom, 1 - left - right, 1 - bottom - top))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=20)
    return fig, ax, height


# -- utilisation per article ---------------------------------------------------------------------


def utilisation_chart(icalc: IseCalc, explain_below: Decimal) -> Chart | None:
    """Horizontal bars of BU / BA-JR per expenditure article, VAK and VEK."""
    articles = icalc.expenditure
    if not articles:
        return None
    key = icalc.ise.key
    chart_id = f"chart-{key}-benutting"
    title = f"Benuttingsgraad per artikel (BU / BA-JR), ISE {icalc.ise.title}"
    desc_parts: list[str] = []
    rows: list[tuple[str, ...]] = []
    with _LOCK, _rc():
        fig, ax, _height = _new_figure(rows=len(articles) * 2 + len(articles) - 1)
        ticks: list[float] = []  # float-ok: positions
        for n, a in enumerate(articles):
            base = n * 3
            ticks.append(base + 0.5)
            said: list[str] = []
            for k, credit in enumerate(EXPENDITURE_CREDITS):
                figs = a.credits[credit]
                pct = figs.benutting
                y = base + k
                _utilisation_bar(ax, y, credit, pct)
                amounts = f"{bedrag(figs.bu)} / {bedrag(figs.ba_jr)}"
                ax.text(
                    1.03, y, amounts, transform=ax.get_yaxis_transform(), va="center", ha="left"
                )
                said.append(f"{CREDIT_LABELS[credit]} {procent(pct)} ({amounts})")
                rows.append(
                    (
                        a.code,
                        CREDIT_LABELS[credit],
                        bedrag(figs.bu),
                        bedrag(figs.ba_jr),
                        procent(pct),
                    )
                )
            desc_parts.append(f"{a.code} {a.article.title}: {', '.join(said)}")
        threshold = _float(explain_below)
        last = len(articles) * 3 - 1
        ax.plot([100, 100], [-0.7, last - 0.3], color=INK, lw=0.6, clip_on=False)
        if 0 < threshold < 100:
            ax.plot([threshold] * 2, [-0.7, last - 0.3], color=INK, lw=0.6, ls=(0, (3, 2)))
            ax.text(threshold - 0.8, -0.8, procent(explain_below, 0), ha="right", va="bottom")
        ax.text(100.8, -0.8, "100%", ha="left", va="bottom")
        ax.text(1.03, -0.8, "BU / BA-JR", transform=ax.get_yaxis_transform(), va="bottom")
        ax.set_xlim(0, AXIS_MAX)
        ax.set_ylim(last - 0.3, -0.7)
        ax.set_yticks(ticks, [_article_label(a) for a in articles], linespacing=1.15)
        ax.set_xticks(range(0, AXIS_MAX + 1, 20))
        ax.set_xticklabels([procent(Decimal(t), 0) for t in range(0, AXIS_MAX + 1, 20)])
        ax.set_xlabel("benuttingsgraad (BU / BA-JR); bedragen in duizend euro", labelpad=3)
        desc = (
            f"{title}. "
            + "; ".join(desc_parts)
            + f". Onder {procent(explain_below, 0)} moet een artikel zijn onderbenutting toelichten."
        )
        svg = _to_svg(fig, chart_id, title, desc)
    columns = ("Artikel", "Krediet", "BU", "BA-JR", "Benuttingsgraad")
    return Chart(chart_id, title, desc, svg, columns, tuple(rows))


def _utilisation_bar(ax: Axes, y: float, credit: str, pct: Percent) -> None:  # float-ok
    dark = credit == "vak"
    label = CREDIT_LABELS[credit]
    ax.text(-1.5, y, label, ha="right", va="center", fontsize=7)
    if pct.value is None:
        ax.text(1, y, "n.v.t. (BA-JR is 0)", va="center", ha="left", style="italic")
        return
    exact = _float(pct.value)
    shown = min(max(exact, 0.0), AXIS_MAX)
    ax.barh(
        y,
        shown,
        height=0.78,
        color=DARK if dark else LIGHT,
        edgecolor=INK,
        linewidth=0.5,
        clip_on=False,
    )
    text = procent(pct)
    if exact < 0:
        ax.text(1, y, f"{text} (negatieve uitvoering)", va="center", ha="left", style="italic")
    elif exact > AXIS_MAX:
        ax.annotate(
            f"{text} ▸",
            (AXIS_MAX, y),
            xytext=(-2, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            color=WHITE if dark else INK,
        )
    elif shown >= 75:  # inside the bar's end, clear of the 90% and 100% lines
        ax.text(shown - 1, y, text, va="center", ha="right", color=WHITE if dark else INK)
    else:
        ax.text(shown + 1, y, text, va="center", ha="left")


# -- movements BA -> BA-JR ---------------------------------------------------------------------


@dataclass(frozen=True)
class _MovementRow:
    article: ArticleCalc
    credit: str
    index: Decimal
    incoming: Decimal
    outgoing: Decimal

    @property
    def net(self) -> Decimal:
        return self.index + self.incoming + self.outgoing


def movement_rows(icalc: IseCalc) -> list[_MovementRow]:
    """Per article and credit type with movements: index, reallocations in and out."""
    out = []
    for a in icalc.expenditure:
        for credit in EXPENDITURE_CREDITS:
            index = incoming = outgoing = Decimal(0)
            for m in a.article.movements:
                amount = m.amounts.get(credit, Decimal(0))
                if m.kind == "index":
                    index += amount
                elif amount >= 0:
                    incoming += amount
                else:
                    outgoing += amount
            if index or incoming or outgoing:
                out.append(_MovementRow(a, credit, index, incoming, outgoing))
    return out


_SEGMENTS = (
    ("index", "indexering", DARK),
    ("incoming", "herverdeling naar het artikel", LIGHT),
    ("outgoing", "herverdeling uit het artikel", WHITE),
)


def movements_chart(icalc: IseCalc) -> Chart | None:
    """Diverging bars of the movements from BA to BA-JR, per article and credit type."""
    data = movement_rows(icalc)
    if not data:
        return None
    key = icalc.ise.key
    chart_id = f"chart-{key}-bewegingen"
    title = f"Van BA naar BA-JR: indexering en herverdelingen per artikel, ISE {icalc.ise.title}"
    gain = _float(max(r.index + r.incoming for r in data))
    loss = _float(max(-r.outgoing for r in data))
    pad = 0.3 * (gain + loss) or 1.0  # room for the direct labels beside the bars
    lo, hi = -(loss + pad if loss else 0.04 * gain), gain + pad
    span = hi - lo
    rows: list[tuple[str, ...]] = []
    said: list[str] = []
    with _LOCK, _rc():
        fig, ax, _height = _new_figure(rows=len(data) + 1)
        ticks, labels = [], []
        y = 0.0
        previous: ArticleCalc | None = None
        for r in data:
            if previous is not None and r.article is not previous:
                y += 0.5  # a little air between articles
            figs = r.article.credits[r.credit]
            if r.article is not previous:
                ticks.append(y)
                labels.append(_article_label(r.article))
            previous = r.article
            ax.text(
                -0.005,
                y,
                CREDIT_LABELS[r.credit],
                transform=ax.get_yaxis_transform(),
                ha="right",
                va="center",
                fontsize=7,
            )
            left = 0.0
            for attr, _label, colour in _SEGMENTS[:2]:
                amount = _float(getattr(r, attr))
                if amount:
                    ax.barh(y, amount, left=left, height=0.7, color=colour, edgecolor=INK, lw=0.5)
                    left += amount
            if r.outgoing:
                ax.barh(y, _float(r.outgoing), height=0.7, color=WHITE, edgecolor=INK, lw=0.5)
            ins = r.index + r.incoming
            if ins:
                ax.text(left + span * 0.01, y, f"+{bedrag(ins)}", va="center", ha="left")
            if r.outgoing:
                ax.text(
                    _float(r.outgoing) - span * 0.01, y, bedrag(r.outgoing), va="center", ha="right"
                )
            ax.plot(
                [_float(r.net)], [y], marker="D", ms=3.5, color=INK, mec=WHITE, mew=0.5, zorder=5
            )
            ax.text(
                1.03,
                y,
                f"{bedrag(figs.ba)} → {bedrag(figs.ba_jr)}",
                transform=ax.get_yaxis_transform(),
                va="center",
                ha="left",
            )
            rows.append(
                (
                    r.article.code,
                    CREDIT_LABELS[r.credit],
                    bedrag(figs.ba),
                    bedrag(r.index),
                    bedrag(r.incoming),
                    bedrag(r.outgoing),
                    bedrag(figs.ba_jr),
                )
            )
            said.append(
                f"{r.article.code} {CREDIT_LABELS[r.credit]}: BA {bedrag(figs.ba)}, indexering "
                f"{bedrag(r.index)}, herverdeling naar het artikel {bedrag(r.incoming)}, "
                f"uit het artikel {bedrag(r.outgoing)}, BA-JR {bedrag(figs.ba_jr)}"
            )
            y += 1
        bottom = y - 0.4
        ax.plot([0, 0], [-0.6, bottom], color=INK, lw=0.6)
        ax.set_xlim(lo, hi)
        ax.set_ylim(bottom, -1.3)
        ax.text(1.03, -0.7, "BA → BA-JR", transform=ax.get_yaxis_transform(), va="bottom")
        _legend(fig, _height)
        ax.set_yticks(ticks, labels, linespacing=1.15)
        ax.tick_params(axis="y", pad=18)
        step = _nice_step(Decimal(max(gain, loss)))
        values = [v for v in range(-10 * step, 10 * step + 1, step) if lo <= v <= hi]
        ax.set_xticks(values)
        ax.set_xticklabels([bedrag(Decimal(v)) for v in values])
        ax.set_xlabel("duizend euro; ◆ netto effect (BA-JR − BA)", labelpad=3)
        desc = f"{title}. " + "; ".join(said) + "."
        svg = _to_svg(fig, chart_id, title, desc)
    columns = (
        "Artikel",
        "Krediet",
        "BA",
        "Indexering",
        "Herverdeling in",
        "Herverdeling uit",
        "BA-JR",
    )
    return Chart(chart_id, title, desc, svg, columns, tuple(rows))


def _legend(fig: Figure, height: float) -> None:  # float-ok: geometry in inches
    """A row of swatches with words at the top of the figure (shades are named, not guessed)."""
    from matplotlib.patches import Rectangle

    size = 0.11  # inch
    x, y = 0.12, height - 0.2
    for _attr, label, colour in _SEGMENTS:
        fig.patches.append(
            Rectangle(
                (x / WIDTH_IN, y / height),
                size / WIDTH_IN,
                size / height,
                transform=fig.transFigure,
                facecolor=colour,
                edgecolor=INK,
                linewidth=0.5,
            )
        )
        fig.text((x + size + 0.05) / WIDTH_IN, (y + size / 2) / height, label, va="center")
        x += size + 0.05 + len(label) * 0.066 + 0.22


def _nice_step(extent: Decimal) -> int:
    """A round tick step giving about three ticks per side."""
    target = max(_float(extent) / 3, 1.0)
    magnitude = 10 ** (len(str(int(target))) - 1)
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= target:
            return int(factor * magnitude)
    return int(10 * magnitude)  # pragma: no cover


# -- the document's charts ---------------------------------------------------------------------


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(cast(Any, RC))


def ise_charts(icalc: IseCalc, explain_below: Decimal) -> list[Chart]:
    """The charts of one ISE, in the order they appear."""
    charts = [utilisation_chart(icalc, explain_below), movements_chart(icalc)]
    return [c for c in charts if c is not None]


def document_charts(calc: Calculation) -> dict[str, list[dict[str, object]]]:
    """ISE key -> its charts as plain data; empty when the document switches charts off."""
    settings = calc.document.settings
    if not settings.charts:
        return {}
    return {
        i.ise.key: [c.as_ctx() for c in ise_charts(i, settings.explain_below)] for i in calc.ises
    }


__all__ = ["Chart", "document_charts", "ise_charts", "movements_chart", "utilisation_chart"]
