"""Which column of a spreadsheet holds what: built-in header names and the mapping file.

Two layouts are known (docs/exchange.md, "Layouts"): long (one row per article x credit type
x phase: ``Begrotingsartikel``, ``Krediettype``, ``Fase``, ``Bedrag``) and wide (one row per
article, a column per credit type and phase: ``VAK BA``, ``VEK BU``). A mapping file names
the columns of any other layout and may declare the number format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bbt.errors import Finding, Location, did_you_mean, relpath
from bbt.exchange import Cell, ExchangeError, error
from bbt.exchange.cells import FORMATS
from bbt.exchange.yamledit import yaml_for
from bbt.files import InputRefused, read_input
from bbt.model import CREDITS, PHASES

FIELDS = ("code", "title", "ise", "credit", "phase", "amount", "ignore")

EXPORT_COLUMNS = (
    "budget_year",
    "programme_code",
    "programme_title",
    "ise",
    "ise_title",
    "article_code",
    "article_title",
    "esr_aggregate",
    "direction",
    "credit_type",
    "phase",
    "fiscal_phase",
    "amount",
)
"""The header of ``bbt export`` (credits.csv, credits.xlsx, the keys of credits.json): a file
with exactly this header is bbt's own export, whose number format is fixed (docs/exchange.md)."""


def norm(text: str) -> str:
    """Header and value matching ignores case, spaces, ``_``, ``-``, ``.`` and ``(keuro)``."""
    text = text.strip().lower().replace("(keuro)", "").replace("in keuro", "")
    return re.sub(r"[\s_.\-/]+", "", text)


