"""``bbt init``: a new, empty department budget that passes ``bbt check --strict`` and builds.

The starter is package data (``bbt/starter``): one ISE, one article, every narrative as a short
Dutch placeholder that starts with "Te vervangen", a glossary with the standard terms of the
tables, and figures that reconcile. Nothing of the shipped example is in it. The YAML files
carry ``$name`` fields (:class:`string.Template`) for the department, policy field, programme
and year; the Markdown is copied as it is.

The folder is written as a whole or not at all: into a staging folder beside the target that
is then renamed into place, or, for an existing empty folder (the current one, say), file by
file with everything removed again on a failure.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from bbt.errors import BbtError, relpath
from bbt.files import write_set

_PROGRAMME = re.compile(r"^[A-Z]{2}$")


class InitError(BbtError):
    """The starter cannot be written (a folder that is not empty, a bad option)."""


def _last_year() -> int:
    # An execution BBT explains the year that ended: in 2026 one writes the BBT over 2025.
    return datetime.date.today().year - 1


@dataclass(frozen=True)
class Starter:
    """What ``bbt init`` fills in.

    Attributes:
        department: the department that writes the document (title page, signature).
        policy_field: the beleidsveld; also the programme's title.
        programme: the two-letter programme code (``JE``), also in the article code.
        year: the budget year the document explains (default: last year).
    """

    department: str = "Nieuw departement"
    policy_field: str = "Nieuw beleidsveld"
    programme: str = "XX"
    year: int = field(default_factory=_last_year)

    @property
    def article_code(self) -> str:
        """The starter article: entity ``<letter>B0``, expenditure, split credit, ESR WT."""
        return f"{self.programme[0]}B0-1{self.programme}C2AA-WT"

    def fields(self) -> dict[str, str]:
        """The ``$name`` fields of the starter's YAML, each a valid YAML scalar."""
        quoted = {
            "title": f"Beleids- en begrotingstoelichting {self.policy_field}",
            "subtitle": f"Uitvoering begrotingsjaar {self.year}",
            "policy_field": self.policy_field,
            "department": self.department,
            "minister_role": f"Vlaams minister bevoegd voor {self.policy_field}",
            "programme": self.programme,
            "code": self.article_code,
        }
        # JSON strings are YAML double-quoted scalars: any name is safe, quotes included.
        out = {key: json.dumps(value, ensure_ascii=False) for key, value in quoted.items()}
        out["year"] = str(self.year)
        return out


def validate(starter: Starter) -> None:
    """Raise :class:`InitError` when an option cannot make a valid budget."""
    if not _PROGRAMME.match(starter.programme):
        raise InitError(
            f"programme code {starter.programme!r} must be two capital letters, such as JE"
        )
    if not 1900 <= starter.year <= 2999:
        raise InitError(f"year {starter.year} is not a budget year")
    for name, value in (("department", starter.department), ("policy field", starter.policy_field)):
        if not value.strip() or "\n" in value:
            raise InitError(f"the {name} must be one line of text")


def starter_files(starter: Starter) -> dict[str, bytes]:
    """The new budget folder in memory: relative path -> content."""
    validate(starter)
    fields = starter.fields()
    out: dict[str, bytes] = {}
    for relative, source in _walk(files("bbt").joinpath("starter"), ""):
        data = source.read_bytes()
        if relative.endswith(".yaml"):
            data = Template(data.decode("utf-8")).substitute(fields).encode("utf-8")
        if relative == "articles/ARTICLE.yaml":
            relative = f"articles/{starter.article_code}.yaml"
        out[relative] = data
    out[".gitignore"] = b"# what bbt build and bbt preview write\noutput/\npreview/\n"
    return dict(sorted(out.items()))


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in folder.iterdir():
        if entry.name.startswith((".", "__")):
            continue
        if entry.is_dir():
            found += _walk(entry, f"{prefix}{entry.name}/")
        else:
            found.append((f"{prefix}{entry.name}", entry))
    return found


def init_budget(target: Path, starter: Starter | None = None) -> list[Path]:
    """Write a new budget into ``target`` (missing or empty); return the files written.

    Raises :class:`InitError` when ``target`` is a file or a folder that is not empty, or
    cannot be written; nothing is left behind then.
    """
    content = starter_files(starter or Starter())
    if target.exists() and not target.is_dir():
        raise InitError(f"{relpath(target)} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise InitError(
            f"{relpath(target)} is not empty; bbt init writes only into a new or empty folder"
        )
    try:
        if target.is_dir():
            return _fill_empty(target, content)
        return _stage_and_rename(target, content)
    except OSError as exc:
        raise InitError(f"cannot write {relpath(target)}: {exc.strerror or exc}") from None


def _folders(root: Path, content: dict[str, bytes]) -> None:
    for relative in content:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)


def _stage_and_rename(target: Path, content: dict[str, bytes]) -> list[Path]:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        _folders(staging, content)
        write_set({staging / relative: data for relative, data in content.items()})
        os.chmod(staging, 0o755)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / relative for relative in content]


def _fill_empty(target: Path, content: dict[str, bytes]) -> list[Path]:
    # The folder may be the one the user stands in: it is filled, never replaced.
    try:
        _folders(target, content)
        return write_set({target / relative: data for relative, data in content.items()})
    except BaseException:
        for entry in target.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        raise


__all__ = ["InitError", "Starter", "init_budget", "starter_files", "validate"]
