"""Data in and out of a budget folder: spreadsheet import, open-data export, next year's
skeleton and a budget-aware diff (docs/exchange.md).

Every module here is light to import: pandas is imported inside the functions that read or
write spreadsheets, so ``bbt check`` (which imports the CLI) does not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bbt.errors import Finding, Location, Severity


@dataclass(frozen=True)
class Cell:
    """Where a value sits in a spreadsheet: file, 1-based row and column, and the header."""

    file: str
    row: int
    column: int
    header: str = ""

    @property
    def location(self) -> Location:
        return Location(self.file, self.row, self.column)


def error(code: str, where: Location | Cell, message: str) -> Finding:
    """An error finding of this package (codes BBT5xx, documented in docs/exchange.md)."""
    loc = where.location if isinstance(where, Cell) else where
    return Finding(code, Severity.ERROR, loc, message)


def format_finding(finding: Finding) -> str:
    """``file:row:column: message [BBT5xx]`` (row and column left out when unknown)."""
    loc = finding.location
    where = loc.file
    if loc.line:
        where += f":{loc.line}"
        if loc.column:
            where += f":{loc.column}"
    severity = "" if finding.severity is Severity.ERROR else f"{finding.severity}: "
    return f"{where}: {severity}{finding.message} [{finding.code}]"


class ExchangeError(Exception):
    """Input that cannot be imported, exported or compared; ``findings`` says why and where."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings, key=Finding.sort_key)
        super().__init__("\n".join(format_finding(f) for f in self.findings))


__all__ = ["Cell", "ExchangeError", "error", "format_finding"]
