"""Read the contingent register (YAML) and contingent tables (CSV) with ``file:line`` findings.

The register uses the same loader as the budget data (:mod:`bbt.load.yamlsrc`,
:mod:`bbt.load.fields`): exact decimals from the source text, no float, duplicate and unknown
keys reported with their line. Structural findings of the shared loader carry the budget's
codes plus 400 (``BBT002`` unknown key becomes ``BBT402``), so every finding about the
register is a ``BBT4xx`` that can be looked up in docs/contingent.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import msgspec

from bbt.contingent.model import (
    BASES,
    PROVINCES,
    UNITS,
    Entry,
    Measure,
    Period,
    PeriodError,
    Reduction,
    Register,
)
from bbt.errors import Finding, Location, Severity, did_you_mean, relpath
from bbt.load.fields import Context, Fields
from bbt.load.nodes import Map, Scalar, YNode
from bbt.load.yamlsrc import parse_yaml, read_text
from bbt.money import AmountError, parse_amount

MAX_DECIMALS = 2
"""Contingents are published with at most two decimals (``76.476,81`` VTE); more is a float."""


def _remap(findings: Iterable[Finding]) -> list[Finding]:
    """Shared-loader codes ``BBT0nn`` become ``BBT4nn`` for findings about the register."""
    out = []
    for f in findings:
        if f.code.startswith("BBT0") and len(f.code) == 6:
            f = msgspec.structs.replace(f, code="BBT4" + f.code[4:])
        out.append(f)
    return out


def _text(f: Fields, key: str, required: bool = False) -> str:
    """Text of a field; ruamel marks the fold points of a ``>`` scalar with BEL (``\\a``)
    characters in the composed value, which must not reach a document."""
    return f.text(key, required).replace("\a", "")


def _close(word: str, known: Iterable[str]) -> str:
    names = sorted(known)
    return did_you_mean(word, names, f"; known: {', '.join(names)}")


class _Reader:
    """Turns the nodes of one register file into model objects, collecting findings."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- small typed readers -------------------------------------------------------------

    def figure(
        self, f: Fields, key: str, required: bool = False
    ) -> tuple[Decimal, Location] | None:
        node = f.node.values.get(key)
        if isinstance(node, Scalar) and node.value is None:
            self.ctx.error(
                "BBT404",
                node.loc,
                f"{f.what}: {key!r} is empty; write a number or leave the key out",
            )
            f.asked.add(key)
            return None
        got = f.amount(key, required)
        if got is None:
            return None
        return self.check_figure(got[0], got[1], f"{f.what}: {key}")

    def check_figure(
        self, value: Decimal, loc: Location, what: str
    ) -> tuple[Decimal, Location] | None:
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if -exponent > MAX_DECIMALS:
            self.ctx.error(
                "BBT420",
                loc,
                f"{what}: {value} has {-exponent} decimals; contingents have at most "
                f"{MAX_DECIMALS} (more usually means a floating-point value was pasted)",
            )
            return None
        if value < 0:
            self.ctx.error(
                "BBT421", loc, f"{what}: {value} is negative; a contingent is never negative"
            )
            return None
        return value, loc

    def text_of(self, f: Fields, key: str, required: bool = False) -> tuple[str, Location] | None:
        """Text of a scalar whatever YAML made of it (``2023`` is an int, ``2023-07-01`` a date)."""
        node = f.raw(key, required)
        if node is None:
            return None
        if not isinstance(node, Scalar):
            self.ctx.error("BBT403", node.loc, f"{f.what}: {key!r} must be a single value")
            return None
        return node.text, node.loc

    def province(self, f: Fields) -> str | None:
        got = self.text_of(f, "province")
        if got is None:
            return None
        text, loc = got
        if text not in PROVINCES:
            self.ctx.error(
                "BBT422", loc, f"{f.what}: unknown province {text!r}{_close(text, PROVINCES)}"
            )
            return None
        return text

    def choice(self, f: Fields, key: str, known: dict[str, str], default: str) -> str:
        got = self.text_of(f, key)
        if got is None:
            return default
        text, loc = got
        if text not in known:
            self.ctx.error("BBT422", loc, f"{f.what}: unknown {key} {text!r}{_close(text, known)}")
            return default
        return text

    def count(self, f: Fields, key: str) -> int | None:
        value = f.integer(key)
        if value is not None and value < 0:
            self.ctx.error("BBT421", f.key_loc(key), f"{f.what}: {key} is negative")
            return None
        return value

    # -- the register ----------------------------------------------------------------------

    def register(self, node: YNode) -> Register:
        top = Fields(self.ctx, node, "register")
        title = _text(top, "title")
        measures: dict[str, Measure] = {}
        mnode = top.raw("measures", required=True)
        if mnode is not None and not isinstance(mnode, Map):
            self.ctx.error(
                "BBT403", mnode.loc, "register: 'measures' must be a mapping of measure keys"
            )
        elif isinstance(mnode, Map):
            for key in mnode.order:
                measures[key] = self.measure(key, mnode.values[key], mnode.keys[key])
        top.done()
        return Register(title, measures, top.loc)

    def measure(self, key: str, node: YNode, key_loc: Location) -> Measure:
        what = f"measure {key}"
        f = Fields(self.ctx, node, what)
        title = _text(f, "title", required=True)
        unit = f.text("unit", required=True)
        if unit and unit not in UNITS:
            self.ctx.error(
                "BBT422", f.key_loc("unit"), f"{what}: unknown unit {unit!r}{_close(unit, UNITS)}"
            )
        source = _text(f, "source")
        note = _text(f, "note")
        entries = [self.entry(key, item, source) for item in f.seq("entries")]
        reductions = [self.reduction(key, item, source) for item in f.seq("reductions")]
        f.done()
        seen: dict[tuple[str, str | None, str | None], Location] = {}
        for e in entries:
            if e is None:
                continue
            ident = (e.period.text, e.province, e.organisation)
            if ident in seen:
                self.ctx.error(
                    "BBT423",
                    e.loc,
                    f"{what}: a second entry for {e.scope_label}, {e.period} "
                    f"(the first is at line {seen[ident].line})",
                )
            else:
                seen[ident] = e.loc
        return Measure(
            key,
            title,
            unit,
            source,
            note,
            tuple(e for e in entries if e is not None),
            tuple(r for r in reductions if r is not None),
            key_loc,
        )

    def entry(self, measure: str, node: YNode, default_source: str) -> Entry | None:
        f = Fields(self.ctx, node, f"measure {measure}: entry")
        if not f.ok:
            return None
        period_text = self.text_of(f, "period", required=True)
        period = None
        if period_text is not None:
            try:
                period = Period.parse(period_text[0])
            except PeriodError as exc:
                self.ctx.error("BBT422", period_text[1], f"{f.what}: {exc}")
        allocated = self.figure(f, "allocated")
        filled = self.figure(f, "filled")
        organisations = self.count(f, "organisations")
        province = self.province(f)
        organisation = _text(f, "organisation") or None
        basis = self.choice(f, "basis", BASES, period.default_basis if period else "period")
        source = _text(f, "source") or default_source
        note = _text(f, "note")
        f.done()
        if not f.has("allocated") and not f.has("filled"):
            self.ctx.error(
                "BBT404", f.loc, f"{f.what} has neither 'allocated' nor 'filled' (one is required)"
            )
            return None
        if not source:
            self.ctx.warning(
                "BBT424", f.loc, f"{f.what} has no source; say where the figures were published"
            )
        if (
            period is None
            or (f.has("allocated") and allocated is None)
            or (f.has("filled") and filled is None)
        ):
            return None
        locs = {k: f.key_loc(k) for k in ("allocated", "filled", "organisations") if f.has(k)}
        return Entry(
            measure,
            period,
            province,
            organisation,
            allocated[0] if allocated else None,
            filled[0] if filled else None,
            organisations,
            basis,
            source,
            note,
            f.loc,
            locs,
        )

    def reduction(self, measure: str, node: YNode, default_source: str) -> Reduction | None:
        f = Fields(self.ctx, node, f"measure {measure}: reduction")
        if not f.ok:
            return None
        date = f.date("date", required=True)
        fill_year = f.integer("fill_year", required=True)
        reduced = self.figure(f, "reduced", required=True)
        province = self.province(f)
        organisation = _text(f, "organisation") or None
        organisations = self.count(f, "organisations")
        source = _text(f, "source") or default_source
        f.done()
        if not source:
            self.ctx.warning(
                "BBT424", f.loc, f"{f.what} has no source; say where the figures were published"
            )
        if date is None or fill_year is None or reduced is None:
            return None
        return Reduction(
            measure,
            date,
            fill_year,
            reduced[0],
            province,
            organisation,
            organisations,
            source,
            f.loc,
        )


