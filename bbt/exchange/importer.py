"""``bbt import``: figures from a spreadsheet (XLSX or CSV) into a budget folder.

Two layouts are read (docs/exchange.md):

* long: one row per article x credit type x phase, columns ``Begrotingsartikel``, ``Titel``,
  ``ISE``, ``Krediettype``, ``Fase``, ``Bedrag`` (English names work too);
* wide: one row per article, a column per credit type and phase (``VAK BA``, ``VEK BU``).

A mapping file (YAML) names the columns of any other layout. Every cell is read as text and
parsed to an exact :class:`~decimal.Decimal` (``580.966``, ``-2.188``, ``1.234,5``); numbers
stored as numbers in an XLSX file are taken at their shortest decimal form, which is what the
sheet shows. The whole spreadsheet is validated before anything is planned, and the whole
plan is built in memory before anything is written: bad input writes nothing.

Existing articles keep their narrative, comments, key order and flow style (round-trip YAML,
:mod:`bbt.exchange.yamledit`); only the figures change.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from bbt.codes import ArticleCode, CodeError, parse_code
from bbt.errors import Finding, Location, relpath
from bbt.exchange import Cell, ExchangeError, error
from bbt.exchange.yamledit import dump, make_yaml, yaml_for
from bbt.model import CREDIT_LABELS, EXPENDITURE_CREDITS, PHASE_LABELS, PHASES, RECEIPT_CREDITS
from bbt.money import AmountError, parse_amount

CREDITS = (*EXPENDITURE_CREDITS, *RECEIPT_CREDITS)
FIELDS = ("code", "title", "ise", "credit", "phase", "amount", "ignore")


def _norm(text: str) -> str:
    """Header and value matching ignores case, spaces, ``_``, ``-``, ``.`` and ``(keuro)``."""
    text = text.strip().lower().replace("(keuro)", "").replace("in keuro", "")
    return re.sub(r"[\s_.\-/]+", "", text)


HEADER_ALIASES: dict[str, str] = {
    **{
        _norm(h): "code"
        for h in ("Begrotingsartikel", "Artikel", "Artikelcode", "Code", "Article", "Article code")
    },
    **{_norm(h): "title" for h in ("Titel", "Omschrijving", "Benaming", "Title", "Article title")},
    **{_norm(h): "ise" for h in ("ISE", "ISE key", "Structuurelement")},
    **{_norm(h): "credit" for h in ("Krediettype", "Krediet", "Credit type", "Credit")},
    **{_norm(h): "phase" for h in ("Fase", "Phase")},
    **{_norm(h): "amount" for h in ("Bedrag", "Amount", "keuro", "Waarde")},
    # Derived columns of `bbt export`: an exported file imports back as it is.
    **{
        _norm(h): "ignore"
        for h in (
            "budget_year",
            "programme_code",
            "programme_title",
            "ise_title",
            "esr_aggregate",
            "direction",
            "fiscal_phase",
            "unit",
        )
    },
}
"""Known column headers (normalised with :func:`_norm`) and the field each holds."""

CREDIT_ALIASES = {
    **{c: c for c in CREDITS},
    "vastleggingskrediet": "vak",
    "vereffeningskrediet": "vek",
    "algemeneontvangsten": "ao",
    "toegewezenontvangsten": "to",
    "leningontvangsten": "lo",
}
PHASE_ALIASES = {
    "ba": "ba",
    "bajr": "ba_jr",
    "bu": "bu",
    # the Fiscal Data Package phases written by `bbt export`
    "approved": "ba",
    "adjusted": "ba_jr",
    "executed": "bu",
}
_WIDE = re.compile(r"^(?P<credit>vak|vek|ao|to|lo)(?P<phase>bajr|ba|bu)$")
_DUTCH = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_ARTICLE_FILE_HINT = "the importer changes figures only"


# -- the mapping file ----------------------------------------------------------------------


@dataclass(frozen=True)
class Mapping:
    """How to read a spreadsheet whose layout the built-in names do not cover.

    Attributes:
        columns: normalised header -> field (``code``, ``title``, ``ise``, ``credit``,
            ``phase``, ``amount``, ``ignore``, or ``vak.ba`` style for a wide column).
        values: field (``credit``, ``phase``) -> normalised cell text -> ``vak`` / ``ba_jr`` ...
        number_format: ``nl`` (``1.234,5``, the default) or ``plain`` (``1234.5``).
        delimiter: CSV separator; None detects it from the header line.
        sheet: XLSX sheet name; None takes the first sheet.
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    number_format: str = "nl"
    delimiter: str | None = None
    sheet: str | None = None


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file (docs/exchange.md, "Mapping file"); raise ExchangeError (BBT510)."""
    where = Location(relpath(path))
    try:
        _, data = yaml_for(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ExchangeError(
            [error("BBT510", where, f"cannot read the mapping file: {exc}")]
        ) from None
    except Exception as exc:  # ruamel's YAMLError and friends
        raise ExchangeError(
            [error("BBT510", where, f"the mapping file is not YAML: {exc}")]
        ) from None
    findings: list[Finding] = []

    def line_of(node: Any, key: str) -> Location:
        try:
            line, col = node.lc.key(key)
            return Location(where.file, line + 1, col + 1)
        except (AttributeError, KeyError, TypeError):
            return where

    if not isinstance(data, dict):
        raise ExchangeError(
            [error("BBT510", where, "a mapping file is a YAML mapping with 'columns'")]
        )
    known = ("columns", "values", "number_format", "delimiter", "sheet")
    for key in data:
        if key not in known:
            findings.append(
                error(
                    "BBT510", line_of(data, key), f"unknown key {key!r}; known: {', '.join(known)}"
                )
            )
    columns: dict[str, str] = {}
    raw_columns = data.get("columns") or {}
    if not isinstance(raw_columns, dict):
        findings.append(
            error("BBT510", line_of(data, "columns"), "'columns' must map headers to fields")
        )
        raw_columns = {}
    for header, target in raw_columns.items():
        target_text = str(target).strip().lower()
        wide = target_text.replace("-", "_").split(".")
        if target_text in FIELDS:
            columns[_norm(str(header))] = target_text
        elif len(wide) == 2 and wide[0] in CREDITS and wide[1] in PHASES:
            columns[_norm(str(header))] = f"{wide[0]}.{wide[1]}"
        else:
            findings.append(
                error(
                    "BBT510",
                    line_of(raw_columns, header),
                    f"column {header!r}: {target!r} is not a field; use one of {', '.join(FIELDS)} "
                    "or credit.phase such as vak.ba_jr",
                )
            )
    values: dict[str, dict[str, str]] = {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        findings.append(error("BBT510", line_of(data, "values"), "'values' must be a mapping"))
        raw_values = {}
    for what, table in raw_values.items():
        allowed = {"credit": CREDITS, "phase": PHASES}.get(str(what))
        if allowed is None or not isinstance(table, dict):
            findings.append(
                error(
                    "BBT510",
                    line_of(raw_values, what),
                    f"values: {what!r} must be credit or phase, with a mapping",
                )
            )
            continue
        values[str(what)] = {}
        for cell_text, meaning in table.items():
            if str(meaning) not in allowed:
                findings.append(
                    error(
                        "BBT510",
                        line_of(table, cell_text),
                        f"values.{what}: {meaning!r} must be one of {', '.join(allowed)}",
                    )
                )
            values[str(what)][_norm(str(cell_text))] = str(meaning)
    number_format = str(data.get("number_format", "nl"))
    if number_format not in ("nl", "plain"):
        findings.append(
            error(
                "BBT510",
                line_of(data, "number_format"),
                "number_format must be nl (1.234,5) or plain (1234.5)",
            )
        )
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        findings.append(
            error("BBT510", line_of(data, "delimiter"), "delimiter must be one character, e.g. ';'")
        )
    sheet = data.get("sheet")
    if findings:
        raise ExchangeError(findings)
    return Mapping(columns, values, number_format, delimiter, None if sheet is None else str(sheet))


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


def _cell_text(value: object) -> str:
    """A cell as text (CSV cells already are; XLSX text cells too)."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: empty
        return ""
    return str(value).strip()


