"""``bbt import``: figures from a spreadsheet (XLSX, CSV or JSON) into a budget folder.

The layouts and the mapping file are in :mod:`bbt.exchange.mapping`, reading cells within
limits in :mod:`bbt.exchange.sheet`, exact amounts and number formats in
:mod:`bbt.exchange.cells`. How a column's text amounts are read is decided once per column:
bbt's own export has a fixed format, a mapping file or ``--number-format`` declares it, or the
column's values decide it (and the import reports what it found). Typed numbers in an XLSX or
JSON file are values, not text.

The whole spreadsheet is validated before anything is planned, and the whole plan is built in
memory before anything is written; the files are then written as one set
(:func:`bbt.exchange.files.write_files`): bad input, or a failure while writing, writes
nothing. Existing articles keep their narrative, comments, key order and flow style
(round-trip YAML, :mod:`bbt.exchange.yamledit`); only the figures change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bbt.article_codes import ArticleCode, CodeError, parse_code
from bbt.errors import Finding, Location, Severity, relpath
from bbt.exchange import Cell, ExchangeError, error, warning
from bbt.exchange.cells import (
    FORMATS,
    NL_EXPORT,
    PLAIN,
    Detection,
    NumberFormat,
    Odd,
    Value,
    detect,
    exact,
    looks_like_formula,
    unescape_text,
)
from bbt.exchange.mapping import CREDIT_ALIASES, PHASE_ALIASES, Layout, Mapping, norm, read_layout
from bbt.exchange.sheet import Sheet, column_letter, open_sheet
from bbt.exchange.yamledit import dump, make_yaml, yaml_for
from bbt.model import CREDIT_LABELS, EXPENDITURE_CREDITS, PHASE_LABELS, PHASES, RECEIPT_CREDITS
from bbt.money import AmountError, parse_amount

_ARTICLE_FILE_HINT = "the importer changes figures only"

Rows = list[tuple[int, dict[str, Value]]]
"""The rows kept from a sheet: row number, field -> value."""
_At = Callable[[str], Cell]


# -- reading the spreadsheet ---------------------------------------------------------------


@dataclass
class SheetArticle:
    """What the spreadsheet says about one article.

    Attributes:
        code: the parsed code.
        cell: where the article first appears.
        title / ise: text and cell, when a column gives them.
        figures: ``(credit, phase)`` -> amount and cell.
    """

    code: ArticleCode
    cell: Cell
    title: tuple[str, Cell] | None = None
    ise: tuple[str, Cell] | None = None
    figures: dict[tuple[str, str], tuple[Decimal, Cell]] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetData:
    """Everything a spreadsheet says, read and validated.

    Attributes:
        articles: by code.
        formats: one line per amount column: how its text amounts were read.
        warnings: findings that do not stop the import (BBT514).
    """

    articles: dict[str, SheetArticle]
    formats: tuple[str, ...] = ()
    warnings: tuple[Finding, ...] = ()


def read_spreadsheet(
    path: Path, mapping: Mapping | None = None, number_format: str | None = None
) -> SheetData:
    """Every article the spreadsheet describes; raise ExchangeError with all problems.

    ``number_format`` (``nl`` or ``plain``, from ``--number-format``) overrides the mapping
    file's.
    """
    mapping = mapping or Mapping()
    with open_sheet(path, mapping.delimiter, mapping.sheet) as sheet:
        layout = read_layout(sheet.header, lambda col: sheet.cell(sheet.header_row, col), mapping)
        rows, findings = _collect(sheet, layout)
    declared = number_format or mapping.number_format
    source = "--number-format" if number_format else "the mapping file"
    formats, notes = _decide_formats(sheet, layout, rows, declared, source, findings)
    articles: dict[str, SheetArticle] = {}
    for number, cells in rows:
        findings.extend(_read_row(cells, number, sheet, layout, mapping, formats, articles))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        raise ExchangeError(errors)
    if not articles:
        raise ExchangeError(
            [error("BBT501", Location(sheet.name), "the spreadsheet has no data rows")]
        )
    warnings = tuple(f for f in findings if f.severity is not Severity.ERROR)
    return SheetData(articles, tuple(notes), warnings)


def _collect(sheet: Sheet, layout: Layout) -> tuple[Rows, list[Finding]]:
    """Stream the rows, keeping only the cells of mapped columns."""
    rows: Rows = []
    findings: list[Finding] = []
    unheaded: set[int] = set()
    for row in sheet.rows:
        kept: dict[str, Value] = {}
        for col, value in row.cells.items():
            target = layout.fields.get(col)
            if target is not None:
                kept[target] = value
            elif col not in layout.ignored and col not in unheaded:
                unheaded.add(col)
                findings.append(
                    error(
                        "BBT502",
                        sheet.cell(row.number, col),
                        f"{sheet.column_label(col)} has values but no header",
                    )
                )
        if kept:
            rows.append((row.number, kept))
    return rows, findings


def _where(sheet: Sheet, col: int, row: int) -> str:
    return f"line {row}" if sheet.kind == "json" else f"{column_letter(col)}{row}"


def _decide_formats(
    sheet: Sheet,
    layout: Layout,
    rows: Rows,
    declared: str | None,
    source: str,
    findings: list[Finding],
) -> tuple[dict[str, NumberFormat | None], list[str]]:
    """The number format of each amount column, and a line saying how it was decided.

    Findings (BBT514 when nothing decided and the default was used, BBT503 for a column in
    two formats) are added to ``findings``.
    """
    formats: dict[str, NumberFormat | None] = {}
    notes: list[str] = []
    for target in layout.amount_fields:
        col = layout.columns[target]
        label = sheet.column_label(col)
        label += "" if sheet.kind == "json" else f" {sheet.header[col]!r}"
        texts = [
            (value.strip(), _where(sheet, col, number))
            for number, cells in rows
            if isinstance(value := cells.get(target), str)
        ]
        chosen, how, detection = _column_format(sheet, layout, texts, declared, source)
        formats[target] = chosen
        if detection is not None:
            findings.extend(
                _detection_findings(detection, label, sheet.cell(sheet.header_row, col))
            )
        if any(isinstance(cells.get(target), Decimal) for _, cells in rows):
            how = "numeric cells, exact" + (f"; text cells: {how}" if texts else "")
        notes.append(f"{label}: {how}")
    return formats, notes


def _column_format(
    sheet: Sheet, layout: Layout, texts: list[tuple[str, str]], declared: str | None, source: str
) -> tuple[NumberFormat | None, str, Detection | None]:
    """Declared, fixed by bbt's own export, or detected from the column's text values."""
    if declared is not None:
        return FORMATS[declared], f"{FORMATS[declared].label}, declared by {source}", None
    if layout.bbt_export and sheet.kind == "csv" and sheet.delimiter in (";", ","):
        chosen = NL_EXPORT if sheet.delimiter == ";" else PLAIN
        return chosen, f"{chosen.label}, as in every '{sheet.delimiter}'-separated bbt export", None
    if layout.bbt_export and sheet.kind != "csv":
        return PLAIN, f"{PLAIN.label}, as bbt export writes text amounts", None
    detection = detect(texts)
    return detection.format, detection.how, detection


def _detection_findings(detection: Detection, label: str, header: Cell) -> list[Finding]:
    if detection.conflict is not None:
        nl_value, plain_value = detection.conflict
        return [
            error(
                "BBT503",
                header,
                f"{label} mixes number formats: {nl_value} is Dutch (1.234,5), {plain_value} is "
                "plain (1234.5); declare one with --number-format or number_format in a mapping file",
            )
        ]
    if detection.ambiguous:
        return [
            warning(
                "BBT514",
                header,
                f"{label}: no value tells Dutch (1.234,5) from plain (1234.5) number format; read "
                f"as Dutch, the default, so {detection.ambiguous}; pass --number-format nl or "
                "plain to say which",
            )
        ]
    return []


def _text(value: Value, cell: Cell, kind: str) -> tuple[str, Finding | None]:
    """A text cell as the data will hold it; formulas and formula-like text are refused.

    In CSV and XLSX a leading quote that escapes a formula character is dropped (bbt export
    writes ``'=x`` for the text ``=x``). JSON text is taken as it is: no spreadsheet runs it.
    """
    if isinstance(value, Odd):
        if value.what == "formula":
            return "", error(
                "BBT513",
                cell,
                f"a formula ({value.text}) where text is expected; bbt imports values, never formulas",
            )
        return value.text, None
    if isinstance(value, Decimal):
        return format(value, "f"), None
    if kind == "json":
        return value.strip(), None
    if looks_like_formula(value):
        shown = value.strip() or repr(value)
        return "", error(
            "BBT513",
            cell,
            f"{shown!r} starts like a formula (=, +, -, @, tab or carriage return), which a "
            f"spreadsheet would run; if it is text, write it with a leading quote: '{shown}",
        )
    return unescape_text(value.strip()), None


_ODD_AMOUNT = {
    "formula": "is a formula ({}); bbt imports values: copy the cells and paste them as values",
    "date": "is a date ({}), not an amount",
    "boolean": "is {}, not an amount",
    "error": "is a spreadsheet error ({}), not an amount",
}


def _amount(value: Value | None, number_format: NumberFormat | None) -> Decimal | None:
    """The exact amount of a cell; ValueError with a message; None when the column's format
    is in conflict (that is reported once, for the column)."""
    if value is None:
        raise ValueError("the amount is empty")
    if isinstance(value, Decimal):
        return exact(value)
    if isinstance(value, Odd):
        raise ValueError(_ODD_AMOUNT[value.what].format(value.text))
    if number_format is None:
        return None
    return number_format.parse(value)


def _read_row(
    cells: dict[str, Value],
    number: int,
    sheet: Sheet,
    layout: Layout,
    mapping: Mapping,
    formats: dict[str, NumberFormat | None],
    articles: dict[str, SheetArticle],
) -> Iterator[Finding]:
    def at(target: str) -> Cell:
        return sheet.cell(number, layout.columns[target])

    value = cells.get("code")
    if value is None:
        yield error("BBT504", at("code"), "a row with figures but no article code")
        return
    code_text, problem = _text(value, at("code"), sheet.kind)
    if problem is not None:
        yield problem
        return
    try:
        code = parse_code(code_text)
    except CodeError as exc:
        yield error("BBT504", at("code"), str(exc))
        return
    article = articles.setdefault(code_text, SheetArticle(code, at("code")))
    yield from _row_texts(cells, article, at, sheet.kind)
    entries: list[tuple[str, str, str]] = []
    yield from _row_entries(cells, layout, mapping, at, sheet.kind, entries)
    yield from _row_figures(cells, entries, article, at, formats)


def _row_texts(
    cells: dict[str, Value], article: SheetArticle, at: _At, kind: str
) -> Iterator[Finding]:
    for key in ("title", "ise"):
        value = cells.get(key)
        if value is None:
            continue
        text, problem = _text(value, at(key), kind)
        if problem is not None:
            yield problem
            continue
        if not text:
            continue
        previous = getattr(article, key)
        if previous is None:
            setattr(article, key, (text, at(key)))
        elif previous[0] != text:
            yield error(
                "BBT506",
                at(key),
                f"{article.code.text}: {key} {text!r} differs from {previous[0]!r} on row {previous[1].row}",
            )


def _row_entries(
    cells: dict[str, Value],
    layout: Layout,
    mapping: Mapping,
    at: _At,
    kind: str,
    entries: list[tuple[str, str, str]],
) -> Iterator[Finding]:
    """The figures a row gives, as ``(credit, phase, amount field)`` added to ``entries``."""
    if not layout.long:
        entries += [(*t.split("."), t) for t in cells if "." in t]  # type: ignore[misc]
        return
    found: dict[str, str] = {}
    for key, aliases, expected in (
        ("credit", CREDIT_ALIASES, "a credit type (VAK, VEK; receipts AO, TO, LO)"),
        ("phase", PHASE_ALIASES, "a phase (BA, BA-JR, BU)"),
    ):
        text, problem = _text(cells.get(key, ""), at(key), kind)
        if problem is not None:
            yield problem
            continue
        meaning = mapping.values.get(key, {}).get(norm(text)) or aliases.get(norm(text))
        if meaning is None:
            yield error("BBT505", at(key), f"{text!r} is not {expected}")
            continue
        found[key] = meaning
    if len(found) == 2:
        entries.append((found["credit"], found["phase"], "amount"))


def _row_figures(
    cells: dict[str, Value],
    entries: list[tuple[str, str, str]],
    article: SheetArticle,
    at: _At,
    formats: dict[str, NumberFormat | None],
) -> Iterator[Finding]:
    code = article.code
    allowed = RECEIPT_CREDITS if code.is_receipt else EXPENDITURE_CREDITS
    for credit, phase, target in entries:
        cell = at(target)
        label = f"{CREDIT_LABELS[credit]} {PHASE_LABELS[phase]}"
        if credit not in allowed:
            kind = "a receipts" if code.is_receipt else "an expenditure"
            yield error(
                "BBT505",
                cell,
                f"{code.text} is {kind} article: it has {', '.join(CREDIT_LABELS[c] for c in allowed)}, not {CREDIT_LABELS[credit]}",
            )
            continue
        try:
            amount = _amount(cells.get(target), formats[target])
        except ValueError as exc:
            yield error("BBT503", cell, f"{code.text} {label}: {exc}")
            continue
        if amount is None:
            continue
        previous = article.figures.get((credit, phase))
        if previous is None:
            article.figures[(credit, phase)] = (amount, cell)
        elif previous[0] != amount:
            from bbt.format import bedrag

            yield error(
                "BBT506",
                cell,
                f"{code.text} {label} is {bedrag(amount)} here and {bedrag(previous[0])} on row {previous[1].row}; "
                "which one is right?",
            )


@dataclass(frozen=True)
class Change:
    """One figure: ``old`` is None when the article had no such figure."""

    credit: str
    phase: str
    old: Decimal | None
    new: Decimal


@dataclass(frozen=True)
class ArticlePlan:
    """What the import does to one article file.

    Attributes:
        code: the article code.
        path: the file it writes.
        created: True for a new article file.
        title / ise: of a new article (for the listing).
        changes: figures that change (all figures for a new article).
        unchanged: figures the spreadsheet confirms.
        notes: differences the importer does not act on (a title that differs ...).
        text: the new file content.
    """

    code: str
    path: Path
    created: bool
    title: str
    ise: str
    changes: tuple[Change, ...]
    unchanged: int
    notes: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class ImportPlan:
    """Everything ``bbt import`` would write, computed before anything is written.

    Attributes:
        target: the budget folder.
        articles: one plan per article in the spreadsheet, in code order.
        untouched: codes of articles in the folder that the spreadsheet does not mention.
        formats: how the amounts of each column were read (one line per column).
        warnings: findings that do not stop the import (BBT514).
    """

    target: Path
    articles: tuple[ArticlePlan, ...]
    untouched: tuple[str, ...]
    formats: tuple[str, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def writes(self) -> tuple[ArticlePlan, ...]:
        return tuple(a for a in self.articles if a.created or a.changes)


_MAX_YAML_BYTES = 5 * 1024 * 1024  # as the loader: one budget file is never larger


def _budget_ises(target: Path) -> list[str]:
    """The ISE keys of ``bbt.yaml`` (read with the round-trip reader, without loading all)."""
    doc = target / "bbt.yaml"
    if not doc.is_file():
        raise ExchangeError(
            [
                error(
                    "BBT508",
                    Location(relpath(target)),
                    f"{relpath(target)} is not a budget folder: it has no bbt.yaml",
                )
            ]
        )
    where = Location(relpath(doc))
    try:
        if doc.stat().st_size > _MAX_YAML_BYTES:
            raise ExchangeError([error("BBT508", where, "bbt.yaml is larger than 5 MB")])
        _, data = yaml_for(doc.read_text(encoding="utf-8-sig"))
    except ExchangeError:
        raise
    except Exception as exc:  # OSError, UnicodeDecodeError, ruamel's YAMLError
        raise ExchangeError([error("BBT508", where, f"cannot read bbt.yaml: {exc}")]) from None
    ises = data.get("ises") if isinstance(data, dict) else None
    if not isinstance(ises, list):
        raise ExchangeError([error("BBT508", where, "bbt.yaml has no list of ises")])
    return [str(i) for i in ises]


def _existing(target: Path) -> tuple[dict[str, tuple[Path, str]], list[Finding]]:
    """Article files of the folder by code (a regex on ``code:``; the YAML is parsed later)."""
    out: dict[str, tuple[Path, str]] = {}
    findings: list[Finding] = []
    folder = target / "articles"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        where = Location(relpath(path))
        if path.is_symlink() or not path.is_file():
            findings.append(
                error("BBT511", where, "not a regular file; bbt import edits only regular files")
            )
            continue
        try:
            if path.stat().st_size > _MAX_YAML_BYTES:
                findings.append(error("BBT511", where, "larger than 5 MB; not an article file"))
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(error("BBT511", where, f"cannot read: {exc}"))
            continue
        match = re.search(r"^code:\s*['\"]?([^'\"#\s]+)", text, re.M)
        code = match.group(1) if match else path.stem
        if code in out:
            findings.append(
                error("BBT511", where, f"article {code} is also in {relpath(out[code][0])}")
            )
        out[code] = (path, text)
    return out, findings


def plan_import(
    spreadsheet: Path,
    into: Path,
    mapping: Mapping | None = None,
    ise: str | None = None,
    number_format: str | None = None,
) -> ImportPlan:
    """Read and validate the spreadsheet and compute every file it changes; write nothing."""
    sheet = read_spreadsheet(spreadsheet, mapping, number_format)
    ise_keys = _budget_ises(into)
    existing, findings = _existing(into)
    if ise is not None and ise not in ise_keys:
        findings.append(
            error(
                "BBT507",
                Location(relpath(into / "bbt.yaml")),
                f"--ise {ise!r} is not an ISE of this budget ({', '.join(ise_keys)})",
            )
        )
    plans: list[ArticlePlan] = []
    for code_text in sorted(sheet.articles):
        article = sheet.articles[code_text]
        try:
            if code_text in existing:
                plans.append(_update(article, *existing[code_text]))
            else:
                plans.append(_create(article, into, _new_ise(article, ise, ise_keys)))
        except ExchangeError as exc:
            findings.extend(exc.findings)
    if findings:
        raise ExchangeError(findings)
    untouched = tuple(sorted(set(existing) - set(sheet.articles)))
    return ImportPlan(into, tuple(plans), untouched, sheet.formats, sheet.warnings)


def _new_ise(article: SheetArticle, ise: str | None, ise_keys: list[str]) -> str:
    """The ISE of a new article (its ISE cell, or --ise); ExchangeError (BBT507) otherwise."""
    code = article.code.text
    key = article.ise[0] if article.ise else ise
    if key is None:
        message = (
            f"{code} is a new article and the sheet gives no ISE; add an ISE column or pass --ise"
        )
        raise ExchangeError([error("BBT507", article.cell, message)])
    if key not in ise_keys:
        where = article.ise[1] if article.ise else article.cell
        message = f"{code}: ISE {key!r} is not an ISE of this budget ({', '.join(ise_keys)})"
        raise ExchangeError([error("BBT507", where, message)])
    if article.title is None:
        message = f"{code} is a new article and the sheet gives no title"
        raise ExchangeError([error("BBT507", article.cell, message)])
    return key


def _ordered(article: SheetArticle) -> list[tuple[str, str, Decimal]]:
    credits = RECEIPT_CREDITS if article.code.is_receipt else EXPENDITURE_CREDITS
    return [
        (c, p, article.figures[(c, p)][0])
        for c in credits
        for p in PHASES
        if (c, p) in article.figures
    ]


def _create(article: SheetArticle, into: Path, ise: str) -> ArticlePlan:
    from ruamel.yaml.comments import CommentedMap

    assert article.title is not None
    data = CommentedMap()
    data["code"] = article.code.text
    data["title"] = article.title[0]
    data["ise"] = ise
    credits = CommentedMap()
    changes = []
    for credit, phase, amount in _ordered(article):
        if credit not in credits:
            series = CommentedMap()
            series.fa.set_flow_style()
            credits[credit] = series
        credits[credit][phase] = amount
        changes.append(Change(credit, phase, None, amount))
    data["credits"] = credits
    text = dump(make_yaml(), data)
    path = into / "articles" / f"{article.code.text}.yaml"
    return ArticlePlan(
        article.code.text, path, True, article.title[0], ise, tuple(changes), 0, (), text
    )


def _update(article: SheetArticle, path: Path, text: str) -> ArticlePlan:
    from ruamel.yaml.comments import CommentedMap

    where = Location(relpath(path))
    try:
        yaml, data = yaml_for(text)
    except Exception as exc:  # ruamel's YAMLError
        raise ExchangeError(
            [error("BBT511", where, f"cannot edit: not valid YAML ({exc})")]
        ) from None
    if not isinstance(data, CommentedMap):
        raise ExchangeError([error("BBT511", where, "cannot edit: not a YAML mapping")])
    credits = data.get("credits")
    if credits is None:
        credits = CommentedMap()
        data["credits"] = credits
    if not isinstance(credits, CommentedMap):
        raise ExchangeError([error("BBT511", where, "cannot edit: 'credits' is not a mapping")])
    changes: list[Change] = []
    unchanged = 0
    for credit, phase, amount in _ordered(article):
        series = credits.get(credit)
        if series is None:
            series = CommentedMap()
            series.fa.set_flow_style()
            credits[credit] = series
        if not isinstance(series, CommentedMap):
            raise ExchangeError(
                [error("BBT511", where, f"cannot edit: credits.{credit} is not a mapping")]
            )
        if not series:
            series.fa.set_flow_style()  # `vak: {}` (a skeleton from bbt new) stays on one line
        old = series.get(phase)
        try:
            old_amount = None if old is None else parse_amount(str(old))
        except AmountError:
            old_amount = None
        if old_amount is not None and old_amount == amount:
            unchanged += 1
            continue
        if phase in series:
            series[phase] = amount
        else:
            position = sum(1 for p in PHASES[: PHASES.index(phase)] if p in series)
            series.insert(position, phase, amount)
        changes.append(Change(credit, phase, old_amount, amount))
    notes = []
    if article.title and str(data.get("title", "")).strip() != article.title[0]:
        notes.append(
            f"title in the sheet differs ({article.title[0]!r}); kept the file's ({_ARTICLE_FILE_HINT})"
        )
    if article.ise and str(data.get("ise", "")) != article.ise[0]:
        notes.append(f"ISE in the sheet is {article.ise[0]!r}; kept the file's {data.get('ise')!r}")
    new_text = dump(yaml, data) if changes else text
    return ArticlePlan(
        article.code.text,
        path,
        False,
        str(data.get("title", "")),
        str(data.get("ise", "")),
        tuple(changes),
        unchanged,
        tuple(notes),
        new_text,
    )


def format_plan(plan: ImportPlan) -> str:
    """The change listing shown before writing: a table of old -> new per figure."""
    from bbt.format import bedrag

    lines = [f"amounts in {line}" for line in plan.formats]
    for article in plan.articles:
        if not article.changes and not article.notes:
            continue
        what = "new article" if article.created else "update"
        head = f"{relpath(article.path)} ({what}"
        head += f": {article.title}, ISE {article.ise})" if article.created else ")"
        lines.append(head)
        for change in article.changes:
            label = f"{CREDIT_LABELS[change.credit]} {PHASE_LABELS[change.phase]}"
            old = "-" if change.old is None else bedrag(change.old)
            lines.append(f"  {label:<10} {old:>12} -> {bedrag(change.new):>12}")
        for note in article.notes:
            lines.append(f"  note: {note}")
    figures = sum(len(a.changes) for a in plan.articles)
    created = sum(1 for a in plan.articles if a.created)
    updated = sum(1 for a in plan.articles if a.changes and not a.created)
    same = sum(a.unchanged for a in plan.articles)
    lines.append(
        f"{figures} figure(s) to write: {created} new article(s), {updated} updated; "
        f"{same} figure(s) already equal"
    )
    if plan.untouched:
        lines.append(f"not in the spreadsheet, left as they are: {', '.join(plan.untouched)}")
    return "\n".join(lines)


def apply_plan(plan: ImportPlan) -> list[Path]:
    """Write every changed or new article file, all together or none (BBT515 on failure)."""
    from bbt.exchange.files import write_files

    return write_files({a.path: a.text.encode("utf-8") for a in plan.writes})
