"""``bbt contingent``: fill rates, the 80% rule, distribution of a growth path, the overview.

A thin layer over :mod:`bbt.contingent.rules`. Usage errors exit with 2 (click), mistakes in
the data print ``file:line: message [code]`` and exit with 1, never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import click

from bbt.console import choice_option, csv_option, fail, output_option, say
from bbt.contingent import DEFAULT_REGISTER, REGISTER_NAME
from bbt.contingent.load import csv_figure, csv_province, load_register, read_csv
from bbt.contingent.model import PROVINCES, UNIT_LABELS, Register
from bbt.contingent.rules import (
    Applicant,
    ContingentError,
    DistributionError,
    DistributionRule,
    FillRate,
    FillRule,
    OrgFill,
    apply_fill_rule,
    cuts_by_province,
    distribute,
    fill_percent,
    fill_rates,
    reconcile_reductions,
)
from bbt.errors import BbtError, Finding, RenderError, Severity
from bbt.files import unwritable
from bbt.format import getal, procent
from bbt.money import ZERO, round_half_up

# -- shared options and output ------------------------------------------------------------

REGISTER = click.option(
    "--register",
    "register_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Contingent register (YAML). Default: the register of the shipped example.",
)
FORMAT = choice_option(
    "--format",
    "fmt",
    choices=["table", "csv", "json"],
    help="table for people (Dutch number format), csv or json for tools (plain decimals).",
)


def _fail(findings: Sequence[Finding]) -> NoReturn:
    fail(findings, "nothing done")


def _error(message: str) -> NoReturn:
    say(f"error: {message}")
    sys.exit(1)


def _register(path: Path | None) -> Register:
    """``--register``, else the register beside the budget of the current folder (or a
    parent), else the shipped example's."""
    if path is None:
        from bbt.console import find_budget

        found = find_budget()
        beside = found / REGISTER_NAME if found is not None else None
        path = beside if beside is not None and beside.is_file() else DEFAULT_REGISTER
    register, findings = load_register(path)
    if register is None:
        _fail(findings)
    return register


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"{text!r} is not a number", param_hint=what) from None
    if not value.is_finite():
        raise click.BadParameter(f"{text!r} is not a number", param_hint=what)
    return value


def _plain(value: object) -> object:
    """JSON/CSV value: Decimals as exact strings, None as null/empty."""
    if isinstance(value, Decimal):
        return str(value)
    return value


class Column:
    """One output column: a header, how to get the value, how to show it in the table."""

    def __init__(
        self,
        header: str,
        get: Callable[[Any], object],
        show: Callable[[Any], str] | None = None,
        numeric: bool = False,
    ) -> None:
        self.header, self.get, self.numeric = header, get, numeric
        self.show = show or (lambda v: "" if v is None else str(v))


