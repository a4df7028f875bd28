"""Read a budget folder into a :class:`bbt.model.Document`.

Layout (docs/format.md): ``bbt.yaml`` (the document), ``ises/<key>.yaml`` (one per ISE, in the
order ``bbt.yaml`` lists them), ``articles/*.yaml`` (one per article), and optional
``glossary.yaml``, ``annexes.yaml``, ``indicators.yaml``; narrative as inline Markdown or
``.md`` files referenced by path relative to the folder.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from bbt.article_codes import CodeError, looks_like_code, parse_code
from bbt.errors import Finding, LoadError, Location, Severity, did_you_mean
from bbt.files import InputRefused, exists, list_inputs, shown
from bbt.load.fields import Context, Fields
from bbt.load.nodes import Map, Scalar, YNode
from bbt.model import (
    CREDITS,
    EXPENDITURE_CREDITS,
    PHASES,
    RECEIPT_CREDITS,
    Annexes,
    Article,
    ChapterTitle,
    Document,
    Figure,
    GlossaryEntry,
    Indicator,
    Ise,
    Movement,
    Narrative,
    Objective,
    Parliament,
    Person,
    Published,
    Regulation,
    RegulationGroup,
    Resolution,
    Series,
    Settings,
)

DOCUMENT_FILE = "bbt.yaml"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_OBJECTIVE = re.compile(r"^(SD|OD)\d+$")
_NO_DATE = dt.date(1970, 1, 1)  # stands in for a date that failed to load (an error is reported)
MIN_YEAR, MAX_YEAR = 1900, 2999
"""The budget years bbt accepts (a year is printed, and dates are derived from it)."""
_CHAPTERS = ("inleiding", "samenvatting", "transversaal", "overkoepelend")


def load(path: Path | str) -> Document:
    """Load and validate a budget folder; raise :class:`LoadError` with every problem found.

    Warnings (a byte-order mark, say) do not stop the load; they are returned by
    :func:`load_with_findings`.
    """
    document, findings = load_with_findings(path)
    if document is None:
        raise LoadError(findings)
    return document


def load_with_findings(path: Path | str) -> tuple[Document | None, list[Finding]]:
    """Load a budget folder; return the document (None on errors) and all findings."""
    root = Path(path)
    ctx = Context(root)
    if not _is_dir(root):
        what = "does not exist" if not exists(root) else "is a file, not a budget folder"
        ctx.error("BBT014", Location(shown(root)), f"{shown(root)} {what}")
        return None, ctx.findings
    doc_file = root / DOCUMENT_FILE
    if not exists(doc_file):
        ctx.error(
            "BBT014",
            Location(shown(root)),
            f"{shown(root)} is not a budget folder: it has no {DOCUMENT_FILE} "
            "(run 'bbt check' on a folder such as bbt/examples/2024-sociale-economie)",
        )
        return None, ctx.findings
    node = ctx.parse(doc_file)
    if node is None:
        return None, ctx.findings
    document = _Loader(ctx).document(node)
    if any(f.severity is Severity.ERROR for f in ctx.findings):
        return None, ctx.findings
    return document, ctx.findings


def expenditure_amounts(f: Fields) -> dict[str, tuple[Decimal, Location]]:
    """The ``vak`` and ``vek`` amounts of a mapping such as a provision; a missing one is left out."""
    out = {}
    for credit in EXPENDITURE_CREDITS:
        got = f.amount(credit)
        if got:
            out[credit] = got
    return out


def _is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder; never raises (a loop or an over-long name is not one)."""
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


_DEFAULT_SETTINGS = Settings()
"""What a ``settings:`` key left out means (an instance: a Struct's class holds no defaults)."""


