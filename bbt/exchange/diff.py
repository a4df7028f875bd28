"""``bbt diff``: what changed between two versions of a budget, in budget terms.

Not a line diff of YAML: per article the figures that changed (old, new, difference and the
utilisation before and after), articles, movements, accruals and cited figures added, removed
or changed, provisions and published totals, ISE and programme totals that moved, article
titles, ISEs and ODs, the glossary, indicators, contingent fill rates, and which narrative
sections were edited: every figure and text the document prints. The report is GitHub-flavoured
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from bbt.calculation import Calculation, Figures
from bbt.errors import Finding, Location, relpath
from bbt.exchange import CheckFailed, ExchangeError, checked, error
from bbt.model import CREDIT_LABELS, PHASE_LABELS, PHASES, Article, Movement
from bbt.money import Percent

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
    """The change report: a title, one summary line, and the sections that have changes.

    ``errors`` are the errors ``bbt check`` found in the versions, when they were allowed.
    """

    title: str
    old_label: str
    new_label: str
    summary: str
    sections: tuple[Table, ...] = field(default_factory=tuple)
    errors: tuple[Finding, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.sections


# -- formatting ------------------------------------------------------------------------------


def _amount(value: Decimal | None) -> str:
    from bbt.format import bedrag

    return "–" if value is None else bedrag(value)


def _signed(value: Decimal) -> str:
    from bbt.format import bedrag

    return ("+" if value > 0 else "") + bedrag(value)


def _percent(value: Percent | None) -> str:
    from bbt.format import procent

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
            utilisation = (_percent(f_old.benutting), _percent(f_new.benutting))
            for change in _phase_changes(s_old, s_new):
                rows.append(
                    (_article_name(after.article), CREDIT_LABELS[credit], *change, *utilisation)
                )
    return rows


class _Phased(Protocol):
    def get(self, phase: str) -> Decimal | None: ...


def _phase_changes(old: _Phased | None, new: _Phased | None) -> Iterator[Row]:
    """Per phase (BA, BA-JR, BU) that differs: its label, old, new and the difference."""
    for phase in PHASES:
        v_old = old.get(phase) if old else None
        v_new = new.get(phase) if new else None
        if v_old == v_new:
            continue
        difference = (v_new or Decimal(0)) - (v_old or Decimal(0))
        yield (PHASE_LABELS[phase], _amount(v_old), _amount(v_new), _signed(difference))


def _article_rows(a: Calculation, b: Calculation) -> list[Row]:
    """Articles in ``b`` and not in ``a``, with their BA-JR and BU."""
    rows: list[Row] = []
    for code, calculation in b.articles.items():
        if code in a.articles:
            continue
        article = calculation.article
        figures = "; ".join(
            f"{CREDIT_LABELS[c]} BA-JR {_amount(f.ba_jr)}, BU {_amount(f.bu)}"
            for c, f in calculation.credits.items()
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
        for change in _phase_changes(old.get(credit), new.get(credit)):
            rows.append((scope, CREDIT_LABELS[credit], *change))
    return rows


def _ise_totals(calculation: Calculation) -> dict[str, tuple[str, dict[str, Figures]]]:
    out = {}
    for i in calculation.ises:
        figures = dict(i.computed)
        figures.update({c: f for c, f in i.receipts.items() if any(f.get(p) for p in PHASES)})
        out[i.ise.key] = (i.ise.title, figures)
    return out


def _in_folder(calculation: Calculation, file: str) -> str:
    """A file's path inside the budget folder (stable across temporary git checkouts)."""
    try:
        return Path(file).resolve().relative_to(calculation.document.root.resolve()).as_posix()
    except ValueError:
        return file


def _narrative_rows(old: Calculation, new: Calculation) -> list[Row]:
    from bbt.outline import outline_of

    old_texts, new_texts = list(outline_of(old).texts()), list(outline_of(new).texts())
    before = {p.key: p.narrative.source for p in old_texts}
    after = {p.key: p.narrative.source for p in new_texts}
    locations = {p.key: _in_folder(new, p.narrative.loc.file) for p in new_texts}
    for p in old_texts:
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


