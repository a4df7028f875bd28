"""Findings and the small exception tree of bbt.

Every problem with user data is a :class:`Finding` with a stable code, a severity and a
location (``file:line``). Findings are collected and reported together; exceptions are only
used to stop a step that cannot go on (:class:`LoadError` carries all findings of the load).
"""

from __future__ import annotations

import enum
import os
from collections.abc import Iterable
from pathlib import Path

import msgspec


class Severity(enum.IntEnum):
    """How bad a finding is; ordering allows ``severity >= Severity.WARNING``."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    def __str__(self) -> str:
        return self.name.lower()


class Location(msgspec.Struct, frozen=True, order=True):
    """Where a fact came from.

    Attributes:
        file: path of the source file as given to the loader (relative paths stay relative).
        line: 1-based line number; 0 when the finding concerns the whole file or folder.
        column: 1-based column, 0 when unknown.
    """

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file

    @property
    def precise(self) -> str:
        """``file:line:column`` (what editors and CI jump to), shorter when unknown."""
        if self.line and self.column:
            return f"{self.file}:{self.line}:{self.column}"
        return str(self)

    def at_line(self, offset: int) -> Location:
        """The location ``offset`` lines further down the same file."""
        return Location(self.file, self.line + offset, 0)


UNKNOWN = Location("<unknown>")


class Finding(msgspec.Struct, frozen=True):
    """One problem (or remark) about the data.

    Attributes:
        code: stable identifier such as ``BBT004`` (documented in docs/findings.md).
        severity: error, warning or info.
        location: file and line the finding points at.
        message: one sentence that says what is wrong and what the data says instead.
    """

    code: str
    severity: Severity
    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message} [{self.code}]"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.file, self.location.line, self.location.column, self.code)


class BbtError(Exception):
    """Base class of every error bbt raises on purpose."""


class FindingsError(BbtError):
    """A step stopped; ``findings`` says where and why (every carrier of findings is one)."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


class LoadError(FindingsError):
    """The budget data could not be loaded; ``findings`` holds every problem found."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(sorted(findings, key=Finding.sort_key))


class RenderError(FindingsError):
    """A template, narrative or asset could not be rendered; ``findings`` says where."""


def did_you_mean(
    word: str,
    known: Iterable[str],
    otherwise: str = "",
    cutoff: float = 0.6,  # float-ok: a likeness, never money
) -> str:
    """``; did you mean 'odd'?`` for the closest of ``known`` to a mistyped ``word`` (at least
    ``cutoff`` alike, difflib's ratio), else ``otherwise`` (say, the list of what is known)."""
    import difflib  # only for a mistake: no run without one loads it

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else otherwise


def relpath(path: Path | str) -> str:
    """A path as users want to read it: relative to the working directory when inside it.

    Links are not followed: a message names the file the user wrote, never where a link
    points (a link out of a budget folder must not reveal its target).
    """
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.getcwd())
    except ValueError:  # another drive (Windows)
        return str(path)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return str(path)
    return relative
