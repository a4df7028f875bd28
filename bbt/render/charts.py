"""Charts of the document: utilisation per article and movements BA -> BA-JR, per ISE.

Each chart is a small inline ``<svg>`` written here in plain Python (no drawing library: the
four charts of the example take milliseconds and a few kilobytes). The rules they keep:

* **Real text**: every label is an SVG ``<text>`` element in the document's own typeface
  (:data:`PDF_FONT_FAMILY`): selectable, searchable, read aloud, embedded once in the PDF.
* **Legible everywhere**: drawn for a natural width of :data:`WIDTH` CSS px with text of
  :data:`FONT` px. Shown at that width (9 pt in print, 106 mm of the 154 mm text width) and
  scaled down by the ``viewBox`` on a narrower screen: at 390 px (a phone, about 370 px of
  column) the text is still 11 px. Article titles sit *above* their bars, so no label column
  eats the bars at narrow widths; long titles wrap instead of being cut. The page's stylesheet
  shows the SVG at most at its natural width: ``max-width: 100%; height: auto``.
* **Dutch**: every printed number comes from :mod:`bbt.format` (``93,9%``, ``552.289``).
* **Black and white**: bars differ by grey value and have a black outline; every bar carries a
  direct label (its credit type, its value); nothing depends on colour.
* **Honest**: utilisation bars run from 0% to 100%, or to the largest bar above 100%; a
  utilisation below 0% or above :data:`UTILISATION_CAP` (a data error or a credit too small to
  compare) is not drawn but written out, "n.v.t.: negatieve uitvoering (-1.936,3%)"; a zero
  BA-JR says "n.v.t.: BA-JR is 0". Reference lines (100%, the ``explain_below`` threshold,
  explained in a legend) cross the bars, never that text.
* **Accessible**: ``role="img"`` with ``aria-labelledby`` on its own ``<title>``, which holds
  the text alternative (:attr:`Chart.alt`): the title and every number of the chart; the template adds the
  data table (:attr:`Chart.rows`).
* **Self-contained and repeatable**: ids are prefixed with the chart id, nothing refers to a
  ``url(...)``, no ``<style>`` element (it would style the whole page); the same input gives the
  same bytes.

Geometry is computed in floats (CSS px): they only place ink. Every printed number comes from
the exact :class:`~decimal.Decimal` figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

from bbt.calculation import ArticleFigures, Figures, IseFigures
from bbt.format import NOT_APPLICABLE, bedrag, procent
from bbt.model import CREDIT_LABELS, EXPENDITURE_CREDITS
from bbt.money import Percent
from bbt.render.chart import Chart

Px = float  # float-ok: chart geometry in CSS px, never a printed number

WIDTH = 400
"""Natural width of every chart in CSS px (the viewBox width): 106 mm in print."""

FONT = 12
"""Text size in px at natural width: 9 pt in print, 11 px on a 370 px wide phone column."""

LINE = 15  # pitch of text lines
ROW = 17  # pitch of bar rows
BAR = 11  # bar thickness
GAP = 6  # between columns
PAD = 3  # between a bar and its label
DIAMOND = 4.5  # half the diagonal of the net-effect marker
LABEL_OFF = PAD + DIAMOND  # a movement label clears a marker at its bar's end

UTILISATION_CAP = Decimal(200)
"""Above this utilisation (percent) the chart writes the value instead of drawing a bar.

