"""Abbreviations: which glossary terms the document uses, and which used terms it lacks.

A term is "used" when it appears as a whole word (case-sensitive) in anything the document
prints: a narrative, a title, a heading, a table's caption, columns and row labels, the title
page (the programme code included). What the list of abbreviations shows is exactly that.
Candidates for missing terms are words of two or more capitals (``CMW``, ``BO24``) that are
not in the glossary and not Roman numerals or article codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from bbt.errors import Location
from bbt.model import GlossaryEntry
from bbt.outline import Outline

_ROMAN = re.compile(r"^[IVXLC]+$")
_CANDIDATE = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(?!\w)")


class TextSource(NamedTuple):
    """A text of the document and where it starts."""

    text: str
    loc: Location


def texts(outline: Outline) -> Iterator[TextSource]:
    """Every text the document's authors wrote, with its location (not the generated words)."""
    doc = outline.calculation.document
    for text in outline.texts():
        if text.narrative:
            yield TextSource(text.narrative.source, text.narrative.loc)
    yield TextSource(" ".join([doc.title, doc.subtitle, doc.department, doc.policy_field]), doc.loc)
    for ise in doc.ises:
        yield TextSource(
            " ".join(
                [
                    ise.title,
                    ise.scope,
                    ise.entity_heading,
                    *(o.title + " " + o.footnote for o in ise.ods),
                ]
            ),
            ise.loc,
        )
    for article in doc.articles:
        yield TextSource(article.title, article.loc)
    for ind in doc.indicators:
        yield TextSource(" ".join([ind.title, ind.target, ind.note, *ind.values]), ind.loc)
    if any(r.staatsblad for g in doc.annexes.regelgeving for r in g.items):
        yield TextSource("BS", doc.loc)  # annex VII prints "BS <date>" (Belgisch Staatsblad)


def _printed(outline: Outline) -> Iterator[str]:
    """The words the outline itself prints: headings, labels, tables, the title page."""
    doc = outline.calculation.document
    yield from (doc.programme_code, doc.programme_title, doc.stamp)
    yield from (doc.minister.role, doc.minister.title)  # the cover prints the title
    yield from (doc.parliament.stuk, doc.parliament.session)
    for part in outline.walk():
        if part.heading is not None:
            yield part.heading.text
            yield part.heading.note
        yield part.label
        yield from _strings(part.table)
        yield from _strings(part.data)


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _uses(term: str, text: str) -> bool:
    core = term.strip()
    variants = {core}
    if core.startswith("(") and ")" in core:  # "(D)WSE" covers "DWSE" and "WSE"
        inner, rest = core[1:].split(")", 1)
        variants = {inner + rest, rest}
    return any(_occurs(v, text) for v in variants)


def _occurs(word: str, text: str) -> bool:
    """Whether ``word`` stands in ``text`` as a whole word (as ``(?<!\\w)word(?!\\w)``).

    ``str.find`` instead of a pattern per term: the document's text is searched once for
    each term of the glossary.
    """
    end = len(text)
    at = text.find(word)
    while at >= 0:
        after = at + len(word)
        if (at == 0 or not _wordlike(text[at - 1])) and (
            after == end or not _wordlike(text[after])
        ):
            return True
        at = text.find(word, at + 1)
    return False


def _wordlike(char: str) -> bool:
    return char.isalnum() or char == "_"  # what \w matches in a str pattern


def used_entries(outline: Outline) -> tuple[GlossaryEntry, ...]:
    """Glossary entries the document uses, sorted by term (case-insensitive), then meaning."""
    corpus = "\n".join([*(t.text for t in texts(outline)), *_printed(outline)])
    used = [e for e in outline.calculation.document.glossary if _uses(e.term, corpus)]
    return tuple(sorted(used, key=lambda e: (e.term.strip("()").casefold(), e.meaning.casefold())))


def missing_terms(outline: Outline) -> dict[str, Location]:
    """Abbreviation-like words the document uses that the glossary lacks, with their first use."""
    known = set()
    for entry in outline.calculation.document.glossary:
        term = entry.term
        known.add(term)
        if term.startswith("(") and ")" in term:
            inner, rest = term[1:].split(")", 1)
            known.update({inner + rest, rest})
    missing: dict[str, Location] = {}
    for source in texts(outline):
        for number, line in enumerate(source.text.splitlines() or [source.text], start=0):
            line = re.sub(
                r"\{\{.*?\}\}|<?https?://\S+|[A-Z]{2}\d-\s*[0-9][A-Z0-9]{6}-[A-Z]{2}", " ", line
            )
            for match in _CANDIDATE.finditer(line):
                word = match.group(1)
                stem = word.rstrip("0123456789")  # "BO24" is "BO" of 2024
                if word in known or stem in known or word in missing or _ROMAN.match(word):
                    continue
                missing[word] = source.loc.at_line(number) if source.loc.line else source.loc
    return missing
