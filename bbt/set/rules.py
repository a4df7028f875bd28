"""Cross-document rules: small named checks over all documents of a set (codes BBT6xx).

Each rule is a function ``check_*(view) -> Iterable[Finding]`` registered with
:func:`set_rule`, like the single-document rules of :mod:`bbt.checks`. A rule about two ends
(a transfer booked by two teams) reports one finding at *each* end, and each message names the
other end as ``file:line``; a rule with one natural end (a total in set.yaml) reports there and
names the other ends in its message (docs/set.md, "Findings").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import get_close_matches
from typing import TypeVar

from bbt.errors import Finding, Location, Severity
from bbt.model import CREDIT_LABELS, Article, Movement
from bbt.money import ZERO
from bbt.set.view import Booking, Entry, SetView, add, amounts_text, places

SetRule = Callable[[SetView], Iterable[Finding]]
T = TypeVar("T")
SET_RULES: list[SetRule] = []


def set_rule(function: SetRule) -> SetRule:
    """Register a cross-document check."""
    SET_RULES.append(function)
    return function


def run_set_rules(view: SetView) -> list[Finding]:
    findings: list[Finding] = []
    for check in SET_RULES:
        findings.extend(check(view))
    return findings


# -- transfers between documents ----------------------------------------------------------------


@dataclass
class Side:
    """What one end books with the other: summed amounts, where, and how to name it."""

    label: str
    loc: Location
    amounts: dict[str, Decimal] = field(default_factory=dict)


End = tuple[str, int, str]  # ("article", entry index, code) or ("document", entry index, "")


def transfer_sides(view: SetView) -> tuple[dict[tuple[End, End], Side], dict[End, Side]]:
    """Every booked side of a transfer between two documents, and how to find each end."""
    index = {id(e): n for n, e in enumerate(view.entries)}
    booked: dict[tuple[End, End], Side] = {}
    ends: dict[End, Side] = {}
    for b in view.bookings():
        if b.article.code.text in view.provisions:
            continue  # a provision's releases: BBT621
        target = view.resolve(b.entry, b.movement.counterpart)
        if target.kind == "article" and target.article is not None:
            other = target.entries[0]
            mine: End = ("article", index[id(b.entry)], b.article.code.text)
            theirs: End = ("article", index[id(other)], target.article.code.text)
            ends.setdefault(
                theirs, Side(_label(target.article.code.text, other), target.article.loc)
            )
            label = _label(b.article.code.text, b.entry)
        elif target.kind == "document":
            other = target.entries[0]
            mine, theirs = ("document", index[id(b.entry)], ""), ("document", index[id(other)], "")
            ends.setdefault(theirs, Side(other.name, other.key_loc("policy_field")))
            label = b.entry.name
        else:
            continue
        side = booked.setdefault((mine, theirs), Side(label, b.movement.loc))
        add(side.amounts, b.movement.amounts)
    return booked, ends


def _label(code: str, entry: Entry) -> str:
    return f"{code} ({entry.name})"


@set_rule
def check_transfers(view: SetView) -> Iterator[Finding]:
    """BBT610-612: a transfer between two documents is booked in both, opposite and equal."""
    booked, ends = transfer_sides(view)
    for (mine, theirs), side in sorted(booked.items()):
        mirror = booked.get((theirs, mine))
        if mirror is None:
            yield from _one_sided(side, ends[theirs], mine[0])
        elif mine < theirs:  # each pair once, reported at both ends
            yield from _unequal(side, mirror)


def _one_sided(side: Side, other: Side, level: str) -> Iterator[Finding]:
    how = "article" if level == "article" else "document (by name)"
    yield Finding(
        "BBT610",
        Severity.ERROR,
        side.loc,
        f"{side.label} books a transfer of {amounts_text(side.amounts)} with {other.label} "
        f"({other.loc}), which books no movement with it; a transfer between two documents is "
        f"booked in both, each naming the other {how}",
    )
    mirror = {c: -v for c, v in side.amounts.items()}
    yield Finding(
        "BBT610",
        Severity.ERROR,
        other.loc,
        f"{other.label} books no movement with {side.label}, which books a transfer of "
        f"{amounts_text(side.amounts)} with it ({side.loc}); book the other side here "
        f"({amounts_text(mirror)})",
    )


def _unequal(a: Side, b: Side) -> Iterator[Finding]:
    """BBT612 for the credit types booked with the same sign on both sides, BBT611 for the rest."""
    same_sign: list[str] = []
    unequal: list[str] = []
    for credit in (c for c in CREDIT_LABELS if c in a.amounts or c in b.amounts):
        x, y = a.amounts.get(credit, ZERO), b.amounts.get(credit, ZERO)
        if x + y == 0:
            continue
        if x * y > 0:
            same_sign.append(credit)
        else:
            unequal.append(credit)
    for this, other in ((a, b), (b, a)):
        if same_sign:
            yield Finding(
                "BBT612",
                Severity.ERROR,
                this.loc,
                f"transfer {this.label} / {other.label} has the same sign on both sides: this "
                f"side books {_part(this, same_sign)}, the other books {_part(other, same_sign)} "
                f"({other.loc}); one side gives ('to', negative), the other receives "
                "('from', positive)",
            )
        if unequal:
            yield Finding(
                "BBT611",
                Severity.ERROR,
                this.loc,
                f"transfer {this.label} / {other.label} does not balance: this side books "
                f"{_part(this, unequal)}, the other books {_part(other, unequal)} ({other.loc})",
            )


def _part(side: Side, credits: list[str]) -> str:
    return amounts_text({c: side.amounts.get(c, ZERO) for c in credits})


@set_rule
def check_missing_articles(view: SetView) -> Iterator[Finding]:
    """BBT613: a counterpart code of another document's programme that it does not have."""
    for b in view.bookings():
        target = view.resolve(b.entry, b.movement.counterpart)
        if target.kind != "missing":
            continue
        documents = ", ".join(f"{e.name} ({e.key_loc('programme')})" for e in target.entries)
        close = _meant(b, target.entries)
        hint = f"; did you mean {close}?" if close else ""
        yield Finding(
            "BBT613",
            Severity.ERROR,
            b.movement.loc,
            f"{b.article.code} names {b.movement.counterpart} as counterpart, but {documents}, "
            f"the document of programme {b.movement.counterpart[5:7]} in this set, has no such "
            f"article{hint}",
        )


