"""The whole flow in one place: load -> calculate -> outline -> check -> render.

Every command is a thin wrapper around one of these functions. Heavy imports (WeasyPrint) are
done inside :func:`build` only when a PDF is asked for, so ``bbt check`` starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bbt.calculation import Calculation, calculate
from bbt.errors import Finding, FindingsError, LoadError, Location, Severity, relpath
from bbt.files import write_atomic, write_set
from bbt.load.budget import load_with_findings
from bbt.outline import Outline, outline_of
from bbt.resources import EXAMPLE as DEFAULT_BUDGET
from bbt.resources import TEMPLATES as DEFAULT_TEMPLATES

if TYPE_CHECKING:
    from bbt.render.html import FigureSource


@dataclass
class Result:
    """What a run produced: the calculation (None when loading failed) and every finding."""

    calculation: Calculation | None
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    outline: Outline | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    def failed(self, strict: bool = False) -> bool:
        worst = Severity.WARNING if strict else Severity.ERROR
        return any(f.severity >= worst for f in self.findings)


def check(path: Path | str = DEFAULT_BUDGET) -> Result:
    """Load, calculate and run every check; never raises for a mistake in the data."""
    # 1. load: YAML and Markdown into the model (structural mistakes are findings).
    document, findings = load_with_findings(path)
    if document is None:
        return Result(None, findings)
    # 2. calculate: every figure, exact.
    calculation = calculate(document)
    # 3. outline: the document as a tree of parts, numbered, each text with its names.
    outline = outline_of(calculation)
    # 4. check: the registry of named rules over the figures and the texts.
    from bbt.checks import run_checks

    findings = findings + run_checks(outline)
    return Result(calculation, sorted(findings, key=Finding.sort_key), outline=outline)


def render(
    result: Result,
    formats: Iterable[str] = ("html", "pdf"),
    templates: Path | str = DEFAULT_TEMPLATES,
    progress: Callable[[str], None] = lambda _msg: None,
    source: FigureSource | None = None,
    draft: bool = False,
) -> dict[str, bytes]:
    """Render a checked document in memory: ``{"html": ..., "pdf": ...}`` as asked.

    Findings of the rendering (a template error, a refused resource) are added to
    ``result``; then nothing is returned. ``source`` marks figures for the live preview;
    ``draft`` stamps the document ONTWERP.
    """
    if result.outline is None or result.failed():
        return {}
    from bbt.render.html import render_html

    formats = tuple(formats)
    root = result.outline.calculation.document.root
    outputs: dict[str, bytes] = {}
    try:
        progress("rendering HTML")
        html = render_html(result.outline, template_dir=Path(templates), source=source, draft=draft)
        outputs["html"] = html.encode("utf-8")
        if "pdf" in formats:
            progress("rendering PDF")
            from bbt.render.pdf import render_pdf

            allowed = [root.resolve(), Path(templates).resolve()]
            # PDF/UA is claimed only when the audit passes; otherwise BBT304 says why.
            outputs["pdf"] = render_pdf(html, allowed_dirs=allowed, findings=result.findings)
    except FindingsError as exc:
        result.findings.extend(exc.findings)
        return {}
    return {kind: data for kind, data in outputs.items() if kind in formats}


def build(
    path: Path | str = DEFAULT_BUDGET,
    out_dir: Path | str = "output",
    formats: Iterable[str] = ("html", "pdf"),
    templates: Path | str = DEFAULT_TEMPLATES,
    progress: Callable[[str], None] = lambda _msg: None,
    draft: bool = False,
) -> Result:
    """Check, then render HTML (and PDF from it) into ``out_dir``.

    Nothing is written when the data has errors or rendering fails: every file is rendered
    in memory first and then moved into place as a set, so the previous good output stays.
    A document whose texts are still drafts (BBT130) is built only with ``draft``, and is
    then stamped ONTWERP, so that a draft never looks final.
    """
    result = check(path)
    drafts = [f for f in result.findings if f.code == "BBT130"]
    if drafts and not draft:
        where = Location(relpath(Path(path)))
        message = (
            f"{len(drafts)} text(s) are still drafts (BBT130 above); rewrite them, or build "
            "with --draft to get a document stamped ONTWERP"
        )
        result.findings.append(Finding("BBT131", Severity.ERROR, where, message))
        return result
    # 5. render: HTML from the outline and the templates; the PDF from that HTML.
    outputs = render(result, formats, templates, progress, draft=bool(drafts))
    if not outputs:
        return result
    # 6. write: every file of the document, or none.
    stem = Path(path).resolve().name
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {out / f"{stem}.{kind}": data for kind, data in outputs.items()}
    result.written.extend(write_set(files))
    return result


def _build_one(
    path: Path, out_dir: Path, formats: tuple[str, ...], templates: Path, draft: bool
) -> tuple[list[Finding], list[Path]]:
    """One document in a worker process: what it found and wrote (not the calculation)."""
    result = build(path, out_dir, formats, templates, draft=draft)
    return result.findings, result.written


def build_many(
    paths: Iterable[Path | str],
    out_dir: Path | str = "output",
    formats: Iterable[str] = ("html", "pdf"),
    templates: Path | str = DEFAULT_TEMPLATES,
    jobs: int = 1,
    progress: Callable[[Path, Result], None] = lambda _path, _result: None,
    draft: bool = False,
) -> list[Result]:
    """:func:`build` for several documents, ``jobs`` at a time (processes), in input order.

    ``progress(path, result)`` is called in this process as each document finishes (in the
    order they finish). The results carry findings and written files; their ``calculation`` is
    None (a worker process does not send it back).
    """
    budgets = [Path(p) for p in paths]
    wanted = tuple(formats)
    results: dict[int, Result] = {}
    if jobs <= 1 or len(budgets) <= 1:
        for n, budget in enumerate(budgets):
            findings, written = _build_one(budget, Path(out_dir), wanted, Path(templates), draft)
            results[n] = Result(None, findings, written)
            progress(budget, results[n])
        return [results[n] for n in range(len(budgets))]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=min(jobs, len(budgets))) as pool:
        futures = {
            pool.submit(_build_one, budget, Path(out_dir), wanted, Path(templates), draft): n
            for n, budget in enumerate(budgets)
        }
        for future in as_completed(futures):
            n = futures[future]
            findings, written = future.result()
            results[n] = Result(None, findings, written)
            progress(budgets[n], results[n])
    return [results[n] for n in range(len(budgets))]


__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_TEMPLATES",
    "LoadError",
    "Result",
    "build",
    "build_many",
    "check",
    "render",
    "write_atomic",
]
