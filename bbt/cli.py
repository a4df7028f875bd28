"""The ``bbt`` command: a thin layer over :mod:`bbt.pipeline` and friends.

Messages to the user are English; the document itself is Dutch.
"""

from __future__ import annotations

import dataclasses
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bbt import __version__
from bbt.console import (
    budget_argument,
    choice_option,
    default_budget,
    echo_findings,
    output_option,
    say,
    summary,
    templates_option,
    text_option,
)
from bbt.errors import Severity, relpath

if TYPE_CHECKING:
    from bbt.calculation import Calculation
    from bbt.pipeline import BuildOptions, Result


class _Main(click.Group):
    """The ``bbt`` group: its own commands and those of the installed extensions.

    Extension commands (contingent, import/export, preview ...) are found through the
    ``commands`` hook (bbt.extension) only when asked for, so ``bbt check`` loads none.
    Usage errors exit with 2, data errors with 1, never a traceback for a user mistake.
    """

    _extensions: dict[str, click.Command] | None = None

    def _extension_commands(self) -> dict[str, click.Command]:
        if self._extensions is None:
            from bbt.extension import hooks

            self._extensions = {
                command.name or "": command
                for _extension, make in hooks("commands")
                for command in make()
            }
        return self._extensions

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._extension_commands()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._extension_commands().get(name)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bbt")
def main() -> None:
    """bbt: the Beleids- en begrotingstoelichting from budget data.

    Validate the YAML budget data, compute utilisation and totals, and render the Dutch
    document. Without PATH a command uses the budget of the current folder (the nearest
    bbt.yaml here or above); elsewhere the shipped example (the BBT Sociale Economie 2024),
    and it says so on stderr.

    \b
    Examples:
      bbt check                      # the budget here, or the shipped example
      bbt check my-budget --strict   # warnings fail too
      bbt build                      # HTML and PDF into ./output
      bbt utilisation --below 80     # which articles stayed under 80%?
      bbt init my-budget             # start a budget of your own
    """


# -- commands -------------------------------------------------------------------------------


class _DecimalType(click.ParamType):  # type: ignore[type-arg]
    """A number read exactly (never a float): ``80``, ``92.5``."""

    name = "number"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        try:
            number = Decimal(str(value).replace(",", "."))
        except ArithmeticError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


@main.command()
@budget_argument
@choice_option(
    "--format",
    "fmt",
    choices=["text", "json", "github"],
    help="text for people, json for tools (docs/findings.md), github for workflow annotations.",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--quiet", "-q", is_flag=True, help="Hide notes (info findings).")
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite literal numbers in the prose that equal a data figure into expressions.",
)
@click.option("--dry-run", is_flag=True, help="With --fix: show the diff, change nothing.")
@click.option(
    "--no-example",
    is_flag=True,
    help="Without PATH and with no bbt.yaml here or above: fail (exit 2) instead of checking "
    "the shipped example (for hooks and CI).",
)
def check(
    path: Path | None,
    fmt: str,
    strict: bool,
    quiet: bool,
    fix: bool,
    dry_run: bool,
    no_example: bool,
) -> None:
    """Check the budget data and every number in the prose.

    Exit status: 0 without errors, 1 with errors (or with warnings under --strict),
    2 for usage errors.

    \b
    Examples:
      bbt check                      # the budget here, or the shipped example
      bbt check --format github
      bbt check --fix --dry-run      # show how literal numbers would be bound
    """
    from bbt.pipeline import check as run_check

    # json and github stay parseable: no announcement of the example on stderr
    budget = default_budget(path, announce=fmt == "text", example=not no_example)
    _hand_over("check_path", budget, fmt, strict, quiet, fix)
    result = run_check(budget)
    if fix and result.outline is not None:
        from bbt.checks.fix import fix_numbers

        changes = fix_numbers(result.outline, write=not dry_run, echo=click.echo)
        verb = "would be" if dry_run else "were"
        say(f"{changes} number(s) {verb} bound to the data", None)
        if not dry_run and changes:
            result = run_check(budget)
    echo_findings(result.findings, fmt, show_info=not quiet)
    if fmt == "text":
        say(summary(result.findings), None)
    sys.exit(1 if result.failed(strict) else 0)


@main.command()
@budget_argument
@click.option(
    "--below",
    type=_DecimalType(),
    default=None,
    metavar="PCT",
    help="Only articles whose utilisation is below PCT.",
)
@click.option(
    "--credit",
    type=click.Choice(["vak", "vek"]),
    default=None,
    help="Only this credit type (default: both).",
)
def utilisation(path: Path | None, below: Decimal | None, credit: str | None) -> None:
    """Utilisation (BU / BA-JR) per article, ISE and the programme.

    \b
    Examples:
      bbt utilisation
      bbt utilisation --below 80 --credit vek
    """
    from bbt.report import utilisation_table

    click.echo(utilisation_table(_calculated(path), below, credit))


@main.command()
@budget_argument
def calc(path: Path | None) -> None:
    """Print the computed tables: programme summary, each ISE's budgettair kader, movements.

    \b
    Example:
      bbt calc
    """
    from bbt.report import calc_tables

    click.echo(calc_tables(_calculated(path)))


