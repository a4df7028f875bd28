"""The ``import``, ``export``, ``new`` and ``diff`` commands (registered by :mod:`bbt.cli`).

Thin wrappers around :mod:`bbt.exchange`; the library modules (and pandas) are imported inside
the commands, so importing this module costs ``bbt check`` nothing.

Exit status: 0 on success, 1 for bad data (``file:row:column: message [BBT5xx]`` on stderr,
nothing written), 2 for usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from bbt.errors import relpath


def _default_budget() -> Path:
    from bbt.pipeline import DEFAULT_BUDGET

    return DEFAULT_BUDGET


def _fail(exc: Exception, what: str = "nothing written") -> NoReturn:
    from bbt.exchange import ExchangeError, format_finding

    assert isinstance(exc, ExchangeError)
    for finding in exc.findings:
        click.echo(format_finding(finding), err=True)
    click.secho(f"{len(exc.findings)} problem(s); {what}", fg="red", err=True)
    sys.exit(1)


@click.command("import")
@click.argument("spreadsheet", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--into",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Budget folder to update (default: the shipped example).",
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="YAML file naming the columns of another layout (docs/exchange.md).",
)
@click.option(
    "--ise", default=None, help="ISE key for new articles when the sheet has no ISE column."
)
@click.option("--dry-run", is_flag=True, help="Show the changes, write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Write without asking.")
def import_command(
    spreadsheet: Path,
    into: Path | None,
    mapping: Path | None,
    ise: str | None,
    dry_run: bool,
    yes: bool,
) -> None:
    """Import BA, BA-JR and BU figures from a spreadsheet (XLSX or CSV).

    Creates articles/<CODE>.yaml for new articles and changes the figures of existing ones,
    keeping their narrative, comments and layout. Shows every change (old -> new) first.
    Refuses unknown columns, conflicting duplicates, text in an amount cell and invalid
    article codes, with file:row:column messages; nothing is written then.

    \b
    Layouts (Dutch number format 1.234,5 and -2.188 accepted):
      long:  Begrotingsartikel;Titel;ISE;Krediettype;Fase;Bedrag
             JB0-1JEC2HA-WT;Collectief maatwerk;activering;VEK;BU;552.157
      wide:  Begrotingsartikel | Titel | ISE | VAK BA | VAK BA-JR | VAK BU | VEK BA ...

    \b
    Examples:
      bbt import figures-2025.xlsx --into budgets/2025-sociale-economie --dry-run
      bbt import export.csv --into budgets/2025-sociale-economie --mapping mapping.yaml --yes
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.importer import apply_plan, format_plan, load_mapping, plan_import

    target = into if into is not None else _default_budget()
    try:
        rules = load_mapping(mapping) if mapping is not None else None
        plan = plan_import(spreadsheet, target, rules, ise)
    except ExchangeError as exc:
        _fail(exc)
    click.echo(format_plan(plan))
    if not plan.writes:
        click.echo("nothing to change")
        return
    if dry_run:
        click.echo("dry run: nothing written")
        return
    if not yes:
        click.confirm(f"Write {len(plan.writes)} file(s) in {relpath(target)}?", abort=True)
    for path in apply_plan(plan):
        click.echo(f"wrote {relpath(path)}")


