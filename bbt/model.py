"""The data of one BBT, as immutable objects that remember where they came from.

Names follow the domain (see docs/format.md, "Glossary"): ``vak``/``vek`` are the commitment and
payment credits of expenditure, ``ao``/``to``/``lo`` the general, assigned and *loan* receipts;
``ba``, ``ba_jr`` and ``bu`` are the approved budget, the budget after reallocations as in the
annual accounts, and the execution. Amounts are exact :class:`~decimal.Decimal` in keuro.

The records are frozen ``msgspec.Struct`` classes: Python 3.11 compiles every method of a
dataclass when the class is made (2 to 5 million instructions each), which every run of bbt
paid for each of its classes; a Struct is made in C for a twentieth of that. The three that
keep their locations out of equality (``field(compare=False)``, which a Struct cannot say) stay
frozen dataclasses: :class:`Series`, :class:`Article` and :class:`Published`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import msgspec

from bbt.article_codes import ArticleCode
from bbt.errors import UNKNOWN, Location

PHASES = ("ba", "ba_jr", "bu")
PHASE_LABELS = {"ba": "BA", "ba_jr": "BA-JR", "bu": "BU"}
EXPENDITURE_CREDITS = ("vak", "vek")
RECEIPT_CREDITS = ("ao", "to", "lo")  # lo = leningontvangsten (loan receipts), not ESR "lonen"
CREDITS = (*EXPENDITURE_CREDITS, *RECEIPT_CREDITS)
CREDIT_LABELS = {"vak": "VAK", "vek": "VEK", "ao": "AO", "to": "TO", "lo": "LO"}


class Narrative(msgspec.Struct, frozen=True):
    """A piece of Markdown prose that may hold Jinja expressions bound to the data.

    Attributes:
        source: the Markdown text.
        loc: location of the first line of ``source`` (so line ``n`` of the text is at
            ``loc.line + n - 1``).
    """

    source: str
    loc: Location = UNKNOWN

    def __bool__(self) -> bool:
        return bool(self.source.strip())


@dataclass(frozen=True)
class Series:
    """One credit type of one article over the three phases (missing phases are None).

    Attributes:
        ba: approved budget (decretaal krediet).
        ba_jr: available credit at year end, BA plus all movements.
        bu: execution; may be negative.
        locs: location of each phase's figure, by phase key.
    """

    ba: Decimal | None = None
    ba_jr: Decimal | None = None
    bu: Decimal | None = None
    locs: dict[str, Location] = field(default_factory=dict, compare=False)

    def get(self, phase: str) -> Decimal | None:
        value: Decimal | None = getattr(self, phase)
        return value


class Movement(msgspec.Struct, frozen=True):
    """A change from BA to BA-JR: an index tranche or a reallocation.

    Attributes:
        amounts: signed effect on this article per credit type (``{"vak": 6604, "vek": 6604}``):
            positive when credit comes in, negative when it goes out.
        direction: ``"from"`` (credit comes from ``counterpart``) or ``"to"``.
        counterpart: an article code (``CB0-1CBD2AB-PR``) or a name (``Relanceprovisie``).
        kind: ``"index"`` for tranches from the index provision, ``"herverdeling"`` otherwise.
        id: optional name the narrative uses to cite this movement (``mv.index_apr24.vak``).
        reason: purpose in the document's language.
        tranche: for index movements, the tranche (``2024-04``), optional.
    """

    amounts: dict[str, Decimal]
    direction: str
    counterpart: str
    kind: str
    reason: str = ""
    id: str | None = None
    tranche: str | None = None
    loc: Location = UNKNOWN


class Figure(msgspec.Struct, frozen=True):
    """Another amount the narrative cites (a component of the execution, an estimate ...).

    Attributes:
        name: key used in the narrative (``figures.begeleidingspremie``).
        amounts: by credit type, or under ``"value"`` when the figure has no credit type.
        label: what it is, in the document's language.
    """

    name: str
    amounts: dict[str, Decimal]
    label: str = ""
    loc: Location = UNKNOWN


@dataclass(frozen=True)
class Article:
    """A budget article.

    Attributes:
        code: the parsed code; ``code.is_receipt`` tells receipts from expenditure.
        title: as in the budget (the renderer writes it in capitals).
        ise: key of the ISE the article belongs to.
        od: code of the linked operational objective (``OD17``), if any.
        credits: one :class:`Series` per credit type (``vak``, ``vek`` or ``ao``, ``to``, ``lo``).
        movements: changes from BA to BA-JR, in the order they are explained.
        accruals: amounts booked on the overlopende rekening, by credit type.
        figures: further amounts the explanation cites, by name.
        korte_inhoud: short description.
        toelichting: the explanation of the execution.
        refs: where the references to other objects are written (``ise``, ``od``), so a
            finding about them points at that line.
    """

    code: ArticleCode
    title: str
    ise: str
    od: str | None
    credits: dict[str, Series]
    movements: tuple[Movement, ...] = ()
    accruals: dict[str, Decimal] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    korte_inhoud: Narrative = Narrative("")
    toelichting: Narrative = Narrative("")
    loc: Location = UNKNOWN
    refs: dict[str, Location] = field(default_factory=dict, compare=False)

    @property
    def credit_types(self) -> tuple[str, ...]:
        return RECEIPT_CREDITS if self.code.is_receipt else EXPENDITURE_CREDITS


class Objective(msgspec.Struct, frozen=True):
    """A strategic (SD) or operational (OD) objective.

    Attributes:
        code: ``SD1`` or ``OD16``.
        title: the objective's title.
        text: its narrative.
        footnote: a note attached to the heading (``Zie ook begroting: ...``), Markdown.
    """

    code: str
    title: str
    text: Narrative = Narrative("")
    footnote: str = ""
    loc: Location = UNKNOWN

    @property
    def number(self) -> str:
        return self.code[2:]


@dataclass(frozen=True)
class Published:
    """Totals as published, where they differ from the sum of rounded lines.

    Attributes:
        amounts: ``{(credit, phase): amount}``, e.g. ``{("vak", "bu"): Decimal(635305)}``.
        locs: location of each amount.
    """

    amounts: dict[tuple[str, str], Decimal] = field(default_factory=dict)
    locs: dict[tuple[str, str], Location] = field(default_factory=dict, compare=False)


class Ise(msgspec.Struct, frozen=True):
    """An inhoudelijk structuurelement (policy cluster) and its chapter.

    Attributes:
        key: short name used by articles (``activering``).
        title: as in headings (``Activering (Sociale Economie)``).
        scope: the table caption suffix (``MVG excl. DAB``).
        sd: code of the overarching strategic objective.
        strategy: narrative of section n.1.
        ods: operational objectives of section n.2.
        kader: explanation of the budgettair kader (n.3).
        entity_heading: heading of n.3.1 (``Departement en IVA's zonder rechtspersoonlijkheid``).
        published: totals as published, when they differ from the computed ones.
    """

    key: str
    title: str
    scope: str = ""
    sd: str | None = None
    strategy: Narrative = Narrative("")
    ods: tuple[Objective, ...] = ()
    kader: Narrative = Narrative("")
    entity_heading: str = ""
    published: Published = Published()
    loc: Location = UNKNOWN


class GlossaryEntry(msgspec.Struct, frozen=True):
    """One abbreviation of chapter VI."""

    term: str
    meaning: str
    loc: Location = UNKNOWN


class Regulation(msgspec.Struct, frozen=True):
    """A decree or order listed in annex VII."""

    date: dt.date
    kind: str
    title: str
    staatsblad: dt.date | None = None
    loc: Location = UNKNOWN


class RegulationGroup(msgspec.Struct, frozen=True):
    """A titled group of regulations (``Decreten``) of one entity."""

    entity: str
    title: str
    items: tuple[Regulation, ...]


class Resolution(msgspec.Struct, frozen=True):
    """A resolution of the Flemish Parliament and the minister's follow-up (annex VIII)."""

    title: str
    authors: tuple[str, ...]
    reference: str
    adopted: dt.date
    text: Narrative = Narrative("")
    loc: Location = UNKNOWN


class Annexes(msgspec.Struct, frozen=True):
    """Annexes VII-X; an empty tuple renders as "nvt".

    Attributes:
        regelgeving: VII, regulatory initiatives.
        resoluties: VIII, resolutions of Parliament.
        rekenhof: IX, recommendations of the Court of Audit (Markdown items).
        arresten: X, judgments (Markdown items).
    """

    regelgeving: tuple[RegulationGroup, ...] = ()
    resoluties: tuple[Resolution, ...] = ()
    rekenhof: tuple[Narrative, ...] = ()
    arresten: tuple[Narrative, ...] = ()


class Indicator(msgspec.Struct, frozen=True):
    """An indicator card of annex XI.

    Attributes:
        id: key (``invulling-contingent``).
        ise: key of the ISE it belongs to.
        values: the latest measurement(s), as printed (``47,3%``).
        note: what the measurement covers (``meest recente jaarcijfer 2023``).
        source_url: where the figure is published.
        target: the target value (streefwaarde).
        definition: definition and relevance (Markdown).
        source: source and method (Markdown).
        frequency: measuring frequency.
    """

    id: str
    ise: str
    title: str
    values: tuple[str, ...]
    note: str = ""
    source_url: str = ""
    target: str = ""
    definition: Narrative = Narrative("")
    source: Narrative = Narrative("")
    frequency: str = ""
    loc: Location = UNKNOWN


class Person(msgspec.Struct, frozen=True):
    """The signing minister.

    Attributes:
        name: as signed (``Hilde Crevits``).
        role: the short form used in the document (``Vlaams minister bevoegd voor ...``).
        title: the full title on the cover (``Vlaams minister van ...``); empty: ``role``.
    """

    name: str
    role: str = ""
    title: str = ""


class Parliament(msgspec.Struct, frozen=True):
    """The identification the Flemish Parliament gives the document (the cover).

    Attributes:
        stuk: the series and number as Parliament prints it (``23 (2024-2025) – Nr. 1``);
            the execution BBTs are series 23 [public].
        session: the session year (``2024-2025``).
        submitted: the date of submission (indiening).
    """

    stuk: str = ""
    session: str = ""
    submitted: dt.date | None = None
    loc: Location = UNKNOWN


class ChapterTitle(msgspec.Struct, frozen=True):
    """A document's own title for a chapter of the outline (``bbt.yaml``, ``outline:``).

    Attributes:
        title: the heading, without its numeral (empty: the outline's own).
        running: the short form for the running header (empty: the outline's own).
    """

    title: str = ""
    running: str = ""
    loc: Location = UNKNOWN


class Settings(msgspec.Struct, frozen=True):
    """Per-document parameters of the checks.

    Attributes:
        explain_below: utilisation (percent) under which an article owes an explanation.
        index_provision: code of the central index provision.
        charts: whether the rendered document shows charts.
    """

    explain_below: Decimal = Decimal(90)
    index_provision: str = "CB0-1CBD2AB-PR"
    charts: bool = True


class Document(msgspec.Struct, frozen=True):
    """One BBT: metadata, chapters, ISEs, articles and annexes.

    Attributes:
        root: the budget folder.
        title / subtitle: title page lines.
        year: the budget year.
        kind: ``uitvoering`` (execution BBT).
        unit: ``keuro``.
        policy_field: beleidsveld (``Sociale Economie``).
        programme_code / programme_title: ``JE`` / ``Sociale economie``.
        department: the department that drafts the document.
        minister: the signing minister.
        stamp: the filing stamp (``VR 2025 1605 MED.0170/1``).
        date: the date of the document.
        parliament: the parliamentary identification on the cover (stuk, session, submission).
        chapters: narratives of II, III, IV.1 and IV.2, by key.
        sds: overarching strategic objectives (IV.2).
        ises: ISEs in document order.
        articles: all articles, in document order.
        published: programme totals as published, where they differ.
        glossary / annexes / indicators: chapters VI, VII-X and XI.
        outline: the document's own chapter titles by chapter key, laid over the outline
            definition (bbt/outline/execution.yaml).
        extensions: data of installed extensions found beside the budget, by extension name
            (e.g. the contingent register, ``contingenten.yaml``).
        provisions: declared totals drawn from central provisions, ``{code: {credit: amount}}``
            (e.g. the index provision), checked against the sum of the movements from them.
    """

    root: Path
    title: str
    year: int
    kind: str
    unit: str
    policy_field: str
    programme_code: str
    programme_title: str
    department: str
    minister: Person
    subtitle: str = ""
    stamp: str = ""
    date: dt.date | None = None
    parliament: Parliament = Parliament()
    settings: Settings = Settings()
    chapters: dict[str, Narrative] = msgspec.field(default_factory=dict)
    sds: tuple[Objective, ...] = ()
    ises: tuple[Ise, ...] = ()
    articles: tuple[Article, ...] = ()
    published: Published = Published()
    glossary: tuple[GlossaryEntry, ...] = ()
    annexes: Annexes = Annexes()
    indicators: tuple[Indicator, ...] = ()
    outline: dict[str, ChapterTitle] = msgspec.field(default_factory=dict)
    extensions: dict[str, object] = msgspec.field(default_factory=dict)
    provisions: dict[str, dict[str, tuple[Decimal, Location]]] = msgspec.field(default_factory=dict)
    loc: Location = UNKNOWN

    def article(self, code: str) -> Article | None:
        return next((a for a in self.articles if a.code.text == code), None)

    def ise(self, key: str) -> Ise | None:
        return next((i for i in self.ises if i.key == key), None)

    def ise_articles(self, key: str) -> tuple[Article, ...]:
        """The ISE's articles in document order: receipts first, then expenditure."""
        own = [a for a in self.articles if a.ise == key]
        return tuple(sorted(own, key=lambda a: (not a.code.is_receipt, a.code.text)))