def _meant(b: Booking, entries: tuple[Entry, ...]) -> str | None:
    """The article that books a movement with ``b``'s article, else the closest code."""
    mine = b.article.code.text
    answering = [
        a.code.text
        for e in entries
        for a in e.doc.articles
        if any(m.counterpart == mine for m in a.movements)
    ]
    if len(answering) == 1:
        return answering[0]
    codes = sorted(a.code.text for e in entries for a in e.doc.articles)
    close = get_close_matches(b.movement.counterpart, codes, n=1, cutoff=0.6)
    return close[0] if close else None


# -- provisions --------------------------------------------------------------------------------


def draws_from(view: SetView, key: str) -> dict[int, list[Booking]]:
    """Movements naming the provision, by document (the provision's own article excluded)."""
    out: dict[int, list[Booking]] = defaultdict(list)
    for n, entry in enumerate(view.entries):
        for article in entry.doc.articles:
            if article.code.text == key:
                continue
            for movement in article.movements:
                if movement.counterpart == key:
                    out[n].append(Booking(entry, article, movement))
    return out


def total_of(bookings: Iterable[Booking]) -> dict[str, Decimal]:
    """The signed sum of the bookings per credit type."""
    total: dict[str, Decimal] = {}
    for b in bookings:
        add(total, b.movement.amounts)
    return total


