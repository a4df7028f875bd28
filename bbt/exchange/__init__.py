"""Data in and out of a budget folder: spreadsheet import, open-data export, next year's
skeleton and a budget-aware diff (docs/exchange.md).

Every module here is light to import: openpyxl is imported inside the functions that read or
write workbooks, so ``bbt check`` (which imports the CLI) does not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bbt.errors import Finding, FindingsError, Location, Severity

if TYPE_CHECKING:
    from bbt.calculation import Calculation


@dataclass(frozen=True)
class Cell:
    """Where a value sits in a spreadsheet: file, 1-based row and column, and the header.

    In a JSON file ``row`` is the line of the record and ``column`` is 0 (no column).
    """

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


def warning(code: str, where: Location | Cell, message: str) -> Finding:
    """A warning finding of this package: reported, and the command goes on."""
    loc = where.location if isinstance(where, Cell) else where
    return Finding(code, Severity.WARNING, loc, message)


class ExchangeError(FindingsError):
    """Input that cannot be imported, exported or compared; ``findings`` says why and where."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(sorted(findings, key=Finding.sort_key))


class CheckFailed(ExchangeError):
    """The budget has errors (``bbt check``); a command that publishes or compares refuses it."""


def checked(path: Path, allow_errors: bool = False) -> tuple[Calculation, list[Finding]]:
    """Load, calculate and check a budget folder; return the calculation and its errors.

    Raises ExchangeError with the loader's findings when the folder does not load, and
    CheckFailed with the errors of ``bbt check`` unless ``allow_errors``.
    """
    from bbt.pipeline import check

    result = check(path)
    errors = [f for f in result.findings if f.severity is Severity.ERROR]
    if result.calculation is None:
        raise ExchangeError(errors or result.findings)
    if errors and not allow_errors:
        raise CheckFailed(errors)
    return result.calculation, errors


__all__ = [
    "Cell",
    "CheckFailed",
    "ExchangeError",
    "checked",
    "error",
    "warning",
]
