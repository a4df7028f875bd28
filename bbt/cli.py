"""The ``bbt`` command: a thin layer over :mod:`bbt.pipeline` and friends.

Messages to the user are English; the document itself is Dutch.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import click

from bbt import __version__
from bbt.errors import Finding, Severity
from bbt.pipeline import DEFAULT_BUDGET, Result

BUDGET = click.argument(
    "path",
    required=False,
    type=click.Path(path_type=Path),
    default=None,
)


def _path(path: Path | None) -> Path:
    return path if path is not None else DEFAULT_BUDGET


class _Group(click.Group):
    """Usage errors exit with 2, data errors with 1, never a traceback for a user mistake."""


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bbt")
def main() -> None:
    """bbt: the Beleids- en begrotingstoelichting from budget data.

    Validate the YAML budget data, compute utilisation and totals, and render the Dutch
    document. Without PATH every command uses the shipped example
    budgets/2024-sociale-economie.

    \b
    Examples:
      bbt check                      # check the shipped 2024 example
      bbt check budgets/2025 --strict
      bbt build -o output            # HTML and PDF of the example
      bbt utilisation --below 80     # which articles stayed under 80%?
    """


# -- findings output ------------------------------------------------------------------------

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def print_findings(findings: list[Finding], fmt: str = "text", show_info: bool = True) -> None:
    """Print findings grouped by file (text), as JSON, or as GitHub workflow annotations."""
    shown = [f for f in findings if show_info or f.severity > Severity.INFO]
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": f.code,
                        "severity": str(f.severity),
                        "file": f.location.file,
                        "line": f.location.line,
                        "message": f.message,
                    }
                    for f in shown
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if fmt == "github":
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
        for f in shown:
            line = f",line={f.location.line}" if f.location.line else ""
            message = f.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            click.echo(
                f"::{level[f.severity]} file={f.location.file}{line},title={f.code}::{message}"
            )
        return
    current = None
    for f in shown:
        if f.location.file != current:
            current = f.location.file
            click.secho(current, bold=True)
        where = f"{f.location}"
        tag = click.style(str(f.severity), fg=_COLOURS[f.severity])
        click.echo(f"  {where}: {tag}: {f.message} [{f.code}]")


def summary(result: Result) -> str:
    counts = {s: sum(1 for f in result.findings if f.severity is s) for s in Severity}
    return (
        f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} note(s)"
    )


# -- commands -------------------------------------------------------------------------------


@main.command()
@BUDGET
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--quiet", "-q", is_flag=True, help="Hide notes (info findings).")
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite literal numbers in the prose that equal a data figure into expressions.",
)
@click.option("--dry-run", is_flag=True, help="With --fix: show the diff, change nothing.")
def check(path: Path | None, fmt: str, strict: bool, quiet: bool, fix: bool, dry_run: bool) -> None:
    """Check the budget data and every number in the prose.

    Exit status: 0 without errors, 1 with errors (or with warnings under --strict),
    2 for usage errors.

    \b
    Examples:
      bbt check
      bbt check budgets/2024-sociale-economie --format github
      bbt check --fix --dry-run      # show how literal numbers would be bound
    """
    from bbt.pipeline import check as run_check

    budget = _path(path)
    from bbt.set import is_set

    if is_set(budget):  # a folder of budget folders: checked as one unit (docs/set.md)
        from bbt.set.cli import run_set_check

        sys.exit(run_set_check(budget, fmt, strict, quiet, fix))
    if fix:
        from bbt.checks.fix import fix_numbers

        result = run_check(budget)
        if result.calculation is None:
            print_findings(result.findings, fmt)
            sys.exit(1)
        changes = fix_numbers(result.calculation, write=not dry_run, echo=click.echo)
        click.echo(
            f"{changes} number(s) {'would be' if dry_run else 'were'} bound to the data", err=True
        )
    result = run_check(budget)
    print_findings(result.findings, fmt, show_info=not quiet)
    if fmt == "text":
        click.echo(summary(result), err=True)
    sys.exit(1 if result.failed(strict) else 0)


@main.command()
@BUDGET
@click.option(
    "--below",
    type=click.FloatRange(0, 1000),
    default=None,
    metavar="PCT",
    help="Only articles whose utilisation is below PCT.",
)  # float-ok: CLI threshold, compared after Decimal conversion
@click.option(
    "--credit",
    type=click.Choice(["vak", "vek"]),
    default=None,
    help="Only this credit type (default: both).",
)
def utilisation(path: Path | None, below: float | None, credit: str | None) -> None:  # float-ok
    """Utilisation (BU / BA-JR) per article, ISE and the programme.

    \b
    Examples:
      bbt utilisation
      bbt utilisation --below 80 --credit vek
    """
    from bbt.report import utilisation_table

    result = _calculated(path)
    threshold = None if below is None else _decimal(below)
    click.echo(utilisation_table(result, threshold, credit))


@main.command()
@BUDGET
def calc(path: Path | None) -> None:
    """Print the computed tables: programme summary, each ISE's budgettair kader, movements.

    \b
    Example:
      bbt calc
    """
    from bbt.report import calc_tables

    click.echo(calc_tables(_calculated(path)))


def _decimal(value: float) -> Decimal:  # float-ok: CLI input only
    return Decimal(str(value))


def _calculated(path: Path | None):  # type: ignore[no-untyped-def]
    from bbt.pipeline import check as run_check

    result = run_check(_path(path))
    if result.calculation is None:
        print_findings(result.findings)
        sys.exit(1)
    return result.calculation


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder for the HTML and PDF.",
)
@click.option(
    "--format", "formats", default="html,pdf", show_default=True, help="Comma-separated: html, pdf."
)
@click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Template folder (default: the shipped templates/).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Build this many documents at a time (separate processes).",
)
def build(
    paths: tuple[Path, ...], out_dir: Path, formats: str, templates: Path | None, jobs: int
) -> None:
    """Render the document as HTML and PDF.

    Nothing is written when the data has errors: the previous output stays as it was.
    With several documents a progress bar shows on a terminal (one line per document
    otherwise); -j builds several at a time.

    \b
    Examples:
      bbt build                       # the shipped 2024 example into output/
      bbt build budgets/2024-sociale-economie -o /tmp/preview --format html
      bbt build budgets/* -j 2        # every document, two at a time
    """
    from bbt.pipeline import DEFAULT_TEMPLATES, build_many
    from bbt.pipeline import build as run_build

    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = set(wanted) - {"html", "pdf"}
    if unknown or not wanted:
        raise click.BadParameter(
            f"unknown format(s): {', '.join(sorted(unknown)) or '(none)'}; use html and/or pdf",
            param_hint="--format",
        )
    budgets = list(paths or (DEFAULT_BUDGET,))
    template_dir = templates or DEFAULT_TEMPLATES
    from bbt.set import is_set

    if len(budgets) == 1 and is_set(budgets[0]):  # a set: documents, overview, open data
        from bbt.set.cli import run_set_build

        sys.exit(run_set_build(budgets[0], out_dir, wanted, template_dir, jobs))

    def report(budget: Path, result: Result) -> bool:
        problems = [f for f in result.findings if f.severity > Severity.INFO]
        if problems:
            print_findings(problems)
        if result.failed():
            click.secho(
                f"{budget}: build failed, nothing written ({summary(result)})", fg="red", err=True
            )
            return True
        for written in result.written:
            click.echo(f"wrote {written}")
        return False

    if len(budgets) == 1:  # one document: say what it is doing
        result = run_build(
            budgets[0], out_dir, wanted, template_dir, progress=_progress(budgets[0])
        )
        sys.exit(1 if report(budgets[0], result) else 0)

    failed: list[Path] = []
    if sys.stderr.isatty():
        with click.progressbar(
            length=len(budgets), label="Building", file=sys.stderr, show_pos=True
        ) as bar:

            def advance(budget: Path, result: Result) -> None:
                bar.label = f"Building ({budget.name})"
                bar.update(1)

            results = build_many(budgets, out_dir, wanted, template_dir, jobs, advance)
        for budget, result in zip(budgets, results, strict=True):
            if report(budget, result):
                failed.append(budget)
    else:
        done = 0

        def line(budget: Path, result: Result) -> None:
            nonlocal done
            done += 1
            if report(budget, result):
                failed.append(budget)
            state = "failed" if result.failed() else f"{len(result.written)} file(s)"
            click.echo(f"[{done}/{len(budgets)}] {budget}: {state}", err=True)

        build_many(budgets, out_dir, wanted, template_dir, jobs, line)
    sys.exit(1 if failed else 0)


def _register_subcommands() -> None:
    # Each group keeps its heavy imports (pandas, WeasyPrint) inside its commands.
    from bbt.contingent.cli import contingent
    from bbt.exchange.cli import COMMANDS
    from bbt.preview.cli import preview, serve

    main.add_command(contingent)
    for command in COMMANDS:
        main.add_command(command)
    main.add_command(preview)
    main.add_command(serve)


_register_subcommands()


def _progress(budget: Path) -> Callable[[str], None]:
    def report(message: str) -> None:
        click.echo(f"{budget.name}: {message}", err=True)

    return report


if __name__ == "__main__":  # pragma: no cover
    main()
