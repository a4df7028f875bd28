"""The ``import``, ``export``, ``new`` and ``diff`` commands (registered by :mod:`bbt.cli`).

Thin wrappers around :mod:`bbt.exchange`; the library modules (and openpyxl) are imported
inside the commands, so importing this module costs ``bbt check`` nothing.

Exit status: 0 on success, 1 for bad data or an output that cannot be written
(``file:row:column: severity: message [BBT5xx]`` on stderr, nothing written), 2 for usage
errors. Every example in the help texts runs as printed (tests/test_exchange_examples.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from bbt.console import choice_option, path_option
from bbt.errors import relpath

if TYPE_CHECKING:
    from bbt.errors import Finding

ALLOW_ERRORS = click.option(
    "--allow-errors",
    is_flag=True,
    help="Go on when 'bbt check' finds errors in the data (they are printed).",
)


def _default_budget() -> Path:
    """The budget of the current folder (or a parent), else the shipped example."""
    from bbt.console import default_budget

    return default_budget(None)


def _print(findings: list[Finding]) -> None:
    from bbt.console import echo_findings

    echo_findings(findings, err=True)


def _fail(exc: Exception, what: str = "nothing written") -> NoReturn:
    from bbt.exchange import CheckFailed, ExchangeError

    assert isinstance(exc, ExchangeError)
    _print(exc.findings)
    if isinstance(exc, CheckFailed):
        click.secho(
            f"{len(exc.findings)} error(s) in the data (bbt check); {what}: fix them, or pass "
            "--allow-errors",
            fg="red",
            err=True,
        )
    else:
        click.secho(f"{len(exc.findings)} problem(s); {what}", fg="red", err=True)
    sys.exit(1)


def _allowed(errors: list[Finding], doing: str) -> None:
    if errors:
        _print(errors)
        click.secho(
            f"{doing} despite {len(errors)} error(s) in the data (--allow-errors)",
            fg="yellow",
            err=True,
        )


@click.command("import")
@click.argument("spreadsheet", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into",
    required=True,
    type=click.Path(path_type=Path),
    help="Budget folder to update.",
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="YAML file naming the columns of another layout (docs/exchange.md).",
)
@click.option(
    "--number-format",
    type=click.Choice(["nl", "plain"]),
    default=None,
    help="How text amounts are written: nl (1.234,5) or plain (1234.5). Default: bbt's own "
    "export says it; otherwise each amount column's values decide.",
)
@click.option(
    "--ise", default=None, help="ISE key for new articles when the sheet has no ISE column."
)
@click.option("--dry-run", is_flag=True, help="Show the changes, write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Write without asking.")
def import_command(
    spreadsheet: Path,
    into: Path,
    mapping: Path | None,
    number_format: str | None,
    ise: str | None,
    dry_run: bool,
    yes: bool,
) -> None:
    """Import BA, BA-JR and BU figures from a spreadsheet (XLSX, CSV or JSON).

    Creates articles/<CODE>.yaml for new articles and changes the figures of existing ones,
    keeping their narrative, comments and layout. Shows how each amount column is read and
    every change (old -> new) first. Refuses unknown columns, conflicting duplicates, text
    in an amount cell, formulas and formula-like text, and invalid article codes, with
    file:row:column messages; nothing is written then. bbt's own export (credits.csv,
    credits.xlsx, credits.json) reads back exactly.

    \b
    Layouts:
      long:  Begrotingsartikel;Titel;ISE;Krediettype;Fase;Bedrag
             JB0-1JEC2HA-WT;Collectief maatwerk;activering;VEK;BU;552.157
      wide:  Begrotingsartikel | Titel | ISE | VAK BA | VAK BA-JR | VAK BU | VEK BA ...

    \b
    Examples:
      bbt import figures-2025.xlsx --into budgets/2025-sociale-economie --dry-run
      bbt import figures-2025.xlsx --into budgets/2025-sociale-economie --yes
      bbt import open-data/credits.csv --into budgets/2024-sociale-economie --dry-run
      bbt import figures.csv --into budgets/2024-sociale-economie --number-format nl --dry-run
      bbt import accounting.csv --into budgets/2024-sociale-economie --mapping mapping.yaml --dry-run
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.importer import apply_plan, format_plan, plan_import
    from bbt.exchange.mapping import load_mapping

    try:
        rules = load_mapping(mapping) if mapping is not None else None
        plan = plan_import(spreadsheet, into, rules, ise, number_format)
    except ExchangeError as exc:
        _fail(exc)
    _print(list(plan.warnings))
    click.echo(format_plan(plan))
    if not plan.writes:
        click.echo("nothing to change")
        return
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if not yes:
        click.confirm(f"Write {len(plan.writes)} file(s) in {relpath(into)}?", abort=True)
    try:
        written = apply_plan(plan)
    except ExchangeError as exc:
        _fail(exc)
    for path in written:
        click.echo(f"wrote {relpath(path)}")


