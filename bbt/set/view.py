"""The loaded documents of a set, indexed for the cross-document rules.

:class:`SetView` answers the one question every rule asks: *whom does a movement name?* A
counterpart is, in this order, a provision the set checks (declared in set.yaml, or owned by a
document of the set), an article of another document, a code of a programme whose document is
in the set but lacks that article, the name of another document (its policy field or a name
set.yaml gives it), or something outside the set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from bbt.article_codes import CodeError, looks_like_code, parse_code
from bbt.calculation import Calculation
from bbt.errors import Location, relpath
from bbt.format import bedrag
from bbt.load.budget import DOCUMENT_FILE
from bbt.load.nodes import Map
from bbt.load.yamlsrc import parse_yaml
from bbt.model import CREDIT_LABELS, Article, Document, Movement
from bbt.money import ZERO
from bbt.set.model import BudgetSet, Member


@dataclass(frozen=True, eq=False)
class Entry:
    """A document of the set that loaded: its place in set.yaml and its calculation."""

    member: Member
    calculation: Calculation

    @property
    def doc(self) -> Document:
        return self.calculation.document

    @property
    def name(self) -> str:
        return self.doc.policy_field

    @cached_property
    def key_locs(self) -> dict[str, Location]:
        """Line of each top-level key of bbt.yaml (the model keeps only the document's)."""
        node = parse_yaml(self.doc.root / DOCUMENT_FILE, [])
        return dict(node.keys) if isinstance(node, Map) else {}

    def key_loc(self, key: str) -> Location:
        return self.key_locs.get(key, self.doc.loc)


@dataclass(frozen=True)
class Booking:
    """One movement of one article of one document."""

    entry: Entry
    article: Article
    movement: Movement


@dataclass(frozen=True)
class Target:
    """What a movement's counterpart resolves to.

    Attributes:
        kind: ``provision``, ``article`` (of another document), ``missing`` (a code of another
            document's programme that it does not have), ``document`` (another document, by
            name), ``self`` (this document: the single-document rules check it),
            ``ambiguous`` (several documents claim it) or ``outside``.
        entries: the document(s) meant.
        article: for ``article``, the counterpart article.
    """

    kind: str
    entries: tuple[Entry, ...] = ()
    article: Article | None = None


SELF = Target("self")
OUTSIDE = Target("outside")
AMBIGUOUS = Target("ambiguous")


class SetView:
    """Indexes over the loaded documents (in set order)."""

    def __init__(self, budget_set: BudgetSet, entries: list[Entry]) -> None:
        self.set = budget_set
        self.entries = entries
        self.owners: dict[str, list[tuple[Entry, Article]]] = defaultdict(list)
        self.programmes: dict[str, list[Entry]] = defaultdict(list)
        self.names: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries:
            self.programmes[entry.doc.programme_code].append(entry)
            # once per name as movements match it (casefolded): "CULTUUR" beside the policy
            # field Cultuur is the same name, not a second document of that name
            for name in dict.fromkeys(n.casefold() for n in (entry.name, *entry.member.names)):
                self.names[name].append(entry)
            for article in entry.doc.articles:
                self.owners[article.code.text].append((entry, article))
        self.provisions = set(budget_set.provisions) | {
            code for code in self.owners if _is_provision(code, entries)
        }

    def bookings(self) -> Iterator[Booking]:
        for entry in self.entries:
            for article in entry.doc.articles:
                for movement in article.movements:
                    yield Booking(entry, article, movement)

    def provision_owner(self, key: str) -> tuple[Entry, Article] | None:
        owners = self.owners.get(key, [])
        return owners[0] if len(owners) == 1 else None

    def resolve(self, entry: Entry, counterpart: str) -> Target:
        if counterpart in self.provisions:
            return Target("provision")
        if looks_like_code(counterpart):
            return self._resolve_code(entry, counterpart)
        claimed = self.names.get(counterpart.casefold(), [])
        if entry in claimed:
            return SELF
        if len(claimed) > 1:
            return AMBIGUOUS
        return Target("document", tuple(claimed)) if claimed else OUTSIDE

    def _resolve_code(self, entry: Entry, code: str) -> Target:
        owners = self.owners.get(code, [])
        if any(e is entry for e, _ in owners):
            return SELF
        if len(owners) > 1:
            return AMBIGUOUS
        if owners:
            return Target("article", (owners[0][0],), owners[0][1])
        try:
            programme = parse_code(code).programme
        except CodeError:
            return SELF  # malformed: the document's own load reports it (BBT005)
        if programme == entry.doc.programme_code:
            return SELF  # an unknown article of its own programme: BBT007
        documents = tuple(self.programmes.get(programme, ()))
        return Target("missing", documents) if documents else OUTSIDE


def _is_provision(code: str, entries: list[Entry]) -> bool:
    """A code some document declares as a provision (``provisions:`` or its index provision)."""
    return any(
        code in entry.doc.provisions or code == entry.doc.settings.index_provision
        for entry in entries
    )


# -- amounts and ends in messages ---------------------------------------------------------------


def add(into: dict[str, Decimal], amounts: dict[str, Decimal], sign: int = 1) -> None:
    for credit, amount in amounts.items():
        into[credit] = into.get(credit, ZERO) + sign * amount


def signed(value: Decimal) -> str:
    return ("+" if value > 0 else "") + bedrag(value)


def amounts_text(amounts: dict[str, Decimal], sign: bool = True) -> str:
    """``VAK -500, VEK -500`` in the order VAK, VEK, AO, TO, LO."""
    parts = [
        f"{CREDIT_LABELS[c]} {signed(amounts[c]) if sign else bedrag(amounts[c])}"
        for c in CREDIT_LABELS
        if c in amounts
    ]
    return ", ".join(parts) or "nothing"


def places(locs: list[Location], limit: int = 4) -> str:
    """``a.yaml:8, b.yaml:9 and 3 more``: where the other end is, for messages."""
    shown = ", ".join(str(loc) for loc in locs[:limit])
    more = len(locs) - limit
    return f"{shown} and {more} more" if more > 0 else shown


def where(entry: Entry) -> str:
    return relpath(entry.doc.root)
