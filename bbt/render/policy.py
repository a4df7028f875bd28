"""The resource policy applied to the rendered document: nothing outside it is loaded.

The rules are those of :mod:`bbt.narrative.policy` (the document's own anchors, raster images
and fonts as ``data:`` URIs, files inside the budget folder; no scripts, no embedded content).
:func:`check_narrative_html` applies them to one rendered narrative (``BBT204`` at the line of
the text); :func:`check_document` to the whole HTML after the templates ran (``BBT302`` refused,
``BBT303`` missing), pointing at the template line that holds the address when there is one.
Both run before the PDF is laid out, so a refusal names its source, not just a URL.
"""

from __future__ import annotations

import os
from pathlib import Path

from bbt.errors import Finding, Location, Severity
from bbt.files import InputRefused, read_input, shown
from bbt.model import Narrative
from bbt.narrative.policy import judge, narrative_findings, references

_TEMPLATE_SUFFIXES = (".j2", ".html", ".css", ".svg")


def check_narrative_html(html: str, narrative: Narrative, root: Path) -> list[Finding]:
    """BBT204 for every reference of one narrative's HTML outside the budget folder.

    For the renderer: called with the HTML of each rendered narrative, ``root`` being the budget
    folder; a non-empty result stops the build (the check rule in bbt/checks/resources.py
    reports the same during ``bbt check``).
    """
    return narrative_findings(html, narrative, root)


def check_document(html: str, *, root: Path, template_dir: Path) -> list[Finding]:
    """BBT302/BBT303 for every reference of the whole document that it may not make.

    ``root`` is the budget folder (relative addresses resolve against it, as in the PDF);
    each finding points at the first template line that holds the address, else at the
    template folder.
    """
    findings: dict[tuple[str, str], Finding] = {}
    for ref in references(html):
        verdict = judge(ref, root)
        if verdict is None:
            continue
        where = _template_line(template_dir, ref.url or f"<{ref.element}")
        message = f"{verdict.reason}: {ref.url}" if ref.url else verdict.reason
        key = (str(where), message)
        findings.setdefault(key, Finding(verdict.code, Severity.ERROR, where, message))
    return list(findings.values())


def _template_line(template_dir: Path, needle: str) -> Location:
    """Where a template writes ``needle``: its file and line, else the template folder."""
    for path in _template_files(template_dir):
        try:
            text = read_input(path, (template_dir,), within="the template folder")
        except InputRefused:
            continue
        at = text.find(needle.encode("utf-8"))
        if at >= 0:
            return Location(shown(path), text.count(b"\n", 0, at) + 1)
    return Location(shown(template_dir))


def _template_files(template_dir: Path) -> list[Path]:
    """The template folder's text files, in name order (links are not followed)."""
    found: list[Path] = []
    for folder, dirs, names in os.walk(template_dir):
        dirs.sort()
        found += [Path(folder) / n for n in sorted(names) if n.endswith(_TEMPLATE_SUFFIXES)]
    return found


__all__ = ["check_document", "check_narrative_html"]