def _value_rows(
    old: dict[tuple[str, ...], Decimal], new: dict[tuple[str, ...], Decimal]
) -> list[Row]:
    """Rows ``(*key, old, new, difference)`` for the keys whose amount changed."""
    rows: list[Row] = []
    for key in [*new, *(k for k in old if k not in new)]:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        difference = (after or Decimal(0)) - (before or Decimal(0))
        rows.append((*key, _amount(before), _amount(after), _signed(difference)))
    return rows


def _accruals(calculation: Calculation) -> dict[tuple[str, ...], Decimal]:
    return {
        (code, CREDIT_LABELS[credit]): amount
        for code, a in calculation.articles.items()
        for credit, amount in a.article.accruals.items()
    }


def _cited(calculation: Calculation) -> dict[tuple[str, ...], Decimal]:
    """The further figures the articles' texts cite (``figures.<name>``), by credit type."""
    out: dict[tuple[str, ...], Decimal] = {}
    for code, a in calculation.articles.items():
        for name, figure in a.article.figures.items():
            for credit, amount in figure.amounts.items():
                out[(code, name, CREDIT_LABELS.get(credit, "–"))] = amount
    return out


def _provisions(calculation: Calculation) -> dict[tuple[str, ...], Decimal]:
    return {
        (code, CREDIT_LABELS.get(credit, credit)): amount
        for code, credits in calculation.document.provisions.items()
        for credit, (amount, _loc) in credits.items()
    }


def _published(calculation: Calculation) -> dict[tuple[str, ...], Decimal]:
    """Totals as published (where they differ from the exact sums): programme and ISEs."""
    doc = calculation.document
    scopes = [(f"Programme {doc.programme_code}", doc.published)]
    scopes += [(ise.title, ise.published) for ise in doc.ises]
    return {
        (scope, CREDIT_LABELS[credit], PHASE_LABELS[phase]): amount
        for scope, published in scopes
        for (credit, phase), amount in published.amounts.items()
    }


def _text_rows(old: dict[tuple[str, ...], str], new: dict[tuple[str, ...], str]) -> list[Row]:
    """Rows ``(*key, old, new)`` for texts that changed, appeared or disappeared."""
    rows: list[Row] = []
    for key in [*new, *(k for k in old if k not in new)]:
        before, after = old.get(key, "–"), new.get(key, "–")
        if before != after:
            rows.append((*key, before, after))
    return rows


def _article_details(calculation: Calculation) -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for code, a in calculation.articles.items():
        out[(code, "title")] = a.article.title
        out[(code, "ISE")] = a.article.ise
        out[(code, "OD")] = a.article.od or "–"
    return out


def _glossary(calculation: Calculation) -> dict[tuple[str, ...], str]:
    """Abbreviations by term (a term may have two meanings: LO)."""
    out: dict[tuple[str, ...], str] = {}
    for entry in calculation.document.glossary:
        key = (entry.term,)
        out[key] = f"{out[key]}; {entry.meaning}" if key in out else entry.meaning
    return out


def _indicators(calculation: Calculation) -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for indicator in calculation.document.indicators:
        out[(indicator.id, "measurement")] = ", ".join(indicator.values)
        out[(indicator.id, "target")] = indicator.target
    return out


def _contingents(calculation: Calculation) -> dict[tuple[str, ...], str]:
    """Fill rates of the contingent register, as the narrative cites them."""
    from bbt.format import getal, procent
    from bbt.outline import outline_of

    contingent = outline_of(calculation).context.get("contingent", {})
    assert isinstance(contingent, dict)
    out: dict[tuple[str, ...], str] = {}
    for measure, periods in contingent.items():
        for period, rate in periods.items():
            filled, allocated, percent = rate["filled"], rate["allocated"], rate["percent"]
            assert isinstance(filled, Decimal) and isinstance(allocated, Decimal)
            assert isinstance(percent, Percent | Decimal)
            out[(measure, period)] = f"{getal(filled)} / {getal(allocated)} = {procent(percent)}"
    return out


_TOTAL_HEADERS = ("Total", "Credit", "Phase", "Old", "New", "Difference")


