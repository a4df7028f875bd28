"""Find the figures a text states, and the data figures they could mean.

How a number in the prose is classified (docs/findings.md, BBT210/BBT211):

* an **amount** is a number directly followed by a money unit or a credit type: ``580.966
  keuro``, ``2.000 keuro VEK``, ``24.016 VAK``, ``12.912 VEK-middelen``, ``5 euro``. Years, dates
  (``1 januari 2025``), counts (``5.022 aanvragen``, ``39 regisseurs``) and VTE or trajectories
  (``1.680,33 trajecten``) are followed by something else, so they are never amounts;
* a **utilisation claim** is a percentage (``93,9%``) whose clause speaks of the available credit
  or utilisation (``van het beschikbare krediet``, ``benuttingsgraad``, ``realisatiegraad``);
  other percentages (fill rates, shares of companies, ``28 procentpunt``) are left alone.

Numbers inside Jinja expressions (``{{ vak.bu }}``), in URLs and in footnote references are
not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from bbt.calc import Percent

NUMBER = re.compile(r"(?<![\w.,/-])(-?\d{1,3}(?:\.\d{3})+(?:,\d+)?|-?\d+(?:,\d+)?)(?![\w]|[.,]\d)")
_AMOUNT_UNIT = re.compile(r"^\s*(?:keuro|k€|euro|duizend euro|VAK|VEK)(?![a-zA-Z])")
_PERCENT = re.compile(r"^\s*(?:%|procent(?!punt))")
_UTILISATION_WORDS = re.compile(
    r"(?<![a-z])(?:beschikbare|benuttingsgraad|benutting|realisatiegraad|uitvoeringsgraad)(?![a-z])",
    re.I,
)
_SKIP = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<https?://[^>]*>|\]\([^)]*\)|https?://\S+|\[\^[^\]]*\]"
)
_CREDIT_WORD = re.compile(r"^\s*(?:keuro\s+)?(VAK/VEK|VAK|VEK)(?![a-zA-Z])")

# Path parts -> words in messages ("vek.bu" -> "BU VEK").
_PHASE_WORDS = {
    "ba": "BA",
    "ba_jr": "BA-JR",
    "bu": "BU",
    "delta": "BA-JR − BA",
    "onderbenutting": "BA-JR − BU",
}


@dataclass(frozen=True)
class Stated:
    """A number stated in a text.

    Attributes:
        text: as written (``522.157``).
        value: its exact value (``Decimal("522157")``).
        kind: ``amount`` or ``percent``.
        line: 1-based line within the text; ``start``/``end``: columns in that line.
        credit: ``VAK``, ``VEK``, ``VAK/VEK`` or ``""``, the credit type written after it.
        utilisation: for percentages, whether the clause is a utilisation claim.
        context: the 80 characters before the number (for choosing among equal figures).
    """

    text: str
    value: Decimal
    kind: str
    line: int
    start: int
    end: int
    credit: str = ""
    utilisation: bool = False
    context: str = ""


def parse_dutch(text: str) -> Decimal:
    """``"1.207,64"`` -> ``Decimal("1207.64")`` (the inverse of the Babel formats)."""
    return Decimal(text.replace(".", "").replace(",", "."))


def _blank(match: re.Match[str]) -> str:
    # Keep columns; a non-space filler so "2024 {{ vak.ba }} keuro" does not read as "2024 keuro".
    return "\u00a7" * len(match.group(0))


def stated_numbers(source: str) -> Iterator[Stated]:
    """Amounts and percentages stated in a Markdown text (see the module docstring)."""
    in_footnote_def = False
    for number, raw in enumerate(source.splitlines(), start=1):
        line = _SKIP.sub(_blank, raw)
        if re.match(r"^\s*\[\^", raw):
            in_footnote_def = True
        elif not raw.strip():
            in_footnote_def = False
        for match in NUMBER.finditer(line):
            after = line[match.end() :]
            before = line[max(0, match.start() - 80) : match.start()]
            text = match.group(1)
            if _PERCENT.match(after):
                window = before + line[match.end() : match.end() + 40]
                yield Stated(
                    text,
                    parse_dutch(text),
                    "percent",
                    number,
                    match.start(),
                    match.end(),
                    utilisation=bool(_UTILISATION_WORDS.search(window)) and not in_footnote_def,
                    context=before,
                )
            elif _AMOUNT_UNIT.match(after):
                credit = _CREDIT_WORD.match(after)
                yield Stated(
                    text,
                    parse_dutch(text),
                    "amount",
                    number,
                    match.start(),
                    match.end(),
                    credit=credit.group(1) if credit else "",
                    context=before,
                )


# -- the figures of a section --------------------------------------------------------------


@dataclass(frozen=True)
class DataFigure:
    """A figure of the data, by the expression that cites it (``vek.bu``, ``mv.index_apr24.vak``)."""

    path: str
    value: Decimal


def flatten(ctx: object, prefix: str = "") -> Iterator[DataFigure]:
    """Every amount in a (nested) context, with its expression path; skips percentages."""
    if isinstance(ctx, dict):
        for key, value in ctx.items():
            if not isinstance(key, str) or key in ("benutting", "code", "title", "key", "year"):
                continue
            part = f"{prefix}.{key}" if prefix else key
            if not re.match(r"^[a-z_][a-z0-9_]*$", key):
                part = f"{prefix}['{key}']"
            yield from flatten(value, part)
    elif isinstance(ctx, Decimal | int) and not isinstance(ctx, bool):
        yield DataFigure(prefix, Decimal(ctx))


def utilisations(ctx: object, prefix: str = "") -> Iterator[tuple[str, Percent]]:
    """Every utilisation in a context, with its path (``vak.benutting``)."""
    if isinstance(ctx, dict):
        for key, value in ctx.items():
            part = f"{prefix}.{key}" if prefix else str(key)
            if not re.match(r"^[a-z_][a-z0-9_]*$", str(key)):
                part = f"{prefix}['{key}']"
            if isinstance(value, Percent) and key == "benutting":
                yield part, value
            else:
                yield from utilisations(value, part)


def describe(path: str) -> str:
    """Words for an expression path: ``vek.bu`` -> ``BU VEK``, ``mv.index_apr24.vak`` -> ``movement index_apr24 VAK``."""
    parts = re.split(r"\.|\['|'\]\.?", path)
    parts = [p for p in parts if p]
    credit = next((p.upper() for p in reversed(parts) if p in ("vak", "vek", "ao", "to", "lo")), "")
    words = []
    for p in parts:
        if p in ("vak", "vek", "ao", "to", "lo"):
            continue
        if p in _PHASE_WORDS:
            words.append(_PHASE_WORDS[p])
        elif p == "mv":
            words.append("movement")
        elif p == "art":
            continue
        else:
            words.append(p)
    return " ".join(words + ([credit] if credit else []))


def digit_distance(a: str, b: str) -> int:
    """Edit distance between the digit strings of two numbers (a typo measure)."""
    x = re.sub(r"\D", "", a)
    y = re.sub(r"\D", "", b)
    previous = list(range(len(y) + 1))
    for i, cx in enumerate(x, start=1):
        current = [i]
        for j, cy in enumerate(y, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (cx != cy)))
        previous = current
    return previous[-1]


_PRIORITY = (
    "vak.",
    "vek.",
    "ao.",
    "to.",
    "lo.",
    "accruals.",
    "index.",
    "realloc.",
    "mv.",
    "figures.",
    "ise.vak",
    "ise.vek",
    "ise.index",
    "ise.realloc",
    "ise.",
    "programme.",
    "art[",
)


def rank(candidates: list[DataFigure], stated: Stated) -> list[DataFigure]:
    """Order equal-valued figures by how well they fit the words around the stated number."""
    context = stated.context.lower()

    def score(fig: DataFigure) -> tuple[int, int, int]:
        s = 0
        path = fig.path
        credit = stated.credit.lower()
        if credit and credit != "vak/vek" and f".{credit}" in f".{path}":
            s += 4
        if credit == "vak/vek" and (".vak" in f".{path}"):
            s += 2
        phase = path.rsplit(".", 1)[-1] if "." in path else path
        if (
            re.search(r"decreta|\bba\b|toegekend", context) and phase == "ba"
        ) or ".ba." in f".{path}.":
            s += 2
        if re.search(r"beschikba|jaareinde|ba-jr", context) and ".ba_jr" in path:
            s += 2
        if re.search(r"uitvoering|bedroeg|benutting", context) and ".bu" in path:
            s += 1
        if re.search(r"index|spilindex", context) and ("index" in path):
            s += 2
        if re.search(r"overlopende", context) and "accruals" in path:
            s += 2
        order = next((i for i, p in enumerate(_PRIORITY) if path.startswith(p)), len(_PRIORITY))
        return (-s, order, len(path))

    return sorted(candidates, key=score)
