"""The whole flow in one place: load -> calculate -> outline -> check -> render.

Every command is a thin wrapper around one of these functions. Heavy imports (WeasyPrint) are
done inside :func:`build` only when a PDF is asked for, so ``bbt check`` starts fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from bbt.calculation import Calculation, calculate
from bbt.errors import Finding, FindingsError, LoadError, Location, Severity
from bbt.files import shown, write_atomic, write_outputs
from bbt.load.budget import load_with_findings
from bbt.outline import Outline, outline_of
from bbt.resources import EXAMPLE as DEFAULT_BUDGET
from bbt.resources import TEMPLATES as DEFAULT_TEMPLATES

if TYPE_CHECKING:
    from bbt.render.html import FigureSource


class BuildOptions(msgspec.Struct, frozen=True):
    """What a build is asked for, the same for one document, many, or a set.

    One value instead of five parameters passed from hand to hand: the CLI makes it from its
    options, :func:`build_documents`, the set's build and the ``build_path`` extension hook take it,
    and it is what goes to a worker process (it pickles).

    Attributes:
        out_dir: the folder the files are written to.
        formats: ``html`` and/or ``pdf``.
        templates: the template folder.
        jobs: how many documents are built at a time (processes).
        draft: build documents whose texts are still drafts, stamped ONTWERP.
    """

    out_dir: Path = Path("output")
    formats: tuple[str, ...] = ("html", "pdf")
    templates: Path = DEFAULT_TEMPLATES
    jobs: int = 1
    draft: bool = False


class Result(msgspec.Struct):
    """What a run produced: the calculation (None when loading failed) and every finding."""

    calculation: Calculation | None
    findings: list[Finding] = msgspec.field(default_factory=list)
    written: list[Path] = msgspec.field(default_factory=list)
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
        # Nothing outside the document is loaded: refused before the PDF, at its template line.
        from bbt.render.policy import check_document

        refused = check_document(html, root=root, template_dir=Path(templates))
        if refused:
            result.findings.extend(refused)
            return {}
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
        where = Location(shown(Path(path)))
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
    out = Path(out_dir)
    files = {out / f"{output_stem(path)}.{kind}": data for kind, data in outputs.items()}
    result.written.extend(write_outputs(out, files, result.findings))
    return result


def output_stem(path: Path | str) -> str:
    """The name of a document's output files: its folder's name (``2024-sociale-economie``)."""
    return Path(path).resolve().name


def _build_one(path: Path, options: BuildOptions) -> tuple[list[Finding], list[Path]]:
    """One document (in a worker process): what it found and wrote (not the calculation).

    An unexpected error is a finding of this document (BBT309), so the others are still built.
    """
    try:
        result = build(
            path, options.out_dir, options.formats, options.templates, draft=options.draft
        )
    except Exception as exc:  # a bug must not stop the other documents
        return [_crashed(path, exc)], []
    return result.findings, result.written


def _crashed(path: Path, exc: BaseException) -> Finding:
    message = (
        f"internal error while building this document ({type(exc).__name__}: {str(exc)[:200]}); "
        "the other documents were built; please report it with the command you ran"
    )
    return Finding("BBT309", Severity.ERROR, Location(shown(path)), message)


def _clashes(budgets: list[Path]) -> dict[int, Finding]:
    """BBT308 for documents whose output files would have the same name (a/2024, b/2024)."""
    by_stem: dict[str, list[int]] = {}
    for n, budget in enumerate(budgets):
        by_stem.setdefault(output_stem(budget), []).append(n)
    refused: dict[int, Finding] = {}
    for stem, members in by_stem.items():
        if len(members) < 2:
            continue
        names = ", ".join(shown(budgets[n]) for n in members)
        for n in members:
            message = (
                f"{len(members)} documents would write {stem}.html and {stem}.pdf ({names}); "
                "none of them is built: rename a folder or build them into separate outputs"
            )
            refused[n] = Finding("BBT308", Severity.ERROR, Location(shown(budgets[n])), message)
    return refused


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

    The keyword form of :func:`build_documents` (which says what ``progress`` is told).
    """
    options = BuildOptions(Path(out_dir), tuple(formats), Path(templates), jobs, draft)
    return build_documents(paths, options, progress)


def build_documents(
    paths: Iterable[Path | str],
    options: BuildOptions = BuildOptions(),
    progress: Callable[[Path, Result], None] = lambda _path, _result: None,
) -> list[Result]:
    """:func:`build` for several documents, ``options.jobs`` at a time (processes), in order.

    ``progress(path, result)`` is called in this process as each document finishes (in the
    order they finish). The results carry findings and written files; their ``calculation`` is
    None (a worker process does not send it back).
    """
    budgets = [Path(p) for p in paths]
    results: dict[int, Result] = {}
    for n, clash in _clashes(budgets).items():
        results[n] = Result(None, [clash])
        progress(budgets[n], results[n])
    todo = [n for n in range(len(budgets)) if n not in results]
    if options.jobs <= 1 or len(todo) <= 1:
        for n in todo:
            findings, written = _build_one(budgets[n], options)
            results[n] = Result(None, findings, written)
            progress(budgets[n], results[n])
        return [results[n] for n in range(len(budgets))]
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=min(options.jobs, len(todo))) as pool:
        futures = {pool.submit(_build_one, budgets[n], options): n for n in todo}
        for future in as_completed(futures):
            n = futures[future]
            try:
                findings, written = future.result()
            except Exception as exc:  # the worker process itself died (out of memory ...)
                findings, written = [_crashed(budgets[n], exc)], []
            results[n] = Result(None, findings, written)
            progress(budgets[n], results[n])
    return [results[n] for n in range(len(budgets))]


__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_TEMPLATES",
    "BuildOptions",
    "LoadError",
    "Result",
    "build",
    "build_documents",
    "build_many",
    "check",
    "render",
    "write_atomic",
]
