"""``bbt diff``: what changed between two versions of a budget, in budget terms.

Not a line diff of YAML: per article the figures that changed (old, new, difference and the
utilisation before and after), articles and movements added or removed, ISE and programme
totals that moved, and which narrative sections were edited. The report is GitHub-flavoured
Markdown (fit for a pull request comment) or a standalone HTML page; both are rendered from
the same :class:`Report`.

Two versions are two folders, or two git revisions of one folder (:func:`git_checkout`
extracts a revision with ``git archive`` into a temporary folder).
"""

from __future__ import annotations

import difflib
import html
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bbt.calc import Calculation, Figures, Percent, calculate
from bbt.errors import Location, relpath
from bbt.exchange import ExchangeError, error
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES, Article, Movement

Row = tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One section of the report: a heading, an optional sentence, and a table."""

    title: str
    headers: Row
    rows: tuple[Row, ...]
    numeric: frozenset[int] = frozenset()
    note: str = ""


@dataclass(frozen=True)
class Report:
    """The change report: a title, one summary line, and the sections that have changes."""

    title: str
    old_label: str
    new_label: str
    summary: str
    sections: tuple[Table, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.sections


def load_calc(path: Path) -> Calculation:
    """Load and calculate a budget folder; raise ExchangeError with the loader's findings."""
    from bbt.load.budget import load_with_findings

    document, findings = load_with_findings(path)
    if document is None:
        raise ExchangeError(findings)
    return calculate(document)


# -- formatting ------------------------------------------------------------------------------


def _amount(value: Decimal | None) -> str:
    from bbt.render.filters import bedrag

    return "–" if value is None else bedrag(value)


def _signed(value: Decimal) -> str:
    from bbt.render.filters import bedrag

    return ("+" if value > 0 else "") + bedrag(value)


def _percent(value: Percent | None) -> str:
    from bbt.render.filters import procent

    return "–" if value is None else procent(value)


def _amounts(movement: Movement | None) -> str:
    if movement is None:
        return "–"
    return ", ".join(f"{CREDIT_LABELS[c]} {_signed(v)}" for c, v in movement.amounts.items())


# -- comparing ------------------------------------------------------------------------------


def _article_name(article: Article) -> str:
    return f"{article.code.text} {article.title}"


def _figure_rows(old: Calculation, new: Calculation) -> list[Row]:
    rows: list[Row] = []
    for code, after in new.articles.items():
        before = old.articles.get(code)
        if before is None:
            continue
        for credit in after.article.credit_types:
            s_old = before.article.credits.get(credit)
            s_new = after.article.credits.get(credit)
            f_old, f_new = before.credits[credit], after.credits[credit]
            for phase in PHASES:
                v_old = s_old.get(phase) if s_old else None
                v_new = s_new.get(phase) if s_new else None
                if v_old == v_new:
                    continue
                difference = (v_new or Decimal(0)) - (v_old or Decimal(0))
                rows.append(
                    (
                        _article_name(after.article),
                        CREDIT_LABELS[credit],
                        PHASE_LABELS[phase],
                        _amount(v_old),
                        _amount(v_new),
                        _signed(difference),
                        _percent(f_old.benutting),
                        _percent(f_new.benutting),
                    )
                )
    return rows


def _article_rows(a: Calculation, b: Calculation) -> list[Row]:
    """Articles in ``b`` and not in ``a``, with their BA-JR and BU."""
    rows: list[Row] = []
    for code, calc in b.articles.items():
        if code in a.articles:
            continue
        article = calc.article
        figures = "; ".join(
            f"{CREDIT_LABELS[c]} BA-JR {_amount(f.ba_jr)}, BU {_amount(f.bu)}"
            for c, f in calc.credits.items()
            if c in article.credits
        )
        rows.append((article.code.text, article.title, article.ise, figures))
    return rows


def _movement_key(movement: Movement) -> tuple[str, ...]:
    if movement.id:
        return ("id", movement.id)
    return ("counterpart", movement.direction, movement.counterpart, movement.reason)


def _movement_label(movement: Movement) -> str:
    direction = "from" if movement.direction == "from" else "to"
    name = f"{movement.id}: " if movement.id else ""
    return f"{name}{direction} {movement.counterpart}"


def _movement_rows(old: Calculation, new: Calculation) -> list[Row]:
    rows: list[Row] = []
    codes = [*new.articles, *(c for c in old.articles if c not in new.articles)]
    for code in codes:
        before = old.articles.get(code)
        after = new.articles.get(code)
        m_old = {_movement_key(m): m for m in (before.article.movements if before else ())}
        m_new = {_movement_key(m): m for m in (after.article.movements if after else ())}
        for key in [*m_new, *(k for k in m_old if k not in m_new)]:
            a, b = m_old.get(key), m_new.get(key)
            if a is not None and b is not None:
                if (a.amounts, a.direction, a.counterpart) == (
                    b.amounts,
                    b.direction,
                    b.counterpart,
                ):
                    continue
                status = "changed"
            else:
                status = "added" if a is None else "removed"
            shown = b or a
            assert shown is not None
            rows.append((code, status, _movement_label(shown), _amounts(a), _amounts(b)))
    return rows


