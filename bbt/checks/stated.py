"""A number stated in a text (:class:`Stated`), and the Dutch reading of its digits that the
reader uses (:func:`parse_dutch`).

:class:`Stated` is shared by the reader of the prose (bbt/checks/reading.py) and by the cached
front of it (bbt/checks/numbers.py), so the reader needs nothing of the front, and the front
imports the reader only for a text the cache does not hold.
"""

from __future__ import annotations

import re
from decimal import Decimal

import msgspec


class Stated(msgspec.Struct, frozen=True, array_like=True):  # kept as a row (numbers.py)
    """A number stated in a text, with what the sentence ties it to.

    Attributes:
        text: the number as written (``522.157``, ``552,3``).
        value: its value, for amounts in keuro (``552,3 miljoen euro`` -> ``552300``).
        kind: ``amount``, ``percent`` or ``""`` (a plain number: a year, a count).
        line: 1-based line within the text; ``start``/``end``: columns of the number in that line.
        credit: ``VAK``, ``VEK``, ``VAK/VEK`` or ``""``: the credit type the sentence ties it to.
        utilisation: for percentages, whether it is a utilisation claim.
        context: the 80 characters before the number (for choosing among equal figures).
        following: the 60 characters after it, for the same purpose (``uit de indexprovisie``).
        unit: the unit as written (``keuro``, ``miljoen euro``, ``€``, ``%``); ``keuro`` when a
            credit type stands for it (``24.016 VAK``); ``""`` for plain numbers.
        scale: keuro per unit (1 for keuro, 0.001 for euro, 1000 for miljoen euro).
        quantum: the precision stated, in keuro (``552,3 miljoen euro``: 100).
        phase: ``ba``, ``ba_jr``, ``bu`` or ``""``: the phase the sentence ties an amount to.
        approximate: a bound or an estimate (``ruim 550 miljoen euro``): not compared.
        tie: for a percentage, the index (in the list :func:`read_numbers` returns) of the amount
            it qualifies, -1 if none; for an amount, of the percentage that qualifies it.
        written: the number with its unit as typed (``€ 552,2 mln.``, ``552,3 miljoen euro``).
        base: ``available`` for a percentage of the available credit (``6,6% van het beschikbare
            krediet``): tied to an amount, it is that amount's share of BA-JR.
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
    unit: str = ""
    scale: Decimal = Decimal(1)
    quantum: Decimal = Decimal(1)
    phase: str = ""
    approximate: bool = False
    tie: int = -1
    written: str = ""
    base: str = ""
    following: str = ""

    @property
    def decimals(self) -> int:
        """How many decimals the text states (``552,3`` -> 1)."""
        return len(self.text.split(",")[1]) if "," in self.text else 0


def parse_dutch(text: str) -> Decimal:
    """``"1.207,64"`` -> ``Decimal("1207.64")`` (the inverse of the Babel formats)."""
    clean = re.sub(r"[.\u00a0\u202f]", "", text).replace(",", ".").replace("−", "-")
    return Decimal(clean)