A limitative credit cannot be used twice over: such a figure is a data error or a base too
small to compare, and a bar would only dwarf the others. The value stays in the text.
"""

INK = "#1a1a1a"
DARK = "#4d4d4d"
LIGHT = "#c8c8c8"
WHITE = "#ffffff"

CREDIT_FILL = {"vak": DARK, "vek": LIGHT}

PDF_FONT_FAMILY = "BBT Sans"
"""The family name ``bbt/templates/bbt/pdf.css`` declares with ``@font-face`` (the stylesheet
decides which typeface it is). WeasyPrint draws the text of an inline SVG with the SVG's own
``font-family`` only (the page's CSS does not reach it), so the chart names this family: the
PDF embeds one typeface, never a system font. In a browser any CSS rule beats this attribute:
``.chart-svg { font-family: inherit }`` in the page's stylesheet gives the text the page's font."""


# -- text measure ----------------------------------------------------------------------------

# Advance widths in em, grouped, rounded up from DejaVu Sans: one of the widest open sans
# faces, so a label measured here fits in any typeface the document's stylesheet picks.
_EM_NARROW = frozenset("ijlIJ.,:;!'|` ")
_EM_SEMI = frozenset('frt()[]{}-/\\"')
_EM_WIDE = frozenset("mwMW%@—")
_EM_SYMBOL = frozenset("+=<>~#&*_−")
BOLD = 1.13  # DejaVu Sans Bold / Book, average of the letters


def _em(char: str) -> Px:
    if char in _EM_NARROW:
        return 0.32  # float-ok
    if char in _EM_SEMI:
        return 0.42  # float-ok
    if char in _EM_WIDE:
        return 1.0  # float-ok
    if char in _EM_SYMBOL:
        return 0.84  # float-ok
    if char.isdigit():
        return 0.64  # float-ok
    if char.isupper():
        return 0.78  # float-ok
    return 0.64  # float-ok


def text_width(text: str, *, bold: bool = False) -> Px:
    """An upper estimate of the width of ``text`` at :data:`FONT` px."""
    return sum(_em(c) for c in text) * FONT * (BOLD if bold else 1)


def wrap(text: str, width: Px, *, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width``; breaks between words, inside a word only when
    the word alone is too wide (nothing is ever cut off)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while text_width(word, bold=bold) > width and len(word) > 1:
            if line:
                lines.append(line)
                line = ""
            fits = [n for n in range(2, len(word)) if text_width(word[:n], bold=bold) <= width]
            cut = max(fits, default=1)
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, bold=bold) > width:
            lines.append(line)
            candidate = word
        line = candidate
    return [*lines, line] if line else lines


# -- SVG ---------------------------------------------------------------------------------------


def _n(value: Px) -> str:
    """A coordinate, at most one decimal, no trailing zero: short and repeatable."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class _Svg:
    """The elements of one chart, in drawing order; text is escaped, geometry rounded."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def rect(self, x: Px, y: Px, width: Px, height: Px, fill: str) -> None:
        left, size = (x + width, -width) if width < 0 else (x, width)
        self.parts.append(
            f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(size)}" height="{_n(height)}" '
            f'fill="{fill}" stroke="{INK}" stroke-width=".75"/>'
        )

    def line(self, x1: Px, y1: Px, x2: Px, y2: Px, *, dashed: bool = False) -> None:
        dash = ' stroke-dasharray="3 2"' if dashed else ""
        self.parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{INK}" stroke-width="1"{dash}/>'
        )

    def polygon(self, points: Iterable[tuple[Px, Px]], fill: str, stroke: str = INK) -> None:
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        self.parts.append(
            f'<polygon points="{coords}" fill="{fill}" stroke="{stroke}" stroke-width=".75"/>'
        )

    def diamond(self, x: Px, y: Px, size: Px = DIAMOND) -> None:
        """The marker of a net effect: black with a white rim, visible on any grey."""
        self.polygon([(x, y - size), (x + size, y), (x, y + size), (x - size, y)], INK, WHITE)

    def text(self, x: Px, y: Px, text: str, *, anchor: str = "start", style: str = "") -> None:
        """One line of text whose middle is at ``y`` (SVG places the baseline)."""
        attrs = f' text-anchor="{anchor}"' if anchor != "start" else ""
        if style == "bold":
            attrs += ' font-weight="bold"'
        elif style == "italic":
            attrs += ' font-style="italic"'
        baseline = y + FONT * 0.35
        self.parts.append(f'<text x="{_n(x)}" y="{_n(baseline)}"{attrs}>{escape(text)}</text>')

    def lines(self, x: Px, y: Px, lines: Sequence[str], *, style: str = "") -> Px:
        """Text lines from top ``y`` down; returns the y below them."""
        for line in lines:
            self.text(x, y + LINE / 2, line, style=style)
            y += LINE
        return y

    def markup(self, chart_id: str, title: str, alt: str, height: Px) -> Markup:
        """The ``<svg>`` element: natural size in px, scaled by its viewBox in a narrower box."""
        h = _n(height)
        head = (
            f'<svg id="{chart_id}" class="chart-svg" role="img" '
            f'aria-labelledby="{chart_id}-title" '
            f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {h}" '
            f'width="{WIDTH}" height="{h}" font-size="{FONT}" fill="{INK}" '
            f'font-family="{PDF_FONT_FAMILY}, sans-serif">'
            # The whole text alternative is the title: WeasyPrint takes a figure's /Alt in the
            # PDF from the SVG's first <title> only (the <desc> would be lost there).
            f'<title id="{chart_id}-title">{escape(alt)}</title>'
        )
        return Markup(head + "\n" + "\n".join(self.parts) + "\n</svg>\n")


@dataclass(frozen=True)
class _Scale:
    """Linear map from figures (Decimal) to x positions (px)."""

    lo: Decimal
    hi: Decimal
    x_lo: Px
    x_hi: Px

    def __call__(self, value: Decimal) -> Px:
        span = self.hi - self.lo
        share = float((value - self.lo) / span) if span else 0.0  # float-ok: geometry
        return self.x_lo + share * (self.x_hi - self.x_lo)


def _article_heading(a: ArticleFigures) -> str:
    return f"{a.code} {a.article.title}"


def _article_said(a: ArticleFigures) -> str:
    return f"{a.article.title} ({a.code})"


def _credit_column() -> Px:
    """Right edge of the VAK/VEK label column."""
    return max(text_width(CREDIT_LABELS[c]) for c in EXPENDITURE_CREDITS)


def _legend_swatch(svg: _Svg, x: Px, y: Px, kind: str) -> None:
    """A legend swatch 12 px wide centred on ``y``: a bar shade, a diamond or a dashed line."""
    if kind == "diamond":
        svg.diamond(x + 6, y)
    elif kind == "dashed":
        svg.line(x + 6, y - 7, x + 6, y + 7, dashed=True)
    else:
        svg.rect(x, y - 5, 12, 10, kind)


def _legend(svg: _Svg, y: Px, entries: Sequence[tuple[str, str]]) -> Px:
    """Swatches with their words, flowed in lines over the width; returns the y below."""
    x = 0.0  # float-ok: geometry
    y += LINE / 2
    for kind, label in entries:
        lines = wrap(label, WIDTH - 18)
        needed = 18 + max(text_width(line) for line in lines)
        if x and (x + needed > WIDTH or len(lines) > 1):
            x, y = 0.0, y + LINE  # float-ok: geometry
        _legend_swatch(svg, x, y, kind)
        svg.lines(x + 18, y - LINE / 2, lines)
        y += LINE * (len(lines) - 1)
        x += needed + 2 * GAP
    return y + LINE / 2


# -- utilisation per article ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A utilisation as the chart shows it.

    Attributes:
        bar: the percentage to draw, or None when the chart writes it out instead.
        text: the label: ``93,9%``, ``n.v.t.: negatieve uitvoering (-1.936,3%)``.
    """

    bar: Decimal | None
    text: str


def shown_utilisation(pct: Percent) -> Shown:
    """A bar for 0% to :data:`UTILISATION_CAP`; otherwise "n.v.t." with its reason."""
    if pct.value is None:
        return Shown(None, f"{NOT_APPLICABLE}: BA-JR is 0")
    if pct.value < 0:
        return Shown(None, f"{NOT_APPLICABLE}: negatieve uitvoering ({procent(pct)})")
    if pct.value > UTILISATION_CAP:
        cap = procent(UTILISATION_CAP, 0)
        return Shown(None, f"{NOT_APPLICABLE}: hoger dan {cap} ({procent(pct)})")
    return Shown(pct.value, procent(pct))


def _percent_label(value: Decimal) -> str:
    """A reference value as written: ``90%``, ``87,5%``."""
    return procent(value, 0 if value == value.to_integral_value() else 1)


@dataclass(frozen=True)
class _Bar:
    """One utilisation bar: an article's VAK or VEK."""

    article: ArticleFigures
    credit: str
    figures: Figures
    shown: Shown

    @property
    def amounts(self) -> str:
        return f"{bedrag(self.figures.bu)} / {bedrag(self.figures.ba_jr)}"


@dataclass(frozen=True)
class _UtilisationLayout:
    """Columns of the utilisation chart, from left to right."""

    credit_right: Px  # VAK / VEK labels end here
    scale: _Scale  # bars: 0% .. 100% or the largest bar
    pct_right: Px  # the percentages end here
    amounts_left: Px  # "BU / BA-JR" column, ending at WIDTH

    @classmethod
    def of(cls, bars: Sequence[_Bar]) -> _UtilisationLayout:
        credit_right = _credit_column()
        amounts_w = max(text_width(t) for t in ["BU / BA-JR", *(b.amounts for b in bars)])
        drawn = [b.shown.text for b in bars if b.shown.bar is not None]
        pct_w = max(text_width(t) for t in ["100,0%", *drawn])
        amounts_left = WIDTH - amounts_w
        pct_right = amounts_left - 2 * GAP
        x0 = credit_right + PAD + 1
        top = max([Decimal(100)] + [b.shown.bar for b in bars if b.shown.bar is not None])
        scale = _Scale(Decimal(0), top, x0, pct_right - pct_w - GAP)
        return cls(credit_right, scale, pct_right, amounts_left)


def _utilisation_row(svg: _Svg, lay: _UtilisationLayout, y: Px, bar: _Bar) -> Px:
    """One bar row (or its "n.v.t." text) with its labels; returns the y below it."""
    mid = y + ROW / 2
    svg.text(lay.credit_right, mid, CREDIT_LABELS[bar.credit], anchor="end")
    svg.text(WIDTH, mid, bar.amounts, anchor="end")
    x0 = lay.scale.x_lo
    value = bar.shown.bar
    if value is None:
        lines = wrap(bar.shown.text, lay.amounts_left - GAP - x0)
        svg.lines(x0 + PAD, mid - LINE / 2, lines, style="italic")
        return y + ROW + LINE * (len(lines) - 1)
    svg.rect(x0, mid - BAR / 2, lay.scale(value) - x0, BAR, CREDIT_FILL[bar.credit])
    svg.text(lay.pct_right, mid, bar.shown.text, anchor="end")
    return y + ROW


def _utilisation_header(svg: _Svg, lay: _UtilisationLayout, y: Px, threshold: Decimal | None) -> Px:
    """The reference values over their lines and the amounts' column header."""
    mid = y + LINE / 2
    svg.text(lay.scale(Decimal(100)) + PAD, mid, "100%")
    if threshold is not None:
        svg.text(lay.scale(threshold) - PAD, mid, _percent_label(threshold), anchor="end")
    svg.text(WIDTH, mid, "BU / BA-JR", anchor="end")
    return y + LINE


def _utilisation_bars(
    svg: _Svg, lay: _UtilisationLayout, y: Px, bars: Sequence[_Bar], threshold: Decimal | None
) -> Px:
    """An article's rows; the reference lines cross its bars, never its "n.v.t." text."""
    spans: list[tuple[Px, Px]] = []
    for bar in bars:
        top, y = y, _utilisation_row(svg, lay, y, bar)
        if bar.shown.bar is None:
            continue
        if spans and spans[-1][1] == top:
            spans[-1] = (spans[-1][0], y)
        else:
            spans.append((top, y))
    for top, bottom in spans:
        _reference_lines(svg, lay, top, bottom, threshold)
    return y


def _reference_lines(
    svg: _Svg, lay: _UtilisationLayout, top: Px, bottom: Px, threshold: Decimal | None
) -> None:
    """The 100% line and the explanation threshold, over one article's bars."""
    svg.line(lay.scale(Decimal(100)), top, lay.scale(Decimal(100)), bottom)
    if threshold is not None:
        svg.line(lay.scale(threshold), top, lay.scale(threshold), bottom, dashed=True)


def utilisation_chart(icalc: IseFigures, explain_below: Decimal) -> Chart | None:
    """Horizontal bars of BU / BA-JR per expenditure article, VAK and VEK."""
    articles = icalc.expenditure
    if not articles:
        return None
    chart_id = f"chart-{icalc.ise.key}-benutting"
    title = f"Benuttingsgraad per artikel (BU / BA-JR), ISE {icalc.ise.title}"
    bars = [
        _Bar(a, c, a.credits[c], shown_utilisation(a.credits[c].benutting))
        for a in articles
        for c in EXPENDITURE_CREDITS
    ]
    lay = _UtilisationLayout.of(bars)
    threshold = explain_below if 0 < explain_below < 100 else None
    svg = _Svg()
    y: Px = 0
    if threshold is not None:
        rule = f"{_percent_label(threshold)}: daaronder wordt de onderbenutting toegelicht"
        y = _legend(svg, y, [("dashed", rule)]) + PAD
    y = _utilisation_header(svg, lay, y, threshold)
    for a in articles:
        y = svg.lines(0, y + GAP, wrap(_article_heading(a), WIDTH, bold=True), style="bold")
        y = _utilisation_bars(svg, lay, y, [b for b in bars if b.article is a], threshold)
    rows = tuple(
        (
            b.article.code,
            CREDIT_LABELS[b.credit],
            bedrag(b.figures.bu),
            bedrag(b.figures.ba_jr),
            b.shown.text,
        )
        for b in bars
    )
    alt = _utilisation_alt(title, articles, bars, threshold)
    columns = ("Artikel", "Krediet", "BU", "BA-JR", "Benuttingsgraad")
    return Chart(chart_id, title, alt, svg.markup(chart_id, title, alt, y + PAD), columns, rows)


def _utilisation_alt(
    title: str, articles: Sequence[ArticleFigures], bars: Sequence[_Bar], threshold: Decimal | None
) -> str:
    """The chart in words: every percentage and amount it shows, and what its lines mean."""
    parts = []
    for a in articles:
        said = [
            f"{CREDIT_LABELS[b.credit]} {b.shown.text}, "
            f"BU {bedrag(b.figures.bu)} van BA-JR {bedrag(b.figures.ba_jr)}"
            for b in bars
            if b.article is a
        ]
        parts.append(f"{_article_said(a)}: {'; '.join(said)}.")
    lines = "De volle lijn staat op 100%."
    if threshold is not None:
        lines = (
            f"De stippellijn op {_percent_label(threshold)} is de grens waaronder een artikel "
            "zijn onderbenutting toelicht; de volle lijn staat op 100%."
        )
    return f"{title}. Bedragen in duizend euro. {' '.join(parts)} {lines}"


# -- movements BA -> BA-JR ---------------------------------------------------------------------


@dataclass(frozen=True)
class MovementRow:
    """The movements of one article and credit type, from BA to BA-JR.

    Attributes:
        article: the article.
        credit: ``vak`` or ``vek``.
        index: index tranches (from the index provision).
        incoming / outgoing: the other reallocations into and out of the article (outgoing < 0).
    """

    article: ArticleFigures
    credit: str
    index: Decimal
    incoming: Decimal
    outgoing: Decimal

    def sides(self) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Decimal]]]:
        """The parts stacked from zero to the right (increases) and to the left (decreases).

        The index is nearest zero on both sides: a tranche is normally an increase, a negative
        one (a correction) goes left.
        """
        parts = [("index", self.index), ("incoming", self.incoming), ("outgoing", self.outgoing)]
        return [p for p in parts if p[1] > 0], [p for p in parts if p[1] < 0]

    @property
    def gain(self) -> Decimal:
        return sum((v for _, v in self.sides()[0]), Decimal(0))

    @property
    def loss(self) -> Decimal:
        """The decreases, as a negative amount."""
        return sum((v for _, v in self.sides()[1]), Decimal(0))

    @property
    def net(self) -> Decimal:
        return self.index + self.incoming + self.outgoing

    @property
    def figures(self) -> Figures:
        return self.article.credits[self.credit]


