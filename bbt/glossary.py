"""Abbreviations: which glossary terms the document uses, and which used terms it lacks.

A term is "used" when it appears as a whole word (case-sensitive) in any narrative, title or
table label of the document. Candidates for missing terms are words of two or more capitals
(``CMW``, ``BO24``) that are not in the glossary and not Roman numerals or article codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bbt.errors import Location
from bbt.model import GlossaryEntry
from bbt.outline import Outline

# Words shown by the generated parts of the document (tables, headings) rather than prose.
GENERATED_TERMS = (
    "BA",
    "BA-JR",
    "BU",
    "VAK",
    "VEK",
    "AO",
    "TO",
    "LO",
    "ISE",
    "SD",
    "OD",
    "ESR",
    "WT",
    "PR",
    "IS",
    "LE",
    "PA",
    "MVG",
    "DAB",
    "IVA",
    "BBT",
)
_ROMAN = re.compile(r"^[IVXLC]+$")
_CANDIDATE = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(?!\w)")


@dataclass(frozen=True)
class TextSource:
    """A text of the document and where it starts."""

    text: str
    loc: Location


def texts(outline: Outline) -> Iterator[TextSource]:
    """Every text the document prints, with its location."""
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
    yield TextSource(" ".join(GENERATED_TERMS), doc.loc)
    if any(r.staatsblad for g in doc.annexes.regelgeving for r in g.items):
        yield TextSource("BS", doc.loc)  # annex VII prints "BS <date>" (Belgisch Staatsblad)


def _uses(term: str, text: str) -> bool:
    core = term.strip()
    variants = {core}
    if core.startswith("(") and ")" in core:  # "(D)WSE" covers "DWSE" and "WSE"
        inner, rest = core[1:].split(")", 1)
        variants = {inner + rest, rest}
    return any(re.search(rf"(?<![\w]){re.escape(v)}(?![\w])", text) for v in variants)


def used_entries(outline: Outline) -> tuple[GlossaryEntry, ...]:
    """Glossary entries the document uses, sorted by term (case-insensitive), then meaning."""
    corpus = "\n".join(t.text for t in texts(outline))
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
                if (
                    word in known
                    or stem in known
                    or word in missing
                    or _ROMAN.match(word)
                    or word in GENERATED_TERMS
                ):
                    continue
                missing[word] = source.loc.at_line(number) if source.loc.line else source.loc
    return missing
