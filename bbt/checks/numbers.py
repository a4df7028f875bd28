"""Read the figures a Dutch text states: amounts, percentages and what each is tied to.

How a number in the prose is read (docs/findings.md, BBT210/BBT211), one sentence at a time:

* an **amount** is a number with a money unit, in any common Dutch way: ``580.966 keuro``,
  ``580.966 k€``, ``580.966 duizend euro``, ``580.966.000 euro``, ``€ 580.966.000``,
  ``581,0 miljoen euro``, ``€ 0,58 miljard``, or directly followed by a credit type
  (``24.016 VAK``, ``12.912 VEK-middelen``, read as keuro). Values are kept in keuro with the
  precision the text states (``552,3 miljoen euro`` is 552.300 keuro, give or take 50). In an
  enumeration the unit of the last number is the unit of all (``580.966 en 588.293 keuro``);
* a **percentage** is a number followed by ``%``, ``procent`` or ``pct`` (not ``procentpunt``);
* a number is **tied** to a credit type (``keuro VAK``, ``93,9% voor VEK``, ``van het
  beschikbare VAK-krediet``, ``De VAK-uitvoering bedroeg ...``, the order of ``VAK en VEK ...
  respectievelijk``), to a phase (``bij BA 2024``, ``op het jaareinde``, ``na herverdelingen``,
  ``De uitvoering bedroeg``) and, for a percentage, to the amount it qualifies
  (``552.289 keuro VAK of 93,9%``, ``18.278 keuro (oftewel 97,2% realisatiegraad)``);
  Dutch clauses end in their verb: ``werd 552.289 keuro vastgelegd`` ties VAK and BU;
* a **utilisation claim** is a percentage in a sentence about utilisation (``benuttingsgraad``,
  ``realisatiegraad``, ``van het beschikbare krediet`` ...) or tied to an executed amount, unless
  its own clause measures something else (fill rates, shares of companies, ``procentpunt``, a
  change ``met 2%``, a comparison ``2% meer dan``, an earlier value ``van 91,0% naar``, another
  year). Tied to an amount and said ``van het beschikbare krediet``, it is that amount's share of
  BA-JR (``3.218 keuro of 6,6% van het beschikbare krediet``).

Numbers after a qualifier (``ruim``, ``bijna``, ``meer dan``, ``ongeveer``, ``tussen ... en``)
are bounds or estimates and are marked ``approximate``. Years, dates, counts, VTE and
trajectories carry no money unit and are never amounts. Numbers inside Jinja expressions, in
URLs and in footnote references are not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

import msgspec

from bbt.checks.stated import Stated
from bbt.load.cache import Cache, fingerprint, key


def stated_numbers(source: str, year: int | None = None) -> Iterator[Stated]:
    """Amounts and percentages stated in a Markdown text (see the module docstring)."""
    yield from (s for s in read_numbers(source, year) if s.kind)


def read_numbers(source: str, year: int | None = None) -> list[Stated]:
    """Amounts and percentages of a Markdown text, sentence by sentence, with their ties.

    ``year`` is the budget year: a percentage said of another year is no utilisation claim.
    What a text states depends on the text and the year alone: it is read once and kept, in
    this process and in the cache between runs (bbt.load.cache).
    """
    return list(_read_once(source, year))


_READ = Cache("numbers")


@cache
def _fingerprint() -> str:
    here = Path(__file__)
    return fingerprint(
        __file__, str(here.with_name("reading.py")), str(here.with_name("stated.py"))
    )


@lru_cache(maxsize=1024)
def _read_once(source: str, year: int | None) -> tuple[Stated, ...]:
    def read() -> tuple[Stated, ...]:
        from bbt.checks.reading import read

        return tuple(read(source, year))

    # JSON rows, Decimals as their text; an entry that is not a list of them does not decode
    # (msgspec.ValidationError is a ValueError) and is read again.
    return _READ.remember(
        key(_fingerprint(), repr(year), source), read, msgspec.json.encode, _decoder().decode
    )


@cache
def _decoder() -> msgspec.json.Decoder[tuple[Stated, ...]]:
    return msgspec.json.Decoder(tuple[Stated, ...])
