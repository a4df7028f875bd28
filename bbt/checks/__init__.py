"""The registry of checks: small named rules, each returning findings with a stable code.

A rule is registered with :func:`rule` (it reads the figures: ``check_*(calculation)``) or
:func:`text_rule` (it reads the document's texts in outline order: ``check_*(outline)``).
Extensions register theirs the same way, from the module their ``rules`` hook names.
Codes are documented in docs/findings.md; a code never changes meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bbt.calculation import Calculation
from bbt.errors import Finding
from bbt.outline import Outline

Rule = Callable[[Calculation], Iterable[Finding]]
TextRule = Callable[[Outline], Iterable[Finding]]
RULES: list[tuple[str, Callable[[Any], Iterable[Finding]]]] = []
"""Every registered rule, in registration order, with what it reads (``figures`` or ``texts``)."""


def rule(function: Rule) -> Rule:
    """Register a check over the figures."""
    RULES.append(("figures", function))
    return function


def text_rule(function: TextRule) -> TextRule:
    """Register a check over the texts of the outline."""
    RULES.append(("texts", function))
    return function


def _register_all() -> None:
    # Importing the rule modules registers them; extensions' rule modules too.
    from bbt.checks import glossary, outline, prose, reconcile, resources  # noqa: F401
    from bbt.extension import hooks

    hooks("rules")


def run_checks(outline: Outline) -> list[Finding]:
    """Run every registered rule over the outline (and its calculation); all findings."""
    _register_all()
    findings: list[Finding] = []
    for reads, check in RULES:
        findings.extend(check(outline if reads == "texts" else outline.calculation))
    return findings