@set_rule
def check_provision_totals(view: SetView) -> Iterator[Finding]:
    """BBT620: what the documents drew from a provision adds up to what set.yaml says it released."""
    for key, provision in view.set.provisions.items():
        draws = draws_from(view, key)
        drawn = total_of(b for bookings in draws.values() for b in bookings)
        released = {c: amount for c, (amount, _loc) in provision.released.items()}
        wrong = [
            c
            for c in CREDIT_LABELS
            if (c in released or c in drawn) and released.get(c, ZERO) != drawn.get(c, ZERO)
        ]
        if not wrong:
            continue
        loc = provision.released[wrong[0]][1] if wrong[0] in released else provision.loc
        parts = []
        for n, bookings in sorted(draws.items()):
            entry = view.entries[n]
            declared = entry.doc.provisions.get(key, {})
            end = (
                str(next(iter(declared.values()))[1])
                if declared
                else places([b.movement.loc for b in bookings])
            )
            parts.append(f"{entry.name} {amounts_text(total_of(bookings), False)} ({end})")
        name = key if provision.title == key else f"{key} ({provision.title})"
        yield Finding(
            "BBT620",
            Severity.ERROR,
            loc,
            f"provision {name} released {amounts_text(released, False)} keuro to the documents "
            f"of the set, but they drew {amounts_text(drawn, False)}: "
            f"{'; '.join(parts) or 'none drew from it'}",
        )


@set_rule
def check_provision_releases(view: SetView) -> Iterator[Finding]:
    """BBT621: per document (and tranche), the provision's own document released what it drew."""
    index = {id(e): n for n, e in enumerate(view.entries)}
    for key in sorted(view.provisions):
        owner = view.provision_owner(key)
        if owner is None:
            continue
        p_entry, p_article = owner
        releases: dict[int, list[Movement]] = defaultdict(list)
        for movement in p_article.movements:
            target = view.resolve(p_entry, movement.counterpart)
            if target.kind in ("article", "document"):
                releases[index[id(target.entries[0])]].append(movement)
        draws = draws_from(view, key)
        for n in sorted(set(releases) | set(draws)):
            entry = view.entries[n]
            if entry is p_entry:
                continue
            release = Release(key, p_entry, p_article, releases.get(n, []))
            yield from _compare_release(release, entry, draws.get(n, []))


@dataclass(frozen=True)
class Release:
    """The provision's own bookings towards one document."""

    key: str
    entry: Entry
    article: Article
    movements: list[Movement]


def _compare_release(release: Release, entry: Entry, draws: list[Booking]) -> Iterator[Finding]:
    by_tranche = bool(release.movements) and all(m.tranche for m in release.movements)
    buckets: dict[str | None, tuple[list[Movement], list[Booking]]] = defaultdict(lambda: ([], []))
    for m in release.movements:
        buckets[m.tranche if by_tranche else None][0].append(m)
    for b in draws:
        buckets[b.movement.tranche if by_tranche else None][1].append(b)
    for tranche, (given, taken) in sorted(buckets.items(), key=lambda kv: kv[0] or ""):
        released: dict[str, Decimal] = {}
        for m in given:
            add(released, m.amounts, -1)
        drawn = total_of(taken)
        credits = set(released) | set(drawn)
        if all(released.get(c, ZERO) == drawn.get(c, ZERO) for c in credits):
            continue
        when = (
            f" for tranche {tranche}" if tranche else (" without a tranche" if by_tranche else "")
        )
        give = [m.loc for m in given] or [release.article.loc]
        declared = release.key in entry.doc.provisions
        take = [b.movement.loc for b in taken] or [
            entry.key_loc("provisions") if declared else entry.doc.loc
        ]
        yield Finding(
            "BBT621",
            Severity.ERROR,
            give[0],
            f"provision {release.key} released {amounts_text(released, False)} to {entry.name}"
            f"{when} ({places(give)}), but {entry.name} drew {amounts_text(drawn, False)} "
            f"({places(take)})",
        )
        yield Finding(
            "BBT621",
            Severity.ERROR,
            take[0],
            f"{entry.name} drew {amounts_text(drawn, False)} from provision {release.key}{when} "
            f"({places(take)}), but {release.entry.name} released {amounts_text(released, False)} "
            f"to it ({places(give)})",
        )


