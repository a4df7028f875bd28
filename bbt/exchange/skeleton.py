"""``bbt new``: next year's budget folder, started from this year's.

What carries over and what does not (docs/exchange.md, "bbt new"):

* kept: every file and its comments; the articles (code, title, ISE, OD, credit types), the
  ISEs, objectives, glossary, annexes, indicators and the contingent register;
* cleared: every figure of an article (BA, BA-JR and BU: last year's BA is not next year's),
  movements, accruals and the cited ``figures``; published totals and provision draws; ``stamp`` and ``date``.
  Last year's figures stay as a comment above ``credits`` as a hint;
* changed: ``year``; the old year in ``subtitle``;
* marked: every narrative the document renders gets a first line
  ``{# draft: tekst van <old year>, herschrijven #}``, which ``bbt check`` reports (BBT130)
  until the writer removes it.

The new folder is built in a temporary folder beside the target, loaded to make sure it
reads, and only then renamed into place: on any problem nothing is left behind.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bbt.errors import Finding, Location, relpath
from bbt.exchange import ExchangeError, error
from bbt.exchange.yamledit import dump, plain_amount, yaml_for
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES

_MD_REF = re.compile(r"^[\w./-]+\.md$")


def draft_marker(old_year: int) -> str:
    return f"{{# draft: tekst van {old_year}, herschrijven #}}"


@dataclass(frozen=True)
class Skeleton:
    """Next year's folder in memory: relative path -> bytes, and what was done."""

    files: dict[str, bytes]
    drafts: int
    articles: int
    old_year: int
    new_year: int


def default_target(source: Path, year: int, old_year: int) -> Path:
    """``budgets/2024-sociale-economie`` -> ``budgets/2025-sociale-economie``."""
    name = source.resolve().name
    if str(old_year) in name:
        return source.resolve().parent / name.replace(str(old_year), str(year), 1)
    return source.resolve().parent / f"{name}-{year}"


class _Drafts:
    """Marks narratives: Markdown files (by reference) and inline texts."""

    def __init__(self, root: Path, marker: str) -> None:
        self.root = root
        self.marker = marker
        self.files: set[str] = set()
        self.count = 0

    def mark(self, parent: Any, key: Any) -> None:
        from ruamel.yaml.scalarstring import LiteralScalarString

        value = parent.get(key) if isinstance(parent, dict) else parent[key]
        if not isinstance(value, str) or not value.strip():
            return
        text = value.strip()
        if "\n" not in text and _MD_REF.match(text):
            path = (self.root / text).resolve()
            if path.is_file() and path.is_relative_to(self.root.resolve()):
                self.files.add(path.relative_to(self.root.resolve()).as_posix())
                self.count += 1
            return
        body = value if value.endswith("\n") else value + "\n"
        parent[key] = LiteralScalarString(f"{self.marker}\n{body}")
        self.count += 1


def _each(data: Any, key: str) -> Iterator[Any]:
    items = data.get(key) if isinstance(data, dict) else None
    if isinstance(items, list):
        yield from (i for i in items if isinstance(i, dict))


def _document(data: Any, drafts: _Drafts, old_year: int, year: int) -> None:
    data["year"] = year
    subtitle = data.get("subtitle")
    if isinstance(subtitle, str) and str(old_year) in subtitle:
        data["subtitle"] = subtitle.replace(str(old_year), str(year))
    # Last year's stamp, date, published totals and provision draws do not carry over.
    for key in ("stamp", "date", "published", "provisions"):
        if key in data:
            del data[key]
    chapters = data.get("chapters")
    if isinstance(chapters, dict):
        for key in list(chapters):
            drafts.mark(chapters, key)
    for sd in _each(data, "sds"):
        drafts.mark(sd, "text")


def _ise(data: Any, drafts: _Drafts, old_year: int, year: int) -> None:
    if "published" in data:
        del data["published"]
    drafts.mark(data, "strategy")
    for od in _each(data, "ods"):
        drafts.mark(od, "text")
    drafts.mark(data, "kader")


