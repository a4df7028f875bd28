"""The data side of the prose rule: the figures of a section, and which of them a stated number
can mean.

A stated amount agrees with a figure when both are equal at the coarser of their two
precisions, rounding half-up as the document does: ``552,3 miljoen euro`` (precision 100 keuro)
agrees with 552.289 keuro, ``552.289.000 euro`` with 552.289 keuro. It *fits* a figure when
the sentence's ties allow it: an amount said of VEK never matches a VAK figure, an amount said
of BA-JR never matches BA or BU (figures outside the three phases, such as movements, accruals
and ``figures:``, fit every phase).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from bbt.checks.stated import Stated
from bbt.format import getal
from bbt.model import CREDITS, PHASES
from bbt.money import Percent, round_half_up

# Path parts -> words in messages ("vek.bu" -> "BU VEK").
_PHASE_WORDS = {
    "ba": "BA",
    "ba_jr": "BA-JR",
    "bu": "BU",
    "delta": "BA-JR − BA",
    "onderbenutting": "BA-JR − BU",
}


_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
"""A key written with a dot in an expression path (``vak.bu``); others in brackets."""


class DataFigure(NamedTuple):
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
            if not _NAME.match(key):
                part = f"{prefix}['{key}']"
            yield from flatten(value, part)
    elif isinstance(ctx, Decimal | int) and not isinstance(ctx, bool):
        yield DataFigure(prefix, Decimal(ctx))


def utilisations(ctx: object, prefix: str = "") -> Iterator[tuple[str, Percent]]:
    """Every utilisation in a context, with its path (``vak.benutting``)."""
    if isinstance(ctx, dict):
        for key, value in ctx.items():
            part = f"{prefix}.{key}" if prefix else str(key)
            if not _NAME.match(str(key)):
                part = f"{prefix}['{key}']"
            if isinstance(value, Percent) and key == "benutting":
                yield part, value
            else:
                yield from utilisations(value, part)


def path_parts(path: str) -> list[str]:
    """``art['JB0-1JEC2HA-WT'].vak.bu`` -> ``['art', 'JB0-1JEC2HA-WT', 'vak', 'bu']``."""
    return [p for p in re.split(r"\.|\['|'\]\.?", path) if p]


def credit_of(path: str) -> str:
    """The credit type of a figure (``vak``, ``vek``, ``ao`` ...) or ``""``."""
    return next((p for p in reversed(path_parts(path)) if p in CREDITS), "")


def phase_of(path: str) -> str:
    """``ba``, ``ba_jr`` or ``bu`` for a phase figure, ``""`` for movements, accruals, figures."""
    last = path_parts(path)[-1] if path else ""
    return last if last in PHASES else ""


def describe(path: str) -> str:
    """Words for an expression path: ``vek.bu`` -> ``BU VEK``, ``mv.index_apr24.vak`` -> ``movement index_apr24 VAK``."""
    parts = path_parts(path)
    credit = credit_of(path).upper()
    words = []
    for p in parts:
        if p in CREDITS or p == "art":
            continue
        if p in _PHASE_WORDS:
            words.append(_PHASE_WORDS[p])
        elif p == "mv":
            words.append("movement")
        else:
            words.append(p)
    return " ".join(words + ([credit] if credit else []))


def required_credits(stated: Stated) -> tuple[str, ...]:
    """The credit types a stated number must hold for: ``VAK/VEK`` -> both."""
    return {"VAK": ("vak",), "VEK": ("vek",), "VAK/VEK": ("vak", "vek")}.get(stated.credit, ("",))


def _precision(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(0, exponent)) if isinstance(exponent, int) else Decimal(1)


def _round_to(value: Decimal, quantum: Decimal) -> Decimal:
    return round_half_up(value / quantum) * quantum


def agrees(stated: Stated, value: Decimal) -> bool:
    """Equal at the coarser precision of the two, rounded half-up (signs are not compared)."""
    quantum = max(stated.quantum, _precision(value))
    return _round_to(abs(value), quantum) == _round_to(abs(stated.value), quantum)


def fits(stated: Stated, figure: DataFigure, credit: str) -> bool:
    """Whether the sentence's ties allow ``figure`` for ``credit`` (``""``: any credit type)."""
    own = credit_of(figure.path)
    if credit and own and own != credit:
        return False
    phase = phase_of(figure.path)
    return not (stated.phase and phase and phase != stated.phase)


