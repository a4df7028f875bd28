"""The reader behind :func:`bbt.checks.numbers.read_numbers`: how a Dutch sentence states figures.

The rules are described in :mod:`bbt.checks.numbers`. This module holds the patterns (compiling
them is a good part of the cost of ``bbt check``), so it is imported only when a text is read
that the cache does not know yet.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from msgspec.structs import replace

from bbt.checks.stated import Stated, parse_dutch

NUMBER = re.compile(
    r"(?<![\w.,/-])([-−]?\d{1,3}(?:[.\u00a0\u202f]\d{3})+(?:,\d+)?|[-−]?\d+(?:,\d+)?)"
    r"(?![\w]|[.,]\d)"
)
_SKIP = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|<https?://[^>]*>|\]\([^)]*\)|https?://\S+|\[\^[^\]]*\]"
)
_SCALES = {"miljoen": 1000, "mln": 1000, "mio": 1000, "miljard": 10**6, "mld": 10**6}
_UNIT_AFTER = re.compile(
    r"^\s*(?:(?P<keuro>keuro|k€|k\s?euro?|duizend\s+euro)"
    r"|(?P<scale>miljoen|mln\.?|mio\.?|miljard|mld\.?|mrd\.?)\s*(?:euro|eur|€)"
    r"|(?P<mega>M€)|(?P<euro>euro|eur|€))(?![a-z])(?!\s?[-−]?\d)",  # "2024 € 580.966": a prefix
    re.I,
)
_PREFIX = re.compile(r"(?:€|\bEUR)\s?$")
_SCALE_AFTER = re.compile(r"^\s*(?P<scale>miljoen|mln\.?|mio\.?|miljard|mld\.?|mrd\.?)(?![a-z])")
_BARE_CREDIT = re.compile(r"^\s*(?=(?:VAK|VEK)(?![A-Za-z]))")
_PERCENT = re.compile(r"^\s*(?:%(?!\s*-?\s*punt)|procent(?![a-z])|pct\b\.?)", re.I)
_CREDIT = (
    r"VAK\s*/\s*VEK|VAK\s*-?\s*(?:en|of)\s+VEK|VAK|VEK"
    r"|vastleggingskredieten?|vereffeningskredieten?|vastleggingen|vereffeningen"
)
_CREDIT_AFTER = re.compile(
    r"^\s*\(?\s*(?:(?:in|aan|voor|van|op)\s+)?(?:(?:het|de)\s+)?(?:totale\s+)?(?:beschikba(?:re|ar)\s+)?"
    rf"(?P<credit>{_CREDIT})(?![A-Za-z])(?:-[a-z]+)?\)?"
)
_CREDIT_MENTION = re.compile(
    r"(?<![A-Za-z])(?:(?P<a>VAK|VEK)(?:-\w*)?(?:\s*(?:/|,|en|of|als)\s*(?:aan\s+|in\s+|de\s+|het\s+)?"
    r"(?P<b>VAK|VEK)(?:-\w*)?)?|(?P<w>vastleggings|vereffenings)\w*"
    r"(?:\s*en\s*(?P<w2>vastleggings|vereffenings)\w*)?|(?P<verb>vastgelegd|vereffend)(?![a-z]))"
)
_PHASE_MENTION = re.compile(
    # The lookahead on the first letters lets the engine skip most positions at once.
    r"(?=[abdefghijnortuvABDEFGHIJNORTUV])"
    r"(?:(?P<ba_jr>(?-i:\bBA-JR\b)|beschikba\w*|jaareinde|einde\s+van\s+het\s+jaar"
    r"|na\s+(?:uitvoering\s+van\s+)?(?:de\s+|deze\s+|bovenstaande\s+|alle\s+)?(?:krediet)?herverdeling\w*"
    r"|aangepaste\s+krediet|finale?\s+krediet)"
    r"|(?P<ba>(?-i:\bBA\b)(?!-)|decreta\w*|initi[eë]le?\b|oorspronkelijke?\b|goedgekeurde\s+begroting)"
    r"|(?P<bu>(?-i:\bBU\b)|uitvoering\w*|uitgevoerd|besteed|uitgegeven|aangerekend|vastgelegd"
    r"|vereffend|realisatie\w*)"
    r"|(?P<move>verhoogd|verminderd|verhoging|vermindering|toegenomen|toenam|\btoe\b|afgenomen|afnam"
    r"|herverde\w*|herschik\w*|overgedragen|afkomstig|index\w*|\bextra\b))",
    re.I,
)
# "93,9% van het beschikbare krediet" names the base of a percentage, not the phase of an amount.
_BASE_PHRASE = re.compile(
    r"\s*(?:van|t\.o\.v\.|ten\s+opzichte\s+van)\s+(?:het|de)\s+(?:totale\s+)?beschikba\w*(?:\s+[\w-]+)?",
    re.I,
)


def _words(alternatives: str) -> re.Pattern[str]:
    """One of ``alternatives`` as whole words (no letter before or after), in any case."""
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.I)


# A sentence about utilisation names it, or says what was executed of the available credit.
_UTILISATION_WORDS = _words(
    r"benuttingsgraad|benutting|benut|realisatiegraad|uitvoeringsgraad|bestedingsgraad"
)
_AVAILABLE_CREDIT = _words(
    r"(?:van|t\.o\.v\.|ten\s+opzichte\s+van)\s+(?:het|de)\s+(?:totale\s+)?beschikbare"
    r"|beschikba(?:re|ar)\s+(?:\w+-)?(?:krediet|kredieten|budget|middelen)"
)
_EXECUTED = re.compile(
    r"(?<!\w)(?:\w*?uitvoering|uitgevoerd|besteed|uitgegeven|gerealiseerd|vastgelegd|vereffend"
    r"|benut|aangerekend)(?![a-z])",
    re.I,
)
# A clause that ends in these participles says the amount was executed: "werd 552.289 keuro vastgelegd".
_EXECUTED_VERB = re.compile(
    r"^[^;:()\d]*?\b(?:vastgelegd|vereffend|uitgevoerd|besteed|uitgegeven|aangerekend)\b", re.I
)
# Between two amounts of one enumeration: "588.293 keuro VAK en 586.978 keuro VEK", also with
# the first one's percentage in between ("552.289 keuro VAK of 93,9% ... en 552.157 keuro VEK").
_ENUM_BETWEEN = re.compile(
    r"^[\s,()]*(?:(?:of|oftewel|ofwel|hetzij)[\s,()]+)?(?:en|,)?[\s()]*$", re.I
)
_OTHER_MEASURE = re.compile(
    r"(?<![a-z])(?:invulling\w*|werkzaamheidsgraad|uitstroom|instroom|aandeel|groei|stijging|daling"
    r"|toename|afname|onderbenutting|index\w*|inflatie|rendabiliteit|solvabiliteit|liquiditeit"
    r"|bevolking|ondernemingen|bedrijven|werknemers|personen|deelnemers|contingent\w*|procentpunt)",
    re.I,
)
_OTHER_BASE = re.compile(
    r"^\s*(?:%|procent|pct\.?)\s*van\s+(?:de|het)\s+(?!(?:totale\s+)?(?:beschikba|VAK|VEK|krediet"
    r"|budget|middelen|vastleggings|vereffenings))",
    re.I,
)
_QUALIFIER = re.compile(
    r"(?:\b(?:ruim|bijna|nagenoeg|ongeveer|circa|ca\.|zo['’]n|zowat|rond|quasi|maximaal|minimaal"
    r"|minstens|ten\s+minste|tenminste|hooguit|meer\s+dan|minder\s+dan|hoger\s+dan|lager\s+dan"
    r"|groter\s+dan|kleiner\s+dan|boven|onder|tussen|om\s+en\s+bij)|[±~<>≤≥])\s*(?:€\s?|EUR\s?)?$",
    re.I,
)
_RANGE_GAP = re.compile(r"^\s*(?:à|a|-|–|tot)\s*(?:€\s?|EUR\s?)?$")
_ENUM_GAP = re.compile(r"^\s*(?:,|en|of)\s*(?:€\s?|EUR\s?)?$")
_TIE_AFTER_AMOUNT = re.compile(
    r"^[\s,(]*(?:(?:of|oftewel|ofwel|hetzij|dit\s+is|dat\s+is|wat\s+neerkomt\s+op|goed\s+voor"
    r"|is|was|bedraagt|bedroeg|vormt|vertegenwoordigt"
    r"|(?:(?:met|en|of)\s+)?een\s+\w*graad\s+van)\s*)?[\s(]*$",
    re.I,
)
_TIE_AFTER_PERCENT = re.compile(
    r"^[\s,(]*(?:of|oftewel|ofwel|hetzij|zijnde)?[\s(]*(?:€\s?|EUR\s?)?$", re.I
)
_CREDIT_BEFORE_PAREN = re.compile(r"(?:VAK|VEK)[\w/-]*\s*$")
_CLAUSE = re.compile(
    r"[;:()]|,(?!\d)|\b(?:en|of|maar|terwijl|waarvan|waarbij|waardoor|tegenover)\b", re.I
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:o\.a|bv|bijv|i\.h\.k\.v|m\.b\.t|t\.o\.v|i\.v\.m|incl|excl|ca|nr|art|p|blz|resp|vb|dhr|mevr"
    r"|mln|mio|mld|mrd|pct|enz)"
    r"|\b[A-Za-z])$",
    re.I,
)
_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|\||>|\[\^)")
_OF_AVAILABLE = re.compile(
    r"\s*(?:van|t\.o\.v\.|ten\s+opzichte\s+van)\s+(?:het|de)\s+(?:totale\s+)?beschikba", re.I
)
_ANAPHORA = re.compile(r"^\s*(?:dat|dit|wat|hiermee|daarmee)\b", re.I)
_YEAR = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d)")


def read(source: str, year: int | None = None) -> list[Stated]:
    """Amounts and percentages of a Markdown text, sentence by sentence, with their ties.

    ``year`` is the budget year: a percentage said of another year is no utilisation claim.
    """
    text, footnote_lines = _prepare(source)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found: list[Stated] = []
    previous = ""
    previous_amount = -1
    for start, end in _sentences(text):
        sentence = text[start:end]
        in_footnote = bisect.bisect_right(line_starts, start) in footnote_lines
        tokens = _read_sentence(sentence, year, footnote=in_footnote, previous=previous)
        offset = len(found)
        for token in tokens:
            if not token.kind:
                continue
            at = start + token.start
            line = bisect.bisect_right(line_starts, at)
            column = at - line_starts[line - 1]
            found.append(
                replace(
                    token,
                    line=line,
                    start=column,
                    end=column + (token.end - token.start),
                    context=text[max(line_starts[line - 1], at - 80) : at],
                    following=sentence[token.end : token.end + 60],
                    tie=-1 if token.tie < 0 else offset + _kept_index(tokens, token.tie),
                )
            )
        if previous_amount >= 0 and _ANAPHORA.match(sentence):
            _tie_back(found, offset, previous_amount)
        amounts = [i for i in range(offset, len(found)) if found[i].kind == "amount"]
        previous_amount = amounts[-1] if amounts else -1
        previous = sentence
    return found


def _tie_back(found: list[Stated], offset: int, amount: int) -> None:
    """``... bedroeg 552.157 keuro VEK. Dat is 94,1% ...``: the percentage qualifies that amount."""
    here = next((i for i in range(offset, len(found)) if found[i].kind == "percent"), -1)
    if here < 0 or found[here].tie >= 0 or found[amount].tie >= 0:
        return
    credit = found[here].credit or found[amount].credit
    claim = found[here].utilisation or (
        found[here].base == "available" and not found[here].approximate
    )
    found[here] = replace(found[here], tie=amount, credit=credit, utilisation=claim)
    found[amount] = replace(found[amount], tie=here)


def _kept_index(tokens: list[Stated], index: int) -> int:
    """Index of ``tokens[index]`` among the tokens with a kind (plain numbers are dropped)."""
    return sum(1 for t in tokens[:index] if t.kind)


def _blank(match: re.Match[str]) -> str:
    # Keep columns; a non-space filler so "2024 {{ vak.ba }} keuro" does not read as "2024 keuro".
    return "\u00a7" * len(match.group(0))


def _prepare(source: str) -> tuple[str, set[int]]:
    """The text with expressions, URLs and footnote calls blanked; the lines of footnote bodies."""
    lines = []
    footnotes: set[int] = set()
    in_footnote = False
    for number, raw in enumerate(source.splitlines(), start=1):
        if re.match(r"^\s*\[\^", raw):
            in_footnote = True
        elif not raw.strip():
            in_footnote = False
        if in_footnote:
            footnotes.add(number)
        lines.append(_SKIP.sub(_blank, raw))
    return "\n".join(lines), footnotes


def _sentences(text: str) -> Iterator[tuple[int, int]]:
    """Spans of the sentences: Markdown blocks (paragraphs, list items, headings) cut at . ! ?"""
    block_start = 0
    position = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        starts_block = not line.strip() or _BLOCK_START.match(line)
        previous_alone = index > 0 and re.match(r"^\s*(?:#|\|)", lines[index - 1])
        if index and (starts_block or previous_alone):
            yield from _cut(text, block_start, position - 1)
            block_start = position
        position += len(line) + 1
    yield from _cut(text, block_start, len(text))


_LONGEST = 1000
"""Longest stretch read as one sentence: real ones are far shorter (the seed's longest has 576
characters); cutting longer ones, at a space, keeps the reading linear in the size of the text."""


def _cut(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for begin, stop in _cut_sentences(text, start, end):
        while stop - begin > _LONGEST:
            cut = text.rfind(" ", begin, begin + _LONGEST) + 1 - begin
            cut = cut if cut > 0 else _LONGEST
            yield begin, begin + cut
            begin += cut
        yield begin, stop


def _cut_sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    begin = start
    # A sentence may also start with an expression, blanked to "§" ("{{ vak.bu }} keuro werd ...").
    for match in re.finditer(r"[.!?](?=\s+[A-Z0-9À-Ý‘“'\"(\[\u00a7])", text[start:end]):
        stop = start + match.start()
        if match.group(0) == "." and _ABBREVIATION.search(text[max(begin, stop - 12) : stop]):
            continue
        yield begin, stop + 1
        begin = stop + 1
    if text[begin:end].strip():
        yield begin, end


# -- one sentence ---------------------------------------------------------------------------


@dataclass
class _Token:
    stated: Stated
    unit_end: int  # end of the number with its unit
    attached_end: int  # ... and with a credit type written right after it
    credit_direct: bool
    lead: int = -1  # start of the first number of its enumeration ("580.966, 588.293 en ...")
    linked: bool = False  # takes its unit from the next number


def _read_sentence(
    sentence: str, year: int | None, *, footnote: bool, previous: str = ""
) -> list[Stated]:
    """The numbers of one sentence with units, credit types, phases, ties and claims.

    A sentence that refers back (``Dat is 94,1% ...``) is read in the light of ``previous``.
    """
    flat = sentence.replace("\n", " ")
    back = _ANAPHORA.match(flat) and previous
    context = f"{previous} {flat}" if back else flat
    tokens = [_read_number(flat, m) for m in NUMBER.finditer(flat)]
    _inherit_enumerated_units(flat, tokens)
    _mark_approximate(flat, tokens)
    _tie_percentages(flat, tokens)
    _assign_phases(flat, tokens)
    mentions = _free_credit_mentions(flat, tokens)
    _assign_credits(flat, tokens, mentions, "amount")
    executed = bool(_EXECUTED.search(context))
    about_utilisation = bool(_UTILISATION_WORDS.search(flat)) or (
        executed and bool(_AVAILABLE_CREDIT.search(flat))
    )
    if about_utilisation or executed:
        _tie_lone_pair(tokens)
    _share_ties(tokens)
    _assign_credits(flat, tokens, mentions, "percent")
    first_open = next((t for t in tokens if t.stated.kind == "percent" and t.stated.tie < 0), None)
    for token in tokens:
        if token.stated.kind != "percent":
            continue
        if _OF_AVAILABLE.match(flat, token.unit_end):
            token.stated = replace(token.stated, base="available")
        # "3.218 keuro of 6,6% van het beschikbare krediet": a share of BA-JR, whatever the amount.
        share = token.stated.tie >= 0 and token.stated.base == "available"
        # "De uitvoering bedroeg 35.043 keuro VAK (64,2%)": a share of an executed amount.
        tied = executed and (token.stated.tie >= 0 or (bool(back) and token is first_open))
        if footnote or not (about_utilisation or tied or share):
            continue
        if _is_claim(flat, token, year, share=share):
            token.stated = replace(token.stated, utilisation=True)
    return [t.stated for t in tokens]


def _read_number(flat: str, match: re.Match[str]) -> _Token:
    """One number: its unit (and so its kind, scale and precision) and a credit written after it."""
    text = match.group(1)
    after = flat[match.end() :]
    kind, unit, scale, begin, unit_end = "", "", Decimal(1), match.start(), match.end()
    percent = _PERCENT.match(after)
    unit_match = _UNIT_AFTER.match(after)
    prefix = _PREFIX.search(flat, max(0, match.start() - 5), match.start())
    if percent:
        kind, unit, unit_end = "percent", percent.group(0).strip(), match.end() + percent.end()
    elif unit_match:
        kind, unit, scale = "amount", " ".join(unit_match.group(0).split()), _scale(unit_match)
        unit_end = match.end() + unit_match.end()
    elif prefix:
        kind, unit, scale, begin = (
            "amount",
            prefix.group(0).strip(),
            Decimal("0.001"),
            prefix.start(),
        )
        scaled = _SCALE_AFTER.match(after)
        if scaled:
            unit, scale = f"{unit} {scaled.group('scale')}", _scale_word(scaled.group("scale"))
            unit_end = match.end() + scaled.end()
    elif _BARE_CREDIT.match(after):
        kind, unit = "amount", "keuro"
    credit, credit_end = "", unit_end
    written = _CREDIT_AFTER.match(flat[unit_end:]) if kind else None
    if written:
        credit, credit_end = _credit_name(written.group("credit")), unit_end + written.end()
    places = Decimal(1).scaleb(-len(text.split(",")[1])) if "," in text else Decimal(1)
    value = parse_dutch(text)
    stated = Stated(
        text,
        value * scale if kind == "amount" else value,
        kind,
        0,
        match.start(),
        match.end(),
        credit=credit,
        unit=unit,
        scale=scale,
        quantum=places * scale if kind == "amount" else places,
        written=" ".join(flat[begin:unit_end].split()),
    )
    return _Token(stated, unit_end, credit_end, bool(credit), lead=match.start())


def _scale(match: re.Match[str]) -> Decimal:
    if match.group("keuro"):
        return Decimal(1)
    if match.group("mega"):
        return Decimal(1000)
    if match.group("scale"):
        return _scale_word(match.group("scale"))
    return Decimal("0.001")


def _scale_word(word: str) -> Decimal:
    """``miljoen``, ``mln.``, ``mio`` -> 1000 keuro; ``miljard``, ``mld``, ``mrd`` -> 1.000.000."""
    key = word.lower().rstrip(".")
    key = {"mrd": "mld"}.get(key, key)
    return Decimal(_SCALES[key])


def _credit_name(written: str) -> str:
    """``VAK en VEK``, ``VAK/VEK`` -> ``VAK/VEK``; ``vastleggingskredieten`` -> ``VAK``."""
    has_vak = "VAK" in written or "vastleg" in written or "vastgeleg" in written
    has_vek = "VEK" in written or "vereffen" in written
    return "VAK/VEK" if has_vak and has_vek else "VAK" if has_vak else "VEK"


def _is_year(stated: Stated) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", stated.text))


def _inherit_enumerated_units(flat: str, tokens: list[_Token]) -> None:
    """``580.966, 588.293 en 552.289 keuro VAK``: the last number's unit and credit hold for all."""
    for index in range(len(tokens) - 2, -1, -1):
        token, following = tokens[index], tokens[index + 1]
        gap = flat[token.stated.end : following.stated.start]
        if token.stated.kind or _is_year(token.stated) or not following.stated.kind:
            continue
        if not _ENUM_GAP.match(gap) and not _RANGE_GAP.match(gap):
            continue
        model = following.stated
        scale = model.scale if model.kind == "amount" else Decimal(1)
        places = Decimal(1).scaleb(-token.stated.decimals)
        token.stated = replace(
            model,
            text=token.stated.text,
            value=parse_dutch(token.stated.text) * scale,
            start=token.stated.start,
            end=token.stated.end,
            quantum=places * scale,
            tie=-1,
            written=_written_like(token.stated.text, model.unit),
        )
        token.credit_direct = following.credit_direct
        token.linked = True
    for token, following in itertools.pairwise(tokens):
        if token.linked:
            following.lead = token.lead