@main.command()
@click.argument(
    "folder", required=False, default=Path("."), type=click.Path(path_type=Path, file_okay=False)
)
@text_option("--department", "Nieuw departement", "The department that writes the document.")
@text_option(
    "--policy-field",
    "Nieuw beleidsveld",
    "The policy field (beleidsveld); also the programme's title.",
)
@text_option(
    "--programme", "XX", "Two-letter programme code; the starter article's code is built from it."
)
@click.option(
    "--year",
    type=click.IntRange(1900, 2999),
    default=None,
    help="The budget year the document explains.  [default: last year]",
)
def init(
    folder: Path, department: str, policy_field: str, programme: str, year: int | None
) -> None:
    """Start a new, empty budget in FOLDER (default: the current folder).

    Writes one ISE, one article, every narrative as a short placeholder that starts with
    "Te vervangen", a glossary with the standard terms, and figures that reconcile: it
    passes 'bbt check --strict' and builds as it is. FOLDER must be new or empty.
    To start next year's budget from this year's, use 'bbt new'.

    \b
    Examples:
      bbt init mijn-begroting
      bbt init mobiliteit --department "Departement Mobiliteit en Openbare Werken" --policy-field Mobiliteit --programme MB --year 2024
    """
    from bbt.init import InitError, Starter, init_budget

    starter = Starter(department, policy_field, programme.upper())
    if year is not None:
        starter = dataclasses.replace(starter, year=year)
    try:
        written = init_budget(folder, starter)
    except InitError as exc:
        raise click.ClickException(str(exc)) from None
    where = relpath(folder)
    click.echo(f"wrote {where}: {len(written)} files, a {starter.year} budget")
    step = "" if where == "." else f"cd {where} && "
    click.echo(f"next: {step}bbt check --strict && bbt build")


def _hand_over(hook: str, path: Path, *options: object) -> None:
    """Let an extension take over a folder of its own kind (a set of budgets); exit if it does.

    A budget folder is the core's own: no extension is imported to be asked about it.
    """
    from bbt.load.budget import DOCUMENT_FILE

    if (path / DOCUMENT_FILE).is_file():
        return
    from bbt.extension import hooks

    for _extension, run in hooks(hook):
        status = run(path, *options)
        if status is not None:
            sys.exit(status)


def _calculated(path: Path | None) -> Calculation:
    """The checked calculation of PATH; its errors end the command (exit 1)."""
    from bbt.pipeline import check as run_check

    budget = default_budget(path)
    result = run_check(budget)
    if result.calculation is None or result.failed():
        echo_findings([f for f in result.findings if f.severity > Severity.INFO], err=True)
        say(f"{budget}: the data has errors ({summary(result.findings)})")
        sys.exit(1)
    return result.calculation


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@output_option("output", "Folder for the HTML and PDF.")
@click.option(
    "--format", "formats", default="html,pdf", show_default=True, help="Comma-separated: html, pdf."
)
@templates_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Build this many documents at a time (separate processes).",
)
@click.option(
    "--draft",
    is_flag=True,
    help="Build even when texts are still drafts; such a document is stamped ONTWERP.",
)
def build(
    paths: tuple[Path, ...],
    out_dir: Path,
    formats: str,
    templates: Path | None,
    jobs: int,
    draft: bool,
) -> None:
    """Render the document as HTML and PDF.

    Nothing is written when the data has errors: the previous output stays as it was.
    A document whose texts are still drafts (from bbt new) is built only with --draft,
    stamped ONTWERP. With several documents a progress bar shows on a terminal (one line
    per document otherwise); -j builds several at a time.

    \b
    Examples:
      bbt build                       # the budget here (or the example) into ./output
      bbt build -o output/html-only --format html
      bbt build dept-a dept-b -j 2    # several documents, two at a time
    """
    from bbt.pipeline import DEFAULT_TEMPLATES, BuildOptions

    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    unknown = set(wanted) - {"html", "pdf"}
    if unknown or not wanted:
        raise click.BadParameter(
            f"unknown format(s): {', '.join(sorted(unknown)) or '(none)'}; use html and/or pdf",
            param_hint="--format",
        )
    budgets = list(paths) or [default_budget(None)]
    options = BuildOptions(out_dir, wanted, templates or DEFAULT_TEMPLATES, jobs, draft)
    if len(budgets) == 1:
        _hand_over("build_path", budgets[0], options)
        _build_one(budgets[0], options)
    _build_many(budgets, options)


def _report(budget: Path, result: Result) -> bool:
    """Print what a build found and wrote; True when it failed."""
    problems = [f for f in result.findings if f.severity > Severity.INFO]
    echo_findings(problems)
    if result.failed():
        say(f"{budget}: build failed, nothing written ({summary(result.findings)})")
        return True
    for written in result.written:
        click.echo(f"wrote {written}")
    return False


def _build_one(budget: Path, options: BuildOptions) -> None:
    from bbt.pipeline import build as run_build

    def progress(message: str) -> None:
        say(f"{budget.resolve().name}: {message}", None)

    result = run_build(
        budget,
        options.out_dir,
        options.formats,
        options.templates,
        progress=progress,
        draft=options.draft,
    )
    sys.exit(1 if _report(budget, result) else 0)


def _build_many(budgets: list[Path], options: BuildOptions) -> None:
    """Several documents: a progress bar on a terminal, one line per document otherwise."""
    from bbt.pipeline import build_documents

    failed: list[Path] = []
    if sys.stderr.isatty():
        with click.progressbar(
            length=len(budgets), label="Building", file=sys.stderr, show_pos=True
        ) as bar:

            def advance(budget: Path, _result: Result) -> None:
                bar.label = f"Building ({budget.name})"
                bar.update(1)

            results = build_documents(budgets, options, advance)
        failed = [b for b, r in zip(budgets, results, strict=True) if _report(b, r)]
    else:
        done = 0

        def line(budget: Path, result: Result) -> None:
            nonlocal done
            done += 1
            if _report(budget, result):
                failed.append(budget)
            state = "failed" if result.failed() else f"{len(result.written)} file(s)"
            say(f"[{done}/{len(budgets)}] {budget}: {state}", None)

        build_documents(budgets, options, line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