def matching(stated: Stated, figures: list[DataFigure]) -> dict[str, list[DataFigure]]:
    """Per required credit type, the figures the stated amount agrees with and fits."""
    return {
        credit: [f for f in figures if fits(stated, f, credit) and agrees(stated, f.value)]
        for credit in required_credits(stated)
    }


def in_unit(value: Decimal, stated: Stated) -> str:
    """A figure written the way the text writes the number: 552.157 keuro -> ``552,2`` for
    ``552,3 miljoen euro``, ``552.157.000`` for ``euro``."""
    places = stated.decimals
    return getal(round_half_up(abs(value) / stated.scale, places), places)


def counterpart(figure: DataFigure, stated: Stated, figures: list[DataFigure]) -> DataFigure | None:
    """The figure the text probably meant: ``figure`` with the stated credit type and phase."""
    path = figure.path
    credits = required_credits(stated)
    own = credit_of(path)
    if own and credits[0] and own not in credits:
        path = re.sub(rf"(^|\.){own}(?=\.|$)", rf"\g<1>{credits[0]}", path)
    phase = phase_of(path)
    if phase and stated.phase and phase != stated.phase:
        path = path[: -len(phase)] + stated.phase
    if path == figure.path:
        return None
    return next((f for f in figures if f.path == path), None)


def digit_distance(a: str, b: str) -> int:
    """Edit distance between the digit strings of two numbers, a swap of neighbours counting
    as one edit (a typo measure: ``552.157``/``522.157`` and ``137``/``173`` are 1 apart)."""
    x = re.sub(r"\D", "", a)
    y = re.sub(r"\D", "", b)
    rows = [list(range(len(y) + 1))]
    for i, cx in enumerate(x, start=1):
        row = [i]
        for j, cy in enumerate(y, start=1):
            cost = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (cx != cy))
            if i > 1 and j > 1 and cx == y[j - 2] and x[i - 2] == cy:
                cost = min(cost, rows[i - 2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


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


def _own_name(path: str) -> list[str]:
    """The words of the name a writer gave a figure or movement (``figures.verwacht_innovatie``)."""
    parts = path_parts(path)
    for key in ("figures", "mv"):
        if key in parts and parts.index(key) + 1 < len(parts):
            # "index" already counts above: an index movement is no better for its name.
            return [w for w in parts[parts.index(key) + 1].split("_") if w != "index"]
    return []


def rank(candidates: list[DataFigure], stated: Stated) -> list[DataFigure]:
    """Order figures by how well they fit the ties and the words around the stated number."""
    context = stated.context.lower()
    around = f"{context} {stated.following.lower()}"

    def score(fig: DataFigure) -> tuple[int, int, int]:
        s = 0
        path = fig.path
        credit = stated.credit.lower()
        if credit and credit != "vak/vek" and f".{credit}" in f".{path}":
            s += 4
        if credit == "vak/vek" and (".vak" in f".{path}"):
            s += 2
        if stated.phase and phase_of(path) == stated.phase:
            s += 3
        if stated.value < 0 and fig.value < 0:
            s += 3  # "-5,3 miljoen euro": a reduction, not the index
        if any(len(w) >= 5 and w in around for w in _own_name(path)):
            s += 2  # the figure's own name in the sentence: "oproep ‘Innovatie’" -> verwacht_innovatie
        if (
            re.search(r"decreta|\bba\b|toegekend", context) and phase_of(path) == "ba"
        ) or ".ba." in f".{path}.":
            s += 2
        if re.search(r"beschikba|jaareinde|ba-jr", context) and ".ba_jr" in path:
            s += 2
        if re.search(r"uitvoering|bedroeg|benutting", context) and ".bu" in path:
            s += 1
        if re.search(r"index|spilindex", around) and ("index" in path):
            s += 2
        if re.search(r"overlopende", around) and "accruals" in path:
            s += 2
        order = next((i for i, p in enumerate(_PRIORITY) if path.startswith(p)), len(_PRIORITY))
        return (-s, order, len(path))

    return sorted(candidates, key=score)