def _written_like(text: str, unit: str) -> str:
    """``580.966`` in ``580.966 en 588.293 keuro`` reads ``580.966 keuro``; ``€ 5`` for a prefix."""
    if unit.startswith(("€", "EUR")):
        symbol, _, scale = unit.partition(" ")
        return f"{symbol} {text} {scale}".strip()
    return f"{text} {unit}".strip()


def _mark_approximate(flat: str, tokens: list[_Token]) -> None:
    """Bounds and estimates: after ``ruim``, ``meer dan``...; both ends of ``5 à 10``."""
    for index, token in enumerate(tokens):
        before = flat[max(0, token.stated.start - 40) : token.stated.start]
        if _QUALIFIER.search(before):
            token.stated = replace(token.stated, approximate=True)
        if index + 1 < len(tokens):
            following = tokens[index + 1]
            if _RANGE_GAP.match(flat[token.stated.end : following.stated.start]):
                token.stated = replace(token.stated, approximate=True)
                following.stated = replace(following.stated, approximate=True)
        if (
            token.stated.approximate
            and index + 1 < len(tokens)
            and re.search(r"tussen\s*$", before)
        ):
            following = tokens[index + 1]
            following.stated = replace(following.stated, approximate=True)


def _tie_percentages(flat: str, tokens: list[_Token]) -> None:
    """``552.289 keuro VAK of 93,9%`` and ``93,9% (552.289 keuro)``: the two state one fact."""
    for index, token in enumerate(tokens):
        if token.stated.kind != "percent":
            continue
        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if before and _may_tie(before, token):
            gap = flat[before.attached_end : token.stated.start]
            if len(gap) <= 60 and _TIE_AFTER_AMOUNT.match(gap):
                _tie(tokens, index - 1, index)
                continue
        if after and _may_tie(after, token):
            gap = flat[token.attached_end : after.stated.start]
            if _TIE_AFTER_PERCENT.match(gap):
                _tie(tokens, index + 1, index)