def movement_rows(icalc: IseFigures) -> list[MovementRow]:
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
                out.append(MovementRow(a, credit, index, incoming, outgoing))
    return out


def _plus(amount: Decimal) -> str:
    return f"+{bedrag(amount)}" if amount > 0 else bedrag(amount)


_PARTS = {
    "index": (DARK, "indexering"),
    "incoming": (LIGHT, "herverdeling naar het artikel"),
    "outgoing": (WHITE, "herverdeling uit het artikel"),
}
_MOVEMENT_LEGEND = (*_PARTS.values(), ("diamond", "netto effect (BA-JR − BA)"))


@dataclass(frozen=True)
class _MovementLayout:
    """Columns of the movements chart: credit label, diverging bars, BA, BA-JR."""

    credit_right: Px
    scale: _Scale  # -largest loss .. largest gain
    ba_right: Px  # BA column ends here; BA-JR ends at WIDTH

    @classmethod
    def of(cls, data: Sequence[MovementRow]) -> _MovementLayout:
        credit_right = _credit_column()
        jr_w = max(text_width(t) for t in ["BA-JR", *(bedrag(r.figures.ba_jr) for r in data)])
        ba_w = max(text_width(t) for t in ["BA", *(bedrag(r.figures.ba) for r in data)])
        ba_right = WIDTH - jr_w - 2 * GAP
        plus_w = max([text_width(_plus(r.gain)) + LABEL_OFF for r in data if r.gain] + [0])
        minus_w = max([text_width(bedrag(r.loss)) + LABEL_OFF for r in data if r.loss] + [0])
        x_lo = credit_right + 2 * GAP + minus_w  # "VAK" never reads as part of "-2.500"
        x_hi = ba_right - ba_w - 2 * GAP - plus_w
        scale = _Scale(min(r.loss for r in data), max(r.gain for r in data), x_lo, x_hi)
        return cls(credit_right, scale, ba_right)


