"""What every command shares on the terminal: findings, colours, the budget argument.

Colour follows the conventions: none when ``NO_COLOR`` is set (https://no-color.org) or the
output is not a terminal (click strips it then).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from bbt.errors import Finding, Severity
from bbt.findings import format_findings, summary

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def colour() -> bool:
    """Whether to colour output: not when ``NO_COLOR`` is set to anything."""
    return "NO_COLOR" not in os.environ


def _style(text: str, severity: Severity | None) -> str:
    if not colour():
        return text
    if severity is None:
        return click.style(text, bold=True)
    return click.style(text, fg=_COLOURS[severity])


def echo_findings(
    findings: Sequence[Finding], fmt: str = "text", show_info: bool = True, err: bool = False
) -> None:
    """Print findings as text (grouped by file), JSON or GitHub workflow annotations."""
    shown = [f for f in findings if show_info or f.severity > Severity.INFO]
    if fmt == "json" or shown:
        click.echo(format_findings(shown, fmt, _style), err=err)


def say(message: str, severity: Severity | None = Severity.ERROR) -> None:
    """One line for people on stderr, coloured by severity."""
    click.echo(_style(message, severity) if severity else message, err=True)


def fail(findings: Sequence[Finding], what: str) -> NoReturn:
    """Print the findings and ``what`` (e.g. ``nothing written``) and exit with 1."""
    echo_findings(findings, err=True)
    say(f"{what} ({summary(findings)})")
    sys.exit(1)


def budget_argument(function: Callable[..., Any]) -> Callable[..., Any]:
    """The optional PATH argument of a command that reads one budget folder."""
    return click.argument("path", required=False, type=click.Path(path_type=Path), default=None)(
        function
    )


def templates_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--templates",
        type=click.Path(path_type=Path, file_okay=False),
        default=None,
        help="Template folder (default: the templates shipped with bbt).",
    )(function)


BUDGET_MARKERS = ("bbt.yaml", "set.yaml")
"""A folder holding one of these is a budget (``bbt.yaml``) or a set of budgets (``set.yaml``)."""


def find_budget(start: Path | None = None) -> Path | None:
    """The nearest folder, from ``start`` (the current folder) upwards, that holds a budget.

    Returned relative to ``start`` (``.``, ``..``, ``../..``), so that findings name files the
    way the user sees them from where they stand. None when no folder up to the root holds one.
    """
    here = Path.cwd() if start is None else start
    for up, folder in enumerate([here, *here.resolve().parents]):
        if any((folder / marker).is_file() for marker in BUDGET_MARKERS):
            return Path(*([".."] * up)) if up else Path(".")
    return None


def output_option(default: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``-o/--output`` FOLDER, the same for every command that writes a folder of files.

    A file in the way is the command's own finding (BBT307), not a usage error.
    """
    return click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(path_type=Path),
        default=Path(default),
        show_default=True,
        help=help,
    )


def csv_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--csv FILE``: figures read from a CSV file instead of the register."""
    return click.option(
        "--csv",
        "csv_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=help,
    )


def choice_option(
    *names: str, choices: list[str], help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """One of ``choices``, the first by default (shown in --help)."""
    return click.option(
        *names, type=click.Choice(choices), default=choices[0], show_default=True, help=help
    )


def path_option(*names: str, help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An optional file or folder (None when not given)."""
    return click.option(*names, type=click.Path(path_type=Path), default=None, help=help)


def text_option(
    name: str, default: str, help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A text option with a shown default."""
    return click.option(name, default=default, show_default=True, help=help)


def default_budget(path: Path | None, announce: bool = True, example: bool = True) -> Path:
    """PATH as given; else the budget of the current folder (or a parent); else the example.

    Falling back on the shipped example says so in one line on stderr (``announce``), except
    where output must stay machine-readable (``--format json|github``: pass False). Without
    ``example`` (a hook, CI) finding no budget is a usage error: checking the example instead
    would pass without checking anything of the user's.
    """
    if path is not None:
        return path
    found = find_budget()
    if found is not None:
        return found
    if not example:
        raise click.UsageError("no bbt.yaml in this folder or above it: name the budget folder")
    from bbt.resources import EXAMPLE, EXAMPLE_NAME

    if announce:
        say(
            f"no bbt.yaml in this folder or above it: using the shipped example {EXAMPLE_NAME} "
            "(bbt init FOLDER starts a budget of your own)",
            None,
        )
    return EXAMPLE


__all__ = [
    "BUDGET_MARKERS",
    "budget_argument",
    "choice_option",
    "colour",
    "csv_option",
    "default_budget",
    "echo_findings",
    "fail",
    "find_budget",
    "output_option",
    "path_option",
    "say",
    "summary",
    "templates_option",
    "text_option",
]
