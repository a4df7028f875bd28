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
  until the writer removes it;
* neutralised: an expression that cites data the skeleton removed (``{{ mv.index_apr24.vak }}``,
  ``{{ accruals.vak }}``) becomes a visible placeholder ``[[invullen: mv.index_apr24.vak]]``,
  so every narrative of the skeleton renders and the writer sees what to fill in.

The source is checked first (``bbt check``). The new folder is built in memory, loaded from a
private temporary folder to find the expressions to neutralise, then written into a folder
beside the target and renamed into place: on any problem nothing is left behind.
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

from bbt.calculation import Calculation
from bbt.errors import Finding, LoadError, Location, relpath
from bbt.exchange import ExchangeError, checked, error
from bbt.exchange.yamledit import dump, plain_amount, yaml_for
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES, Narrative

_MD_REF = re.compile(r"^[\w./-]+\.md$")


def draft_marker(old_year: int) -> str:
    return f"{{# draft: tekst van {old_year}, herschrijven #}}"


@dataclass(frozen=True)
class Skeleton:
    """Next year's folder in memory, and what was done.

    Attributes:
        files: relative path -> content.
        drafts: narratives marked as drafts.
        articles: article files (their figures cleared).
        old_year / new_year: the source's year and the skeleton's.
        placeholders: expressions replaced by ``[[invullen: ...]]``.
        errors: the source's errors, when it was allowed to have them.
    """

    files: dict[str, bytes]
    drafts: int
    articles: int
    old_year: int
    new_year: int
    placeholders: int = 0
    errors: tuple[Finding, ...] = ()


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


def _source_files(root: Path) -> tuple[list[Path], list[Finding]]:
    """The regular files of the source folder, YAML first (it decides which Markdown files
    are narratives); a symbolic link is refused: nothing outside the folder is copied."""
    findings: list[Finding] = []
    paths: list[Path] = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            findings.append(
                error(
                    "BBT522",
                    Location(relpath(path)),
                    "a symbolic link in the source folder; bbt new copies regular files only",
                )
            )
        elif path.is_file() and not path.name.startswith("."):
            paths.append(path)
    yaml_order = ["bbt.yaml", "annexes.yaml", "indicators.yaml"]
    paths.sort(
        key=lambda p: (p.suffix != ".yaml", p.relative_to(root).as_posix() not in yaml_order)
    )
    return paths, findings


def build_skeleton(source: Path, year: int, allow_errors: bool = False) -> Skeleton:
    """Compute next year's folder from ``source`` in memory; raise ExchangeError on problems.

    The source is checked first (``bbt check``): with errors it is refused unless
    ``allow_errors``. Expressions that cite data the skeleton removes become placeholders
    (:func:`neutralise`).
    """
    calculation, errors = checked(source, allow_errors)
    old_year = calculation.document.year
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
    root = source.resolve()
    drafts = _Drafts(root, draft_marker(old_year))
    files: dict[str, bytes] = {}
    paths, problems = _source_files(root)
    for path in paths:
        relative = path.relative_to(root).as_posix()
        editor = _editor(relative)
        if editor is None:
            files[relative] = path.read_bytes()
            continue
        try:
            yaml, data = yaml_for(path.read_text(encoding="utf-8-sig"))
        except Exception as exc:  # ruamel's YAMLError; the loader accepted it, so unlikely
            problems.append(error("BBT521", Location(relpath(path)), f"cannot edit: {exc}"))
            continue
        if data is not None:
            editor(data, drafts, old_year, year)
        files[relative] = dump(yaml, data).encode("utf-8")
    if problems:
        raise ExchangeError(problems)
    for relative in drafts.files:
        text = files[relative].decode("utf-8-sig")
        files[relative] = f"{drafts.marker}\n{text}".encode()
    placeholders = neutralise(files)
    articles = sum(1 for r in files if r.startswith("articles/") and r.endswith(".yaml"))
    return Skeleton(files, drafts.count, articles, old_year, year, placeholders, tuple(errors))


# -- expressions that cite removed data ------------------------------------------------------

_EXPRESSION = re.compile(r"\{\{-?(?P<body>.*?)-?\}\}", re.S)
_STATEMENT = re.compile(r"\{%-?(?P<body>.*?)-?%\}", re.S)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*{}<>|])")