# -- one owner per code, one year -----------------------------------------------------------------


def _shared(
    groups: dict[str, list[T]], entry_of: Callable[[T], Entry]
) -> Iterator[tuple[str, T, list[T]]]:
    """Per key that more than one holds (in key order): each holder, with the holders of the
    key in the other documents."""
    for key, holders in sorted(groups.items()):
        if len(holders) < 2:
            continue
        for holder in holders:
            entry = entry_of(holder)
            yield key, holder, [h for h in holders if entry_of(h) is not entry]


def _itself(entry: Entry) -> Entry:
    return entry


@set_rule
def check_unique_articles(view: SetView) -> Iterator[Finding]:
    """BBT630: an article code appears in one document of the set only."""
    for code, (entry, article), owners in _shared(view.owners, lambda owner: owner[0]):
        others = "; ".join(f"{e.name} ({a.loc})" for e, a in owners)
        yield Finding(
            "BBT630",
            Severity.ERROR,
            article.loc,
            f"article {code} of {entry.name} is also an article of {others}; an article "
            "belongs to one document of the set",
        )


@set_rule
def check_unique_programmes(view: SetView) -> Iterator[Finding]:
    """BBT631: programme codes are unique across the set."""
    for code, entry, entries in _shared(view.programmes, _itself):
        others = "; ".join(f"{e.name} ({e.key_loc('programme')})" for e in entries)
        yield Finding(
            "BBT631",
            Severity.ERROR,
            entry.key_loc("programme"),
            f"programme {code} of {entry.name} is also the programme of {others}; each "
            "document of the set has its own programme",
        )


@set_rule
def check_unique_names(view: SetView) -> Iterator[Finding]:
    """BBT632: a name that movements may use for a document belongs to one document."""
    for name, entry, entries in _shared(view.names, _itself):
        loc = entry.key_loc("policy_field")
        if entry.name.casefold() != name:
            loc = entry.member.loc
        others = "; ".join(f"{e.doc.root.name} ({e.member.loc})" for e in entries)
        yield Finding(
            "BBT632",
            Severity.ERROR,
            loc,
            f"the name {name!r} of {entry.doc.root.name} also names {others}; a movement that "
            "names it could mean either",
        )


@set_rule
def check_years(view: SetView) -> Iterator[Finding]:
    """BBT605: every document of the set is of the set's budget year."""
    if not view.entries:
        return
    first = view.entries[0]
    year = view.set.year if view.set.year is not None else first.doc.year
    source = view.set.loc if view.set.year is not None else first.key_loc("year")
    for entry in view.entries:
        if entry.doc.year != year:
            yield Finding(
                "BBT605",
                Severity.ERROR,
                entry.key_loc("year"),
                f"{entry.name} is for budget year {entry.doc.year}, but the set is for {year} "
                f"({source})",
            )


@set_rule
def check_outside(view: SetView) -> Iterator[Finding]:
    """BBT640 (info): per document, the movements whose counterpart lies outside the set."""
    for entry in view.entries:
        counts: Counter[str] = Counter()
        for article in entry.doc.articles:
            for movement in article.movements:
                if view.resolve(entry, movement.counterpart).kind == "outside":
                    counts[movement.counterpart] += 1
        if counts:
            listed = ", ".join(f"{name} ({n})" for name, n in sorted(counts.items()))
            yield Finding(
                "BBT640",
                Severity.INFO,
                entry.doc.loc,
                f"{sum(counts.values())} movement(s) of {entry.name} name counterparts outside "
                f"the set and stay unchecked: {listed}",
            )