def _may_tie(amount: _Token, percent: _Token) -> bool:
    """An amount not tied yet, whose credit type does not contradict the percentage's."""
    one, other = amount.stated.credit, percent.stated.credit
    free = amount.stated.kind == "amount" and amount.stated.tie < 0
    return free and (not one or not other or one == other)


def _tie(tokens: list[_Token], amount: int, percent: int) -> None:
    tokens[amount].stated = replace(tokens[amount].stated, tie=percent)
    tokens[percent].stated = replace(tokens[percent].stated, tie=amount)


def _free_credit_mentions(flat: str, tokens: list[_Token]) -> list[tuple[int, str]]:
    """Credit types named in the sentence but not written right after a number, in order."""
    taken = [(t.stated.end, t.attached_end) for t in tokens if t.credit_direct]
    mentions = []
    for match in _CREDIT_MENTION.finditer(flat):
        if any(start <= match.start() < end for start, end in taken):
            continue
        mentions.append((match.start(), _credit_name(" ".join(g for g in match.groups() if g))))
    return mentions


def _assign_credits(
    flat: str, tokens: list[_Token], mentions: list[tuple[int, str]], kind: str
) -> None:
    """Credit types for numbers written without one: pairwise (``VAK en VEK ... 93,9% en 94,1%``)
    when the sentence names as many as it has such numbers, else the nearest one before the
    number in its clause."""
    open_tokens = [t for t in tokens if t.stated.kind == kind and not t.stated.credit]
    if not open_tokens:
        return
    expanded = [c for _, name in mentions for c in name.split("/")]
    if len(open_tokens) >= 2 and len(expanded) == len(open_tokens):
        for token, credit in zip(open_tokens, expanded, strict=True):
            token.stated = replace(token.stated, credit=credit)
        return
    for token in open_tokens:
        clause_start = _clause_start(flat, token.lead)
        near = [name for at, name in mentions if clause_start <= at < token.lead]
        # "het VEK-krediet (1.315 keuro)", "- VAK: 635.305 keuro ...": a parenthesis or a colon
        # right after a credit type says what the clause is about.
        opened = flat[clause_start - 1 : clause_start] if clause_start else ""
        direct = opened == ":" or re.fullmatch(r"\s*(?:€|EUR)?\s*", flat[clause_start : token.lead])
        if not near and opened in ("(", ":") and direct:
            label = _CREDIT_BEFORE_PAREN.search(flat[: clause_start - 1])
            near = [name for at, name in mentions if at < clause_start - 1][-1:] if label else []
        if not near:
            # Dutch clauses end in their verb: "werd 552,4 miljoen euro vereffend".
            clause_end = _CLAUSE.search(flat, token.stated.end)
            stop = clause_end.start() if clause_end else len(flat)
            near = [name for at, name in mentions if token.stated.end <= at < stop][:1]
        if near:
            token.stated = replace(token.stated, credit=near[-1])