@dataclass(frozen=True)
class _Section:
    """One section of the report after Figures and Articles.

    Attributes:
        noun: what the summary line counts (empty: not counted).
        title / headers / numeric / note: as in :class:`Table`.
        rows: the rows from the old and the new calculation.
    """

    noun: str
    title: str
    headers: Row
    rows: Callable[[Calculation, Calculation], list[Row]]
    numeric: frozenset[int] = frozenset()
    note: str = ""


def _changed(
    extract: Callable[[Calculation], dict[tuple[str, ...], Decimal]],
) -> Callable[[Calculation, Calculation], list[Row]]:
    return lambda old, new: _value_rows(extract(old), extract(new))


def _edited(
    extract: Callable[[Calculation], dict[tuple[str, ...], str]],
) -> Callable[[Calculation, Calculation], list[Row]]:
    return lambda old, new: _text_rows(extract(old), extract(new))


def _programme_rows(old: Calculation, new: Calculation) -> list[Row]:
    scope = f"Programme {new.document.programme_code}"
    return _total_rows(scope, old.programme_computed, new.programme_computed)


_MONEY_3 = frozenset({2, 3, 4})
_MONEY_4 = frozenset({3, 4, 5})
SECTIONS = (
    _Section(
        "movement change(s)",
        "Movements",
        ("Article", "Change", "Movement", "Old amounts", "New amounts"),
        _movement_rows,
    ),
    _Section(
        "accrual change(s)",
        "Accruals",
        ("Article", "Credit", "Old", "New", "Difference"),
        _changed(_accruals),
        _MONEY_3,
        "Amounts booked on the overlopende rekening (keuro).",
    ),
    _Section(
        "cited figure change(s)",
        "Cited figures",
        ("Article", "Figure", "Credit", "Old", "New", "Difference"),
        _changed(_cited),
        _MONEY_4,
    ),
    _Section(
        "provision change(s)",
        "Provisions",
        ("Provision", "Credit", "Old", "New", "Difference"),
        _changed(_provisions),
        _MONEY_3,
        "Declared totals drawn from central provisions (keuro).",
    ),
    _Section(
        "published total change(s)",
        "Published totals",
        _TOTAL_HEADERS,
        _changed(_published),
        _MONEY_4,
        "Totals as the document prints them, where they differ from the exact sums.",
    ),
    _Section(
        "",
        "ISE totals",
        _TOTAL_HEADERS,
        lambda old, new: _ise_total_rows(old, new),
        _MONEY_4,
        "Exact sums of the article figures (published totals have their own section).",
    ),
    _Section("", "Programme totals", _TOTAL_HEADERS, _programme_rows, _MONEY_4),
    _Section(
        "article detail change(s)",
        "Article details",
        ("Article", "Field", "Old", "New"),
        _edited(_article_details),
    ),
    _Section(
        "glossary change(s)",
        "Glossary",
        ("Term", "Old meaning", "New meaning"),
        _edited(_glossary),
    ),
    _Section(
        "indicator change(s)",
        "Indicators",
        ("Indicator", "Field", "Old", "New"),
        _edited(_indicators),
    ),
    _Section(
        "contingent change(s)",
        "Contingents",
        ("Measure", "Period", "Old fill", "New fill"),
        _edited(_contingents),
    ),
    _Section(
        "narrative section(s) edited",
        "Narrative",
        ("Section", "Change", "Lines", "File"),
        lambda old, new: _narrative_rows(old, new),
    ),
)
"""The sections after Figures and Articles, in report order."""


def _table(
    title: str,
    headers: Row,
    rows: list[Row],
    numeric: frozenset[int] = frozenset(),
    note: str = "",
) -> Table | None:
    return Table(title, headers, tuple(rows), numeric, note) if rows else None


def _ise_total_rows(old: Calculation, new: Calculation) -> list[Row]:
    old_ises, new_ises = _ise_totals(old), _ise_totals(new)
    rows: list[Row] = []
    for key in [*new_ises, *(k for k in old_ises if k not in new_ises)]:
        title = (new_ises.get(key) or old_ises[key])[0]
        rows += _total_rows(title, old_ises.get(key, ("", {}))[1], new_ises.get(key, ("", {}))[1])
    return rows