@click.command("export")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=None)
@click.option(
    "--to",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for credits.csv, credits.xlsx, credits.json and datapackage.json.",
)
@choice_option(
    "--csv",
    "csv_format",
    choices=["nl", "plain"],
    help="credits.csv for a Dutch Excel (';', UTF-8 with BOM, decimal comma), or plain "
    "(',', UTF-8, decimal point).",
)
@ALLOW_ERRORS
def export_command(path: Path | None, out_dir: Path, csv_format: str, allow_errors: bool) -> None:
    """Export the figures: CSV, XLSX, JSON and a Frictionless data package.

    One row per article, credit type (VAK, VEK, AO, TO, LO) and phase, with the ISE, the
    programme, the ESR aggregate and the budget year; amounts exact, in keuro. The phases
    map to the Fiscal Data Package: BA -> approved, BA-JR -> adjusted, BU -> executed.
    Runs 'bbt check' first and exports nothing when the data has errors. The four files are
    written together, or none is.

    \b
    Examples:
      bbt export --to open-data
      bbt export budgets/2024-sociale-economie --to open-data-plain --csv plain
    """
    from bbt.exchange import ExchangeError, checked
    from bbt.exchange.export import build_export, write_export

    try:
        calculation, errors = checked(path if path is not None else _default_budget(), allow_errors)
        _allowed(errors, "exporting")
        export = build_export(calculation, csv_format)
        written = write_export(export, out_dir)
    except ExchangeError as exc:
        _fail(exc, "nothing exported")
    for name in written:
        click.echo(f"wrote {relpath(name)}")
    click.echo(f"{export.rows} rows")


@click.command("new")
@click.argument("year", type=click.IntRange(1900, 2999))
@path_option(
    "--from",
    "source",
    help="This year's budget folder (default: the shipped example).",
)
@path_option(
    "--to",
    "target",
    help="The new folder (default: the source's name with the new year, beside it; for the "
    "shipped example, in the current folder).",
)
@ALLOW_ERRORS
def new_command(year: int, source: Path | None, target: Path | None, allow_errors: bool) -> None:
    """Start next year's budget folder from this year's.

    Keeps the articles, ISEs, objectives, comments and every narrative; clears the figures
    (BA, BA-JR, BU: last year's stay as a comment hint), movements, accruals, cited figures
    and published totals; sets the year. Every narrative starts with a draft marker
    {# draft: tekst van <old year>, herschrijven #} that 'bbt check' reports (BBT130) until
    it is rewritten; an expression that cites data the skeleton removed becomes a visible
    [[invullen: ...]] placeholder. Fill the figures with 'bbt import'.

    \b
    Examples:
      bbt new 2025 --from budgets/2024-sociale-economie
      bbt new 2025 --to skeleton-2025
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.skeleton import build_skeleton, default_target, write_skeleton

    origin = source if source is not None else _default_budget()
    try:
        skeleton = build_skeleton(origin, year, allow_errors)
        _allowed(list(skeleton.errors), "starting from the source")
        folder = target if target is not None else default_target(origin, year, skeleton.old_year)
        if source is None and target is None:  # never inside the installed package
            folder = Path(folder.name)
        if folder.is_dir() and any(folder.iterdir()):
            raise click.BadParameter(
                f"{relpath(folder)} already exists and is not empty", param_hint="--to"
            )
        write_skeleton(skeleton, folder)
    except ExchangeError as exc:
        _fail(exc)
    click.echo(
        f"wrote {relpath(folder)}: {len(skeleton.files)} files, {skeleton.articles} articles with "
        f"figures cleared, {skeleton.drafts} narratives marked as drafts of {skeleton.old_year}, "
        f"{skeleton.placeholders} expression(s) replaced by [[invullen: ...]]"
    )
    click.echo(
        f"next: bbt import FIGURES --into {relpath(folder)}, then bbt check {relpath(folder)}"
    )


@click.command("diff")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--git",
    "revs",
    nargs=2,
    default=None,
    metavar="REV1 REV2",
    help="Compare two git revisions of one folder (PATH, default the shipped example).",
)
@path_option(
    "--html",
    "html_file",
    help="Also write the report as an HTML page.",
)
@path_option(
    "-o",
    "--output",
    help="Write the Markdown report to a file instead of stdout.",
)
@ALLOW_ERRORS
def diff_command(
    paths: tuple[Path, ...],
    revs: tuple[str, str] | None,
    html_file: Path | None,
    output: Path | None,
    allow_errors: bool,
) -> None:
    """Report what changed between two versions of a budget, in budget terms.

    Per article the figures that changed (old, new, difference, utilisation before and
    after), articles, movements, accruals and cited figures added, removed or changed,
    provisions, published totals, ISE and programme totals that moved, glossary entries and
    the narrative sections that were edited. Markdown (GitHub tables: paste it into a pull
    request comment) on stdout; --html for a page. Runs 'bbt check' on both versions and
    refuses a version with errors. Exit 0 whatever changed.

    \b
    Examples:
      bbt diff old new
      bbt diff old new --html changes.html -o changes.md
      bbt diff --git origin/main HEAD budgets/2024-sociale-economie > comment.md
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.diff import diff_folders, diff_git, to_html, to_markdown
    from bbt.exchange.files import write_files

    if revs is not None:
        if len(paths) > 1:
            raise click.UsageError("with --git REV1 REV2, give at most one PATH")
    elif len(paths) != 2:
        raise click.UsageError("give two budget folders (OLD NEW), or --git REV1 REV2 [PATH]")
    try:
        if revs is not None:
            folder = paths[0] if paths else _default_budget()
            report = diff_git(revs[0], revs[1], folder, allow_errors=allow_errors)
        else:
            report = diff_folders(paths[0], paths[1], allow_errors=allow_errors)
        _allowed(list(report.errors), "comparing")
        files = {}
        if output is not None:
            files[output] = to_markdown(report).encode("utf-8")
        if html_file is not None:
            files[html_file] = to_html(report).encode("utf-8")
        written = write_files(files)
    except ExchangeError as exc:
        _fail(exc, "no report")
    if output is None:
        click.echo(to_markdown(report), nl=False)
    for path in written:
        click.echo(f"wrote {relpath(path)}", err=True)


COMMANDS: list[click.Command] = [import_command, export_command, new_command, diff_command]
"""Registered by bbt/cli.py: ``for command in COMMANDS: main.add_command(command)``."""
