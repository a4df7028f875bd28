"""The set as one unit: check every document, then the rules between them; build them all.

The flow, like :mod:`bbt.pipeline` for one document:

1. load the set (``set.yaml`` or the budget subfolders);
2. check each document alone, exactly as :func:`bbt.pipeline.check` does;
3. run the cross-document rules (:mod:`bbt.set.rules`) over the documents that loaded;
4. (build) build each document that has no errors, ``jobs`` at a time, with
   :func:`bbt.pipeline.build_documents`;
5. (build) write the set's overview and open data, only when no document and no
   cross-document rule has an error (the totals would be wrong otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bbt.calculation import Calculation
from bbt.errors import BbtError, Finding, Severity
from bbt.files import write_outputs
from bbt.pipeline import BuildOptions, Result, build_documents, check
from bbt.set.load import load_set
from bbt.set.model import BudgetSet, Member
from bbt.set.rules import run_set_rules
from bbt.set.view import Entry, SetView


@dataclass
class DocumentReport:
    """One document's part of a set run.

    Attributes:
        member: where set.yaml lists it.
        result: its own findings (and, after a build, the files written).
        calculation: its figures when it loaded, for the cross-document rules and the overview.
        pages: pages of its PDF, when one was written.
    """

    member: Member
    result: Result
    calculation: Calculation | None = None
    pages: int | None = None


@dataclass
class SetResult:
    """What a set run produced.

    Attributes:
        budget_set: the loaded set (None when set.yaml could not be used).
        documents: one report per document, in set order.
        findings: the set's own findings (set.yaml and cross-document rules).
        written: the overview and open-data files written.
        view: the indexes the rules ran on (None when the set did not load).
    """

    budget_set: BudgetSet | None
    documents: list[DocumentReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    view: SetView | None = None

    def all_findings(self) -> list[Finding]:
        """Each document's findings in set order, then the set's."""
        return [f for d in self.documents for f in d.result.findings] + self.findings

    def failed(self, strict: bool = False) -> bool:
        worst = Severity.WARNING if strict else Severity.ERROR
        return any(f.severity >= worst for f in self.all_findings())


def check_set(path: Path | str) -> SetResult:
    """Load the set, check every document and the rules between them; never raises for data."""
    # 1. load the set's own data.
    budget_set, findings = load_set(path)
    if budget_set is None:
        return SetResult(None, findings=findings)
    # 2. every document alone.
    reports = []
    for member in budget_set.members:
        result = check(member.path)
        reports.append(DocumentReport(member, result, result.calculation))
    # 3. the rules between the documents that loaded.
    entries = [Entry(r.member, r.calculation) for r in reports if r.calculation is not None]
    for report in reports:
        if report.calculation is None:
            findings.append(
                Finding(
                    "BBT604",
                    Severity.WARNING,
                    report.member.loc,
                    f"{report.member.path.name} did not load, so the cross-document rules skip "
                    "it: movements that name it count as outside the set",
                )
            )
    view = SetView(budget_set, entries)
    findings = findings + run_set_rules(view)
    return SetResult(budget_set, reports, sorted(findings, key=Finding.sort_key), view=view)


def build_set(
    path: Path | str,
    options: BuildOptions = BuildOptions(),
    progress: Callable[[Path, Result], None] = lambda _path, _result: None,
) -> SetResult:
    """Check the set, build each sound document, then the overview and the open data.

    ``progress(path, result)`` is called once per document as it finishes (a document with
    errors finishes at once: nothing is built for it). ``options.draft`` builds documents whose
    texts are still drafts, stamped ONTWERP (as ``bbt build --draft``). An output that cannot
    be written is BBT307, and the set's files are then not written.
    """
    outcome = check_set(path)
    if outcome.budget_set is None:
        return outcome
    # 4. each document that checked without errors; a failing one does not stop the others.
    sound = [r for r in outcome.documents if not r.result.failed()]
    for report in outcome.documents:
        if report.result.failed():
            progress(report.member.path, report.result)
    built = build_documents([r.member.path for r in sound], options, progress)
    for report, result in zip(sound, built, strict=True):
        report.result = result
        report.pages = _pages(result.written)
    # 5. the set's own outputs, from sound data only.
    if outcome.failed() or outcome.view is None:
        return outcome
    from bbt.set.overview import set_outputs

    try:
        files = set_outputs(outcome.view, outcome.budget_set, options)
    except BbtError as exc:
        found = getattr(exc, "findings", None)
        if not found:
            raise
        outcome.findings.extend(found)
        return outcome
    outcome.written = write_outputs(options.out_dir, files, outcome.findings)
    return outcome


def _pages(written: list[Path]) -> int | None:
    """Pages of the PDF among ``written`` (pypdfium2 reads only the page tree)."""
    pdf = next((p for p in written if p.suffix == ".pdf"), None)
    if pdf is None:
        return None
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


__all__ = ["DocumentReport", "SetResult", "build_set", "check_set"]