def _movement_row(svg: _Svg, lay: _MovementLayout, y: Px, r: MovementRow) -> Px:
    mid = y + ROW / 2
    svg.text(lay.credit_right, mid, CREDIT_LABELS[r.credit], anchor="end")
    for side in r.sides():
        reached = Decimal(0)
        for part, amount in side:
            start = lay.scale(reached)
            reached += amount
            svg.rect(start, mid - BAR / 2, lay.scale(reached) - start, BAR, _PARTS[part][0])
    if r.gain:
        svg.text(lay.scale(r.gain) + LABEL_OFF, mid, _plus(r.gain))
    if r.loss:
        svg.text(lay.scale(r.loss) - LABEL_OFF, mid, bedrag(r.loss), anchor="end")
    svg.diamond(lay.scale(r.net), mid)
    svg.text(lay.ba_right, mid, bedrag(r.figures.ba), anchor="end")
    svg.text(WIDTH, mid, bedrag(r.figures.ba_jr), anchor="end")
    return y + ROW


def movements_chart(icalc: IseFigures) -> Chart | None:
    """Diverging bars of the movements from BA to BA-JR, per article and credit type."""
    data = movement_rows(icalc)
    if not data:
        return None
    chart_id = f"chart-{icalc.ise.key}-bewegingen"
    title = f"Van BA naar BA-JR: indexering en herverdelingen per artikel, ISE {icalc.ise.title}"
    lay = _MovementLayout.of(data)
    svg = _Svg()
    y = _legend(svg, 0, _MOVEMENT_LEGEND) + PAD
    svg.text(lay.ba_right, y + LINE / 2, "BA", anchor="end")
    svg.text(WIDTH, y + LINE / 2, "BA-JR", anchor="end")
    y += LINE
    for article in _unique(r.article for r in data):
        y = svg.lines(0, y + GAP, wrap(_article_heading(article), WIDTH, bold=True), style="bold")
        top = y
        for r in data:
            if r.article is article:
                y = _movement_row(svg, lay, y, r)
        svg.line(lay.scale(Decimal(0)), top, lay.scale(Decimal(0)), y)
    rows = tuple(
        (
            r.article.code,
            CREDIT_LABELS[r.credit],
            bedrag(r.figures.ba),
            bedrag(r.index),
            bedrag(r.incoming),
            bedrag(r.outgoing),
            bedrag(r.figures.ba_jr),
        )
        for r in data
    )
    columns = (
        "Artikel",
        "Krediet",
        "BA",
        "Indexering",
        "Herverdeling in",
        "Herverdeling uit",
        "BA-JR",
    )
    alt = _movements_alt(title, data)
    return Chart(chart_id, title, alt, svg.markup(chart_id, title, alt, y + PAD), columns, rows)