def compare(old: Calculation, new: Calculation, old_label: str, new_label: str) -> Report:
    """Everything that changed from ``old`` to ``new``."""
    sections: list[Table] = []
    figures = _figure_rows(old, new)
    figure_headers = ("Article", "Credit", "Phase", "Old", "New", "Difference")
    utilisation = ("Utilisation before", "Utilisation after")
    note = "Utilisation is BU / BA-JR of the article and credit type (keuro)."
    if figures:
        sections.append(
            Table(
                "Figures",
                (*figure_headers, *utilisation),
                tuple(figures),
                frozenset({3, 4, 5, 6, 7}),
                note,
            )
        )
    added, removed = _article_rows(old, new), _article_rows(new, old)
    article_headers = ("Article", "Title", "ISE", "Figures")
    sections += [
        t
        for t in (
            _table("Articles added", article_headers, added),
            _table("Articles removed", article_headers, removed),
        )
        if t
    ]
    counts = [
        f"{len(figures)} figure(s) changed in {len({r[0] for r in figures})} article(s)",
        f"{len(added)} article(s) added",
        f"{len(removed)} removed",
    ]
    for section in SECTIONS:
        rows = section.rows(old, new)
        always = section.noun in ("movement change(s)", "narrative section(s) edited")
        if section.noun and (rows or always):
            counts.append(f"{len(rows)} {section.noun}")
        if rows:
            sections.append(
                Table(section.title, section.headers, tuple(rows), section.numeric, section.note)
            )
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
    """A standalone HTML page with the same content as :func:`to_markdown`.

    Accessible as the document is (axe-core, tests/test_a11y.py): the title in a header
    landmark, the report in ``main``, header cells scoped to their columns, a wide table
    scrolling inside a named region the keyboard can reach.
    """
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Budget changes: {e(report.title)}</title>",
        f"<style>{_CSS}.table-scroll {{ overflow-x: auto; }}\n"
        ".table-scroll:focus-visible { outline: 2px solid #0b4f8a; }\n</style></head><body>",
        f"<header><h1>Budget changes: {e(report.title)}</h1>",
        f"<p><code>{e(report.old_label)}</code> → <code>{e(report.new_label)}</code>: "
        f"{e(report.summary)}</p></header>",
        "<main>",
    ]
    if report.empty:
        out.append("<p>No changes in figures, articles, movements, totals or narrative.</p>")
    for n, table in enumerate(report.sections, start=1):
        out.append(f"<h2>{e(table.title)}</h2>")
        if table.note:
            out.append(f"<p>{e(table.note)}</p>")
        out.append(
            f'<div class="table-scroll" role="region" aria-label="{e(table.title)} ({n})" '
            'tabindex="0"><table><thead><tr>'
        )
        for i, header in enumerate(table.headers):
            cls = ' class="num"' if i in table.numeric else ""
            out.append(f'<th scope="col"{cls}>{e(header)}</th>')
        out.append("</tr></thead><tbody>")
        for row in table.rows:
            cells = "".join(
                f"<td{' class=num' if i in table.numeric else ''}>{e(c)}</td>"
                for i, c in enumerate(row)
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table></div>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


# -- git ------------------------------------------------------------------------------------

MAX_CHECKOUT_BYTES = 256 * 1024 * 1024
"""A revision's budget folder is never larger: refuse before extracting anything."""


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


def _tree_problems(top: Path, sha: str, relative: str, where: Location, rev: str) -> list[Finding]:
    """What a revision's folder holds that bbt will not extract: links, submodules, bulk.

    ``git ls-tree`` lists modes and sizes before anything is extracted: a committed symbolic
    link (to ``/etc/passwd``, to itself, out of the folder) or a submodule is refused, and so
    is a folder larger than :data:`MAX_CHECKOUT_BYTES`.
    """
    listing = _git(["ls-tree", "-r", "-l", "-z", "--full-tree", sha, "--", relative or "."], top)
    problems: list[Finding] = []
    total = 0
    for entry in filter(None, listing.split(b"\0")):
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, object_id, size = meta.split()
        path = raw_path.decode("utf-8", "replace")
        if mode == b"120000":
            target = _git(["cat-file", "blob", object_id.decode()], top)[:200]
            shown = target.decode("utf-8", "replace").encode("unicode_escape").decode()
            problems.append(
                error(
                    "BBT531",
                    where,
                    f"{path} is a symbolic link (to {shown}) at revision {rev}; bbt diff reads "
                    "regular files only, never through a link",
                )
            )
        elif kind != b"blob":
            problems.append(
                error("BBT531", where, f"{path} is a {kind.decode()} at revision {rev}, not a file")
            )
        else:
            total += int(size)
    if total > MAX_CHECKOUT_BYTES:
        problems.append(
            error(
                "BBT531",
                where,
                f"the folder holds {total // (1024 * 1024)} MB at revision {rev}, above the limit "
                f"of {MAX_CHECKOUT_BYTES // (1024 * 1024)} MB",
            )
        )
    return problems


def _revision(rev: str, folder: Path) -> tuple[Path, str, str]:
    """The repository top, the folder inside it, and the commit of ``rev``."""
    where = Location(relpath(folder))
    if rev.startswith("-") or not rev.strip():
        raise ExchangeError([error("BBT530", where, f"{rev!r} is not a git revision")])
    start = folder if folder.is_dir() else folder.parent
    if not start.is_dir():
        raise ExchangeError([error("BBT530", where, "the folder does not exist")])
    top = Path(_git(["rev-parse", "--show-toplevel"], start).decode().strip())
    try:
        relative = folder.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        raise ExchangeError(
            [error("BBT530", where, f"{relpath(folder)} is not inside the repository {top}")]
        ) from None
    try:
        sha = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top).decode().strip()
    except ExchangeError:
        sha = ""
    if not sha:
        raise ExchangeError([error("BBT530", where, f"unknown git revision {rev!r}")])
    return top, "" if relative == "." else relative, sha