def placeholder(expression: str) -> str:
    """``[[invullen: mv.index_apr24.vak]]``: visible in the document, not Jinja, and safe in
    Markdown (a table cell too): the characters Markdown or Jinja would read are escaped."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(expression.split()))
    return f"[[invullen: {text}]]"


def _renders(source: str, context: dict[str, object]) -> bool:
    from bbt.narrative import NarrativeError, expand

    try:
        expand(Narrative(source), context)
    except NarrativeError:
        return False
    return True


def neutralise_text(source: str, context: dict[str, object]) -> tuple[str, int]:
    """``source`` with every expression that does not evaluate in ``context`` replaced by a
    :func:`placeholder`; when statements (``{% ... %}``) still fail, every expression and
    statement of the text is replaced. Returns the text and the number of replacements."""
    if _renders(source, context):
        return source, 0
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if _renders(match.group(0), context):
            return match.group(0)
        count += 1
        return placeholder(match.group("body"))

    text = _EXPRESSION.sub(replace, source)
    if _renders(text, context):
        return text, count
    every = _EXPRESSION.findall(text) + _STATEMENT.findall(text)
    text = _STATEMENT.sub(lambda m: placeholder(m.group("body")), text)
    text = _EXPRESSION.sub(lambda m: placeholder(m.group("body")), text)
    return text, count + len(every)


def neutralise(files: dict[str, bytes]) -> int:
    """Replace, in ``files`` (the skeleton in memory), every expression of a narrative that
    cannot evaluate against the skeleton's own data; return how many were replaced.

    The skeleton is loaded from a private temporary folder and every narrative is tried in
    the context the document renders it in (:meth:`bbt.outline.Outline.texts`).
    """
    from bbt.calculation import calculate
    from bbt.load.budget import load
    from bbt.outline import outline_of

    with tempfile.TemporaryDirectory(prefix="bbt-new-") as temp:
        root = Path(temp)
        for relative, data in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            calculation = calculate(load(root))
        except LoadError as exc:
            raise ExchangeError(exc.findings) from None
        count = 0
        for piece in outline_of(calculation).texts():
            if not piece.narrative:
                continue
            path = Path(piece.narrative.loc.file).resolve()
            relative = path.relative_to(root.resolve()).as_posix()
            count += _neutralise_in(files, relative, piece.narrative.source, piece.context)
        count += _neutralise_indicators(files, calculation)
    return count


def _neutralise_in(
    files: dict[str, bytes], relative: str, source: str, context: dict[str, object]
) -> int:
    """Neutralise one narrative: a whole Markdown file, or an inline text inside YAML."""
    text, count = neutralise_text(source, context)
    if not count:
        return 0
    if not relative.endswith((".yaml", ".yml")):
        current = files[relative].decode("utf-8")
        files[relative] = current.replace(source, text, 1).encode("utf-8")
        return count
    yaml, data = yaml_for(files[relative].decode("utf-8"))
    _replace_string(data, source, text)
    files[relative] = dump(yaml, data).encode("utf-8")
    return count


def _replace_string(node: Any, old: str, new: str) -> None:
    """Replace every string equal to ``old`` in a round-trip YAML tree (keeping block style)."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    keys = (
        range(len(node)) if isinstance(node, list) else list(node) if isinstance(node, dict) else []
    )
    for key in keys:
        value = node[key]
        if isinstance(value, str) and value.strip() == old.strip():
            node[key] = LiteralScalarString(new) if "\n" in new else type(value)(new)
        else:
            _replace_string(value, old, new)


def _neutralise_indicators(files: dict[str, bytes], calculation: Calculation) -> int:
    """An indicator's measurement may be an expression too (``{{ contingent... }}``)."""
    from bbt.outline import outline_of

    if "indicators.yaml" not in files:
        return 0
    context = outline_of(calculation).context
    count = 0
    for indicator in calculation.document.indicators:
        for value in indicator.values:
            count += _neutralise_in(files, "indicators.yaml", value, context) if "{" in value else 0
    return count


def write_skeleton(skeleton: Skeleton, target: Path) -> Path:
    """Write the folder beside ``target`` and rename it into place: all of it, or nothing.

    Raises ExchangeError (BBT515) when the target is a file or a folder that is not empty,
    or the folder cannot be written; nothing is left behind then.
    """
    from bbt.exchange.files import write_files

    where = Location(relpath(target))
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "a folder that is not empty" if target.is_dir() else "a file"
        raise ExchangeError([error("BBT515", where, f"{relpath(target)} is {what}")])
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        write_files({staging / relative: data for relative, data in skeleton.files.items()})
        os.chmod(staging, 0o755)
        if target.is_dir():
            target.rmdir()  # empty: the staging folder takes its place
        os.rename(staging, target)
    except ExchangeError:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise ExchangeError(
            [error("BBT515", where, f"cannot write {relpath(target)}: {exc.strerror or exc}")]
        ) from None
    return target