def _tie_lone_pair(tokens: list[_Token]) -> None:
    """``Met een uitvoering van 552.289 keuro VAK bedroeg de benuttingsgraad 93,9%``: one
    executed amount and one percentage in a sentence about utilisation state one fact."""
    percents = [i for i, t in enumerate(tokens) if t.stated.kind == "percent" and t.stated.tie < 0]
    executed = [
        i
        for i, t in enumerate(tokens)
        if t.stated.kind == "amount" and t.stated.tie < 0 and t.stated.phase == "bu"
    ]
    if (
        len(percents) == 1
        and len(executed) == 1
        and _may_tie(tokens[executed[0]], tokens[percents[0]])
    ):
        _tie(tokens, executed[0], percents[0])


def _clause_start(flat: str, position: int) -> int:
    window_start = max(0, position - 200)
    last = 0
    for match in _CLAUSE.finditer(flat[window_start:position]):
        last = match.end()
    return window_start + last


def _share_ties(tokens: list[_Token]) -> None:
    """A percentage tied to an amount takes its credit type, and the other way round."""
    for token in tokens:
        stated = token.stated
        if stated.tie < 0:
            continue
        other = tokens[stated.tie].stated
        if not stated.credit and other.credit:
            token.stated = replace(stated, credit=other.credit)