@contextmanager
def git_checkout(rev: str, folder: Path) -> Iterator[Path]:
    """The budget folder as it was at ``rev``, extracted into a temporary folder.

    Only regular files are extracted (see :func:`_tree_problems`); the archive is unpacked
    with tarfile's ``data`` filter on top, so nothing lands outside the temporary folder.
    """
    where = Location(relpath(folder))
    top, relative, sha = _revision(rev, folder)
    problems = _tree_problems(top, sha, relative, where, rev)
    if problems:
        raise ExchangeError(problems)
    try:
        data = _git(["archive", "--format=tar", sha, "--", relative or "."], top)
    except ExchangeError:
        raise ExchangeError(
            [error("BBT530", where, f"{relative} does not exist at revision {rev}")]
        ) from None
    with tempfile.TemporaryDirectory(prefix="bbt-diff-") as temp:
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                archive.extractall(temp, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise ExchangeError(
                [error("BBT531", where, f"cannot extract revision {rev}: {exc}")]
            ) from None
        yield Path(temp) / relative


def diff_folders(
    old: Path,
    new: Path,
    old_label: str = "",
    new_label: str = "",
    *,
    allow_errors: bool = True,
) -> Report:
    """Check both folders and compare them.

    Raises ExchangeError when either cannot be loaded, and CheckFailed when either has
    errors (``bbt check``) unless ``allow_errors``; the report carries the errors allowed.
    """
    problems: list[Finding] = []
    calcs: list[Calculation] = []
    allowed: list[Finding] = []
    unloadable = False
    for path in (old, new):
        try:
            calculation, errors = checked(path, allow_errors)
        except CheckFailed as exc:
            problems.extend(exc.findings)
        except ExchangeError as exc:
            unloadable = True
            problems.extend(exc.findings)
        else:
            calcs.append(calculation)
            allowed += errors
    if problems:
        raise ExchangeError(problems) if unloadable else CheckFailed(problems)
    report = compare(calcs[0], calcs[1], old_label or relpath(old), new_label or relpath(new))
    return replace(report, errors=tuple(allowed))


def diff_git(rev_old: str, rev_new: str, folder: Path, *, allow_errors: bool = True) -> Report:
    """Compare two git revisions of one budget folder."""
    name = relpath(folder)
    with git_checkout(rev_old, folder) as old, git_checkout(rev_new, folder) as new:
        return diff_folders(
            old, new, f"{rev_old}:{name}", f"{rev_new}:{name}", allow_errors=allow_errors
        )
