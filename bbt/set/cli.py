"""``bbt check SET`` and ``bbt build SET``: what the CLI runs when its path is a set.

``bbt check`` and ``bbt build`` hand a set over through the extension hooks ``check_path`` and
``build_path`` (bbt.extension), so all of the set's logic lives in this package. Findings print as for one document;
a per-document report follows on standard error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bbt.console import echo_findings
from bbt.errors import Finding, Severity, relpath
from bbt.pipeline import BuildOptions, Result
from bbt.set.run import DocumentReport, SetResult, build_set, check_set


def _counts(findings: list[Finding]) -> dict[Severity, int]:
    return {s: sum(1 for f in findings if f.severity is s) for s in Severity}


def report_table(result: SetResult, built: bool = False) -> str:
    """Per document: errors, warnings, notes (and what was written); then the set's own line."""
    rows = [("document", "errors", "warnings", "notes", "output" if built else "")]
    for report in result.documents:
        rows.append(
            (relpath(report.member.path), *_cells(report.result.findings), _output(report, built))
        )
    rows.append(
        ("set (set.yaml, cross-document)", *_cells(result.findings), _set_output(result, built))
    )
    width = max(len(r[0]) for r in rows)
    lines = [
        f"{name:<{width}}  {e:>6}  {w:>8}  {n:>5}  {out}".rstrip() for name, e, w, n, out in rows
    ]
    totals = _counts(result.all_findings())
    failed = sum(1 for r in result.documents if r.result.failed())
    lines.append(
        f"{len(result.documents)} document(s), {failed} with errors; "
        f"{totals[Severity.ERROR]} error(s), {totals[Severity.WARNING]} warning(s), "
        f"{totals[Severity.INFO]} note(s)"
    )
    return "\n".join(lines)


def _cells(findings: list[Finding]) -> tuple[str, str, str]:
    counts = _counts(findings)
    return str(counts[Severity.ERROR]), str(counts[Severity.WARNING]), str(counts[Severity.INFO])


def _output(report: DocumentReport, built: bool) -> str:
    if not built:
        return ""
    if report.result.failed():
        return "not built"
    names = ", ".join(p.name for p in report.result.written)
    pages = f" ({report.pages} pages)" if report.pages is not None else ""
    return names + pages


def _set_output(result: SetResult, built: bool) -> str:
    if not built:
        return ""
    if not result.written:
        return "no overview (the set has errors)" if result.failed() else "no overview"
    return ", ".join(relpath(p) for p in result.written)


def run_set_check(
    path: Path, fmt: str = "text", strict: bool = False, quiet: bool = False, fix: bool = False
) -> int:
    """``bbt check SET``: every document's findings, the set's, a per-document report; exit code."""
    if fix:
        raise click.UsageError(
            "--fix rewrites the prose of one budget folder; run it on each document of the set"
        )
    result = check_set(path)
    echo_findings(result.all_findings(), fmt, show_info=not quiet)
    if fmt == "text":
        click.echo(report_table(result), err=True)
    return 1 if result.failed(strict) else 0


def run_set_build(path: Path, options: BuildOptions) -> int:
    """``bbt build SET``: each document (``options.jobs`` at a time), then the overview and data."""
    total = _document_count(path)
    done = 0
    if sys.stderr.isatty() and total:
        with click.progressbar(
            length=total, label="Building", file=sys.stderr, show_pos=True
        ) as bar:

            def advance(budget: Path, _result: Result) -> None:
                bar.label = f"Building ({budget.name})"
                bar.update(1)

            result = build_set(path, options, advance)
    else:

        def line(budget: Path, result: Result) -> None:
            nonlocal done
            done += 1
            state = "not built" if result.failed() else f"{len(result.written)} file(s)"
            click.echo(f"[{done}/{total}] {relpath(budget)}: {state}", err=True)

        result = build_set(path, options, line)
    echo_findings([f for f in result.all_findings() if f.severity > Severity.INFO])
    for written in (p for d in result.documents for p in d.result.written):
        click.echo(f"wrote {relpath(written)}")
    for written in result.written:
        click.echo(f"wrote {relpath(written)}")
    click.echo(report_table(result, built=True), err=True)
    return 1 if result.failed() else 0


def _document_count(path: Path) -> int:
    from bbt.set.load import load_set

    budget_set, _findings = load_set(path)
    return len(budget_set.members) if budget_set else 0


def check_path(path: Path, fmt: str, strict: bool, quiet: bool, fix: bool) -> int | None:
    """``bbt check PATH`` when PATH is a set (None otherwise): the exit status."""
    from bbt.set.load import is_set

    return run_set_check(path, fmt, strict, quiet, fix) if is_set(path) else None


def build_path(path: Path, options: BuildOptions) -> int | None:
    """``bbt build PATH`` when PATH is a set (None otherwise): the exit status."""
    from bbt.set.load import is_set

    return run_set_build(path, options) if is_set(path) else None