def _total_rows(scope: str, old: dict[str, Figures], new: dict[str, Figures]) -> list[Row]:
    rows: list[Row] = []
    for credit in [*new, *(c for c in old if c not in new)]:
        f_old, f_new = old.get(credit), new.get(credit)
        for phase in PHASES:
            v_old = f_old.get(phase) if f_old else None
            v_new = f_new.get(phase) if f_new else None
            if v_old == v_new:
                continue
            difference = (v_new or Decimal(0)) - (v_old or Decimal(0))
            rows.append(
                (
                    scope,
                    CREDIT_LABELS[credit],
                    PHASE_LABELS[phase],
                    _amount(v_old),
                    _amount(v_new),
                    _signed(difference),
                )
            )
    return rows


def _ise_totals(calc: Calculation) -> dict[str, tuple[str, dict[str, Figures]]]:
    out = {}
    for i in calc.ises:
        figures = dict(i.computed)
        figures.update({c: f for c, f in i.receipts.items() if any(f.get(p) for p in PHASES)})
        out[i.ise.key] = (i.ise.title, figures)
    return out


def _in_folder(calc: Calculation, file: str) -> str:
    """A file's path inside the budget folder (stable across temporary git checkouts)."""
    try:
        return Path(file).resolve().relative_to(calc.document.root.resolve()).as_posix()
    except ValueError:
        return file


def _narrative_rows(old: Calculation, new: Calculation) -> list[Row]:
    from bbt.render.narrative import pieces

    before = {p.key: p.narrative.source for p in pieces(old)}
    after = {p.key: p.narrative.source for p in pieces(new)}
    locations = {p.key: _in_folder(new, p.narrative.loc.file) for p in pieces(new)}
    for p in pieces(old):
        locations.setdefault(p.key, _in_folder(old, p.narrative.loc.file))
    rows: list[Row] = []
    for key in [*after, *(k for k in before if k not in after)]:
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        status = "added" if not a.strip() else "removed" if not b.strip() else "changed"
        plus = minus = 0
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0):
            if line.startswith("+") and not line.startswith("+++"):
                plus += 1
            elif line.startswith("-") and not line.startswith("---"):
                minus += 1
        rows.append((key, status, f"+{plus} −{minus}", locations[key]))
    return rows


def compare(old: Calculation, new: Calculation, old_label: str, new_label: str) -> Report:
    """Everything that changed from ``old`` to ``new``."""
    sections: list[Table] = []
    amounts = frozenset({3, 4, 5, 6, 7})
    figures = _figure_rows(old, new)
    if figures:
        sections.append(
            Table(
                "Figures",
                (
                    "Article",
                    "Credit",
                    "Phase",
                    "Old",
                    "New",
                    "Difference",
                    "Utilisation before",
                    "Utilisation after",
                ),
                tuple(figures),
                amounts,
                "Utilisation is BU / BA-JR of the article and credit type (keuro).",
            )
        )
    added = _article_rows(old, new)
    if added:
        sections.append(
            Table("Articles added", ("Article", "Title", "ISE", "Figures"), tuple(added))
        )
    removed = _article_rows(new, old)
    if removed:
        sections.append(
            Table("Articles removed", ("Article", "Title", "ISE", "Figures"), tuple(removed))
        )
    movements = _movement_rows(old, new)
    if movements:
        sections.append(
            Table(
                "Movements",
                ("Article", "Change", "Movement", "Old amounts", "New amounts"),
                tuple(movements),
            )
        )
    old_ises, new_ises = _ise_totals(old), _ise_totals(new)
    ise_rows: list[Row] = []
    for key in [*new_ises, *(k for k in old_ises if k not in new_ises)]:
        title = (new_ises.get(key) or old_ises[key])[0]
        ise_rows += _total_rows(
            title, old_ises.get(key, ("", {}))[1], new_ises.get(key, ("", {}))[1]
        )
    total_headers = ("Total", "Credit", "Phase", "Old", "New", "Difference")
    if ise_rows:
        sections.append(
            Table(
                "ISE totals",
                total_headers,
                tuple(ise_rows),
                frozenset({3, 4, 5}),
                "Exact sums of the article figures (published totals are not applied).",
            )
        )
    programme = _total_rows(
        f"Programme {new.document.programme_code}", old.programme_computed, new.programme_computed
    )
    if programme:
        sections.append(
            Table("Programme totals", total_headers, tuple(programme), frozenset({3, 4, 5}))
        )
    narratives = _narrative_rows(old, new)
    if narratives:
        sections.append(
            Table("Narrative", ("Section", "Change", "Lines", "File"), tuple(narratives))
        )
    counts = [
        f"{len(figures)} figure(s) changed in {len({r[0] for r in figures})} article(s)",
        f"{len(added)} article(s) added",
        f"{len(removed)} removed",
        f"{len(movements)} movement change(s)",
        f"{len(narratives)} narrative section(s) edited",
    ]
    if old.document.year != new.document.year:
        counts.insert(0, f"year {old.document.year} → {new.document.year}")
    doc = new.document
    return Report(
        title=f"{doc.title} {doc.year}",
        old_label=old_label,
        new_label=new_label,
        summary="; ".join(counts) + ".",
        sections=tuple(sections),
    )