@click.command("export")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=None)
@click.option(
    "--to",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for credits.csv, credits.json and datapackage.json.",
)
def export_command(path: Path | None, out_dir: Path) -> None:
    """Export the figures as open data: tidy CSV, JSON and a Frictionless data package.

    One row per article, credit type (VAK, VEK, AO, TO, LO) and phase, with the ISE, the
    programme, the ESR aggregate and the budget year; amounts exact, in keuro. The phases
    map to the Fiscal Data Package: BA -> approved, BA-JR -> adjusted, BU -> executed.

    \b
    Examples:
      bbt export --to open-data
      bbt export budgets/2024-sociale-economie --to /tmp/od && frictionless validate /tmp/od/datapackage.json
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.diff import load_calc
    from bbt.exchange.export import build_export, write_export

    try:
        export = build_export(load_calc(path if path is not None else _default_budget()))
    except ExchangeError as exc:
        _fail(exc)
    for written in write_export(export, out_dir):
        click.echo(f"wrote {relpath(written)}")
    click.echo(f"{export.rows} rows")


@click.command("new")
@click.argument("year", type=click.IntRange(1900, 2999))
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="This year's budget folder (default: the shipped example).",
)
@click.option(
    "--to",
    "target",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The new folder (default: the source's name with the new year, beside it).",
)
def new_command(year: int, source: Path | None, target: Path | None) -> None:
    """Start next year's budget folder from this year's.

    Keeps the articles, ISEs, objectives, comments and every narrative; clears the figures
    (BA, BA-JR, BU: last year's stay as a comment hint), movements, accruals, cited figures
    and published totals; sets the year. Every narrative starts with a draft marker
    {# draft: tekst van <old year>, herschrijven #} that 'bbt check' reports (BBT130) until
    it is rewritten. Fill the figures with 'bbt import'.

    \b
    Examples:
      bbt new 2025 --from budgets/2024-sociale-economie
      bbt new 2025 --from budgets/2024-sociale-economie --to /tmp/2025 && bbt check /tmp/2025
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.skeleton import build_skeleton, default_target, write_skeleton

    origin = source if source is not None else _default_budget()
    try:
        skeleton = build_skeleton(origin, year)
    except ExchangeError as exc:
        _fail(exc)
    folder = target if target is not None else default_target(origin, year, skeleton.old_year)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise click.BadParameter(
            f"{relpath(folder)} already exists and is not empty", param_hint="--to"
        )
    try:
        write_skeleton(skeleton, folder)
    except ExchangeError as exc:
        _fail(exc)
    click.echo(
        f"wrote {relpath(folder)}: {len(skeleton.files)} files, {skeleton.articles} articles with "
        f"figures cleared, {skeleton.drafts} narratives marked as drafts of {skeleton.old_year}"
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
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write the report as an HTML page.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the Markdown report to a file instead of stdout.",
)
def diff_command(
    paths: tuple[Path, ...],
    revs: tuple[str, str] | None,
    html_file: Path | None,
    output: Path | None,
) -> None:
    """Report what changed between two versions of a budget, in budget terms.

    Per article the figures that changed (old, new, difference, utilisation before and
    after), articles and movements added or removed, ISE and programme totals that moved,
    and the narrative sections that were edited. Markdown (GitHub tables: paste it into a
    pull request comment) on stdout; --html for a page. Exit 0 whatever changed; 1 only when
    a version cannot be loaded.

    \b
    Examples:
      bbt diff budgets/2024-sociale-economie /tmp/2024-edited
      bbt diff --git origin/main HEAD budgets/2024-sociale-economie > comment.md
      bbt diff old new --html changes.html
    """
    from bbt.exchange import ExchangeError
    from bbt.exchange.diff import diff_folders, diff_git, to_html, to_markdown
    from bbt.pipeline import write_atomic

    if revs is not None:
        if len(paths) > 1:
            raise click.UsageError("with --git REV1 REV2, give at most one PATH")
    elif len(paths) != 2:
        raise click.UsageError("give two budget folders (OLD NEW), or --git REV1 REV2 [PATH]")
    try:
        if revs is not None:
            report = diff_git(revs[0], revs[1], paths[0] if paths else _default_budget())
        else:
            report = diff_folders(paths[0], paths[1])
    except ExchangeError as exc:
        _fail(exc, "no report")
    markdown = to_markdown(report)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(output, markdown.encode("utf-8"))
        click.echo(f"wrote {relpath(output)}", err=True)
    else:
        click.echo(markdown, nl=False)
    if html_file is not None:
        html_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(html_file, to_html(report).encode("utf-8"))
        click.echo(f"wrote {relpath(html_file)}", err=True)


COMMANDS: list[click.Command] = [import_command, export_command, new_command, diff_command]
"""Registered by bbt/cli.py: ``for command in COMMANDS: main.add_command(command)``."""