def load_register(path: Path) -> tuple[Register | None, list[Finding]]:
    """Load a contingent register; the register is None when there is any error.

    Never raises for a mistake in the file: every problem is a finding with ``file:line``.
    """
    path = Path(path)
    findings: list[Finding] = []
    node = parse_yaml(path, findings)
    if node is None:
        return None, _remap(findings)
    ctx = Context(path.parent)
    ctx.findings = findings
    register = _Reader(ctx).register(node)
    result = sorted(_remap(ctx.findings), key=Finding.sort_key)
    if any(f.severity is Severity.ERROR for f in result):
        return None, result
    return register, result


# -- CSV ----------------------------------------------------------------------------------


class CsvRow(NamedTuple):
    """One data row of a CSV file.

    Attributes:
        values: cell text by column name (stripped; absent optional columns are "").
        loc: file and line of the row.
    """

    values: dict[str, str]
    loc: Location

    def get(self, column: str) -> str:
        return self.values.get(column, "")


def read_csv(
    path: Path, required: Iterable[str], optional: Iterable[str] = ()
) -> tuple[list[CsvRow], list[Finding]]:
    """Read a comma- or semicolon-separated file with a header row.

    Unknown and missing columns are findings on line 1; empty lines are skipped.
    """
    findings: list[Finding] = []
    text = read_text(Path(path), findings)
    if text is None:
        return [], _remap(findings)
    name = relpath(Path(path))
    lines = text.splitlines()
    if not lines:
        return [], [
            Finding(
                "BBT440", Severity.ERROR, Location(name), "CSV file is empty; it needs a header row"
            )
        ]
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    import csv  # only for a register kept as CSV

    reader = csv.reader(lines, delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    need, may = list(required), set(optional)
    for column in header:
        if column not in need and column not in may:
            findings.append(
                Finding(
                    "BBT440",
                    Severity.ERROR,
                    Location(name, 1),
                    f"unknown column {column!r}{_close(column, [*need, *may])}",
                )
            )
    for column in need:
        if column not in header:
            findings.append(
                Finding(
                    "BBT440",
                    Severity.ERROR,
                    Location(name, 1),
                    f"column {column!r} is missing (required: {', '.join(need)})",
                )
            )
    if findings:
        return [], findings
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        loc = Location(name, number)
        if len(cells) != len(header):
            findings.append(
                Finding(
                    "BBT440",
                    Severity.ERROR,
                    loc,
                    f"row has {len(cells)} cells, the header {len(header)}",
                )
            )
            continue
        rows.append(CsvRow({h: c.strip() for h, c in zip(header, cells, strict=True)}, loc))
    return rows, findings


def csv_figure(
    row: CsvRow, column: str, findings: list[Finding], required: bool = True
) -> Decimal | None:
    """A contingent figure from a CSV cell (plain number, at most two decimals, not negative)."""
    text = row.get(column)
    if not text:
        if required:
            findings.append(
                Finding("BBT404", Severity.ERROR, row.loc, f"{column} is empty (required)")
            )
        return None
    try:
        value = parse_amount(text)
    except AmountError as exc:
        findings.append(Finding("BBT409", Severity.ERROR, row.loc, f"{column}: {exc}"))
        return None
    ctx = Context(Path("."))
    got = _Reader(ctx).check_figure(value, row.loc, column)
    findings.extend(ctx.findings)
    return None if got is None else got[0]


def csv_province(row: CsvRow, findings: list[Finding], required: bool = False) -> str | None:
    text = row.get("province").lower()
    if not text:
        if required:
            findings.append(
                Finding("BBT404", Severity.ERROR, row.loc, "province is empty (required)")
            )
        return None
    if text not in PROVINCES:
        findings.append(
            Finding(
                "BBT422",
                Severity.ERROR,
                row.loc,
                f"unknown province {text!r}{_close(text, PROVINCES)}",
            )
        )
        return None
    return text