# -- rendering ------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    """GitHub-flavoured Markdown, fit for a pull request comment."""
    out = [
        f"## Budget changes: {report.title}",
        "",
        f"`{report.old_label}` → `{report.new_label}`: {report.summary}",
    ]
    if report.empty:
        out += ["", "No changes in figures, articles, movements, totals or narrative."]
    for table in report.sections:
        out += ["", f"### {table.title}", ""]
        if table.note:
            out += [table.note, ""]
        out.append("| " + " | ".join(table.headers) + " |")
        out.append(
            "|"
            + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.headers)))
            + "|"
        )
        for row in table.rows:
            out.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return "\n".join(out) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
"""


def to_html(report: Report) -> str:
    """A standalone HTML page with the same content as :func:`to_markdown`."""
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Budget changes: {e(report.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Budget changes: {e(report.title)}</h1>",
        f"<p><code>{e(report.old_label)}</code> → <code>{e(report.new_label)}</code>: "
        f"{e(report.summary)}</p>",
    ]
    if report.empty:
        out.append("<p>No changes in figures, articles, movements, totals or narrative.</p>")
    for table in report.sections:
        out.append(f"<h2>{e(table.title)}</h2>")
        if table.note:
            out.append(f"<p>{e(table.note)}</p>")
        out.append("<table><thead><tr>")
        for i, header in enumerate(table.headers):
            cls = ' class="num"' if i in table.numeric else ""
            out.append(f"<th{cls}>{e(header)}</th>")
        out.append("</tr></thead><tbody>")
        for row in table.rows:
            cells = "".join(
                f"<td{' class=num' if i in table.numeric else ''}>{e(c)}</td>"
                for i, c in enumerate(row)
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# -- git ------------------------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise ExchangeError(
            [error("BBT530", Location(relpath(cwd)), "git is not installed")]
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExchangeError(
            [
                error(
                    "BBT530",
                    Location(relpath(cwd)),
                    f"git {args[0]}: {message[-1] if message else 'failed'}",
                )
            ]
        )
    return done.stdout


@contextmanager
def git_checkout(rev: str, folder: Path) -> Iterator[Path]:
    """The budget folder as it was at ``rev``, extracted into a temporary folder."""
    where = Location(relpath(folder))
    if rev.startswith("-") or not rev.strip():
        raise ExchangeError([error("BBT530", where, f"{rev!r} is not a git revision")])
    start = folder if folder.is_dir() else folder.parent
    if not start.is_dir():
        raise ExchangeError([error("BBT530", where, "the folder does not exist")])
    top = Path(_git(["rev-parse", "--show-toplevel"], start).decode().strip())
    relative = folder.resolve().relative_to(top.resolve()).as_posix()
    try:
        sha = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).decode().strip()
    except ExchangeError:
        sha = ""
    if not sha:
        raise ExchangeError([error("BBT530", where, f"unknown git revision {rev!r}")])
    try:
        data = _git(["archive", "--format=tar", sha, "--", relative], top)
    except ExchangeError:
        raise ExchangeError(
            [error("BBT530", where, f"{relative} does not exist at revision {rev}")]
        ) from None
    with tempfile.TemporaryDirectory(prefix="bbt-diff-") as temp:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(temp, filter="data")
        yield Path(temp) / relative


def diff_folders(old: Path, new: Path, old_label: str = "", new_label: str = "") -> Report:
    """Load both folders and compare them; raise ExchangeError when either cannot be loaded."""
    problems = []
    calcs = []
    for path in (old, new):
        try:
            calcs.append(load_calc(path))
        except ExchangeError as exc:
            problems.extend(exc.findings)
    if problems:
        raise ExchangeError(problems)
    return compare(calcs[0], calcs[1], old_label or relpath(old), new_label or relpath(new))


def diff_git(rev_old: str, rev_new: str, folder: Path) -> Report:
    """Compare two git revisions of one budget folder."""
    name = relpath(folder)
    with git_checkout(rev_old, folder) as old, git_checkout(rev_new, folder) as new:
        report = diff_folders(old, new, f"{rev_old}:{name}", f"{rev_new}:{name}")
    return report
