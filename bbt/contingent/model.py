"""The contingent register as immutable objects that remember where they came from.

A *contingent* is a number of allocated subsidised places (VTE or trajectories) for a measure;
its *fill* (invulling) is how many of those places were occupied over the same period. The
register holds, per measure, entries (allocated and/or filled for a period and a scope) and the
published reductions. Figures are exact :class:`~decimal.Decimal`, never float.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

import msgspec

from bbt.errors import UNKNOWN, Location

UNITS: dict[str, str] = {
    "vte": "VTE (voltijds equivalent, 38 uur per week)",
    "vte30": "VTE van 30 uur per week (arbeidszorg)",
    "traject": "trajecten (begeleidingen)",
}
"""Units a measure may be counted in; the keys are what the register writes."""

UNIT_LABELS: dict[str, str] = {"vte": "VTE", "vte30": "VTE (30 u/week)", "traject": "trajecten"}

BASES: dict[str, str] = {
    "snapshot": "stand op een peildatum",
    "annual": "op jaarbasis",
    "annual-average": "jaargemiddelde",
    "quarter": "één kwartaal",
    "quarter-sum": "som over de kwartalen van de periode",
    "period": "over de hele periode",
}
"""How an entry's figures were measured; the default follows from the kind of period."""

PROVINCES: dict[str, str] = {
    "antwerpen": "Antwerpen",
    "limburg": "Limburg",
    "oost-vlaanderen": "Oost-Vlaanderen",
    "vlaams-brabant": "Vlaams-Brabant",
    "west-vlaanderen": "West-Vlaanderen",
    "brussel": "Brussels Hoofdstedelijk Gewest",
}
"""Province keys (lower case, as in the register) and their names in the document."""

FLANDERS = "vlaanderen"
"""The scope of an entry without province or organisation: the whole measure."""

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """Text that is not one of the period forms; the message says which forms exist."""


@dataclass(frozen=True, order=True)
class Period:
    """When an entry's figures hold.

    Attributes:
        start: first day covered.
        end: last day covered (equal to ``start`` for a reference date).
        text: the period as the register writes it: ``2023``, ``2017-Q4``, ``2023-07-01``
            (a reference date, peildatum) or ``2018-07-16..2019-10-15``.
        kind: ``year``, ``quarter``, ``date`` or ``range``.
    """

    start: dt.date
    end: dt.date
    text: str = field(compare=False)
    kind: str = field(compare=False)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse one of the four forms; raises :class:`PeriodError` otherwise."""
        clean = text.strip()
        try:
            if m := _YEAR.match(clean):
                year = int(m.group(1))
                return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), clean, "year")
            if m := _QUARTER.match(clean):
                year, q = int(m.group(1)), int(m.group(2))
                start = dt.date(year, 3 * q - 2, 1)
                end = dt.date(year + 1, 1, 1) if q == 4 else dt.date(year, 3 * q + 1, 1)
                return cls(start, end - dt.timedelta(days=1), clean, "quarter")
            if _DATE.match(clean):
                day = dt.date.fromisoformat(clean)
                return cls(day, day, clean, "date")
            if m := _RANGE.match(clean):
                start, end = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
                if end < start:
                    raise PeriodError(f"period {text!r} ends before it starts")
                return cls(start, end, clean, "range")
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(f"{text!r} is not a valid date: {exc}") from None
        raise PeriodError(
            f"{text!r} is not a period; write a year (2023), a quarter (2017-Q4), a reference "
            "date (2023-07-01) or a range (2018-07-16..2019-10-15)"
        )

    @property
    def default_basis(self) -> str:
        return {"year": "annual", "quarter": "quarter", "date": "snapshot"}.get(self.kind, "period")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Entry:
    """One row of the register: a measure's contingent (and/or its fill) for a period and scope.

    Attributes:
        measure: key of the measure (``cmw``, ``ama-se``, ...).
        period: when the figures hold.
        province: province key, or None for the whole measure (or an organisation's province).
        organisation: organisation name, or None for a province or the whole measure.
        allocated: allocated contingent (toegekend), or None when the source gives only a fill.
        filled: filled contingent (ingevuld) over the same period, or None.
        organisations: number of organisations behind the figures (province tables), or None.
        basis: how the figures were measured (a key of :data:`BASES`).
        source: where the figures were published (``seed 000:79``).
        note: a remark shown with the figures.
        loc: where the entry stands in the register.
        locs: location of each figure by field name (``allocated``, ``filled``).
    """

    measure: str
    period: Period
    province: str | None = None
    organisation: str | None = None
    allocated: Decimal | None = None
    filled: Decimal | None = None
    organisations: int | None = None
    basis: str = "period"
    source: str = ""
    note: str = ""
    loc: Location = UNKNOWN
    locs: dict[str, Location] = field(default_factory=dict, compare=False)

    @property
    def scope(self) -> str:
        """``organisation``, ``province`` or ``vlaanderen`` (the whole measure)."""
        if self.organisation is not None:
            return "organisation"
        if self.province is not None:
            return "province"
        return FLANDERS

    @property
    def scope_label(self) -> str:
        if self.organisation is not None:
            return self.organisation
        if self.province is not None:
            return PROVINCES.get(self.province, self.province)
        return "Vlaanderen"


class Reduction(msgspec.Struct, frozen=True):
    """A published reduction of contingent (the AMA WSE 80% rule applied by the administration).

    Attributes:
        measure: key of the measure.
        date: the day the reduction took effect (``2023-07-01``).
        fill_year: the year whose fill was evaluated (``2022``).
        province: province key, or None for the whole measure.
        organisation: organisation name when the reduction concerns one organisation.
        organisations: number of organisations whose contingent was reduced.
        reduced: how much contingent was taken away (in the measure's unit).
        source: where it was published.
        loc: where it stands in the register.
    """

    measure: str
    date: dt.date
    fill_year: int
    reduced: Decimal
    province: str | None = None
    organisation: str | None = None
    organisations: int | None = None
    source: str = ""
    loc: Location = UNKNOWN


class Measure(msgspec.Struct, frozen=True):
    """A contingent measure and everything the register knows about it.

    Attributes:
        key: short key used on the command line and in ``fill_rate`` (``cmw``).
        title: Dutch name for documents.
        unit: a key of :data:`UNITS`; every figure of the measure is in this unit.
        source: default source of its entries.
        note: remark on the whole measure.
        entries: the register rows, in register order.
        reductions: published reductions, in register order.
        loc: where the measure stands in the register.
    """

    key: str
    title: str
    unit: str
    source: str = ""
    note: str = ""
    entries: tuple[Entry, ...] = ()
    reductions: tuple[Reduction, ...] = ()
    loc: Location = UNKNOWN

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS.get(self.unit, self.unit)


class Register(msgspec.Struct, frozen=True):
    """The whole register (one YAML file).

    Attributes:
        title: what the register is about.
        measures: measures by key, in register order.
        loc: the file (line 1).
    """

    title: str
    measures: dict[str, Measure]
    loc: Location = UNKNOWN

    def measure(self, key: str) -> Measure:
        """The measure ``key``; raises :class:`KeyError` with the known keys otherwise."""
        try:
            return self.measures[key]
        except KeyError:
            known = ", ".join(self.measures) or "(none)"
            raise KeyError(f"no measure {key!r} in the register; known: {known}") from None