HEADER_ALIASES: dict[str, str] = {
    **{
        norm(h): "code"
        for h in ("Begrotingsartikel", "Artikel", "Artikelcode", "Code", "Article", "Article code")
    },
    **{norm(h): "title" for h in ("Titel", "Omschrijving", "Benaming", "Title", "Article title")},
    **{norm(h): "ise" for h in ("ISE", "ISE key", "Structuurelement")},
    **{norm(h): "credit" for h in ("Krediettype", "Krediet", "Credit type", "Credit")},
    **{norm(h): "phase" for h in ("Fase", "Phase")},
    **{norm(h): "amount" for h in ("Bedrag", "Amount", "keuro", "Waarde")},
    # Derived columns of `bbt export`: an exported file imports back as it is.
    **{
        norm(h): "ignore"
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
"""Known column headers (normalised with :func:`norm`) and the field each holds."""

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
_KNOWN_KEYS = ("columns", "values", "number_format", "delimiter", "sheet")


@dataclass(frozen=True)
class Mapping:
    """How to read a spreadsheet whose layout the built-in names do not cover.

    Attributes:
        columns: normalised header -> field (``code``, ``title``, ``ise``, ``credit``,
            ``phase``, ``amount``, ``ignore``, or ``vak.ba`` style for a wide column).
        values: field (``credit``, ``phase``) -> normalised cell text -> ``vak`` / ``ba_jr`` ...
        number_format: ``nl`` (``1.234,5``) or ``plain`` (``1234.5``); None: decided per
            column from the values (docs/exchange.md, "Numbers").
        delimiter: CSV separator; None detects it from the header line.
        sheet: XLSX sheet name; None takes the first sheet.
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    number_format: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


def _key_location(where: Location, node: Any, key: Any) -> Location:
    try:
        line, col = node.lc.key(key)
        return Location(where.file, line + 1, col + 1)
    except (AttributeError, KeyError, TypeError):
        return where


def load_mapping(path: Path) -> Mapping:
    """Read a mapping file (docs/exchange.md, "Mapping file"); raise ExchangeError (BBT510)."""
    where = Location(relpath(path))
    try:
        # the confined reader: a pipe or a device is refused unread, and at most 1 MB is read
        text = read_input(path, (path.resolve().parent,), limit=1024 * 1024, within="its folder")
        _, data = yaml_for(text.decode("utf-8"))
    except InputRefused as exc:
        raise ExchangeError(
            [error("BBT510", where, f"the mapping file is refused: {exc.reason}")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExchangeError(
            [error("BBT510", where, f"cannot read the mapping file: {exc}")]
        ) from None
    except ExchangeError:
        raise
    except Exception as exc:  # ruamel's YAMLError and friends
        raise ExchangeError(
            [error("BBT510", where, f"the mapping file is not YAML: {exc}")]
        ) from None
    if not isinstance(data, dict):
        raise ExchangeError(
            [error("BBT510", where, "a mapping file is a YAML mapping with 'columns'")]
        )
    findings = [
        error(
            "BBT510",
            _key_location(where, data, key),
            f"unknown key {key!r}; known: {', '.join(_KNOWN_KEYS)}",
        )
        for key in data
        if key not in _KNOWN_KEYS
    ]
    columns = _mapping_columns(data, where, findings)
    values = _mapping_values(data, where, findings)
    number_format = data.get("number_format")
    if number_format is not None and str(number_format) not in FORMATS:
        findings.append(
            error(
                "BBT510",
                _key_location(where, data, "number_format"),
                "number_format must be nl (1.234,5) or plain (1234.5)",
            )
        )
    delimiter = data.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        findings.append(
            error(
                "BBT510",
                _key_location(where, data, "delimiter"),
                "delimiter must be one character, e.g. ';'",
            )
        )
    if findings:
        raise ExchangeError(findings)
    sheet = data.get("sheet")
    return Mapping(
        columns,
        values,
        None if number_format is None else str(number_format),
        delimiter,
        None if sheet is None else str(sheet),
    )


def _mapping_columns(data: Any, where: Location, findings: list[Finding]) -> dict[str, str]:
    columns: dict[str, str] = {}
    raw = data.get("columns") or {}
    if not isinstance(raw, dict):
        findings.append(
            error(
                "BBT510",
                _key_location(where, data, "columns"),
                "'columns' must map headers to fields",
            )
        )
        return columns
    for header, target in raw.items():
        text = str(target).strip().lower()
        wide = text.replace("-", "_").split(".")
        if text in FIELDS:
            columns[norm(str(header))] = text
        elif len(wide) == 2 and wide[0] in CREDITS and wide[1] in PHASES:
            columns[norm(str(header))] = f"{wide[0]}.{wide[1]}"
        else:
            findings.append(
                error(
                    "BBT510",
                    _key_location(where, raw, header),
                    f"column {header!r}: {target!r} is not a field; use one of {', '.join(FIELDS)} "
                    "or credit.phase such as vak.ba_jr",
                )
            )
    return columns


def _mapping_values(
    data: Any, where: Location, findings: list[Finding]
) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    raw = data.get("values") or {}
    if not isinstance(raw, dict):
        findings.append(
            error("BBT510", _key_location(where, data, "values"), "'values' must be a mapping")
        )
        return values
    for what, table in raw.items():
        allowed = {"credit": CREDITS, "phase": PHASES}.get(str(what))
        if allowed is None or not isinstance(table, dict):
            findings.append(
                error(
                    "BBT510",
                    _key_location(where, raw, what),
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
                        _key_location(where, table, cell_text),
                        f"values.{what}: {meaning!r} must be one of {', '.join(allowed)}",
                    )
                )
            values[str(what)][norm(str(cell_text))] = str(meaning)
    return values


# -- the header row -----------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """What the header row says.

    Attributes:
        fields: 0-based column -> field (``code``, ``title``, ``ise``, ``credit``, ``phase``,
            ``amount``, or ``vak.ba`` for a wide column).
        columns: field -> column (the inverse of ``fields``).
        ignored: columns named in the header whose values are not used.
        bbt_export: the header is exactly that of ``bbt export``.
    """

    fields: dict[int, str]
    columns: dict[str, int]
    ignored: frozenset[int]
    bbt_export: bool

    @property
    def amount_fields(self) -> list[str]:
        return [f for f in self.columns if f == "amount" or "." in f]

    @property
    def long(self) -> bool:
        return "credit" in self.columns


def _header_target(key: str, mapping: Mapping) -> str | None:
    target = mapping.columns.get(key) or HEADER_ALIASES.get(key)
    wide = _WIDE.match(key)
    if target is None and wide:
        target = f"{wide['credit']}.{PHASE_ALIASES[wide['phase']]}"
    return target


def read_layout(header: list[str], cell: Any, mapping: Mapping) -> Layout:
    """The layout of a header row; ``cell(column)`` locates a header. Raises ExchangeError."""
    findings: list[Finding] = []
    fields: dict[int, str] = {}
    seen: dict[str, int] = {}
    ignored: set[int] = set()
    known = sorted({*HEADER_ALIASES, *mapping.columns})
    for col, text in enumerate(header):
        if not text:
            continue
        target = _header_target(norm(text), mapping)
        if target is None:
            hint = did_you_mean(norm(text), known, cutoff=0.7)
            findings.append(
                error(
                    "BBT502",
                    cell(col),
                    f"unknown column {text!r}{hint} (name it in a mapping file, or map it to 'ignore')",
                )
            )
        elif target == "ignore":
            ignored.add(col)
        elif target in seen:
            findings.append(
                error(
                    "BBT502",
                    cell(col),
                    f"column {text!r} holds {target}, like {header[seen[target]]!r}",
                )
            )
        else:
            seen[target] = col
            fields[col] = target
    findings += _layout_problems(header, seen, cell(0))
    if findings:
        raise ExchangeError(findings)
    bbt_export = tuple(h.strip() for h in header) == EXPORT_COLUMNS
    return Layout(fields, seen, frozenset(ignored), bbt_export)


def _layout_problems(header: list[str], seen: dict[str, int], first: Cell) -> list[Finding]:
    long_cols = {"credit", "phase", "amount"} & set(seen)
    wide_cols = [t for t in seen if "." in t]
    if "code" not in seen:
        return [error("BBT502", first, "no article code column (Begrotingsartikel)")]
    if long_cols and wide_cols:
        return [
            error(
                "BBT502",
                first,
                "the sheet mixes a long layout (Krediettype, Fase, Bedrag) and a wide one "
                f"({', '.join(header[seen[t]] for t in wide_cols)}); use one",
            )
        ]
    if long_cols and long_cols != {"credit", "phase", "amount"}:
        missing = {"credit": "Krediettype", "phase": "Fase", "amount": "Bedrag"}
        need = ", ".join(missing[m] for m in sorted({"credit", "phase", "amount"} - long_cols))
        return [error("BBT502", first, f"a long layout needs the columns {need}")]
    if not long_cols and not wide_cols:
        return [
            error(
                "BBT502",
                first,
                "no figures: add Krediettype, Fase and Bedrag, or columns such as 'VAK BA'",
            )
        ]
    return []


__all__ = [
    "CREDITS",
    "CREDIT_ALIASES",
    "EXPORT_COLUMNS",
    "HEADER_ALIASES",
    "PHASE_ALIASES",
    "Layout",
    "Mapping",
    "load_mapping",
    "norm",
    "read_layout",
]