def _grid(path: Path, mapping: Mapping) -> list[list[object]]:
    """Every row of the first (or named) sheet, header included, as raw cells."""
    import pandas as pd

    where = Location(relpath(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            # dtype=object: text cells stay text, numeric cells arrive as int (or float for
            # decimals) and are turned into exact Decimals by _amount, never summed as floats.
            frame = pd.read_excel(
                path,
                sheet_name=mapping.sheet if mapping.sheet is not None else 0,
                header=None,
                dtype=object,
                keep_default_na=False,
                na_filter=False,
            )
        elif suffix in (".csv", ".txt"):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ExchangeError(
                    [error("BBT501", where, "the CSV file is not UTF-8; save it as 'CSV UTF-8'")]
                ) from None
            first = text.split("\n", 1)[0]
            sep = mapping.delimiter or max((";", ",", "\t"), key=first.count)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=None,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
            )
        else:
            raise ExchangeError(
                [
                    error(
                        "BBT501",
                        where,
                        f"unknown spreadsheet type {suffix or '(none)'!r}; use .xlsx or .csv",
                    )
                ]
            )
    except ExchangeError:
        raise
    except FileNotFoundError:
        raise ExchangeError([error("BBT501", where, "the spreadsheet does not exist")]) from None
    except ImportError as exc:  # openpyxl missing
        raise ExchangeError([error("BBT501", where, f"cannot read XLSX: {exc}")]) from None
    except Exception as exc:  # a broken file: pandas and openpyxl raise many kinds
        raise ExchangeError(
            [error("BBT501", where, f"cannot read the spreadsheet: {exc}")]
        ) from None
    return [list(row) for row in frame.itertuples(index=False, name=None)]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _amount(value: object, cell: Cell, number_format: str) -> Decimal:
    """An exact amount from a cell; raise ValueError with a message for anything else."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # float-ok: an XLSX numeric cell, taken at its shortest form
        if value != value or value in (float("inf"), float("-inf")):  # float-ok: NaN/inf test
            raise ValueError(f"{value!r} is not an amount")
        text = repr(value)
        if "e" in text.lower():
            raise ValueError(f"{text} is not an amount in keuro (exponent)")
        return parse_amount(text)
    if not isinstance(value, str):
        raise ValueError(f"{_cell_text(value)!r} is not an amount")
    text = value.strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    if not text:
        raise ValueError("the amount is empty")
    if number_format == "plain":
        if not _PLAIN.match(text):
            raise ValueError(f"{value!r} is not an amount (number_format: plain expects 1234.5)")
        return parse_amount(text)
    if not _DUTCH.match(text):
        if _PLAIN.match(text):
            raise ValueError(
                f"{value!r} is ambiguous: in Dutch number format a dot groups thousands; "
                f"write {text.replace('.', ',')} or set number_format: plain in a mapping file"
            )
        raise ValueError(f"{value!r} is not an amount")
    return parse_amount(text.replace(".", "").replace(",", "."))


def read_spreadsheet(path: Path, mapping: Mapping | None = None) -> dict[str, SheetArticle]:
    """Every article the spreadsheet describes, by code; raise ExchangeError with all problems."""
    mapping = mapping or Mapping()
    grid = _grid(path, mapping)
    name = relpath(path)
    findings: list[Finding] = []
    if not grid:
        raise ExchangeError([error("BBT501", Location(name), "the spreadsheet is empty")])
    headers = [_cell_text(h) for h in grid[0]]
    fields: dict[int, str] = {}
    seen: dict[str, int] = {}
    known_names = sorted({*HEADER_ALIASES, *mapping.columns})
    for col, header in enumerate(headers):
        cell = Cell(name, 1, col + 1, header)
        if not header:
            if any(_cell_text(row[col]) for row in grid[1:] if col < len(row)):
                findings.append(
                    error("BBT502", cell, f"column {_column_letter(col)} has values but no header")
                )
            continue
        key = _norm(header)
        target = mapping.columns.get(key) or HEADER_ALIASES.get(key)
        wide = _WIDE.match(key)
        if target is None and wide:
            target = f"{wide['credit']}.{PHASE_ALIASES[wide['phase']]}"
        if target is None:
            close = difflib.get_close_matches(key, known_names, n=1, cutoff=0.7)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            findings.append(
                error(
                    "BBT502",
                    cell,
                    f"unknown column {header!r}{hint} (name it in a mapping file, or map it to 'ignore')",
                )
            )
            continue
        if target == "ignore":
            continue
        if target in seen:
            findings.append(
                error(
                    "BBT502",
                    cell,
                    f"column {header!r} holds {target}, like column {_column_letter(seen[target])}",
                )
            )
            continue
        seen[target] = col
        fields[col] = target
    long_cols = {"credit", "phase", "amount"} & set(seen)
    wide_cols = [t for t in seen if "." in t]
    header_cell = Cell(name, 1, 1)
    if "code" not in seen:
        findings.append(error("BBT502", header_cell, "no article code column (Begrotingsartikel)"))
    if long_cols and wide_cols:
        findings.append(
            error(
                "BBT502",
                header_cell,
                "the sheet mixes a long layout (Krediettype, Fase, Bedrag) and a wide one "
                f"({', '.join(headers[seen[t]] for t in wide_cols)}); use one",
            )
        )
    elif long_cols and long_cols != {"credit", "phase", "amount"}:
        missing = {"credit": "Krediettype", "phase": "Fase", "amount": "Bedrag"}
        findings.append(
            error(
                "BBT502",
                header_cell,
                "a long layout needs the columns "
                + ", ".join(missing[m] for m in sorted({"credit", "phase", "amount"} - long_cols)),
            )
        )
    elif not long_cols and not wide_cols and "code" in seen:
        findings.append(
            error(
                "BBT502",
                header_cell,
                "no figures: add Krediettype, Fase and Bedrag, or columns such as 'VAK BA'",
            )
        )
    if findings:
        raise ExchangeError(findings)

    articles: dict[str, SheetArticle] = {}
    for index, row in enumerate(grid[1:], start=2):
        cells = {fields[c]: (row[c] if c < len(row) else "") for c in fields}
        if not any(_cell_text(v) for v in cells.values()):
            continue  # an empty row
        findings.extend(_read_row(cells, index, seen, name, mapping, articles))
    if findings:
        raise ExchangeError(findings)
    if not articles:
        raise ExchangeError([error("BBT501", Location(name), "the spreadsheet has no data rows")])
    return articles


def _read_row(
    cells: dict[str, object],
    row: int,
    columns: dict[str, int],
    name: str,
    mapping: Mapping,
    articles: dict[str, SheetArticle],
) -> Iterator[Finding]:
    def at(target: str) -> Cell:
        return Cell(name, row, columns[target] + 1)

    code_text = _cell_text(cells["code"])
    if not code_text:
        yield error("BBT504", at("code"), "a row with figures but no article code")
        return
    try:
        code = parse_code(code_text)
    except CodeError as exc:
        yield error("BBT504", at("code"), str(exc))
        return
    article = articles.setdefault(code_text, SheetArticle(code, at("code")))
    for key in ("title", "ise"):
        if key not in cells or not _cell_text(cells[key]):
            continue
        text = _cell_text(cells[key])
        previous = getattr(article, key)
        if previous is None:
            setattr(article, key, (text, at(key)))
        elif previous[0] != text:
            yield error(
                "BBT506",
                at(key),
                f"{code_text}: {key} {text!r} differs from {previous[0]!r} on row {previous[1].row}",
            )
    allowed = RECEIPT_CREDITS if code.is_receipt else EXPENDITURE_CREDITS
    entries: list[tuple[str, str, object, Cell]] = []
    if "credit" in columns:
        credit_text, phase_text = _cell_text(cells["credit"]), _cell_text(cells["phase"])
        credit = mapping.values.get("credit", {}).get(_norm(credit_text)) or CREDIT_ALIASES.get(
            _norm(credit_text)
        )
        phase = mapping.values.get("phase", {}).get(_norm(phase_text)) or PHASE_ALIASES.get(
            _norm(phase_text)
        )
        if credit is None:
            yield error(
                "BBT505",
                at("credit"),
                f"{credit_text!r} is not a credit type (VAK, VEK; receipts AO, TO, LO)",
            )
        if phase is None:
            yield error("BBT505", at("phase"), f"{phase_text!r} is not a phase (BA, BA-JR, BU)")
        if credit is None or phase is None:
            return
        entries.append((credit, phase, cells["amount"], at("amount")))
    else:
        for target, value in cells.items():
            if "." in target and _cell_text(value):
                credit, phase = target.split(".")
                entries.append((credit, phase, value, at(target)))
    for credit, phase, value, cell in entries:
        label = f"{CREDIT_LABELS[credit]} {PHASE_LABELS[phase]}"
        if credit not in allowed:
            kind = "a receipts" if code.is_receipt else "an expenditure"
            yield error(
                "BBT505",
                cell,
                f"{code_text} is {kind} article: it has {', '.join(CREDIT_LABELS[c] for c in allowed)}, not {CREDIT_LABELS[credit]}",
            )
            continue
        try:
            amount = _amount(value, cell, mapping.number_format)
        except (ValueError, AmountError) as exc:
            yield error("BBT503", cell, f"{code_text} {label}: {exc}")
            continue
        previous = article.figures.get((credit, phase))
        if previous is None:
            article.figures[(credit, phase)] = (amount, cell)
        elif previous[0] != amount:
            from bbt.render.filters import bedrag

            yield error(
                "BBT506",
                cell,
                f"{code_text} {label} is {bedrag(amount)} here and {bedrag(previous[0])} on row {previous[1].row}; "
                "which one is right?",
            )


# -- the plan ------------------------------------------------------------------------------


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
    """

    target: Path
    articles: tuple[ArticlePlan, ...]
    untouched: tuple[str, ...]

    @property
    def writes(self) -> tuple[ArticlePlan, ...]:
        return tuple(a for a in self.articles if a.created or a.changes)


def _budget_ises(target: Path) -> list[str]:
    from bbt.load.yamlsrc import Map, Scalar, Seq, parse_yaml

    doc = target / "bbt.yaml"
    where = Location(relpath(target))
    if not doc.is_file():
        raise ExchangeError(
            [
                error(
                    "BBT508", where, f"{relpath(target)} is not a budget folder: it has no bbt.yaml"
                )
            ]
        )
    found: list[Finding] = []
    node = parse_yaml(doc, found)
    if node is None:
        raise ExchangeError(found)
    ises = node.values.get("ises") if isinstance(node, Map) else None
    if not isinstance(ises, Seq):
        raise ExchangeError(
            [error("BBT508", Location(relpath(doc)), "bbt.yaml has no list of ises")]
        )
    return [i.text for i in ises.items if isinstance(i, Scalar)]


def _existing(target: Path) -> tuple[dict[str, tuple[Path, str]], list[Finding]]:
    """Article files of the folder by code (a regex on ``code:``; the YAML is parsed later)."""
    out: dict[str, tuple[Path, str]] = {}
    findings: list[Finding] = []
    folder = target / "articles"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(error("BBT511", Location(relpath(path)), f"cannot read: {exc}"))
            continue
        match = re.search(r"^code:\s*['\"]?([^'\"#\s]+)", text, re.M)
        code = match.group(1) if match else path.stem
        if code in out:
            findings.append(
                error(
                    "BBT511",
                    Location(relpath(path)),
                    f"article {code} is also in {relpath(out[code][0])}",
                )
            )
        out[code] = (path, text)
    return out, findings


def plan_import(
    spreadsheet: Path, into: Path, mapping: Mapping | None = None, ise: str | None = None
) -> ImportPlan:
    """Read and validate the spreadsheet and compute every file it changes; write nothing."""
    sheet = read_spreadsheet(spreadsheet, mapping)
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
    for code_text in sorted(sheet):
        article = sheet[code_text]
        if code_text in existing:
            path, text = existing[code_text]
            try:
                plans.append(_update(article, path, text))
            except ExchangeError as exc:
                findings.extend(exc.findings)
            continue
        key = article.ise[0] if article.ise else ise
        if key is None:
            findings.append(
                error(
                    "BBT507",
                    article.cell,
                    f"{code_text} is a new article and the sheet gives no ISE; add an ISE column or pass --ise",
                )
            )
            continue
        if key not in ise_keys:
            where = article.ise[1] if article.ise else article.cell
            findings.append(
                error(
                    "BBT507",
                    where,
                    f"{code_text}: ISE {key!r} is not an ISE of this budget ({', '.join(ise_keys)})",
                )
            )
            continue
        if article.title is None:
            findings.append(
                error(
                    "BBT507",
                    article.cell,
                    f"{code_text} is a new article and the sheet gives no title",
                )
            )
            continue
        plans.append(_create(article, into, key))
    if findings:
        raise ExchangeError(findings)
    untouched = tuple(sorted(set(existing) - set(sheet)))
    return ImportPlan(into, tuple(plans), untouched)


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
    from bbt.render.filters import bedrag

    lines: list[str] = []
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
    """Write every changed or new article file atomically (each file; all were computed first)."""
    from bbt.pipeline import write_atomic

    written = []
    for article in plan.writes:
        article.path.parent.mkdir(parents=True, exist_ok=True)
        written.append(write_atomic(article.path, article.text.encode("utf-8")))
    return written