class _Loader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.root = ctx.root
        self.index_provision = _DEFAULT_SETTINGS.index_provision

    def document(self, node: YNode) -> Document | None:
        f = Fields(self.ctx, node, DOCUMENT_FILE)
        head = self.header(f)
        settings = self.settings(f.map("settings"))
        self.index_provision = settings.index_provision
        published = self.published(f.map("published"))
        provisions = self.provisions(f.map("provisions"))
        chapters: dict[str, Narrative] = {}
        chap = f.map("chapters")
        if chap:
            for key in _CHAPTERS:
                chapters[key] = chap.narrative(key)
            chap.done()
        outline = self.outline(f.map("outline"))
        sds = tuple(self.objective(item, "SD") for item in f.seq("sds"))
        ise_keys = f.str_list("ises", required=True)
        f.done()
        ises = [ise for key, loc in ise_keys if (ise := self.ise(key, loc)) is not None]
        articles = self.articles()
        glossary = self.glossary()
        annexes = self.annexes()
        indicators = self.indicators()
        extensions = self.extensions()
        if head["title"] == "" or head["year"] is None:
            return None
        document = Document(
            root=self.root,
            **head,
            settings=settings,
            chapters=chapters,
            sds=tuple(s for s in sds if s is not None),
            ises=tuple(ises),
            articles=tuple(articles),
            published=published,
            glossary=glossary,
            annexes=annexes,
            indicators=indicators,
            outline=outline,
            extensions=extensions,
            provisions=provisions,
            loc=f.loc,
        )
        self.references(document)
        return document

    def header(self, f: Fields) -> dict[str, Any]:
        """The title page facts of bbt.yaml: title, year, policy field, programme, minister."""
        unit = f.text("unit", default="keuro")
        if unit != "keuro":
            self.ctx.error(
                "BBT003",
                f.key_loc("unit"),
                f"{DOCUMENT_FILE}: unit {unit!r} is not supported; tables are in keuro",
            )
        head: dict[str, Any] = {
            "title": f.text("title", required=True),
            "subtitle": f.text("subtitle"),
            "year": f.integer("year", required=True),
            "kind": f.text("kind", default="uitvoering"),
            "unit": unit,
            "policy_field": f.text("policy_field", required=True),
            "programme_code": "",
            "programme_title": "",
        }
        programme = f.map("programme", required=True)
        if programme:
            head["programme_code"] = programme.text("code", required=True)
            head["programme_title"] = programme.text("title", required=True)
            programme.done()
        head["department"] = f.text("department", required=True)
        minister_f = f.map("minister", required=True)
        head["minister"] = Person("")
        if minister_f:
            head["minister"] = Person(
                minister_f.text("name", required=True),
                minister_f.text("role"),
                minister_f.text("title"),
            )
            minister_f.done()
        year = head["year"]
        if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
            self.ctx.error(
                "BBT003",
                f.key_loc("year"),
                f"{DOCUMENT_FILE}: year {year} is not a budget year ({MIN_YEAR}-{MAX_YEAR})",
            )
            head["year"] = None
        head["stamp"] = f.text("stamp")
        head["date"] = f.date("date")
        parliament = f.map("parliament")
        if parliament:
            head["parliament"] = Parliament(
                stuk=parliament.text("stuk"),
                session=parliament.text("session"),
                submitted=parliament.date("submitted"),
                loc=parliament.loc,
            )
            parliament.done()
        return head

    # -- pieces of bbt.yaml -------------------------------------------------------------

    def settings(self, f: Fields | None) -> Settings:
        if f is None:
            return Settings()
        below = f.amount("explain_below")
        provision = f.text("index_provision", default=_DEFAULT_SETTINGS.index_provision)
        charts = f.boolean("charts", default=_DEFAULT_SETTINGS.charts)
        f.done()
        return Settings(
            explain_below=below[0] if below else _DEFAULT_SETTINGS.explain_below,
            index_provision=provision,
            charts=charts,
        )

    def provisions(self, f: Fields | None) -> dict[str, dict[str, tuple[Decimal, Location]]]:
        """``provisions: {CB0-1CBD2AB-PR: {vak: 8275, vek: 8275}}``: totals drawn from provisions."""
        out: dict[str, dict[str, tuple[Decimal, Location]]] = {}
        if f is None:
            return out
        for code, node in f.items():
            g = Fields(self.ctx, node, f"provisions: {code}")
            out[code] = expenditure_amounts(g)
            g.done()
        return out

    def published(self, f: Fields | None) -> Published:
        if f is None:
            return Published()
        amounts: dict[tuple[str, str], Decimal] = {}
        locs: dict[tuple[str, str], Location] = {}
        for credit in CREDITS:
            series = f.map(credit)
            if series is None:
                continue
            for phase in PHASES:
                got = series.amount(phase)
                if got:
                    amounts[(credit, phase)], locs[(credit, phase)] = got
            series.done()
        f.done()
        return Published(amounts, locs)

    def objective(self, node: YNode, prefix: str) -> Objective | None:
        f = Fields(self.ctx, node, f"{prefix} objective")
        code = f.text("code", required=True).replace(" ", "")
        if code and not (_OBJECTIVE.match(code) and code.startswith(prefix)):
            self.ctx.error(
                "BBT003",
                f.key_loc("code"),
                f"{code!r} is not an {prefix} code (write {prefix}1, {prefix}17 ...)",
            )
        objective = Objective(
            code=code,
            title=f.text("title", required=True),
            text=f.narrative("text"),
            footnote=f.text("footnote"),
            loc=f.loc,
        )
        f.done()
        return objective if code else None

    # -- ISEs -----------------------------------------------------------------------------

    def ise(self, key: str, loc: Location) -> Ise | None:
        if not _KEY.match(key):
            self.ctx.error(
                "BBT003", loc, f"ISE key {key!r} must be lower case letters, digits and hyphens"
            )
            return None
        path = self.root / "ises" / f"{key}.yaml"
        if not exists(path):
            self.ctx.error("BBT007", loc, f"ISE {key!r} is listed but {shown(path)} does not exist")
            return None
        node = self.ctx.parse(path)
        if node is None:
            return None
        f = Fields(self.ctx, node, f"ISE {key}")
        ise = Ise(
            key=key,
            title=f.text("title", required=True),
            scope=f.text("scope"),
            sd=f.text("sd") or None,
            strategy=f.narrative("strategy"),
            ods=tuple(o for o in (self.objective(n, "OD") for n in f.seq("ods")) if o),
            kader=f.narrative("kader"),
            entity_heading=f.text("entity_heading"),
            published=self.published(f.map("published")),
            loc=f.loc,
        )
        f.done()
        return ise

    # -- articles -----------------------------------------------------------------------

    def articles(self) -> list[Article]:
        folder = self.root / "articles"
        articles: list[Article] = []
        seen: dict[str, Location] = {}
        try:
            paths = list_inputs(folder, ".yaml", self.ctx.roots) if exists(folder) else []
        except InputRefused as exc:
            self.ctx.error(exc.code, Location(shown(folder)), exc.reason)
            paths = []
        for path in paths:
            node = self.ctx.parse(path)
            if node is None:
                continue
            article = self.article(node, path)
            if article is None:
                continue
            code = article.code.text
            if code in seen:
                self.ctx.error(
                    "BBT006", article.loc, f"article {code} is defined twice (also at {seen[code]})"
                )
                continue
            seen[code] = article.loc
            articles.append(article)
        return articles

    def article(self, node: YNode, path: Path) -> Article | None:
        f = Fields(self.ctx, node, f"article in {path.name}")
        code_text = f.text("code", required=True)
        code = None
        if code_text:
            try:
                code = parse_code(code_text)
            except CodeError as exc:
                self.ctx.error("BBT005", f.key_loc("code"), str(exc))
            f.what = f"article {code_text}"
            if path.stem != code_text and code is not None:
                self.ctx.warning(
                    "BBT015",
                    f.key_loc("code"),
                    f"article {code_text} is in {path.name}; name the file {code_text}.yaml",
                )
        title = f.text("title", required=True)
        ise = f.text("ise", required=True)
        # "OD 17" and "OD17" name the same objective (docs/format.md): stored as OD17.
        od = f.text("od").replace(" ", "") or None
        refs = {key: f.key_loc(key) for key in ("ise", "od") if f.has(key)}
        allowed = RECEIPT_CREDITS if code and code.is_receipt else EXPENDITURE_CREDITS
        credits = self.credits(f.map("credits", required=True), allowed, f.what)
        movements = tuple(
            m for m in (self.movement(n, f.what, allowed) for n in f.seq("movements")) if m
        )
        accruals: dict[str, Decimal] = {}
        acc = f.map("accruals")
        if acc:
            for credit in allowed:
                got = acc.amount(credit)
                if got:
                    accruals[credit] = got[0]
            acc.done()
        figures = self.figures(f.map("figures"), f.what)
        korte = f.narrative("korte_inhoud")
        toelichting = f.narrative("toelichting")
        f.done()
        if code is None or not title:
            return None
        return Article(
            code,
            title,
            ise,
            od,
            credits,
            movements,
            accruals,
            figures,
            korte,
            toelichting,
            f.loc,
            refs,
        )

    def credits(self, f: Fields | None, allowed: tuple[str, ...], what: str) -> dict[str, Series]:
        out: dict[str, Series] = {}
        if f is None:
            return out
        for credit in allowed:
            series = f.map(credit)
            if series is None:
                continue
            values: dict[str, Decimal | None] = {}
            locs: dict[str, Location] = {}
            for phase in PHASES:
                got = series.amount(phase)
                values[phase] = got[0] if got else None
                if got:
                    locs[phase] = got[1]
            series.done()
            out[credit] = Series(values["ba"], values["ba_jr"], values["bu"], locs)
        if not out and f.ok:
            self.ctx.error("BBT004", f.loc, f"{what}: credits has none of {', '.join(allowed)}")
        f.done()
        return out

    def movement(self, node: YNode, what: str, allowed: tuple[str, ...]) -> Movement | None:
        f = Fields(self.ctx, node, f"{what}: movement")
        amounts: dict[str, Decimal] = {}
        for credit in allowed:
            got = f.amount(credit)
            if got:
                amounts[credit] = got[0]
        source = f.text("from")
        target = f.text("to")
        kind = f.text("kind")
        ident = f.text("id") or None
        reason = f.text("reason")
        tranche = f.text("tranche") or None
        f.done()
        if source and target:
            self.ctx.error(
                "BBT008",
                f.loc,
                f"{what}: a movement names both 'from' and 'to'; one movement has one counterpart",
            )
            return None
        if not source and not target:
            self.ctx.error(
                "BBT008",
                f.loc,
                f"{what}: movement names neither 'from' nor 'to'; say where the credit came from or went to",
            )
            return None
        if not amounts:
            self.ctx.error(
                "BBT004", f.loc, f"{what}: movement has no amount ({' or '.join(allowed)})"
            )
            return None
        counterpart = source or target
        if looks_like_code(counterpart):
            try:
                parse_code(counterpart)
            except CodeError as exc:
                self.ctx.error("BBT005", f.loc, f"{what}: movement counterpart: {exc}")
        if kind and kind not in ("index", "herverdeling"):
            self.ctx.error(
                "BBT003",
                f.key_loc("kind"),
                f"{what}: movement kind {kind!r} must be 'index' or 'herverdeling'",
            )
        if ident and not _KEY.match(ident.replace("_", "-")):
            self.ctx.error(
                "BBT003",
                f.key_loc("id"),
                f"{what}: movement id {ident!r} must be a lower-case word (letters, digits, _)",
            )
        return Movement(
            amounts=amounts,
            direction="from" if source else "to",
            counterpart=counterpart,
            kind=kind or ("index" if counterpart == self.index_provision else "herverdeling"),
            reason=reason,
            id=ident,
            tranche=tranche,
            loc=f.loc,
        )

    def figures(self, f: Fields | None, what: str) -> dict[str, Figure]:
        out: dict[str, Figure] = {}
        if f is None:
            return out
        for name, node in f.items():
            if not re.match(r"^[a-z][a-z0-9_]*$", name):
                self.ctx.error(
                    "BBT003",
                    f.key_loc(name),
                    f"{what}: figure name {name!r} must be lower case with underscores (it is used as figures.{name})",
                )
                continue
            if isinstance(node, Map):
                g = Fields(self.ctx, node, f"{what}: figure {name}")
                amounts: dict[str, Decimal] = {}
                for credit in ("vak", "vek", "ao", "to", "lo", "value"):
                    got = g.amount(credit)
                    if got:
                        amounts[credit] = got[0]
                label = g.text("label")
                g.done()
                out[name] = Figure(name, amounts, label, node.loc)
            else:
                got = f.amount_of(node, name)
                if got:
                    out[name] = Figure(name, {"value": got[0]}, "", node.loc)
        return out

    # -- glossary, annexes, indicators ----------------------------------------------------

    def optional(self, name: str) -> YNode | None:
        path = self.root / name
        if not exists(path):
            return None
        return self.ctx.parse(path)

    def glossary(self) -> tuple[GlossaryEntry, ...]:
        node = self.optional("glossary.yaml")
        if node is None:
            return ()
        if isinstance(node, Map) and not node.values:
            return ()
        if not hasattr(node, "items") or isinstance(node, Map | Scalar):
            self.ctx.error("BBT003", node.loc, "glossary.yaml must be a list of {term, meaning}")
            return ()
        out = []
        for item in node.items:
            f = Fields(self.ctx, item, "glossary entry")
            entry = GlossaryEntry(
                f.text("term", required=True), f.text("meaning", required=True), f.loc
            )
            f.done()
            out.append(entry)
        return tuple(out)

    def annexes(self) -> Annexes:
        node = self.optional("annexes.yaml")
        if node is None:
            return Annexes()
        f = Fields(self.ctx, node, "annexes.yaml")
        groups: list[RegulationGroup] = []
        for entity_node in self.nvt_list(f, "regelgeving"):
            e = Fields(self.ctx, entity_node, "regelgeving")
            entity = e.text("entity", required=True)
            for group_node in e.seq("groups"):
                g = Fields(self.ctx, group_node, "regelgeving group")
                title = g.text("title", required=True)
                items = []
                for item_node in g.seq("items"):
                    i = Fields(self.ctx, item_node, "regulation")
                    date = i.date("date", required=True)
                    reg = Regulation(
                        date=date or _NO_DATE,
                        kind=i.text("kind", required=True),
                        title=i.text("title", required=True),
                        staatsblad=i.date("staatsblad"),
                        loc=i.loc,
                    )
                    i.done()
                    items.append(reg)
                g.done()
                groups.append(RegulationGroup(entity, title, tuple(items)))
            e.done()
        resolutions = []
        for res_node in self.nvt_list(f, "resoluties"):
            r = Fields(self.ctx, res_node, "resolutie")
            adopted = r.date("adopted", required=True)
            resolutions.append(
                Resolution(
                    title=r.text("title", required=True),
                    authors=tuple(a for a, _ in r.str_list("authors")),
                    reference=r.text("reference"),
                    adopted=adopted or _NO_DATE,
                    text=r.narrative("text"),
                    loc=r.loc,
                )
            )
            r.done()
        rekenhof = tuple(self.nvt_narratives(f, "rekenhof"))
        arresten = tuple(self.nvt_narratives(f, "arresten"))
        f.done()
        return Annexes(tuple(groups), tuple(resolutions), rekenhof, arresten)

    def nvt_list(self, f: Fields, key: str) -> list[YNode]:
        node = f.raw(key)
        if node is None or (isinstance(node, Scalar) and node.text.lower() in ("nvt", "n.v.t.")):
            return []
        return f.seq(key)

    def nvt_narratives(self, f: Fields, key: str) -> list[Narrative]:
        out = []
        for item in self.nvt_list(f, key):
            if isinstance(item, Scalar) and item.tag == "str":
                out.append(Narrative(item.text, item.text_loc))
            else:
                self.ctx.error(
                    "BBT003",
                    item.loc,
                    f"annexes.yaml: every entry of {key!r} must be text (Markdown)",
                )
        return out

    def indicators(self) -> tuple[Indicator, ...]:
        node = self.optional("indicators.yaml")
        if node is None or (isinstance(node, Map) and not node.values):
            return ()
        if isinstance(node, Map | Scalar):
            self.ctx.error("BBT003", node.loc, "indicators.yaml must be a list of indicator cards")
            return ()
        out = []
        for item in node.items:
            f = Fields(self.ctx, item, "indicator")
            ident = f.text("id", required=True)
            f.what = f"indicator {ident}"
            values = tuple(v for v, _ in f.str_list("values"))
            m = f.map("measurement")
            note = source_url = ""
            if m:
                values = tuple(v for v, _ in m.str_list("values", required=True))
                note = m.text("note")
                source_url = m.text("source_url")
                m.done()
            out.append(
                Indicator(
                    id=ident,
                    ise=f.text("ise", required=True),
                    title=f.text("title", required=True),
                    values=values,
                    note=note,
                    source_url=source_url,
                    target=f.text("target"),
                    definition=f.narrative("definition"),
                    source=f.narrative("source"),
                    frequency=f.text("frequency"),
                    loc=f.loc,
                )
            )
            f.done()
        return tuple(out)

    def extensions(self) -> dict[str, object]:
        """Data that installed extensions find beside the budget (bbt.extension, ``load``)."""
        from bbt.extension import hooks

        found: dict[str, object] = {}
        for extension, load in hooks("load"):
            data = load(self.root, self.ctx.findings)
            if data is not None:
                found[extension.name] = data
        return found

    def outline(self, f: Fields | None) -> dict[str, ChapterTitle]:
        """``outline: {rekenhof: {title: ..., running: ...}}``: the document's own chapter titles.

        Whether each key names a chapter of the outline is checked with the outline (BBT002).
        """
        if f is None:
            return {}
        out: dict[str, ChapterTitle] = {}
        for key, node in f.items():
            g = Fields(self.ctx, node, f"outline: {key}")
            out[key] = ChapterTitle(g.text("title"), g.text("running"), f.key_loc(key))
            g.done()
        return out

    # -- cross references -------------------------------------------------------------------

    def references(self, doc: Document) -> None:
        """References between objects: ISE keys, OD codes, article codes of this programme."""
        ise_keys = {i.key for i in doc.ises}
        od_codes = {o.code for i in doc.ises for o in i.ods}
        sd_codes = {s.code for s in doc.sds}
        codes = {a.code.text for a in doc.articles}
        for ise in doc.ises:
            if ise.sd and sd_codes and ise.sd not in sd_codes:
                self.ctx.error(
                    "BBT007",
                    ise.loc,
                    f"ISE {ise.key}: sd {ise.sd!r} is not one of {', '.join(sorted(sd_codes))}",
                )
        for article in doc.articles:
            if article.ise not in ise_keys:
                self.ctx.error(
                    "BBT007",
                    article.refs.get("ise", article.loc),
                    _unknown(f"article {article.code}: ISE", article.ise, ise_keys),
                )
            if article.od and article.od not in od_codes:
                self.ctx.error(
                    "BBT007",
                    article.refs.get("od", article.loc),
                    _unknown(f"article {article.code}: OD", article.od, od_codes),
                )
            if article.code.programme != doc.programme_code:
                self.ctx.warning(
                    "BBT016",
                    article.loc,
                    f"article {article.code} belongs to programme {article.code.programme}, not {doc.programme_code}",
                )
            for movement in article.movements:
                other = movement.counterpart
                if other == article.code.text:
                    self.ctx.error(
                        "BBT008",
                        movement.loc,
                        f"article {article.code}: a movement cannot have the article itself as counterpart",
                    )
                elif (
                    looks_like_code(other)
                    and other not in codes
                    and other[:3] == article.code.entity
                    and other[5:7] == doc.programme_code
                ):
                    self.ctx.error(
                        "BBT007",
                        movement.loc,
                        _unknown(f"article {article.code}: movement counterpart", other, codes)
                        + " (a reallocation within the programme must name an article of this document)",
                    )
        for indicator in doc.indicators:
            if indicator.ise not in ise_keys:
                self.ctx.error(
                    "BBT007",
                    indicator.loc,
                    _unknown(f"indicator {indicator.id}: ISE", indicator.ise, ise_keys),
                )


def _unknown(what: str, value: str, known: set[str]) -> str:
    hint = did_you_mean(
        value, sorted(known), f"; known: {', '.join(sorted(known))}" if known else ""
    )
    return f"{what} {value!r} does not exist{hint}"