def _unique(articles: Iterable[ArticleFigures]) -> list[ArticleFigures]:
    seen: list[ArticleFigures] = []
    for a in articles:
        if not any(a is s for s in seen):
            seen.append(a)
    return seen


def _parts_said(side: Sequence[tuple[str, Decimal]]) -> str:
    """``indexering`` alone, or ``indexering 2.000, herverdeling naar het artikel 16.227``."""
    if len(side) == 1:
        return _PARTS[side[0][0]][1]
    return ", ".join(f"{_PARTS[part][1]} {bedrag(amount)}" for part, amount in side)


def _movements_alt(title: str, data: Sequence[MovementRow]) -> str:
    parts = []
    for article in _unique(r.article for r in data):
        said = []
        for r in data:
            if r.article is not article:
                continue
            steps = [
                f"{_plus(total)} ({_parts_said(side)})"
                for total, side in zip((r.gain, r.loss), r.sides(), strict=True)
                if side
            ]
            said.append(
                f"{CREDIT_LABELS[r.credit]} van BA {bedrag(r.figures.ba)} naar BA-JR "
                f"{bedrag(r.figures.ba_jr)}: {' en '.join(steps)}, netto {_plus(r.net)}"
            )
        parts.append(f"{_article_said(article)}: {'; '.join(said)}.")
    return f"{title}. Bedragen in duizend euro. {' '.join(parts)}"


__all__ = [
    "Chart",
    "MovementRow",
    "Shown",
    "movement_rows",
    "movements_chart",
    "shown_utilisation",
    "text_width",
    "utilisation_chart",
    "wrap",
]