def _article(data: Any, drafts: _Drafts, old_year: int, year: int) -> None:
    from ruamel.yaml.comments import CommentedMap

    credits = data.get("credits")
    if isinstance(credits, CommentedMap):
        hints = []
        for credit, series in credits.items():
            if not isinstance(series, dict):
                continue
            values = ", ".join(
                f"{PHASE_LABELS[p]} {plain_amount(_decimal(series[p]))}"
                for p in PHASES
                if p in series and series[p] is not None
            )
            if values:
                hints.append(f"{CREDIT_LABELS.get(str(credit), credit)} {values}")
            for phase in list(series):
                del series[phase]
        if hints:
            data.yaml_set_comment_before_after_key(
                "credits", before=f"{old_year}: " + "; ".join(hints)
            )
    for key in ("movements", "accruals", "figures"):
        if key in data:
            del data[key]
    drafts.mark(data, "korte_inhoud")
    drafts.mark(data, "toelichting")


def _decimal(value: Any) -> Any:
    from decimal import Decimal

    from bbt.money import parse_amount

    try:
        return parse_amount(str(value))
    except ValueError:
        return Decimal(0)


def _annexes(data: Any, drafts: _Drafts, old_year: int, year: int) -> None:
    for resolution in _each(data, "resoluties"):
        drafts.mark(resolution, "text")


def _indicators(data: Any, drafts: _Drafts, old_year: int, year: int) -> None:
    for card in data if isinstance(data, list) else []:
        if isinstance(card, dict):
            drafts.mark(card, "definition")
            drafts.mark(card, "source")


_Editor = Callable[[Any, _Drafts, int, int], None]


def _editor(relative: str) -> _Editor | None:
    if relative == "bbt.yaml":
        return _document
    if relative.startswith("ises/") and relative.endswith(".yaml"):
        return _ise
    if relative.startswith("articles/") and relative.endswith(".yaml"):
        return _article
    if relative == "annexes.yaml":
        return _annexes
    if relative == "indicators.yaml":
        return _indicators
    return None


def build_skeleton(source: Path, year: int) -> Skeleton:
    """Compute next year's folder from ``source`` in memory; raise ExchangeError on problems."""
    from bbt.load.budget import load_with_findings

    document, findings = load_with_findings(source)
    if document is None:
        raise ExchangeError(findings)
    old_year = document.year
    if year <= old_year:
        raise ExchangeError(
            [
                error(
                    "BBT520",
                    Location(relpath(source / "bbt.yaml")),
                    f"the new year {year} must come after the source's year {old_year}",
                )
            ]
        )
    drafts = _Drafts(source, draft_marker(old_year))
    files: dict[str, bytes] = {}
    problems: list[Finding] = []
    root = source.resolve()
    yaml_order = ["bbt.yaml", "annexes.yaml", "indicators.yaml"]
    paths = sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
    # YAML first: it decides which Markdown files are narratives.
    paths.sort(
        key=lambda p: (p.suffix != ".yaml", p.relative_to(root).as_posix() not in yaml_order)
    )
    for path in paths:
        relative = path.relative_to(root).as_posix()
        editor = _editor(relative)
        if editor is None:
            files[relative] = path.read_bytes()
            continue
        try:
            yaml, data = yaml_for(path.read_text(encoding="utf-8"))
        except Exception as exc:  # ruamel's YAMLError; the loader accepted it, so unlikely
            problems.append(error("BBT521", Location(relpath(path)), f"cannot edit: {exc}"))
            continue
        if data is not None:
            editor(data, drafts, old_year, year)
        files[relative] = dump(yaml, data).encode("utf-8")
    if problems:
        raise ExchangeError(problems)
    for relative in drafts.files:
        text = files[relative].decode("utf-8")
        files[relative] = f"{drafts.marker}\n{text}".encode()
    articles = sum(1 for r in files if r.startswith("articles/") and r.endswith(".yaml"))
    return Skeleton(files, drafts.count, articles, old_year, year)


def write_skeleton(skeleton: Skeleton, target: Path) -> Path:
    """Write the folder beside ``target``, check that it loads, then rename it into place.

    Raises ExchangeError (and leaves nothing behind) when the result does not load.
    """
    from bbt.load.budget import load_with_findings
    from bbt.pipeline import write_atomic

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for relative, data in skeleton.files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        document, findings = load_with_findings(staging)
        if document is None:
            raise ExchangeError(findings)
        os.chmod(staging, 0o755)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