def _emit(rows: Sequence[object], columns: Sequence[Column], fmt: str) -> None:
    if fmt == "json":
        data = [{c.header: _plain(c.get(r)) for c in columns} for r in rows]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.header for c in columns])
        for r in rows:
            writer.writerow(["" if (v := c.get(r)) is None else _plain(v) for c in columns])
        click.echo(buffer.getvalue(), nl=False)
        return
    cells = [[c.show(c.get(r)) for c in columns] for r in rows]
    widths = [max([len(c.header), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if c.numeric else v.ljust(w)
            for v, w, c in zip(values, widths, columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    click.echo(line([c.header for c in columns]))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo(line(row))


def _num(value: object) -> str:
    return "" if value is None else getal(value)  # type: ignore[arg-type]


def _pct(value: object) -> str:
    return procent(value if isinstance(value, Decimal) else None)


# -- the group ------------------------------------------------------------------------------


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def contingent() -> None:
    """Contingents: fill rates, the AMA WSE 80% rule, distribution of a growth path.

    Reads the contingent register (docs/contingent.md); without --register the register of
    the shipped example.

    \b
    Examples:
      bbt contingent fill                          # every fill rate in the register
      bbt contingent fill --measure cmw --period 2023
      bbt contingent reduce --csv fill-2022.csv    # who loses contingent under the 80% rule
      bbt contingent distribute --path 149 --applicants aanvragen.csv --weights nwwz.csv
      bbt contingent overview -o output --format pdf
    """


@contingent.command()
@REGISTER
@csv_option(
    "Read allocated/filled from a CSV instead (columns: allocated, filled; optional measure, "
    "period, province, organisation)."
)
@click.option("--measure", default=None, help="Only this measure key (cmw, ama-se, ...).")
@click.option(
    "--period", default=None, help="Only this period as the register writes it (2023, 2017-Q4)."
)
@FORMAT
def fill(
    register_path: Path | None,
    csv_path: Path | None,
    measure: str | None,
    period: str | None,
    fmt: str,
) -> None:
    """Fill rate = filled / allocated over the same period.

    Computed from the summed figures, never as an average of percentages; shown half-up to
    one decimal (JSON and CSV also give the exact value).

    \b
    Examples:
      bbt contingent fill
      bbt contingent fill --measure ama-se --period 2024 --format json
      bbt contingent fill --csv invulling.csv --format csv
    """
    if csv_path is not None:
        rates = _csv_rates(csv_path)
    else:
        register = _register(register_path)
        if measure is not None and measure not in register.measures:
            _error(f"no measure {measure!r} in the register; known: {', '.join(register.measures)}")
        rates = fill_rates(register, measure, period)
        if measure is not None:
            rates = [r for r in rates if r.measure == measure]
    if period is not None:
        rates = [r for r in rates if r.period == period]
    if not rates:
        _error("no entry has both allocated and filled for that selection")
    columns = [
        Column("measure", lambda r: r.measure),
        Column("period", lambda r: r.period),
        Column("scope", lambda r: r.scope),
        Column("filled", lambda r: r.filled, _num, True),
        Column("allocated", lambda r: r.allocated, _num, True),
        Column("unit", lambda r: UNIT_LABELS.get(r.unit, r.unit)),
        Column("fill", lambda r: r.rounded(1), _pct, True),
    ]
    if fmt != "table":
        columns.append(Column("fill_exact", lambda r: r.percent.value))
    _emit(rates, columns, fmt)


def _csv_rates(path: Path) -> list[FillRate]:
    rows, findings = read_csv(
        path, ["allocated", "filled"], ["measure", "period", "province", "organisation", "unit"]
    )
    rates = []
    for row in rows:
        allocated = csv_figure(row, "allocated", findings)
        filled = csv_figure(row, "filled", findings)
        province = csv_province(row, findings)
        if allocated is None or filled is None:
            continue
        scope = row.get("organisation") or PROVINCES.get(province or "", "") or "Vlaanderen"
        rates.append(
            FillRate(
                row.get("measure"), row.get("period"), scope, filled, allocated, row.get("unit")
            )
        )
    if any(f.severity is Severity.ERROR for f in findings):
        _fail(findings)
    return rates


@contingent.command()
@REGISTER
@csv_option(
    "Organisation fill of the evaluation year (columns: organisation, province, allocated, filled)."
)
@click.option("--measure", default="ama-se", show_default=True, help="Measure key in the register.")
@click.option(
    "--year",
    type=int,
    default=None,
    help="Evaluation (fill) year; default: that of the latest published reduction.",
)
@click.option(
    "--threshold",
    default="80",
    show_default=True,
    help="Fill in percent below which contingent is cut.",
)
@choice_option(
    "--rounding",
    choices=["up", "down", "half-up"],
    help="How the filled figure becomes the new contingent in whole units.",
)
@FORMAT
def reduce(
    register_path: Path | None,
    csv_path: Path | None,
    measure: str,
    year: int | None,
    threshold: str,
    rounding: str,
    fmt: str,
) -> None:
    """The AMA WSE 80% rule: who loses contingent from 1 July, and how much.

    An organisation whose annual fill stayed below --threshold keeps only what it filled,
    in whole units (--rounding). Prints each organisation affected, then the totals per
    province. Organisation figures come from --csv or from organisation entries in the
    register for --year. When the register has none (the shipped one: the seeds publish
    only province totals), the published reductions are compared with the drop of the
    province contingents around the reduction date instead.

    \b
    Examples:
      bbt contingent reduce                      # published 1/7/2023 reductions vs snapshots
      bbt contingent reduce --csv fill-2022.csv --threshold 80 --rounding up
      bbt contingent reduce --csv fill-2022.csv --format json
    """
    rule = FillRule(threshold=_decimal(threshold, "--threshold"), rounding=rounding)  # type: ignore[arg-type]
    if csv_path is not None:
        fills = _csv_fills(csv_path)
    else:
        register = _register(register_path)
        year = _evaluation_year(register, measure, year)
        fills = _register_fills(register, measure, year)
        if not fills:
            _reconcile(register, measure, year, fmt)
            return
    cuts = apply_fill_rule(fills, rule)
    if fmt == "json":
        click.echo(json.dumps(_cuts_json(cuts, rule), ensure_ascii=False, indent=2))
        return
    _emit(cuts, _cut_columns(fmt), fmt)
    if fmt == "table":
        click.echo("")
        _emit_province_totals(cuts_by_province(cuts))


def _evaluation_year(register: Register, measure: str, year: int | None) -> int:
    """``--year``, or the fill year of the measure's latest published reduction."""
    if measure not in register.measures:
        _error(f"no measure {measure!r} in the register; known: {', '.join(register.measures)}")
    if year is not None:
        return year
    years = [r.fill_year for r in register.measures[measure].reductions]
    if not years:
        _error(f"measure {measure!r} has no published reduction; give --year or --csv")
    return max(years)


def _register_fills(register: Register, measure: str, year: int) -> list[OrgFill]:
    """The organisation entries of ``year`` that have both allocated and filled."""
    return [
        OrgFill(e.organisation or "", e.province, e.allocated, e.filled, e.loc)
        for e in register.measures[measure].entries
        if e.organisation is not None
        and e.period.text == str(year)
        and e.allocated is not None
        and e.filled is not None
    ]


def _cuts_json(cuts: Sequence[Any], rule: FillRule) -> dict[str, object]:
    return {
        "threshold": str(rule.threshold),
        "rounding": rule.rounding,
        "organisations": [
            {
                "organisation": c.organisation,
                "province": c.province,
                "allocated": str(c.allocated),
                "filled": str(c.filled),
                "fill": _plain(c.percent.value),
                "new_allocated": str(c.new_allocated),
                "cut": str(c.cut),
            }
            for c in cuts
        ],
        "provinces": [
            {"province": p.province, "organisations": p.organisations, "cut": str(p.cut)}
            for p in cuts_by_province(cuts)
        ],
    }


def _cut_columns(fmt: str) -> list[Column]:
    return [
        Column("organisation", lambda c: c.organisation),
        Column(
            "province",
            lambda c: PROVINCES.get(c.province, c.province or "") if fmt == "table" else c.province,
        ),
        Column("allocated", lambda c: c.allocated, _num, True),
        Column("filled", lambda c: c.filled, _num, True),
        Column(
            "fill",
            lambda c: round_half_up(c.percent.value, 1) if c.percent.value is not None else None,
            _pct,
            True,
        ),
        Column("new", lambda c: c.new_allocated, _num, True),
        Column("cut", lambda c: c.cut, _num, True),
    ]


def _emit_province_totals(totals: Sequence[Any]) -> None:
    """Cuts per province and their total (None stands for the total row)."""
    _emit(
        [*totals, None],
        [
            Column(
                "province",
                lambda p: "Totaal" if p is None else PROVINCES.get(p.province, p.province or "-"),
            ),
            Column(
                "organisations",
                lambda p: sum(t.organisations for t in totals) if p is None else p.organisations,
                _num,
                True,
            ),
            Column(
                "cut",
                lambda p: sum((t.cut for t in totals), ZERO) if p is None else p.cut,
                _num,
                True,
            ),
        ],
        "table",
    )


def _csv_fills(path: Path) -> list[OrgFill]:
    rows, findings = read_csv(path, ["organisation", "allocated", "filled"], ["province"])
    fills = []
    for row in rows:
        allocated = csv_figure(row, "allocated", findings)
        filled = csv_figure(row, "filled", findings)
        province = csv_province(row, findings)
        if not row.get("organisation"):
            findings.append(
                Finding("BBT404", Severity.ERROR, row.loc, "organisation is empty (required)")
            )
            continue
        if allocated is not None and filled is not None:
            fills.append(OrgFill(row.get("organisation"), province, allocated, filled, row.loc))
    if any(f.severity is Severity.ERROR for f in findings):
        _fail(findings)
    return fills


def _reconcile(register: Register, measure: str, year: int, fmt: str) -> None:
    m = register.measures[measure]
    checks = [
        c
        for c in reconcile_reductions(m)
        if any(r.fill_year == year and r.date == c.date for r in m.reductions)
    ]
    if not checks:
        _error(
            f"measure {measure!r} has no organisation fill and no published reduction for fill year {year}"
        )
    click.echo(
        f"note: the register has no organisation-level fill for {year}, so the 80% rule cannot be "
        "applied; the published reductions are compared with the drop of the province contingents.",
        err=True,
    )
    columns = [
        Column(
            "province",
            lambda c: PROVINCES.get(c.province, c.province or "") if fmt == "table" else c.province,
        ),
        Column("date", lambda c: c.date.isoformat()),
        Column("organisations", lambda c: c.organisations, _num, True),
        Column("published", lambda c: c.published, _num, True),
        Column("before", lambda c: c.before, _num, True),
        Column("after", lambda c: c.after, _num, True),
        Column("drop", lambda c: c.change, _num, True),
        Column("matches", lambda c: c.matches, lambda v: {True: "yes", False: "NO", None: "?"}[v]),
    ]
    rows: list[Any] = list(checks)
    _emit(rows, columns, fmt)
    if fmt == "table":
        orgs = sum(c.organisations or 0 for c in checks)
        published = sum((c.published for c in checks), ZERO)
        drops = [c.change for c in checks]
        drop = sum((d for d in drops if d is not None), ZERO) if None not in drops else None
        click.echo(
            f"total: {orgs} organisations, {getal(published)} published, {_num(drop) or '?'} drop in the snapshots"
        )


@contingent.command(name="distribute")
@click.option(
    "--path",
    "growth",
    type=click.IntRange(min=0),
    required=True,
    help="The growth path: whole units to distribute.",
)
@click.option(
    "--applicants",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV: province, applicant, and fill (percent) or allocated + filled; optional request.",
)
@click.option(
    "--weights",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="CSV: province, weight (the potential target group).",
)
@click.option(
    "--weight",
    "weight_opts",
    multiple=True,
    metavar="PROVINCE=N",
    help="A province weight on the command line (repeatable).",
)
@click.option(
    "--threshold", default="95", show_default=True, help="Minimum fill in percent to take part."
)
@click.option(
    "--minimum",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Whole units every eligible applicant gets at least.",
)
@choice_option(
    "--tie-break",
    choices=["name", "input"],
    help="Order among equal fills (and equal province remainders).",
)
@click.option("--no-cap", is_flag=True, help="Allow shares above an applicant's request.")
@FORMAT
def distribute_cmd(
    growth: int,
    applicants: Path,
    weights: Path | None,
    weight_opts: tuple[str, ...],
    threshold: str,
    minimum: int,
    tie_break: str,
    no_cap: bool,
    fmt: str,
) -> None:
    """Distribute a growth path (the 2018 procedure of seed 004).

    The path is split over the provinces by weight (largest remainder); within a province
    the applicants that filled at least --threshold share it equally in whole units, at
    least --minimum each, the remainder one unit at a time from the highest fill down. With
    a single province in the applicants, weights may be left out. The register holds no
    applicants (the seeds do not publish them), so the inputs are CSV files.

    \b
    Examples:
      bbt contingent distribute --path 149 --applicants aanvragen.csv --weights nwwz.csv
      bbt contingent distribute --path 12 --applicants aanvragen.csv \\
          --weight limburg=3 --weight antwerpen=5 --tie-break input --format csv
    """
    people = _csv_applicants(applicants)
    table = _weights(weights, weight_opts, people)
    rule = DistributionRule(_decimal(threshold, "--threshold"), minimum, tie_break, not no_cap)  # type: ignore[arg-type]
    try:
        result = distribute(growth, table, people, rule)
    except DistributionError as exc:
        _error(str(exc))
    if fmt == "json":
        click.echo(json.dumps(_distribution_json(result), ensure_ascii=False, indent=2))
        return
    _emit(result.shares, _share_columns(fmt), fmt)
    if fmt == "table":
        click.echo("")
        _echo_distribution_notes(result)


def _distribution_json(result: Any) -> dict[str, object]:
    return {
        "path": result.path,
        "provinces": result.provinces,
        "shares": [
            {
                "province": s.applicant.province,
                "applicant": s.applicant.name,
                "fill": str(s.applicant.fill),
                "request": s.applicant.request,
                "units": s.units,
                "extra": s.extra,
            }
            for s in result.shares
        ],
        "excluded": [
            {"province": a.province, "applicant": a.name, "fill": str(a.fill)}
            for a in result.excluded
        ],
        "unassigned": result.unassigned,
    }


def _share_columns(fmt: str) -> list[Column]:
    return [
        Column(
            "province",
            lambda s: (
                PROVINCES.get(s.applicant.province, s.applicant.province)
                if fmt == "table"
                else s.applicant.province
            ),
        ),
        Column("applicant", lambda s: s.applicant.name),
        Column(
            "fill",
            lambda s: round_half_up(s.applicant.fill, 1) if fmt == "table" else s.applicant.fill,
            _pct,
            True,
        ),
        Column("request", lambda s: s.applicant.request, _num, True),
        Column("units", lambda s: s.units, _num, True),
        Column("extra", lambda s: "+1" if s.extra else ""),
    ]


def _echo_distribution_notes(result: Any) -> None:
    """Provinces, who stayed below the threshold, and what no applicant could take."""
    parts = ", ".join(f"{PROVINCES.get(p, p)} {n}" for p, n in result.provinces.items())
    click.echo(f"provinces: {parts} (total {result.path})")
    if result.excluded:
        click.echo(
            "below the threshold: "
            + ", ".join(f"{a.name} ({_pct(round_half_up(a.fill, 1))})" for a in result.excluded)
        )
    for p, n in result.unassigned.items():
        click.echo(
            f"unassigned in {PROVINCES.get(p, p)}: {n} (no eligible applicant can take more)"
        )


def _csv_applicants(path: Path) -> list[Applicant]:
    rows, findings = read_csv(
        path, ["province", "applicant"], ["fill", "allocated", "filled", "request"]
    )
    people = []
    for row in rows:
        province = csv_province(row, findings, required=True)
        name = row.get("applicant")
        fill_value: Decimal | None = None
        if row.get("fill"):
            fill_value = csv_figure(row, "fill", findings)
        elif row.get("allocated") or row.get("filled"):
            allocated = csv_figure(row, "allocated", findings)
            filled = csv_figure(row, "filled", findings)
            if allocated is not None and filled is not None:
                fill_value = fill_percent(allocated, filled)
        else:
            findings.append(
                Finding(
                    "BBT404", Severity.ERROR, row.loc, "give fill (percent) or allocated and filled"
                )
            )
        request = None
        if row.get("request"):
            try:
                request = int(row.get("request"))
            except ValueError:
                findings.append(
                    Finding(
                        "BBT403",
                        Severity.ERROR,
                        row.loc,
                        f"request {row.get('request')!r} must be a whole number",
                    )
                )
        if not name:
            findings.append(
                Finding("BBT404", Severity.ERROR, row.loc, "applicant is empty (required)")
            )
        elif province is not None and fill_value is not None:
            people.append(Applicant(name, province, fill_value, request, row.loc))
    if any(f.severity is Severity.ERROR for f in findings):
        _fail(findings)
    return people


def _weights(
    path: Path | None, options: tuple[str, ...], people: list[Applicant]
) -> dict[str, Decimal]:
    table: dict[str, Decimal] = {}
    if path is not None:
        rows, findings = read_csv(path, ["province", "weight"])
        for row in rows:
            province = csv_province(row, findings, required=True)
            text = row.get("weight")
            try:
                value = Decimal(text)
            except InvalidOperation:
                findings.append(
                    Finding("BBT403", Severity.ERROR, row.loc, f"weight {text!r} is not a number")
                )
                continue
            if province is not None:
                table[province] = value
        if any(f.severity is Severity.ERROR for f in findings):
            _fail(findings)
    for option in options:
        province, sep, text = option.partition("=")
        province = province.strip().lower()
        if not sep or province not in PROVINCES:
            raise click.BadParameter(
                f"{option!r}: write PROVINCE=N with a province key ({', '.join(PROVINCES)})",
                param_hint="--weight",
            )
        table[province] = _decimal(text.strip(), "--weight")
    if not table:
        provinces = {a.province for a in people}
        if len(provinces) != 1:
            raise click.UsageError(
                "applicants are in several provinces: give --weights or --weight"
            )
        table = {provinces.pop(): Decimal(1)}
    return table


@contingent.command()
@REGISTER
@click.option("--measure", default="ama-se", show_default=True, help="Measure key in the register.")
@output_option("output", "Folder for the HTML (and PDF).")
@choice_option(
    "--format",
    "fmt",
    choices=["html", "pdf"],
    help="html, or pdf for the PDF next to the HTML.",
)
def overview(register_path: Path | None, measure: str, out_dir: Path, fmt: str) -> None:
    """Render the overview of a measure: contingent per province over the reference dates,
    with the reductions and fill rates (the layout of the parliamentary answer in seed 000).

    \b
    Examples:
      bbt contingent overview                      # output/contingent-ama-se.html
      bbt contingent overview -o /tmp/preview --format pdf
    """
    from bbt.contingent.render import write_overview

    register = _register(register_path)
    if measure not in register.measures:
        _error(f"no measure {measure!r} in the register; known: {', '.join(register.measures)}")
    formats = ("html", "pdf") if fmt == "pdf" else ("html",)
    try:
        written = write_overview(register, measure, out_dir, formats)
    except RenderError as exc:
        _fail(exc.findings)
    except ImportError as exc:
        _error(f"PDF rendering is not available ({exc}); use --format html")
    except OSError as exc:  # a file in the way: the same finding as for bbt build
        _fail([unwritable(out_dir, exc)])
    except (BbtError, ContingentError) as exc:
        _error(str(exc))
    for path in written:
        click.echo(f"wrote {path}")


__all__ = ["contingent"]