def _assign_phases(flat: str, tokens: list[_Token]) -> None:
    """The phase an amount is said of: the order of ``BA, BA-JR en BU ... respectievelijk``;
    else the last phase words between the previous amount and this one; else the previous
    amount's phase when both are one enumeration; else a participle that ends its clause."""
    masked = _mask_percentages(flat, tokens)
    mentions = [(m.start(), m.lastgroup or "") for m in _PHASE_MENTION.finditer(masked)]
    amounts = [t for t in tokens if t.stated.kind == "amount"]
    respectively = re.search(r"\brespectievelijk\b", flat, re.I)
    if respectively:
        listed = [p for at, p in mentions if at < respectively.start() and p != "move"]
        after = [t for t in amounts if t.stated.start > respectively.start()]
        if len(listed) >= 2 and len(listed) == len(after):
            for token, phase in zip(after, listed, strict=True):
                token.stated = replace(token.stated, phase=phase)
            return
    previous: _Token | None = None
    for token in amounts:
        since = previous.attached_end if previous else 0
        between = [p for at, p in mentions if since <= at < token.stated.start]
        if re.search(r"\bmet\s*(?:€\s?|EUR\s?)?$", flat[: token.stated.start], re.I):
            phase = ""  # a change ("verhoogd met", "het VEK-krediet met"), not a phase
        elif between:
            phase = "" if between[-1] == "move" else between[-1]
        elif previous and _ENUM_BETWEEN.match(masked[since : token.stated.start]):
            phase = previous.stated.phase
        elif own := [p for at, p in mentions if token.unit_end <= at <= token.attached_end]:
            phase = "" if own[0] == "move" else own[0]  # "588.293 keuro beschikbaar VAK-krediet"
        elif _EXECUTED_VERB.match(flat[token.attached_end :]):
            phase = "bu"
        else:
            phase = ""
        token.stated = replace(token.stated, phase=phase)
        previous = token


def _mask_percentages(flat: str, tokens: list[_Token]) -> str:
    """The sentence with percentages and their base (``93,9% van het beschikbare VAK-krediet``)
    blanked: that base names no phase of an amount."""
    masked = flat
    for token in tokens:
        if token.stated.kind != "percent":
            continue
        base = _BASE_PHRASE.match(flat, token.attached_end)
        end = base.end() if base else token.attached_end
        start = token.stated.start
        masked = masked[:start] + " " * (end - start) + masked[end:]
    return masked


def _is_claim(flat: str, token: _Token, year: int | None, *, share: bool = False) -> bool:
    """In a sentence about utilisation, is this percentage a claim about this year's figure?

    A ``share`` of the available credit is one whatever it measures (``onderbenutting``).
    """
    stated = token.stated
    if stated.approximate:
        return False
    start = _clause_start(flat, stated.start)
    following = _CLAUSE.search(flat, token.attached_end)
    clause = flat[start : following.start() if following else len(flat)]
    if not share and (_OTHER_MEASURE.search(clause) or _OTHER_BASE.match(flat[stated.end :])):
        return False
    before = flat[start : stated.start]
    if re.search(r"\bmet\s*$", before, re.I):
        return False  # a change: "steeg met 2,1%"
    if re.match(
        r"^\s*(?:meer|minder|hoger|lager|groter|kleiner)\b", flat[token.attached_end :], re.I
    ):
        return False  # a comparison: "2% meer dan in 2023"
    if re.search(r"\bvan\s*$", before, re.I) and re.match(
        r"^\s*(?:in\s+\d{4}\s+)?(?:naar|tot)\b", flat[token.attached_end :]
    ):
        return False  # an earlier value: "van 91,0% naar 93,9%"
    if year is not None:
        years = [int(y) for y in _YEAR.findall(clause)]
        if years and year not in years:
            return False
    return True
